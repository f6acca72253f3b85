"""Background work: a small builder in the style of Anki's CollectionOp.

``Task(fn).success(cb).failure(cb).progress(cb).run(pool)`` runs ``fn`` off the UI thread;
the callbacks run on the UI thread through queued signals and never touch widgets from the
worker. Tests pass a ``ImmediatePool`` so background code runs at once and deterministically.
"""

from __future__ import annotations

import logging
import threading
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

    def run(self, pool: QThreadPool | ImmediatePool) -> None:
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


class ImmediatePool:
    """Runs every task at once, on the calling thread (tests, scripts): immediate, not "sync" with
    headquarters (Picard's FakeThreadPool)."""

    def start(self, runnable: QRunnable) -> None:
        runnable.run()

    def waitForDone(self, msecs: int = -1) -> bool:
        return True


class ThreadWorker(QObject):
    """A device or service worker with a thread of its own (the printer spooler, sync rounds):
    ``start()``, ``stop()``, ``poke()`` to wake it early, and a loop that calls ``_tick(poked)``
    then sleeps ``_wait_s()`` seconds or until poked. The thread shares the terminal; peewee
    gives it a database connection of its own, closed when the loop ends.

    Subclasses set ``thread_name`` and ``stop_timeout_s`` and define ``_tick`` and ``_wait_s``.
    """

    thread_name = "worker"
    stop_timeout_s = 10.0

    def __init__(self, terminal: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.stop_timeout_s if timeout_s is None else timeout_s)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def poke(self, *_args: Any) -> None:
        """Work was queued: run soon. Does nothing before ``start()`` (tests call the work
        directly), so the UI thread never waits for the worker."""
        if self._thread is not None:
            self._wake.set()

    def _tick(self, poked: bool) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _wait_s(self) -> float:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                poked = self._wake.is_set()
                self._wake.clear()
                self._tick(poked)
                self._wake.wait(self._wait_s())
        finally:
            try:
                self.terminal.database.db.close()  # this thread's own connection
            except Exception:
                log.debug("closing the %s thread's connection failed", self.thread_name, exc_info=True)
