from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Org
from .services import EDITABLE_FIELDS


class OrgForm(forms.ModelForm):
    class Meta:
        model = Org
        fields = list(EDITABLE_FIELDS)
        widgets = {"founded_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}

    def validate_unique(self):
        """Uniqueness is checked by the service, which names the clashing org."""

    def cleaned_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data
        }


class MoveOrgForm(forms.Form):
    target = forms.CharField(
        label=_("新的上级组织"),
        help_text=_("填写上级组织的编号（如 7KQ2-M9XA）或完整名称。"),
        max_length=120,
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates

    def clean_target(self):
        value = self.cleaned_data["target"].strip()
        matches = list(self.candidates.filter(code=value.upper())[:1]) or list(
            self.candidates.filter(name=value)[:2]
        )
        if not matches:
            raise forms.ValidationError(_("在您管理的范围内没有找到“%s”。") % value)
        if len(matches) > 1:
            raise forms.ValidationError(_("有多个组织名为“%s”，请改填编号。") % value)
        return matches[0]


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=_("按名称搜索"), max_length=60, required=False)
