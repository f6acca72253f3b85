"""The counter's history queries: one sale with its refund state, and the audit trail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pos_app.core.errors import InvalidInput, NotFound
from pos_app.services import catalog, context, demo, history, points, sales
from pos_app.services.context import Terminal
from tests.conftest import FakeClock, card


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Terminal:
    t = context.init_terminal(tmp_path / "store.db", store_id="S001", terminal_id="T01", clock=clock)
    demo.seed_demo(t)
    return t


def _sale(t: Terminal, member: str | None = None) -> str:
    lines = [catalog.product_by_code(t, code).line(n) for n, code in enumerate(("EARBUD", "CUP", "MILK"), 1)]
    return sales.record_sale(t, lines=lines, member_ref=member, staff_code="1001").receipt_no


def test_sale_detail_lists_lines_with_their_refund_state(store: Terminal) -> None:
    receipt = _sale(store, card(3))
    detail = history.sale_detail(store, f"  {receipt} ")
    assert detail.receipt_no == receipt and detail.staff_code == "1001"
    assert [(ln.line_no, ln.sku, ln.net_fen, ln.refunded) for ln in detail.lines] == [
        (1, "EARBUD", 19900, False), (2, "CUP", 8900, False), (3, "MILK", 450, False)]
    assert detail.lines[0].flags == ("new",)
    assert detail.total_fen == 29250 and detail.open_lines == [1, 2, 3] and not detail.fully_refunded
    assert detail.member is not None and detail.member.card_no == card(3)
    assert detail.points_earned == detail.member.balance  # her first points ever
    assert detail.created_at == dt.datetime(2026, 11, 3, 10, 0)

    refund = sales.refund_sale(store, receipt_no=receipt, line_nos=[2])
    detail = history.sale_detail(store, receipt)
    assert [ln.refund_no for ln in detail.lines] == [None, refund.refund_no, None]
    assert detail.open_lines == [1, 3] and detail.refunds == (refund.refund_no,)
    sales.refund_sale(store, receipt_no=receipt)
    detail = history.sale_detail(store, receipt)
    assert detail.fully_refunded and len(detail.refunds) == 2


def test_sale_detail_without_a_member_and_unknown_receipts(store: Terminal) -> None:
    assert history.sale_detail(store, _sale(store)).member is None
    with pytest.raises(NotFound) as exc:
        history.sale_detail(store, "S001-T01-99999999")
    assert exc.value.field == "receipt_no"
    with pytest.raises(InvalidInput):
        history.sale_detail(store, "  ")


def test_audit_trail_newest_first_filtered_by_action(store: Terminal, clock: FakeClock) -> None:
    clock.advance(minutes=1)
    points.adjust_points(store, member_ref=card(4), points=-50, reason="wrong scan", manager_code="9001",
                         manager_pin="9999")
    clock.advance(minutes=1)
    points.redeem_gift(store, member_ref=card(1), gift_code="G001", staff_code="1001")
    trail = history.audit_trail(store)
    assert trail[0].action == "gift.redeem" and trail[0].staff_code == "1001" and trail[0].staff_name == "收银员小陈"
    assert trail[1].action == "points.adjust" and trail[1].staff_code == "9001"
    assert trail[1].member_card == card(4) and trail[1].details == {"points": -50, "reason": "wrong scan"}
    assert trail[1].at == dt.datetime(2026, 11, 3, 10, 1)
    assert [r.id for r in trail] == sorted((r.id for r in trail), reverse=True)

    adjusts = history.audit_trail(store, action="points.adjust")
    assert {r.action for r in adjusts} == {"points.adjust"}
    # the demo seed's opening balances (every member but the one who starts at 0) and the one above
    assert len(adjusts) == 5 and adjusts[0].details["reason"] == "wrong scan"
    assert len(history.audit_trail(store, limit=2)) == 2
    assert "points.adjust" in history.audit_actions(store) and "gift.redeem" in history.audit_actions(store)
    assert history.audit_trail(store, action="no.such.action") == []
    with pytest.raises(InvalidInput):
        history.audit_trail(store, limit=0)


def test_a_coupon_gift_can_queue_its_slip_in_the_redemption_transaction(store: Terminal) -> None:
    plain = points.redeem_gift(store, member_ref=card(1), gift_code="G002")
    assert store.repo.rows("SELECT * FROM print_job") == []
    slip = points.redeem_gift(store, member_ref=card(1), gift_code="G002", queue_slip=True)
    assert plain.coupon_code and slip.coupon_code
    jobs = store.repo.rows("SELECT kind, ref, status FROM print_job")
    assert jobs == [{"kind": "coupon", "ref": slip.coupon_code, "status": "queued"}]
    # not a coupon: nothing to print
    points.redeem_gift(store, member_ref=card(1), gift_code="G005", queue_slip=True)
    assert len(store.repo.rows("SELECT * FROM print_job")) == 1
