import datetime as dt

import pytest
from django.core.cache import cache
from django.db.models import F, QuerySet
from django.utils import timezone

from unionhome.demands import intake as demand_intake
from unionhome.demands.models import Demand, DemandEvent
from unionhome.digests.services import last_month

HENGDA = "无锡恒达精密机械有限公司"
RUIFENG = "无锡瑞丰纺织有限公司"
WAGES = [
    "{e}拖欠我们车间三十多人两个月工资，九月和十月的都没发，老板说资金周转困难，希望工会帮忙讨要。",
    "{e}欠薪两个月了，九月加十月一分没发，请工会帮帮我们这些一线工人。",
    "我在{e}上班，公司拖欠工资快六十天，车间主任说再等等，家里房贷还不上了。",
    "{e}拖欠工资，装配线二十多个工人两个月没拿到工资，希望工会出面协调。",
    "{e}拖欠工資兩個月，九月和十月的工資都沒有發，工人們很著急，請工會幫忙。",
    "{e}的工资又拖了，两个月没发钱，问财务就说没钱，我们去哪里讨说法？",
]
MEMBERSHIP = [
    "请问怎么加入工会？我们公司没有工会，可以在街道入会吗？",
    "会员卡丢了怎么补办？在哪里可以办理会员卡？",
    "入会需要什么材料？网上能不能办理入会申请？",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def period():
    return last_month()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def make_demand(cast):
    counter = {"n": 0}

    def make(text: str, *, when: dt.datetime | None = None, employer: str = "",
             category: str = "", address: str = "", urgency: str = "normal",
             anonymous: bool = False) -> Demand:  # fmt: skip
        counter["n"] += 1
        intake = demand_intake.Intake(
            description=text, category=category, employer_name=employer,
            address=address or ("" if employer else "无锡市梁溪区崇安寺街道"),
            anonymous=anonymous, contact_name="" if anonymous else "职工",
            contact_phone="" if anonymous else f"1360000{counter['n']:04d}", urgency=urgency,
        )  # fmt: skip
        demand = demand_intake.submit_demand(intake, channel="web")
        if when is not None:
            delta = demand.created_at - when
            Demand.objects.filter(pk=demand.pk).update(
                created_at=when, ack_deadline=F("ack_deadline") - delta,
                resolve_deadline=F("resolve_deadline") - delta,
            )  # fmt: skip
            QuerySet.update(DemandEvent.objects.filter(demand=demand), at=F("at") - delta)
            demand.refresh_from_db()
        return demand

    return make


@pytest.fixture
def wage_burst(make_demand, period):
    """Six wage-arrears complaints about 恒达 last month, three membership questions, and one
    wage complaint the month before."""
    first, _last = period
    burst = [
        make_demand(text.format(e="恒达精密"), employer=HENGDA if i % 2 else "",
                    category="wages", when=at(first + dt.timedelta(days=10), 8 + i))
        for i, text in enumerate(WAGES)
    ]  # fmt: skip
    questions = [
        make_demand(text, category="membership", when=at(first + dt.timedelta(days=3 + i)))
        for i, text in enumerate(MEMBERSHIP)
    ]
    before = first - dt.timedelta(days=20)
    earlier = make_demand("恒达精密这个月工资晚发了十天，听说下个月也可能延迟，大家有点担心。",
                          employer=HENGDA, category="wages", when=at(before))  # fmt: skip
    return {"burst": burst, "questions": questions, "earlier": earlier}


@pytest.fixture
def fake_clustering(monkeypatch):
    """A stand-in for `text.cluster.cluster_items` that groups by a visible rule (wage words →
    one topic, everything else by its first four characters), so that ranking and trend tests
    check this app's arithmetic, not the clustering's quality (tested in `text`)."""
    from unionhome.text import cluster as cluster_module

    def fake(items, *, known_employers=(), seed=0, progress=None, settings=None):
        items = list(items)
        groups: dict[str, list] = {}
        for item in items:
            wage = any(w in item.text for w in ("工资", "工資", "欠薪"))
            groups.setdefault("wages" if wage else item.text[:4], []).append(item)
        ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0].id))
        topics, cluster, employer = [], {}, {}
        for tid, members in enumerate(ordered):
            names = [m.employer for m in members if m.employer]
            topics.append(cluster_module.Topic(
                id=tid, member_ids=[m.id for m in members], representative_id=members[0].id,
                keywords=["工资", "拖欠"] if "工" in members[0].text else [members[0].text[:4]],
                employers=sorted(set(names)),
            ))  # fmt: skip
            for m in members:
                cluster[m.id] = tid
                employer[m.id] = m.employer or ("无锡恒达精密机械有限公司" if "恒达" in m.text
                                                else None)  # fmt: skip
        return cluster_module.Clustering({i.id: None for i in items}, cluster, employer, topics)

    monkeypatch.setattr(cluster_module, "cluster_items", fake)
    return fake
