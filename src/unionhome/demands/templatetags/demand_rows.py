"""The inbox's rows rendered in Python.

Twenty-five rows of about twenty template expressions each were half of the inbox page's time
(Django resolves every variable through its lookup chain); the same markup from `format_html`
costs a tenth of that. `test_inbox_rows_markup` pins the markup."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..models import Demand, DemandCategory, Status, Urgency

register = template.Library()

CODE = "CODE-PLACEHOLDER"


def _badges(d: Demand, overdue: bool, labels: dict[str, str]) -> SafeString:
    badges = [("status-" + d.status, labels.get(d.status, d.status))]
    if d.urgency == Urgency.URGENT:
        badges.append(("warn", labels[Urgency.URGENT]))
    if overdue:
        badges.append(("warn", _("超期")))
    if d.escalated:
        badges.append(("warn", _("督办")))
    return format_html_join("\n", '<span class="badge {}">{}</span>', badges)


@register.simple_tag
def inbox_rows(demands, now=None) -> SafeString:
    """`<li class="demand-row">` for each demand (or the empty-list line)."""
    now = now or timezone.now()
    detail = reverse("demands:detail", args=[CODE])
    # Labels translated once per page, not once per row (get_FOO_display goes through gettext).
    labels = {str(k): str(v) for k, v in (*Status.choices, (Urgency.URGENT, Urgency.URGENT.label))}
    categories = {str(k): str(v) for k, v in DemandCategory.choices}
    rows = []
    for d in demands:
        overdue = d.is_overdue(now)
        deadline = dateformat.format(timezone.localtime(d.resolve_deadline), "m-d H:i")
        rows.append(format_html(
            '<li class="demand-row{}" data-code="{}">\n'
            '  <a href="{}"><b>{}</b> · {}</a>\n'
            '  <div class="meta">\n{}\n<span>{}</span>\n<span>{} {}</span>\n<code>{}</code>\n'
            "  </div>\n</li>",
            " overdue" if overdue else "", d.code, detail.replace(CODE, d.code),
            categories.get(d.category, d.category), Truncator(d.description).chars(60),
            _badges(d, overdue, labels), d.org.short_name or d.org.name, _("时限"), deadline, d.code,
        ))  # fmt: skip
    if not rows:
        return format_html('<li class="empty">{}</li>', _("没有符合条件的诉求。"))
    return mark_safe("\n".join(rows))  # noqa: S308 — every part went through format_html
