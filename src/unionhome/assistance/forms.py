from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    CaseStatus,
    Cause,
    DocumentKind,
    Employment,
    ExitReason,
    HardshipLevel,
    Health,
    Housing,
    Relation,
    Schooling,
)

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class CaseForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(label=_("身份证号"), max_length=20)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))  # fmt: skip
    address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)
    employer_name = forms.CharField(label=_("工作单位"), max_length=160, required=False)
    causes = forms.MultipleChoiceField(label=_("致困原因（可多选）"), choices=Cause.choices,
                                       widget=forms.CheckboxSelectMultiple)  # fmt: skip
    monthly_income = forms.CharField(label=_("家庭月收入（元）"), max_length=20,
                                     widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    debts = forms.CharField(label=_("家庭负债（元，可不填）"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    housing = forms.ChoiceField(label=_("住房情况"), choices=Housing.choices)
    situation = forms.CharField(label=_("困难情况说明"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip


class MemberForm(forms.Form):
    relation = forms.ChoiceField(label=_("关系"), choices=[("", "—"), *Relation.choices],
                                 required=False)  # fmt: skip
    name = forms.CharField(label=_("姓名"), max_length=40, required=False)
    age = forms.IntegerField(label=_("年龄"), min_value=0, max_value=120, required=False)
    health = forms.ChoiceField(label=_("健康"), choices=Health.choices, required=False)
    health_note = forms.CharField(label=_("病情说明"), max_length=500, required=False)
    schooling = forms.ChoiceField(label=_("就学"), choices=Schooling.choices, required=False)
    employment = forms.ChoiceField(label=_("就业"), choices=Employment.choices, required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not (data.get("name") or data.get("relation"))


MemberFormSet = forms.formset_factory(MemberForm, extra=0, max_num=12, absolute_max=12)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("live", _("全部在册")), ("", _("全部")), *CaseStatus.choices])  # fmt: skip
    level = forms.ChoiceField(label=_("困难类别"), required=False,
                              choices=[("", _("全部类别")), *HardshipLevel.choices])  # fmt: skip
    overdue = forms.BooleanField(label=_("只看走访超期"), required=False)
    q = forms.CharField(label=_("编号或姓名"), required=False, max_length=40)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("审批意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("退回意见"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(forms.Form):
    pass


class PairForm(forms.Form):
    cadre = forms.ModelChoiceField(label=_("结对干部"), queryset=None)

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), initial=timezone.localdate, widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=200)
    people_met = forms.CharField(label=_("见到的人"), max_length=200)
    notes = forms.CharField(label=_("情况记录"), widget=forms.Textarea(attrs={"rows": 3}))


class ExitForm(forms.Form):
    reason = forms.ChoiceField(label=_("脱困原因"), choices=ExitReason.choices)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RelapseForm(forms.Form):
    note = forms.CharField(label=_("返困情况"), widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("文件（PDF或图片，10MB以内）"),
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}))  # fmt: skip


class GrantForm(forms.Form):
    fund = forms.ModelChoiceField(label=_("资金"), queryset=None)
    amount = forms.CharField(label=_("金额（元）"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    purpose = forms.CharField(label=_("用途"), max_length=200)
    granted_on = forms.DateField(label=_("批准日期"), initial=timezone.localdate, widget=DATE)
    student_name = forms.CharField(label=_("学生姓名（金秋助学）"), max_length=40, required=False)
    school = forms.CharField(label=_("学校（金秋助学）"), max_length=120, required=False)
    grade = forms.CharField(label=_("年级（金秋助学）"), max_length=40, required=False)
    medical_expense = forms.CharField(label=_("医疗费用（元，医疗互助）"), max_length=20,
                                      required=False,
                                      widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip

    def __init__(self, *args, funds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        self.fields["fund"].label_from_instance = lambda f: (
            f"{f.org.short_name or f.org.name} · {f.display_name} · "
            + str(_("剩余%(left)s元")) % {"left": f.remaining}
        )


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
