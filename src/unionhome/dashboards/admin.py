from django.contrib import admin

from .models import DailyOrgCount, DueCount, DueDayCount, OrgGauge


class ReadOnly(admin.ModelAdmin):
    """Roll-ups are derived data: change the demands and memberships, or run rebuild_rollups."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DailyOrgCount)
class DailyOrgCountAdmin(ReadOnly):
    list_display = ["org", "day", "submitted", "resolved", "closed", "rated", "joined", "ended"]
    list_select_related = ["org"]
    date_hierarchy = "day"
    raw_id_fields = ["org"]


@admin.register(OrgGauge)
class OrgGaugeAdmin(ReadOnly):
    list_display = ["org", "open", "escalated_open", "members"]
    list_select_related = ["org"]
    raw_id_fields = ["org"]


@admin.register(DueCount)
class DueCountAdmin(ReadOnly):
    list_display = ["org", "due_hour", "open"]
    list_select_related = ["org"]
    raw_id_fields = ["org"]


@admin.register(DueDayCount)
class DueDayCountAdmin(ReadOnly):
    list_display = ["org", "due_day", "open"]
    list_select_related = ["org"]
    raw_id_fields = ["org"]
