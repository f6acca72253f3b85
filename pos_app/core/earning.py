"""Earning points on a sale: eligible amounts, multipliers, flat bonuses and caps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pos_app.core.errors import InvalidInput
from pos_app.core.money import allocate_pro_rata, check_fen, floor_fraction, fraction_text
from pos_app.core.program import Program

MAX_LINES = 500
MAX_QTY = 100_000
MAX_LINE_TEXT = 200  # sku, name, category of a line (= sync.protocol.MAX_LINE_TEXT)


@dataclass(frozen=True)
class SaleLine:
    """One basket line. ``discount_fen`` is the line discount on the whole line."""

    line_no: int
    sku: str
    name: str
    category: str
    qty: int
    unit_price_fen: int
    discount_fen: int = 0
    flags: tuple[str, ...] = ()

    @property
    def gross_fen(self) -> int:
        return self.qty * self.unit_price_fen

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.discount_fen


def validate_lines(lines: list[SaleLine]) -> None:
    """Refuse baskets no real sale could have, naming the line and field."""
    if not lines:
        raise InvalidInput("lines", "a sale needs at least one line")
    if len(lines) > MAX_LINES:
        raise InvalidInput("lines", f"at most {MAX_LINES} lines in one sale")
    seen = set()
    for i, line in enumerate(lines):
        p = f"lines[{i}]"
        if line.line_no in seen:
            raise InvalidInput(f"{p}.line_no", f"duplicate line number {line.line_no}")
        seen.add(line.line_no)
        if isinstance(line.qty, bool) or not isinstance(line.qty, int) or not 1 <= line.qty <= MAX_QTY:
            raise InvalidInput(f"{p}.qty", f"must be a whole number from 1 to {MAX_QTY}, got {line.qty!r}")
        check_fen(line.unit_price_fen, field=f"{p}.price")
        check_fen(line.discount_fen, field=f"{p}.discount", allow_zero=True)
        if line.discount_fen > line.gross_fen:
            raise InvalidInput(f"{p}.discount", "is larger than the line amount")
        check_fen(line.gross_fen, field=f"{p}.amount")
        if not isinstance(line.category, str) or not isinstance(line.name, str):
            raise InvalidInput(f"{p}.category", "must be text")
        # what a sale event carries to headquarters (sync.protocol.SALE_LINE_SCHEMA)
        for key in ("sku", "name", "category"):
            value = getattr(line, key)
            if not isinstance(value, str) or len(value) > MAX_LINE_TEXT:
                raise InvalidInput(f"{p}.{key}", f"must be text of at most {MAX_LINE_TEXT} characters")
        if len(",".join(line.flags)) > MAX_LINE_TEXT:
            raise InvalidInput(f"{p}.flags", f"at most {MAX_LINE_TEXT} characters of flags")
    check_fen(sum(line.net_fen for line in lines), field="total", allow_zero=True)


@dataclass(frozen=True)
class LineEarning:
    line_no: int
    net_fen: int
    excluded: bool
    deduction_fen: int
    eligible_fen: int
    multiplier: Fraction
    multiplier_ids: tuple[str, ...]

    @property
    def weighted(self) -> Fraction:
        return self.eligible_fen * self.multiplier


@dataclass(frozen=True)
class EarnResult:
    """Everything earned by one sale, with the reasons for each number."""

    lines: tuple[LineEarning, ...]
    sale_multipliers: tuple[tuple[str, Fraction], ...]
    sale_multiplier: Fraction
    purchase_points_uncapped: int
    purchase_points: int  # after the per-sale cap
    bonuses: tuple[tuple[str, int], ...]
    daily_cap_cut: int
    credited_purchase: int  # purchase points actually credited (after the daily cap)
    credited_bonus: int
    flags: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return self.credited_purchase + self.credited_bonus

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def breakdown(self) -> dict[str, Any]:
        """A JSON-ready explanation of every number (kept with the ledger entry)."""
        return {
            "lines": [
                {
                    "line": le.line_no, "net_fen": le.net_fen, "excluded": le.excluded,
                    "deduction_fen": le.deduction_fen, "eligible_fen": le.eligible_fen,
                    "multiplier": fraction_text(le.multiplier),
                    "multiplier_ids": list(le.multiplier_ids),
                    "weighted": fraction_text(le.weighted),
                }
                for le in self.lines
            ],
            "sale_multipliers": [
                {"id": i, "multiplier": fraction_text(m)} for i, m in self.sale_multipliers
            ],
            "sale_multiplier": fraction_text(self.sale_multiplier),
            "purchase_points_uncapped": self.purchase_points_uncapped,
            "purchase_points": self.purchase_points,
            "bonuses": [{"id": i, "points": p} for i, p in self.bonuses],
            "daily_cap_cut": self.daily_cap_cut,
            "credited_purchase": self.credited_purchase,
            "credited_bonus": self.credited_bonus,
            "total": self.total,
            "flags": list(self.flags),
        }


def sale_multipliers(program: Program, *, at: dt.datetime, tier_id: str) -> list[tuple[str, Fraction]]:
    """The sale multipliers that apply: the tier's, then each matching time rule."""
    tier = program.tiers.get(tier_id)
    out: list[tuple[str, Fraction]] = [(f"tier:{tier.id}", tier.multiplier)]
    for sm in program.earning.sale_multipliers:
        if sm.when.matches(at):
            out.append((sm.id, sm.multiplier))
    return out


def compute_earning(
    program: Program,
    lines: list[SaleLine],
    *,
    at: dt.datetime,
    tier_id: str,
    deduction_fen: int = 0,
    first_purchase: bool = False,
    birthday: bool = False,
    earned_today: int = 0,
) -> EarnResult:
    """Points a member earns on a sale.

    ``deduction_fen`` is what the customer pays with points and coupons; it is taken off
    the eligible lines pro rata by their eligible amount. ``earned_today`` is what the
    member already earned on the sale's calendar day (for the daily cap).
    """
    e = program.earning
    eligible_before = [0 if ln.category in e.excluded_categories else ln.net_fen for ln in lines]
    deduction = min(deduction_fen, sum(eligible_before))
    cuts = allocate_pro_rata(deduction, eligible_before)
    line_results = []
    for ln, before, cut in zip(lines, eligible_before, cuts, strict=True):
        mult = Fraction(1)
        ids: list[str] = []
        for lm in e.line_multipliers:
            if lm.when.matches(flags=ln.flags, category=ln.category, sku=ln.sku):
                mult *= lm.multiplier
                ids.append(lm.id)
        line_results.append(LineEarning(
            line_no=ln.line_no, net_fen=ln.net_fen, excluded=ln.category in e.excluded_categories,
            deduction_fen=cut, eligible_fen=before - cut, multiplier=mult, multiplier_ids=tuple(ids),
        ))
    sms = sale_multipliers(program, at=at, tier_id=tier_id)
    sale_mult = Fraction(1)
    for _, m in sms:
        sale_mult *= m
    weighted = sum((le.weighted for le in line_results), Fraction(0))
    uncapped = floor_fraction(weighted * sale_mult / e.fen_per_point)
    flags: list[str] = []
    purchase = uncapped
    if e.max_points_per_sale is not None and purchase > e.max_points_per_sale:
        purchase = e.max_points_per_sale
        flags.append("sale_cap")
    bonuses: list[tuple[str, int]] = []
    for b in e.bonuses:
        if (b.kind == "first_purchase" and first_purchase) or (b.kind == "birthday" and birthday):
            bonuses.append((b.id, b.points))
    bonus_total = sum(p for _, p in bonuses)
    credited_purchase, credited_bonus, cut_total = purchase, bonus_total, 0
    if e.max_points_per_member_day is not None:
        room = max(0, e.max_points_per_member_day - earned_today)
        if purchase + bonus_total > room:
            credited_purchase = min(purchase, room)
            credited_bonus = min(bonus_total, room - credited_purchase)
            cut_total = purchase + bonus_total - credited_purchase - credited_bonus
            flags.append("daily_cap")
    return EarnResult(
        lines=tuple(line_results), sale_multipliers=tuple(sms), sale_multiplier=sale_mult,
        purchase_points_uncapped=uncapped, purchase_points=purchase, bonuses=tuple(bonuses),
        daily_cap_cut=cut_total, credited_purchase=credited_purchase,
        credited_bonus=credited_bonus, flags=tuple(flags),
    )
