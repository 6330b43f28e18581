"""Demo stations around 无锡: about forty, spread over the districts and owned by the demo street
and district unions, plus a gazetteer of the city's streets for the near-me search. Entered through
the same service as the pages; idempotent (a station is matched by org and name)."""

from __future__ import annotations

import random

from django.db import transaction

from . import services
from .models import Amenity, CheckIn, CheckInMethod, Place, Station, StationRating, StationStatus

# street → (district, WGS-84 centre, approximate)
STREETS: dict[str, tuple[str, float, float]] = {
    "崇安寺街道": ("梁溪区", 31.5782, 120.3008), "广益街道": ("梁溪区", 31.5880, 120.3300),
    "江海街道": ("梁溪区", 31.6000, 120.2900), "黄巷街道": ("梁溪区", 31.6130, 120.2800),
    "东亭街道": ("锡山区", 31.5880, 120.3700), "安镇街道": ("锡山区", 31.6200, 120.4350),
    "东港镇": ("锡山区", 31.6100, 120.5200), "堰桥街道": ("惠山区", 31.6640, 120.2920),
    "钱桥街道": ("惠山区", 31.6050, 120.2400), "洛社镇": ("惠山区", 31.6550, 120.1800),
    "蠡园街道": ("滨湖区", 31.5450, 120.2700), "河埒街道": ("滨湖区", 31.5630, 120.2550),
    "马山街道": ("滨湖区", 31.4500, 120.1000), "旺庄街道": ("新吴区", 31.5600, 120.3600),
    "梅村街道": ("新吴区", 31.5200, 120.4200), "硕放街道": ("新吴区", 31.4800, 120.4300),
    "澄江街道": ("江阴市", 31.9100, 120.2800), "周庄镇": ("江阴市", 31.8300, 120.4500),
    "华士镇": ("江阴市", 31.8200, 120.5200), "宜城街道": ("宜兴市", 31.3600, 119.8200),
    "丁蜀镇": ("宜兴市", 31.2300, 119.8700), "张渚镇": ("宜兴市", 31.2100, 119.6800),
}  # fmt: skip
LANDMARKS = {"三阳广场": (31.5760, 120.2990, "三阳"), "无锡火车站": (31.5870, 120.3010, "火车站"),
             "南禅寺": (31.5660, 120.3050, ""), "蠡湖": (31.5300, 120.2600, "")}  # fmt: skip

# Near 崇安寺 (where the browser test and a first-time visitor look): fixed, readable offsets.
CENTRE_STATIONS = [
    ("三阳广场户外劳动者服务站", "outdoor", 31.5770, 120.2995, "24小时",
     "热水、微波炉、充电、休息座椅、卫生间、药箱、空调/取暖、饮水"),
    ("崇安寺街道职工之家", "home", 31.5795, 120.3030, "周一至周五 08:30-17:30",
     "热水、休息座椅、图书、空调/取暖、饮水、无线网络"),
    ("中山路骑手驿站", "outdoor", 31.5740, 120.3020, "每天 07:00-22:00",
     "热水、微波炉、热饭、充电、休息座椅、维修工具、饮水"),
    ("崇安寺职工书屋", "library", 31.5812, 120.2985, "周二至周日 09:00-17:00",
     "图书、休息座椅、空调/取暖、饮水"),
]  # fmt: skip
KIND_TEMPLATES = [
    ("outdoor", "{street}户外劳动者服务站", ["24小时", "每天 07:00-21:00", "每天 06:00-22:00"],
     [Amenity.HOT_WATER, Amenity.MICROWAVE, Amenity.CHARGING, Amenity.SEATING, Amenity.TOILET,
      Amenity.DRINKING_WATER, Amenity.FIRST_AID, Amenity.CLIMATE, Amenity.REPAIR_TOOLS]),
    ("home", "{street}职工之家", ["周一至周五 08:30-17:30", "周一至周六 08:00-20:00"],
     [Amenity.HOT_WATER, Amenity.SEATING, Amenity.BOOKS, Amenity.CLIMATE, Amenity.WIFI,
      Amenity.NURSING, Amenity.BED, Amenity.MEALS]),
]  # fmt: skip


def _place_gazetteer() -> None:
    for street, (_district, lat, lng) in STREETS.items():
        Place.objects.get_or_create(
            name=street,
            defaults={"aliases": street.removesuffix("街道").removesuffix("镇"),
                      "latitude": lat, "longitude": lng},
        )  # fmt: skip
    for name, (lat, lng, alias) in LANDMARKS.items():
        Place.objects.get_or_create(
            name=name, defaults={"aliases": alias, "latitude": lat, "longitude": lng}
        )


def seed_demo_stations(named: dict, scale: int = 1, seed: int = 2026) -> str:
    rng = random.Random(seed)
    admin = named.get("admin_user")
    created = 0
    with transaction.atomic():
        _place_gazetteer()
        wanted: list[tuple] = []
        street_org = named.get("street:崇安寺街道")
        for name, kind, lat, lng, hours_text, amenities in CENTRE_STATIONS:
            wanted.append((street_org, name, kind, lat, lng, hours_text, amenities, "崇安寺"))
        wuxi = named["wuxi"]
        wanted.append((wuxi, "无锡市工人文化宫", "palace", 31.5720, 120.2930,
                       "周二至周日 09:00-21:00", "图书、休息座椅、卫生间、空调/取暖、母婴室、饮水",
                       "梁溪区"))  # fmt: skip
        wanted.append((wuxi, "无锡市职工服务中心", "center", 31.5850, 120.3070,
                       "周一至周五 08:30-17:00", "热水、休息座椅、卫生间、药箱、空调/取暖、饮水",
                       "梁溪区"))  # fmt: skip
        for street, (district, lat, lng) in STREETS.items():
            org = named.get(f"street:{street}") or named.get(f"district:{district}")
            if org is None:
                continue
            for kind, pattern, hour_choices, amenity_pool in KIND_TEMPLATES:
                if street == "崇安寺街道":
                    continue  # has its own, above
                d_lat, d_lng = rng.uniform(-0.006, 0.006), rng.uniform(-0.007, 0.007)
                picked = rng.sample(amenity_pool, rng.randint(4, len(amenity_pool)))
                wanted.append((org, pattern.format(street=street.removesuffix("街道")), kind,
                               round(lat + d_lat, 6), round(lng + d_lng, 6),
                               rng.choice(hour_choices), picked, f"{district}{street}"))  # fmt: skip
        existing = set(Station.objects.values_list("org_id", "name"))
        for index, (org, name, kind, lat, lng, hours_text, amenities, area) in enumerate(wanted):
            if org is None or (org.pk, name) in existing:
                continue
            station = services.create_station(
                admin, org=org, kind=kind, name=name, address=f"无锡市{area}{index + 1}号",
                latitude=lat, longitude=lng, hours=hours_text, amenities=amenities,
                phone=f"0510-8{rng.randint(1000000, 9999999)}",
                status=StationStatus.SUSPENDED if index % 17 == 16 else StationStatus.OPEN,
            )  # fmt: skip
            created += 1
            CheckIn.objects.create(station=station, method=CheckInMethod.COUNT,
                                   count=rng.randint(5, 60))  # fmt: skip
            for _ in range(rng.randint(0, 3)):
                StationRating.objects.create(station=station, rating=rng.choice([3, 4, 5, 5]))
    return f"stations: {created} created"
