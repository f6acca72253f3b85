"""Cashier shifts: open, close, and the shift report (a wall-clock window on this terminal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import Conflict, InvalidInput, NotFound
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
    f = figures.recorded_between(t.repo, t.terminal_id, opened_at, end)
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


def expected_takings(report: dict[str, Any], float_fen: int) -> dict[str, int]:
    """What the drawer and each payment kind should hold at the end of a shift (``report`` as
    ``shift_report`` makes it): per kind the sales paid in it less the refunds given back in it;
    cash also the float and the cash taken with points + cash gifts."""
    kinds = set(report["tenders"]) | set(report["refund_tenders"]) | {"cash"}
    out = {k: int(report["tenders"].get(k, {}).get("fen", 0)) - int(report["refund_tenders"].get(k, {}).get("fen", 0))
           for k in sorted(kinds)}
    out["cash"] += float_fen + int(report["gift_cash"]["fen"])
    return out


def cash_up(t: Terminal) -> dict[str, Any]:
    """The open shift's figures as the cashier counts the drawer before closing it: the report
    so far, the float and what each payment kind should hold (``expected_takings``)."""
    shift = current_shift(t)
    if shift is None:
        raise NotFound("shift", "no shift is open")
    from pos_app.services.settings import load_settings

    float_fen = load_settings(t).cash_float_fen
    report = shift_report(t, shift.opened_at, None)
    return {"shift_no": shift.shift_no, "staff_code": shift.staff_code, **report, "float_fen": float_fen,
            "expected": expected_takings(report, float_fen)}


def close_shift(t: Terminal, *, staff_code: str, counted_cash_fen: int | None = None) -> dict[str, Any]:
    """Closes the open shift. With ``counted_cash_fen`` (the cash the cashier counted in the
    drawer) the report carries the cash-up: the float, what each payment kind should hold, the
    cash counted and the difference (over +, short -). The report is kept with the shift, printed
    through the print queue and sent to headquarters (a ``shift`` event)."""
    if counted_cash_fen is not None and (isinstance(counted_cash_fen, bool) or not isinstance(counted_cash_fen, int)
                                         or not 0 <= counted_cash_fen <= 10_000_000_000):
        raise InvalidInput("counted_cash", "the cash counted: an amount from 0 to 100,000,000.00 yuan")
    from pos_app.services.settings import load_settings

    float_fen = load_settings(t).cash_float_fen
    stamp = t.stamp(None, staff_code)
    with t.database.transaction():
        shift = current_shift(t)
        if shift is None:
            raise NotFound("shift", "no shift is open")
        closed_at = iso(stamp.recorded_at)
        report: dict[str, Any] = {"shift_no": shift.shift_no, "staff_code": shift.staff_code,
                                  **shift_report(t, shift.opened_at, closed_at)}
        expected = expected_takings(report, float_fen)
        report.update(float_fen=float_fen, expected=expected, counted_cash_fen=counted_cash_fen,
                      cash_difference_fen=None if counted_cash_fen is None else counted_cash_fen - expected["cash"],
                      closed_by=staff_code)
        t.repo.close_shift(shift.shift_no, closed_at, report)
        t.ledger.audit("shift.close", shift.shift_no, {
            "sales": report["sales"], "counted_cash_fen": counted_cash_fen,
            "cash_difference_fen": report["cash_difference_fen"]}, stamp)
        t.ledger.outbox_event("shift", shift.shift_no, shift_event(report), stamp)
        # the shift report prints through the print queue, like receipts (services.printing)
        t.repo.queue_print_job("shift", shift.shift_no, {}, closed_at)
    return report


def shift_event(report: dict[str, Any]) -> dict[str, Any]:
    """What headquarters gets of a closed shift (``sync.protocol``'s ``shift`` event)."""
    return {
        "staff_code": report["staff_code"], "closed_by": report["closed_by"], "opened_at": report["opened_at"],
        "closed_at": report["closed_at"], "sales": report["sales"], "refunds": report["refunds"],
        "takings_fen": report["takings_fen"], "float_fen": report["float_fen"],
        "expected_cash_fen": report["expected"]["cash"], "counted_cash_fen": report["counted_cash_fen"],
        "cash_difference_fen": report["cash_difference_fen"],
        "tenders": [{"kind": k, "expected_fen": v} for k, v in sorted(report["expected"].items())],
    }
