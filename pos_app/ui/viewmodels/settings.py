"""The settings screen's state: load and save terminal settings, test print, test scan."""

from __future__ import annotations

from collections.abc import Mapping

from pos_app.core.errors import ApprovalRequired, InvalidInput, PosError
from pos_app.core.members import mask_phone
from pos_app.services import catalog, member_codes, scans, settings
from pos_app.services.context import Terminal
from pos_app.services.settings import ScanResult, TerminalSettings
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, Signal
from pos_app.ui.viewmodels.session import SessionViewModel


class SettingsViewModel(QObject):
    """Signals: ``loaded()``, ``saved(list)`` (the keys that changed), ``save_refused(str, str)``
    (the setting key and the sentence), ``approval_needed(str)`` (what a manager is asked to
    approve; the form is saved again through ``approve``), ``print_queued(int)`` (the job id),
    ``error_raised(str)``."""

    approval_needed = Signal(str)
    loaded = Signal()
    saved = Signal(list)
    save_refused = Signal(str, str)
    print_queued = Signal(int)
    error_raised = Signal(str)

    def __init__(self, terminal: Terminal, session: SessionViewModel) -> None:
        super().__init__()
        self.terminal = terminal
        self.session = session
        self.settings = TerminalSettings()
        self.language_pending = False  # a language saved this run: applied at the next start
        self.pending: dict[str, object] | None = None  # a form waiting for a manager's approval
        self.load()

    # -- labels and hints, for messages that name the field ---------------------------------------
    def field_label(self, key: str) -> str:
        labels = {
            "printer.connection": self.tr("Printer connection"), "printer.usb": self.tr("Printer USB id"),
            "printer.host": self.tr("Printer host"), "printer.port": self.tr("Printer port"),
            "printer.serial_port": self.tr("Printer serial port"), "printer.file": self.tr("Printer file"),
            "printer.paper_mm": self.tr("Paper width"),
            "printer.charset": self.tr("Character set"), "scanner.mode": self.tr("Scanner connection"),
            "scanner.serial_port": self.tr("Scanner serial port"), "scanner.baud": self.tr("Scanner baud rate"),
            "camera.device": self.tr("Camera"), "hq.url": self.tr("Headquarters address"),
            "hq.ca_file": self.tr("Headquarters CA certificate"),
            "ui.language": self.tr("Language"), "printer.cash_drawer": self.tr("Cash drawer"),
            "receipt.header": self.tr("Receipt header"), "receipt.footer": self.tr("Receipt footer"),
            "scanner.max_gap_ms": self.tr("Time between scanner keys"),
            "scanner.min_length": self.tr("Shortest scan"), "scanner.prefix": self.tr("Scanner prefix"),
            "scanner.suffix": self.tr("Scanner suffix"), "scanner.terminator": self.tr("Scan ending"),
            "decoder.backend": self.tr("Decoder"), "member_qr.public_key": self.tr("Member QR code key"),
            "lookup.budget_ms": self.tr("Member lookup wait"), "lookup.stale_seconds": self.tr("Member lookup age"),
            "replica.keep_days": self.tr("Days other stores' members stay"),
            "display.mode": self.tr("Customer display"), "display.enrol_url": self.tr("Self-enrolment address"),
            "display.gift_distance": self.tr("Gift distance"), "display.idle_seconds": self.tr("Thanks after a sale"),
        }
        return labels.get(key, key)

    def _hint(self, key: str) -> str:
        hints = {
            "printer.usb": self.tr("vendor:product in hex, e.g. 04b8:0202"),
            "printer.host": self.tr("a host name or IP address, e.g. 192.168.1.50"),
            "printer.port": self.tr("a whole number from 1 to 65535, usually 9100"),
            "printer.serial_port": self.tr("e.g. /dev/ttyUSB0 or COM3"),
            "scanner.serial_port": self.tr("e.g. /dev/ttyUSB0 or COM3"),
            "printer.file": self.tr("a full path, e.g. /dev/usb/lp0"),
            "hq.url": self.tr("an https:// address, e.g. https://hq.example.com (http:// only to this computer)"),
            "hq.ca_file": self.tr("a full path to a PEM file, e.g. /etc/pos-app/hq-ca.pem"),
            "camera.device": self.tr("a camera number from 0 to 9, a device path such as /dev/video2 or a "
                                     "stream address such as rtsp://192.168.1.64/stream, without a password"),
            "scanner.max_gap_ms": self.tr("a whole number of milliseconds from 5 to 500"),
            "scanner.min_length": self.tr("a whole number from 2 to 64"),
            "scanner.prefix": self.tr("at most 8 printable ASCII characters"),
            "scanner.suffix": self.tr("at most 8 printable ASCII characters"),
            "member_qr.public_key": self.tr("43 characters of base64url from headquarters"),
            "receipt.header": self.tr("at most 200 characters, lines separated by |"),
            "receipt.footer": self.tr("at most 200 characters"),
            "lookup.budget_ms": self.tr("a whole number of milliseconds from 50 to 10000"),
            "lookup.stale_seconds": self.tr("a whole number of seconds from 0 to 86400"),
            "replica.keep_days": self.tr("a whole number of days from 30 to 3650"),
            "display.enrol_url": self.tr("an http(s) address, e.g. https://m.example.com/join?store=S001"),
            "display.gift_distance": self.tr("a whole number of points from 0 to 1000000"),
            "display.idle_seconds": self.tr("a whole number of seconds from 1 to 600"),
        }
        return hints.get(key, "")

    def _refusal(self, exc: InvalidInput) -> str:
        label, hint = self.field_label(exc.field), self._hint(exc.field)
        if "needed_for" in exc.params:
            return self.tr("%1 is needed for this connection.").replace("%1", label)
        if not hint:
            return self.tr("%1 is not valid.").replace("%1", label)
        return self.tr("%1 is not valid: %2.").replace("%1", label).replace("%2", hint)

    # -- load and save -------------------------------------------------------------------------------
    def load(self) -> None:
        try:
            self.settings = settings.load_settings(self.terminal)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return
        self.loaded.emit()

    def save(self, values: Mapping[str, object], approval: tuple[str, str] | None = None) -> bool:
        """Everything or nothing: a bad value is refused naming its field; a change to the
        headquarters address or the member QR key by a cashier waits for a manager."""
        try:
            changed = settings.save_settings(self.terminal, values, staff_code=self.session.staff_code,
                                             approval=approval)
        except ApprovalRequired as exc:
            self.pending = dict(values)
            names = "、".join(self.field_label(k) for k in exc.params.get("keys", [exc.field]))
            self.approval_needed.emit(self.tr("A store manager must approve changing: %1").replace("%1", names))
            return False
        except InvalidInput as exc:
            if exc.field in settings.KEYS:
                self.save_refused.emit(exc.field, self._refusal(exc))
            else:
                self.error_raised.emit(message(exc))
            return False
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.pending = None
        if "ui.language" in changed:
            self.language_pending = True
        self.load()
        self.saved.emit(changed)
        return True

    def approve(self, manager_code: str, manager_pin: str) -> bool:
        """Save the form waiting for approval; a wrong PIN changes nothing and may be retried."""
        if self.pending is None:
            return False
        return self.save(self.pending, approval=(manager_code.strip(), manager_pin))

    # -- devices ---------------------------------------------------------------------------------------
    def test_print(self) -> int | None:
        try:
            job = settings.queue_test_print(self.terminal, staff_code=self.session.staff_code)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        self.print_queued.emit(job)
        return job

    def classify_scan(self, text: str) -> ScanResult:
        return scans.read_scan(self.terminal, text)

    def describe_scan(self, result: ScanResult) -> str:
        """One line for the test-scan dialog."""
        if result.kind == "member_card":
            return self.tr("Member card %1").replace("%1", result.text)
        if result.kind == "phone":
            return self.tr("Mainland mobile number %1").replace("%1", mask_phone(result.text))
        if result.kind == "product":
            text = self.tr("Product barcode %1 (%2)").replace("%1", result.text).replace("%2", result.symbology)
            try:
                product = catalog.product_by_code(self.terminal, result.text)
            except PosError:
                return text + " — " + self.tr("not in the catalogue")
            return text + " — " + product.name
        if result.kind == "coupon":
            return self.tr("Coupon code %1").replace("%1", result.text)
        if result.kind == "member_qr":
            try:
                card = member_codes.verify_member_code(self.terminal, result.text)
            except PosError as exc:
                return message(exc)
            return self.tr("Member code for card %1").replace("%1", card)
        if result.kind == "gift":
            return self.tr("Gift %1").replace("%1", result.text)
        if result.kind == "receipt":
            return self.tr("Receipt number %1").replace("%1", result.text)
        if not result.text:
            return self.tr("Nothing was read.")
        return self.tr("Unknown code %1: not a member card, phone number, product barcode or coupon").replace(
            "%1", result.text[:40])
