"""Benchmark demands written straight to the database (bulk), the way the intake would store them:
same search text, same deadlines shape, identities encrypted. Used by peer_compare.py."""

from __future__ import annotations

import datetime as dt
import random

DAY = dt.timedelta(days=1)


def insert_demands(items, orgs, batch: int = 5000) -> int:
    """`items` from bench/peer/data.py, spread over `orgs` (weighted towards grassroots)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from unionhome.demands import intake, services
    from unionhome.demands.models import Demand, DemandTerm, Status
    from unionhome.text.normalise import normalise_for_search

    rng = random.Random(11)
    now = timezone.now()
    rows, total = [], 0

    def flush():
        nonlocal rows, total
        created = Demand.objects.bulk_create(rows)
        # The service's bigrams, written with executemany: the ORM would triple the load time.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {DemandTerm._meta.db_table} (demand_id, term) VALUES (%s, %s)",  # noqa: S608
                [(d.pk, t) for d in created for t in services.search_terms(d.search_text)],
            )
        total += len(rows)
        rows = []

    with transaction.atomic():
        for item in items:
            org = rng.choice(orgs)
            created = now - item.age
            closed = item.status in (Status.CLOSED, Status.RESOLVED)
            demand = Demand(
                org=org, org_path=org.path, category=item.category,
                suggested_category=item.category, urgency=item.urgency, channel="web",
                description=item.description,
                search_text=normalise_for_search(f"{item.description} {item.employer}"),
                employer_name=item.employer, anonymous=item.anonymous,
                contact_name="" if item.anonymous else item.name,
                contact_phone="" if item.anonymous else item.phone,
                contact_phone_index="" if item.anonymous else intake.phone_index(item.phone),
                status=item.status, ack_deadline=created + DAY, resolve_deadline=created + 15 * DAY,
                acknowledged_at=created + DAY / 2 if item.status != Status.SUBMITTED else None,
                resolved_at=created + 10 * DAY if closed else None,
                closed_at=created + 12 * DAY if item.status == Status.CLOSED else None,
                created_at=created,
            )  # fmt: skip
            rows.append(demand)
            if len(rows) >= batch:
                flush()
        flush()
    return total
