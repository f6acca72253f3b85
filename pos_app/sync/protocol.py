"""The wire protocol between a terminal and headquarters (version 1), shared by both sides.

Everything is JSON over HTTPS, signed per terminal (see ``signing``).

``POST /v1/enroll`` (unsigned; the one-time code is the credential)
    request  ``{"code": "...", "terminal_id": "..."}``
    answer   ``{"store_id", "terminal_id", "secret", "hq_time"}``

``POST /v1/push`` (signed, with ``Idempotency-Key`` = ``batch_id``)
    request  ``{"protocol": 1, "store_id", "terminal_id", "batch_id",
                "entries": [ENTRY...], "events": [EVENT...]}``
             ENTRY = the hashed fields (``HASHED_FIELDS``), ``"hash"`` and ``"effects"``
             (see ``core.replica``), consecutive ``seq`` of this terminal's chain;
             EVENT = ``{"oid", "kind", "ref", "payload", "created_at"}``, ``oid`` being the
             terminal's outbox row id (increasing).
    200      ``{"batch_id", "acked_seq", "acked_oid", "inserted", "duplicates"}``
             (the highest sequence and outbox id headquarters holds for this terminal)
    409      ``{"error": "sequence_gap", "field", "expected_seq", "acked_oid"}``
    422      ``{"error": "conflict" | "invalid_input", "field", "message"}``
             (an entry headquarters holds with a different content, a broken chain, ...)
    A batch is all or nothing.

``GET /v1/changes?cursor=N&limit=M[&mark=K]`` (signed)
    200      ``{"changes": [{"id", "kind", "data"}...], "cursor", "mark", "more", "hq_time",
               "own_last_seq", "own_last_oid"}``
             ``mark``: a fingerprint of the change at ``cursor``, sent back with it next time;
             a cursor whose change this feed does not have (headquarters' database restored
             from a backup) is answered ``"restart": true`` with no changes and cursor 0.
             kinds: ``CHANGE_KINDS``; a terminal skips the entries of its own chain.
             ``own_last_seq``, ``own_last_oid``: the highest sequence of the caller's chain and
             outbox id of its events headquarters holds (a till whose ledger ends below it was
             restored from an older backup; a till that had more acknowledged sends it again).

``POST /v1/awards`` (signed by a channel credential: a mini-program or website)
    request  ``{"member", "award", "ref"}`` (member: uuid, card or phone; ref: the
             channel's idempotency key for this report)
    200      ``{"entry_uuid", "points", "balance", "duplicate"}``
"""

from __future__ import annotations

import re
from typing import Any

from pos_app.core.chain import HASHED_FIELDS, entry_hash
from pos_app.core.errors import Conflict, InvalidInput
from pos_app.core.replica import Effects, effects_from_wire

PROTOCOL = 1
MAX_BATCH = 1000
DEFAULT_BATCH = 1000  # = MAX_BATCH: fewer, larger transactions (benchmarks/bench_sync_push.py)
MAX_PAGE = 2000

#: What a change in the feed can be.
CHANGE_KINDS = ("member", "entry", "program", "gift_stock", "revoked", "setting", "coupon")
#: Outbox events a terminal sends up (besides ledger entries).
EVENT_KINDS = ("member", "sale", "refund", "coupon_issue", "coupon_use", "coupon_return", "redemption", "tier")
#: Whole-number payload fields per event kind that headquarters checks when present (fen,
#: points): absent is accepted (tills of older releases do not send them).
EVENT_INT_FIELDS: dict[str, tuple[str, ...]] = {"redemption": ("points", "cash_fen")}
#: Settings headquarters may send down.
PUSHED_SETTINGS = ("member_qr.public_key",)

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")

_STR = (str,)
_INT = (int,)
#: type and whether None is allowed, per hashed field
_FIELD_TYPES: dict[str, tuple[tuple[type, ...], bool]] = {
    "uuid": (_STR, False), "terminal_id": (_STR, False), "seq": (_INT, False), "member_uuid": (_STR, False),
    "kind": (_STR, False), "points": (_INT, False), "tier_points": (_INT, False), "ref_type": (_STR, False),
    "ref_no": (_STR, False), "program_version": (_INT, True), "breakdown": (_STR, False),
    "created_at": (_STR, False), "business_date": (_STR, False), "recorded_at": (_STR, False),
    "backdated": ((bool,), False), "staff_code": (_STR, True), "prev_hash": (_STR, False),
}


def _require_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise InvalidInput(name, "1 to 32 letters, digits, - or _ are required")
    return value


def check_entry(raw: object, name: str) -> tuple[dict[str, Any], Effects]:
    """One entry from the wire: types, sizes, its own hash and its effects. Returns the
    hashed fields plus ``hash`` (a new dict) and the parsed effects."""
    if not isinstance(raw, dict):
        raise InvalidInput(name, "an entry object is required")
    fields: dict[str, Any] = {}
    for key, (types, nullable) in _FIELD_TYPES.items():
        if key not in raw:
            raise InvalidInput(f"{name}.{key}", "is missing")
        value = raw[key]
        if value is None and nullable:
            fields[key] = None
            continue
        if not isinstance(value, types) or (types is _INT and isinstance(value, bool)):
            raise InvalidInput(f"{name}.{key}", f"must be {types[0].__name__}")
        if isinstance(value, str) and len(value) > (20000 if key == "breakdown" else 100):
            raise InvalidInput(f"{name}.{key}", "is too long")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**12:
            raise InvalidInput(f"{name}.{key}", "is out of range")
        fields[key] = value
    if not UUID_RE.match(fields["uuid"]):
        raise InvalidInput(f"{name}.uuid", "a lower-case uuid is required")
    if not UUID_RE.match(fields["member_uuid"]):
        raise InvalidInput(f"{name}.member_uuid", "a lower-case uuid is required")
    if fields["seq"] < 1:
        raise InvalidInput(f"{name}.seq", "sequence numbers start at 1")
    if not HASH_RE.match(fields["prev_hash"]):
        raise InvalidInput(f"{name}.prev_hash", "64 lower-case hex digits are required")
    digest = raw.get("hash")
    if not isinstance(digest, str) or not HASH_RE.match(digest):
        raise InvalidInput(f"{name}.hash", "64 lower-case hex digits are required")
    if entry_hash(fields) != digest:
        raise Conflict(f"{name}.hash", "the entry's hash does not match its content")
    effects = effects_from_wire(raw.get("effects", {}), points=fields["points"], field_name=f"{name}.effects")
    fields["hash"] = digest
    return fields, effects


def check_event(raw: object, name: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidInput(name, "an event object is required")
    oid = raw.get("oid")
    if not isinstance(oid, int) or isinstance(oid, bool) or oid < 1:
        raise InvalidInput(f"{name}.oid", "a positive outbox id is required")
    kind = raw.get("kind")
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"{name}.kind", f"one of {', '.join(EVENT_KINDS)} is required")
    ref = raw.get("ref")
    if not isinstance(ref, str) or not 0 < len(ref) <= 100:
        raise InvalidInput(f"{name}.ref", "a reference of 1 to 100 characters is required")
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        raise InvalidInput(f"{name}.payload", "an object is required")
    for key in EVENT_INT_FIELDS.get(kind, ()):
        value = payload.get(key)
        if key in payload and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**12):
            raise InvalidInput(f"{name}.payload.{key}", "a whole number from 0 is required")
    created = raw.get("created_at")
    if not isinstance(created, str) or len(created) > 40:
        raise InvalidInput(f"{name}.created_at", "a date and time is required")
    return {"oid": oid, "kind": kind, "ref": ref, "payload": payload, "created_at": created}


def check_push(body: object, *, terminal_id: str, store_id: str) -> tuple[str, list[tuple[dict[str, Any], Effects]],
                                                                     list[dict[str, Any]]]:
    """A push request's body: (batch_id, entries with effects, events), all checked.

    Entries must belong to ``terminal_id`` (the signed caller) and be consecutive; events
    must have increasing outbox ids. Raises ``InvalidInput``/``Conflict`` naming the field,
    or ``PermissionDenied`` for data of another terminal or store.
    """
    from pos_app.core.errors import PermissionDenied

    if not isinstance(body, dict):
        raise InvalidInput("body", "a JSON object is required")
    if body.get("protocol") != PROTOCOL:
        raise InvalidInput("protocol", f"protocol {PROTOCOL} is required")
    if body.get("terminal_id") != terminal_id:
        raise PermissionDenied("terminal_id", "a terminal may only push its own ledger")
    if body.get("store_id") != store_id:
        raise PermissionDenied("store_id", "a terminal may only write its own store's data")
    batch_id = body.get("batch_id")
    if not isinstance(batch_id, str) or not 8 <= len(batch_id) <= 64 or not ID_RE.match(batch_id[:32]):
        raise InvalidInput("batch_id", "8 to 64 letters, digits or - are required")
    raw_entries = body.get("entries", [])
    raw_events = body.get("events", [])
    if not isinstance(raw_entries, list) or not isinstance(raw_events, list):
        raise InvalidInput("entries", "entries and events must be lists")
    if len(raw_entries) + len(raw_events) > MAX_BATCH:
        raise InvalidInput("entries", f"at most {MAX_BATCH} entries and events per batch")
    entries: list[tuple[dict[str, Any], Effects]] = []
    for i, raw in enumerate(raw_entries):
        fields, effects = check_entry(raw, f"entries[{i}]")
        if fields["terminal_id"] != terminal_id:
            raise PermissionDenied(f"entries[{i}].terminal_id", "a terminal may only push its own ledger")
        if entries and fields["seq"] != entries[-1][0]["seq"] + 1:
            raise InvalidInput(f"entries[{i}].seq", "entries of a batch must be consecutive")
        if entries and fields["prev_hash"] != entries[-1][0]["hash"]:
            raise Conflict(f"entries[{i}].prev_hash", "the entry does not follow the previous one's hash")
        entries.append((fields, effects))
    events: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_events):
        ev = check_event(raw, f"events[{i}]")
        if events and ev["oid"] <= events[-1]["oid"]:
            raise InvalidInput(f"events[{i}].oid", "outbox ids must increase")
        events.append(ev)
    return batch_id, entries, events


def entry_to_wire(fields: dict[str, Any], effects: Effects) -> dict[str, Any]:
    out = {k: fields[k] for k in HASHED_FIELDS}
    out["backdated"] = bool(out["backdated"])
    out["hash"] = fields["hash"]
    out["effects"] = effects.to_wire()
    return out
