"""Identifiers and amounts as people and scanners type them, in the one form the product compares.

Chinese input methods type full-width digits, letters and signs (``１３８``, ``Ｇ００５``, ``－``,
``．``) and the ideographic space; NFKC makes them ASCII. Digits of other scripts stay what
they are, and the rules accept ASCII digits only (``[0-9]``, never ``\\d``): Python's ``\\d``
and ``int()`` take any script's digits, which would let one phone be stored in two spellings.
"""

from __future__ import annotations

import unicodedata

from pos_app.core.errors import InvalidInput


def normalize_input(value: str) -> str:
    """NFKC, stripped: full-width digits, letters, signs and spaces become ASCII."""
    return unicodedata.normalize("NFKC", value).strip()


def identifier(value: object, *, field: str) -> str:
    """A typed or scanned identifier (receipt number, coupon, gift or product code), normalised."""
    if not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    return normalize_input(value)

