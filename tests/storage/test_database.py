"""The database file: pragmas, append-only triggers, migrations with a backup, models = schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pos_app.core.errors import DatabaseError
from pos_app.services import context, members
from pos_app.services.context import Terminal
from pos_app.storage import database as dbmod
from pos_app.storage.models import MODELS


def test_pragmas_are_the_durable_ones(terminal: Terminal) -> None:
    ex = terminal.database.execute
    assert ex("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ex("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert ex("PRAGMA foreign_keys").fetchone()[0] == 1
    assert ex("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert ex("PRAGMA user_version").fetchone()[0] == dbmod.schema_version()


def test_ledger_lot_moves_and_audit_reject_update_and_delete(terminal: Terminal) -> None:
    members.enroll_member(terminal, phone="13800138000", name="甲")
    for sql in ("UPDATE ledger_entry SET points = 999", "DELETE FROM ledger_entry",
                "UPDATE audit SET action = 'x'", "DELETE FROM audit"):
        with pytest.raises(Exception, match="append-only"):
            terminal.database.execute(sql)
    assert terminal.database.execute("SELECT points FROM ledger_entry").fetchone()[0] == 50


def test_models_match_the_migrated_schema(terminal: Terminal) -> None:
    for model in MODELS:
        table = model._meta.table_name
        cols = {r[1] for r in terminal.database.execute(f"PRAGMA table_info({table})")}
        fields = {f.column_name for f in model._meta.sorted_fields}
        assert fields == cols, table


@pytest.fixture
def migrations_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Today's migrations in a folder of the test's own, and a database made with them."""
    mig = tmp_path / "migrations"
    mig.mkdir()
    for f in dbmod.migrations_dir().glob("*.sql"):
        (mig / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    context.init_terminal(tmp_path / "t.db", store_id="S1", terminal_id="T1").close()
    monkeypatch.setattr(dbmod, "migrations_dir", lambda: mig)
    return mig


def test_older_database_is_migrated_after_a_backup(tmp_path: Path, migrations_copy: Path) -> None:
    # a future migration applied to today's database: the old file is backed up first
    mig, db = migrations_copy, tmp_path / "t.db"
    now = len(list(mig.glob("*.sql")))
    (mig / f"{now + 1:04d}_add_note.sql").write_text("ALTER TABLE member ADD COLUMN note TEXT;", encoding="utf-8")
    d = dbmod.open_database(db)
    assert d.user_version() == now + 1
    d.close()
    backups = list(tmp_path.glob(f"t.db.v{now}-*.bak"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("PRAGMA user_version").fetchone()[0] == now
    con.close()


def test_failed_migration_leaves_the_version(tmp_path: Path, migrations_copy: Path) -> None:
    mig, db = migrations_copy, tmp_path / "t.db"
    now = len(list(mig.glob("*.sql")))
    (mig / f"{now + 1:04d}_broken.sql").write_text("CREATE TABLE x (a); ALTER TABLE nowhere ADD COLUMN b;",
                                                   encoding="utf-8")
    with pytest.raises(DatabaseError, match="_broken"):
        dbmod.open_database(db)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == now
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'x'").fetchone()[0] == 0
    con.close()


def test_hash_chain_detects_a_rewritten_entry(terminal: Terminal) -> None:
    from pos_app.services import verify

    members.enroll_member(terminal, phone="13800138000", name="甲")
    members.enroll_member(terminal, phone="13800138001", name="乙")
    assert verify.verify(terminal)["ok"]
    ex = terminal.database.execute
    ex("DROP TRIGGER ledger_entry_no_update")
    ex("UPDATE ledger_entry SET ref_no = 'forged' WHERE seq = 1")
    report = verify.verify(terminal)
    assert not report["ok"]
    assert report["checks"]["hash_chains"]["problems"][0]["seq"] == 1
    assert report["checks"]["append_only_triggers"]["problems"] == ["ledger_entry_no_update"]
