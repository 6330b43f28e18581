"""The admin's URLconf, imported on first use (`core.lazy_admin`): discovery happens here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.autodiscover()
admin.site.site_header = _("职工之家 · 后台管理")
admin.site.site_title = _("职工之家后台")
admin.site.index_title = _("后台管理")

urlpatterns = admin.site.get_urls()
