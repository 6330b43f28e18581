"""A file's life: proposal, one file per person, county approval or return, edits, schedule,
re-verification, exit with a watch period, relapse."""

import datetime as dt

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from unionhome.assistance import services
from unionhome.assistance.models import CaseEvent, CaseStatus, HardshipCase
from unionhome.demands.models import Visit

from .conftest import M


def test_proposal_stores_assessment_and_encrypts_sensitive_fields(cast, propose):
    from django.db import connection

    case = propose(monthly_income="2400.00")  # 1200 per head: deep
    assert case.status == CaseStatus.PROPOSED
    assert (case.assessed_eligible, case.assessed_level) == (True, "deep")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, monthly_income, address, assessment FROM "
                       "assistance_hardshipcase WHERE id = %s", [case.pk])  # fmt: skip
        raw = " ".join(cursor.fetchone())
        cursor.execute("SELECT health FROM assistance_householdmember WHERE case_id = %s",
                       [case.pk])  # fmt: skip
        raw += " ".join(r[0] for r in cursor.fetchall())
    for plain in (case.id_number, "2400.00", "中山路", "1200.00", "chronic", "healthy"):
        assert plain not in raw
    fresh = HardshipCase.objects.get(pk=case.pk)
    assert str(fresh.monthly_income) == "2400.00"
    assert fresh.household_size == 2


def test_second_file_for_the_same_person_is_refused_anywhere_in_the_tree(cast, propose):
    first = propose()
    with pytest.raises(ValidationError) as err:
        propose(org=cast.ruifeng, actor=cast.other_street_cadre)
    message = " ".join(err.value.messages)
    assert "其他工会" in message
    assert first.code not in message  # outside the actor's subtree: not even the code
    with pytest.raises(ValidationError) as err:
        propose(org=cast.hengda, actor=cast.street_cadre)
    assert first.code in " ".join(err.value.messages)
    assert HardshipCase.objects.count() == 1


def test_the_database_refuses_a_second_live_file_too(cast, propose):
    from django.db import IntegrityError, transaction

    first = propose()
    clone = HardshipCase(org=cast.ruifeng, proposed_by=cast.root, name="x", id_number="x",
                         id_index=first.id_index, monthly_income="1", housing="own")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_a_withdrawn_proposal_does_not_block_a_new_file(cast, propose):
    first = propose()
    services.withdraw_case(cast.enterprise_cadre, first, "重复申报")
    assert propose(org=cast.ruifeng, actor=cast.other_street_cadre).pk != first.pk


@pytest.mark.parametrize(("field", "value", "message"), [
    ("monthly_income", "-1.00", "不能为负数"),
    ("monthly_income", "1200.005", "两位小数"),
    ("monthly_income", "一千", "请填写金额"),
    ("debts", "-5", "不能为负数"),
    ("causes", [], "致困原因"),
    ("id_number", "320213199001011234", "身份证"),
])  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    cast, propose, field, value, message
):
    with pytest.raises(ValidationError) as err:
        propose(**{field: value})
    assert message in " ".join(err.value.messages)
    assert not HardshipCase.objects.exists()
    assert not CaseEvent.objects.exists()


def test_household_needs_exactly_one_self(cast, propose):
    with pytest.raises(ValidationError, match="本人"):
        propose(members=[M("spouse", "钱桂芳", 50, "healthy", "flexible")])


def test_grassroots_cadre_cannot_propose_outside_their_subtree(cast, propose):
    with pytest.raises(PermissionDenied):
        propose(org=cast.ruifeng, actor=cast.enterprise_cadre)


def test_street_cadre_cannot_approve_only_the_county_can(cast, propose):
    case = propose()
    for user in (cast.enterprise_cadre, cast.street_cadre):
        with pytest.raises(PermissionDenied, match="县级工会"):
            services.approve_case(user, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED
    approved = services.approve_case(cast.district_cadre, case, "同意纳入")
    assert approved.status == CaseStatus.APPROVED
    assert approved.level == "relative"  # 1500 per head
    assert approved.approved_by == cast.district_cadre
    assert approved.responsible == cast.enterprise_cadre
    today = timezone.localdate()
    assert approved.next_follow_up_due == today + dt.timedelta(days=services.FIRST_VISIT_DAYS)
    assert approved.reverify_due == today.replace(year=today.year + 1)


def test_a_higher_level_may_approve(cast, propose):
    assert services.approve_case(cast.city_cadre, propose()).status == CaseStatus.APPROVED


def test_an_ineligible_file_cannot_be_approved(cast, propose):
    case = propose(monthly_income="9000.00")
    assert not case.assessed_eligible
    with pytest.raises(ValidationError, match="不符合"):
        services.approve_case(cast.district_cadre, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED


def test_return_needs_a_comment_and_the_proposer_resubmits(cast, propose):
    case = propose()
    with pytest.raises(ValidationError):
        services.return_case(cast.district_cadre, case, "  ")
    services.return_case(cast.district_cadre, case, "请补充收入证明")
    case.refresh_from_db()
    assert (case.status, case.review_comment) == (CaseStatus.RETURNED, "请补充收入证明")
    services.resubmit_case(cast.enterprise_cadre, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED


def test_editing_an_approved_file_sends_it_back_to_review(cast, approved, case_data):
    case = approved()
    edited = services.update_case(cast.enterprise_cadre, case,
                                  case_data(monthly_income="2000.00"))  # fmt: skip
    assert edited.status == CaseStatus.PROPOSED
    assert edited.assessed_level == "deep"
    assert edited.level == "relative"  # the approved level stands until the county decides
    assert case.events.filter(kind="edited").exists()
    again = services.approve_case(cast.district_cadre, edited)
    assert again.level == "deep"


def test_follow_up_becomes_due_then_overdue_and_a_visit_moves_the_schedule(cast, approved):
    case = approved()
    today = timezone.localdate()
    visible = HardshipCase.objects.visible_to(cast.enterprise_cadre)
    assert list(visible.follow_up_due(today)) == [case]
    assert not visible.follow_up_overdue(today).exists()
    later = today + dt.timedelta(days=services.FIRST_VISIT_DAYS + 1)
    assert list(visible.follow_up_overdue(later)) == [case]
    # The parent orgs see it too; a neighbouring street does not.
    assert HardshipCase.objects.visible_to(cast.street_cadre).follow_up_overdue(later).exists()
    assert not HardshipCase.objects.visible_to(cast.other_street_cadre).follow_up_overdue(
        later).exists()  # fmt: skip
    with time_machine.travel(later + dt.timedelta(hours=12), tick=False):
        follow_up = services.log_follow_up(cast.enterprise_cadre, case, visited_on=later,
                                           place="职工家中", people_met="本人及妻子",
                                           notes="了解治疗情况")  # fmt: skip
    assert not follow_up.on_time
    visit = Visit.objects.get(pk=follow_up.visit_id)
    assert visit.demand_id is None and visit.org_id == cast.hengda.pk  # the shared visit log
    case.refresh_from_db()
    assert case.next_follow_up_due == later + relativedelta(months=3)  # 相对困难: quarterly
    assert not HardshipCase.objects.follow_up_overdue(later).exists()


def test_deep_cases_are_visited_monthly(cast, approved):
    case = approved(monthly_income="2000.00")
    assert case.level == "deep"
    today = timezone.localdate()
    services.log_follow_up(cast.enterprise_cadre, case, visited_on=today, place="家中",
                           people_met="本人", notes="送去慰问品")  # fmt: skip
    case.refresh_from_db()
    assert (case.next_follow_up_due - today).days in (28, 29, 30, 31)


def test_reverification_is_due_after_a_year_and_flagged_when_overdue(cast, approved):
    case = approved()
    next_year = case.reverify_due + dt.timedelta(days=1)
    assert list(HardshipCase.objects.reverification_overdue(next_year)) == [case]
    with time_machine.travel(dt.datetime.combine(next_year, dt.time(10), tzinfo=dt.UTC)):
        services.reverify_case(cast.enterprise_cadre, case)
        case.refresh_from_db()
        assert case.status == CaseStatus.APPROVED
        assert case.reverify_due > next_year


def test_reverification_with_a_changed_verdict_goes_back_to_the_county(cast, approved, lines):
    case = approved()  # 1500 per head: relative under a 1875 line
    lines.low_income_line = lines.minimum_living = type(lines.minimum_living)("1400.00")
    lines.save()
    services.reverify_case(cast.enterprise_cadre, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED
    assert not case.assessed_eligible


def test_exit_starts_a_twelve_month_watch_with_quarterly_check_ins(cast, approved):
    case = approved()
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.exit_case(cast.enterprise_cadre, case, "made-up")
    services.exit_case(cast.enterprise_cadre, case, "employed", "妻子找到稳定工作")
    case.refresh_from_db()
    assert case.status == CaseStatus.EXITED
    assert case.watch_until == today.replace(year=today.year + 1)
    assert case.in_watch(today)
    assert 89 <= (case.next_follow_up_due - today).days <= 92
    # In the watch period the check-ins are scheduled and flagged like follow-ups.
    late = case.next_follow_up_due + dt.timedelta(days=1)
    assert list(HardshipCase.objects.follow_up_overdue(late)) == [case]
    # After the watch ends nothing is due any more.
    after = case.watch_until + dt.timedelta(days=1)
    assert not case.in_watch(after)
    assert not HardshipCase.objects.follow_up_overdue(after).exists()
    assert not HardshipCase.objects.in_watch(after).exists()


def test_watch_check_ins_stop_at_the_end_of_the_watch(cast, approved):
    case = approved()
    services.exit_case(cast.enterprise_cadre, case, "income")
    case.refresh_from_db()
    dates = []
    while case.next_follow_up_due is not None:
        due = case.next_follow_up_due
        with time_machine.travel(dt.datetime.combine(due, dt.time(10), tzinfo=dt.UTC)):
            services.log_follow_up(cast.enterprise_cadre, case, visited_on=due, place="家中",
                                   people_met="本人", notes="观察期回访，情况稳定")  # fmt: skip
        case.refresh_from_db()
        dates.append(due)
    assert len(dates) == 4  # quarterly over twelve months
    assert all(f.kind == "watch" and f.on_time for f in case.follow_ups.all())


def test_relapse_reopens_the_same_file_for_review(cast, approved, propose):
    case = approved()
    services.exit_case(cast.enterprise_cadre, case, "employed")
    # The person still has this one file: a new one is refused, pointing to relapse.
    with pytest.raises(ValidationError, match="原档案"):
        propose()
    with pytest.raises(ValidationError):
        services.relapse_case(cast.enterprise_cadre, case, "")
    services.relapse_case(cast.enterprise_cadre, case, "再次失业")
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED
    assert case.watch_until is None and case.exited_on is not None
    assert HardshipCase.objects.count() == 1
    services.approve_case(cast.district_cadre, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["exited", "relapsed", "approved"]


def test_pairing_needs_a_cadre_covering_the_file(cast, approved):
    case = approved()
    with pytest.raises(ValidationError):
        services.pair_case(cast.street_cadre, case, cast.other_street_cadre)
    services.pair_case(cast.street_cadre, case, cast.street_cadre)
    case.refresh_from_db()
    assert case.responsible == cast.street_cadre


def test_a_file_that_was_approved_cannot_be_withdrawn(cast, approved, case_data):
    case = approved()
    services.update_case(cast.enterprise_cadre, case, case_data(monthly_income="2000.00"))
    with pytest.raises(ValidationError, match="脱困"):
        services.withdraw_case(cast.enterprise_cadre, case, "不再需要")
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED
