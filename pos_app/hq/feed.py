"""The change feed tills pull: what headquarters changes, for each till only what it holds.

**Audiences.** Every change is written for one audience (``db.Change.audience``): ``*`` every
till (programs, revocations, pushed settings), ``S:<store>`` the tills of one store (the
store's gift stock; the members whose home store it is, and their entries and coupons) and
``T:<terminal>`` one till (a member of another store the till subscribed to). A member-scoped
change (member record, entry, coupon) is written once for the member's home store and once
for every till outside that store holding a fresh subscription to the member (``seen_at``
within ``SUBSCRIPTION_KEEP_DAYS``): the *fan-out* in ``ChangeBuffer.flush``. A till reads its
three audiences only (three index range reads, merged), so its pull follows its own store's
work and its subscriptions, not the chain's.

**Subscriptions** (``db.Subscription``) are made and refreshed by an online lookup
(``subscribe``) and by a push: a till pushing an entry or event for a member of another store
subscribes to them (``subscribe_many``, before the push's changes are fanned out, so the
push's own changes reach it too). Serialisation between the two, so that no entry is missed
by a till that subscribes while another till pushes for the member: a lookup locks the
member's row (``FOR UPDATE`` on PostgreSQL) before it subscribes and reads the member's
entries; a push holds the member's row lock (``projection.Projection.load_members``, or
``FOR SHARE`` taken in ``flush`` for a member it did not load) before it reads the
subscriptions. Whichever comes second sees the other's work: the push's entries in the
lookup's answer, or the lookup's subscription in the push's fan-out. On SQLite writers are
serialised (``db.writing``).

**Order without a lock.** A till remembers where it stopped (its cursor) and asks for what
comes after, so no change may become visible behind a cursor already given out. Ids come
from a sequence at insert, so two transactions may take ids 7 and 8 and commit 8 first. On
PostgreSQL every change carries its writer's transaction id (``txid``, the column's default
``pg_current_xact_id()``); the feed is read in ``(txid, id)`` order and only rows with ``txid``
below the *horizon* are returned: the oldest transaction still running in the reading
statement's snapshot (``pg_snapshot_xmin(pg_current_snapshot())``), except that transactions
known to run in another database of the server are left out (``_HORIZON_SQL``; otherwise
any long writer elsewhere on a shared server would hold this feed back). Every transaction
below the horizon has committed or aborted, so that part of the feed is final and nothing
can appear behind it later. Writers never wait for each other (no advisory lock); a change
becomes readable once every transaction of this database that started before its writer
ended (a transaction left open for long holds the feed back, never loses a change). A pull
that finds changes of its audiences committed but not final yet waits for them a moment
(``FINAL_WAIT_SECONDS``). Rows written
before HQ migration 3 have txid 0 and come first, in id order. On SQLite writers are
serialised and txid is 0: the order is the id order.

The cursor is therefore the pair ``(txid, id)`` of the last change read; on the wire it is the
id alone when txid is 0 (an old till's integer cursor ``n`` is ``(0, n)``) and ``"txid.id"``
otherwise (see ``sync.protocol``).

**First sync by snapshot.** A till starting from cursor 0 (new, or told to restart) that asks
for it (``snapshot``) is answered the current state instead of the feed from the beginning:
the pushed global data in the first page, then its members (home store and fresh
subscriptions) page by page in uuid order, each with its record, every entry headquarters
holds of them and their coupons. The feed position to continue from (the *tail*) is taken
before the first page: on PostgreSQL the last change of the till's audiences below the
snapshot's xmin, so everything committed while the snapshot is read comes again in the tail
(applying a change twice is harmless). The snapshot's cursor ``"s.<txid>.<id>[.<uuid>]"``
carries the tail and the last member sent, so a till killed mid-snapshot resumes; the mark
given with it is the tail's, so a restored headquarters is noticed there too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pos_app.core.chain import HASHED_FIELDS, canonical_json
from pos_app.core.errors import InvalidInput
from pos_app.hq import db
from pos_app.sync import protocol

log = logging.getLogger(__name__)

#: a subscription not refreshed (lookup or push) for this long no longer gets the member's changes
SUBSCRIPTION_KEEP_DAYS = 30
#: how long a pull waits for changes committed but not final yet (see ``changes``); the
#: environment variable ``POS_HQ_FEED_WAIT`` (seconds) overrides it. Keep it below the tills'
#: request timeout (10 s).
FINAL_WAIT_SECONDS = 2.0
#: the change kinds that are about one member (fanned out to the member's audiences)
MEMBER_KINDS = frozenset({"member", "entry", "coupon"})


def bulk_insert(model: type[db.Base], cols: tuple[str, ...], rows: list[tuple[Any, ...]], *, suffix: str = "") -> None:
    """INSERT many rows in few statements, without building a query object per value (peewee's
    insert_many costs more than the database for a batch of 500 wide rows). PostgreSQL: pages
    of VALUES through psycopg2's ``execute_values``; SQLite: ``executemany`` (in-process)."""
    if not rows:
        return
    database = db.proxy.obj
    table = model._meta.table_name
    names = ", ".join(f'"{c}"' for c in cols)
    if db.is_postgres() and not suffix:
        _pg_copy(table, names, rows)
    elif db.is_postgres():
        pg_values(f'INSERT INTO "{table}" ({names}) VALUES {{values}} {suffix}', rows)
    else:
        marks = ", ".join("?" for _ in cols)
        database.cursor().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks}) {suffix}', rows)


def _copy_text(value: Any) -> str:
    """One value in COPY's text format (str.translate is slow on non-ASCII text: escape only
    what needs it)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy_line(row: tuple[Any, ...]) -> str:
    """A row in COPY's text format; the common case (no value to escape) without a call per value."""
    line = "\t".join(["\\N" if v is None else "t" if v is True else "f" if v is False else str(v) for v in row])
    if (line.count("\\") != row.count(None) or line.count("\t") != len(row) - 1 or "\n" in line
            or "\r" in line):
        line = "\t".join(map(_copy_text, row))
    return line + "\n"


def _pg_copy(table: str, names: str, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY in text format: the fastest way in for many rows (no statement to parse,
    no parameter conversion); runs inside the current transaction like any statement."""
    buf = io.StringIO("".join([_copy_line(row) for row in rows]))
    db.proxy.obj.cursor().copy_expert(f'COPY "{table}" ({names}) FROM STDIN', buf, size=1 << 22)


def pg_values(sql: str, rows: list[tuple[Any, ...]], *, page: int = 500) -> None:
    """Run ``sql`` (with ``{values}`` where the rows go) once per page of rows: one statement
    and one parameter conversion per page (psycopg2's execute_values converts row by row)."""
    cur = db.proxy.obj.cursor()
    row_marks = "(" + ",".join(["%s"] * len(rows[0])) + ")"
    for start in range(0, len(rows), page):
        part = rows[start:start + page]
        cur.execute(sql.format(values=",".join([row_marks] * len(part))), [v for r in part for v in r])


class ChangeBuffer:
    """Changes collected during a transaction and written together by ``flush``."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, kind: str, key: str, data: dict[str, Any], *, store_id: str | None = None,
            member_uuid: str | None = None) -> None:
        """One change. ``member_uuid``: the member it is about (a member record, entry or
        coupon; taken from the record or coupon when not given): fanned out at ``flush``.
        Otherwise ``store_id`` None is for every till, a store id for that store's tills."""
        if kind not in protocol.CHANGE_KINDS:
            raise ValueError(f"unknown change kind {kind!r}")
        if member_uuid is None and kind == "member":
            member_uuid = key
        elif member_uuid is None and kind == "coupon":
            member_uuid = data.get("member_uuid") or None
        self.rows.append({"kind": kind, "key": key, "store_id": store_id, "data": canonical_json(data),
                          "member_uuid": member_uuid})

    def add_entry(self, entry_uuid: str, member_uuid: str) -> None:
        """An ``entry`` change by reference (stored data ``{"ref":"entry","uuid":...}``): the wire
        entry is read from the Entry row when pulled, so an entry is stored once and a push
        does not encode every entry a second time."""
        self.rows.append({"kind": "entry", "key": entry_uuid, "store_id": None,
                          "data": _ENTRY_REF + canonical_json(entry_uuid) + "}", "member_uuid": member_uuid})

    def flush(self, *, locked: Iterable[str] = ()) -> int:
        """Write the collected changes (inside the caller's transaction), each member-scoped one
        once per audience of its member (see the module docstring); returns how many changes
        were collected. ``locked``: members whose rows this transaction holds locked already
        (the others are locked ``FOR SHARE`` first on PostgreSQL, before the subscriptions
        are read)."""
        if not self.rows:
            return 0
        targets = member_audiences({r["member_uuid"] for r in self.rows if r["member_uuid"]}, locked=locked)
        at = db.utcnow()
        out: list[tuple[Any, ...]] = []
        for r in self.rows:
            if r["member_uuid"]:
                audiences = targets.get(r["member_uuid"]) or ["*"]
            else:
                audiences = [f"S:{r['store_id']}" if r["store_id"] else "*"]
            for audience in audiences:
                out.append((r["kind"], r["key"], r["store_id"], r["data"], at, audience, r["member_uuid"]))
        bulk_insert(db.Change, ("kind", "key", "store_id", "data", "at", "audience", "member_uuid"), out)
        count = len(self.rows)
        self.rows = []
        return count


def keep_since(at: str | None = None) -> str:
    """The oldest ``seen_at`` of a subscription still served (``SUBSCRIPTION_KEEP_DAYS``)."""
    now = dt.datetime.fromisoformat(at) if at else dt.datetime.now(dt.UTC).replace(microsecond=0)
    return (now - dt.timedelta(days=SUBSCRIPTION_KEEP_DAYS)).isoformat()


def member_audiences(member_uuids: Iterable[str], *, locked: Iterable[str] = ()) -> dict[str, list[str]]:
    """For each member: ``S:<home store>`` and ``T:<till>`` for every till outside that store
    with a fresh subscription (one query per 500 members). A member headquarters has no
    record of (or no home store) is absent: its changes go to every till."""
    uuids = sorted(set(member_uuids))
    if not uuids:
        return {}
    database = db.proxy.obj
    held = set(locked)
    if db.is_postgres() and any(u not in held for u in uuids):
        # a lookup subscribes under the member's row lock: hold it before reading subscriptions
        for start in range(0, len(uuids), 500):
            part = [u for u in uuids[start:start + 500] if u not in held]
            if part:
                database.execute_sql("SELECT uuid FROM member WHERE uuid IN ({}) ORDER BY uuid FOR SHARE".format(
                    ", ".join(["%s"] * len(part))), part).fetchall()
    since = keep_since()
    out: dict[str, list[str]] = {}
    for start in range(0, len(uuids), 500):
        part = uuids[start:start + 500]
        marks = ", ".join([database.param] * len(part))
        rows = database.execute_sql(
            "SELECT m.uuid, m.store_id, s.terminal_id, t.store_id FROM member m"
            f" LEFT JOIN subscription s ON s.member_uuid = m.uuid AND s.seen_at >= {database.param}"
            " LEFT JOIN terminal t ON t.id = s.terminal_id"
            f" WHERE m.uuid IN ({marks})", [since, *part]).fetchall()
        for member_uuid, home, terminal_id, terminal_store in rows:
            if not home:
                continue
            audiences = out.setdefault(member_uuid, [f"S:{home}"])
            if terminal_id and terminal_store != home and f"T:{terminal_id}" not in audiences:
                audiences.append(f"T:{terminal_id}")
    return out


def subscribe_many(terminal_id: str, member_uuids: Iterable[str], *, at: str) -> None:
    """Subscribe ``terminal_id`` to members (new, or ``seen_at`` refreshed), in one statement
    per 500 members, inside the caller's transaction."""
    rows = [(terminal_id, u, at, at) for u in sorted(set(member_uuids))]
    bulk_insert(db.Subscription, ("terminal_id", "member_uuid", "since", "seen_at"), rows,
                suffix="ON CONFLICT (terminal_id, member_uuid) DO UPDATE SET seen_at = excluded.seen_at")


def subscribe(terminal_id: str, member_uuid: str, *, at: str) -> None:
    """The till identified the member (an online lookup): it gets the member's changes from now
    on, for ``SUBSCRIPTION_KEEP_DAYS`` after ``at`` (headquarters' UTC time, ``db.utcnow``).
    The caller locks the member's row first (``FOR UPDATE`` on PostgreSQL) and reads the
    member's entries after this, in the same transaction (see the module docstring)."""
    subscribe_many(terminal_id, [member_uuid], at=at)


def publish(kind: str, key: str, data: dict[str, Any], *, store_id: str | None = None,
            member_uuid: str | None = None) -> None:
    """Add one change inside the caller's transaction. ``store_id`` None: for every store;
    a member-scoped change goes to its member's audiences (``ChangeBuffer.add``)."""
    buf = ChangeBuffer()
    buf.add(kind, key, data, store_id=store_id, member_uuid=member_uuid)
    buf.flush()


def cursor_mark(change_id: int, kind: str, key: str, at: str) -> str:
    """What a till keeps with its cursor: the change it stopped at, in a few characters. If
    this database no longer has that very change (restored from a backup, replaced), the
    mark differs and the till starts the feed again instead of skipping the changes that now
    carry the ids it has passed."""
    return hashlib.sha256(f"{change_id}|{kind}|{key}|{at}".encode()).hexdigest()[:16]


# -- cursors ----------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Position:
    """A place in the feed: the ``(txid, id)`` of the last change read."""

    txid: int = 0
    id: int = 0

    def wire(self) -> int | str:
        return self.id if self.txid == 0 else f"{self.txid}.{self.id}"


@dataclass(frozen=True)
class SnapshotPosition:
    """Part way through a snapshot: the feed position to continue from afterwards, and the
    last member sent (None: the global data went, no member yet)."""

    tail: Position
    after: str | None = None

    def wire(self) -> str:
        text = f"s.{self.tail.txid}.{self.tail.id}"
        return text if self.after is None else f"{text}.{self.after}"


_NUM = r"(0|[1-9][0-9]{0,18})"
_POSITION_RE = re.compile(rf"^{_NUM}(?:\.{_NUM})?$")
_SNAPSHOT_RE = re.compile(rf"^s\.{_NUM}\.{_NUM}(?:\.([A-Za-z0-9-]{{1,64}}))?$")


def parse_cursor(value: object) -> Position | SnapshotPosition:
    """A cursor as a till sends it: ``n`` (an id: ``(0, n)``, what older tills hold),
    ``"txid.id"``, or a snapshot's ``"s.txid.id[.uuid]"``."""
    if isinstance(value, Position | SnapshotPosition):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise InvalidInput("cursor", "a cursor of 0 or more is required")
        return Position(0, value)
    text = value if isinstance(value, str) else ""
    if m := _POSITION_RE.match(text):
        return Position(int(m[1]), int(m[2])) if m[2] is not None else Position(0, int(m[1]))
    if m := _SNAPSHOT_RE.match(text):
        return SnapshotPosition(Position(int(m[1]), int(m[2])), m[3])
    raise InvalidInput("cursor", "a cursor as headquarters gave it is required (0, n, txid.n or s.txid.n[.uuid])")


def audiences(store_id: str, terminal_id: str | None) -> list[str]:
    """What a till reads: everybody's, its store's and its own."""
    return ["*", f"S:{store_id}", *([f"T:{terminal_id}"] if terminal_id else [])]


#: The feed's horizon on PostgreSQL, one value in SQL: the lowest transaction id (xid8 as a
#: number) still running in the statement's snapshot, leaving out transactions known to belong
#: to another database of the server (a ``pg_stat_activity`` row of another database shows that
#: xid; a transaction writes in one database only), else the snapshot's xmax. A transaction
#: whose database is not known (its backend not visible to this role, a prepared one) counts
#: as ours: the horizon only errs low, never past a running writer of this database.
_HORIZON_SQL = (
    "(SELECT LEAST(pg_snapshot_xmax(s.snap)::text::bigint,"
    " (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s.snap) AS x"
    "  WHERE mod(x::text::bigint, 4294967296) NOT IN ("
    "   SELECT backend_xid::text::bigint FROM pg_stat_activity WHERE backend_xid IS NOT NULL"
    "   AND datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database()))))"
    " FROM (SELECT pg_current_snapshot() AS snap) AS s)")


def _horizon() -> str:
    """SQL for the first transaction id possibly unfinished in this database (PostgreSQL):
    rows of lower txid are final."""
    return _HORIZON_SQL


def _mark_of(pos: Position) -> str | None:
    if pos.id == 0:
        return None
    C = db.Change
    held = C.select(C.id, C.kind, C.key, C.at, C.txid).where(C.id == pos.id).tuples().first()
    if held is None or int(held[4]) != pos.txid:
        return None
    return cursor_mark(*held[:4])


def _known(pos: Position, mark: str | None) -> bool:
    """Whether this feed holds the change the till's ``mark`` fingerprints at ``pos``."""
    return not (pos.id and mark) or _mark_of(pos) == mark


def _restart() -> dict[str, Any]:
    return {"changes": [], "cursor": 0, "mark": None, "more": True, "restart": True, "hq_time": db.utcnow()}


# -- reading ------------------------------------------------------------------------------------------


def page(*, store_id: str, terminal_id: str | None, cursor: object, limit: int, mark: str | None = None,
         snapshot: bool = False) -> dict[str, Any]:
    """What ``GET /v1/changes`` answers: the feed after ``cursor`` (``changes``), or with
    ``snapshot`` and cursor 0, or a snapshot's cursor, the next page of a snapshot."""
    pos = parse_cursor(cursor)
    if isinstance(pos, SnapshotPosition):
        return snapshot_page(store_id=store_id, terminal_id=terminal_id, cursor=pos, limit=limit, mark=mark)
    if snapshot and pos == Position():
        return snapshot_page(store_id=store_id, terminal_id=terminal_id, cursor=None, limit=limit)
    return changes(store_id=store_id, terminal_id=terminal_id, cursor=pos, limit=limit, mark=mark)


def _limit(limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise InvalidInput("limit", "a whole number is required")
    return max(1, min(limit, protocol.MAX_PAGE))


def _wait_final(audience_list: list[str], after: Position) -> bool:
    """PostgreSQL: when changes of these audiences are committed but not final yet (a
    transaction older than their writer still runs, on any database of the server), wait up
    to ``FINAL_WAIT_SECONDS`` for them to become final, so a pull right after another till's
    push sees it. Returns whether there is something new to read."""
    if not db.is_postgres():
        return False
    database = db.proxy.obj
    one = ('SELECT 1 FROM "change" WHERE audience = %s AND (txid, id) > (%s, %s)'
           f" AND txid >= {_horizon()} LIMIT 1")
    sql = " UNION ALL ".join(f"SELECT * FROM ({one}) AS a{n}" for n in range(len(audience_list)))
    params = [v for a in audience_list for v in (a, after.txid, after.id)]
    if not database.execute_sql(sql, params).fetchall():
        return False
    top = database.execute_sql(
        " UNION ALL ".join(['SELECT max(txid) FROM "change" WHERE audience = %s'] * len(audience_list)),
        audience_list).fetchall()
    last = max(int(t[0] or 0) for t in top)
    return wait_final(_final_wait(), above=last)


def _final_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("POS_HQ_FEED_WAIT", FINAL_WAIT_SECONDS)))
    except ValueError:
        return FINAL_WAIT_SECONDS


def wait_final(timeout: float, *, above: int | None = None) -> bool:
    """PostgreSQL: wait up to ``timeout`` seconds until every transaction that wrote changes so
    far (``above``: up to that txid; default: every transaction running now) has ended, so
    its changes are final and readable. Returns whether they are (always so on SQLite)."""
    if not db.is_postgres():
        return True
    database = db.proxy.obj
    if above is None:
        above = int(database.execute_sql("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
                    .fetchone()[0]) - 1
    deadline = time.monotonic() + timeout
    while True:
        if int(database.execute_sql(f"SELECT {_horizon()}").fetchone()[0]) > above:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def read_rows(audience_list: list[str], after: Position, limit: int) -> list[tuple[Any, ...]]:
    """At most ``limit`` changes of ``audience_list`` after ``after`` in ``(txid, id)`` order
    (``id, kind, key, data, at, txid``): one index range read per audience, merged. On
    PostgreSQL only final rows (txid below the oldest running transaction)."""
    database = db.proxy.obj
    p = database.param
    final = f" AND txid < {_horizon()}" if db.is_postgres() else ""
    one = (f'SELECT id, kind, key, data, at, txid FROM "change" WHERE audience = {p}'
           f" AND (txid, id) > ({p}, {p}){final} ORDER BY txid, id LIMIT {p}")
    parts = " UNION ALL ".join(f"SELECT * FROM ({one}) AS a{n}" for n in range(len(audience_list)))
    params: list[Any] = []
    for audience in audience_list:
        params += [audience, after.txid, after.id, limit]
    sql = f"SELECT id, kind, key, data, at, txid FROM ({parts}) AS u ORDER BY txid, id LIMIT {p}"
    return list(database.execute_sql(sql, [*params, limit]).fetchall())


def changes(*, store_id: str, cursor: object, limit: int, mark: str | None = None,
            terminal_id: str | None = None) -> dict[str, Any]:
    """The changes after ``cursor`` for a till of ``store_id`` (``terminal_id``: and its own),
    oldest first, with the mark of the last one. With ``mark`` (the one given with ``cursor``)
    a cursor this feed does not know is answered ``restart``: nothing, start again from 0."""
    pos = parse_cursor(cursor)
    if isinstance(pos, SnapshotPosition):
        raise InvalidInput("cursor", "a snapshot's cursor is read with page()")
    limit = _limit(limit)
    if not _known(pos, mark):
        log.warning("a till's feed cursor %s is not this feed's (headquarters' database restored?):"
                    " it starts again from 0", pos.wire())
        return _restart()
    mine = audiences(store_id, terminal_id)
    rows = read_rows(mine, pos, limit + 1)
    if len(rows) <= limit and _wait_final(mine, pos):
        rows = read_rows(mine, pos, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    entries = _entries([key for _, kind, key, data, _, _ in rows if kind == "entry" and data.startswith(_ENTRY_REF)])
    last = Position(int(rows[-1][5]), int(rows[-1][0])) if rows else pos
    return {
        "changes": [{"id": i, "kind": k, "data": entries[key] if k == "entry" and key in entries else json.loads(d)}
                    for i, k, key, d, _, _ in rows],
        "cursor": last.wire(),
        "mark": cursor_mark(rows[-1][0], rows[-1][1], rows[-1][2], rows[-1][4]) if rows else mark,
        "more": more,
        "hq_time": db.utcnow(),
    }


# -- the snapshot of a first sync -------------------------------------------------------------------------


def _tail(store_id: str, terminal_id: str | None) -> Position:
    """Where the feed continues after a snapshot read from now on: nothing committed after
    this moment is behind it (see the module docstring)."""
    database = db.proxy.obj
    if not db.is_postgres():  # writers are serialised: the last id is the end
        top = database.execute_sql('SELECT max(id) FROM "change"').fetchone()[0]
        return Position(0, int(top or 0))
    horizon = int(database.execute_sql(f"SELECT {_horizon()}").fetchone()[0])
    best = Position(horizon, 0)
    found: list[Position] = []
    for audience in audiences(store_id, terminal_id):
        row = database.execute_sql(
            'SELECT txid, id FROM "change" WHERE audience = %s AND txid < %s ORDER BY txid DESC, id DESC LIMIT 1',
            (audience, horizon)).fetchone()
        if row is not None:
            found.append(Position(int(row[0]), int(row[1])))
    return max(found) if found else best


def _globals(store_id: str) -> list[dict[str, Any]]:
    """The data every till holds whatever its members: programs, its store's gift stock,
    revocations, the pushed settings, campaigns and the product catalogue, as changes (the catalogue
    whole, in the first page: a few MB for 100,000 products)."""
    out: list[dict[str, Any]] = []
    for p in db.Program.select().order_by(db.Program.version):
        program: dict[str, Any] = {"program_id": p.program_id, "version": int(p.version), "source": p.source}
        if p.effective_on:
            program["effective_on"] = p.effective_on
        out.append({"id": 0, "kind": "program", "data": program})
    G = db.GiftStock
    for g in G.select().where(G.store_id == store_id).order_by(G.gift_code):
        out.append({"id": 0, "kind": "gift_stock",
                    "data": {"store_id": g.store_id, "gift_code": g.gift_code, "stock": int(g.stock)}})
    R = db.Revoked
    for r in R.select().order_by(R.revoked_at, R.kind, R.value):
        out.append({"id": 0, "kind": "revoked",
                    "data": {"kind": r.kind, "value": r.value, "reason": r.reason, "revoked_at": r.revoked_at}})
    S = db.Setting
    for setting in S.select().where(S.key.in_(list(protocol.PUSHED_SETTINGS))).order_by(S.key):
        out.append({"id": 0, "kind": "setting", "data": {"key": setting.key, "value": setting.value}})
    from pos_app.hq import campaigns
    from pos_app.hq.products import all_wire

    out += [{"id": 0, "kind": "campaign", "data": c} for c in campaigns.all_wire()]
    out += [{"id": 0, "kind": "product", "data": p} for p in all_wire()]
    return out


def snapshot_page(*, store_id: str, terminal_id: str | None, cursor: SnapshotPosition | None, limit: int,
                  mark: str | None = None) -> dict[str, Any]:
    """One page of a first sync's snapshot (``cursor`` None: the first). About ``limit``
    changes: whole members (record, entries, coupons), at least one per page."""
    from pos_app.hq.events import coupon_data

    limit = _limit(limit)
    if cursor is None:
        tail, after, items = _tail(store_id, terminal_id), None, _globals(store_id)
    elif not _known(cursor.tail, mark):
        log.warning("a till's snapshot cursor %s is not this feed's: it starts again from 0", cursor.wire())
        return _restart()
    else:
        tail, after, items = cursor.tail, cursor.after, []
    database = db.proxy.obj
    p = database.param
    cols = ", ".join(f'"{c}"' for c in MEMBER_COLUMNS)
    # two ordered index reads merged, not one query with OR: PostgreSQL answers
    # "store_id = ? OR uuid IN (subscribed)" ORDER BY uuid by walking every member of the chain
    # in uuid order (441 ms a page with 2 M members, benchmarks figure 14); each branch here is a
    # range of an index (member (store_id, uuid), migration 4; subscription's key) and LIMITed
    later = f" AND uuid > {p}" if after is not None else ""
    branches = [f"SELECT {cols} FROM member WHERE store_id = {p}{later} ORDER BY uuid LIMIT {p}"]
    params: list[Any] = [store_id, *([after] if after is not None else []), limit]
    if terminal_id:
        branches.append(
            f"SELECT {cols} FROM member WHERE uuid IN (SELECT member_uuid FROM subscription WHERE terminal_id = {p}"
            f" AND seen_at >= {p}{later.replace('uuid', 'member_uuid')}) AND store_id <> {p} ORDER BY uuid LIMIT {p}")
        params += [terminal_id, keep_since(), *([after] if after is not None else []), store_id, limit]
    union = " UNION ALL ".join(f"SELECT * FROM ({b}) AS part{i}" for i, b in enumerate(branches))
    members = [MemberRow(tuple(r)) for r in database.execute_sql(
        f"{union} ORDER BY uuid LIMIT {p}", [*params, limit]).fetchall()]
    entries: dict[str, list[dict[str, Any]]] = {}
    coupons: dict[str, list[dict[str, Any]]] = {}
    if members:
        uuids = [m.uuid for m in members]
        for wire in _member_entries(uuids):
            entries.setdefault(wire["member_uuid"], []).append(wire)
        C = db.Coupon
        for c in C.select().where(C.member_uuid.in_(uuids)).order_by(C.code):
            coupons.setdefault(c.member_uuid, []).append(coupon_data(c))
    sent = 0
    last: str | None = after
    for m in members:
        if sent and len(items) >= limit:
            break
        items.append({"id": 0, "kind": "member", "data": member_data(m)})
        items += [{"id": 0, "kind": "entry", "data": e} for e in entries.get(m.uuid, [])]
        items += [{"id": 0, "kind": "coupon", "data": c} for c in coupons.get(m.uuid, [])]
        sent += 1
        last = m.uuid
    done = sent == len(members) and len(members) < limit
    return {
        "changes": items,
        "cursor": tail.wire() if done else SnapshotPosition(tail, last).wire(),
        "mark": _mark_of(tail),
        "more": True,
        "snapshot": True,
        "hq_time": db.utcnow(),
    }


#: every column of ``db.Member``, in the model's order
MEMBER_COLUMNS: tuple[str, ...] = tuple(db.Member._meta.sorted_field_names)


class MemberRow:
    """A member read as a plain row: what a push holds in memory for hundreds of members at
    once (a peewee model instance per row costs more than the query)."""

    __slots__ = MEMBER_COLUMNS
    uuid: str
    phone: str | None
    name: str
    birthday: str | None
    card_no: str | None
    referrer_uuid: str | None
    status: str
    consent: bool
    store_id: str
    enrolled_at: str
    tier: str
    tier_since: str
    last_review: str | None
    first_purchase_at: str | None
    last_purchase_at: str | None
    balance: int
    debt: int
    updated_at: str
    merged_into: str | None

    def __init__(self, values: tuple[Any, ...] | None = None, **fields: Any) -> None:
        if values is None:
            values = tuple(_MEMBER_DEFAULTS[c] for c in MEMBER_COLUMNS)
        for name, value in zip(MEMBER_COLUMNS, values, strict=True):
            setattr(self, name, value)
        for name, value in fields.items():
            setattr(self, name, value)

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, c) for c in MEMBER_COLUMNS)


_MEMBER_DEFAULTS: dict[str, Any] = {
    name: (field.default() if callable(field.default) else field.default)
    for name, field in db.Member._meta.fields.items()
}


_ENTRY_REF = '{"ref":"entry","uuid":'
_ENTRY_NAMES = (*HASHED_FIELDS, "hash")
_ENTRY_SELECT = "SELECT {} FROM entry WHERE {{where}} ({{marks}})".format(
    ", ".join(f'"{c}"' for c in (*HASHED_FIELDS, "hash", "effects")))


def _wire(row: tuple[Any, ...]) -> dict[str, Any]:
    wire = dict(zip(_ENTRY_NAMES, row[:len(_ENTRY_NAMES)], strict=True))
    wire["backdated"] = bool(wire["backdated"])
    wire["effects"] = json.loads(row[len(_ENTRY_NAMES)])
    return wire


def _entries(uuids: list[str]) -> dict[str, dict[str, Any]]:
    """Wire entries (hashed fields, hash, effects) by uuid, for entry changes by reference."""
    out: dict[str, dict[str, Any]] = {}
    database = db.proxy.obj
    for start in range(0, len(uuids), 500):
        part = uuids[start:start + 500]
        sql = _ENTRY_SELECT.format(where="uuid IN", marks=", ".join([database.param] * len(part)))
        for row in database.execute_sql(sql, part).fetchall():
            wire = _wire(row)
            out[wire["uuid"]] = wire
    return out


def _member_entries(member_uuids: list[str]) -> list[dict[str, Any]]:
    """Every entry headquarters holds of these members, as wire entries, in the order received."""
    out: list[dict[str, Any]] = []
    database = db.proxy.obj
    for start in range(0, len(member_uuids), 500):
        part = member_uuids[start:start + 500]
        sql = _ENTRY_SELECT.format(where="member_uuid IN", marks=", ".join([database.param] * len(part)))
        out += [_wire(row) for row in database.execute_sql(sql + " ORDER BY id", part).fetchall()]
    return out


def member_data(m: db.Member | MemberRow) -> dict[str, Any]:
    """The full member record headquarters holds, as sent in a ``member`` change."""
    return {
        "uuid": m.uuid, "phone": m.phone, "name": m.name, "birthday": m.birthday, "card_no": m.card_no,
        "referrer_uuid": m.referrer_uuid, "status": m.status, "consent": bool(m.consent),
        "store_id": m.store_id, "enrolled_at": m.enrolled_at, "tier": m.tier, "tier_since": m.tier_since,
        "last_review": m.last_review, "first_purchase_at": m.first_purchase_at,
        "last_purchase_at": m.last_purchase_at, "balance": int(m.balance), "debt": int(m.debt),
        "updated_at": m.updated_at,
        # a merged member (``hq.merge``) goes out frozen (what a till of an older build knows)
        # with the member it was merged into, which a current till follows
        **({"status": "frozen", "merged_into": m.merged_into} if m.merged_into else {}),
    }


def publish_member(m: db.Member) -> None:
    publish("member", m.uuid, member_data(m), member_uuid=m.uuid)
