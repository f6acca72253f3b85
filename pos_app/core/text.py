"""Identifiers and amounts as people and scanners type them, in the one form the product compares.

Chinese input methods type full-width digits, letters and signs (``１３８``, ``Ｇ００５``, ``－``,
``．``) and the ideographic space; NFKC makes them ASCII. Digits of other scripts stay what
they are, and the rules accept ASCII digits only (``[0-9]``, never ``\\d``): Python's ``\\d``
and ``int()`` take any script's digits, which would let one phone be stored in two spellings.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator

from pos_app.core.errors import InvalidInput


def normalize_input(value: str) -> str:
    """NFKC, stripped: full-width digits, letters, signs and spaces become ASCII."""
    if value.isascii():  # NFKC leaves ASCII as it is (the common case, e.g. every row of an import)
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


def identifier(value: object, *, field: str) -> str:
    """A typed or scanned identifier (receipt number, coupon, gift or product code), normalised."""
    if not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    return normalize_input(value)



def csv_records(text: str) -> Iterator[tuple[int, list[str] | InvalidInput]]:
    """Each non-blank line of a CSV import as (line number, its fields), or the error that makes
    it unreadable (field ``row``). No field of an import may hold a line break, so every line
    is one record, read on its own: an unterminated quote or a field over csv's size limit
    spoils its own line only (csv reading across lines swallows the rest of the file)."""
    for number, physical in enumerate(text.split("\n"), start=1):
        physical = physical.removesuffix("\r")
        if not physical.strip():
            continue
        try:
            yield number, next(csv.reader([physical], strict=True))
        except csv.Error as exc:
            if "field limit" in str(exc):
                message = f"a field is too long: {exc}"
            elif '"' in physical:
                message = f"unreadable CSV: a quote is not closed or stray ({exc})"
            else:
                message = f"unreadable CSV: {exc}"
            yield number, InvalidInput("row", message)


def csv_table(text: str, *, required: tuple[str, ...], columns: str,
              max_rows: int) -> Iterator[tuple[int, dict[str, str] | InvalidInput]]:
    """The data lines of a CSV import with a header line, as (line number, {column: value})
    or the line's error; ``InvalidInput("file")`` when a ``required`` column is missing."""
    records = csv_records(text)
    first = next(records, None)
    header = [h.strip() for h in first[1]] if first is not None and isinstance(first[1], list) else []
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInput("file", f"the CSV needs the columns {columns}; missing {', '.join(missing)}")
    for n, (line, fields) in enumerate(records, start=1):
        if n > max_rows:
            raise InvalidInput("file", f"at most {max_rows} rows")
        yield line, fields if isinstance(fields, InvalidInput) else dict(zip(header, fields, strict=False))
