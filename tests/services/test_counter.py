"""Counter basics (issue 15 item 4): change for cash, split tender, per-tender shift figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.core.errors import InvalidInput, RuleViolation
from pos_app.core.tenders import Tender
from pos_app.services import members, receipts, sales, shifts
from pos_app.services.context import Terminal
from pos_app.sync import protocol
from tests.services.test_reference_examples import line


def counts(t: Terminal) -> tuple[int, ...]:
    return tuple(t.database.execute(f"SELECT count(*) FROM {x}").fetchone()[0]
                 for x in ("sale", "sale_tender", "ledger_entry", "outbox"))


def sale_event(t: Terminal, receipt_no: str) -> dict:
    row = t.database.execute("SELECT payload FROM outbox WHERE kind = 'sale' AND ref = ?", (receipt_no,)).fetchone()
    return json.loads(row[0])


def test_cash_with_change_is_recorded_and_sent(terminal: Terminal) -> None:
    r = sales.record_sale(terminal, lines=[line(1, 8350)], payments=[("cash", 10000)], staff_code="1001")
    assert r.change_fen == 1650 and r.tenders == (Tender("cash", 8350, 10000),) and r.tender_kind == "cash"
    again = sales.sale_result(terminal, r.receipt_no)
    assert again.tenders == r.tenders and again.change_fen == 1650
    ev = sale_event(terminal, r.receipt_no)
    assert ev["change_fen"] == 1650 and ev["tenders"] == [{"kind": "cash", "amount_fen": 8350, "given_fen": 10000}]
    protocol.check_event({"oid": 1, "kind": "sale", "ref": r.receipt_no, "payload": ev,
                          "created_at": "2026-11-03T10:00:00"}, "events[0]")


def test_short_cash_is_refused_and_nothing_is_written(terminal: Terminal) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="甲")
    before = counts(terminal)
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 8350)], member_ref=m.card_no, payments=[("cash", 8000)])
    assert err.value.field == "tenders" and err.value.params["short_fen"] == 350
    with pytest.raises(InvalidInput) as err2:
        sales.record_sale(terminal, lines=[line(1, 8350)], payments=[("paypal", 8350)])
    assert err2.value.field == "tenders[0].kind"
    with pytest.raises(InvalidInput):
        sales.record_sale(terminal, lines=[line(1, 8350)], payments=[("cash",)])  # type: ignore[list-item]
    assert counts(terminal) == before


def test_split_tender_amounts_add_up_exactly_and_points_follow_the_sale(terminal: Terminal) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="甲")
    r = sales.record_sale(terminal, lines=[line(1, 12345)], member_ref=m.card_no,
                          payments=[("card", 5000), ("wechat", 2345), ("cash", 5500)])
    assert r.tender_kind == "split" and r.change_fen == 500
    assert [(t.kind, t.amount_fen, t.given_fen) for t in r.tenders] == [
        ("cash", 5000, 5500), ("card", 5000, 5000), ("wechat", 2345, 2345)]
    assert sum(t.amount_fen for t in r.tenders) == r.tender_fen == 12345
    assert r.points_earned == 123 + 100  # 1 point per yuan whatever the tenders, + the first purchase bonus
    rows = terminal.repo.rows("SELECT kind, amount_fen FROM sale_tender ORDER BY seq")
    assert sum(x["amount_fen"] for x in rows) == 12345


def test_card_above_the_amount_due_is_refused(terminal: Terminal) -> None:
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 5000)], payments=[("card", 6000)])
    assert err.value.params["reason"] == "over"


def test_shift_figures_per_tender(terminal: Terminal) -> None:
    shifts.open_shift(terminal, staff_code="1001")
    sales.record_sale(terminal, lines=[line(1, 8350)], payments=[("cash", 10000)])
    sales.record_sale(terminal, lines=[line(1, 12345)], payments=[("card", 5000), ("cash", 7400)])
    sales.record_sale(terminal, lines=[line(1, 1000)], tender="alipay")
    shift = shifts.current_shift(terminal)
    assert shift is not None
    report = shifts.shift_report(terminal, shift.opened_at, None)
    assert report["tenders"] == {"cash": {"count": 2, "fen": 8350 + 7345, "given_fen": 17400},
                                 "card": {"count": 1, "fen": 5000, "given_fen": 5000},
                                 "alipay": {"count": 1, "fen": 1000, "given_fen": 1000}}
    assert report["change_fen"] == 1650 + 55
    assert sum(v["fen"] for v in report["tenders"].values()) == report["tender_fen"]


def test_receipt_prints_each_tender_and_the_change(terminal: Terminal) -> None:
    r = sales.record_sale(terminal, lines=[line(1, 12345)], payments=[("card", 5000), ("cash", 10000)])
    text = receipts.receipt_document(terminal, r.receipt_no, language="en").render_text()
    assert "Card" in text and "50.00" in text and "73.45" in text
    assert "Cash given" in text and "100.00" in text and "Change" in text and "26.55" in text


def test_a_suspended_sale_is_not_a_sale_survives_a_restart_and_resumes_once(terminal: Terminal,
                                                                             tmp_path: Path) -> None:
    from pos_app.core.errors import NotFound
    from pos_app.services import suspended
    from pos_app.services.context import Terminal as T

    m = members.enroll_member(terminal, phone="13800138000", name="甲")
    before = counts(terminal)
    s = suspended.suspend_sale(terminal, lines=[line(1, 1000), line(2, 2500)], member_card=m.card_no,
                               staff_code="1001")
    assert s.total_fen == 3500 and s.member_card == m.card_no
    assert counts(terminal) == before  # no sale, tender, entry or event
    assert terminal.database.execute("SELECT count(*) FROM counter WHERE name = 'receipt'").fetchone()[0] == 0
    path = terminal.database.path
    terminal.close()
    t2 = T.open(path)
    try:
        [again] = suspended.list_suspended(t2)
        assert again.lines == s.lines and again.id == s.id
        resumed = suspended.resume_sale(t2, s.id, staff_code="1001")
        assert suspended.list_suspended(t2) == []
        with pytest.raises(NotFound) as err:
            suspended.resume_sale(t2, s.id)
        assert err.value.field == "suspended"
        r = sales.record_sale(t2, lines=list(resumed.lines), member_ref=resumed.member_card)
        assert r.total_fen == 3500 and r.receipt_no.endswith("00000001")
        actions = [a["action"] for a in t2.repo.rows("SELECT action FROM audit WHERE action LIKE 'sale%' ORDER BY id")]
        assert actions == ["sale.suspend", "sale.resume", "sale"]
    finally:
        t2.close()


def test_suspend_refuses_bad_baskets(terminal: Terminal) -> None:
    from pos_app.services import suspended

    with pytest.raises(InvalidInput) as err:
        suspended.suspend_sale(terminal, lines=[])
    assert err.value.field == "lines"
    with pytest.raises(InvalidInput) as err:
        suspended.suspend_sale(terminal, lines=[line(1, 100)], label="x" * 41)
    assert err.value.field == "label"
    assert suspended.list_suspended(terminal) == []


def test_a_line_discount_above_the_limit_needs_a_manager_and_points_follow_the_net(terminal: Terminal) -> None:
    from pos_app.core.earning import SaleLine
    from pos_app.core.errors import ApprovalRequired, PermissionDenied
    from pos_app.services import settings, staff

    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    m = members.enroll_member(terminal, phone="13800138000", name="甲")
    small = [SaleLine(1, "A", "a", "general", 1, 10000, discount_fen=1000)]  # 10%: within the default limit
    r = sales.record_sale(terminal, lines=small, member_ref=m.card_no)
    assert r.total_fen == 9000 and r.points_earned == 90 + 100  # on the net amount, + first purchase
    big = [SaleLine(1, "A", "a", "general", 1, 10000, discount_fen=1001), SaleLine(2, "B", "b", "general", 1, 100)]
    before = counts(terminal)
    with pytest.raises(ApprovalRequired) as err:
        sales.record_sale(terminal, lines=big, member_ref=m.card_no)
    assert err.value.field == "discount" and err.value.params["lines"] == [1]
    with pytest.raises(PermissionDenied):
        sales.record_sale(terminal, lines=big, member_ref=m.card_no, approval=("9001", "0000"))
    assert counts(terminal) == before
    r = sales.record_sale(terminal, lines=big, member_ref=m.card_no, approval=("9001", "9999"), staff_code="1001")
    assert r.total_fen == 9099 and r.points_earned == 90
    row = terminal.repo.row("SELECT details FROM audit WHERE action = 'sale.discount' AND ref = ?", (r.receipt_no,))
    assert row is not None and json.loads(row["details"]) == {"lines": {"1": 1001}, "over_limit": [1],
                                                              "approved_by": "9001"}
    # the amount limit: 60.00 yuan off a 1000.00 line (6%) is above the default 50.00
    assert sales.discounts_over_limit(terminal, [SaleLine(1, "", "", "general", 1, 100000, 6000)]) == [1]
    settings.save_settings(terminal, {"discount.limit_fen": 10000})
    assert sales.discounts_over_limit(terminal, [SaleLine(1, "", "", "general", 1, 100000, 6000)]) == []


def test_a_refund_goes_back_to_the_sale_tenders_pro_rata_or_as_chosen(terminal: Terminal) -> None:
    from pos_app.core.earning import SaleLine

    lines = [SaleLine(1, "A", "a", "general", 1, 6000), SaleLine(2, "B", "b", "general", 1, 4000)]
    r = sales.record_sale(terminal, lines=lines, payments=[("card", 7000), ("cash", 5000)])  # cash 3000, change 2000
    q = sales.quote_refund(terminal, receipt_no=r.receipt_no, line_nos=[2])
    assert q["tenders"] == [{"kind": "cash", "amount_fen": 1200}, {"kind": "card", "amount_fen": 2800}]
    first = sales.refund_sale(terminal, receipt_no=r.receipt_no, line_nos=[2], queue_receipt=True)
    assert first.tenders == (("cash", 1200), ("card", 2800))
    ev = json.loads(terminal.database.execute("SELECT payload FROM outbox WHERE kind = 'refund'").fetchone()[0])
    assert ev["tenders"] == [{"kind": "cash", "amount_fen": 1200}, {"kind": "card", "amount_fen": 2800}]
    protocol.check_event({"oid": 1, "kind": "refund", "ref": first.refund_no, "payload": ev,
                          "created_at": "2026-11-03T10:00:00"}, "events[0]")
    text = receipts.build_document(terminal, "refund", first.refund_no, language="en").render_text()
    assert "Back to Card" in text and "28.00" in text and "Back to Cash" in text and "12.00" in text
    # the rest: a card holds 4200 of this sale; 6000 back to the card is refused, nothing written
    before = counts(terminal)
    with pytest.raises(RuleViolation) as err:
        sales.refund_sale(terminal, receipt_no=r.receipt_no, to=[("card", 6000)])
    assert err.value.field == "refund_tenders"
    with pytest.raises(InvalidInput) as err2:
        sales.refund_sale(terminal, receipt_no=r.receipt_no, to=[("cash", 5999)])
    assert err2.value.field == "refund_tenders"
    assert counts(terminal) == before
    last = sales.refund_sale(terminal, receipt_no=r.receipt_no, to=[("card", 4200), ("cash", 1800)])
    assert last.tenders == (("card", 4200), ("cash", 1800))
    shift_like = shifts.shift_report(terminal, "2000-01-01T00:00:00", None)
    assert shift_like["refund_tenders"] == {"card": {"count": 2, "fen": 7000}, "cash": {"count": 2, "fen": 3000}}
