"""Gift redemption, coupons, and manual adjustments of points."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from pos_app.core import lots as core_lots
from pos_app.core import redemption as core_redemption
from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from pos_app.core.money import check_points
from pos_app.core.text import identifier
from pos_app.services.context import Terminal
from pos_app.services.lapse import lapse_expired, spendable
from pos_app.services.members import find_member, require_active
from pos_app.services.presence import of_reference, require_present
from pos_app.services.shifts import current_shift
from pos_app.services.staff import require_manager
from pos_app.services.sync import enforce_offline_allowance
from pos_app.storage.ledger import iso
from pos_app.storage.repo import MemberRecord


@dataclass(frozen=True)
class GiftResult:
    redemption_no: str
    gift_code: str
    points: int
    cash_fen: int
    coupon_code: str | None
    coupon_valid_until: dt.date | None
    approved_by: str | None
    member: MemberRecord

    def to_dict(self) -> dict[str, Any]:
        return {
            "redemption_no": self.redemption_no, "gift": self.gift_code, "points": self.points,
            "cash_fen": self.cash_fen, "coupon_code": self.coupon_code,
            "coupon_valid_until": self.coupon_valid_until.isoformat() if self.coupon_valid_until else None,
            "approved_by": self.approved_by, "balance_after": self.member.balance,
        }


def redeem_gift(t: Terminal, *, member_ref: str, gift_code: str, staff_code: str | None = None,
                manager_code: str | None = None, manager_pin: str | None = None,
                at: dt.datetime | None = None, queue_slip: bool = False,
                presence: str | None = None) -> GiftResult:
    """Redeem a gift (积分商城): stock, per-member limits, monthly cap and, for expensive gifts,
    a manager's approval with PIN. Coupon gifts issue a single-use coupon; with ``queue_slip``
    its print job is queued in the same transaction, so a coupon never exists without its slip.
    The member must be present (``services.presence``): ``presence`` is how they showed it, by
    default what ``member_ref`` itself proves (a card number yes, a phone number no)."""
    stamp = t.stamp(at, staff_code)
    program = t.program
    gift_code = identifier(gift_code, field="gift")
    gift = program.gift(gift_code)
    if gift is None:
        raise NotFound("gift", f"the catalog has no gift {gift_code!r}")
    member = require_active(find_member(t, member_ref))
    require_present(t, member.uuid, presence or of_reference(member_ref), what="gift")
    approved_by = None
    needs = core_redemption.needs_approval(program, gift)
    if needs or manager_code:
        # check every other rule first, so a refusal names the real reason, then the approval
        core_redemption.check_gift(
            program, gift, balance=spendable(t, member, stamp),
            redeemed_this_month=t.repo.redeemed_in_month(member.id, stamp.day),
            this_gift_this_month=t.repo.gift_this_month(member.id, gift.code, stamp.day),
            stock=t.repo.gift_stock(gift.code), approved=bool(manager_code),
        )
        approved_by = require_manager(t, manager_code, manager_pin).code
    with t.database.transaction():
        member = require_active(find_member(t, member_ref))
        if lapse_expired(t, member, stamp):
            member = require_active(find_member(t, member_ref))
        core_redemption.check_gift(
            program, gift, balance=member.balance,
            redeemed_this_month=t.repo.redeemed_in_month(member.id, stamp.day),
            this_gift_this_month=t.repo.gift_this_month(member.id, gift.code, stamp.day),
            stock=t.repo.gift_stock(gift.code), approved=approved_by is not None,
        )
        redemption_no = f"{t.receipt_prefix()}-G{t.ledger.next_number('redemption'):07d}"
        enforce_offline_allowance(t, points=gift.points, stamp=stamp, ref=redemption_no, approved_by=approved_by)
        entry_id = t.ledger.append(
            member_id=member.id, member_uuid=member.uuid, kind="gift", points=-gift.points, ref_type="redemption",
            ref_no=redemption_no, breakdown={"gift": gift.code, "points": gift.points, "cash_fen": gift.cash_fen,
                                             "approved_by": approved_by},
            stamp=stamp, program_version=program.version,
        )
        t.ledger.debit_lots(member_id=member.id, entry_id=entry_id, points=gift.points)
        if gift.stock_tracked:
            t.repo.take_gift_stock(gift.code)
        coupon_code = valid_until = None
        if gift.kind == "coupon":
            coupon_code = f"CP{secrets.token_hex(6).upper()}"
            valid_until = stamp.day + dt.timedelta(days=gift.coupon_valid_days) if gift.coupon_valid_days else None
            t.repo.insert_coupon(code=coupon_code, member=member.id, gift_code=gift.code,
                                 value_fen=gift.coupon_value_fen, min_spend_fen=gift.coupon_min_spend_fen,
                                 issued_at=iso(stamp.at), valid_until=valid_until.isoformat() if valid_until else None)
            t.ledger.outbox_event("coupon_issue", coupon_code, {
                "member": member.uuid, "gift": gift.code, "value_fen": gift.coupon_value_fen,
                "min_spend_fen": gift.coupon_min_spend_fen,
                "valid_until": valid_until.isoformat() if valid_until else None}, stamp)
            if queue_slip:
                t.repo.queue_print_job("coupon", coupon_code, {}, iso(stamp.recorded_at))
        t.repo.insert("redemption", {
            "redemption_no": redemption_no, "member_id": member.id, "gift_code": gift.code, "points": gift.points,
            "cash_fen": gift.cash_fen, "approved_by": approved_by, "staff_code": staff_code,
            "created_at": iso(stamp.at), "business_date": stamp.day.isoformat(), "coupon_code": coupon_code,
        })
        t.ledger.outbox_event("redemption", redemption_no, {
            "member": member.uuid, "gift": gift.code, "points": gift.points, "cash_fen": gift.cash_fen,
            "approved_by": approved_by, "staff_code": staff_code, "created_at": iso(stamp.at),
            "business_date": stamp.day.isoformat(), "coupon_code": coupon_code}, stamp)
        t.ledger.audit("gift.redeem", redemption_no, {"gift": gift.code, "points": gift.points,
                                                      "cash_fen": gift.cash_fen, "approved_by": approved_by}, stamp)
    after = t.repo.member_by_id(member.id)
    assert after is not None
    return GiftResult(redemption_no, gift.code, gift.points, gift.cash_fen, coupon_code, valid_until,
                      approved_by, after)


@dataclass(frozen=True)
class GiftCancelResult:
    redemption_no: str
    gift_code: str
    points: int
    cash_fen: int
    written_off: int
    approved_by: str | None
    member: MemberRecord


@dataclass(frozen=True)
class Cancellable:
    """A redemption of the open shift that may still be cancelled, as the gifts screen lists it."""

    redemption_no: str
    gift_code: str
    points: int
    cash_fen: int
    coupon_code: str | None
    approved_by: str | None
    created_at: str
    member_uuid: str
    member_name: str
    member_phone: str
    member_card: str
    member_balance: int


def cancellable_redemptions(t: Terminal, *, limit: int = 50) -> list[Cancellable]:
    """The open shift's redemptions at this till that ``cancel_redemption`` would take, newest first:
    not cancelled yet, and a coupon gift only while its coupon is unused. None without an open shift."""
    shift = current_shift(t)
    if shift is None:
        return []
    return [Cancellable(r["redemption_no"], r["gift_code"], int(r["points"]), int(r["cash_fen"]), r["coupon_code"],
                        r["approved_by"], r["created_at"], r["member_uuid"], r["name"], r["phone"], r["card_no"],
                        int(r["balance"]))
            for r in t.repo.redemptions_since(shift.opened_at, limit=limit) if not r["coupon_used"]]


def _coupon_spent(t: Terminal, code: str) -> bool:
    found = t.repo.coupon(code)
    return found is None or bool(found["used_at"])


def cancel_redemption(t: Terminal, *, redemption_no: str, reason: str, staff_code: str | None = None,
                      manager_code: str | None = None, manager_pin: str | None = None,
                      at: dt.datetime | None = None, queue_slip: bool = False) -> GiftCancelResult:
    """Cancel a gift redemption of the open shift: a new ``return`` entry gives the points back
    into the lots they came from (what lands in an expired lot is written off at once), the stock
    goes back, the cash of a points + cash gift leaves the shift's expected cash. Audited with who
    and why; a gift that needed a manager's approval needs one again. Once only: the redemption
    is marked in the same transaction, so a second cancel (also after a crash) changes nothing.
    A coupon gift is cancelled only while its coupon is unused; the cancellation spends the
    coupon (its use names the redemption), so no sale can take it afterwards.
    With ``queue_slip`` the cancellation slip is queued in the same transaction."""
    redemption_no = (redemption_no or "").strip()
    if not redemption_no or len(redemption_no) > 40:
        raise InvalidInput("redemption_no", "a redemption number is required")
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise InvalidInput("reason", "a reason (1 to 200 characters) is required")
    row = t.repo.redemption(redemption_no)
    if row is None:
        raise NotFound("redemption_no", f"no redemption {redemption_no!r} on this till")
    if row["cancelled_at"]:
        raise Conflict("redemption_no", f"redemption {redemption_no} was cancelled already", reason="cancelled")
    shift = current_shift(t)
    if shift is None or row["created_at"] < shift.opened_at:
        raise RuleViolation("redemption_no", f"redemption {redemption_no} is not from the open shift;"
                            " only the open shift's redemptions can be cancelled", reason="earlier_shift")
    if not row["points"] and not row["cash_fen"]:
        raise RuleViolation("redemption_no", f"redemption {redemption_no} is a draw's prize; a draw stands and"
                            " its prize cannot be cancelled", reason="draw")
    coupon = row["coupon_code"]
    if coupon and _coupon_spent(t, coupon):
        raise RuleViolation("redemption_no", f"the coupon {coupon} of redemption {redemption_no} was used"
                            " already; a used coupon's gift cannot be cancelled", reason="coupon_used")
    gift = t.program.gift(row["gift_code"])
    approved_by = None
    if row["approved_by"] or (gift is not None and core_redemption.needs_approval(t.program, gift)):
        approved_by = require_manager(t, manager_code, manager_pin).code
    stamp = t.stamp(at, staff_code)
    with t.database.transaction():
        if not t.repo.mark_redemption_cancelled(redemption_no, at=iso(stamp.at), by=staff_code):
            raise Conflict("redemption_no", f"redemption {redemption_no} was cancelled already", reason="cancelled")
        member = t.repo.member_by_id(int(row["member_id"]))
        assert member is not None
        taken = t.ledger.gift_lots(redemption_no)
        allocations = [(lot_id, pts) for lot_id, pts, _ in taken if pts > 0]
        if sum(p for _, p in allocations) != row["points"]:
            raise RuleViolation("points", f"cannot place the {row['points']} points of {redemption_no}"
                                " back into their lots")
        entry_id = t.ledger.append(
            member_id=member.id, member_uuid=member.uuid, kind="return", points=int(row["points"]),
            ref_type="redemption", ref_no=redemption_no,
            breakdown={"cancel": True, "gift": row["gift_code"], "cash_fen": row["cash_fen"], "reason": reason,
                       "approved_by": approved_by, "lots": [[lot, p] for lot, p in allocations]},
            stamp=stamp, program_version=t.program.version,
        )
        targets = {a for a, _ in allocations}
        expired_ids = frozenset(lot.id for lot in t.ledger.lots_of(member.id)
                                if lot.id in targets and core_lots.is_expired(lot, stamp.day))
        t.ledger.return_to_lots(member_id=member.id, entry_id=entry_id, allocations=allocations, expired=expired_ids)
        expired = [lot for lot in t.ledger.lots_of(member.id) if lot.id in expired_ids and lot.remaining]
        written_off = sum(lot.remaining for lot in expired)
        if written_off:
            exp_id = t.ledger.append(
                member_id=member.id, member_uuid=member.uuid, kind="expire", points=-written_off,
                ref_type="redemption", ref_no=redemption_no,
                breakdown={"reason": "returned into expired lots",
                           "lots": [[lot.id, lot.remaining] for lot in expired]},
                stamp=stamp, program_version=t.program.version,
            )
            t.ledger.debit_lots(member_id=member.id, entry_id=exp_id, points=written_off,
                                prefer=tuple(x.id for x in expired))
        if gift is not None and gift.stock_tracked:
            t.repo.put_back_gift_stock(gift.code)
        if coupon:
            # the coupon is spent by its own cancellation: no sale can take it any more, and
            # headquarters records the use (a till that used it meanwhile offline is flagged there)
            if not t.repo.use_coupon(coupon, at=iso(stamp.at), receipt_no=redemption_no):
                raise RuleViolation("redemption_no", f"the coupon {coupon} of redemption {redemption_no} was"
                                    " used already; a used coupon's gift cannot be cancelled", reason="coupon_used")
            t.ledger.outbox_event("coupon_use", coupon, {"receipt_no": redemption_no, "at": iso(stamp.at)}, stamp)
        t.ledger.outbox_event("redemption_cancel", redemption_no, {
            "member": member.uuid, "gift": row["gift_code"], "points": row["points"], "cash_fen": row["cash_fen"],
            "reason": reason, "approved_by": approved_by, "staff_code": staff_code, "at": iso(stamp.at)}, stamp)
        t.ledger.audit("gift.cancel", redemption_no, {
            "gift": row["gift_code"], "points": row["points"], "cash_fen": row["cash_fen"], "reason": reason,
            "approved_by": approved_by, "written_off": written_off}, stamp)
        if queue_slip:  # the slip prints through the print queue, like receipts
            t.repo.queue_print_job("gift_cancel", redemption_no, {}, iso(stamp.recorded_at))
    after = t.repo.member_by_id(member.id)
    assert after is not None
    return GiftCancelResult(redemption_no, row["gift_code"], int(row["points"]), int(row["cash_fen"]), written_off,
                            approved_by, after)


def set_gift_stock(t: Terminal, *, gift_code: str, stock: int, staff_code: str | None = None) -> None:
    gift_code = identifier(gift_code, field="gift")
    gift = t.program.gift(gift_code)
    if gift is None:
        raise NotFound("gift", f"the catalog has no gift {gift_code!r}")
    if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= 1_000_000:
        raise InvalidInput("stock", "must be a whole number from 0 to 1000000")
    stamp = t.stamp(None, staff_code)
    with t.database.transaction():
        before = t.repo.gift_stock(gift.code)
        t.repo.set_gift_stock(gift.code, stock)
        t.ledger.audit("gift.stock", gift.code, {"before": before, "after": stock}, stamp)


@dataclass(frozen=True)
class AdjustResult:
    points: int
    reason: str
    approved_by: str
    member: MemberRecord


def _check_debit(points: int, balance: int) -> None:
    if points < 0 and -points > balance:
        raise RuleViolation("points", f"balance is {balance} points", balance=balance)


def self_approval_limit(t: Terminal) -> int:
    """A manager approves their own adjustment only up to this many points (either way); above it a
    second manager (their number and PIN) must approve. The store's protected setting
    ``adjust.self_approval_points`` (1,000 unless a manager changed it)."""
    from pos_app.services.settings import load_settings

    return load_settings(t).adjust_self_approval_points


def adjust_points(t: Terminal, *, member_ref: str, points: int, reason: str, manager_code: str | None,
                  manager_pin: str | None, at: dt.datetime | None = None,
                  requested_by: str | None = None) -> AdjustResult:
    """A manager's correction of a balance, with a reason; never below zero.

    ``requested_by`` is the staff member asking (the one logged in): when that is the approving
    manager and the adjustment is above ``self_approval_limit`` points, a second manager must approve."""
    check_points(points, field="points", allow_negative=True)
    if not isinstance(reason, str) or len(reason.strip()) < 2:
        raise InvalidInput("reason", "a reason of at least 2 characters is required")
    member = find_member(t, member_ref)
    _check_debit(points, spendable(t, member, t.stamp(at)))
    manager = require_manager(t, manager_code, manager_pin)  # names a wrong PIN or a non-manager
    limit = self_approval_limit(t)
    if requested_by is not None and requested_by == manager.code and abs(points) > limit:
        raise PermissionDenied("manager", f"above {limit} points a second manager must approve "
                               "(not the one asking)", self_approval_limit=limit)
    stamp = t.stamp(at, manager.code)
    program = t.program
    with t.database.transaction():
        member = find_member(t, member_ref)
        if lapse_expired(t, member, stamp):
            member = find_member(t, member_ref)
        _check_debit(points, member.balance)
        entry_id = t.ledger.append(
            member_id=member.id, member_uuid=member.uuid, kind="adjust", points=points, ref_type="adjust",
            ref_no=f"ADJ-{t.ledger.next_number('adjust'):06d}",
            breakdown={"reason": reason.strip(), "approved_by": manager.code}, stamp=stamp,
            program_version=program.version,
        )
        if points > 0:
            t.ledger.credit_lot(member_id=member.id, entry_id=entry_id, points=points, earned_on=stamp.day,
                                expires_on=core_lots.expiry_date(program.expiry, stamp.day))
        else:
            t.ledger.debit_lots(member_id=member.id, entry_id=entry_id, points=-points)
        details: dict[str, object] = {"points": points, "reason": reason.strip()}
        if requested_by is not None and requested_by != manager.code:
            details["requested_by"] = requested_by
        t.ledger.audit("points.adjust", member.uuid, details, stamp)
    after = t.repo.member_by_id(member.id)
    assert after is not None
    return AdjustResult(points, reason.strip(), manager.code, after)
