from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "unionhome.orgs"
    verbose_name = _("工会组织")

    def ready(self) -> None:
        from unionhome.core.registry import OrgCounter, register_org_counter

        from .services import member_totals

        register_org_counter(
            OrgCounter(key="members", label=_("会员"), compute=member_totals, order=10)
        )
