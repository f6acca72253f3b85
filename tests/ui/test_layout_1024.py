"""Issue 15 item 8: at 1024x768 the status bar and the test-scan dialog were cut off. In both
languages, with every device configured (the longest status), the window keeps to 1024x768,
every widget of the status bar lies inside it with its whole text shown, and the test-scan
dialog, showing a long result, lies inside the window with nothing of it clipped."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect

from pos_app.services import context, settings
from pos_app.ui.app import App, build
from pos_app.ui.qt import QApplication, QCoreApplication, QLabel, Qt, QTranslator, QWidget
from pos_app.ui.workers import ImmediatePool
from tests.ui.test_checkout_flow import login

ROOT = Path(__file__).resolve().parents[2]
LONG_CODE = "X" * 60  # an unknown code: the longest result line the dialog shows


@pytest.fixture(scope="module")
def zh_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    qm = tmp_path_factory.mktemp("qm") / "pos_app_zh_CN.qm"
    subprocess.run([str(ROOT / ".venv" / "bin" / "pyside6-lrelease"), "-silent",
                    str(ROOT / "resources" / "translations" / "pos_app_zh_CN.ts"), "-qm", str(qm)],
                   check=True, timeout=120)
    return qm


@pytest.fixture(params=["zh_CN", "en"])
def till(request: pytest.FixtureRequest, qtbot: Any, store: context.Terminal, zh_qm: Path) -> Iterator[App]:
    language = request.param
    translator = None
    if language == "zh_CN":
        translator = QTranslator()
        assert translator.load(str(zh_qm))
        QCoreApplication.installTranslator(translator)
    # every device set up, the longest status: a network printer with a queue, a serial scanner,
    # a network camera (on loopback, refused at once), a last sync time
    settings.save_settings(store, {
        "printer.connection": "network", "printer.host": "192.168.100.200",
        "scanner.mode": "serial", "scanner.serial_port": "/dev/ttyUSB0",
        "camera.device": "rtsp://127.0.0.1:9/Streaming/Channels/102"})
    for _ in range(3):
        settings.queue_test_print(store)
    with store.database.transaction():
        store.repo.set_setting("sync.last_success", "2026-12-04 16:58:00")
    app = build(store, pool=ImmediatePool(), language=language)
    qtbot.addWidget(app.window)
    app.window.resize(1024, 768)  # type: ignore[attr-defined]
    app.window.show()  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        app.stop_devices()
        if translator is not None:
            QCoreApplication.removeTranslator(translator)


def inside(outer: QRect, inner: QRect) -> bool:
    return outer.contains(inner.topLeft()) and outer.contains(inner.bottomRight())


def whole_text_shown(label: QLabel) -> bool:
    """The label's text fits its contents rectangle (wrapped when the label wraps)."""
    rect = label.contentsRect()
    flags = Qt.TextFlag.TextWordWrap if label.wordWrap() else Qt.TextFlag.TextSingleLine
    needed = label.fontMetrics().boundingRect(QRect(0, 0, rect.width(), 10_000), int(flags), label.text())
    return needed.width() <= rect.width() and needed.height() <= rect.height()


def settle(app: App) -> None:
    for _ in range(3):
        QApplication.processEvents()
    app.window.refresh_status()  # type: ignore[attr-defined]
    for _ in range(3):
        QApplication.processEvents()


def test_the_status_bar_fits_1024x768_with_its_whole_text(qtbot: Any, till: App) -> None:
    login(qtbot, till, "9001", "9999")
    till.backup = type("FailedBackup", (), {"last_error": "/var/backups/pos-app: No space left on device",
                                            "stop": lambda self: None})()  # type: ignore[assignment]
    settle(till)
    window: QWidget = till.window  # type: ignore[assignment]
    assert (window.width(), window.height()) == (1024, 768)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 768, hint
    bar = window.statusBar()  # type: ignore[attr-defined]
    assert inside(window.rect(), bar.geometry())
    shown = [w for w in bar.findChildren(QWidget) if w.isVisibleTo(bar) and w.parent() is bar]
    assert shown
    for w in shown:
        assert inside(window.rect(), QRect(w.mapTo(window, w.rect().topLeft()), w.size())), w.objectName()
    label = window.status_label  # type: ignore[attr-defined]
    text = label.text()
    assert "rtsp://127.0.0.1:9 " in text and "Streaming/Channels" not in text  # the camera by its host
    assert "No space left" in text  # the longest part, the backup's failure, is there
    assert whole_text_shown(label), (label.size(), text)
    # the page above keeps its room
    assert window.work.height() >= 600  # type: ignore[attr-defined]


def test_the_scan_test_dialog_fits_inside_the_window_with_a_long_result(qtbot: Any, till: App) -> None:
    login(qtbot, till, "9001", "9999")
    till.window.work.show_page("settings")  # type: ignore[attr-defined]
    page = till.window.work.pages["settings"]  # type: ignore[attr-defined]
    qtbot.mouseClick(page.test_scan_button, Qt.MouseButton.LeftButton)
    dialog = page.scan_dialog
    assert dialog is not None and dialog.isVisible()
    for code in ("13800138000", LONG_CODE, "6970000000017", LONG_CODE, "CP0123456789AB", LONG_CODE):
        dialog.take_scan(code)
    settle(till)
    window: QWidget = till.window  # type: ignore[assignment]
    frame = dialog.frameGeometry()
    assert inside(window.frameGeometry(), frame), (frame, window.frameGeometry())
    assert dialog.minimumSizeHint().width() <= dialog.width() and dialog.minimumSizeHint().height() <= dialog.height()
    for w in dialog.findChildren(QWidget):
        if w.isVisibleTo(dialog) and w.parent() is dialog:
            assert inside(dialog.rect(), w.geometry()), (w.objectName(), w.geometry(), dialog.rect())
    for label in dialog.findChildren(QLabel):
        if label.isVisibleTo(dialog):
            assert whole_text_shown(label), (label.objectName(), label.size(), label.text())
    assert dialog.close_button.height() >= 44
    dialog.reject()


def test_a_busy_checkout_keeps_to_1024x768(qtbot: Any, till: App) -> None:
    """The checkout page in use (a member with every line of their panel, a basket, points, a split
    tender with change) still fits: after the split tender and suspend/resume buttons landed its
    minimum width was 1,200-1,278 px (found by CI)."""
    from tests.ui.test_checkout_flow import GOLD_CARD

    login(qtbot, till, "9001", "9999")
    vm = till.checkout
    assert vm.identify(GOLD_CARD)
    for code in ("6970000000017", "6970000000024", "6970000000055"):
        assert vm.add_code(code)
    assert vm.add_amount("1888.88")  # four figures due, the widest amount line a counter commonly shows
    assert vm.set_points("1000")
    assert vm.add_payment("card", "100.00")
    assert vm.add_payment("cash", "2000.00")
    settle(till)
    page = till.window.work.pages["checkout"]  # type: ignore[attr-defined]
    assert page.payments_label.text() and page.change_label.text()
    assert len(page.due_label.text()) >= len("¥2266.88") and page.clear_payments_button.isVisible()
    hint = till.window.minimumSizeHint()  # type: ignore[attr-defined]
    assert hint.width() <= 1024 and hint.height() <= 768, hint
    for button in (page.plus_button, page.discount_button, page.resume_button, page.take_button,
                   page.clear_payments_button, page.complete_button):
        assert button.height() >= 44 and inside(till.window.rect(),  # type: ignore[attr-defined]
                                                QRect(button.mapTo(till.window, button.rect().topLeft()),
                                                      button.size())), button.objectName()
        assert button_text_shown(button), (button.text(), button.width())


def button_text_shown(button: Any) -> bool:
    """The button is wide enough for its text and padding: what Qt's own size hint asks."""
    from pos_app.ui.qt import QPushButton

    assert isinstance(button, QPushButton)
    needed = button.fontMetrics().horizontalAdvance(button.text().replace("&&", "&"))
    return button.width() >= needed + 12  # the style's smallest left and right margins together


def test_every_button_of_every_screen_shows_its_whole_label(qtbot: Any, till: App) -> None:
    """In English at 1024x768, four checkout labels were cut ("Discount (Ctrl+D)", "Suspend",
    "Resume", "Clear payments"): ``big_button`` gave every button a fixed 96 px minimum, which
    overrode the width the text needs, so a crowded layout squeezed the text away. Every page a
    manager can open, in both languages, now shows each button's whole label."""
    from pos_app.ui.qt import QPushButton
    from tests.ui.test_checkout_flow import GOLD_CARD

    login(qtbot, till, "9001", "9999")
    assert till.checkout.identify(GOLD_CARD)
    assert till.checkout.add_code("6970000000017")
    work = till.window.work  # type: ignore[attr-defined]
    cut: list[str] = []
    for name in list(work.pages):
        work.show_page(name)
        settle(till)
        page = work.pages[name]
        hint = till.window.minimumSizeHint()  # type: ignore[attr-defined]
        assert hint.width() <= 1024 and hint.height() <= 768, (name, hint)
        for button in page.findChildren(QPushButton):
            if button.isVisible() and button.text() and not button_text_shown(button):
                cut.append(f"{name}: {button.text()!r} {button.width()} px")
    assert not cut, cut


def test_the_settings_screen_keeps_every_group_within_the_width(qtbot: Any, till: App) -> None:
    """In English the settings screen's second column (camera, language, customer display,
    about) was cut off at the right at 1024x768: its two columns needed more than the page
    (the horizontal scroll bar is off). Where two columns do not fit, they stack into one that
    scrolls down; every group lies within the visible width, in both languages."""
    from pos_app.ui.qt import QGroupBox

    login(qtbot, till, "9001", "9999")
    work = till.window.work  # type: ignore[attr-defined]
    work.show_page("settings")
    settle(till)
    page = work.pages["settings"]
    viewport = page.form_scroll.viewport()
    boxes = [b for b in page.findChildren(QGroupBox) if b.isVisibleTo(page)]
    assert len(boxes) >= 5
    for box in boxes:
        left = box.mapTo(viewport, box.rect().topLeft()).x()
        assert left >= 0 and left + box.width() <= viewport.width(), (box.title(), left, box.width(),
                                                                      viewport.width())
        assert box.width() >= box.minimumSizeHint().width(), box.title()
