import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from unionhome.assistance import services
from unionhome.assistance.models import Fund, RegionalThreshold
from unionhome.testing.personas import make_id_number

M = services.MemberData
YEAR = timezone.localdate().year


@pytest.fixture
def lines(db):
    """梁溪区 (320213) has its own lines this year; 无锡 (320200) a lower pair as a fallback."""
    county = RegionalThreshold.objects.create(
        region_code="320213", year=YEAR, minimum_living=Decimal("1250.00"),
        low_income_line=Decimal("1875.00"),
    )  # fmt: skip
    RegionalThreshold.objects.create(
        region_code="320200", year=YEAR, minimum_living=Decimal("1100.00"),
        low_income_line=Decimal("1650.00"),
    )  # fmt: skip
    return county


@pytest.fixture
def case_data():
    def build(seq=1, **overrides):
        data = {
            "name": "周建国", "id_number": make_id_number(seq=seq, birth="19720315"),
            "monthly_income": "3000.00", "causes": ["illness"], "housing": "own",
            "members": [M("self", "周建国", 52, "chronic", "employed"),
                        M("spouse", "钱桂芳", 50, "healthy", "flexible")],
            "phone": "13912345678", "address": "无锡市梁溪区中山路88号3单元501室",
            "situation": "本人患慢性肾病，需长期服药。",
        }  # fmt: skip
        data.update(overrides)
        return services.CaseData(**data)

    return build


@pytest.fixture
def propose(cast, lines, case_data):
    def do(org=None, actor=None, **overrides):
        return services.propose_case(actor or cast.enterprise_cadre, org or cast.hengda,
                                     case_data(**overrides))  # fmt: skip

    return do


@pytest.fixture
def approved(cast, propose):
    def do(**overrides):
        case = propose(**overrides)
        return services.approve_case(cast.district_cadre, case, "同意")

    return do


@pytest.fixture
def fund(cast):
    def make(budget="10000.00", kind="warmth", org=None, year=YEAR, name=""):
        return Fund.objects.create(org=org or cast.liangxi, year=year, kind=kind, name=name,
                                   budget=Decimal(budget))  # fmt: skip

    return make


def days(n):
    return dt.timedelta(days=n)
