"""Cancelling a gift redemption within the shift (issue 15 item 4f): a ``return`` entry gives the
points back, the stock goes back, the cash of a points + cash gift leaves the shift's expected
cash; audited; a manager again for a gift that needed one; once only; only the open shift's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from pos_app.devices.escpos_out import document_bytes
from pos_app.hq import db as hqdb
from pos_app.hq import reports as hq_reports
from pos_app.services import members, points, printing, receipts, shifts, staff
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.services.settings import save_settings
from tests.conftest import FakeClock
from tests.devices.escpos_interpreter import interpret
from tests.devices.fake_printer import MemoryPrinter
from tests.services.test_reference_examples import set_balance
from tests.services.test_sync_service import HQ, hq, hq_db_url, till  # noqa: F401 (the fixture)


@pytest.fixture
def shop(terminal: Terminal) -> Terminal:
    staff.create_staff(terminal, code="1001", name="收银员", role="cashier", pin="1234")
    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    return terminal


def entries(t: Terminal, ref: str) -> list[tuple[str, int]]:
    return [(r[0], r[1]) for r in t.database.execute(
        "SELECT kind, points FROM ledger_entry WHERE ref_no = ? ORDER BY seq", (ref,)).fetchall()]


def test_a_points_and_cash_gift_is_cancelled_once(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="甲")
    set_balance(shop, m, 3000)
    shifts.open_shift(shop, staff_code="1001")
    clock.advance(minutes=1)
    g = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G005", staff_code="1001")  # 2,000 + 19.90
    assert shifts.cash_up(shop)["expected"]["cash"] == 1990
    clock.advance(minutes=1)

    with pytest.raises(InvalidInput) as bad:
        points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="  ", staff_code="1001")
    assert bad.value.field == "reason" and members.find_member(shop, m.card_no).balance == 1000
    with pytest.raises(NotFound):
        points.cancel_redemption(shop, redemption_no="NOPE-G1", reason="x", staff_code="1001")

    done = points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="顾客不要了", staff_code="1001")
    assert done.member.balance == 3000 and done.cash_fen == 1990 and done.written_off == 0
    assert entries(shop, g.redemption_no) == [("gift", -2000), ("return", 2000)]
    assert sum(lot.remaining for lot in shop.ledger.lots_of(m.id)) == 3000
    row = shop.repo.redemption(g.redemption_no)
    assert row is not None and row["cancelled_at"] and row["cancelled_by"] == "1001"
    audit = shop.database.execute("SELECT staff_code, details FROM audit WHERE action = 'gift.cancel'").fetchall()
    assert len(audit) == 1 and audit[0][0] == "1001" and json.loads(audit[0][1])["reason"] == "顾客不要了"
    figures = shifts.cash_up(shop)
    assert figures["expected"]["cash"] == 0 and figures["gifts_total"] == 0
    assert figures["points_redeemed"] == 0

    with pytest.raises(Conflict):  # twice: nothing more
        points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="again", staff_code="1001")
    assert members.find_member(shop, m.card_no).balance == 3000
    assert entries(shop, g.redemption_no) == [("gift", -2000), ("return", 2000)]


def test_stock_goes_back_and_an_approved_gift_needs_a_manager_again(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138001", name="乙")
    set_balance(shop, m, 12000)
    points.set_gift_stock(shop, gift_code="G004", stock=2)
    shifts.open_shift(shop, staff_code="1001")
    g = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    assert shop.repo.gift_stock("G004") == 1
    with pytest.raises(Exception) as refused:
        points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="wrong gift", staff_code="1001")
    assert members.find_member(shop, m.card_no).balance == 2000 and refused.value.field == "manager"  # type: ignore[attr-defined]
    done = points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="wrong gift", staff_code="1001",
                                    manager_code="9001", manager_pin="9999")
    assert done.approved_by == "9001" and done.member.balance == 12000 and shop.repo.gift_stock("G004") == 2


def test_a_cancelled_gift_gives_back_its_monthly_limit_and_cap(shop: Terminal, clock: FakeClock) -> None:
    """A gift cancelled in the shift was counted, after the cancel, towards the gift's monthly
    limit and the monthly redemption cap: the member whose G004 (one a month) the cashier took
    back by mistake could not have it again that month. Cancelled redemptions now count for
    neither (the refund of a points payment already gave its room back)."""
    m = members.enroll_member(shop, phone="13800138009", name="庚")
    set_balance(shop, m, 25000)
    points.set_gift_stock(shop, gift_code="G004", stock=3)
    shifts.open_shift(shop, staff_code="1001")
    g = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    day = clock.now.date()
    assert shop.repo.gift_this_month(m.id, "G004", day) == 1 and shop.repo.redeemed_in_month(m.id, day) == 10000
    points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="wrong gift", staff_code="1001",
                             manager_code="9001", manager_pin="9999")
    assert shop.repo.gift_this_month(m.id, "G004", day) == 0 and shop.repo.redeemed_in_month(m.id, day) == 0
    again = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G004", manager_code="9001",
                               manager_pin="9999")
    assert again.member.balance == 15000
    with pytest.raises(RuleViolation) as limit:  # the limit itself still holds
        points.redeem_gift(shop, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    assert "per member per month" in str(limit.value)


def test_the_open_shifts_cancellable_redemptions_newest_first(shop: Terminal, clock: FakeClock) -> None:
    """What the gifts screen offers to cancel: this shift's redemptions, newest first, not those
    cancelled already, not a coupon gift whose coupon a sale used, none of an earlier shift."""
    from pos_app.core.earning import SaleLine
    from pos_app.services import sales

    a = members.enroll_member(shop, phone="13800138010", name="辛")
    b = members.enroll_member(shop, phone="13800138011", name="壬")
    set_balance(shop, a, 5000)
    set_balance(shop, b, 5000)
    assert points.cancellable_redemptions(shop) == []  # no shift open
    shifts.open_shift(shop, staff_code="1001")
    earlier = points.redeem_gift(shop, member_ref=a.card_no, gift_code="G005", staff_code="1001")
    clock.advance(minutes=1)
    shifts.close_shift(shop, staff_code="1001")
    clock.advance(minutes=1)
    shifts.open_shift(shop, staff_code="1001")
    first = points.redeem_gift(shop, member_ref=a.card_no, gift_code="G001", staff_code="1001")
    clock.advance(minutes=1)
    second = points.redeem_gift(shop, member_ref=b.card_no, gift_code="G005", staff_code="1001")
    clock.advance(minutes=1)
    used = points.redeem_gift(shop, member_ref=b.card_no, gift_code="G001", staff_code="1001")
    sales.record_sale(shop, lines=[SaleLine(1, "6901", "面包", "food", 1, 5000)], member_ref=b.card_no,
                      coupon=used.coupon_code, staff_code="1001")
    clock.advance(minutes=1)
    third = points.redeem_gift(shop, member_ref=a.card_no, gift_code="G005", staff_code="1001")
    points.cancel_redemption(shop, redemption_no=third.redemption_no, reason="x", staff_code="1001")
    found = points.cancellable_redemptions(shop)
    assert [c.redemption_no for c in found] == [second.redemption_no, first.redemption_no]
    assert earlier.redemption_no not in [c.redemption_no for c in found]
    assert (found[0].member_name, found[0].points, found[0].cash_fen, found[0].gift_code) == ("壬", 2000, 1990, "G005")
    assert found[0].member_balance == members.find_member(shop, b.card_no).balance
    assert found[1].coupon_code == first.coupon_code


def test_an_earlier_shifts_redemption_cannot_be_cancelled(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138002", name="丙")
    set_balance(shop, m, 500)
    shifts.open_shift(shop, staff_code="1001")
    set_balance(shop, m, 5000)
    g = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G005")
    clock.advance(minutes=1)
    shifts.close_shift(shop, staff_code="1001")
    clock.advance(minutes=1)
    shifts.open_shift(shop, staff_code="1001")
    with pytest.raises(RuleViolation) as old:
        points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="x", staff_code="1001")
    assert "open shift" in str(old.value) and members.find_member(shop, m.card_no).balance == 3000


def test_a_coupon_gift_is_cancelled_while_its_coupon_is_unused(shop: Terminal, clock: FakeClock) -> None:
    """A coupon gift redeemed by mistake is cancelled like any gift while its coupon is unused: the
    points come back and the coupon is spent by the cancellation, so no sale takes it afterwards.
    Once a sale used the coupon, its gift can no longer be cancelled."""
    from pos_app.core.earning import SaleLine
    from pos_app.core.errors import PosError
    from pos_app.services import sales

    def basket() -> list[SaleLine]:
        return [SaleLine(1, "6901", "面包", "food", 1, 5000)]

    m = members.enroll_member(shop, phone="13800138005", name="己")
    set_balance(shop, m, 300)
    shifts.open_shift(shop, staff_code="1001")
    g = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G001", staff_code="1001")  # 100 points, ¥1
    assert g.coupon_code is not None and g.member.balance == 200
    done = points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="按错了", staff_code="1001")
    assert done.member.balance == 300
    coupon = shop.repo.coupon(g.coupon_code)
    assert coupon is not None and coupon["used_receipt_no"] == g.redemption_no
    events = [r[0] for r in shop.database.execute(
        "SELECT kind FROM outbox WHERE ref = ? ORDER BY id", (g.coupon_code,)).fetchall()]
    assert events == ["coupon_issue", "coupon_use"]
    with pytest.raises(PosError) as spent:
        sales.record_sale(shop, lines=basket(), member_ref=m.card_no, coupon=g.coupon_code, staff_code="1001")
    assert spent.value.field == "coupon"  # type: ignore[attr-defined]
    # a coupon used in a sale: its gift stays
    used = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G001", staff_code="1001")
    assert used.coupon_code is not None
    sales.record_sale(shop, lines=basket(), member_ref=m.card_no, coupon=used.coupon_code, staff_code="1001")
    balance = members.find_member(shop, m.card_no).balance
    with pytest.raises(RuleViolation) as refused:
        points.cancel_redemption(shop, redemption_no=used.redemption_no, reason="x", staff_code="1001")
    assert "used already" in str(refused.value) and members.find_member(shop, m.card_no).balance == balance
    assert shop.repo.redemption(used.redemption_no)["cancelled_at"] is None  # type: ignore[index]


def test_the_cancellation_reaches_headquarters(hq: HQ, tmp_path: Path, clock: FakeClock) -> None:  # noqa: F811
    a = till(tmp_path, "S01-T1", clock)
    sync_service.enroll(a, hq.url, hq.codes["S01-T1"])
    m = members.enroll_member(a, phone="13800138003", name="丁")
    set_balance(a, m, 2500)
    shifts.open_shift(a, staff_code="1001")
    g = points.redeem_gift(a, member_ref=m.card_no, gift_code="G005", staff_code="1001")
    clock.advance(minutes=1)
    sync_service.sync_once(a)
    day = clock.now.date()
    assert [(r["gift"], r["redemptions"]) for r in hq_reports.gift_redemptions(day, day, "S01")] == [("G005", 1)]
    points.cancel_redemption(a, redemption_no=g.redemption_no, reason="customer changed mind", staff_code="1001")
    clock.advance(minutes=1)
    sync_service.sync_once(a)
    assert a.database.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0] == 0
    hqdb.connect(hq_db_url(a))
    try:
        held = [(e.kind, e.points) for e in hqdb.Entry.select().where(hqdb.Entry.ref_no == g.redemption_no)
                .order_by(hqdb.Entry.seq)]
        balance = hqdb.Member.get_by_id(m.uuid).balance
    finally:
        hqdb.proxy.obj.close()
    assert held == [("gift", -2000), ("return", 2000)] and balance == 2500
    assert hq_reports.gift_redemptions(day, day, "S01") == []  # the cancel event took it out
    # a coupon gift cancelled: headquarters holds its coupon as spent by the cancellation
    c = points.redeem_gift(a, member_ref=m.card_no, gift_code="G001", staff_code="1001")
    sync_service.sync_once(a)
    points.cancel_redemption(a, redemption_no=c.redemption_no, reason="按错了", staff_code="1001")
    clock.advance(minutes=1)
    sync_service.sync_once(a)
    hqdb.connect(hq_db_url(a))
    try:
        coupon = hqdb.Coupon.get_by_id(c.coupon_code)
        balance = hqdb.Member.get_by_id(m.uuid).balance
    finally:
        hqdb.proxy.obj.close()
    assert (coupon.used_receipt_no, coupon.used_by, balance) == (c.redemption_no, "S01-T1", 2500)
    a.close()


def test_the_cancellation_slip_prints_in_both_languages(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138004", name="戊")
    set_balance(shop, m, 2500)
    save_settings(shop, {"printer.connection": "network", "printer.host": "192.0.2.1"})
    shifts.open_shift(shop, staff_code="1001")
    g = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G005", staff_code="1001")
    points.cancel_redemption(shop, redemption_no=g.redemption_no, reason="顾客不要了", staff_code="1001",
                             queue_slip=True)
    mem = MemoryPrinter()
    assert len(printing.print_pending(shop, mem.connect).printed) == 1
    slip = interpret(mem.jobs[0])
    text = "\n".join(slip.text)
    assert slip.qr_codes() == [g.redemption_no]
    for words in ("撤销兑换", "保温杯", "2000", "19.90", "顾客不要了", "2500"):
        assert words in text, words
    english = "\n".join(interpret(document_bytes(receipts.build_document(
        shop, "gift_cancel", g.redemption_no, language="en"))).text)
    assert "GIFT CANCELLED" in english and "Cash back" in english and "19.90" in english
    with pytest.raises(NotFound) as none:  # a redemption that was not cancelled has no slip
        other = points.redeem_gift(shop, member_ref=m.card_no, gift_code="G001")
        receipts.build_document(shop, "gift_cancel", other.redemption_no)
    assert none.value.field == "gift_cancel"


def test_a_malformed_cancel_event_is_refused_naming_its_field() -> None:
    from pos_app.sync.protocol import check_event

    good = {"oid": 1, "kind": "redemption_cancel", "ref": "S01-T1-G0000001", "created_at": "2026-11-03T10:00:00",
            "payload": {"member": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "gift": "G005", "points": 2000,
                        "cash_fen": 1990, "reason": "wrong", "approved_by": None, "staff_code": "1001",
                        "at": "2026-11-03T10:00:00"}}
    assert check_event(good, "events[0]")["kind"] == "redemption_cancel"
    for key, value in (("points", -1), ("reason", "x" * 201), ("gift", "bad gift!"), ("at", "yesterday")):
        bad = {**good, "payload": {**good["payload"], key: value}}
        with pytest.raises(InvalidInput) as err:
            check_event(bad, "events[0]")
        assert err.value.field == f"events[0].payload.{key}"


def test_the_gift_goes_back_into_the_stores_stock_at_headquarters(hq: HQ, tmp_path: Path,  # noqa: F811
                                                                  clock: FakeClock) -> None:
    from pos_app.hq import gifts_admin

    a = till(tmp_path, "S01-T1", clock)
    sync_service.enroll(a, hq.url, hq.codes["S01-T1"])
    gifts_admin.receive("S01", "G004", "3", "delivery", actor="staff:test")
    m = members.enroll_member(a, phone="13800138005", name="己")
    set_balance(a, m, 10000)
    sync_service.sync_once(a)
    assert a.repo.gift_stock("G004") == 3
    shifts.open_shift(a, staff_code="1001")
    g = points.redeem_gift(a, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    clock.advance(minutes=1)
    sync_service.sync_once(a)
    points.cancel_redemption(a, redemption_no=g.redemption_no, reason="wrong gift", staff_code="1001",
                             manager_code="9001", manager_pin="9999")
    clock.advance(minutes=1)
    sync_service.sync_once(a)
    sync_service.sync_once(a)  # the stock change comes back down
    row = hqdb.GiftStock.get((hqdb.GiftStock.store_id == "S01") & (hqdb.GiftStock.gift_code == "G004"))
    M = hqdb.GiftStockMove
    moves = [(x.kind, int(x.qty), int(x.stock_after)) for x in M.select().order_by(M.id)]
    assert int(row.stock) == 3 and moves == [("receive", 3, 3), ("redeem", -1, 2), ("cancel", 1, 3)]
    assert a.repo.gift_stock("G004") == 3
    a.close()


def test_a_till_restored_from_an_older_backup_knows_the_gift_was_cancelled(hq: HQ, tmp_path: Path,  # noqa: F811
                                                                           clock: FakeClock) -> None:
    from pos_app.services import backup, context

    a = till(tmp_path, "S01-T1", clock)
    sync_service.enroll(a, hq.url, hq.codes["S01-T1"])
    m = members.enroll_member(a, phone="13800138006", name="庚")
    set_balance(a, m, 2500)
    shifts.open_shift(a, staff_code="1001")
    sync_service.sync_once(a)
    old = backup.take_backup(a, tmp_path / "backups")
    g = points.redeem_gift(a, member_ref=m.card_no, gift_code="G005", staff_code="1001")
    points.cancel_redemption(a, redemption_no=g.redemption_no, reason="wrong", staff_code="1001")
    clock.advance(minutes=1)
    sync_service.sync_once(a)
    db = Path(a.database.path)
    a.close()
    backup.restore(db, old.path)
    a = context.Terminal.open(db, clock=clock)
    try:
        sync_service.sync_once(a)  # takes back what headquarters holds of this till
        row = a.repo.redemption(g.redemption_no)
        assert row is not None and row["cancelled_at"] and row["cancelled_by"] == "1001"
        assert members.find_member(a, m.card_no).balance == 2500
        with pytest.raises(Conflict):
            points.cancel_redemption(a, redemption_no=g.redemption_no, reason="again", staff_code="1001")
        assert members.find_member(a, m.card_no).balance == 2500
    finally:
        a.close()
