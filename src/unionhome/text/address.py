"""Reading a region out of free Chinese address text (demand routing, the station finder)."""

from __future__ import annotations

from functools import cache

from django.conf import settings


@cache
def _cpca():
    # cpca brings pandas (~70 MB): load it on first use, never at import time of web workers.
    import cpca

    return cpca


def recognise_region(address: str) -> str:
    """A 6-digit county code read from free address text, or ''.

    District names repeat across cities (朝阳区 is in Beijing and Changchun): when the address
    names no city and the deployment has a home city, that city is tried as context first.
    """
    text = address.strip()
    if not text:
        return ""
    cpca = _cpca()
    home = settings.UNIONHOME_HOME_CITY

    def read(s: str) -> tuple[str, str]:
        row = cpca.transform([s]).iloc[0]
        code = row.get("adcode")
        code = str(code) if code is not None and str(code) not in ("", "nan", "None") else ""
        return code, str(row.get("市") or "")

    code, city = read(text)
    mentions_city = bool(city) and (city in text or city.removesuffix("市") in text)
    if home and not mentions_city:
        home_code, home_city = read(home + text)
        if home_code and home_code != code and home_city and home_code[4:] != "00":
            return home_code
    return code if len(code) == 6 else ""
