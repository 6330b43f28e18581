"""Demo hardship files in 无锡: regional lines for the year, a handful of households at each
stage (proposed, approved at every level, exited in watch), funds per district and grants.

Entered through the same services as the pages; idempotent (a file is found by its person's
blind index, a fund by org, year and kind)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from unionhome.core.validators import id_check_char
from unionhome.orgs.models import Org, OrgLevel

from . import services
from .models import Fund, FundKind, HardshipCase, RegionalThreshold

# 无锡 2026 lines (元/人·月), as published for 城乡低保 and 低收入家庭 (1.5×).
LINES = {"320200": (Decimal("1250.00"), Decimal("1875.00")),
         "320000": (Decimal("1000.00"), Decimal("1500.00"))}  # fmt: skip

M = services.MemberData
HOUSEHOLDS = [
    # name, seq, income, causes, housing, members, stage, situation
    (
        "周建国",
        11,
        "1800.00",
        ["illness"],
        "own",
        [
            M("self", "周建国", 52, "serious", "unable"),
            M("spouse", "钱桂芳", 50, "healthy", "flexible"),
        ],
        "approved",
        "本人确诊尿毒症，每周透析三次，妻子打零工照顾家庭。",
    ),
    (
        "吴晓梅",
        12,
        "3200.00",
        ["single_parent", "schooling"],
        "rent",
        [
            M("self", "吴晓梅", 41, "healthy", "employed"),
            M("child", "吴天宇", 17, "healthy", "minor", "high"),
        ],
        "approved",
        "单亲母亲，独自抚养读高二的儿子，房租占收入近一半。",
    ),
    (
        "郑海涛",
        13,
        "5200.00",
        ["accident"],
        "own",
        [
            M("self", "郑海涛", 38, "chronic", "employed"),
            M("spouse", "孙丽", 36, "healthy", "employed"),
            M("child", "郑可欣", 9, "healthy", "minor", "compulsory"),
        ],
        "approved",
        "家中失火，房屋受损严重，借款维修。",
    ),
    (
        "冯志强",
        14,
        "2100.00",
        ["unemployment"],
        "rent",
        [
            M("self", "冯志强", 47, "healthy", "unemployed"),
            M("spouse", "陈小燕", 45, "chronic", "flexible"),
        ],
        "proposed",
        "企业关停后失业半年，妻子慢性病需长期服药。",
    ),
    (
        "褚丽华",
        15,
        "2600.00",
        ["illness"],
        "own",
        [
            M("self", "褚丽华", 55, "chronic", "employed"),
            M("parent", "褚老根", 80, "serious", "retired"),
        ],
        "exited",
        "父亲中风后康复，家庭收入恢复。",
    ),
]
DEBTS = {"郑海涛": "90000.00"}


def _id_number(seq: int) -> str:
    body = f"32021319750101{seq:03d}"
    return body + id_check_char(body)


def _admin(named):
    return named.get("admin_user")


def seed_demo_assistance(named: dict, scale: int = 1) -> str:
    admin = _admin(named)
    if admin is None:
        return "assistance: skipped (no admin)"
    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        for code, (minimum, low) in LINES.items():
            RegionalThreshold.objects.get_or_create(
                region_code=code, year=today.year,
                defaults={"minimum_living": minimum, "low_income_line": low,
                          "note": "演示数据"},
            )  # fmt: skip
        wuxi: Org = named["wuxi"]
        districts = Org.objects.get_children(wuxi).filter(level=OrgLevel.COUNTY)
        for district in districts:
            for kind, budget in ((FundKind.WARMTH, "200000.00"), (FundKind.SCHOOLING, "80000.00"),
                                 (FundKind.MEDICAL, "150000.00"), (FundKind.LIVING, "120000.00")):  # fmt: skip
                Fund.objects.get_or_create(
                    org=district,
                    year=today.year,
                    kind=kind,
                    name="",
                    defaults={"budget": Decimal(budget)},
                )
        street = named.get("street:崇安寺街道")
        if street is None:
            return "assistance: skipped (no demo street)"
        holder = (
            Org.objects.get_children(street).filter(level=OrgLevel.GRASSROOTS).first() or street
        )
        for name, seq, income, causes, housing, members, stage, situation in HOUSEHOLDS:
            number = _id_number(seq)
            if HardshipCase.objects.filter(id_index=services.id_index(number)).exists():
                continue
            data = services.CaseData(
                name=name, id_number=number, monthly_income=income, causes=causes,
                housing=housing, members=members, phone=f"1391000{seq:04d}",
                address=f"无锡市梁溪区崇安寺街道{seq}号", situation=situation,
                debts=DEBTS.get(name),
            )  # fmt: skip
            case = services.propose_case(admin, holder, data)
            created += 1
            if stage in ("approved", "exited"):
                case = services.approve_case(admin, case, "材料齐全，同意纳入。")
                services.log_follow_up(admin, case, visited_on=today, place="职工家中",
                                       people_met=name, notes="了解近况，送去慰问品。")  # fmt: skip
            if stage == "exited":
                services.exit_case(admin, case, "recovered", "家庭收入恢复，转入观察期。")
        district = Org.objects.get_ancestors(holder).filter(level=OrgLevel.COUNTY).last()
        warmth = Fund.objects.filter(org=district, year=today.year, kind=FundKind.WARMTH).first()
        if warmth is not None and not warmth.grants.exists():
            for case in HardshipCase.objects.filter(status="approved", org=holder):
                grant = services.grant_aid(admin, case, warmth, services.GrantData(
                    amount="2000.00", purpose="春节送温暖慰问金",
                    granted_on=max(today - dt.timedelta(days=3), dt.date(today.year, 1, 1))))  # fmt: skip
                services.pay_grant(admin, grant, grant.granted_on)
    return f"assistance: {created} files"
