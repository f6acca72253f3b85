"""Counter basics in the window (issue 15 item 4): change for cash, split tender."""

from __future__ import annotations

from typing import Any

from pos_app.ui.app import App
from pos_app.ui.qt import Qt
from tests.ui.test_checkout_flow import login


def checkout(app: App) -> Any:
    return app.window.work.pages["checkout"]  # type: ignore[attr-defined]


def type_enter(qtbot: Any, field: Any, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def choose_tender(page: Any, kind: str) -> None:
    page.tender_box.setCurrentIndex(page.tender_box.findData(kind))


def test_cash_handed_over_shows_the_change_and_short_is_refused(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.code_input, "CUP")  # 89.00
    qtbot.keyClick(page.code_input, Qt.Key.Key_F11)  # F11: the amount handed over
    assert page.tendered_input.hasFocus()
    type_enter(qtbot, page.tendered_input, "50")
    assert page.change_label.text() == "¥39.00 still to pay"
    qtbot.keyClick(page.tendered_input, Qt.Key.Key_F12)
    assert app.checkout.last_sale is None  # short: refused, saying what the cashier can do
    assert "39.00 yuan still to pay" in page.notice.text()
    assert app.terminal.database.execute("SELECT count(*) FROM sale").fetchone()[0] == 0
    type_enter(qtbot, page.tendered_input, "50")
    assert page.change_label.text() == "¥11.00"
    qtbot.keyClick(page.tendered_input, Qt.Key.Key_F12)
    sale = app.checkout.last_sale
    assert sale is not None and sale.change_fen == 1100 and sale.tender_kind == "cash"
    assert "change ¥11.00" in page.last_sale_label.text()
    assert page.change_label.text() == "" and page.payments_label.text() == ""  # the next sale starts clean


def test_split_tender_by_touch(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.amount_input, "123.45")
    choose_tender(page, "card")
    qtbot.keyClicks(page.tendered_input, "200")
    qtbot.mouseClick(page.take_button, Qt.MouseButton.LeftButton)
    assert "Card and mobile payments may not exceed the 123.45 yuan due" in page.notice.text()
    assert app.checkout.payments == []
    page.tendered_input.clear()
    qtbot.keyClicks(page.tendered_input, "50")
    qtbot.mouseClick(page.take_button, Qt.MouseButton.LeftButton)
    choose_tender(page, "wechat")
    qtbot.keyClicks(page.tendered_input, "23.45")
    qtbot.mouseClick(page.take_button, Qt.MouseButton.LeftButton)
    assert page.change_label.text() == "¥50.00 still to pay"
    choose_tender(page, "cash")
    qtbot.keyClicks(page.tendered_input, "100")
    qtbot.mouseClick(page.take_button, Qt.MouseButton.LeftButton)
    assert "Bank card ¥50.00" in page.payments_label.text() and page.change_label.text() == "¥50.00"
    for b in (page.take_button, page.clear_payments_button):
        assert b.height() >= 44
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    sale = app.checkout.last_sale
    assert sale is not None and sale.tender_kind == "split" and sale.change_fen == 5000
    rows = app.terminal.repo.rows("SELECT kind, amount_fen, given_fen FROM sale_tender ORDER BY seq")
    assert rows == [{"kind": "cash", "amount_fen": 5000, "given_fen": 10000},
                    {"kind": "card", "amount_fen": 5000, "given_fen": 5000},
                    {"kind": "wechat", "amount_fen": 2345, "given_fen": 2345}]


def test_split_tender_by_keyboard_ctrl_and_the_method_number(qtbot: Any, app: App) -> None:
    """Ctrl+1..4 choose cash, bank card, WeChat Pay, Alipay and put the cursor in the amount handed
    over: a split tender without touching the screen (the method had no key before)."""
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.amount_input, "123.45")
    qtbot.keyClick(page.amount_input, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert page.tender_box.currentData() == "card" and page.tendered_input.hasFocus()
    type_enter(qtbot, page.tendered_input, "50")
    qtbot.keyClick(page.tendered_input, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert page.tender_box.currentData() == "alipay" and page.tendered_input.hasFocus()
    assert page.tendered_input.text() == ""
    type_enter(qtbot, page.tendered_input, "23.45")
    qtbot.keyClick(page.tendered_input, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert page.tender_box.currentData() == "cash"
    type_enter(qtbot, page.tendered_input, "100")
    assert page.change_label.text() == "¥50.00"
    qtbot.keyClick(page.tendered_input, Qt.Key.Key_F12)
    rows = app.terminal.repo.rows("SELECT kind, amount_fen, given_fen FROM sale_tender ORDER BY seq")
    assert rows == [{"kind": "cash", "amount_fen": 5000, "given_fen": 10000},
                    {"kind": "card", "amount_fen": 5000, "given_fen": 5000},
                    {"kind": "alipay", "amount_fen": 2345, "given_fen": 2345}]


def test_clear_payments_and_exact_payment_without_tendering(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.amount_input, "10")
    type_enter(qtbot, page.tendered_input, "5")
    qtbot.mouseClick(page.clear_payments_button, Qt.MouseButton.LeftButton)
    assert app.checkout.payments == [] and page.change_label.text() == ""
    choose_tender(page, "alipay")
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)  # nothing handed over: paid exactly
    sale = app.checkout.last_sale
    assert sale is not None and sale.tender_kind == "alipay" and sale.change_fen == 0


def test_suspend_and_resume_by_keyboard_survives_a_restart(qtbot: Any, app: App, store: Any) -> None:
    from pos_app.services import suspended
    from pos_app.ui.qt import QApplication

    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.member_input, "13800138000")
    type_enter(qtbot, page.code_input, "CUP")
    type_enter(qtbot, page.code_input, "MILK")
    qtbot.keyClick(page.code_input, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)  # 挂单
    assert page.basket.rowCount() == 0 and app.checkout.member is None
    assert page.resume_button.text() == "Resume (1) Ctrl+U"
    assert store.database.execute("SELECT count(*) FROM sale").fetchone()[0] == 0
    assert store.database.execute("SELECT count(*) FROM ledger_entry WHERE kind = 'earn'").fetchone()[0] == 0
    # another customer meanwhile
    type_enter(qtbot, page.amount_input, "5")
    qtbot.keyClick(page.code_input, Qt.Key.Key_F12)
    assert app.checkout.last_sale is not None
    # the basket is in the database, not in the window: a new window (a restart) lists it
    assert [s.total_fen for s in suspended.list_suspended(store)] == [8900 + 450]
    qtbot.keyClick(page.code_input, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)  # 取单
    dialog = page.suspended_dialog
    assert dialog is not None and dialog.isVisible() and dialog.list.count() == 1
    assert "2 lines" in dialog.list.item(0).text() and "¥93.50" in dialog.list.item(0).text()
    assert dialog.resume_button.height() >= 44
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert page.basket.rowCount() == 2 and app.checkout.member is not None
    assert app.checkout.member.member.phone == "13800138000"
    assert page.resume_button.text() == "Resume (0) Ctrl+U"
    qtbot.keyClick(QApplication.focusWidget() or page.code_input, Qt.Key.Key_F12)
    sale = app.checkout.last_sale
    assert sale is not None and sale.total_fen == 9350 and sale.member is not None


def test_resume_refused_during_a_sale_and_discard_by_touch(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.amount_input, "12")
    qtbot.mouseClick(page.suspend_button, Qt.MouseButton.LeftButton)
    type_enter(qtbot, page.amount_input, "7")
    qtbot.mouseClick(page.resume_button, Qt.MouseButton.LeftButton)
    dialog = page.suspended_dialog
    qtbot.mouseClick(dialog.resume_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Complete or suspend the current sale first." in dialog.notice.text()
    qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    assert dialog.list.count() == 0 and app.checkout.suspended_sales() == []
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and page.basket.rowCount() == 1
    audit = app.terminal.repo.rows("SELECT action FROM audit WHERE action LIKE 'sale.%' ORDER BY id")
    assert [a["action"] for a in audit] == ["sale.suspend", "sale.discard"]


def test_line_discount_above_the_limit_asks_a_manager(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.member_input, "13800138000")
    type_enter(qtbot, page.amount_input, "100")
    qtbot.keyClick(page.code_input, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialog = page.discount_dialog
    assert dialog is not None and dialog.isVisible() and dialog.ok_button.height() >= 44
    type_enter(qtbot, dialog.input, "abc")
    assert dialog.isVisible() and dialog.notice.text()  # refused, naming the discount
    type_enter(qtbot, dialog.input, "20%")
    assert not dialog.isVisible()
    assert app.checkout.lines[0].discount_fen == 2000 and page.basket.item(0, 3).text() == "¥80.00"
    assert page.due_label.text() == "¥80.00"
    qtbot.keyClick(page.code_input, Qt.Key.Key_F12)
    approval = page.approval
    assert approval is not None and approval.isVisible() and "lines 1" in approval.text_label.text()
    assert app.terminal.database.execute("SELECT count(*) FROM sale").fetchone()[0] == 0
    approval.code_input.setText("9001")
    qtbot.keyClicks(approval.pin_input, "9999")
    qtbot.mouseClick(approval.ok_button, Qt.MouseButton.LeftButton)
    sale = app.checkout.last_sale
    assert sale is not None and sale.total_fen == 8000 and not approval.isVisible()
    line = app.terminal.repo.row("SELECT discount_fen, net_fen FROM sale_line")
    assert line == {"discount_fen": 2000, "net_fen": 8000}


def test_a_small_discount_by_touch_needs_no_manager(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.amount_input, "100")
    qtbot.mouseClick(page.discount_button, Qt.MouseButton.LeftButton)
    dialog = page.discount_dialog
    qtbot.keyClicks(dialog.input, "5.00")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    sale = app.checkout.last_sale
    assert sale is not None and sale.total_fen == 9500


def test_refund_says_where_the_money_goes_and_can_go_to_cash(qtbot: Any, app: App) -> None:
    from pos_app.core.earning import SaleLine
    from pos_app.services import sales
    from tests.ui.test_refunds import open_refunds

    lines = [SaleLine(1, "A", "a", "general", 1, 6000), SaleLine(2, "B", "b", "general", 1, 4000)]
    receipt = sales.record_sale(app.terminal, lines=lines, payments=[("card", 7000), ("cash", 3000)]).receipt_no
    page = open_refunds(qtbot, app, receipt)
    page.vm.set_line(2, True)
    assert page.refund_tenders_label.text() == "Back to: Cash ¥12.00, Bank card ¥28.00"
    assert page.refund_to_box.height() >= 44
    page.refund_to_box.setCurrentIndex(page.refund_to_box.findData("cash"))
    assert page.refund_tenders_label.text() == "Back to: Cash ¥40.00"
    qtbot.keyClick(page.table, Qt.Key.Key_F12)
    r = page.vm.last_refund
    assert r is not None and r.tenders == (("cash", 4000),)
    assert "Back to: Cash ¥40.00" in page.result_label.text()
    assert page.refund_to_box.currentIndex() == 0  # the next refund goes back to its own tenders again
    rows = app.terminal.repo.rows("SELECT kind, amount_fen FROM refund_tender")
    assert rows == [{"kind": "cash", "amount_fen": 4000}]
