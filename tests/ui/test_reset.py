"""Stale screens (issue 15, item 3): after a sale and after a logout, every screen of the window is
as a fresh login shows it: no points typed, no member, receipt, search, form or message of the
last customer or the last cashier. The test walks every screen the window has (a screen added
later is walked too): it leaves something on each, then compares each screen's fields, labels,
lists and views with what they showed after the first login."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractButton

from pos_app.services import staff
from pos_app.ui.app import App
from pos_app.ui.qt import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QStackedWidget,
    Qt,
    QTableWidget,
    QWidget,
)
from pos_app.ui.widgets.common import Notice
from tests.ui.test_checkout_flow import login
from tests.ui.test_refunds import SILVER_CARD, sell
from tests.ui.test_scanner import EARBUDS, GOLD_CARD

#: what a screen shows that is not the last customer's or cashier's: the gift catalogue (stock
#: changes with a redemption), the screen's own static texts are compared as they are
CATALOGUES = {"gift_table"}


def pages(app: App) -> dict[str, QWidget]:
    return app.window.work.pages  # type: ignore[attr-defined,no-any-return]


def screen_state(page: QWidget) -> dict[str, object]:
    """Everything a cashier reads or types on ``page`` (what the screen shows: a hidden label's
    old text is seen by nobody), by widget kind and position."""
    state: dict[str, object] = {}
    for kind in (QLineEdit, QLabel, QListWidget, QTableWidget, QStackedWidget, QComboBox, QAbstractButton):
        for i, w in enumerate(page.findChildren(kind)):  # type: ignore[type-var]
            name = f"{kind.__name__}[{i}] {w.objectName()}"
            if w.objectName() in CATALOGUES or not w.isVisibleTo(page):
                continue
            if isinstance(w, QLineEdit | QLabel):  # a Notice is a QLabel
                state[name] = w.text()
            elif isinstance(w, QListWidget):
                state[name] = [w.item(r).text() for r in range(w.count())]
            elif isinstance(w, QTableWidget):
                state[name] = w.rowCount()
            elif isinstance(w, QStackedWidget | QComboBox):
                state[name] = w.currentIndex()
            elif isinstance(w, QAbstractButton) and w.isCheckable():
                state[name] = w.isChecked()
    return state


def window_state(app: App) -> dict[str, dict[str, object]]:
    return {key: screen_state(page) for key, page in pages(app).items()}


def visit_every_screen(app: App) -> None:
    for key in pages(app):
        app.window.work.show_page(key)  # type: ignore[attr-defined]
    app.window.work.show_page("checkout")  # type: ignore[attr-defined]


def leave_something_on_every_screen(qtbot: Any, app: App, receipt: str) -> None:
    """A cashier's day on every screen: a member opened, a receipt found, a form half filled,
    points typed, messages shown; then, on every screen, a message and typed text left behind."""
    work = app.window.work  # type: ignore[attr-defined]
    p = pages(app)
    work.show_page("members")
    members = p["members"]
    qtbot.keyClicks(members.search_input, GOLD_CARD)
    qtbot.keyClick(members.search_input, Qt.Key.Key_Return)
    assert members.vm.member is not None
    work.show_page("gifts")
    gifts = p["gifts"]
    qtbot.keyClicks(gifts.member_input, GOLD_CARD)
    qtbot.keyClick(gifts.member_input, Qt.Key.Key_Return)
    gifts.select_gift("G001")
    assert gifts.vm.member is not None
    work.show_page("refunds")
    refunds = p["refunds"]
    qtbot.keyClicks(refunds.receipt_input, receipt)
    qtbot.keyClick(refunds.receipt_input, Qt.Key.Key_Return)
    refunds.vm.select_all()
    assert refunds.vm.preview is not None
    work.show_page("adjustments")
    adjustments = p["adjustments"]
    qtbot.keyClicks(adjustments.member_input, GOLD_CARD)
    qtbot.keyClick(adjustments.member_input, Qt.Key.Key_Return)
    assert adjustments.vm.member is not None
    for key, page in p.items():  # every field typed into, every message line showing something
        work.show_page(key)
        for edit in page.findChildren(QLineEdit):
            if edit.isVisibleTo(page) and edit.isEnabled() and not edit.isReadOnly() and not edit.text():
                edit.setText("7")
        for notice in page.findChildren(Notice):
            notice.error("a message for the last cashier")
    work.show_page("members")
    qtbot.mouseClick(members.register_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(members.reg_phone, "139")
    work.show_page("checkout")


def sell_with_points(qtbot: Any, app: App) -> None:
    checkout = pages(app)["checkout"]
    app.checkout.scan(GOLD_CARD)
    app.checkout.scan(EARBUDS)
    checkout.points_input.setFocus()
    checkout.points_input.selectAll()
    qtbot.keyClicks(checkout.points_input, "1000")
    qtbot.keyClick(checkout.points_input, Qt.Key.Key_Return)
    assert checkout.points_input.text() == "1000"
    qtbot.keyClick(checkout.points_input, Qt.Key.Key_F12)
    assert app.checkout.last_sale is not None and app.checkout.last_sale.points_paid == 1000


def differences(before: dict[str, dict[str, object]], after: dict[str, dict[str, object]],
                skip: set[str] = frozenset()) -> dict[str, object]:  # type: ignore[assignment]
    return {f"{key}: {name}": (before[key].get(name), value)
            for key in after for name, value in after[key].items()
            if f"{key}: {name}" not in skip and before[key].get(name) != value}


def test_the_points_field_is_empty_after_a_sale(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    checkout = pages(app)["checkout"]
    sell_with_points(qtbot, app)
    assert checkout.points_input.text() == ""
    assert "1000 redeemed" in checkout.last_sale_label.text()


def test_every_screen_is_fresh_for_the_next_cashier_after_a_logout(qtbot: Any, app: App) -> None:
    staff.create_staff(app.terminal, code="1002", name="收银员小李", role="cashier", pin="4321", by="9001")
    receipt = sell(app, SILVER_CARD)
    login(qtbot, app)
    visit_every_screen(app)
    fresh = window_state(app)
    sell_with_points(qtbot, app)
    leave_something_on_every_screen(qtbot, app, receipt)
    app.session.logout()
    login(qtbot, app, "1002", "4321")
    visit_every_screen(app)
    assert differences(fresh, window_state(app)) == {}
    assert app.checkout.member is None and app.checkout.lines == [] and app.checkout.points == 0


def test_every_screen_is_fresh_for_the_next_customer_after_a_sale(qtbot: Any, app: App) -> None:
    receipt = sell(app, SILVER_CARD)
    login(qtbot, app)
    visit_every_screen(app)
    fresh = window_state(app)
    leave_something_on_every_screen(qtbot, app, receipt)
    pages(app)["checkout"].points_input.clear()
    sell_with_points(qtbot, app)
    visit_every_screen(app)
    after = window_state(app)
    checkout = pages(app)["checkout"]
    # the sale just made stays on its own screen: its receipt line and the message saying it is
    # done; a manager's settings typed and not saved yet belong to no customer (a logout drops them)
    kept = {f"checkout: {name}" for name in screen_state(checkout)
            if name.endswith(("last_sale_label", "notice"))}
    kept |= {f"settings: {name}" for name in screen_state(pages(app)["settings"]) if name.startswith("QLineEdit")}
    assert differences(fresh, after, kept) == {}
    assert "1000 redeemed" in checkout.last_sale_label.text()
