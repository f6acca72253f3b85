"""The expiry reminder (issue 16 item 5): the counter shows at identification what the receipt
prints, both from one rule (``core.lots.expiry_reminder``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pos_app.services import members, receipts
from pos_app.services.printing import receipt_bytes
from pos_app.ui.app import App
from pos_app.ui.qt import Qt
from tests.conftest import FakeClock
from tests.devices.escpos_interpreter import interpret
from tests.ui.test_checkout_flow import login
from tests.ui.test_counter import checkout, type_enter

GOLD_PHONE = "13800138000"  # 张伟: the demo's opening balance lots expire on 2028-11-03


def test_the_counter_and_the_receipt_give_the_same_reminder(qtbot: Any, app: App, clock: FakeClock) -> None:
    clock.set("2028-10-30T10:00")  # 5 days before the demo's lots expire
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.member_input, GOLD_PHONE)
    member = app.terminal.repo.member_by_phone(GOLD_PHONE)
    assert member is not None and app.checkout.member is not None
    reminder = members.member_picture(app.terminal, member).reminder
    assert reminder is not None and (reminder.within_days, reminder.first_day) == (7, dt.date(2028, 11, 3))
    assert app.checkout.member.reminder == reminder
    assert page.expiring_label.text() == (f"{reminder.points:,} points expire within 7 days (first on 2028-11-03)")

    type_enter(qtbot, page.code_input, "CUP")
    page.points_input.clear()
    qtbot.keyClick(page.points_input, Qt.Key.Key_F12)
    sale = app.checkout.last_sale
    assert sale is not None
    text = [ln.rstrip() for ln in interpret(receipt_bytes(app.terminal, sale.receipt_no, columns=48,
                                                          language="en")).text]
    line = next(ln for ln in text if ln.startswith("Expiring in"))
    assert line.split() == ["Expiring", "in", "7", "days", str(reminder.points)]
    assert any(ln.strip().startswith("First expiry") and ln.endswith("2028-11-03") for ln in text)
    assert receipts.WORDS["zh_CN"]["first_expiry"] and receipts.WORDS["en"]["first_expiry"]


def test_no_reminder_when_nothing_expires_soon(qtbot: Any, app: App) -> None:
    login(qtbot, app)
    page = checkout(app)
    type_enter(qtbot, page.member_input, GOLD_PHONE)
    assert app.checkout.member is not None and app.checkout.member.reminder is None
    assert page.expiring_label.text() == ""
