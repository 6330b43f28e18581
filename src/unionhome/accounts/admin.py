from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "masked_phone", "is_staff", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("联系方式"), {"fields": ("display_name", "phone")}),
    )

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return obj.masked_phone
