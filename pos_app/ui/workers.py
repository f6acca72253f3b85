"""Background work: a small builder in the style of Anki's CollectionOp.

``Task(fn).success(cb).failure(cb).progress(cb).run(pool)`` runs ``fn`` off the UI thread;
the callbacks run on the UI thread through queued signals and never touch widgets from the
worker. Tests pass a ``SyncPool`` so background code runs at once and deterministically.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any, ClassVar

from pos_app.ui.qt import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Carries results from the worker thread back to the UI thread."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class Task:
    #: started tasks, kept alive until their result is delivered (a started task is otherwise
    #: only referenced by its runnable, and its relay could be collected before it reports)
    _running: ClassVar[set[Task]] = set()

    def __init__(self, fn: Callable[[Callable[[int, int], None]], Any]) -> None:
        """``fn`` receives a ``progress(done, total)`` callable and returns the result."""
        self._fn = fn
        self._relay = _Relay()
        self._on_success: Callable[[Any], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None

    def success(self, cb: Callable[[Any], None]) -> Task:
        self._on_success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> Task:
        self._on_failure = cb
        return self

    def progress(self, cb: Callable[[int, int], None]) -> Task:
        self._relay.progressed.connect(cb)
        return self

    def run(self, pool: QThreadPool | SyncPool) -> None:
        if self._on_success:
            self._relay.succeeded.connect(self._on_success)
        self._relay.failed.connect(self._failed)
        self._relay.succeeded.connect(self._done)
        self._relay.failed.connect(self._done)
        Task._running.add(self)
        pool.start(_Runnable(self))

    def _done(self, _result: object) -> None:
        Task._running.discard(self)

    def _failed(self, exc: BaseException) -> None:
        if self._on_failure is not None:
            self._on_failure(exc)
        else:
            log.error("background task failed: %s", "".join(traceback.format_exception(exc)))

    def _execute(self) -> None:
        try:
            result = self._fn(lambda done, total: self._relay.progressed.emit(done, total))
        except Exception as exc:  # handed to the failure callback on the UI thread
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task._execute()


class SyncPool:
    """Runs every task at once on the calling thread (Picard's FakeThreadPool)."""

    def start(self, runnable: QRunnable) -> None:
        runnable.run()

    def waitForDone(self, msecs: int = -1) -> bool:
        return True
