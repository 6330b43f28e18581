"""Dashboard pages: thin wrappers around `services` (scoping and figures live there)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from unionhome.orgs import services as org_services

from . import services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dashboard(request) -> services.Dashboard:
    org = services.get_dashboard_org(request.user, request.GET.get("org"))
    return services.build_dashboard(
        request.user, org, request.GET.get("period", services.DEFAULT_PERIOD)
    )


@login_required
@require_GET
def dashboard(request):
    board = _dashboard(request)
    return render(request, "dashboards/dashboard.html", {
        "board": board, "periods": services.PERIODS,
        "crumbs": org_services.breadcrumbs(request.user, board.org),
    })  # fmt: skip


@login_required
@require_GET
def export(request):
    board = _dashboard(request)
    chart = request.GET.get("chart")
    if chart:
        board.chart(chart)  # 404 for an unknown chart
    content = services.chart_workbook(board, [chart] if chart else None)
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = f"dashboard-{board.org.code}-{chart or 'all'}-{stamp}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
