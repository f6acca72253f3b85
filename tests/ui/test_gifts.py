"""The gifts screen through the real widgets on the demo store: approval, coupons, points + cash."""

from __future__ import annotations

from typing import Any

from pos_app.core.members import make_card_number
from pos_app.ui.app import App
from pos_app.ui.qt import QApplication, QLineEdit, QPushButton, Qt, QWidget
from pos_app.ui.widgets.gifts import GiftsPage
from tests.ui.test_checkout_flow import login

GOLD_CARD = make_card_number(1)  # 张伟, 12,000 points


def open_gifts(qtbot: Any, app: App, card: str = GOLD_CARD, staff: tuple[str, str] = ("1001", "1234")) -> GiftsPage:
    login(qtbot, app, *staff)
    app.window.work.show_page("gifts")  # type: ignore[attr-defined]
    page = app.window.work.pages["gifts"]  # type: ignore[attr-defined]
    assert isinstance(page, GiftsPage) and page.isVisible()
    app.router.route(card)  # type: ignore[union-attr]  # the member's card under the scanner: they are here
    assert "张伟" in page.member_label.text() or card != GOLD_CARD
    return page


def assert_fits_1024x768(app: App, page: QWidget) -> None:
    """Nothing on the page needs more room than the window has on a 1024x768 screen."""
    app.window.resize(1024, 768)  # type: ignore[attr-defined]
    QApplication.processEvents()
    page.layout().activate()
    hint = page.minimumSizeHint()
    assert hint.width() <= page.width() and hint.height() <= page.height(), (hint, page.size())
    # and no button's text is cut: each visible button is as wide as its text needs
    cut = [b.text() for b in page.findChildren(QPushButton)
           if b.isVisibleTo(page) and b.width() < b.fontMetrics().horizontalAdvance(b.text())]
    assert not cut, cut


def confirm_gift(qtbot: Any, page: GiftsPage) -> None:
    """Enter on the question before a redemption (the gift, its points, the balance after)."""
    box = page.gift_confirm
    assert box is not None and box.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Return)


def approve(qtbot: Any, page: GiftsPage, code: str, pin: str) -> None:
    dialog = page.approval
    assert dialog is not None and dialog.isVisible()
    dialog.code_input.clear()
    qtbot.keyClicks(dialog.code_input, code)
    qtbot.keyClick(dialog.code_input, Qt.Key.Key_Return)  # moves on to the PIN
    assert not dialog.pin_input.text()
    qtbot.keyClicks(dialog.pin_input, pin)
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)


def state(app: App) -> dict[str, Any]:
    repo = app.terminal.repo
    return {
        "balance": repo.member_by_card(GOLD_CARD).balance,  # type: ignore[union-attr]
        "stock": repo.gift_stock("G004"),
        "redemptions": repo.rows("SELECT gift_code, points, approved_by, staff_code FROM redemption"),
        "gift_entries": repo.rows("SELECT points FROM ledger_entry WHERE kind = 'gift'"),
    }


def test_headphones_need_a_manager_cashier_and_wrong_pin_refused_then_approved(qtbot: Any, app: App) -> None:
    page = open_gifts(qtbot, app)
    assert "12,000" in page.balance_label.text()
    row = [g.code for g in page.vm.gifts].index("G004")
    assert page.table.item(row, 1).text() == "Headphones" and page.table.item(row, 4).text() == "5"
    assert page.table.item(row, 5).text() == "Manager"
    page.select_gift("G004")
    assert "a manager must approve" in page.selected_label.text()
    before = state(app)
    qtbot.mouseClick(page.redeem_button, Qt.MouseButton.LeftButton)
    confirm_gift(qtbot, page)
    dialog = page.approval
    assert dialog is not None and dialog.isVisible() and "G004" in dialog.text_label.text()
    assert state(app) == before

    approve(qtbot, page, "1001", "1234")  # the cashier's own number and PIN
    assert dialog.isVisible() and dialog.notice.text() == "Only a store manager may do this."
    assert page.notice.text() == "Only a store manager may do this."
    assert state(app) == before
    approve(qtbot, page, "9001", "0000")
    assert dialog.isVisible() and dialog.notice.text() == "Wrong PIN."
    assert state(app) == before and "12,000" in page.balance_label.text()

    approve(qtbot, page, "9001", "9999")
    assert not dialog.isVisible()
    after = state(app)
    assert after["balance"] == 2000 and after["stock"] == 4
    assert after["redemptions"] == [{"gift_code": "G004", "points": 10000, "approved_by": "9001",
                                     "staff_code": "1001"}]
    assert after["gift_entries"] == [{"points": -10000}]
    assert "2,000" in page.balance_label.text()
    assert "approved by 9001" in page.result_label.text()
    assert page.table.item(row, 4).text() == "4"
    assert app.terminal.repo.rows("SELECT * FROM print_job") == []  # goods: no coupon slip
    assert_fits_1024x768(app, page)


def test_cancelling_the_approval_changes_nothing(qtbot: Any, app: App) -> None:
    page = open_gifts(qtbot, app)
    page.select_gift("G003")  # 5,000 points: exactly the approval threshold
    before = state(app)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    confirm_gift(qtbot, page)
    dialog = page.approval
    assert dialog is not None and dialog.isVisible() and page.vm.pending == "G003"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    qtbot.keyClick(dialog.code_input, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and page.vm.pending is None
    assert state(app) == before


def test_a_manager_at_the_counter_approves_with_the_number_filled_in(qtbot: Any, app: App) -> None:
    page = open_gifts(qtbot, app, staff=("9001", "9999"))
    page.select_gift("G003")
    qtbot.mouseClick(page.redeem_button, Qt.MouseButton.LeftButton)
    confirm_gift(qtbot, page)
    dialog = page.approval
    assert dialog is not None and dialog.code_input.text() == "9001"
    qtbot.keyClicks(dialog.pin_input, "9999")
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert state(app)["redemptions"] == [{"gift_code": "G003", "points": 5000, "approved_by": "9001",
                                          "staff_code": "9001"}]


def test_a_coupon_gift_is_shown_and_its_slip_queued(qtbot: Any, app: App) -> None:
    page = open_gifts(qtbot, app)
    # keyboard only: after identifying, the catalogue has the focus on its first gift
    assert page.selected_code() == "G001"
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.selected_code() == "G002"
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    confirm_gift(qtbot, page)
    assert page.approval is None
    coupons = app.terminal.repo.rows("SELECT code, gift_code, value_fen, min_spend_fen, valid_until FROM coupon")
    assert len(coupons) == 1
    coupon = coupons[0]
    assert (coupon["gift_code"], coupon["value_fen"], coupon["min_spend_fen"]) == ("G002", 1000, 5000)
    assert coupon["valid_until"] == "2026-12-03"
    assert page.coupon_label.text() == f"Coupon {coupon['code']}  valid until 2026-12-03"
    assert app.terminal.repo.rows("SELECT kind, ref, status FROM print_job") == [
        {"kind": "coupon", "ref": coupon["code"], "status": "queued"}]
    assert state(app)["balance"] == 11000 and "11,000" in page.balance_label.text()
    assert page.notice.text() == "Gift redeemed. The coupon is queued for printing."
    assert_fits_1024x768(app, page)
    # redeemed by mistake: cancelled (by touch here) while the coupon is unused; the coupon is spent
    assert page.cancel_button.isEnabled()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    box = reason_dialog(qtbot, page)
    qtbot.keyClicks(box.findChild(QLineEdit), "wrong gift")
    qtbot.keyClick(box.findChild(QLineEdit), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: state(app)["balance"] == 12000)
    used = app.terminal.repo.coupon(coupon["code"])
    assert used is not None and used["used_receipt_no"] == app.terminal.repo.rows(
        "SELECT redemption_no FROM redemption")[0]["redemption_no"]
    assert page.notice.text() == "Redemption cancelled. The slip is queued for printing."


def test_points_plus_cash_shows_the_cash_to_collect(qtbot: Any, app: App) -> None:
    page = open_gifts(qtbot, app)
    page.select_gift("G005")
    assert "plus ¥19.90 cash to collect" in page.selected_label.text()
    qtbot.mouseClick(page.redeem_button, Qt.MouseButton.LeftButton)
    confirm_gift(qtbot, page)
    assert page.cash_label.text() == "Collect ¥19.90 in cash."
    assert app.terminal.repo.rows("SELECT points, cash_fen FROM redemption") == [{"points": 2000, "cash_fen": 1990}]
    assert state(app)["balance"] == 10000 and page.coupon_label.text() == ""


def test_refusals_are_sentences_and_change_nothing(qtbot: Any, app: App) -> None:
    page = open_gifts(qtbot, app, card=make_card_number(4))  # 刘洋, 300 points
    page.select_gift("G002")
    qtbot.mouseClick(page.redeem_button, Qt.MouseButton.LeftButton)  # refused without a question
    assert page.gift_confirm is None
    assert page.notice.text() == "Not enough points: the balance is 300."
    assert page.approval is None
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)  # clears the member
    assert page.vm.member is None and page.member_label.text() == "No member identified"
    qtbot.mouseClick(page.redeem_button, Qt.MouseButton.LeftButton)
    assert page.gift_confirm is None
    assert page.notice.text() == "Identify the member first (card or phone number)."
    assert app.terminal.repo.rows("SELECT * FROM redemption") == []


def test_a_revoked_card_cannot_redeem_but_the_phone_number_can(app: App) -> None:
    from pos_app.services import member_codes
    from pos_app.ui.viewmodels.gifts import GiftsViewModel

    t = app.terminal
    card = t.repo.member_by_phone("13800138000").card_no  # type: ignore[union-attr]
    member_codes.revoke_code(t, "card", card, "reported lost", staff_code="9001")
    vm = GiftsViewModel(t, lambda: "1001", "en")
    errors: list[str] = []
    vm.error_raised.connect(errors.append)
    vm.identify(card)
    assert vm.member is None and errors == [
        "This member card was revoked. Ask for the phone number or the member code."]
    vm.identify("13800138000")
    assert vm.member is not None and vm.member.card_no == card


def test_a_redemption_is_confirmed_first_and_esc_keeps_the_points(qtbot: Any, app: App) -> None:
    """Issue 15 item 4: a question before a redemption, naming the gift, its points and cash and
    the balance after; Esc (or Cancel) writes nothing, Enter redeems. Touch-sized buttons."""
    page = open_gifts(qtbot, app)
    page.select_gift("G002")  # 10 yuan coupon, 1,000 points
    before = state(app)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    box = page.gift_confirm
    assert box is not None and box.isVisible()
    assert "G002" in box.text() and "1,000 points" in box.text() and "balance after: 11,000 points" in box.text()
    assert all(b.height() >= 44 for b in box.buttons())
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert page.gift_confirm is None and state(app) == before
    assert page.notice.text() == "Not redeemed: the points stay with the member."
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    confirm_gift(qtbot, page)
    assert state(app)["balance"] == 11_000
    assert app.terminal.repo.rows("SELECT gift_code, points FROM redemption") == [{"gift_code": "G002",
                                                                                  "points": 1000}]



def reason_dialog(qtbot: Any, page: GiftsPage) -> Any:
    qtbot.waitUntil(lambda: page.cancel_dialog is not None and page.cancel_dialog.isVisible(), timeout=2000)
    return page.cancel_dialog


def test_the_last_redemption_is_cancelled_with_a_reason(qtbot: Any, app: App) -> None:
    """Issue 15 item 4f: Ctrl+Z (or the button) asks why, naming the points and cash going back
    and the balance after; Esc keeps the redemption; Enter with a reason gives points, stock and
    cash back and queues the slip; twice is refused."""
    page = open_gifts(qtbot, app)
    assert not page.cancel_button.isEnabled()
    page.select_gift("G005")
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    confirm_gift(qtbot, page)
    assert state(app)["balance"] == 10000 and page.cancel_button.isEnabled()

    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    box = reason_dialog(qtbot, page)
    assert "2,000 points go back" in box.labelText() and "Hand back ¥19.90" in box.labelText()
    assert "Balance after: 12,000 points" in box.labelText()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.cancel_dialog is None)
    assert page.notice.text() == "Not cancelled: the redemption stands." and state(app)["balance"] == 10000

    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)  # touch
    box = reason_dialog(qtbot, page)
    assert all(b.height() >= 44 for b in box.findChildren(QPushButton) if b.isVisible())
    qtbot.keyClicks(box.findChild(QLineEdit), "wrong colour")
    qtbot.keyClick(box.findChild(QLineEdit), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: state(app)["balance"] == 12000)
    assert "cancelled" in page.result_label.text() and page.cash_label.text() == "Hand back ¥19.90 in cash."
    assert page.notice.text() == "Redemption cancelled. The slip is queued for printing."
    assert "12,000" in page.balance_label.text() and not page.cancel_button.isEnabled()
    redemption = app.terminal.repo.rows("SELECT redemption_no, cancelled_by FROM redemption")[0]
    assert redemption["cancelled_by"] == "1001"
    assert app.terminal.repo.rows("SELECT kind FROM print_job WHERE ref = ?", (redemption["redemption_no"],)) == [
        {"kind": "gift_cancel"}]
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # nothing left to cancel
    assert page.cancel_dialog is None and page.notice.text().startswith("No redemption to cancel")
    assert_fits_1024x768(app, page)


def test_cancelling_an_approved_gift_asks_a_manager_again(qtbot: Any, app: App) -> None:
    page = open_gifts(qtbot, app)
    page.select_gift("G003")
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    confirm_gift(qtbot, page)
    approve(qtbot, page, "9001", "9999")
    assert state(app)["balance"] == 7000
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    box = reason_dialog(qtbot, page)
    qtbot.keyClicks(box.findChild(QLineEdit), "member changed mind")
    qtbot.keyClick(box.findChild(QLineEdit), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.approval is not None and page.approval.isVisible())
    assert "must approve its cancellation" in page.approval.text_label.text()
    assert state(app)["balance"] == 7000
    approve(qtbot, page, "9001", "9999")
    qtbot.waitUntil(lambda: state(app)["balance"] == 12000)
    assert not page.approval.isVisible() and "approved by 9001" in page.result_label.text()


def test_any_gift_of_the_shift_is_chosen_and_cancelled(qtbot: Any, app: App) -> None:
    """The gifts screen cancelled only the last gift redeemed there: a mistake noticed after the
    next member's gift needed the back-office command line. Ctrl+Z now lists the shift's
    redemptions, newest first, any member's; Down picks the earlier one, Enter with a reason
    cancels it, and the newer gift stands."""
    silver = make_card_number(2)
    page = open_gifts(qtbot, app)
    page.select_gift("G005")
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    confirm_gift(qtbot, page)  # 张伟: 2,000 points + ¥19.90
    app.router.route(silver)  # type: ignore[union-attr]  # the next member at the counter
    qtbot.waitUntil(lambda: page.vm.member is not None and page.vm.member.card_no == silver)
    silver_before = page.vm.member.balance  # type: ignore[union-attr]
    page.select_gift("G001")
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    confirm_gift(qtbot, page)  # the other member's coupon gift, the newest
    assert state(app)["balance"] == 10000
    rows = app.terminal.repo.rows("SELECT redemption_no, gift_code FROM redemption ORDER BY id")
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    box = reason_dialog(qtbot, page)
    assert box.list.count() == 2 and box.selected().redemption_no == rows[1]["redemption_no"]
    reason = box.findChild(QLineEdit)
    qtbot.keyClick(reason, Qt.Key.Key_Down)  # the earlier one: 张伟's
    assert box.selected().redemption_no == rows[0]["redemption_no"]
    assert "2,000 points go back" in box.labelText() and "Hand back ¥19.90" in box.labelText()
    assert "Balance after: 12,000 points" in box.labelText()
    qtbot.keyClick(reason, Qt.Key.Key_Return)  # no reason yet: nothing happens
    assert box.isVisible() and state(app)["balance"] == 10000
    qtbot.keyClicks(reason, "wrong member")
    qtbot.keyClick(reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: state(app)["balance"] == 12000)
    cancelled = app.terminal.repo.rows("SELECT redemption_no FROM redemption WHERE cancelled_at IS NOT NULL")
    assert cancelled == [{"redemption_no": rows[0]["redemption_no"]}]
    # the screen keeps the member at the counter, whose gift stands
    assert page.vm.member is not None and page.vm.member.card_no == silver
    assert page.vm.member.balance == silver_before - 100
    assert [c.redemption_no for c in page.vm.cancellable()] == [rows[1]["redemption_no"]]
    assert_fits_1024x768(app, page)
