"""A till's own data back from headquarters (``GET /v1/own``): its chain and its events.

A till rebuilt from nothing (a new ``pos-app init`` and enrollment under the same terminal
id) or restored from an older backup asks for what headquarters holds of it past what it
has: its ledger entries in sequence order (wire form with effects, as pushed) and its outbox
events in outbox-id order (payloads as received). Only the caller's own rows are ever read:
the terminal id comes from the signature, never from the request. Both reads walk a unique
index ((terminal_id, seq) and (terminal_id, oid)), so a page costs the same at any depth.
"""

from __future__ import annotations

import json
from typing import Any

from pos_app.core.chain import HASHED_FIELDS
from pos_app.core.errors import InvalidInput
from pos_app.hq import db
from pos_app.hq.projection import tuples

PARTS = ("entries", "events")
MAX_LIMIT = 2000  # = protocol.MAX_PAGE
DEFAULT_LIMIT = 500

_ENTRY_COLUMNS = (*HASHED_FIELDS, "hash", "effects")


def own(terminal: db.Terminal, *, part: str, after: int, limit: int) -> dict[str, Any]:
    """One page of ``terminal``'s own ``part`` past ``after`` (a sequence for entries, an outbox
    id for events): ``{"part", "items", "after", "next", "more", "last_seq", "last_oid"}``;
    ``next`` is the ``after`` of the following page."""
    if part not in PARTS:
        raise InvalidInput("part", f"one of {', '.join(PARTS)} is required")
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise InvalidInput("after", "a whole number from 0 is required")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("limit", f"a whole number from 1 to {MAX_LIMIT} is required")
    items = _entries(terminal.id, after, limit + 1) if part == "entries" else _events(terminal.id, after, limit + 1)
    more = len(items) > limit
    items = items[:limit]
    key = "seq" if part == "entries" else "oid"
    return {"part": part, "items": items, "after": after, "next": items[-1][key] if items else after,
            "more": more, "last_seq": int(terminal.last_seq), "last_oid": int(terminal.last_oid)}


def _entries(terminal_id: str, after: int, limit: int) -> list[dict[str, Any]]:
    E = db.Entry
    query = (E.select(*[getattr(E, c) for c in _ENTRY_COLUMNS])
             .where((E.terminal_id == terminal_id) & (E.seq > after)).order_by(E.seq).limit(limit))
    out = []
    for row in tuples(query):
        wire = dict(zip(_ENTRY_COLUMNS, row, strict=True))
        wire["backdated"] = bool(wire["backdated"])
        wire["seq"] = int(wire["seq"])
        wire["points"] = int(wire["points"])
        wire["tier_points"] = int(wire["tier_points"])
        wire["effects"] = json.loads(wire["effects"])
        out.append(wire)
    return out


def _events(terminal_id: str, after: int, limit: int) -> list[dict[str, Any]]:
    E = db.Event
    query = (E.select(E.oid, E.kind, E.ref, E.payload, E.created_at)
             .where((E.terminal_id == terminal_id) & (E.oid > after)).order_by(E.oid).limit(limit))
    return [{"oid": int(oid), "kind": kind, "ref": ref, "payload": json.loads(payload), "created_at": created}
            for oid, kind, ref, payload, created in tuples(query)]
