"""Station use cases. Views, the API, the admin, the import and commands call these.

Writes take the acting user, check that a cadre or admin role covers the station's org, run in one
transaction and write an audit row. Reads for cadres go through `visible_to`; the near-me query is
public and returns only open stations and what a passer-by may know about them.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Avg, Count, Sum
from django.db.models.functions import Substr, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.core import audit, crypto
from unionhome.core.i18n import join_items
from unionhome.core.models import RoleKind
from unionhome.core.permissions import covers, require
from unionhome.core.registry import card_resolver
from unionhome.core.scoping import subtree_q
from unionhome.orgs.models import Org

from . import geo, hours
from .models import (
    Amenity,
    CheckIn,
    CheckInMethod,
    Place,
    Station,
    StationKind,
    StationPhoto,
    StationRating,
    StationStatus,
)

MANAGE_ROLES = (RoleKind.CADRE, RoleKind.ADMIN)
EDITABLE_FIELDS = (
    "kind", "name", "address", "latitude", "longitude", "hours", "amenities", "phone",
    "description", "status", "status_note",
)  # fmt: skip
REQUIRED_FIELDS = ("kind", "name", "address", "latitude", "longitude", "hours")
WGS84, GCJ02 = "wgs84", "gcj02"
AMENITY_ALIASES = {"空调": Amenity.CLIMATE, "取暖": Amenity.CLIMATE, "暖气": Amenity.CLIMATE,
                   "wifi": Amenity.WIFI, "床位": Amenity.BED, "午休床": Amenity.BED,
                   "热饭": Amenity.MEALS, "饭菜": Amenity.MEALS, "厕所": Amenity.TOILET,
                   "医药箱": Amenity.FIRST_AID, "急救药箱": Amenity.FIRST_AID,
                   "书籍": Amenity.BOOKS, "充电桩": Amenity.CHARGING, "座椅": Amenity.SEATING,
                   "饮用水": Amenity.DRINKING_WATER, "工具": Amenity.REPAIR_TOOLS}  # fmt: skip
_PHONE = re.compile(r"\+?\d[\d\- ]{1,18}\d(?:(?:转|-)\d{1,6})?")
CHECK_IN_GAP_SECONDS = 30 * 60
RATING_GAP_SECONDS = 24 * 60 * 60


# --- Access --------------------------------------------------------------------------------------
def get_station_for_user(user, code: str, *, write: bool = False) -> Station:
    """The station if the user's roles cover its org; 404 alike for missing and not yours. With
    `write`, roles that may only look (viewer, mediator, leader) get 403."""
    station = Station.objects.visible_to(user).filter(code=code).select_related("org").first()
    if station is None:
        raise Http404(_("没有找到该服务站点。"))
    if write and not covers(user, station.org_path, MANAGE_ROLES):
        raise PermissionDenied(_("您对该服务站点只有查看权限。"))
    return station


def get_public_station(code: str) -> Station:
    """A station as the public sees it: open or suspended ones; closed stations are gone."""
    station = (
        Station.objects.filter(code=code)
        .exclude(status=StationStatus.CLOSED)
        .select_related("org")
        .first()
    )
    if station is None:
        raise Http404(_("没有找到该服务站点。"))
    return station


def manageable_orgs(user):
    return Org.objects.visible_to(user, MANAGE_ROLES).filter(is_active=True)


# --- Validation ----------------------------------------------------------------------------------
def _text(value) -> str:
    """For codes, numbers and choices: full-width forms folded (０→0, ：→:), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).split())


def _plain(value) -> str:
    """For names and addresses: spaces collapsed, Chinese punctuation kept as typed."""
    return " ".join(str(value or "").split())


def _choice(value, choices, field: str, message: str) -> str:
    text = _text(value)
    by_label = {str(label): code for code, label in choices.choices}
    by_label.update({label: code for code, label in choices.choices})  # Chinese labels always
    if text in choices.values:
        return text
    if text in by_label:
        return by_label[text]
    raise ValidationError(
        {field: [message % {"value": text, "choices": join_items(choices.labels)}]},
        code="unknown_choice",
    )


def parse_amenities(value) -> list[str]:
    """Codes from a list of codes or labels, or from text such as "热水、充电、空调/取暖"."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[、,，;；\s]+", _text(value))
    labels = {str(label): code for code, label in Amenity.choices}
    labels.update({label: code for code, label in Amenity.choices})
    found: list[str] = []
    unknown: list[str] = []
    for item in items:
        text = _text(item)
        if not text:
            continue
        code = (
            text
            if text in Amenity.values
            else labels.get(text) or AMENITY_ALIASES.get(text.lower())
        )
        if code is None:
            unknown.append(text)
        elif code not in found:
            found.append(str(code))
    if unknown:
        raise ValidationError(
            {"amenities": [
                _("未知的服务设施：%(items)s。可选：%(choices)s。")
                % {"items": join_items(f"“{u}”" for u in unknown),
                   "choices": join_items(Amenity.labels)}
            ]},
            code="unknown_amenity",
        )  # fmt: skip
    order = {code: i for i, code in enumerate(Amenity.values)}
    return sorted(found, key=order.__getitem__)


def clean_station_fields(data: dict, *, current: Station | None = None, datum: str = WGS84) -> dict:
    """Validated, normalised values for the keys in `data` (all required ones when creating).
    Every problem is reported at once, per field."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%s") % join_items(sorted(unknown)))
    errors: dict[str, list[str]] = {}
    out: dict = {}

    def fail(exc: ValidationError, field: str) -> None:
        if hasattr(exc, "error_dict"):
            for name, errs in exc.error_dict.items():
                errors.setdefault(name, []).extend(m for e in errs for m in e.messages)
        else:
            errors.setdefault(field, []).extend(exc.messages)

    if current is None:
        for name in REQUIRED_FIELDS:
            if name not in data or data[name] in (None, "", {}, []):
                label = Station._meta.get_field(name).verbose_name
                errors.setdefault(name, []).append(_("请填写%(field)s。") % {"field": label})
    for name in ("name", "address"):
        if data.get(name) not in (None, ""):
            limit = Station._meta.get_field(name).max_length
            value = _plain(data[name])
            if len(value) > limit:
                errors.setdefault(name, []).append(_("不能超过%(n)d个字。") % {"n": limit})
            out[name] = value
    if data.get("kind") not in (None, ""):
        try:
            out["kind"] = _choice(
                data["kind"],
                StationKind,
                "kind",
                _("未知的站点类型“%(value)s”，可选：%(choices)s。"),
            )
        except ValidationError as exc:
            fail(exc, "kind")
    if data.get("status") not in (None, ""):
        try:
            out["status"] = _choice(
                data["status"],
                StationStatus,
                "status",
                _("未知的状态“%(value)s”，可选：%(choices)s。"),
            )
        except ValidationError as exc:
            fail(exc, "status")
    has_lat = data.get("latitude") not in (None, "")
    has_lng = data.get("longitude") not in (None, "")
    if has_lat or has_lng:
        if current is not None and not (has_lat and has_lng):
            lat = data["latitude"] if has_lat else current.latitude
            lng = data["longitude"] if has_lng else current.longitude
        else:
            lat, lng = data.get("latitude"), data.get("longitude")
        if lat in (None, "") or lng in (None, ""):
            errors.setdefault("latitude", []).append(_("纬度和经度需要同时填写。"))
        else:
            try:
                if datum not in (WGS84, GCJ02):
                    raise ValidationError({"latitude": [_("未知的坐标系。")]})
                lat_f, lng_f = geo.check_point(lat, lng)
                if datum == GCJ02:
                    lat_f, lng_f = geo.gcj02_to_wgs84(lat_f, lng_f)
                out["latitude"], out["longitude"] = round(lat_f, 7), round(lng_f, 7)
            except ValidationError as exc:
                fail(exc, "latitude")
    if "hours" in data and data["hours"] not in (None, "", {}):
        try:
            if isinstance(data["hours"], dict):
                hours.validate_hours_data(data["hours"])
                out["hours"] = data["hours"]
            else:
                out["hours"] = hours.parse_hours(str(data["hours"]))
        except ValidationError as exc:
            fail(exc, "hours")
    elif "hours" in data and current is not None:
        fail(ValidationError(_("请填写开放时间。")), "hours")
    if "amenities" in data:
        try:
            out["amenities"] = parse_amenities(data["amenities"])
        except ValidationError as exc:
            fail(exc, "amenities")
    if "phone" in data:
        phone = _text(data["phone"])
        if phone and not _PHONE.fullmatch(phone):
            errors.setdefault("phone", []).append(
                _("联系电话“%(value)s”格式不正确，如 0510-82701234、13812345678 或 12351。")
                % {"value": phone}
            )
        out["phone"] = phone
    for name in ("description", "status_note"):
        if name in data:
            value = str(data[name] or "").strip()
            limit = Station._meta.get_field(name).max_length
            if limit and len(value) > limit:
                errors.setdefault(name, []).append(_("不能超过%(n)d个字。") % {"n": limit})
            out[name] = value
    if errors:
        raise ValidationError(errors)
    return out


def _check_unique_name(org: Org, name: str, exclude_pk=None) -> None:
    clash = Station.objects.filter(org=org, name=name).exclude(pk=exclude_pk).exists()
    if clash:
        raise ValidationError(
            {"name": [_("“%(org)s”已有名为“%(name)s”的站点。") % {"org": org.name, "name": name}]},
            code="duplicate_name",
        )


# --- Writes --------------------------------------------------------------------------------------
def create_station(actor, *, org: Org | None, datum: str = WGS84, **fields) -> Station:
    if org is None:
        raise ValidationError({"org": [_("请选择站点所属的工会组织。")]}, code="org_missing")
    require(actor, org.path, MANAGE_ROLES, _("您不能在该组织下设立服务站点。"))
    if not org.is_active:
        raise ValidationError({"org": [_("“%s”已撤销，不能设立站点。") % org.name]})
    values = clean_station_fields(fields, datum=datum)
    with transaction.atomic():
        _check_unique_name(org, values["name"])
        station = Station(org=org, created_by=_user_or_none(actor), **values)
        station.save()
        audit.record(actor, "station.created", station, detail={"name": station.name})
    return station


def update_station(actor, station: Station, *, datum: str = WGS84, **fields) -> Station:
    require(actor, station.org_path, MANAGE_ROLES, _("您不能修改该服务站点。"))
    values = clean_station_fields(fields, current=station, datum=datum)
    with transaction.atomic():
        station = Station.objects.select_for_update().get(pk=station.pk)
        if "name" in values:
            _check_unique_name(station.org, values["name"], exclude_pk=station.pk)
        changed = {k: v for k, v in values.items() if getattr(station, k) != v}
        for name, value in changed.items():
            setattr(station, name, value)
        if changed:
            station.save(update_fields=[*changed, "updated_at"])
            audit.record(actor, "station.updated", station, detail={"fields": sorted(changed)})
    return station


def set_station_status(actor, station: Station, status: str, note: str = "") -> Station:
    return update_station(actor, station, status=status, status_note=note)


def add_station_photo(actor, station: Station, upload) -> StationPhoto:
    """A photo of the place, checked and re-encoded without EXIF (shared with demand photos)."""
    from unionhome.demands.services import check_photo

    require(actor, station.org_path, MANAGE_ROLES, _("您不能修改该服务站点。"))
    checked = check_photo(upload)
    with transaction.atomic():
        photo = StationPhoto(station=station, content_type=checked.content_type,
                             extension=checked.extension, size=len(checked.content))  # fmt: skip
        photo.file.save(f"{photo.code}.{checked.extension}", ContentFile(checked.content),
                        save=False)  # fmt: skip
        photo.save()
        audit.record(actor, "station.photo_added", station, detail={"photo": photo.code})
    return photo


def remove_station_photo(actor, photo: StationPhoto) -> None:
    require(actor, photo.station.org_path, MANAGE_ROLES, _("您不能修改该服务站点。"))
    with transaction.atomic():
        audit.record(actor, "station.photo_removed", photo.station, detail={"photo": photo.code})
        storage, name = photo.file.storage, photo.file.name
        photo.delete()
        transaction.on_commit(lambda: storage.delete(name))


def _user_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _once_per(key: str, seconds: int) -> bool:
    """True the first time `key` is seen in `seconds` (a cache-held marker, keyed by HMAC)."""
    return django_cache.add(f"stations:{crypto.blind_index('throttle', key)}", 1, timeout=seconds)


def check_in(
    station: Station, *, card_token: str | None = None, count: int = 1, actor=None,
    throttle_key: str = "",
) -> CheckIn | None:  # fmt: skip
    """Record a visit.

    - No card, no actor: a worker's "I'm here" tap on the public page; one per station per
      `throttle_key` (the client address) in 30 minutes, a repeat returns None and counts nothing.
    - No card, an actor: a head count entered by the station's staff (`count` people), which
      needs a cadre or admin role on the station's org.
    - `card_token`: the hook for member cards. The token from the card's QR code is handed to the
      resolver the members app registers with `core.registry.register_card_resolver`; it returns
      an opaque member reference (never a name or ID number) that is stored, or None for an
      unknown or revoked card. Until a resolver exists, card check-ins are refused.
    """
    if station.status != StationStatus.OPEN:
        raise ValidationError(_("该站点目前不开放，无法签到。"), code="station_not_open")
    if card_token:
        resolver = card_resolver()
        if resolver is None:
            raise ValidationError(_("会员卡签到暂未开通。"), code="cards_unavailable")
        member_ref = resolver(card_token.strip())
        if not member_ref:
            raise ValidationError(_("无法识别该会员卡，请核对后再试。"), code="card_unknown")
        if not _once_per(f"checkin:{station.pk}:card:{member_ref}", CHECK_IN_GAP_SECONDS):
            return None
        entry = CheckIn(station=station, method=CheckInMethod.CARD, member_ref=member_ref[:64],
                        recorded_by=_user_or_none(actor))  # fmt: skip
    else:
        if _user_or_none(actor) is not None:
            require(actor, station.org_path, MANAGE_ROLES, _("您不能为该站点登记人次。"))
        elif not _once_per(f"checkin:{station.pk}:{throttle_key}", CHECK_IN_GAP_SECONDS):
            return None
        if not isinstance(count, int) or not 1 <= count <= 10_000:
            raise ValidationError({"count": [_("人次应为1至10000之间的整数。")]})
        entry = CheckIn(station=station, method=CheckInMethod.COUNT, count=count,
                        recorded_by=_user_or_none(actor))  # fmt: skip
    with transaction.atomic():
        entry.save()
    return entry


def rate_station(
    station: Station, *, rating: int, comment: str = "", throttle_key: str = ""
) -> StationRating:
    """A worker's anonymous rating; one per station per client address a day."""
    if station.status == StationStatus.CLOSED:
        raise Http404
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("评分应为1至5星。")]}, code="rating_range")
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise ValidationError({"comment": [_("不能超过%(n)d个字。") % {"n": 300}]})
    if not _once_per(f"rate:{station.pk}:{throttle_key}", RATING_GAP_SECONDS):
        raise ValidationError(_("您今天已经评价过这个站点了，谢谢！"), code="rated_recently")
    with transaction.atomic():
        return StationRating.objects.create(station=station, rating=rating, comment=comment)


# --- Usage, for the owning org ------------------------------------------------------------------
@dataclass
class Usage:
    visits: int
    card_visits: int
    per_day: list[tuple[dt.date, int]]
    rating_avg: float | None
    rating_count: int
    recent_ratings: list[StationRating]


def station_usage(station: Station, days: int = 30, now=None) -> Usage:
    since = (now or timezone.now()) - dt.timedelta(days=days)
    recent = CheckIn.objects.filter(station=station, at__gte=since)
    totals = recent.aggregate(n=Sum("count"))
    card_visits = recent.filter(method=CheckInMethod.CARD).count()
    per_day = list(
        recent.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(n=Sum("count"))
        .order_by("day")
        .values_list("day", "n")
    )
    ratings = StationRating.objects.filter(station=station)
    agg = ratings.aggregate(avg=Avg("rating"), n=Count("id"))
    return Usage(
        visits=totals["n"] or 0,
        card_visits=card_visits,
        per_day=per_day,
        rating_avg=round(agg["avg"], 1) if agg["avg"] is not None else None,
        rating_count=agg["n"],
        recent_ratings=list(ratings[:20]),
    )


def station_totals(parent_path: str, prefix_length: int) -> dict[str, int]:
    """Open stations per subtree, for the org-tree page."""
    rows = (
        Station.objects.filter(subtree_q("org_path", [parent_path]), status=StationStatus.OPEN)
        .annotate(prefix=Substr("org_path", 1, prefix_length))
        .order_by()
        .values("prefix")
        .annotate(n=Count("id"))
    )
    return {row["prefix"]: row["n"] for row in rows}


# --- Near me -------------------------------------------------------------------------------------
@dataclass
class Nearby:
    station: Station
    distance_m: float
    walk_minutes: float
    open_now: bool

    @property
    def walk_minutes_display(self) -> int:
        return max(1, round(self.walk_minutes))


# Columns the near-me results use; the rest load on access. The query is written out because
# it is the hot path: building and compiling it through the ORM took three times as long as
# running it (bench/README.md). Same SQL on SQLite and PostgreSQL; parameters only.
_NEARBY_COLUMNS = ("id", "code", "org_id", "org_path", "kind", "name", "address", "latitude",
                   "longitude", "h3_cell", "hours", "amenities", "phone", "status")  # fmt: skip


@cache
def _nearby_sql(cell_count: int) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * cell_count)
    return (
        f"SELECT {', '.join(quote(c) for c in _NEARBY_COLUMNS)} "  # noqa: S608 - names only
        f"FROM {quote(Station._meta.db_table)} "
        f"WHERE {quote('h3_cell')} IN ({placeholders}) AND {quote('status')} = %s "
        f"AND {quote('latitude')} BETWEEN %s AND %s AND {quote('longitude')} BETWEEN %s AND %s"
    )


def nearby_stations(
    lat, lng, *, walk: geo.Walk | None = None, amenities=(), open_now: bool = False,
    kind: str = "", now=None, limit: int = 50,
) -> list[Nearby]:  # fmt: skip
    """Open stations within the walking reach of a WGS-84 point, nearest first.

    One indexed query: the H3 cells that can hold a point within reach (a disk of 37 cells for
    the default 865 m), open stations in them inside the reach's bounding box; then exact
    great-circle distance in Python on those few rows. Amenity, kind and open-now filters apply to the same rows."""
    lat_f, lng_f = geo.check_point(lat, lng)
    walk = walk or geo.Walk.from_settings()
    wanted = set(parse_amenities(list(amenities))) if amenities else set()
    reach = walk.reach_m
    now = now or timezone.now()
    # The cells come from the index; the box (the circle's bounding box, a little wider) drops
    # most of their rows inside the database before any is sent back.
    d_lat, d_lng = geo.box_degrees(lat_f, reach)
    cells = geo.search_cells(lat_f, lng_f, reach)
    params = [
        *cells,
        StationStatus.OPEN,
        lat_f - d_lat,
        lat_f + d_lat,
        lng_f - d_lng,
        lng_f + d_lng,
    ]
    rows = Station.objects.raw(_nearby_sql(len(cells)), params)
    found: list[Nearby] = []
    for station in rows:
        distance = geo.haversine_m(lat_f, lng_f, station.latitude, station.longitude)
        if distance > reach:
            continue
        if wanted and not wanted.issubset(station.amenities):
            continue
        if kind and station.kind != kind:
            continue
        is_open = hours.is_open(station.hours, now)
        if open_now and not is_open:
            continue
        found.append(Nearby(station, distance, walk.minutes_for(distance), is_open))
    found.sort(key=lambda n: (n.distance_m, n.station.name))
    return found[:limit]


def nearest_full_scan(lat: float, lng: float, *, walk: geo.Walk | None = None) -> list[tuple]:
    """The baseline the benchmark compares against: read every open station, measure each."""
    walk = walk or geo.Walk.from_settings()
    reach = walk.reach_m
    rows = Station.objects.filter(status=StationStatus.OPEN).values_list(
        "pk", "latitude", "longitude"
    )
    hits = []
    for pk, s_lat, s_lng in rows.iterator(chunk_size=5000):
        distance = geo.haversine_m(lat, lng, s_lat, s_lng)
        if distance <= reach:
            hits.append((distance, pk))
    hits.sort()
    return hits


# --- Places ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Located:
    latitude: float
    longitude: float
    label: str


_COORDS = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*")


@cache
def _district_centroids() -> dict[str, tuple[float, float]]:
    """cpca's region centroids (from Amap's district data, so GCJ-02), by 6-digit code."""
    path = resources.files("cpca") / "resources" / "adcodes.csv"
    table: dict[str, tuple[float, float]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"]
            if code.endswith("000000") and row["latitude"] and row["longitude"]:
                table[code[:6]] = (float(row["latitude"]), float(row["longitude"]))
    return table


def locate(text: str) -> Located:
    """Where a typed place is: "31.57,120.30", a name in the gazetteer (`Place`), else a
    district or city recognised by cpca (its centroid). WGS-84."""
    query = _text(text)
    if not query:
        raise ValidationError({"q": [_("请输入区县、街道或地址。")]}, code="place_empty")
    coords = _COORDS.fullmatch(query)
    if coords:
        lat, lng = geo.check_point(coords.group(1), coords.group(2), field="q")
        return Located(lat, lng, query)
    best = None
    for name, aliases, lat, lng in Place.objects.values_list(
        "name", "aliases", "latitude", "longitude"
    ):
        names = [name, *(a for a in re.split(r"[、,，\s]+", aliases) if a)]
        for candidate in names:
            if candidate == query:
                return Located(lat, lng, name)
            # The typed text names the place ("梁溪区崇安寺街道中山路"), or is part of its name.
            if candidate in query or (len(query) >= 2 and query in candidate):
                score = len(candidate) if candidate in query else len(query)
                if best is None or score > best[0]:
                    best = (score, Located(lat, lng, name))
    if best is not None:
        return best[1]
    from unionhome.text.address import recognise_region  # cpca + home-city context

    code = recognise_region(query)
    centroid = _district_centroids().get(code[:6]) if code else None
    if centroid is None:
        raise ValidationError(
            {"q": [_("没有找到“%(q)s”，请换个说法，如“梁溪区”或“崇安寺街道”，或使用手机定位。") % {"q": query}]},
            code="place_unknown",
        )  # fmt: skip
    lat, lng = geo.gcj02_to_wgs84(*centroid)
    return Located(lat, lng, query)


def tile_settings() -> dict:
    return {
        "url": settings.UNIONHOME_MAP_TILE_URL,
        "attribution": settings.UNIONHOME_MAP_TILE_ATTRIBUTION,
        "subdomains": settings.UNIONHOME_MAP_TILE_SUBDOMAINS,
        "gcj02": settings.UNIONHOME_MAP_TILES_GCJ02,
    }
