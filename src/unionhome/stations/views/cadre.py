"""Cadre pages: the stations of one's subtree, editing, import/export, usage and coverage."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unionhome.core.forms import add_service_errors
from unionhome.core.permissions import covers
from unionhome.core.scoping import scope_paths
from unionhome.orgs import services as org_services
from unionhome.orgs.models import Org

from .. import coverage as coverage_mod
from .. import geo, services, transfer
from ..forms import (
    CountForm,
    ImportForm,
    PhotoForm,
    StationFilterForm,
    StationForm,
    StatusForm,
)
from ..models import Station


def _org_param(request) -> Org | None:
    code = request.GET.get("org") or request.POST.get("org_code")
    return org_services.get_org_for_user(request.user, code) if code else None


def _default_org(user) -> Org:
    """The top of the user's scope (the first, for several grants); 404 without any role."""
    paths = scope_paths(user)
    if paths is None:
        org = Org.objects.get_root_nodes().first()
    else:
        org = Org.objects.filter(path__in=paths).order_by("path").first() if paths else None
    if org is None:
        raise Http404(_("您没有任何组织的权限。"))
    return org


@login_required
@require_GET
def station_list(request):
    org = _org_param(request)
    form = StationFilterForm(request.GET or None)
    stations = Station.objects.visible_to(request.user).select_related("org")
    if org is not None:
        stations = stations.in_subtree(org.path)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            stations = stations.filter(name__icontains=data["q"].strip())
        if data["kind"]:
            stations = stations.filter(kind=data["kind"])
        if data["status"]:
            stations = stations.filter(status=data["status"])
    page = Paginator(stations.order_by("org_path", "name"), 25).get_page(request.GET.get("page"))
    return render(request, "stations/list.html", {
        "page": page, "form": form, "org": org, "querystring": request.GET.copy(),
        "can_create": services.manageable_orgs(request.user).exists(),
    })  # fmt: skip


def _station_fields(data: dict) -> dict:
    fields = {k: data[k] for k in services.EDITABLE_FIELDS if k in data}
    fields["amenities"] = list(data.get("amenities") or [])
    return fields


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    orgs = services.manageable_orgs(request.user)
    if not orgs.exists():
        raise Http404
    initial = {"status": "open"}
    org = _org_param(request)
    if org is not None:
        initial["org"] = org
    form = StationForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            station = services.create_station(
                request.user, org=data["org"], datum=data["datum"], **_station_fields(data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已创建“%s”。") % station.name)
            return redirect("stations:detail", code=station.code)
    return render(request, "stations/form.html", {"form": form, "station": None})


@login_required
@require_GET
def detail(request, code: str):
    station = services.get_station_for_user(request.user, code)
    can_manage = covers(request.user, station.org_path, services.MANAGE_ROLES)
    return render(request, "stations/detail.html", {
        "station": station, "usage": services.station_usage(station), "can_manage": can_manage,
        "photos": station.photos.all(), "open_now": station.is_open_at(),
        "status_form": StatusForm(initial={"status": station.status,
                                           "status_note": station.status_note}),
        "count_form": CountForm(), "photo_form": PhotoForm(),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, code: str):
    station = services.get_station_for_user(request.user, code, write=True)
    initial = {
        "kind": station.kind, "name": station.name, "address": station.address,
        "latitude": station.latitude, "longitude": station.longitude, "datum": "wgs84",
        "hours": station.hours_canonical, "amenities": station.amenities, "phone": station.phone,
        "description": station.description, "status": station.status,
        "status_note": station.status_note,
    }  # fmt: skip
    form = StationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            station = services.update_station(
                request.user, station, datum=data["datum"], **_station_fields(data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("stations:detail", code=station.code)
    return render(request, "stations/form.html", {"form": form, "station": station})


@login_required
@require_POST
def change_status(request, code: str):
    station = services.get_station_for_user(request.user, code, write=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_station_status(request.user, station, form.cleaned_data["status"],
                                        form.cleaned_data["status_note"])  # fmt: skip
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存。"))
    return redirect("stations:detail", code=station.code)


@login_required
@require_POST
def record_count(request, code: str):
    station = services.get_station_for_user(request.user, code, write=True)
    form = CountForm(request.POST)
    if form.is_valid():
        try:
            services.check_in(station, count=form.cleaned_data["count"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已登记 %(n)d 人次。") % {"n": form.cleaned_data["count"]})
    else:
        messages.error(request, _("人次应为1至10000之间的整数。"))
    return redirect("stations:detail", code=station.code)


@login_required
@require_POST
def add_photo(request, code: str):
    station = services.get_station_for_user(request.user, code, write=True)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_station_photo(request.user, station, form.cleaned_data["photo"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("照片已上传。"))
    return redirect("stations:detail", code=station.code)


@login_required
@require_POST
def remove_photo(request, code: str, photo_code: str):
    station = services.get_station_for_user(request.user, code, write=True)
    photo = station.photos.filter(code=photo_code).first()
    if photo is None:
        raise Http404
    services.remove_station_photo(request.user, photo)
    messages.success(request, _("照片已删除。"))
    return redirect("stations:detail", code=station.code)


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request):
    orgs = services.manageable_orgs(request.user)
    if not orgs.exists():
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, orgs=orgs)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = transfer.import_stations(
                request.user, upload, filename=upload.name, datum=form.cleaned_data["datum"],
                default_org=form.cleaned_data["default_org"],
            )  # fmt: skip
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                _("导入完成：新增%(created)d个，更新%(updated)d个，未变%(unchanged)d个。")
                % {"created": result.created, "updated": result.updated,
                   "unchanged": result.unchanged},
            )  # fmt: skip
            return redirect("stations:list")
    return render(request, "stations/import.html", {
        "form": form, "problems": problems, "columns": transfer.HEADINGS.values(),
    }, status=400 if problems else 200)  # fmt: skip


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def export(request):
    org = _org_param(request)
    rows = transfer.export_rows(transfer.stations_for_export(request.user, org=org))
    stamp = timezone.localtime().strftime("%Y%m%d")
    if request.GET.get("format") == "csv":
        return _download(transfer.to_csv(rows), f"stations-{stamp}.csv", "text/csv; charset=utf-8")
    return _download(transfer.to_xlsx(rows, "服务站点"), f"stations-{stamp}.xlsx", XLSX)


@login_required
@require_GET
def coverage(request):
    org = _org_param(request) or _default_org(request.user)
    result = coverage_mod.compute_coverage(org)
    map_data = {
        "tiles": {k: v for k, v in services.tile_settings().items() if k != "gcj02"},
        "hexagons": [
            {"n": h.uncovered,
             "ring": [geo.for_tiles(lat, lng) for lat, lng in h.boundary]}
            for h in result.hexagons[:300]
        ],
        "suggestions": [
            {"n": s.rank, "lat": geo.for_tiles(s.latitude, s.longitude)[0],
             "lng": geo.for_tiles(s.latitude, s.longitude)[1], "gain": s.gain}
            for s in result.suggestions
        ],
        "reach": round(result.walk.reach_m),
    }  # fmt: skip
    return render(request, "stations/coverage.html", {
        "org": org, "result": result, "map": map_data,
        "show_map": bool(services.tile_settings()["url"]),
        "crumbs": org_services.breadcrumbs(request.user, org),
    })  # fmt: skip


@login_required
@require_GET
def coverage_export(request):
    org = _org_param(request) or _default_org(request.user)
    result = coverage_mod.compute_coverage(org)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return _download(transfer.coverage_workbook(result), f"coverage-{org.code}-{stamp}.xlsx", XLSX)
