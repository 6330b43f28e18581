from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "unionhome.dashboards"
    verbose_name = _("数据看板")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete, pre_save

        from unionhome.core.jobs import register_job_kind
        from unionhome.core.registry import OrgLink, register_demo_seeder, register_org_link
        from unionhome.core.signals import rows_inserted, subtree_moved
        from unionhome.demands.models import Demand
        from unionhome.members.models import Membership

        from . import handlers, rollups, sections

        # Model signals, not calls in each service: every save of a demand or membership (the
        # services, the sweep, the admin) moves the roll-ups in its own transaction.
        for model in (Demand, Membership):
            pre_save.connect(handlers.before_save, sender=model, dispatch_uid=f"rollup-pre-{model}")
            post_save.connect(
                handlers.after_save, sender=model, dispatch_uid=f"rollup-post-{model}"
            )
            pre_delete.connect(handlers.on_delete, sender=model, dispatch_uid=f"rollup-del-{model}")
        rows_inserted.connect(handlers.on_rows_inserted, dispatch_uid="rollup-bulk")
        subtree_moved.connect(handlers.on_subtree_moved, dispatch_uid="rollup-move")
        sections.register_builtin_sections()
        register_job_kind("dashboards.rebuild", lambda job, progress: rollups.rebuild(progress))
        # Last of the demo seeders: they back-date demands with bulk updates (no signals).
        register_demo_seeder("dashboards", "unionhome.dashboards.demo.seed_demo_rollups",
                             order=1000)  # fmt: skip
        register_org_link(
            OrgLink(
                key="dashboard",
                label=_("数据看板"),
                url=lambda code: f"/dashboards/?org={code}",
                order=5,
            )
        )
