"""Classify demands in bulk: JSON lines in, JSON lines out.

    manage.py classify_demands < demands.jsonl > categories.jsonl

Each input line is ``{"id": ..., "text": "..."}``; each output line is
``{"id": ..., "category": "<one of the twelve Chinese names>", "is_spam": false,
"confidence": 0.87}``, in input order, written as soon as the line is read (stdin is streamed,
never read whole). A line that cannot be classified (not JSON, not an object, text missing,
empty or not a string, not UTF-8) gives ``{"line": N, "error": "...", "id": ...}`` (id when there
is one) and the rest still run. Blank lines are skipped. The exit status is 0 unless standard
input cannot be read.

Classification is ``unionhome.text.classify.classify``, the same call the web form makes.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from unionhome.text.classify import classify


def _parse(raw: str | bytes) -> tuple[Any, str | None, str | None]:
    """(id, text, error) for one input line."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, None, "not valid UTF-8"
    try:
        row = json.loads(raw)
    except json.JSONDecodeError as error:
        return None, None, f"invalid JSON: {error.msg} (column {error.colno})"
    if not isinstance(row, dict):
        return None, None, "not a JSON object"
    identifier = row.get("id")
    if "text" not in row or row["text"] is None:
        return identifier, None, "missing text"
    text = row["text"]
    if not isinstance(text, str):
        return identifier, None, f"text must be a string, not {type(text).__name__}"
    if not text.strip():
        return identifier, None, "empty text"
    return identifier, text, None


def _lines(source: Any):
    """The lines of `source`; a read error (not a write error downstream) is a CommandError."""
    iterator = iter(source)
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            return
        except OSError as error:
            raise CommandError(f"cannot read standard input: {error}") from error
        yield raw


class Command(BaseCommand):
    help = "Read JSON lines {id, text} from stdin; write {id, category, is_spam, confidence}."
    # call_command("classify_demands", stdin=StringIO(...)) in tests; sys.stdin otherwise.
    stealth_options = ("stdin",)
    # Text in, text out: no database, URLs or admin involved, so no system checks to wait for.
    requires_system_checks = []

    def handle(self, *args, **options):
        source = options.get("stdin")
        if source is None:
            # Bytes, decoded line by line, so a line in a bad encoding is one error line.
            source = getattr(sys.stdin, "buffer", sys.stdin)
        for number, raw in enumerate(_lines(source), 1):
            if number == 1:  # a byte-order mark from Windows editors
                raw = raw.removeprefix(b"\xef\xbb\xbf" if isinstance(raw, bytes) else "\ufeff")
            if not raw.strip():
                continue
            identifier, text, error = _parse(raw)
            if error is None:
                result = {"id": identifier, **classify(text)}
            else:
                result = {"line": number, "error": error}
                if identifier is not None:
                    result["id"] = identifier
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            self.stdout.flush()
