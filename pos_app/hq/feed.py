"""The change feed terminals pull: every change headquarters makes, numbered in commit order.

A terminal remembers the id of the last change it applied (its cursor) and asks for what
came after. That only works if no change with a smaller id can become visible after one
with a larger id: otherwise a terminal that already moved its cursor past it would never
see it. Ids come from the table's sequence when the row is inserted, so two transactions
could take ids 7 and 8 and commit 8 first. To prevent that, on PostgreSQL every
transaction that writes changes first takes one transaction-level advisory lock (held to
its commit): numbering and committing changes is therefore serialised, and ids become
visible in increasing order. On SQLite every write transaction is serialised already.

The lock is held from the first change written until the commit, so writers add their
changes at the END of their transaction: ``publish`` writes one change at once (taking
the lock), ``ChangeBuffer`` collects changes while a long transaction works (a push of
500 entries) and ``flush`` writes them all in one statement just before the commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from typing import Any

from pos_app.core.chain import HASHED_FIELDS, canonical_json
from pos_app.core.errors import InvalidInput
from pos_app.hq import db
from pos_app.sync import protocol

log = logging.getLogger(__name__)

#: the advisory lock that serialises writers of the change feed (any constant of our own)
FEED_LOCK = 0x504F5346  # "POSF"


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


def _lock() -> None:
    """Serialise change numbering up to this transaction's commit (PostgreSQL only)."""
    if db.is_postgres():
        db.proxy.obj.execute_sql("SELECT pg_advisory_xact_lock(%s)", (FEED_LOCK,))


class ChangeBuffer:
    """Changes collected during a transaction and written together by ``flush``."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, kind: str, key: str, data: dict[str, Any], *, store_id: str | None = None) -> None:
        if kind not in protocol.CHANGE_KINDS:
            raise ValueError(f"unknown change kind {kind!r}")
        self.rows.append({"kind": kind, "key": key, "store_id": store_id, "data": canonical_json(data)})

    def add_entry(self, entry_uuid: str) -> None:
        """An ``entry`` change by reference (stored data ``{"ref":"entry","uuid":...}``): the wire
        entry is read from the Entry row when pulled, so an entry is stored once and a push
        does not encode every entry a second time."""
        self.rows.append({"kind": "entry", "key": entry_uuid, "store_id": None,
                          "data": _ENTRY_REF + canonical_json(entry_uuid) + "}"})

    def flush(self) -> int:
        """Write the collected changes (inside the caller's transaction); returns how many."""
        if not self.rows:
            return 0
        _lock()
        at = db.utcnow()
        bulk_insert(db.Change, ("kind", "key", "store_id", "data", "at"),
                    [(r["kind"], r["key"], r["store_id"], r["data"], at) for r in self.rows])
        count = len(self.rows)
        self.rows = []
        return count


def publish(kind: str, key: str, data: dict[str, Any], *, store_id: str | None = None) -> None:
    """Add one change inside the caller's transaction (call it near the end: from here to
    the commit the feed lock is held on PostgreSQL). ``store_id`` None: for every store."""
    buf = ChangeBuffer()
    buf.add(kind, key, data, store_id=store_id)
    buf.flush()


def cursor_mark(change_id: int, kind: str, key: str, at: str) -> str:
    """What a till keeps with its cursor: the change it stopped at, in a few characters. If
    this database no longer has that very change (restored from a backup, replaced), the
    mark differs and the till starts the feed again instead of skipping the changes that now
    carry the ids it has passed."""
    return hashlib.sha256(f"{change_id}|{kind}|{key}|{at}".encode()).hexdigest()[:16]


def changes(*, store_id: str, cursor: int, limit: int, mark: str | None = None) -> dict[str, Any]:
    """The changes after ``cursor`` meant for ``store_id`` (its own and everybody's), oldest
    first, with the mark of the last one. With ``mark`` (the one given with ``cursor``) a
    cursor this feed does not know is answered ``restart``: nothing, start again from 0."""
    if not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < 0:
        raise InvalidInput("cursor", "a cursor of 0 or more is required")
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise InvalidInput("limit", "a whole number is required")
    limit = max(1, min(limit, protocol.MAX_PAGE))
    C = db.Change
    if cursor and mark:
        held = C.select(C.id, C.kind, C.key, C.at).where(C.id == cursor).tuples().first()
        if held is None or cursor_mark(*held) != mark:
            log.warning("a till's feed cursor %s is not this feed's (headquarters' database restored?):"
                        " it starts again from 0", cursor)
            return {"changes": [], "cursor": 0, "mark": None, "more": True, "restart": True, "hq_time": db.utcnow()}
    query: Any = (C.select(C.id, C.kind, C.key, C.data, C.at)
                  .where((C.id > cursor) & (C.store_id.is_null() | (C.store_id == store_id)))
                  .order_by(C.id)
                  .limit(limit + 1))
    rows: list[tuple[int, str, str, str, str]] = list(query.tuples())
    more = len(rows) > limit
    rows = rows[:limit]
    entries = _entries([key for _, kind, key, data, _ in rows if kind == "entry" and data.startswith(_ENTRY_REF)])
    return {
        "changes": [{"id": i, "kind": k, "data": entries[key] if k == "entry" and key in entries else json.loads(d)}
                    for i, k, key, d, _ in rows],
        "cursor": rows[-1][0] if rows else cursor,
        "mark": cursor_mark(rows[-1][0], rows[-1][1], rows[-1][2], rows[-1][4]) if rows else mark,
        "more": more,
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
_ENTRY_SELECT = "SELECT {} FROM entry WHERE uuid IN ({{marks}})".format(
    ", ".join(f'"{c}"' for c in (*HASHED_FIELDS, "hash", "effects")))


def _entries(uuids: list[str]) -> dict[str, dict[str, Any]]:
    """Wire entries (hashed fields, hash, effects) by uuid, for entry changes by reference."""
    out: dict[str, dict[str, Any]] = {}
    database = db.proxy.obj
    names = (*HASHED_FIELDS, "hash")
    for start in range(0, len(uuids), 500):
        part = uuids[start:start + 500]
        sql = _ENTRY_SELECT.format(marks=", ".join([database.param] * len(part)))
        for row in database.execute_sql(sql, part).fetchall():
            wire = dict(zip(names, row[:-1], strict=True))
            wire["backdated"] = bool(wire["backdated"])
            wire["effects"] = json.loads(row[-1])
            out[wire["uuid"]] = wire
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
    }


def publish_member(m: db.Member) -> None:
    publish("member", m.uuid, member_data(m))
