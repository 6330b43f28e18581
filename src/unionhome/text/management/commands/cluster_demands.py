"""Cluster demands in bulk: JSON lines in, JSON lines out.

    manage.py cluster_demands < demands.jsonl > clusters.jsonl
    manage.py cluster_demands --known-employers employers.txt --seed 7 < demands.jsonl

Each input line is ``{"id": ..., "text": "...", "employer": "..." (optional)}``; each output line
is ``{"id": ..., "duplicate_group": <id shared by near-duplicates, or null>, "cluster": <topic
id>}``, one per input line, in input order. Unlike classification, clustering needs the whole
batch, so output starts once standard input is read. A line that cannot be used (not JSON, not
an object, id or text missing, text empty or not a string, an id seen before) gives
``{"line": N, "error": "...", "id": ...}`` in its place and the rest are clustered. Progress goes
to standard error.

Known employers: one name per line from ``--known-employers FILE``; without it, the employer
names of the enterprise unions in the database (none if there is no database). Clustering is
``unionhome.text.cluster.cluster_items``, the same call the digest makes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from unionhome.text.cluster import Item, cluster_items

_UNION_SUFFIX = re.compile(r"(联合工会委员会|工会委员会|联合工会|工会)$")


def _parse(raw: str | bytes) -> tuple[Any, str | None, str, str | None]:
    """(id, text, employer, error) for one input line."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, None, "", "not valid UTF-8"
    try:
        row = json.loads(raw)
    except json.JSONDecodeError as error:
        return None, None, "", f"invalid JSON: {error.msg} (column {error.colno})"
    if not isinstance(row, dict):
        return None, None, "", "not a JSON object"
    identifier = row.get("id")
    if identifier is None or isinstance(identifier, (dict, list, bool)):
        return None, None, "", "missing id (a string or a number)"
    text = row.get("text")
    if text is None:
        return identifier, None, "", "missing text"
    if not isinstance(text, str):
        return identifier, None, "", f"text must be a string, not {type(text).__name__}"
    if not text.strip():
        return identifier, None, "", "empty text"
    employer = row.get("employer") or ""
    if not isinstance(employer, str):
        return identifier, None, "", f"employer must be a string, not {type(employer).__name__}"
    return identifier, text, employer, None


def known_employers_from_database() -> list[str]:
    """Employer names of active enterprise unions (the union's own suffix dropped), or none
    when the database is not there (the command also runs as a plain text tool)."""
    from django.db import DatabaseError

    from unionhome.orgs.models import Org, OrgKind, OrgLevel

    try:
        # Grassroots unions only: a branch union's employer is its grassroots union's.
        rows = Org.objects.filter(
            kind=OrgKind.ENTERPRISE, level=OrgLevel.GRASSROOTS, is_active=True
        ).order_by("path")
        names = [row.employer_name or _UNION_SUFFIX.sub("", row.name) for row in rows]
    except DatabaseError:
        return []
    return [name for name in names if name]


class Command(BaseCommand):
    help = "Read JSON lines {id, text, employer?} from stdin; write {id, duplicate_group, cluster}."
    stealth_options = ("stdin",)
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--known-employers",
            metavar="FILE",
            help="employer names, one per line (default: the enterprise unions' employers)",
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        known = self._known_employers(options.get("known_employers"))
        source = options.get("stdin")
        if source is None:
            source = getattr(sys.stdin, "buffer", sys.stdin)
        slots: list[dict[str, Any]] = []  # per line: its error, or its id and item
        items: list[Item] = []
        seen: set[str] = set()
        try:
            for number, raw in enumerate(source, 1):
                if number == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf" if isinstance(raw, bytes) else "\ufeff")
                if not raw.strip():
                    continue
                identifier, text, employer, error = _parse(raw)
                if error is None and str(identifier) in seen:
                    error = "duplicate id"
                if error is not None:
                    slot = {"line": number, "error": error}
                    if identifier is not None:
                        slot["id"] = identifier
                    slots.append(slot)
                    continue
                seen.add(str(identifier))
                items.append(Item(id=str(identifier), text=text, employer=employer))
                slots.append({"id": identifier, "item": items[-1]})
        except OSError as error:
            raise CommandError(f"cannot read standard input: {error}") from error

        from unionhome.core.jobs import CliProgress

        bar = CliProgress(stream=sys.stderr, disable=options["no_progress"])
        bar.start(total=6, message="聚类")

        def progress(done: int, total: int) -> None:
            bar.advance(done - bar.done)

        try:
            result = cluster_items(items, known_employers=known, seed=options["seed"],
                                   progress=progress)  # fmt: skip
        finally:
            bar.close()
        for slot in slots:
            item = slot.pop("item", None)
            if item is not None:
                slot["duplicate_group"] = result.duplicate_group[item.id]
                slot["cluster"] = result.cluster[item.id]
            self.stdout.write(json.dumps(slot, ensure_ascii=False))

    def _known_employers(self, path: str | None) -> list[str]:
        if path is None:
            return known_employers_from_database()
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
