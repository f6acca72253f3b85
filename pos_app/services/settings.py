"""Terminal settings (printer, scanner, camera, headquarters, language): typed, validated, audited."""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import urlsplit

from pos_app.core.errors import ApprovalRequired, InvalidInput, NotFound
from pos_app.devices.receipt import CHARSETS, DEFAULT_CHARSET
from pos_app.services.context import Terminal
from pos_app.storage.ledger import iso
from pos_app.storage.prune import DEFAULT_KEEP_DAYS, KEEP_DAYS_KEY, MAX_KEEP_DAYS, MIN_KEEP_DAYS

log = logging.getLogger(__name__)

PRINTER_CONNECTIONS = ("none", "usb", "network", "serial", "file")
PAPER_WIDTHS_MM = (58, 80)
PRINTER_CHARSETS = tuple(CHARSETS)  # gbk (default), gb18030, gb2312, ascii
SCANNER_MODES = ("keyboard", "serial")
SCANNER_TERMINATORS = ("enter", "tab", "enter_or_tab")
DECODER_BACKENDS = ("auto", "zxing", "pyzbar")
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
LANGUAGES = ("zh_CN", "en")
MAX_CAMERA_INDEX = 9
#: the customer display (客显): auto = full screen on a second screen when there is one, else off;
#: window = a normal window on the main screen (demos and tests)
DISPLAY_MODES = ("auto", "off", "window")

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_USB_ID = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")
_SERIAL_PORT = re.compile(r"^(/dev/[A-Za-z0-9._/-]{1,64}|COM[1-9][0-9]{0,2})$")


@dataclass(frozen=True)
class TerminalSettings:
    """Every terminal setting with its type; the default is what an unset key means."""

    printer_connection: str = "none"
    printer_usb: str = ""  # "vendor:product" in hex, e.g. "04b8:0202"
    printer_host: str = ""
    printer_port: int = 9100
    printer_serial_port: str = ""
    printer_file: str = ""
    printer_paper_mm: int = 80
    printer_charset: str = DEFAULT_CHARSET  # the character set of the printer's font
    scanner_mode: str = "keyboard"
    scanner_serial_port: str = ""
    scanner_baud: int = 9600
    # keyboard-wedge bursts: at most this many ms between keys, at least this many characters
    scanner_max_gap_ms: int = 50
    scanner_min_length: int = 6
    scanner_prefix: str = ""
    scanner_suffix: str = ""
    scanner_terminator: str = "enter_or_tab"
    camera_device: int | str | None = None  # a number, a device path or a stream address
    decoder_backend: str = "auto"  # auto: zxing-cpp, then pyzbar when it is installed
    printer_cash_drawer: bool = False  # kick the drawer after a cash sale
    receipt_header: str = ""  # the store's name and address on receipts; lines split by "|"
    receipt_footer: str = ""
    member_qr_public_key: str = ""  # headquarters' Ed25519 key (base64url, 32 bytes)
    hq_url: str = ""
    hq_ca_file: str = ""  # a PEM file of the CA that signed headquarters' certificate ("": the bundled public CAs)
    # online member lookup (services/online.py): the longest the counter waits for headquarters,
    # and how old a member's copy may be before headquarters is asked again
    lookup_budget_ms: int = 300
    lookup_stale_seconds: int = 120
    language: str = "zh_CN"
    #: days a member of another store identified here stays on the till (storage.prune)
    replica_keep_days: int = DEFAULT_KEEP_DAYS
    #: a line discount above either limit needs a manager's number and PIN (services.sales)
    discount_limit_percent: int = 10
    discount_limit_fen: int = 5000
    #: the cash float (备用金) in the drawer at the start of each shift, in fen (services.shifts' cash-up)
    cash_float_fen: int = 0
    #: spending points with the member identified only by a phone number (services.presence)
    presence_phone_may_spend: bool = False
    #: the chain's notification service that sends one-time codes (services.presence; "": none)
    presence_otp_webhook: str = ""
    #: a manager approves their own points adjustment up to this many points (either way); above
    #: it a second manager must (services.points.adjust_points)
    adjust_self_approval_points: int = 1000
    #: the customer display (ui/widgets/customer_display.py): where it opens, the self-enrolment
    #: address its idle QR code carries ("": no QR code), how close a gift must be to be shown
    #: ("再攒 1,200 积分可兑换 保温杯"), and how long the last sale stays up
    display_mode: str = "auto"
    display_enrol_url: str = ""
    display_gift_distance: int = 3000
    display_idle_seconds: int = 15

    def value(self, key: str) -> Any:
        return getattr(self, _ATTR[key])


# -- parsers: text or typed value in, typed value out; errors name the setting key ----------------
def _text(key: str, value: object, max_len: int = 200) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(key, f"must be text, got {type(value).__name__}")
    text = value.strip()
    if len(text) > max_len or any(ord(c) < 32 for c in text):
        raise InvalidInput(key, f"at most {max_len} printable characters")
    return text


def _whole(key: str, value: object) -> int:
    if isinstance(value, bool):
        raise InvalidInput(key, "must be a whole number")
    if isinstance(value, int):
        return value
    text = _text(key, value, 12)
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise InvalidInput(key, f"must be a whole number: {value!r}")
    return int(text)


def _choice(options: tuple[Any, ...]) -> Callable[[str, object], Any]:
    def parse(key: str, value: object) -> Any:
        v: Any = _whole(key, value) if isinstance(options[0], int) else _text(key, value)
        if v not in options:
            raise InvalidInput(key, f"must be one of {', '.join(map(str, options))}: {value!r}", options=options)
        return v

    return parse


def _usb(key: str, value: object) -> str:
    text = _text(key, value)
    if text and not _USB_ID.match(text):
        raise InvalidInput(key, f"a USB id is vendor:product in hex, e.g. 04b8:0202: {value!r}")
    return text.lower()


def _host(key: str, value: object) -> str:
    text = _text(key, value, 253)
    if not text:
        return ""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    labels = text.rstrip(".").split(".")
    if re.fullmatch(r"[\d.]+", text) or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidInput(key, f"not a host name or IP address: {value!r}")
    return text.lower()


def _port(key: str, value: object) -> int:
    port = _whole(key, value)
    if not 1 <= port <= 65535:
        raise InvalidInput(key, f"a TCP port is 1 to 65535: {value!r}")
    return port


def _serial_port(key: str, value: object) -> str:
    text = _text(key, value)
    if text and not _SERIAL_PORT.match(text):
        raise InvalidInput(key, f"a serial port is /dev/... or COM1..COM999: {value!r}")
    return text


def _file(key: str, value: object) -> str:
    text = _text(key, value, 260)
    if text and not (PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute()):
        raise InvalidInput(key, f"must be an absolute path: {value!r}")
    return text


def check_ca_file(key: str, path: str) -> None:
    """``path`` holds at least one PEM certificate a TLS client can trust (read now)."""
    import ssl

    try:
        ssl.create_default_context(cafile=path)
    except OSError as exc:
        raise InvalidInput(key, f"cannot read {path}: {exc.strerror or exc}") from None
    except ssl.SSLError:
        raise InvalidInput(key, f"{path} holds no PEM certificate") from None


def _bounded(low: int, high: int) -> Callable[[str, object], int]:
    def parse(key: str, value: object) -> int:
        n = _whole(key, value)
        if not low <= n <= high:
            raise InvalidInput(key, f"must be {low} to {high}: {value!r}", low=low, high=high)
        return n

    return parse


def _affix(key: str, value: object) -> str:
    """A scanner prefix or suffix: a few printable ASCII characters."""
    text = _text(key, value, 8)
    if text and not (text.isascii() and text.isprintable()):
        raise InvalidInput(key, f"at most 8 printable ASCII characters: {value!r}")
    return text


def _flag(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(key, value, 5).lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no", ""):
        return False
    raise InvalidInput(key, f"must be on or off: {value!r}")


def _public_key(key: str, value: object) -> str:
    import base64
    import binascii

    text = _text(key, value, 64)
    if not text:
        return ""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InvalidInput(key, "an Ed25519 public key is 32 bytes in base64url (43 characters)")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_CAMERA_DEVICE = re.compile(r"^/dev/[A-Za-z0-9._/-]{1,64}$")
CAMERA_STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https")


def _camera(key: str, value: object) -> int | str | None:
    """A camera: its number (0-9), a device path (/dev/video2) or a stream address (rtsp://...,
    http(s)://...); none, "" or "none": no camera. A stream address carries no user name or
    password (settings are audited old and new, and the address is logged)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    if (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.strip().isdigit()):
        index = _whole(key, value)
        if not 0 <= index <= MAX_CAMERA_INDEX:
            raise InvalidInput(key, f"a camera index is 0 to {MAX_CAMERA_INDEX}: {value!r}")
        return index
    text = _text(key, value, 300)
    if text.startswith("/"):
        if not _CAMERA_DEVICE.match(text) or "/../" in text + "/":
            raise InvalidInput(key, f"a camera device path is /dev/ and a name, e.g. /dev/video2: {value!r}")
        return text
    bad = InvalidInput(key, f"a camera number from 0 to {MAX_CAMERA_INDEX}, a device path such as /dev/video2 "
                            f"or a stream address such as rtsp://192.168.1.64/stream: {value!r}")
    if any(c.isspace() for c in text) or "://" not in text:
        raise bad
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError:
        raise bad from None
    if parts.scheme.lower() not in CAMERA_STREAM_SCHEMES or not parts.hostname:
        raise bad
    if parts.username or parts.password:
        raise InvalidInput(key, "a camera stream address without a user name or password (it would be "
                                "stored, audited and logged in the clear): allow the till's address on the "
                                "camera instead", reason="credentials")
    try:
        _host(key, parts.hostname)
    except InvalidInput:
        raise bad from None
    return text


def _url(key: str, value: object) -> str:
    text = _text(key, value)
    if not text:
        return ""
    bad = InvalidInput(key, f"not an http(s) address like https://hq.example.com: {value!r}")
    if any(c.isspace() for c in text):
        raise bad
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError when out of range
    except ValueError:
        raise bad from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise bad
    if parts.query or parts.fragment:
        raise InvalidInput(key, f"an address without ?query or #fragment: {value!r}")
    try:
        _host(key, parts.hostname)
    except InvalidInput:
        raise bad from None
    if port == 0:
        raise bad
    if parts.scheme.lower() == "http" and not _loopback(parts.hostname):
        raise InvalidInput(key, "http:// would send the enrollment code, the till's secret and every entry "
                                f"unencrypted: use https:// (http:// only to this computer, e.g. "
                                f"http://127.0.0.1:8800): {value!r}", reason="plain_http")
    return text.rstrip("/")


def _link(key: str, value: object) -> str:
    """A public web address for people to open (a QR code's target): http(s), a host, no user
    name or password; a query is allowed (``?store=S001``)."""
    text = _text(key, value, 300)
    if not text:
        return ""
    bad = InvalidInput(key, f"not a web address like https://m.example.com/join?store=S001: {value!r}")
    if any(c.isspace() for c in text):
        raise bad
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError:
        raise bad from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise bad
    try:
        _host(key, parts.hostname)
    except InvalidInput:
        raise bad from None
    return text


def _loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: a connection that never leaves this computer."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: setting key -> (attribute of TerminalSettings, parser)
_SPECS: dict[str, tuple[str, Callable[[str, object], Any]]] = {
    "printer.connection": ("printer_connection", _choice(PRINTER_CONNECTIONS)),
    "printer.usb": ("printer_usb", _usb),
    "printer.host": ("printer_host", _host),
    "printer.port": ("printer_port", _port),
    "printer.serial_port": ("printer_serial_port", _serial_port),
    "printer.file": ("printer_file", _file),
    "printer.paper_mm": ("printer_paper_mm", _choice(PAPER_WIDTHS_MM)),
    "printer.charset": ("printer_charset", _choice(PRINTER_CHARSETS)),
    "scanner.mode": ("scanner_mode", _choice(SCANNER_MODES)),
    "scanner.serial_port": ("scanner_serial_port", _serial_port),
    "scanner.baud": ("scanner_baud", _choice(BAUD_RATES)),
    "scanner.max_gap_ms": ("scanner_max_gap_ms", _bounded(5, 500)),
    "scanner.min_length": ("scanner_min_length", _bounded(2, 64)),
    "scanner.prefix": ("scanner_prefix", _affix),
    "scanner.suffix": ("scanner_suffix", _affix),
    "scanner.terminator": ("scanner_terminator", _choice(SCANNER_TERMINATORS)),
    "camera.device": ("camera_device", _camera),
    "decoder.backend": ("decoder_backend", _choice(DECODER_BACKENDS)),
    "printer.cash_drawer": ("printer_cash_drawer", _flag),
    "receipt.header": ("receipt_header", lambda k, v: _text(k, v, 200)),
    "receipt.footer": ("receipt_footer", lambda k, v: _text(k, v, 200)),
    "member_qr.public_key": ("member_qr_public_key", _public_key),
    "hq.url": ("hq_url", _url),
    "hq.ca_file": ("hq_ca_file", _file),
    "lookup.budget_ms": ("lookup_budget_ms", _bounded(50, 10_000)),
    "lookup.stale_seconds": ("lookup_stale_seconds", _bounded(0, 86_400)),
    "ui.language": ("language", _choice(LANGUAGES)),
    KEEP_DAYS_KEY: ("replica_keep_days", _bounded(MIN_KEEP_DAYS, MAX_KEEP_DAYS)),
    "discount.limit_percent": ("discount_limit_percent", _bounded(0, 100)),
    "discount.limit_fen": ("discount_limit_fen", _bounded(0, 100_000_000)),
    "cash.float_fen": ("cash_float_fen", _bounded(0, 100_000_000)),
    "presence.phone_may_spend": ("presence_phone_may_spend", _flag),
    "presence.otp_webhook": ("presence_otp_webhook", _url),
    "adjust.self_approval_points": ("adjust_self_approval_points", _bounded(0, 10_000_000)),
    "display.mode": ("display_mode", _choice(DISPLAY_MODES)),
    "display.enrol_url": ("display_enrol_url", _link),
    "display.gift_distance": ("display_gift_distance", _bounded(0, 1_000_000)),
    "display.idle_seconds": ("display_idle_seconds", _bounded(1, 600)),
}
_ATTR = {key: attr for key, (attr, _parse) in _SPECS.items()}
KEYS = tuple(_SPECS)


def _stored(value: Any) -> str:
    """The text kept in the ``setting`` table."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return "none" if value is None else str(value)


def parse_value(key: str, value: object) -> Any:
    """``value`` (typed, or text as typed in a form) checked and converted for ``key``."""
    spec = _SPECS.get(key)
    if spec is None:
        raise NotFound("setting", f"no setting {key!r}")
    return spec[1](key, value)


def _check_whole(s: TerminalSettings) -> None:
    """What a setting needs from its neighbours: the address of the chosen connection."""
    needed = {"usb": "printer.usb", "network": "printer.host", "serial": "printer.serial_port", "file": "printer.file"}
    key = needed.get(s.printer_connection)
    if key is not None and not s.value(key):
        raise InvalidInput(key, f"needed for a {s.printer_connection} printer", needed_for=s.printer_connection)
    if s.scanner_mode == "serial" and not s.scanner_serial_port:
        raise InvalidInput("scanner.serial_port", "needed for a serial scanner", needed_for="serial")


def load_settings(t: Terminal) -> TerminalSettings:
    """The saved settings; an unset key means its default. A stored value this build
    cannot read (edited by hand) falls back to the default and is logged, never fatal."""
    values: dict[str, Any] = {}
    stored = t.repo.settings()  # one query: the status bar reads these after every sale
    for key, (attr, parse) in _SPECS.items():
        raw = stored.get(key)
        if raw is None:
            continue
        try:
            values[attr] = parse(key, raw)
        except InvalidInput as exc:
            log.warning("ignoring stored setting %s=%r: %s", key, raw, exc.message)
    return TerminalSettings(**values)


def get_setting(t: Terminal, key: str) -> Any:
    if key not in _SPECS:
        raise NotFound("setting", f"no setting {key!r}")
    return load_settings(t).value(key)


#: settings that decide whom the terminal trusts (where its ledger goes, which member QR codes
#: are genuine): a cashier may not change them without a manager's number and PIN
PROTECTED = ("hq.url", "hq.ca_file", "member_qr.public_key", "discount.limit_percent", "discount.limit_fen",
             "cash.float_fen", "presence.phone_may_spend", "presence.otp_webhook", "adjust.self_approval_points")


def save_settings(t: Terminal, changes: Mapping[str, object], *, staff_code: str | None = None,
                  approval: tuple[str, str] | None = None) -> list[str]:
    """Check every value and the result as a whole, then write the keys that changed, each
    with an audit row, in one transaction. Any error saves nothing. Returns the changed keys.

    ``staff_code`` is who is logged in (None: the back-office command line). A change to a
    PROTECTED key by staff who are not managers needs ``approval`` = (manager number, PIN),
    else ApprovalRequired names the first protected key."""
    from pos_app.services.staff import require_manager

    parsed = {key: parse_value(key, value) for key, value in changes.items()}
    stamp = t.stamp(staff_code=staff_code)
    approved_by = None
    if approval is not None:
        approved_by = require_manager(t, approval[0], approval[1]).code
    with t.database.transaction():
        current = load_settings(t)
        new = dataclasses.replace(current, **{_ATTR[k]: v for k, v in parsed.items()})
        _check_whole(new)
        if "hq.ca_file" in parsed and new.hq_ca_file and new.hq_ca_file != current.hq_ca_file:
            check_ca_file("hq.ca_file", new.hq_ca_file)  # the file itself, when it is chosen
        stored = {k: t.repo.setting(k) for k in parsed}
        # an unset key keeps meaning its default until a different value is saved
        changed = [k for k in KEYS if k in parsed and (new.value(k) != current.value(k) or (
            stored[k] is not None and stored[k] != _stored(new.value(k))))]
        protected = [k for k in changed if k in PROTECTED]
        if protected and staff_code is not None and approved_by is None:
            member = t.repo.staff_by_code(staff_code)
            if member is None or member.role != "manager":
                raise ApprovalRequired(protected[0], "a manager must approve this change", keys=protected)
        for key in changed:
            t.repo.set_setting(key, _stored(new.value(key)))
            detail = {"old": stored[key], "new": _stored(new.value(key))}
            if approved_by is not None and key in PROTECTED:
                detail["approved_by"] = approved_by
            t.ledger.audit("setting.change", key, detail, stamp)
    return changed


def set_setting(t: Terminal, key: str, value: object, *, staff_code: str | None = None) -> bool:
    """One setting; True when it changed."""
    return bool(save_settings(t, {key: value}, staff_code=staff_code))


def startup_language(t: Terminal) -> str:
    """The language the window starts in (a change is applied at the next start)."""
    return load_settings(t).language


def queue_test_print(t: Terminal, *, staff_code: str | None = None) -> int:
    """Queue a test page for the printer; the printer driver prints it when it runs."""
    s = load_settings(t)
    stamp = t.stamp(staff_code=staff_code)
    payload = {"store_id": t.store_id, "terminal_id": t.terminal_id, "connection": s.printer_connection,
               "paper_mm": s.printer_paper_mm, "at": iso(stamp.recorded_at)}
    with t.database.transaction():
        ref = f"test-{t.ledger.next_number('print_test')}"
        job_id = t.repo.queue_print_job("test", ref, payload, iso(stamp.recorded_at))
        t.ledger.audit("print.test", ref, {"job": job_id}, stamp)
    return job_id


# -- what a scanner typed: moved to pos_app.services.scans (kept importable here for older callers) -----
from pos_app.services.scans import SCAN_KINDS as SCAN_KINDS  # noqa: E402
from pos_app.services.scans import ScanResult as ScanResult  # noqa: E402
from pos_app.services.scans import classify_scan as classify_scan  # noqa: E402
