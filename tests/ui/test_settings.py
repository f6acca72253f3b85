"""The settings screen through the real widgets on the demo store: save and reload, refusals
naming the field with nothing saved, the test print and the test scan."""

from __future__ import annotations

from pathlib import Path

import pos_app
from pos_app.core.members import make_card_number
from pos_app.services import demo, settings
from pos_app.ui.app import App
from pos_app.ui.qt import QComboBox, QLineEdit, Qt
from pos_app.ui.viewmodels.settings import SettingsViewModel
from pos_app.ui.widgets.settings import SettingsPage
from tests.ui.test_reports import login


def settings_page(qtbot: object, app: App) -> SettingsPage:
    login(qtbot, app, "1001", "1234")
    app.window.work.show_page("settings")  # type: ignore[attr-defined]
    page = app.window.work.pages["settings"]  # type: ignore[attr-defined]
    assert isinstance(page, SettingsPage) and page.isVisible()
    return page


def choose(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def type_into(qtbot: object, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)  # type: ignore[attr-defined]


def saved_keys(app: App) -> dict[str, str]:
    """Settings saved since the demo seed (which trusts the demo member-code key and sets a header)."""
    seeded = {"member_qr.public_key": demo.demo_member_qr_public_key(), "receipt.header": demo.DEMO_RECEIPT_HEADER}
    return {r["key"]: r["value"] for r in app.terminal.repo.rows("SELECT key, value FROM setting")
            if "." in r["key"] and seeded.get(r["key"]) != r["value"]}


def test_settings_saved_and_reloaded(qtbot: object, app: App) -> None:
    page = settings_page(qtbot, app)
    assert page.store_label.text() == "S001" and page.terminal_label.text() == "T01"
    assert "No camera configured" in page.camera_status.text()
    assert "next time the program starts" in page.language_note.text()
    assert page.database_label.text() == str(app.terminal.database.path)
    assert page.version_label.text() == pos_app.__version__
    assert page.program_label.text().startswith("reference, version 1")

    choose(page.printer_connection, "network")
    assert page.printer_address.currentWidget().isAncestorOf(page.printer_host)
    type_into(qtbot, page.printer_host, "192.168.1.50")
    type_into(qtbot, page.printer_port, "9101")
    choose(page.paper_width, 58)
    choose(page.scanner_mode, "serial")
    assert page.scanner_serial.isEnabled()
    type_into(qtbot, page.scanner_serial, "/dev/ttyUSB0")
    choose(page.scanner_baud, 115200)
    choose(page.camera, 0)
    choose(page.language, "en")
    type_into(qtbot, page.hq_url, "https://hq.example.com/pos/")
    qtbot.keyClick(page.hq_url, Qt.Key.Key_Return)  # type: ignore[attr-defined]  Enter saves

    # the headquarters address decides where the ledger goes: a cashier needs a manager
    assert saved_keys(app) == {}
    approve(qtbot, page)
    assert page.notice.text().startswith("Settings saved.")
    assert "applied the next time the program starts" in page.notice.text()
    s = settings.load_settings(app.terminal)
    assert (s.printer_connection, s.printer_host, s.printer_port, s.printer_paper_mm) == (
        "network", "192.168.1.50", 9101, 58)
    assert (s.scanner_mode, s.scanner_serial_port, s.scanner_baud, s.camera_device) == (
        "serial", "/dev/ttyUSB0", 115200, 0)
    assert (s.hq_url, s.language) == ("https://hq.example.com/pos", "en")
    audits = app.terminal.repo.rows("SELECT staff_code, ref FROM audit WHERE action = 'setting.change'"
                                    " AND staff_code IS NOT NULL")  # not the demo seed's own settings
    assert {a["ref"] for a in audits} == set(saved_keys(app)) and {a["staff_code"] for a in audits} == {"1001"}
    assert "Camera 0 reads member QR codes" in page.camera_status.text()

    # a page built afresh (the next start) shows what was saved
    fresh = SettingsPage(SettingsViewModel(app.terminal, app.session))
    assert isinstance(fresh, SettingsPage)
    assert fresh.printer_connection.currentData() == "network" and fresh.printer_host.text() == "192.168.1.50"
    assert fresh.printer_port.text() == "9101" and fresh.paper_width.currentData() == 58
    assert fresh.scanner_mode.currentData() == "serial" and fresh.scanner_baud.currentData() == 115200
    assert fresh.camera.currentData() == 0 and fresh.language.currentData() == "en"
    assert fresh.hq_url.text() == "https://hq.example.com/pos"
    assert settings.startup_language(app.terminal) == "en"
    fresh.deleteLater()

    # Esc puts back what is saved
    type_into(qtbot, page.printer_host, "10.0.0.9")
    qtbot.keyClick(page.printer_host, Qt.Key.Key_Escape)  # type: ignore[attr-defined]
    assert page.printer_host.text() == "192.168.1.50"


def test_bad_hq_address_and_port_are_refused_naming_the_field(qtbot: object, app: App) -> None:
    page = settings_page(qtbot, app)
    choose(page.language, "en")
    type_into(qtbot, page.hq_url, "hq.example.com")  # no scheme
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.notice.text().startswith("Headquarters address is not valid")
    assert page.hq_url.hasFocus() and page.hq_url.selectedText() == "hq.example.com"
    assert saved_keys(app) == {}

    type_into(qtbot, page.hq_url, "https://hq.example.com")
    choose(page.printer_connection, "network")
    type_into(qtbot, page.printer_host, "printer.local")
    type_into(qtbot, page.printer_port, "70000")
    qtbot.keyClick(page.printer_port, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.notice.text().startswith("Printer port is not valid: a whole number from 1 to 65535")
    assert page.printer_port.hasFocus()
    assert saved_keys(app) == {}  # nothing at all, not even the good values
    assert app.terminal.repo.rows("SELECT id FROM audit WHERE action = 'setting.change' AND staff_code IS NOT NULL"
                                  ) == []  # (the demo seed's own change has no staff)

    type_into(qtbot, page.printer_host, "")
    type_into(qtbot, page.printer_port, "9100")
    qtbot.keyClick(page.printer_port, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.notice.text() == "Printer host is needed for this connection."
    assert page.printer_host.hasFocus() and saved_keys(app) == {}


def test_headquarters_ca_certificate_checked_and_approved(qtbot: object, app: App, tmp_path: Path) -> None:
    from tests.hq.test_http import _self_signed

    page = settings_page(qtbot, app)
    choose(page.language, "en")
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate")
    type_into(qtbot, page.hq_ca_file, str(not_pem))
    qtbot.keyClick(page.hq_ca_file, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.notice.text().startswith("Headquarters CA certificate is not valid"), page.notice.text()
    assert page.hq_ca_file.hasFocus() and saved_keys(app) == {}
    certfile, _key = _self_signed(tmp_path)
    type_into(qtbot, page.hq_ca_file, str(certfile))
    qtbot.keyClick(page.hq_ca_file, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert saved_keys(app) == {}  # whom the till trusts: a manager approves
    approve(qtbot, page)
    assert settings.load_settings(app.terminal).hq_ca_file == str(certfile)
    fresh = SettingsPage(SettingsViewModel(app.terminal, app.session))
    assert isinstance(fresh, SettingsPage) and fresh.hq_ca_file.text() == str(certfile)
    fresh.deleteLater()


def test_test_print_queues_a_job(qtbot: object, app: App) -> None:
    page = settings_page(qtbot, app)
    qtbot.mouseClick(page.test_print_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    jobs = app.terminal.repo.rows("SELECT id, kind, status FROM print_job")
    assert [(j["kind"], j["status"]) for j in jobs] == [("test", "queued")]
    assert page.notice.text().startswith(f"Test page queued as print job {jobs[0]['id']}.")
    assert "waits in the print queue" in page.notice.text()


def test_test_scan_classifies_what_the_scanner_types(qtbot: object, app: App) -> None:
    page = settings_page(qtbot, app)
    qtbot.mouseClick(page.test_scan_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    dialog = page.scan_dialog
    assert dialog is not None and dialog.isVisible()
    card = make_card_number(7)
    for scanned, kind, shown in (
        (card, "member_card", f"Member card {card}"),
        ("13800138000", "phone", "Mainland mobile number 138****8000"),
        ("6901234567892", "product", "Product barcode 6901234567892 (EAN-13) — 全麦面包"),
        ("6901234567885", "product", "Product barcode 6901234567885 (EAN-13) — not in the catalogue"),
        ("CP3F9A0B1C2D4E", "coupon", "Coupon code CP3F9A0B1C2D4E"),
        ("#%garbage!", "unknown", "Unknown code #%garbage!"),
    ):
        qtbot.keyClicks(dialog.input, scanned)  # type: ignore[attr-defined]
        qtbot.keyClick(dialog.input, Qt.Key.Key_Return)  # type: ignore[attr-defined]  as a scanner ends
        assert dialog.isVisible(), "Enter must classify, not close the dialog"
        assert (dialog.last_kind, dialog.input.text()) == (kind, "")
        assert dialog.result_label.text().startswith(shown), dialog.result_label.text()
    assert dialog.history.count() == 6
    qtbot.keyClick(dialog.input, Qt.Key.Key_Escape)  # type: ignore[attr-defined]
    assert not dialog.isVisible() and page.scan_dialog is None


def test_pages_fit_1024x768(qtbot: object, app: App) -> None:
    login(qtbot, app, "9001", "9999")
    app.window.resize(1024, 768)  # type: ignore[attr-defined]
    stack = app.window.work.stack  # type: ignore[attr-defined]
    for key in ("settings", "reports"):
        app.window.work.show_page(key)  # type: ignore[attr-defined]
        page = app.window.work.pages[key]  # type: ignore[attr-defined]
        hint = page.minimumSizeHint()
        assert hint.width() <= stack.width() and hint.height() <= stack.height(), (key, hint, stack.size())


def approve(qtbot: object, page: SettingsPage, pin: str = "9999") -> None:
    dialog = page.approval
    assert dialog is not None and dialog.isVisible()
    assert any(name in dialog.text_label.text()
               for name in ("Headquarters address", "Headquarters CA certificate", "Member QR code key"))
    type_into(qtbot, dialog.code_input, "9001")
    type_into(qtbot, dialog.pin_input, pin)
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]


def test_device_details_saved_and_bad_ones_refused(qtbot: object, app: App) -> None:
    page = settings_page(qtbot, app)
    page.cash_drawer.setChecked(True)
    type_into(qtbot, page.receipt_header, "Demo store | 1 Main Street")
    type_into(qtbot, page.scanner_gap, "30")
    type_into(qtbot, page.scanner_min_length, "8")
    type_into(qtbot, page.scanner_prefix, "]C")
    choose(page.scanner_terminator, "tab")
    choose(page.decoder_backend, "pyzbar")
    assert page.printer_charset.currentData() == "gbk"  # the default: most printers sold in China
    choose(page.printer_charset, "gb18030")
    key = "A" * 42 + "A"  # 43 base64url characters = 32 bytes
    type_into(qtbot, page.member_qr_key, key)
    qtbot.keyClick(page.scanner_gap, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    approve(qtbot, page, pin="0000")  # a wrong PIN saves nothing and the dialog stays
    assert page.approval is not None and page.approval.isVisible() and saved_keys(app) == {}
    assert page.approval.notice.text() == "Wrong PIN."
    approve(qtbot, page)
    assert page.approval is not None and not page.approval.isVisible()
    assert page.notice.text().startswith("Settings saved."), page.notice.text()
    s = settings.load_settings(app.terminal)
    assert (s.printer_cash_drawer, s.receipt_header, s.scanner_max_gap_ms, s.scanner_min_length) == (
        True, "Demo store | 1 Main Street", 30, 8)
    assert (s.scanner_prefix, s.scanner_terminator, s.decoder_backend, s.member_qr_public_key) == (
        "]C", "tab", "pyzbar", key)
    assert s.printer_charset == "gb18030"

    before = saved_keys(app)
    type_into(qtbot, page.scanner_gap, "1000")
    qtbot.keyClick(page.scanner_gap, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.notice.text().startswith("Time between scanner keys is not valid: a whole number of milliseconds")
    assert page.scanner_gap.hasFocus()
    type_into(qtbot, page.scanner_gap, "30")
    type_into(qtbot, page.member_qr_key, "not-a-key")
    qtbot.keyClick(page.member_qr_key, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.notice.text().startswith("Member QR code key is not valid")
    assert saved_keys(app) == before


def test_keep_days_of_the_partial_replica_saved_and_bad_ones_refused(qtbot: object, app: App) -> None:
    page = settings_page(qtbot, app)
    choose(page.language, "en")
    assert page.replica_keep_days.text() == "30"
    type_into(qtbot, page.replica_keep_days, "7")  # below headquarters' subscription window
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.notice.text().startswith("Days other stores' members stay is not valid")
    assert "30 to 3650" in page.notice.text()
    assert page.replica_keep_days.hasFocus() and saved_keys(app) == {}
    type_into(qtbot, page.replica_keep_days, "60")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert settings.load_settings(app.terminal).replica_keep_days == 60
    assert saved_keys(app)["replica.keep_days"] == "60"


def test_a_camera_typed_as_a_device_path_or_stream_address_is_saved_and_a_password_refused(
        qtbot: object, app: App) -> None:
    """Issue 15 item 8: the camera could be chosen only by number 0-9."""
    page = settings_page(qtbot, app)
    edit = page.camera.lineEdit()
    assert edit is not None and edit.objectName() == "camera_source"
    type_into(qtbot, edit, "/dev/video2")
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]  Enter saves
    assert page.notice.text().startswith("Settings saved."), page.notice.text()
    assert settings.load_settings(app.terminal).camera_device == "/dev/video2"
    assert app.camera is not None and app.camera.source == "/dev/video2"  # the device uses it at once
    assert "/dev/video2" in page.camera_status.text()
    type_into(qtbot, edit, "rtsp://admin:secret@192.168.1.64/stream")
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert "Camera" in page.notice.text() and "secret" not in page.notice.text()
    assert settings.load_settings(app.terminal).camera_device == "/dev/video2"  # nothing saved
    type_into(qtbot, edit, "rtsp://192.168.1.64:554/stream")
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert settings.load_settings(app.terminal).camera_device == "rtsp://192.168.1.64:554/stream"
    page.revert()  # the form shows what is saved
    assert page.camera.currentText() == "rtsp://192.168.1.64:554/stream"
    choose(page.camera, None)
    page.save()
    assert settings.load_settings(app.terminal).camera_device is None
