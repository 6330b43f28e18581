from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.text.categories import DemandCategory

from .models import DESCRIPTION_MAX, Channel, Complexity, Status, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; the service checks their content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(item, initial) for item in items]


CATEGORY_CHOICES = [("", _("不确定，请系统建议")), *DemandCategory.choices]


class IntakeForm(forms.Form):
    description = forms.CharField(
        label=_("您遇到的问题"),
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "maxlength": DESCRIPTION_MAX,
                "placeholder": _(
                    "请说明发生了什么、涉及哪家单位、从什么时候开始、您希望工会帮助做什么。"
                ),
            }
        ),
        max_length=DESCRIPTION_MAX + 1000,  # the service gives the friendly length message
        required=True,
    )
    category = forms.ChoiceField(label=_("问题类别"), choices=CATEGORY_CHOICES, required=False)
    employer_name = forms.CharField(label=_("所在单位"), max_length=160, required=False,
                                    help_text=_("单位全称或常用名称；没有固定单位可不填。"))  # fmt: skip
    address = forms.CharField(label=_("地点"), max_length=200, required=False,
                              help_text=_("所在区县、街道或详细地址，用于交给就近的工会。"))  # fmt: skip
    region_code = forms.CharField(label=_("行政区划代码"), max_length=6, required=False,
                                  widget=forms.HiddenInput)  # fmt: skip
    photos = MultiplePhotoField(label=_("照片（可选）"))
    anonymous = forms.BooleanField(label=_("匿名反映（不留任何个人信息，只能凭查询码查看进展）"),
                                   required=False)  # fmt: skip
    contact_name = forms.CharField(label=_("称呼"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _("最多%(n)d张，每张不超过%(mb)dMB，JPG、PNG或WebP。") % {
            "n": settings.UNIONHOME_PHOTO_MAX_COUNT,
            "mb": settings.UNIONHOME_PHOTO_MAX_BYTES // (1024 * 1024),
        }


class HotlineForm(IntakeForm):
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    complexity = forms.ChoiceField(label=_("复杂程度（12351分级）"), choices=Complexity.choices,
                                   initial=Complexity.GENERAL)  # fmt: skip


class TrackForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=20,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": "7KQ2-M9XA-4TRD"}))  # fmt: skip


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("满意度"), coerce=int,
                                    choices=[(i, "★" * i) for i in range(5, 0, -1)],
                                    widget=forms.RadioSelect)  # fmt: skip
    solved = forms.TypedChoiceField(label=_("问题解决了吗？"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("已解决")), ("no", _("没有解决"))],
                                    widget=forms.RadioSelect)  # fmt: skip
    comment = forms.CharField(label=_("想说的话（可选）"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class FollowUpForm(forms.Form):
    still_solved = forms.TypedChoiceField(label=_("问题现在还好吗？"), coerce=lambda v: v == "yes",
                                          choices=[("yes", _("还好，没有再出现")), ("no", _("又出现了"))],
                                          widget=forms.RadioSelect)  # fmt: skip
    comment = forms.CharField(label=_("补充说明（可选）"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("open", _("在办")), ("", _("全部")), *Status.choices])  # fmt: skip
    category = forms.ChoiceField(label=_("类别"), required=False,
                                 choices=[("", _("全部类别")), *DemandCategory.choices])  # fmt: skip
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False,
                                choices=[("", _("全部")), *Urgency.choices])  # fmt: skip
    channel = forms.ChoiceField(label=_("渠道"), required=False,
                                choices=[("", _("全部渠道")), *Channel.choices])  # fmt: skip
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    escalated = forms.BooleanField(label=_("只看上级督办"), required=False)
    q = forms.CharField(label=_("搜索"), required=False, max_length=60)
    org = forms.CharField(required=False, widget=forms.HiddenInput)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class EmptyActionForm(VersionedForm):
    pass


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(label=_("承办人"), queryset=None)

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class VisitForm(VersionedForm):
    visited_on = forms.DateField(label=_("走访日期"), initial=timezone.localdate,
                                 widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))  # fmt: skip
    place = forms.CharField(label=_("地点"), max_length=200)
    people_met = forms.CharField(label=_("见到的人"), max_length=200)
    notes = forms.CharField(label=_("情况记录"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultiplePhotoField(label=_("照片（可选）"))


class MessageForm(VersionedForm):
    message = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(VersionedForm):
    outcome = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 4}))


class TransferForm(ReasonForm):
    target = forms.ModelChoiceField(label=_("转给"), queryset=None)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets


class MergeForm(VersionedForm):
    into = forms.CharField(label=_("合并到（诉求编号）"), max_length=16)
