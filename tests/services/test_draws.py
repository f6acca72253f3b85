"""Lottery draws at the till (services.draws): one transaction per draw (the cost, the prize as
points, coupon or gift), the member present, limits counted from the ledger, the stock per store
falling to 谢谢参与, the offline allowance, the auditor's recomputation, and refunds that never
touch a draw."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pos_app.core.campaigns import parse_campaign
from pos_app.core.errors import ApprovalRequired, CampaignError, NotFound, RuleViolation
from pos_app.devices.escpos_out import document_bytes
from pos_app.services import campaigns, draws, members, points, printing, receipts, sales, shifts, staff
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.services.settings import save_settings
from pos_app.storage.ledger import iso
from tests.conftest import FakeClock
from tests.devices.escpos_interpreter import interpret
from tests.devices.fake_printer import MemoryPrinter
from tests.services.test_reference_examples import line, set_balance

DEMO = campaigns.demo_campaign_path("draw-demo.toml").read_text(encoding="utf-8")
# the demo's slots over 0 .. 999: P500 0-9, P50 10-209, C1 210-309, C10 310-314, CUP 315-318, THANKS 319-999
P500, P50, C1, C10, CUP, THANKS = 5, 100, 250, 312, 316, 900


def fixed(value: int) -> Callable[[int], int]:
    def randbelow(n: int) -> int:
        assert n == 1000
        return value
    return randbelow


@pytest.fixture
def shop(terminal: Terminal) -> Terminal:
    staff.create_staff(terminal, code="1001", name="收银员", role="cashier", pin="1234")
    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    campaigns.load_campaign(terminal, DEMO)
    return terminal


@pytest.fixture
def member(shop: Terminal) -> members.MemberRecord:
    m = members.enroll_member(shop, phone="13800138000", name="甲")
    set_balance(shop, m, 1000)
    return members.find_member(shop, m.card_no)


def run(t: Terminal, m: members.MemberRecord, value: int, **kw: object) -> draws.DrawResult:
    return draws.run_draw(t, member_ref=m.card_no, campaign_id="DRAW-2026-LUCKY", staff_code="1001",
                          randbelow=fixed(value), **kw)  # type: ignore[arg-type]


def entries(t: Terminal, ref: str) -> list[tuple[str, int]]:
    return [(r[0], r[1]) for r in t.database.execute(
        "SELECT kind, points FROM ledger_entry WHERE ref_no = ? ORDER BY seq", (ref,)).fetchall()]


def counts(t: Terminal) -> tuple[int, ...]:
    return tuple(t.database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("ledger_entry", "coupon", "redemption", "outbox", "audit", "print_job"))


def test_a_points_prize_is_a_draw_win_lot(shop: Terminal, member: members.MemberRecord) -> None:
    r = run(shop, member, P500, queue_slip=True)
    assert (r.prize_code, r.prize_kind, r.points_won, r.cost_points) == ("P500", "points", 500, 100)
    assert r.balance_after == 1400 and r.won and not r.out_of_stock
    assert (r.prize_name_zh, r.prize_name("en")) == ("500 积分", "500 points")
    assert entries(shop, r.draw_no) == [("draw", -100), ("draw_win", 500)]
    b = json.loads(shop.database.execute("SELECT breakdown FROM ledger_entry WHERE kind = 'draw'").fetchone()[0])
    body = shop.repo.campaign("DRAW-2026-LUCKY").body  # type: ignore[union-attr]
    assert b["campaign"] == "DRAW-2026-LUCKY" and b["version"] == 1 and b["value"] == P500 and b["range"] == 1000
    assert b["landed"] == b["prize"] == "P500" and b["odds_digest"] == body.odds_digest and b["store"] == "S001"
    lots = shop.ledger.lots_of(member.id)
    won = [lot for lot in lots if lot.remaining == 500]
    assert len(won) == 1 and won[0].expires_on is not None  # expires like earned points
    assert shop.repo.rows("SELECT kind, ref FROM print_job") == [{"kind": "draw", "ref": r.draw_no}]
    again = draws.draw_result(shop, r.draw_no)
    assert again is not None and again.prize_code == "P500" and again.balance_after == 1400
    assert draws.verify_draws(shop) == []


def test_a_coupon_prize_issues_the_programs_coupon(shop: Terminal, member: members.MemberRecord) -> None:
    r = run(shop, member, C10)
    assert r.prize_kind == "coupon" and r.coupon_code and r.coupon_code.startswith("CP")
    assert r.balance_after == 900 and r.points_won == 0
    assert r.coupon_valid_until is not None and (r.coupon_valid_until - shop.clock().date()).days == 30
    coupon = shop.repo.rows("SELECT gift_code, value_fen, min_spend_fen FROM coupon WHERE code = ?", (r.coupon_code,))
    assert coupon == [{"gift_code": "G002", "value_fen": 1000, "min_spend_fen": 5000}]
    event = shop.repo.rows("SELECT payload FROM outbox WHERE kind = 'coupon_issue' AND ref = ?", (r.coupon_code,))
    assert json.loads(event[0]["payload"])["gift"] == "G002"
    assert entries(shop, r.draw_no) == [("draw", -100)]


def test_a_gift_prize_takes_stock_and_falls_to_thanks_when_gone(shop: Terminal, clock: FakeClock) -> None:
    wins = []
    for i in range(6):  # 5 cups per store; three draws a day each for two members
        m = members.enroll_member(shop, phone=f"1380013810{i}", name=f"会员{i}")
        set_balance(shop, m, 1000)
        wins.append(run(shop, members.find_member(shop, m.card_no), CUP))
    assert [w.prize_code for w in wins] == ["CUP"] * 5 + ["THANKS"]
    assert wins[5].out_of_stock and wins[5].prize_kind == "none" and not wins[5].won
    first = wins[0]
    assert first.redemption_no is not None
    row = shop.repo.redemption(first.redemption_no)
    assert row is not None and row["gift_code"] == "G005" and row["points"] == 0 and row["cash_fen"] == 0
    assert draws.stock_left(shop, *draws.draw_campaign(shop, "DRAW-2026-LUCKY", clock.now.date())) == {"CUP": 0}
    shifts.open_shift(shop, staff_code="1001")
    with pytest.raises(RuleViolation) as err:  # the draw stands: its prize is not cancelled
        points.cancel_redemption(shop, redemption_no=first.redemption_no, reason="不要了", staff_code="1001")
    assert err.value.params["reason"] in ("draw", "earlier_shift")
    b = json.loads(shop.database.execute("SELECT breakdown FROM ledger_entry WHERE kind = 'draw' ORDER BY id DESC"
                                         " LIMIT 1").fetchone()[0])
    assert (b["landed"], b["prize"], b["stock_left"]) == ("CUP", "THANKS", None)
    assert draws.verify_draws(shop) == []


def test_a_tracked_gift_out_of_the_stores_stock_falls_to_thanks(shop: Terminal, member: members.MemberRecord) -> None:
    text = DEMO.replace('version = 1', 'version = 2').replace('value = "G005"', 'value = "G004"').replace(
        'expected_payout_rate = "0.5"', 'expected_payout_rate = "0.9"')
    campaigns.load_campaign(shop, text)
    points.set_gift_stock(shop, gift_code="G004", stock=0)
    r = run(shop, member, CUP)
    assert r.prize_code == "THANKS" and r.out_of_stock
    points.set_gift_stock(shop, gift_code="G004", stock=1)
    r = run(shop, member, CUP)
    assert r.prize_code == "CUP" and shop.repo.gift_stock("G004") == 0


def test_thanks_for_playing(shop: Terminal, member: members.MemberRecord) -> None:
    r = run(shop, member, THANKS)
    assert (r.prize_code, r.prize_kind, r.points_won, r.balance_after) == ("THANKS", "none", 0, 900)
    assert r.prize_name_zh == "谢谢参与"


def test_the_daily_and_campaign_limits(shop: Terminal, member: members.MemberRecord, clock: FakeClock) -> None:
    for _ in range(3):
        run(shop, member, THANKS)
    before = counts(shop)
    with pytest.raises(RuleViolation) as err:
        run(shop, member, THANKS)
    assert err.value.field == "campaign" and err.value.params["reason"] == "daily_limit"
    assert counts(shop) == before  # nothing written
    clock.advance(days=1)
    run(shop, member, THANKS)  # a new day
    limited = DEMO.replace("version = 1", "version = 2").replace("campaign_limit = 30", "campaign_limit = 5")
    campaigns.load_campaign(shop, limited)
    run(shop, member, THANKS)
    with pytest.raises(RuleViolation) as err:
        run(shop, member, THANKS)
    assert err.value.params["reason"] == "campaign_limit" and err.value.params["count"] == 5


def test_refusals_name_the_field_and_write_nothing(shop: Terminal, member: members.MemberRecord,
                                                  clock: FakeClock) -> None:
    before = counts(shop)
    with pytest.raises(RuleViolation) as err:  # identified by a typed phone number only
        draws.run_draw(shop, member_ref=member.phone or "", campaign_id="DRAW-2026-LUCKY", randbelow=fixed(P500))
    assert err.value.field == "presence"
    with pytest.raises(NotFound) as nf:
        draws.run_draw(shop, member_ref=member.card_no, campaign_id="NOPE", randbelow=fixed(P500))
    assert nf.value.field == "campaign"
    poor = members.enroll_member(shop, phone="13800138999", name="乙")
    with pytest.raises(RuleViolation) as err:
        run(shop, poor, P500)
    assert err.value.field == "points" and err.value.params["needed"] == 100
    donation = campaigns.demo_campaign_path("donation-demo.toml").read_text(encoding="utf-8")
    campaigns.load_campaign(shop, donation)
    with pytest.raises(RuleViolation) as err:
        draws.run_draw(shop, member_ref=member.card_no, campaign_id="DONATE-2026-BOOKS", randbelow=fixed(P500))
    assert err.value.params["reason"] == "kind"
    before = counts(shop)
    clock.set("2028-01-01T10:00")
    with pytest.raises(RuleViolation) as err:
        run(shop, member, P500)
    assert err.value.field == "campaign" and err.value.params["reason"] == "ended"
    assert counts(shop) == before


def test_a_campaign_that_does_not_fit_the_program_is_refused(shop: Terminal, member: members.MemberRecord) -> None:
    text = DEMO.replace("version = 1", "version = 2").replace('value = "G002"', 'value = "G009"')
    before = counts(shop)
    with pytest.raises(CampaignError) as bad:  # loaded by hand: refused naming the prize
        campaigns.load_campaign(shop, text)
    assert bad.value.field == "draw.prizes[3].value" and counts(shop) == before
    over = DEMO.replace("version = 1", "version = 2").replace('expected_payout_rate = "0.5"',
                                                             'expected_payout_rate = "0.3"')
    with pytest.raises(CampaignError) as bad:
        campaigns.load_campaign(shop, over)
    assert bad.value.field == "draw.expected_payout_rate" and "0.3800" in bad.value.message
    # a version that reached the till anyway (the program changed since) is refused at the draw
    with shop.database.transaction():
        shop.repo.store_campaign(parse_campaign(text), at=iso(shop.clock()))
    with pytest.raises(RuleViolation) as err:
        run(shop, member, P500)
    assert err.value.field == "campaign" and err.value.params["reason"] == "program"


def test_offline_draws_are_bounded_by_the_offline_allowance(shop: Terminal, member: members.MemberRecord,
                                                            clock: FakeClock) -> None:
    set_balance(shop, member, 5000)
    for key, value in ((sync_service.K_URL, "https://hq.example"), (sync_service.K_SECRET, "s"),
                       (sync_service.K_LAST_SUCCESS, iso(clock.now))):
        shop.repo.set_setting(key, value)
    clock.advance(minutes=11)  # headquarters silent
    sales.record_sale(shop, lines=[line(1, 100000)], member_ref=member.card_no, points=1900)
    run(shop, member, THANKS)  # 1,900 + 100: the 2,000 allowed
    with pytest.raises(ApprovalRequired) as err:
        run(shop, member, THANKS)
    assert err.value.field == "offline" and err.value.params["used_today"] == 2000
    r = run(shop, member, THANKS, manager_code="9001", manager_pin="9999")
    audit = shop.repo.rows("SELECT ref FROM audit WHERE action = 'offline.override'")
    assert audit == [{"ref": r.draw_no}]


def test_a_refund_never_undoes_a_draw(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="甲")
    sale = sales.record_sale(shop, lines=[line(1, 50000)], member_ref=m.card_no)  # earns the points
    earned = members.find_member(shop, m.card_no).balance
    assert earned >= 100
    r = run(shop, members.find_member(shop, m.card_no), P50)
    clock.advance(minutes=5)
    sales.refund_sale(shop, receipt_no=sale.receipt_no)
    assert entries(shop, r.draw_no) == [("draw", -100), ("draw_win", 50)]  # the draw stands
    after = members.find_member(shop, m.card_no)
    # the refund claws back the sale's points (the draw's cost is not given back, its win not taken)
    claw = shop.repo.rows("SELECT points FROM ledger_entry WHERE kind = 'clawback'")
    assert claw == [{"points": -sale.points_earned}] and sale.points_earned == 600
    assert after.balance == earned - 100 + 50 - 600 == 0
    assert draws.verify_draws(shop) == []


def test_the_auditor_recomputes_the_outcome(shop: Terminal, member: members.MemberRecord) -> None:
    run(shop, member, P50)
    ((_, b),) = shop.repo.draw_breakdowns()
    assert draws.verify_draw_entry(shop, b) is None
    assert draws.verify_draw_entry(shop, dict(b, value=P500)) == "value 5 lands on P500, not P50"
    assert draws.verify_draw_entry(shop, dict(b, odds_digest="0" * 64)) == "odds differ"
    assert draws.verify_draw_entry(shop, dict(b, version=9)) == "campaign version not held"


def test_the_slip_prints_in_chinese_and_english(shop: Terminal, member: members.MemberRecord) -> None:
    save_settings(shop, {"printer.connection": "network", "printer.host": "192.0.2.1"})
    r = run(shop, member, P500, queue_slip=True)
    mem = MemoryPrinter()
    assert len(printing.print_pending(shop, mem.connect).printed) == 1
    slip = interpret(mem.jobs[0])
    text = "\n".join(slip.text)
    assert slip.qr_codes() == [r.draw_no]
    for words in ("积分抽奖", "幸运积分大抽奖", "-100", "500 积分", "+500", f"{P500} / 1000", "1400", r.draw_no):
        assert words in text, (words, text)
    english = "\n".join(interpret(document_bytes(receipts.build_document(shop, "draw", r.draw_no, language="en"))).text)
    for words in ("LOTTERY DRAW", "Lucky points draw", "Points spent", "500 points", "Points won", "+500", "1400"):
        assert words in english, (words, english)
    with pytest.raises(NotFound) as none:
        receipts.build_document(shop, "draw", "S001-T01-D9999999")
    assert none.value.field == "draw"


def test_a_coupon_prize_prints_its_coupon_too_and_thanks_says_so(shop: Terminal,
                                                                 member: members.MemberRecord) -> None:
    save_settings(shop, {"printer.connection": "network", "printer.host": "192.0.2.1"})
    won = run(shop, member, C1, queue_slip=True)
    lost = run(shop, member, THANKS, queue_slip=True)
    mem = MemoryPrinter()
    assert len(printing.print_pending(shop, mem.connect).printed) == 3
    draw_slip, coupon_slip, thanks_slip = ("\n".join(interpret(job).text) for job in mem.jobs)
    assert "1元现金券" in draw_slip and str(won.coupon_code) in draw_slip
    assert interpret(mem.jobs[1]).qr_codes() == [won.coupon_code] and "优惠券" in coupon_slip
    assert "谢谢参与" in thanks_slip and lost.draw_no in thanks_slip
    english = "\n".join(interpret(document_bytes(receipts.build_document(shop, "draw", lost.draw_no,
                                                                         language="en"))).text)
    assert "Better luck next time" in english


def test_verify_draws_every_draw_again(shop: Terminal, member: members.MemberRecord) -> None:
    from pos_app.services import verify

    run(shop, member, P50)
    report = verify.verify(shop, write_checkpoint=False)
    assert report["ok"] and report["checks"]["draws_recomputed"] == {"ok": True, "count": 0, "problems": []}
