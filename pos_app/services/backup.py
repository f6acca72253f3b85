"""Backups of the terminal database, restoring one, and the daily automatic backup.

- ``take_backup``: a consistent copy through SQLite's online backup API in one step, which
  reads one snapshot (WAL: the counter keeps writing meanwhile and is never blocked). The copy
  is written under a hidden temporary name, checked with the checks of ``pos-app verify``,
  made a single self-contained file (rollback journal, no -wal beside it) and only then given
  its name ``pos-<store>-<terminal>-YYYYMMDD-HHMMSS.db``. An existing file is never
  overwritten; a copy that fails the checks is removed and the backup fails. A backup holds no
  secret (``SECRET_SETTINGS``: the sync secret is deleted from the copy) and is a private file
  (0600) in a private folder (0700).
- ``restore``: the file is copied into a private folder beside the database, refused when it
  is not a database of this program, newer than this build, or fails verify (an older one is
  migrated there, never in place); refused while the cashier window holds the database's lock
  and, without ``force``, when it belongs to another store or terminal. Then the current
  database is kept as ``<db>.before-restore-YYYYMMDD-HHMMSS`` (0600) and the checked copy takes its
  place by an atomic rename. The restored till keeps the sync secret of the database it replaces
  (same store and terminal); with none to keep, it is enrolled again.
- ``auto_backup``: a backup into ``<backups>/auto/`` when the newest automatic one is 24 hours
  old or there is none; the oldest automatic ones beyond ``keep`` are deleted. Manual backups
  are never touched. The time of an automatic backup is the one in its file name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pos_app.core.errors import DatabaseError, InvalidInput
from pos_app.services.context import Terminal
from pos_app.services.paths import AppPaths, app_paths
from pos_app.storage import files
from pos_app.storage.database import (
    DIR_MODE,
    FILE_MODE,
    SQLITE_HEADER,
    open_database,
    private_dir,
    schema_version,
)
from pos_app.storage.instance_lock import hold_lock
from pos_app.storage.integrity import run_checks, table_counts
from pos_app.storage.repo import Repo

STAMP = "%Y%m%d-%H%M%S"
AUTO_EVERY = dt.timedelta(hours=24)
AUTO_KEEP = 14
#: Settings that never go into a backup (see ``_strip_secrets``). The key that signs verify's
#: checkpoint is one: a backup edited elsewhere must not carry a checkpoint that still verifies
#: (restored over the same till, the till's own key comes back and its checkpoint holds again).
SECRET_SETTINGS = ("sync.secret", "verify.checkpoint_key")


def backup_name(store_id: str, terminal_id: str, at: dt.datetime, n: int = 1) -> str:
    """``pos-S001-T01-20261103-100000.db``; the n-th taken in the same second gets ``-n``."""
    return f"pos-{store_id}-{terminal_id}-{at.strftime(STAMP)}{'' if n == 1 else f'-{n}'}.db"


def _name_re(store_id: str, terminal_id: str) -> re.Pattern[str]:
    return re.compile(rf"^pos-{re.escape(store_id)}-{re.escape(terminal_id)}-(\d{{8}}-\d{{6}})(?:-\d+)?\.db$")


# -- checking a database file (a copy: never the live one) ---------------------------------------
def check_file(path: Path, *, migrate: bool = False) -> dict[str, Any]:
    """Open a copy on its own (never binding the models: this may run on a worker thread
    beside the window), run the checks of ``pos-app verify`` on it and leave it as one
    self-contained file. Returns verify's report plus ``schema`` and ``enrolled``."""
    database = open_database(path, migrate=migrate, models=False)
    try:
        checks = run_checks(database)
        settings = Repo(database).settings()
        counts = table_counts(database)
        report = {"ok": all(c["ok"] for c in checks.values()), "store_id": settings.get("store_id"),
                  "terminal_id": settings.get("terminal_id"), "schema": database.user_version(),
                  "enrolled": bool(settings.get("hq.url")), "has_secret": bool(settings.get("sync.secret")),
                  "counts": counts, "checks": checks}
        database.single_file()  # checkpoints; the copy is then one file
    finally:
        database.close()
    return report


def _strip_secrets(path: Path) -> None:
    """A backup holds no secret: the sync secret is deleted from the copy with SQLite's
    secure_delete (its bytes are overwritten, not left in a free page). A restore takes it
    back from the database it replaces; a till restored on a new machine is enrolled again."""
    files.delete_settings(path, SECRET_SETTINGS)


def _secrets_of(db: Path) -> dict[str, str]:
    """The live database's secrets, read without changing it (none when it cannot be read)."""
    try:
        return files.read_settings(db, SECRET_SETTINGS)
    except sqlite3.Error:
        return {}


def _failed(report: dict[str, Any]) -> list[str]:
    return [name for name, c in report["checks"].items() if not c["ok"]]


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    if sys.platform == "win32":  # no directory handles to sync there
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(*paths: Path) -> None:
    for p in paths:
        for q in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm"), p.with_name(p.name + "-journal")):
            with contextlib.suppress(FileNotFoundError):
                q.unlink()


# -- backup ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    store_id: str
    terminal_id: str
    taken_at: dt.datetime
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "bytes": self.bytes, "store_id": self.store_id,
                "terminal_id": self.terminal_id, "taken_at": self.taken_at.isoformat(), "verify": "ok",
                "counts": self.counts}


def _reserve(directory: Path, store_id: str, terminal_id: str, at: dt.datetime) -> Path:
    """Create the backup's file, empty, under a name nobody has: the name is ours from here on."""
    for n in range(1, 1000):
        path = directory / backup_name(store_id, terminal_id, at, n)
        try:
            with open(path, "xb"):
                return path
        except FileExistsError:
            continue
    raise InvalidInput("to", f"too many backups named for {at.strftime(STAMP)} in {directory}")


def take_backup(t: Terminal, to_dir: str | Path | None = None, *, now: dt.datetime | None = None) -> BackupResult:
    """A checked, consistent copy of the open terminal database in ``to_dir`` (default: the
    backups folder). Raises ``InvalidInput('to')`` when the folder cannot be written and
    ``DatabaseError('backup')`` when the copy fails (it is removed then)."""
    directory = Path(to_dir) if to_dir is not None else app_paths().backup_dir
    at = (now or t.clock()).replace(microsecond=0)
    try:
        private_dir(directory)
        final = _reserve(directory, t.store_id, t.terminal_id, at)
    except OSError as exc:
        raise InvalidInput("to", f"cannot write to {directory}: {exc.strerror or exc}") from None
    partial = final.with_name(f".{final.name}.partial")
    try:
        _remove(partial)
        try:
            t.database.backup_to(partial)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError("backup", f"the copy to {partial} failed: {exc}") from None
        _strip_secrets(partial)
        report = check_file(partial)
        if not report["ok"]:
            bad = _failed(report)
            raise DatabaseError("backup", "the copy fails verify (" + ", ".join(bad) + "); it was removed. "
                                "Run `pos-app verify` on the database", checks=bad)
        _fsync(partial)
        os.replace(partial, final)
        _fsync_dir(directory)
    except BaseException:
        _remove(partial, final)
        raise
    return BackupResult(final, final.stat().st_size, t.store_id, t.terminal_id, at, report["counts"])


# -- automatic backups ----------------------------------------------------------------------------
def auto_backups(paths: AppPaths, store_id: str, terminal_id: str) -> list[tuple[dt.datetime, Path]]:
    """This terminal's automatic backups, oldest first (an empty file is one being written)."""
    directory = paths.auto_backup_dir
    if not directory.is_dir():
        return []
    pattern = _name_re(store_id, terminal_id)
    out = []
    for p in directory.iterdir():
        m = pattern.match(p.name)
        if not m or not p.is_file() or p.stat().st_size == 0:
            continue
        try:
            out.append((dt.datetime.strptime(m.group(1), STAMP), p))
        except ValueError:
            continue
    return sorted(out)


def last_auto_backup(paths: AppPaths, store_id: str, terminal_id: str) -> dt.datetime | None:
    found = auto_backups(paths, store_id, terminal_id)
    return found[-1][0] if found else None


@dataclass(frozen=True)
class AutoBackupResult:
    taken: BackupResult | None
    removed: list[Path] = field(default_factory=list)
    last: dt.datetime | None = None  # the newest automatic backup after this run


def auto_backup(t: Terminal, paths: AppPaths, now: dt.datetime, keep: int = AUTO_KEEP,
                every: dt.timedelta = AUTO_EVERY) -> AutoBackupResult:
    """Take an automatic backup when the newest one is ``every`` old (or there is none, or it
    is dated in the future: the clock was wrong), then keep only the newest ``keep``."""
    if keep < 1:
        raise InvalidInput("keep", f"keep at least one automatic backup, not {keep}")
    last = last_auto_backup(paths, t.store_id, t.terminal_id)
    taken = None
    if last is None or now - last >= every or last > now + dt.timedelta(hours=1):
        taken = take_backup(t, paths.auto_backup_dir, now=now)
    found = auto_backups(paths, t.store_id, t.terminal_id)
    removed = []
    for _at, path in found[:max(0, len(found) - keep)]:
        if taken is not None and path == taken.path:
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        removed.append(path)
    return AutoBackupResult(taken, removed, last_auto_backup(paths, t.store_id, t.terminal_id))


# -- restore --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RestoreResult:
    database: Path
    restored_from: Path
    kept: Path | None  # the database it replaced, or None when there was none
    store_id: str
    terminal_id: str
    schema_from: int  # the backup's schema version (migrated to this build's when older)
    enrolled: bool
    counts: dict[str, int]
    warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"db": str(self.database), "restored_from": str(self.restored_from),
                "kept": str(self.kept) if self.kept else None, "store_id": self.store_id,
                "terminal_id": self.terminal_id, "schema_from": self.schema_from, "schema": schema_version(),
                "enrolled": self.enrolled, "verify": "ok", "counts": self.counts, "warnings": self.warnings}


def _check_candidate(file: Path) -> None:
    if not file.exists():
        raise InvalidInput("file", f"no such file: {file}")
    if not file.is_file():
        raise InvalidInput("file", f"{file} is not a file")
    try:
        with file.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise InvalidInput("file", f"cannot read {file}: {exc.strerror}") from None
    if head != SQLITE_HEADER:
        raise InvalidInput("file", f"{file} is not an SQLite database (not a backup of this program)")


def _version(path: Path) -> int:
    try:
        version, tables = files.schema_of(path)
    except sqlite3.DatabaseError as exc:
        raise InvalidInput("file", f"cannot be read as a database: {exc}") from None
    if version == 0 or "setting" not in tables:
        raise InvalidInput("file", "is an SQLite database, but not one of this program")
    return version


def _identity(db: Path) -> tuple[str | None, str | None]:
    """The current database's store and terminal, read without changing it."""
    rows = files.read_settings(db, ("store_id", "terminal_id"))
    return rows.get("store_id"), rows.get("terminal_id")


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists() or candidate.with_name(candidate.name + "-wal").exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


@contextlib.contextmanager
def _workdir(beside: Path, stamp: str) -> Iterator[Path]:
    """A private folder beside the database (same file system: the final rename is atomic)."""
    work = beside.parent / f".restore-{stamp}-{os.getpid()}"
    work.mkdir(mode=DIR_MODE, parents=True)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def restore(db_path: str | Path, file: str | Path, *, force: bool = False,
            now: dt.datetime | None = None) -> RestoreResult:
    """Replace the database at ``db_path`` by the backup ``file`` (see the module's text).
    Every refusal raises before the database is touched."""
    db, src = Path(db_path).absolute(), Path(file).absolute()
    _check_candidate(src)
    if db.exists() and src.samefile(db):
        raise InvalidInput("file", "is the database itself; name a backup file")
    at = (now or dt.datetime.now()).replace(microsecond=0)
    stamp = at.strftime(STAMP)
    private_dir(db.parent)
    warnings: list[str] = []
    with hold_lock(db, "pos-app restore"), _workdir(db, stamp) as work:
        copy = work / "restore.db"
        try:
            shutil.copyfile(src, copy)
            wal = src.with_name(src.name + "-wal")
            if wal.is_file() and wal.stat().st_size:  # a copy of a live database: its last commits
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        except OSError as exc:
            raise InvalidInput("file", f"cannot copy {src}: {exc.strerror or exc}") from None
        found, supported = _version(copy), schema_version()
        if found > supported:
            raise InvalidInput("file", f"has schema version {found}, newer than this program's {supported}; "
                               "install the newer release to restore it", found=found, supported=supported)
        try:
            report = check_file(copy, migrate=True)  # an older backup is migrated here, in the copy
        except (DatabaseError, sqlite3.Error) as exc:
            raise InvalidInput("file", f"cannot be opened: {exc}") from None
        if not report["ok"]:
            bad = _failed(report)
            raise InvalidInput("file", "fails verify (" + ", ".join(bad) + ")", checks=bad)
        store, terminal = report["store_id"], report["terminal_id"]
        if not store or not terminal:
            raise InvalidInput("file", "has no store and terminal: not a till's backup")
        if db.exists():
            try:
                current = _identity(db)
            except sqlite3.Error as exc:
                current = (None, None)
                warnings.append(f"the current database could not be read ({exc}); it is kept as it was")
            if current != (None, None) and current != (store, terminal) and not force:
                raise InvalidInput(
                    "file", f"belongs to store {store} terminal {terminal}, but this database is "
                    f"{current[0]}/{current[1]}; use --force to restore it anyway",
                    found=f"{store}/{terminal}", expected=f"{current[0]}/{current[1]}")
            if current != (None, None) and current != (store, terminal):
                warnings.append(f"this till was {current[0]}/{current[1]} and is now {store}/{terminal}")
            elif report["enrolled"]:
                secrets = _secrets_of(db)  # backups hold no secret: the till keeps the one it has (the newest)
                if secrets:
                    files.put_settings(copy, secrets)
                    report["has_secret"] = True
        if report["enrolled"] and not report["has_secret"]:
            warnings.append("backups hold no sync secret and this database had none to keep: enroll the till "
                            "again with a new code from headquarters (`pos-hq terminal code ID`, then "
                            "`pos-app enroll`) before it syncs")
        _fsync(copy)
        kept = _replace(db, copy, stamp)
    if report["enrolled"]:
        warnings.append("this till is enrolled with headquarters: entries it wrote after the backup was "
                        "taken exist only at headquarters now. Run `pos-app sync` before selling: it takes them"
                        " back (its entries, sales, refunds, redemptions and receipt numbers), so numbers do not"
                        " repeat")
    return RestoreResult(db, src, kept, store, terminal, found, report["enrolled"], report["counts"], warnings)


def _replace(db: Path, copy: Path, stamp: str) -> Path | None:
    """Keep the current database (with its -wal and -shm after a checkpoint) under the
    before-restore name, then rename the checked copy over it."""
    kept = None
    if db.exists():
        with contextlib.suppress(sqlite3.Error):  # fold the WAL in; the window is not running
            files.checkpoint(db)
        kept = _free_name(db.with_name(f"{db.name}.before-restore-{stamp}"))
        try:
            os.link(db, kept)  # the database stays in place until the rename below
        except OSError:
            shutil.copy2(db, kept)
        kept.chmod(FILE_MODE)  # it holds what the database held (an older release made it 0644)
        for suffix in ("-wal", "-shm"):  # never leave the old WAL beside the new database
            side = db.with_name(db.name + suffix)
            if side.exists():
                os.replace(side, kept.with_name(kept.name + suffix))
    copy.chmod(FILE_MODE)
    os.replace(copy, db)
    _fsync_dir(db.parent)
    return kept
