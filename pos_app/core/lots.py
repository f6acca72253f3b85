"""Point lots: when credited points expire, which lots a debit consumes, expiry notices."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from pos_app.core.program import Expiry

NEVER = dt.date.max


@dataclass(frozen=True)
class Lot:
    """A credited amount of points and what is left of it. ``expires_on`` is the last valid day."""

    id: int
    earned_on: dt.date
    expires_on: dt.date | None
    remaining: int

    @property
    def sort_key(self) -> tuple[dt.date, dt.date, int]:
        return (self.expires_on or NEVER, self.earned_on, self.id)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day-of-month ``months`` later, clamped to the month's end (29 Feb -> 28 Feb)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_date(expiry: Expiry, earned_on: dt.date) -> dt.date | None:
    """The last day on which points earned on ``earned_on`` can be used."""
    if expiry.mode == "rolling":
        return add_months(earned_on, expiry.months)
    if expiry.mode == "fixed_clear_down":
        return dt.date(earned_on.year + expiry.years_after, 12, 31)
    return None


def is_expired(lot: Lot, today: dt.date) -> bool:
    return lot.expires_on is not None and lot.expires_on < today


def plan_debit(
    lots: list[Lot], points: int, *, prefer: tuple[int, ...] = ()
) -> tuple[list[tuple[int, int]], int]:
    """Take ``points`` from lots: first the ``prefer`` lots in their order, then the
    soonest-expiring (ties: oldest). Returns ``[(lot_id, taken)]`` and the shortfall."""
    by_id = {lot.id: lot for lot in lots}
    order = [by_id[i] for i in prefer if i in by_id]
    order += sorted((lot for lot in lots if lot.id not in prefer), key=lambda lot: lot.sort_key)
    moves: list[tuple[int, int]] = []
    left = points
    for lot in order:
        if left <= 0:
            break
        take = min(lot.remaining, left)
        if take > 0:
            moves.append((lot.id, take))
            left -= take
    return moves, left


def expiring_soon(lots: list[Lot], today: dt.date, notice_days: tuple[int, ...]) -> list[tuple[int, int]]:
    """For each notice window (e.g. 30, 7, 1 days): points that expire within it.

    A lot whose last valid day is ``today`` expires within 1 day.
    """
    out = []
    for days in notice_days:
        horizon = today + dt.timedelta(days=days - 1)
        pts = sum(
            lot.remaining for lot in lots
            if lot.remaining > 0 and lot.expires_on is not None and today <= lot.expires_on <= horizon
        )
        out.append((days, pts))
    return out


@dataclass(frozen=True)
class ExpiryReminder:
    """What the member is told of points about to expire (reference program section 3): the
    narrowest notice window that holds points (``within_days``) and the points in it, and the
    next day points expire (``first_day``)."""

    within_days: int
    points: int
    first_day: dt.date


def expiry_reminder(expiring: list[tuple[int, int]], next_day: tuple[dt.date, int] | None
                    ) -> ExpiryReminder | None:
    """The one rule for the reminder the till shows when the member is identified and prints on
    the receipt: from the notice windows' sums (``expiring_soon``: (days, points), any order)
    and the next expiry (``next_expiry``), the most urgent window that holds points; None when
    no points expire within the widest window."""
    held = sorted((days, pts) for days, pts in expiring if pts > 0)
    if not held or next_day is None:
        return None
    days, pts = held[0]
    return ExpiryReminder(within_days=days, points=pts, first_day=next_day[0])


def next_expiry(lots: list[Lot], today: dt.date) -> tuple[dt.date, int] | None:
    """The next day on which points expire and how many."""
    live = [lot for lot in lots if lot.remaining > 0 and lot.expires_on and lot.expires_on >= today]
    if not live:
        return None
    day = min(lot.expires_on for lot in live if lot.expires_on)
    return day, sum(lot.remaining for lot in live if lot.expires_on == day)
