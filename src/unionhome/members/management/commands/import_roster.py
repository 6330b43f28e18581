import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from unionhome.core.jobs import CliProgress
from unionhome.members import roster
from unionhome.orgs.models import Org


class Command(BaseCommand):
    help = "Import a roster workbook into a union (all rows or none), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("org_code", help="the union's code, e.g. 7KQ2-M9XA")
        parser.add_argument("path", help="the .xlsx roster (sheet 会员名册, template columns)")
        parser.add_argument(
            "--errors-to", help="write the checked workbook here when rows are wrong"
        )

    def handle(self, *args, org_code: str, path: str, errors_to: str | None, **options):
        org = Org.objects.filter(code=org_code.upper()).first()
        if org is None:
            raise CommandError(f"no org with code {org_code}")
        progress = CliProgress(stream=sys.stderr, disable=options["verbosity"] < 1)
        try:
            result, rows = roster.import_roster(org, path, progress)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        finally:
            progress.close()
        self.stdout.write(
            f"rows={result.rows} errors={result.errors} flagged={result.flagged} saved={result.saved}"
        )
        if result.errors:
            for row in rows:
                if row.errors:
                    self.stdout.write(f"  第{row.number}行：{'；'.join(row.errors)}")
            if errors_to:
                roster.write_result({r.number: r for r in rows}, path, errors_to)
            raise CommandError(f"{result.errors} row(s) wrong; nothing imported")
