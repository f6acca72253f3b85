"""Issue 15 item 7 in the window: a manager imports the chain's product file from Settings (F10):
the dry run's report lists refused rows by line and field and keeps Import disabled; a good file's
report says what would change, Import writes it, and the products scan at checkout. A cashier
is refused with what to do."""

from __future__ import annotations

from pathlib import Path

from pos_app.services import catalog
from pos_app.ui.app import App
from pos_app.ui.qt import Qt
from pos_app.ui.widgets.products import ProductImportDialog
from tests.ui.test_reports import login
from tests.ui.test_settings import settings_page, type_into

HEADER = "商品编码,条码,商品名称,类别,售价,新品\n"


def test_a_manager_checks_then_imports_the_product_file(qtbot: object, app: App, tmp_path: Path) -> None:
    page = settings_page(qtbot, app)  # a cashier
    assert page.open_product_import() is None
    assert "Only a manager" in page.notice.text() or "店长" in page.notice.text()
    login(qtbot, app, "9001", "9999")
    app.window.work.show_page("settings")  # type: ignore[attr-defined]
    assert page.import_products_button.minimumHeight() >= 44
    qtbot.mouseClick(page.import_products_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    dialog = page.findChild(ProductImportDialog)
    assert isinstance(dialog, ProductImportDialog) and dialog.isVisible()
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + "TEA,6970000000031,乌龙茶,food,5.50,是\nTEA2,6970000000030,绿茶,food,x,\n")
                    .encode("gb18030"))
    type_into(qtbot, dialog.path_edit, str(bad))
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    report = dialog.report.toPlainText()
    assert "3: barcode: check digit does not match" in report  # line 3 by line and field
    assert not dialog.import_button.isEnabled()
    assert app.terminal.repo.row("SELECT count(*) n FROM product WHERE sku LIKE 'TEA%'") == {"n": 0}
    good = tmp_path / "good.csv"
    good.write_bytes((HEADER + "TEA,6970000000031,乌龙茶,food,5.50,是\n").encode("gb18030"))
    type_into(qtbot, dialog.path_edit, str(good))
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert dialog.import_button.isEnabled()
    assert app.terminal.repo.row("SELECT count(*) n FROM product WHERE sku = 'TEA'") == {"n": 0}
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert not dialog.import_button.isEnabled()
    tea = catalog.product_by_code(app.terminal, "6970000000031")
    assert (tea.price_fen, tea.flags) == (550, ("new",))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # type: ignore[attr-defined]
    assert not dialog.isVisible()
