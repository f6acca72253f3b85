"""Scans and keys reach the screen the cashier is on (issue 15, items 1 and 8): a receipt scanned
on the refunds screen opens that sale there; a card scanned into the registration form's card
or referrer field fills that field and keeps what was typed; after a click in the side list the
function keys still work and typed keys reach the screen. Key times come from an injected clock
(tests.ui.test_scanner)."""

from __future__ import annotations

from typing import Any

from pos_app.core.members import make_card_number
from pos_app.services import demo, member_codes
from pos_app.ui.app import App
from pos_app.ui.qt import QApplication, Qt, QWidget
from tests.ui import test_scanner
from tests.ui.test_refunds import SILVER_CARD, sell
from tests.ui.test_scanner import EARBUDS, GOLD_CARD, HUMAN_GAP, MsClock, focus, keys, page, scan

till, ms = test_scanner.till, test_scanner.ms  # the scanner tests' fixtures: a logged-in till, the key clock

NEW_CARD = make_card_number(4242)  # a pre-printed card nobody holds yet


def work(app: App) -> Any:
    return app.window.work  # type: ignore[attr-defined]


def showing(app: App) -> QWidget:
    return work(app).stack.currentWidget()  # type: ignore[no-any-return]


# -- item 1: a receipt on the refunds screen --------------------------------------------------------

def test_a_receipt_scanned_on_the_refunds_screen_opens_that_sale_there(qtbot: Any, till: App, ms: MsClock) -> None:
    receipt = sell(till, SILVER_CARD)
    work(till).show_page("refunds")
    refunds = page(till, "refunds")
    for where in (refunds.receipt_input, refunds.table, None):  # the field, the lines, nowhere
        refunds.vm.clear()
        scan(qtbot, focus(qtbot, where, till), ms, receipt)
        assert showing(till) is refunds  # not sent to checkout
        assert refunds.vm.sale is not None and refunds.vm.sale.receipt_no == receipt
        assert refunds.receipt_input.text() == receipt
        assert page(till).notice.text() == "" and refunds.notice.text() == ""
        assert receipt in refunds.sale_label.text()


def test_a_receipt_scanned_on_another_screen_opens_the_refunds_screen(qtbot: Any, till: App, ms: MsClock) -> None:
    receipt = sell(till, SILVER_CARD)
    work(till).show_page("members")
    scan(qtbot, focus(qtbot, None, till), ms, receipt)
    refunds = page(till, "refunds")
    assert showing(till) is refunds and refunds.vm.sale is not None and refunds.vm.sale.receipt_no == receipt
    # at checkout a receipt still only says where refunds are made: a sale in progress stays
    work(till).show_page("checkout")
    till.checkout.scan(EARBUDS)
    scan(qtbot, focus(qtbot, page(till).code_input, till), ms, receipt)
    assert showing(till) is page(till) and len(till.checkout.lines) == 1
    assert "Refunds screen (F7)" in page(till).notice.text()


# -- item 8: scans into the registration form ---------------------------------------------------------

def open_register(qtbot: Any, app: App, ms: MsClock) -> Any:
    work(app).show_page("members")
    members = page(app, "members")
    qtbot.mouseClick(members.register_button, Qt.MouseButton.LeftButton)
    assert members.views.currentIndex() == members.REGISTER
    keys(qtbot, focus(qtbot, members.reg_phone, app), ms, "13912345678", HUMAN_GAP)
    keys(qtbot, focus(qtbot, members.reg_name, app), ms, "Li", HUMAN_GAP)
    return members


def test_a_new_card_scanned_into_the_card_field_fills_it(qtbot: Any, till: App, ms: MsClock) -> None:
    members = open_register(qtbot, till, ms)
    scan(qtbot, focus(qtbot, members.reg_card, till), ms, NEW_CARD)
    assert members.reg_card.text() == NEW_CARD
    assert members.notice.text() == ""  # not "no member with this card or phone number"
    assert members.views.currentIndex() == members.REGISTER and showing(till) is members
    assert (members.reg_phone.text(), members.reg_name.text()) == ("13912345678", "Li")
    members.reg_consent.setChecked(True)
    qtbot.keyClick(members.reg_card, Qt.Key.Key_Return)
    registered = till.terminal.repo.member_by_card(NEW_CARD)
    assert registered is not None and registered.phone == "13912345678"


def test_the_referrers_card_scanned_into_referred_by_fills_it_and_keeps_the_form(qtbot: Any, till: App,
                                                                                 ms: MsClock) -> None:
    members = open_register(qtbot, till, ms)
    scan(qtbot, focus(qtbot, members.reg_referrer, till), ms, GOLD_CARD)
    assert members.reg_referrer.text() == GOLD_CARD
    assert members.views.currentIndex() == members.REGISTER  # the referrer was not opened
    assert (members.reg_phone.text(), members.reg_name.text()) == ("13912345678", "Li")
    members.reg_referrer.clear()  # the referrer's member code (会员码) gives their card number
    code = member_codes.sign_member_code(demo.demo_member_qr_key_file().read_bytes(), GOLD_CARD,
                                         till.terminal.clock())
    scan(qtbot, focus(qtbot, members.reg_referrer, till), ms, code)
    assert members.reg_referrer.text() == GOLD_CARD
    members.reg_consent.setChecked(True)
    qtbot.keyClick(members.reg_referrer, Qt.Key.Key_Return)
    new = till.terminal.repo.member_by_phone("13912345678")
    gold = till.terminal.repo.member_by_card(GOLD_CARD)
    assert new is not None and gold is not None and new.referrer_id == gold.id


def test_a_scan_that_fits_no_field_of_the_form_is_refused_and_the_form_stays(qtbot: Any, till: App,
                                                                             ms: MsClock) -> None:
    members = open_register(qtbot, till, ms)
    scan(qtbot, focus(qtbot, members.reg_name, till), ms, GOLD_CARD)  # a card in the name field
    assert members.reg_name.text() == "Li" and members.views.currentIndex() == members.REGISTER
    assert "Card number" in members.notice.text() and "Referred by" in members.notice.text()
    scan(qtbot, focus(qtbot, members.reg_card, till), ms, EARBUDS)  # a product is not a card
    assert members.reg_card.text() == "" and showing(till) is members and till.checkout.lines == []
    assert members.notice.text()


def test_a_member_card_on_the_adjustments_screen_identifies_the_member_there(qtbot: Any, till: App,
                                                                            ms: MsClock) -> None:
    work(till).show_page("adjustments")
    adjustments = page(till, "adjustments")
    scan(qtbot, focus(qtbot, adjustments.member_input, till), ms, GOLD_CARD)
    assert showing(till) is adjustments and till.checkout.member is None
    assert adjustments.vm.member is not None and adjustments.vm.member.card_no == GOLD_CARD


# -- item 8: keys after a click in the side list --------------------------------------------------------

def click_nav(qtbot: Any, app: App, row: int) -> None:
    nav = work(app).nav
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(nav.item(row)).center())
    assert work(app).stack.currentIndex() == row


def key_target(app: App) -> QWidget:
    """Where a key pressed now goes: the focus widget, else the active window."""
    return QApplication.focusWidget() or app.window  # type: ignore[return-value]


def test_function_keys_and_typing_work_after_a_click_in_the_side_list(qtbot: Any, till: App, ms: MsClock) -> None:
    checkout = page(till)
    till.checkout.scan(EARBUDS)
    click_nav(qtbot, till, 0)  # the checkout row, while at checkout
    assert QApplication.focusWidget() is not work(till).nav
    qtbot.keyClick(key_target(till), Qt.Key.Key_F2)
    assert checkout.member_input.hasFocus()
    keys(qtbot, key_target(till), ms, "13800138000", HUMAN_GAP)  # typed keys reach the member field
    assert checkout.member_input.text() == "13800138000"
    qtbot.keyClick(key_target(till), Qt.Key.Key_Return)
    assert till.checkout.member is not None and till.checkout.member.member.card_no == GOLD_CARD
    click_nav(qtbot, till, 0)
    qtbot.keyClick(key_target(till), Qt.Key.Key_F12)
    assert till.checkout.last_sale is not None  # F12 completed the sale
    click_nav(qtbot, till, 1)  # members, by a click: typing goes to its search field
    keys(qtbot, key_target(till), ms, "138", HUMAN_GAP)
    assert page(till, "members").search_input.text() == "138"
    qtbot.keyClick(key_target(till), Qt.Key.Key_F7)
    assert showing(till) is page(till, "refunds") and page(till, "refunds").receipt_input.hasFocus()


def test_screen_keys_work_wherever_the_focus_is_in_the_window(qtbot: Any, till: App, ms: MsClock) -> None:
    till.checkout.scan(EARBUDS)
    focus(qtbot, work(till).shift_button, till)  # e.g. reached by Tab
    qtbot.keyClick(key_target(till), Qt.Key.Key_F4)
    assert page(till).points_input.hasFocus()
    focus(qtbot, work(till).logout_button, till)
    qtbot.keyClick(key_target(till), Qt.Key.Key_F12)
    assert till.checkout.last_sale is not None and till.session.staff is not None
