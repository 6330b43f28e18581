"""Cadre member pages: applications, transfers, a union's roster, import and export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unionhome.core.jobs import start_job
from unionhome.core.permissions import covers
from unionhome.orgs import services as org_services
from unionhome.orgs.models import Org

from .. import roster, services
from ..forms import ExportForm, ImportForm, ReasonForm, TransferForm
from ..models import (
    ApplicationStatus,
    JoinApplication,
    Membership,
    MembershipStatus,
    Transfer,
    TransferStatus,
)


@login_required
@require_GET
def desk(request):
    applications = (JoinApplication.objects.visible_to(request.user)
                    .filter(status=ApplicationStatus.PENDING).select_related("org")[:100])  # fmt: skip
    transfers = (Transfer.objects.visible_to(request.user).filter(status=TransferStatus.PENDING)
                 .select_related("org", "to_org", "person")[:100])  # fmt: skip
    return render(
        request, "members/desk.html", {"applications": applications, "transfers": transfers}
    )


@login_required
@require_POST
def decide_application(request, code: str, decision: str):
    application = JoinApplication.objects.visible_to(request.user).filter(code=code).first()
    if application is None:
        raise Http404
    try:
        if decision == "approve":
            services.approve_application(request.user, application)
            messages.success(request, _("已批准，职工将收到会员卡链接。"))
        elif decision == "refuse":
            form = ReasonForm(request.POST)
            services.refuse_application(request.user, application,
                                        form.data.get("reason", ""))  # fmt: skip
            messages.success(request, _("已答复职工。"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("members:desk")


@login_required
@require_POST
def decide_transfer(request, code: str, decision: str):
    transfer = Transfer.objects.visible_to(request.user).filter(code=code).first()
    if transfer is None:
        raise Http404
    try:
        if decision == "confirm":
            services.confirm_transfer(request.user, transfer)
            messages.success(request, _("已接收转入会员。"))
        elif decision == "refuse":
            services.refuse_transfer(request.user, transfer, request.POST.get("reason", ""))
            messages.success(request, _("已退回转接申请。"))
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("members:desk")


@login_required
@require_GET
def roster_page(request, org_code: str):
    org = org_services.get_org_for_user(request.user, org_code)
    members = (Membership.objects.visible_to(request.user).in_subtree(org.path)
               .filter(status=MembershipStatus.ACTIVE).select_related("person", "org")
               .order_by("org_path", "-joined_on", "id"))  # fmt: skip
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(request, "members/roster.html", {
        "org": org, "page": page, "movements": services.monthly_movements(request.user, org),
        "can_handle": covers(request.user, org.path, services.HANDLER_ROLES),
        "can_reveal": covers(request.user, org.path, services.REVEAL_ROLES),
        "import_form": ImportForm(), "export_form": ExportForm(),
    })  # fmt: skip


@login_required
@require_POST
def import_roster(request, org_code: str):
    org = org_services.get_org_for_user(request.user, org_code)
    services.ensure_can_handle(request.user, org)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要导入的名册文件。"))
        return redirect("members:roster", org_code=org.code)
    upload = form.cleaned_data["file"]
    if upload.size > roster.MAX_BYTES:
        messages.error(
            request,
            _("文件超过%(mb)dMB，请分成几份导入。") % {"mb": roster.MAX_BYTES // 1024 // 1024},
        )
        return redirect("members:roster", org_code=org.code)
    job = start_job(request.user, "members.import", _("导入会员名册：%s") % org.name, org=org,
                    input_file=upload)  # fmt: skip
    return redirect("job", code=job.code)


@login_required
@require_POST
def export_roster(request, org_code: str):
    org = org_services.get_org_for_user(request.user, org_code)
    form = ExportForm(request.POST)
    reveal = form.is_valid() and form.cleaned_data["reveal"]
    if reveal and not covers(request.user, org.path, services.REVEAL_ROLES):
        raise PermissionDenied
    job = start_job(request.user, "members.export", _("导出会员名册：%s") % org.name, org=org,
                    params={"reveal": reveal})  # fmt: skip
    return redirect("job", code=job.code)


@login_required
@require_GET
def template(request):
    import io

    out = io.BytesIO()
    roster.write_template(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="会员名册模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def person(request, code: str):
    person = services.get_person_for_user(request.user, code)
    revealed = None
    form = TransferForm()
    if request.method == "POST" and "reveal" in request.POST:
        revealed = services.reveal_person(request.user, person, request.META.get("REMOTE_ADDR"))
    elif request.method == "POST":
        form = TransferForm(request.POST)
        if form.is_valid():
            target = Org.objects.filter(
                code=form.cleaned_data["to_org"].strip().upper(), is_active=True
            ).first()
            try:
                if target is None:
                    raise ValidationError({"to_org": [_("没有找到该工会编号。")]})
                services.request_transfer(request.user, person, target, form.cleaned_data["reason"])
            except ValidationError as exc:
                from unionhome.core.forms import add_service_errors

                add_service_errors(form, exc)
            else:
                messages.success(request, _("已发出转接申请，待转入工会接收。"))
                return redirect("members:person", code=person.code)
    return render(request, "members/person.html", {
        "person": person, "revealed": revealed, "form": form,
        "memberships": person.memberships.select_related("org").order_by("-joined_on"),
        "can_reveal": covers(request.user, person.org_path, services.REVEAL_ROLES),
        "can_handle": covers(request.user, person.org_path, services.HANDLER_ROLES),
    })  # fmt: skip


@login_required
@require_POST
def leave(request, code: str):
    """退会: the member's current membership ends (history stays)."""
    person = services.get_person_for_user(request.user, code)
    membership = services.active_membership(person)
    if membership is None:
        raise Http404
    try:
        services.end_membership(request.user, membership, request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已办理退会。"))
    return redirect("members:person", code=person.code)
