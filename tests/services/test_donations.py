"""Donations (services.donations, issue 16 item 2): a ``donate`` entry in one transaction, its
slip decoded from the printer's bytes in both languages, every refusal naming its field with
nothing written, lapsed points written off first, never refunded, and the campaign's progress
as this till knows it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pos_app.core.earning import SaleLine
from pos_app.core.errors import NotFound, PosError, RuleViolation
from pos_app.devices.escpos_out import document_bytes
from pos_app.services import campaigns, donations, members, printing, receipts, sales, staff
from pos_app.services.context import Terminal
from pos_app.services.settings import save_settings
from tests.conftest import FakeClock
from tests.devices.escpos_interpreter import interpret
from tests.devices.fake_printer import MemoryPrinter
from tests.services.test_reference_examples import set_balance

SOURCE = """format = 1
id = "BOOKS"
kind = "donation"
version = 1
name_zh = "为山区学校捐赠图书"
name_en = "Books for mountain schools"
starts_on = 2026-10-01
ends_on = 2030-12-31

[donation]
cause_zh = "每100积分捐1元"
cause_en = "100 points give 1 yuan"
goal_points = 10000
fen_per_point = 1
step = 100
"""


@pytest.fixture
def shop(terminal: Terminal) -> Terminal:
    staff.create_staff(terminal, code="1001", name="收银员", role="cashier", pin="1234")
    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    campaigns.load_campaign(terminal, SOURCE)
    return terminal


def written(t: Terminal) -> tuple[int, int, int]:
    """Ledger entries, audit rows and print jobs: what a refusal must leave as it was."""
    return tuple(t.database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[return-value]
                 for table in ("ledger_entry", "audit", "print_job"))


def test_a_donation_is_one_entry_with_its_campaign_and_yuan(shop: Terminal) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="王芳")
    set_balance(shop, m, 1500)
    r = donations.donate(shop, member_ref=m.card_no, campaign_id="BOOKS", points=1200, staff_code="1001",
                         queue_slip=True)
    assert (r.points, r.yuan_fen, r.member.balance, r.campaign_version) == (1200, 1200, 300, 1)
    assert r.donation_no == "S001-T01-D0000001"
    row = shop.database.execute("SELECT kind, points, ref_type, ref_no, breakdown, staff_code FROM ledger_entry"
                                " WHERE uuid = ?", (r.entry_uuid,)).fetchone()
    assert row[:4] == ("donate", -1200, "campaign", "BOOKS@1") and row[5] == "1001"
    assert json.loads(row[4]) == {"campaign": "BOOKS", "version": 1, "donation_no": r.donation_no, "points": 1200,
                                  "fen_per_point": 1, "yuan_fen": 1200, "approved_by": None}
    assert sum(lot.remaining for lot in shop.ledger.lots_of(m.id)) == 300  # the lots gave the points
    assert shop.database.execute("SELECT count(*) FROM outbox WHERE kind = 'entry' AND ref = ?",
                                 (r.entry_uuid,)).fetchone()[0] == 1  # goes up to headquarters
    assert shop.database.execute("SELECT ref FROM audit WHERE action = 'points.donate'").fetchall() == [
        (r.donation_no,)]
    assert shop.database.execute("SELECT kind, ref FROM print_job").fetchall() == [("donation", r.entry_uuid)]
    history = members.member_history(shop, m.id, kinds=["donate"])
    assert [(e.kind, e.points, e.summary) for e in history] == [("donate", -1200, "donated to BOOKS (¥12.00)")]

    progress = donations.campaign_progress(shop, "BOOKS")
    assert progress is not None and progress.to_dict() == {
        "campaign": "BOOKS", "name_zh": "为山区学校捐赠图书", "name_en": "Books for mountain schools",
        "goal_points": 10000, "points": 1200, "yuan_fen": 1200, "donors": 1, "donations": 1, "percent": 12}
    assert donations.campaign_progress(shop, "NONE") is None


def test_the_slip_prints_in_both_languages(shop: Terminal) -> None:
    m = members.enroll_member(shop, phone="13800138001", name="李雷")
    set_balance(shop, m, 800)
    save_settings(shop, {"printer.connection": "network", "printer.host": "192.0.2.1"})
    r = donations.donate(shop, member_ref=m.card_no, campaign_id="BOOKS", points=500, staff_code="1001",
                         queue_slip=True)
    mem = MemoryPrinter()
    assert len(printing.print_pending(shop, mem.connect).printed) == 1
    text = "\n".join(interpret(mem.jobs[0]).text)
    for words in ("积分捐赠", "为山区学校捐赠图书", "每100积分捐1元", "500", "5.00", "李雷", "138****8001", "300",
                  "感谢您的爱心捐赠", "不可退回", r.donation_no):
        assert words in text, words
    english = "\n".join(interpret(document_bytes(receipts.build_document(
        shop, "donation", r.entry_uuid, language="en"))).text)
    for words in ("DONATION", "Books for mountain schools", "Points donated", "Worth (yuan)", "5.00",
                  "Thank you for your kindness!"):
        assert words in english, words
    with pytest.raises(NotFound) as none:
        receipts.build_document(shop, "donation", "not-a-donation")
    assert none.value.field == "donation"


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({"campaign_id": "NOPE"}, "campaign", None),
    ({"points": 0}, "points", None),
    ({"points": -100}, "points", None),
    ({"points": 150}, "points", "step"),  # not a multiple of the step
    ({"points": 2000}, "points", "balance"),  # more than the balance
])
def test_a_bad_donation_names_its_field_and_writes_nothing(shop: Terminal, change: dict[str, object], field: str,
                                                           reason: str | None) -> None:
    m = members.enroll_member(shop, phone="13800138002", name="甲")
    set_balance(shop, m, 1000)
    before = written(shop)
    args: dict[str, object] = {"member_ref": m.card_no, "campaign_id": "BOOKS", "points": 100, **change}
    with pytest.raises(PosError) as err:
        donations.donate(shop, **args)  # type: ignore[arg-type]
    assert err.value.field == field, err.value
    if reason:
        assert reason in err.value.params
    assert written(shop) == before and members.find_member(shop, m.card_no).balance == 1000


def test_ended_upcoming_and_other_stores_campaigns_are_refused(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138003", name="乙")
    set_balance(shop, m, 1000)
    campaigns.load_campaign(shop, SOURCE.replace('id = "BOOKS"', 'id = "OLD"').replace(
        "ends_on = 2030-12-31", "ends_on = 2026-10-31"))
    campaigns.load_campaign(shop, SOURCE.replace('id = "BOOKS"', 'id = "LATER"').replace(
        "starts_on = 2026-10-01", "starts_on = 2027-01-01"))
    campaigns.load_campaign(shop, SOURCE.replace('id = "BOOKS"', 'id = "WEST"').replace(
        "[donation]", 'stores = ["S002"]\n\n[donation]'))
    before = written(shop)
    for campaign_id, reason in (("OLD", "ended"), ("LATER", "upcoming"), ("WEST", "store")):
        with pytest.raises(RuleViolation) as err:
            donations.donate(shop, member_ref=m.card_no, campaign_id=campaign_id, points=100)
        assert err.value.field == "campaign" and err.value.params["reason"] == reason
    assert written(shop) == before
    assert [c.campaign_id for c in donations.donation_campaigns(shop)] == ["BOOKS"]
    clock.set("2027-01-01T09:00")
    assert [c.campaign_id for c in donations.donation_campaigns(shop)] == ["BOOKS", "LATER"]


def test_the_member_must_be_present(shop: Terminal) -> None:
    m = members.enroll_member(shop, phone="13800138004", name="丙")
    set_balance(shop, m, 1000)
    before = written(shop)
    with pytest.raises(RuleViolation) as err:  # a phone number anyone may know cannot spend
        donations.donate(shop, member_ref="13800138004", campaign_id="BOOKS", points=100)
    assert err.value.field == "presence"
    assert written(shop) == before
    ok = donations.donate(shop, member_ref="13800138004", campaign_id="BOOKS", points=100, presence="card")
    assert ok.member.balance == 900


def test_lapsed_points_are_written_off_first(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138005", name="丁")
    set_balance(shop, m, 500)  # lots of November 2026 (sign-up 50 and 450): their last day 2028-11-30
    clock.set("2027-06-01T10:00")
    set_balance(shop, m, 800)  # a lot of June 2027: valid to 2029-06-30
    clock.set("2029-02-01T10:00")
    with pytest.raises(RuleViolation) as err:  # the lapsed 500 cannot be given
        donations.donate(shop, member_ref=m.card_no, campaign_id="BOOKS", points=400)
    assert err.value.params["balance"] == 300
    r = donations.donate(shop, member_ref=m.card_no, campaign_id="BOOKS", points=300)
    rows = shop.database.execute(
        "SELECT kind, points FROM ledger_entry WHERE member_id = ? ORDER BY seq", (m.id,)).fetchall()
    assert rows[-2:] == [("expire", -500), ("donate", -300)] and r.member.balance == 0


def test_a_refund_never_touches_a_donation(shop: Terminal) -> None:
    """The points a sale earned were donated; refunding the sale claws them back (into debt)
    and leaves the donation as it was."""
    m = members.enroll_member(shop, phone="13800138006", name="戊")
    sale = sales.record_sale(shop, lines=[SaleLine(1, "6901", "面包", "food", 1, 20000)], member_ref=m.card_no,
                             staff_code="1001")
    given = members.find_member(shop, m.card_no).balance // 100 * 100
    r = donations.donate(shop, member_ref=m.card_no, campaign_id="BOOKS", points=given)
    refund = sales.refund_sale(shop, receipt_no=sale.receipt_no, staff_code="1001")
    assert refund.clawback > 0
    rows = shop.database.execute("SELECT kind, points FROM ledger_entry WHERE member_id = ? AND kind IN"
                                 " ('donate', 'return') ORDER BY seq", (m.id,)).fetchall()
    assert rows == [("donate", -given)]
    assert donations.campaign_progress(shop, "BOOKS").points == given  # type: ignore[union-attr]
    assert r.entry_uuid in {u for (u,) in shop.database.execute("SELECT uuid FROM ledger_entry").fetchall()}


def test_a_donation_counts_against_the_offline_allowance(shop: Terminal) -> None:
    m = members.enroll_member(shop, phone="13800138007", name="己")
    set_balance(shop, m, 5000)
    donations.donate(shop, member_ref=m.card_no, campaign_id="BOOKS", points=700)
    assert shop.ledger.redeemed_here_on(shop.clock().date()) == 700
    assert shop.clock().date() == dt.date(2026, 11, 3)
