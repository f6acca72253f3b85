"""Tenders: change for cash, split tenders, refunds back to the tenders (pure rules)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.core.errors import InvalidInput, RuleViolation
from pos_app.core.tenders import Tender, chosen_refund, exact, settle, split_refund


def test_cash_handed_over_gives_change() -> None:
    s = settle(8350, [("cash", 10000)])
    assert s.tenders == (Tender("cash", 8350, 10000),) and s.change_fen == 1650 and s.kind == "cash"


def test_short_cash_is_refused_naming_what_is_missing() -> None:
    with pytest.raises(RuleViolation) as err:
        settle(8350, [("cash", 5000)])
    assert err.value.field == "tenders" and err.value.params["short_fen"] == 3350
    assert err.value.params["reason"] == "short"


def test_split_tender_card_then_cash_with_change() -> None:
    s = settle(12345, [("card", 5000), ("cash", 10000)])
    assert s.tenders == (Tender("cash", 7345, 10000), Tender("card", 5000, 5000))
    assert s.change_fen == 2655 and s.kind == "split"
    assert sum(t.amount_fen for t in s.tenders) == 12345


def test_card_and_mobile_never_give_change() -> None:
    with pytest.raises(RuleViolation) as err:
        settle(5000, [("wechat", 3000), ("alipay", 2500)])
    assert err.value.params["reason"] == "over"


def test_unknown_kind_and_fractional_fen_are_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        settle(100, [("bitcoin", 100)])
    assert err.value.field == "tenders[0].kind"
    with pytest.raises(InvalidInput) as err:
        settle(100, [("cash", 1.5)])  # type: ignore[list-item]
    assert err.value.field == "tenders[0].amount"


def test_exact_and_nothing_due() -> None:
    assert exact(500, "wechat").tenders == (Tender("wechat", 500, 500),)
    assert exact(0, "cash").tenders == () and settle(0, []).tenders == ()


@given(due=st.integers(0, 10**7), card=st.integers(0, 10**7), cash=st.integers(0, 10**7))
def test_settled_tenders_add_up_exactly(due: int, card: int, cash: int) -> None:
    try:
        s = settle(due, [("card", card), ("cash", cash)])
    except RuleViolation:
        assert card > due or card + cash < due
        return
    assert sum(t.amount_fen for t in s.tenders) == due
    assert s.change_fen == card + cash - due


def test_refund_pro_rata_puts_odd_fen_on_cash() -> None:
    assert split_refund(1000, [("card", 2000), ("cash", 1001)]) == [("card", 666), ("cash", 334)]
    assert split_refund(3001, [("card", 2000), ("cash", 1001)]) == [("card", 2000), ("cash", 1001)]
    with pytest.raises(RuleViolation):
        split_refund(3002, [("card", 2000), ("cash", 1001)])


@given(st.lists(st.tuples(st.sampled_from(["cash", "card", "wechat"]), st.integers(1, 10**6)), min_size=1,
                max_size=3, unique_by=lambda x: x[0]), st.data())
def test_refund_split_adds_up_and_never_exceeds_a_tender(tenders: list[tuple[str, int]], data: st.DataObject) -> None:
    amount = data.draw(st.integers(0, sum(f for _, f in tenders)))
    out = split_refund(amount, tenders)
    assert sum(f for _, f in out) == amount
    room = dict(tenders)
    assert all(f <= room[k] for k, f in out)


def test_refund_as_chosen() -> None:
    assert chosen_refund(1000, [("card", 2000)], [("cash", 1000)]) == [("cash", 1000)]
    with pytest.raises(RuleViolation):
        chosen_refund(1000, [("card", 500)], [("card", 1000)])
    with pytest.raises(InvalidInput) as err:
        chosen_refund(1000, [("card", 2000)], [("card", 900)])
    assert err.value.field == "refund_tenders"
