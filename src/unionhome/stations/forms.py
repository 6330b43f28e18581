"""Forms only gather input; `services.clean_station_fields` holds the rules and reports per field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import hours
from .models import Amenity, StationKind, StationStatus

DATUM_CHOICES = [
    ("wgs84", _("WGS-84（GPS、手机定位）")),
    ("gcj02", _("GCJ-02（高德、腾讯地图拾取的坐标）")),
]


class StationForm(forms.Form):
    org = forms.ModelChoiceField(queryset=None, label=_("所属工会"), required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=StationKind.choices)
    name = forms.CharField(label=_("名称"), max_length=120)
    address = forms.CharField(label=_("地址"), max_length=200)
    latitude = forms.CharField(label=_("纬度"), max_length=32, help_text=_("如 31.5782"))
    longitude = forms.CharField(label=_("经度"), max_length=32, help_text=_("如 120.3008"))
    datum = forms.ChoiceField(label=_("坐标系"), choices=DATUM_CHOICES, initial="wgs84")
    hours = forms.CharField(
        label=_("开放时间"),
        max_length=300,
        help_text=_("如“%(example)s”，或“24小时”；跨午夜写作 22:00-06:00。")
        % {"example": hours.EXAMPLE},
    )
    amenities = forms.MultipleChoiceField(
        label=_("服务设施"),
        choices=Amenity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    description = forms.CharField(
        label=_("简介"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("状态"), choices=StationStatus.choices)
    status_note = forms.CharField(label=_("状态说明"), max_length=200, required=False)

    def __init__(self, *args, orgs=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["org"]
        else:
            self.fields["org"].queryset = orgs
            self.fields["org"].required = True


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("上传照片"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=StationStatus.choices)
    status_note = forms.CharField(label=_("说明"), max_length=200, required=False)


class CountForm(forms.Form):
    count = forms.IntegerField(label=_("接待人次"), min_value=1, max_value=10_000)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel或CSV文件"))
    datum = forms.ChoiceField(label=_("文件中的坐标系"), choices=DATUM_CHOICES, initial="wgs84")
    default_org = forms.ModelChoiceField(
        queryset=None,
        label=_("默认所属工会"),
        required=False,
        help_text=_("文件没有“所属工会”列或该列为空时使用。"),
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_org"].queryset = orgs


class NearForm(forms.Form):
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("区县、街道或地址"), max_length=100, required=False)
    amenity = forms.MultipleChoiceField(
        label=_("需要的设施"),
        choices=Amenity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    open_now = forms.BooleanField(label=_("只看正在开放的"), required=False)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见建议（选填）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StationFilterForm(forms.Form):
    q = forms.CharField(label=_("名称"), required=False, max_length=60)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *StationKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *StationStatus.choices]
    )
