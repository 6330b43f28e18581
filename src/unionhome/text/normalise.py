"""Normalising Chinese text before matching and search.

Workers type in Simplified or Traditional characters, with full-width digits and letters, and
with stray spacing. Everything that is matched or searched goes through `normalise_for_search`
on both sides, so "無錫 恆達" finds "无锡恒达" and "ＡＢＣ１２３" finds "abc123".
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc


@cache
def _t2s() -> opencc.OpenCC:
    # OpenCC's dictionaries ship inside the wheel: nothing is downloaded.
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


_SPACES = re.compile(r"\s+")


def normalise_for_search(text: str) -> str:
    """NFKC (full-width → ASCII), Traditional → Simplified, lower case, single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text).strip().lower()
