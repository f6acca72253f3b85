"""core.replica: the one rule every machine uses to apply an entry to a member's lots."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.core.errors import InvalidInput
from pos_app.core.replica import Effects, LotState, NewLot, apply_entry, effects_from_wire, lot_key

D = dt.date(2026, 3, 1)


def lots_of(*specs: tuple[str, int, int, dt.date | None]) -> dict[str, LotState]:
    return {k: LotState(k, D, exp, pts, rem) for k, pts, rem, exp in specs}


def apply(lots: dict[str, LotState], debt: int, uuid: str, kind: str, points: int, eff: Effects, day: dt.date = D):
    return apply_entry(entry_uuid=uuid, kind=kind, points=points, day=day, effects=eff, lots=lots, debt=debt)


def test_credit_creates_the_lot_and_pays_debt_first() -> None:
    lots: dict[str, LotState] = {}
    out = apply(lots, 30, "e1", "earn", 100, Effects(new=(NewLot(D, dt.date(2028, 3, 1), 100),)))
    assert lots["e1"].remaining == 70
    assert out.moves == [("e1", -30)] and out.debt_change == -30 and out.shortfall == 0


def test_debit_takes_the_named_lots_then_the_soonest_expiring() -> None:
    lots = lots_of(("a", 100, 100, dt.date(2027, 1, 1)), ("b", 100, 100, dt.date(2026, 6, 1)),
                   ("c", 100, 100, dt.date(2028, 1, 1)))
    out = apply(lots, 0, "e2", "redeem", -150, Effects(taken=(("c", 20),)))
    assert out.moves == [("c", -20), ("b", -100), ("a", -30)]
    assert [lots[k].remaining for k in "abc"] == [70, 0, 80]


def test_spending_the_same_points_twice_leaves_debt_and_reports_the_shortfall() -> None:
    lots = lots_of(("a", 2000, 2000, None))
    first = apply(lots, 0, "r1", "redeem", -1500, Effects(taken=(("a", 1500),)))
    second = apply(lots, 0, "r2", "redeem", -1500, Effects(taken=(("a", 1500),)))
    assert first.shortfall == 0 and second.shortfall == 1000 and second.debt_change == 1000
    assert lots["a"].remaining == 0


def test_an_expiry_takes_only_its_own_lots() -> None:
    lots = lots_of(("a", 500, 0, D), ("b", 300, 300, None))
    out = apply(lots, 0, "x", "expire", -500, Effects(taken=(("a", 500),)))
    assert out.shortfall == 500 and lots["b"].remaining == 300


def test_points_returned_into_an_expired_lot_do_not_pay_debt() -> None:
    lots = lots_of(("a", 500, 0, dt.date(2026, 2, 1)), ("b", 500, 0, None))
    out = apply(lots, 200, "ret", "return", 400, Effects(back=(("a", 100), ("b", 300))))
    assert lots["a"].remaining == 100 and lots["b"].remaining == 100
    assert out.debt_change == -200


def test_a_return_into_an_unknown_lot_keeps_the_points_in_a_lot_of_its_own() -> None:
    lots: dict[str, LotState] = {}
    out = apply(lots, 0, "ret", "return", 50, Effects(back=(("ghost", 50),)))
    assert out.unmatched == ["ghost"] and sum(x.remaining for x in lots.values()) == 50


def test_lot_keys_name_an_entrys_second_lot() -> None:
    assert lot_key("u", 0) == "u" and lot_key("u", 2) == "u#2"


@pytest.mark.parametrize(("raw", "points", "field"), [
    ({"new": [["2026-01-01", None, 50]]}, 100, "effects"),
    ({"taken": [["a", 5]]}, 10, "effects"),
    ({"new": [["2026-13-01", None, 10]]}, 10, "effects.new[0][0]"),
    ({"taken": [["a", -5]]}, -10, "effects.taken[0][1]"),
    ({"taken": [["a", 50]]}, -10, "effects"),
    ({"extra": []}, 0, "effects"),
    ([], 0, "effects"),
])
def test_bad_effects_name_the_field(raw: object, points: int, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        effects_from_wire(raw, points=points)
    assert err.value.field == field


def test_effects_round_trip_through_the_wire() -> None:
    eff = Effects(new=(NewLot(D, None, 5),), back=(("k", 3),))
    assert effects_from_wire(eff.to_wire(), points=8) == eff


ops = st.lists(st.tuples(st.sampled_from(["earn", "redeem", "expire"]), st.integers(1, 900),
                         st.integers(0, 3)), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_balance_is_lots_minus_debt_whatever_the_order(seq: list[tuple[str, int, int]]) -> None:
    """Any order of credits and debits keeps sum(remaining) - debt equal to the sum of points."""
    lots: dict[str, LotState] = {}
    debt = total = 0
    for i, (kind, pts, pick) in enumerate(seq):
        keys = sorted(lots)
        if kind == "earn":
            eff, points = Effects(new=(NewLot(D, None, pts),)), pts
        else:
            named = keys[pick % len(keys)] if keys else None
            eff = Effects(taken=((named, pts),)) if named else Effects()
            points = -pts
        out = apply(lots, debt, f"e{i}", kind, points, eff)
        debt += out.debt_change
        total += points
        if kind == "expire":  # HQ compensates a double expiry with a credit that pays the debt back
            total += out.shortfall
            if out.shortfall:
                fix = apply(lots, debt, f"f{i}", "expire_fix", out.shortfall,
                            Effects(new=(NewLot(D, D, out.shortfall),)))
                debt += fix.debt_change
        assert debt >= 0
        assert all(0 <= x.remaining <= x.points for x in lots.values())
        assert sum(x.remaining for x in lots.values()) - debt == total
        assert not (debt and any(x.remaining for x in lots.values()))
