"""Demo demands for digests and alerts: last month holds a clear wage-arrears burst at one
employer (so the digest of last month shows it on top), a few smaller topics around it, and the
month before a little of each, so that trends show. Entered through `submit_demand` like every
channel, then moved back in time. Some texts carry phones, ID numbers and names on purpose: the
digest must mask them. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from unionhome.core.validators import id_check_char
from unionhome.demands import intake as demand_intake
from unionhome.demands.models import Channel, Demand, DemandEvent
from unionhome.orgs.models import Org, OrgLevel

from .services import last_month, period_bounds

logger = logging.getLogger(__name__)

# {employer} is the burst employer's short name, {full} its full name.
WAGE_ARREARS = [
    "{full}拖欠我们车间三十多人两个月工资，{a}月和{b}月的都没发，老板说资金周转困难，希望工会帮忙讨要。",
    "{short}欠薪两个月了，{a}月加{b}月一分没发，我叫王建国，电话13812345678，请工会帮帮我们。",
    "我在{short}上班，公司拖欠工资快六十天，车间主任说再等等，家里房贷还不上了。",
    "{short}拖欠工资，装配线二十多个工人两个月没拿到工资，希望工会出面协调。",
    "{short} 欠薪2个月 {a}月+{b}月 工资卡里一直没到账，身份证号{id}，请联系我。",
    "{short}拖欠工資兩個月，{a}月和{b}月的工資都沒有發，工人們很著急，請工會幫忙。",
    "热线来电：来电人李秀英反映{full}拖欠其所在班组工资两个月，涉及约三十人，要求尽快发放。",
    "{short}的工资又拖了，两个月没发钱，问财务就说没钱，我们去哪里讨说法？",
    "公司（{short}）拖欠我们两个月工资和加班费，联系电话139 1234 5678，王师傅。",
    "{short}拖欠职工工资两个月，已经有人准备去劳动监察投诉，希望工会先协调。",
    "我们是{short}的一线工人，{a}、{b}两个月工资被拖欠，老板避而不见。",
    "{full}至今未发放{a}月、{b}月工资，涉及全厂一百多名职工，情况紧急。",
]
OTHER_LAST_MONTH = [
    ("social_insurance", "公司一直没给我们交社保，入职半年了社保卡上查不到缴费记录，怎么办？"),
    ("social_insurance", "单位只按最低基数缴社保，和实际工资差很多，这样合法吗？"),
    ("social_insurance", "离职后单位不给转社保关系，医保也断了，请工会帮忙。"),
    ("safety_injury", "车间通风设备坏了一个多月，油漆味很重，好几个工友头晕，没人来修。"),
    ("safety_injury", "上夜班搬货时被叉车撞伤了脚，公司不给认定工伤，也不报销医药费。"),
    ("safety_injury", "工地高处作业没有发安全带，班长说自己注意点，太危险了。"),
    ("membership", "请问怎么加入工会？我们公司没有工会，可以在街道入会吗？"),
    ("membership", "会员卡丢了怎么补办？在哪里可以办理？"),
    ("hours_leave", "公司要求每周工作六天，每天十二个小时，加班费也没有，身体吃不消。"),
    ("hours_leave", "年假申请了三次都不批，领导说忙完这阵再说，已经拖了一年。"),
]
PREVIOUS_MONTH = [
    ("wages", "{short}这个月工资晚发了十天，听说下个月也可能延迟，大家有点担心。"),
    ("membership", "入会需要什么材料？网上能不能办理入会申请？"),
    ("membership", "工会会员有哪些福利？会员卡可以在哪些商户使用？"),
    ("membership", "我们厂新成立了工会，怎么给职工办理会员卡？"),
    ("social_insurance", "公司没有给试用期员工交社保，这样合理吗？"),
]


def _phone(n: int) -> str:
    return f"1350{n:07d}"


def _backdate(demand: Demand, when: dt.datetime) -> None:
    """Move a fresh demo demand to `when` (demo data only), deadlines and timeline with it."""
    delta = demand.created_at - when
    Demand.objects.filter(pk=demand.pk).update(
        created_at=when,
        ack_deadline=demand.ack_deadline - delta,
        resolve_deadline=demand.resolve_deadline - delta,
    )
    # Demo data only: history is immutable for the application, so step around the guard.
    QuerySet.update(DemandEvent.objects.filter(demand=demand), at=F("at") - delta)


def _unambiguous(orgs) -> list[Org]:
    """Employers that routing can tell apart: demo names repeat across streets, and a demand
    naming a repeated employer goes to the default route instead of the employer's union."""
    orgs = list(orgs)
    counts = Counter(
        Org.objects.filter(employer_key__in=[o.employer_key for o in orgs])
        .values_list("employer_key", flat=True)
        .order_by()
    )
    return [o for o in orgs if counts[o.employer_key] == 1]


def burst_employer(named: dict) -> Org | None:
    street = named.get("street:崇安寺街道")
    if street is None:
        return None
    candidates = (
        Org.objects.filter(path__startswith=street.path, level=OrgLevel.GRASSROOTS)
        .exclude(employer_name="")
        .order_by("path")
    )
    found = _unambiguous(candidates)
    return found[0] if found else None


def _submit(text: str, *, category: str, employer: Org | None, n: int, when: dt.datetime,
            urgent: bool = False) -> bool:  # fmt: skip
    intake = demand_intake.Intake(
        description=text, category=category,
        employer_name=employer.employer_name if employer else "",
        address="" if employer else "无锡市梁溪区崇安寺街道",
        anonymous=n % 4 == 3, contact_name="" if n % 4 == 3 else "职工",
        contact_phone="" if n % 4 == 3 else _phone(n), urgency="urgent" if urgent else "normal",
    )  # fmt: skip
    try:
        with transaction.atomic():
            demand = demand_intake.submit_demand(
                intake, channel=Channel.HOTLINE if n % 3 == 0 else Channel.WEB
            )
            _backdate(demand, when)
    except ValidationError as exc:
        logger.info("demo digest demand skipped: %s", exc.messages)
        return False
    return True


def seed_demo_digest_data(named: dict, scale: int = 1) -> str:
    employer = burst_employer(named)
    if employer is None:
        return "digests: no demo employer"
    first, _last = last_month()
    lo, hi = period_bounds(first, _last)
    burst = Demand.objects.filter(employer_org=employer, category="wages",
                                  created_at__gte=lo, created_at__lt=hi)  # fmt: skip
    if burst.count() >= 5:
        return "digests: already present"
    full = employer.employer_name
    short = full.removeprefix("无锡").removesuffix("有限公司")
    before = first - dt.timedelta(days=1)
    id_body = "32021319900101123"
    fill = {
        "full": full,
        "short": short,
        "a": before.month,
        "b": first.month,
        "id": id_body + id_check_char(id_body),
    }
    tz = timezone.get_current_timezone()
    # The burst: twelve complaints within three days in the middle of last month.
    burst_day = dt.datetime.combine(first + dt.timedelta(days=14), dt.time(9), tzinfo=tz)
    created, n = 0, 0
    for i, template in enumerate(WAGE_ARREARS):
        n += 1
        when = burst_day + dt.timedelta(hours=5 * i + (i % 3))
        created += _submit(template.format(**fill), category="wages",
                           employer=employer if i % 2 == 0 else None, n=n, when=when,
                           urgent=i % 4 == 0)  # fmt: skip
    others = (
        Org.objects.filter(path__startswith=named["wuxi"].path, level=OrgLevel.GRASSROOTS)
        .exclude(pk=employer.pk)
        .exclude(employer_name="")
        .order_by("path")[:30]
    )
    others = _unambiguous(others)
    for i, (category, text) in enumerate(OTHER_LAST_MONTH):
        n += 1
        when = dt.datetime.combine(first + dt.timedelta(days=(i * 3) % 27), dt.time(10 + i % 8),
                                   tzinfo=tz)  # fmt: skip
        created += _submit(text, category=category, employer=others[i % len(others)] if others
                           else None, n=n, when=when)  # fmt: skip
    prev_last = first - dt.timedelta(days=1)
    prev_first = prev_last.replace(day=1)
    for i, (category, template) in enumerate(PREVIOUS_MONTH):
        n += 1
        when = dt.datetime.combine(prev_first + dt.timedelta(days=4 + 5 * i), dt.time(11),
                                   tzinfo=tz)  # fmt: skip
        created += _submit(template.format(**fill), category=category,
                           employer=employer if category == "wages" else None, n=n, when=when)  # fmt: skip
    return f"digests: {created} demo demands for last month's digest"
