"""The worked examples and rules of ../shared/design/reference-program.md, through the services."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pos_app.core.earning import SaleLine
from pos_app.core.errors import ApprovalRequired, PermissionDenied, RuleViolation
from pos_app.services import members, points, sales, staff, tiers
from pos_app.services.context import Terminal
from tests.conftest import FakeClock


def line(no: int, fen: int, category: str = "general", flags: tuple[str, ...] = ()) -> SaleLine:
    return SaleLine(no, f"SKU{no}", f"item {no}", category, 1, fen, flags=flags)


@pytest.fixture
def manager(terminal: Terminal) -> str:
    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    staff.create_staff(terminal, code="1001", name="收银员", role="cashier", pin="1234")
    return "9001"


def enroll(t: Terminal, phone: str = "13800138000", **kw: object) -> members.MemberRecord:
    return members.enroll_member(t, phone=phone, name="测试会员", **kw)  # type: ignore[arg-type]


def set_balance(t: Terminal, m: members.MemberRecord, target: int) -> None:
    now = members.find_member(t, m.card_no).balance
    if target != now:
        points.adjust_points(t, member_ref=m.card_no, points=target - now, reason="test setup",
                             manager_code="9001", manager_pin="9999")


def test_example_1_gold_member_evening_new_product(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    m = enroll(terminal)
    sales.record_sale(terminal, lines=[line(1, 1000)], member_ref=m.card_no)  # not a first purchase any more
    tiers.set_tier(terminal, member=members.find_member(terminal, m.card_no), tier="gold", reason="test")
    clock.set("2026-05-05T21:00")  # a Tuesday the 5th
    r = sales.record_sale(terminal, lines=[line(1, 10000, flags=("new",))], member_ref=m.card_no)
    assert r.points_earned == 360
    b = r.breakdown
    assert b is not None
    assert b["lines"][0]["weighted"] == "12000"
    assert [s["id"] for s in b["sale_multipliers"]] == ["tier:gold", "evening"]
    assert b["sale_multiplier"] == "3"
    assert b["bonuses"] == []


def test_example_2_first_purchase_on_member_day_tobacco_excluded(terminal: Terminal, clock: FakeClock) -> None:
    clock.set("2026-11-18T10:00")
    m = enroll(terminal)
    r = sales.record_sale(terminal, lines=[line(1, 5850, "food"), line(2, 3000, "tobacco")], member_ref=m.card_no)
    assert r.points_earned == 275
    assert r.breakdown is not None
    assert r.breakdown["purchase_points"] == 175
    assert r.breakdown["bonuses"] == [{"id": "first_purchase", "points": 100}]
    assert r.breakdown["lines"][1]["excluded"] is True


def test_example_3_silver_member_pays_5000_points(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    m = enroll(terminal)
    sales.record_sale(terminal, lines=[line(1, 100)], member_ref=m.card_no)
    tiers.set_tier(terminal, member=members.find_member(terminal, m.card_no), tier="silver", reason="test")
    set_balance(terminal, m, 8000)
    clock.set("2026-11-12T14:00")
    r = sales.record_sale(terminal, lines=[line(1, 20000)], member_ref=m.card_no, points=5000)
    assert r.points_paid == 5000
    assert r.points_value_fen == 5000
    assert r.tender_fen == 15000
    assert r.points_earned == 180
    assert r.member is not None and r.member.balance == 3180


def test_points_paid_come_off_eligible_lines_pro_rata(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    clock.set("2026-11-10T10:00")
    m = enroll(terminal)
    sales.record_sale(terminal, lines=[line(1, 100)], member_ref=m.card_no)
    set_balance(terminal, m, 5000)
    # eligible 60 + 40 yuan, tobacco 100 yuan; 2000 points (20 yuan) come off 12 + 8 yuan
    r = sales.record_sale(terminal, lines=[line(1, 6000), line(2, 4000), line(3, 10000, "tobacco")],
                          member_ref=m.card_no, points=2000)
    assert r.breakdown is not None
    assert [ln["deduction_fen"] for ln in r.breakdown["lines"]] == [1200, 800, 0]
    assert [ln["eligible_fen"] for ln in r.breakdown["lines"]] == [4800, 3200, 0]
    assert r.points_earned == 80
    assert r.member is not None and r.member.balance == 5000 - 2000 + 80


def test_max_share_is_50_percent(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    m = enroll(terminal)
    set_balance(terminal, m, 20000)
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no, points=5100)
    assert err.value.field == "points" and err.value.params["max_share_percent"] == 50
    r = sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no, points=5000)
    assert r.tender_fen == 5000
    assert sales.quote_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no).max_points == 5000


def test_points_payment_minimum_and_step(terminal: Terminal, manager: str) -> None:
    m = enroll(terminal)
    set_balance(terminal, m, 5000)
    with pytest.raises(RuleViolation):
        sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no, points=50)
    with pytest.raises(Exception) as err:
        sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no, points=150)
    assert getattr(err.value, "field", None) == "points"


def test_monthly_redemption_cap_counts_every_kind(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    clock.set("2026-11-02T10:00")
    m = enroll(terminal)
    set_balance(terminal, m, 40000)
    sales.record_sale(terminal, lines=[line(1, 2_000_000)], member_ref=m.card_no, points=10000)
    points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G003", manager_code="9001", manager_pin="9999")
    points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G005")  # 2000 -> 17000 this month
    points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G002")  # 1000 -> 18000
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 2_000_000)], member_ref=m.card_no, points=3000)
    assert "monthly" in err.value.message and err.value.params["cap"] == 20000
    sales.record_sale(terminal, lines=[line(1, 2_000_000)], member_ref=m.card_no, points=2000)  # exactly 20000
    with pytest.raises(RuleViolation):
        points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G001")
    clock.set("2026-12-01T09:00")  # a new month
    points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G001")


def test_gift_of_5000_points_needs_manager_approval(terminal: Terminal, manager: str) -> None:
    m = enroll(terminal)
    set_balance(terminal, m, 12000)
    with pytest.raises(ApprovalRequired):
        points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G003", staff_code="1001")
    with pytest.raises(PermissionDenied):
        points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G003", manager_code="1001", manager_pin="1234")
    with pytest.raises(PermissionDenied):
        points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G003", manager_code="9001", manager_pin="0000")
    assert members.find_member(terminal, m.card_no).balance == 12000
    g = points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G003", staff_code="1001",
                           manager_code="9001", manager_pin="9999")
    assert g.approved_by == "9001" and g.member.balance == 7000
    # under the threshold no approval is asked
    g2 = points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G005", staff_code="1001")
    assert g2.approved_by is None and g2.cash_fen == 1990 and g2.member.balance == 5000


def test_gift_stock_and_once_a_month_limit(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    m = enroll(terminal)
    set_balance(terminal, m, 30000)
    with pytest.raises(RuleViolation) as err:
        points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    assert "out of stock" in err.value.message
    points.set_gift_stock(terminal, gift_code="G004", stock=2)
    points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    assert terminal.repo.gift_stock("G004") == 1
    with pytest.raises(RuleViolation) as err:
        points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    assert "per member per month" in err.value.message


def test_coupon_gift_is_single_use_with_minimum_spend(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    m = enroll(terminal)
    set_balance(terminal, m, 5000)
    g = points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G002")
    assert g.coupon_code and g.coupon_valid_until == clock.now.date() + dt.timedelta(days=30)
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 4000)], member_ref=m.card_no, coupon=g.coupon_code)
    assert "minimum spend" in err.value.message
    r = sales.record_sale(terminal, lines=[line(1, 6000)], member_ref=m.card_no, coupon=g.coupon_code)
    assert r.coupon_fen == 1000 and r.tender_fen == 5000
    assert r.breakdown is not None and r.breakdown["purchase_points"] == 50  # coupon never earns
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 6000)], member_ref=m.card_no, coupon=g.coupon_code)
    assert "used already" in err.value.message


def test_a_refund_of_the_whole_sale_gives_the_coupon_back(terminal: Terminal, clock: FakeClock, manager: str) -> None:
    """Partial refunds keep the coupon used (the rest of the sale had its discount); the refund
    that takes the sale's last lines gives it back, usable again within its own dates."""
    m = enroll(terminal)
    set_balance(terminal, m, 5000)
    g = points.redeem_gift(terminal, member_ref=m.card_no, gift_code="G002")
    code = g.coupon_code
    assert code
    r = sales.record_sale(terminal, lines=[line(1, 4000), line(2, 3000)], member_ref=m.card_no, coupon=code)
    assert r.coupon_fen == 1000
    assert sales.quote_refund(terminal, receipt_no=r.receipt_no, line_nos=[1])["coupon_returned"] is None
    first = sales.refund_sale(terminal, receipt_no=r.receipt_no, line_nos=[1])
    assert first.coupon_returned is None and not first.complete
    assert terminal.repo.coupon(code)["used_receipt_no"] == r.receipt_no  # type: ignore[index]
    assert sales.quote_refund(terminal, receipt_no=r.receipt_no, line_nos=[2])["coupon_returned"] == code
    last = sales.refund_sale(terminal, receipt_no=r.receipt_no, line_nos=[2])
    assert last.complete and last.coupon_returned == code and last.to_dict()["coupon_returned"] == code
    c = terminal.repo.coupon(code)
    assert c is not None and c["used_at"] is None and c["used_receipt_no"] is None
    row = terminal.repo.row("SELECT coupon_returned FROM refund WHERE refund_no = ?", (last.refund_no,))
    assert row == {"coupon_returned": code}
    event = terminal.repo.row("SELECT ref, payload FROM outbox WHERE kind = 'coupon_return'")
    assert event is not None and event["ref"] == code
    assert json.loads(event["payload"]) == {"receipt_no": r.receipt_no, "refund_no": last.refund_no,
                                            "at": clock.now.isoformat(timespec="seconds")}
    again = sales.record_sale(terminal, lines=[line(1, 6000)], member_ref=m.card_no, coupon=code)
    assert again.coupon_fen == 1000  # the member uses it again
    # a sale refunded whole in one go gives it back too; a coupon past its date stays refused
    sales.refund_sale(terminal, receipt_no=again.receipt_no)
    clock.advance(days=31)
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 6000)], member_ref=m.card_no, coupon=code)
    assert err.value.params["reason"] == "expired"


def test_daily_earning_cap_flags_the_sale(terminal: Terminal, clock: FakeClock) -> None:
    clock.set("2026-11-10T10:00")
    m = enroll(terminal)
    big = [line(1, 6_000_000)]  # 60,000 yuan -> 60,000 points, capped at 50,000 per sale
    r1 = sales.record_sale(terminal, lines=big, member_ref=m.card_no)
    assert r1.breakdown is not None and r1.breakdown["purchase_points_uncapped"] == 60000
    assert r1.points_earned == 50100 and "sale_cap" in r1.flags  # + first purchase
    # the sign-up award (50) counts towards the day too: 100,000 - 50 - 50,100 = 49,850 left
    r2 = sales.record_sale(terminal, lines=big, member_ref=m.card_no)
    assert r2.points_earned == 49850 and "daily_cap" in r2.flags
    assert r2.breakdown is not None and r2.breakdown["daily_cap_cut"] == 150
    r3 = sales.record_sale(terminal, lines=big, member_ref=m.card_no)
    assert r3.points_earned == 0 and "daily_cap" in r3.flags
    clock.set("2026-11-11T10:00")
    assert sales.record_sale(terminal, lines=big, member_ref=m.card_no).points_earned == 50000


def test_birthday_bonus_once_a_year(terminal: Terminal, clock: FakeClock) -> None:
    clock.set("2026-07-08T10:00")
    m = enroll(terminal, birthday="1992-07-08")
    r = sales.record_sale(terminal, lines=[line(1, 1000)], member_ref=m.card_no)
    assert r.points_earned == 10 + 100 + 200
    r = sales.record_sale(terminal, lines=[line(1, 1000)], member_ref=m.card_no)
    assert r.points_earned == 10
    clock.set("2027-07-08T10:00")
    assert sales.record_sale(terminal, lines=[line(1, 1000)], member_ref=m.card_no).points_earned == 210


def test_signup_and_referral_awards(terminal: Terminal) -> None:
    referrer = enroll(terminal, "13800138000")
    assert referrer.balance == 50  # sign-up
    new = enroll(terminal, "13900139000", referrer="13800138000")
    sales.record_sale(terminal, lines=[line(1, 1000)], member_ref=new.card_no)
    assert members.find_member(terminal, referrer.card_no).balance == 250
    sales.record_sale(terminal, lines=[line(1, 1000)], member_ref=new.card_no)
    assert members.find_member(terminal, referrer.card_no).balance == 250  # only for the first purchase


def test_share_award_at_most_three_a_day(terminal: Terminal) -> None:
    m = enroll(terminal)
    for _ in range(3):
        members.award_behaviour(terminal, member_ref=m.card_no, award_id="share")
    with pytest.raises(RuleViolation):
        members.award_behaviour(terminal, member_ref=m.card_no, award_id="share")
    assert members.find_member(terminal, m.card_no).balance == 50 + 60
    with pytest.raises(RuleViolation):  # granted by itself when the profile becomes complete, never by hand
        members.award_behaviour(terminal, member_ref=m.card_no, award_id="profile_completed")
    assert members.find_member(terminal, m.card_no).balance == 50 + 60


def test_same_sale_uuid_is_never_counted_twice(terminal: Terminal) -> None:
    m = enroll(terminal)
    key = "7f1c1f7e-3a1b-4a53-9d52-2b1a4f0b8c11"
    a = sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no, sale_uuid=key)
    b = sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=m.card_no, sale_uuid=key)
    assert b.replayed and b.receipt_no == a.receipt_no
    assert members.find_member(terminal, m.card_no).balance == 50 + 100 + 100
    assert terminal.database.execute("SELECT count(*) FROM sale").fetchone()[0] == 1


def test_frozen_member_cannot_earn_or_redeem(terminal: Terminal) -> None:
    m = enroll(terminal)
    members.set_status(terminal, member_ref=m.card_no, status="frozen", reason="lost card")
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 1000)], member_ref=m.card_no)
    assert err.value.field == "member"
