"""Cadre pages: digests (list, new, editor/read view, downloads) and early-warning alerts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unionhome.core.forms import add_service_errors
from unionhome.core.permissions import covers
from unionhome.core.scoping import scope_paths
from unionhome.orgs.models import Org

from . import alerts, exports, services
from .forms import CasesForm, ClusterForm, DigestForm, NewDigestForm, NoteForm
from .models import AlertState


def _default_org(user, orgs) -> Org | None:
    paths = scope_paths(user, services.MANAGE_ROLES)
    if paths:
        return orgs.filter(path__in=paths).order_by("path").first()
    return orgs.order_by("path").first()


@login_required
@require_GET
def digest_list(request):
    digests = services.visible_digests(request.user).select_related("org", "created_by")
    page = Paginator(digests, 25).get_page(request.GET.get("page"))
    return render(request, "digests/list.html", {
        "page": page, "can_create": services.digest_orgs(request.user).exists(),
        "open_alerts": alerts.open_alert_count(request.user),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    orgs = services.digest_orgs(request.user)
    if not orgs.exists():
        raise Http404
    start, end = services.last_month()
    chosen = orgs.filter(code=request.GET["org"]).first() if request.GET.get("org") else None
    initial = {"org": chosen or _default_org(request.user, orgs), "period_start": start,
               "period_end": end}  # fmt: skip
    form = NewDigestForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            digest, job = services.create_digest(
                request.user, org=data["org"], period_start=data["period_start"],
                period_end=data["period_end"], title=data["title"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if job is not None:
                return redirect("job", code=job.code)
            messages.success(request, _("已生成草稿，可编辑后发布。"))
            return redirect("digests:detail", code=digest.code)
    return render(request, "digests/new.html", {"form": form})


@login_required
@require_GET
def detail(request, code: str):
    digest = services.get_digest_for_user(request.user, code)
    editable = services.can_edit(request.user, digest)
    clusters = list(digest.clusters.prefetch_related("cases"))
    if editable:
        candidates = services.case_candidates(request.user, clusters)
        for cluster in clusters:
            cluster.form = ClusterForm(initial={"title": cluster.title, "summary": cluster.summary},
                                       prefix=f"c{cluster.pk}")  # fmt: skip
            cluster.candidates = candidates[cluster.pk]
    return render(request, "digests/detail.html", {
        "digest": digest, "clusters": clusters, "editable": editable,
        "form": DigestForm(initial={"title": digest.title, "narrative": digest.narrative}),
        "max_cases": services.max_cases(),
        "can_version": not digest.is_draft and covers(
            request.user, digest.org_path, services.MANAGE_ROLES),
    })  # fmt: skip


def _done(request, code: str, message: str = ""):
    if message:
        messages.success(request, message)
    return redirect("digests:detail", code=code)


def _refused(request, code: str, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))
    return redirect("digests:detail", code=code)


@login_required
@require_POST
def edit(request, code: str):
    form = DigestForm(request.POST)
    try:
        digest = services.get_digest_for_user(request.user, code, write=True)
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        services.update_digest(request.user, digest, **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, code, exc)
    return _done(request, code, _("已保存。"))


@login_required
@require_POST
def cluster_action(request, code: str, cluster_id: int, action: str):
    try:
        digest = services.get_digest_for_user(request.user, code, write=True)
        cluster = services.get_cluster(digest, cluster_id)
        if action == "edit":
            form = ClusterForm(request.POST, prefix=f"c{cluster.pk}")
            if not form.is_valid():
                raise ValidationError([e for errs in form.errors.values() for e in errs])
            services.update_cluster(request.user, cluster, **form.cleaned_data)
        elif action in ("up", "down"):
            services.move_cluster(request.user, cluster, -1 if action == "up" else 1)
        elif action == "remove":
            services.remove_cluster(request.user, cluster)
        elif action == "cases":
            candidates = services.case_candidates(request.user, [cluster])[cluster.pk]
            form = CasesForm(request.POST, candidates=candidates)
            if not form.is_valid():
                raise ValidationError(_("请选择本问题中的诉求。"))
            services.attach_cases(request.user, cluster, form.cleaned_data["demand"])
        else:
            raise Http404
    except ValidationError as exc:
        return _refused(request, code, exc)
    return _done(request, code, _("已保存。"))


@login_required
@require_POST
def publish(request, code: str):
    try:
        digest = services.get_digest_for_user(request.user, code, write=True)
        services.publish_digest(request.user, digest)
    except ValidationError as exc:
        return _refused(request, code, exc)
    return _done(request, code, _("已发布，上级工会可以查看。"))


@login_required
@require_POST
def rebuild(request, code: str):
    try:
        digest = services.get_digest_for_user(request.user, code, write=True)
        services.rebuild_digest(request.user, digest)
    except ValidationError as exc:
        return _refused(request, code, exc)
    return _done(request, code, _("已按最新数据重新生成。"))


@login_required
@require_POST
def new_version(request, code: str):
    digest = services.get_digest_for_user(request.user, code)
    try:
        copy = services.start_new_version(request.user, digest)
    except ValidationError as exc:
        return _refused(request, code, exc)
    return _done(request, copy.code, _("已新建版本 %(v)d（草稿）。") % {"v": copy.version})


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename={name}"
    return response


@login_required
@require_GET
def download_pdf(request, code: str):
    digest = services.get_digest_for_user(request.user, code)
    services.record_export(request.user, digest, "pdf")
    return _download(exports.digest_pdf(digest), "application/pdf", f"digest-{digest.code}.pdf")


@login_required
@require_GET
def download_xlsx(request, code: str):
    digest = services.get_digest_for_user(request.user, code)
    services.record_export(request.user, digest, "xlsx")
    return _download(
        exports.digest_workbook(digest),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"digest-{digest.code}.xlsx",
    )


# --- Alerts --------------------------------------------------------------------------------
@login_required
@require_GET
def alert_list(request):
    state = request.GET.get("state", "open")
    rows = alerts.visible_alerts(request.user)
    if state == "open":
        rows = rows.exclude(state=AlertState.CLOSED)
    elif state in AlertState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "digests/alert_list.html", {
        "page": page, "state": state, "states": AlertState.choices,
    })  # fmt: skip


@login_required
@require_GET
def alert_detail(request, code: str):
    alert = alerts.get_alert_for_user(request.user, code)
    return render(request, "digests/alert_detail.html", {
        "alert": alert, "demands": alerts.alert_demands(request.user, alert),
        "can_handle": covers(request.user, alert.org_path, alerts.HANDLE_ROLES),
        "form": NoteForm(),
    })  # fmt: skip


@login_required
@require_POST
def alert_action(request, code: str, action: str):
    alert = alerts.get_alert_for_user(request.user, code, write=True)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if action == "acknowledge":
            alerts.acknowledge_alert(request.user, alert, note)
        elif action == "close":
            alerts.close_alert(request.user, alert, note)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已保存。"))
    return redirect("digests:alert", code=alert.code)
