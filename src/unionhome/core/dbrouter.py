"""Which database a model lives in.

Everything is in `default`, except on SQLite, where the web form's queue (`DemandReceipt`) and
the rate counters every public form writes (`RateCounter`) live in the `intake` database, a
file of their own. SQLite lets one connection write to a file at a time, and its waiting
writers poll with growing sleeps: with one file, a worker's form POST waited a third of its
time for the intake worker's demand writes. With two files the POST writes only the queue,
which the intake worker touches briefly (marking receipts recorded). On PostgreSQL there is no
`intake` alias and this router answers "no opinion" throughout.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

INTAKE = "intake"
QUEUE_MODELS = frozenset({("demands", "demandreceipt"), ("core", "ratecounter")})


def split() -> bool:
    """Whether the queue has a database of its own (SQLite deployments)."""
    return INTAKE in settings.DATABASES


def _is_queue(app_label: str, model_name: str | None) -> bool:
    return (app_label, (model_name or "").lower()) in QUEUE_MODELS


def queue_alias() -> str:
    return INTAKE if split() else DEFAULT_DB_ALIAS


class IntakeQueueRouter:
    def _route(self, model) -> str | None:
        if not split():
            return None
        # Explicit for every model: left to itself, Django reads a receipt's submitter from the
        # database the receipt came from.
        return (
            INTAKE if _is_queue(model._meta.app_label, model._meta.model_name) else DEFAULT_DB_ALIAS
        )

    def db_for_read(self, model, **hints):
        return self._route(model)

    def db_for_write(self, model, **hints):
        return self._route(model)

    def allow_relation(self, obj1, obj2, **hints):
        # A receipt names its submitter (a user in `default`): the column has no database
        # constraint and no on-delete action (Django's deletion looks only in the user's
        # database); a receipt whose submitter is gone is recorded without one.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if not split():
            return None
        if model_name is None:  # RunPython / RunSQL: written for the main database
            return db == DEFAULT_DB_ALIAS
        return (db == INTAKE) == _is_queue(app_label, model_name)
