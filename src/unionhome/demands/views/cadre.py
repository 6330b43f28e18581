"""Cadre pages: the inbox, one demand with its timeline and actions, and the hotline form."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unionhome.core.forms import add_service_errors
from unionhome.core.permissions import covers
from unionhome.core.scoping import scope_paths
from unionhome.orgs import services as org_services

from .. import intake, services
from ..forms import (
    AssignForm,
    EmptyActionForm,
    HotlineForm,
    InboxFilterForm,
    MergeForm,
    MessageForm,
    OutcomeForm,
    ReasonForm,
    TransferForm,
    VisitForm,
)
from ..models import Attachment, Demand
from .public import client_ip, intake_from


def _assignees(demand: Demand):
    """Cadres whose roles cover the demand's org: roles on it or on an ancestor."""
    from unionhome.core.models import Role

    prefixes = [demand.org_path[:i] for i in range(4, len(demand.org_path) + 1, 4)]
    users = Role.objects.filter(org__path__in=prefixes, kind__in=services.WORK_ROLES).values("user")
    return get_user_model().objects.filter(pk__in=users, is_active=True).order_by("username")


def _forms(request, demand: Demand, bound_action: str | None = None):
    """The action forms this user may use on this demand now, keyed by action."""
    data = request.POST if bound_action else None
    files = request.FILES if bound_action else None
    initial = {"version": demand.version}
    builders = {
        "accept": lambda d: EmptyActionForm(d, initial=initial),
        "assign": lambda d: AssignForm(d, initial=initial, assignees=_assignees(demand)),
        "visit": lambda d: VisitForm(d, files, initial=initial),
        "reply": lambda d: MessageForm(d, initial=initial),
        "resolve": lambda d: OutcomeForm(d, initial=initial),
        "transfer": lambda d: TransferForm(d, initial=initial,
                                           targets=services.transfer_targets(request.user, demand)),
        "escalate": lambda d: ReasonForm(d, initial=initial),
        "merge": lambda d: MergeForm(d, initial=initial),
        "close": lambda d: ReasonForm(d, initial=initial),
        "reopen": lambda d: ReasonForm(d, initial=initial),
    }  # fmt: skip
    if not covers(request.user, demand.org_path, services.WORK_ROLES):
        return {}
    forms = {}
    for action, build in builders.items():
        if demand.status in services.TRANSITIONS[action][0]:
            forms[action] = build(data if action == bound_action else None)
    return forms


@lru_cache(maxsize=512)
def _filter_fields(language: str, data: tuple) -> str:
    """The filter bar's fields, rendered once per language and choice of filters in a process
    (a dozen widgets with their options were a fifth of the inbox page's time)."""
    form = InboxFilterForm(QueryDict(urlencode(data, doseq=True)) if data else {"status": "open"})
    return render_to_string("demands/_inbox_filters.html", {"form": form})


@login_required
@require_GET
def inbox(request):
    form = InboxFilterForm(request.GET or {"status": "open"})
    filters = form.cleaned_data if form.is_valid() else {"status": "open"}
    org = (
        org_services.get_org_for_user(request.user, request.GET["org"])
        if request.GET.get("org")
        else None
    )
    result = services.inbox_page(
        request.user, org=org, page_number=request.GET.get("page"),
        status=filters.get("status", ""), category=filters.get("category", ""),
        urgency=filters.get("urgency", ""), channel=filters.get("channel", ""),
        overdue=filters.get("overdue", False), escalated=filters.get("escalated", False),
        query=filters.get("q", ""),
    )  # fmt: skip
    key = tuple(sorted((k, tuple(v)) for k, v in request.GET.lists() if k != "page"))
    return render(request, "demands/inbox.html", {
        "form": form, "page": result.page, "org": org, "tiles": result.tiles,
        "more_hits": result.more_hits,
        "filter_fields": mark_safe(_filter_fields(get_language(), key)),  # noqa: S308 — rendered
        "querystring": request.GET.copy(),
    })  # fmt: skip


@login_required
@require_GET
def detail(request, code: str):
    demand = services.get_demand_for_user(request.user, code)
    return _render_detail(request, demand, _forms(request, demand))


def _render_detail(request, demand, forms, status=200):
    reveal = request.session.pop(f"reveal:{demand.code}", False)
    return render(request, "demands/detail.html", {
        "demand": demand, "forms": forms,
        "events": demand.events.select_related("actor", "from_org", "to_org"),
        "visits": demand.visits.select_related("cadre").prefetch_related("attachments"),
        "photos": demand.attachments.filter(visit__isnull=True),
        "reveal": reveal,
    }, status=status)  # fmt: skip


@login_required
@require_POST
def act(request, code: str, action: str):
    demand = services.get_demand_for_user(request.user, code, write=True)
    forms = _forms(request, demand, bound_action=action)
    form = forms.get(action)
    if form is None:
        messages.error(request, _("诉求当前状态下不能执行该操作。"))
        return redirect("demands:detail", code=demand.code)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            _perform(request.user, demand, action, data, version)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            if not Demand.objects.visible_to(request.user).filter(pk=demand.pk).exists():
                return redirect("demands:inbox")
            return redirect("demands:detail", code=demand.code)
    demand.refresh_from_db()
    return _render_detail(request, demand, {**_forms(request, demand), action: form}, status=400)


def _perform(user, demand, action, data, version):
    v = {"expected_version": version}
    if action == "accept":
        services.accept_demand(user, demand, **v)
    elif action == "assign":
        services.assign_demand(user, demand, data["assignee"], **v)
    elif action == "visit":
        services.log_visit(user, demand, **data, **v)
    elif action == "reply":
        services.reply_to_worker(user, demand, data["message"], **v)
    elif action == "resolve":
        services.resolve_demand(user, demand, data["outcome"], **v)
    elif action == "transfer":
        services.transfer_demand(user, demand, data["target"], data["reason"], **v)
    elif action == "escalate":
        services.escalate_demand(user, demand, data["reason"], **v)
    elif action == "merge":
        into = Demand.objects.visible_to(user).filter(code=data["into"].strip().upper()).first()
        if into is None:
            raise ValidationError({"into": [_("没有找到该诉求编号。")]})
        services.merge_demands(user, demand, into, **v)
    elif action == "close":
        services.close_demand(user, demand, data["reason"], **v)
    elif action == "reopen":
        services.reopen_demand(user, demand, data["reason"], **v)


@login_required
@require_POST
def reveal_contact(request, code: str):
    demand = services.get_demand_for_user(request.user, code, write=True)
    services.record_reveal(request.user, demand, client_ip(request))
    request.session[f"reveal:{demand.code}"] = True
    return redirect("demands:detail", code=demand.code)


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request):
    if scope_paths(request.user) == []:
        raise Http404
    form = HotlineForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            demand = intake.submit_demand(intake_from(form), channel="hotline", actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已登记，查询码 %(code)s，请告知来电职工。") % {"code": demand.tracking_code},
            )
            if Demand.objects.visible_to(request.user).filter(pk=demand.pk).exists():
                return redirect("demands:detail", code=demand.code)
            return redirect("demands:hotline")
    return render(request, "demands/hotline.html", {"form": form})


@login_required
@require_GET
def attachment(request, code: str):
    visible = Demand.objects.visible_to(request.user).values("pk")
    photo = Attachment.objects.filter(code=code, demand__in=visible).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
