"""Spending points needs the member present, in the window (issue 15 item 2): a phone or card
number typed may earn but not spend; a scanned card, a scanned member code or a one-time code
sent through the chain's webhook (a real loopback HTTP server) lets the member spend."""

from __future__ import annotations

import dataclasses
from typing import Any

from pos_app.services import demo, member_codes, settings
from pos_app.ui.app import App, build
from pos_app.ui.qt import Qt
from tests.otp_webhook import webhook
from tests.ui import test_scanner
from tests.ui.test_checkout_flow import login
from tests.ui.test_counter import checkout, type_enter
from tests.ui.test_gifts import confirm_gift
from tests.ui.test_scanner import GOLD_CARD, HUMAN_GAP, MsClock, focus, keys, scan

till, ms = test_scanner.till, test_scanner.ms  # a logged-in till with the keyboard wedge, its key clock

GOLD_PHONE = "13800138000"  # 张伟, 12000 points
REFUSAL = "Ask the member to show their card or member code, or send a one-time code"


def written(app: App) -> tuple[int, ...]:
    return tuple(app.terminal.database.execute(f"SELECT count(*) FROM {x}").fetchone()[0]
                 for x in ("sale", "ledger_entry", "redemption", "outbox"))


def basket_with_max_points(qtbot: Any, page: Any) -> None:
    type_enter(qtbot, page.code_input, "CUP")  # 89.00
    qtbot.mouseClick(page.max_points_button, Qt.MouseButton.LeftButton)
    assert int(page.points_input.text()) > 0


def test_phone_typed_max_redeem_and_f12_is_refused_and_nothing_written(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.member_input, GOLD_PHONE)
    assert "张伟" in page.member_label.text() and "number typed" in page.member_label.text()
    basket_with_max_points(qtbot, page)
    before = written(app)
    qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
    assert app.checkout.last_sale is None
    assert REFUSAL in page.notice.text()
    assert written(app) == before
    # earning still works with the phone: the sale without points goes through
    page.points_input.clear()
    qtbot.keyClick(page.points_input, Qt.Key.Key_Return)
    qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
    sale = app.checkout.last_sale
    assert sale is not None and sale.points_paid == 0 and sale.points_earned > 0


def test_a_typed_card_is_refused_a_scanned_card_spends(qtbot: Any, till: App, ms: MsClock) -> None:
    page = checkout(till)
    keys(qtbot, focus(qtbot, page.member_input, till), ms, GOLD_CARD, HUMAN_GAP, Qt.Key.Key_Return)  # typed
    assert till.checkout.member is not None and till.checkout.presence == "typed_card"
    basket_with_max_points(qtbot, page)
    before = written(till)
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    assert till.checkout.last_sale is None and REFUSAL in page.notice.text() and written(till) == before
    scan(qtbot, focus(qtbot, page.code_input, till), ms, GOLD_CARD)  # the member's card under the scanner
    assert till.checkout.presence == "card" and "card scanned" in page.member_label.text()
    assert not page.send_code_button.isEnabled()
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    sale = till.checkout.last_sale
    assert sale is not None and sale.points_paid > 0
    assert till.checkout.presence is None  # the next customer starts without


def test_a_gift_after_a_phone_number_only_is_refused(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    app.window.work.show_page("gifts")  # type: ignore[attr-defined]
    gifts = app.window.work.pages["gifts"]  # type: ignore[attr-defined]
    type_enter(qtbot, gifts.member_input, GOLD_PHONE)
    assert gifts.vm.member is not None and "number typed" in gifts.member_label.text()
    gifts.select_gift("G002")
    before = written(app)
    qtbot.mouseClick(gifts.redeem_button, Qt.MouseButton.LeftButton)
    assert gifts.gift_confirm is None  # refused at once, no question first
    assert REFUSAL in gifts.notice.text() and gifts.vm.last_result is None
    assert written(app) == before


def test_a_scanned_member_code_spends(qtbot: Any, till: App, ms: MsClock) -> None:
    page = checkout(till)
    code = member_codes.sign_member_code(demo.demo_member_qr_key_file().read_bytes(), GOLD_CARD,
                                         till.terminal.clock())
    scan(qtbot, focus(qtbot, page.member_input, till), ms, code)
    assert till.checkout.presence == "member_qr" and "member code scanned" in page.member_label.text()
    basket_with_max_points(qtbot, page)
    qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
    sale = till.checkout.last_sale
    assert sale is not None and sale.points_paid > 0


def test_a_gift_scanned_at_checkout_keeps_the_scanned_card(qtbot: Any, till: App, ms: MsClock) -> None:
    assert till.scanner is not None
    till.scanner.apply(dataclasses.replace(settings.load_settings(till.terminal), scanner_min_length=4))
    page = checkout(till)
    target = focus(qtbot, page.code_input, till)
    scan(qtbot, target, ms, GOLD_CARD)
    scan(qtbot, target, ms, "G002")  # the gift's code: the gifts screen with the member
    gifts = till.window.work.pages["gifts"]  # type: ignore[attr-defined]
    assert till.window.work.stack.currentWidget() is gifts  # type: ignore[attr-defined]
    assert gifts.vm.member is not None and gifts.vm.presence == "card"
    qtbot.mouseClick(gifts.redeem_button, Qt.MouseButton.LeftButton)
    confirm_gift(qtbot, gifts)
    assert gifts.vm.last_result is not None and gifts.vm.last_result.gift_code == "G002"


def send_and_read(qtbot: Any, page: Any, hook: Any) -> str:
    sent = len(hook.received)
    qtbot.mouseClick(page.send_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.otp_dialog is not None and page.otp_dialog.isVisible())
    assert len(hook.received) == sent + 1 and hook.received[-1]["phone"] == GOLD_PHONE
    return hook.last_code()


def test_a_one_time_code_through_the_webhook_lets_a_phone_member_spend(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    with webhook() as hook:
        settings.set_setting(app.terminal, "presence.otp_webhook", hook.url)
        type_enter(qtbot, page.member_input, GOLD_PHONE)
        basket_with_max_points(qtbot, page)
        code = send_and_read(qtbot, page, hook)
        assert "138****8000" in page.otp_dialog.text_label.text()
        qtbot.keyClicks(page.otp_dialog.code_input, code)
        qtbot.mouseClick(page.otp_dialog.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.otp_dialog.isVisible())
    assert app.checkout.presence == "otp" and "one-time code verified" in page.member_label.text()
    qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
    sale = app.checkout.last_sale
    assert sale is not None and sale.points_paid > 0
    # the code was for that sale: the same phone on the next sale is typed only again
    type_enter(qtbot, page.member_input, GOLD_PHONE)
    assert app.checkout.presence == "phone"
    basket_with_max_points(qtbot, page)
    qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
    assert REFUSAL in page.notice.text()


def test_three_wrong_codes_lock_and_offline_suggests_the_card(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    with webhook() as hook:
        settings.set_setting(app.terminal, "presence.otp_webhook", hook.url)
        type_enter(qtbot, page.member_input, GOLD_PHONE)
        basket_with_max_points(qtbot, page)
        code = send_and_read(qtbot, page, hook)
        wrong = "000000" if code != "000000" else "111111"
        dialog = page.otp_dialog
        for left in ("2 tries left", "1 tries left", "Three wrong codes"):
            qtbot.keyClicks(dialog.code_input, wrong)
            qtbot.keyClick(dialog.code_input, Qt.Key.Key_Return)
            assert left in dialog.notice.text()
        qtbot.keyClicks(dialog.code_input, code)  # locked: even the right code
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert "Three wrong codes" in dialog.notice.text() and dialog.isVisible()
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert app.checkout.presence == "phone"
        before = written(app)
        qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
        assert app.checkout.last_sale is None and REFUSAL in page.notice.text() and written(app) == before
    # the code service is gone (offline): the cashier is told to ask for the card or member code
    qtbot.mouseClick(page.send_code_button, Qt.MouseButton.LeftButton)
    assert "needs the network" in page.notice.text() and "card or member code" in page.notice.text()
    assert page.otp_dialog is dialog and not dialog.isVisible()


def test_logout_forgets_a_verified_code(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    with webhook() as hook:
        settings.set_setting(app.terminal, "presence.otp_webhook", hook.url)
        type_enter(qtbot, page.member_input, GOLD_PHONE)
        code = send_and_read(qtbot, page, hook)
        qtbot.keyClicks(page.otp_dialog.code_input, code)
        qtbot.keyClick(page.otp_dialog.code_input, Qt.Key.Key_Return)
        assert app.checkout.presence == "otp"
    app.session.logout()
    login(qtbot, app)
    type_enter(qtbot, page.member_input, GOLD_PHONE)
    assert app.checkout.presence == "phone"
    basket_with_max_points(qtbot, page)
    qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
    assert app.checkout.last_sale is None and REFUSAL in page.notice.text()


def test_the_manager_setting_lets_a_phone_number_spend(qtbot: Any, app: App) -> None:
    settings.save_settings(app.terminal, {"presence.phone_may_spend": "on"}, staff_code="1001",
                           approval=("9001", "9999"))
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.member_input, GOLD_PHONE)
    basket_with_max_points(qtbot, page)
    qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
    sale = app.checkout.last_sale
    assert sale is not None and sale.points_paid > 0


def test_the_counter_does_not_wait_for_the_code_service(qtbot: Any, store: Any) -> None:
    """The one-time code went out on the UI thread: a slow notification service froze the counter
    up to its 5 s timeout. Now it goes out on the pool: while the service holds its answer, the
    cashier keeps working (the basket takes a line), a second Ctrl+O sends nothing more, and the
    code dialog opens when the service answers."""
    from pos_app.ui.qt import QThreadPool

    pool = QThreadPool()
    app = build(store, pool=pool, language="en")
    qtbot.addWidget(app.window)
    app.window.show()  # type: ignore[attr-defined]
    try:
        login(qtbot, app)
        page = checkout(app)
        with webhook() as hook:
            hook.gate.clear()
            settings.set_setting(app.terminal, "presence.otp_webhook", hook.url)
            type_enter(qtbot, page.member_input, GOLD_PHONE)
            qtbot.mouseClick(page.send_code_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: len(hook.received) == 1)  # the service has it and holds its answer
            assert page.otp_dialog is None or not page.otp_dialog.isVisible()
            type_enter(qtbot, page.code_input, "6970000000017")  # the counter works meanwhile
            assert len(app.checkout.lines) == 1
            assert app.checkout.send_code() is False  # one code on its way at a time
            hook.gate.set()
            qtbot.waitUntil(lambda: page.otp_dialog is not None and page.otp_dialog.isVisible())
            assert len(hook.received) == 1
            qtbot.keyClicks(page.otp_dialog.code_input, hook.last_code())
            qtbot.mouseClick(page.otp_dialog.ok_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: app.checkout.presence == "otp")
    finally:
        app.stop_devices()
        pool.waitForDone(10_000)
