"""A believable slice of the union tree for demos and benchmarks: 全总 → 江苏 → 无锡 → districts
→ streets/towns → about 200 grassroots unions, plus 南京 as a neighbour that 无锡 cadres must not see.

Deterministic (seeded PRNG) and idempotent: running it again finds every org by name under its
parent and creates only what is missing, so `make run` can call it on every start.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from unionhome.core.models import RoleKind
from unionhome.core.registry import demo_seeders
from unionhome.core.validators import USCC_ALPHABET, uscc_check_char

from . import services
from .models import Org, OrgKind, OrgLevel

DEMO_PASSWORD = "unionhome-demo"  # noqa: S105 - printed on purpose: demo logins only

# district → (region code, [streets/towns])
WUXI_DISTRICTS: dict[str, tuple[str, list[str]]] = {
    "梁溪区": ("320213", ["崇安寺街道", "广益街道", "江海街道", "黄巷街道"]),
    "锡山区": ("320205", ["东亭街道", "安镇街道", "东港镇"]),
    "惠山区": ("320206", ["堰桥街道", "钱桥街道", "洛社镇"]),
    "滨湖区": ("320211", ["蠡园街道", "河埒街道", "马山街道"]),
    "新吴区": ("320214", ["旺庄街道", "梅村街道", "硕放街道"]),
    "江阴市": ("320281", ["澄江街道", "周庄镇", "华士镇"]),
    "宜兴市": ("320282", ["宜城街道", "丁蜀镇", "张渚镇"]),
}
NANJING_DISTRICTS: dict[str, tuple[str, list[str]]] = {
    "玄武区": ("320102", ["玄武门街道", "新街口街道"]),
}

BRANDS = [
    "恒达",
    "华瑞",
    "鑫源",
    "宏远",
    "天成",
    "永盛",
    "瑞丰",
    "金茂",
    "博远",
    "中润",
    "德利",
    "嘉禾",
    "信达",
    "创维",
    "锦程",
    "亿丰",
    "凯旋",
    "汇通",
    "泰和",
    "明阳",
    "长青",
    "东方",
    "联创",
    "宝利",
    "新晟",
    "海川",
    "隆基",
    "众成",
    "卓越",
    "星辰",
]
TRADES = [
    "精密机械",
    "纺织",
    "电子科技",
    "物流",
    "食品",
    "环保科技",
    "新材料",
    "建筑工程",
    "汽车零部件",
    "医疗器械",
    "物业管理",
    "餐饮管理",
    "服装",
    "印染",
    "光伏科技",
    "软件",
    "化工",
    "模具",
    "家居",
    "商贸",
]
RIDER_PLATFORMS = ("外卖配送", "即时配送", "快递", "同城货运", "网约车")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    phone: str
    org: Org | None
    kinds: tuple[str, ...]

    @property
    def org_name(self) -> str:
        return self.org.name if self.org else "—"


def _uscc(rng: random.Random, authority: str, region: str) -> str:
    body = authority + region + "".join(rng.choice(USCC_ALPHABET[:10]) for _ in range(9))
    return body + uscc_check_char(body)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class DemoBuilder:
    def __init__(
        self,
        scale: int = 1,
        seed: int = 2026,
        progress: Callable[[int], None] | None = None,
    ):
        self.scale = max(1, scale)
        self.rng = random.Random(seed)
        self.progress = progress or (lambda n: None)
        self.created = 0
        self.summaries: list[str] = []
        self.admin = None
        self._children_by_name: dict[int, dict[str, Org]] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _child(self, parent: Org | None, name: str, **fields) -> Org:
        key = parent.pk if parent else 0
        if key not in self._children_by_name:
            siblings = Org.objects.get_children(parent) if parent else Org.objects.get_root_nodes()
            self._children_by_name[key] = {o.name: o for o in siblings}
        existing = self._children_by_name[key].get(name)
        if existing is not None:
            return existing
        org = services.create_org(self.admin, parent=parent, name=name, **fields)
        if parent is not None:
            parent.refresh_from_db()
        self._children_by_name[key][name] = org
        self.created += 1
        return org

    def grassroots_total(self) -> int:
        wuxi_streets = sum(len(s) for _, s in WUXI_DISTRICTS.values())
        nanjing_streets = sum(len(s) for _, s in NANJING_DISTRICTS.values())
        return self.scale * (
            wuxi_streets * 9  # enterprises per street
            + len(WUXI_DISTRICTS) * 2  # small firms in each community federation
            + nanjing_streets * 3
            + len(RIDER_PLATFORMS) * 2
        )

    def per_street(self) -> int:
        return 9 * self.scale

    # -- the tree --------------------------------------------------------------------------
    def build(self) -> dict[str, Org]:
        user_model = get_user_model()
        self.admin, created = user_model.objects.get_or_create(
            username="admin",
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "display_name": "系统管理员",
                "phone": "13900000000",
            },
        )
        if created:
            self.admin.set_password(DEMO_PASSWORD)
            self.admin.save()
        named: dict[str, Org] = {}
        national = self._child(None, "中华全国总工会", short_name="全总", level=OrgLevel.NATIONAL)
        province = self._child(
            national, "江苏省总工会", short_name="江苏省总", level=OrgLevel.PROVINCE,
            region_code="320000", address="南京市玄武区", legal_person_code="",
        )  # fmt: skip
        wuxi = self._child(
            province, "无锡市总工会", short_name="无锡市总", level=OrgLevel.CITY,
            region_code="320200", address="无锡市梁溪区",
        )  # fmt: skip
        nanjing = self._child(
            province, "南京市总工会", short_name="南京市总", level=OrgLevel.CITY,
            region_code="320100", address="南京市秦淮区",
        )  # fmt: skip
        named.update(national=national, province=province, wuxi=wuxi, nanjing=nanjing)

        for city, districts in ((wuxi, WUXI_DISTRICTS), (nanjing, NANJING_DISTRICTS)):
            for district_name, (region, streets) in districts.items():
                district = self._child(
                    city, f"{city.name[:2]}市{district_name}总工会" if district_name.endswith("区")
                    else f"{district_name}总工会",
                    short_name=f"{district_name}总工会", level=OrgLevel.COUNTY, region_code=region,
                )  # fmt: skip
                named.setdefault(f"district:{district_name}", district)
                for index, street_name in enumerate(streets):
                    street = self._child(
                        district, f"{district_name}{street_name}总工会",
                        short_name=f"{street_name}总工会", level=OrgLevel.SUBDISTRICT,
                    )  # fmt: skip
                    named.setdefault(f"street:{street_name}", street)
                    count = self.per_street() if city is wuxi else 3 * self.scale
                    self._enterprises(street, region, count, big=index == 0)
                if city is wuxi:
                    community = self._child(
                        district, f"{district_name}社区工会联合会",
                        level=OrgLevel.SUBDISTRICT, kind=OrgKind.REGIONAL,
                    )  # fmt: skip
                    self._enterprises(community, region, 2 * self.scale, small=True)

        riders = self._child(
            wuxi, "无锡市新就业形态劳动者行业工会联合会", short_name="新业态行业工会联合会",
            level=OrgLevel.CITY, kind=OrgKind.INDUSTRY, region_code="320200",
        )  # fmt: skip
        named["riders"] = riders
        for platform in RIDER_PLATFORMS:
            for n in range(2 * self.scale):
                brand = BRANDS[(n * 7 + len(platform)) % len(BRANDS)]
                suffix = "" if n < len(BRANDS) else f"第{n // len(BRANDS) + 1}"
                region = list(WUXI_DISTRICTS.values())[n % len(WUXI_DISTRICTS)][0]
                employer = f"无锡{brand}{platform}服务有限公司{suffix}"
                self._grassroots(riders, employer, region, workers=self.rng.randint(80, 900))
        return named

    def _enterprises(self, street: Org, region: str, count: int, *, big=False, small=False):
        used: set[str] = set()
        for n in range(count):
            employer = self._employer_name(n, used)
            workers = self.rng.randint(8, 60) if small else self.rng.randint(30, 2500)
            org = self._grassroots(street, employer, region, workers=workers)
            if big and n < 2:
                for branch_name in ("生产一部分工会", "生产二部分工会", "后勤保障分工会"):
                    branch = self._child(
                        org, f"{employer}{branch_name}", short_name=branch_name,
                        level=OrgLevel.BRANCH, kind=OrgKind.ENTERPRISE,
                    )  # fmt: skip
                    self._child(
                        branch, f"{employer}{branch_name}第一工会小组", short_name="第一工会小组",
                        level=OrgLevel.GROUP, kind=OrgKind.ENTERPRISE,
                    )  # fmt: skip

    def _employer_name(self, n: int, used: set[str]) -> str:
        name = f"无锡{self.rng.choice(BRANDS)}{self.rng.choice(TRADES)}有限公司"
        if name in used:
            # Past 600 combinations per street (large --scale), number the branch offices.
            name = f"{name}第{n + 1}分公司"
        used.add(name)
        return name

    def _grassroots(self, parent: Org, employer: str, region: str, *, workers: int) -> Org:
        # Draw every random value before looking for an existing org, so that a re-run consumes
        # the PRNG identically and regenerates exactly the same names.
        founded = dt.date(self.rng.randint(1995, 2024), self.rng.randint(1, 12), 1)
        employer_code = _uscc(self.rng, "91", region)
        union_code = _uscc(self.rng, "81", region)
        contact = _person(self.rng)
        number = self.rng.randint(1, 399)
        org = self._child(
            parent, f"{employer}工会委员会", short_name=f"{employer.removeprefix('无锡')}工会",
            level=OrgLevel.GRASSROOTS, kind=OrgKind.ENTERPRISE, region_code=region,
            employer_name=employer, employer_credit_code=employer_code,
            legal_person_code=union_code,
            address=f"{parent.short_name.removesuffix('总工会')}{number}号",
            contact_name=contact, worker_count=workers, founded_on=founded,
        )  # fmt: skip
        self.progress(1)
        return org

    # -- people ----------------------------------------------------------------------------
    def logins(self, named: dict[str, Org]) -> list[DemoLogin]:
        first_enterprise = (
            Org.objects.get_children(named["street:崇安寺街道"])
            .filter(level=OrgLevel.GRASSROOTS)
            .first()
        )
        return [
            DemoLogin("admin", "系统管理员", "13900000000", None, ()),
            DemoLogin("province_leader", "江苏省总·周明", "13900000001", named["province"],
                      (RoleKind.LEADER, RoleKind.ADMIN)),
            DemoLogin("city_cadre", "无锡市总·陈静", "13900000002", named["wuxi"],
                      (RoleKind.CADRE, RoleKind.ADMIN)),
            DemoLogin("district_cadre", "梁溪区总·王磊", "13900000003",
                      named["district:梁溪区"], (RoleKind.CADRE,)),
            DemoLogin("street_cadre", "崇安寺街道·李娜", "13900000004",
                      named["street:崇安寺街道"], (RoleKind.CADRE, RoleKind.ADMIN)),
            DemoLogin("enterprise_cadre", "企业工会·张伟", "13900000005",
                      first_enterprise, (RoleKind.CADRE,)),
            DemoLogin("mediator", "无锡市总·调解员刘洋", "13900000006", named["wuxi"],
                      (RoleKind.MEDIATOR,)),
            DemoLogin("nanjing_cadre", "南京市总·赵敏", "13900000007", named["nanjing"],
                      (RoleKind.CADRE,)),
        ]  # fmt: skip

    def ensure_people(self, named: dict[str, Org]) -> list[DemoLogin]:
        user_model = get_user_model()
        logins = self.logins(named)
        for login in logins:
            user, created = user_model.objects.get_or_create(
                username=login.username,
                defaults={"display_name": login.display_name, "phone": login.phone},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            for kind in login.kinds:
                services.grant_role(self.admin, user=user, org=login.org, kind=kind)
        return logins


def seed_demo(scale: int = 1, progress: Callable[[int], None] | None = None):
    """Build (or complete) the demo tree and its cadres; returns (builder, logins)."""
    builder = DemoBuilder(scale=scale, progress=progress)
    with transaction.atomic():
        named = builder.build()
        logins = builder.ensure_people(named)
    named["admin_user"] = builder.admin
    builder.summaries = [seeder(named, scale) for _key, seeder in demo_seeders()]
    return builder, logins
