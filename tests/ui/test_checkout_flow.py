"""Whole flows through the real widgets on a real database file."""

from __future__ import annotations

from typing import Any

from pos_app.core.members import make_card_number
from pos_app.ui.app import App
from pos_app.ui.qt import Qt

GOLD_CARD = make_card_number(1)


def login(qtbot: object, app: App, code: str = "1001", pin: str = "1234") -> None:
    page = app.window.login  # type: ignore[attr-defined]
    page.code_input.clear()
    qtbot.keyClicks(page.code_input, code)  # type: ignore[attr-defined]
    qtbot.keyClick(page.code_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.keyClicks(page.pin_input, pin)  # type: ignore[attr-defined]
    qtbot.keyClick(page.pin_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]


def test_login_shift_member_basket_points_complete_receipt_queued(qtbot: object, app: App) -> None:
    login(qtbot, app)
    assert app.session.staff is not None and app.session.shift is not None
    page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
    app.router.route(GOLD_CARD)  # type: ignore[union-attr]  # the card under the scanner: paying with points
    assert "张伟" in page.member_label.text() and "138****8000" in page.member_label.text()
    assert "12,000" in page.balance_label.text()
    for _ in range(2):
        qtbot.keyClicks(page.code_input, "6970000000017")  # type: ignore[attr-defined]  (new earbuds 199.00)
        qtbot.keyClick(page.code_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.basket.rowCount() == 1 and page.basket.item(0, 1).text() == "2"
    # 2 x 199.00 x 1.2 x gold 1.5 = 716 purchase points, + 100 for the member's first purchase
    assert page.earn_label.text() == "816"
    qtbot.keyClicks(page.points_input, "10000")  # type: ignore[attr-defined]
    qtbot.keyClick(page.points_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.due_label.text() == "¥298.00"
    # (39800 - 10000) x 1.2 x 1.5 / 100 = 536.4 -> 536, + 100
    assert page.earn_label.text() == "636"
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    sale = app.checkout.last_sale
    assert sale is not None and sale.points_earned == 636 and sale.points_paid == 10000
    assert sale.member is not None and sale.member.balance == 12000 - 10000 + 636
    assert "636 points credited" in page.last_sale_label.text()
    jobs = app.terminal.repo.rows("SELECT kind, ref, status FROM print_job")
    assert jobs == [{"kind": "receipt", "ref": sale.receipt_no, "status": "queued"}]
    assert page.basket.rowCount() == 0 and app.checkout.member is None


def test_wrong_pin_is_refused_with_a_message(qtbot: object, app: App) -> None:
    login(qtbot, app, pin="0000")
    assert app.session.staff is None
    assert app.window.login.notice.text() == "Wrong PIN."  # type: ignore[attr-defined]


def test_after_login_the_keys_are_in_checkout_and_f12_completes(qtbot: Any, app: App) -> None:
    from tests.ui.test_reports import login

    login(qtbot, app, "1001", "1234")
    page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
    assert page.member_input.hasFocus()  # a new sale starts with the member
    qtbot.keyClicks(page.member_input, "13800138000")
    qtbot.keyClick(page.member_input, Qt.Key.Key_Return)
    assert page.code_input.hasFocus()
    qtbot.keyClicks(page.code_input, "6901234567892")
    qtbot.keyClick(page.code_input, Qt.Key.Key_Return)
    app.window.work.show_page("members")  # type: ignore[attr-defined]
    app.window.work.show_page("checkout")  # type: ignore[attr-defined]
    assert page.code_input.hasFocus()  # back to a sale in progress: the product field
    qtbot.keyClick(page.code_input, Qt.Key.Key_F12)
    assert app.checkout.last_sale is not None and app.checkout.last_sale.member is not None


def test_full_width_phone_code_and_points_typed_in_the_window(qtbot: object, app: App) -> None:
    login(qtbot, app)
    page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
    # an input method commits its text in one go (no key presses), as insert() does
    page.member_input.insert("１３８００１３８０００")  # type: ignore[attr-defined]
    qtbot.keyClick(page.member_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert "张伟" in page.member_label.text() and "12,000" in page.balance_label.text()
    page.code_input.insert("６９７００００００００１７")  # type: ignore[attr-defined]  (new earbuds 199.00)
    qtbot.keyClick(page.code_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.basket.rowCount() == 1
    page.points_input.insert("５０００")  # type: ignore[attr-defined]
    qtbot.keyClick(page.points_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.due_label.text() == "¥149.00"
    app.router.route(GOLD_CARD)  # type: ignore[union-attr]  # the member shows their card: the points typed stay
    assert page.points_input.text() == "5000"
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    sale = app.checkout.last_sale
    assert sale is not None and sale.points_paid == 5000 and sale.member is not None
    assert sale.member.phone == "13800138000"
