from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextConfig(AppConfig):
    name = "unionhome.text"
    verbose_name = _("中文文本")
