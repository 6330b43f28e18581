from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "unionhome.digests"
    verbose_name = _("打包反映")

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django.urls import reverse

        from unionhome.core.jobs import register_job_kind
        from unionhome.core.registry import OrgLink, register_demo_seeder, register_org_link
        from unionhome.demands.models import Demand

        from .alerts import on_demand_saved
        from .services import BUILD_JOB, run_build_job

        register_job_kind(BUILD_JOB, run_build_job, "digests/_build_result.html")
        # After the demands seeder (20): adds last month's wage-arrears burst.
        register_demo_seeder("digests", "unionhome.digests.demo.seed_demo_digest_data", order=25)
        # A signal rather than a call inside demands.submit_demand: the intake stays unaware of
        # early warning, and the check runs only after the submission committed.
        post_save.connect(on_demand_saved, sender=Demand, dispatch_uid="digests.alert_check")
        register_org_link(
            OrgLink(
                key="digests",
                label=_("打包反映"),
                url=lambda code: reverse("digests:create") + f"?org={code}",
                order=40,
            )
        )
