"""Money in integer fen and points as integers; parsing and formatting in one place."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NewType

from pos_app.core.errors import InvalidInput
from pos_app.core.text import normalize_input

Fen = NewType("Fen", int)
Points = NewType("Points", int)

#: The largest amount one sale or line may carry: 10 million yuan. Anything above is a typo.
MAX_AMOUNT_FEN = 1_000_000_000
#: The largest number of points one operation may move.
MAX_POINTS = 100_000_000

_YUAN_RE = re.compile(r"^(?P<int>[0-9]{1,12})(?:\.(?P<frac>[0-9]{1,2}))?$")


def parse_yuan(text: str, *, field: str = "amount", allow_zero: bool = False) -> int:
    """Parse a yuan amount such as ``"58.50"`` into fen, exactly (no floats)."""
    if not isinstance(text, str):
        text = str(text)
    raw = normalize_input(text).replace("¥", "").replace(",", "")  # NFKC makes ￥ ¥ and ， ,
    m = _YUAN_RE.match(raw)
    if not m:
        raise InvalidInput(field, f"not an amount in yuan with at most 2 decimals: {text!r}")
    frac = (m.group("frac") or "").ljust(2, "0")
    fen = int(m.group("int")) * 100 + int(frac)
    return check_fen(fen, field=field, allow_zero=allow_zero)


def check_fen(value: object, *, field: str = "amount", allow_zero: bool = False) -> int:
    """Check that an amount in fen is a sane positive integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"must be a whole number of fen, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(field, f"must be {'zero or ' if allow_zero else ''}positive, got {value}")
    if value > MAX_AMOUNT_FEN:
        raise InvalidInput(field, f"is absurdly large: {value} fen", limit=MAX_AMOUNT_FEN)
    return value


def check_points(value: object, *, field: str = "points", allow_zero: bool = False,
                 allow_negative: bool = False) -> int:
    """Check that a number of points is a sane integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"must be a whole number of points, got {value!r}")
    if value == 0 and not allow_zero:
        raise InvalidInput(field, "must not be zero")
    if value < 0 and not allow_negative:
        raise InvalidInput(field, f"must be positive, got {value}")
    if abs(value) > MAX_POINTS:
        raise InvalidInput(field, f"is absurdly large: {value} points", limit=MAX_POINTS)
    return value


def parse_int(text: str, *, field: str) -> int:
    """Parse a decimal integer from user text, naming the field on failure."""
    raw = normalize_input(str(text))
    if not re.fullmatch(r"-?[0-9]{1,15}", raw):
        raise InvalidInput(field, f"not a whole number: {text!r}")
    return int(raw)


def format_fen(fen: int) -> str:
    """``5850`` -> ``"58.50"``."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def floor_fraction(value: Fraction) -> int:
    """Round toward zero, the one rounding rule of the reference program."""
    return int(value)  # int() truncates toward zero for Fraction


def fraction_text(value: Fraction) -> str:
    """A multiplier or weighted amount as exact text: ``"1.2"``, ``"7020"``, ``"2/3"``."""
    if value.denominator == 1:
        return str(value.numerator)
    # finite decimal if the denominator only has factors 2 and 5
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        places = 0
        scaled = value
        while scaled.denominator != 1:
            scaled *= 10
            places += 1
        n = abs(scaled.numerator)
        s = str(n).rjust(places + 1, "0")
        sign = "-" if value < 0 else ""
        return f"{sign}{s[:-places]}.{s[-places:]}"
    return f"{value.numerator}/{value.denominator}"


def allocate_pro_rata(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` over ``weights`` in proportion, exactly (largest remainder).

    The parts add up to ``total`` (or to 0 when every weight is 0); ties in the remainder
    go to the earlier item, so the split is deterministic.
    """
    w_sum = sum(weights)
    if total == 0 or w_sum == 0:
        return [0] * len(weights)
    parts = [total * w // w_sum for w in weights]
    remainders = [(total * w % w_sum, -i) for i, w in enumerate(weights)]
    short = total - sum(parts)
    for _, neg_i in sorted(remainders, reverse=True)[:short]:
        parts[-neg_i] += 1
    return parts
