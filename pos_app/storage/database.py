"""Opening the terminal database: file checks, pragmas, numbered migrations, transactions."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from pos_app.core.errors import DatabaseError
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

    def bind(self) -> None:
        if self.models and MODELS[0]._meta.database is not self.db:
            self.db.bind(MODELS, bind_refs=False, bind_backrefs=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``: takes the write lock up front so two writers
        never deadlock half-way; everything inside commits together or not at all."""
        self.bind()
        with self.db.atomic():
            yield

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """A consistent read snapshot (deferred transaction)."""
        self.bind()
        with self.db.atomic("DEFERRED"):
            yield

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        self.bind()
        cursor: sqlite3.Cursor = self.db.execute_sql(sql, params)
        return cursor

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.db.connection().executemany(sql, rows)

    def user_version(self) -> int:
        return int(self.db.execute_sql("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def backup_to(self, target: Path) -> Path:
        """A consistent copy through SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            self.db.connection().backup(dest)
        finally:
            dest.close()
        return target


def open_database(path: str | Path, *, create: bool = False, migrate: bool = True,
                  models: bool = True) -> Database:
    """Open (or with ``create`` make) a terminal database and bring its schema up to date.

    Refuses, without writing anything: a missing file (unless ``create``), a file that is
    not SQLite, and a database whose schema is newer than this build. Before migrating an
    existing database it takes a backup next to it.
    """
    p = Path(path)
    if p.exists():
        _check_file(p)
    elif not create:
        raise DatabaseError("db", f"no database at {p}; create one with `pos-app init`")
    else:
        p.parent.mkdir(parents=True, exist_ok=True)
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
            raise DatabaseError("db", f"{p} cannot be read as a database: {exc}") from None
        if version > target:
            raise DatabaseError(
                "db", f"{p} has schema version {version}, newer than this program's {target}; "
                "install the newer release", found=version, supported=target,
            )
    pdb = SqliteDatabase(str(p), pragmas=PRAGMAS, lock_type="IMMEDIATE", check_same_thread=False)
    try:
        pdb.connect()
    except Exception as exc:  # peewee wraps sqlite3 errors in its own classes
        raise DatabaseError("db", f"cannot open {p}: {exc}") from None
    database = Database(p, pdb, models=models)
    database.bind()
    if migrate:
        _migrate(database, target)
    return database


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
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DatabaseError("db", f"migration {path.name} failed: {exc}") from None
