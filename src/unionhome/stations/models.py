"""Service stations (服务阵地): places where workers can rest, warm up, eat, charge a phone, read.

A station belongs to the union that runs it (`OrgScopedModel`): cadres manage and read stations
through `visible_to`. The places themselves are public: the near-me page and API show every open
station to anyone, with no personal data (a station's phone is its service phone).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.core.codes import new_code
from unionhome.core.scoping import OrgScopedModel

from . import geo, hours


class StationKind(models.TextChoices):
    HOME = "home", _("职工之家")
    OUTDOOR = "outdoor", _("户外劳动者服务站点")
    LIBRARY = "library", _("职工书屋")
    PALACE = "palace", _("工人文化宫")
    CENTER = "center", _("职工服务中心")


class StationStatus(models.TextChoices):
    OPEN = "open", _("开放")
    SUSPENDED = "suspended", _("暂停服务")
    CLOSED = "closed", _("已关闭")


class Amenity(models.TextChoices):
    """The fixed list of what a station offers; near-me filters on it."""

    HOT_WATER = "hot_water", _("热水")
    DRINKING_WATER = "drinking_water", _("饮水")
    MICROWAVE = "microwave", _("微波炉")
    MEALS = "meals", _("热饭")
    CHARGING = "charging", _("充电")
    SEATING = "seating", _("休息座椅")
    BED = "bed", _("床铺")
    TOILET = "toilet", _("卫生间")
    FIRST_AID = "first_aid", _("药箱")
    CLIMATE = "climate", _("空调/取暖")
    BOOKS = "books", _("图书")
    NURSING = "nursing", _("母婴室")
    REPAIR_TOOLS = "repair_tools", _("维修工具")
    WIFI = "wifi", _("无线网络")


class Station(OrgScopedModel):
    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=StationKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200)
    # WGS-84 degrees; converted to GCJ-02 only for Chinese map tiles (see geo.py).
    latitude = models.FloatField(_("纬度"))
    longitude = models.FloatField(_("经度"))
    # H3 cell of (latitude, longitude) at geo.H3_RESOLUTION: the nearest query's index.
    h3_cell = models.CharField(max_length=16, editable=False)
    hours = models.JSONField(_("开放时间"), default=dict)
    amenities = models.JSONField(_("服务设施"), default=list, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    description = models.TextField(_("简介"), blank=True, max_length=2000)
    status = models.CharField(
        _("状态"), max_length=16, choices=StationStatus.choices, default=StationStatus.OPEN
    )
    status_note = models.CharField(_("状态说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务站点")
        verbose_name_plural = _("服务站点")
        ordering = ["org_path", "name"]
        indexes = [
            # The nearest query: open stations in a handful of H3 cells.
            models.Index(fields=["h3_cell", "status"], name="station_cell_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=StationKind.values), name="station_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=StationStatus.values), name="station_status_known"
            ),
            # China's bounding box (geo.CHINA_LAT/LNG): the last line against swapped or
            # out-of-range coordinates reaching the table by a path that skipped the services.
            models.CheckConstraint(
                condition=Q(latitude__gte=geo.CHINA_LAT[0], latitude__lte=geo.CHINA_LAT[1])
                & Q(longitude__gte=geo.CHINA_LNG[0], longitude__lte=geo.CHINA_LNG[1]),
                name="station_point_in_china",
            ),
            models.CheckConstraint(condition=~Q(h3_cell=""), name="station_indexed"),
            # One union does not run two stations of one name: the import matches on it.
            models.UniqueConstraint(fields=["org", "name"], name="station_unique_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    def prepare(self) -> None:
        """Derived columns (also for bulk_create, which skips save)."""
        self.org_path = self.org.path
        self.h3_cell = geo.cell_of(self.latitude, self.longitude)

    def save(self, *args, **kwargs):
        self.h3_cell = geo.cell_of(self.latitude, self.longitude)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"latitude", "longitude"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "h3_cell"}
        super().save(*args, **kwargs)

    @property
    def hours_display(self) -> str:
        return hours.hours_text(self.hours, localized=True)

    @property
    def hours_canonical(self) -> str:
        return hours.hours_text(self.hours)

    def is_open_at(self, when=None) -> bool:
        return self.status == StationStatus.OPEN and hours.is_open(self.hours, when)

    @property
    def amenity_labels(self) -> list[str]:
        labels = dict(Amenity.choices)
        return [str(labels[a]) for a in self.amenities if a in labels]

    @property
    def tile_point(self) -> tuple[float, float]:
        return geo.for_tiles(self.latitude, self.longitude)


def station_photo_path(instance: StationPhoto, filename: str) -> str:
    return f"stations/{instance.station.code}/{instance.code}.{instance.extension}"


class StationPhoto(models.Model):
    """A photo of the place (no people's faces please: the page is public)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    file = models.FileField(upload_to=station_photo_path)
    content_type = models.CharField(max_length=32)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("站点照片")
        verbose_name_plural = _("站点照片")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.code


class CheckInMethod(models.TextChoices):
    COUNT = "count", _("计数")
    CARD = "card", _("会员卡")


class CheckIn(models.Model):
    """Visits to a station: one worker's tap or card, or a head count entered by its staff."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="check_ins")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    count = models.PositiveIntegerField(_("人次"), default=1)
    method = models.CharField(_("方式"), max_length=8, choices=CheckInMethod.choices)
    # Card check-ins: the card resolver's opaque member reference (never a name or ID number).
    member_ref = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["-at"]
        indexes = [models.Index(fields=["station", "at"], name="checkin_station_at")]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="checkin_count_positive"),
            # A card check-in is one person; a count has no member behind it.
            models.CheckConstraint(
                condition=Q(method="count", member_ref="")
                | Q(method="card", count=1) & ~Q(member_ref=""),
                name="checkin_method_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.at:%Y-%m-%d %H:%M} ×{self.count}"


class StationRating(models.Model):
    """A worker's rating of a station; anonymous, shown to the owning org."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="ratings")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    rating = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("站点评价")
        verbose_name_plural = _("站点评价")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="station_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.rating}"


class Place(models.Model):
    """A named place (街道, 商圈, 地标) workers may type instead of sharing their location.

    The gazetteer is kept in the back office; the demo seeds the demo city's streets. Districts
    not listed here are found through cpca's district centroids."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    aliases = models.CharField(
        _("别名"), max_length=200, blank=True, help_text=_("用顿号或逗号分隔")
    )
    latitude = models.FloatField(_("纬度"))
    longitude = models.FloatField(_("经度"))

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        geo.check_point(self.latitude, self.longitude)
