from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "unionhome.digests"
    verbose_name = _("打包反映")
