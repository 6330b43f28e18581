"""The aid ledger: budgets, refused overspending, fund-specific details, payment, cancellation."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from unionhome.assistance import services
from unionhome.assistance.models import Fund, Grant
from unionhome.core.models import AuditEvent

G = services.GrantData


def test_a_grant_over_the_remaining_budget_is_refused(cast, approved, fund):
    case = approved()
    warmth = fund("3000.00")
    services.grant_aid(cast.district_cadre, case, warmth, G("2000.00", "春节慰问"))
    with pytest.raises(ValidationError) as err:
        services.grant_aid(cast.district_cadre, case, warmth, G("1000.01", "再次慰问"))
    assert "剩余1000.00元" in " ".join(err.value.messages)
    services.grant_aid(cast.district_cadre, case, warmth, G("1000.00", "再次慰问"))
    warmth.refresh_from_db()
    assert warmth.granted == warmth.budget == Decimal("3000.00")
    assert warmth.remaining == Decimal("0.00")


@pytest.mark.parametrize(("amount", "message"), [
    ("-10", "必须大于0"), ("0", "必须大于0"), ("10.001", "两位小数"), ("abc", "请填写金额"),
])  # fmt: skip
def test_bad_amounts_are_refused_and_nothing_is_written(cast, approved, fund, amount, message):
    case = approved()
    warmth = fund()
    with pytest.raises(ValidationError) as err:
        services.grant_aid(cast.district_cadre, case, warmth, G(amount, "慰问"))
    assert message in " ".join(err.value.messages)
    assert not Grant.objects.exists()
    warmth.refresh_from_db()
    assert warmth.granted == Decimal("0.00")


def test_the_database_refuses_granted_over_budget(cast, fund):
    warmth = fund("100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=warmth.pk).update(granted=Decimal("100.01"))


def test_schooling_grants_record_student_school_and_grade(cast, approved, fund):
    case = approved()
    schooling = fund(kind="schooling")
    with pytest.raises(ValidationError, match="学生姓名"):
        services.grant_aid(cast.district_cadre, case, schooling, G("1500", "金秋助学"))
    grant = services.grant_aid(cast.district_cadre, case, schooling, G(
        "1500", "金秋助学", student_name="周天宇", school="无锡市第一中学", grade="高二"))  # fmt: skip
    assert (grant.student_name, grant.school, grant.grade) == ("周天宇", "无锡市第一中学", "高二")


def test_medical_claims_record_expense_and_reimbursed_share(cast, approved, fund):
    case = approved()
    medical = fund(kind="medical")
    with pytest.raises(ValidationError, match="医疗费用"):
        services.grant_aid(cast.district_cadre, case, medical, G("800", "住院报销"))
    with pytest.raises(ValidationError, match="不能超过医疗费用"):
        services.grant_aid(cast.district_cadre, case, medical,
                           G("900", "住院报销", medical_expense="800"))  # fmt: skip
    grant = services.grant_aid(cast.district_cadre, case, medical,
                               G("600.00", "住院报销", medical_expense="2000.00"))  # fmt: skip
    assert grant.medical_expense == Decimal("2000.00")
    assert grant.reimbursed_share == Decimal("30.0")


def test_grants_only_from_funds_above_the_file_and_by_their_holders(cast, approved, fund):
    case = approved()
    other_district_fund = fund(org=cast.nanjing)
    with pytest.raises(PermissionDenied):
        services.grant_aid(cast.district_cadre, case, other_district_fund, G("10", "x"))
    below = fund(org=cast.ruifeng)
    with pytest.raises(ValidationError, match="上级组织"):
        services.grant_aid(cast.root, case, below, G("10", "x"))
    county = fund()
    with pytest.raises(PermissionDenied):
        services.grant_aid(cast.enterprise_cadre, case, county, G("10", "x"))


def test_only_approved_or_watched_files_receive_aid(cast, propose, fund):
    case = propose()
    with pytest.raises(ValidationError, match="在档帮扶"):
        services.grant_aid(cast.district_cadre, case, fund(), G("10", "慰问"))


def test_paying_and_cancelling_keep_the_ledger_to_the_cent(cast, approved, fund):
    case = approved()
    warmth = fund("1000.00")
    a = services.grant_aid(cast.district_cadre, case, warmth, G("333.33", "慰问一"))
    b = services.grant_aid(cast.district_cadre, case, warmth, G("333.33", "慰问二"))
    c = services.grant_aid(cast.district_cadre, case, warmth, G("333.34", "慰问三"))
    services.pay_grant(cast.district_cadre, a)
    with pytest.raises(ValidationError):
        services.pay_grant(cast.district_cadre, a)
    services.cancel_grant(cast.district_cadre, b, "重复")
    with pytest.raises(ValidationError):
        services.cancel_grant(cast.district_cadre, a, "已发放不能撤销")
    warmth.refresh_from_db()
    assert warmth.granted == Decimal("666.67")
    rows = services.fund_rows(cast.liangxi.path, warmth.year)
    assert [(r["budget"], r["granted"], r["paid"], r["remaining"]) for r in rows] == [
        (Decimal("1000.00"), Decimal("666.67"), Decimal("333.33"), Decimal("333.33"))
    ]
    live = Grant.objects.exclude(payment_status="cancelled").values_list("amount", flat=True)
    assert sum(live) == warmth.granted
    assert AuditEvent.objects.filter(action="hardship.grant_paid", target_code=a.code).exists()
    assert c.payment_status == "pending"
