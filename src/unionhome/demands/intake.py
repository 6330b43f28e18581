"""Demand intake: a worker's submission from any channel checked, rate-limited, routed, given
its deadlines, compared with the employer's recent demands and recorded. `submit_demand` is the
one path for every channel; the web receipts (`receipts`) run the same steps
(`accept_intake`, `limit_intake`, `build_demand`, `store_demands`) in batches. Views, the API,
Open311, management commands and demo loaders call these services, never the models directly;
handling a demand once it exists is in `services`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.core import crypto, throttle
from unionhome.core.notify import notify_users
from unionhome.core.validators import normalise_phone, validate_mobile, validate_region_code
from unionhome.text.categories import DemandCategory
from unionhome.text.normalise import clean_text, normalise_for_search

from . import deadlines, routing
from .models import (
    DESCRIPTION_MAX,
    OPEN_STATUSES,
    Attachment,
    Channel,
    Complexity,
    Demand,
    DemandEvent,
    EventKind,
    Status,
    Urgency,
)
from .services import DESCRIPTION_MIN, CheckedPhoto, _org_cadres, check_photo, index_search_text

PHONE_INDEX_PURPOSE = "demand-contact-phone"
DUPLICATE_WINDOW = dt.timedelta(days=30)
DUPLICATE_SIMILARITY = 0.5
DUPLICATE_CANDIDATES = 60  # the employer's most recent demands a new one is compared with


def phone_index(phone: str) -> str:
    return crypto.blind_index(PHONE_INDEX_PURPOSE, normalise_phone(phone))


@dataclass
class Intake:
    description: str
    category: str = ""
    employer_name: str = ""
    region_code: str = ""
    address: str = ""
    anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    urgency: str = Urgency.NORMAL
    complexity: str = Complexity.GENERAL
    photos: list = field(default_factory=list)
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _throttle(*keys: str) -> None:
    throttle.limit(
        "intake", *keys, per_hour=settings.UNIONHOME_INTAKE_LIMIT_PER_HOUR,
        message=_("提交过于频繁，请一小时后再试；紧急情况请拨打12351职工服务热线。"),
    )  # fmt: skip


def validate_intake(data: Intake) -> tuple[Intake, list[CheckedPhoto]]:
    """Every intake channel's rules in one place; returns cleaned data or raises field errors."""
    from unionhome.text import spam  # keep web workers light until used

    errors: dict[str, list] = {}
    description = clean_text(data.description or "")
    if len(description) < DESCRIPTION_MIN:
        errors.setdefault("description", []).append(
            _("请把诉求写清楚，至少%(n)d个字。") % {"n": DESCRIPTION_MIN}
        )
    elif len(description) > DESCRIPTION_MAX:
        errors.setdefault("description", []).append(
            _("诉求内容最多%(max)d个字，现在有%(n)d个字；请精简，或分成几条提交。")
            % {"max": DESCRIPTION_MAX, "n": len(description)}
        )
    elif spam.is_spam(description):
        errors.setdefault("description", []).append(
            _("内容被识别为广告或无效信息：%(why)s。")
            % {"why": "；".join(spam.spam_reasons(description))}
        )
    if data.category and data.category not in DemandCategory.values:
        errors.setdefault("category", []).append(_("未知的诉求类别。"))
    if data.urgency not in Urgency.values:
        errors.setdefault("urgency", []).append(_("未知的紧急程度。"))
    if data.complexity not in Complexity.values:
        errors.setdefault("complexity", []).append(_("未知的复杂程度。"))
    region_code = (data.region_code or "").strip()
    if region_code:
        try:
            validate_region_code(region_code)
        except ValidationError as exc:
            errors.setdefault("region_code", []).extend(exc.messages)
    contact_phone = ""
    contact_name = ""
    if not data.anonymous:
        contact_name = clean_text(data.contact_name or "")[:40]
        if not data.contact_phone:
            errors.setdefault("contact_phone", []).append(
                _("请留下联系电话，以便工会与您联系；不想留下身份可选择匿名。")
            )
        else:
            try:
                validate_mobile(data.contact_phone)
                contact_phone = normalise_phone(data.contact_phone)
            except ValidationError as exc:
                errors.setdefault("contact_phone", []).extend(exc.messages)
    if (data.latitude is None) != (data.longitude is None):
        errors.setdefault("latitude", []).append(_("经纬度需要同时提供。"))
    elif data.latitude is not None and not (
        -90 <= data.latitude <= 90 and -180 <= data.longitude <= 180
    ):
        errors.setdefault("latitude", []).append(_("经纬度超出范围。"))
    photos: list[CheckedPhoto] = []
    if len(data.photos) > settings.UNIONHOME_PHOTO_MAX_COUNT:
        errors.setdefault("photos", []).append(
            _("最多上传%(n)d张照片。") % {"n": settings.UNIONHOME_PHOTO_MAX_COUNT}
        )
    else:
        for upload in data.photos:
            try:
                photos.append(check_photo(upload))
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    cleaned = Intake(
        description=description,
        category=data.category,
        employer_name=clean_text(data.employer_name or "")[:160],
        region_code=region_code,
        address=clean_text(data.address or "")[:200],
        anonymous=data.anonymous,
        contact_name=contact_name,
        contact_phone=contact_phone,
        urgency=data.urgency,
        complexity=data.complexity,
        latitude=data.latitude,
        longitude=data.longitude,
    )
    return cleaned, photos


def _grams(text: str) -> set[str]:
    text = text.replace(" ", "")
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def duplicate_among(mine_text: str, candidates, grams: dict | None = None) -> int | None:
    """The pk of the most similar of `candidates` ((pk, search_text), newest first) whose bigram
    Jaccard similarity with `mine_text` reaches DUPLICATE_SIMILARITY, else None. `grams` keeps
    the candidates' bigrams between calls (a batch compares many texts with the same ones)."""
    grams = {} if grams is None else grams
    mine = _grams(mine_text)
    # Jaccard ≥ s needs |theirs| ≥ s·|mine|, and a text has fewer bigrams than characters:
    # texts that short are skipped before their bigrams are built.
    shortest = DUPLICATE_SIMILARITY * len(mine) + 1
    best, best_score = None, DUPLICATE_SIMILARITY
    for pk, text in candidates:
        if len(text) < shortest:
            continue
        theirs = grams.get(pk)
        if theirs is None:
            theirs = grams[pk] = _grams(text)
        shared = len(mine & theirs)  # the union is the rest: no second set built
        score = shared / (len(mine) + len(theirs) - shared)
        if score >= best_score:
            best, best_score = pk, score
    return best


def duplicate_candidates(demand: Demand) -> list[tuple[int, str]]:
    since = demand.created_at - DUPLICATE_WINDOW
    candidates = Demand.objects.filter(created_at__gte=since, status__in=OPEN_STATUSES)
    if demand.pk is not None:
        candidates = candidates.exclude(pk=demand.pk)
    if demand.employer_org_id:
        candidates = candidates.filter(employer_org_id=demand.employer_org_id)
    else:
        candidates = candidates.filter(employer_name=demand.employer_name)
    # Plain rows, the new text's bigrams once. The most recent 60 about the employer: a worker
    # re-sending a complaint does it within days; comparing with hundreds of a big factory's
    # month was a fifth of the submission's time.
    return list(
        candidates.order_by("-created_at").values_list("pk", "search_text")[:DUPLICATE_CANDIDATES]
    )


def find_likely_duplicate(demand: Demand) -> Demand | None:
    """An open demand about the same employer in the last 30 days with similar text."""
    if demand.employer_org_id is None and not demand.employer_name:
        return None
    best = duplicate_among(demand.search_text, duplicate_candidates(demand))
    return Demand.objects.get(pk=best) if best is not None else None


@dataclass
class AcceptedIntake:
    """One validated submission on its way to becoming a demand."""

    cleaned: Intake
    channel: str
    actor: object = None  # the signed-in user, else None
    photos: list = field(default_factory=list)
    received_at: dt.datetime | None = None
    tracking_code: str = ""
    code: str = ""


@dataclass
class BuiltDemand:
    demand: Demand
    suggestion: object
    decision: routing.RoutingDecision
    staff_entry: bool
    photos: list


def build_demand(item: AcceptedIntake, routes: routing.RoutingBatch | None = None) -> BuiltDemand:
    """Everything that only reads: category suggestion, routing (its lookups shared by a
    batch's `routes`), deadlines, the unsaved demand."""
    from unionhome.text.classify import suggest_category  # loads a model

    cleaned, actor = item.cleaned, item.actor
    suggestion = suggest_category(cleaned.description)
    decision = (routes.route if routes is not None else routing.route)(
        employer_name=cleaned.employer_name, region_code=cleaned.region_code,
        address=cleaned.address,
    )  # fmt: skip
    now = item.received_at or timezone.now()
    category = cleaned.category or suggestion.code
    due = deadlines.compute(now, category, cleaned.urgency, cleaned.complexity)
    signed_in = actor is not None and actor.is_authenticated
    staff_entry = signed_in and item.channel == Channel.HOTLINE
    demand = Demand(
        org=decision.org,
        category=category,
        suggested_category=suggestion.code,
        urgency=cleaned.urgency,
        complexity=cleaned.complexity,
        channel=item.channel,
        description=cleaned.description,
        search_text=normalise_for_search(f"{cleaned.description} {cleaned.employer_name}"),
        employer_name=cleaned.employer_name,
        employer_org=decision.employer_org,
        region_code=decision.region_code or cleaned.region_code,
        address=cleaned.address,
        latitude=cleaned.latitude,
        longitude=cleaned.longitude,
        anonymous=cleaned.anonymous,
        contact_name="" if cleaned.anonymous else cleaned.contact_name,
        contact_phone="" if cleaned.anonymous else cleaned.contact_phone,
        contact_phone_index="" if cleaned.anonymous else phone_index(cleaned.contact_phone),
        submitter=actor if signed_in and not (cleaned.anonymous or staff_entry) else None,
        entered_by=actor if staff_entry else None,
        ack_deadline=due.acknowledge,
        resolve_deadline=due.resolve,
        created_at=now,
        # A receipt's codes, which the worker already holds; otherwise new random ones.
        **({"tracking_code": item.tracking_code, "code": item.code} if item.tracking_code else {}),
    )
    # Random codes: the unique constraints catch the one-in-10¹⁵ clash; no lookups beforehand.
    # The related rows were just read (routing, the signed-in user): no query to re-check each
    # one (the foreign keys still do, in the INSERT).
    demand.full_clean(
        exclude=["org", "org_path", "employer_org", "submitter", "entered_by"],
        validate_unique=False, validate_constraints=False,
    )  # fmt: skip
    return BuiltDemand(demand, suggestion, decision, staff_entry, item.photos)


def store_demands(built: list[BuiltDemand]) -> list[Demand]:
    """The writes, inside the caller's transaction: demands, postings, photos, both events of
    each, the owning unions' cadres' notifications."""
    demands = [b.demand for b in built]
    for demand in demands:
        demand.org_path = demand.org.path  # what OrgScopedModel.save would set
        pre_save.send(sender=Demand, instance=demand, raw=False, using="default",
                      update_fields=None)  # fmt: skip
    # One INSERT for the batch; the save signals (roll-ups, the early-warning check) are sent
    # as `save()` would send them.
    Demand.objects.bulk_create(demands)
    for demand in demands:
        post_save.send(sender=Demand, instance=demand, created=True, raw=False, using="default",
                       update_fields=None)  # fmt: skip
    index_search_text(demands)
    events, cadres, notes = [], {}, []
    for b in built:
        demand, decision = b.demand, b.decision
        for photo in b.photos:
            attachment = Attachment(demand=demand, content_type=photo.content_type,
                                    extension=photo.extension, size=len(photo.content),
                                    width=photo.width, height=photo.height)  # fmt: skip
            attachment.file.save(f"x.{photo.extension}", ContentFile(photo.content), save=False)
            attachment.save()
        actor = demand.entered_by or demand.submitter
        events += [
            DemandEvent(demand=demand, kind=EventKind.SUBMITTED, actor=actor,
                        actor_label=str(_("12351热线代录") if b.staff_entry else _("职工")),
                        to_status=Status.SUBMITTED, message=_("诉求已提交。"),
                        detail={"channel": demand.channel, "suggested": b.suggestion.code,
                                "confidence": round(b.suggestion.confidence, 3)}),
            DemandEvent(demand=demand, kind=EventKind.ROUTED, actor_label=_("系统"),
                        to_org=decision.org, reason=decision.reason,
                        message=_("已分派至%(org)s。") % {"org": decision.org.name},
                        detail={"method": decision.method}),
        ]  # fmt: skip
        if decision.org.pk not in cadres:
            cadres[decision.org.pk] = _org_cadres(decision.org)
        notes.append((cadres[decision.org.pk], demand))
    DemandEvent.objects.bulk_create(events)  # all in one INSERT
    for users, demand in notes:
        notify_users(
            users,
            _("新诉求 %(code)s：%(category)s") % {"code": demand.code,
                                                  "category": DemandCategory(demand.category).label},
            demand.description[:120],
            f"/demands/{demand.code}/",
        )  # fmt: skip
    return demands


def accept_intake(data: Intake, *, channel: str, actor) -> AcceptedIntake:
    """Every channel's validation (`validate_intake`) and a known channel; no writes."""
    if channel not in Channel.values:
        raise ValidationError(_("未知的渠道。"))
    cleaned, photos = validate_intake(data)
    signed_in = actor is not None and actor.is_authenticated
    return AcceptedIntake(cleaned, channel, actor if signed_in else None, photos)


def limit_intake(item: AcceptedIntake, throttle_key: str) -> None:
    """The intake rate limit, per IP (`throttle_key`) and per phone; raises past it."""
    _throttle(*([f"ip:{throttle_key}"] if throttle_key else []),
              *([f"phone:{item.cleaned.contact_phone}"] if item.cleaned.contact_phone else []))  # fmt: skip


def submit_demand(data: Intake, *, channel: str, actor=None, throttle_key: str = "") -> Demand:
    """Take a worker's demand from any channel: validate, route, set deadlines, record.

    Commits before returning, so a tracking code shown to the worker always exists. An anonymous
    demand stores no identity at all (a constraint enforces it). Classifying and routing only
    read, so they run before the write transaction: a slow first use (loading the model) never
    holds SQLite's write lock."""
    item = accept_intake(data, channel=channel, actor=actor)
    limit_intake(item, throttle_key)
    built = build_demand(item)
    # A read, like routing: before the write transaction, and in the same INSERT.
    built.demand.possible_duplicate_of = find_likely_duplicate(built.demand)
    with transaction.atomic():
        return store_demands([built])[0]
