"""Seed django-helpdesk with the benchmark's items (bench/peer/data.py), a public queue and a
staff user; `count` prints the number of tickets (to check stored == acknowledged)."""

import datetime as dt
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))  # bench/ for peer.data


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=100_000)
        parser.add_argument("--count", action="store_true", help="only print the ticket count")

    def handle(self, *args, items, count, **options):
        from helpdesk.models import Queue, Ticket
        from peer.data import generate

        if count:
            self.stdout.write(str(Ticket.objects.count()))
            return
        queue, _ = Queue.objects.get_or_create(
            slug="workers", defaults={"title": "职工诉求", "allow_public_submission": True}
        )
        user = get_user_model().objects.filter(username="staff").first()
        if user is None:
            user = get_user_model().objects.create_user(
                "staff", "staff@example.org", "bench-staff", is_staff=True
            )
        now = timezone.now()
        batch = []
        with transaction.atomic():
            for item in generate(items):
                created = now - item.age
                batch.append(Ticket(
                    title=item.title, queue=queue, created=created, modified=created,
                    submitter_email=f"w{item.n}@example.org", status=item.hd_status,
                    description=item.description, priority={"urgent": 1, "high": 2}.get(item.urgency, 3),
                    due_date=created + dt.timedelta(days=15),
                ))  # fmt: skip
                if len(batch) == 5000:
                    Ticket.objects.bulk_create(batch)
                    batch = []
            Ticket.objects.bulk_create(batch)
        from django.db import connection

        with connection.cursor() as cursor:  # both systems get fresh planner statistics
            cursor.execute("ANALYZE")
        self.stdout.write(f"seeded {items} tickets")
