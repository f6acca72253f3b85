"""Redeeming points: as payment, for gifts and coupons, within caps and approvals."""

from __future__ import annotations

from pos_app.core.errors import ApprovalRequired, InvalidInput, RuleViolation
from pos_app.core.money import check_points
from pos_app.core.program import Gift, Program


def max_payment_points(program: Program, *, base_fen: int, balance: int, redeemed_this_month: int) -> int:
    """The most points a member may pay with on a sale of ``base_fen`` (after discounts)."""
    r = program.redemption
    by_share_fen = base_fen * r.max_share_percent // 100
    by_share = by_share_fen * r.points_per_unit // r.fen_per_unit
    limit = min(by_share, max(balance, 0))
    if r.monthly_cap_points is not None:
        limit = min(limit, max(0, r.monthly_cap_points - redeemed_this_month))
    limit -= limit % r.step_points
    return limit if limit >= r.min_points else 0


def check_payment(program: Program, points: int, *, base_fen: int, balance: int,
                  redeemed_this_month: int, field: str = "points") -> int:
    """Validate paying ``points`` on a sale; returns their value in fen."""
    r = program.redemption
    check_points(points, field=field)
    if points < r.min_points:
        raise RuleViolation(field, f"at least {r.min_points} points per payment", minimum=r.min_points)
    if points % r.step_points:
        raise InvalidInput(field, f"must be in steps of {r.step_points} points", step=r.step_points)
    value = r.value_fen(points)
    max_fen = base_fen * r.max_share_percent // 100
    if value > max_fen:
        raise RuleViolation(
            field, f"points may pay at most {r.max_share_percent}% of the sale",
            max_share_percent=r.max_share_percent, max_fen=max_fen,
        )
    if points > balance:
        raise RuleViolation(field, f"balance is {balance} points", balance=balance)
    check_monthly_cap(program, points, redeemed_this_month=redeemed_this_month, field=field)
    return value


def check_monthly_cap(program: Program, points: int, *, redeemed_this_month: int,
                      field: str = "points") -> None:
    cap = program.redemption.monthly_cap_points
    if cap is not None and redeemed_this_month + points > cap:
        raise RuleViolation(
            field, f"monthly redemption cap of {cap} points reached "
            f"({redeemed_this_month} already redeemed this month)",
            cap=cap, redeemed=redeemed_this_month,
        )


def needs_approval(program: Program, gift: Gift, quantity: int = 1) -> bool:
    threshold = program.redemption.approval_threshold_points
    return threshold is not None and gift.points * quantity >= threshold


def check_gift(program: Program, gift: Gift, *, balance: int, redeemed_this_month: int,
               this_gift_this_month: int, stock: int | None, approved: bool) -> None:
    """Validate one gift redemption; raises the first rule it breaks."""
    if gift.stock_tracked and (stock is None or stock < 1):
        raise RuleViolation("gift", f"{gift.code} is out of stock", stock=stock or 0)
    if gift.per_member_month_limit is not None and this_gift_this_month >= gift.per_member_month_limit:
        raise RuleViolation(
            "gift", f"at most {gift.per_member_month_limit} of {gift.code} per member per month",
            limit=gift.per_member_month_limit,
        )
    if gift.points > balance:
        raise RuleViolation("points", f"balance is {balance} points, {gift.code} needs {gift.points}",
                            balance=balance, needed=gift.points)
    check_monthly_cap(program, gift.points, redeemed_this_month=redeemed_this_month)
    if needs_approval(program, gift) and not approved:
        raise ApprovalRequired(
            "manager", f"{gift.code} costs {gift.points} points and needs a manager's approval",
            threshold=program.redemption.approval_threshold_points,
        )
