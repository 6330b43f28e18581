from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import JoinApplication, Membership, Merchant, Offer, Person, Transfer


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Read-only in the back office; identity stays masked (reveals happen, audited, on the
    person page)."""

    list_display = ("code", "masked_name", "gender", "birth_date", "masked_id", "org")
    search_fields = ("code", "name_pinyin")
    fields = ("code", "masked_name", "gender", "birth_date", "masked_id", "masked_phone_", "employer_name",
              "job_title", "hukou", "new_employment", "org")  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return Person.objects.visible_to(request.user).select_related("org")

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("手机号"))
    def masked_phone_(self, obj):
        return obj.masked_phone

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "org", "status", "joined_on", "ended_on", "dues_paid_until")
    list_filter = ("status",)
    readonly_fields = ("person", "org", "status", "joined_on", "ended_on")
    fields = ("person", "org", "status", "joined_on", "ended_on", "dues_paid_until")

    def get_queryset(self, request):
        return Membership.objects.visible_to(request.user).select_related("person", "org")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JoinApplication)
class JoinApplicationAdmin(admin.ModelAdmin):
    list_display = ("code", "org", "status", "created_at")
    list_filter = ("status",)
    exclude = ("id_number", "phone", "id_index")
    readonly_fields = ("code", "org", "name", "gender", "birth_date", "employer_name", "job_title",
                       "new_employment", "status", "reason", "decided_by", "decided_at", "person")  # fmt: skip

    def get_queryset(self, request):
        return JoinApplication.objects.visible_to(request.user).select_related("org")

    def has_add_permission(self, request):
        return False


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ("code", "org", "to_org", "status", "requested_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Transfer._meta.fields]

    def get_queryset(self, request):
        return Transfer.objects.visible_to(request.user).select_related("org", "to_org")

    def has_add_permission(self, request):
        return False


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "is_active")
    raw_id_fields = ("org",)

    def get_queryset(self, request):
        return Merchant.objects.visible_to(request.user)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant", "org", "valid_from", "valid_until", "is_active")
    raw_id_fields = ("org", "merchant")

    def get_queryset(self, request):
        return Offer.objects.visible_to(request.user).select_related("merchant", "org")
