"""Forms only gather input; the services hold the rules (period, masking, limits)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        depth = max(0, len(obj.path) // 4 - 1)
        return "　" * min(depth, 6) + obj.name


class NewDigestForm(forms.Form):
    org = OrgChoiceField(queryset=None, label=_("范围（组织及其下级）"))
    period_start = forms.DateField(label=_("开始日期"), widget=DATE)
    period_end = forms.DateField(label=_("结束日期"), widget=DATE)
    title = forms.CharField(
        label=_("标题"), max_length=200, required=False, help_text=_("留空则自动生成。")
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class DigestForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    narrative = forms.CharField(
        label=_("综述"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("手机号、身份证号、姓名等个人信息会被自动遮盖。"),
    )  # fmt: skip


class ClusterForm(forms.Form):
    title = forms.CharField(label=_("问题标题"), max_length=200)
    summary = forms.CharField(
        label=_("说明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CasesForm(forms.Form):
    demand = forms.TypedMultipleChoiceField(
        label=_("典型案例"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].choices = [(c["id"], c["code"]) for c in candidates]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
