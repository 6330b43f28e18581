"""The one data set both systems are seeded with: deterministic, standard library only.

Imported by the unionhome side (bench/peer_compare.py) and by the django-helpdesk site's seeding
command (bench/peer/helpdesk_site/seed.py, run with the helpdesk venv's Python), so both get the
same items in the same order from the same seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

# (category code in unionhome, short title, sentence templates); {e} employer, {m} months, {n} amount
ISSUES = [
    ("wage_arrears", "拖欠工资", [
        "{e}已经拖欠我们{m}个月工资了，一共大约{n}元，老板一直说下个月发。",
        "公司从今年开始每月工资只发一半，剩下的说年底结算，现在欠我{n}元工资。",
        "离职已经两个月，{e}还没有结清最后{m}个月的工资和加班费。",
    ]),
    ("overtime", "加班费", [
        "{e}每天要求加班到晚上十点，周末也上班，从来没有加班费。",
        "车间实行大小周，每月加班超过{m}十小时，公司按基本工资算加班费不合理。",
    ]),
    ("social_insurance", "社会保险", [
        "入职{m}年了，{e}一直没有给我缴纳社保和公积金。",
        "公司按最低基数给我们交社保，和实际工资差很多，想了解怎么维权。",
    ]),
    ("contract", "劳动合同", [
        "在{e}工作{m}个月了还没有签劳动合同，问了几次人事都说再等等。",
        "公司要求我们签空白合同，合同期限和工资都没写，不敢签。",
    ]),
    ("dismissal", "违法解除", [
        "{e}突然通知我明天不用来了，没有任何补偿，我在这里干了{m}年。",
        "怀孕后公司以调岗为名逼我辞职，不同意就扣工资。",
    ]),
    ("safety", "劳动安全", [
        "车间粉尘很大，{e}不发口罩，好几个工友咳嗽好几个月了。",
        "夏天高温作业没有防暑措施，也没有高温津贴，希望工会来看看。",
    ]),
    ("injury", "工伤认定", [
        "上个月在{e}干活时手被机器压伤，公司不给报工伤，医药费花了{n}元。",
        "骑手送餐途中被车撞了，平台说我们不是员工，不管工伤。",
    ]),
    ("hardship", "生活困难", [
        "家里老人生病住院，孩子上学，今年收入少，想申请困难职工帮扶。",
        "我是单亲妈妈，在{e}上班，每月工资{n}元，房租交不起了。",
    ]),
    ("rights_other", "其他权益", [
        "{e}食堂饭菜质量差价格高，职工意见很大，希望工会出面沟通。",
        "公司年休假从来不让休，请假就扣全勤奖。",
    ]),
]  # fmt: skip
EMPLOYERS = ["恒达精密机械", "华瑞纺织", "鑫源电子", "宏远物流", "天成建材", "永盛食品",
             "瑞丰塑业", "金茂服装", "博远科技", "中润化工", "德利五金", "嘉禾印务"]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
# uh status, helpdesk status (1 open, 2 reopened, 3 resolved, 4 closed, 5 duplicate), weight
STATUSES = [("closed", 4, 80), ("resolved", 3, 8), ("submitted", 1, 5), ("accepted", 1, 3),
            ("in_progress", 2, 4)]  # fmt: skip
OPEN = frozenset({"submitted", "accepted", "in_progress"})
WORD = "工资"


@dataclass(frozen=True)
class Item:
    n: int
    category: str
    title: str
    description: str
    employer: str
    status: str
    hd_status: int
    urgency: str
    age: dt.timedelta  # how long ago it was submitted
    name: str
    phone: str
    anonymous: bool


def generate(count: int, seed: int = 2026, now: dt.datetime | None = None):
    """Yield `count` items: about 12 % open, ≈ 30 % mention 工资, spread over three years."""
    rng = random.Random(seed)
    weights = [w for *_x, w in STATUSES]
    for n in range(count):
        category, title, templates = rng.choice(ISSUES)
        employer = f"无锡{rng.choice(EMPLOYERS)}有限公司"
        text = rng.choice(templates).format(
            e=employer, m=rng.randint(2, 9), n=rng.randrange(3000, 60000, 100)
        )
        text += rng.choice(["", "希望工会帮忙协调。", "请尽快联系我，谢谢！", "工友们都很着急。"])
        status, hd_status, _w = rng.choices(STATUSES, weights)[0]
        age = dt.timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        if status in OPEN:
            age = dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 60))  # open ones are recent
        yield Item(
            n=n, category=category, title=f"{title}（{employer[2:6]}）", description=text,
            employer=employer, status=status, hd_status=hd_status,
            urgency=rng.choice(["normal"] * 8 + ["high", "urgent"]), age=age,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=f"13{rng.randrange(0, 10**9):09d}", anonymous=rng.random() < 0.15,
        )  # fmt: skip


# Where the POST scenario's workers say they are: the seeded district's streets, or only a road.
PLACES = ["崇安寺街道", "广益街道", "江海街道", "黄巷街道", "中山路", "解放南路"]


def submission(n: int, seed: int = 7) -> dict:
    """The n-th form submission of the POST scenario (the same text for both systems). Like a
    real worker's, it names the place: a worker whose employer has no union is routed by it."""
    rng = random.Random(seed * 1_000_003 + n)
    _category, title, templates = rng.choice(ISSUES)
    employer = f"无锡{rng.choice(EMPLOYERS)}有限公司"
    text = rng.choice(templates).format(
        e=employer, m=rng.randint(2, 9), n=rng.randrange(3000, 60000, 100)
    )
    address = f"无锡市梁溪区{rng.choice(PLACES)}{rng.randint(1, 300)}号"
    return {"title": title, "description": f"{text}（提交{n}）", "employer": employer,
            "address": address, "phone": f"139{rng.randrange(0, 10**8):08d}",
            "name": rng.choice(SURNAMES) + "先生"}  # fmt: skip
