"""The printer worker: runs the print spooler off the UI thread, every few seconds and right
after a job is queued (``poke()``), and reports the printer's state for the status bar.

The counter never waits for the printer: a sale only queues its receipt (in the sale's
transaction); this worker prints it when the printer can take it.
"""

from __future__ import annotations

import logging
import threading

from pos_app.services.context import Terminal
from pos_app.services.printing import NOT_SET_UP, Connect, SpoolResult, pending_count, print_pending
from pos_app.ui.qt import QCoreApplication, QObject, Signal
from pos_app.ui.workers import ThreadWorker

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


class PrinterWorker(ThreadWorker):
    """``state_changed(str)``: one of :data:`STATES`; ``queue_changed(int)``: jobs waiting.
    Both are emitted from the worker thread and delivered on the UI thread (queued)."""

    state_changed = Signal(str)
    queue_changed = Signal(int)
    printed = Signal(int)  # jobs printed by one run
    thread_name = "printer"

    def __init__(self, terminal: Terminal, *, connect: Connect | None = None, interval_s: float = 5.0,
                 parent: QObject | None = None) -> None:
        super().__init__(terminal, parent)
        self._connect = connect
        self.interval_s = interval_s
        self.state = ""
        self.queued = 0
        self.last_error = ""
        self._lock = threading.Lock()  # one spooler run at a time

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

    def _tick(self, poked: bool) -> None:
        self.run_once()

    def _wait_s(self) -> float:
        return self.interval_s
