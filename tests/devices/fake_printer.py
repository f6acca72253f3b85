"""Fakes at the printer edge.

``FakeNetworkPrinter``: a loopback TCP server acting as a port-9100 receipt printer. It
answers DLE EOT status requests like a real ESC/POS printer, can be switched online,
offline (the port refuses connections), out of paper or with its cover open, and records
every job it receives (the bytes after the status requests of one connection).

``MemoryPrinter``: the same contract in memory (no socket), for fast service tests.
Both pass the contract in tests/devices/test_printing.py, and so does the real
python-escpos Network adapter talking to ``FakeNetworkPrinter``.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from pos_app.devices.escpos_out import ONLINE, PrinterError

DLE_EOT = b"\x10\x04"

# status bytes (bit 1 and bit 4 always set, as on Epson printers)
_BASE = 0x12
_ANSWERS = {
    # n=1 printer status (bit 3: offline), n=2 offline cause (bit 2: cover open, bit 5: paper end),
    # n=4 paper roll sensor (bits 5-6: roll end)
    ONLINE: {1: _BASE, 2: _BASE, 4: _BASE},
    "paper_out": {1: _BASE | 0x08, 2: _BASE | 0x20, 4: _BASE | 0x60},
    "cover_open": {1: _BASE | 0x08, 2: _BASE | 0x04, 4: _BASE},
}


class FakeNetworkPrinter:
    def __init__(self) -> None:
        self.state = ONLINE  # online | offline | paper_out | cover_open
        self.jobs: list[bytes] = []
        self.while_not_ready: list[bytes] = []  # print data sent after a not-ready status (must stay empty)
        self.connections = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._acceptor: threading.Thread
        self.port = 0
        self._listen()

    # -- control ---------------------------------------------------------------------------------
    def set_state(self, state: str) -> None:
        if state == "offline":
            self._close_listener()
        elif self._listener is None:
            self._listen()
        self.state = state

    def close(self) -> None:
        self._stop.set()
        self._close_listener()
        for th in self._threads:
            th.join(timeout=2)

    def data(self) -> bytes:
        with self._lock:
            return b"".join(self.jobs)

    # -- server ----------------------------------------------------------------------------------
    def _listen(self) -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(8)
        s.settimeout(0.1)
        self.port = s.getsockname()[1]
        self._listener = s
        th = threading.Thread(target=self._accept_loop, args=(s,), daemon=True)
        th.start()
        self._threads.append(th)
        self._acceptor = th

    def _close_listener(self) -> None:
        """Stop listening; returns once the port refuses connections (the accept loop has
        left its last accept() call, which would otherwise keep the socket open)."""
        s, self._listener = self._listener, None
        if s is not None:
            self._acceptor.join(timeout=2)
            s.close()

    def _accept_loop(self, s: socket.socket) -> None:
        while not self._stop.is_set() and self._listener is s:
            try:
                conn, _ = s.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            th = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            th.start()
            self._threads.append(th)

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        job = bytearray()
        answered = ""  # the state this connection's status requests were answered with
        conn.settimeout(0.2)
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                if job:  # print data started: everything else belongs to the job
                    job.extend(chunk)
                    continue
                buf += chunk
                while buf.startswith(DLE_EOT) and len(buf) >= 3:
                    n = buf[2]
                    answered = self.state
                    answer = _ANSWERS.get(answered, _ANSWERS[ONLINE]).get(n, _BASE)
                    with contextlib.suppress(OSError):
                        conn.sendall(bytes((answer,)))
                    buf = buf[3:]
                if buf and not (len(buf) < 3 and DLE_EOT.startswith(buf[:2])):
                    job.extend(buf)
                    buf = b""
        if job:
            with self._lock:
                # a job counts as printed when the printer said it was ready on that connection
                # (or, unasked, when it is online now)
                ready = (answered or self.state) == ONLINE
                (self.jobs if ready else self.while_not_ready).append(bytes(job))


class MemoryPrinter:
    """The printer contract without a socket: a state and the jobs it took."""

    def __init__(self, state: str = ONLINE) -> None:
        self.state = state
        self.jobs: list[bytes] = []
        self.opened = 0

    def connect(self, _settings: object = None) -> MemoryPrinter:
        if self.state == "offline":
            raise PrinterError("printer.host", "connection refused")
        self.opened += 1
        return self

    def status(self) -> str:
        return self.state

    def send(self, data: bytes) -> None:
        if self.state != ONLINE:
            raise PrinterError("printer", f"printer {self.state}")
        self.jobs.append(data)

    def close(self) -> None:
        pass

    def data(self) -> bytes:
        return b"".join(self.jobs)
