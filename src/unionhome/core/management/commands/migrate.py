"""`migrate`, which on SQLite also migrates the web form's queue file (core.dbrouter).

A plain `manage.py migrate` (or `call_command("migrate")`) must leave a working system: the
queue's tables live in the `intake` database, so migrating `default` migrates it too. Test
database creation is left alone: it migrates every alias itself, with run_syncdb."""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS

from unionhome.core import dbrouter


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        super().handle(*args, **options)
        chained = options["database"] == DEFAULT_DB_ALIAS and not options["run_syncdb"]
        if chained and dbrouter.split() and not options["app_label"]:
            if options["verbosity"] >= 1:
                self.stdout.write(f"Database {dbrouter.INTAKE!r} (the web form's queue):")
            super().handle(*args, **{**options, "database": dbrouter.INTAKE})
