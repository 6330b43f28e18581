from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "unionhome.members"
    verbose_name = _("会员")

    def ready(self) -> None:
        from django.urls import reverse

        from unionhome.core.jobs import register_job_kind
        from unionhome.core.registry import (
            OrgCounter,
            OrgLink,
            register_card_resolver,
            register_demo_seeder,
            register_location_source,
            register_org_counter,
            register_org_link,
        )

        from . import roster
        from .services import new_employment_totals, resolve_card_token, workplace_points

        register_org_counter(
            OrgCounter(
                key="new_employment",
                label=_("新就业形态会员"),
                compute=new_employment_totals,
                order=15,
            )
        )
        register_org_link(
            OrgLink(
                key="members",
                label=_("会员名册"),
                url=lambda code: reverse("members:roster", args=[code]),
                order=20,
            )
        )
        register_job_kind("members.import", roster.run_import_job, "members/_import_result.html")
        register_job_kind("members.export", roster.run_export_job, "members/_export_result.html")
        register_demo_seeder("members", "unionhome.members.demo.seed_demo_members", order=10)
        register_location_source("members", _("会员工作地点"), workplace_points)
        register_card_resolver(resolve_card_token)
