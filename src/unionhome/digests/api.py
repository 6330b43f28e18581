"""Digest and alert endpoints for signed-in cadres (session): the same scoping as the pages;
published digests of the subtree and one's own drafts; alerts of the subtree."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.security import django_auth

from . import alerts, services

router = Router(tags=["digests"], auth=django_auth)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class DigestOut(Schema):
    code: str
    title: str
    org: str
    org_code: str
    period_start: dt.date
    period_end: dt.date
    status: str
    version: int
    demand_count: int
    previous_count: int
    published_at: dt.datetime | None


class ClusterOut(Schema):
    rank: int
    title: str
    summary: str
    size: int
    previous_size: int
    distinct_workers: int
    duplicate_groups: int
    urgency: float
    growth: float | None
    score: float
    share_resolved: float
    keywords: list[str]
    employers: list[dict]
    regions: list[dict]
    categories: list[dict]
    representative_text: str
    cases: list[str]


class DigestDetailOut(DigestOut):
    narrative: str
    clusters: list[ClusterOut]


class AlertOut(Schema):
    code: str
    kind: str
    state: str
    title: str
    org: str
    employer_name: str
    category: str
    window_start: dt.datetime
    window_end: dt.datetime
    count: int
    baseline_mean: float | None
    baseline_sd: float | None
    threshold: float | None
    demand_codes: list[str]
    created_at: dt.datetime


def _digest(d) -> dict:
    return {"code": d.code, "title": d.title, "org": d.org.name, "org_code": d.org.code,
            "period_start": d.period_start, "period_end": d.period_end, "status": d.status,
            "version": d.version, "demand_count": d.demand_count,
            "previous_count": d.previous_count, "published_at": d.published_at}  # fmt: skip


def _alert(a) -> dict:
    return {"code": a.code, "kind": a.kind, "state": a.state, "title": a.title,
            "org": a.org.name, "employer_name": a.employer_name, "category": a.category,
            "window_start": a.window_start, "window_end": a.window_end, "count": a.count,
            "baseline_mean": a.baseline_mean, "baseline_sd": a.baseline_sd,
            "threshold": a.threshold, "demand_codes": a.demand_codes,
            "created_at": a.created_at}  # fmt: skip


@router.get("", response=list[DigestOut], summary="打包反映列表")
def list_digests(request, limit: int = 50):
    rows = services.visible_digests(request.user).select_related("org")[: min(limit, 200)]
    return [_digest(d) for d in rows]


@router.get("/alerts", response=list[AlertOut], summary="预警列表（未关闭）")
def list_alerts(request, include_closed: bool = False, limit: int = 100):
    rows = alerts.visible_alerts(request.user)
    if not include_closed:
        rows = rows.exclude(state="closed")
    return [_alert(a) for a in rows[: min(limit, 500)]]


@router.post("/alerts/{code}/acknowledge", response={200: AlertOut, 404: ErrorOut, 422: ErrorOut},
             summary="知悉预警")  # fmt: skip
def acknowledge(request, code: str):
    alert = alerts.get_alert_for_user(request.user, code, write=True)
    return _alert(alerts.acknowledge_alert(request.user, alert))


@router.get("/{code}", response={200: DigestDetailOut, 404: ErrorOut}, summary="一份打包反映")
def get_digest(request, code: str):
    digest = services.get_digest_for_user(request.user, code)
    clusters = [
        {**{f: getattr(c, f) for f in ClusterOut.model_fields if f != "cases"},
         "cases": [case.text for case in c.cases.all()]}
        for c in digest.clusters.prefetch_related("cases")
    ]  # fmt: skip
    return {**_digest(digest), "narrative": digest.narrative, "clusters": clusters}
