"""The shared cast of the test suite, one persona per place in the hierarchy.

中华全国总工会 (national)
└─ 江苏省总工会 (province)                     province_leader [leader, admin]
   ├─ 无锡市总工会 (city)                       city_cadre [cadre, admin], mediator [mediator]
   │  └─ 梁溪区总工会 (county)                  district_cadre [cadre]
   │     ├─ 崇安寺街道总工会 (subdistrict)      street_cadre [cadre, admin]
   │     │  └─ 恒达精密机械有限公司工会 (grassroots)  enterprise_cadre [cadre]
   │     │     └─ 生产一部分工会 (branch)
   │     └─ 广益街道总工会 (subdistrict)        other_street_cadre [cadre]
   │        └─ 瑞丰纺织有限公司工会 (grassroots)
   └─ 南京市总工会 (city)                       outsider [cadre]
member: a user with no role anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from unionhome.accounts.models import User
from unionhome.core.models import RoleKind
from unionhome.orgs import services
from unionhome.orgs.models import Org

PASSWORD = "pw-for-tests"  # noqa: S105 - test fixtures only


@dataclass
class Cast:
    root: User
    national: Org
    province: Org
    wuxi: Org
    liangxi: Org
    chonganssi: Org
    guangyi: Org
    hengda: Org
    hengda_branch: Org
    ruifeng: Org
    nanjing: Org
    province_leader: User
    city_cadre: User
    mediator: User
    district_cadre: User
    street_cadre: User
    other_street_cadre: User
    enterprise_cadre: User
    outsider: User
    member: User

    def refresh(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, Org | User):
                value.refresh_from_db()
                setattr(self, name, value)


def make_id_number(region: str = "320213", birth: str = "19900101", seq: int = 1,
                   male: bool = True) -> str:  # fmt: skip
    """A valid GB 11643 number (right check character) for fixtures."""
    from unionhome.core.validators import id_check_char

    order = f"{seq:03d}"[-3:]
    if (int(order[-1]) % 2 == 1) != male:
        order = order[:2] + str((int(order[-1]) + 1) % 10)
    body = f"{region}{birth}{order}"
    return body + id_check_char(body)


def _user(username: str, phone: str = "") -> User:
    user = User(username=username, display_name=username, phone=phone)
    user.set_password(PASSWORD)
    user.save()
    return user


def build_cast() -> Cast:
    root = User.objects.create_superuser("root", password=PASSWORD, phone="13700000000")
    national = services.create_org(root, parent=None, name="中华全国总工会", level="national")
    province = services.create_org(
        root, parent=national, name="江苏省总工会", level="province", region_code="320000"
    )
    wuxi = services.create_org(
        root, parent=province, name="无锡市总工会", level="city", region_code="320200"
    )
    liangxi = services.create_org(
        root, parent=wuxi, name="无锡市梁溪区总工会", level="county", region_code="320213"
    )
    chonganssi = services.create_org(
        root, parent=liangxi, name="崇安寺街道总工会", level="subdistrict"
    )
    guangyi = services.create_org(root, parent=liangxi, name="广益街道总工会", level="subdistrict")
    hengda = services.create_org(
        root,
        parent=chonganssi,
        name="无锡恒达精密机械有限公司工会委员会",
        short_name="恒达精密工会",
        level="grassroots",
        kind="enterprise",
        employer_name="无锡恒达精密机械有限公司",
    )
    hengda_branch = services.create_org(
        root, parent=hengda, name="恒达生产一部分工会", level="branch", kind="enterprise",
    )  # fmt: skip
    ruifeng = services.create_org(
        root,
        parent=guangyi,
        name="无锡瑞丰纺织有限公司工会委员会",
        level="grassroots",
        kind="enterprise",
    )
    nanjing = services.create_org(
        root, parent=province, name="南京市总工会", level="city", region_code="320100"
    )
    people = {
        "province_leader": (province, [RoleKind.LEADER, RoleKind.ADMIN], "13900000001"),
        "city_cadre": (wuxi, [RoleKind.CADRE, RoleKind.ADMIN], "13900000002"),
        "mediator": (wuxi, [RoleKind.MEDIATOR], ""),
        "district_cadre": (liangxi, [RoleKind.CADRE], ""),
        "street_cadre": (chonganssi, [RoleKind.CADRE, RoleKind.ADMIN], "13900000004"),
        "other_street_cadre": (guangyi, [RoleKind.CADRE], ""),
        "enterprise_cadre": (hengda, [RoleKind.CADRE], ""),
        "outsider": (nanjing, [RoleKind.CADRE, RoleKind.ADMIN], ""),
    }
    users: dict[str, User] = {}
    for username, (org, kinds, phone) in people.items():
        users[username] = _user(username, phone)
        for kind in kinds:
            services.grant_role(root, user=users[username], org=org, kind=kind)
    users["member"] = _user("member")
    cast = Cast(
        root=root, national=national, province=province, wuxi=wuxi, liangxi=liangxi,
        chonganssi=chonganssi, guangyi=guangyi, hengda=hengda, hengda_branch=hengda_branch,
        ruifeng=ruifeng, nanjing=nanjing, **users,
    )  # fmt: skip
    # Real members: 3 in 恒达, 2 in 瑞丰 (counts are kept by the members services).
    from unionhome.members.services import PersonData, add_member

    for i, (org, name) in enumerate([(hengda, "张伟"), (hengda, "李娜"), (hengda, "王强"),
                                     (ruifeng, "刘洋"), (ruifeng, "陈静")], start=1):  # fmt: skip
        add_member(root, org, PersonData(name=name, id_number=make_id_number(seq=i * 2 + 1),
                                         phone=f"1350000000{i}"))  # fmt: skip
    # Adding children changed numchild in the database; stale instances would look like leaves.
    cast.refresh()
    return cast
