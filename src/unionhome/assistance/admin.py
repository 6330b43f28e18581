from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CaseEvent, Fund, Grant, HardshipCase, RegionalThreshold


@admin.register(RegionalThreshold)
class RegionalThresholdAdmin(admin.ModelAdmin):
    """The lines eligibility is measured against, kept per region code and year."""

    list_display = ("region_code", "year", "minimum_living", "low_income_line", "note")
    list_filter = ("year",)
    search_fields = ("region_code", "note")


class FundForm(admin.ModelAdmin.form):
    def clean(self):
        data = super().clean()
        budget = data.get("budget")
        if self.instance.pk and budget is not None and budget < self.instance.granted:
            raise ValidationError(
                _("预算不能低于已安排的金额（%(g)s元）。") % {"g": self.instance.granted}
            )
        return data


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    """Yearly budgets per org and kind; `granted` moves only through the grant services."""

    form = FundForm
    list_display = ("year", "org", "kind", "name", "budget", "granted")
    list_filter = ("year", "kind")
    search_fields = ("code", "name", "org__name")
    readonly_fields = ("code", "granted")
    autocomplete_fields = ("org",)

    def get_queryset(self, request):
        return Fund.objects.visible_to(request.user).select_related("org")


@admin.register(HardshipCase)
class HardshipCaseAdmin(admin.ModelAdmin):
    """Read-only and scoped: files are kept on the cadre pages, whose services audit every view."""

    list_display = ("code", "org", "status", "level", "next_follow_up_due", "created_at")
    list_filter = ("status", "level")
    search_fields = ("code",)
    fields = ("code", "org", "status", "level", "responsible", "next_follow_up_due",
              "reverify_due", "watch_until", "created_at")  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return HardshipCase.objects.visible_to(request.user).select_related("org")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("code", "fund", "amount", "payment_status", "granted_on", "paid_on")
    list_filter = ("payment_status", "fund__kind")
    search_fields = ("code",)
    readonly_fields = [f.name for f in Grant._meta.fields]

    def get_queryset(self, request):
        return Grant.objects.visible_to(request.user).select_related("fund")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("case", "at", "kind", "actor")
    readonly_fields = [f.name for f in CaseEvent._meta.fields]

    def get_queryset(self, request):
        visible = HardshipCase.objects.visible_to(request.user).values("pk")
        return CaseEvent.objects.filter(case__in=visible).select_related("case", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
