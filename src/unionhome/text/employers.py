"""Canonical employer keys: the same company typed differently should meet on one key.

"無錫恆達精密機械有限公司", "无锡恒达精密机械有限公司工会委员会" and " 无锡 恒达精密机械 " all give
"无锡恒达精密机械". Fuzzy matching (short forms, typos) belongs to the clustering work; this
key is for exact, index-friendly matches.
"""

from __future__ import annotations

import re

from .normalise import normalise_for_search

_UNION_SUFFIX = re.compile(r"(联合工会委员会|工会委员会|联合工会|工会)$")
_LEGAL_FORM = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|股份公司|集团公司|集团|公司|分公司)$"
)
_PROVINCE_CITY_PREFIX = re.compile(r"^(.{2,7}?(省|自治区))?(.{2,6}?市)?")
_NOISE = re.compile(r"[\s\-_·.,，。()（）【】\[\]\"'“”]+")


def employer_key(name: str) -> str:
    return key_of_normalised(normalise_for_search(name))


def key_of_normalised(text: str) -> str:
    """`employer_key` of a name already through `normalise_for_search` (for callers that
    normalise many names in one batch)."""
    key = _NOISE.sub("", text)
    key = _UNION_SUFFIX.sub("", key)
    for _ in range(2):  # "…集团有限公司" needs two passes
        key = _LEGAL_FORM.sub("", key)
    return key


def employer_core(name: str) -> str:
    """The key without a leading province/city name: "江苏省无锡市恒达精密" → "恒达精密"."""
    return core_of_key(employer_key(name))


def core_of_key(key: str) -> str:
    """`employer_core` of a name whose `employer_key` is ``key``."""
    core = _PROVINCE_CITY_PREFIX.sub("", key, count=1)
    return core or key
