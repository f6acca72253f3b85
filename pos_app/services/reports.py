"""The store manager's reports: points issued vs redeemed, liability, expiring points,
top gifts and member segments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pos_app.core import segments as core_segments
from pos_app.services.context import Terminal
from pos_app.storage import figures


@dataclass(frozen=True)
class DayPoints:
    day: dt.date
    issued: int
    redeemed: int


def points_by_day(t: Terminal, *, today: dt.date, days: int = 30) -> list[DayPoints]:
    """Points issued (earned, awards) and redeemed (payment, gifts) at this till per business
    day, oldest first (other tills' entries held in the partial replica are not counted)."""
    first = today - dt.timedelta(days=days - 1)
    rows = figures.points_by_day(t.repo, t.terminal_id, first, today)
    out = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        r = rows.get(day.isoformat())
        out.append(DayPoints(day, r["issued"] if r else 0, r["redeemed"] if r else 0))
    return out


def liability(t: Terminal, *, today: dt.date) -> dict[str, Any]:
    """Outstanding points (what the store owes its members) and their value as payment."""
    row = figures.member_totals(t.repo)
    soon = figures.points_expiring(t.repo, today, today + dt.timedelta(days=29))
    value_fen = t.program.redemption.value_fen(max(0, row["points"]))
    return {"points": row["points"], "value_fen": value_fen, "members": row["members"],
            "members_with_points": row["with_points"], "debt": row["debt"], "expiring_30_days": soon}


def top_gifts(t: Terminal, *, since: dt.date, limit: int = 10) -> list[dict[str, Any]]:
    return figures.top_gifts(t.repo, since, limit)


def segment_counts(t: Terminal, *, today: dt.date) -> dict[str, int]:
    program = t.program
    purchases = t.repo.purchase_counts(today - dt.timedelta(days=program.segments.window_days))
    counts: Counter[str] = Counter({rule.id: 0 for rule in program.segments.rules})
    counts[program.segments.fallback] += 0
    for batch in figures.member_facts(t.repo):
        for member_id, balance, last, enrolled in batch:
            facts = core_segments.MemberFacts(
                balance=balance, purchases_in_window=purchases.get(member_id, 0),
                last_purchase_on=dt.datetime.fromisoformat(last).date() if last else None,
                registered_on=dt.datetime.fromisoformat(enrolled).date())
            counts[core_segments.classify(program.segments, facts, today)] += 1
    return dict(counts)
