"""The chain's product catalogue at headquarters: imported from the ERP's CSV (``core.catalog``'s
format, checks and all-or-nothing policy, the same as at a till) and sent to every till by the
change feed, one ``product`` change per product added or changed (audience ``*``). A till that
starts from a snapshot gets the whole catalogue with the snapshot's global data
(``feed._globals``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pos_app.core import catalog as core_catalog
from pos_app.core.errors import InvalidInput
from pos_app.hq import db, feed
from pos_app.hq.authority import _database, active_program

#: products written (and their changes published) in one transaction
CHUNK = 5000


def stored() -> dict[str, tuple[str | None, str, str, int, str, int]]:
    """Every product headquarters holds, as ``core.catalog.plan`` compares them."""
    P = db.Product
    rows: list[tuple[Any, ...]] = list(P.select(P.sku, P.barcode, P.name, P.category, P.price_fen, P.flags,
                                                 P.active).tuples())  # type: ignore[arg-type]
    return {r[0]: (r[1], r[2], r[3], int(r[4]), r[5], int(bool(r[6]))) for r in rows}


def wire(row: db.Product | tuple[Any, ...]) -> dict[str, Any]:
    """A stored product as the feed carries it."""
    if isinstance(row, db.Product):
        row = (row.sku, row.barcode, row.name, row.category, row.price_fen, row.flags, row.active)
    sku, barcode, name, category, price_fen, flags, active = row
    return {"sku": sku, "barcode": barcode, "name": name, "category": category, "price_fen": int(price_fen),
            "flags": [f for f in str(flags).split(",") if f], "active": bool(active)}


def all_wire() -> list[dict[str, Any]]:
    """The whole catalogue, by SKU, as feed changes' data (a snapshot's global data)."""
    P = db.Product
    query = P.select(P.sku, P.barcode, P.name, P.category, P.price_fen, P.flags, P.active).order_by(P.sku)
    return [wire(r) for r in query.tuples()]


def import_products(path: str | Path, *, actor: str, dry_run: bool = False) -> dict[str, Any]:
    """Import the catalogue from a CSV file: nothing is written if any row is wrong (or with
    ``dry_run``); otherwise the products are added or replaced by SKU and each one added or
    changed goes to every till through the feed. Returns the plan's summary, with ``written``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InvalidInput("file", f"cannot read {p}: {exc}") from None
    text = core_catalog.decode(data)
    plan = core_catalog.plan(text, stored())
    program = active_program()
    excluded = program.earning.excluded_categories if program else ()
    summary = {"file": p.name, "dry_run": dry_run, "written": False,
               **plan.summary(excluded_categories=excluded)}
    if dry_run or plan.errors:
        return summary
    rows = plan.writes
    database = _database()
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        now = db.utcnow()
        with db.writing(database):
            values = [(r.sku, r.barcode, r.name, r.category, r.price_fen, ",".join(r.flags), r.active, now)
                      for r in part]
            feed.bulk_insert(db.Product, ("sku", "barcode", "name", "category", "price_fen", "flags", "active",
                                          "updated_at"), values,
                             suffix='ON CONFLICT ("sku") DO UPDATE SET "barcode" = excluded."barcode",'
                                    ' "name" = excluded."name", "category" = excluded."category",'
                                    ' "price_fen" = excluded."price_fen", "flags" = excluded."flags",'
                                    ' "active" = excluded."active", "updated_at" = excluded."updated_at"')
            changes = feed.ChangeBuffer()
            for r in part:
                changes.add("product", r.sku, r.wire())
            changes.flush()
    with db.writing(database):
        db.audit(actor, "product.import", p.name, rows=plan.rows, added=len(plan.added), changed=len(plan.changed),
                 unchanged=plan.unchanged)
    summary["written"] = True
    return summary


def report_text(summary: dict[str, Any]) -> str:
    """The summary as ``pos-hq product import`` prints it."""
    would = not summary["written"]
    lines = [f"{summary['rows']} rows, {summary['valid']} valid, {summary['invalid']} invalid;"
             f" {'would add' if would else 'added'} {summary['added']},"
             f" {'would change' if would else 'changed'} {summary['changed']}, {summary['unchanged']} unchanged; "
             + ("written, sent to every till" if summary["written"] else "nothing written")]
    for e in summary["errors"][:20]:
        lines.append(f"  line {e['line']}: {e['field']}: {e['message']}")
    if len(summary["errors"]) > 20:
        lines.append(f"  ... and {len(summary['errors']) - 20} more")
    for c in summary["changes"][:20]:
        what = ", ".join(f"{k} {v['old']} -> {v['new']}" for k, v in c.items() if isinstance(v, dict))
        lines.append(f"  {c['sku']} (line {c['line']}): {what}")
    if summary["never_earn"]:
        lines.append("  never earn points (the program excludes these categories): " + ", ".join(summary["never_earn"]))
    return "\n".join(lines)
