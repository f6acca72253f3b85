"""Member identity rules: mainland mobile numbers, card numbers with a check digit, names."""

from __future__ import annotations

import datetime as dt
import re

from pos_app.core.errors import InvalidInput
from pos_app.core.text import normalize_input

_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
#: Cards the product issues: 13-digit EAN-13 in the GS1 in-store range 29, so a member
#: card never looks like a product barcode.
CARD_PREFIX = "29"


def normalize_phone(text: str, *, field: str = "phone") -> str:
    """A mainland mobile number as 11 digits; accepts +86, spaces and dashes."""
    if not isinstance(text, str):
        raise InvalidInput(field, "must be text")
    raw = re.sub(r"[\s\-()]", "", normalize_input(text))
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    if not _PHONE_RE.match(raw):
        raise InvalidInput(field, f"not a mainland mobile number (11 digits starting 13-19): {text!r}")
    return raw


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit (EAN-13, EAN-8, UPC-A) for the digits before it."""
    if not (body.isascii() and body.isdigit()):
        raise ValueError(f"digits are required: {body!r}")
    rev = body.encode()[::-1]  # ASCII digits: the byte values less 48
    odd, even = rev[0::2], rev[1::2]
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return (10 - total % 10) % 10


def validate_card_number(text: str, *, field: str = "card") -> str:
    """8 to 19 digits whose last digit is the GS1 check digit."""
    if not isinstance(text, str):
        raise InvalidInput(field, "must be text")
    raw = normalize_input(text)
    if not re.fullmatch(r"[0-9]{8,19}", raw):
        raise InvalidInput(field, f"a card number is 8 to 19 digits: {text!r}")
    if gs1_check_digit(raw[:-1]) != int(raw[-1]):
        raise InvalidInput(field, f"check digit does not match: {text!r}")
    return raw


def make_card_number(serial: int) -> str:
    """The card number for a store-issued serial: 29 + 10 digits + check digit."""
    if not 0 <= serial < 10**10:
        raise InvalidInput("card", f"card serial out of range: {serial}")
    body = f"{CARD_PREFIX}{serial:010d}"
    return body + str(gs1_check_digit(body))


_CONTROL_RE = re.compile("[\x00-\x1f]")


def validate_name(text: str, *, field: str = "name") -> str:
    if not isinstance(text, str):
        raise InvalidInput(field, "must be text")
    name = text.strip()
    if not name:
        raise InvalidInput(field, "must not be empty")
    if len(name) > 40:
        raise InvalidInput(field, "at most 40 characters")
    if _CONTROL_RE.search(name):
        raise InvalidInput(field, "must not contain control characters")
    return name


def parse_birthday(text: str, *, today: dt.date, field: str = "birthday") -> dt.date:
    try:
        day = dt.date.fromisoformat(normalize_input(text))
    except (ValueError, AttributeError, TypeError):
        raise InvalidInput(field, f"not a date such as 1990-05-18: {text!r}") from None
    if day > today or day.year < today.year - 120:
        raise InvalidInput(field, f"not a plausible birthday: {text}")
    return day


def is_birthday(birthday: dt.date | None, day: dt.date) -> bool:
    """29 February birthdays are celebrated on 28 February in other years."""
    if birthday is None:
        return False
    if birthday.month == 2 and birthday.day == 29:
        leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
        return (day.month, day.day) == ((2, 29) if leap else (2, 28))
    return (day.month, day.day) == (birthday.month, birthday.day)


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else phone
