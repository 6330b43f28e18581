import time

from django.core.management.base import BaseCommand

from unionhome.demands.services import sweep


class Command(BaseCommand):
    help = (
        "Escalate overdue demands, remind assignees, close unrated resolutions and ask follow-ups. "
        "Idempotent: run it from cron every few minutes, or with --every to loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="seconds between runs (loop)")
        parser.add_argument("--times", type=int, default=0, help="stop after N runs (with --every)")

    def handle(self, *args, every: int, times: int, **options):
        runs = 0
        while True:
            result = sweep()
            runs += 1
            self.stdout.write(
                f"escalated={result.escalated} reminded={result.reminded} "
                f"closed={result.closed} follow_ups={result.follow_ups}"
            )
            if not every or (times and runs >= times):
                return
            time.sleep(every)
