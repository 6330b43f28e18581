"""Import stations from an .xlsx or .csv file as a given user (same rules as the import page)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from unionhome.orgs.models import Org
from unionhome.stations import transfer


class Command(BaseCommand):
    help = "Import service stations from Excel/CSV: all rows or none, errors by row and column."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="username whose roles apply")
        parser.add_argument("--datum", choices=["wgs84", "gcj02"], default="wgs84")
        parser.add_argument("--org", default="", help="default org code for rows without one")

    def handle(self, *args, **options):
        path = Path(options["file"])
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        org = Org.objects.filter(code=options["org"]).first() if options["org"] else None
        if options["org"] and org is None:
            raise CommandError(f"no org with code {options['org']!r}")
        try:
            with path.open("rb") as handle:
                result = transfer.import_stations(user, handle, filename=path.name,
                                                  datum=options["datum"], default_org=org)  # fmt: skip
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("nothing imported") from None
        self.stdout.write(f"created {result.created}, updated {result.updated}, "
                          f"unchanged {result.unchanged}")  # fmt: skip
