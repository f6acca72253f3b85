"""End to end: the chain's product catalogue imported at headquarters (``pos-hq product import``,
a real process on SQLite and on PostgreSQL) reaches real tills through the change feed served by
a real uvicorn: in a first sync's snapshot and as feed changes afterwards (a price change, a
barcode moving from one product to another, a product taken off sale), and is sold at the till."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from pos_app.services import catalog
from pos_app.services import sync as sync_service
from pos_app.services.sales import record_sale
from tests.e2e.conftest import REPO, HQServer, run_hq

HEADER = "商品编码,条码,商品名称,类别,售价,新品,在售\n"
FIRST = ("BREAD,6901234567892,全麦面包,food,8.50,,\n"
         "EARBUD,6970000000017,新款蓝牙耳机,electronics,199.00,是,\n"
         "CIG,6901028001236,香烟,tobacco,30.00,,\n")
SECOND = ("BREAD,6970000000017,全麦面包,food,9.00,,\n"          # price up, takes the earbuds' barcode
          "EARBUD,6970000000024,新款蓝牙耳机,electronics,199.00,是,\n"  # a new barcode
          "CIG,6901028001236,香烟,tobacco,30.00,,否\n")         # off sale


def erp_file(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode("gb18030"))
    return path


def till_products(t: Any) -> dict[str, tuple[Any, ...]]:
    return {r[0]: tuple(r[1:]) for r in t.database.execute(
        "SELECT sku, barcode, category, price_fen, flags, active FROM product ORDER BY sku").fetchall()}


def hq_counts(db_url: str) -> tuple[int, int]:
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    try:
        return (hqdb.Product.select().count(),
                hqdb.Change.select().where(hqdb.Change.kind == "product").count())
    finally:
        database.close()


def test_a_catalogue_imported_at_headquarters_reaches_the_tills(hq: HQServer, two_tills: Any,
                                                                 tmp_path: Path) -> None:
    a, b, _clock = two_tills
    bad = erp_file(tmp_path, "bad.csv", FIRST + "TEA,6970000000030,乌龙茶,food,5.5,,\n")
    out = subprocess.run([sys.executable, "-m", "pos_app.hq", "--db", hq.db_url, "product", "import", str(bad)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "line 5: barcode: check digit does not match" in out.stdout, out.stdout
    first = erp_file(tmp_path, "first.csv", FIRST)
    dry = run_hq(hq.db_url, "product", "import", str(first), "--dry-run")
    assert "would add 3, would change 0, 0 unchanged; nothing written" in dry and "tobacco" in dry
    assert hq_counts(hq.db_url) == (0, 0)
    assert "added 3" in run_hq(hq.db_url, "product", "import", str(first))
    assert hq_counts(hq.db_url) == (3, 3)

    # till A's first sync is a snapshot: the catalogue comes with the global data
    report = sync_service.sync_once(a)
    assert report.snapshot_pages >= 1
    assert till_products(a) == {
        "BREAD": ("6901234567892", "food", 850, "", 1),
        "CIG": ("6901028001236", "tobacco", 3000, "", 1),
        "EARBUD": ("6970000000017", "electronics", 19900, "new", 1)}
    sale = record_sale(a, lines=[catalog.product_by_code(a, "6970000000017").line(1)], staff_code="1001")
    assert sale.total_fen == 19900

    # the weekly update: by the feed at A, in the snapshot at B
    second = erp_file(tmp_path, "second.csv", SECOND)
    text = run_hq(hq.db_url, "product", "import", str(second), "--dry-run")
    assert "would add 0, would change 3" in text and "BREAD (line 2): barcode 6901234567892 -> 6970000000017" in text
    run_hq(hq.db_url, "product", "import", str(second))
    sync_service.sync_once(a)
    sync_service.sync_once(b)
    expected = {
        "BREAD": ("6970000000017", "food", 900, "", 1),
        "CIG": ("6901028001236", "tobacco", 3000, "", 0),
        "EARBUD": ("6970000000024", "electronics", 19900, "new", 1)}
    assert till_products(a) == expected
    assert till_products(b) == expected
    assert catalog.product_by_code(a, "6970000000017").sku == "BREAD"
    assert not catalog.search_products(a, "香烟")  # off sale: not offered any more
