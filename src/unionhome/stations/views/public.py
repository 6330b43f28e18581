"""Worker-facing pages, no login: stations near me, one station, its photos. Stations are public
places; nothing here shows or stores personal data (throttles keep only an HMAC of the address)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from unionhome.core.forms import add_service_errors

from .. import geo, services
from ..forms import NearForm, RatingForm
from ..models import StationPhoto, StationStatus


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def map_data(origin, results, walk) -> dict:
    """What the map script draws, in the tiles' datum (GCJ-02 for Chinese tiles)."""
    tiles = services.tile_settings()
    data = {"tiles": {k: v for k, v in tiles.items() if k != "gcj02"},
            "reach": round(walk.reach_m), "stations": []}  # fmt: skip
    if origin is not None:
        data["origin"] = geo.for_tiles(origin.latitude, origin.longitude)
    for number, hit in enumerate(results or [], start=1):
        lat, lng = hit.station.tile_point
        data["stations"].append({
            "n": number, "name": hit.station.name, "lat": lat, "lng": lng,
            "minutes": hit.walk_minutes_display, "code": hit.station.code,
        })  # fmt: skip
    return data


@require_GET
def near(request):
    form = NearForm(request.GET or None)
    walk = geo.Walk.from_settings()
    origin = results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if data["lat"] is not None and data["lng"] is not None:
                lat, lng = geo.check_point(data["lat"], data["lng"], field="q")
                origin = services.Located(lat, lng, _("我的位置"))
            elif data["q"]:
                origin = services.locate(data["q"])
            if origin is not None:
                results = services.nearby_stations(
                    origin.latitude, origin.longitude, walk=walk,
                    amenities=data["amenity"], open_now=data["open_now"],
                )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
            origin = results = None
    return render(request, "stations/near.html", {
        "form": form, "origin": origin, "results": results, "walk": walk,
        "reach_m": round(walk.reach_m), "map": map_data(origin, results, walk),
        "show_map": bool(services.tile_settings()["url"]),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def station(request, code: str):
    station = services.get_public_station(code)
    rating_form = RatingForm(request.POST if "rating" in request.POST else None)
    if request.method == "POST":
        try:
            if "check_in" in request.POST:
                entry = services.check_in(station, throttle_key=client_ip(request))
                messages.success(
                    request,
                    _("签到成功，欢迎歇歇脚！") if entry else _("您刚刚已经签到过了。"),
                )
                return redirect("stations_public:station", code=station.code)
            if rating_form.is_valid():
                services.rate_station(station, throttle_key=client_ip(request),
                                      **rating_form.cleaned_data)  # fmt: skip
                messages.success(request, _("谢谢您的评价！"))
                return redirect("stations_public:station", code=station.code)
        except ValidationError as exc:
            add_service_errors(rating_form, exc)
    usage = services.station_usage(station)
    return render(request, "stations/public_station.html", {
        "station": station, "rating_form": rating_form, "usage": usage,
        "open_now": station.is_open_at(), "photos": station.photos.all(),
        "is_open_status": station.status == StationStatus.OPEN,
    })  # fmt: skip


@require_GET
def photo(request, code: str):
    item = (
        StationPhoto.objects.filter(code=code).exclude(station__status=StationStatus.CLOSED).first()
    )
    if item is None:
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
