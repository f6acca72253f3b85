"""Terminal settings: typed values, validation naming the field, nothing saved on error, audit rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.core.errors import ApprovalRequired, InvalidInput, NotFound, PermissionDenied
from pos_app.core.members import gs1_check_digit, make_card_number
from pos_app.services import settings, staff
from pos_app.services.context import Terminal


def setting_rows(t: Terminal) -> dict[str, str]:
    return {r["key"]: r["value"] for r in t.repo.rows("SELECT key, value FROM setting")
            if r["key"] not in ("store_id", "terminal_id")}


def audits(t: Terminal) -> list[dict[str, object]]:
    return t.repo.rows("SELECT staff_code, action, ref, details FROM audit WHERE action = 'setting.change'")


def test_defaults_when_nothing_is_saved(terminal: Terminal) -> None:
    s = settings.load_settings(terminal)
    assert s == settings.TerminalSettings()
    assert (s.printer_connection, s.printer_paper_mm, s.scanner_mode, s.camera_device, s.language) == (
        "none", 80, "keyboard", None, "zh_CN")
    assert settings.get_setting(terminal, "printer.port") == 9100
    assert settings.startup_language(terminal) == "zh_CN"


def test_save_typed_values_reload_and_audit_only_changes(terminal: Terminal) -> None:
    staff.create_staff(terminal, code="9001", name="Manager", role="manager", pin="9999")
    changed = settings.save_settings(terminal, {
        "printer.connection": "network", "printer.host": " 192.168.1.50 ", "printer.port": "9101",
        "printer.paper_mm": "58", "scanner.mode": "serial", "scanner.serial_port": "/dev/ttyUSB0",
        "scanner.baud": 115200, "camera.device": "0", "hq.url": "https://hq.example.com:8443/pos/",
        "ui.language": "en", "printer.usb": "",
    }, staff_code="9001")
    assert "printer.usb" not in changed  # unchanged from its default: nothing written
    s = settings.load_settings(terminal)
    assert (s.printer_connection, s.printer_host, s.printer_port, s.printer_paper_mm) == (
        "network", "192.168.1.50", 9101, 58)
    assert (s.scanner_mode, s.scanner_serial_port, s.scanner_baud) == ("serial", "/dev/ttyUSB0", 115200)
    assert s.camera_device == 0 and s.hq_url == "https://hq.example.com:8443/pos" and s.language == "en"
    assert setting_rows(terminal)["printer.port"] == "9101"
    rows = audits(terminal)
    assert sorted(r["ref"] for r in rows) == sorted(changed) and len(changed) == 10
    assert all(r["staff_code"] == "9001" for r in rows)
    port = next(r for r in rows if r["ref"] == "printer.port")
    assert port["details"] == '{"new":"9101","old":null}'
    # saving the same values again changes nothing and writes no audit row
    assert settings.save_settings(terminal, {"printer.port": 9101, "camera.device": 0}) == []
    assert len(audits(terminal)) == 10
    assert settings.set_setting(terminal, "camera.device", "none") is True
    assert settings.load_settings(terminal).camera_device is None
    assert setting_rows(terminal)["camera.device"] == "none"


@pytest.mark.parametrize(("typed", "stored"), [
    ("3", 3), (" /dev/video2 ", "/dev/video2"), ("/dev/v4l/by-id/usb-046d_C920-video-index0",
                                                  "/dev/v4l/by-id/usb-046d_C920-video-index0"),
    ("rtsp://192.168.1.64:554/Streaming/Channels/102", "rtsp://192.168.1.64:554/Streaming/Channels/102"),
    ("http://cam.local:8080/video.mjpg", "http://cam.local:8080/video.mjpg"), ("none", None),
])
def test_a_camera_is_a_number_a_device_path_or_a_stream_address(terminal: Terminal, typed: str,
                                                                 stored: object) -> None:
    settings.save_settings(terminal, {"camera.device": typed})
    assert settings.load_settings(terminal).camera_device == stored


def test_a_camera_address_with_a_password_is_refused_and_not_written(terminal: Terminal) -> None:
    with pytest.raises(InvalidInput) as err:
        settings.save_settings(terminal, {"camera.device": "rtsp://admin:secret@192.168.1.64/stream"})
    assert err.value.field == "camera.device" and "secret" not in err.value.message
    assert setting_rows(terminal) == {} and audits(terminal) == []


@pytest.mark.parametrize(("key", "value"), [
    ("printer.port", "70000"), ("printer.port", "0"), ("printer.port", "abc"), ("printer.port", True),
    ("printer.host", "bad host"), ("printer.host", "999.1.1.1"), ("printer.host", "-x.example.com"),
    ("printer.usb", "04b8"), ("printer.serial_port", "ttyUSB0"), ("printer.file", "relative/out.txt"),
    ("printer.paper_mm", "60"), ("printer.connection", "bluetooth"), ("scanner.baud", "9601"),
    ("scanner.mode", "camera"), ("camera.device", "10"), ("camera.device", "-1"), ("ui.language", "fr"),
    ("camera.device", "video2"), ("camera.device", "/etc/passwd2/../x"), ("camera.device", "/dev/video 2"),
    ("camera.device", "ftp://cam.local/s"), ("camera.device", "rtsp://"), ("camera.device", "rtsp://cam:99999/s"),
    ("camera.device", "rtsp://admin:secret@192.168.1.64/stream"), ("camera.device", "http://bad host/x"),
    ("camera.device", 1.5),
    ("hq.url", "hq.example.com"), ("hq.url", "ftp://hq.example.com"), ("hq.url", "https://"),
    ("hq.url", "https://hq example.com"), ("hq.url", "https://hq.example.com:99999"),
    ("hq.url", "https://user:pw@hq.example.com"), ("hq.url", "https://hq.example.com/?x=1"),
])
def test_bad_value_is_refused_naming_the_field_and_nothing_is_saved(terminal: Terminal, key: str,
                                                                    value: object) -> None:
    before = setting_rows(terminal)
    with pytest.raises(InvalidInput) as err:
        settings.save_settings(terminal, {"ui.language": "en", key: value})
    assert err.value.field == key
    assert setting_rows(terminal) == before and audits(terminal) == []


def test_the_chosen_connection_needs_its_address(terminal: Terminal) -> None:
    with pytest.raises(InvalidInput) as err:
        settings.save_settings(terminal, {"printer.connection": "network", "printer.paper_mm": 58})
    assert err.value.field == "printer.host"
    with pytest.raises(InvalidInput) as err:
        settings.save_settings(terminal, {"scanner.mode": "serial"})
    assert err.value.field == "scanner.serial_port"
    assert setting_rows(terminal) == {}
    settings.save_settings(terminal, {"printer.connection": "file", "printer.file": "/tmp/receipts.txt"})
    assert settings.load_settings(terminal).printer_file == "/tmp/receipts.txt"


def test_unknown_key_and_hand_edited_junk(terminal: Terminal) -> None:
    with pytest.raises(NotFound):
        settings.set_setting(terminal, "printer.colour", "red")
    with terminal.database.transaction():
        terminal.repo.set_setting("printer.port", "junk")
    assert settings.load_settings(terminal).printer_port == 9100  # read as the default, never fatal
    assert settings.save_settings(terminal, {"printer.port": 9100}) == ["printer.port"]  # junk repaired
    assert setting_rows(terminal)["printer.port"] == "9100"


def test_test_print_is_queued(terminal: Terminal) -> None:
    settings.set_setting(terminal, "printer.paper_mm", 58)
    job = settings.queue_test_print(terminal, staff_code="1001")
    rows = terminal.repo.rows("SELECT id, kind, ref, status, payload FROM print_job")
    assert [(r["id"], r["kind"], r["ref"], r["status"]) for r in rows] == [(job, "test", "test-1", "queued")]
    assert '"paper_mm": 58' in rows[0]["payload"]
    assert settings.queue_test_print(terminal) != job


def ean(body: str) -> str:
    return body + str(gs1_check_digit(body))


def test_scan_classification() -> None:
    card = make_card_number(42)
    assert settings.classify_scan(f"{card}\r") == settings.ScanResult("member_card", card)
    assert settings.classify_scan("138 0013 8000").kind == "phone"
    assert settings.classify_scan("+8613800138000") == settings.ScanResult("phone", "13800138000")
    assert settings.classify_scan("6901234567892") == settings.ScanResult("product", "6901234567892", "EAN-13")
    assert settings.classify_scan(ean("9638507")).symbology == "EAN-8"
    assert settings.classify_scan(ean("03600029145")).symbology == "UPC-A"
    assert settings.classify_scan("CP3F9A0B1C2D4E").kind == "coupon"
    # a wrong check digit is not a product, a 29... number with a bad check digit not a card
    assert settings.classify_scan("6901234567893").kind == "unknown"
    assert settings.classify_scan(card[:-1] + str((int(card[-1]) + 1) % 10)).kind == "unknown"
    for junk in ("", "hello", "12345", "CP", "CP-12", "２９００"):
        assert settings.classify_scan(junk).kind == "unknown", junk


def test_trust_settings_need_a_manager(terminal: Terminal) -> None:
    staff.create_staff(terminal, code="1001", name="Cashier", role="cashier", pin="1234")
    staff.create_staff(terminal, code="9001", name="Manager", role="manager", pin="9999")
    key = "B" * 43
    # a cashier may change the printer, not where the ledger goes or which member QR codes count
    assert settings.save_settings(terminal, {"printer.paper_mm": 58}, staff_code="1001") == ["printer.paper_mm"]
    for change in ({"hq.url": "https://evil.example.com"}, {"member_qr.public_key": key},
                   {"printer.paper_mm": 80, "member_qr.public_key": key}):
        with pytest.raises(ApprovalRequired) as err:
            settings.save_settings(terminal, change, staff_code="1001")
        assert err.value.field in settings.PROTECTED
    with pytest.raises(PermissionDenied):
        settings.save_settings(terminal, {"member_qr.public_key": key}, staff_code="1001", approval=("9001", "0000"))
    with pytest.raises(PermissionDenied):
        settings.save_settings(terminal, {"member_qr.public_key": key}, staff_code="1001", approval=("1001", "1234"))
    assert settings.load_settings(terminal).member_qr_public_key == ""
    assert settings.load_settings(terminal).printer_paper_mm == 58  # the refused saves changed nothing
    assert settings.save_settings(terminal, {"member_qr.public_key": key}, staff_code="1001",
                                  approval=("9001", "9999")) == ["member_qr.public_key"]
    row = terminal.repo.row("SELECT staff_code, details FROM audit WHERE ref = 'member_qr.public_key'")
    assert row is not None and row["staff_code"] == "1001" and json.loads(row["details"])["approved_by"] == "9001"
    # a manager needs no second approval; the command line (no staff) is the back office
    assert settings.save_settings(terminal, {"hq.url": "https://hq.example.com"}, staff_code="9001") == ["hq.url"]
    assert settings.save_settings(terminal, {"hq.url": "https://hq2.example.com"}) == ["hq.url"]


def test_headquarters_ca_file_is_a_trust_setting_checked_when_chosen(terminal: Terminal, tmp_path: Path) -> None:
    from tests.hq.test_http import _self_signed

    staff.create_staff(terminal, code="1001", name="Cashier", role="cashier", pin="1234")
    staff.create_staff(terminal, code="9001", name="Manager", role="manager", pin="9999")
    certfile, _key = _self_signed(tmp_path)
    with pytest.raises(ApprovalRequired) as err:  # whom the till trusts: a manager's decision
        settings.save_settings(terminal, {"hq.ca_file": str(certfile)}, staff_code="1001")
    assert err.value.field == "hq.ca_file"
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate")
    for bad in ("relative/ca.pem", str(not_pem), str(tmp_path / "missing.pem"), str(tmp_path)):
        with pytest.raises(InvalidInput) as exc:
            settings.save_settings(terminal, {"hq.ca_file": bad}, staff_code="9001")
        assert exc.value.field == "hq.ca_file", bad
    assert settings.load_settings(terminal).hq_ca_file == ""  # nothing was saved
    assert settings.save_settings(terminal, {"hq.ca_file": str(certfile)}, staff_code="9001") == ["hq.ca_file"]
    assert settings.load_settings(terminal).hq_ca_file == str(certfile)
    assert settings.save_settings(terminal, {"hq.ca_file": ""}, staff_code="9001") == ["hq.ca_file"]  # system CAs
