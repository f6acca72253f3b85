"""Opening the terminal database: file checks, pragmas, numbered migrations, transactions."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from pos_app.core.errors import DatabaseDamaged, DatabaseError, PosError
from pos_app.storage.models import MODELS
from pos_app.storage.paths import migrations_dir

SQLITE_HEADER = b"SQLite format 3\x00"
#: The pragmas every connection runs with: WAL so readers never block the writer,
#: synchronous=FULL so a sale the customer saw survives a power cut, foreign keys on.
PRAGMAS = (
    ("journal_mode", "wal"),
    ("synchronous", 2),
    ("foreign_keys", 1),
    ("busy_timeout", 5000),
    ("temp_store", 2),
    ("cache_size", -16000),
)


def migrations() -> list[tuple[int, str, Path]]:
    """The numbered migrations shipped with this build, in order."""
    out = []
    for path in sorted(migrations_dir().glob("*.sql")):
        m = re.match(r"^(\d{4})_(.+)\.sql$", path.name)
        if m:
            out.append((int(m.group(1)), m.group(2), path))
    numbers = [n for n, _, _ in out]
    if numbers != list(range(1, len(numbers) + 1)):
        raise DatabaseError("migrations", f"migration numbers must run 1..N without gaps: {numbers}")
    return out


def schema_version() -> int:
    """The schema version this build writes."""
    return len(migrations())


#: What a damaged database tells the cashier or the IT person to do.
RESTORE_HINT = ("restore the last checked backup with `pos-app restore FILE` (the window takes one a day "
                "into backups/auto/) and tell the store's IT person")
#: Private files: only the till's own user reads the database and its copies (they hold the sync secret).
FILE_MODE, DIR_MODE = 0o600, 0o700


def _sqlite_errors(exc: BaseException) -> list[sqlite3.Error]:
    """The sqlite3 errors behind ``exc`` (peewee wraps them; a failed rollback hides the error
    that caused it in ``__context__``), the cause first."""
    found: list[sqlite3.Error] = []
    seen: BaseException | None = exc
    while seen is not None and len(found) < 10:
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], sqlite3.Error) else seen
        if isinstance(inner, sqlite3.Error):
            found.append(inner)
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    return found[::-1]


def _short(text: str) -> str:
    """One line of an SQLite message (one that quotes damaged text quotes 40 characters of it)."""
    line = text.splitlines()[0] if text else text
    return line if len(line) <= 120 else line[:117] + "..."


def _error_name(exc: sqlite3.Error) -> str:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc).lower()
    if not name:  # older sqlite3 modules: from the message
        name = ("SQLITE_READONLY" if "readonly" in text else "SQLITE_FULL" if "is full" in text
                else "SQLITE_CORRUPT" if "malformed" in text else "SQLITE_NOTADB" if "not a database" in text
                else "")
    return name


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return False


def _cause_error(path: Path, name: str, cause: sqlite3.Error) -> DatabaseError | None:
    """A read-only file, a full disk, a busy lock or a disk error, said as such (None otherwise)."""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DatabaseError("db", f"{path} is busy: another program holds its write lock; nothing was "
                             f"written, try again ({cause})", reason="busy")
    if name == "SQLITE_FULL" or (name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) and _disk_full(path)):
        return DatabaseError("db", f"the disk holding {path} is full: nothing was written; free some space "
                             f"and try again ({cause})", reason="disk_full")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
        return DatabaseError("db", f"{path} cannot be written: the file or its folder is read-only (permissions, "
                             f"an immutable file or a read-only disk); nothing was written ({cause})",
                             reason="read_only")
    if name.startswith("SQLITE_IOERR"):
        return DatabaseError("db", f"{path} could not be read or written (a disk error); nothing was written "
                             f"({cause})", reason="io_error")
    return None


def _check_file(path: Path) -> None:
    """Refuse files that are not SQLite databases before SQLite touches them."""
    if path.is_dir():
        raise DatabaseError("db", f"{path} is a directory, not a database file")
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError("db", f"cannot read {path}: {exc.strerror}") from None
    if head and head != SQLITE_HEADER:
        raise DatabaseError("db", f"{path} is not a database file of this program (corrupt or foreign)")


class Database:
    """An open terminal database. ``transaction()`` is the one way to write.

    ``models=False``: a second database opened beside the terminal's (a backup being checked)
    that never binds the peewee models, which are global: binding them to it from a worker
    thread would send the window's model queries to the copy. Such a database is read through
    plain SQL only (``execute``, ``reading``)."""

    def __init__(self, path: Path, peewee_db: SqliteDatabase, *, models: bool = True) -> None:
        self.path = path
        self.db = peewee_db
        self.models = models
        #: Why the file is damaged (quick_check's first lines), or None; a damaged database is never written.
        self.damage: str | None = None
        self._suspect = False  # an SQLite error happened: check the file before the next write
        self._local = threading.local()  # this thread's transaction token (see ``transaction_token``)

    def health_problems(self) -> list[str]:
        """SQLite's ``quick_check`` (every page and record well-formed; no index comparison) and
        the schema: every table and column the models use is there. Empty when healthy."""
        try:
            rows = [str(r[0]) for r in self.db.connection().execute("PRAGMA quick_check(20)").fetchall()]
            problems = [] if rows == ["ok"] else [_short(line) for row in rows for line in row.splitlines()
                                                   if line and not line.startswith("*** in database")]
            tables: dict[str, set[str]] = {}
            current = self.user_version() == schema_version()  # an older file is checked once migrated
            for model in MODELS if current else ():
                name = model._meta.table_name
                if name not in tables:
                    tables[name] = {str(r[1]) for r in
                                    self.db.connection().execute(f'PRAGMA table_info("{name}")').fetchall()}
                missing = [f.column_name for f in model._meta.sorted_fields if f.column_name not in tables[name]]
                if missing:
                    problems.append(f"table {name} lacks {', '.join(missing)} (damaged schema)")
        except sqlite3.Error as exc:
            problems = [_short(str(exc))]
        return problems

    def check_health(self) -> str | None:
        """Run ``health_problems`` and remember the verdict in ``damage``."""
        problems = self.health_problems()
        self._suspect = False
        if problems:
            self.damage = "; ".join(problems[:5])
        return self.damage

    def damaged_error(self) -> DatabaseDamaged:
        return DatabaseDamaged("db", f"{self.path} is damaged ({self.damage}); nothing was written. "
                               f"To go on, {RESTORE_HINT}", damage=self.damage)

    def refuse_if_damaged(self) -> None:
        if self._suspect:
            self.check_health()
        if self.damage:
            raise self.damaged_error()

    def explain(self, exc: BaseException) -> DatabaseError | None:
        """The product's error for an SQLite failure behind ``exc`` (None when there is none):
        a read-only or immutable file, a full disk, a damaged file; named by its real cause
        (never the ``cannot rollback`` that a failed statement's automatic rollback leaves)."""
        if isinstance(exc, PosError):
            return None
        errors = [e for e in _sqlite_errors(exc) if "cannot rollback" not in str(e)]
        if not errors:
            return None
        cause = errors[0]
        name = _error_name(cause)
        if name.startswith("SQLITE_CONSTRAINT") or isinstance(cause, sqlite3.IntegrityError):
            return None
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return DatabaseError("db", f"{self.path} is busy: another program holds its write lock; nothing was "
                                 f"written, try again ({cause})", reason="busy")
        self._suspect = True
        error = _cause_error(self.path, name, cause)
        if error is not None:
            return error
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or self.check_health():
            if not self.damage:
                self.damage = _short(str(cause))
            return self.damaged_error()
        return None

    def bind(self) -> None:
        if self.models and MODELS[0]._meta.database is not self.db:
            self.db.bind(MODELS, bind_refs=False, bind_backrefs=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``: takes the write lock up front so two writers
        never deadlock half-way; everything inside commits together or not at all."""
        self.refuse_if_damaged()
        self.bind()
        try:
            with self.db.atomic(), self._token():
                yield
        except Exception as exc:
            error = self.explain(exc)
            if error is None:
                raise
            raise error from exc

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """A consistent read snapshot (deferred transaction)."""
        self.bind()
        with self.db.atomic("DEFERRED"), self._token():
            yield

    @contextlib.contextmanager
    def _token(self) -> Iterator[None]:
        if getattr(self._local, "token", None) is not None:  # nested (a savepoint): the outer token holds,
            try:                                                # unless the savepoint rolls back
                yield
            except BaseException:
                self._local.token = object()
                raise
            return
        self._local.token = object()
        try:
            yield
        finally:
            self._local.token = None

    def transaction_token(self) -> object | None:
        """An object standing for the calling thread's current outermost transaction (``None``
        outside one). What was read under one token stays true while that token is current, so a
        caller may keep such a reading (the active program) for the rest of the transaction
        instead of reading it again; ``renew_transaction_token`` ends that after a change."""
        token: object | None = getattr(self._local, "token", None)
        return token

    def renew_transaction_token(self) -> None:
        """Readings kept under the current token are stale (this transaction changed them)."""
        if getattr(self._local, "token", None) is not None:
            self._local.token = object()

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        self.bind()
        cursor: sqlite3.Cursor = self.db.execute_sql(sql, params)
        return cursor

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.db.connection().executemany(sql, rows)

    def checkpoint(self) -> None:
        """Fold the WAL into the database file and empty it."""
        self.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def single_file(self) -> None:
        """Leave WAL for a rollback journal (a checkpoint first): the file is then self-contained."""
        self.execute("PRAGMA journal_mode = DELETE")

    def user_version(self) -> int:
        return int(self.db.execute_sql("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def backup_to(self, target: Path) -> Path:
        """A consistent copy through SQLite's online backup API (a private file: it holds what
        the database holds)."""
        private_dir(target.parent)
        private_file(target)
        dest = sqlite3.connect(str(target))
        try:
            self.db.connection().backup(dest)
        finally:
            dest.close()
        return target


def private_dir(path: Path) -> None:
    """A folder only this user can enter (made so; an existing one is left as it is)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """Create ``path`` (or take the existing one) readable and writable by this user only,
    before anything is written into it; a database's -wal and -shm get the same mode from SQLite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    _tighten(path)


def _tighten(path: Path) -> None:
    """Take group and others' access away from an existing private file (older releases made 0644)."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):  # missing, or not ours to change: leave it
            if os.name == "posix" and p.stat().st_mode & 0o077:
                p.chmod(FILE_MODE)


def open_database(path: str | Path, *, create: bool = False, migrate: bool = True,
                  models: bool = True, damaged_ok: bool = False) -> Database:
    """Open (or with ``create`` make) a terminal database and bring its schema up to date.

    Refuses, without writing anything: a missing file (unless ``create``), a file that is
    not SQLite, a damaged file (``quick_check`` or the schema; ``DatabaseDamaged``, unless
    ``damaged_ok``: ``verify`` opens it to report, and nothing is ever written to it), and a
    database whose schema is newer than this build. Before migrating an existing database it
    takes a backup next to it. The file and its folder are private (0600, 0700).
    """
    p = Path(path)
    if p.exists():
        _check_file(p)
        _tighten(p)
    elif not create:
        raise DatabaseError("db", f"no database at {p}; create one with `pos-app init`")
    else:
        private_dir(p.parent)
        private_file(p)
    target = schema_version()
    # Look at the version read-only first, so a refused file is never touched.
    if p.exists() and p.stat().st_size > 0:
        try:
            ro = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
            try:
                version = int(ro.execute("PRAGMA user_version").fetchone()[0])
                ro.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                ro.close()
        except sqlite3.DatabaseError as exc:
            raise (_cause_error(p, _error_name(exc), exc) or DatabaseDamaged(
                "db", f"{p} cannot be read as a database ({_short(str(exc))}); nothing was written. "
                f"To go on, {RESTORE_HINT}", damage=_short(str(exc)))) from None
        if version > target:
            raise DatabaseError(
                "db", f"{p} has schema version {version}, newer than this program's {target}; "
                "install the newer release", found=version, supported=target,
            )
    pdb = SqliteDatabase(str(p), pragmas=PRAGMAS, lock_type="IMMEDIATE", check_same_thread=False)
    try:
        pdb.connect()
    except Exception as exc:  # peewee wraps sqlite3 errors in its own classes
        causes = _sqlite_errors(exc)
        raise ((_cause_error(p, _error_name(causes[0]), causes[0]) if causes else None)
               or DatabaseError("db", f"cannot open {p}: {exc}")) from None
    database = Database(p, pdb, models=models)
    database.bind()
    if database.check_health() and not damaged_ok:
        database.close()
        raise database.damaged_error()
    if migrate and not database.damage:
        _migrate(database, target)
    return database


def _prune_step(conn: sqlite3.Connection) -> None:
    """Migration 0008's second half: a full replica becomes a partial one (``storage.prune``)."""
    from pos_app.storage.prune import prune_replica

    prune_replica(conn, today=dt.date.today())


#: Migrations that SQL alone cannot express: after the numbered script, in its transaction.
MIGRATION_STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {8: _prune_step}


def _migrate(database: Database, target: int) -> None:
    current = database.user_version()
    if current >= target:
        return
    if current > 0:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        database.backup_to(database.path.with_name(f"{database.path.name}.v{current}-{stamp}.bak"))
    conn = database.db.connection()
    for number, _name, path in migrations():
        if number <= current:
            continue
        sql = path.read_text(encoding="utf-8")
        step = MIGRATION_STEPS.get(number)
        try:
            if step is None:
                conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
            else:  # the script, then the step, in one transaction (executescript would commit first)
                conn.executescript(f"BEGIN IMMEDIATE;\n{sql}")
                step(conn)
                conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
        except (sqlite3.Error, PosError) as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DatabaseError("db", f"migration {path.name} failed: {exc}") from None
