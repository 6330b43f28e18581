"""Acknowledge and resolve deadlines from the admin's policies and the working-day calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from unionhome.core.memo import ProcessMemo
from unionhome.core.workdays import add_working_days

from .models import DeadlinePolicy


@dataclass(frozen=True)
class Deadlines:
    acknowledge: dt.datetime
    resolve: dt.datetime
    policy: DeadlinePolicy


# The defaults the data migration installs, also used when an admin has deactivated every
# matching policy: a misconfigured table must never stop a worker's submission.
BUILT_IN = [
    # category, urgency, complexity, ack_hours, ack_working_days, resolve_days, resolve_working_days
    ("", "", "", None, 2, None, 15),
    ("", "urgent", "", 24, None, 3, None),
    ("", "high", "", 24, None, None, 7),
    ("", "", "difficult", None, 2, None, 30),
    ("", "", "special", None, 2, None, 60),
]


def _built_in() -> list[DeadlinePolicy]:
    return [
        DeadlinePolicy(pk=-i, category=c, urgency=u, complexity=x, ack_hours=ah,
                       ack_working_days=aw, resolve_days=rd, resolve_working_days=rw)
        for i, (c, u, x, ah, aw, rd, rw) in enumerate(BUILT_IN, start=1)
    ]  # fmt: skip


# Read on every submission, edited rarely (see core.memo for when edits apply).
_policies = ProcessMemo(lambda: list(DeadlinePolicy.objects.filter(is_active=True)),
                        models=("demands.DeadlinePolicy",))  # fmt: skip


def policy_for(category: str, urgency: str, complexity: str) -> DeadlinePolicy:
    """The most specific active policy matching all three; urgency breaks ties (an urgent
    demand's short clock beats a complexity tier's long one). Built-in defaults apply when no
    stored policy matches."""

    def matching(policies):
        return [
            p
            for p in policies
            if p.category in ("", category)
            and p.urgency in ("", urgency)
            and p.complexity in ("", complexity)
        ]

    matches = matching(_policies.get()) or matching(_built_in())
    return max(matches, key=lambda p: (p.specificity, bool(p.urgency), -abs(p.pk)))


def compute(start: dt.datetime, category: str, urgency: str, complexity: str) -> Deadlines:
    policy = policy_for(category, urgency, complexity)
    if policy.ack_hours is not None:
        acknowledge = start + dt.timedelta(hours=policy.ack_hours)
    else:
        acknowledge = add_working_days(start, policy.ack_working_days)
    if policy.resolve_days is not None:
        resolve = start + dt.timedelta(days=policy.resolve_days)
    else:
        resolve = add_working_days(start, policy.resolve_working_days)
    return Deadlines(acknowledge=acknowledge, resolve=max(resolve, acknowledge), policy=policy)
