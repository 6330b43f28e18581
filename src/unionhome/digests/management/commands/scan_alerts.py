"""Early-warning scan: employer bursts and category surges ending now (cron, idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from unionhome.digests import alerts


class Command(BaseCommand):
    help = "Raise early-warning alerts for demand bursts and surges; a burst is raised once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backfill", type=int, default=0, metavar="DAYS",
            help="scan as if run once a day over the last DAYS days (after an outage, demo data)",
        )  # fmt: skip

    def handle(self, *args, backfill: int, **options):
        if backfill < 0:
            raise CommandError("--backfill must be 0 or more")
        result = alerts.backfill(backfill) if backfill else alerts.scan_alerts()
        for alert in result.raised:
            self.stdout.write(f"  {alert.code} {alert.get_kind_display()} {alert.title}")
        self.stdout.write(
            self.style.SUCCESS(f"{len(result.raised)} alert(s) raised, {result.updated} updated.")
        )
