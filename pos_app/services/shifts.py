"""Cashier shifts: open, close, and the shift report (a wall-clock window on this terminal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import Conflict, NotFound
from pos_app.services.context import Terminal
from pos_app.storage import figures
from pos_app.storage.ledger import iso


@dataclass(frozen=True)
class Shift:
    shift_no: str
    staff_code: str
    opened_at: str
    closed_at: str | None


def current_shift(t: Terminal) -> Shift | None:
    row = t.repo.open_shift()
    return Shift(**row) if row else None


def open_shift(t: Terminal, *, staff_code: str) -> Shift:
    stamp = t.stamp(None, staff_code)
    with t.database.transaction():
        if current_shift(t) is not None:
            raise Conflict("shift", "a shift is open already on this terminal; close it first")
        shift_no = f"{t.receipt_prefix()}-S{t.ledger.next_number('shift'):05d}"
        t.repo.insert("shift", {"shift_no": shift_no, "staff_code": staff_code, "opened_at": iso(stamp.recorded_at)})
        t.ledger.audit("shift.open", shift_no, {}, stamp)
    shift = current_shift(t)
    assert shift is not None
    return shift


def shift_report(t: Terminal, opened_at: str, closed_at: str | None) -> dict[str, Any]:
    """Figures of a wall-clock window on this terminal (recorded time, not business time)."""
    end = closed_at or "9999-12-31T23:59:59"
    f = figures.recorded_between(t.repo, opened_at, end)
    sales, tenders, points, gifts, gift_cash, refunds = (
        f["sales"], f["tenders"], f["points"], f["gifts"], f["gift_cash"], f["refunds"])
    return {
        "opened_at": opened_at, "closed_at": closed_at, "sales": sales["sales"],
        "member_sales": sales["member_sales"], "total_fen": sales["total_fen"], "tender_fen": sales["tender_fen"],
        # per tender kind: sales that used it, the fen it paid; cash also what was handed over
        # (``given_fen``) and the change given back (the sales' ``change_fen``)
        "tenders": {r["tender_kind"]: {"count": r["n"], "fen": r["fen"], "given_fen": r["given"]} for r in tenders},
        "change_fen": sales["change_fen"],
        "points_issued": points["issued"], "points_redeemed": points["redeemed"],
        "gifts": {r["gift"]: r["n"] for r in gifts}, "gifts_total": sum(r["n"] for r in gifts),
        # cash collected with gifts (points + cash), taken in cash besides the sales' tenders
        "gift_cash": {"count": gift_cash["n"], "fen": gift_cash["fen"]},
        "takings_fen": sales["tender_fen"] + gift_cash["fen"],
        "refunds": refunds["n"],
        # money given back by those refunds, per tender kind
        "refund_tenders": {r["kind"]: {"count": r["n"], "fen": r["fen"]} for r in f["refund_tenders"]},
    }


def close_shift(t: Terminal, *, staff_code: str) -> dict[str, Any]:
    stamp = t.stamp(None, staff_code)
    with t.database.transaction():
        shift = current_shift(t)
        if shift is None:
            raise NotFound("shift", "no shift is open")
        closed_at = iso(stamp.recorded_at)
        report = {"shift_no": shift.shift_no, "staff_code": shift.staff_code,
                  **shift_report(t, shift.opened_at, closed_at)}
        t.repo.close_shift(shift.shift_no, closed_at, report)
        t.ledger.audit("shift.close", shift.shift_no, {"sales": report["sales"]}, stamp)
        # the shift report prints through the print queue, like receipts (services.printing)
        t.repo.queue_print_job("shift", shift.shift_no, {}, closed_at)
    return report
