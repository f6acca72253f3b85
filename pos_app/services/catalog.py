"""The product catalogue: what the basket scans or searches."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pos_app.core.earning import SaleLine
from pos_app.core.errors import Conflict, InvalidInput, NotFound
from pos_app.core.members import validate_name
from pos_app.core.money import check_fen
from pos_app.core.text import identifier
from pos_app.services.context import Terminal


@dataclass(frozen=True)
class Product:
    sku: str
    barcode: str | None
    name: str
    category: str
    price_fen: int
    flags: tuple[str, ...]

    def line(self, line_no: int, qty: int = 1, discount_fen: int = 0) -> SaleLine:
        return SaleLine(line_no, self.sku, self.name, self.category, qty, self.price_fen, discount_fen, self.flags)


def _product(row: dict[str, object]) -> Product:
    flags = str(row["flags"] or "")
    return Product(str(row["sku"]), row["barcode"] if row["barcode"] else None,  # type: ignore[arg-type]
                   str(row["name"]), str(row["category"]), int(row["price_fen"]),  # type: ignore[call-overload]
                   tuple(f for f in flags.split(",") if f))


def add_product(t: Terminal, *, sku: str, name: str, category: str, price_fen: int, barcode: str | None = None,
                flags: tuple[str, ...] = ()) -> Product:
    if not isinstance(sku, str) or not re.fullmatch(r"[A-Za-z0-9_\-]{1,32}", sku):
        raise InvalidInput("sku", "1 to 32 letters, digits, - or _")
    if barcode is not None and not re.fullmatch(r"[0-9]{8,14}", barcode):
        raise InvalidInput("barcode", "8 to 14 digits")
    name = validate_name(name, field="name")
    check_fen(price_fen, field="price")
    with t.database.transaction():
        if t.repo.product_exists(sku, barcode):
            raise Conflict("sku", f"product {sku} or barcode {barcode} exists already")
        t.repo.insert("product", {"sku": sku, "barcode": barcode, "name": name, "category": category,
                                  "price_fen": price_fen, "flags": ",".join(flags)})
    return Product(sku, barcode, name, category, price_fen, tuple(flags))


def product_by_code(t: Terminal, code: str) -> Product:
    """By barcode or SKU, as a scan or the keyboard gives it."""
    code = identifier(code, field="product")
    row = t.repo.product_by_code(code)
    if row is None:
        raise NotFound("product", f"no product with code {code!r}")
    return _product(row)


def search_products(t: Terminal, text: str, limit: int = 20) -> list[Product]:
    text = text.strip()
    if not text:
        return []
    rows = t.repo.search_products(text, limit)
    return [_product(r) for r in rows]
