"""The eligibility rules with concrete lines: 梁溪区 2026 低保 1250, 低收入 1875 元/人·月."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from unionhome.assistance import services
from unionhome.assistance.eligibility import (
    HouseholdFacts,
    MemberFacts,
    Threshold,
    assess,
)
from unionhome.assistance.models import RegionalThreshold

from .conftest import YEAR

LINES = Threshold("320213", 2026, Decimal("1250.00"), Decimal("1875.00"))
WORKING = MemberFacts("healthy", "employed")


def facts(income, size=2, causes=("illness",), members=None, debts=None):
    members = (
        members
        if members is not None
        else (WORKING,) + (MemberFacts("healthy", "minor"),) * (size - 1)
    )
    return HouseholdFacts(Decimal(income), size, tuple(causes), tuple(members),
                          None if debts is None else Decimal(debts))  # fmt: skip


@pytest.mark.parametrize(("income", "size", "level"), [
    ("2500.00", 2, "deep"),        # 1250.00 per head: exactly the minimum-living line
    ("2500.02", 2, "relative"),    # 1250.01: one cent above it
    ("3750.00", 2, "relative"),    # 1875.00: exactly the low-income line
    ("3750.02", 2, ""),            # 1875.01: above every line
    ("0.00", 1, "deep"),
    ("5000.00", 3, "relative"),    # 1666.67
])  # fmt: skip
def test_per_capita_income_against_the_lines_decides_the_level(income, size, level):
    result = assess(facts(income, size), LINES)
    assert result.level == level
    assert result.eligible is bool(level)


def test_per_capita_is_rounded_to_the_cent():
    assert assess(facts("1000.00", 3), LINES).per_capita == Decimal("333.33")


def test_serious_illness_below_the_low_income_line_is_deep():
    members = (MemberFacts("serious", "unable"), WORKING)
    result = assess(facts("3600.00", members=members), LINES)  # 1800 per head
    assert (result.eligible, result.level) == (True, "deep")
    assert "重大疾病或残疾" in result.reasons()[-1]


def test_nobody_working_below_the_low_income_line_is_deep():
    members = (MemberFacts("chronic", "unemployed"), MemberFacts("healthy", "retired"))
    assert assess(facts("3600.00", members=members), LINES).level == "deep"


def test_serious_illness_above_the_low_income_line_is_not_eligible():
    members = (MemberFacts("serious", "unable"), WORKING)
    result = assess(facts("4000.00", members=members), LINES)  # 2000 per head
    assert not result.eligible
    assert "不符合" in result.reasons()[-1]


def test_accident_with_heavy_debts_is_accident_level_even_above_the_line():
    result = assess(facts("6000.00", causes=("accident",), debts="72000.00"), LINES)
    assert (result.eligible, result.level) == (True, "accident")
    assert "72000.00" in result.reasons()[-1]


def test_accident_with_light_debts_above_the_line_is_not_eligible():
    result = assess(facts("6000.00", causes=("accident",), debts="71999.99"), LINES)
    assert not result.eligible


def test_disaster_below_the_low_income_line_is_accident_level():
    assert assess(facts("3000.00", causes=("disaster",)), LINES).level == "accident"


def test_disaster_below_the_minimum_living_line_is_deep():
    assert assess(facts("2000.00", causes=("disaster",)), LINES).level == "deep"


def test_reasons_print_the_figures_and_hide_them_when_masked():
    result = assess(facts("2500.00"), LINES)
    printed = " ".join(result.reasons())
    assert "2500.00" in printed and "1250.00" in printed and "1875.00" in printed
    masked = " ".join(result.reasons(masked=True))
    assert "2500.00" not in masked and "1250.00" not in masked and "***" in masked
    assert "深度困难" in masked


def test_the_county_line_wins_over_the_city_line(cast, lines):
    # 1200 per head: above 梁溪's 1250? no — below it, so deep under 梁溪; the city's would say
    # relative only above 1100: 1200 is above the city line, so the county line must be used.
    result = services.assess_eligibility(cast.hengda, facts("2400.00"))
    assert result.threshold.region_code == "320213"
    assert result.level == "deep"


def test_the_latest_earlier_year_is_used_when_this_year_has_no_lines(cast, lines):
    RegionalThreshold.objects.filter(region_code="320213").update(year=YEAR - 1)
    RegionalThreshold.objects.filter(region_code="320200").delete()
    result = services.assess_eligibility(cast.hengda, facts("3000.00"))
    assert result.threshold.year == YEAR - 1


def test_no_lines_at_all_is_a_clear_error(cast, db):
    with pytest.raises(ValidationError, match="困难认定标准"):
        services.assess_eligibility(cast.hengda, facts("3000.00"))
