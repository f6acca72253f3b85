"""Applying a ledger entry written elsewhere to a member's lots (pure; shared by HQ and terminals).

An entry's ``points`` and ``tier_points`` are hashed and never change; how it moved the
member's lots is described by its *effects*, which travel beside it on the wire:

- ``new``: lots the entry created (earned day, last valid day, points), in order;
- ``back``: points it returned into existing lots (a refund giving paid points back);
- ``taken``: points it took from existing lots, in the order taken.

Lots are named across machines by a *key*: the uuid of the entry that created the lot
(``uuid#n`` for an entry's second and later lots). Every machine applies the same entries
with the same rules below, so balances always agree (a balance is the sum of the points)
and lots agree whenever no two tills spent the same points offline. When they did, the
receiver takes what is left and records the rest as debt (``shortfall``): the caller
decides whether that is an overdraft (a spend) or a double expiry (to be compensated).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pos_app.core.errors import InvalidInput

NEVER = dt.date.max

#: Kinds whose debit names its lots exactly; with those lots empty, nothing else is taken.
EXACT_DEBIT_KINDS = frozenset({"expire"})


@dataclass(frozen=True)
class NewLot:
    earned_on: dt.date
    expires_on: dt.date | None
    points: int


@dataclass(frozen=True)
class Effects:
    new: tuple[NewLot, ...] = ()
    back: tuple[tuple[str, int], ...] = ()
    taken: tuple[tuple[str, int], ...] = ()

    def to_wire(self) -> dict[str, list[list[object]]]:
        return {
            "new": [[lot.earned_on.isoformat(), lot.expires_on.isoformat() if lot.expires_on else None, lot.points]
                    for lot in self.new],
            "back": [[k, p] for k, p in self.back],
            "taken": [[k, p] for k, p in self.taken],
        }


def lot_key(entry_uuid: str, index: int) -> str:
    return entry_uuid if index == 0 else f"{entry_uuid}#{index}"


def _date(value: object, name: str, *, null: bool = False) -> dt.date | None:
    if value is None and null:
        return None
    if not isinstance(value, str):
        raise InvalidInput(name, "a date as YYYY-MM-DD is required")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, f"not a date: {value!r}") from None


def _points(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 10**12:
        raise InvalidInput(name, "a positive whole number of points is required")
    return value


def _pairs(raw: object, name: str) -> tuple[tuple[str, int], ...]:
    if not isinstance(raw, list):
        raise InvalidInput(name, "a list of [lot key, points] pairs is required")
    out = []
    for i, item in enumerate(raw):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and 0 < len(item[0]) <= 80):
            raise InvalidInput(f"{name}[{i}]", "a [lot key, points] pair is required")
        out.append((item[0], _points(item[1], f"{name}[{i}][1]")))
    return tuple(out)


def effects_from_wire(raw: object, *, points: int, field_name: str = "effects") -> Effects:
    """Validate effects read from the wire against the entry's points."""
    if not isinstance(raw, dict) or set(raw) - {"new", "back", "taken"}:
        raise InvalidInput(field_name, "an object with new, back and taken is required")
    new_raw = raw.get("new", [])
    if not isinstance(new_raw, list):
        raise InvalidInput(f"{field_name}.new", "a list of [earned_on, expires_on, points] is required")
    new = []
    for i, item in enumerate(new_raw):
        name = f"{field_name}.new[{i}]"
        if not (isinstance(item, list) and len(item) == 3):
            raise InvalidInput(name, "[earned_on, expires_on, points] is required")
        earned = _date(item[0], f"{name}[0]")
        assert earned is not None
        new.append(NewLot(earned, _date(item[1], f"{name}[1]", null=True), _points(item[2], f"{name}[2]")))
    eff = Effects(tuple(new), _pairs(raw.get("back", []), f"{field_name}.back"),
                  _pairs(raw.get("taken", []), f"{field_name}.taken"))
    credited = sum(lot.points for lot in eff.new) + sum(p for _, p in eff.back)
    taken = sum(p for _, p in eff.taken)
    if points > 0 and (eff.taken or credited != points):
        raise InvalidInput(field_name, f"a credit of {points} points must create or return exactly that many",
                           credited=credited)
    if points < 0 and (eff.new or eff.back or taken > -points):
        raise InvalidInput(field_name, f"a debit of {-points} points may only take up to that many from lots",
                           taken=taken)
    if points == 0 and (eff.new or eff.back or eff.taken):
        raise InvalidInput(field_name, "an entry of 0 points moves no lots")
    return eff


@dataclass
class LotState:
    key: str
    earned_on: dt.date
    expires_on: dt.date | None
    points: int
    remaining: int

    @property
    def sort_key(self) -> tuple[dt.date, dt.date, str]:
        return (self.expires_on or NEVER, self.earned_on, self.key)


@dataclass
class Applied:
    """What applying one entry did: lot movements by key (including debt paid off from new
    or returned points), lots created, the change of debt, and the debit not covered."""

    moves: list[tuple[str, int]] = field(default_factory=list)
    created: list[LotState] = field(default_factory=list)
    debt_change: int = 0
    shortfall: int = 0
    unmatched: list[str] = field(default_factory=list)


def apply_entry(*, entry_uuid: str, kind: str, points: int, day: dt.date, effects: Effects,
                lots: dict[str, LotState], debt: int) -> Applied:
    """Apply one entry to a member's ``lots`` (mutated in place) given the member's ``debt``.

    Credits create the new lots and return points into named lots; an outstanding debt is
    paid off from them first (never from a returned lot that has already lapsed on ``day``,
    which the sender writes off with its own entry). Debits take the named lots first, then
    the soonest-expiring; an ``expire`` debit takes its named lots only. What cannot be
    covered becomes debt and is reported as ``shortfall``.
    """
    out = Applied()

    def move(lot: LotState, delta: int) -> None:
        lot.remaining += delta
        out.moves.append((lot.key, delta))

    def pay_debt(lot: LotState) -> None:
        nonlocal debt
        pay = min(debt, lot.remaining)
        if pay > 0:
            move(lot, -pay)
            debt -= pay
            out.debt_change -= pay

    if points > 0:
        for i, new in enumerate(effects.new):
            lot = LotState(lot_key(entry_uuid, i), new.earned_on, new.expires_on, new.points, new.points)
            lots[lot.key] = lot
            out.created.append(lot)
            pay_debt(lot)
        for key, pts in effects.back:
            target = lots.get(key)
            fit = 0 if target is None else min(pts, target.points - target.remaining)
            if target is not None and fit:
                move(target, fit)
                if target.expires_on is None or target.expires_on >= day:
                    pay_debt(target)
            if fit < pts:  # a lot this machine never saw, or already full: the rest in a lot of its own
                out.unmatched.append(key)
                extra = LotState(f"{entry_uuid}~{key}", day, target.expires_on if target else None,
                                 pts - fit, pts - fit)
                lots[extra.key] = extra
                out.created.append(extra)
                pay_debt(extra)
    elif points < 0:
        need = -points
        for key, pts in effects.taken:
            target = lots.get(key)
            if target is None:
                out.unmatched.append(key)
                continue
            take = min(pts, target.remaining, need)
            if take > 0:
                move(target, -take)
                need -= take
        if need and kind not in EXACT_DEBIT_KINDS:
            for lot in sorted((x for x in lots.values() if x.remaining > 0), key=lambda x: x.sort_key):
                if need <= 0:
                    break
                take = min(lot.remaining, need)
                move(lot, -take)
                need -= take
        if need:
            out.shortfall = need
            out.debt_change += need
    return out
