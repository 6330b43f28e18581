from django.contrib import admin

from unionhome.orgs import services as org_services

from .models import AuditEvent, CalendarAdjustment, Notification, Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "org", "granted_by", "granted_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__display_name", "org__name")
    autocomplete_fields = ("user",)
    raw_id_fields = ("org",)
    fields = ("user", "org", "kind")

    def get_queryset(self, request):
        return Role.objects.visible_to(request.user).select_related("user", "org", "granted_by")

    def has_change_permission(self, request, obj=None):
        return False  # a grant is given or revoked, never edited

    def save_model(self, request, obj, form, change):
        role = org_services.grant_role(request.user, user=obj.user, org=obj.org, kind=obj.kind)
        obj.pk = role.pk

    def delete_model(self, request, obj):
        org_services.revoke_role(request.user, obj)

    def delete_queryset(self, request, queryset):
        for role in queryset:
            org_services.revoke_role(request.user, role)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_code", "ip_address")
    list_filter = ("action", "target_type")
    search_fields = ("target_code", "actor__username")
    date_hierarchy = "at"

    def get_queryset(self, request):
        return AuditEvent.objects.visible_to(request.user).select_related("actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarAdjustment)
class CalendarAdjustmentAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("at", "recipient", "title", "read_at")
    search_fields = ("title", "recipient__username")

    def has_change_permission(self, request, obj=None):
        return False
