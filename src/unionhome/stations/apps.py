from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "unionhome.stations"
    verbose_name = _("服务站点")

    def ready(self) -> None:
        from django.urls import reverse

        from unionhome.core.registry import (
            OrgCounter,
            OrgLink,
            register_demo_seeder,
            register_location_source,
            register_org_counter,
            register_org_link,
        )

        from .services import station_totals
        from .sources import demand_points

        register_org_counter(
            OrgCounter(key="stations", label=_("服务站点"), compute=station_totals, order=30)
        )
        register_demo_seeder("stations", "unionhome.stations.demo.seed_demo_stations", order=30)
        # Demands that carry coordinates are where workers are; members register theirs later.
        register_location_source("demands", _("诉求地点"), demand_points)
        register_org_link(
            OrgLink(
                key="stations",
                label=_("该组织的服务站点"),
                url=lambda code: reverse("stations:list") + f"?org={code}",
                order=30,
            )
        )
        register_org_link(
            OrgLink(
                key="stations_coverage",
                label=_("15分钟服务圈覆盖"),
                url=lambda code: reverse("stations:coverage") + f"?org={code}",
                order=31,
            )
        )
