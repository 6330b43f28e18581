"""Cadre pages: the file list, one file (masked, audited) with its actions, create/edit, follow-ups
due, grants, and the report with its Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unionhome.core.forms import add_service_errors
from unionhome.core.models import Role
from unionhome.core.permissions import covers
from unionhome.core.scoping import scope_paths
from unionhome.orgs import services as org_services
from unionhome.orgs.models import Org

from . import services
from .forms import (
    CaseFilterForm,
    CaseForm,
    CommentForm,
    DocumentForm,
    EmptyForm,
    ExitForm,
    FollowUpForm,
    GrantForm,
    MemberFormSet,
    PairForm,
    ReasonForm,
    RelapseForm,
    ReportForm,
    ReturnForm,
)
from .models import CaseStatus, Cause, HardshipCase, Relation


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _default_org(user) -> Org:
    """The top of the user's scope; 404 without any role."""
    paths = scope_paths(user)
    if paths is None:
        org = Org.objects.get_root_nodes().first()
    else:
        org = Org.objects.filter(path__in=paths).order_by("path").first() if paths else None
    if org is None:
        raise Http404(_("您没有任何组织的权限。"))
    return org


def _org_param(request) -> Org | None:
    code = request.GET.get("org") or request.POST.get("org_code")
    return org_services.get_org_for_user(request.user, code) if code else None


# --- List ------------------------------------------------------------------------------------
@login_required
@require_GET
def case_list(request):
    if scope_paths(request.user) == []:
        raise Http404
    org = _org_param(request)
    form = CaseFilterForm(request.GET or {"status": "live"})
    data = form.cleaned_data if form.is_valid() else {"status": "live"}
    cases = services.case_list(
        request.user, org=org, status=data.get("status", ""), level=data.get("level", ""),
        overdue=data.get("overdue", False), query=data.get("q", ""),
    )  # fmt: skip
    page = Paginator(cases.order_by("-created_at"), 25).get_page(request.GET.get("page"))
    return render(request, "assistance/list.html", {
        "form": form, "page": page, "org": org, "today": timezone.localdate(),
        "querystring": request.GET.copy(),
    })  # fmt: skip


# --- Create / edit ---------------------------------------------------------------------------
def _members_from(formset) -> list[services.MemberData]:
    members = []
    for form in formset.forms:
        data = form.cleaned_data
        if not (data.get("name") or data.get("relation")):
            continue
        members.append(services.MemberData(
            relation=data.get("relation") or "", name=data.get("name") or "",
            age=data.get("age"), health=data.get("health") or "",
            employment=data.get("employment") or "", schooling=data.get("schooling") or "none",
            health_note=data.get("health_note") or "",
        ))  # fmt: skip
    return members


def _case_data(form, formset) -> services.CaseData:
    d = form.cleaned_data
    return services.CaseData(
        name=d["name"], id_number=d["id_number"], monthly_income=d["monthly_income"],
        causes=d["causes"], housing=d["housing"], members=_members_from(formset),
        phone=d["phone"], address=d["address"], employer_name=d["employer_name"],
        situation=d["situation"], debts=d["debts"] or None,
    )  # fmt: skip


def _blank_rows(n: int) -> list[dict]:
    return [{} for _ in range(n)]


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    demand = None
    demand_code = request.GET.get("demand") or request.POST.get("demand_code")
    if demand_code:
        from unionhome.demands.services import get_demand_for_user

        demand = get_demand_for_user(request.user, demand_code, write=True)
        existing = services.case_for_demand(request.user, demand)
        if existing is not None:
            return redirect("assistance:detail", code=existing.code)
    org = _org_param(request) or (demand.org if demand else _default_org(request.user))
    if not covers(request.user, org.path, services.WORK_ROLES):
        raise Http404
    initial = services.prefill_from_demand(demand) if demand else {}
    form = CaseForm(request.POST or None, initial=initial)
    member_initial = [{"relation": Relation.SELF, "name": initial.get("name", "")},
                      *_blank_rows(3)]  # fmt: skip
    formset = MemberFormSet(request.POST or None, prefix="m", initial=member_initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            case = services.propose_case(request.user, org, _case_data(form, formset),
                                         demand=demand)  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("档案已提交，等待县级工会审批。"))
            return redirect("assistance:detail", code=case.code)
    return render(request, "assistance/form.html", {
        "form": form, "formset": formset, "org": org, "demand": demand, "case": None,
    }, status=400 if request.method == "POST" else 200)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, code: str):
    case = services.get_case_for_user(request.user, code, write=True)
    if case.status not in (CaseStatus.PROPOSED, CaseStatus.RETURNED, CaseStatus.APPROVED):
        messages.error(request, _("该档案当前状态下不能修改。"))
        return redirect("assistance:detail", code=case.code)
    services.record_view(request.user, case, ip_address=client_ip(request), via="edit")
    initial = {
        "name": case.name, "id_number": case.id_number, "phone": case.phone,
        "address": case.address, "employer_name": case.employer_name, "causes": case.causes,
        "monthly_income": case.monthly_income, "debts": case.debts or "",
        "housing": case.housing, "situation": case.situation,
    }  # fmt: skip
    member_initial = [
        {"relation": m.relation, "name": m.name, "age": m.age, "health": m.health,
         "health_note": m.health_note, "schooling": m.schooling, "employment": m.employment}
        for m in case.members.all()
    ] + _blank_rows(2)  # fmt: skip
    form = CaseForm(request.POST or None, initial=initial)
    formset = MemberFormSet(request.POST or None, prefix="m", initial=member_initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.update_case(request.user, case, _case_data(form, formset))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("档案已修改，已重新提交审批。"))
            return redirect("assistance:detail", code=case.code)
    return render(request, "assistance/form.html", {
        "form": form, "formset": formset, "org": case.org, "demand": case.demand, "case": case,
    }, status=400 if request.method == "POST" else 200)  # fmt: skip


# --- One file --------------------------------------------------------------------------------
def _cadres(case: HardshipCase):
    prefixes = [case.org_path[:i] for i in range(4, len(case.org_path) + 1, 4)]
    users = Role.objects.filter(org__path__in=prefixes, kind__in=services.WORK_ROLES).values("user")
    return get_user_model().objects.filter(pk__in=users, is_active=True).order_by("username")


def _forms(request, case: HardshipCase, bound: str | None = None) -> dict:
    """The action forms this user may use on this file now."""
    user = request.user
    if not covers(user, case.org_path, services.WORK_ROLES):
        return {}
    s = case.status
    today = timezone.localdate()
    approver = services.can_approve(user, case)
    builders = {
        "approve": (s == CaseStatus.PROPOSED and approver, lambda d: CommentForm(d)),
        "return": (s == CaseStatus.PROPOSED and approver, lambda d: ReturnForm(d)),
        "resubmit": (s == CaseStatus.RETURNED, lambda d: EmptyForm(d)),
        "follow_up": (case.approved_on is not None and case.next_follow_up_due is not None
                      and (s in (CaseStatus.APPROVED, CaseStatus.PROPOSED, CaseStatus.RETURNED)
                           or case.in_watch(today)), lambda d: FollowUpForm(d)),
        "grant": ((s == CaseStatus.APPROVED or case.in_watch(today)),
                  lambda d: GrantForm(d, funds=services.usable_funds(user, case))),
        "pair": (s in (CaseStatus.APPROVED, CaseStatus.PROPOSED, CaseStatus.RETURNED),
                 lambda d: PairForm(d, cadres=_cadres(case))),
        "document": (s != CaseStatus.WITHDRAWN,
                     lambda d: DocumentForm(d, request.FILES if d is not None else None)),
        "reverify": (s == CaseStatus.APPROVED, lambda d: EmptyForm(d)),
        "exit": (s == CaseStatus.APPROVED, lambda d: ExitForm(d)),
        "relapse": (s == CaseStatus.EXITED, lambda d: RelapseForm(d)),
        "withdraw": (s in (CaseStatus.PROPOSED, CaseStatus.RETURNED)
                     and not (case.level or case.exited_on), lambda d: ReasonForm(d)),
    }  # fmt: skip
    forms = {}
    for action, (allowed, build) in builders.items():
        if allowed:
            forms[action] = build(request.POST if action == bound else None)
    return forms


def _render_detail(request, case: HardshipCase, forms: dict, status: int = 200):
    reveal = request.session.pop(f"reveal-hardship:{case.code}", False)
    services.record_view(request.user, case, ip_address=client_ip(request),
                         via="reveal" if reveal else "page")  # fmt: skip
    assessment = services.assessment_of(case)
    return render(request, "assistance/detail.html", {
        "case": case, "forms": forms, "reveal": reveal,
        "can_reveal": services.can_reveal(request.user, case),
        "reasons": assessment.reasons(masked=not reveal) if assessment else [],
        "members": case.members.all(),
        "documents": case.documents.all(),
        "grants": case.grants.select_related("fund", "fund__org", "approver"),
        "follow_ups": case.follow_ups.select_related("visit", "visit__cadre"),
        "events": case.events.select_related("actor"),
        "today": timezone.localdate(),
        "overdue": case.follow_up_overdue(),
        "approving_org": services.approving_org(case.org),
    }, status=status)  # fmt: skip


@login_required
@require_GET
def case_detail(request, code: str):
    case = services.get_case_for_user(request.user, code)
    return _render_detail(request, case, _forms(request, case))


@login_required
@require_POST
def reveal(request, code: str):
    case = services.get_case_for_user(request.user, code)
    services.reveal_case(request.user, case, ip_address=client_ip(request))
    request.session[f"reveal-hardship:{case.code}"] = True
    return redirect("assistance:detail", code=case.code)


def _perform(user, case: HardshipCase, action: str, data: dict):
    if action == "approve":
        services.approve_case(user, case, data.get("comment", ""))
    elif action == "return":
        services.return_case(user, case, data["comment"])
    elif action == "resubmit":
        services.resubmit_case(user, case)
    elif action == "withdraw":
        services.withdraw_case(user, case, data["reason"])
    elif action == "pair":
        services.pair_case(user, case, data["cadre"])
    elif action == "follow_up":
        services.log_follow_up(user, case, **data)
    elif action == "reverify":
        services.reverify_case(user, case)
    elif action == "exit":
        services.exit_case(user, case, data["reason"], data.get("note", ""))
    elif action == "relapse":
        services.relapse_case(user, case, data["note"])
    elif action == "document":
        services.add_document(user, case, data["kind"], data["file"])
    elif action == "grant":
        fund = data.pop("fund")
        services.grant_aid(user, case, fund, services.GrantData(**data))


@login_required
@require_POST
def act(request, code: str, action: str):
    case = services.get_case_for_user(request.user, code, write=True)
    forms = _forms(request, case, bound=action)
    form = forms.get(action)
    if form is None:
        messages.error(request, _("档案当前状态下不能执行该操作。"))
        return redirect("assistance:detail", code=case.code)
    if form.is_valid():
        try:
            _perform(request.user, case, action, dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("assistance:detail", code=case.code)
    case.refresh_from_db()
    return _render_detail(request, case, {**_forms(request, case), action: form}, status=400)


@login_required
@require_GET
def document(request, code: str):
    doc = services.open_document(request.user, code, ip_address=client_ip(request))
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def grant_pay(request, code: str):
    grant = services.get_grant_for_user(request.user, code)
    try:
        services.pay_grant(request.user, grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已标记为已发放。"))
    return redirect("assistance:detail", code=grant.case.code)


@login_required
@require_POST
def grant_cancel(request, code: str):
    grant = services.get_grant_for_user(request.user, code)
    try:
        services.cancel_grant(request.user, grant, request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤销，金额退回资金预算。"))
    return redirect("assistance:detail", code=grant.case.code)


# --- Follow-ups and reports ------------------------------------------------------------------
@login_required
@require_GET
def follow_ups(request):
    if scope_paths(request.user) == []:
        raise Http404
    mine, others = services.follow_ups_for(request.user)
    return render(request, "assistance/follow_ups.html", {
        "mine": mine, "others": others, "today": timezone.localdate(),
        "reverify": services.reverifications_overdue_for(request.user)[:100],
        "due_days": services.DUE_SOON_DAYS,
    })  # fmt: skip


def _report_args(request):
    org = _org_param(request) or _default_org(request.user)
    form = ReportForm(request.GET or None, initial={"year": timezone.localdate().year})
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return org, form, year or timezone.localdate().year


@login_required
@require_GET
def report(request):
    org, form, year = _report_args(request)
    data = services.report(org, year)
    labels = dict(Cause.choices)
    causes = [(labels[code], n) for code, n in data["by_cause"].items() if code in labels]
    return render(request, "assistance/report.html", {
        "form": form, "org": org, "data": data, "causes": causes,
    })  # fmt: skip


@login_required
@require_GET
def report_export(request):
    org, _form, year = _report_args(request)
    content = services.export_report(request.user, org, year)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="hardship-{org.code}-{year}.xlsx"'
    return response
