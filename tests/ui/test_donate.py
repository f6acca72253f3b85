"""Donating points from the gifts screen (积分捐赠, Ctrl+J) through the real widgets on the demo
store (which runs the demo donation campaign): a refusal says why and writes nothing, the
question before the donation (Esc keeps the points, Enter donates), the result, the slip queued,
the page passing the result on; the dialog and the page fit 1024x768 in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pos_app.ui.app import App, build
from pos_app.ui.qt import QApplication, QCoreApplication, Qt, QTranslator
from pos_app.ui.widgets.donate import DonateDialog
from pos_app.ui.widgets.gifts import GiftsPage
from pos_app.ui.workers import ImmediatePool
from tests.ui.test_checkout_flow import login
from tests.ui.test_gifts import GOLD_CARD, assert_fits_1024x768, open_gifts
from tests.ui.test_layout_1024 import zh_qm  # noqa: F401 (the fixture)


def open_donate(qtbot: Any, page: GiftsPage) -> DonateDialog:
    qtbot.keyClick(page, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    dialog = page.donate_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def donations(app: App) -> list[tuple[Any, ...]]:
    rows = app.terminal.repo.rows("SELECT points, ref_no, staff_code FROM ledger_entry WHERE kind = 'donate'")
    return [(r["points"], r["ref_no"], r["staff_code"]) for r in rows]


def test_a_donation_from_the_gifts_screen(qtbot: Any, app: App) -> None:
    page = open_gifts(qtbot, app)
    dialog = open_donate(qtbot, page)
    assert dialog.campaign_box.currentText() == "Books for mountain schools"
    assert "Donated here so far: 0 of 1,000,000 points (0%)" in dialog.progress_label.text()
    assert "12,000" in dialog.member_label.text()

    qtbot.keyClicks(dialog.points_input, "150")
    assert dialog.worth_label.text() == "= ¥1.50"
    qtbot.keyClick(dialog.points_input, Qt.Key.Key_Return)  # not a multiple of the step: refused at once
    qtbot.waitUntil(lambda: "multiples of 100 points" in dialog.notice.text())
    assert dialog.confirm is None
    assert donations(app) == []

    dialog.points_input.clear()
    qtbot.keyClicks(dialog.points_input, "1000")
    qtbot.keyClick(dialog.points_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.confirm is not None and dialog.confirm.isVisible())
    box = dialog.confirm
    assert box is not None
    assert "Donate 1,000 points (¥10.00) to Books for mountain schools?" in box.text()
    assert "balance after the donation: 11,000 points" in box.text() and "not refunded" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Esc: the points stay
    qtbot.waitUntil(lambda: dialog.confirm is None)
    assert "Not donated" in dialog.notice.text() and donations(app) == []

    with qtbot.waitSignal(page.donation_done, timeout=5000) as passed:
        qtbot.keyClick(dialog.points_input, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.confirm is not None)
        assert donations(app) == []  # asked first
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)  # Enter donates
    result = passed.args[0]
    assert (result.points, result.yuan_fen, result.campaign_id) == (1000, 1000, "DONATE-2026-BOOKS")
    assert donations(app) == [(-1000, "DONATE-2026-BOOKS@1", "1001")]
    assert "Thank you! 1,000 points (¥10.00) donated" in dialog.result_label.text()
    assert "Donated here so far: 1,000 of 1,000,000 points (0%)" in dialog.progress_label.text()
    assert "11,000" in page.balance_label.text()
    vm = app.display.vm  # type: ignore[union-attr]  # the customer display thanks them, with the progress
    assert vm.message_kind == "donation" and vm.message_progress == 0.001
    assert vm.message == ("Thank you! 1,000 points (¥10.00) donated to Books for mountain schools;"
                          " the campaign is at 0% of its goal")
    from pos_app.ui.viewmodels.donations import display_message

    assert display_message(app.terminal, result)[0] == (
        "感谢您的爱心！已向「为山区学校捐赠图书」捐赠 1,000 积分（折合 ¥10.00），活动进度 0%")
    jobs = app.terminal.repo.rows("SELECT kind, ref FROM print_job WHERE kind = 'donation'")
    assert [(j["kind"], j["ref"]) for j in jobs] == [("donation", result.entry_uuid)]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.donate_dialog is None)


def test_without_a_member_the_dialog_does_not_open(qtbot: Any, app: App) -> None:
    login(qtbot, app, "1001", "1234")
    app.window.work.show_page("gifts")  # type: ignore[attr-defined]
    page = app.window.work.pages["gifts"]  # type: ignore[attr-defined]
    qtbot.mouseClick(page.donate_button, Qt.MouseButton.LeftButton)
    assert page.donate_dialog is None and "Identify the member first" in page.notice.text()


def test_the_page_and_the_dialog_fit_1024x768_in_both_languages(qtbot: Any, store: Any, zh_qm: Path) -> None:  # noqa: F811
    for language in ("en", "zh_CN"):
        translator = None
        if language == "zh_CN":
            translator = QTranslator()
            assert translator.load(str(zh_qm))
            QCoreApplication.installTranslator(translator)
        app = build(store, pool=ImmediatePool(), language=language)
        qtbot.addWidget(app.window)
        app.window.show()  # type: ignore[attr-defined]
        try:
            page = open_gifts(qtbot, app, GOLD_CARD)
            assert_fits_1024x768(app, page)
            dialog = open_donate(qtbot, page)
            QApplication.processEvents()
            hint = dialog.sizeHint()
            assert hint.width() <= 1024 and hint.height() <= 768, hint
            if language == "zh_CN":
                assert dialog.windowTitle() == "积分捐赠" and dialog.campaign_box.currentText() == "为山区学校捐赠图书"
                assert page.donate_button.text() == "捐赠 (Ctrl+J)"
            dialog.reject()
        finally:
            app.stop_devices()
            if translator is not None:
                QCoreApplication.removeTranslator(translator)


def test_the_members_history_names_a_donation(qtbot: Any, app: App) -> None:
    from pos_app.services import donations as donation_service
    from tests.ui.test_members import open_members, search

    donation_service.donate(app.terminal, member_ref=GOLD_CARD, campaign_id="DONATE-2026-BOOKS", points=300,
                            staff_code="1001")
    page = open_members(app)
    search(qtbot, page, GOLD_CARD)
    page.tabs.setCurrentIndex(1)
    table = page.history_table
    assert [table.item(0, c).text() for c in (1, 2, 5)] == [
        "Donation", "-300", "donated to Books for mountain schools (3.00 yuan)"]
    page.kind_box.setCurrentIndex(page.kind_box.findData("donate"))
    assert table.rowCount() == 1
