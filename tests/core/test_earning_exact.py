"""``compute_earning`` sums in integers over a common denominator and remembers each program's
multipliers per kind of line and per tier and time rules (headquarters replays a million sales
with it). These tests hold it to the definition, written out with exact fractions: the points
are the floor of the sum of each line's eligible fen times its line multipliers, times the sale
multipliers, over fen_per_point; with caps and bonuses as the reference program says."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

import pytest

from pos_app.core.earning import SaleLine, compute_earning
from pos_app.core.money import allocate_pro_rata
from pos_app.core.program import Program, parse_program
from pos_app.services import context

REFERENCE = context.reference_program_source()
#: a program with multipliers whose denominators differ (1.25 = 5/4, 1.1 = 11/10, 1.5 = 3/2),
#: lines matched by category and SKU, and tight caps
ODD = REFERENCE.replace('multiplier = "1.2"\nwhen = { flags = ["new"] }', '''multiplier = "1.25"
when = { flags = ["new"] }

[[earning.line_multipliers]]
id = "home_week"
multiplier = "1.1"
when = { categories = ["home"] }

[[earning.line_multipliers]]
id = "hero_sku"
multiplier = "1.5"
when = { skus = ["S3", "S5"] }''', 1).replace('multiplier = "2.0"', 'multiplier = "1.3"', 1).replace(
    "fen_per_point = 100 ", "fen_per_point = 70 ", 1).replace(
    "max_points_per_sale = 50000", "max_points_per_sale = 700", 1).replace(
    "max_points_per_member_day = 100000", "max_points_per_member_day = 1200", 1)


def by_definition(program: Program, lines: list[SaleLine], *, at: dt.datetime, tier_id: str, deduction_fen: int,
                  first_purchase: bool, birthday: bool, earned_today: int) -> tuple[int, int, int, int]:
    """(uncapped, purchase, credited purchase, credited bonus) as the reference program defines
    them, with fractions throughout."""
    e = program.earning
    before = [0 if ln.category in e.excluded_categories else ln.net_fen for ln in lines]
    cuts = allocate_pro_rata(min(deduction_fen, sum(before)), before)
    weighted = Fraction(0)
    for ln, b, cut in zip(lines, before, cuts, strict=True):
        mult = Fraction(1)
        for lm in e.line_multipliers:
            if lm.when.matches(flags=ln.flags, category=ln.category, sku=ln.sku):
                mult *= lm.multiplier
        weighted += (b - cut) * mult
    sale = program.tiers.get(tier_id).multiplier
    for sm in e.sale_multipliers:
        if sm.when.matches(at):
            sale *= sm.multiplier
    uncapped = int(weighted * sale / e.fen_per_point)
    purchase = min(uncapped, e.max_points_per_sale) if e.max_points_per_sale is not None else uncapped
    bonus = sum(b.points for b in e.bonuses
                if (b.kind == "first_purchase" and first_purchase) or (b.kind == "birthday" and birthday))
    room = max(0, (e.max_points_per_member_day or 10**12) - earned_today)
    credited = min(purchase, room)
    return uncapped, purchase, credited, min(bonus, room - credited)


@pytest.mark.parametrize("source", [REFERENCE, ODD], ids=["reference", "odd-multipliers"])
def test_compute_earning_is_the_definition_for_any_basket(source: str) -> None:
    program = parse_program(source)
    assert len(program.earning.line_multipliers) == (1 if source == REFERENCE else 3)
    rng = random.Random(14)
    for _ in range(3000):
        lines = [SaleLine(n, f"S{rng.randint(1, 6)}", "", rng.choice(("food", "tobacco", "home", "drink")),
                          rng.randint(1, 5), rng.randint(1, 60000), 0, ("new",) if rng.random() < 0.3 else ())
                 for n in range(1, rng.randint(2, 7))]
        lines = [SaleLine(ln.line_no, ln.sku, "", ln.category, ln.qty, ln.unit_price_fen,
                          rng.choice((0, 0, ln.gross_fen // 3)), ln.flags) for ln in lines]
        kwargs = {"at": dt.datetime(2026, 5, rng.randint(1, 28), rng.randint(8, 22), rng.randint(0, 59)),
                  "tier_id": rng.choice(("normal", "silver", "gold", "diamond", "unknown")),
                  "deduction_fen": rng.choice((0, 0, 1, 500, 5000, 10**7)), "first_purchase": rng.random() < 0.2,
                  "birthday": rng.random() < 0.2, "earned_today": rng.choice((0, 0, 800, 5000))}
        earn = compute_earning(program, lines, **kwargs)  # type: ignore[arg-type]
        uncapped, purchase, credited, bonus = by_definition(program, lines, **kwargs)  # type: ignore[arg-type]
        assert (earn.purchase_points_uncapped, earn.purchase_points, earn.credited_purchase,
                earn.credited_bonus) == (uncapped, purchase, credited, bonus), (lines, kwargs)
        eligible = sum(le.net_fen for le in earn.lines if not le.excluded)
        assert sum(le.deduction_fen for le in earn.lines) == min(kwargs["deduction_fen"], eligible)  # type: ignore[call-overload]
        assert sum(le.weighted for le in earn.lines) * earn.sale_multiplier / program.earning.fen_per_point >= uncapped


def test_a_program_published_later_is_not_confused_with_the_one_before() -> None:
    """The multipliers are remembered per program object: a new version (here the same text
    with the new-product rate changed) earns by its own numbers from its first sale."""
    line = [SaleLine(1, "S1", "", "food", 1, 10000, 0, ("new",))]
    at = dt.datetime(2026, 5, 5, 10, 0)
    first = compute_earning(parse_program(REFERENCE), line, at=at, tier_id="normal")
    second = compute_earning(parse_program(REFERENCE.replace('multiplier = "1.2"', 'multiplier = "1.5"', 1)), line,
                             at=at, tier_id="normal")
    assert (first.total, second.total) == (120, 150)
