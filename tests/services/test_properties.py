"""Property-based tests: random sequences of operations on a real terminal database.

Every example builds its own database (on /dev/shm when there is one) with the reference
program and one manager, then runs random enrolments, sales (earning, paying with points,
using gift coupons), refunds of whole sales or some lines, gift redemptions, manager
adjustments, clock jumps of hours to months and expiry runs. After every step:

- ``verify`` is ok;
- each member's balance == the sum of their ledger entries == their lots' remaining - debt;
- a redemption took its points soonest-expiring lot first (ties: oldest lot);
- an operation the rules refuse (a ``PosError``) changed nothing at all;
- the monthly redemption cap and the "points pay at most half" rule hold.

A second, focused property checks that a sale refunded in full right away puts the
member's balance and every lot back exactly as they were before the sale.

The ``test_bug_*`` tests at the end pin bugs found in ``pos_app`` (see their docstrings);
they fail until the bug is fixed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from pos_app.core.earning import SaleLine
from pos_app.core.errors import PosError
from pos_app.services import context, expiry, members, points, sales, staff, verify
from pos_app.services import settings as terminal_settings
from tests.conftest import FakeClock

T = TypeVar("T")

SHM = "/dev/shm" if Path("/dev/shm").is_dir() else None
START = dt.datetime(2026, 11, 3, 10, 0)
MANAGER, PIN = "9001", "9999"
MONTHLY_CAP = 20_000
# redemptions by the month they count in: a return belongs to the month of the payment it reverses
ATTRIBUTED_REDEMPTIONS = (
    "FROM (SELECT e.member_id, e.points, substr(CASE WHEN e.kind = 'return' THEN"
    " (SELECT d.business_date FROM ledger_entry d WHERE d.kind = 'redeem' AND d.ref_no = e.ref_no"
    "  AND d.member_id = e.member_id) ELSE e.business_date END, 1, 7) month"
    " FROM ledger_entry e WHERE e.kind IN ('redeem', 'gift', 'return')) e"
)
GIFT_POINTS = {"G001": 100, "G002": 1000, "G005": 2000}
MAX_MEMBERS = 4

SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                              HealthCheck.data_too_large],
}

# ---------------------------------------------------------------------------- strategies

LINE = st.tuples(
    st.integers(1, 60_000),  # unit price in fen
    st.integers(1, 3),  # quantity
    st.sampled_from([0, 0, 0, 5, 33, 100]),  # line discount in percent of the line
    st.sampled_from(["general", "general", "food", "tobacco", "gift_card"]),
    st.booleans(),  # flagged new
)
LINES = st.lists(LINE, min_size=1, max_size=4)
#: how a sale pays with points: none, the minimum, the maximum the quote allows, something
#: in between, or an amount the rules must refuse (one step above the maximum, not a step of 100)
PAY = st.sampled_from(["none", "none", "min", "max", "some", "some", "too_much", "bad_step"])
PAYING = st.sampled_from(["min", "max", "some", "some"])
#: clock jumps: hours (evening, next day), days to weeks (member day, next month), months (expiry)
HOURS = st.one_of(
    st.integers(1, 48),
    st.integers(2, 60).map(lambda d: d * 24),
    st.integers(365, 800).map(lambda d: d * 24),
)
ADJUST = st.one_of(st.integers(-30_000, 30_000), st.sampled_from([0, 100, -100, 20_000, 25_000, 45_000]))


def make_lines(spec: list[tuple[int, int, int, str, bool]]) -> list[SaleLine]:
    out = []
    for i, (price, qty, pct, category, new) in enumerate(spec, start=1):
        out.append(SaleLine(i, f"SKU{i:03d}", f"商品{i}", category, qty, price,
                            discount_fen=price * qty * pct // 100, flags=("new",) if new else ()))
    return out


# ---------------------------------------------------------------------------- the world


def fingerprint(t: context.Terminal) -> tuple[Any, ...]:
    """Everything an operation could change; a refused operation must leave it equal."""
    q = t.database.execute
    return (
        q("SELECT id, balance, debt, tier, status, first_purchase_at, last_purchase_at FROM member"
          " ORDER BY id").fetchall(),
        q("SELECT id, remaining FROM lot ORDER BY id").fetchall(),
        q("SELECT code, used_at FROM coupon ORDER BY code").fetchall(),
        q("SELECT name, value FROM counter ORDER BY name").fetchall(),
        q("SELECT gift_code, stock FROM gift_stock ORDER BY gift_code").fetchall(),
        q("SELECT sale_id, line_no, refund_id FROM sale_line ORDER BY id").fetchall(),
        # the row count of every table (print queue, shifts ... included)
        tuple((table, q(f"SELECT count(*) FROM {table}").fetchone()[0]) for (table,) in q(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name"
        ).fetchall()),
    )


def log(text: str, *, kind: str | None = None) -> None:
    """A note for the failing example, and (with ``kind``) a statistic for
    ``pytest --hypothesis-show-statistics``; quiet outside a hypothesis test."""
    if currently_in_test_context():
        note(text)
        if kind:
            event(kind)


def sort_key(expires_on: str | None, earned_on: str, lot_id: int) -> tuple[str, str, int]:
    return (expires_on or "9999-12-31", earned_on, lot_id)


class World:
    """One terminal database with the reference program and a manager, and the operations
    of the tests, each with the checks that belong to that operation."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pos-props-", dir=SHM))
        self.clock = FakeClock(START)
        self.t = context.init_terminal(self.dir / "terminal.db", store_id="S001", terminal_id="T01",
                                       clock=self.clock)
        context.load_program(self.t, context.reference_program_source())
        staff.create_staff(self.t, code=MANAGER, name="店长", role="manager", pin=PIN)
        # line discounts up to the whole line without a manager: these tests are about points
        # (the approval of discounts above the limit: tests/services/test_counter.py)
        terminal_settings.save_settings(self.t, {"discount.limit_percent": 100, "discount.limit_fen": 100_000_000})
        self.enrolled = 0
        self.sale_lines: dict[str, list[int]] = {}
        self.checked_up_to = 0  # ledger entries whose lot debits were checked already

    def close(self) -> None:
        self.t.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def today(self) -> dt.date:
        return self.clock.now.date()

    # -- reading ------------------------------------------------------------------------------
    def member(self, card: str) -> members.MemberRecord:
        return members.find_member(self.t, card)

    def lots(self, member_id: int) -> dict[int, tuple[str, str | None, int]]:
        rows = self.t.database.execute(
            "SELECT id, earned_on, expires_on, remaining FROM lot WHERE member_id = ?", (member_id,)).fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def redeemed_this_month(self, member_id: int) -> int:
        """Independent of the repo: redeem and gift entries less returns, this calendar month; a
        return counts in the month of the payment it reverses (the program's rule)."""
        month = self.today.isoformat()[:7]
        row = self.t.database.execute(
            f"SELECT coalesce(-sum(e.points), 0) {ATTRIBUTED_REDEMPTIONS} WHERE e.member_id = ? AND month = ?",
            (member_id, month)).fetchone()
        return max(0, int(row[0]))

    def spendable(self, member: members.MemberRecord) -> int:
        """The balance less points past their last valid day that are still in lots."""
        today = self.today.isoformat()
        return member.balance - sum(rem for _, exp, rem in self.lots(member.id).values()
                                    if rem > 0 and exp is not None and exp < today)

    def mark(self) -> int:
        return int(self.t.database.execute("SELECT coalesce(max(id), 0) FROM ledger_entry").fetchone()[0])

    def lapsed_since(self, mark: int, member_id: int, ref_type: str = "expiry") -> int:
        """Points written off by expiry entries written since ``mark`` (an operation may write off a
        member's expired lots before it spends; today's code leaves that to the expiry run)."""
        row = self.t.database.execute(
            "SELECT coalesce(sum(points), 0) FROM ledger_entry WHERE id > ? AND member_id = ? AND kind = 'expire'"
            " AND ref_type = ?", (mark, member_id, ref_type)).fetchone()
        return int(row[0])

    def has_unexpired_run_lots(self, member_id: int) -> bool:
        """Lots past their last valid day that the expiry run has not written off yet."""
        today = self.today.isoformat()
        return any(rem > 0 and exp is not None and exp < today for _, exp, rem in self.lots(member_id).values())

    # -- refusals ----------------------------------------------------------------------------
    def attempt(self, action: Callable[[], T]) -> T | None:
        """Run ``action``; a refusal by the rules (PosError) must leave the database unchanged."""
        before = fingerprint(self.t)
        try:
            return action()
        except PosError as exc:
            log(f"refused: {exc.code} {exc}", kind=f"refused: {exc.code}")
            assert fingerprint(self.t) == before, f"the refused operation ({exc}) changed the database"
            return None

    def refused(self, action: Callable[[], object], why: str) -> None:
        """``action`` breaks a rule: it must raise a PosError and change nothing."""
        before = fingerprint(self.t)
        with pytest.raises(PosError):
            action()
            pytest.fail(f"not refused: {why}")
        assert fingerprint(self.t) == before, f"the refused operation ({why}) changed the database"

    # -- operations --------------------------------------------------------------------------
    def enroll(self, birthday_offset: int | None) -> str:
        self.enrolled += 1
        n = self.enrolled
        birthday = None
        if birthday_offset is not None:
            day = self.today + dt.timedelta(days=birthday_offset)
            birthday = dt.date(1990, day.month, min(day.day, 28)).isoformat()
        m = self.attempt(lambda: members.enroll_member(self.t, phone=f"139{n:08d}", name=f"会员{n}",
                                                       birthday=birthday))
        assert m is not None, "enrolment with a fresh phone number was refused"
        # the sign-up award; a birthday completes the profile (完善资料 +50) at registration
        assert m.balance == (100 if birthday else 50), "the sign-up award is 50 points, the completed profile 50"
        return m.card_no

    def free_coupon(self, member_id: int) -> str | None:
        row = self.t.database.execute(
            "SELECT code FROM coupon WHERE member_id = ? AND used_at IS NULL ORDER BY id LIMIT 1",
            (member_id,)).fetchone()
        return row[0] if row else None

    def sale(self, card: str | None, spec: list[tuple[int, int, int, str, bool]], pay: str, k: int,
             use_coupon: bool = False) -> str | None:
        t = self.t
        lines = make_lines(spec)
        member = self.member(card) if card else None
        coupon = self.free_coupon(member.id) if member is not None and use_coupon else None
        q = self.attempt(lambda: sales.quote_sale(t, lines=lines, member_ref=card, coupon=coupon))
        if q is None:  # e.g. the coupon's minimum spend is not reached
            return None
        mx = q.max_points
        if member is not None:
            base = q.total_fen - q.coupon_fen
            room = MONTHLY_CAP - self.redeemed_this_month(member.id)
            assert mx % 100 == 0 and (mx == 0 or mx >= 100), mx
            assert mx <= max(member.balance, 0) and mx <= base // 2 and mx <= room, (mx, member.balance, base, room)
            # the quote's maximum is the largest allowed: the next step up is over some limit
            nxt = mx + 100
            if room < min(member.balance, base // 2):
                log(f"monthly cap: {room} points left this month", kind="quote: monthly cap binds")
            spendable = self.spendable(member)
            assert nxt > spendable or nxt > base // 2 or nxt > room, (mx, spendable, base, room)
        else:
            assert mx == 0
        if pay == "too_much":
            self.refused(lambda: sales.record_sale(t, lines=lines, member_ref=card, coupon=coupon, points=mx + 100),
                         f"paying {mx + 100} points where at most {mx} are allowed")
            return None
        if pay == "bad_step":
            self.refused(lambda: sales.record_sale(t, lines=lines, member_ref=card, coupon=coupon, points=150),
                         "150 points is not a step of 100")
            return None
        p = 0
        if mx >= 100:
            p = {"none": 0, "min": 100, "max": mx, "some": 100 * (1 + (mx // 100 - 1) * k // 100)}[pay]
        preview = sales.quote_sale(t, lines=lines, member_ref=card, coupon=coupon, points=p)
        mark = self.mark()
        r = sales.record_sale(t, lines=lines, member_ref=card, coupon=coupon, points=p)
        self.sale_lines[r.receipt_no] = [ln.line_no for ln in lines]
        log(f"sale {r.receipt_no}: paid {p} points, earned {r.points_earned}, flags {r.flags}",
            kind=f"sale: {'member' if member else 'anonymous'}{', points' if p else ''}"
                 f"{', coupon' if r.coupon_fen else ''}{', ' + ','.join(r.flags) if r.flags else ''}")
        assert r.points_paid == p and r.points_value_fen == p
        assert r.tender_fen == r.total_fen - r.coupon_fen - p
        if member is not None:
            assert preview.earn is not None and r.points_earned == preview.earn.total, "the preview lied"
            assert r.member is not None
            lapsed = self.lapsed_since(mark, member.id)
            assert r.member.balance == member.balance - p + r.points_earned + lapsed, (
                member.balance, p, r.points_earned, lapsed)
        else:
            assert r.points_earned == 0 and r.member is None
        return r.receipt_no

    def refund(self, receipt: str, which: list[int] | None) -> None:
        t = self.t
        owner = t.database.execute("SELECT member_id FROM sale WHERE receipt_no = ?", (receipt,)).fetchone()[0]
        before = t.repo.member_by_id(owner).balance if owner else None
        mark = self.mark()
        r = self.attempt(lambda: sales.refund_sale(t, receipt_no=receipt, line_nos=which))
        if r is None:
            return
        if which is not None:
            assert r.lines == sorted(which)
        log(f"refund {r.refund_no}: clawback {r.clawback}, returned {r.returned_points}, written off"
            f" {r.written_off}, shortfall {r.shortfall}",
            kind=f"refund: {'complete' if r.complete else 'partial'}{', shortfall' if r.shortfall else ''}"
                 f"{', written off' if r.written_off else ''}{', returned' if r.returned_points else ''}")
        if owner is not None:
            assert r.member is not None and before is not None
            assert r.written_off == -self.lapsed_since(mark, owner, "refund")
            assert r.member.balance == (before - r.clawback + r.returned_points - r.written_off
                                        + self.lapsed_since(mark, owner))
        if r.complete:
            totals = t.database.execute(
                "SELECT s.credited_purchase + s.credited_bonus, s.points_paid, sum(f.clawback_purchase"
                " + f.clawback_bonus), sum(f.returned_points) FROM sale s JOIN refund f ON f.sale_id = s.id"
                " WHERE s.receipt_no = ?", (receipt,)).fetchone()
            assert totals[0] == totals[2], f"a complete refund claws back exactly what the sale earned: {totals}"
            assert totals[1] == totals[3], f"a complete refund returns exactly the points paid: {totals}"

    def gift(self, card: str, code: str) -> None:
        m = self.member(card)
        cost = GIFT_POINTS[code]
        redeemed = self.redeemed_this_month(m.id)
        spendable = self.spendable(m)
        mark = self.mark()
        r = self.attempt(lambda: points.redeem_gift(self.t, member_ref=card, gift_code=code))
        if r is not None:
            log(f"gift {code}", kind="gift")
            assert r.points == cost
            assert r.member.balance == m.balance - cost + self.lapsed_since(mark, m.id)
        else:
            assert spendable < cost or redeemed + cost > MONTHLY_CAP, f"{code} refused: {spendable}, {redeemed}"

    def adjust(self, card: str, n: int) -> None:
        m = self.member(card)
        spendable = self.spendable(m)
        mark = self.mark()
        r = self.attempt(lambda: points.adjust_points(self.t, member_ref=card, points=n, reason="属性测试",
                                                      manager_code=MANAGER, manager_pin=PIN))
        if r is not None:
            log(f"adjust {n}", kind="adjust")
            assert r.member.balance == m.balance + n + self.lapsed_since(mark, m.id)
        else:
            assert n == 0 or spendable + n < 0, f"adjusting {n} on a balance of {m.balance} was refused"

    def drain(self, card: str) -> None:
        """A manager takes the whole balance away (so that a later clawback makes debt)."""
        before = self.member(card).balance
        if before > 0:
            self.adjust(card, -before)

    def advance(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    def to_expiry_boundary(self, day_after: bool, hour: int, then_expire: bool) -> None:
        row = self.t.database.execute(
            "SELECT min(expires_on) FROM lot WHERE remaining > 0 AND expires_on >= ?",
            (self.today.isoformat(),)).fetchone()
        if row[0] is None:
            return
        day = dt.date.fromisoformat(row[0]) + dt.timedelta(days=int(day_after))
        when = dt.datetime.combine(day, dt.time(hour))
        if when > self.clock.now:
            self.clock.set(when)
        if then_expire:
            self.run_expiry()

    def run_expiry(self) -> None:
        t = self.t
        report = expiry.run_expiry(t, as_of=self.today)
        log(f"expiry as of {self.today}: {report.points} points",
            kind=f"expiry: {'wrote off' if report.points else 'nothing'}")
        live = t.database.execute("SELECT count(*) FROM lot WHERE remaining > 0 AND expires_on < ?",
                                  (self.today.isoformat(),)).fetchone()[0]
        assert live == 0, "the expiry run left expired points in lots"
        early = t.database.execute(
            "SELECT l.id, l.expires_on, e.business_date FROM lot_move m JOIN ledger_entry e ON e.id = m.entry_id"
            " JOIN lot l ON l.id = m.lot_id WHERE e.ref_type = 'expiry' AND NOT l.expires_on < e.business_date"
        ).fetchall()
        assert not early, f"the expiry run wrote off points on or before their last valid day: {early}"
        again = expiry.run_expiry(t, as_of=self.today)
        assert again.points == 0 and again.lots == 0, (report, again)

    # -- checks after every step ---------------------------------------------------------------
    def check_consistent(self) -> None:
        t = self.t
        report = verify.verify(t)
        assert report["ok"], {k: v for k, v in report["checks"].items() if not v["ok"]}
        rows = t.database.execute(
            "SELECT m.id, m.balance, m.debt,"
            " (SELECT coalesce(sum(points), 0) FROM ledger_entry e WHERE e.member_id = m.id),"
            " (SELECT coalesce(sum(remaining), 0) FROM lot l WHERE l.member_id = m.id)"
            " FROM member m").fetchall()
        assert len(rows) == self.enrolled
        for member_id, balance, debt, ledger_sum, lots_sum in rows:
            assert balance == ledger_sum == lots_sum - debt, (member_id, balance, ledger_sum, lots_sum, debt)
            assert debt >= 0 and (debt == 0 or lots_sum == 0), (member_id, debt, lots_sum)
        # redemptions never exceed the monthly cap, counted as the program counts them
        over = t.database.execute(
            f"SELECT e.member_id, month, -sum(e.points) net {ATTRIBUTED_REDEMPTIONS}"
            " GROUP BY e.member_id, month HAVING net > ?", (MONTHLY_CAP,)).fetchall()
        assert not over, over
        # points never pay more than half of what is left after coupons
        half = t.database.execute(
            "SELECT receipt_no FROM sale WHERE points_value_fen * 2 > total_fen - coupon_fen").fetchall()
        assert not half, half
        self.check_debits_soonest_first()

    def check_debits_soonest_first(self) -> None:
        """After each new redemption (points paid, gift, negative adjustment) no lot that
        comes before the last lot it debited (soonest expiry, then oldest) has points left."""
        t = self.t
        entries = t.database.execute(
            "SELECT id, member_id, kind FROM ledger_entry WHERE id > ? AND points < 0"
            " AND kind IN ('redeem', 'gift', 'adjust') ORDER BY id", (self.checked_up_to,)).fetchall()
        for entry_id, member_id, kind in entries:
            debited = [r[0] for r in t.database.execute(
                "SELECT lot_id FROM lot_move WHERE entry_id = ? AND points < 0", (entry_id,))]
            assert debited, f"{kind} entry {entry_id} took no points from any lot"
            lots = self.lots(member_id)
            last = max(sort_key(lots[i][1], lots[i][0], i) for i in debited)
            skipped = [(i, lot) for i, lot in lots.items() if lot[2] > 0 and sort_key(lot[1], lot[0], i) < last]
            assert not skipped, f"{kind} entry {entry_id} debited up to {last} but left {skipped}"
        self.checked_up_to = int(t.database.execute("SELECT coalesce(max(id), 0) FROM ledger_entry").fetchone()[0])

    # -- sale, then full refund at once ---------------------------------------------------------
    def sale_then_full_refund(self, card: str, spec: list[tuple[int, int, int, str, bool]], pay: str, k: int,
                              use_coupon: bool, *, must_restore: bool = True) -> None:
        m = self.member(card)
        lots_before = {i: lot[2] for i, lot in self.lots(m.id).items()}
        guard = self.has_unexpired_run_lots(m.id)
        receipt = self.sale(card, spec, pay, k, use_coupon)
        if receipt is None:
            return
        self.check_debits_soonest_first()
        r = sales.refund_sale(self.t, receipt_no=receipt)
        assert r.complete and r.lines == self.sale_lines[receipt]
        after = self.member(card)
        lots_after = {i: lot[2] for i, lot in self.lots(m.id).items()}
        if guard and not must_restore:
            # the sale could spend points past their expiry date (see test_bug_points_past_their_expiry...);
            # returning them writes them off, so the balance is not restored
            log("member had expired points not yet written off; restoration not checked", kind="restore unchecked")
            return
        log(f"restoration checked (debt {m.debt})", kind=f"restore checked{', debt' if m.debt else ''}")
        assert (after.balance, after.debt) == (m.balance, m.debt), ((m.balance, m.debt), (after.balance, after.debt))
        for lot_id, remaining in lots_before.items():
            assert lots_after[lot_id] == remaining, (lot_id, remaining, lots_after[lot_id])
        new = {i: rem for i, rem in lots_after.items() if i not in lots_before}
        assert all(rem == 0 for rem in new.values()), new


# ---------------------------------------------------------------------------- the state machine


class LedgerMachine(RuleBasedStateMachine):
    cards = Bundle("cards")
    receipts = Bundle("receipts")

    def __init__(self) -> None:
        super().__init__()
        self.w = World()

    def teardown(self) -> None:
        self.w.close()

    @initialize(target=cards, birthdays=st.lists(st.none() | st.integers(0, 3), min_size=2, max_size=2))
    def first_members(self, birthdays: list[int | None]) -> Any:
        return multiple(*(self.w.enroll(b) for b in birthdays))

    @precondition(lambda self: self.w.enrolled < MAX_MEMBERS)
    @rule(target=cards, birthday_offset=st.none() | st.integers(0, 3))
    def enroll(self, birthday_offset: int | None) -> Any:
        return self.w.enroll(birthday_offset)

    @rule(target=receipts, card=cards, spec=LINES, pay=PAY, k=st.integers(0, 100), use_coupon=st.booleans())
    def member_sale(self, card: str, spec: list[tuple[int, int, int, str, bool]], pay: str, k: int,
                    use_coupon: bool) -> Any:
        receipt = self.w.sale(card, spec, pay, k, use_coupon)
        return multiple() if receipt is None else receipt

    @rule(target=receipts, card=cards, spec=LINES, pay=PAYING, k=st.integers(0, 100))
    def member_sale_paying_points(self, card: str, spec: list[tuple[int, int, int, str, bool]], pay: str,
                                  k: int) -> Any:
        receipt = self.w.sale(card, spec, pay, k)
        return multiple() if receipt is None else receipt

    @rule(target=receipts, card=cards, qty=st.integers(1, 10), pay=st.sampled_from(["max", "max", "too_much"]))
    def big_basket_sale(self, card: str, qty: int, pay: str) -> Any:
        """Up to 10,000 yuan: paying the most the rules allow runs into the balance or the monthly cap."""
        receipt = self.w.sale(card, [(100_000, qty, 0, "general", False)], pay, 0)
        return multiple() if receipt is None else receipt

    @rule(target=receipts, spec=LINES, pay=st.sampled_from(["none", "none", "too_much"]))
    def anonymous_sale(self, spec: list[tuple[int, int, int, str, bool]], pay: str) -> Any:
        receipt = self.w.sale(None, spec, pay, 0)
        return multiple() if receipt is None else receipt

    @rule(receipt=receipts, which=st.none() | st.lists(st.integers(1, 5), min_size=1, max_size=3, unique=True))
    def refund(self, receipt: str, which: list[int] | None) -> None:
        self.w.refund(receipt, which)

    @rule(card=cards, code=st.sampled_from(sorted(GIFT_POINTS)))
    def gift(self, card: str, code: str) -> None:
        self.w.gift(card, code)

    @rule(card=cards, n=ADJUST)
    def adjust(self, card: str, n: int) -> None:
        self.w.adjust(card, n)

    @rule(card=cards, n=st.sampled_from([20_000, 30_000, 45_000]))
    def top_up(self, card: str, n: int) -> None:
        """A large manager credit, so that payments and gifts run into the monthly cap."""
        self.w.adjust(card, n)

    @rule(card=cards)
    def drain(self, card: str) -> None:
        self.w.drain(card)

    @rule(hours=HOURS)
    def advance(self, hours: int) -> None:
        self.w.advance(hours)

    @rule()
    def run_expiry(self) -> None:
        self.w.run_expiry()

    @rule(day_after=st.booleans(), hour=st.integers(0, 23), then_expire=st.booleans())
    def to_expiry_boundary(self, day_after: bool, hour: int, then_expire: bool) -> None:
        """To the last valid day of the soonest-expiring live lot, or the day after it."""
        self.w.to_expiry_boundary(day_after, hour, then_expire)

    @rule(days=st.integers(725, 760), then_expire=st.booleans())
    def jump_past_expiry(self, days: int, then_expire: bool) -> None:
        """About 24 months later: the oldest lots expire (written off now, or left for later)."""
        self.w.advance(days * 24)
        if then_expire:
            self.w.run_expiry()

    @rule(card=cards, spec=LINES, pay=PAY, k=st.integers(0, 100), use_coupon=st.booleans())
    def sale_then_full_refund(self, card: str, spec: list[tuple[int, int, int, str, bool]], pay: str, k: int,
                              use_coupon: bool) -> None:
        self.w.sale_then_full_refund(card, spec, pay, k, use_coupon, must_restore=False)

    @invariant()
    def consistent(self) -> None:
        self.w.check_consistent()


@pytest.mark.slow
def test_random_operations_keep_ledger_lots_and_balances_consistent() -> None:
    run_state_machine_as_test(LedgerMachine, settings=settings(max_examples=100, stateful_step_count=30,
                                                               **SETTINGS))


# ---------------------------------------------------------------------------- focused property

HISTORY_OP = st.one_of(
    st.tuples(st.just("sale"), LINES, PAY, st.integers(0, 100), st.booleans()),
    st.tuples(st.just("sale"), LINES, PAYING, st.integers(0, 100), st.booleans()),
    st.tuples(st.just("debt"), LINES),
    st.tuples(st.just("refund"), st.integers(0, 10), st.none() | st.lists(st.integers(1, 4), min_size=1,
                                                                            max_size=2, unique=True)),
    st.tuples(st.just("gift"), st.sampled_from(sorted(GIFT_POINTS))),
    st.tuples(st.just("adjust"), ADJUST),
    st.tuples(st.just("drain")),
    st.tuples(st.just("advance"), HOURS),
    st.tuples(st.just("expiry")),
)


@settings(max_examples=80, **SETTINGS)
@given(history=st.lists(HISTORY_OP, max_size=10), spec=LINES, pay=PAYING | PAY, k=st.integers(0, 100),
       use_coupon=st.booleans())
def test_full_refund_right_after_a_sale_restores_balance_and_lots(
        history: list[tuple[Any, ...]], spec: list[tuple[int, int, int, str, bool]], pay: str, k: int,
        use_coupon: bool) -> None:
    """Whatever the member did before (including debt, coupons, expired lots), a sale refunded in
    full at once leaves their balance, debt and every older lot's remaining as before the sale.
    The store's expiry run is up to date when the sale happens (it runs nightly)."""
    w = World()
    try:
        card = w.enroll(None)
        receipts: list[str] = []
        for op in history:
            if op[0] == "sale":
                receipt = w.sale(card, *op[1:])
                if receipt is not None:
                    receipts.append(receipt)
            elif op[0] == "refund" and receipts:
                w.refund(receipts[op[1] % len(receipts)], op[2])
            elif op[0] == "gift":
                w.gift(card, op[1])
            elif op[0] == "adjust":
                w.adjust(card, op[1])
            elif op[0] == "debt":  # earn, lose the balance, refund the sale: the clawback makes debt
                receipt = w.sale(card, op[1], "none", 0)
                w.drain(card)
                if receipt is not None:
                    w.refund(receipt, None)
            elif op[0] == "drain":
                w.drain(card)
            elif op[0] == "advance":
                w.advance(op[1])
            elif op[0] == "expiry":
                w.run_expiry()
            w.check_consistent()
        w.run_expiry()
        w.sale_then_full_refund(card, spec, pay, k, use_coupon)
        w.check_consistent()
    finally:
        w.close()


# ---------------------------------------------------------------------------- bugs found


@pytest.fixture
def world() -> Iterator[World]:
    w = World()
    yield w
    w.close()


def line(no: int, fen: int) -> SaleLine:
    return SaleLine(no, f"SKU{no}", f"商品{no}", "general", 1, fen)


def spent_after_expiry(w: World) -> list[tuple[Any, ...]]:
    """Points taken out of a lot, other than by an expiry write-off, after the lot's last valid day."""
    return w.t.database.execute(
        "SELECT e.kind, e.business_date, l.id, l.expires_on, m.points FROM lot_move m"
        " JOIN ledger_entry e ON e.id = m.entry_id JOIN lot l ON l.id = m.lot_id"
        " WHERE m.points < 0 AND e.kind <> 'expire' AND l.expires_on < e.business_date").fetchall()


def test_points_past_their_last_valid_day_are_never_spent_even_before_the_expiry_run(world: World) -> None:
    """Regression: lots past their last valid day used to stay spendable until the expiry job ran
    (a sale on 2029-01-12 paid with points that expired at the end of 2028-11-03). Every
    operation on a member now writes off the lapsed lots first (services/lapse.py)."""
    w = world
    card = w.enroll(None)
    w.adjust(card, 1000)  # lots: 50 (sign-up) + 1000, both last valid on 2028-11-03
    w.clock.set("2029-01-12T10:00")  # 24 months + 2 months later; no expiry run has happened
    with contextlib.suppress(PosError):  # refusing is right: the member has no valid points left
        sales.record_sale(w.t, lines=[line(1, 10_000)], member_ref=card, points=1000)
    assert spent_after_expiry(w) == [], "a sale paid with points past their last valid day"


def test_points_returned_into_expired_lots_are_written_off_not_used_for_debt(world: World) -> None:
    """Regression: returned points landing in an already expired lot used to pay the member's
    debt and so were never written off. The program says "points returned into a lot that has
    already expired are written off at once"."""
    w = world
    w.clock.set("2026-01-10T10:00")
    card = w.enroll(None)
    w.adjust(card, 950)  # lots 50 + 950, last valid on 2028-01-10
    w.clock.set("2026-02-10T10:00")
    a = sales.record_sale(w.t, lines=[line(1, 10_000)], member_ref=card, points=1000)  # pays from both lots
    b = sales.record_sale(w.t, lines=[line(1, 100_000)], member_ref=card)  # earns 1000
    w.drain(card)  # a manager takes the balance
    sales.refund_sale(w.t, receipt_no=b.receipt_no)  # clawback of 1000 on a zero balance: debt 1000
    assert (w.member(card).balance, w.member(card).debt) == (-1000, 1000)
    w.clock.set("2028-01-20T10:00")  # the two lots A paid from have expired
    w.run_expiry()
    r = sales.refund_sale(w.t, receipt_no=a.receipt_no)
    # clawback 190 (sale A earned 190); the 1000 returned points land in expired lots: written off
    assert (r.clawback, r.returned_points) == (190, 1000)
    assert r.written_off == 1000, f"written off {r.written_off}"
    assert w.member(card).balance == -1190
    assert spent_after_expiry(w) == []


def test_refunding_last_months_sale_does_not_free_this_months_cap(world: World) -> None:
    """Regression: returns used to be netted by the refund's date, so refunding a January sale in
    February freed February's cap (40,000 points redeemed in one month). Returned points now
    count against the month of the payment they reverse."""
    w = world
    w.clock.set("2026-01-10T10:00")
    card = w.enroll(None)
    w.adjust(card, 80_000)
    jan = sales.record_sale(w.t, lines=[line(1, 40_000)], member_ref=card, points=20_000)
    w.clock.set("2026-02-10T10:00")
    sales.record_sale(w.t, lines=[line(1, 40_000)], member_ref=card, points=20_000)
    sales.refund_sale(w.t, receipt_no=jan.receipt_no)
    assert sales.quote_sale(w.t, lines=[line(1, 40_000)], member_ref=card).max_points == 0
    with pytest.raises(PosError):
        sales.record_sale(w.t, lines=[line(1, 40_000)], member_ref=card, points=20_000)
