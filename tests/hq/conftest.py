"""Headquarters fixtures: a fresh HQ database (SQLite file or a new PostgreSQL database),
terminals registered at HQ, hash-chained wire entries built by hand (``Till``) and wire
batches exported from a real terminal database (``export_outbox``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid as uuid_mod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.chain import GENESIS_HASH, canonical_json, entry_hash
from pos_app.hq import db, ingest

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


@pytest.fixture(params=["sqlite", "postgresql"])
def hq_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """The HQ database, connected and migrated. PostgreSQL unreachable: the test fails."""
    if request.param == "sqlite":
        database = db.connect(f"sqlite:///{tmp_path / 'hq.db'}")
        yield database
        database.close()
        return
    import psycopg2

    name = f"hq_test_{secrets.token_hex(6)}"
    admin = psycopg2.connect(PG_ADMIN_DSN)  # raises (test error) when the server is not there
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        database = db.connect(f"postgresql://postgres@127.0.0.1:5432/{name}")
        try:
            yield database
        finally:
            database.close()
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def register(terminal_id: str, store_id: str) -> db.Terminal:
    """A till known to HQ (enrollment is not this module's business)."""
    db.Store.insert(id=store_id, name=store_id, created_at=db.utcnow()).on_conflict_ignore().execute()
    return db.Terminal.create(id=terminal_id, store_id=store_id, created_at=db.utcnow(), enrolled_at=db.utcnow())


def digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def push(term: db.Terminal, body: dict[str, Any], *, key: str | None = None) -> dict[str, Any]:
    return ingest.push(term, body, body_digest=digest(body), idempotency_key=key or body["batch_id"])


def batch(terminal_id: str, store_id: str, entries: list[dict[str, Any]],
          events: list[dict[str, Any]] | None = None, batch_id: str | None = None) -> dict[str, Any]:
    return {"protocol": 1, "store_id": store_id, "terminal_id": terminal_id,
            "batch_id": batch_id or f"b-{secrets.token_hex(8)}", "entries": entries, "events": events or []}


class Till:
    """A terminal's chain built by hand: wire entries with correct seq, prev_hash and hash."""

    def __init__(self, terminal_id: str, store_id: str) -> None:
        self.terminal_id = terminal_id
        self.store_id = store_id
        self.seq = 0
        self.prev = GENESIS_HASH
        self.oid = 0

    def entry(self, member_uuid: str, kind: str, points: int, *, new: list[list[Any]] | None = None,
              back: list[list[Any]] | None = None, taken: list[list[Any]] | None = None,
              day: str = "2026-11-03", tier_points: int = 0) -> dict[str, Any]:
        self.seq += 1
        self.oid += 1
        fields: dict[str, Any] = {
            "uuid": str(uuid_mod.uuid4()), "terminal_id": self.terminal_id, "seq": self.seq,
            "member_uuid": member_uuid, "kind": kind, "points": points, "tier_points": tier_points,
            "ref_type": "test", "ref_no": f"{self.terminal_id}-{self.seq}", "program_version": 1,
            "breakdown": canonical_json({"points": points}), "created_at": f"{day}T10:00:00",
            "business_date": day, "recorded_at": f"{day}T10:00:00", "backdated": False,
            "staff_code": "1001", "prev_hash": self.prev,
        }
        fields["hash"] = entry_hash(fields)
        self.prev = fields["hash"]
        fields["effects"] = {"new": new or [], "back": back or [], "taken": taken or []}
        return fields

    def earn(self, member_uuid: str, points: int, *, day: str = "2026-11-03", expires: str | None = "2028-11-30",
             tier_points: int = 0) -> dict[str, Any]:
        return self.entry(member_uuid, "earn", points, new=[[day, expires, points]], day=day, tier_points=tier_points)

    def event(self, kind: str, ref: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.oid += 1
        return {"oid": self.oid, "kind": kind, "ref": ref, "payload": payload, "created_at": "2026-11-03T10:00:00"}

    def batch(self, entries: list[dict[str, Any]], events: list[dict[str, Any]] | None = None,
              batch_id: str | None = None) -> dict[str, Any]:
        return batch(self.terminal_id, self.store_id, entries, events, batch_id)


def member_event(till: Till, member_uuid: str, *, phone: str, card_no: str, name: str = "张三") -> dict[str, Any]:
    return till.event("member", member_uuid, {
        "uuid": member_uuid, "phone": phone, "name": name, "birthday": None, "card_no": card_no,
        "status": "active", "tier": "normal", "store_id": till.store_id, "enrolled_at": "2026-11-03T10:00:00",
        "consent": True, "first_purchase_at": None, "last_purchase_at": None, "referrer_uuid": None,
    })


# -- a real terminal's outbox, as the sync worker would send it ----------------------------------------


def _lot_keys(database: Any) -> dict[int, tuple[int, str]]:
    """lot id -> (creating entry id, key): the entry's uuid, '#n' for its n-th further lot."""
    keys: dict[int, tuple[int, str]] = {}
    count: dict[int, int] = {}
    rows = database.execute(
        "SELECT l.id, l.entry_id, e.uuid FROM lot l JOIN ledger_entry e ON e.id = l.entry_id ORDER BY l.id").fetchall()
    for lot_id, entry_id, entry_uuid in rows:
        n = count.get(entry_id, 0)
        count[entry_id] = n + 1
        keys[lot_id] = (entry_id, entry_uuid if n == 0 else f"{entry_uuid}#{n}")
    return keys


def export_outbox(database: Any, *, after_oid: int = 0) -> list[tuple[int, str, dict[str, Any]]]:
    """The terminal's outbox after ``after_oid`` in order: (oid, "entry" | "event", wire dict).

    Effects come from the local lot tables: a credit's new lots and the points it put back
    into lots of other entries, a debit's points taken (test-only twin of the terminal's export).
    """
    keys = _lot_keys(database)
    new: dict[int, list[list[Any]]] = {}
    for lot_id, entry_id, earned, expires, points in database.execute(
            "SELECT id, entry_id, earned_on, expires_on, points FROM lot ORDER BY id").fetchall():
        assert keys[lot_id][0] == entry_id
        new.setdefault(entry_id, []).append([earned, expires, points])
    moves: dict[int, list[tuple[int, int]]] = {}
    for entry_id, lot_id, points in database.execute(
            "SELECT entry_id, lot_id, points FROM lot_move ORDER BY id").fetchall():
        moves.setdefault(entry_id, []).append((lot_id, points))
    out: list[tuple[int, str, dict[str, Any]]] = []
    rows = database.execute(
        "SELECT o.id, o.kind, o.ref, o.payload, o.created_at, e.id, e.uuid, e.terminal_id, e.seq, e.member_uuid,"
        " e.kind, e.points, e.tier_points, e.ref_type, e.ref_no, e.program_version, e.breakdown, e.created_at,"
        " e.business_date, e.recorded_at, e.backdated, e.staff_code, e.prev_hash, e.hash"
        " FROM outbox o LEFT JOIN ledger_entry e ON e.id = o.entry_id WHERE o.id > ? ORDER BY o.id",
        (after_oid,)).fetchall()
    import json

    for row in rows:
        oid, kind, ref, payload, created, entry_id = row[:6]
        if entry_id is None:
            out.append((oid, "event", {"oid": oid, "kind": kind, "ref": ref, "payload": json.loads(payload),
                                       "created_at": created}))
            continue
        names = ("uuid", "terminal_id", "seq", "member_uuid", "kind", "points", "tier_points", "ref_type",
                 "ref_no", "program_version", "breakdown", "created_at", "business_date", "recorded_at",
                 "backdated", "staff_code", "prev_hash", "hash")
        wire = dict(zip(names, row[6:], strict=True))
        wire["backdated"] = bool(wire["backdated"])
        effects: dict[str, list[list[Any]]] = {"new": [], "back": [], "taken": []}
        if wire["points"] > 0:
            effects["new"] = new.get(entry_id, [])
            effects["back"] = [[keys[lot][1], p] for lot, p in moves.get(entry_id, [])
                               if p > 0 and keys[lot][0] != entry_id]
        elif wire["points"] < 0:
            effects["taken"] = [[keys[lot][1], -p] for lot, p in moves.get(entry_id, []) if p < 0]
        wire["effects"] = effects
        out.append((oid, "entry", wire))
    return out


def outbox_batches(database: Any, terminal_id: str, store_id: str, *, size: int,
                   after_oid: int = 0) -> list[dict[str, Any]]:
    """The outbox cut into push bodies of ``size`` rows, in outbox order."""
    rows = export_outbox(database, after_oid=after_oid)
    bodies = []
    for start in range(0, len(rows), size):
        part = rows[start:start + size]
        bodies.append(batch(terminal_id, store_id, [w for _, k, w in part if k == "entry"],
                            [w for _, k, w in part if k == "event"]))
    return bodies


def terminal_lots(database: Any) -> dict[str, int]:
    keys = _lot_keys(database)
    return {keys[i][1]: r for i, r in database.execute("SELECT id, remaining FROM lot").fetchall()}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
