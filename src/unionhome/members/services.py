"""Member use cases: people, joining, leaving, transfers, cards and benefits.

Rules live here: one active membership per person (also a database constraint), counts on
`Org.member_count` move in the same transaction as the membership that changes them, and every
reveal of an ID number or phone is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Substr, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.core import audit, crypto, throttle
from unionhome.core.models import RoleKind
from unionhome.core.notify import send_sms
from unionhome.core.permissions import covers, require
from unionhome.core.scoping import subtree_q
from unionhome.core.validators import (
    id_birth_date,
    normalise_id_number,
    normalise_phone,
    validate_id_number,
    validate_mobile,
    validate_region_code,
)
from unionhome.orgs.models import Org, OrgKind, OrgLevel
from unionhome.text.normalise import clean_text

from .models import (
    ApplicationStatus,
    Gender,
    Hukou,
    JoinApplication,
    MemberCard,
    Membership,
    MembershipStatus,
    NewEmploymentForm,
    Offer,
    Person,
    Redemption,
    Transfer,
    TransferStatus,
)

ID_PURPOSE = "person-id"
PHONE_PURPOSE = "person-phone"
HANDLER_ROLES = (RoleKind.CADRE, RoleKind.LEADER, RoleKind.ADMIN)
# Who may see unmasked ID numbers and phones (each time audited).
REVEAL_ROLES = (RoleKind.LEADER, RoleKind.ADMIN)
CARD_TOKEN_SALT = "unionhome.member-card"  # noqa: S105 - a signing namespace, not a secret
CARD_TOKEN_MAX_AGE = 300  # seconds: a screenshot of the QR stops working after five minutes
# Orgs a worker may join: grassroots unions and industry/regional federations (for workers with
# no fixed employer, e.g. delivery riders).
JOINABLE = Q(level=OrgLevel.GRASSROOTS) | Q(kind__in=[OrgKind.INDUSTRY, OrgKind.REGIONAL])


def id_index(id_number: str) -> str:
    return crypto.blind_index(ID_PURPOSE, normalise_id_number(id_number))


def phone_index(phone: str) -> str:
    return crypto.blind_index(PHONE_PURPOSE, normalise_phone(phone))


@lru_cache(maxsize=20000)
def _char_pinyin(char: str) -> str:
    from pypinyin import lazy_pinyin  # ~56 MB of dictionaries: load on first use

    return "".join(lazy_pinyin(char)).lower()


def name_pinyin(name: str) -> str:
    """Toneless pinyin, character by character (names are not phrases; caching per character
    makes a 100,000-row roster cheap)."""
    return "".join(_char_pinyin(ch) for ch in name)


# --- Validation ------------------------------------------------------------------------------
@dataclass
class PersonData:
    name: str
    id_number: str
    phone: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    employer_name: str = ""
    job_title: str = ""
    hukou: str = ""
    new_employment: str = ""
    # filled by clean_person (id_index) and by the roster check (name_pinyin)
    id_index: str = field(default="", repr=False)
    name_pinyin: str = field(default="", repr=False)


def gender_from_id(number: str) -> str:
    """GB 11643: the 17th digit is odd for men, even for women."""
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def clean_person(data: PersonData, *, phone_required: bool = False) -> PersonData:
    """Validate and normalise; raises a ValidationError keyed by field with Chinese messages.

    The ID number decides birth date and gender: given values must agree with it."""
    errors: dict[str, list[str]] = {}
    name = clean_text(data.name or "")
    if not name:
        errors["name"] = [_("姓名不能为空。")]
    elif len(name) > 40:
        errors["name"] = [_("姓名最多40个字。")]
    number = normalise_id_number(data.id_number or "")
    birth = data.birth_date
    gender = data.gender
    try:
        validate_id_number(number)
        validate_region_code(number[:6])
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    else:
        derived = id_birth_date(number)
        if birth and birth != derived:
            errors["birth_date"] = [
                _("出生日期%(given)s与身份证号中的%(derived)s不一致。")
                % {"given": birth.isoformat(), "derived": derived.isoformat()}
            ]
        birth = derived
        derived_gender = gender_from_id(number)
        if gender and gender != derived_gender:
            errors["gender"] = [_("性别与身份证号不一致。")]
        gender = derived_gender
    phone = ""
    if data.phone:
        try:
            validate_mobile(data.phone)
            phone = normalise_phone(data.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    elif phone_required:
        errors["phone"] = [_("请填写手机号。")]
    if data.hukou and data.hukou not in Hukou.values:
        errors["hukou"] = [_("户籍类型只能是城镇或农村。")]
    if data.new_employment and data.new_employment not in NewEmploymentForm.values:
        errors["new_employment"] = [_("未知的新就业形态。")]
    if errors:
        raise ValidationError(errors)
    return replace(
        data, name=name, id_number=number, phone=phone, gender=gender, birth_date=birth,
        employer_name=clean_text(data.employer_name or "")[:160],
        job_title=clean_text(data.job_title or "")[:60], id_index=id_index(number),
    )  # fmt: skip


# --- Access ----------------------------------------------------------------------------------
def get_person_for_user(user, code: str) -> Person:
    person = Person.objects.visible_to(user).filter(code=code).select_related("org").first()
    if person is None:
        raise Http404(_("没有找到该职工。"))
    return person


def reveal_person(actor, person: Person, ip_address: str | None = None) -> dict[str, str]:
    """Unmasked ID number and phone for a leader or admin of the person's union; audited."""
    require(actor, person.org_path, REVEAL_ROLES, _("只有工会领导或管理员可以查看完整身份信息。"))
    audit.record(actor, "person.reveal", person, ip_address=ip_address)
    return {"id_number": person.id_number, "phone": person.phone}


def active_membership(person: Person) -> Membership | None:
    return person.memberships.filter(status=MembershipStatus.ACTIVE).select_related("org").first()


# --- Membership ------------------------------------------------------------------------------
def _check_joinable(org: Org) -> None:
    if not Org.objects.filter(JOINABLE, pk=org.pk, is_active=True).exists():
        raise ValidationError({"org": [_("只能加入基层工会或行业性、区域性工会联合会。")]})


def _bump(org_id: int, delta: int) -> None:
    Org.objects.filter(pk=org_id).update(member_count=F("member_count") + delta)


def _activate(person: Person, org: Org, joined_on: dt.date, dues_paid_until=None) -> Membership:
    """The one place a membership starts: person moves to the org, the count goes up."""
    current = active_membership(person)
    if current is not None:
        if current.org_id == org.pk:
            raise ValidationError(_("该职工已是本会在册会员。"), code="already_member")
        raise ValidationError(
            _("该职工已是其他工会的在册会员，请办理会员转接。"), code="member_elsewhere"
        )
    person.org = org
    person.save(update_fields=["org", "org_path"])
    membership = Membership.objects.create(
        org=org, person=person, joined_on=joined_on, dues_paid_until=dues_paid_until
    )
    _bump(org.pk, +1)
    return membership


def _upsert_person(data: PersonData, org: Org) -> Person:
    person = Person.objects.select_for_update().filter(id_index=data.id_index).first()
    if person is None:
        person = Person(org=org, id_index=data.id_index)
    for name in ("name", "gender", "birth_date", "id_number", "employer_name", "job_title",
                 "hukou", "new_employment"):  # fmt: skip
        value = getattr(data, name)
        if value or name in ("name", "gender", "birth_date", "id_number"):
            setattr(person, name, value)
    if data.phone:
        person.phone = data.phone
        person.phone_index = phone_index(data.phone)
    person.name_pinyin = name_pinyin(person.name)
    person.save()
    return person


@transaction.atomic
def add_member(actor, org: Org, data: PersonData, *, joined_on: dt.date | None = None,
               dues_paid_until: dt.date | None = None) -> Membership:  # fmt: skip
    """A union registers a member directly (paper form, roster clerk)."""
    require(actor, org.path, HANDLER_ROLES)
    _check_joinable(org)
    data = clean_person(data)
    person = _upsert_person(data, org)
    membership = _activate(person, org, joined_on or timezone.localdate(), dues_paid_until)
    audit.record(actor, "member.add", person, org_path=org.path)
    return membership


@transaction.atomic
def end_membership(actor, membership: Membership, reason: str) -> Membership:
    """退会: the membership ends, history stays, the count goes down."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    require(actor, membership.org_path, HANDLER_ROLES)
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("该会员关系已结束。"))
    membership.status = MembershipStatus.LEFT
    membership.ended_on = timezone.localdate()
    membership.save(update_fields=["status", "ended_on"])
    _bump(membership.org_id, -1)
    audit.record(actor, "member.leave", membership.person, org_path=membership.org_path,
                 detail={"reason": clean_text(reason or "")[:200]})  # fmt: skip
    return membership


# --- Joining online (入会) -------------------------------------------------------------------
def joinable_orgs(query: str, limit: int = 20):
    """Unions a worker may pick when joining: search by name, Simplified or Traditional."""
    from unionhome.text.normalise import normalise_for_search

    needle = normalise_for_search(query)
    orgs = Org.objects.filter(JOINABLE, is_active=True)
    if needle:
        orgs = orgs.filter(search_text__contains=needle)
    return list(orgs.order_by("path")[:limit])


@transaction.atomic
def submit_application(org: Org, data: PersonData, *, throttle_key: str = "") -> JoinApplication:
    """A worker applies online; the union decides. No account is needed: the application code
    is the worker's key to its status (and, once approved, to the member card)."""
    _check_joinable(org)
    data = clean_person(data, phone_required=True)
    message = _("提交过于频繁，请一小时后再试。")
    if throttle_key:
        throttle.limit("join", f"ip:{throttle_key}", per_hour=settings.UNIONHOME_INTAKE_LIMIT_PER_HOUR,
                       message=message)  # fmt: skip
    throttle.limit("join", f"phone:{data.phone}", per_hour=5, message=message)
    person = Person.objects.filter(id_index=data.id_index).first()
    if person is not None and active_membership(person) is not None:
        raise ValidationError(
            _("您已是工会在册会员；如需转到其他工会，请通过原工会办理会员转接。"),
            code="member_elsewhere",
        )
    if JoinApplication.objects.filter(org=org, id_index=data.id_index, status="pending").exists():
        raise ValidationError(_("您已向该工会提交过申请，正在审核中。"), code="duplicate")
    application = JoinApplication.objects.create(
        org=org, name=data.name, gender=data.gender, birth_date=data.birth_date,
        id_number=data.id_number, id_index=data.id_index, phone=data.phone,
        employer_name=data.employer_name, job_title=data.job_title,
        new_employment=data.new_employment,
    )  # fmt: skip
    return application


@transaction.atomic
def approve_application(actor, application: JoinApplication) -> Membership:
    application = JoinApplication.objects.select_for_update().get(pk=application.pk)
    require(actor, application.org_path, HANDLER_ROLES)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("该申请已处理。"))
    data = clean_person(PersonData(
        name=application.name, id_number=application.id_number, phone=application.phone,
        gender=application.gender, birth_date=application.birth_date,
        employer_name=application.employer_name, job_title=application.job_title,
        new_employment=application.new_employment,
    ))  # fmt: skip
    person = _upsert_person(data, application.org)
    membership = _activate(person, application.org, timezone.localdate())
    card = issue_card(person)
    application.status = ApplicationStatus.APPROVED
    application.person = person
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "person", "decided_by", "decided_at"])
    audit.record(actor, "member.join_approved", person, org_path=application.org_path)
    send_sms(person.phone, _("您已成为%(org)s会员。会员卡：%(url)s")
             % {"org": application.org.name, "url": card_url(card)})  # fmt: skip
    return membership


@transaction.atomic
def refuse_application(actor, application: JoinApplication, reason: str) -> JoinApplication:
    application = JoinApplication.objects.select_for_update().get(pk=application.pk)
    require(actor, application.org_path, HANDLER_ROLES)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("该申请已处理。"))
    reason = clean_text(reason or "")
    if not reason:
        raise ValidationError({"reason": [_("请说明不予批准的理由，职工会收到这条说明。")]})
    application.status = ApplicationStatus.REFUSED
    application.reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    send_sms(application.phone, _("您申请加入%(org)s未获批准：%(reason)s")
             % {"org": application.org.name, "reason": reason})  # fmt: skip
    return application


# --- Transfers (会员转接) --------------------------------------------------------------------
@transaction.atomic
def request_transfer(actor, person: Person, to_org: Org, reason: str = "", *,
                     by_member: bool = False) -> Transfer:  # fmt: skip
    """The sending union (or the member, from their card page) asks another union anywhere in
    the tree to take the member. Nothing changes until the receiver confirms."""
    membership = (
        Membership.objects.select_for_update()
        .filter(person=person, status=MembershipStatus.ACTIVE)
        .first()
    )
    if membership is None:
        raise ValidationError(_("该职工没有在册的会员关系。"))
    if not by_member:
        require(actor, membership.org_path, HANDLER_ROLES)
    _check_joinable(to_org)
    if to_org.pk == membership.org_id:
        raise ValidationError({"to_org": [_("转入工会与现所在工会相同。")]})
    if Transfer.objects.filter(person=person, status=TransferStatus.PENDING).exists():
        raise ValidationError(_("已有一条待接收的转接申请。"))
    transfer = Transfer.objects.create(
        org=membership.org, person=person, membership=membership, to_org=to_org,
        reason=clean_text(reason or "")[:500], requested_by=actor if not by_member else None,
    )  # fmt: skip
    return transfer


@transaction.atomic
def confirm_transfer(actor, transfer: Transfer) -> Membership:
    """The receiving union confirms: the old membership ends as transferred and the new one
    starts, and both counts move, in one transaction."""
    transfer = (
        Transfer.objects.select_for_update().select_related("person", "to_org").get(pk=transfer.pk)
    )
    require(actor, transfer.to_org_path, HANDLER_ROLES)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("该转接已处理。"))
    old = Membership.objects.select_for_update().get(pk=transfer.membership_id)
    if old.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("原会员关系已结束，无法转接。"))
    today = timezone.localdate()
    old.status = MembershipStatus.TRANSFERRED
    old.ended_on = today
    old.save(update_fields=["status", "ended_on"])
    _bump(old.org_id, -1)
    new = _activate(transfer.person, transfer.to_org, today, old.dues_paid_until)
    transfer.status = TransferStatus.CONFIRMED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(actor, "member.transfer", transfer.person, org_path=transfer.to_org_path,
                 detail={"from": old.org.code, "to": transfer.to_org.code})  # fmt: skip
    return new


@transaction.atomic
def refuse_transfer(actor, transfer: Transfer, note: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    require(actor, transfer.to_org_path, HANDLER_ROLES)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("该转接已处理。"))
    note = clean_text(note or "")
    if not note:
        raise ValidationError({"note": [_("请说明不予接收的理由。")]})
    transfer.status = TransferStatus.REFUSED
    transfer.decision_note = note
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    return transfer


# --- Member cards ----------------------------------------------------------------------------
def luhn_check_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card_number_is_valid(number: str) -> bool:
    return len(number) == 16 and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def issue_card(person: Person) -> MemberCard:
    """The person's card (one per person; kept across transfers)."""
    existing = MemberCard.objects.filter(person=person).first()
    if existing is not None:
        return existing
    while True:
        body = "6" + "".join(secrets.choice("0123456789") for _ in range(14))
        number = body + luhn_check_digit(body)
        if not MemberCard.objects.filter(number=number).exists():
            break
    return MemberCard.objects.create(person=person, number=number,
                                     access_key=secrets.token_urlsafe(24))  # fmt: skip


def card_url(card: MemberCard) -> str:
    return f"/m/card/{card.access_key}/"


def card_token(card: MemberCard) -> str:
    """What the QR code carries: the card number, signed and timestamped. No personal data."""
    return signing.TimestampSigner(salt=CARD_TOKEN_SALT).sign(card.number)


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    org_name: str = ""
    card: MemberCard | None = None


def verify_card_token(token: str, *, max_age: int = CARD_TOKEN_MAX_AGE) -> Verification:
    """Is this a current member, and of which union? Never says who."""
    signer = signing.TimestampSigner(salt=CARD_TOKEN_SALT)
    try:
        number = signer.unsign(token.strip(), max_age=max_age)
    except signing.SignatureExpired:
        return Verification(False, _("二维码已过期，请会员刷新会员卡页面。"))
    except signing.BadSignature:
        return Verification(False, _("二维码无效。"))
    card = MemberCard.objects.filter(number=number, is_active=True).select_related("person").first()
    if card is None:
        return Verification(False, _("会员卡已停用。"))
    membership = active_membership(card.person)
    if membership is None:
        return Verification(False, _("持卡人目前不是在册会员。"))
    return Verification(True, _("有效会员"), membership.org.name, card)


def offers_for(person: Person, on: dt.date | None = None):
    """Offers of the member's union and every union above it (benefits are inherited)."""
    membership = active_membership(person)
    if membership is None:
        return Offer.objects.none()
    on = on or timezone.localdate()
    path = membership.org_path
    ancestors = [path[:i] for i in range(4, len(path) + 1, 4)]
    return (
        Offer.objects.filter(
            org_path__in=ancestors,
            is_active=True,
            merchant__is_active=True,
            valid_from__lte=on,
            valid_until__gte=on,
        )
        .select_related("merchant", "org")
        .order_by("valid_until")
    )


@transaction.atomic
def redeem_offer(token: str, offer: Offer) -> Redemption:
    """Record a use of an offer by a verified member it applies to."""
    verification = verify_card_token(token)
    if not verification.valid:
        raise ValidationError(verification.reason)
    if not offers_for(verification.card.person).filter(pk=offer.pk).exists():
        raise ValidationError(_("该优惠不适用于此会员。"))
    return Redemption.objects.create(card=verification.card, offer=offer)


# --- Counts ----------------------------------------------------------------------------------
def new_employment_totals(parent_path: str, prefix_length: int) -> dict[str, int]:
    """Active new-employment-form members per subtree, for the org-tree page."""
    rows = (
        Membership.objects.filter(subtree_q("org_path", [parent_path]),
                                  status=MembershipStatus.ACTIVE)
        .exclude(person__new_employment="")
        .annotate(prefix=Substr("org_path", 1, prefix_length))
        .order_by()
        .values("prefix")
        .annotate(n=Count("id"))
    )  # fmt: skip
    return {row["prefix"]: row["n"] for row in rows}


def monthly_movements(user, org: Org, months: int = 12) -> list[dict]:
    """Joins, transfers in/out and departures per month in an org's subtree."""
    if not covers(user, org.path):
        raise Http404
    since = (timezone.localdate().replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(
        day=1
    )
    scoped = Membership.objects.in_subtree(org.path)
    joined = (scoped.filter(joined_on__gte=since).annotate(m=TruncMonth("joined_on")).order_by()
              .values("m").annotate(n=Count("id")))  # fmt: skip
    ended = (scoped.filter(ended_on__gte=since).annotate(m=TruncMonth("ended_on")).order_by()
             .values("m", "status").annotate(n=Count("id")))  # fmt: skip
    table: dict[dt.date, dict] = {}
    for row in joined:
        table.setdefault(row["m"], {"month": row["m"], "joined": 0, "transferred": 0, "left": 0})
        table[row["m"]]["joined"] += row["n"]
    for row in ended:
        table.setdefault(row["m"], {"month": row["m"], "joined": 0, "transferred": 0, "left": 0})
        table[row["m"]]["transferred" if row["status"] == "transferred" else "left"] += row["n"]
    return [table[m] for m in sorted(table)]


def recount_members() -> dict[str, int]:
    """Rebuild every `Org.member_count` from active memberships; returns orgs corrected."""
    actual = dict(
        Membership.objects.filter(status=MembershipStatus.ACTIVE).order_by()
        .values_list("org_id").annotate(n=Count("id"))
    )  # fmt: skip
    corrected = 0
    with transaction.atomic():
        for org_id, stored in Org.objects.values_list("pk", "member_count"):
            if stored != actual.get(org_id, 0):
                Org.objects.filter(pk=org_id).update(member_count=actual.get(org_id, 0))
                corrected += 1
    return {"corrected": corrected}


def require_reveal(user, org: Org) -> None:
    require(user, org.path, REVEAL_ROLES, _("只有工会领导或管理员可以查看完整身份信息。"))


def ensure_can_handle(actor, org: Org) -> None:
    if not covers(actor, org.path, HANDLER_ROLES):
        raise PermissionDenied(_("您没有办理该工会会员业务的权限。"))


def workplace_points(org_path: str):
    """WGS-84 workplaces of active members in a subtree (for service-station coverage)."""
    rows = (
        Membership.objects.in_subtree(org_path)
        .filter(status=MembershipStatus.ACTIVE, person__work_latitude__isnull=False,
                person__work_longitude__isnull=False)
        .order_by()
        .values_list("person__work_latitude", "person__work_longitude")
    )  # fmt: skip
    for lat, lng in rows.iterator(chunk_size=2000):
        yield float(lat), float(lng)


def resolve_card_token(token: str) -> str | None:
    """For station check-ins: an opaque reference to a current member's card, never who it is."""
    verification = verify_card_token(token)
    return f"card:{verification.card.number}" if verification.valid else None
