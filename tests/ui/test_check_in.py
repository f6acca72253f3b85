"""The check-in at checkout (签到, issue 16 item 3): a member code scanned checks the member in once
a day, shown on the message line; a scanned card does not."""

from __future__ import annotations

from typing import Any

from pos_app.services import demo, member_codes
from pos_app.ui.app import App
from pos_app.ui.qt import Qt
from tests.ui import test_scanner
from tests.ui.test_counter import checkout
from tests.ui.test_scanner import GOLD_CARD, MsClock, focus, scan

till, ms = test_scanner.till, test_scanner.ms  # a logged-in till with the keyboard wedge, its key clock


def check_ins(app: App) -> int:
    return int(app.terminal.database.execute(
        "SELECT count(*) FROM ledger_entry WHERE kind = 'award' AND ref_no = 'check_in'").fetchone()[0])


def member_code(app: App) -> str:
    return member_codes.sign_member_code(demo.demo_member_qr_key_file().read_bytes(), GOLD_CARD,
                                         app.terminal.clock())


def test_a_scanned_member_code_checks_in_once_a_day(qtbot: Any, till: App, ms: MsClock) -> None:
    page = checkout(till)
    balance = till.terminal.repo.member_by_card(GOLD_CARD).balance  # type: ignore[union-attr]
    scan(qtbot, focus(qtbot, page.member_input, till), ms, GOLD_CARD)  # the card: no check-in
    assert till.checkout.member is not None and check_ins(till) == 0
    assert "Check-in" not in page.notice.text()
    till.checkout.clear_member()

    scan(qtbot, focus(qtbot, page.member_input, till), ms, member_code(till))
    qtbot.waitUntil(lambda: page.notice.text() == "Check-in +5")
    assert check_ins(till) == 1 and till.checkout.presence == "member_qr"
    assert page.balance_label.text() == f"Balance: {balance + 5:,} points"
    page.notice.clear()
    till.checkout.clear_member()

    scan(qtbot, focus(qtbot, page.member_input, till), ms, member_code(till))  # again today: nothing more
    assert till.checkout.member is not None and till.checkout.member.member.balance == balance + 5
    assert check_ins(till) == 1 and "Check-in" not in page.notice.text()


def test_the_self_service_kiosk_checks_a_member_in_once_a_day(qtbot: Any, store: Any) -> None:
    """``pos-app-gui --kiosk``: the scanner types the member code and Enter; the screen says the
    points and the balance, then why not the second time; a card number is refused."""
    from pos_app.ui.widgets.kiosk import KioskWindow

    window = KioskWindow(store)
    qtbot.addWidget(window)
    window.show()
    balance = store.repo.member_by_card(GOLD_CARD).balance
    code = member_codes.sign_member_code(demo.demo_member_qr_key_file().read_bytes(), GOLD_CARD, store.clock())
    qtbot.keyClicks(window.code_input, code)
    qtbot.keyClick(window.code_input, Qt.Key.Key_Return)
    assert window.result_label.text() == f"张伟: checked in, +5 points. Balance {balance + 5:,} points."
    assert window.code_input.text() == ""
    qtbot.keyClicks(window.code_input, code)
    qtbot.keyClick(window.code_input, Qt.Key.Key_Return)
    assert window.result_label.text() == "Checked in today already: once a day."
    qtbot.keyClicks(window.code_input, GOLD_CARD)
    qtbot.keyClick(window.code_input, Qt.Key.Key_Return)
    assert window.result_label.text() == "Check-in needs the member code from the member's phone."
    assert store.repo.member_by_card(GOLD_CARD).balance == balance + 5
