"""Lottery draws (积分抽奖): the body of a ``draw`` campaign, its checks, and the draw itself.

A draw campaign is data published by headquarters (``core.campaigns``); this module knows its
kind-specific body::

    [draw]
    cost_points = 100              # points per draw, > 0
    daily_limit = 3                # draws per member per business day (optional)
    campaign_limit = 10            # draws per member over the campaign (optional)
    expected_payout_rate = "0.6"   # decimal text: expected prize value / cost must not exceed it

    [[draw.prizes]]
    code = "P50"                   # identifier, unique in the campaign
    name_zh = "50 积分"
    name_en = "50 points"
    kind = "points"                # points | coupon | gift | none (谢谢参与)
    value = 50                     # points: points won; coupon / gift: the program's gift code
    odds = "0.1"                   # exact decimal text; or ``weight = 1`` (integers) on every prize
    stock = 20                     # per store, optional (absent: unlimited)

Odds are exact: every prize has ``odds`` as decimal text, summing to exactly 1, or every prize
has an integer ``weight`` (odds = weight / total). Either way the draw works on whole numbers:
the odds are laid out as consecutive slots over ``0 .. range - 1`` where ``range`` is the
smallest common denominator, in the order the prizes are written; the till draws one value with
``secrets.randbelow(range)`` and the prize is the one whose slots contain it (``draw``). The
value, the range and ``odds_digest`` go into the ledger, so an auditor recomputes every outcome.

Stock: a prize whose stock at this store is used up cannot be won; its slots fall to the
campaign's first prize of kind ``none`` ("谢谢参与"). So a body with any stocked prize must have a
``none`` prize. The other prizes keep their odds exactly (nothing is re-weighted), so running out
only ever lowers the payout.

The payout rate: the expected value of one draw in points (points prizes at their points, coupon
and gift prizes at the points their gift costs in the program, ``none`` at 0) divided by
``cost_points`` must not exceed ``expected_payout_rate``. That needs the program, so it is
``check_payout`` (called when a campaign is published or loaded, and again before each draw);
the body's own shape is checked by ``parse_draw_body``.

Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pos_app.core.campaigns import Campaign, register_kind
from pos_app.core.errors import CampaignError, ProgramError
from pos_app.core.program import FieldReader, Program

KIND = "draw"
PRIZE_KINDS = ("points", "coupon", "gift", "none")
#: the largest draw range (common denominator of the odds) accepted: ``secrets.randbelow`` is
#: fine with anything, but an auditor reads the value, and absurd denominators are typos
MAX_RANGE = 10**12
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
_ODDS_RE = re.compile(r"^(0(\.[0-9]{1,9})?|1(\.0{1,9})?)$")
_RATE_RE = re.compile(r"^[0-9](\.[0-9]{1,6})?$")


@dataclass(frozen=True)
class Prize:
    code: str
    name_zh: str
    name_en: str
    kind: str  # points | coupon | gift | none
    value: int | str | None  # points won; the program's gift code (coupon, gift); None for none
    odds: Fraction
    stock: int | None = None  # per store; None: unlimited

    @property
    def points(self) -> int:
        """Points this prize credits (0 unless a points prize)."""
        return self.value if self.kind == "points" and isinstance(self.value, int) else 0

    @property
    def gift_code(self) -> str | None:
        return self.value if self.kind in ("coupon", "gift") and isinstance(self.value, str) else None

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh_CN" else self.name_en


@dataclass(frozen=True)
class DrawBody:
    cost_points: int
    prizes: tuple[Prize, ...]
    expected_payout_rate: Fraction
    daily_limit: int | None = None
    campaign_limit: int | None = None

    @property
    def range(self) -> int:
        """The number of equally likely values one draw picks from."""
        return math.lcm(*(p.odds.denominator for p in self.prizes if p.odds))

    def slots(self) -> tuple[tuple[Prize, int, int], ...]:
        """(prize, first value, last value + 1) in the order the prizes are written; prizes with
        odds 0 have no slot."""
        n = self.range
        out = []
        at = 0
        for p in self.prizes:
            width = int(p.odds * n)
            if width:
                out.append((p, at, at + width))
                at += width
        return tuple(out)

    def prize(self, code: str) -> Prize | None:
        for p in self.prizes:
            if p.code == code:
                return p
        return None

    @property
    def fallback(self) -> Prize | None:
        """The prize an exhausted prize's slots fall to: the first of kind ``none``."""
        for p in self.prizes:
            if p.kind == "none":
                return p
        return None

    @property
    def odds_digest(self) -> str:
        """SHA-256 of the slot table (range, and per prize code, kind, value and its slots): what
        an auditor needs to recompute an outcome from the value drawn."""
        table = {"range": self.range, "slots": [[p.code, p.kind, p.value, lo, hi] for p, lo, hi in self.slots()]}
        return hashlib.sha256(json.dumps(table, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """One draw's result: ``landed`` is the prize whose slots hold ``value``; ``prize`` what the
    member wins (``landed``, or the fallback when ``landed`` was out of stock)."""

    value: int
    range: int
    landed: Prize
    prize: Prize

    @property
    def out_of_stock(self) -> bool:
        return self.prize is not self.landed


# --------------------------------------------------------------------------- parsing


def _err(path: str, message: str, **params: Any) -> ProgramError:
    return ProgramError(path, message, **params)


def _whole(data: dict[str, Any], key: str, path: str, *, lo: int, hi: int, required: bool = True) -> int | None:
    if key not in data:
        if required:
            raise _err(f"{path}.{key}", "is required")
        return None
    v = data[key]
    if isinstance(v, bool) or not isinstance(v, int):
        raise _err(f"{path}.{key}", f"must be a whole number, got {v!r}")
    if not lo <= v <= hi:
        raise _err(f"{path}.{key}", f"must be between {lo} and {hi}, got {v}")
    return v


def _text(data: dict[str, Any], key: str, path: str, *, pattern: re.Pattern[str] | None = None) -> str:
    if key not in data:
        raise _err(f"{path}.{key}", "is required")
    v = data[key]
    if not isinstance(v, str) or not v.strip():
        raise _err(f"{path}.{key}", f"must be a non-empty text, got {v!r}")
    if pattern is not None and not pattern.match(v):
        raise _err(f"{path}.{key}", f"is not a valid code: {v!r}")
    return v


def _known(data: dict[str, Any], allowed: tuple[str, ...], path: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise _err(f"{path}.{unknown[0]}", "is not a known setting")


def parse_draw_body(data: Any, path: str = "draw") -> DrawBody:
    """Validate a draw campaign's body (the ``[draw]`` table as parsed TOML); raises
    ProgramError naming the first bad field (``draw.prizes[2].odds`` ...)."""
    if not isinstance(data, dict):
        raise _err(path, "must be a table")
    _known(data, ("cost_points", "daily_limit", "campaign_limit", "expected_payout_rate", "prizes"), path)
    cost = _whole(data, "cost_points", path, lo=-(10**9), hi=10**8)
    assert cost is not None
    if cost <= 0:
        raise _err(f"{path}.cost_points", f"must be above 0 (a draw costs points), got {cost}")
    daily = _whole(data, "daily_limit", path, lo=1, hi=10**4, required=False)
    total = _whole(data, "campaign_limit", path, lo=1, hi=10**6, required=False)
    if daily is not None and total is not None and daily > total:
        raise _err(f"{path}.daily_limit", f"must not exceed campaign_limit ({total}), got {daily}")
    rate_text = data.get("expected_payout_rate")
    if rate_text is None:
        raise _err(f"{path}.expected_payout_rate", "is required")
    if not isinstance(rate_text, str) or not _RATE_RE.match(rate_text):
        raise _err(f"{path}.expected_payout_rate",
                   f"must be a decimal text such as \"0.6\" (exact, no floats), got {rate_text!r}")
    rate = Fraction(rate_text)
    if rate <= 0:
        raise _err(f"{path}.expected_payout_rate", "must be above 0")
    raw = data.get("prizes")
    if not isinstance(raw, list) or not raw:
        raise _err(f"{path}.prizes", "needs at least one prize (a list of tables)")
    prizes = [_parse_prize(item, f"{path}.prizes[{i}]") for i, item in enumerate(raw)]
    seen: set[str] = set()
    for i, p in enumerate(prizes):
        if p.code in seen:
            raise _err(f"{path}.prizes[{i}].code", f"duplicate code {p.code!r}")
        seen.add(p.code)
    by_weight = ["weight" in item for item in raw]
    if any(by_weight) and not all(by_weight):
        i = by_weight.index(not by_weight[0])
        raise _err(f"{path}.prizes[{i}]", "every prize needs the same one of odds (decimal text) or weight")
    if all(by_weight):
        weights = [int(p.odds) for p in prizes]
        if sum(weights) <= 0:
            raise _err(f"{path}.prizes", "the weights must not all be 0")
        prizes = [_with_odds(p, Fraction(w, sum(weights))) for p, w in zip(prizes, weights, strict=True)]
    else:
        odds_sum = sum((p.odds for p in prizes), Fraction(0))
        if odds_sum != 1:
            raise _err(f"{path}.prizes", f"the odds must add up to exactly 1, they add up to {_decimal(odds_sum)}",
                       total=str(odds_sum))
    if any(p.stock is not None for p in prizes) and not any(p.kind == "none" for p in prizes):
        i = next(i for i, p in enumerate(prizes) if p.stock is not None)
        raise _err(f"{path}.prizes[{i}].stock", "a prize with stock needs a prize of kind none (谢谢参与) "
                   "for its odds to fall to when it runs out")
    body = DrawBody(cost_points=cost, prizes=tuple(prizes), expected_payout_rate=rate,
                    daily_limit=daily, campaign_limit=total)
    if body.range > MAX_RANGE:
        raise _err(f"{path}.prizes", f"the odds need a range of {body.range} values, more than {MAX_RANGE}")
    return body


def _with_odds(p: Prize, odds: Fraction) -> Prize:
    return Prize(p.code, p.name_zh, p.name_en, p.kind, p.value, odds, p.stock)


def _approx(f: Fraction, places: int = 4) -> str:
    """A fraction as decimal text rounded down to ``places`` (integer arithmetic only)."""
    scaled = f.numerator * 10**places // f.denominator
    return f"{scaled // 10**places}.{scaled % 10**places:0{places}d}"


def _decimal(f: Fraction) -> str:
    return str(f) if f.denominator != 1 else str(f.numerator)


def _parse_prize(item: Any, path: str) -> Prize:
    if not isinstance(item, dict):
        raise _err(path, "must be a table")
    _known(item, ("code", "name_zh", "name_en", "kind", "value", "odds", "weight", "stock"), path)
    code = _text(item, "code", path, pattern=_ID_RE)
    kind = item.get("kind")
    if kind not in PRIZE_KINDS:
        raise _err(f"{path}.kind", f"must be one of {', '.join(PRIZE_KINDS)}, got {kind!r}")
    name_zh = _text(item, "name_zh", path)
    name_en = _text(item, "name_en", path)
    value: int | str | None
    if kind == "points":
        value = _whole(item, "value", path, lo=1, hi=10**8)
    elif kind in ("coupon", "gift"):
        value = _text(item, "value", path, pattern=_ID_RE)
    else:
        if "value" in item:
            raise _err(f"{path}.value", "a prize of kind none has no value")
        value = None
    if "odds" in item and "weight" in item:
        raise _err(f"{path}.weight", "give odds or weight, not both")
    if "weight" in item:
        weight = _whole(item, "weight", path, lo=0, hi=10**9)
        assert weight is not None
        odds = Fraction(weight)
    else:
        text = item.get("odds")
        if text is None:
            raise _err(f"{path}.odds", "is required (or weight)")
        if not isinstance(text, str) or not _ODDS_RE.match(text):
            raise _err(f"{path}.odds", f"must be a decimal text from \"0\" to \"1\" such as \"0.05\" "
                       f"(exact, no floats), got {text!r}")
        odds = Fraction(text)
    stock = None
    if "stock" in item:
        if kind == "none":
            raise _err(f"{path}.stock", "a prize of kind none has no stock")
        stock = _whole(item, "stock", path, lo=-(10**9), hi=10**7)
        assert stock is not None
        if stock < 0:
            raise _err(f"{path}.stock", f"must be 0 or more, got {stock}")
    return Prize(code, name_zh, name_en, kind, value, odds, stock)


# --------------------------------------------------------------------------- the program's side


def prize_points_value(program: Program, prize: Prize, path: str = "prize") -> int:
    """What a prize is worth in points: its points, or the points its gift costs in the program."""
    if prize.kind == "points":
        return prize.points
    if prize.kind == "none":
        return 0
    gift = program.gift(prize.gift_code or "")
    if gift is None:
        raise _err(f"{path}.value", f"the program has no gift {prize.value!r}")
    if prize.kind == "coupon" and gift.kind != "coupon":
        raise _err(f"{path}.value", f"gift {gift.code!r} is not a coupon gift of the program")
    if prize.kind == "gift" and gift.kind == "coupon":
        raise _err(f"{path}.value", f"gift {gift.code!r} is a coupon gift: use kind coupon")
    return gift.points


def expected_payout(body: DrawBody, program: Program, path: str = "draw") -> Fraction:
    """The expected value of one draw, in points."""
    return sum((p.odds * prize_points_value(program, p, f"{path}.prizes[{i}]")
                for i, p in enumerate(body.prizes)), Fraction(0))


def check_payout(body: DrawBody, program: Program, path: str = "draw") -> Fraction:
    """Refuses a body whose prizes name gifts the program lacks, or whose expected payout per
    point of cost is above its ``expected_payout_rate``; returns the payout rate."""
    rate = expected_payout(body, program, path) / body.cost_points
    if rate > body.expected_payout_rate:
        raise _err(f"{path}.expected_payout_rate",
                   f"the prizes pay out {_approx(rate)} of the cost on average, above the "
                   f"expected_payout_rate {_decimal(body.expected_payout_rate)}",
                   payout_rate=str(rate))
    return rate


def fits_program(campaign: Campaign, program: Program | None) -> None:
    """Where a campaign is published or loaded: a draw campaign's prizes must name gifts of the
    program in force and pay out no more than its rate (``CampaignError`` naming the field);
    other kinds, or no program yet, pass (the till checks again before every draw)."""
    if campaign.kind != KIND or program is None:
        return
    assert isinstance(campaign.body, DrawBody)
    try:
        check_payout(campaign.body, program)
    except CampaignError:
        raise
    except ProgramError as exc:
        raise CampaignError(exc.field, exc.message, **exc.params) from None


# --------------------------------------------------------------------------- the draw


def draw(body: DrawBody, value: int, stock_left: dict[str, int] | None = None) -> Outcome:
    """The prize for ``value`` (uniform over ``0 .. body.range - 1``, from ``secrets.randbelow``).

    Pure: the same body, value and stock give the same outcome. ``stock_left`` holds what is
    left of each stocked prize at this store; a prize at 0 (or missing from it) falls to
    ``body.fallback``."""
    n = body.range
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n:
        raise ValueError(f"value must be a whole number from 0 to {n - 1}, got {value!r}")
    for prize, lo, hi in body.slots():
        if lo <= value < hi:
            landed = prize
            break
    else:  # pragma: no cover - the slots cover the range
        raise AssertionError("the slots do not cover the range")
    won = landed
    if landed.stock is not None and (stock_left or {}).get(landed.code, 0) <= 0:
        fallback = body.fallback
        assert fallback is not None  # parse_draw_body requires one
        won = fallback
    return Outcome(value=value, range=n, landed=landed, prize=won)


def read_draw(r: FieldReader) -> DrawBody:
    """The ``[draw]`` table of a campaign (``core.campaigns`` registry): checked here, unknown
    keys included."""
    r.seen.update(r.data)
    return parse_draw_body(r.data, r.path)


register_kind(KIND, read_draw)
