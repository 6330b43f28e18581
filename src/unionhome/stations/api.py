"""Station endpoints: the public near-me query, check-ins and ratings (no login), and a scoped API
for cadres and read-enabled keys (list, one station, create, change, coverage)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from unionhome.api.auth import ApiKeyAuth
from unionhome.api.models import ApiPrincipal
from unionhome.orgs import services as org_services

from . import coverage as coverage_mod
from . import geo, services
from .models import Station

router = Router(tags=["stations"])
CADRE_AUTH = [ApiKeyAuth(), django_auth]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PublicStationOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    address: str
    latitude: float = Field(..., description="WGS-84")
    longitude: float = Field(..., description="WGS-84")
    gcj02_latitude: float = Field(..., description="GCJ-02, for Chinese map SDKs")
    gcj02_longitude: float
    hours: str
    amenities: list[str]
    phone: str
    status: str


class NearbyOut(PublicStationOut):
    distance_m: int = Field(..., description="straight-line distance")
    walk_minutes: float = Field(..., description="distance × detour factor ÷ walking speed")
    open_now: bool


class OriginOut(Schema):
    latitude: float
    longitude: float
    label: str


class WalkOut(Schema):
    speed_kmh: float
    minutes: float
    detour_factor: float
    reach_m: int


class NearOut(Schema):
    origin: OriginOut
    walk: WalkOut
    stations: list[NearbyOut]


class StationOut(PublicStationOut):
    org: str
    org_code: str
    hours_data: dict
    description: str
    status_note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class StationIn(Schema):
    org: str = Field(..., description="所属工会组织编号")
    kind: str
    name: str
    address: str
    latitude: float
    longitude: float
    datum: str = Field("wgs84", description="wgs84 或 gcj02：坐标所用的坐标系")
    hours: str | dict = Field(
        ..., description="如“周一至周五 08:00-20:00；周六、周日 09:00-17:00”或“24小时”"
    )
    amenities: list[str] = []
    phone: str = ""
    description: str = ""
    status: str = "open"


class StationPatch(Schema):
    kind: str | None = None
    name: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    datum: str = "wgs84"
    hours: str | dict | None = None
    amenities: list[str] | None = None
    phone: str | None = None
    description: str | None = None
    status: str | None = None
    status_note: str | None = None


class NearQuery(Schema):
    lat: float | None = None
    lng: float | None = None
    q: str = Field("", description="区县、街道或地址（没有经纬度时）")
    amenity: list[str] = Field([], description="需要的设施代码，可重复")
    open_now: bool = False
    kind: str = ""


class CheckInIn(Schema):
    card_token: str | None = Field(None, description="会员卡二维码内容（会员卡上线后可用）")


class CheckInOut(Schema):
    counted: bool


class RatingIn(Schema):
    rating: int
    comment: str = ""


class SourceOut(Schema):
    key: str
    label: str
    total: int
    covered: int
    skipped: int


class HexagonOut(Schema):
    cell: str
    uncovered: int
    latitude: float
    longitude: float


class SuggestionOut(Schema):
    rank: int
    cell: str
    latitude: float
    longitude: float
    gain: int
    share_after: float | None
    near: str


class CoverageOut(Schema):
    org: str
    walk: WalkOut
    total: int
    covered: int
    share: float | None
    skipped: int
    sources: list[SourceOut]
    hexagons: list[HexagonOut]
    suggestions: list[SuggestionOut]


def _public(station: Station) -> dict:
    g_lat, g_lng = geo.wgs84_to_gcj02(station.latitude, station.longitude)
    return {
        "code": station.code, "name": station.name, "kind": station.kind,
        "kind_label": station.get_kind_display(), "address": station.address,
        "latitude": station.latitude, "longitude": station.longitude,
        "gcj02_latitude": round(g_lat, 7), "gcj02_longitude": round(g_lng, 7),
        "hours": station.hours_display, "amenities": station.amenities,
        "phone": station.phone, "status": station.status,
    }  # fmt: skip


def _full(station: Station) -> dict:
    return {**_public(station), "org": station.org.name, "org_code": station.org.code,
            "hours_data": station.hours, "description": station.description,
            "status_note": station.status_note, "created_at": station.created_at,
            "updated_at": station.updated_at}  # fmt: skip


def _walk(walk: geo.Walk) -> dict:
    return {"speed_kmh": walk.speed_kmh, "minutes": walk.minutes,
            "detour_factor": walk.detour, "reach_m": round(walk.reach_m)}  # fmt: skip


def _actor(request):
    """Writes need a cadre's session: API keys read stations but do not manage them."""
    if isinstance(request.auth, ApiPrincipal):
        raise PermissionDenied(_("接口密钥不能修改服务站点，请用工会干部账号操作。"))
    return request.auth


@router.get("/near", response={200: NearOut, 422: ErrorOut}, auth=None,
            summary="Open stations within walking reach (public)")  # fmt: skip
def near(request, query: Query[NearQuery]):
    walk = geo.Walk.from_settings()
    if query.lat is not None and query.lng is not None:
        lat, lng = geo.check_point(query.lat, query.lng)
        origin = services.Located(lat, lng, "")
    elif query.q:
        origin = services.locate(query.q)
    else:
        raise ValidationError({"q": [_("请提供经纬度（lat、lng）或地点（q）。")]})
    hits = services.nearby_stations(origin.latitude, origin.longitude, walk=walk,
                                    amenities=query.amenity, open_now=query.open_now,
                                    kind=query.kind)  # fmt: skip
    return {
        "origin": {"latitude": origin.latitude, "longitude": origin.longitude,
                   "label": origin.label},
        "walk": _walk(walk),
        "stations": [{**_public(h.station), "distance_m": round(h.distance_m),
                      "walk_minutes": round(h.walk_minutes, 1), "open_now": h.open_now}
                     for h in hits],
    }  # fmt: skip


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, auth=CADRE_AUTH,
            summary="15-minute coverage of an org's subtree")  # fmt: skip
def coverage(request, org: str):
    target = org_services.get_org_for_user(request.auth, org)
    result = coverage_mod.compute_coverage(target)
    return {
        "org": target.code, "walk": _walk(result.walk), "total": result.total,
        "covered": result.covered, "share": result.share, "skipped": result.skipped,
        "sources": [vars(s) for s in result.sources],
        "hexagons": [{"cell": h.cell, "uncovered": h.uncovered, "latitude": h.latitude,
                      "longitude": h.longitude} for h in result.hexagons],
        "suggestions": [vars(s) for s in result.suggestions],
    }  # fmt: skip


@router.get("", response=list[StationOut], auth=CADRE_AUTH,
            summary="Stations in the caller's subtrees")  # fmt: skip
def list_stations(request, org: str = "", status: str = "", kind: str = "", limit: int = 100,
                  offset: int = 0):  # fmt: skip
    limit = max(1, min(limit, 500))
    stations = Station.objects.visible_to(request.auth).select_related("org")
    if org:
        stations = stations.in_subtree(org_services.get_org_for_user(request.auth, org).path)
    if status:
        stations = stations.filter(status=status)
    if kind:
        stations = stations.filter(kind=kind)
    return [_full(s) for s in stations.order_by("org_path", "name")[offset : offset + limit]]


@router.get("/{code}", response={200: StationOut, **ERRORS}, auth=CADRE_AUTH,
            summary="One station")  # fmt: skip
def get_station(request, code: str):
    return _full(services.get_station_for_user(request.auth, code))


@router.post("", response={201: StationOut, **ERRORS}, auth=CADRE_AUTH,
             summary="Create a station")  # fmt: skip
def create_station(request, payload: StationIn):
    actor = _actor(request)
    data = payload.dict()
    org = org_services.get_org_for_user(actor, data.pop("org"))
    station = services.create_station(actor, org=org, **data)
    return Status(201, _full(station))


@router.patch("/{code}", response={200: StationOut, **ERRORS}, auth=CADRE_AUTH,
              summary="Change a station")  # fmt: skip
def update_station(request, code: str, payload: StationPatch):
    actor = _actor(request)
    station = services.get_station_for_user(actor, code, write=True)
    data = payload.dict(exclude_unset=True)
    datum = data.pop("datum", "wgs84")
    return _full(services.update_station(actor, station, datum=datum, **data))


@router.post("/{code}/checkins", response={201: CheckInOut, 404: ErrorOut, 422: ErrorOut},
             auth=None, summary="Check in at a station (a tap, or a member card)")  # fmt: skip
def check_in(request, code: str, payload: CheckInIn):
    station = services.get_public_station(code)
    entry = services.check_in(station, card_token=payload.card_token,
                              throttle_key=request.META.get("REMOTE_ADDR", ""))  # fmt: skip
    return Status(201, {"counted": entry is not None})


@router.post("/{code}/ratings", response={201: CheckInOut, 404: ErrorOut, 422: ErrorOut},
             auth=None, summary="Rate a station (anonymous)")  # fmt: skip
def rate(request, code: str, payload: RatingIn):
    station = services.get_public_station(code)
    services.rate_station(station, rating=payload.rating, comment=payload.comment,
                          throttle_key=request.META.get("REMOTE_ADDR", ""))  # fmt: skip
    return Status(201, {"counted": True})
