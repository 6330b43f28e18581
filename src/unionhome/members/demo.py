"""Demo members: a few real people in every demo grassroots union (saved through the roster
import's bulk path), some riders in the new-employment federation, and pending applications."""

from __future__ import annotations

import datetime as dt
import random

from unionhome.core.jobs import NullProgress
from unionhome.core.validators import id_check_char
from unionhome.orgs.models import Org, OrgLevel

from . import roster, services
from .models import JoinApplication, Membership, NewEmploymentForm

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红晨阳鑫宇浩然欣怡子涵"
JOBS = [
    "操作工",
    "质检员",
    "仓管员",
    "电工",
    "焊工",
    "装配工",
    "车间主任",
    "文员",
    "厨师",
    "保洁员",
]


def _id_number(rng: random.Random, region: str) -> str:
    born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 38))
    body = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + id_check_char(body)


def seed_demo_members(named: dict, scale: int = 1, seed: int = 2026) -> str:
    if Membership.objects.exists():
        return "members: already present"
    rng = random.Random(seed)
    per_org = 8 * scale
    total = 0
    riders = named.get("riders")
    unions = Org.objects.filter(level=OrgLevel.GRASSROOTS, is_active=True).order_by("path")
    seen: set[str] = set()
    for org in unions:
        region = org.effective_region_code() or "320213"
        rows = []
        is_rider_union = riders is not None and org.path.startswith(riders.path)
        for n in range(per_org):
            id_number = _id_number(rng, region)
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))
            )
            data = services.clean_person(services.PersonData(
                name=name, id_number=id_number, phone=f"13{rng.randint(100000000, 999999999)}",
                employer_name=org.employer_name, job_title="骑手" if is_rider_union else rng.choice(JOBS),
                hukou=rng.choice(["urban", "rural"]),
                new_employment=NewEmploymentForm.RIDER if is_rider_union else "",
            ))  # fmt: skip
            if data.id_index in seen:
                continue
            seen.add(data.id_index)
            data.name_pinyin = services.name_pinyin(data.name)
            row = roster.Row(number=n + 2, values=[], data=data,
                             joined_on=dt.date(rng.randint(2015, 2026), rng.randint(1, 10), 1))  # fmt: skip
            rows.append(row)
        total += roster._save(org, rows, NullProgress())
    # A few people waiting for approval at the demo street's first enterprise union.
    street = named["street:崇安寺街道"]
    target = (
        Org.objects.filter(level=OrgLevel.GRASSROOTS, path__startswith=street.path)
        .order_by("path")
        .first()
    )
    for i in range(3):
        data = services.PersonData(name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                                   id_number=_id_number(rng, "320213"),
                                   phone=f"1390000{1000 + i}", employer_name=target.employer_name)  # fmt: skip
        services.submit_application(target, data)
    return f"members: {total} people in {unions.count()} unions, {JoinApplication.objects.count()} applications"
