"""How a digest ranks its topics: size, urgency and growth, in one formula kept in one place.

    score   = size × (1 + urgency) × (1 + growth_c / 4)
    urgency = 0.4·weight + 0.2·urgent + 0.2·late + 0.2·escalated          (0 … 1)
    growth  = (size − previous) / max(previous, 1),  growth_c = growth clamped to [−1, 3]

`weight` is the mean category weight of the topic's demands (wage arrears and safety 1.0, down
to 0.2 for membership questions), `urgent` the share marked 急 (较急 counts half), `late` the
share past its resolve deadline (still open, or resolved late), `escalated` the share flagged
上级督办. Size dominates; urgency can at most double it and growth move it by −25 % … +75 %, so a
large ordinary topic is not overtaken by a tiny alarming one, but a wage-arrears burst beats an
equally large set of questions about membership cards.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

CATEGORY_WEIGHT: dict[str, float] = {
    "wages": 1.0,
    "safety_injury": 1.0,
    "social_insurance": 0.7,
    "hardship": 0.7,
    "new_employment": 0.6,
    "contract": 0.6,
    "legal_dispute": 0.6,
    "hours_leave": 0.5,
    "democratic": 0.3,
    "skills": 0.2,
    "membership": 0.2,
    "other": 0.2,
}
URGENCY_SHARE = {"urgent": 1.0, "high": 0.5, "normal": 0.0}
RESOLVED_STATUSES = frozenset({"resolved", "closed"})
OPEN_STATUSES = frozenset({"submitted", "accepted", "in_progress"})


@dataclass(frozen=True)
class DemandFacts:
    """What ranking needs to know about one demand (no personal data)."""

    id: int
    category: str
    urgency: str
    status: str
    escalated: bool
    resolve_deadline: dt.datetime
    resolved_at: dt.datetime | None
    worker_key: str  # the contact phone's blind index, or "" (anonymous: counted once each)

    def is_late(self, now: dt.datetime) -> bool:
        if self.status in OPEN_STATUSES:
            return self.resolve_deadline < now
        return self.resolved_at is not None and self.resolved_at > self.resolve_deadline


@dataclass
class Figures:
    size: int
    previous_size: int
    distinct_workers: int
    duplicate_groups: int
    urgency: float
    growth: float | None
    share_resolved: float
    score: float
    categories: list[dict] = field(default_factory=list)


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def urgency_of(facts: list[DemandFacts], now: dt.datetime) -> float:
    if not facts:
        return 0.0
    n = len(facts)
    weight = sum(CATEGORY_WEIGHT.get(f.category, 0.2) for f in facts) / n
    urgent = sum(URGENCY_SHARE.get(f.urgency, 0.0) for f in facts) / n
    late = sum(f.is_late(now) for f in facts) / n
    escalated = sum(f.escalated for f in facts) / n
    return round(0.4 * weight + 0.2 * urgent + 0.2 * late + 0.2 * escalated, 4)


def growth_of(size: int, previous: int) -> float:
    return (size - previous) / max(previous, 1)


def score_of(size: int, urgency: float, growth: float) -> float:
    return round(size * (1 + urgency) * (1 + clamp(growth, -1.0, 3.0) / 4), 4)


def figures(
    current: list[DemandFacts], previous_size: int, duplicate_groups: int, now: dt.datetime
) -> Figures:
    size = len(current)
    urgency = urgency_of(current, now)
    growth = growth_of(size, previous_size)
    keyed = {f.worker_key for f in current if f.worker_key}
    anonymous = sum(1 for f in current if not f.worker_key)
    resolved = sum(1 for f in current if f.status in RESOLVED_STATUSES)
    categories = Counter(f.category for f in current).most_common()
    return Figures(
        size=size,
        previous_size=previous_size,
        distinct_workers=len(keyed) + anonymous,
        duplicate_groups=duplicate_groups,
        urgency=urgency,
        growth=round(growth, 4) if previous_size else None,
        share_resolved=round(resolved / size, 4) if size else 0.0,
        score=score_of(size, urgency, growth),
        categories=[{"code": code, "count": n} for code, n in categories],
    )
