"""Headquarters storage: peewee models on SQLite (default, no set-up) or PostgreSQL, and migrations.

``connect("sqlite:///path/hq.db")`` or ``connect("postgresql://user@host/db")`` opens the
database and brings its schema up to date. Models are bound to a ``DatabaseProxy``; one
HQ process serves one database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peewee import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CompositeKey,
    Database,
    DatabaseProxy,
    IntegerField,
    Model,
    PostgresqlDatabase,
    SqliteDatabase,
    TextField,
)
from playhouse.db_url import connect as url_connect

from pos_app.core.errors import DatabaseError, InvalidInput

proxy = DatabaseProxy()
HQ_CHAIN = "HQ"  # the terminal id of headquarters' own entries (expiry, overdrafts, awards, corrections)


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class Base(Model):
    class Meta:
        database = proxy
        legacy_table_names = False


class SchemaVersion(Base):
    version = IntegerField(primary_key=True)
    applied_at = TextField()


class Setting(Base):
    key = TextField(primary_key=True)
    value = TextField()


class Store(Base):
    id = TextField(primary_key=True)
    name = TextField()
    created_at = TextField()


class Terminal(Base):
    """A till (or a channel: a mini-program or website reporting behaviour awards)."""

    id = TextField(primary_key=True)
    store_id = TextField(index=True)
    kind = TextField(default="till")  # till | channel
    secret = TextField(null=True)  # hex; set at enrollment
    created_at = TextField()
    enrolled_at = TextField(null=True)
    last_seen_at = TextField(null=True)
    last_push_at = TextField(null=True)
    last_seq = BigIntegerField(default=0)
    last_hash = TextField(default="0" * 64)
    last_oid = BigIntegerField(default=0)
    active = BooleanField(default=True)
    # what the till reported of itself on its last pull (migration 5): the console's sync health
    app_version = TextField(null=True)
    waiting = BigIntegerField(null=True)  # outbox rows not yet acknowledged, as the till counted them
    clock_skew_s = IntegerField(null=True)  # the till's clock minus headquarters' (seconds) on that request
    last_pull_at = TextField(null=True)
    retired_at = TextField(null=True)  # retired for good (``active`` false and never again)


class EnrollmentCode(Base):
    code_hash = TextField(primary_key=True)  # sha256 of the code; the code itself is shown once
    terminal_id = TextField(index=True)
    created_at = TextField()
    expires_at = TextField()
    used_at = TextField(null=True)


class Nonce(Base):
    terminal_id = TextField()
    nonce = TextField()
    at = BigIntegerField(index=True)  # unix seconds

    class Meta:
        primary_key = CompositeKey("terminal_id", "nonce")


class Batch(Base):
    id = TextField(primary_key=True)  # the Idempotency-Key
    terminal_id = TextField(index=True)
    body_digest = TextField()
    response = TextField()  # the JSON answered the first time
    received_at = TextField()
    entries = IntegerField(default=0)


class Member(Base):
    uuid = TextField(primary_key=True)
    phone = TextField(null=True, index=True)
    name = TextField(default="")
    birthday = TextField(null=True)
    card_no = TextField(null=True, index=True)
    referrer_uuid = TextField(null=True)
    status = TextField(default="active")
    consent = BooleanField(default=False)
    store_id = TextField(default="")
    enrolled_at = TextField(default="")
    tier = TextField(default="normal")
    tier_since = TextField(default="")
    last_review = TextField(null=True)
    first_purchase_at = TextField(null=True)
    last_purchase_at = TextField(null=True)
    balance = BigIntegerField(default=0)
    debt = BigIntegerField(default=0)
    updated_at = TextField(default="")
    merged_into = TextField(null=True)  # the surviving member's uuid once merged (migration 5)

    class Meta:
        # (store_id, uuid): a first sync pages a store's members (migration 4); (name, uuid): a name
        # search, in code point order (migration 9: COLLATE "C" on PostgreSQL)
        indexes = ((("store_id", "uuid"), False), (("name", "uuid"), False))


class Entry(Base):
    """Every terminal's ledger entries and headquarters' own, as received (never changed)."""

    id = BigAutoField()
    uuid = TextField(unique=True)
    terminal_id = TextField()
    seq = BigIntegerField()
    store_id = TextField()  # not indexed: reports scan by date (migration 2)
    member_uuid = TextField(index=True)
    kind = TextField()
    points = BigIntegerField()
    tier_points = BigIntegerField(default=0)
    ref_type = TextField()
    ref_no = TextField()
    program_version = IntegerField(null=True)
    breakdown = TextField()
    created_at = TextField()
    business_date = TextField()
    recorded_at = TextField()
    backdated = BooleanField(default=False)
    staff_code = TextField(null=True)
    prev_hash = TextField()
    hash = TextField()
    effects = TextField()  # canonical JSON of core.replica.Effects.to_wire()
    received_at = TextField()
    batch_id = TextField(null=True)

    class Meta:
        # (business_date, store_id): the console's figures by date (migration 6, covering kind and points)
        indexes = ((("terminal_id", "seq"), True), (("business_date", "store_id"), False))


class Event(Base):
    """Outbox events (member, sale, refund, coupon, redemption, tier) as received."""

    id = BigAutoField()
    terminal_id = TextField()
    oid = BigIntegerField()
    store_id = TextField(index=True)
    kind = TextField()
    ref = TextField()
    payload = TextField()
    created_at = TextField()
    received_at = TextField()

    class Meta:
        indexes = ((("terminal_id", "oid"), True),)


class Lot(Base):
    id = BigAutoField()
    key = TextField(unique=True)  # core.replica lot key: the creating entry's uuid (#n)
    member_uuid = TextField(index=True)
    earned_on = TextField()
    expires_on = TextField(null=True, index=True)
    points = BigIntegerField()
    remaining = BigIntegerField()


class LotMove(Base):
    """Lot movements as headquarters applied them; only ``verify`` reads them, in whole-table
    joins, so they carry no index but the key (each one costs a push time, migration 2)."""

    id = BigAutoField()
    entry_uuid = TextField()
    lot_key = TextField()
    points = BigIntegerField()


class TierMonth(Base):
    member_uuid = TextField()
    month = TextField()
    points = BigIntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("member_uuid", "month")


class Change(Base):
    """The change feed terminals pull (see ``feed``). A change is for one *audience*: ``*`` every
    till, ``S:<store>`` the tills of a store (its home members, its gift stock), ``T:<terminal>``
    one till (members it subscribed to outside its home store). A till reads its three audiences
    in ``(txid, id)`` order: ``txid`` is the writing transaction's id on PostgreSQL (0 on SQLite,
    where writers are serialised, and for rows written before migration 3)."""

    id = BigAutoField()
    kind = TextField()
    key = TextField()
    store_id = TextField(null=True)  # None: for every store (kept for older readers; audience decides)
    data = TextField()
    at = TextField()
    audience = TextField(default="*")
    txid = BigIntegerField(default=0)
    member_uuid = TextField(null=True)  # the member a member-scoped change is about

    class Meta:
        indexes = ((("audience", "txid", "id"), False),)


class Subscription(Base):
    """A till holds a member outside its home store: it identified them (an online lookup, or a
    push of an entry for them). Changes about the member go to ``T:<terminal>`` while
    ``seen_at`` is within the program's replica window."""

    terminal_id = TextField()
    member_uuid = TextField(index=True)
    since = TextField()
    seen_at = TextField()

    class Meta:
        primary_key = CompositeKey("terminal_id", "member_uuid")


class Program(Base):
    program_id = TextField()
    version = IntegerField()
    digest = TextField()
    source = TextField()
    published_at = TextField()
    published_by = TextField(null=True)
    effective_on = TextField(null=True)  # the business date from which tills run it (None: at once)

    class Meta:
        indexes = ((("program_id", "version"), True),)


class GiftStock(Base):
    store_id = TextField()
    gift_code = TextField()
    stock = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("store_id", "gift_code")


class Revoked(Base):
    kind = TextField()  # card | member_qr
    value = TextField()
    reason = TextField()
    revoked_at = TextField()

    class Meta:
        primary_key = CompositeKey("kind", "value")


class Coupon(Base):
    code = TextField(primary_key=True)
    member_uuid = TextField(index=True)
    gift_code = TextField()
    value_fen = BigIntegerField(default=0)
    min_spend_fen = BigIntegerField(default=0)
    issued_at = TextField()
    issued_by = TextField()  # terminal id
    valid_until = TextField(null=True)
    used_at = TextField(null=True)
    used_receipt_no = TextField(null=True)
    used_by = TextField(null=True)  # terminal id


class Flag(Base):
    """The reconciliation report's rows: overdrafts, coupons used twice, double expiries ..."""

    id = BigAutoField()
    kind = TextField(index=True)
    store_id = TextField(null=True, index=True)
    terminal_id = TextField(null=True)
    member_uuid = TextField(null=True)
    ref = TextField()
    points = BigIntegerField(default=0)
    details = TextField(default="{}")
    at = TextField()
    # the console's reconciliation queue (migration 5): unresolved while resolved_at is None
    resolved_at = TextField(null=True)
    resolved_by = TextField(null=True)
    resolution = TextField(null=True)  # what was done: taken_back, written_off, merged, dismissed ...
    resolution_note = TextField(null=True)

    class Meta:
        indexes = ((("terminal_id",), False),)


class AwardClaim(Base):
    """A behaviour award reported by a channel, once per (channel, ref)."""

    channel = TextField()
    ref = TextField()
    member_uuid = TextField(index=True)
    award_id = TextField()
    entry_uuid = TextField()
    day = TextField()
    at = TextField()

    class Meta:
        primary_key = CompositeKey("channel", "ref")


class ReminderSent(Base):
    """An expiry reminder posted to the chain's notification service: once per lot and window
    (migration 12, ``hq.reminders``)."""

    lot_key = TextField()
    within_days = IntegerField()
    member_uuid = TextField(index=True)
    points = BigIntegerField()
    expires_on = TextField()
    batch = TextField()
    sent_at = TextField()

    class Meta:
        table_name = "reminder_sent"
        primary_key = CompositeKey("lot_key", "within_days")


class Audit(Base):
    id = BigAutoField()
    at = TextField()
    actor = TextField()
    action = TextField()
    ref = TextField()
    details = TextField(default="{}")


class Staff(Base):
    """A headquarters console user (not a till's cashier): admin, marketing, finance or store_manager."""

    id = AutoField()
    login = TextField(unique=True)
    name = TextField()
    role = TextField()
    store_id = TextField(null=True)  # a store manager's store
    password_hash = TextField()  # argon2id
    active = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = TextField(null=True)
    created_at = TextField()
    password_changed_at = TextField()
    last_login_at = TextField(null=True)


class ConsoleSession(Base):
    """A signed-in console browser. The cookie holds a random token; only its sha256 is kept here."""

    token_hash = TextField(primary_key=True)
    staff_id = IntegerField(index=True)
    csrf = TextField()  # the session's form token
    created_at = TextField()
    last_seen_at = TextField()
    expires_at = TextField()
    client = TextField()


class Approval(Base):
    """A change one person made and a second must approve (maker-checker): ``payload`` says what."""

    id = AutoField()
    kind = TextField()  # adjust, ...
    status = TextField(default="pending", index=True)  # pending | approved | rejected
    ref = TextField()  # what it is about (a member uuid)
    payload = TextField()
    made_by = TextField()
    made_at = TextField()
    checked_by = TextField(null=True)
    checked_at = TextField(null=True)
    note = TextField(default="")
    result = TextField(default="{}")


class SaleFact(Base):
    """What the program simulation reads of a sale event, written with it by ingest (migration 7):
    the member (NULL: none), the sale's time and business date, the points the till credited, what
    was paid with points and coupons, and the lines as a JSON array of ``[line_no, sku, category,
    qty, unit_price_fen, discount_fen, flags]`` (NULL: an old till's sale without lines)."""

    event_id = BigIntegerField(primary_key=True)
    store_id = TextField()
    member_uuid = TextField(null=True)
    at = TextField()
    business_date = TextField(index=True)
    credited = BigIntegerField()
    deduction_fen = BigIntegerField()
    lines = TextField(null=True)


class GiftStockMove(Base):
    """Every change of a store's gift stock from the console: received, transferred, counted."""

    id = BigAutoField()
    store_id = TextField()
    gift_code = TextField()
    kind = TextField()  # receive | transfer_in | transfer_out | count | set | redeem | cancel (a till's)
    qty = BigIntegerField()
    stock_after = BigIntegerField()
    ref = TextField(default="")
    at = TextField()
    actor = TextField()

    class Meta:
        indexes = ((("store_id", "gift_code", "id"), False),)


class Product(Base):
    """The chain's catalogue as headquarters last imported it (``hq.products``); the tills get
    every change by the feed."""

    sku = TextField(primary_key=True)
    barcode = TextField(null=True)
    name = TextField()
    category = TextField()
    price_fen = BigIntegerField()
    flags = TextField()  # comma-separated, as the tills store them
    active = BooleanField(default=True)
    updated_at = TextField()


class Campaign(Base):
    """A campaign version (``core.campaigns``: a donation drive, a lottery draw) as published
    (``hq.campaigns``); every till gets it by the feed (kind ``campaign``)."""

    campaign_id = TextField()
    version = IntegerField()
    kind = TextField()
    source = TextField()
    digest = TextField()
    published_at = TextField()
    published_by = TextField(null=True)

    class Meta:
        indexes = ((("campaign_id", "version"), True),)


MODELS: list[type[Base]] = [
    SchemaVersion, Setting, Store, Terminal, EnrollmentCode, Nonce, Batch, Member, Entry, Event, Lot, LotMove,
    TierMonth, Change, Subscription, Program, GiftStock, Revoked, Coupon, Flag, AwardClaim, Audit,
    Staff, ConsoleSession, Approval, GiftStockMove, SaleFact, Product, Campaign,
]


MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _run_sql(name: str) -> Callable[[Database], None]:
    """A migration frozen as SQL, one file per dialect (``NNNN_name.sqlite.sql``,
    ``NNNN_name.postgresql.sql``): a schema never follows today's models by accident."""
    def step(db: Database) -> None:
        dialect = "postgresql" if isinstance(db, PostgresqlDatabase) else "sqlite"
        text = (MIGRATIONS_DIR / f"{name}.{dialect}.sql").read_text(encoding="utf-8")
        for statement in _statements(text):
            db.execute_sql(statement)  # type: ignore[no-untyped-call]
    return step


def _statements(text: str) -> list[str]:
    """A migration's statements: each ends with a line ending in ``;`` outside a dollar-quoted
    body (a PostgreSQL function's ``$$ ... $$``, whose own lines end in ``;``); a trigger's body
    in SQLite ends on the line of its ``END;``. Lines starting with ``--`` are comments."""
    out: list[str] = []
    lines: list[str] = []
    quoted = False
    for line in text.splitlines():
        if line.startswith("--"):
            continue
        lines.append(line)
        quoted ^= line.count("$$") % 2 == 1
        if not quoted and line.rstrip().endswith(";"):
            out.append("\n".join(lines).rstrip().removesuffix(";"))
            lines = []
    rest = "\n".join(lines).strip()
    return [s for s in (*out, rest) if s.strip()]


def _drop_unused_indexes(db: Database) -> None:
    """Indexes no query uses, written on every push (benchmarks/bench_sync_push.py)."""
    for name in ("entry_store_id", "lot_move_entry_uuid", "lot_move_lot_key"):
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')  # type: ignore[no-untyped-call]


#: numbered schema migrations; each runs once, in a transaction, on both backends
MIGRATIONS: list[tuple[int, str, Callable[[Database], None]]] = [
    (1, "initial", _run_sql("0001_initial")),
    (2, "drop_unused_indexes", _drop_unused_indexes),
    (3, "partial_replica", _run_sql("0003_partial_replica")),
    (4, "wide_ids", _run_sql("0004_wide_ids")),
    (5, "console", _run_sql("0005_console")),
    (6, "entry_by_date", _run_sql("0006_entry_by_date")),
    (7, "sale_facts", _run_sql("0007_sale_facts")),
    (8, "products", _run_sql("0008_products")),
    (9, "console_figures", _run_sql("0009_console_figures")),
    (10, "campaigns", _run_sql("0010_campaigns")),
    (12, "reminders", _run_sql("0012_reminders")),
]


def schema_version() -> int:
    return MIGRATIONS[-1][0]


def migrate(db: Database) -> int:
    """Bring the schema up to date; refuses a database newer than this build."""
    with db.atomic():
        db.execute_sql('CREATE TABLE IF NOT EXISTS "schema_version"'  # type: ignore[no-untyped-call]
                       ' ("version" INTEGER NOT NULL PRIMARY KEY, "applied_at" TEXT NOT NULL)')
        applied = {row.version for row in SchemaVersion.select(SchemaVersion.version)}
        version = max(applied, default=0)
    if version > schema_version():
        raise DatabaseError("db", f"the headquarters database has schema {version}, newer than this"
                            f" program's {schema_version()}; install the newer release")
    # each migration not applied yet, by its number: one numbered below the newest applied (work
    # landed in another order than numbered: 12 before 10 and 11) is applied too, never skipped
    for number, _name, step in MIGRATIONS:
        if number in applied:
            continue
        with db.atomic():
            step(db)
            SchemaVersion.create(version=number, applied_at=utcnow())
    return schema_version()


def opened() -> Database:
    """The database this process serves (``connect`` opened it)."""
    database: Database | None = proxy.obj
    if database is None:
        raise InvalidInput("db", "the headquarters database is not open")
    return database


def audit(actor: str, action: str, ref: str, **details: Any) -> None:
    """One audit row, inside the caller's transaction."""
    Audit.create(at=utcnow(), actor=actor, action=action, ref=ref,
                 details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str))


def is_postgres(db: Database | None = None) -> bool:
    return isinstance(db or proxy.obj, PostgresqlDatabase)


#: PostgreSQL connections a headquarters process keeps (uvicorn's thread pool has 40 threads)
POOL_SIZE = 40


_PASSWORD_RE = re.compile(r"(://[^:/@\s]*:)([^@\s]*)@")


def redact(url: str, text: str | None = None) -> str:
    """``text`` (default: the URL itself) with the password of ``url`` replaced by ``***``: a
    database address is printed in errors and logs, its password never."""
    found = _PASSWORD_RE.search(url)
    out = url if text is None else text
    if found and found.group(2):
        out = out.replace(found.group(2), "***")
    return _PASSWORD_RE.sub(r"\1***@", out)


def connect(url: str) -> Database:
    """Open the HQ database named by ``url`` (``sqlite:///file`` or ``postgresql://...``),
    migrate it and bind the models. A plain path means a SQLite file."""
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    if url.startswith("sqlite:"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db: Database = SqliteDatabase(path, pragmas=(("journal_mode", "wal"), ("synchronous", 2),
                                                     ("busy_timeout", 10000), ("foreign_keys", 1)),
                                      check_same_thread=False)
    elif url.startswith(("postgresql://", "postgres://", "postgresql+", "postgresext://")):
        # pooled: every request takes a connection and gives it back; a new PostgreSQL
        # connection costs a process and cold catalog caches (a third of a push's time)
        scheme, rest = url.split("://", 1)
        if "+pool" not in scheme:
            url = f"{scheme.split('+')[0]}+pool://{rest}"
        try:
            db = url_connect(url, max_connections=POOL_SIZE, stale_timeout=300, timeout=30)
        except Exception as exc:  # a malformed URL
            raise InvalidInput("db", redact(url, f"cannot use {url!r}: {exc}")) from None
    else:
        raise InvalidInput("db", f"a sqlite:/// or postgresql:// address is required: {redact(url)!r}")
    proxy.initialize(db)
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:
        raise DatabaseError("db", redact(url, f"cannot open the headquarters database: {exc}")) from None
    migrate(db)
    return db


def close_pool(database: Database) -> None:
    """Close every connection a pooled database keeps (and this thread's)."""
    close_all = getattr(database, "close_all", None)
    if close_all is not None:
        close_all()
    elif not database.is_closed():
        database.close()


_write_lock = threading.Lock()


@contextmanager
def writing(db: Database) -> Iterator[None]:
    """A write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE via a
    process lock, since the HTTP server's threads share the file); on PostgreSQL it is a plain
    transaction (the feed is ordered by transaction ids, no lock: see ``feed``)."""
    if isinstance(db, SqliteDatabase):
        with _write_lock, db.atomic():
            yield
    else:
        with db.atomic():
            yield
