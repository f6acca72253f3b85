"""The printer worker: runs the print spooler off the UI thread, every few seconds and right
after a job is queued (``poke()``), and reports the printer's state for the status bar.

The counter never waits for the printer: a sale only queues its receipt (in the sale's
transaction); this worker prints it when the printer can take it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from pos_app.services.context import Terminal
from pos_app.services.printing import NOT_SET_UP, Connect, SpoolResult, pending_count, print_pending
from pos_app.ui.qt import QCoreApplication, QObject, Signal

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

#: printer states the worker reports (``state_changed``)
STATES = (NOT_SET_UP, "online", "offline", "paper_out", "cover_open")


def state_text(state: str) -> str:
    """The state in the window's language (status bar, settings)."""
    return {
        NOT_SET_UP: translate("Printing", "not set up"),
        "online": translate("Printing", "ready"),
        "offline": translate("Printing", "offline"),
        "paper_out": translate("Printing", "out of paper"),
        "cover_open": translate("Printing", "cover open"),
    }.get(state, state)


class PrinterWorker(QObject):
    """``state_changed(str)``: one of :data:`STATES`; ``queue_changed(int)``: jobs waiting.
    Both are emitted from the worker thread and delivered on the UI thread (queued)."""

    state_changed = Signal(str)
    queue_changed = Signal(int)
    printed = Signal(int)  # jobs printed by one run

    def __init__(self, terminal: Terminal, *, connect: Connect | None = None, interval_s: float = 5.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self._connect = connect
        self.interval_s = interval_s
        self.state = ""
        self.queued = 0
        self.last_error = ""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one spooler run at a time
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="printer", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def poke(self, *_args: Any) -> None:
        """A job was queued: print soon. Does nothing before ``start()`` (tests call
        ``run_once()``), so the UI thread never waits for a printer."""
        if self._thread is not None:
            self._wake.set()

    # -- work ----------------------------------------------------------------------------------------
    def run_once(self) -> SpoolResult:
        """One spooler run (probing the printer's state); never raises."""
        with self._lock:
            try:
                result = print_pending(self.terminal, self._connect, probe=True)
            except Exception as exc:  # a bug or a database problem must not kill the worker
                log.exception("print spooler run failed")
                result = SpoolResult("offline", pending=self._count(), error=str(exc))
        state = "online" if result.state == "idle" else result.state
        self.last_error = result.error
        if result.printed:
            self.printed.emit(len(result.printed))
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
        if result.pending != self.queued:
            self.queued = result.pending
            self.queue_changed.emit(result.pending)
        return result

    def _count(self) -> int:
        try:
            return pending_count(self.terminal)
        except Exception:
            return self.queued

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                self.run_once()
                self._wake.wait(self.interval_s)
                self._wake.clear()
        finally:
            # this thread's own database connection (peewee keeps one per thread)
            close: Callable[[], Any] = self.terminal.database.db.close
            try:
                close()
            except Exception:
                log.debug("closing the printer thread's connection failed", exc_info=True)
