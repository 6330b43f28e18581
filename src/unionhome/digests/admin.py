from django.contrib import admin

from .models import Alert, Digest, DigestCluster


class DigestClusterInline(admin.TabularInline):
    model = DigestCluster
    fields = ("rank", "title", "size", "previous_size", "urgency", "growth", "score")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """Back office view: read-only. Digests are built, edited and published on the cadre pages,
    whose services mask text and freeze published digests."""

    list_display = ("title", "org", "period_start", "period_end", "status", "version",
                    "published_at")  # fmt: skip
    list_filter = ("status",)
    search_fields = ("code", "title")
    inlines = [DigestClusterInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Back office view: read-only; alerts are raised by `scan_alerts` and handled on the alert
    page (thresholds: the UNIONHOME_ALERT_* settings)."""

    list_display = ("title", "kind", "state", "org", "count", "created_at")
    list_filter = ("kind", "state")
    search_fields = ("code", "title", "employer_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
