"""Worker-facing pages: no login. The tracking code is the only key to a demand."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from unionhome.core.forms import add_service_errors

from .. import intake, receipts, services
from ..forms import FollowUpForm, IntakeForm, RatingForm, TrackForm
from ..models import DemandReceipt, EventKind, Status


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def intake_from(form) -> intake.Intake:
    data = form.cleaned_data
    return intake.Intake(
        description=data["description"],
        category=data.get("category") or "",
        employer_name=data.get("employer_name") or "",
        region_code=data.get("region_code") or "",
        address=data.get("address") or "",
        anonymous=bool(data.get("anonymous")),
        contact_name=data.get("contact_name") or "",
        contact_phone=data.get("contact_phone") or "",
        urgency=data.get("urgency") or "normal",
        complexity=data.get("complexity") or "general",
        photos=data.get("photos") or [],
    )


@require_http_methods(["GET", "POST"])
def submit(request):
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            tracking_code, _demand = receipts.receive_demand(
                intake_from(form), channel="web", actor=request.user,
                throttle_key=client_ip(request),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("demands_public:track_page", tracking_code=tracking_code)
    return render(request, "demands/public_submit.html", {"form": form})


@require_POST
def suggest(request):
    """Category suggestions while the worker types (htmx)."""
    from unionhome.text.classify import suggest_category

    text = request.POST.get("description", "")[:2000]
    suggestion = suggest_category(text) if len(text.strip()) >= 6 else None
    return render(request, "demands/_suggestion.html", {"suggestion": suggestion})


@require_http_methods(["GET"])
def track(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "demands_public:track_page", tracking_code=form.cleaned_data["code"].strip().upper()
        )
    return render(request, "demands/public_track.html", {"form": form})


@require_http_methods(["GET", "POST"])
def track_page(request, tracking_code: str):
    demand = receipts.find_tracked(tracking_code)
    if isinstance(demand, DemandReceipt):  # acknowledged, still being routed
        return render(request, "demands/public_received.html", {"receipt": demand})
    rating_form = RatingForm(prefix="rate")
    follow_up_form = FollowUpForm(prefix="follow")
    if request.method == "POST":
        try:
            if "rate-rating" in request.POST:
                rating_form = RatingForm(request.POST, prefix="rate")
                if rating_form.is_valid():
                    services.rate_demand(demand.tracking_code, **rating_form.cleaned_data)
                    return redirect("demands_public:track_page", tracking_code=demand.tracking_code)
            elif "follow-still_solved" in request.POST:
                follow_up_form = FollowUpForm(request.POST, prefix="follow")
                if follow_up_form.is_valid():
                    services.answer_follow_up(demand.tracking_code, **follow_up_form.cleaned_data)
                    return redirect("demands_public:track_page", tracking_code=demand.tracking_code)
        except ValidationError as exc:
            add_service_errors(
                rating_form if "rate-rating" in request.POST else follow_up_form, exc
            )
        demand.refresh_from_db()
    events = demand.events.filter(public=True).exclude(kind=EventKind.REMINDED)
    return render(request, "demands/public_tracking.html", {
        "demand": demand, "events": events, "rating_form": rating_form,
        "follow_up_form": follow_up_form,
        "can_rate": demand.status == Status.RESOLVED,
        "can_follow_up": demand.status == Status.CLOSED and demand.follow_up_due is not None,
    })  # fmt: skip
