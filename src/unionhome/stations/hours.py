"""Opening hours: typed as Chinese text, stored as data, asked "open at this moment?".

Text a clerk types (and the import file holds)::

    24小时
    周一至周五 08:00-20:00；周六、周日 09:00-17:00
    每天 07:00-09:00, 11:00-13:30, 17:00-19:00
    周一至周六 22:00-06:00；周日 休息

Stored (``Station.hours``) as ``{"always": true}`` or ``{"days": {"0": [["08:00", "20:00"]],
…}}`` with 0 = Monday; a day that is absent is closed. An interval whose end is not after its
start runs past midnight into the next day (a night shelter 22:00-06:00). Full-width digits and
punctuation are accepted. Public holidays are not modelled: a station closed on a holiday is
marked 暂停服务 for the day.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from unionhome.core.i18n import join_items

# The canonical text (what the parser reads back) is Chinese; `hours_text(localized=True)` is for
# display in the reader's language.
DAY_CODES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
DAY_NAMES = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]
_DAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_ALWAYS = {"24小时", "24h", "24小时开放", "全天", "全天24小时", "全天候", "24小时营业", "全天开放"}
_EVERY_DAY = ("每天", "每日", "天天", "周一至周日", "周一到周日", "全周")
_CLOSED = ("休息", "闭馆", "关闭", "不开放", "休馆")
_DAY = r"(?:周|星期|礼拜)[一二三四五六日天七]"
_TIME = r"(?:[01]?\d|2[0-4])[:：.]\d{2}"
_RANGE = re.compile(rf"({_TIME})\s*[-~—–至到]+\s*({_TIME})")

EXAMPLE = "周一至周五 08:00-20:00；周六、周日 09:00-17:00"


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip()
    return re.sub(r"\s+", " ", text)


def _minutes(value: str) -> int:
    hours, minutes = (int(p) for p in re.split(r"[:.]", value.replace("：", ":")))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(value)
    return hours * 60 + minutes


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days(spec: str) -> list[int]:
    spec = spec.strip(" :")
    if not spec or spec in _EVERY_DAY:
        return list(range(7))
    days: list[int] = []
    for part in re.split(r"[、,，/ ]+", spec):
        if not part:
            continue
        bounds = re.fullmatch(rf"({_DAY})\s*(?:至|到|-|~|—|–)\s*({_DAY})", part)
        if bounds:
            start, end = _DAY_CHARS[bounds.group(1)[-1]], _DAY_CHARS[bounds.group(2)[-1]]
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
            days.extend(span)
        elif re.fullmatch(_DAY, part):
            days.append(_DAY_CHARS[part[-1]])
        elif part in ("工作日",):
            days.extend(range(5))
        elif part in ("周末", "双休日"):
            days.extend((5, 6))
        else:
            raise ValueError(part)
    return sorted(set(days))


def parse_hours(text: str) -> dict:
    """Structured hours from text, or a ValidationError naming the part it could not read."""
    clean = _normalise(text)
    if not clean:
        raise ValidationError(
            _("请填写开放时间，如“%(example)s”或“24小时”。") % {"example": EXAMPLE},
            code="hours_empty",
        )
    if clean.lower().replace(" ", "") in _ALWAYS:
        return {"always": True}
    table: dict[str, list[list[str]]] = {}
    for segment in re.split(r"[;；\n]+", clean):
        segment = segment.strip(" ,，")
        if not segment:
            continue
        first = _RANGE.search(segment)
        closed = next((word for word in _CLOSED if segment.endswith(word)), None)
        try:
            if closed:
                days = _days(segment.removesuffix(closed))
                for day in days:
                    table.pop(str(day), None)
                continue
            if first is None:
                raise ValueError(segment)
            days = _days(segment[: first.start()])
            rest = segment[first.start() :]
            ranges = []
            for match in _RANGE.finditer(rest):
                start, end = _minutes(match.group(1)), _minutes(match.group(2))
                if start == end or start == 24 * 60:
                    raise ValueError(match.group(0))
                ranges.append([_fmt(start), _fmt(end)])
            leftover = _RANGE.sub("", rest).strip(" ,，、")
            if leftover:
                raise ValueError(leftover)
        except ValueError as exc:
            raise ValidationError(
                _("无法识别开放时间中的“%(part)s”，请按“%(example)s”或“24小时”的格式填写。")
                % {"part": exc.args[0] if exc.args else segment, "example": EXAMPLE},
                code="hours_format",
            ) from None
        for day in days:
            table[str(day)] = sorted(ranges)
    if not table:
        raise ValidationError(_("开放时间里没有任何开放的时段。"), code="hours_never_open")
    return {"days": table}


def validate_hours_data(data) -> None:
    """The stored shape, for data that did not come through `parse_hours` (the API, admin)."""
    bad = ValidationError(_("开放时间的格式不正确。"), code="hours_shape")
    if not isinstance(data, dict) or not data:
        raise ValidationError(_("请填写开放时间。"), code="hours_empty")
    if data.get("always") is True and len(data) == 1:
        return
    days = data.get("days")
    if set(data) != {"days"} or not isinstance(days, dict) or not days:
        raise bad
    for key, ranges in days.items():
        if key not in {str(i) for i in range(7)} or not isinstance(ranges, list) or not ranges:
            raise bad
        for pair in ranges:
            if not (isinstance(pair, list | tuple) and len(pair) == 2):
                raise bad
            try:
                start, end = _minutes(pair[0]), _minutes(pair[1])
            except (ValueError, TypeError, AttributeError):
                raise bad from None
            if start == end or start == 24 * 60:
                raise bad


def hours_text(data: dict, *, localized: bool = False) -> str:
    """The canonical text form (what `parse_hours` reads back to the same data), or with
    `localized` the same in the active language, for display."""
    if not data:
        return ""
    if data.get("always"):
        return str(_("24小时")) if localized else "24小时"
    names = DAY_NAMES if localized else DAY_CODES
    days = data.get("days", {})
    groups: list[tuple[list[int], tuple]] = []
    for day in range(7):
        ranges = tuple(tuple(p) for p in days.get(str(day), []))
        if not ranges:
            continue
        if groups and groups[-1][1] == ranges and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], ranges))
    parts = []
    for group_days, ranges in groups:
        first, last = names[group_days[0]], names[group_days[-1]]
        if len(group_days) == 7:
            label = _("每天") if localized else "每天"
        elif len(group_days) >= 3:
            span = {"first": first, "last": last}
            label = _("%(first)s至%(last)s") % span if localized else f"{first}至{last}"
        else:
            days_ = [names[d] for d in group_days]
            label = join_items(days_) if localized else "、".join(days_)
        parts.append(f"{label} {', '.join(f'{a}-{b}' for a, b in ranges)}")
    return (pgettext("list separator", "；") if localized else "；").join(parts)


def is_open(data: dict, when: dt.datetime | None = None) -> bool:
    """Open at `when` (default now), in the deployment's time zone."""
    if not data:
        return False
    if data.get("always"):
        return True
    local = timezone.localtime(when or timezone.now())
    minute = local.hour * 60 + local.minute
    days = data.get("days", {})
    today, yesterday = local.weekday(), (local.weekday() - 1) % 7
    for start_s, end_s in days.get(str(today), []):
        start, end = _minutes(start_s), _minutes(end_s)
        if (start < end and start <= minute < end) or (end <= start and minute >= start):
            return True
    for start_s, end_s in days.get(str(yesterday), []):
        start, end = _minutes(start_s), _minutes(end_s)
        if end <= start and minute < end:  # last night's shift still running
            return True
    return False
