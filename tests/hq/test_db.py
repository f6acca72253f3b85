"""Headquarters' schema: migrations on both backends, and the connection pool on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.core.errors import DatabaseError
from pos_app.hq import db

DROPPED = {"entry_store_id", "lot_move_entry_uuid", "lot_move_lot_key"}


def index_names(database: Any) -> set[str]:
    if db.is_postgres(database):
        rows = database.execute_sql("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'").fetchall()
    else:
        rows = database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    return {r[0] for r in rows}


def test_a_new_database_has_the_latest_schema_without_the_unused_indexes(hq_db: Any) -> None:
    assert db.SchemaVersion.select().order_by(db.SchemaVersion.version.desc()).first().version == db.schema_version()
    names = index_names(hq_db)
    assert not names & DROPPED
    assert {"entry_uuid", "entry_terminal_id_seq", "lot_key", "lot_expires_on"} <= names


def test_a_schema_1_database_loses_the_unused_indexes(hq_db: Any) -> None:
    """A database made by the first release (its indexes, schema 1) is migrated in place."""
    hq_db.execute_sql('CREATE INDEX "entry_store_id" ON "entry" ("store_id")')
    hq_db.execute_sql('CREATE INDEX "lot_move_entry_uuid" ON "lot_move" ("entry_uuid")')
    hq_db.execute_sql('CREATE INDEX "lot_move_lot_key" ON "lot_move" ("lot_key")')
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 1).execute()
    assert index_names(hq_db) >= DROPPED
    assert db.migrate(hq_db) == db.schema_version()
    assert not index_names(hq_db) & DROPPED
    assert [v.version for v in db.SchemaVersion.select().order_by(db.SchemaVersion.version)] == list(
        range(1, db.schema_version() + 1))


def test_a_newer_database_is_refused_untouched(hq_db: Any) -> None:
    db.SchemaVersion.create(version=db.schema_version() + 1, applied_at=db.utcnow())
    before = index_names(hq_db)
    with pytest.raises(DatabaseError) as err:
        db.migrate(hq_db)
    assert err.value.field == "db" and "newer" in str(err.value)
    assert index_names(hq_db) == before


@pytest.mark.parametrize("hq_db", ["postgresql"], indirect=True)
def test_postgresql_connections_are_pooled(hq_db: Any) -> None:
    """A request takes a connection and gives it back: the next one gets the same backend
    (SQLite connections cost nothing to open and are not pooled)."""
    assert db.is_postgres(hq_db)
    hq_db.close()
    with hq_db.connection_context():
        first = hq_db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    with hq_db.connection_context():
        second = hq_db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    assert first == second


def columns(database: Any, table: str) -> set[str]:
    if db.is_postgres(database):
        rows = database.execute_sql("SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                                    (table,)).fetchall()
    else:
        rows = database.execute_sql(f'SELECT name FROM pragma_table_info("{table}")').fetchall()
    return {r[0] for r in rows}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_1_is_the_first_release_schema_whatever_the_models_say(backend: str, tmp_path: Any) -> None:
    """Migration 1 is frozen SQL, not today's models: run alone on an empty database it makes
    the first release's schema, with the three indexes migration 2 drops."""
    from playhouse.db_url import connect as url_connect

    from tests.hq.hqserver import database_url

    with database_url(backend, tmp_path) as url:
        raw = url_connect(url)
        try:
            number, _name, step = db.MIGRATIONS[0]
            assert number == 1
            with raw.atomic():
                step(raw)
            assert index_names(raw) >= DROPPED
            assert columns(raw, "terminal") >= {"id", "store_id", "secret", "last_seq", "last_hash", "last_oid"}
        finally:
            raw.close()


def test_the_migrated_schema_has_every_column_and_index_of_the_models(hq_db: Any) -> None:
    """A model field added without a migration fails here (the schema is made by migrations only)."""
    names = index_names(hq_db)
    for model in db.MODELS:
        table = model._meta.table_name
        assert columns(hq_db, table) == {f.column_name for f in model._meta.sorted_fields}, table
        for index in model._meta.fields_to_index():
            assert index._name in names, (table, index._name)
