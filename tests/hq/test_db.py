"""Headquarters' schema: migrations on both backends, and the connection pool on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from peewee import IntegrityError

from pos_app.core.errors import DatabaseError
from pos_app.hq import db

DROPPED = {"entry_store_id", "lot_move_entry_uuid", "lot_move_lot_key"}


def index_names(database: Any) -> set[str]:
    if db.is_postgres(database):
        rows = database.execute_sql("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'").fetchall()
    else:
        rows = database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    return {r[0] for r in rows}


def undo_migration_10(database: Any) -> None:
    """Back to schema 9: no campaigns, no index of donations."""
    database.execute_sql('DROP TABLE "campaign"')
    database.execute_sql('DROP INDEX "entry_donate"')


def undo_migration_9(database: Any) -> None:
    """Back to schema 8: no name index; on PostgreSQL no daily figures nor their triggers on ``entry``."""
    undo_migration_10(database)
    database.execute_sql('DROP INDEX "member_name_uuid"')
    if db.is_postgres(database):
        for trigger in ("store_day_add", "store_day_remove"):
            database.execute_sql(f'DROP TRIGGER "{trigger}" ON "entry"')
            database.execute_sql(f'DROP FUNCTION "{trigger}"()')
        database.execute_sql('DROP TABLE "store_day"')


def undo_migration_8(database: Any) -> None:
    undo_migration_9(database)
    database.execute_sql('DROP TABLE "product"')


def undo_migration_7(database: Any) -> None:
    undo_migration_8(database)
    database.execute_sql('DROP TABLE "sale_fact"')


def undo_migration_6(database: Any) -> None:
    undo_migration_7(database)
    database.execute_sql('DROP INDEX "entry_business_date_store_id"')


def undo_migration_5(database: Any) -> None:
    """Back to the tables of schema 4 (no console tables and columns; migration 6's index gone)."""
    undo_migration_6(database)
    for table in ("staff", "console_session", "approval", "gift_stock_move"):
        database.execute_sql(f'DROP TABLE "{table}"')
    database.execute_sql('DROP INDEX "flag_terminal_id"')
    for table, column in (("terminal", "app_version"), ("terminal", "waiting"), ("terminal", "clock_skew_s"),
                          ("terminal", "last_pull_at"), ("terminal", "retired_at"), ("program", "effective_on"),
                          ("flag", "resolved_at"), ("flag", "resolved_by"), ("flag", "resolution"),
                          ("flag", "resolution_note"), ("member", "merged_into")):
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def undo_migration_3(database: Any) -> None:
    """Back to the tables of schema 2 (the feed without audiences, no subscriptions; migration 4's
    index gone; its wider ids are left, as migrating them again changes nothing; migration 5's
    console tables gone)."""
    undo_migration_5(database)
    database.execute_sql('DROP INDEX "member_store_id_uuid"')
    database.execute_sql('DROP INDEX "change_audience_txid_id"')
    for column in ("audience", "txid", "member_uuid"):
        database.execute_sql(f'ALTER TABLE "change" DROP COLUMN "{column}"')
    database.execute_sql('DROP TABLE "subscription"')


def test_a_schema_2_feed_gets_audiences(hq_db: Any) -> None:
    """Migration 3 gives every change of an older feed the audience it has today: a store's
    own rows stay its store's, and member records, entries and coupons go to the member's home
    store; program and other global rows to every till."""
    undo_migration_3(hq_db)
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 2).execute()
    now = db.utcnow()
    hq_db.execute_sql("INSERT INTO member (uuid, name, status, consent, store_id, enrolled_at, tier, tier_since,"
                      " balance, debt, updated_at) VALUES ('m-a', 'A', 'active', false, 'S001', '', 'normal', '',"
                      " 0, 0, '')")
    hq_db.execute_sql("INSERT INTO entry (uuid, terminal_id, seq, store_id, member_uuid, kind, points,"
                      " tier_points, ref_type, ref_no, breakdown, created_at, business_date, recorded_at,"
                      " backdated, prev_hash, hash, effects, received_at) VALUES ('e-1', 'T9', 1, 'S002',"
                      " 'm-a', 'earn', 5, 0, 'sale', 'R1', '{}', '', '2026-01-01', '', false, '', '', '{}', '')")
    rows = [("member", "m-a", None), ("entry", "e-1", None), ("program", "p:1", None),
            ("gift_stock", "S002:G1", "S002")]
    for kind, key, store in rows:
        hq_db.execute_sql('INSERT INTO "change" (kind, key, store_id, data, at) VALUES (%s, %s, %s, %s, %s)'
                          .replace("%s", hq_db.param), (kind, key, store, "{}", now))
    assert db.migrate(hq_db) == db.schema_version()
    got = {(c.kind, c.key): (c.audience, c.member_uuid, c.txid) for c in db.Change.select()}
    assert got == {("member", "m-a"): ("S:S001", "m-a", 0), ("entry", "e-1"): ("S:S001", "m-a", 0),
                   ("program", "p:1"): ("*", None, 0), ("gift_stock", "S002:G1"): ("S:S002", None, 0)}


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
    undo_migration_3(hq_db)
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 1).execute()
    assert index_names(hq_db) >= DROPPED
    assert db.migrate(hq_db) == db.schema_version()
    assert not index_names(hq_db) & DROPPED
    assert [v.version for v in db.SchemaVersion.select().order_by(db.SchemaVersion.version)] == [
        number for number, _name, _step in db.MIGRATIONS]


def test_a_newer_database_is_refused_untouched(hq_db: Any) -> None:
    db.SchemaVersion.create(version=db.schema_version() + 1, applied_at=db.utcnow())
    before = index_names(hq_db)
    with pytest.raises(DatabaseError) as err:
        db.migrate(hq_db)
    assert err.value.field == "db" and "newer" in str(err.value)
    assert index_names(hq_db) == before


@pytest.mark.parametrize("hq_db", ["postgresql"], indirect=True)
def test_the_tables_that_grow_with_sales_have_64_bit_ids_on_postgresql(hq_db: Any) -> None:
    """Migration 1 made every id SERIAL (32-bit): a large chain's feed would run out of change ids
    within a year. Migration 4 widens the column and its sequence, so the next id past 2^31 is
    taken, and a first sync's member pages have their index."""
    growing = ("entry", "event", "lot", "lot_move", "change", "flag", "audit")
    types = dict(hq_db.execute_sql(
        "SELECT table_name, data_type FROM information_schema.columns WHERE column_name = 'id'"
        " AND table_schema = current_schema() AND table_name = ANY(%s)", (list(growing),)).fetchall())
    assert types == {t: "bigint" for t in growing}
    hq_db.execute_sql("SELECT setval('change_id_seq', 2147483647)")
    with db.writing(hq_db):
        db.Change.insert(kind="program", key="p:1", data="{}", at=db.utcnow()).execute()
    assert db.Change.select(db.Change.id).scalar() == 2147483648
    assert "member_store_id_uuid" in index_names(hq_db)


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


def test_a_schema_4_database_gets_the_console_tables(hq_db: Any) -> None:
    """Migration 5 on a database of the previous release: its rows stay, the console's tables and
    columns appear empty (no staff: ``pos-hq staff add`` makes the first admin)."""
    undo_migration_5(hq_db)
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 4).execute()
    db.Store.create(id="S1", name="one", created_at=db.utcnow())
    assert db.migrate(hq_db) == db.schema_version()
    assert columns(hq_db, "staff") >= {"login", "password_hash", "role", "store_id", "failed_logins", "locked_until"}
    assert columns(hq_db, "terminal") >= {"app_version", "waiting", "clock_skew_s", "last_pull_at", "retired_at"}
    assert db.Staff.select().count() == 0
    assert [s.id for s in db.Store.select()] == ["S1"]


def test_a_schema_7_database_gets_the_product_catalogue(hq_db: Any) -> None:
    undo_migration_8(hq_db)
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 7).execute()
    db.Store.create(id="S1", name="one", created_at=db.utcnow())
    assert db.migrate(hq_db) == db.schema_version()
    assert columns(hq_db, "product") == {"sku", "barcode", "name", "category", "price_fen", "flags", "active",
                                         "updated_at"}
    assert db.Product.select().count() == 0 and [s.id for s in db.Store.select()] == ["S1"]


def test_a_schema_5_database_gets_the_entry_date_index(hq_db: Any) -> None:
    undo_migration_6(hq_db)
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 5).execute()
    assert "entry_business_date_store_id" not in index_names(hq_db)
    assert db.migrate(hq_db) == db.schema_version()
    assert "entry_business_date_store_id" in index_names(hq_db)


def test_a_schema_8_database_gets_the_name_index_and_its_daily_figures(hq_db: Any) -> None:
    """Migration 9 adds the name index and, on PostgreSQL, counts the entries already held into
    ``store_day``; from then on its triggers keep it in step with every insert and delete (a
    rolled-back insert leaves no trace)."""
    undo_migration_9(hq_db)
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 8).execute()
    assert "member_name_uuid" not in index_names(hq_db)
    rows = [("2026-11-01", "S1", "earn", 100), ("2026-11-01", "S1", "redeem", -30), ("2026-11-01", "S1", "return", 5),
            ("2026-11-02", "S1", "gift", -50), ("2026-11-01", "S2", "earn", 7)]
    for i, (day, store, kind, points) in enumerate(rows):
        insert_entry(i, day, store, kind, points)
    assert db.migrate(hq_db) == db.schema_version()
    assert "member_name_uuid" in index_names(hq_db)
    if not db.is_postgres(hq_db):
        return  # a SQLite headquarters counts its entries (no store_day: a trigger per row costs every push)
    assert store_days() == {("2026-11-01", "S1"): (100, 30, 3), ("2026-11-01", "S2"): (7, 0, 1),
                            ("2026-11-02", "S1"): (0, 50, 1)}
    insert_entry(10, "2026-11-02", "S1", "merge_in", 40)  # merges move points: not issued
    insert_entry(11, "2026-11-02", "S1", "earn", 8)
    with pytest.raises(RuntimeError), hq_db.atomic():
        insert_entry(12, "2026-11-03", "S1", "earn", 1000)
        raise RuntimeError("rolled back")
    db.Entry.delete().where(db.Entry.uuid == "e-0").execute()
    assert store_days() == {("2026-11-01", "S1"): (0, 30, 2), ("2026-11-01", "S2"): (7, 0, 1),
                            ("2026-11-02", "S1"): (8, 50, 3)}


def test_a_schema_9_database_gets_campaigns(hq_db: Any) -> None:
    """Migration 10: the campaign table (hq.campaigns), a version once per campaign."""
    undo_migration_10(hq_db)
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 9).execute()
    assert "campaign" not in hq_db.get_tables() and "entry_donate" not in index_names(hq_db)
    db.Store.create(id="S1", name="one", created_at=db.utcnow())
    assert db.migrate(hq_db) == db.schema_version()
    assert columns(hq_db, "campaign") == {"id", "campaign_id", "version", "kind", "source", "digest", "published_at",
                                          "published_by"}
    assert "entry_donate" in index_names(hq_db)
    row = {"campaign_id": "C1", "version": 1, "kind": "donation", "source": "", "digest": "d",
           "published_at": db.utcnow()}
    db.Campaign.create(**row)
    with pytest.raises(IntegrityError), hq_db.atomic():
        db.Campaign.create(**row)
    assert [s.id for s in db.Store.select()] == ["S1"]


def insert_entry(i: int, day: str, store: str, kind: str, points: int) -> None:
    db.Entry.insert(uuid=f"e-{i}", terminal_id=f"T-{store}", seq=i + 1, store_id=store, member_uuid="m-1", kind=kind,
                    points=points, tier_points=0, ref_type="sale", ref_no=f"R{i}", breakdown="{}",
                    created_at=f"{day}T10:00:00", business_date=day, recorded_at=f"{day}T10:00:00",
                    backdated=False, prev_hash="", hash=f"h{i}", effects="{}", received_at=db.utcnow()).execute()


def store_days() -> dict[tuple[str, str], tuple[int, int, int]]:
    rows = db.opened().execute_sql("SELECT business_date, store_id, issued, redeemed, entries FROM store_day")
    return {(day, store): (int(i), int(r), int(n)) for day, store, i, r, n in rows.fetchall() if n}


def test_a_migration_numbered_below_the_newest_applied_is_applied_not_skipped(hq_db: Any) -> None:
    """Helpers land migrations out of their numbers' order (12 before 10 and 11): a database
    migrated to 12 gets 10 and 11 when they come, by number, never skipped as 'older'."""
    newest = db.MIGRATIONS[-1][0]
    db.SchemaVersion.delete().where(db.SchemaVersion.version == newest).execute()
    db.SchemaVersion.create(version=newest + 5, applied_at=db.utcnow())  # as if a later one ran first
    ran: list[int] = []
    later = (newest + 5, "later", lambda _database: ran.append(newest + 5))
    db.MIGRATIONS.append(later)
    try:
        assert db.migrate(hq_db) == newest + 5
    finally:
        db.MIGRATIONS.remove(later)
    versions = {v.version for v in db.SchemaVersion.select()}
    assert newest in versions and ran == []  # the missing one applied, the applied one not again
    assert "reminder_sent" in hq_db.get_tables()
