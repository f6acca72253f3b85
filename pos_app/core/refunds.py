"""Refunds: what a refund of some lines claws back, returns, and pays out, exactly.

Every figure is computed cumulatively (everything refunded so far, minus what earlier
refunds of the same sale already did), so that refunding a sale line by line ends at
exactly the same numbers as refunding it whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pos_app.core.money import floor_fraction


@dataclass(frozen=True)
class RefundLine:
    line_no: int
    net_fen: int
    weighted: Fraction  # eligible fen x line multiplier, as earned


@dataclass(frozen=True)
class SaleTotals:
    """What the original sale did, as recorded."""

    credited_purchase: int
    credited_bonus: int
    points_paid: int
    points_value_fen: int
    coupon_fen: int


@dataclass(frozen=True)
class RefundDone:
    """What earlier refunds of the same sale already did."""

    clawed_purchase: int = 0
    clawed_bonus: int = 0
    returned_points: int = 0
    refunded_fen: int = 0


@dataclass(frozen=True)
class RefundPlan:
    clawback_purchase: int
    clawback_bonus: int
    return_points: int
    refund_fen: int  # money back to the customer's tender
    net_fen: int  # the refunded lines' net amount
    complete: bool  # the sale is now refunded entirely

    @property
    def clawback(self) -> int:
        return self.clawback_purchase + self.clawback_bonus


def _share(total: int, part: Fraction | int, whole: Fraction | int) -> int:
    if whole == 0:
        return 0
    return floor_fraction(Fraction(total) * Fraction(part) / Fraction(whole))


def plan_refund(lines: list[RefundLine], *, refunded_before: set[int], refund_now: set[int],
                totals: SaleTotals, done: RefundDone) -> RefundPlan:
    """Clawback in proportion to the weighted eligible amount refunded, paid points
    returned in proportion to the net amount refunded; everything on a complete refund."""
    cum = refunded_before | refund_now
    complete = all(ln.line_no in cum for ln in lines)
    w_all = sum((ln.weighted for ln in lines), Fraction(0))
    w_cum = sum((ln.weighted for ln in lines if ln.line_no in cum), Fraction(0))
    n_all = sum(ln.net_fen for ln in lines)
    n_cum = sum(ln.net_fen for ln in lines if ln.line_no in cum)
    n_now = sum(ln.net_fen for ln in lines if ln.line_no in refund_now)
    if complete:
        purchase_after = totals.credited_purchase
        bonus_after = totals.credited_bonus
        returned_after = totals.points_paid
        fen_after = n_all - totals.coupon_fen - totals.points_value_fen
    else:
        purchase_after = _share(totals.credited_purchase, w_cum, w_all)
        bonus_after = 0
        returned_after = _share(totals.points_paid, n_cum, n_all)
        fen_after = (n_cum - _share(totals.coupon_fen, n_cum, n_all)
                     - _share(totals.points_value_fen, n_cum, n_all))
    return RefundPlan(
        clawback_purchase=max(0, purchase_after - done.clawed_purchase),
        clawback_bonus=max(0, bonus_after - done.clawed_bonus),
        return_points=max(0, returned_after - done.returned_points),
        refund_fen=max(0, fen_after - done.refunded_fen),
        net_fen=n_now,
        complete=complete,
    )
