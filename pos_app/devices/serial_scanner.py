"""Serial scanners: a reader thread on a serial port that survives the scanner being unplugged.

The scanner sends each code as a line ended by CR, LF or CR LF. The thread opens the port,
reads lines and reports each one (prefix and suffix stripped) through ``on_scan``. When the
port fails (unplugged: SerialException or OSError) it reports "disconnected", closes the
port and tries to open it again with a growing pause, until it works ("connected") or
``stop`` is called. Callbacks run on the reader thread; a UI must hand them to its own
thread (pos_app.ui.scanner does it with queued signals).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

import serial

log = logging.getLogger(__name__)

STATES = ("stopped", "connected", "disconnected")
MAX_LINE = 512  # bytes; a longer line is noise (wrong baud rate) and is dropped


def strip_affixes(text: str, prefix: str, suffix: str) -> str:
    """The code without the scanner's configured prefix and suffix (when they are there)."""
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    if suffix and text.endswith(suffix):
        text = text[:len(text) - len(suffix)]
    return text


class LineSplitter:
    """Bytes in, complete lines out; CR, LF and CR LF all end a line, empty lines are skipped."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._overlong = False

    def feed(self, data: bytes) -> list[str]:
        lines: list[str] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buf and not self._overlong:
                    lines.append(self._buf.decode("utf-8", errors="replace").strip())
                self._buf.clear()
                self._overlong = False
            elif len(self._buf) >= MAX_LINE:
                self._overlong = True
            else:
                self._buf.append(byte)
        return [line for line in lines if line]

    def clear(self) -> None:
        self._buf.clear()
        self._overlong = False


class SerialScanner:
    """Reads scans from ``port`` on a thread. ``start()`` returns at once; ``stop()`` joins.

    ``open_port(port, baud)`` returns an object with ``read(n)``, ``in_waiting`` and
    ``close()`` (pyserial's ``Serial``, the default).
    """

    def __init__(self, port: str, baud: int = 9600, *, on_scan: Callable[[str], None],
                 on_state: Callable[[str], None] | None = None, prefix: str = "", suffix: str = "",
                 retry_initial_s: float = 0.25, retry_max_s: float = 5.0, read_timeout_s: float = 0.1,
                 open_port: Callable[[str, int], Any] | None = None) -> None:
        if not port:
            raise ValueError("a serial scanner needs a port")
        self.port = port
        self.baud = baud
        self.prefix = prefix
        self.suffix = suffix
        self._on_scan = on_scan
        self._on_state = on_state
        self._retry_initial = retry_initial_s
        self._retry_max = retry_max_s
        self._read_timeout = read_timeout_s
        self._open_port = open_port or self._pyserial
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._port_obj: Any = None
        self.state = "stopped"
        self.last_error = ""

    def _pyserial(self, port: str, baud: int) -> Any:
        return serial.Serial(port, baud, timeout=self._read_timeout)

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"serial-scanner {self.port}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the thread to end, wake a blocked read, and wait for it."""
        self._stop.set()
        with self._lock:
            port = self._port_obj
        cancel = getattr(port, "cancel_read", None)
        if cancel is not None:
            with contextlib.suppress(serial.SerialException, OSError):  # already gone
                cancel()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():  # pragma: no cover - a driver that ignores timeouts
                log.warning("serial scanner thread on %s did not stop within %.1f s", self.port, timeout)
            self._thread = None
        self._set_state("stopped")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the thread -------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state == self.state:
            return
        self.state = state
        if state == "disconnected":
            log.warning("serial scanner %s disconnected: %s", self.port, self.last_error)
        else:
            log.info("serial scanner %s %s", self.port, state)
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:  # a broken callback must not kill the reader
                log.exception("serial scanner state callback failed")

    def _run(self) -> None:
        delay = self._retry_initial
        splitter = LineSplitter()
        while not self._stop.is_set():
            try:
                port = self._open_port(self.port, self.baud)
            except (serial.SerialException, OSError, ValueError) as exc:
                self.last_error = str(exc)
                self._set_state("disconnected")
                self._stop.wait(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            with self._lock:
                self._port_obj = port
            delay = self._retry_initial
            splitter.clear()
            self._set_state("connected")
            try:
                self._read(port, splitter)
            except (serial.SerialException, OSError) as exc:
                self.last_error = str(exc)
                if not self._stop.is_set():
                    self._set_state("disconnected")
            finally:
                with self._lock:
                    self._port_obj = None
                with contextlib.suppress(serial.SerialException, OSError):  # unplugged already
                    port.close()
            if not self._stop.is_set():
                self._stop.wait(delay)

    def _read(self, port: Any, splitter: LineSplitter) -> None:
        while not self._stop.is_set():
            data = port.read(max(1, port.in_waiting))
            if not data:
                continue
            for line in splitter.feed(data):
                text = strip_affixes(line, self.prefix, self.suffix)
                if not text:
                    continue
                try:
                    self._on_scan(text)
                except Exception:
                    log.exception("serial scanner scan callback failed")
