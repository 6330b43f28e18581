from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NewEmploymentForm


class JoinForm(forms.Form):
    org = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": _("请先选择要加入的工会。")}
    )
    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(label=_("身份证号"), max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))  # fmt: skip
    phone = forms.CharField(label=_("手机号"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))  # fmt: skip
    employer_name = forms.CharField(label=_("工作单位"), max_length=160, required=False)
    job_title = forms.CharField(label=_("岗位"), max_length=60, required=False)
    new_employment = forms.ChoiceField(
        label=_("新就业形态"), choices=NewEmploymentForm.choices, required=False
    )
    consent = forms.BooleanField(label=_("我同意工会为办理入会和会员服务保存我的上述信息"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("会员名册（.xlsx）"))


class ExportForm(forms.Form):
    reveal = forms.BooleanField(
        label=_("导出完整身份证号和手机号（仅限工会领导或管理员，操作留痕）"), required=False
    )


class TransferForm(forms.Form):
    to_org = forms.CharField(label=_("转入工会编号"), max_length=16)
    reason = forms.CharField(
        label=_("转接原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyForm(forms.Form):
    t = forms.CharField(label=_("会员卡二维码内容"), max_length=200)
