"""ESC/POS bytes for a :class:`~pos_app.devices.receipt.Document`, the printer transports
(USB, network port 9100, serial, file) and the printer's status over DLE EOT.

Text is never passed to python-escpos's ``text()``: its automatic code-page selection
("magic encode") drops characters such as ``¥``. Instead every run of non-ASCII text is
encoded in the printer's character set (``printer.charset``: GBK by default, GB18030,
GB2312) and wrapped in the printer's Chinese mode, FS & (1C 26) ... FS . (1C 2E); ASCII
stays single-byte outside it. A character the set lacks never reaches the printer (it would
print blank): :func:`~pos_app.devices.receipt.printable` replaces it first, the same
replacement the preview shows. The bytes are still built with python-escpos (its ``Dummy``
printer collects them; QR codes, barcodes, cuts and the drawer kick use its commands).

python-escpos is imported at the first document or printer, not at start-up (with PIL,
qrcode, pyusb and pyserial it costs a few hundred milliseconds), and its capabilities pickle
goes to the till's cache directory (:func:`load_escpos`).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import os
import platform
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from pos_app.core.errors import PosError
from pos_app.devices.receipt import (
    CHARSETS,
    DEFAULT_CHARSET,
    Barcode,
    Cut,
    Document,
    DrawerKick,
    Feed,
    Qr,
    Raster,
    TextLine,
    printable,
)

log = logging.getLogger(__name__)

ESC, GS, FS, DLE, EOT = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04"
CHINESE_ON, CHINESE_OFF = FS + b"&", FS + b"."
INIT = ESC + b"@"

#: printer states reported by :func:`query_status` (and by the print spooler)
ONLINE, OFFLINE, PAPER_OUT, COVER_OPEN = "online", "offline", "paper_out", "cover_open"
STATES = (ONLINE, OFFLINE, PAPER_OUT, COVER_OPEN)


class PrinterError(PosError):
    """The printer cannot take a job now (off, unplugged, out of paper, cover open)."""

    code = "printer_error"


# ----------------------------------------------------------------------------- python-escpos

#: the environment variable python-escpos reads for its capabilities pickle's folder (wins when set)
CAPABILITIES_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"
_capabilities_dir: Callable[[], Path] | None = None
_import_lock = threading.Lock()


def set_capabilities_dir(where: Callable[[], Path]) -> None:
    """Where python-escpos keeps its capabilities pickle, asked at its first import (the
    services give the till's cache directory)."""
    global _capabilities_dir
    _capabilities_dir = where


def _import_capabilities(directory: Path | None) -> None:
    """Import ``escpos.capabilities`` with ``tempfile.mkdtemp()`` (no arguments, this thread)
    answering ``directory``, or a temporary folder removed at exit when it is None."""
    real = tempfile.mkdtemp
    me = threading.get_ident()
    made: list[str] = []

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        if args or kwargs or threading.get_ident() != me:
            return str(real(*args, **kwargs))
        if directory is not None:
            return str(directory)
        made.append(real(prefix="pos-app-escpos-"))
        return made[-1]

    setattr(tempfile, "mkdtemp", mkdtemp)  # noqa: B010  (escpos.capabilities does from tempfile import mkdtemp)
    try:
        import escpos.capabilities  # noqa: F401
    finally:
        setattr(tempfile, "mkdtemp", real)  # noqa: B010
        for folder in made:
            atexit.register(shutil.rmtree, folder, ignore_errors=True)


def load_escpos() -> ModuleType:
    """python-escpos's ``escpos.printer``, imported on first use.

    At import python-escpos parses its capabilities YAML (about 160 ms) unless a pickle of it
    is in ``$ESCPOS_CAPABILITIES_PICKLE_DIR``, and it calls ``tempfile.mkdtemp()`` for that
    folder's default even when the variable is set: one new, never removed temporary folder
    per process, holding a pickle no later process reads. Here it is imported with
    ``mkdtemp`` answering the cache directory (:func:`set_capabilities_dir`), so the pickle is
    made once and read at every later start, and nothing is left in the temporary folder. Without
    a usable cache directory the pickle goes to a temporary folder removed at exit; a pickle
    cut short (a process killed while writing it) is removed and the YAML read again."""
    if "escpos.capabilities" not in sys.modules:
        with _import_lock:
            if "escpos.capabilities" not in sys.modules:
                env = os.environ.get(CAPABILITIES_ENV)
                directory = Path(env) if env else (_capabilities_dir() if _capabilities_dir else None)
                if directory is not None:
                    try:
                        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                    except OSError:
                        directory = None
                if directory is not None and not os.access(directory, os.W_OK):
                    directory = None
                try:
                    _import_capabilities(directory)
                except Exception as exc:  # e.g. an UnpicklingError from a pickle cut short
                    if directory is None or env:
                        raise
                    log.warning("python-escpos capabilities cache in %s unreadable (%s); rebuilt", directory, exc)
                    with contextlib.suppress(OSError):
                        (directory / f"{platform.python_version()}.capabilities.pickle").unlink()
                    _import_capabilities(directory)
    import escpos.printer  # noqa: F401

    return sys.modules["escpos.printer"]


# ----------------------------------------------------------------------------- encoding


def encode_text(text: str, charset: str = DEFAULT_CHARSET) -> bytes:
    """ASCII as is; every run of other characters in ``charset`` inside FS & ... FS .; what
    the set lacks is replaced first (:func:`~pos_app.devices.receipt.printable`)."""
    out = bytearray()
    run: list[str] = []
    codec = CHARSETS[charset] or "ascii"

    def flush() -> None:
        if run:
            out.extend(CHINESE_ON + "".join(run).encode(codec) + CHINESE_OFF)
            run.clear()

    for ch in printable(text, charset):
        if ord(ch) < 0x80:
            flush()
            out.append(ord(ch))
        else:
            run.append(ch)
    flush()
    return bytes(out)


def _quiet(fn: Callable[[], Any]) -> None:
    """python-escpos prints chatter ("Using hardware barcode renderer") on stdout."""
    with contextlib.redirect_stdout(io.StringIO()):
        fn()


def document_bytes(doc: Document) -> bytes:
    """The exact bytes a printer gets for ``doc``."""
    p = load_escpos().Dummy()
    p._raw(INIT + CHINESE_OFF + ESC + b"a\x00")
    bold = big = False
    for block in doc.blocks:
        if isinstance(block, TextLine):
            if block.bold != bold:
                bold = block.bold
                p._raw(ESC + b"E" + (b"\x01" if bold else b"\x00"))
            if block.big != big:
                big = block.big
                p._raw(GS + b"!" + (b"\x11" if big else b"\x00"))
            p._raw(encode_text(block.text.rstrip(), doc.charset) + b"\n")
            continue
        if bold or big:  # codes and images print in the normal size
            bold = big = False
            p._raw(ESC + b"E\x00" + GS + b"!\x00")
        if isinstance(block, Qr):
            p._raw(ESC + b"a\x01")
            p.qr(block.data, size=6, native=True)
            p._raw(b"\n" + ESC + b"a\x00")
        elif isinstance(block, Barcode):
            code = "{B" + block.data
            _quiet(lambda: p.barcode(code, "CODE128", height=60, width=2, function_type="B"))  # noqa: B023
            p._raw(b"\n" + ESC + b"a\x00")
        elif isinstance(block, Raster):
            p._raw(ESC + b"a\x01" + GS + b"v0\x00" + bytes((block.width_bytes % 256, block.width_bytes // 256,
                                                             block.height % 256, block.height // 256)))
            p._raw(block.rows + b"\n" + ESC + b"a\x00")
        elif isinstance(block, Feed):
            p._raw(ESC + b"d" + bytes((min(block.lines, 255),)))
        elif isinstance(block, DrawerKick):
            p.cashdraw(2)
        elif isinstance(block, Cut):
            p.cut()
    return bytes(p.output)


# ----------------------------------------------------------------------------- transports


@dataclass(frozen=True)
class PrinterConfig:
    """Where the printer is; built from the terminal settings by the services."""

    connection: str  # none | usb | network | serial | file
    usb: str = ""  # "vvvv:pppp"
    host: str = ""
    port: int = 9100
    serial_port: str = ""
    baudrate: int = 9600
    file: str = ""
    timeout: float = 3.0  # connect and write, seconds


class Printer(Protocol):
    """What the spooler needs from a printer (the real adapter and the tests' fake)."""

    def status(self) -> str: ...

    def send(self, data: bytes) -> None: ...

    def close(self) -> None: ...


def _status_from(online: int | None, cause: int | None, paper: int | None) -> str:
    """DLE EOT 1 (printer), 2 (offline cause) and 4 (paper roll sensor) answers -> a state."""
    if paper is not None and paper & 0x60:
        return PAPER_OUT
    if cause is not None:
        if cause & 0x04:
            return COVER_OPEN
        if cause & 0x20:
            return PAPER_OUT
    if online is not None and online & 0x08:
        return OFFLINE
    return ONLINE


class EscposPrinter:
    """A python-escpos printer object (Network, Serial, Usb, File) behind :class:`Printer`.

    ``status()`` asks DLE EOT 1, 2 and 4 with a short read timeout; a transport that cannot
    read (a file) or a printer that does not answer in time counts as online, since the
    only proof left is to print."""

    def __init__(self, device: Any, *, readable: bool = True, read_timeout: float = 0.5) -> None:
        self.device = device
        self.readable = readable
        self.read_timeout = read_timeout

    def _ask(self, n: int) -> int | None:
        raw = getattr(self.device, "device", None)  # opens the connection on first use
        if isinstance(raw, socket.socket):
            raw.settimeout(self.read_timeout)
        try:
            self.device._raw(DLE + EOT + bytes((n,)))
            answer = self.device._read()
        except TimeoutError:
            return None
        except NotImplementedError:
            self.readable = False
            return None
        finally:
            if isinstance(raw, socket.socket):
                raw.settimeout(getattr(self.device, "timeout", 3.0))
        return answer[-1] if answer else None

    def status(self) -> str:
        if not self.readable:
            return ONLINE
        try:
            online = self._ask(1)
            if online is None:
                return ONLINE
            cause = self._ask(2) if online & 0x08 else None
            paper = self._ask(4)
        except OSError as exc:
            raise PrinterError("printer", f"no answer from the printer: {exc}") from None
        return _status_from(online, cause, paper)

    def send(self, data: bytes) -> None:
        try:
            self.device._raw(data)
            flush = getattr(self.device, "flush", None)
            if callable(flush):
                flush()
        except Exception as exc:  # python-escpos raises its own classes and OSErrors
            raise PrinterError("printer", f"sending to the printer failed: {exc}") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.device.close()


def open_printer(config: PrinterConfig) -> EscposPrinter:
    """Connect to the configured printer; :class:`PrinterError` (naming the setting) when it
    is not set up or cannot be reached. Never blocks longer than ``config.timeout``."""
    kind = config.connection
    try:
        if kind == "network":
            dev = load_escpos().Network(config.host, port=config.port, timeout=config.timeout)
            dev.open()
            return EscposPrinter(dev)
        if kind == "serial":
            dev = load_escpos().Serial(config.serial_port, baudrate=config.baudrate, timeout=config.timeout)
            dev.open()
            return EscposPrinter(dev)
        if kind == "usb":
            vendor, product = (int(x, 16) for x in config.usb.split(":"))
            dev = load_escpos().Usb(vendor, product, timeout=int(config.timeout * 1000))
            dev.open()
            return EscposPrinter(dev)
        if kind == "file":
            dev = load_escpos().File(config.file)
            dev.open()
            return EscposPrinter(dev, readable=False)
    except PrinterError:
        raise
    except Exception as exc:  # DeviceNotFoundError, USBNotFoundError, OSError, missing pyusb ...
        field = {"network": "printer.host", "serial": "printer.serial_port", "usb": "printer.usb",
                 "file": "printer.file"}[kind]
        raise PrinterError(field, f"cannot reach the {kind} printer: {exc}") from None
    raise PrinterError("printer.connection", "no printer is set up")
