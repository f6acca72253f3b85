"""The store manager's reports: points issued vs redeemed, liability, expiring points,
top gifts and member segments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pos_app.core import segments as core_segments
from pos_app.services.context import Terminal


@dataclass(frozen=True)
class DayPoints:
    day: dt.date
    issued: int
    redeemed: int


def points_by_day(t: Terminal, *, today: dt.date, days: int = 30) -> list[DayPoints]:
    """Points issued (earned, awards) and redeemed (payment, gifts) per business day, oldest first."""
    first = today - dt.timedelta(days=days - 1)
    rows = {r["d"]: r for r in t.repo.rows(
        "SELECT business_date d,"
        " coalesce(sum(CASE WHEN kind IN ('earn', 'award') THEN points END), 0) issued,"
        " coalesce(-sum(CASE WHEN kind IN ('redeem', 'gift') THEN points END), 0) redeemed"
        " FROM ledger_entry WHERE business_date >= ? AND business_date <= ? GROUP BY business_date",
        (first.isoformat(), today.isoformat()))}
    out = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        r = rows.get(day.isoformat())
        out.append(DayPoints(day, r["issued"] if r else 0, r["redeemed"] if r else 0))
    return out


def liability(t: Terminal, *, today: dt.date) -> dict[str, Any]:
    """Outstanding points (what the store owes its members) and their value as payment."""
    row = t.repo.row("SELECT coalesce(sum(balance), 0) points, count(*) members,"
                     " coalesce(sum(CASE WHEN balance > 0 THEN 1 END), 0) with_points,"
                     " coalesce(sum(debt), 0) debt FROM member")
    assert row is not None
    soon = t.repo.row("SELECT coalesce(sum(remaining), 0) p FROM lot WHERE remaining > 0 AND expires_on >= ?"
                      " AND expires_on <= ?", (today.isoformat(), (today + dt.timedelta(days=29)).isoformat()))
    assert soon is not None
    value_fen = t.program.redemption.value_fen(max(0, row["points"]))
    return {"points": row["points"], "value_fen": value_fen, "members": row["members"],
            "members_with_points": row["with_points"], "debt": row["debt"], "expiring_30_days": soon["p"]}


def top_gifts(t: Terminal, *, since: dt.date, limit: int = 10) -> list[dict[str, Any]]:
    return t.repo.rows("SELECT gift_code, count(*) redemptions, sum(points) points, sum(cash_fen) cash_fen"
                       " FROM redemption WHERE business_date >= ? GROUP BY gift_code"
                       " ORDER BY redemptions DESC, gift_code LIMIT ?", (since.isoformat(), limit))


def segment_counts(t: Terminal, *, today: dt.date) -> dict[str, int]:
    program = t.program
    purchases = t.repo.purchase_counts(today - dt.timedelta(days=program.segments.window_days))
    counts: Counter[str] = Counter({rule.id: 0 for rule in program.segments.rules})
    counts[program.segments.fallback] += 0
    cur = t.database.execute("SELECT id, balance, last_purchase_at, enrolled_at FROM member")
    while batch := cur.fetchmany(5000):
        for member_id, balance, last, enrolled in batch:
            facts = core_segments.MemberFacts(
                balance=balance, purchases_in_window=purchases.get(member_id, 0),
                last_purchase_on=dt.datetime.fromisoformat(last).date() if last else None,
                registered_on=dt.datetime.fromisoformat(enrolled).date())
            counts[core_segments.classify(program.segments, facts, today)] += 1
    return dict(counts)
