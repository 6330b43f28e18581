"""Back-office admin for the org tree. Saves go through `orgs.services`, so the admin enforces the
same placement rules, permissions and audit trail as the pages and the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import OrgForm
from .models import Org


class OrgAdminForm(OrgForm):
    parent = forms.ModelChoiceField(
        label=_("上级组织"),
        queryset=Org.objects.all(),
        required=False,
        help_text=_("修改上级组织会连同全部下级组织一起移动。"),
    )

    class Meta(OrgForm.Meta):
        fields = ["parent", *OrgForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].initial = Org.objects.get_parent(self.instance)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        parent = self.cleaned_data.get("parent")
        try:
            services.check_placement(self.instance, parent)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    form = OrgAdminForm
    list_display = ("name", "level", "kind", "region_code", "member_count", "code", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "short_name", "search_text", "code", "employer_credit_code")
    readonly_fields = ("code", "path")
    ordering = ("path",)

    def get_queryset(self, request):
        return Org.objects.visible_to(request.user)

    def has_delete_permission(self, request, obj=None):
        # Orgs are deactivated, never deleted: cases and members keep pointing at them.
        return False

    @transaction.atomic
    def save_form(self, request, form, change):
        fields = form.cleaned_fields()
        parent = form.cleaned_data.get("parent")
        if not change:
            return services.create_org(request.user, parent=parent, **fields)
        org = services.update_org(request.user, form.instance, **fields)
        current = Org.objects.get_parent(org)
        if parent is not None and (current is None or current.pk != parent.pk):
            org = services.move_org(request.user, org, parent)
        return org

    def save_model(self, request, obj, form, change):
        """Already saved by the service in `save_form`."""

    def save_related(self, request, form, formsets, change):
        """Orgs have no many-to-many fields or inlines; the service saved everything."""
