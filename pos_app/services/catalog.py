"""The product catalogue: what the basket scans or searches."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from pos_app.core import catalog as core_catalog
from pos_app.core.catalog import CatalogPlan
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


def flagged_products(t: Terminal, flag: str, limit: int = 5) -> list[Product]:
    """Active products with ``flag`` among their flags (the customer display's new products)."""
    return [_product(r) for r in t.repo.products_flagged(flag, limit)]


# -- importing the catalogue from the chain's ERP ----------------------------------------------------------

#: products written by one statement; a transaction writes batches for ``CHUNK_SECONDS`` at most
IMPORT_BATCH = 1000


@dataclass
class ProductImport:
    """What ``import_products`` did (or, dry run, would do)."""

    file: str
    plan: CatalogPlan
    excluded_categories: tuple[str, ...]
    dry_run: bool
    written: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "dry_run": self.dry_run, "written": self.written,
                **self.plan.summary(excluded_categories=self.excluded_categories)}

    def text(self) -> str:
        """The report as the CLI prints it (English; the window translates its own)."""
        s = self.to_dict()
        verb = "would add" if self.dry_run or not self.written else "added"
        lines = [f"{s['rows']} rows, {s['valid']} valid, {s['invalid']} invalid; {verb} {s['added']},"
                 f" {'would change' if verb == 'would add' else 'changed'} {s['changed']},"
                 f" {s['unchanged']} unchanged; " + ("written" if self.written else "nothing written")]
        for e in self.plan.errors[:20]:
            lines.append(f"  line {e['line']}: {e['field']}: {e['message']}")
        if len(self.plan.errors) > 20:
            lines.append(f"  ... and {len(self.plan.errors) - 20} more")
        for c in s["changes"][:20]:  # type: ignore[index]
            what = ", ".join(f"{k} {v['old']} -> {v['new']}" for k, v in c.items() if isinstance(v, dict))
            lines.append(f"  {c['sku']} (line {c['line']}): {what}")
        if s["never_earn"]:
            lines.append("  never earn points (the program excludes these categories): "
                         + ", ".join(s["never_earn"]))  # type: ignore[arg-type]
        return "\n".join(lines)


def import_products(t: Terminal, path: str | Path, *, dry_run: bool = False,
                    staff_code: str | None = None) -> ProductImport:
    """Import the chain's product catalogue from a CSV file (``core.catalog``'s format and
    policy): every row checked first; with any error, or a dry run, nothing is written and the
    report says what would change. Otherwise products are added or replaced by SKU, in short
    transactions (a sale at the counter is not held up), and the import is audited."""
    from pos_app.services.importer import CHUNK_SECONDS, read_csv_file, write_in_chunks

    p = Path(path)
    text = read_csv_file(p)
    plan = core_catalog.plan(text, t.repo.product_catalog())
    try:
        excluded = tuple(t.program.earning.excluded_categories)
    except NotFound:  # no program loaded yet: the catalogue can come first
        excluded = ()
    report = ProductImport(p.name, plan, excluded, dry_run)
    if dry_run or plan.errors:
        return report
    stamp = t.stamp(None, staff_code)
    rows = [(r.sku, r.barcode, r.name, r.category, r.price_fen, ",".join(r.flags), int(r.active))
            for r in plan.writes]
    if plan.barcodes_moved:
        with t.database.transaction():
            t.repo.clear_product_barcodes(plan.barcodes_moved)

    def chunk(start: int) -> int:  # batches of IMPORT_BATCH until CHUNK_SECONDS have gone
        deadline = time.monotonic() + CHUNK_SECONDS
        with t.database.transaction():
            while start < len(rows) and time.monotonic() < deadline:
                t.repo.write_products(rows[start:start + IMPORT_BATCH])
                start += IMPORT_BATCH
        return start

    write_in_chunks(t, len(rows), chunk, what="product import")
    with t.database.transaction():
        t.ledger.audit("product.import", p.name, {"rows": plan.rows, "added": len(plan.added),
                                                  "changed": len(plan.changed), "unchanged": plan.unchanged}, stamp)
    report.written = True
    return report
