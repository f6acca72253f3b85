"""Read-only history for the counter: one sale with its lines and refunds, and the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import InvalidInput, NotFound
from pos_app.services.context import Terminal
from pos_app.storage.repo import MemberRecord

MAX_AUDIT_ROWS = 5000


@dataclass(frozen=True)
class SaleLineDetail:
    line_no: int
    sku: str
    name: str
    category: str
    qty: int
    unit_price_fen: int
    net_fen: int
    flags: tuple[str, ...]
    refund_no: str | None  # the refund that took this line back, None while it is not refunded

    @property
    def refunded(self) -> bool:
        return self.refund_no is not None


@dataclass(frozen=True)
class SaleDetail:
    receipt_no: str
    created_at: dt.datetime
    staff_code: str | None
    total_fen: int
    coupon_fen: int
    points_paid: int
    points_value_fen: int
    tender_fen: int
    tender_kind: str
    points_earned: int
    lines: tuple[SaleLineDetail, ...]
    refunds: tuple[str, ...]
    member: MemberRecord | None

    @property
    def open_lines(self) -> list[int]:
        return [ln.line_no for ln in self.lines if not ln.refunded]

    @property
    def fully_refunded(self) -> bool:
        return not self.open_lines


def sale_detail(t: Terminal, receipt_no: str) -> SaleDetail:
    """A recorded sale with each line's refund state and the member it was sold to."""
    if not isinstance(receipt_no, str) or not receipt_no.strip():
        raise InvalidInput("receipt_no", "a receipt number is required")
    receipt_no = receipt_no.strip()
    with t.database.reading():
        sale = t.repo.sale(receipt_no)
        if sale is None:
            raise NotFound("receipt_no", f"no sale {receipt_no!r}")
        rows = t.repo.sale_lines_refunded_by(sale["id"])
        refunds = t.repo.refund_nos(sale["id"])
        member = t.repo.member_by_id(sale["member_id"]) if sale["member_id"] else None
    lines = tuple(
        SaleLineDetail(line_no=r["line_no"], sku=r["sku"], name=r["name"], category=r["category"], qty=r["qty"],
                       unit_price_fen=r["unit_price_fen"], net_fen=r["net_fen"],
                       flags=tuple(f for f in r["flags"].split(",") if f), refund_no=r["refund_no"])
        for r in rows)
    return SaleDetail(
        receipt_no=receipt_no, created_at=dt.datetime.fromisoformat(sale["created_at"]),
        staff_code=sale["staff_code"], total_fen=sale["total_fen"], coupon_fen=sale["coupon_fen"],
        points_paid=sale["points_paid"], points_value_fen=sale["points_value_fen"], tender_fen=sale["tender_fen"],
        tender_kind=sale["tender_kind"], points_earned=sale["credited_purchase"] + sale["credited_bonus"],
        lines=lines, refunds=tuple(refunds), member=member,
    )


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    staff_code: str | None
    staff_name: str | None
    action: str
    ref: str
    member_card: str | None  # when the reference is a member's uuid, that member's card number
    details: dict[str, Any]


def audit_trail(t: Terminal, *, action: str | None = None, limit: int = 200) -> list[AuditRow]:
    """Audit rows, newest first, optionally only one action (``points.adjust``, ``refund``, ...)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_AUDIT_ROWS:
        raise InvalidInput("limit", f"must be a whole number from 1 to {MAX_AUDIT_ROWS}")
    return [
        AuditRow(id=r["id"], at=dt.datetime.fromisoformat(r["at"]), staff_code=r["staff_code"],
                 staff_name=r["staff_name"], action=r["action"], ref=r["ref"], member_card=r["card_no"],
                 details=json.loads(r["details"]) if r["details"] else {})
        for r in t.repo.audit_rows(action or None, limit)
    ]


def audit_actions(t: Terminal) -> list[str]:
    """The actions the audit trail holds, for a filter list."""
    return t.repo.audit_actions()
