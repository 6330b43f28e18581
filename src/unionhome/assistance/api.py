"""Hardship endpoints for cadres (session or API key): scoped, masked lists; one file (audited);
the per-org summary the dashboards use."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from ninja.security import django_auth

from unionhome.api.auth import ApiKeyAuth
from unionhome.orgs import services as org_services

from . import services

router = Router(tags=["assistance"])
AUTH = [ApiKeyAuth(), django_auth]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CaseOut(Schema):
    code: str
    org: str
    org_code: str
    name: str  # masked
    id_number: str  # masked
    status: str
    level: str
    causes: list[str]
    household_size: int
    responsible: str | None
    next_follow_up_due: dt.date | None
    follow_up_overdue: bool
    watch_until: dt.date | None
    demand: str | None


class CaseDetailOut(CaseOut):
    reasons: list[str]  # amounts masked
    events: list[dict]


class CaseFilter(Schema):
    status: str = "live"
    level: str = ""
    overdue: bool = False
    org: str = ""


def _out(case) -> dict:
    return {
        "code": case.code, "org": case.org.name, "org_code": case.org.code,
        "name": case.masked_name, "id_number": case.masked_id_number,
        "status": case.status, "level": case.level, "causes": case.causes,
        "household_size": case.household_size,
        "responsible": str(case.responsible) if case.responsible_id else None,
        "next_follow_up_due": case.next_follow_up_due,
        "follow_up_overdue": case.follow_up_overdue(), "watch_until": case.watch_until,
        "demand": case.demand.code if case.demand_id else None,
    }  # fmt: skip


@router.get("/cases", response={200: list[CaseOut], **ERRORS}, auth=AUTH)
def list_cases(request, filters: Query[CaseFilter]):
    org = org_services.get_org_for_user(request.auth, filters.org) if filters.org else None
    cases = services.case_list(request.auth, status=filters.status, level=filters.level,
                               overdue=filters.overdue, org=org)  # fmt: skip
    cases = cases.select_related("demand").order_by("-created_at")[:500]
    return [_out(c) for c in cases]


@router.get("/cases/{code}", response={200: CaseDetailOut, **ERRORS}, auth=AUTH)
def get_case(request, code: str):
    case = services.get_case_for_user(request.auth, code)
    services.record_view(request.auth, case, via="api")
    assessment = services.assessment_of(case)
    events = [{"at": e.at.isoformat(), "kind": e.kind, "message": e.message}
              for e in case.events.all()]  # fmt: skip
    return {**_out(case), "reasons": assessment.reasons(masked=True) if assessment else [],
            "events": events}  # fmt: skip


class SummaryOut(Schema):
    org_path: str
    open_by_level: dict[str, int]
    open_total: int
    proposed: int
    in_watch: int
    follow_ups_overdue: int
    funds: dict


@router.get("/summary/{org_code}", response={200: SummaryOut, **ERRORS}, auth=AUTH)
def summary(request, org_code: str):
    org = org_services.get_org_for_user(request.auth, org_code)
    data = services.hardship_summary(org.path)
    data["funds"] = {k: str(v) if not isinstance(v, int) else v for k, v in data["funds"].items()}
    return data
