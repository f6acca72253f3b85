"""Refunds, expiry, tiers and segments of the reference program, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from pos_app.core.errors import InvalidInput, RuleViolation
from pos_app.services import context, expiry, members, sales, staff, tiers, verify
from pos_app.services.context import Terminal
from tests.conftest import FakeClock
from tests.services.test_reference_examples import enroll, line, set_balance


@pytest.fixture
def manager(terminal: Terminal) -> str:
    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    return "9001"


def lots(t: Terminal, member_id: int) -> list[tuple[str, str | None, int, int]]:
    return [tuple(r) for r in t.database.execute(
        "SELECT earned_on, expires_on, points, remaining FROM lot WHERE member_id = ? ORDER BY id", (member_id,))]


def balance(t: Terminal, card: str) -> int:
    return members.find_member(t, card).balance


def test_partial_then_full_refund_after_some_points_were_spent(terminal: Terminal, clock: FakeClock,
                                                                manager: str) -> None:
    clock.set("2026-11-10T10:00")
    m = enroll(terminal)
    sales.record_sale(terminal, lines=[line(1, 100)], member_ref=m.card_no)
    set_balance(terminal, m, 2000)
    # 300 yuan in three lines, one new; pays 1000 points
    sale = sales.record_sale(terminal, lines=[line(1, 10000, flags=("new",)), line(2, 10000), line(3, 10000)],
                             member_ref=m.card_no, points=1000)
    # eligible 29000 after 10 yuan off pro rata: 9667*1.2 + 9667 + 9666 = 30933.4 -> 309
    assert sale.points_earned == 309
    assert balance(terminal, m.card_no) == 2000 - 1000 + 309
    sales.record_sale(terminal, lines=[line(1, 20000)], member_ref=m.card_no, points=1000)  # spend some
    spent = balance(terminal, m.card_no)
    quote = sales.quote_refund(terminal, receipt_no=sale.receipt_no, line_nos=[1])
    r1 = sales.refund_sale(terminal, receipt_no=sale.receipt_no, line_nos=[1])
    assert (quote["clawback"], quote["returned_points"]) == (r1.clawback, r1.returned_points)
    # line 1 weighs 9667*1.2 = 11600.4 of 30933.4 -> floor(309 * 11600.4 / 30933.4) = 115
    assert r1.clawback_purchase == 115 and r1.clawback_bonus == 0
    assert r1.returned_points == 333  # floor(1000 * 10000 / 30000)
    assert r1.refund_fen == 10000 - 333  # floor(1000 fen * 1/3) of the points value stays with the points
    r2 = sales.refund_sale(terminal, receipt_no=sale.receipt_no)
    assert r2.complete and r2.lines == [2, 3]
    assert r1.clawback + r2.clawback == 309
    assert r1.returned_points + r2.returned_points == 1000
    assert r1.refund_fen + r2.refund_fen == 30000 - 1000
    assert balance(terminal, m.card_no) == spent - 309 + 1000
    with pytest.raises(RuleViolation):
        sales.refund_sale(terminal, receipt_no=sale.receipt_no)
    assert verify.verify(terminal)["ok"]


def test_full_refund_claws_back_bonuses_and_restores_lots(terminal: Terminal, clock: FakeClock) -> None:
    clock.set("2026-11-18T10:00")
    m = enroll(terminal)
    before = lots(terminal, m.id)
    sale = sales.record_sale(terminal, lines=[line(1, 5850, "food"), line(2, 3000, "tobacco")], member_ref=m.card_no)
    assert sale.points_earned == 275
    r = sales.refund_sale(terminal, receipt_no=sale.receipt_no)
    assert (r.clawback_purchase, r.clawback_bonus, r.shortfall) == (175, 100, 0)
    assert balance(terminal, m.card_no) == 50
    after = lots(terminal, m.id)
    assert after[: len(before)] == before
    assert all(remaining == 0 for _, _, _, remaining in after[len(before):])
    assert verify.verify(terminal)["ok"]


def test_clawback_beyond_balance_goes_negative_and_is_paid_off_by_later_earnings(
        terminal: Terminal, clock: FakeClock, manager: str) -> None:
    m = enroll(terminal)
    sale = sales.record_sale(terminal, lines=[line(1, 100000)], member_ref=m.card_no)  # 1000 + 100 first purchase
    assert balance(terminal, m.card_no) == 1150
    set_balance(terminal, m, 150)  # the customer spent most of it (adjust stands in for a gift)
    r = sales.refund_sale(terminal, receipt_no=sale.receipt_no)
    assert r.clawback == 1100 and r.shortfall == 950
    after = members.find_member(terminal, m.card_no)
    assert after.balance == -950 and after.debt == 950
    shown = members.member_picture(terminal, after).to_dict()
    assert shown["balance"] == -950 and shown["debt"] == 950
    sales.record_sale(terminal, lines=[line(1, 50000)], member_ref=m.card_no)  # earns 500
    after = members.find_member(terminal, m.card_no)
    assert (after.balance, after.debt) == (-450, 450)
    assert all(remaining == 0 for _, _, _, remaining in lots(terminal, m.id))
    assert verify.verify(terminal)["ok"]


def test_paid_points_return_into_their_lots_and_expired_ones_are_written_off(
        terminal: Terminal, clock: FakeClock, manager: str) -> None:
    clock.set("2024-11-01T10:00")
    m = enroll(terminal)  # 50 sign-up points expire 2026-11-01
    set_balance(terminal, m, 1000)  # +950 in the same lot day
    clock.set("2026-10-20T10:00")
    sale = sales.record_sale(terminal, lines=[line(1, 100000)], member_ref=m.card_no, points=1000)
    clock.set("2026-11-05T10:00")  # the lots the points came from have expired meanwhile
    r = sales.refund_sale(terminal, receipt_no=sale.receipt_no)
    assert r.returned_points == 1000 and r.written_off == 1000
    assert balance(terminal, m.card_no) == 0
    kinds = [k for (k,) in terminal.database.execute(
        "SELECT kind FROM ledger_entry WHERE ref_no = ? ORDER BY seq", (sale.receipt_no,))]
    assert kinds == ["redeem", "earn", "clawback", "return", "expire"]
    assert verify.verify(terminal)["ok"]


def test_rolling_expiry_run_and_notices(terminal: Terminal, clock: FakeClock) -> None:
    clock.set("2024-11-20T10:00")
    m = enroll(terminal)
    sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no)  # 100 + 100 first purchase
    clock.set("2025-03-01T10:00")
    sales.record_sale(terminal, lines=[line(1, 5000)], member_ref=m.card_no)  # 50, expires 2027-03-01
    assert balance(terminal, m.card_no) == 300
    pic = members.member_picture(terminal, members.find_member(terminal, m.card_no), dt.date(2026, 11, 1))
    assert pic.expiring == [(30, 250), (7, 0), (1, 0)]
    pic = members.member_picture(terminal, members.find_member(terminal, m.card_no), dt.date(2026, 11, 20))
    assert pic.expiring == [(30, 250), (7, 250), (1, 250)]  # last valid day
    dry = expiry.run_expiry(terminal, as_of=dt.date(2026, 11, 21), dry_run=True)  # may look ahead
    clock.set("2026-11-21T01:00")
    assert (dry.members, dry.lots, dry.points) == (1, 2, 250)
    assert balance(terminal, m.card_no) == 300
    nothing = expiry.run_expiry(terminal, as_of=dt.date(2026, 11, 20))
    assert nothing.points == 0
    done = expiry.run_expiry(terminal, as_of=dt.date(2026, 11, 21))
    assert (done.lots, done.points) == (2, 250)
    assert balance(terminal, m.card_no) == 50
    again = expiry.run_expiry(terminal, as_of=dt.date(2026, 11, 21))
    assert again.points == 0
    assert verify.verify(terminal)["ok"]


def test_redemption_consumes_soonest_expiring_lot_first(terminal: Terminal, clock: FakeClock) -> None:
    clock.set("2025-01-10T10:00")
    m = enroll(terminal)  # lot A: 50 (expires 2027-01-10)
    sales.record_sale(terminal, lines=[line(1, 20000)], member_ref=m.card_no)  # lot B: 300, same day
    clock.set("2026-06-01T10:00")
    sales.record_sale(terminal, lines=[line(1, 30000)], member_ref=m.card_no)  # lot C: 300
    sales.record_sale(terminal, lines=[line(1, 100000)], member_ref=m.card_no, points=400)
    remaining = [r for _, _, _, r in lots(terminal, m.id)]
    assert remaining[:3] == [0, 0, 250]


def fixed_program() -> str:
    src = context.reference_program_source()
    src = src.replace('mode = "rolling"', 'mode = "fixed_clear_down"\nyears_after = 1')
    src = src.replace("months = 24\n", "")
    return src.replace('version = 1\n', 'version = 2\n', 1)


def test_fixed_clear_down_program(terminal: Terminal, clock: FakeClock) -> None:
    context.load_program(terminal, fixed_program())
    assert terminal.program.expiry.mode == "fixed_clear_down"
    clock.set("2026-03-10T10:00")
    m = enroll(terminal)
    sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no)
    assert {e for _, e, _, _ in lots(terminal, m.id)} == {"2027-12-31"}
    clock.set("2027-02-01T10:00")
    sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no)
    assert lots(terminal, m.id)[-1][1] == "2028-12-31"
    clock.set("2028-01-01T01:00")
    assert expiry.run_expiry(terminal, as_of=dt.date(2027, 12, 31)).points == 0
    assert expiry.run_expiry(terminal, as_of=dt.date(2028, 1, 1)).points == 250
    assert balance(terminal, m.card_no) == 100


def test_tier_upgrade_is_immediate_and_counts_from_the_next_sale(terminal: Terminal, clock: FakeClock) -> None:
    clock.set("2026-11-10T10:00")
    m = enroll(terminal)
    r = sales.record_sale(terminal, lines=[line(1, 500000)], member_ref=m.card_no)  # 5000 purchase points
    assert (r.tier_before, r.tier_after) == ("normal", "silver")
    assert r.breakdown is not None and r.breakdown["sale_multiplier"] == "1"
    r = sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no)
    assert r.points_earned == 120
    history = terminal.repo.rows("SELECT from_tier, to_tier, reason FROM tier_change WHERE member_id = ?", (m.id,))
    assert history == [{"from_tier": "normal", "to_tier": "silver", "reason": "upgrade"}]


def test_bonuses_and_redemptions_do_not_qualify_for_tiers(terminal: Terminal, clock: FakeClock,
                                                          manager: str) -> None:
    m = enroll(terminal)
    set_balance(terminal, m, 9000)
    assert members.find_member(terminal, m.card_no).tier == "normal"
    r = sales.record_sale(terminal, lines=[line(1, 400000)], member_ref=m.card_no, points=2000)
    pic = members.member_picture(terminal, members.find_member(terminal, m.card_no))
    # 4000 yuan less 20 yuan paid with points -> 3980 purchase points; the sign-up award, the
    # adjustment and the first-purchase bonus (100) are spendable but do not qualify
    assert r.points_earned == 3980 + 100
    assert pic.qualifying_points == 3980
    assert r.tier_after == "normal"


def test_yearly_review_keeps_reached_tier_and_drops_at_most_one(terminal: Terminal, clock: FakeClock) -> None:
    clock.set("2025-12-20T10:00")  # members for the whole of the 2027-01-01 review's period (2026)
    a = enroll(terminal, "13800138001")
    b = enroll(terminal, "13800138002")
    c = enroll(terminal, "13800138003")
    tiers.set_tier(terminal, member=a, tier="diamond", reason="test")
    tiers.set_tier(terminal, member=b, tier="gold", reason="test")
    clock.set("2026-03-01T10:00")
    sales.record_sale(terminal, lines=[line(1, 2_100_000)], member_ref=c.card_no)  # 21000 -> gold at once
    assert members.find_member(terminal, c.card_no).tier == "gold"
    sales.record_sale(terminal, lines=[line(1, 600_000)], member_ref=b.card_no)  # 6000 x 1.5 = 9000 qualifying
    clock.set("2027-01-01T06:00")
    report = tiers.run_tier_review(terminal, as_of=dt.date(2027, 1, 1))
    assert report.review_date == dt.date(2027, 1, 1) and report.members == 3
    assert members.find_member(terminal, a.card_no).tier == "gold"  # diamond with 0 -> one level down
    assert members.find_member(terminal, b.card_no).tier == "silver"  # 9000 reaches silver
    assert members.find_member(terminal, c.card_no).tier == "gold"  # 21000 keeps gold
    assert tiers.run_tier_review(terminal, as_of=dt.date(2027, 1, 1)).members == 0  # once per year


def test_the_review_leaves_alone_members_who_joined_after_its_period_began(terminal: Terminal,
                                                                          clock: FakeClock) -> None:
    """Issue 12: run in December for the review dated 2026-01-01, it downgraded members enrolled
    that December. A member is reviewed only over a period they were a member for."""
    clock.set("2026-12-04T10:00")
    gold = enroll(terminal, "13800138004")
    silver = enroll(terminal, "13800138005")
    tiers.set_tier(terminal, member=gold, tier="gold", reason="migrated")
    tiers.set_tier(terminal, member=silver, tier="silver", reason="migrated")
    report = tiers.run_tier_review(terminal, as_of=dt.date(2026, 12, 4))
    assert report.review_date == dt.date(2026, 1, 1)
    assert (report.members, report.changes, report.exempt) == (0, [], 2)
    assert members.find_member(terminal, gold.card_no).tier == "gold"
    assert members.find_member(terminal, silver.card_no).tier == "silver"
    # joined during 2026: not reviewed on 2027-01-01 either; the 2028 review is their first
    clock.set("2027-01-01T06:00")
    assert tiers.run_tier_review(terminal, as_of=dt.date(2027, 1, 1)).members == 0
    assert members.find_member(terminal, gold.card_no).tier == "gold"
    clock.set("2028-01-01T06:00")
    last = tiers.run_tier_review(terminal, as_of=dt.date(2028, 1, 1))
    assert (last.members, last.exempt) == (2, 0)
    assert members.find_member(terminal, gold.card_no).tier == "silver"
    assert members.find_member(terminal, silver.card_no).tier == "normal"


def test_segments(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    clock.set("2026-01-05T10:00")
    m = enroll(terminal)
    assert members.member_picture(terminal, members.find_member(terminal, m.card_no)).segment == "new"
    set_balance(terminal, m, 12000)
    clock.set("2026-06-01T10:00")
    assert members.member_picture(terminal, members.find_member(terminal, m.card_no)).segment == "dormant"
    sales.record_sale(terminal, lines=[line(1, 100)], member_ref=m.card_no)
    assert members.member_picture(terminal, members.find_member(terminal, m.card_no)).segment == "potential"


def test_a_member_enrolled_today_without_purchases_is_not_dormant(terminal: Terminal, clock: FakeClock,
                                                                   manager: str) -> None:
    from pos_app.services import reports

    clock.set("2026-12-04T10:00")
    fresh = enroll(terminal, "13800138010")
    rich = enroll(terminal, "13800138011")
    set_balance(terminal, rich, 12000)  # e.g. points brought over from an old scheme
    picture = members.member_picture
    assert picture(terminal, members.find_member(terminal, fresh.card_no)).segment == "new"
    assert picture(terminal, members.find_member(terminal, rich.card_no)).segment == "potential"
    counts = reports.segment_counts(terminal, today=dt.date(2026, 12, 4))
    assert counts["dormant"] == 0 and counts["new"] == 1 and counts["potential"] == 1
    later = dt.date(2027, 3, 10)  # 96 days without a purchase since enrolling
    assert picture(terminal, members.find_member(terminal, rich.card_no), later).segment == "dormant"
    assert reports.segment_counts(terminal, today=later)["dormant"] == 1


def test_refund_of_unknown_receipt_or_line(terminal: Terminal) -> None:
    m = enroll(terminal)
    sale = sales.record_sale(terminal, lines=[line(1, 1000)], member_ref=m.card_no)
    with pytest.raises(InvalidInput) as err:
        sales.refund_sale(terminal, receipt_no=sale.receipt_no, line_nos=[7])
    assert err.value.field == "lines"
