"""Write the official working-day calendar web workers use (core/data/cn_calendar.json).

Run after upgrading the `holidays` package (a new State Council schedule); the test suite fails
until you do."""

from django.core.management.base import BaseCommand

from unionhome.core.workdays import CALENDAR_PATH, export_calendar


class Command(BaseCommand):
    help = "Export the Chinese working-day calendar from the holidays package"

    def handle(self, *args, **options):
        data = export_calendar()
        self.stdout.write(f"{len(data['years'])} years → {CALENDAR_PATH}")
