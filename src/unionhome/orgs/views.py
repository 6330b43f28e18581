"""Org-tree pages for cadres: thin views over `orgs.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from unionhome.core.forms import add_service_errors
from unionhome.core.models import RoleKind
from unionhome.core.permissions import covers
from unionhome.core.registry import org_counters, org_links

from . import services
from .forms import MoveOrgForm, OrgForm, OrgSearchForm
from .models import Org


def _tree_context(request, **extra):
    return {"counters": org_counters(), **extra}


@login_required
@require_GET
def tree(request):
    form = OrgSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = services.search_orgs(request.user, form.cleaned_data["q"])
    context = _tree_context(
        request, nodes=services.tree_roots(request.user), form=form, results=results
    )
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "orgs/_search_results.html", context)
    return render(request, "orgs/tree.html", context)


@login_required
@require_GET
def children(request, code: str):
    org = services.get_org_for_user(request.user, code)
    nodes = services.tree_children(request.user, org)
    return render(request, "orgs/_children.html", _tree_context(request, nodes=nodes, parent=org))


@login_required
@require_GET
def detail(request, code: str):
    org = services.get_org_for_user(request.user, code)
    context = _tree_context(
        request,
        org=org,
        crumbs=services.breadcrumbs(request.user, org),
        nodes=services.tree_children(request.user, org),
        summary=services.subtree_summary(org),
        can_admin=covers(request.user, org.path, [RoleKind.ADMIN]),
        links=[(link.label, link.url(org.code)) for link in org_links()],
    )
    return render(request, "orgs/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def add_child(request, code: str):
    parent = services.get_org_for_user(request.user, code)
    if not covers(request.user, parent.path, [RoleKind.ADMIN]):
        raise PermissionDenied
    form = OrgForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_org(request.user, parent=parent, **form.cleaned_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已创建“%s”。") % org.name)
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/form.html", {"form": form, "parent": parent, "org": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, code: str):
    org = services.get_org_for_user(request.user, code)
    if not covers(request.user, org.path, [RoleKind.ADMIN]):
        raise PermissionDenied
    form = OrgForm(request.POST or None, instance=Org.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.update_org(request.user, org, **form.cleaned_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/form.html", {"form": form, "parent": None, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def move(request, code: str):
    org = services.get_org_for_user(request.user, code)
    if not covers(request.user, org.path, [RoleKind.ADMIN]):
        raise PermissionDenied
    candidates = Org.objects.visible_to(request.user, [RoleKind.ADMIN])
    form = MoveOrgForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.move_org(request.user, org, form.cleaned_data["target"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已移动“%s”及其全部下级组织。") % org.name)
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/move.html", {"form": form, "org": org})
