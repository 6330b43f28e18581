from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import DeadlinePolicy, Demand, DemandEvent, DemandReceipt, RoutingRule

# Personal data never appears in the back office list or form; handlers reveal it, audited,
# on the demand page.
HIDDEN = ("contact_name", "contact_phone", "contact_phone_index", "search_text")


class DemandEventInline(admin.TabularInline):
    model = DemandEvent
    fields = (
        "at",
        "kind",
        "actor",
        "actor_label",
        "from_status",
        "to_status",
        "to_org",
        "message",
        "reason",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    """Back office view: read-only; handling goes through the cadre pages and their services."""

    list_display = (
        "code",
        "category",
        "status",
        "org",
        "channel",
        "created_at",
        "resolve_deadline",
        "escalated",
    )
    list_filter = ("status", "category", "channel", "urgency", "escalated")
    search_fields = ("code", "tracking_code", "search_text")
    date_hierarchy = "created_at"
    inlines = [DemandEventInline]
    exclude = HIDDEN
    readonly_fields = [f.name for f in Demand._meta.fields if f.name not in HIDDEN] + [
        "masked_phone"
    ]

    def get_queryset(self, request):
        return Demand.objects.visible_to(request.user).select_related("org")

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj):
        return obj.masked_contact_phone

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("priority", "kind", "pattern", "target", "is_active", "note")
    list_filter = ("kind", "is_active")
    raw_id_fields = ("target",)
    ordering = ("priority", "id")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "ack_hours",
        "ack_working_days",
        "resolve_days",
        "resolve_working_days",
        "is_active",
    )
    list_filter = ("is_active", "urgency", "complexity")


@admin.register(DemandReceipt)
class DemandReceiptAdmin(admin.ModelAdmin):
    """The intake queue, for operations: receipts the intake worker could not record show their
    error and can be retried. What the worker wrote (the encrypted payload) is never shown."""

    list_display = ("tracking_code", "channel", "received_at", "processed_at", "attempts", "error")
    list_filter = (("processed_at", admin.EmptyFieldListFilter), "channel")
    search_fields = ("tracking_code", "code")
    fields = ("tracking_code", "code", "channel", "received_at", "processed_at", "attempts",
              "error")  # fmt: skip
    readonly_fields = fields
    actions = ("retry",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a receipt is a worker's acknowledged submission

    @admin.action(description=_("重新分派所选收件"))
    def retry(self, request, queryset):
        n = queryset.filter(processed_at__isnull=True).update(attempts=0, error="")
        self.message_user(request, _("已重新排队%(n)d件。") % {"n": n})
