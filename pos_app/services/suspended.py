"""Suspended sales (挂单/取单): a basket put aside while the customer fetches something, kept in
the database (it survives a restart) and resumed from a list. A suspended basket is not a sale:
no receipt number, no ledger entry, no event for headquarters until it is resumed and completed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pos_app.core.earning import SaleLine, validate_lines
from pos_app.core.errors import InvalidInput, NotFound
from pos_app.core.text import identifier
from pos_app.services.context import Terminal
from pos_app.storage.ledger import iso

#: the most baskets one till keeps suspended (a forgotten pile is refused, not grown)
MAX_SUSPENDED = 50
MAX_LABEL = 40


@dataclass(frozen=True)
class Suspended:
    id: int
    label: str
    total_fen: int
    staff_code: str | None
    suspended_at: str
    lines: tuple[SaleLine, ...]
    member_card: str | None
    coupon: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "total_fen": self.total_fen, "staff_code": self.staff_code,
                "suspended_at": self.suspended_at, "lines": len(self.lines), "member": self.member_card,
                "coupon": self.coupon}


def _line_dict(ln: SaleLine) -> dict[str, Any]:
    return {"line_no": ln.line_no, "sku": ln.sku, "name": ln.name, "category": ln.category, "qty": ln.qty,
            "unit_price_fen": ln.unit_price_fen, "discount_fen": ln.discount_fen, "flags": list(ln.flags)}


def _from_row(row: dict[str, Any]) -> Suspended:
    basket = json.loads(row["basket"])
    lines = tuple(SaleLine(d["line_no"], d["sku"], d["name"], d["category"], d["qty"], d["unit_price_fen"],
                           d.get("discount_fen", 0), tuple(d.get("flags", ()))) for d in basket["lines"])
    return Suspended(id=row["id"], label=row["label"], total_fen=row["total_fen"], staff_code=row["staff_code"],
                     suspended_at=row["suspended_at"], lines=lines, member_card=basket.get("member"),
                     coupon=basket.get("coupon"))


def suspend_sale(t: Terminal, *, lines: list[SaleLine], member_card: str | None = None, coupon: str | None = None,
                 label: str | None = None, staff_code: str | None = None) -> Suspended:
    """Put a basket aside. ``label`` (e.g. the customer's description) defaults to the time."""
    validate_lines(lines)
    stamp = t.stamp(None, staff_code)
    label = (label or "").strip() or stamp.recorded_at.strftime("%H:%M:%S")
    if len(label) > MAX_LABEL:
        raise InvalidInput("label", f"at most {MAX_LABEL} characters")
    member_card = identifier(member_card, field="member") if member_card else None
    coupon = identifier(coupon, field="coupon") if coupon else None
    basket = {"lines": [_line_dict(ln) for ln in lines], "member": member_card, "coupon": coupon}
    total = sum(ln.net_fen for ln in lines)
    with t.database.transaction():
        if t.repo.suspended_count() >= MAX_SUSPENDED:
            raise InvalidInput("suspended", f"at most {MAX_SUSPENDED} suspended sales: resume or discard some first",
                               limit=MAX_SUSPENDED)
        row_id = t.repo.insert("suspended_sale", {"label": label, "basket": basket, "total_fen": total,
                                                  "staff_code": staff_code, "suspended_at": iso(stamp.recorded_at)})
        t.ledger.audit("sale.suspend", str(row_id), {"label": label, "total_fen": total, "lines": len(lines)}, stamp)
    return suspended(t, row_id)


def suspended(t: Terminal, suspended_id: int) -> Suspended:
    row = t.repo.suspended_sale(suspended_id)
    if row is None:
        raise NotFound("suspended", f"no suspended sale {suspended_id}")
    return _from_row(row)


def list_suspended(t: Terminal) -> list[Suspended]:
    """The suspended baskets, oldest first."""
    return [_from_row(r) for r in t.repo.suspended_sales()]


def resume_sale(t: Terminal, suspended_id: int, *, staff_code: str | None = None) -> Suspended:
    """Take a suspended basket back to the counter: it leaves the list (once: a second resume of
    the same basket is refused, so two tills cannot both complete it)."""
    stamp = t.stamp(None, staff_code)
    with t.database.transaction():
        s = suspended(t, suspended_id)
        t.repo.delete_suspended_sale(suspended_id)
        t.ledger.audit("sale.resume", str(suspended_id), {"label": s.label, "total_fen": s.total_fen}, stamp)
    return s


def discard_suspended(t: Terminal, suspended_id: int, *, staff_code: str | None = None) -> Suspended:
    """Throw a suspended basket away (the customer left); audited."""
    stamp = t.stamp(None, staff_code)
    with t.database.transaction():
        s = suspended(t, suspended_id)
        t.repo.delete_suspended_sale(suspended_id)
        t.ledger.audit("sale.discard", str(suspended_id), {"label": s.label, "total_fen": s.total_fen}, stamp)
    return s
