"""The daily automatic backup in the window: ``services.backup.auto_backup`` off the UI thread,
once at start and then every hour (it takes a copy only when the newest automatic one is a
day old). A failure is logged and reported for the status bar; it never stops the counter.
After the backup the same task runs the daily prune of the partial replica
(``services.prune.daily_prune``: once a day, after that day's backup); its failure is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from pos_app.core.errors import PosError
from pos_app.services.backup import AUTO_KEEP, AutoBackupResult, auto_backup, last_auto_backup
from pos_app.services.context import Terminal
from pos_app.services.paths import AppPaths
from pos_app.services.prune import daily_prune
from pos_app.ui.qt import QObject, QThreadPool, QTimer, Signal
from pos_app.ui.workers import ImmediatePool, Task

log = logging.getLogger(__name__)

HOUR_MS = 3_600_000


def _backup_then_prune(terminal: Terminal, paths: AppPaths, now: dt.datetime, keep: int) -> AutoBackupResult:
    result = auto_backup(terminal, paths, now, keep)
    try:
        pruned = daily_prune(terminal, at=now)
    except PosError as exc:
        log.warning("the daily prune of the replica failed: %s", exc.message)
    else:
        if pruned is not None and pruned.members:
            log.info("replica pruned: %s", pruned.to_dict())
    return result


class AutoBackupWorker(QObject):
    """``finished(object)``: an ``AutoBackupResult``; ``failed(str)``: the reason (also kept in
    ``last_error`` until a later run succeeds). Both arrive on the UI thread."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, terminal: Terminal, paths: AppPaths, pool: QThreadPool | ImmediatePool, *,
                 interval_ms: int = HOUR_MS, keep: int = AUTO_KEEP,
                 clock: Callable[[], dt.datetime] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.paths = paths
        self.pool = pool
        self.keep = keep
        self.clock = clock or terminal.clock
        self.last_error = ""
        self.last_backup: dt.datetime | None = last_auto_backup(paths, terminal.store_id, terminal.terminal_id)
        self.busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.run_once)

    def start(self) -> None:
        """A run now, then one every interval."""
        self._timer.start()
        self.run_once()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def run_once(self) -> None:
        """Start a run in the pool unless one is still going."""
        if self.busy:
            return
        self.busy = True
        now = self.clock()
        terminal, paths, keep = self.terminal, self.paths, self.keep
        Task(lambda _progress: _backup_then_prune(terminal, paths, now, keep)) \
            .success(self._succeeded).failure(self._failed).run(self.pool)

    def _succeeded(self, result: AutoBackupResult) -> None:
        self.busy = False
        self.last_error = ""
        self.last_backup = result.last
        if result.taken is not None:
            log.info("automatic backup written to %s", result.taken.path)
        for path in result.removed:
            log.info("old automatic backup removed: %s", path)
        self.finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.last_error = exc.message if isinstance(exc, PosError) else str(exc) or type(exc).__name__
        log.error("automatic backup failed: %s", self.last_error, exc_info=exc)
        self.failed.emit(self.last_error)
