"""The lottery draw from the gifts screen (Ctrl+L) through the real widgets on the demo store: the
question (cost, balance after), Enter draws, the prize shown and passed on, refusals as
sentences; the gifts screen and the dialog fit 1024x768 in both languages."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from pos_app.services.draws import DrawResult
from pos_app.ui.app import App
from pos_app.ui.qt import QApplication, QPushButton, Qt
from pos_app.ui.widgets.draw import DrawDialog
from pos_app.ui.widgets.gifts import GiftsPage
from tests.ui.test_checkout_flow import login
from tests.ui.test_gifts import GOLD_CARD, assert_fits_1024x768, open_gifts
from tests.ui.test_layout_1024 import till, zh_qm  # noqa: F401 (the fixtures)


def open_draw(qtbot: Any, page: GiftsPage) -> DrawDialog:
    qtbot.keyClick(page, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialog = page.draw_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_a_draw_from_the_gifts_screen(qtbot: Any, app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_gifts(qtbot, app)
    dialog = open_draw(qtbot, page)
    assert dialog.campaign_box.count() == 1 and "Lucky points draw" in dialog.campaign_box.currentText()
    question = dialog.question_label.text()
    assert "100 points" in question and "11,900" in question and "3 a day" in question
    monkeypatch.setattr(secrets, "randbelow", lambda n: 5)  # the demo's 500 points prize
    with qtbot.waitSignal(page.draw_done, timeout=5000) as shown:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter draws
    result = shown.args[0]
    assert isinstance(result, DrawResult) and result.prize_code == "P500" and result.points_won == 500
    assert dialog.prize_label.text() == "500 points"
    assert "+500 points" in dialog.result_label.text() and "12,400" in dialog.result_label.text()
    assert "12,400" in page.balance_label.text()  # the screen behind shows the new balance
    shown_to_customer = app.display.vm  # type: ignore[union-attr]  # the customer display too
    assert shown_to_customer.message_kind == "draw" and "500 points" in shown_to_customer.message
    assert dialog.draw_button.text() == "Draw again (Enter)"
    monkeypatch.setattr(secrets, "randbelow", lambda n: 900)
    qtbot.mouseClick(dialog.draw_button, Qt.MouseButton.LeftButton)
    assert "Better luck next time" in dialog.prize_label.text() and "12,300" in dialog.result_label.text()
    assert "Thank you for taking part" in shown_to_customer.message
    monkeypatch.setattr(secrets, "randbelow", lambda n: 250)  # a coupon
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.prize_label.text() == "1 yuan cash coupon" and "Coupon CP" in dialog.result_label.text()
    # a fourth draw today: the daily limit, said as a sentence, nothing written
    before = app.terminal.repo.member_by_card(GOLD_CARD).balance  # type: ignore[union-attr]
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert "3 draws allowed today" in dialog.notice.text()
    assert app.terminal.repo.member_by_card(GOLD_CARD).balance == before  # type: ignore[union-attr]
    jobs = app.terminal.repo.rows("SELECT kind FROM print_job WHERE kind IN ('draw', 'coupon')")
    assert [j["kind"] for j in jobs] == ["draw", "draw", "draw", "coupon"]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.draw_dialog is None)


def test_no_member_no_draw_and_a_typed_number_is_refused(qtbot: Any, app: App) -> None:
    login(qtbot, app, "1001", "1234")
    app.window.work.show_page("gifts")  # type: ignore[attr-defined]
    page = app.window.work.pages["gifts"]  # type: ignore[attr-defined]
    assert isinstance(page, GiftsPage)
    qtbot.keyClick(page, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert page.draw_dialog is None and "Identify the member first" in page.notice.text()
    qtbot.keyClicks(page.member_input, "13800138000")  # 张伟's phone number typed: not present
    qtbot.keyClick(page.member_input, Qt.Key.Key_Return)
    dialog = open_draw(qtbot, page)
    before = app.terminal.repo.rows("SELECT count(*) n FROM ledger_entry")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.notice.text() and "draw" not in dialog.prize_label.text().lower()
    assert app.terminal.repo.rows("SELECT count(*) n FROM ledger_entry") == before
    dialog.reject()


def test_the_gifts_screen_and_the_draw_fit_1024x768(qtbot: Any, till: App) -> None:  # noqa: F811
    login(qtbot, till, "1001", "1234")
    till.window.work.show_page("gifts")  # type: ignore[attr-defined]
    page = till.window.work.pages["gifts"]  # type: ignore[attr-defined]
    assert isinstance(page, GiftsPage)
    till.router.route(GOLD_CARD)  # type: ignore[union-attr]
    assert_fits_1024x768(till, page)
    assert page.draw_button.isVisible()
    dialog = open_draw(qtbot, page)
    QApplication.processEvents()
    window = till.window.frameGeometry()  # type: ignore[attr-defined]
    assert dialog.frameGeometry().width() <= window.width() and dialog.frameGeometry().height() <= window.height()
    cut = [b.text() for b in dialog.findChildren(QPushButton)
           if b.isVisible() and b.width() < b.fontMetrics().horizontalAdvance(b.text())]
    assert not cut, cut
    dialog.reject()
