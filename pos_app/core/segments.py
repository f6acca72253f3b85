"""Member segments (用户分层): the program's ordered rules, first match wins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.core.program import Segments


@dataclass(frozen=True)
class MemberFacts:
    balance: int
    purchases_in_window: int
    last_purchase_on: dt.date | None
    registered_on: dt.date


def classify(segments: Segments, facts: MemberFacts, today: dt.date) -> str:
    for rule in segments.rules:
        if all(_holds(pred, value, facts, today) for pred, value in rule.when):
            return rule.id
    return segments.fallback


def _holds(pred: str, value: int, f: MemberFacts, today: dt.date) -> bool:
    if pred == "balance_gt":
        return f.balance > value
    if pred == "balance_lt":
        return f.balance < value
    if pred == "purchases_gt":
        return f.purchases_in_window > value
    if pred == "purchases_lt":
        return f.purchases_in_window < value
    if pred == "last_purchase_days_gt":
        # a member who never bought counts from the day they enrolled: a new member is not
        # dormant, one who has stayed away since enrolling (imported balances) becomes so
        return (today - (f.last_purchase_on or f.registered_on)).days > value
    if pred == "registered_days_lt":
        return (today - f.registered_on).days < value
    raise ValueError(pred)  # the program parser admits only known predicates
