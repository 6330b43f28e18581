from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "org", "can_submit", "can_read", "is_active", "last_used_at")
    list_filter = ("is_active", "can_submit", "can_read")
    raw_id_fields = ("org",)
    fields = ("name", "org", "can_submit", "can_read", "is_active")

    def get_queryset(self, request):
        return ApiKey.objects.visible_to(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        key, full = ApiKey.issue(name=obj.name, org=obj.org, created_by=request.user,
                                 can_submit=obj.can_submit, can_read=obj.can_read)  # fmt: skip
        obj.pk = key.pk
        messages.warning(request, _("请立即复制并妥善保存该密钥，它不会再次显示：%s") % full)
