"""The expiry reminder rule (issue 16 item 5): the most urgent notice window that holds points."""

from __future__ import annotations

import datetime as dt

from pos_app.core.lots import ExpiryReminder, Lot, expiring_soon, expiry_reminder, next_expiry

TODAY = dt.date(2026, 11, 3)


def lot(n: int, expires_in: int | None, remaining: int) -> Lot:
    expires = TODAY + dt.timedelta(days=expires_in) if expires_in is not None else None
    return Lot(id=n, earned_on=TODAY - dt.timedelta(days=700), expires_on=expires, remaining=remaining)


def reminder(lots: list[Lot], notice: tuple[int, ...] = (30, 7, 1)) -> ExpiryReminder | None:
    return expiry_reminder(expiring_soon(lots, TODAY, notice), next_expiry(lots, TODAY))


def test_the_narrowest_window_with_points_and_the_first_day() -> None:
    lots = [lot(1, 20, 300), lot(2, 5, 100), lot(3, 400, 9000)]
    assert reminder(lots) == ExpiryReminder(within_days=7, points=100, first_day=TODAY + dt.timedelta(days=5))
    assert reminder([lot(1, 20, 300), lot(3, 400, 9000)]) == ExpiryReminder(30, 300, TODAY + dt.timedelta(days=20))
    # a lot whose last valid day is today is due within 1 day
    assert reminder([lot(1, 0, 50), lot(2, 5, 100)]) == ExpiryReminder(1, 50, TODAY)


def test_no_reminder_without_points_due_in_the_widest_window() -> None:
    assert reminder([]) is None
    assert reminder([lot(1, 31, 300), lot(2, None, 50)]) is None
    assert reminder([lot(1, 3, 0)]) is None  # spent
    assert reminder([lot(1, -1, 80)]) is None  # expired already (the expiry run writes it off)
    assert reminder([lot(1, 10, 300)], notice=(7,)) is None  # another program's windows
    assert reminder([lot(1, 10, 300)], notice=(14, 60)) == ExpiryReminder(14, 300, TODAY + dt.timedelta(days=10))
