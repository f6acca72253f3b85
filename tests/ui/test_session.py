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
    box = app.window.findChild(QMessageBox, "shift_report")  # type: ignore[attr-defined]
    assert box is not None
    text = box.text()
    assert "Sales: 2 (with members: 1)" in text
    assert "takings 148.40 yuan" in text
    assert "Points issued: 262, redeemed: 2000" in text
    assert app.session.shift is None and work.shift_button.text() == "Open shift"
    box.close()
