"""The store report in the window (issue 15 item 10): a manager picks any range of days, the
figures per cashier are summed on the pool and shown, exported to CSV and Excel files read back;
a bad range is refused naming the field; a segment's members are exported for a campaign,
phones masked unless the manager ticks the box; a cashier can do none of it."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from pos_app.ui.app import App
from pos_app.ui.qt import QAbstractItemView, QKeySequence, Qt, QWidget
from pos_app.ui.widgets.reports import ReportsPage
from tests.conftest import FakeClock
from tests.ui.test_reports import GOLD_CARD, SILVER_CARD, HeldPool, login, reports_page, sell


def table_rows(page: ReportsPage) -> list[list[str]]:
    t = page.store_table
    head = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    return [head] + [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def two_cashiers_sell(qtbot: object, app: App, clock: FakeClock) -> None:
    """2026-11-04 (the demo was seeded the day before): cashier 1001 sells the gold member
    earbuds paid with 5,000 points ((19900 - 5000) x 1.2 x 1.5 / 100 = 268, + 100 first purchase
    = 368), the manager sells the silver member a thermos (8900 x 1.2 / 100 = 106, + 100 = 206)."""
    clock.set("2026-11-04T10:00")
    login(qtbot, app, "1001", "1234")
    sell(qtbot, app, GOLD_CARD, "6970000000017", points=5000)
    assert app.checkout.last_sale is not None and app.checkout.last_sale.points_earned == 368
    app.session.logout()
    login(qtbot, app, "9001", "9999")
    sell(qtbot, app, SILVER_CARD, "6970000000024")
    assert app.checkout.last_sale is not None and app.checkout.last_sale.points_earned == 206


def open_store_report(qtbot: object, app: App) -> ReportsPage:
    page = reports_page(app)
    qtbot.keyClick(app.window, Qt.Key.Key_F9)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.isVisible())  # type: ignore[attr-defined]
    return page


def set_range(qtbot: object, page: ReportsPage, first: str, last: str) -> None:
    for field, text in ((page.from_input, first), (page.to_input, last)):
        field.selectAll()
        qtbot.keyClicks(field, text)  # type: ignore[attr-defined]


def press(qtbot: object, widget: QWidget, keys: str) -> None:
    seq = QKeySequence(keys)[0]
    qtbot.keyClick(widget, seq.key(), seq.keyboardModifiers())  # type: ignore[attr-defined]


def test_a_manager_sees_any_range_per_cashier_built_on_the_pool_and_exports_it(
        qtbot: object, app: App, clock: FakeClock, tmp_path: Path) -> None:
    two_cashiers_sell(qtbot, app, clock)
    page = open_store_report(qtbot, app)
    pool = HeldPool()
    page.vm.pool = pool
    set_range(qtbot, page, "2026-11-04", "2026-11-04")
    assert page.by_box.currentData() == "cashier"
    press(qtbot, page.to_input, "Ctrl+Return")
    # summed on the pool, not on the UI thread: nothing shown until the worker ran
    assert page.tabs.currentWidget() is page.range_tab
    assert len(pool.held) == 1 and page.vm.busy and not page.show_report_button.isEnabled()
    assert page.store_table.rowCount() == 0
    pool.run_all()
    qtbot.waitUntil(lambda: page.store_table.rowCount() == 3)  # type: ignore[attr-defined]
    rows = table_rows(page)
    col = {h: i for i, h in enumerate(rows[0])}
    cashier, manager, total = rows[1:]
    assert (cashier[col["Cashier"]], cashier[col["Name"]], cashier[col["Sales"]], cashier[col["Sales (yuan)"]],
            cashier[col["Points issued"]], cashier[col["Points redeemed"]]) == (
        "1001", "收银员小陈", "1", "199.00", "368", "5,000")
    assert (manager[col["Cashier"]], manager[col["Points issued"]], manager[col["Sales (yuan)"]]) == (
        "9001", "206", "89.00")
    assert (total[col["Cashier"]], total[col["Points issued"]], total[col["Sales"]]) == ("Total", "574", "2")

    # exported as shown: CSV (UTF-8 with BOM) and Excel, read back
    asked: list[str] = []

    def answer(name: str):  # type: ignore[no-untyped-def]
        def ask(_parent: QWidget, _title: str, default: str, filters: str) -> str:
            asked.append(f"{Path(default).name} {filters}")
            return str(tmp_path / name)
        return ask

    page.vm.pool = app.pool
    page.ask_save_path = answer("week")  # no suffix typed: the button's format is added
    press(qtbot, page.store_table, "Ctrl+E")
    qtbot.waitUntil(lambda: (tmp_path / "week.csv").exists())  # type: ignore[attr-defined]
    assert asked[-1] == "report-cashier-2026-11-04-2026-11-04.csv CSV files (*.csv)"
    raw = (tmp_path / "week.csv").read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    with (tmp_path / "week.csv").open(encoding="utf-8-sig", newline="") as f:
        got = list(csv.reader(f))
    assert got[1][:5] == ["1001", "收银员小陈", "1", "1", "199.00"] and got[-1][0] == "Total"
    assert page.notice.text() == f"Saved {tmp_path / 'week.csv'}."
    page.ask_save_path = answer("week.xlsx")
    qtbot.mouseClick(page.export_xlsx_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: (tmp_path / "week.xlsx").exists())  # type: ignore[attr-defined]
    ws = load_workbook(tmp_path / "week.xlsx", read_only=True).active
    assert ws is not None
    xl = [list(r) for r in ws.iter_rows(values_only=True)]
    assert xl[0][:3] == ["Cashier", "Name", "Sales"] and xl[2][:2] == ["9001", "店长王经理"]
    assert xl[3][xl[0].index("Points issued")] == 574


def test_a_bad_range_is_refused_naming_the_field_and_nothing_is_built(
        qtbot: object, app: App, clock: FakeClock) -> None:
    login(qtbot, app, "9001", "9999")
    page = open_store_report(qtbot, app)
    page.tabs.setCurrentWidget(page.range_tab)
    pool = HeldPool()
    page.vm.pool = pool
    set_range(qtbot, page, "2026-11-04", "2026-11-01")
    qtbot.mouseClick(page.show_report_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.notice.text() == "The To date 2026-11-01 is before the From date 2026-11-04."
    set_range(qtbot, page, "2026-02-30", "2026-11-01")
    qtbot.keyClick(page.to_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.notice.text() == "From date is not valid."
    assert pool.held == [] and page.vm.store_report is None and not page.export_csv_button.isEnabled()


def test_segment_members_exported_masked_unless_the_manager_ticks_whole_phones(
        qtbot: object, app: App, clock: FakeClock, tmp_path: Path) -> None:
    login(qtbot, app, "9001", "9999")
    page = open_store_report(qtbot, app)
    qtbot.waitUntil(lambda: page.segments_table.rowCount() > 0)  # type: ignore[attr-defined]
    names = [page.segments_table.item(r, 0).text() for r in range(page.segments_table.rowCount())]
    row = names.index("New")
    assert page.segments_table.selectionMode() == QAbstractItemView.SelectionMode.SingleSelection
    page.segments_table.setFocus()
    page.segments_table.selectRow(row)
    page.ask_save_path = lambda *_a: str(tmp_path / "new.csv")
    press(qtbot, page.segments_table, "Ctrl+M")
    qtbot.waitUntil(lambda: (tmp_path / "new.csv").exists())  # type: ignore[attr-defined]
    with (tmp_path / "new.csv").open(encoding="utf-8-sig", newline="") as f:
        masked = list(csv.DictReader(f))
    assert len(masked) == 2 and all("****" in m["Phone"] for m in masked)
    assert page.notice.text().startswith(f"Saved {tmp_path / 'new.csv'}: 2 members (0 without marketing consent")
    qtbot.mouseClick(page.whole_phones_box, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    page.ask_save_path = lambda *_a: str(tmp_path / "new-full")
    qtbot.mouseClick(page.export_segment_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: (tmp_path / "new-full.xlsx").exists())  # type: ignore[attr-defined]
    ws = load_workbook(tmp_path / "new-full.xlsx", read_only=True).active
    assert ws is not None
    phones = sorted(r[2] for r in ws.iter_rows(min_row=2, values_only=True))
    assert len(phones) == 2 and all(len(p) == 11 and p.isdigit() for p in phones)
    # the choice is the manager's, for this session only
    app.session.logout()
    assert not page.whole_phones_box.isChecked()


def test_a_cashier_can_neither_see_nor_export(qtbot: object, app: App, clock: FakeClock, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    login(qtbot, app, "1001", "1234")
    page = open_store_report(qtbot, app)
    assert page.stack.currentWidget() is page.locked_label
    errors: list[str] = []
    page.vm.error_raised.connect(errors.append)
    assert not page.vm.build_store_report("2026-11-01", "2026-11-03")
    assert not page.vm.export_segment("new", str(out / "x.csv"))
    page.ask_save_path = lambda *_a: str(out / "y.csv")
    press(qtbot, page, "Ctrl+M")  # the screen's keys refuse too
    press(qtbot, page, "Ctrl+E")
    assert errors == ["Only a store manager may do this."] * 4
    assert page.notice.text() == "Only a store manager may do this."
    assert page.vm.store_report is None and list(out.iterdir()) == []
