"""Login, lock-out, and the shift report through the window."""

from __future__ import annotations

from pos_app.core.members import make_card_number
from pos_app.services import points
from pos_app.ui.app import App
from pos_app.ui.qt import QMessageBox, Qt
from tests.conftest import FakeClock
from tests.ui.test_checkout_flow import login


def test_five_wrong_pins_lock_the_cashier_for_a_while(qtbot: object, app: App, clock: FakeClock) -> None:
    for _ in range(5):
        login(qtbot, app, pin="0000")
    assert app.session.staff is None
    login(qtbot, app)  # the right PIN no longer helps
    assert app.session.staff is None
    assert "locked until" in app.window.login.notice.text()  # type: ignore[attr-defined]
    clock.advance(minutes=6)
    login(qtbot, app)
    assert app.session.staff is not None and app.session.staff.code == "1001"


def test_close_shift_shows_the_report_numbers(qtbot: object, app: App, clock: FakeClock) -> None:
    clock.advance(minutes=1)  # the demo store was seeded before the shift
    login(qtbot, app)
    work = app.window.work  # type: ignore[attr-defined]
    assert work.shift_button.text() == "Close shift"
    co = app.checkout
    co.identify(make_card_number(1))
    co.add_code("6901234567892")  # bread 8.50
    co.add_amount("100.00")
    co.set_tender("wechat")
    assert co.complete() is not None  # gold: 108.50 x 1.5 = 162 + 100 first purchase
    co.add_amount("20.00")
    assert co.complete() is not None  # no member
    # a thermos cup for 2000 points plus 19.90 in cash: the cash is taken too
    points.redeem_gift(app.terminal, member_ref=make_card_number(1), gift_code="G005", staff_code="1001")
    clock.advance(minutes=1)
    qtbot.mouseClick(work.shift_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    # the cash-up first: cash expected = the 20.00 sale and the cup's 19.90 (the float is 0)
    cash_up = app.window.cash_up_dialog  # type: ignore[attr-defined]
    assert cash_up is not None and cash_up.isVisible() and app.session.shift is not None
    assert cash_up.expected_labels["cash"].text() == "¥39.90"
    assert cash_up.expected_labels["wechat"].text() == "¥108.50"
    qtbot.keyClicks(cash_up.counted_input, "39.40")
    assert cash_up.difference_label.text() == "¥0.50 short"
    errors: list[str] = []
    app.session.error_raised.connect(errors.append)
    qtbot.keyClick(cash_up.counted_input, Qt.Key.Key_Return)
    assert not cash_up.isVisible()
    assert errors == []  # closed once (Enter also reached a default button, which closed it again)
    box = app.window.findChild(QMessageBox, "shift_report")  # type: ignore[attr-defined]
    assert box is not None
    text = box.text()
    assert "Sales: 2 (with members: 1)" in text
    assert "takings 148.40 yuan" in text
    assert "Points issued: 262, redeemed: 2000" in text
    assert "Cash expected 39.90 yuan, counted 39.40 yuan" in text and "Short by 0.50 yuan" in text
    assert app.session.shift is None and work.shift_button.text() == "Open shift"
    box.close()


def test_the_cash_up_with_a_float_refuses_a_bad_amount_and_esc_keeps_the_shift(qtbot: object, app: App,
                                                                              clock: FakeClock) -> None:
    """Issue 15 item 9: the float (a manager's setting) is in the cash expected; a counted amount
    that is not an amount is refused naming the field; Esc leaves the shift open; the closed
    shift keeps its cash-up and sends it to headquarters (a ``shift`` event)."""
    import json

    from pos_app.services.settings import save_settings

    save_settings(app.terminal, {"cash.float_fen": 20000})
    clock.advance(minutes=1)
    login(qtbot, app)
    co = app.checkout
    co.add_amount("50.00")
    assert co.add_payment("cash", "100.00")
    assert co.complete() is not None  # 50.00 cash, 50.00 change
    work = app.window.work  # type: ignore[attr-defined]
    qtbot.mouseClick(work.shift_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    cash_up = app.window.cash_up_dialog  # type: ignore[attr-defined]
    assert cash_up.expected_labels["cash"].text() == "¥250.00"  # float 200.00 + 50.00
    assert cash_up.close_button.height() >= 44 and cash_up.cancel_button.height() >= 44
    qtbot.keyClicks(cash_up.counted_input, "abc")
    qtbot.keyClick(cash_up.counted_input, Qt.Key.Key_Return)
    assert cash_up.isVisible() and "Cash counted" in cash_up.notice.text()
    assert app.session.shift is not None
    qtbot.keyClick(cash_up.counted_input, Qt.Key.Key_Escape)
    assert not cash_up.isVisible() and app.session.shift is not None
    qtbot.mouseClick(work.shift_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    cash_up = app.window.cash_up_dialog  # type: ignore[attr-defined]
    qtbot.keyClicks(cash_up.counted_input, "251")
    assert cash_up.difference_label.text() == "¥1.00 over"
    qtbot.mouseClick(cash_up.close_button, Qt.MouseButton.LeftButton)
    assert app.session.shift is None
    row = app.terminal.repo.rows("SELECT report FROM shift")[0]
    report = json.loads(row["report"])
    assert (report["float_fen"], report["expected"]["cash"], report["counted_cash_fen"],
            report["cash_difference_fen"]) == (20000, 25000, 25100, 100)
    events = app.terminal.repo.rows("SELECT kind, payload FROM outbox WHERE kind = 'shift'")
    assert len(events) == 1 and json.loads(events[0]["payload"])["cash_difference_fen"] == 100
    box = app.window.findChild(QMessageBox, "shift_report")  # type: ignore[attr-defined]
    assert "Over by 1.00 yuan" in box.text()
    box.close()
