"""The product catalogue imported from the chain's ERP (``pos-app product import``): every bad
row refused with its line and field (check digit, price, an SKU twice), nothing written on any
error, UTF-8 with or without BOM and GB18030, prices in fen exactly, a dry run that says what
would change, and the imported products sold with their category and flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.core import catalog as core_catalog
from pos_app.core.errors import InvalidInput
from pos_app.services import catalog, sales
from pos_app.services.context import Terminal
from tests.conftest import FakeClock
from tests.services.test_reference_examples import enroll

ERP_HEADER = "商品编码,条码,商品名称,类别,售价,新品,在售\n"
GOOD = ("BREAD,6901234567892,全麦面包,food,8.50,,\n"
        "EARBUD,6970000000017,新款蓝牙耳机,electronics,\"1,999.9\",是,\n"
        "CIG,6901028001236,香烟,tobacco,￥30,否,是\n")


def write(tmp_path: Path, body: str, *, header: str = ERP_HEADER, encoding: str = "utf-8") -> Path:
    path = tmp_path / "products.csv"
    path.write_bytes((header + body).encode(encoding))
    return path


def products(t: Terminal) -> dict[str, tuple[object, ...]]:
    return {r["sku"]: (r["barcode"], r["name"], r["category"], r["price_fen"], r["flags"], r["active"])
            for r in t.repo.rows("SELECT * FROM product ORDER BY sku")}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_an_erp_file_in_each_encoding_is_imported_with_exact_prices(terminal: Terminal, tmp_path: Path,
                                                                      encoding: str) -> None:
    path = write(tmp_path, GOOD, encoding=encoding)
    report = catalog.import_products(terminal, path)
    assert report.written and not report.plan.errors
    assert products(terminal) == {
        "BREAD": ("6901234567892", "全麦面包", "food", 850, "", 1),
        "CIG": ("6901028001236", "香烟", "tobacco", 3000, "", 1),
        "EARBUD": ("6970000000017", "新款蓝牙耳机", "electronics", 199990, "new", 1),
    }
    assert terminal.repo.row("SELECT action, ref FROM audit WHERE action = 'product.import'") == {
        "action": "product.import", "ref": "products.csv"}


def test_bad_rows_are_refused_by_line_and_field_and_nothing_is_written(terminal: Terminal, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD
                 + "BAD1,6901234567891,坏条码,food,1.00,,\n"      # line 5: check digit
                 + "BAD2,,坏价格,food,1.234,,\n"                    # line 6: price
                 + "BREAD,,again,food,1,,\n"                        # line 7: the SKU twice
                 + "BAD3,,零价格,food,0,,\n"                        # line 8: a price of nothing
                 + "BAD4,6901234567892,条码重复,food,2,,\n"          # line 9: line 2's barcode
                 + "BAD5,,,food,2,,\n"                              # line 10: no name
                 + "BAD6,,x,Food & Drink,2,,\n"                     # line 11: category
                 + "BAD7,,y,food,2,maybe,\n")                       # line 12: new is yes or no
    for dry_run in (True, False):
        report = catalog.import_products(terminal, path, dry_run=dry_run)
        assert [(e["line"], e["field"]) for e in report.plan.errors] == [
            (5, "barcode"), (6, "price"), (7, "sku"), (8, "price"), (9, "barcode"), (10, "name"), (11, "category"),
            (12, "new")]
        assert "it would end in 2" in report.plan.errors[0]["message"]
        assert "line 2" in report.plan.errors[2]["message"]
        assert not report.written
        assert products(terminal) == {}
        assert terminal.repo.row("SELECT count(*) n FROM audit WHERE action = 'product.import'") == {"n": 0}
    assert "line 5: barcode: check digit does not match" in report.text()


def test_the_dry_run_reports_what_would_change_and_writes_nothing(terminal: Terminal, tmp_path: Path) -> None:
    catalog.import_products(terminal, write(tmp_path, GOOD))
    before = products(terminal)
    path = write(tmp_path, "BREAD,6901234567892,全麦面包,food,9.00,,\n"       # price up
                           "EARBUD,6970000000017,新款蓝牙耳机,electronics,1999.90,否,\n"  # no longer new
                           "CIG,6901028001236,香烟,tobacco,30,,\n"             # the same
                           "MILK,6907992100012,纯牛奶 250ml,food,4.5,,\n")     # new product
    dry = catalog.import_products(terminal, path, dry_run=True)
    summary = dry.to_dict()
    assert (summary["added"], summary["changed"], summary["unchanged"], summary["written"]) == (1, 2, 1, False)
    assert summary["added_skus"] == ["MILK"]
    assert summary["changes"] == [
        {"sku": "BREAD", "line": 2, "price_fen": {"old": 850, "new": 900}},
        {"sku": "EARBUD", "line": 3, "flags": {"old": "new", "new": ""}}]
    assert summary["never_earn"] == ["tobacco"] and summary["categories"] == {"electronics": 1, "food": 2,
                                                                              "tobacco": 1}
    assert "would add 1, would change 2, 1 unchanged; nothing written" in dry.text()
    assert "BREAD (line 2): price_fen 850 -> 900" in dry.text()
    assert products(terminal) == before
    done = catalog.import_products(terminal, path)
    assert done.written and products(terminal)["BREAD"][3] == 900 and products(terminal)["MILK"][3] == 450


def test_a_barcode_moves_between_two_products_of_one_file(terminal: Terminal, tmp_path: Path) -> None:
    catalog.import_products(terminal, write(tmp_path, GOOD))
    swapped = write(tmp_path, "BREAD,6970000000017,全麦面包,food,8.50,,\n"
                              "EARBUD,6901234567892,新款蓝牙耳机,electronics,1999.90,是,\n")
    assert catalog.import_products(terminal, swapped).written
    assert products(terminal)["BREAD"][0] == "6970000000017" and products(terminal)["EARBUD"][0] == "6901234567892"
    # a barcode of a product the file does not touch is not taken from it
    taken = write(tmp_path, "NEWCIG,6901028001236,别的香烟,tobacco,31,,\n")
    report = catalog.import_products(terminal, taken)
    assert [(e["line"], e["field"]) for e in report.plan.errors] == [(2, "barcode")]
    assert "CIG" in report.plan.errors[0]["message"] and not report.written


def test_a_product_taken_off_sale_is_no_longer_scanned(terminal: Terminal, tmp_path: Path) -> None:
    catalog.import_products(terminal, write(tmp_path, GOOD))
    catalog.import_products(terminal, write(tmp_path, "CIG,6901028001236,香烟,tobacco,30,,停售\n"))
    with pytest.raises(Exception, match="no product"):
        catalog.product_by_code(terminal, "6901028001236")
    assert products(terminal)["BREAD"][3] == 850  # a product absent from the file is left as it is


def test_imported_flags_and_categories_earn_as_the_program_says(terminal: Terminal, clock: FakeClock,
                                                                  tmp_path: Path) -> None:
    """Worked example 2 with imported products: 58.50 of food and 30.00 of tobacco, a normal
    member's first purchase on member day: the tobacco line never earns -> 275 points; and a
    product flagged new in the file earns the new-product bonus (example 1's 1.2)."""
    catalog.import_products(terminal, write(tmp_path, "FOOD,,零食礼包,food,58.50,,\n"
                                                      "CIG,6901028001236,香烟,tobacco,30,,\n"
                                                      "PHONE,,新款手机,electronics,100.00,是,\n"))
    clock.set("2026-11-18T10:00")
    m = enroll(terminal)
    food, cig = catalog.product_by_code(terminal, "FOOD"), catalog.product_by_code(terminal, "6901028001236")
    r = sales.record_sale(terminal, lines=[food.line(1), cig.line(2)], member_ref=m.card_no)
    assert r.points_earned == 275
    clock.set("2026-11-19T10:00")
    r = sales.record_sale(terminal, lines=[catalog.product_by_code(terminal, "PHONE").line(1)], member_ref=m.card_no)
    assert r.breakdown is not None and r.breakdown["lines"][0]["weighted"] == "12000" and r.points_earned == 120


def test_a_missing_column_or_unreadable_file_is_a_clear_error(terminal: Terminal, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        catalog.import_products(terminal, write(tmp_path, "X,Y\n", header="sku,name\n"))
    assert exc.value.field == "file" and "category, price" in exc.value.message.replace("missing ", "")
    with pytest.raises(InvalidInput) as exc:
        catalog.import_products(terminal, tmp_path / "absent.csv")
    assert exc.value.field == "file"
    with pytest.raises(InvalidInput) as exc:
        core_catalog.decode(b"sku,name\n\x81\x30\xff\xff")
    assert exc.value.field == "file" and "GB18030" in exc.value.message


def test_english_headers_and_a_flags_column(terminal: Terminal, tmp_path: Path) -> None:
    path = write(tmp_path, "CUP,6970000000024,保温杯,home,89,new|promo,1\n",
                 header="SKU,Barcode,Name,Category,Price,Flags,Active\n")
    assert catalog.import_products(terminal, path).written
    assert products(terminal)["CUP"] == ("6970000000024", "保温杯", "home", 8900, "new,promo", 1)
