"""The customer display (客显): it follows the cashier, explains the points, nudges towards a gift,
shows the enrolment QR code between customers and opens on the second screen only."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pos_app.core.errors import InvalidInput
from pos_app.core.members import make_card_number
from pos_app.devices.decoding import ZxingDecoder
from pos_app.services import settings
from pos_app.ui.app import App
from pos_app.ui.qt import QCoreApplication, QImage, QRectF, QTranslator
from pos_app.ui.viewmodels import customer_display as cd
from pos_app.ui.viewmodels.customer_display import CustomerDisplayViewModel, nearest_gift
from pos_app.ui.widgets import customer_display as cdw
from pos_app.ui.widgets.customer_display import CustomerDisplayWindow

GOLD, SILVER, NORMAL_0, NORMAL_300 = (make_card_number(n) for n in (1, 2, 3, 4))
BREAD, EARBUD = "6901234567892", "6970000000017"  # 8.50; new earbuds 199.00
ENROL = "https://m.example.com/join?store=S001"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def zh_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    qm = tmp_path_factory.mktemp("qm") / "pos_app_zh_CN.qm"
    subprocess.run([str(ROOT / ".venv" / "bin" / "pyside6-lrelease"), "-silent",
                    str(ROOT / "resources" / "translations" / "pos_app_zh_CN.ts"), "-qm", str(qm)],
                   check=True, timeout=120)
    return qm


@pytest.fixture
def zh(qtbot: Any, zh_qm: Path) -> Iterator[None]:
    """The till's Chinese catalogue installed for one test."""
    translator = QTranslator()
    assert translator.load(str(zh_qm))
    QCoreApplication.installTranslator(translator)
    try:
        yield
    finally:
        QCoreApplication.removeTranslator(translator)


def decode(image: QImage) -> list[str]:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    buf = np.frombuffer(gray.constBits(), np.uint8).reshape(gray.height(), gray.bytesPerLine())
    return [d.text for d in ZxingDecoder().decode(np.ascontiguousarray(buf[:, :gray.width()]))]


def test_the_display_follows_the_cashier_from_basket_to_thanks_and_back_to_idle(qtbot: Any, app: App) -> None:
    settings.set_setting(app.terminal, "display.idle_seconds", 1)
    assert app.display is not None
    vm = app.display.vm
    vm.reload_settings()
    assert vm.state == cd.IDLE and any("Member day" in p and "×3" in p for p in vm.promotions)
    assert any("New product" in p and "新款蓝牙耳机" in p for p in vm.promotions)
    assert app.session.login("1001", "1234")
    co = app.checkout
    co.add_code(BREAD)
    assert vm.state == cd.SALE
    assert [(ln.name, ln.qty, ln.amount_text) for ln in vm.lines] == [("全麦面包", 1, "¥8.50")]
    assert vm.total_text == "¥8.50" and vm.earn_points is None and "member code" in vm.earn_reason
    co.add_code(BREAD)
    assert [(ln.qty, ln.amount_text) for ln in vm.lines] == [(2, "¥17.00")] and vm.total_text == "¥17.00"
    assert co.identify(GOLD, scanned=True)  # the card under the scanner: may pay with points
    # 1700 x gold 1.5 / 100 = 25, + 100 for the member's first purchase
    assert vm.member_text == "张* · Gold" and vm.earn_points == 125
    assert vm.earn_reason == "Gold ×1.5 · First purchase +100"
    assert vm.balance_after == 12_000 + 125
    assert vm.tier_text.endswith("more points to Diamond") and vm.tier_progress is not None
    co.add_code(EARBUD)
    co.set_points(10_000)
    # (1700 + 19900 - 10000) x (1700 + 19900 x 1.2) / 21600 ... as the engine has it
    assert co.quote is not None and co.quote.earn is not None and vm.earn_points == co.quote.earn.total
    assert vm.due_text == "¥116.00" and vm.balance_after == 12_000 - 10_000 + vm.earn_points
    assert "New product ×1.2" in vm.earn_reason
    sale = co.complete()
    assert sale is not None and sale.member is not None
    assert vm.state == cd.DONE and vm.earn_points == sale.points_earned
    assert vm.done_text == f"{sale.points_earned:,} points earned. Balance: {sale.member.balance:,} points."
    qtbot.waitUntil(lambda: vm.state == cd.IDLE, timeout=5000)  # display.idle_seconds later
    assert vm.lines == [] and vm.earn_points is None
    # the next customer's first line replaces the last one's thanks at once
    co.add_code(BREAD)
    assert co.complete() is not None and vm.state == cd.DONE
    co.add_code(BREAD)
    assert vm.state == cd.SALE and vm.lines[0].qty == 1
    co.reset()
    assert vm.state == cd.IDLE


def test_the_earn_reason_on_a_member_day_in_chinese(app: App, clock: Any) -> None:
    clock.set("2026-11-18 10:00")  # the 18th: 会员日 x3
    vm = CustomerDisplayViewModel(app.checkout, "zh_CN")
    co = app.checkout
    assert co.identify(NORMAL_0)
    co.add_code(EARBUD)
    # 19900 x 1.2 x 3 / 100 = 716, + 100 first purchase
    assert vm.earn_points == 816
    assert vm.earn_reason == "会员日 ×3 · 新品加成 ×1.2 · 首单奖励 +100"
    assert vm.member_text == "王* · 普通会员"
    clock.set("2026-11-03 21:00")
    co.add_code(BREAD)  # evening, not a member day: the reason follows the clock of the quote
    assert vm.earn_reason.startswith("晚间时段 ×2 · 新品加成 ×1.2")


def test_the_nearest_gift_the_member_can_almost_afford(app: App, zh: None) -> None:
    program = app.terminal.program
    # the reference catalogue: G001 100, G002 1,000, G005 thermos 2,000, G003 5,000, G004 headphones 10,000
    goal = nearest_gift(program, 1_500, 3_000, {}, "zh_CN")
    assert goal is not None and (goal.code, goal.name, goal.missing) == ("G005", "保温杯", 500)
    assert nearest_gift(program, 1_500, 499, {}, "zh_CN") is None  # too far to nudge
    assert nearest_gift(program, 9_000, 3_000, {"G004": True}, "en").code == "G004"  # type: ignore[union-attr]
    assert nearest_gift(program, 9_000, 3_000, {"G004": False}, "en") is None  # out of stock
    assert nearest_gift(program, 20_000, 3_000, {}, "en") is None  # every gift affordable already
    vm = CustomerDisplayViewModel(app.checkout, "zh_CN")
    co = app.checkout
    assert co.identify(NORMAL_300)
    co.add_code(BREAD)  # 8 + 100 first purchase: 408 after the sale
    assert vm.balance_after == 408 and vm.gift is not None and vm.gift.code == "G002"
    assert vm.gift_text == "再攒 592 积分可兑换 10元优惠券(满50元可用)"
    settings.set_setting(app.terminal, "display.gift_distance", 500)
    vm.reload_settings()
    co.add_code(BREAD)
    assert vm.gift is None and vm.gift_text == ""


def test_the_idle_qr_code_decodes_back_to_the_enrolment_address(qtbot: Any, app: App) -> None:
    settings.set_setting(app.terminal, "display.enrol_url", ENROL)
    vm = CustomerDisplayViewModel(app.checkout, "en")
    window = CustomerDisplayWindow(vm)
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    assert window.stack.currentWidget() is window.idle_page
    assert decode(window.grab().toImage()) == [ENROL]
    app.checkout.add_code(BREAD)  # a sale: no QR code on the screen
    assert window.stack.currentWidget() is window.sale_page
    assert decode(window.grab().toImage()) == []


@pytest.mark.parametrize("size", [(800, 600), (1024, 768), (1920, 1080)])
def test_a_full_sale_fits_each_customer_screen(qtbot: Any, app: App, zh: None, size: tuple[int, int]) -> None:
    vm = CustomerDisplayViewModel(app.checkout, "zh_CN")
    window = CustomerDisplayWindow(vm)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    co = app.checkout
    assert co.identify(NORMAL_300)
    for code in (BREAD, EARBUD, BREAD, "6907992100012", "6921168509256"):
        co.add_code(code)
    vm.show_donation("感谢您的爱心", "Thank you", 0.4)
    assert window.banner.isVisible()
    window.layout().activate()
    assert window.minimumSizeHint().height() <= size[1] and window.minimumSizeHint().width() <= size[0]
    area = QRectF(0, 0, *size)
    for label in (window.total_label, window.earn_label, window.gift_label, window.tier_label, window.balance_label):
        assert label.isVisible() and label.text()
        rect = label.geometry().translated(label.parentWidget().mapTo(window, label.pos()) - label.pos())
        assert area.contains(QRectF(rect)), (label.objectName(), rect, size)
    assert window.earn_label.fontInfo().pixelSize() >= 2 * max(16, size[1] // 28) - 2  # big points


def test_draw_and_donation_messages_show_for_a_while(qtbot: Any, app: App) -> None:
    vm = CustomerDisplayViewModel(app.checkout, "en")
    vm.message_seconds = 1
    vm.show_draw_result("恭喜中奖 500 积分", "You won 500 points")
    assert (vm.message_kind, vm.message, vm.message_progress) == ("draw", "You won 500 points", None)
    vm.show_donation("感谢捐赠", "Thank you for giving", 1.7)
    assert (vm.message_kind, vm.message, vm.message_progress) == ("donation", "Thank you for giving", 1.0)
    qtbot.waitUntil(lambda: vm.message == "", timeout=5000)


def test_two_screens_put_the_display_full_screen_on_the_second(qtbot: Any, app: App,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from pos_app.ui.qt import QApplication

    class SecondScreen:
        def geometry(self) -> Any:
            from PySide6.QtCore import QRect

            return QRect(1920, 0, 1024, 768)

    second = SecondScreen()
    window = app.display
    assert window is not None and not window.isVisible()  # one screen (offscreen): auto is off
    assert window.place("auto") is False and not window.isVisible()
    monkeypatch.setattr(cdw, "screens", lambda: [QApplication.primaryScreen(), second])
    assert window.place("auto") is True
    assert window.isVisible() and window.isFullScreen() and window.placed_on is second
    assert window.place("off") is False and not window.isVisible()
    window.place("auto")
    monkeypatch.setattr(cdw, "screens", lambda: [QApplication.primaryScreen()])
    window.follow_screens()  # the second screen unplugged: the display goes
    qtbot.waitUntil(lambda: not window.isVisible())
    monkeypatch.setattr(cdw, "screens", lambda: [QApplication.primaryScreen(), second])
    window.follow_screens()  # and plugged in again: back, full screen
    qtbot.waitUntil(lambda: window.isVisible() and window.isFullScreen())
    assert window.place("off") is False and not window.isVisible()
    # display.mode = window, saved in the settings: a normal window on the main screen at once
    assert app.apply_device_settings(settings.save_settings(app.terminal, {"display.mode": "window"})) is None
    assert window.isVisible() and not window.isFullScreen() and window.placed_on is None
    window.close()


def test_display_settings_are_checked_and_name_the_field(app: App) -> None:
    for key, value in (("display.mode", "tv"), ("display.enrol_url", "ftp://example.com/join"),
                       ("display.enrol_url", "https://user:pw@example.com/"), ("display.gift_distance", "-1"),
                       ("display.idle_seconds", "0")):
        with pytest.raises(InvalidInput) as err:
            settings.set_setting(app.terminal, key, value)
        assert err.value.field == key
    assert settings.load_settings(app.terminal).display_mode == "auto"
    assert settings.set_setting(app.terminal, "display.enrol_url", ENROL)
    assert settings.get_setting(app.terminal, "display.enrol_url") == ENROL


def test_the_display_window_follows_keys_typed_in_the_cashiers_window(qtbot: Any, app: App) -> None:
    from pos_app.ui.qt import Qt
    from tests.ui.test_checkout_flow import login

    settings.set_setting(app.terminal, "display.enrol_url", ENROL)
    app.apply_device_settings(settings.save_settings(app.terminal, {"display.mode": "window"}))
    window = app.display
    assert window is not None and window.isVisible()
    qtbot.waitExposed(window)
    assert window.stack.currentWidget() is window.idle_page and window.qr_label.isVisible()
    login(qtbot, app)
    page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
    qtbot.keyClicks(page.member_input, "13900139000")  # 李娜, silver, 8,000 points
    qtbot.keyClick(page.member_input, Qt.Key.Key_Return)
    qtbot.keyClicks(page.code_input, EARBUD)
    qtbot.keyClick(page.code_input, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.sale_page
    assert window.basket.rowCount() == 1 and window.basket.item(0, 0).text() == "新款蓝牙耳机  [new]"
    assert window.total_label.text() == "¥199.00" and window.member_label.text() == "李* · Silver"
    # the points the cashier sees are the points the customer sees
    assert window.earn_label.text() == "+" + page.earn_label.text()
    assert window.gift_label.text() == f"{10_000 - 8_000 - int(page.earn_label.text()):,} more points for Headphones"
    qtbot.keyClick(page.code_input, Qt.Key.Key_F12)
    assert app.checkout.last_sale is not None
    assert window.stack.currentWidget() is window.done_page
    assert window.done_text.text() == window.vm.done_text and "points earned" in window.done_text.text()
    window.close()


def test_the_settings_screen_sets_the_display_and_refuses_a_bad_address(qtbot: Any, app: App) -> None:
    from tests.ui.test_checkout_flow import login

    login(qtbot, app, "9001", "9999")  # the manager
    app.window.work.show_page("settings")  # type: ignore[attr-defined]
    page = app.window.work.pages["settings"]  # type: ignore[attr-defined]
    assert page.display_mode.currentData() == "auto" and page.display_gift_distance.text() == "3000"
    page.display_enrol_url.setText("ftp://m.example.com/join")
    page.save()
    assert settings.load_settings(app.terminal).display_enrol_url == ""  # nothing saved
    assert "Self-enrolment address" in page.notice.text() and "https://m.example.com/join" in page.notice.text()
    page.display_enrol_url.setText(ENROL)
    page.display_mode.setCurrentIndex(page.display_mode.findData("window"))
    page.display_gift_distance.setText("1500")
    page.save()
    saved = settings.load_settings(app.terminal)
    assert (saved.display_mode, saved.display_enrol_url, saved.display_gift_distance) == ("window", ENROL, 1500)
    window = app.display
    assert window is not None and window.isVisible() and window.vm.gift_distance == 1500
    assert window.qr_label.pixmap() is not None and not window.qr_label.pixmap().isNull()
    window.close()
