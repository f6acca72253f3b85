"""One cashier window per database: an exclusive lock on ``<database>.lock`` beside the file.

The window holds the lock for its lifetime; a second window on the same database, and
``pos-app restore`` (which replaces the file), find it taken and refuse with a clear message.
The headless commands (a sale, ``backup``, ``verify``) do not take it: SQLite's own locking
lets them work beside the window.

The lock is the operating system's (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows),
so it goes away with the process that held it, also after a crash or a power cut; the file
itself stays (deleting a lock file races with the next process opening it). Its text names
the process that holds it, for the message.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from pos_app.core.errors import Conflict

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

#: Windows locks a byte range, and another process cannot read a locked range: the lock
#: is on one byte far past the text, which stays readable.
_WIN_LOCK_OFFSET = 1 << 30


def lock_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".lock")


def _try_lock(f: IO[str]) -> bool:
    if sys.platform == "win32":
        f.seek(_WIN_LOCK_OFFSET)
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(f: IO[str]) -> None:
    if sys.platform == "win32":
        f.seek(_WIN_LOCK_OFFSET)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()[:200]
    except OSError:
        return ""


class InstanceLock:
    """A held lock; ``release()`` (or leaving the ``with`` block) lets it go."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            _unlock(handle)
        finally:
            handle.close()

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def hold_lock(db_path: str | Path, purpose: str = "cashier window") -> InstanceLock:
    """Take the database's lock, or raise ``Conflict`` (field ``db``, reason ``in_use``) when
    another window or a restore holds it. Never waits."""
    path = lock_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while the lock is held
    except OSError as exc:
        raise Conflict("db", f"cannot open the lock file {path}: {exc.strerror}", reason="lock_file") from None
    if not _try_lock(handle):
        handle.close()
        holder = _holder(path)
        raise Conflict("db", f"{Path(db_path)} is in use by another program ({holder or 'unknown'}); "
                       "close the cashier window on it first", reason="in_use", holder=holder)
    try:  # who holds it, for the message another process shows
        handle.seek(0)
        handle.truncate()
        handle.write(f"{purpose}, process {os.getpid()}\n")
        handle.flush()
    except OSError:
        pass
    return InstanceLock(path, handle)
