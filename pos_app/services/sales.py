"""Sales and refunds: earning, points as payment, coupons, clawbacks and returns."""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_mod
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pos_app.core import lots as core_lots
from pos_app.core import redemption as core_redemption
from pos_app.core import tenders as core_tenders
from pos_app.core.earning import EarnResult, SaleLine, compute_earning, validate_lines
from pos_app.core.errors import ApprovalRequired, InvalidInput, NotFound, RuleViolation
from pos_app.core.members import is_birthday
from pos_app.core.money import check_points
from pos_app.core.refunds import RefundDone, RefundLine, SaleTotals, plan_refund
from pos_app.core.tenders import Settlement, Tender
from pos_app.core.text import identifier
from pos_app.services.context import Terminal
from pos_app.services.lapse import lapse_expired
from pos_app.services.members import _grant_award, find_member, require_active
from pos_app.services.presence import of_reference, require_present
from pos_app.services.settings import load_settings
from pos_app.services.staff import require_manager
from pos_app.services.sync import enforce_offline_allowance
from pos_app.services.tiers import apply_upgrade
from pos_app.storage.ledger import Stamp, iso
from pos_app.storage.repo import MemberRecord

TENDERS = core_tenders.TENDERS


@dataclass(frozen=True)
class SaleQuote:
    """What a sale would do, before it is written (the live preview at the counter)."""

    total_fen: int
    coupon_fen: int
    points_paid: int
    points_value_fen: int
    tender_fen: int
    max_points: int
    earn: EarnResult | None
    member: MemberRecord | None


@dataclass(frozen=True)
class SaleResult:
    receipt_no: str
    sale_uuid: str
    total_fen: int
    coupon_fen: int
    points_paid: int
    points_value_fen: int
    tender_fen: int
    tender_kind: str
    points_earned: int
    breakdown: dict[str, Any] | None
    member: MemberRecord | None
    tier_before: str | None
    tier_after: str | None
    flags: tuple[str, ...]
    expiring: list[tuple[int, int]] = field(default_factory=list)
    replayed: bool = False
    tenders: tuple[Tender, ...] = ()
    change_fen: int = 0

    def to_dict(self) -> dict[str, Any]:
        m = self.member
        return {
            "tenders": [t.to_dict() for t in self.tenders], "change_fen": self.change_fen,
            "receipt_no": self.receipt_no, "sale_uuid": self.sale_uuid, "total_fen": self.total_fen,
            "coupon_fen": self.coupon_fen, "points_redeemed": self.points_paid,
            "points_value_fen": self.points_value_fen, "tender_fen": self.tender_fen,
            "tender": self.tender_kind, "points_earned": self.points_earned, "breakdown": self.breakdown,
            "member": m.card_no if m else None, "balance_after": m.balance if m else None,
            "debt": m.debt if m else None, "tier_before": self.tier_before, "tier_after": self.tier_after,
            "flags": list(self.flags), "expiring": [{"within_days": d, "points": p} for d, p in self.expiring],
            "replayed": self.replayed,
        }


def _coupon_value(t: Terminal, code: str, member: MemberRecord | None, total_fen: int, day: dt.date) -> int:
    coupon = t.repo.coupon(code)
    if coupon is None:
        raise NotFound("coupon", f"no coupon {code!r}")
    if coupon["used_at"]:
        raise RuleViolation("coupon", f"coupon {code} was used already ({coupon['used_receipt_no']})",
                            reason="used", receipt_no=coupon["used_receipt_no"])
    if member is None or coupon["member_id"] != member.id:
        raise RuleViolation("coupon", f"coupon {code} belongs to another member", reason="other_member")
    if coupon["valid_until"] and day > dt.date.fromisoformat(coupon["valid_until"]):
        raise RuleViolation("coupon", f"coupon {code} expired on {coupon['valid_until']}", reason="expired",
                            valid_until=coupon["valid_until"])
    if total_fen < coupon["min_spend_fen"]:
        raise RuleViolation("coupon", f"coupon {code} needs a minimum spend of {coupon['min_spend_fen']} fen",
                            reason="min_spend", min_spend_fen=coupon["min_spend_fen"])
    return int(min(coupon["value_fen"], total_fen))


def quote_sale(t: Terminal, *, lines: list[SaleLine], member_ref: str | None = None, points: int = 0,
               coupon: str | None = None, at: dt.datetime | None = None) -> SaleQuote:
    """Validate a basket and work out every figure of the sale without writing anything."""
    validate_lines(lines)
    coupon = identifier(coupon, field="coupon") if coupon is not None else None
    member = require_active(find_member(t, member_ref)) if member_ref else None
    return _quote(t, lines=lines, member=member, points=points, coupon=coupon, now=at or t.clock())


def _quote(t: Terminal, *, lines: list[SaleLine], member: MemberRecord | None, points: int, coupon: str | None,
           now: dt.datetime, lapsed_written_off: bool = False, with_max: bool = True) -> SaleQuote:
    """The figures of a sale for a member already found (``lapse_expired`` already run in this
    transaction when ``lapsed_written_off``; ``max_points`` worked out only ``with_max``)."""
    program = t.program
    total = sum(ln.net_fen for ln in lines)
    coupon_fen = _coupon_value(t, coupon, member, total, now.date()) if coupon else 0
    base = total - coupon_fen
    points = check_points(points, field="points", allow_zero=True)
    if points and member is None:
        raise InvalidInput("points", "paying with points needs a member")
    value = max_points = 0
    if member is not None and (points or with_max):
        redeemed = t.repo.redeemed_in_month(member.id, now.date())
        balance = member.balance - (0 if lapsed_written_off else t.ledger.lapsed_points(member.id, now.date()))
        if points:
            value = core_redemption.check_payment(program, points, base_fen=base, balance=balance,
                                                  redeemed_this_month=redeemed)
        if with_max:
            max_points = core_redemption.max_payment_points(
                program, base_fen=base, balance=balance, redeemed_this_month=redeemed)
    earn = None
    if member is not None:
        birthday_ids = tuple(b.id for b in program.earning.bonuses if b.kind == "birthday")
        birthday = is_birthday(member.birthday, now.date()) and not t.repo.birthday_bonus_year(
            member.id, now.year, birthday_ids)
        earn = compute_earning(
            program, lines, at=now, tier_id=member.tier, deduction_fen=coupon_fen + value,
            first_purchase=member.first_purchase_at is None, birthday=birthday,
            earned_today=t.repo.earned_on_day(member.id, now.date()),
        )
    return SaleQuote(total_fen=total, coupon_fen=coupon_fen, points_paid=points, points_value_fen=value,
                     tender_fen=base - value, max_points=max_points, earn=earn, member=member)


def record_sale(t: Terminal, *, lines: list[SaleLine], member_ref: str | None = None, points: int = 0,
                coupon: str | None = None, tender: str = "cash", at: dt.datetime | None = None,
                staff_code: str | None = None, sale_uuid: str | None = None,
                queue_receipt: bool = False, approval: tuple[str, str] | None = None,
                payments: list[tuple[str, int]] | None = None, presence: str | None = None) -> SaleResult:
    """Complete a sale in one transaction. Re-sending the same ``sale_uuid`` returns the sale
    already recorded instead of counting it twice. With ``queue_receipt`` the receipt's print
    job is queued in the same transaction, so a sale never exists without its receipt job.
    ``approval`` (manager number, PIN) lets a points payment pass the offline allowance.
    ``payments`` (kind, fen) are what the customer handed over, in one tender or several
    (``core.tenders.settle``: short is refused, cash above the amount due is change); without
    them the amount due is paid exactly by ``tender``. Points are spent only for a member who is
    present (``services.presence``): ``presence`` says how they showed it, by default what
    ``member_ref`` itself proves (a card number or member code yes, a phone number no)."""
    core_tenders.check_kind(tender)
    if payments is not None:
        payments = list(payments)
        for i, pay in enumerate(payments):
            if not isinstance(pay, tuple | list) or len(pay) != 2:
                raise InvalidInput(f"tenders[{i}]", "a (kind, fen) pair is required")
            core_tenders.check_kind(pay[0], f"tenders[{i}].kind")
    coupon = identifier(coupon, field="coupon") if coupon is not None else None
    if sale_uuid is not None:
        try:
            sale_uuid = str(uuid_mod.UUID(sale_uuid))
        except (ValueError, AttributeError, TypeError):
            raise InvalidInput("sale_uuid", f"not a UUID: {sale_uuid!r}") from None
    stamp = t.stamp(at, staff_code)
    validate_lines(lines)
    over = discounts_over_limit(t, lines)
    if over and approval is None:
        raise ApprovalRequired("discount", f"line discounts above the store's limit need a manager: lines {over}",
                               lines=over)
    approved_by = require_manager(t, approval[0], approval[1]).code if approval else None
    with t.database.transaction():
        program = t.program
        if sale_uuid is not None:
            existing = t.repo.sale_receipt_no(sale_uuid)
            if existing is not None:
                return sale_result(t, existing, replayed=True)
        member = require_active(find_member(t, member_ref)) if member_ref else None
        if member is not None and lapse_expired(t, member, stamp):
            member = _reload(t, member)
        q = _quote(t, lines=lines, member=member, points=points, coupon=coupon, now=stamp.at,
                   lapsed_written_off=True, with_max=False)
        after = member
        receipt_no = f"{t.receipt_prefix()}-{t.ledger.next_number('receipt'):08d}"
        settled = (core_tenders.settle(q.tender_fen, payments) if payments is not None
                   else core_tenders.exact(q.tender_fen, tender))
        if member is not None and q.points_paid > 0:
            require_present(t, member.uuid, presence or of_reference(member_ref), what="points")
        enforce_offline_allowance(t, points=q.points_paid, stamp=stamp, ref=receipt_no, approved_by=approved_by)
        earn = q.earn
        sale_uuid = sale_uuid or str(uuid_mod.uuid4())
        sale_id = t.repo.insert("sale", {
            "uuid": sale_uuid, "receipt_no": receipt_no,
            "member_id": member.id if member else None, "staff_code": staff_code,
            "created_at": iso(stamp.at), "business_date": stamp.day.isoformat(),
            "recorded_at": iso(stamp.recorded_at), "backdated": int(stamp.backdated),
            "total_fen": q.total_fen, "coupon_code": coupon, "coupon_fen": q.coupon_fen,
            "points_paid": q.points_paid, "points_value_fen": q.points_value_fen, "tender_fen": q.tender_fen,
            "tender_kind": _kind_of(settled, tender), "change_fen": settled.change_fen,
            "credited_purchase": earn.credited_purchase if earn else 0,
            "credited_bonus": earn.credited_bonus if earn else 0,
            "bonuses": ",".join(b for b, _ in earn.bonuses) if earn and earn.credited_bonus else "",
            "flags": ",".join(earn.flags) if earn else "", "program_version": program.version,
        })
        for seq, td in enumerate(settled.tenders, 1):
            t.repo.insert("sale_tender", {"sale_id": sale_id, "seq": seq, "kind": td.kind,
                                          "amount_fen": td.amount_fen, "given_fen": td.given_fen})
        by_line = {le.line_no: le for le in earn.lines} if earn else {}
        line_rows = []
        for ln in lines:
            le = by_line.get(ln.line_no)
            line_row = {
                "line_no": ln.line_no, "sku": ln.sku, "name": ln.name,
                "category": ln.category, "qty": ln.qty, "unit_price_fen": ln.unit_price_fen,
                "discount_fen": ln.discount_fen, "net_fen": ln.net_fen, "flags": ",".join(ln.flags),
                "eligible_fen": le.eligible_fen if le else 0,
                "multiplier": str(le.multiplier) if le else "1",
            }
            t.repo.insert("sale_line", {"sale_id": sale_id, **line_row})
            line_rows.append(line_row)
        if coupon:
            t.repo.use_coupon(coupon, at=iso(stamp.at), receipt_no=receipt_no)
            t.ledger.outbox_event("coupon_use", coupon, {"receipt_no": receipt_no, "at": iso(stamp.at)}, stamp)
        tier_before = tier_after = None
        if member is not None and earn is not None:
            tier_before = tier_after = member.tier
            after = _write_member_side(t, member, q, earn, receipt_no, stamp)
            upgraded = apply_upgrade(t, after, stamp)
            if upgraded is not None:
                tier_after, after = upgraded, _reload(t, member)
        # the whole sale and its lines: a till rebuilt from headquarters refunds it like this one
        t.ledger.outbox_event("sale", receipt_no, {
            "total_fen": q.total_fen, "tender": _kind_of(settled, tender), "member": member.uuid if member else None,
            "tenders": [td.to_dict() for td in settled.tenders], "change_fen": settled.change_fen,
            "uuid": sale_uuid, "receipt_no": receipt_no, "staff_code": staff_code, "created_at": iso(stamp.at),
            "business_date": stamp.day.isoformat(), "recorded_at": iso(stamp.recorded_at),
            "backdated": stamp.backdated, "coupon_code": coupon, "coupon_fen": q.coupon_fen,
            "points_paid": q.points_paid, "points_value_fen": q.points_value_fen, "tender_fen": q.tender_fen,
            "credited_purchase": earn.credited_purchase if earn else 0,
            "credited_bonus": earn.credited_bonus if earn else 0,
            "bonuses": ",".join(b for b, _ in earn.bonuses) if earn and earn.credited_bonus else "",
            "flags": ",".join(earn.flags) if earn else "", "program_version": program.version,
            "earned": earn.total if earn else 0, "lines": line_rows}, stamp)
        t.ledger.audit("sale", receipt_no, {"total_fen": q.total_fen, "points_paid": q.points_paid,
                                            "earned": earn.total if earn else 0}, stamp)
        if any(ln.discount_fen for ln in lines):  # every line discount, and who approved those above the limit
            t.ledger.audit("sale.discount", receipt_no, {
                "lines": {str(ln.line_no): ln.discount_fen for ln in lines if ln.discount_fen},
                "over_limit": over, "approved_by": approved_by if over else None}, stamp)
        if queue_receipt:
            t.repo.queue_print_job("receipt", receipt_no, {}, iso(stamp.recorded_at))
        expiring = _expiring(t, after.id, stamp.day) if after else []
    return SaleResult(
        receipt_no=receipt_no, sale_uuid=sale_uuid, total_fen=q.total_fen, coupon_fen=q.coupon_fen,
        points_paid=q.points_paid, points_value_fen=q.points_value_fen, tender_fen=q.tender_fen,
        tender_kind=_kind_of(settled, tender), points_earned=earn.total if earn else 0,
        breakdown=earn.breakdown() if earn else None, member=after, tier_before=tier_before,
        tier_after=tier_after, flags=earn.flags if earn else (),
        expiring=expiring, tenders=settled.tenders, change_fen=settled.change_fen,
    )


def discounts_over_limit(t: Terminal, lines: list[SaleLine]) -> list[int]:
    """The line numbers whose discount is above the store's limit (settings ``discount.*``);
    the settings are read only for a basket with a discount."""
    if not any(ln.discount_fen for ln in lines):
        return []
    s = load_settings(t)
    return [ln.line_no for ln in lines if core_tenders.discount_over_limit(
        ln.gross_fen, ln.discount_fen, limit_percent=s.discount_limit_percent, limit_fen=s.discount_limit_fen)]


def _kind_of(settled: Settlement, tender: str) -> str:
    """The sale's ``tender_kind``: its one tender's kind, "split" for several; a sale paid
    entirely with points or a coupon keeps the kind the cashier had chosen."""
    return tender if not settled.tenders else settled.kind


def sale_tenders(t: Terminal, sale_id: int) -> tuple[Tender, ...]:
    """A sale's tenders in the order they were taken."""
    return tuple(Tender(r["kind"], r["amount_fen"], r["given_fen"]) for r in t.repo.sale_tenders(sale_id))


def _expiring(t: Terminal, member_id: int, day: dt.date) -> list[tuple[int, int]]:
    notice = t.program.expiry.notice_days
    if not notice:
        return []
    soon = t.ledger.live_lots(member_id, expiring_by=day + dt.timedelta(days=max(notice)))
    return core_lots.expiring_soon(soon, day, notice)


def _reload(t: Terminal, member: MemberRecord) -> MemberRecord:
    m = t.repo.member_by_id(member.id)
    assert m is not None
    return m


def _write_member_side(t: Terminal, member: MemberRecord, q: SaleQuote, earn: EarnResult, receipt_no: str,
                       stamp: Stamp) -> MemberRecord:
    """The member's entries, lots and purchase dates; returns the member as they are now. ``member``
    was read in this transaction, and paying with points never adds debt, so its debt is current."""
    program = t.program
    if q.points_paid:
        entry_id = t.ledger.append(
            member_id=member.id, member_uuid=member.uuid, kind="redeem", points=-q.points_paid,
            ref_type="sale", ref_no=receipt_no, breakdown={"value_fen": q.points_value_fen},
            stamp=stamp, program_version=program.version,
        )
        t.ledger.debit_lots(member_id=member.id, entry_id=entry_id, points=q.points_paid)
    if earn.total:
        entry_id = t.ledger.append(
            member_id=member.id, member_uuid=member.uuid, kind="earn", points=earn.total,
            tier_points=earn.credited_purchase, ref_type="sale", ref_no=receipt_no,
            breakdown=earn.breakdown(), stamp=stamp, program_version=program.version,
        )
        t.ledger.credit_lot(member_id=member.id, entry_id=entry_id, points=earn.total, earned_on=stamp.day,
                            expires_on=core_lots.expiry_date(program.expiry, stamp.day), debt=member.debt)
    first = member.first_purchase_at is None
    updates: dict[str, Any] = {"last_purchase_at": iso(stamp.at)}
    if first:
        updates["first_purchase_at"] = iso(stamp.at)
    after = t.repo.update_member_returning(member.id, **updates)
    if first and member.referrer_id is not None:
        referrer = t.repo.member_by_id(member.referrer_id)
        award = next((a for a in program.awards if a.referral), None)
        if referrer is not None and award is not None and referrer.status == "active":
            _grant_award(t, referrer, award, stamp, {"referred": member.uuid, "receipt_no": receipt_no})
    return after


def sale_result(t: Terminal, receipt_no: str, *, replayed: bool = False) -> SaleResult:
    """A recorded sale, as the counter reports it."""
    receipt_no = identifier(receipt_no, field="receipt_no")
    s = t.repo.sale(receipt_no)
    if s is None:
        raise NotFound("receipt_no", f"no sale {receipt_no!r}")
    member = t.repo.member_by_id(s["member_id"]) if s["member_id"] else None
    earned = t.ledger.earn_entry(receipt_no)
    return SaleResult(
        receipt_no=receipt_no, sale_uuid=s["uuid"], total_fen=s["total_fen"], coupon_fen=s["coupon_fen"],
        points_paid=s["points_paid"], points_value_fen=s["points_value_fen"], tender_fen=s["tender_fen"],
        tender_kind=s["tender_kind"], points_earned=earned[0] if earned else 0,
        breakdown=json.loads(earned[1]) if earned else None, member=member,
        tier_before=None, tier_after=member.tier if member else None,
        flags=tuple(f for f in s["flags"].split(",") if f), replayed=replayed,
        tenders=sale_tenders(t, s["id"]), change_fen=s["change_fen"],
    )


# --------------------------------------------------------------------------------- refunds


@dataclass(frozen=True)
class RefundResult:
    refund_no: str
    receipt_no: str
    lines: list[int]
    net_fen: int
    refund_fen: int
    clawback: int
    clawback_purchase: int
    clawback_bonus: int
    returned_points: int
    written_off: int
    shortfall: int
    complete: bool
    member: MemberRecord | None
    coupon_returned: str | None = None  # the coupon code the member has back (the sale's last lines)
    tenders: tuple[tuple[str, int], ...] = ()  # where the money goes: (tender kind, fen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenders": [{"kind": k, "amount_fen": f} for k, f in self.tenders],
            "refund_no": self.refund_no, "receipt_no": self.receipt_no, "lines": self.lines,
            "net_fen": self.net_fen, "refund_fen": self.refund_fen, "clawback": self.clawback,
            "clawback_purchase": self.clawback_purchase, "clawback_bonus": self.clawback_bonus,
            "returned_points": self.returned_points, "written_off": self.written_off,
            "shortfall": self.shortfall, "complete": self.complete, "coupon_returned": self.coupon_returned,
            "balance_after": self.member.balance if self.member else None,
            "debt": self.member.debt if self.member else None,
        }


def _refund_plan(t: Terminal, receipt_no: str, line_nos: list[int] | None) -> tuple[dict[str, Any], Any, list[int]]:
    sale = t.repo.sale(receipt_no)
    if sale is None:
        raise NotFound("receipt_no", f"no sale {receipt_no!r}")
    rows = t.repo.sale_lines(sale["id"])
    open_lines = [r["line_no"] for r in rows if r["refund_id"] is None]
    if not open_lines:
        raise RuleViolation("receipt_no", f"sale {receipt_no} is refunded entirely already")
    if line_nos is None:
        chosen = open_lines
    else:
        if not line_nos:
            raise InvalidInput("lines", "name at least one line to refund")
        known = {r["line_no"] for r in rows}
        for n in line_nos:
            if n not in known:
                raise InvalidInput("lines", f"sale {receipt_no} has no line {n}")
            if n not in open_lines:
                raise RuleViolation("lines", f"line {n} of {receipt_no} was refunded already")
        chosen = sorted(set(line_nos))
    done_row = t.repo.refunded_so_far(sale["id"])
    plan = plan_refund(
        [RefundLine(r["line_no"], r["net_fen"], r["eligible_fen"] * Fraction(r["multiplier"])) for r in rows],
        refunded_before={r["line_no"] for r in rows if r["refund_id"] is not None},
        refund_now=set(chosen),
        totals=SaleTotals(sale["credited_purchase"], sale["credited_bonus"], sale["points_paid"],
                          sale["points_value_fen"], sale["coupon_fen"]),
        done=RefundDone(done_row["cp"], done_row["cb"], done_row["rp"], done_row["rf"]),
    )
    return sale, plan, chosen


def _coupon_back(t: Terminal, sale: dict[str, Any], complete: bool) -> str | None:
    """The coupon a refund gives back: the sale's, when this refund takes its last lines and the
    coupon is still marked used by this sale. A partial refund keeps it used (the rest of the
    sale still had its discount); its own validity dates still apply afterwards."""
    code = sale["coupon_code"]
    if not complete or not code:
        return None
    coupon = t.repo.coupon(code)
    return code if coupon is not None and coupon["used_receipt_no"] == sale["receipt_no"] else None


def refund_room(t: Terminal, sale_id: int) -> list[tuple[str, int]]:
    """What each of a sale's tenders paid less what refunds gave back to it already."""
    back = t.repo.refunded_by_tender(sale_id)
    room: dict[str, int] = {}
    for td in t.repo.sale_tenders(sale_id):
        room[td["kind"]] = room.get(td["kind"], 0) + td["amount_fen"]
    return [(k, max(0, f - back.get(k, 0))) for k, f in room.items()]


def _refund_tenders(t: Terminal, sale: dict[str, Any], refund_fen: int,
                    to: list[tuple[str, int]] | None) -> list[tuple[str, int]]:
    """Where a refund's money goes: back to the sale's tenders pro rata (``to`` None), or as
    the cashier chose (``core.tenders.chosen_refund``). A sale without tenders (paid with
    points and coupons only) gives money back in cash."""
    room = refund_room(t, sale["id"])
    if to is not None:
        return core_tenders.chosen_refund(refund_fen, room, to)
    if refund_fen > sum(f for _, f in room):
        return [("cash", refund_fen)] if refund_fen else []
    return core_tenders.split_refund(refund_fen, room)


def quote_refund(t: Terminal, *, receipt_no: str, line_nos: list[int] | None = None,
                 to: list[tuple[str, int]] | None = None) -> dict[str, Any]:
    """What a refund would claw back and return, and to which tenders the money goes, shown
    before the cashier confirms."""
    receipt_no = identifier(receipt_no, field="receipt_no")
    sale, plan, chosen = _refund_plan(t, receipt_no, line_nos)
    tenders = _refund_tenders(t, sale, plan.refund_fen, to)
    member = t.repo.member_by_id(sale["member_id"]) if sale["member_id"] else None
    shortfall = 0
    if member is not None:  # what the lots can still give (lapsed points are written off first)
        in_lots = member.balance + member.debt - t.ledger.lapsed_points(member.id, t.clock().date())
        shortfall = max(0, plan.clawback - in_lots)
    return {"receipt_no": receipt_no, "lines": chosen, "net_fen": plan.net_fen, "refund_fen": plan.refund_fen,
            "clawback": plan.clawback, "returned_points": plan.return_points, "complete": plan.complete,
            "balance_now": member.balance if member else None, "expected_shortfall": shortfall,
            "coupon_returned": _coupon_back(t, sale, plan.complete),
            "tenders": [{"kind": k, "amount_fen": f} for k, f in tenders],
            "sale_tenders": [{"kind": k, "room_fen": f} for k, f in refund_room(t, sale["id"])]}


def refund_sale(t: Terminal, *, receipt_no: str, line_nos: list[int] | None = None, at: dt.datetime | None = None,
                staff_code: str | None = None, queue_receipt: bool = False,
                to: list[tuple[str, int]] | None = None) -> RefundResult:
    """Refund a whole sale or some of its lines, reversing its points exactly; with
    ``queue_receipt`` the refund slip is queued for printing in the same transaction. The
    money goes back to the sale's tenders pro rata, or as ``to`` (kind, fen) says."""
    receipt_no = identifier(receipt_no, field="receipt_no")
    stamp = t.stamp(at, staff_code)
    program = t.program
    with t.database.transaction():
        sale, plan, chosen = _refund_plan(t, receipt_no, line_nos)
        tenders = _refund_tenders(t, sale, plan.refund_fen, to)
        n = t.repo.refunded_so_far(sale["id"])["n"] + 1
        refund_no = f"{receipt_no}-R{n}"
        member = t.repo.member_by_id(sale["member_id"]) if sale["member_id"] else None
        shortfall = written_off = 0
        if member is not None and lapse_expired(t, member, stamp):
            member = _reload(t, member)
        if member is not None and plan.clawback:
            earn_lots = t.ledger.lots_earned_by(receipt_no, member.id)
            entry_id = t.ledger.append(
                member_id=member.id, member_uuid=member.uuid, kind="clawback", points=-plan.clawback,
                tier_points=-plan.clawback_purchase, ref_type="refund", ref_no=receipt_no,
                breakdown={"refund_no": refund_no, "lines": chosen, "purchase": plan.clawback_purchase,
                           "bonus": plan.clawback_bonus, "balance_before": member.balance,
                           "shortfall": max(0, plan.clawback - member.balance - member.debt)},
                stamp=stamp, program_version=program.version,
            )
            _, shortfall = t.ledger.debit_lots(member_id=member.id, entry_id=entry_id, points=plan.clawback,
                                               prefer=earn_lots, allow_debt=True)
        if member is not None and plan.return_points:
            written_off = _return_points(t, member, receipt_no, refund_no, plan.return_points, stamp)
        coupon_back = _coupon_back(t, sale, plan.complete)
        if coupon_back is not None:
            t.repo.return_coupon(coupon_back, receipt_no=receipt_no)
            t.ledger.outbox_event("coupon_return", coupon_back, {"receipt_no": receipt_no, "refund_no": refund_no,
                                                                 "at": iso(stamp.at)}, stamp)
        refund_id = t.repo.insert("refund", {
            "refund_no": refund_no, "sale_id": sale["id"], "staff_code": staff_code, "created_at": iso(stamp.at),
            "business_date": stamp.day.isoformat(), "net_fen": plan.net_fen, "refund_fen": plan.refund_fen,
            "clawback_purchase": plan.clawback_purchase, "clawback_bonus": plan.clawback_bonus,
            "returned_points": plan.return_points, "shortfall": shortfall, "complete": int(plan.complete),
            "coupon_returned": coupon_back,
        })
        t.repo.mark_lines_refunded(sale["id"], chosen, refund_id)
        for kind, fen in tenders:
            t.repo.insert("refund_tender", {"refund_id": refund_id, "kind": kind, "amount_fen": fen})
        # the whole refund row: a till rebuilt from headquarters knows which lines are back
        t.ledger.outbox_event("refund", refund_no, {
            "receipt_no": receipt_no, "lines": chosen, "refund_fen": plan.refund_fen, "staff_code": staff_code,
            "created_at": iso(stamp.at), "business_date": stamp.day.isoformat(), "net_fen": plan.net_fen,
            "clawback_purchase": plan.clawback_purchase, "clawback_bonus": plan.clawback_bonus,
            "returned_points": plan.return_points, "shortfall": shortfall, "complete": plan.complete,
            "coupon_returned": coupon_back, "tenders": [{"kind": k, "amount_fen": f} for k, f in tenders]}, stamp)
        t.ledger.audit("refund", refund_no, {"receipt_no": receipt_no, "lines": chosen, "clawback": plan.clawback,
                                             "returned": plan.return_points, "shortfall": shortfall,
                                             "coupon_returned": coupon_back}, stamp)
        if queue_receipt:
            t.repo.queue_print_job("refund", refund_no, {}, iso(stamp.recorded_at))
    return RefundResult(
        refund_no=refund_no, receipt_no=receipt_no, lines=chosen, net_fen=plan.net_fen, refund_fen=plan.refund_fen,
        clawback=plan.clawback, clawback_purchase=plan.clawback_purchase, clawback_bonus=plan.clawback_bonus,
        returned_points=plan.return_points, written_off=written_off, shortfall=shortfall, complete=plan.complete,
        member=_reload(t, member) if member else None, coupon_returned=coupon_back, tenders=tuple(tenders),
    )


def _return_points(t: Terminal, member: MemberRecord, receipt_no: str, refund_no: str, points: int,
                   stamp: Stamp) -> int:
    """Paid points go back into the lots they came from, latest-expiring first; what lands in
    an already expired lot is written off at once. Returns the points written off."""
    program = t.program
    paid = t.ledger.paid_from_lots(receipt_no)
    order = sorted(paid, key=lambda r: (r[2] or core_lots.NEVER, r[0]), reverse=True)
    allocations: list[tuple[int, int]] = []
    left = points
    for lot_id, taken, _expires_on, back in order:
        give = min(taken - back, left)
        if give > 0:
            allocations.append((lot_id, give))
            left -= give
    if left:  # cannot happen while returns never exceed what was paid; refuse rather than invent
        raise RuleViolation("points", f"cannot place {left} returned points into their original lots")
    entry_id = t.ledger.append(
        member_id=member.id, member_uuid=member.uuid, kind="return", points=points, ref_type="refund",
        ref_no=receipt_no, breakdown={"refund_no": refund_no, "lots": [[lot, p] for lot, p in allocations]},
        stamp=stamp, program_version=program.version,
    )
    targets = {a for a, _ in allocations}
    expired_ids = frozenset(lot.id for lot in t.ledger.lots_of(member.id)
                            if lot.id in targets and core_lots.is_expired(lot, stamp.day))
    t.ledger.return_to_lots(member_id=member.id, entry_id=entry_id, allocations=allocations, expired=expired_ids)
    expired = [lot for lot in t.ledger.lots_of(member.id) if lot.id in expired_ids and lot.remaining]
    total = sum(lot.remaining for lot in expired)
    if total:
        exp_id = t.ledger.append(
            member_id=member.id, member_uuid=member.uuid, kind="expire", points=-total, ref_type="refund",
            ref_no=receipt_no, breakdown={"refund_no": refund_no, "reason": "returned into expired lots",
                                          "lots": [[lot.id, lot.remaining] for lot in expired]},
            stamp=stamp, program_version=program.version,
        )
        t.ledger.debit_lots(member_id=member.id, entry_id=exp_id, points=total, prefer=tuple(x.id for x in expired))
    return total
