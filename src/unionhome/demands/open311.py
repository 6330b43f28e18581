"""Open311 GeoReport v2 (JSON) at /open311/v2/, so existing 311 clients can file and follow
demands unchanged.

- Services are the demand categories.
- A service request id is the demand's tracking code: holding it is what lets a worker follow
  a demand, exactly as on our own tracking page. Listing requests without ids needs an API key
  that may read, and lists only that key's subtree (complaints about employers are not public).
- POST creates the demand through `intake.submit_demand`, the same path as every channel.
- A web-form code still being routed (a receipt, for a second or two) answers as an open
  request "已收到，正在分派" with no service or agency yet, as our own tracking page does.
- Errors use the spec's shape: a JSON list of {"code", "description"} with the HTTP status.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from unionhome.api.models import ApiKey, ApiPrincipal
from unionhome.text.categories import CATEGORY_NAMES, DemandCategory

from . import receipts
from .intake import Intake, submit_demand
from .models import Channel, Demand, DemandReceipt, EventKind, Status

OPEN = (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS)
MAX_RANGE = dt.timedelta(days=90)
MAX_RESULTS = 1000


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False)


def _json(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _fmt(when: dt.datetime | None) -> str | None:
    return timezone.localtime(when).isoformat(timespec="seconds") if when else None


def _service(code: str) -> dict:
    return {
        "service_code": code,
        "service_name": CATEGORY_NAMES[code],
        "description": f"职工诉求：{CATEGORY_NAMES[code]}",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "职工诉求",
    }


def _request(demand: Demand | DemandReceipt) -> dict:
    if isinstance(demand, DemandReceipt):
        return _received(demand)
    last = (
        demand.events.filter(public=True).exclude(kind=EventKind.REMINDED).order_by("-at").first()
    )
    notes = demand.get_status_display()
    if last is not None and last.message:
        notes = f"{notes}：{last.message}"
    return {
        "service_request_id": demand.tracking_code,
        "status": "open" if demand.status in OPEN else "closed",
        "status_notes": notes,
        "service_name": CATEGORY_NAMES[demand.category],
        "service_code": demand.category,
        "description": demand.description,
        "agency_responsible": demand.org.name,
        "service_notice": "",
        "requested_datetime": _fmt(demand.created_at),
        "updated_datetime": _fmt(demand.updated_at),
        "expected_datetime": _fmt(demand.resolve_deadline) if demand.status in OPEN else None,
        "address": demand.address,
        "address_id": "",
        "zipcode": "",
        "lat": float(demand.latitude) if demand.latitude is not None else None,
        "long": float(demand.longitude) if demand.longitude is not None else None,
        "media_url": "",
    }


def _received(receipt: DemandReceipt) -> dict:
    """A receipt has no category, union or text to show until it is routed; the same fields as
    a request, empty where unknown, so a client's parser needs no special case."""
    return {
        "service_request_id": receipt.tracking_code,
        "status": "open",
        "status_notes": "已收到，正在分派",
        "service_name": "",
        "service_code": "",
        "description": "",
        "agency_responsible": "",
        "service_notice": "",
        "requested_datetime": _fmt(receipt.received_at),
        "updated_datetime": _fmt(receipt.received_at),
        "expected_datetime": None,
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def _key(request, data) -> ApiKey | None:
    presented = data.get("api_key") or request.headers.get("X-API-Key", "")
    return ApiKey.authenticate(presented) if presented else None


@require_GET
def service_list(request):
    return _json([_service(code) for code in DemandCategory.values])


@require_GET
def service_definition(request, service_code: str):
    if service_code not in DemandCategory.values:
        return _error(404, f"service_code {service_code} not found")
    return _json({"service_code": service_code, "attributes": []})


@csrf_exempt  # machine clients authenticate with api_key, not cookies
@require_http_methods(["GET", "POST"])
def requests_collection(request):
    if request.method == "POST":
        return _create(request)
    return _search(request)


def _search(request):
    params = request.GET
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        found = []
        for tracking_code in ids[:MAX_RESULTS]:
            try:
                found.append(_request(receipts.find_tracked(tracking_code)))
            except Http404:
                continue
        return _json(found)
    key = _key(request, params)
    if key is None or not key.can_read:
        return _error(
            403,
            "Listing requests needs an api_key that may read; "
            "without one, ask for specific service_request_id values",
        )
    demands = Demand.objects.visible_to(ApiPrincipal(key)).select_related("org")
    codes = [c for c in params.get("service_code", "").split(",") if c]
    if codes:
        unknown = set(codes) - set(DemandCategory.values)
        if unknown:
            return _error(400, f"unknown service_code: {','.join(sorted(unknown))}")
        demands = demands.filter(category__in=codes)
    statuses = [s for s in params.get("status", "").split(",") if s]
    if statuses:
        if set(statuses) - {"open", "closed"}:
            return _error(400, "status must be open or closed")
        if statuses == ["open"]:
            demands = demands.filter(status__in=OPEN)
        elif statuses == ["closed"]:
            demands = demands.exclude(status__in=OPEN)
    start_dt, start_ok = _parse(params.get("start_date"))
    end_dt, end_ok = _parse(params.get("end_date"))
    if not (start_ok and end_ok):
        return _error(
            400, "start_date and end_date must be W3C datetimes, e.g. 2026-01-01T00:00:00Z"
        )
    end_dt = end_dt or timezone.now()
    start_dt = start_dt or end_dt - MAX_RANGE
    if end_dt - start_dt > MAX_RANGE:
        return _error(400, "the date range may not span more than 90 days")
    demands = demands.filter(created_at__gte=start_dt, created_at__lte=end_dt)
    return _json([_request(d) for d in demands.order_by("-created_at")[:MAX_RESULTS]])


def _parse(value: str | None) -> tuple[dt.datetime | None, bool]:
    """(datetime or None, whether the value was acceptable)."""
    if not value:
        return None, True
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed, parsed is not None


def _decimal(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValidationError({"lat": ["lat/long must be numbers"]}) from None


def _create(request):
    data = request.POST
    key = _key(request, data)
    if key is None:
        return _error(403, "a valid api_key is required to create requests")
    if not key.can_submit:
        return _error(403, "this api_key may not create requests")
    service_code = data.get("service_code", "")
    if service_code not in DemandCategory.values:
        return _error(400, f"service_code {service_code!r} not found")
    phone = data.get("phone", "").strip()
    name = " ".join(p for p in (data.get("last_name", ""), data.get("first_name", "")) if p).strip()
    try:
        intake = Intake(
            description=data.get("description", ""),
            category=service_code,
            address=data.get("address_string", ""),
            anonymous=not phone,
            contact_name=name,
            contact_phone=phone,
            latitude=_decimal(data.get("lat")),
            longitude=_decimal(data.get("long")),
        )
        demand = submit_demand(intake, channel=Channel.OPEN311, throttle_key="")
    except ValidationError as exc:
        messages = (
            [f"{field}: {m}" for field, errs in exc.message_dict.items() for m in errs]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        return _error(400, "; ".join(messages))
    except PermissionDenied as exc:
        return _error(403, str(exc))
    return _json(
        [
            {
                "service_request_id": demand.tracking_code,
                "service_notice": f"已分派至{demand.org.name}",
                "account_id": None,
            }
        ],
        status=201,
    )


@require_GET
def request_detail(request, service_request_id: str):
    try:
        tracked = receipts.find_tracked(service_request_id)
    except Http404:
        return _error(404, f"service_request_id {service_request_id} not found")
    return _json([_request(tracked)])


@require_GET
def token_detail(request, token: str):
    """Requests are created synchronously, so a token is the request id itself (a web-form
    receipt's code too: it is kept when the receipt becomes a demand)."""
    try:
        tracked = receipts.find_tracked(token)
    except Http404:
        return _error(404, f"token {token} not found")
    return _json([{"service_request_id": tracked.tracking_code, "token": token}])
