"""SQL on database files that are not the open till database: a backup's copy, a file to
restore, the live database read (or checkpointed) from outside, each through a short
connection of its own (``sqlite3.Error`` is the caller's to handle)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path


@contextmanager
def _connect(path: Path, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
    if readonly:
        con = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, timeout=5)
    else:
        con = sqlite3.connect(str(path), timeout=5)
    with closing(con):
        yield con


def read_settings(path: Path, keys: tuple[str, ...]) -> dict[str, str]:
    """The settings named ``keys`` that the file holds, read without changing it."""
    with _connect(path, readonly=True) as con:
        return {str(k): str(v) for k, v in con.execute(
            f"SELECT key, value FROM setting WHERE key IN ({', '.join('?' * len(keys))})", keys)}


def delete_settings(path: Path, keys: tuple[str, ...]) -> None:
    """Delete settings with SQLite's secure_delete (their bytes are overwritten, not left in a free page)."""
    with _connect(path) as con:
        con.execute("PRAGMA secure_delete = ON")
        with con:
            con.execute(f"DELETE FROM setting WHERE key IN ({', '.join('?' * len(keys))})", keys)


def put_settings(path: Path, settings: dict[str, str]) -> None:
    """Write settings (replacing the same keys) in one transaction."""
    with _connect(path) as con, con:
        con.executemany("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", list(settings.items()))


def schema_of(path: Path) -> tuple[int, set[str]]:
    """The file's user_version and its tables, read without changing it."""
    with _connect(path, readonly=True) as con:
        version = int(con.execute("PRAGMA user_version").fetchone()[0])
        tables = {str(r[0]) for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return version, tables


def checkpoint(path: Path) -> None:
    """Fold the file's WAL into it and empty the WAL (no one else may have it open for writing)."""
    with _connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
