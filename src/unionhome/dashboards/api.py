"""Dashboard figures as JSON: the same cards and chart tables as the page."""

from __future__ import annotations

from ninja import Router, Schema

from . import services

router = Router(tags=["dashboards"])


class CardOut(Schema):
    key: str
    label: str
    value: float | int | None
    note: str


class ChartOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list]


class DashboardOut(Schema):
    org: str
    name: str
    start: str
    end: str
    overdue_at: str
    cards: list[CardOut]
    charts: list[ChartOut]


@router.get("/{org_code}", response=DashboardOut, summary="An org's dashboard figures")
def dashboard(request, org_code: str, period: str = services.DEFAULT_PERIOD):
    org = services.get_dashboard_org(request.auth, org_code)
    board = services.build_dashboard(request.auth, org, period)
    return {
        "org": org.code, "name": org.name, "start": board.start.isoformat(),
        "end": board.end.isoformat(), "overdue_at": board.overdue_at.isoformat(),
        "cards": [{"key": c.key, "label": str(c.label), "value": c.value, "note": str(c.note)}
                  for c in board.cards],
        "charts": [{"key": c.key, "title": str(c.title), "columns": [str(x) for x in c.columns],
                    "rows": c.rows} for c in board.charts],
    }  # fmt: skip
