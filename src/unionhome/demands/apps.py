from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "unionhome.demands"
    verbose_name = _("职工诉求")

    def ready(self) -> None:
        from django.urls import reverse

        from unionhome.core.registry import (
            OrgCounter,
            OrgLink,
            register_demo_seeder,
            register_org_counter,
            register_org_link,
        )

        from .services import open_demand_totals

        register_org_counter(
            OrgCounter(
                key="open_demands", label=_("在办诉求"), compute=open_demand_totals, order=20
            )
        )
        register_demo_seeder("demands", "unionhome.demands.demo.seed_demo_demands", order=20)
        register_org_link(
            OrgLink(
                key="demands",
                label=_("该组织的诉求"),
                url=lambda code: reverse("demands:inbox") + f"?status=open&org={code}",
                order=10,
            )
        )
