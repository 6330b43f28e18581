"""Normalising Chinese text before storage, matching and search.

Workers type in Simplified or Traditional characters, with full-width digits and letters, and
with stray spacing. Three levels, each built on the one before:

* `clean_text`: what is *stored*. Width and spacing are tidied, invisible and control characters
  go, but the worker's script (Simplified or Traditional) and line breaks stay as written.
* `normalise_for_search`: what search compares. Everything that is searched goes through it on
  both sides, so "無錫 恆達" finds "无锡恒达" and "ＡＢＣ１２３" finds "abc123".
* `normalise_for_matching`: what the tokeniser, the classifier and the spam rules see:
  `clean_text`, then `normalise_for_search`.
"""

from __future__ import annotations

import re
import unicodedata

# OpenCC's t2s as a table (≈ 0.5 MiB where OpenCC costs a web worker ≈ 5 MiB; text/t2s.py).
from .t2s import to_simplified

_SPACES = re.compile(r"\s+")


def normalise_for_search(text: str) -> str:
    """NFKC (full-width → ASCII), Traditional → Simplified, lower case, single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text).strip().lower()


# Full-width punctuation that is ordinary Chinese typography: NFKC would turn "，" into ",", so
# stored text keeps these as written (matching still folds them, through normalise_for_search).
_CJK_PUNCTUATION = "，！？：；（）～"
_KEEP_PUNCTUATION = re.compile(f"([{_CJK_PUNCTUATION}])")
# Line and paragraph separators and the CR of CRLF all become "\n".
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# Cc (control), Cf (format: zero-width spaces, BOM, bidi overrides), Cs (lone surrogates, which
# cannot even be encoded as UTF-8) — except the tab and the line feed.
_INVISIBLE = frozenset(("Cc", "Cf", "Cs"))
_RUN_OF_SPACES = re.compile(r" {2,}")
_SPACES_AROUND_NEWLINE = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")


def _nfkc_except_cjk_punctuation(text: str) -> str:
    parts = _KEEP_PUNCTUATION.split(text)
    # split() with one group alternates text, kept punctuation, text, ...
    return "".join(
        part if index % 2 else unicodedata.normalize("NFKC", part)
        for index, part in enumerate(parts)
    )


def clean_text(text: str | None) -> str:
    """Tidy demand text for storage, keeping what the worker wrote.

    NFKC (full-width digits, letters and spaces → ASCII; "１５６００元" → "15600元"), except the
    full-width punctuation of Chinese typography ("，" "？" stay); control and invisible characters
    removed (tab and newline kept, CRLF → LF); runs of spaces collapsed to one, spaces at line
    ends dropped, at most one blank line in a row; trimmed. Not converted to Simplified.
    """
    if not text:
        return ""
    text = _LINE_BREAKS.sub("\n", text)
    text = _nfkc_except_cjk_punctuation(text)
    text = "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char) not in _INVISIBLE
    )
    text = _RUN_OF_SPACES.sub(" ", text)
    text = _SPACES_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalise_for_matching(text: str | None) -> str:
    """`clean_text`, then Traditional → Simplified, lower case, all whitespace as single spaces.

    The one form the tokeniser, the classifier and the spam rules work on.
    """
    return normalise_for_search(clean_text(text))
