from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "unionhome.assistance"
    verbose_name = _("困难职工帮扶")

    def ready(self) -> None:
        from django.urls import reverse

        from unionhome.core.registry import (
            OrgCounter,
            OrgLink,
            register_demo_seeder,
            register_org_counter,
            register_org_link,
        )

        from .services import open_case_totals

        register_org_counter(
            OrgCounter(key="hardship", label=_("在档困难职工"), compute=open_case_totals, order=40)
        )
        register_org_link(
            OrgLink(
                key="hardship_report",
                label=_("困难职工帮扶统计"),
                url=lambda code: reverse("assistance:report") + f"?org={code}",
                order=40,
            )
        )
        # After orgs, members and demands: it may pick up a demo demand in the hardship category.
        register_demo_seeder(
            "assistance", "unionhome.assistance.demo.seed_demo_assistance", order=60
        )
