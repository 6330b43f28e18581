"""`{% hardship_link demand %}`: the demand page's link to its hardship file (or to open one)."""

from django import template

register = template.Library()


@register.inclusion_tag("assistance/_demand_link.html", takes_context=True)
def hardship_link(context, demand):
    from unionhome.core.permissions import covers
    from unionhome.text.categories import DemandCategory

    from .. import services

    user = context["request"].user
    case = services.case_for_demand(user, demand)
    can_open = (
        case is None
        and demand.category == DemandCategory.HARDSHIP
        and covers(user, demand.org_path, services.WORK_ROLES)
    )
    return {"case": case, "can_open": can_open, "demand": demand}
