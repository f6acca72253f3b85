"""The sync worker: runs sync rounds with headquarters off the UI thread, soon after each sale
(``poke()``) and whenever the outbox has rows waiting (checked every few seconds), pulls
changes every minute even when nothing waits, and backs off with jitter while headquarters
cannot be reached. The counter never waits for it: a sale only writes its outbox rows.

Like the printer worker it is a ``ui.workers.ThreadWorker``: it shares the terminal, and
peewee gives its thread a connection of its own, closed when the worker stops.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.services.sync import Backoff, SyncReport
from pos_app.storage.replica import pending_count
from pos_app.sync.client import HQClient, SyncError
from pos_app.ui.qt import QCoreApplication, QObject, Signal
from pos_app.ui.workers import ThreadWorker

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

#: what the worker reports (``state_changed``): never tried yet, the last round reached
#: headquarters, could not reach it, or headquarters refused something (see sync.last_error)
STATES = ("", "online", "offline", "error")


def state_text(state: str) -> str:
    return {"online": translate("Sync", "online"), "offline": translate("Sync", "offline"),
            "error": translate("Sync", "error")}.get(state, "")


class SyncWorker(ThreadWorker):
    """``state_changed(str)``: one of :data:`STATES`; ``synced(object)``: a round's
    ``SyncReport`` (or None when it failed). Emitted from the worker thread, delivered on the
    UI thread (queued)."""

    state_changed = Signal(str)
    synced = Signal(object)
    thread_name = "sync"
    stop_timeout_s = 15.0

    def __init__(self, terminal: Terminal, *, client_factory: Callable[[], HQClient] | None = None,
                 poll_s: float = 3.0, pull_every_s: float = 60.0, backoff: Backoff | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(terminal, parent)
        self._client_factory = client_factory
        self.poll_s = poll_s
        self.pull_every_s = pull_every_s
        self.backoff = backoff or Backoff()
        self.state = ""
        self.last_error = ""
        self._retry_at = 0.0  # monotonic time before which a failing round is not tried again
        self._last_round = 0.0
        self._lock = threading.Lock()  # one round at a time

    # -- work ----------------------------------------------------------------------------------------
    def run_once(self) -> SyncReport | None:
        """One round; never raises. Returns the report, or None when it failed."""
        with self._lock:
            self._last_round = time.monotonic()
            client = self._client_factory() if self._client_factory else None
            report: SyncReport | None = None
            try:
                report = sync_service.sync_once(self.terminal, client=client)
                state, self.last_error = "online", ""
                self.backoff.success()
                self._retry_at = 0.0
            except SyncError as exc:
                state, self.last_error = ("offline" if exc.kind == "offline" else "error"), str(exc)
                self._retry_at = time.monotonic() + self.backoff.failure()
            except Exception as exc:  # a bug or a database problem must not kill the worker
                log.exception("sync round failed")
                state, self.last_error = "error", str(exc)
                self._retry_at = time.monotonic() + self.backoff.failure()
            finally:
                if client is not None:
                    client.close()
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
        self.synced.emit(report)
        return report

    def due(self, now: float | None = None) -> bool:
        """A round is due: not backing off, and rows are waiting or it is time to pull."""
        now = time.monotonic() if now is None else now
        if now < self._retry_at:
            return False
        if now - self._last_round >= self.pull_every_s or self._retry_at:
            return True
        try:
            return pending_count(self.terminal.database) > 0
        except Exception:  # a locked or closing database: try again at the next poll, but say so
            log.warning("could not count the rows waiting to sync", exc_info=True)
            return False

    def start(self) -> None:
        self._last_round = 0.0  # a round at once when the worker (re)starts
        super().start()

    def _tick(self, poked: bool) -> None:
        """Sync soon after a sale, unless headquarters is being waited for (backing off)."""
        if self.due() or (poked and not self._retry_at):
            self.run_once()

    def _wait_s(self) -> float:
        return self.poll_s


def worker_for(terminal: Terminal, parent: QObject | None = None) -> SyncWorker | None:
    """A worker when the terminal is enrolled (hq.url and sync.secret set), else None."""
    return SyncWorker(terminal, parent=parent) if sync_service.is_enrolled(terminal) else None
