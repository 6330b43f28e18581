from django.core.management.base import BaseCommand

from unionhome.core.jobs import CliProgress
from unionhome.dashboards import rollups


class Command(BaseCommand):
    help = (
        "Recompute the dashboards' roll-ups from the raw demand and membership rows. With --check,"
        " change nothing: compare the stored roll-ups with a full recount, print every difference"
        " and exit 1 if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="compare only; exit 1 on any difference"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        progress = CliProgress(stream=self.stderr, disable=options["quiet"])
        try:
            if options["check"]:
                differences = rollups.check(progress)
            else:
                result = rollups.rebuild(progress)
        finally:
            progress.close()
        if not options["check"]:
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
            return
        for d in differences[:1000]:
            self.stdout.write(
                f"{d.org_path} {d.table} {d.key}: stored={d.stored} recount={d.recounted}"
            )
        self.stdout.write(f"differences={len(differences)}")
        if differences:
            raise SystemExit(1)
