"""Worker-facing member pages: joining, the member card, and the merchant verification page."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unionhome.core.forms import add_service_errors
from unionhome.orgs.models import Org

from .. import services
from ..forms import JoinForm, VerifyForm
from ..models import JoinApplication, MemberCard


@require_GET
def union_search(request):
    """htmx: unions a worker may join, by name (Simplified or Traditional)."""
    query = request.GET.get("q", "")[:40]
    orgs = services.joinable_orgs(query) if query.strip() else []
    return render(request, "members/_union_choices.html", {"orgs": orgs, "query": query})


@require_http_methods(["GET", "POST"])
def join(request):
    form = JoinForm(request.POST or None)
    chosen = None
    if form.data.get("org"):
        chosen = Org.objects.filter(code=form.data["org"], is_active=True).first()
    if request.method == "POST" and form.is_valid():
        try:
            if chosen is None:
                raise ValidationError({"org": ["请先选择要加入的工会。"]})
            data = services.PersonData(**{k: form.cleaned_data[k] for k in (
                "name", "id_number", "phone", "employer_name", "job_title", "new_employment")})  # fmt: skip
            application = services.submit_application(
                chosen, data, throttle_key=request.META.get("REMOTE_ADDR", "")
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("members_public:application", code=application.code)
    return render(request, "members/join.html", {"form": form, "chosen": chosen})


@require_GET
def application(request, code: str):
    application = get_object_or_404(
        JoinApplication.objects.select_related("org", "person"), code=code
    )
    card = (
        MemberCard.objects.filter(person=application.person, is_active=True).first()
        if application.person
        else None
    )
    return render(request, "members/application.html", {"application": application, "card": card})


def _card(access_key: str) -> MemberCard:
    card = (
        MemberCard.objects.filter(access_key=access_key, is_active=True)
        .select_related("person")
        .first()
    )
    if card is None:
        raise Http404
    return card


def _qr_svg(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()


def _qr_context(request, card: MemberCard) -> dict:
    token = services.card_token(card)
    url = request.build_absolute_uri(reverse("members_public:verify")) + "?t=" + token
    return {"card": card, "qr": _qr_svg(url), "token": token,
            "max_age": services.CARD_TOKEN_MAX_AGE}  # fmt: skip


@require_GET
def card_page(request, access_key: str):
    card = _card(access_key)
    membership = services.active_membership(card.person)
    pending = card.person.transfers.filter(status="pending").select_related("to_org").first()
    context = _qr_context(request, card) | {
        "membership": membership, "offers": list(services.offers_for(card.person)),
        "pending_transfer": pending,
    }  # fmt: skip
    response = render(request, "members/card.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def card_transfer(request, access_key: str):
    """The member asks, from their own card page, to move to another union (会员转接)."""
    card = _card(access_key)
    target = Org.objects.filter(
        code=request.POST.get("org", "").strip().upper(), is_active=True
    ).first()
    try:
        if target is None:
            raise ValidationError(_("请先选择要转入的工会。"))
        services.request_transfer(
            None, card.person, target, request.POST.get("reason", ""), by_member=True
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("转接申请已发出，待%(org)s接收。") % {"org": target.name})
    return redirect("members_public:card", access_key=card.access_key)


@require_GET
def card_qr(request, access_key: str):
    """htmx: a fresh QR every minute, so the code on screen never outlives its token."""
    response = render(request, "members/_card_qr.html", _qr_context(request, _card(access_key)))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def verify(request):
    form = VerifyForm(request.GET or None)
    result = services.verify_card_token(form.cleaned_data["t"]) if form.is_valid() else None
    response = render(request, "members/verify.html", {"form": form, "result": result})
    response["Cache-Control"] = "no-store"
    return response
