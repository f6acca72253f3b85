"""The settings' Test scan (扫码测试) in the window: every demo product is read as that product."""

from __future__ import annotations

from typing import Any

from pos_app.services.demo import DEMO_PRODUCTS
from pos_app.ui.app import App
from pos_app.ui.qt import Qt
from tests.ui.test_checkout_flow import login


def open_scan_test(qtbot: Any, app: App) -> Any:
    login(qtbot, app)
    app.window.work.show_page("settings")  # type: ignore[attr-defined]
    settings = app.window.work.pages["settings"]  # type: ignore[attr-defined]
    qtbot.mouseClick(settings.test_scan_button, Qt.MouseButton.LeftButton)
    dialog = settings.scan_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_the_scan_test_reads_every_demo_product_as_that_product(qtbot: Any, app: App) -> None:
    dialog = open_scan_test(qtbot, app)
    for _sku, barcode, name, *_ in DEMO_PRODUCTS:
        qtbot.keyClicks(dialog.input, barcode)
        qtbot.keyClick(dialog.input, Qt.Key.Key_Return)
        assert dialog.last_kind == "product", barcode
        assert dialog.result_label.text() == f"Product barcode {barcode} (EAN-13) — {name}"
    assert dialog.history.count() == len(DEMO_PRODUCTS)
    dialog.reject()
