"""Hardship use cases: the file, its review, pairing and follow-ups, aid grants, exit and relapse,
and the reports.

Every write runs in one transaction, takes the acting user, checks the role on the right level
of the tree, writes an immutable `CaseEvent`, and notifies after commit. Amounts are Decimal yuan
with two places; a fund's row is locked while a grant is checked against it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.core import audit, crypto
from unionhome.core.models import Role, RoleKind
from unionhome.core.notify import notify_users
from unionhome.core.permissions import covers
from unionhome.core.scoping import subtree_q
from unionhome.core.validators import (
    normalise_id_number,
    normalise_phone,
    validate_id_number,
    validate_mobile,
)
from unionhome.orgs.models import LEVEL_RANK, Org, OrgLevel
from unionhome.text.normalise import clean_text

from . import eligibility
from .eligibility import Assessment, HouseholdFacts, MemberFacts, Threshold
from .models import (
    CENT,
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    CaseDocument,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    Cause,
    DocumentKind,
    Employment,
    ExitReason,
    FollowUp,
    FollowUpKind,
    Fund,
    FundKind,
    Grant,
    HardshipCase,
    HardshipLevel,
    Health,
    HouseholdMember,
    Housing,
    PaymentStatus,
    RegionalThreshold,
    Relation,
    Schooling,
)

# The same purpose as members.Person's index: one person has one digest across the system.
ID_PURPOSE = "person-id"
WORK_ROLES = (RoleKind.CADRE, RoleKind.LEADER, RoleKind.ADMIN)
# Who may see the unmasked file (each time audited).
REVEAL_ROLES = (RoleKind.LEADER, RoleKind.ADMIN)
# The county union (县级工会) approves files proposed below it.
APPROVING_LEVEL = OrgLevel.COUNTY
FOLLOW_UP_MONTHS = {HardshipLevel.DEEP: 1, HardshipLevel.ACCIDENT: 1, HardshipLevel.RELATIVE: 3}
FIRST_VISIT_DAYS = 7  # 结对后一周内首次走访
DUE_SOON_DAYS = 7
WATCH_MONTHS = 12
WATCH_CHECK_MONTHS = 3
MAX_AMOUNT = Decimal("9999999999.99")
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def id_index(id_number: str) -> str:
    return crypto.blind_index(ID_PURPOSE, normalise_id_number(id_number))


# --- Money -----------------------------------------------------------------------------------
def parse_amount(value, *, field_name: str = "amount", allow_zero: bool = False) -> Decimal:
    """A yuan amount: a number, not negative (or zero unless allowed), at most two decimals."""
    try:
        amount = (
            value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
        )
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: [_("请填写金额（元），例如 1200.50。")]}) from None
    if not amount.is_finite():
        raise ValidationError({field_name: [_("请填写金额（元），例如 1200.50。")]})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field_name: [_("金额必须大于0。") if not allow_zero
                                            else _("金额不能为负数。")]})  # fmt: skip
    if amount != amount.quantize(CENT):
        raise ValidationError({field_name: [_("金额最多保留两位小数（精确到分）。")]})
    if amount > MAX_AMOUNT:
        raise ValidationError({field_name: [_("金额过大，请核对。")]})
    return amount.quantize(CENT)


# --- Access ----------------------------------------------------------------------------------
def get_case_for_user(user, code: str, *, write: bool = False) -> HardshipCase:
    """The file if the user's roles cover it; 404 alike for missing and not yours."""
    case = (
        HardshipCase.objects.visible_to(user)
        .filter(code=code)
        .select_related("org", "responsible", "demand")
        .first()
    )
    if case is None:
        raise Http404(_("没有找到该档案。"))
    if write and not covers(user, case.org_path, WORK_ROLES):
        raise PermissionDenied(_("您对该档案只有查看权限。"))
    return case


def can_reveal(user, case: HardshipCase) -> bool:
    return covers(user, case.org_path, REVEAL_ROLES)


def record_view(actor, case: HardshipCase, *, ip_address: str | None = None, via: str = "page"):
    """Every view of a file is audited, masked or not (an API key is named in the detail)."""
    detail = {"via": via}
    if getattr(actor, "pk", None) is None:
        detail["principal"] = str(actor)
        actor = None
    audit.record(actor, "hardship.view", case, ip_address=ip_address, detail=detail)


def reveal_case(actor, case: HardshipCase, *, ip_address: str | None = None) -> None:
    """Leaders and admins may see the unmasked file; each reveal is audited."""
    if not can_reveal(actor, case):
        raise PermissionDenied(_("只有领导或管理员可以查看完整信息。"))
    audit.record(actor, "hardship.reveal", case, ip_address=ip_address)


def approving_org(org: Org) -> Org:
    """The county union above (or at) the file's org; a file held higher up is approved there."""
    chain = [*Org.objects.get_ancestors(org), org]
    for node in reversed(chain):
        if node.level == APPROVING_LEVEL:
            return node
    if LEVEL_RANK[org.level] < LEVEL_RANK[APPROVING_LEVEL]:
        return org
    return chain[0]


def can_approve(user, case: HardshipCase) -> bool:
    return covers(user, approving_org(case.org).path, WORK_ROLES)


def region_code_for(org: Org) -> str:
    for node in reversed([*Org.objects.get_ancestors(org), org]):
        if node.region_code:
            return node.region_code
    return ""


def find_threshold(org: Org, year: int) -> Threshold:
    """The most specific region (county, then city, then province) with lines for the year, or
    its latest earlier year; a clear error when an admin has not entered any."""
    code = region_code_for(org)
    candidates = [
        c for c in dict.fromkeys([code, code[:4] + "00", code[:2] + "0000"]) if c.strip("0")
    ]
    rows = RegionalThreshold.objects.filter(region_code__in=candidates, year__lte=year)
    for candidate in candidates:
        row = rows.filter(region_code=candidate).order_by("-year").first()
        if row is not None:
            return Threshold(row.region_code, row.year, row.minimum_living, row.low_income_line)
    raise ValidationError(
        _("没有%(region)s地区%(year)d年及以前的困难认定标准，请管理员先在后台维护。")
        % {"region": code or _("（未设置行政区划）"), "year": year},
        code="no_threshold",
    )


# --- The file --------------------------------------------------------------------------------
@dataclass
class MemberData:
    relation: str
    name: str
    age: int
    health: str
    employment: str
    schooling: str = Schooling.NONE
    health_note: str = ""


@dataclass
class CaseData:
    name: str
    id_number: str
    monthly_income: Decimal | str
    causes: list[str]
    housing: str
    members: list[MemberData] = field(default_factory=list)
    phone: str = ""
    address: str = ""
    employer_name: str = ""
    situation: str = ""
    debts: Decimal | str | None = None


def _clean(data: CaseData) -> CaseData:
    """Validate a file's input; raises a ValidationError keyed by field, in Chinese."""
    errors: dict[str, list[str]] = {}

    def fail(name, message):
        errors.setdefault(name, []).append(message)

    name = clean_text(data.name or "")
    if not name:
        fail("name", _("请填写姓名。"))
    number = normalise_id_number(data.id_number or "")
    try:
        validate_id_number(number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    phone = ""
    if data.phone:
        try:
            validate_mobile(data.phone)
            phone = normalise_phone(data.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    income = debts = None
    try:
        income = parse_amount(data.monthly_income, field_name="monthly_income", allow_zero=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if data.debts not in (None, ""):
        try:
            debts = parse_amount(data.debts, field_name="debts", allow_zero=True)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    causes = list(dict.fromkeys(data.causes or []))
    if not causes:
        fail("causes", _("请至少选择一项致困原因。"))
    elif set(causes) - set(Cause.values):
        fail("causes", _("未知的致困原因。"))
    if data.housing not in Housing.values:
        fail("housing", _("请选择住房情况。"))
    members = []
    for i, m in enumerate(data.members, start=1):
        prefix = _("第%(n)d位家庭成员：") % {"n": i}
        m_name = clean_text(m.name or "")
        if not m_name:
            fail("members", prefix + _("请填写姓名。"))
        if (
            m.relation not in Relation.values
            or m.health not in Health.values
            or (m.employment not in Employment.values or m.schooling not in Schooling.values)
        ):
            fail("members", prefix + _("请选择关系、健康、就学和就业情况。"))
        if m.age is None or not 0 <= int(m.age) <= 120:
            fail("members", prefix + _("年龄应在0到120之间。"))
        members.append(MemberData(m.relation, m_name[:40], int(m.age or 0), m.health,
                                  m.employment, m.schooling, clean_text(m.health_note or "")[:500]))  # fmt: skip
    if not members:
        fail("members", _("请至少登记一位家庭成员（含本人）。"))
    elif sum(m.relation == Relation.SELF for m in members) != 1:
        fail("members", _("家庭成员中应有且只有一位“本人”。"))
    if errors:
        raise ValidationError(errors)
    return CaseData(
        name=name[:40], id_number=number, monthly_income=income, causes=causes,
        housing=data.housing, members=members, phone=phone,
        address=clean_text(data.address or "")[:200],
        employer_name=clean_text(data.employer_name or "")[:160],
        situation=clean_text(data.situation or "")[:5000], debts=debts,
    )  # fmt: skip


def facts_of(data: CaseData) -> HouseholdFacts:
    return HouseholdFacts(
        monthly_income=Decimal(data.monthly_income), household_size=max(len(data.members), 1),
        causes=tuple(data.causes), debts=None if data.debts is None else Decimal(data.debts),
        members=tuple(MemberFacts(m.health, m.employment) for m in data.members),
    )  # fmt: skip


def case_facts(case: HardshipCase) -> HouseholdFacts:
    members = tuple(MemberFacts(m.health, m.employment) for m in case.members.all())
    return HouseholdFacts(monthly_income=case.monthly_income, household_size=case.household_size,
                          causes=tuple(case.causes), debts=case.debts, members=members)  # fmt: skip


def assess_eligibility(org: Org, facts: HouseholdFacts, year: int | None = None) -> Assessment:
    """THE eligibility decision: the household against its region's lines for the year
    (`eligibility.assess` holds the rules); returns eligibility, level and printed reasons."""
    year = year or timezone.localdate().year
    return eligibility.assess(facts, find_threshold(org, year))


def assessment_of(case: HardshipCase) -> Assessment | None:
    return Assessment.from_json(json.loads(case.assessment)) if case.assessment else None


def _event(case, kind, actor, *, before: str = "", message: str = "", **detail) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor if actor and actor.is_authenticated else None,
        from_status=before, to_status=case.status, message=message, detail=detail,
    )  # fmt: skip


def _org_users(org: Org, kinds=WORK_ROLES):
    return [r.user for r in Role.objects.filter(org=org, kind__in=kinds).select_related("user")]


def _lock_person(index: str) -> None:
    """Serialise "is there already a file for this person?" checks for one person. PostgreSQL:
    a transaction-scoped advisory lock on the digest; SQLite already runs one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(index[:15], 16)])


def _existing_file_error(existing: HardshipCase | None, actor) -> ValidationError:
    if existing is not None and covers(actor, existing.org_path):
        message = _(
            "该职工已有困难档案（%(code)s），一人只能有一份档案；脱困后返困请在原档案办理。"
        ) % {"code": existing.code}
    else:
        # Outside the actor's subtree: say that a file exists, never where or whose.
        message = _("该职工已在其他工会建有困难档案，一人只能有一份档案；请联系上级工会核实。")
    return ValidationError({"id_number": [message]}, code="duplicate_file")


def _write_members(case: HardshipCase, members: list[MemberData]) -> None:
    case.members.all().delete()
    HouseholdMember.objects.bulk_create([
        HouseholdMember(case=case, relation=m.relation, name=m.name, age=m.age, health=m.health,
                        health_note=m.health_note, schooling=m.schooling, employment=m.employment)
        for m in members
    ])  # fmt: skip


def _apply(case: HardshipCase, data: CaseData, assessment: Assessment) -> None:
    for name in ("name", "id_number", "phone", "address", "employer_name", "causes", "situation",
                 "monthly_income", "debts", "housing"):  # fmt: skip
        setattr(case, name, getattr(data, name))
    case.id_index = id_index(data.id_number)
    case.household_size = max(len(data.members), 1)
    case.assessed_eligible = assessment.eligible
    case.assessed_level = assessment.level
    case.assessment = json.dumps(assessment.to_json(), ensure_ascii=False)


@transaction.atomic
def propose_case(actor, org: Org, data: CaseData, *, demand=None) -> HardshipCase:
    """A union in whose subtree the worker is proposes a file; one live file per person
    anywhere (checked by the ID number's blind index under a lock, and by a constraint)."""
    if not covers(actor, org.path, WORK_ROLES):
        raise PermissionDenied(_("您没有在该组织建立困难档案的权限。"))
    data = _clean(data)
    assessment = assess_eligibility(org, facts_of(data))
    index = id_index(data.id_number)
    _lock_person(index)
    existing = HardshipCase.objects.select_for_update().filter(
        id_index=index, status__in=LIVE_STATUSES).first()  # fmt: skip
    if existing is not None:
        raise _existing_file_error(existing, actor)
    case = HardshipCase(org=org, demand=demand, proposed_by=actor, responsible=actor,
                        status=CaseStatus.PROPOSED)  # fmt: skip
    _apply(case, data, assessment)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise _existing_file_error(None, actor) from None
    _write_members(case, data.members)
    _event(case, CaseEventKind.PROPOSED, actor, message=_("申报困难档案。"),
           eligible=assessment.eligible, level=assessment.level,
           demand=demand.code if demand else "")  # fmt: skip
    approver_org = approving_org(org)
    notify_users(_org_users(approver_org), _("困难档案待审批 %(code)s") % {"code": case.code},
                 _("%(org)s申报了一份困难职工档案。") % {"org": org.name},
                 f"/assistance/{case.code}/")  # fmt: skip
    return case


def _lock(actor, case: HardshipCase, statuses, message: str | None = None) -> HardshipCase:
    # of=("self",): a join would lock the org row too and serialise every write in that org.
    locked = (
        HardshipCase.objects.select_for_update(of=("self",)).select_related("org").get(pk=case.pk)
    )
    if not covers(actor, locked.org_path, WORK_ROLES):
        raise Http404(_("没有找到该档案。"))
    if locked.status not in statuses:
        raise ValidationError(
            message
            or _("档案当前为“%(status)s”，不能执行该操作。")
            % {"status": locked.get_status_display()},
            code="illegal_transition",
        )
    return locked


@transaction.atomic
def update_case(actor, case: HardshipCase, data: CaseData) -> HardshipCase:
    """Edit the file; editing an approved file sends it back to the county for review."""
    case = _lock(actor, case, EDITABLE_STATUSES)
    data = _clean(data)
    if id_index(data.id_number) != case.id_index:
        _lock_person(id_index(data.id_number))
        other = HardshipCase.objects.filter(id_index=id_index(data.id_number),
                                            status__in=LIVE_STATUSES).exclude(pk=case.pk).first()  # fmt: skip
        if other is not None:
            raise _existing_file_error(other, actor)
    assessment = assess_eligibility(case.org, facts_of(data))
    before = case.status
    _apply(case, data, assessment)
    case.status = CaseStatus.PROPOSED
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise _existing_file_error(None, actor) from None
    _write_members(case, data.members)
    message = (
        _("修改档案。") if before != CaseStatus.APPROVED else _("修改已审批的档案，重新提交审批。")
    )
    _event(case, CaseEventKind.EDITED, actor, before=before, message=message,
           eligible=assessment.eligible, level=assessment.level)  # fmt: skip
    if before != CaseStatus.PROPOSED:
        notify_users(_org_users(approving_org(case.org)),
                     _("困难档案待审批 %(code)s") % {"code": case.code}, message,
                     f"/assistance/{case.code}/")  # fmt: skip
    return case


@transaction.atomic
def approve_case(actor, case: HardshipCase, comment: str = "") -> HardshipCase:
    """The county union approves: the role must sit on the approving level (or above), and the
    file must be eligible under this year's lines; approval starts pairing and the schedule."""
    case = _lock(actor, case, (CaseStatus.PROPOSED,))
    org = approving_org(case.org)
    if not covers(actor, org.path, WORK_ROLES):
        raise PermissionDenied(
            _("审批需要由%(org)s（县级工会）或其上级的工会干部办理。") % {"org": org.name}
        )
    assessment = assess_eligibility(case.org, case_facts(case))
    case.assessed_eligible, case.assessed_level = assessment.eligible, assessment.level
    case.assessment = json.dumps(assessment.to_json(), ensure_ascii=False)
    if not assessment.eligible:
        case.save(update_fields=["assessed_eligible", "assessed_level", "assessment"])
        raise ValidationError(
            _("该家庭不符合困难职工认定条件，不能审批通过：%(why)s")
            % {"why": "".join(assessment.reasons()[2:])}, code="ineligible",
        )  # fmt: skip
    today = timezone.localdate()
    first_time = case.approved_on is None
    case.status = CaseStatus.APPROVED
    case.level = assessment.level
    case.approved_by = actor
    case.approved_on = today
    case.review_comment = clean_text(comment or "")
    case.reverify_due = today + relativedelta(years=1)
    if first_time or case.next_follow_up_due is None:
        case.next_follow_up_due = today + dt.timedelta(days=FIRST_VISIT_DAYS)
    if case.responsible_id is None:
        case.responsible = case.proposed_by
    case.save(update_fields=["status", "level", "approved_by", "approved_on", "review_comment",
                             "reverify_due", "next_follow_up_due", "responsible",
                             "assessed_eligible", "assessed_level", "assessment", "updated_at"])  # fmt: skip
    _event(case, CaseEventKind.APPROVED, actor, before=CaseStatus.PROPOSED,
           message=_("审批通过，认定为%(level)s。") % {"level": case.get_level_display()}
           + (case.review_comment and f" {case.review_comment}"), level=case.level)  # fmt: skip
    notify_users([case.responsible], _("困难档案 %(code)s 已审批") % {"code": case.code},
                 _("请在%(date)s前完成结对首次走访。") % {"date": case.next_follow_up_due},
                 f"/assistance/{case.code}/")  # fmt: skip
    return case


@transaction.atomic
def return_case(actor, case: HardshipCase, comment: str) -> HardshipCase:
    """The county union sends the proposal back with a comment the proposer must address."""
    case = _lock(actor, case, (CaseStatus.PROPOSED,))
    org = approving_org(case.org)
    if not covers(actor, org.path, WORK_ROLES):
        raise PermissionDenied(
            _("退回需要由%(org)s（县级工会）或其上级的工会干部办理。") % {"org": org.name}
        )
    comment = clean_text(comment or "")
    if not comment:
        raise ValidationError({"comment": [_("请写明退回意见。")]})
    case.status = CaseStatus.RETURNED
    case.review_comment = comment
    case.save(update_fields=["status", "review_comment", "updated_at"])
    _event(case, CaseEventKind.RETURNED, actor, before=CaseStatus.PROPOSED, message=comment)
    notify_users([case.proposed_by, case.responsible],
                 _("困难档案 %(code)s 被退回") % {"code": case.code}, comment,
                 f"/assistance/{case.code}/")  # fmt: skip
    return case


@transaction.atomic
def resubmit_case(actor, case: HardshipCase) -> HardshipCase:
    case = _lock(actor, case, (CaseStatus.RETURNED,))
    case.status = CaseStatus.PROPOSED
    case.save(update_fields=["status", "updated_at"])
    _event(case, CaseEventKind.PROPOSED, actor, before=CaseStatus.RETURNED,
           message=_("重新提交审批。"))  # fmt: skip
    return case


@transaction.atomic
def withdraw_case(actor, case: HardshipCase, reason: str) -> HardshipCase:
    """Withdraw a proposal that has not been approved (e.g. found ineligible)."""
    case = _lock(actor, case, (CaseStatus.PROPOSED, CaseStatus.RETURNED),
                 _("只能撤销未审批的档案；已审批的档案请办理脱困。"))  # fmt: skip
    if case.level or case.exited_on:
        # A file that was ever approved stays the person's file: it ends by exit, not withdrawal.
        raise ValidationError(
            _("该档案曾审批通过，不能撤销；请办理脱困。"), code="illegal_transition"
        )
    reason = clean_text(reason or "")
    if not reason:
        raise ValidationError({"reason": [_("请说明撤销理由。")]})
    before = case.status
    case.status = CaseStatus.WITHDRAWN
    case.next_follow_up_due = None
    case.save(update_fields=["status", "next_follow_up_due", "updated_at"])
    _event(case, CaseEventKind.WITHDRAWN, actor, before=before, message=reason)
    return case


@transaction.atomic
def pair_case(actor, case: HardshipCase, cadre) -> HardshipCase:
    """Name the responsible cadre (结对干部): someone whose roles cover the file."""
    case = _lock(actor, case, LIVE_STATUSES)
    if cadre is None or not covers(cadre, case.org_path, WORK_ROLES):
        raise ValidationError({"cadre": [_("结对干部必须是该组织或其上级的工会干部。")]})
    case.responsible = cadre
    case.save(update_fields=["responsible", "updated_at"])
    _event(case, CaseEventKind.PAIRED, actor, message=_("结对干部：%(name)s。") % {"name": cadre},
           cadre=cadre.pk)  # fmt: skip
    notify_users([cadre], _("您与困难档案 %(code)s 结对") % {"code": case.code}, "",
                 f"/assistance/{case.code}/")  # fmt: skip
    return case


def next_due(case: HardshipCase, after: dt.date) -> dt.date | None:
    """The follow-up schedule: monthly for 深度/意外, quarterly for 相对 and in the watch period;
    nothing after the watch ends."""
    if case.status == CaseStatus.EXITED:
        due = after + relativedelta(months=WATCH_CHECK_MONTHS)
        return due if case.watch_until and due <= case.watch_until else None
    return after + relativedelta(months=FOLLOW_UP_MONTHS.get(case.level, 3))


@transaction.atomic
def log_follow_up(actor, case: HardshipCase, *, visited_on: dt.date, place: str,
                  people_met: str, notes: str) -> FollowUp:  # fmt: skip
    """Record a follow-up visit in the shared visit log and move the schedule on."""
    from unionhome.demands.models import DESCRIPTION_MAX, Visit

    case = _lock(actor, case, (*EDITABLE_STATUSES, CaseStatus.EXITED))
    today = timezone.localdate()
    if case.status == CaseStatus.EXITED and not case.in_watch(today):
        raise ValidationError(_("观察期已结束，无需再回访。"))
    if case.level == "" or case.approved_on is None:
        raise ValidationError(_("档案审批通过后才开始结对走访。"))
    errors: dict[str, list] = {}
    if visited_on > today:
        errors["visited_on"] = [_("走访日期不能晚于今天。")]
    elif visited_on < case.approved_on:
        errors["visited_on"] = [_("走访日期不能早于档案审批日期。")]
    for name, value in (("place", place), ("people_met", people_met), ("notes", notes)):
        if not clean_text(value or ""):
            errors[name] = [_("请填写此项。")]
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        org=case.org, demand=None, cadre=actor, visited_on=visited_on,
        place=clean_text(place)[:200], people_met=clean_text(people_met)[:200],
        notes=clean_text(notes)[:DESCRIPTION_MAX],
    )  # fmt: skip
    due = case.next_follow_up_due
    follow_up = FollowUp.objects.create(
        case=case, visit=visit, due_on=due, on_time=due is None or visited_on <= due,
        kind=FollowUpKind.WATCH if case.status == CaseStatus.EXITED else FollowUpKind.REGULAR,
    )  # fmt: skip
    case.next_follow_up_due = next_due(case, visited_on)
    case.save(update_fields=["next_follow_up_due", "updated_at"])
    _event(case, CaseEventKind.FOLLOWED_UP, actor,
           message=_("%(date)s走访：%(notes)s") % {"date": visited_on, "notes": visit.notes[:200]},
           visit=visit.pk, on_time=follow_up.on_time)  # fmt: skip
    return follow_up


@transaction.atomic
def reverify_case(actor, case: HardshipCase) -> HardshipCase:
    """The yearly re-verification: the same rules against this year's lines. Same verdict →
    due again in a year; a changed level or ineligibility → back to the county for review."""
    case = _lock(actor, case, (CaseStatus.APPROVED,))
    assessment = assess_eligibility(case.org, case_facts(case))
    case.assessed_eligible, case.assessed_level = assessment.eligible, assessment.level
    case.assessment = json.dumps(assessment.to_json(), ensure_ascii=False)
    today = timezone.localdate()
    fields = ["assessed_eligible", "assessed_level", "assessment", "updated_at"]
    if assessment.eligible and assessment.level == case.level:
        case.reverify_due = today + relativedelta(years=1)
        fields.append("reverify_due")
        message = _("年度复核：仍为%(level)s，下次复核%(date)s。") % {
            "level": case.get_level_display(),
            "date": case.reverify_due,
        }
    else:
        case.status = CaseStatus.PROPOSED
        fields.append("status")
        message = _("年度复核：认定结果变化，重新提交县级工会审批。")
    case.save(update_fields=fields)
    _event(case, CaseEventKind.REVERIFIED, actor, before=CaseStatus.APPROVED, message=message,
           eligible=assessment.eligible, level=assessment.level)  # fmt: skip
    return case


@transaction.atomic
def exit_case(actor, case: HardshipCase, reason: str, note: str = "") -> HardshipCase:
    """Close a file (解困脱困) with its reason; a 12-month watch with quarterly check-ins starts."""
    case = _lock(actor, case, (CaseStatus.APPROVED,), _("只有在档帮扶的档案可以办理脱困。"))
    if reason not in ExitReason.values:
        raise ValidationError({"reason": [_("请选择脱困原因。")]})
    today = timezone.localdate()
    case.status = CaseStatus.EXITED
    case.exit_reason = reason
    case.exit_note = clean_text(note or "")[:2000]
    case.exited_on = today
    case.watch_until = today + relativedelta(months=WATCH_MONTHS)
    case.next_follow_up_due = None if reason == ExitReason.DECEASED else next_due(case, today)
    case.save(update_fields=["status", "exit_reason", "exit_note", "exited_on", "watch_until",
                             "next_follow_up_due", "updated_at"])  # fmt: skip
    _event(case, CaseEventKind.EXITED, actor, before=CaseStatus.APPROVED,
           message=_("%(reason)s。观察期至%(until)s。") % {
               "reason": case.get_exit_reason_display(), "until": case.watch_until},
           reason=reason)  # fmt: skip
    return case


@transaction.atomic
def relapse_case(actor, case: HardshipCase, note: str) -> HardshipCase:
    """A household that left hardship falls back: the same file reopens for review, history kept."""
    case = _lock(actor, case, (CaseStatus.EXITED,), _("只有已脱困的档案可以返困重新纳入。"))
    note = clean_text(note or "")
    if not note:
        raise ValidationError({"note": [_("请说明返困情况。")]})
    case.status = CaseStatus.PROPOSED
    case.watch_until = None
    case.next_follow_up_due = None
    case.approved_on = None
    case.save(update_fields=["status", "watch_until", "next_follow_up_due", "approved_on",
                             "updated_at"])  # fmt: skip
    _event(case, CaseEventKind.RELAPSED, actor, before=CaseStatus.EXITED, message=note,
           exited_on=str(case.exited_on))  # fmt: skip
    notify_users(_org_users(approving_org(case.org)),
                 _("返困档案待审批 %(code)s") % {"code": case.code}, note,
                 f"/assistance/{case.code}/")  # fmt: skip
    return case


# --- Documents -------------------------------------------------------------------------------
@transaction.atomic
def add_document(actor, case: HardshipCase, kind: str, upload) -> CaseDocument:
    """A supporting document: photos re-encoded without metadata (as demands do), or a PDF
    recognised by its content."""
    from unionhome.demands.services import check_photo

    case = _lock(actor, case, LIVE_STATUSES)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": [_("请选择材料类型。")]})
    if upload is None:
        raise ValidationError({"file": [_("请选择文件。")]})
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": [_("文件超过10MB。")]})
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        content, content_type, extension = upload.read(), "application/pdf", "pdf"
    else:
        try:
            photo = check_photo(upload)
        except ValidationError as exc:
            raise ValidationError(
                {"file": [_("请上传PDF文件或JPG、PNG、WebP图片。"), *exc.messages]}
            ) from None
        content, content_type, extension = photo.content, photo.content_type, photo.extension
    document = CaseDocument(case=case, kind=kind, content_type=content_type, extension=extension,
                            size=len(content), uploaded_by=actor)  # fmt: skip
    document.file.save(f"x.{extension}", ContentFile(content), save=False)
    document.save()
    _event(case, CaseEventKind.DOCUMENT, actor, message=document.get_kind_display(),
           document=document.code)  # fmt: skip
    return document


def open_document(actor, code: str, *, ip_address: str | None = None) -> CaseDocument:
    """A document of a visible file; every opening is audited."""
    visible = HardshipCase.objects.visible_to(actor).values("pk")
    document = (
        CaseDocument.objects.filter(code=code, case__in=visible).select_related("case").first()
    )
    if document is None:
        raise Http404
    audit.record(actor, "hardship.document", document.case, ip_address=ip_address,
                 detail={"document": document.code})  # fmt: skip
    return document


# --- Aid ledger ------------------------------------------------------------------------------
def usable_funds(actor, case: HardshipCase, year: int | None = None):
    """Funds the actor may grant from for this file: held by an org above (or at) the file's
    org, which the actor's roles cover."""
    year = year or timezone.localdate().year
    prefixes = [case.org_path[:i] for i in range(4, len(case.org_path) + 1, 4)]
    funds = Fund.objects.visible_to(actor, WORK_ROLES).filter(org_path__in=prefixes, year=year)
    return funds.select_related("org").order_by("org_path", "kind")


@dataclass
class GrantData:
    amount: Decimal | str
    purpose: str
    granted_on: dt.date | None = None
    student_name: str = ""
    school: str = ""
    grade: str = ""
    medical_expense: Decimal | str | None = None


@transaction.atomic
def grant_aid(actor, case: HardshipCase, fund: Fund, data: GrantData) -> Grant:
    """Grant aid from a fund to a file. The fund's row is locked and the grant refused when it
    would exceed what remains of the budget (a constraint backs this up); 金秋助学 needs the
    student, school and grade, 医疗互助 the expense (the grant is the reimbursed part)."""
    case = _lock(actor, case, (CaseStatus.APPROVED, CaseStatus.EXITED),
                 _("只能向在档帮扶或观察期内的家庭发放救助。"))  # fmt: skip
    if case.status == CaseStatus.EXITED and not case.in_watch():
        raise ValidationError(_("观察期已结束，不能再发放救助。"))
    fund = Fund.objects.select_for_update(of=("self",)).select_related("org").get(pk=fund.pk)
    if not covers(actor, fund.org_path, WORK_ROLES):
        raise PermissionDenied(_("您没有使用该项资金的权限。"))
    if not case.org_path.startswith(fund.org_path):
        raise ValidationError({"fund": [_("只能使用本组织或上级组织的资金。")]})
    errors: dict[str, list[str]] = {}
    amount = expense = None
    try:
        amount = parse_amount(data.amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    purpose = clean_text(data.purpose or "")[:200]
    if not purpose:
        errors["purpose"] = [_("请填写用途。")]
    granted_on = data.granted_on or timezone.localdate()
    if granted_on > timezone.localdate():
        errors["granted_on"] = [_("批准日期不能晚于今天。")]
    if granted_on.year != fund.year:
        errors.setdefault("granted_on", []).append(
            _("批准日期不在该资金的年度（%(year)d年）内。") % {"year": fund.year}
        )
    student = clean_text(data.student_name or "")[:40]
    school = clean_text(data.school or "")[:120]
    grade = clean_text(data.grade or "")[:40]
    if fund.kind == FundKind.SCHOOLING and not (student and school and grade):
        errors["student_name"] = [_("金秋助学须填写学生姓名、学校和年级。")]
    if fund.kind == FundKind.MEDICAL:
        if data.medical_expense in (None, ""):
            errors["medical_expense"] = [_("医疗互助须填写医疗费用。")]
        else:
            try:
                expense = parse_amount(data.medical_expense, field_name="medical_expense")
            except ValidationError as exc:
                errors.update(exc.message_dict)
            else:
                if amount is not None and amount > expense:
                    errors["amount"] = [_("报销金额不能超过医疗费用。")]
    if not errors and amount > fund.remaining:
        errors["amount"] = [
            _("超出该资金剩余预算：预算%(budget)s元，已安排%(granted)s元，剩余%(left)s元。")
            % {"budget": fund.budget, "granted": fund.granted, "left": fund.remaining}
        ]
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.create(
        org=case.org, fund=fund, case=case, amount=amount, purpose=purpose, approver=actor,
        granted_on=granted_on, student_name=student, school=school, grade=grade,
        medical_expense=expense,
    )  # fmt: skip
    fund.granted = fund.granted + amount
    fund.save(update_fields=["granted"])
    _event(case, CaseEventKind.GRANTED, actor,
           message=_("%(fund)s %(amount)s元：%(purpose)s") % {
               "fund": fund.display_name, "amount": amount, "purpose": purpose},
           grant=grant.code)  # fmt: skip
    return grant


def get_grant_for_user(user, code: str) -> Grant:
    grant = Grant.objects.visible_to(user).filter(code=code).select_related("fund", "case").first()
    if grant is None:
        raise Http404(_("没有找到该发放记录。"))
    return grant


@transaction.atomic
def pay_grant(actor, grant: Grant, paid_on: dt.date | None = None) -> Grant:
    """Mark a grant as paid out (by someone who may use its fund)."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("fund").get(pk=grant.pk)
    if not covers(actor, grant.fund.org_path, WORK_ROLES):
        raise PermissionDenied(_("您没有使用该项资金的权限。"))
    if grant.payment_status != PaymentStatus.PENDING:
        raise ValidationError(_("该笔救助当前为“%(s)s”，不能再标记发放。")
                              % {"s": grant.get_payment_status_display()})  # fmt: skip
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate() or paid_on < grant.granted_on:
        raise ValidationError({"paid_on": [_("发放日期应在批准日期和今天之间。")]})
    grant.payment_status = PaymentStatus.PAID
    grant.paid_on = paid_on
    grant.paid_by = actor
    grant.save(update_fields=["payment_status", "paid_on", "paid_by"])
    audit.record(actor, "hardship.grant_paid", grant, org_path=grant.org_path,
                 detail={"amount": str(grant.amount)})  # fmt: skip
    return grant


@transaction.atomic
def cancel_grant(actor, grant: Grant, reason: str) -> Grant:
    """Cancel an unpaid grant; its amount returns to the fund's remaining budget."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    fund = Fund.objects.select_for_update().get(pk=grant.fund_id)
    if not covers(actor, fund.org_path, WORK_ROLES):
        raise PermissionDenied(_("您没有使用该项资金的权限。"))
    if grant.payment_status != PaymentStatus.PENDING:
        raise ValidationError(_("已发放或已撤销的救助不能撤销。"))
    if not clean_text(reason or ""):
        raise ValidationError({"reason": [_("请说明撤销理由。")]})
    grant.payment_status = PaymentStatus.CANCELLED
    grant.save(update_fields=["payment_status"])
    fund.granted = fund.granted - grant.amount
    fund.save(update_fields=["granted"])
    audit.record(actor, "hardship.grant_cancelled", grant, org_path=grant.org_path,
                 detail={"amount": str(grant.amount), "reason": clean_text(reason)})  # fmt: skip
    return grant


# --- Lists and reports -----------------------------------------------------------------------
def case_list(user, *, status: str = "", level: str = "", overdue: bool = False,
              org: Org | None = None, query: str = ""):  # fmt: skip
    cases = HardshipCase.objects.visible_to(user).select_related("org", "responsible")
    if org is not None:
        cases = cases.in_subtree(org.path)
    if status == "live":
        cases = cases.live()
    elif status:
        cases = cases.filter(status=status)
    if level:
        cases = cases.filter(level=level)
    if overdue:
        cases = cases.follow_up_overdue()
    query = (query or "").strip()
    if query:
        cases = cases.filter(Q(code=query.upper()) | Q(name=query))
    return cases


def follow_ups_for(user, today: dt.date | None = None):
    """Due and overdue follow-ups: the user's own pairings first, then everything in the subtree
    (a parent org sees its children's overdue ones)."""
    today = today or timezone.localdate()
    scheduled = (
        HardshipCase.objects.visible_to(user, WORK_ROLES)
        .follow_up_due(today, DUE_SOON_DAYS)
        .select_related("org", "responsible")
        .order_by("next_follow_up_due")
    )
    mine = [c for c in scheduled if c.responsible_id == user.pk]
    others = [c for c in scheduled if c.responsible_id != user.pk]
    return mine, others


def reverifications_overdue_for(user, today: dt.date | None = None):
    """Approved files whose yearly re-verification is past due, in the user's subtree."""
    return (
        HardshipCase.objects.visible_to(user, WORK_ROLES)
        .reverification_overdue(today)
        .select_related("org", "responsible")
        .order_by("reverify_due")
    )


def open_case_totals(parent_path: str, prefix_length: int) -> dict[str, int]:
    """Files in help (approved) per subtree, for the org-tree page."""
    rows = (
        HardshipCase.objects.filter(subtree_q("org_path", [parent_path]),
                                    status=CaseStatus.APPROVED)
        .annotate(prefix=Substr("org_path", 1, prefix_length))
        .order_by().values("prefix").annotate(n=Count("id"))
    )  # fmt: skip
    return {row["prefix"]: row["n"] for row in rows}


def _money(value) -> Decimal:
    return (value or Decimal("0")).quantize(CENT)


def fund_rows(org_path: str, year: int) -> list[dict]:
    """Budget, granted (live grants), paid and remaining per fund held in the subtree."""
    funds = Fund.objects.in_subtree(org_path).filter(year=year).select_related("org")
    paid = dict(
        Grant.objects.filter(fund__in=funds, payment_status=PaymentStatus.PAID)
        .order_by().values("fund").annotate(s=Sum("amount")).values_list("fund", "s")
    )  # fmt: skip
    rows = []
    for fund in funds.order_by("org_path", "kind", "name"):
        rows.append({
            "fund": fund, "code": fund.code, "org": fund.org.name, "name": fund.display_name,
            "kind": fund.kind, "budget": _money(fund.budget), "granted": _money(fund.granted),
            "paid": _money(paid.get(fund.pk)), "remaining": _money(fund.remaining),
        })  # fmt: skip
    return rows


def report(org: Org, year: int | None = None, today: dt.date | None = None) -> dict:
    """One org's subtree: files by level and by cause, follow-up punctuality, funds used vs
    budget, and the same figures rolled up per child org."""
    today = today or timezone.localdate()
    year = year or today.year
    cases = HardshipCase.objects.in_subtree(org.path)
    approved = cases.filter(status=CaseStatus.APPROVED)
    by_level = dict.fromkeys(HardshipLevel.values, 0)
    for row in approved.order_by().values("level").annotate(n=Count("id")):
        by_level[row["level"]] = row["n"]
    by_cause = dict.fromkeys(Cause.values, 0)
    for causes in approved.values_list("causes", flat=True):
        for cause in causes:
            by_cause[cause] = by_cause.get(cause, 0) + 1
    follow_ups = FollowUp.objects.filter(case__in=cases.values("pk"), visit__visited_on__year=year)
    done = follow_ups.count()
    on_time = follow_ups.filter(on_time=True).count()
    overdue = cases.follow_up_overdue(today).count()
    funds = fund_rows(org.path, year)
    totals = {k: sum((r[k] for r in funds), Decimal("0.00")) for k in
              ("budget", "granted", "paid", "remaining")}  # fmt: skip
    children = []
    for child in Org.objects.get_children(org).filter(is_active=True):
        sub = HardshipCase.objects.in_subtree(child.path)
        sub_funds = fund_rows(child.path, year)
        children.append({
            "org": child,
            "approved": sub.filter(status=CaseStatus.APPROVED).count(),
            "proposed": sub.filter(status=CaseStatus.PROPOSED).count(),
            "in_watch": sub.in_watch(today).count(),
            "overdue": sub.follow_up_overdue(today).count(),
            "budget": sum((r["budget"] for r in sub_funds), Decimal("0.00")),
            "granted": sum((r["granted"] for r in sub_funds), Decimal("0.00")),
            "paid": sum((r["paid"] for r in sub_funds), Decimal("0.00")),
        })  # fmt: skip
    return {
        "org": org, "year": year,
        "by_level": by_level, "by_cause": by_cause,
        "approved": sum(by_level.values()),
        "proposed": cases.filter(status=CaseStatus.PROPOSED).count(),
        "in_watch": cases.in_watch(today).count(),
        "reverify_overdue": cases.reverification_overdue(today).count(),
        "follow_ups_done": done, "follow_ups_on_time": on_time,
        "punctuality": round(on_time * 100 / done, 1) if done else None,
        "follow_ups_overdue": overdue,
        "funds": funds, "fund_totals": totals, "children": children,
    }  # fmt: skip


def hardship_summary(org_path: str) -> dict:
    """For dashboards: files in help by level, files proposed, overdue follow-ups, and this
    year's funds (budget / granted / paid / remaining) over the subtree of `org_path`. The
    caller has already checked that the viewer covers `org_path`. Amounts are Decimal yuan."""
    today = timezone.localdate()
    cases = HardshipCase.objects.in_subtree(org_path)
    by_level = dict.fromkeys(HardshipLevel.values, 0)
    for row in (cases.filter(status=CaseStatus.APPROVED).order_by().values("level")
                .annotate(n=Count("id"))):  # fmt: skip
        by_level[row["level"]] = row["n"]
    funds = Fund.objects.in_subtree(org_path).filter(year=today.year)
    budget = funds.aggregate(b=Sum("budget"), g=Sum("granted"))
    paid = Grant.objects.filter(fund__in=funds, payment_status=PaymentStatus.PAID).aggregate(
        s=Sum("amount"))["s"]  # fmt: skip
    return {
        "org_path": org_path,
        "open_by_level": by_level,
        "open_total": sum(by_level.values()),
        "proposed": cases.filter(status=CaseStatus.PROPOSED).count(),
        "in_watch": cases.in_watch(today).count(),
        "follow_ups_overdue": cases.follow_up_overdue(today).count(),
        "funds": {
            "year": today.year, "budget": _money(budget["b"]), "granted": _money(budget["g"]),
            "paid": _money(paid), "remaining": _money(budget["b"]) - _money(budget["g"]),
        },
    }  # fmt: skip


def export_report(actor, org: Org, year: int | None = None):
    """The report as an .xlsx workbook (openpyxl write-only), audited. Returns bytes."""
    import io

    from openpyxl import Workbook

    data = report(org, year)
    levels = dict(HardshipLevel.choices)
    causes = dict(Cause.choices)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("概况")
    sheet.append(["组织", org.name])
    sheet.append(["年度", data["year"]])
    sheet.append(["在档帮扶", data["approved"]])
    for code, n in data["by_level"].items():
        sheet.append([str(levels[code]), n])
    sheet.append(["待审批", data["proposed"]])
    sheet.append(["脱困观察期内", data["in_watch"]])
    sheet.append(["年度走访次数", data["follow_ups_done"]])
    sheet.append(["按时走访次数", data["follow_ups_on_time"]])
    sheet.append(["按时率（%）", data["punctuality"] if data["punctuality"] is not None else ""])
    sheet.append(["超期未走访", data["follow_ups_overdue"]])
    sheet.append(["超期未复核", data["reverify_overdue"]])
    cause_sheet = book.create_sheet("致困原因")
    cause_sheet.append(["致困原因", "档案数"])
    for code, n in data["by_cause"].items():
        cause_sheet.append([str(causes.get(code, code)), n])
    fund_sheet = book.create_sheet("资金使用")
    fund_sheet.append(["组织", "资金", "预算（元）", "已安排（元）", "已发放（元）", "剩余（元）"])
    for r in data["funds"]:
        fund_sheet.append(
            [r["org"], r["name"], r["budget"], r["granted"], r["paid"], r["remaining"]]
        )
    t = data["fund_totals"]
    fund_sheet.append(["合计", "", t["budget"], t["granted"], t["paid"], t["remaining"]])
    child_sheet = book.create_sheet("下级汇总")
    child_sheet.append(["组织", "在档帮扶", "待审批", "观察期", "超期未走访", "预算（元）",
                        "已安排（元）", "已发放（元）"])  # fmt: skip
    for r in data["children"]:
        child_sheet.append([r["org"].name, r["approved"], r["proposed"], r["in_watch"],
                            r["overdue"], r["budget"], r["granted"], r["paid"]])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    audit.record(actor, "hardship.export", org, org_path=org.path, detail={"year": data["year"]})
    return out.getvalue()


# --- From a demand ---------------------------------------------------------------------------
def prefill_from_demand(demand) -> dict:
    """Initial values for a new file opened from a hardship demand."""
    return {
        "name": demand.contact_name or "", "phone": demand.contact_phone or "",
        "address": demand.address, "employer_name": demand.employer_name,
        "situation": demand.description,
    }  # fmt: skip


def case_for_demand(user, demand):
    """The visible file opened from this demand, if any."""
    return HardshipCase.objects.visible_to(user).filter(demand=demand).first()
