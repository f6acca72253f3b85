"""Pure rules: money parsing, pro-rata splits, identities, lots, tiers, refunds."""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.core import lots, members, money, refunds, segments, tiers
from pos_app.core.errors import InvalidInput
from pos_app.core.program import parse_program
from pos_app.storage.paths import reference_program_path

PROGRAM = parse_program(reference_program_path().read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "fen"), [("58.50", 5850), ("58.5", 5850), ("0.01", 1), ("¥1,000", 100000)])
def test_parse_yuan(text: str, fen: int) -> None:
    assert money.parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "1.005", "-1", "1e3", "abc", "0", "NaN", "10000000000.00"])
def test_parse_yuan_refuses(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        money.parse_yuan(text, field="price")
    assert err.value.field == "price"


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_allocate_pro_rata_is_exact(total: int, weights: list[int]) -> None:
    parts = money.allocate_pro_rata(total, weights)
    assert sum(parts) == (total if sum(weights) else 0)
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)
    if sum(weights):
        for p, w in zip(parts, weights, strict=True):
            assert abs(Fraction(p) - Fraction(total * w, sum(weights))) < 1


def test_card_numbers_and_phones() -> None:
    card = members.make_card_number(1)
    assert card == "2900000000018" and members.validate_card_number(card) == card
    with pytest.raises(InvalidInput):
        members.validate_card_number("2900000000019")
    assert members.validate_card_number("4006381333931") == "4006381333931"  # a real EAN-13
    assert members.normalize_phone("+86 138-0013-8000") == "13800138000"
    for bad in ("1380013800", "23800138000", "12800138000", "138001380001"):
        with pytest.raises(InvalidInput):
            members.normalize_phone(bad)
    assert members.mask_phone("13800138000") == "138****8000"


def test_expiry_dates() -> None:
    rolling = PROGRAM.expiry
    assert lots.expiry_date(rolling, dt.date(2026, 11, 3)) == dt.date(2028, 11, 3)
    assert lots.expiry_date(rolling, dt.date(2024, 2, 29)) == dt.date(2026, 2, 28)
    fixed = type(rolling)(mode="fixed_clear_down", years_after=1)
    assert lots.expiry_date(fixed, dt.date(2026, 1, 1)) == dt.date(2027, 12, 31)
    assert lots.expiry_date(type(rolling)(mode="never"), dt.date(2026, 1, 1)) is None


def test_plan_debit_soonest_expiring_first_ties_oldest() -> None:
    pool = [lots.Lot(1, dt.date(2026, 1, 1), dt.date(2028, 1, 1), 100),
            lots.Lot(2, dt.date(2025, 1, 1), dt.date(2027, 1, 1), 100),
            lots.Lot(3, dt.date(2024, 12, 1), dt.date(2027, 1, 1), 100),
            lots.Lot(4, dt.date(2020, 1, 1), None, 100)]
    moves, short = lots.plan_debit(pool, 250)
    assert moves == [(3, 100), (2, 100), (1, 50)] and short == 0
    moves, short = lots.plan_debit(pool, 500, prefer=(4,))
    assert moves[0] == (4, 100) and short == 100


def test_tier_review_drops_at_most_one_level() -> None:
    rules = PROGRAM.tiers
    assert tiers.review(rules, "diamond", 0).id == "gold"
    assert tiers.review(rules, "gold", 6000).id == "silver"
    assert tiers.review(rules, "silver", 60000).id == "diamond"
    assert tiers.upgrade(rules, "normal", 4999) is None
    up = tiers.upgrade(rules, "normal", 20000)
    assert up is not None and up.id == "gold"
    assert tiers.qualifying_months(rules, dt.date(2026, 3, 15))[-1] == "2025-04"


def test_a_member_who_never_bought_is_dormant_only_long_after_enrolling() -> None:
    """Issue 12: a member enrolled today without a purchase was "dormant". A member who never
    bought counts from the day they enrolled: new at first, dormant once the quiet days pass."""
    today = dt.date(2026, 12, 4)

    def facts(balance: int, enrolled: dt.date) -> segments.MemberFacts:
        return segments.MemberFacts(balance=balance, purchases_in_window=0, last_purchase_on=None,
                                    registered_on=enrolled)

    rules = PROGRAM.segments
    assert segments.classify(rules, facts(50, today), today) == "new"
    assert segments.classify(rules, facts(12000, today), today) == "potential"  # imported points: not dormant
    assert segments.classify(rules, facts(12000, today - dt.timedelta(days=91)), today) == "dormant"
    assert segments.classify(rules, facts(12000, today - dt.timedelta(days=90)), today) == "potential"
    # a program whose dormant rule has no balance condition: a new member is still "new"
    quiet = dataclasses.replace(rules, rules=(
        dataclasses.replace(rules.rules[0], when=(("last_purchase_days_gt", 90),)), *rules.rules[1:]))
    assert segments.classify(quiet, facts(50, today), today) == "new"
    assert segments.classify(quiet, facts(50, today - dt.timedelta(days=200)), today) == "dormant"


@given(st.lists(st.tuples(st.integers(1, 10**6), st.integers(0, 10**6)), min_size=1, max_size=8),
       st.integers(0, 10**5), st.integers(0, 500), st.integers(0, 10**4), st.randoms())
def test_refunding_line_by_line_ends_exactly_where_a_whole_refund_does(
        raw: list[tuple[int, int]], purchase: int, bonus: int, paid: int, rnd: object) -> None:
    lines = [refunds.RefundLine(i + 1, net, Fraction(min(elig, net)) * Fraction(6, 5)) for i, (net, elig) in
             enumerate(raw)]
    paid_value = min(paid, sum(ln.net_fen for ln in lines))
    totals = refunds.SaleTotals(purchase, bonus, paid_value, paid_value, 0)
    order = [ln.line_no for ln in lines]
    rnd.shuffle(order)  # type: ignore[attr-defined]
    done = refunds.RefundDone()
    before: set[int] = set()
    for n in order:
        plan = refunds.plan_refund(lines, refunded_before=before, refund_now={n}, totals=totals, done=done)
        assert min(plan.clawback_purchase, plan.return_points, plan.refund_fen) >= 0
        done = refunds.RefundDone(done.clawed_purchase + plan.clawback_purchase,
                                  done.clawed_bonus + plan.clawback_bonus,
                                  done.returned_points + plan.return_points, done.refunded_fen + plan.refund_fen)
        before.add(n)
    assert (done.clawed_purchase, done.clawed_bonus, done.returned_points) == (purchase, bonus, paid_value)
    assert done.refunded_fen == sum(ln.net_fen for ln in lines) - paid_value


def test_full_width_digits_become_ascii_and_other_digits_are_refused() -> None:
    # what Chinese input methods type: full-width digits, signs and spaces (NFKC makes them ASCII)
    assert members.normalize_phone("13８００１３８０００") == "13800138000"
    assert members.normalize_phone("＋８６　１３８－００１３－８０００") == "13800138000"
    assert members.validate_card_number("２９０００００００００１８") == "2900000000018"
    assert money.parse_yuan("１９．９０") == 1990
    assert money.parse_yuan("￥１，０００") == 100000
    assert money.parse_int("－２００", field="points") == -200
    assert members.parse_birthday("１９９０－０５－１８", today=dt.date(2026, 1, 1)) == dt.date(1990, 5, 18)
    # digits of other scripts are digits to Python's \d and int(), but no phone, card or amount
    for call, field in ((lambda: members.normalize_phone("١٣٨٠٠١٣٨٠٠٠"), "phone"),
                        (lambda: members.validate_card_number("٢٩٠٠٠٠٠٠٠٠٠١٨"), "card"),
                        (lambda: money.parse_yuan("١٩.٩٠"), "amount"),
                        (lambda: money.parse_int("١٢", field="points"), "points")):
        with pytest.raises(InvalidInput) as err:
            call()
        assert err.value.field == field
