"""The product catalogue as a chain's ERP exports it: one CSV file, read and checked the same way
at a till (``pos-app product import``) and at headquarters (``pos-hq product import``).

The file: a header line, then one product a line. Columns by their English or Chinese name
(``COLUMN_NAMES``); ``sku`` (商品编码), ``name`` (商品名称), ``category`` (类别) and ``price``
(售价) are required, ``barcode`` (条码), ``flags`` (标记), ``new`` (新品) and ``active`` (在售)
optional. Encoding UTF-8 with or without a BOM, or GB18030 (what Excel and most Chinese ERPs
save). A price is yuan text (``12.50``, ``￥12.5``) made fen exactly; a barcode of 8, 12, 13 or
14 digits must carry its GS1 check digit; flags are words separated by ``|``, ``;``, ``,`` or
spaces (``new``: 新品加成). Which products never earn points is the program's rule by category
(the reference program: ``tobacco``, ``gift_card``, ``deposit``); a dry run names them.

Policy: all or nothing. Every row is checked (its line number and the field named), then rows
repeated in the file (a SKU or a barcode twice) and barcodes held by another product; if any
row is wrong nothing is written. A product absent from the file is left as it is (a row with
``active`` 0 takes it off sale).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pos_app.core.errors import InvalidInput, PosError
from pos_app.core.members import gs1_check_digit, validate_name
from pos_app.core.money import parse_yuan
from pos_app.core.text import csv_records, normalize_input

MAX_ROWS = 1_000_000
#: a column's accepted header names (case-insensitive for the English ones)
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "商品编码", "货号", "编码"),
    "barcode": ("barcode", "条码", "条形码", "商品条码"),
    "name": ("name", "商品名称", "品名", "名称"),
    "category": ("category", "类别", "分类", "品类"),
    "price": ("price", "售价", "零售价", "价格"),
    "flags": ("flags", "标记", "标签"),
    "new": ("new", "新品"),
    "active": ("active", "在售", "状态"),
}
REQUIRED = ("sku", "name", "category", "price")
COLUMNS_TEXT = "sku, barcode, name, category, price, flags, new, active"
SKU_RE = re.compile(r"[A-Za-z0-9_\-]{1,32}")
CATEGORY_RE = re.compile(r"[a-z0-9_\-]{1,32}")
FLAG_RE = re.compile(r"[a-z0-9_\-]{1,24}")
_YES = {"1", "y", "yes", "true", "是", "在售", "新品", "x", "√"}
_NO = {"", "0", "n", "no", "false", "否", "停售", "下架"}


class CatalogRow(NamedTuple):
    """One product as the file gives it, checked (a tuple: 100,000 of them are made at once)."""

    line: int
    sku: str
    barcode: str | None
    name: str
    category: str
    price_fen: int
    flags: tuple[str, ...]
    active: bool = True

    def values(self) -> tuple[str | None, str, str, int, str, int]:
        """What is compared with the stored product: barcode, name, category, price, flags, active."""
        return (self.barcode, self.name, self.category, self.price_fen, ",".join(self.flags), int(self.active))

    def wire(self) -> dict[str, Any]:
        """The product as the change feed carries it (``sync.protocol``'s ``product`` change)."""
        return {"sku": self.sku, "barcode": self.barcode, "name": self.name, "category": self.category,
                "price_fen": self.price_fen, "flags": list(self.flags), "active": self.active}


@dataclass
class CatalogPlan:
    """What an import would do: the checked rows, the errors (line, field, message), and the
    products it adds, changes and leaves as they are."""

    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    added: list[CatalogRow] = field(default_factory=list)
    changed: list[tuple[CatalogRow, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0
    #: the SKUs of stored products whose barcode an import row takes over (cleared first)
    barcodes_moved: list[str] = field(default_factory=list)
    #: the valid rows by category, and how many are flagged ``new``
    categories: dict[str, int] = field(default_factory=dict)
    new_flagged: int = 0

    @property
    def writes(self) -> list[CatalogRow]:
        return [*self.added, *(r for r, _ in self.changed)]

    def summary(self, *, excluded_categories: Iterable[str] = (), limit: int = 50) -> dict[str, Any]:
        """The dry run's report (and a real run's): counts, the first ``limit`` changes with what
        changes, every error, and the categories the program excludes from earning."""
        excluded = set(excluded_categories)
        return {
            "rows": self.rows, "valid": self.rows - len(self.errors), "invalid": len(self.errors),
            "errors": self.errors, "added": len(self.added), "changed": len(self.changed),
            "unchanged": self.unchanged,
            "added_skus": [r.sku for r in self.added[:limit]],
            "changes": [{"sku": r.sku, "line": r.line, **diff} for r, diff in self.changed[:limit]],
            "categories": self.categories,
            "never_earn": sorted(c for c in self.categories if c in excluded),
            "new_flagged": self.new_flagged,
        }


def _header_map(header: list[str]) -> dict[str, str]:
    """The file's header names to the column names, e.g. ``商品编码`` -> ``sku``."""
    out: dict[str, str] = {}
    for name in header:
        key = normalize_input(name).lower()
        for column, names in COLUMN_NAMES.items():
            if key in names:
                out[name] = column
    return out


def decode(data: bytes, *, field: str = "file") -> str:
    """A CSV file's text: UTF-8 with or without a BOM, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InvalidInput(field, f"neither UTF-8 nor GB18030 text (byte {exc.start}): save the file as UTF-8"
                           " or GB18030") from None


_BARCODE_RE = re.compile(r"[0-9]{8}|[0-9]{12,14}")
_PRICE_RE = re.compile(r"([0-9]{1,7})(?:\.([0-9]{1,2}))?")
_FLAG_SPLIT_RE = re.compile(r"[|;,\s]+")


def check_barcode(text: str, *, field: str = "barcode") -> str:
    """A GTIN (EAN-8, UPC-A, EAN-13, GTIN-14) with its check digit."""
    raw = normalize_input(text)
    if not _BARCODE_RE.fullmatch(raw):
        raise InvalidInput(field, f"a barcode is 8, 12, 13 or 14 digits: {text!r}")
    if gs1_check_digit(raw[:-1]) != int(raw[-1]):
        raise InvalidInput(field, f"check digit does not match: {text!r} (it would end in {gs1_check_digit(raw[:-1])})")
    return raw


def _yes_no(text: str, *, field: str) -> bool:
    if text in _YES:
        return True
    if text in _NO:
        return False
    value = normalize_input(text).lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise InvalidInput(field, f"yes or no (1/0, 是/否) is required: {text!r}")


def _flags(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for word in _FLAG_SPLIT_RE.split(normalize_input(text).lower()):
        if not word:
            continue
        if not FLAG_RE.fullmatch(word):
            raise InvalidInput("flags", f"a flag is 1 to 24 letters, digits, - or _: {word!r}")
        if word not in out:
            out.append(word)
    return tuple(out)


def check_row(line: int, raw: Mapping[str, str]) -> CatalogRow:
    """One row (column names as ``COLUMN_NAMES`` keys) checked; ``InvalidInput`` names the field."""
    sku = normalize_input(raw.get("sku") or "")
    if not SKU_RE.fullmatch(sku):
        raise InvalidInput("sku", f"1 to 32 letters, digits, - or _: {sku!r}")
    barcode_text = normalize_input(raw.get("barcode") or "")
    barcode = check_barcode(barcode_text) if barcode_text else None
    name = validate_name(raw.get("name") or "", field="name")
    category = normalize_input(raw.get("category") or "").lower()
    if not CATEGORY_RE.fullmatch(category):
        raise InvalidInput("category", f"1 to 32 lower-case letters, digits, - or _: {category!r}")
    price_text = raw.get("price") or ""
    m = _PRICE_RE.fullmatch(price_text)  # the common case, without parse_yuan's normalising
    price_fen = int(m[1]) * 100 + int((m[2] or "").ljust(2, "0")) if m else 0
    if not price_fen:
        price_fen = parse_yuan(price_text, field="price")
    flags_text = raw.get("flags")
    flags = _flags(flags_text) if flags_text else ()
    new = raw.get("new")
    if new and _yes_no(new, field="new") and "new" not in flags:
        flags = (*flags, "new")
    active_text = raw.get("active")
    active = _yes_no(active_text, field="active") if active_text and active_text.strip() else True
    return CatalogRow(line, sku, barcode, name, category, price_fen, flags, active)


def parse(text: str) -> tuple[list[CatalogRow], list[dict[str, Any]], int]:
    """Every row of the file checked: (good rows, errors, rows in all). ``InvalidInput("file")``
    when the header lacks a required column."""
    records = csv_records(text)
    first = next(records, None)
    header = [h.strip() for h in first[1]] if first is not None and isinstance(first[1], list) else []
    names = _header_map(header)
    columns = [names.get(h, h) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InvalidInput("file", f"the CSV needs the columns {COLUMNS_TEXT} (or their Chinese names);"
                           f" missing {', '.join(missing)}")
    good: list[CatalogRow] = []
    errors: list[dict[str, Any]] = []
    for n, (line, fields) in enumerate(records, start=1):
        if n > MAX_ROWS:
            raise InvalidInput("file", f"at most {MAX_ROWS} rows")
        try:
            if isinstance(fields, PosError):
                raise fields
            good.append(check_row(line, dict(zip(columns, fields, strict=False))))
        except PosError as exc:
            errors.append({"line": line, "field": exc.field, "message": exc.message})
    return good, errors, len(good) + len(errors)


#: a stored product as ``plan`` compares it: sku -> (barcode, name, category, price_fen, flags, active)
Stored = Mapping[str, tuple[str | None, str, str, int, str, int]]


def plan(text: str, stored: Stored) -> CatalogPlan:
    """What importing ``text`` would do to the ``stored`` catalogue (checked rows, the file's
    duplicates, barcodes of products not in the file), with every error by line."""
    rows, errors, total = parse(text)
    result = CatalogPlan(rows=total, errors=errors)
    by_barcode = {v[0]: sku for sku, v in stored.items() if v[0]}
    in_file = {r.sku for r in rows}
    seen_sku: dict[str, int] = {}
    seen_barcode: dict[str, int] = {}
    for r in rows:
        problem = None
        if r.sku in seen_sku:
            problem = ("sku", f"{r.sku} is on line {seen_sku[r.sku]} already")
        elif r.barcode and r.barcode in seen_barcode:
            problem = ("barcode", f"{r.barcode} is on line {seen_barcode[r.barcode]} already")
        elif r.barcode and by_barcode.get(r.barcode, r.sku) != r.sku and by_barcode[r.barcode] not in in_file:
            problem = ("barcode", f"{r.barcode} is the barcode of product {by_barcode[r.barcode]}, which this file"
                                  " does not change: give it another barcode in the file first")
        if problem:
            errors.append({"line": r.line, "field": problem[0], "message": problem[1]})
            continue
        seen_sku[r.sku] = r.line
        if r.barcode:
            seen_barcode[r.barcode] = r.line
        result.categories[r.category] = result.categories.get(r.category, 0) + 1
        result.new_flagged += "new" in r.flags
        old = stored.get(r.sku)
        if old is None:
            result.added.append(r)
            continue
        new = r.values()
        if tuple(old) == new:
            result.unchanged += 1
            continue
        diff = {name: {"old": a, "new": b} for name, a, b in zip(
            ("barcode", "name", "category", "price_fen", "flags", "active"), old, new, strict=True) if a != b}
        result.changed.append((r, diff))
    moved = {r.barcode for r in result.writes if r.barcode and by_barcode.get(r.barcode, r.sku) != r.sku}
    result.barcodes_moved = sorted(by_barcode[b] for b in moved)
    result.categories = dict(sorted(result.categories.items()))
    errors.sort(key=lambda e: e["line"])
    return result
