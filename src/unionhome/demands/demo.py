"""Demo demands for the demo province: real corpus texts, entered through the same service as
every channel, then moved along the status machine so that the inbox, tiles and timelines have
something to show. Idempotent: nothing is added when demo demands already exist."""

from __future__ import annotations

import datetime as dt
import logging
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet

from unionhome.orgs.models import Org, OrgLevel
from unionhome.text.classify import load_corpus

from . import services
from .intake import Intake, submit_demand
from .models import Channel, Demand, DemandEvent

logger = logging.getLogger(__name__)

STREET_ADDRESSES = ["无锡市梁溪区广益街道", "无锡市梁溪区崇安寺街道", "无锡市新吴区旺庄街道",
                    "无锡市滨湖区蠡园街道", "无锡市惠山区堰桥街道", "江阴市澄江街道"]  # fmt: skip


def seed_demo_demands(named: dict, scale: int = 1, seed: int = 2026) -> str:
    if Demand.objects.exists():
        return "demands: already present"
    rng = random.Random(seed)
    corpus = load_corpus()
    rng.shuffle(corpus)
    street = named["street:崇安寺街道"]
    grassroots = list(
        Org.objects.filter(level=OrgLevel.GRASSROOTS, is_active=True)
        .filter(path__startswith=named["wuxi"].path)
        .order_by("path")
    )
    local = [o for o in grassroots if o.path.startswith(street.path)]
    count = 60 * scale
    created = 0
    admin = named.get("admin_user")
    for i, example in enumerate(corpus[:count]):
        employer = rng.choice(local if i % 3 == 0 else grassroots) if i % 4 else None
        intake = Intake(
            description=example.text, category=example.code,
            employer_name=employer.employer_name if employer else "",
            address="" if employer else rng.choice(STREET_ADDRESSES),
            anonymous=i % 3 == 0, contact_name="" if i % 3 == 0 else "张师傅",
            contact_phone="" if i % 3 == 0 else f"139{rng.randint(10000000, 99999999)}",
            urgency="urgent" if i % 11 == 0 else "normal",
        )  # fmt: skip
        try:
            with transaction.atomic():
                demand = submit_demand(
                    intake,
                    channel=rng.choice([Channel.WEB, Channel.WEB, Channel.HOTLINE, Channel.API]),
                )
        except ValidationError as exc:  # a corpus line the intake rules refuse (e.g. too short)
            logger.info("demo demand skipped: %s", exc.messages)
            continue
        created += 1
        _age(demand, days=rng.randint(0, 25))
        stage = i % 6
        if stage >= 1 and admin is not None:
            services.accept_demand(admin, demand)
        if stage >= 3 and admin is not None:
            services.resolve_demand(admin, demand, "经工会协调，单位已答复并整改，已电话告知职工。")
        if stage == 5:
            services.rate_demand(demand.tracking_code, rating=rng.choice([4, 5]), solved=True)
    return f"demands: {created} created"


def _age(demand: Demand, days: int) -> None:
    """Move a fresh demo demand back in time (demo data only), deadlines with it."""
    if not days:
        return
    delta = dt.timedelta(days=days, hours=random.Random(demand.pk).randint(0, 8))
    Demand.objects.filter(pk=demand.pk).update(
        created_at=demand.created_at - delta,
        ack_deadline=demand.ack_deadline - delta,
        resolve_deadline=demand.resolve_deadline - delta,
    )
    # Demo data only: history is immutable for the application, so step around the guard.
    events = DemandEvent.objects.filter(demand=demand)
    QuerySet.update(events, at=F("at") - delta)
    demand.refresh_from_db()
