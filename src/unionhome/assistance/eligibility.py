"""Eligibility and level (深度困难 / 相对困难 / 意外致困): the rules in one function.

`assess` is pure: it takes the household's figures and the regional threshold and returns the
verdict with printed reasons. Reasons are kept as (template, figures) so that a masked page can
print them with the amounts hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from .models import CENT, Cause, Employment, HardshipLevel, Health

# Accident/disaster households: debts of at least this many months of household income make
# the hardship "sudden" even when the income itself is above the low-income line.
ACCIDENT_DEBT_MONTHS = 12
MASK = "***"


@dataclass(frozen=True)
class MemberFacts:
    health: str
    employment: str


@dataclass(frozen=True)
class HouseholdFacts:
    monthly_income: Decimal
    household_size: int
    causes: tuple[str, ...]
    members: tuple[MemberFacts, ...] = ()
    debts: Decimal | None = None


@dataclass(frozen=True)
class Threshold:
    region_code: str
    year: int
    minimum_living: Decimal
    low_income_line: Decimal


@dataclass
class Assessment:
    eligible: bool
    level: str
    per_capita: Decimal
    lines: list[tuple[str, dict]] = field(default_factory=list)
    threshold: Threshold | None = None

    def add(self, template: str, **figures) -> None:
        self.lines.append((template, {k: str(v) for k, v in figures.items()}))

    def reasons(self, *, masked: bool = False) -> list[str]:
        """The printed reasons; with `masked`, amounts (keys starting with "y_") are hidden."""
        out = []
        for template, figures in self.lines:
            shown = {k: (MASK if masked and k.startswith("y_") else v) for k, v in figures.items()}
            out.append(gettext(template) % shown)
        return out

    def to_json(self) -> dict:
        t = self.threshold
        return {
            "eligible": self.eligible, "level": self.level, "per_capita": str(self.per_capita),
            "lines": [[tpl, figs] for tpl, figs in self.lines],
            "threshold": None if t is None else {
                "region_code": t.region_code, "year": t.year,
                "minimum_living": str(t.minimum_living), "low_income_line": str(t.low_income_line),
            },
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> Assessment:
        t = data.get("threshold")
        return cls(
            eligible=data["eligible"], level=data["level"], per_capita=Decimal(data["per_capita"]),
            lines=[(tpl, figs) for tpl, figs in data["lines"]],
            threshold=None if t is None else Threshold(
                t["region_code"], t["year"], Decimal(t["minimum_living"]),
                Decimal(t["low_income_line"]),
            ),
        )  # fmt: skip


def assess(facts: HouseholdFacts, threshold: Threshold) -> Assessment:
    """Decide eligibility and level from the household and the local lines. In order:
    深度困难 when per-capita income ≤ the minimum-living line, or ≤ the low-income line with a
    seriously ill/disabled member or nobody able to work; 意外致困 when an accident or disaster
    caused it and income ≤ the low-income line or debts ≥ 12 months of income; 相对困难 when
    income ≤ the low-income line; otherwise not eligible."""
    per_capita = (facts.monthly_income / max(facts.household_size, 1)).quantize(CENT)
    result = Assessment(eligible=False, level="", per_capita=per_capita, threshold=threshold)
    result.add(
        N_("家庭月收入%(y_income)s元，%(size)s口人，月人均%(y_per_capita)s元。"),
        y_income=facts.monthly_income.quantize(CENT), size=facts.household_size,
        y_per_capita=per_capita,
    )  # fmt: skip
    result.add(
        N_("适用%(year)s年%(region)s标准：低保%(y_minimum)s元，低收入%(y_low)s元（元/人·月）。"),
        year=threshold.year, region=threshold.region_code, y_minimum=threshold.minimum_living,
        y_low=threshold.low_income_line,
    )  # fmt: skip
    below_low = per_capita <= threshold.low_income_line
    serious = [m for m in facts.members if m.health in (Health.SERIOUS, Health.DISABLED)]
    earners = [m for m in facts.members if m.employment in (Employment.EMPLOYED,
                                                            Employment.FLEXIBLE)]  # fmt: skip
    sudden = {Cause.ACCIDENT, Cause.DISASTER} & set(facts.causes)

    if per_capita <= threshold.minimum_living:
        result.eligible, result.level = True, HardshipLevel.DEEP
        result.add(N_("月人均收入不高于低保标准：认定为深度困难。"))
        return result
    if below_low and serious:
        result.eligible, result.level = True, HardshipLevel.DEEP
        result.add(N_("月人均收入不高于低收入标准，且有%(n)s名家庭成员患重大疾病或残疾：认定为深度困难。"),
                   n=len(serious))  # fmt: skip
        return result
    if below_low and facts.members and not earners:
        result.eligible, result.level = True, HardshipLevel.DEEP
        result.add(N_("月人均收入不高于低收入标准，且家庭无人就业：认定为深度困难。"))
        return result
    if sudden:
        debt_line = (facts.monthly_income * ACCIDENT_DEBT_MONTHS).quantize(CENT)
        if below_low:
            result.eligible, result.level = True, HardshipLevel.ACCIDENT
            result.add(N_("因意外事故或灾害致困，月人均收入不高于低收入标准：认定为意外致困。"))
            return result
        if facts.debts is not None and facts.debts >= debt_line:
            result.eligible, result.level = True, HardshipLevel.ACCIDENT
            result.add(
                N_("因意外事故或灾害致困，家庭负债%(y_debts)s元，达到%(months)s个月家庭收入（%(y_line)s元）：认定为意外致困。"),
                y_debts=facts.debts.quantize(CENT), months=ACCIDENT_DEBT_MONTHS, y_line=debt_line,
            )  # fmt: skip
            return result
    if below_low:
        result.eligible, result.level = True, HardshipLevel.RELATIVE
        result.add(N_("月人均收入高于低保标准、不高于低收入标准：认定为相对困难。"))
        return result
    result.add(N_("月人均收入高于低收入标准，且不属于意外致困：不符合困难职工认定条件。"))
    return result
