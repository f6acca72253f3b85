"""Headquarters fixtures: a fresh HQ database (SQLite file or a new PostgreSQL database),
terminals registered at HQ, hash-chained wire entries built by hand (``Till``) and wire
batches exported from a real terminal database (``push_outbox``)."""

from __future__ import annotations

import hashlib
import secrets
import uuid as uuid_mod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.chain import GENESIS_HASH, canonical_json, entry_hash
from pos_app.hq import db, ingest
from tests.hq.hqserver import migrated, prepared_database


@pytest.fixture(autouse=True)
def _patient_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test PostgreSQL server is shared: other databases' writers hold the feed's horizon
    back (see ``feed``); a pull waits for them up to 20 s here (below the test clients' timeout)."""
    monkeypatch.setenv("POS_HQ_FEED_WAIT", "20")


@pytest.fixture(params=["sqlite", "postgresql"])
def hq_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """The HQ database of the test's own, connected and migrated. PostgreSQL unreachable: the test fails."""
    if request.param == "sqlite":
        database = db.connect(f"sqlite:///{tmp_path / 'hq.db'}")
        yield database
        database.close()
        return
    # a copy of a database migrated once per session (migrating costs seconds on PostgreSQL)
    with prepared_database("postgresql", tmp_path, "migrated", migrated) as (url, _):
        database = db.connect(url)
        try:
            yield database
        finally:
            db.close_pool(database)


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
              day: str = "2026-11-03", tier_points: int = 0,
              breakdown: dict[str, Any] | None = None, ref_type: str = "test",
              ref_no: str | None = None) -> dict[str, Any]:
        self.seq += 1
        self.oid += 1
        fields: dict[str, Any] = {
            "uuid": str(uuid_mod.uuid4()), "terminal_id": self.terminal_id, "seq": self.seq,
            "member_uuid": member_uuid, "kind": kind, "points": points, "tier_points": tier_points,
            "ref_type": ref_type, "ref_no": ref_no or f"{self.terminal_id}-{self.seq}", "program_version": 1,
            "breakdown": canonical_json(breakdown or {"points": points}), "created_at": f"{day}T10:00:00",
            "business_date": day, "recorded_at": f"{day}T10:00:00", "backdated": False,
            "staff_code": "1001", "prev_hash": self.prev,
        }
        fields["hash"] = entry_hash(fields)
        self.prev = fields["hash"]
        fields["effects"] = {"new": new or [], "back": back or [], "taken": taken or []}
        return fields

    def earn(self, member_uuid: str, points: int, *, day: str = "2026-11-03", expires: str | None = "2028-11-30",
             tier_points: int = 0, breakdown: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.entry(member_uuid, "earn", points, new=[[day, expires, points]], day=day, tier_points=tier_points,
                          breakdown=breakdown)

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


# -- a real terminal's outbox, sent as the sync worker sends it ----------------------------------------


def push_outbox(database: Any, term: db.Terminal, *, size: int) -> list[dict[str, Any]]:
    """Push the terminal's whole outbox to HQ in batches of ``size`` rows with the terminal's
    own export (``storage.replica.export_batch``) and record HQ's answers; returns them."""
    from pos_app.storage import replica

    answers = []
    while (pending := replica.export_batch(database, term.id, limit=size)) is not None:
        body = batch(term.id, term.store_id, pending.entries, pending.events, pending.batch_id)
        answer = push(term, body)
        assert answer["inserted"] + answer["duplicates"] == len(pending.entries) + len(pending.events)
        replica.mark_acked(database, pending.batch_id, answer["acked_seq"], answer["acked_oid"])
        answers.append(answer)
    return answers


def terminal_lots(database: Any) -> dict[str, int]:
    """The terminal's lots by their cross-machine key: points left."""
    return {k: r for k, r in database.execute("SELECT key, remaining FROM lot").fetchall()}
