"""Earning points on a sale: eligible amounts, multipliers, flat bonuses and caps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Any, NamedTuple

from pos_app.core.errors import InvalidInput
from pos_app.core.money import allocate_pro_rata, check_fen, fraction_text
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


class LineEarning(NamedTuple):
    """One line's part of a sale's points (a named tuple: made for every line of every sale,
    also when headquarters replays a chain's sales, and a tuple is made several times faster
    than a frozen dataclass)."""

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


class EarnResult(NamedTuple):
    """Everything earned by one sale, with the reasons for each number (a named tuple, like
    ``LineEarning``)."""

    lines: tuple[LineEarning, ...]
    sale_multipliers: tuple[tuple[str, Fraction], ...]
    sale_multiplier: Fraction
    purchase_points_uncapped: int
    purchase_points: int  # after the per-sale cap
    bonuses: tuple[tuple[str, int], ...]
    daily_cap_cut: int
    credited_purchase: int  # purchase points actually credited (after the daily cap)
    credited_bonus: int
    flags: tuple[str, ...] = ()

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


_CACHE_MAX = 100_000  # remembered line kinds per program (a chain's catalogue; cleared beyond)


class _Rates:
    """What ``compute_earning`` derives from one program, worked out once and remembered: the
    product of the line multipliers for each kind of line (its flags, category and, when a rule
    names SKUs, SKU) and of the sale multipliers for each tier and set of matching time rules,
    as exact fractions and as the integer numerator and denominator the sum is taken with."""

    __slots__ = ("by_sku", "excluded", "lines", "program", "sales")

    def __init__(self, program: Program) -> None:
        self.program = program
        e = program.earning
        self.excluded = frozenset(e.excluded_categories)
        self.by_sku = any(lm.when.skus for lm in e.line_multipliers)
        self.lines: dict[tuple[tuple[str, ...], str, str], tuple[Fraction, tuple[str, ...], int, int]] = {}
        self.sales: dict[tuple[str, tuple[int, ...]],
                         tuple[tuple[tuple[str, Fraction], ...], Fraction, int, int]] = {}

    def line(self, flags: tuple[str, ...], category: str, sku: str
             ) -> tuple[Fraction, tuple[str, ...], int, int]:
        key = (flags, category, sku if self.by_sku else "")
        known = self.lines.get(key)
        if known is None:
            mult = Fraction(1)
            ids: list[str] = []
            for lm in self.program.earning.line_multipliers:
                if lm.when.matches(flags=flags, category=category, sku=sku):
                    mult *= lm.multiplier
                    ids.append(lm.id)
            if len(self.lines) >= _CACHE_MAX:
                self.lines.clear()
            known = self.lines[key] = (mult, tuple(ids), mult.numerator, mult.denominator)
        return known

    def sale(self, at: dt.datetime, tier_id: str) -> tuple[tuple[tuple[str, Fraction], ...], Fraction, int, int]:
        rules = self.program.earning.sale_multipliers
        matching = []
        for i, sm in enumerate(rules):
            if sm.when.matches(at):
                matching.append(i)
        key = (tier_id, tuple(matching))
        known = self.sales.get(key)
        if known is None:
            tier = self.program.tiers.get(tier_id)
            sms = ((f"tier:{tier.id}", tier.multiplier), *((rules[i].id, rules[i].multiplier) for i in key[1]))
            mult = Fraction(1)
            for _, m in sms:
                mult *= m
            known = self.sales[key] = (sms, mult, mult.numerator, mult.denominator)
        return known


_rates: dict[int, _Rates] = {}


def _rates_of(program: Program) -> _Rates:
    rates = _rates.get(id(program))
    if rates is None or rates.program is not program:
        if len(_rates) >= 16:
            _rates.clear()
        rates = _rates[id(program)] = _Rates(program)
    return rates


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

    Exact: the points are the floor of the sum of each line's eligible fen times its line
    multipliers, times the sale multipliers, over ``fen_per_point``. The sum is taken in
    integers over a common denominator (the program's multipliers are remembered per kind of
    line and per tier and time rules), which gives the same number as fractions would.
    """
    e = program.earning
    rates = _rates_of(program)
    excluded = rates.excluded
    line_kind = rates.line
    if deduction_fen > 0:
        eligible_before = [0 if ln.category in excluded else ln.qty * ln.unit_price_fen - ln.discount_fen
                           for ln in lines]
        deduction = min(deduction_fen, sum(eligible_before))
        cuts = allocate_pro_rata(deduction, eligible_before)
    else:
        cuts = None
    line_results = []
    weighted, common = 0, 1  # the sum of eligible fen times line multipliers, over a common denominator
    for i, ln in enumerate(lines):
        net = ln.qty * ln.unit_price_fen - ln.discount_fen
        out = ln.category in excluded
        cut = cuts[i] if cuts is not None else 0
        eligible = (0 if out else net) - cut
        mult, ids, num, den = line_kind(ln.flags, ln.category, ln.sku)
        line_results.append(LineEarning(ln.line_no, net, out, cut, eligible, mult, ids))
        if common % den:
            wider = common * den // gcd(common, den)
            weighted *= wider // common
            common = wider
        weighted += eligible * num * (common // den)
    sms, sale_mult, s_num, s_den = rates.sale(at, tier_id)
    uncapped = (weighted * s_num) // (common * s_den * e.fen_per_point)  # never negative: floor is truncation
    flags: list[str] = []
    purchase = uncapped
    if e.max_points_per_sale is not None and purchase > e.max_points_per_sale:
        purchase = e.max_points_per_sale
        flags.append("sale_cap")
    bonuses: list[tuple[str, int]] = []
    if first_purchase or birthday:
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
        lines=tuple(line_results), sale_multipliers=sms, sale_multiplier=sale_mult,
        purchase_points_uncapped=uncapped, purchase_points=purchase, bonuses=tuple(bonuses),
        daily_cap_cut=cut_total, credited_purchase=credited_purchase,
        credited_bonus=credited_bonus, flags=tuple(flags),
    )
