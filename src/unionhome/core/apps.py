from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "unionhome.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.conf import settings

        from . import lookups  # noqa: F401 — registers `__in_literal`

        if settings.UNIONHOME_MALLOC_TRIM_ENABLED:
            from . import memory

            memory.connect()
