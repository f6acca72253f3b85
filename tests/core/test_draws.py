"""Lottery draws: the draw body's checks (errors name the field), the payout rate against the
program, the pure draw (slots, stock fallback) and a chi-square test that the odds hold."""

from __future__ import annotations

import copy
import random
import tomllib
from collections import Counter
from fractions import Fraction
from typing import Any

import pytest

from pos_app.core import draws
from pos_app.core.errors import ProgramError
from pos_app.core.program import parse_program
from pos_app.storage.paths import reference_program_path

PROGRAM = parse_program(reference_program_path().read_text(encoding="utf-8"))

BODY_TOML = """
cost_points = 100
daily_limit = 3
campaign_limit = 10
expected_payout_rate = "0.5"

[[prizes]]
code = "P500"
name_zh = "500 积分"
name_en = "500 points"
kind = "points"
value = 500
odds = "0.01"

[[prizes]]
code = "P50"
name_zh = "50 积分"
name_en = "50 points"
kind = "points"
value = 50
odds = "0.1"

[[prizes]]
code = "C1"
name_zh = "1元现金券"
name_en = "1 yuan cash coupon"
kind = "coupon"
value = "G001"
odds = "0.1"

[[prizes]]
code = "CUP"
name_zh = "保温杯"
name_en = "Thermos cup"
kind = "gift"
value = "G005"
odds = "0.005"
stock = 5

[[prizes]]
code = "THANKS"
name_zh = "谢谢参与"
name_en = "Better luck next time"
kind = "none"
odds = "0.785"
"""


def raw() -> dict[str, Any]:
    return copy.deepcopy(tomllib.loads(BODY_TOML))


def test_a_valid_body() -> None:
    body = draws.parse_draw_body(raw())
    assert body.cost_points == 100 and body.daily_limit == 3 and body.campaign_limit == 10
    assert body.expected_payout_rate == Fraction(1, 2)
    assert [p.code for p in body.prizes] == ["P500", "P50", "C1", "CUP", "THANKS"]
    assert body.range == 200  # the smallest common denominator of the odds
    assert [(p.code, lo, hi) for p, lo, hi in body.slots()] == [
        ("P500", 0, 2), ("P50", 2, 22), ("C1", 22, 42), ("CUP", 42, 43), ("THANKS", 43, 200)]
    assert body.prize("CUP").stock == 5 and body.prize("P50").stock is None  # type: ignore[union-attr]
    assert body.fallback is not None and body.fallback.code == "THANKS"
    # 500*0.01 + 50*0.1 + 100*0.1 + 2000*0.005 = 30 points per 100 points of cost
    assert draws.check_payout(body, PROGRAM) == Fraction(3, 10)


def test_weights_give_exact_odds() -> None:
    data = raw()
    for prize, weight in zip(data["prizes"], [1, 10, 10, 1, 78], strict=True):
        del prize["odds"]
        prize["weight"] = weight
    body = draws.parse_draw_body(data)
    assert body.range == 100
    assert body.prize("CUP").odds == Fraction(1, 100)  # type: ignore[union-attr]
    assert sum(p.odds for p in body.prizes) == 1


def _refused(data: dict[str, Any], field: str) -> ProgramError:
    with pytest.raises(ProgramError) as err:
        draws.parse_draw_body(data)
    assert err.value.field == field, err.value
    return err.value


def test_odds_not_summing_to_one_are_refused() -> None:
    data = raw()
    data["prizes"][4]["odds"] = "0.78"
    err = _refused(data, "draw.prizes")
    assert "add up to exactly 1" in err.message


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d.update(cost_points=0), "draw.cost_points"),
    (lambda d: d.update(cost_points=-5), "draw.cost_points"),
    (lambda d: d.pop("cost_points"), "draw.cost_points"),
    (lambda d: d["prizes"][3].update(stock=-1), "draw.prizes[3].stock"),
    (lambda d: d["prizes"][1].update(kind="cash"), "draw.prizes[1].kind"),
    (lambda d: d["prizes"][1].update(odds=0.1), "draw.prizes[1].odds"),
    (lambda d: d["prizes"][1].update(odds="1.5"), "draw.prizes[1].odds"),
    (lambda d: d["prizes"][1].update(value=0), "draw.prizes[1].value"),
    (lambda d: d["prizes"][2].pop("value"), "draw.prizes[2].value"),
    (lambda d: d["prizes"][4].update(value=1), "draw.prizes[4].value"),
    (lambda d: d["prizes"][4].update(stock=1), "draw.prizes[4].stock"),
    (lambda d: d["prizes"][1].update(code="P500"), "draw.prizes[1].code"),
    (lambda d: d["prizes"][1].update(colour="red"), "draw.prizes[1].colour"),
    (lambda d: d["prizes"][1].update(weight=3), "draw.prizes[1].weight"),
    (lambda d: d.update(expected_payout_rate=0.5), "draw.expected_payout_rate"),
    (lambda d: d.update(expected_payout_rate="0"), "draw.expected_payout_rate"),
    (lambda d: d.update(daily_limit=11), "draw.daily_limit"),
    (lambda d: d.update(prizes=[]), "draw.prizes"),
    (lambda d: d.update(cost=1), "draw.cost"),
])
def test_bad_bodies_name_the_field(change: Any, field: str) -> None:
    data = raw()
    change(data)
    _refused(data, field)


def test_a_stocked_prize_needs_a_none_prize() -> None:
    data = raw()
    data["prizes"][3]["odds"] = "0.79"
    del data["prizes"][4]
    _refused(data, "draw.prizes[3].stock")


def test_payout_over_the_rate_names_the_rate() -> None:
    data = raw()
    data["expected_payout_rate"] = "0.25"
    body = draws.parse_draw_body(data)
    with pytest.raises(ProgramError) as err:
        draws.check_payout(body, PROGRAM)
    assert err.value.field == "draw.expected_payout_rate"
    assert "0.3000" in err.value.message


@pytest.mark.parametrize(("index", "value"), [(2, "G999"), (2, "G004"), (3, "G001")])
def test_prizes_must_name_a_fitting_gift_of_the_program(index: int, value: str) -> None:
    data = raw()
    data["prizes"][index]["value"] = value
    body = draws.parse_draw_body(data)
    with pytest.raises(ProgramError) as err:
        draws.check_payout(body, PROGRAM)
    assert err.value.field == f"draw.prizes[{index}].value"


def test_the_draw_maps_values_to_slots_and_stock_falls_to_none() -> None:
    body = draws.parse_draw_body(raw())
    stock = {"CUP": 2}
    assert draws.draw(body, 0, stock).prize.code == "P500"
    assert draws.draw(body, 1, stock).prize.code == "P500"
    assert draws.draw(body, 2, stock).prize.code == "P50"
    assert draws.draw(body, 42, stock).prize.code == "CUP"
    assert draws.draw(body, 199, stock).prize.code == "THANKS"
    gone = draws.draw(body, 42, {"CUP": 0})
    assert gone.landed.code == "CUP" and gone.prize.code == "THANKS" and gone.out_of_stock
    assert draws.draw(body, 42, {}).prize.code == "THANKS"  # no stock published: none left
    for bad in (-1, 200, True, "3"):
        with pytest.raises(ValueError):
            draws.draw(body, bad)  # type: ignore[arg-type]


def test_the_odds_digest_changes_with_the_odds() -> None:
    a = draws.parse_draw_body(raw())
    data = raw()
    data["prizes"][0]["odds"], data["prizes"][1]["odds"] = "0.1", "0.01"
    b = draws.parse_draw_body(data)
    assert a.odds_digest == draws.parse_draw_body(raw()).odds_digest
    assert a.odds_digest != b.odds_digest and len(a.odds_digest) == 64


# chi-square critical values at p = 0.001 (upper tail), by degrees of freedom
CHI2_999 = {1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515, 6: 22.458}


def _chi_square(counts: Counter[str], expected: dict[str, Fraction], n: int) -> float:
    return sum(float((counts[code] - p * n) ** 2 / (p * n)) for code, p in expected.items())


def test_the_odds_hold_over_100000_draws() -> None:
    """Chi-square goodness of fit over 100,000 draws from a fixed seed: the outcome frequencies
    match the published odds (and a skewed mapping is caught by the same test)."""
    body = draws.parse_draw_body(raw())
    source = random.Random(20261204)
    n = 100_000
    stock = {"CUP": n}
    counts = Counter(draws.draw(body, source.randrange(body.range), stock).prize.code for _ in range(n))
    expected = {p.code: p.odds for p in body.prizes}
    chi2 = _chi_square(counts, expected, n)
    assert chi2 < CHI2_999[len(expected) - 1], (chi2, counts)
    # the test has teeth: the same counts against odds off by one point are refused
    skewed = dict(expected, P50=Fraction(11, 100), THANKS=Fraction(775, 1000))
    assert _chi_square(counts, skewed, n) > CHI2_999[len(expected) - 1]


def test_the_odds_hold_with_weights_and_an_exhausted_prize() -> None:
    data = raw()
    for prize, weight in zip(data["prizes"], [1, 10, 10, 1, 78], strict=True):
        del prize["odds"]
        prize["weight"] = weight
    body = draws.parse_draw_body(data)
    source = random.Random(7)
    n = 100_000
    counts = Counter(draws.draw(body, source.randrange(body.range), {"CUP": 0}).prize.code for _ in range(n))
    assert counts["CUP"] == 0
    expected = {"P500": Fraction(1, 100), "P50": Fraction(1, 10), "C1": Fraction(1, 10),
                "THANKS": Fraction(79, 100)}
    assert _chi_square(counts, expected, n) < CHI2_999[3]
