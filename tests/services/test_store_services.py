"""Catalogue, shifts and their report, the receipt print queue, and the manager's reports."""

from __future__ import annotations

import datetime as dt

import pytest

from pos_app.core.errors import Conflict, InvalidInput, NotFound
from pos_app.services import catalog, members, points, receipts, reports, sales, shifts, staff
from pos_app.services.context import Terminal
from tests.conftest import FakeClock
from tests.services.test_reference_examples import line, set_balance


@pytest.fixture
def shop(terminal: Terminal) -> Terminal:
    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    catalog.add_product(terminal, sku="BREAD", barcode="6901234567892", name="面包", category="food", price_fen=850)
    catalog.add_product(terminal, sku="CIG", barcode="6901028001236", name="香烟", category="tobacco", price_fen=3000)
    catalog.add_product(terminal, sku="EAR", name="新款耳机", category="electronics", price_fen=19900, flags=("new",))
    return terminal


def test_catalogue_lookup_and_search(shop: Terminal) -> None:
    p = catalog.product_by_code(shop, "6901234567892")
    assert (p.sku, p.price_fen) == ("BREAD", 850)
    assert catalog.product_by_code(shop, "EAR").flags == ("new",)
    assert [x.sku for x in catalog.search_products(shop, "耳机")] == ["EAR"]
    with pytest.raises(NotFound):
        catalog.product_by_code(shop, "0000000000000")
    with pytest.raises(Conflict):
        catalog.add_product(shop, sku="BREAD", name="x", category="food", price_fen=1)
    with pytest.raises(InvalidInput) as err:
        catalog.add_product(shop, sku="X", name="x", category="food", price_fen=0)
    assert err.value.field == "price"


def test_shift_report_counts_what_happened_in_the_shift(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="甲")  # before the shift: not counted
    sales.record_sale(shop, lines=[line(1, 1000)], member_ref=m.card_no)
    clock.advance(minutes=5)
    shift = shifts.open_shift(shop, staff_code="1001")
    with pytest.raises(Conflict):
        shifts.open_shift(shop, staff_code="1002")
    clock.advance(minutes=1)
    bread = catalog.product_by_code(shop, "6901234567892")
    sales.record_sale(shop, lines=[bread.line(1, qty=2)], tender="wechat")
    r = sales.record_sale(shop, lines=[line(1, 10000)], member_ref=m.card_no, tender="cash")  # earns 100
    set_balance(shop, m, 3000)
    points.redeem_gift(shop, member_ref=m.card_no, gift_code="G005")
    sales.refund_sale(shop, receipt_no=r.receipt_no)
    # another till's entry of the same member, pulled into the partial replica during the shift:
    # that till's points, not this shift's (it was counted before)
    with shop.database.transaction():
        shop.database.execute(
            "INSERT INTO ledger_entry (uuid, terminal_id, seq, member_id, member_uuid, kind, points, tier_points,"
            " ref_type, ref_no, breakdown, created_at, business_date, recorded_at, backdated, staff_code, prev_hash,"
            " hash) VALUES ('other-1', 'S002-T01', 1, ?, ?, 'earn', 900, 900, 'sale', 'S002-T01-00000001', '{}',"
            " ?, ?, ?, 0, NULL, '', 'x')", (m.id, m.uuid, clock.now.isoformat(), clock.now.date().isoformat(),
                                                 clock.now.isoformat()))
    clock.advance(minutes=1)
    report = shifts.close_shift(shop, staff_code="1001")
    assert report["shift_no"] == shift.shift_no
    assert (report["sales"], report["member_sales"], report["total_fen"]) == (2, 1, 11700)
    assert report["tenders"] == {"cash": {"count": 1, "fen": 10000, "given_fen": 10000},
                                 "wechat": {"count": 1, "fen": 1700, "given_fen": 1700}}
    assert report["points_issued"] == 100
    assert report["points_redeemed"] == 2000
    assert report["gifts"] == {"G005": 1} and report["refunds"] == 1
    # G005 takes 2000 points plus 19.90 yuan in cash: the cash is in the shift's takings
    assert report["gift_cash"] == {"count": 1, "fen": 1990}
    assert report["takings_fen"] == 11700 + 1990
    assert shifts.current_shift(shop) is None
    assert shop.repo.row("SELECT cash_fen FROM redemption") == {"cash_fen": 1990}
    assert shop.repo.row("SELECT json_extract(details, '$.cash_fen') fen FROM audit WHERE action = 'gift.redeem'"
                         ) == {"fen": 1990}
    paper = receipts.build_document(shop, "shift", shift.shift_no, language="en").render_text()
    assert any(ln.split()[:3] == ["Gift", "cash", "(1)"] and ln.split()[-1] == "19.90" for ln in paper.splitlines())


def test_receipt_is_queued_in_the_sale_transaction(shop: Terminal) -> None:
    r = sales.record_sale(shop, lines=[line(1, 1000)], queue_receipt=True)
    jobs = shop.repo.rows("SELECT kind, ref, status FROM print_job")
    assert jobs == [{"kind": "receipt", "ref": r.receipt_no, "status": "queued"}]


def test_reports(shop: Terminal, clock: FakeClock) -> None:
    clock.set("2026-11-01T10:00")
    a = members.enroll_member(shop, phone="13800138000", name="甲")
    clock.set("2026-11-02T10:00")
    sales.record_sale(shop, lines=[line(1, 100000)], member_ref=a.card_no)  # 1000 + 100
    points.redeem_gift(shop, member_ref=a.card_no, gift_code="G002")
    days = reports.points_by_day(shop, today=dt.date(2026, 11, 3), days=3)
    assert [(d.day.day, d.issued, d.redeemed) for d in days] == [(1, 50, 0), (2, 1100, 1000), (3, 0, 0)]
    # another till's entry of the same member, held in the partial replica, is that till's
    with shop.database.transaction():
        shop.database.execute(
            "INSERT INTO ledger_entry (uuid, terminal_id, seq, member_id, member_uuid, kind, points, tier_points,"
            " ref_type, ref_no, breakdown, created_at, business_date, recorded_at, backdated, staff_code, prev_hash,"
            " hash) VALUES ('other-1', 'S002-T01', 1, ?, ?, 'earn', 900, 900, 'sale', 'S002-T01-00000001', '{}',"
            " '2026-11-02T12:00:00', '2026-11-02', '2026-11-02T12:00:00', 0, NULL, '', 'x')", (a.id, a.uuid))
    assert reports.points_by_day(shop, today=dt.date(2026, 11, 3), days=3) == days
    liab = reports.liability(shop, today=dt.date(2026, 11, 3))
    assert (liab["points"], liab["value_fen"], liab["members"]) == (150, 150, 1)
    assert reports.top_gifts(shop, since=dt.date(2026, 11, 1))[0]["gift_code"] == "G002"
    counts = reports.segment_counts(shop, today=dt.date(2026, 11, 3))
    assert counts["new"] == 1 and sum(counts.values()) == 1
