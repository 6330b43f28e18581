"""Demand endpoints: intake for integrators (API key or session), public status by tracking
code, and a scoped read API for cadres and read-enabled keys."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from unionhome.api.auth import ApiKeyAuth
from unionhome.api.models import ApiPrincipal

from . import intake, receipts, services
from .models import Channel, Demand, DemandReceipt

router = Router(tags=["demands"])


class DemandIn(Schema):
    description: str = Field(..., description="诉求内容，5至5000字")
    category: str = Field("", description="类别代码；留空由系统建议")
    employer_name: str = ""
    region_code: str = Field("", description="GB/T 2260 六位代码")
    address: str = ""
    anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    urgency: str = "normal"
    complexity: str = "general"


class ReceiptOut(Schema):
    code: str
    tracking_code: str
    status: str
    agency_responsible: str
    ack_deadline: dt.datetime
    resolve_deadline: dt.datetime


class PublicEventOut(Schema):
    at: dt.datetime
    kind: str
    label: str = Field(..., alias="get_kind_display")
    actor: str = Field(..., alias="actor_label")
    message: str


class PublicStatusOut(Schema):
    tracking_code: str
    status: str = Field(..., description="“received” while the web form's receipt is being routed")
    status_label: str
    category: str
    agency_responsible: str
    created_at: dt.datetime
    resolve_deadline: dt.datetime | None
    events: list[PublicEventOut]


class DemandOut(Schema):
    code: str
    status: str
    category: str
    urgency: str
    complexity: str
    channel: str
    description: str
    employer_name: str
    address: str
    org: str
    anonymous: bool
    contact_phone: str = Field(..., alias="masked_contact_phone")
    escalated: bool
    created_at: dt.datetime
    ack_deadline: dt.datetime
    resolve_deadline: dt.datetime
    overdue: bool
    version: int


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


def _receipt(demand: Demand) -> dict:
    return {"code": demand.code, "tracking_code": demand.tracking_code, "status": demand.status,
            "agency_responsible": demand.org.name, "ack_deadline": demand.ack_deadline,
            "resolve_deadline": demand.resolve_deadline}  # fmt: skip


def _out(demand: Demand) -> dict:
    data = {name: getattr(demand, name) for name in DemandOut.model_fields if hasattr(demand, name)}
    data.update(org=demand.org.name, masked_contact_phone=demand.masked_contact_phone,
                overdue=demand.is_overdue())  # fmt: skip
    return data


@router.post("", response={201: ReceiptOut, 403: ErrorOut, 422: ErrorOut},
             auth=[ApiKeyAuth(), django_auth], summary="Submit a demand")  # fmt: skip
def submit(request, payload: DemandIn):
    principal = request.auth
    if isinstance(principal, ApiPrincipal) and not principal.key.can_submit:
        raise PermissionDenied("This key may not submit demands")
    actor = None if isinstance(principal, ApiPrincipal) else principal
    channel = Channel.API if isinstance(principal, ApiPrincipal) else Channel.HOTLINE
    demand = intake.submit_demand(intake.Intake(**payload.dict()), channel=channel, actor=actor)
    return Status(201, _receipt(demand))


@router.get("/track/{tracking_code}", response={200: PublicStatusOut, 404: ErrorOut},
            auth=None, summary="Public status by tracking code")  # fmt: skip
def track(request, tracking_code: str):
    demand = receipts.find_tracked(tracking_code)
    if isinstance(demand, DemandReceipt):
        # Acknowledged by the web form, not yet routed (the intake worker takes a second or two).
        receipt = demand
        return {"tracking_code": receipt.tracking_code, "status": "received",
                "status_label": _("已收到"), "category": "", "agency_responsible": "",
                "created_at": receipt.received_at, "resolve_deadline": None, "events": []}  # fmt: skip
    return {
        "tracking_code": demand.tracking_code, "status": demand.status,
        "status_label": demand.get_status_display(), "category": demand.category,
        "agency_responsible": demand.org.name, "created_at": demand.created_at,
        "resolve_deadline": demand.resolve_deadline,
        "events": list(demand.events.filter(public=True).exclude(kind="reminded")),
    }  # fmt: skip


@router.get("", response=list[DemandOut], auth=[ApiKeyAuth(), django_auth],
            summary="Demands in the caller's subtrees")  # fmt: skip
def list_demands(request, status: str = "open", category: str = "", overdue: bool = False,
                 q: str = "", limit: int = 50, offset: int = 0):  # fmt: skip
    limit = max(1, min(limit, 200))
    demands = services.inbox(request.auth, status=status, category=category, overdue=overdue,
                             query=q)  # fmt: skip
    return [_out(d) for d in demands[offset : offset + limit]]


@router.get("/{code}", response={200: DemandOut, 404: ErrorOut},
            auth=[ApiKeyAuth(), django_auth], summary="One demand")  # fmt: skip
def get_demand(request, code: str):
    return _out(services.get_demand_for_user(request.auth, code))
