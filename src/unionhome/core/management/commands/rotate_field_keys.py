from contextlib import ExitStack

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connections, router, transaction
from tqdm import tqdm

from unionhome.core import crypto
from unionhome.core.fields import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of UNIONHOME_FIELD_KEYS. "
        "Rotation: prepend a new key, run this, then remove the old key."
    )

    def handle(self, *args, **options):
        with ExitStack() as stack:
            for alias in connections:  # every database (on SQLite the queue is a file apart)
                stack.enter_context(transaction.atomic(using=alias))
            for model in apps.get_models():
                fields = [
                    f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
                ]
                if not fields:
                    continue
                connection = connections[router.db_for_write(model)]
                quote = connection.ops.quote_name
                table = quote(model._meta.db_table)
                pk = quote(model._meta.pk.column)
                columns = ", ".join(quote(f.column) for f in fields)
                with connection.cursor() as cursor:
                    # Table and column names come from model metadata, never from input.
                    cursor.execute(f"SELECT {pk}, {columns} FROM {table}")  # noqa: S608
                    rows = cursor.fetchall()
                updated = 0
                for row in tqdm(rows, desc=model._meta.label, disable=options["verbosity"] < 1):
                    values = [crypto.rotate(v) if v else v for v in row[1:]]
                    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                            [*values, row[0]],
                        )
                    updated += 1
                if options["verbosity"]:
                    self.stdout.write(f"{model._meta.label}: {updated} row(s) re-encrypted")
