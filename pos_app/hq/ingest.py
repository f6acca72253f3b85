"""Receiving a terminal's push: entries and events into headquarters' tables and projections.

A push is one transaction, all or nothing. Entries are checked against what headquarters
holds for the terminal (sequence and hash chain), then applied to the members' lots with
the same rule the terminals use (``core.replica.apply_entry``). The work is done in
memory for the whole batch: the affected members and their lots are read with a few
queries, the entries applied one after the other, and the results written back with one
statement per table, so a batch of 500 entries costs a dozen round trips, not thousands.

Where two tills spent the same points offline, headquarters keeps the debit (the till
honoured it), lets the member go into debt and writes an explicit ``overdraft`` entry in
its own chain (terminal id ``HQ``); where two machines expired the same lot, it writes an
``expire_fix`` entry that gives the points back. Both are listed as ``Flag`` rows.

Concurrency (PostgreSQL, where pushes of different terminals run in parallel): balances and
lots are computed in memory and written back as values, so every row they come from is
locked until the commit, always in the same order: the pushing terminal's row, the
members' rows (``FOR UPDATE``, in uuid order), the ``HQ`` chain's row if an overdraft or
expiry fix is written, coupon and gift stock rows, and last the change feed's lock (see
``feed``). Lots are only changed by a transaction holding their member's lock. On SQLite
``db.writing`` serialises writers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash
from pos_app.core.errors import Conflict, NotFound, PosError
from pos_app.core.program import Program, parse_program
from pos_app.core.replica import EXACT_DEBIT_KINDS, Applied, Effects, LotState, NewLot, apply_entry, effects_from_wire
from pos_app.core.tiers import month_key
from pos_app.hq import db, feed
from pos_app.sync import protocol

#: member fields a ``member`` event may set (balance and debt are headquarters' own)
MEMBER_FIELDS = ("phone", "name", "birthday", "card_no", "referrer_uuid", "status", "consent", "store_id",
                 "enrolled_at", "tier", "tier_since", "last_review", "first_purchase_at", "last_purchase_at")
#: the ones that may be empty (null); a null for any other leaves the value headquarters has
NULLABLE_MEMBER_FIELDS = frozenset({"phone", "birthday", "card_no", "referrer_uuid", "last_review",
                                    "first_purchase_at", "last_purchase_at"})
_CHUNK = 500


class SequenceGap(PosError):
    """The batch does not start where headquarters' copy of the terminal's chain ends."""

    code = "sequence_gap"

    def __init__(self, *, expected_seq: int, acked_oid: int, field: str = "entries[0].seq",
                 message: str | None = None) -> None:
        super().__init__(field, message or f"headquarters expects sequence {expected_seq} next",
                         expected_seq=expected_seq, acked_oid=acked_oid)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _now_local() -> dt.datetime:
    """Headquarters' entries are stamped like the terminals' (local time, no zone, seconds)."""
    return dt.datetime.now().replace(microsecond=0)


# -- bulk writes ----------------------------------------------------------------------------


def _integrity_errors() -> tuple[type[Exception], ...]:
    """What a unique index violation raises through the raw cursors (and through peewee)."""
    import sqlite3

    import peewee

    errors: list[type[Exception]] = [sqlite3.IntegrityError, peewee.IntegrityError]
    try:
        import psycopg2

        errors.append(psycopg2.IntegrityError)
    except ImportError:  # pragma: no cover - psycopg2 is a dependency
        pass
    return tuple(errors)


_INTEGRITY_ERRORS = _integrity_errors()
ENTRY_COLS = (*HASHED_FIELDS, "hash", "store_id", "effects", "received_at", "batch_id")
FLAG_COLS = ("kind", "store_id", "terminal_id", "member_uuid", "ref", "points", "details", "at")


def _bulk_update(table: str, key: str, cols: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE table SET cols WHERE key = row[0], for many rows in a few statements.
    PostgreSQL: one UPDATE ... FROM (VALUES ...) per page; SQLite: executemany (in-process)."""
    if not rows:
        return
    database = db.proxy.obj
    if db.is_postgres():
        sets = ", ".join(f"{c} = v.{c}" for c in cols)
        names = ", ".join((key, *cols))
        feed.pg_values(f"UPDATE {table} SET {sets} FROM (VALUES {{values}}) AS v({names})"
                       f" WHERE {table}.{key} = v.{key}", rows)
    else:
        sets = ", ".join(f"{c} = ?" for c in cols)
        database.cursor().executemany(f"UPDATE {table} SET {sets} WHERE {key} = ?",
                                      [(*r[1:], r[0]) for r in rows])


def _tuples(query: Any) -> list[tuple[Any, ...]]:
    """A query's rows as plain tuples (peewee's typing does not follow ``.tuples()``)."""
    return list(query.tuples())


def _select_in(sql: str, values: Sequence[Any], *, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` whose ``{marks}`` is filled with one placeholder per value, in pages;
    written by hand because peewee builds a node per value of an IN list (slow for 500)."""
    database = db.proxy.obj
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(values), _CHUNK):
        part = list(values[start:start + _CHUNK])
        marks = ", ".join([database.param] * len(part))
        rows += database.execute_sql(sql.format(marks=marks), [*params, *part]).fetchall()
    return rows


def _for_update(query: Any) -> Any:
    return query.for_update() if db.is_postgres() else query


# -- headquarters' own chain ------------------------------------------------------------------


class HqChain:
    """The ``HQ`` chain's head, locked on first use until the transaction ends."""

    def __init__(self) -> None:
        self.row: db.Terminal | None = None

    def head(self) -> db.Terminal:
        if self.row is None:
            db.Terminal.insert(id=db.HQ_CHAIN, store_id=db.HQ_CHAIN, kind="hq", created_at=db.utcnow(),
                               last_hash=GENESIS_HASH).on_conflict_ignore().execute()
            self.row = _for_update(db.Terminal.select().where(db.Terminal.id == db.HQ_CHAIN)).get()
        return self.row

    def next_fields(self, **fields: Any) -> dict[str, Any]:
        row = self.head()
        fields.update(terminal_id=db.HQ_CHAIN, seq=int(row.last_seq) + 1, prev_hash=row.last_hash)
        fields["hash"] = entry_hash(fields)
        row.last_seq = fields["seq"]
        row.last_hash = fields["hash"]
        return fields

    def save(self) -> None:
        if self.row is not None:
            db.Terminal.update(last_seq=self.row.last_seq, last_hash=self.row.last_hash,
                               last_push_at=db.utcnow()).where(db.Terminal.id == db.HQ_CHAIN).execute()


# -- the projection of one batch ------------------------------------------------------------------


class Projection:
    """The members a batch touches and their lots, held in memory while entries are applied,
    then written back in bulk (``write``). Changes to publish are collected in ``changes``."""

    def __init__(self) -> None:
        self.members: dict[str, feed.MemberRow] = {}
        self.lots: dict[str, dict[str, LotState]] = defaultdict(dict)
        self.created: dict[str, tuple[str, LotState]] = {}  # key -> (member, lot), inserted at write
        self.changed_lots: set[str] = set()
        self.live_loaded: set[str] = set()  # members whose every live lot is in memory
        self.names: dict[str, str] = {}  # entry uuid -> "entries[i]"
        self.tier_dirty: set[str] = set()  # members whose tier a tier event changed
        self.dirty: dict[str, None] = {}  # members whose record changed (ordered)
        self.now = db.utcnow()
        self.entry_rows: list[tuple[Any, ...]] = []
        self.move_rows: list[tuple[str, str, int]] = []
        self.tier: dict[tuple[str, str], int] = defaultdict(int)
        self.flags: list[tuple[Any, ...]] = []
        self.changes = feed.ChangeBuffer()
        self.hq = HqChain()

    # loading ---------------------------------------------------------------------------
    def load_members(self, uuids: Iterable[str]) -> None:
        """Read members into memory. On PostgreSQL their rows stay locked (FOR UPDATE, taken in
        uuid order so that two pushes never wait for each other in a circle) until the commit:
        balances are written back as numbers computed here, so no other writer may change
        them in between."""
        want = sorted(u for u in set(uuids) if u not in self.members)
        cols = ", ".join(f'"{c}"' for c in feed.MEMBER_COLUMNS)
        lock = " ORDER BY uuid FOR UPDATE" if db.is_postgres() else ""
        for row in _select_in(f"SELECT {cols} FROM member WHERE uuid IN ({{marks}}){lock}", want):
            self.members[row[0]] = feed.MemberRow(tuple(row))

    def ensure_members(self, uuids: Iterable[str], *, store_id: str) -> set[str]:
        """Members not on file yet are created (uuid and store only) and loaded; returns the
        uuids this transaction created (a concurrent push may have created some first)."""
        missing = sorted(u for u in set(uuids) if u not in self.members)
        if not missing:
            return set()
        rows = [feed.MemberRow(uuid=u, store_id=store_id, updated_at=self.now).values() for u in missing]
        created: set[str]
        if db.is_postgres():
            names = ", ".join(f'"{c}"' for c in feed.MEMBER_COLUMNS)
            marks = "(" + ", ".join(["%s"] * len(feed.MEMBER_COLUMNS)) + ")"
            cur = db.proxy.obj.execute_sql(
                f"INSERT INTO member ({names}) VALUES {', '.join([marks] * len(rows))}"
                " ON CONFLICT (uuid) DO NOTHING RETURNING uuid", [v for r in rows for v in r])
            created = {u for (u,) in cur.fetchall()}
        else:  # writers are serialised: nobody else can have created them since we looked
            feed.bulk_insert(db.Member, feed.MEMBER_COLUMNS, rows)
            created = set(missing)
        self.load_members(missing)
        return created

    def load_lots(self, member_uuids: Iterable[str], keys: Iterable[str]) -> None:
        """The lots named by ``keys`` (empty or not): what the batch's entries take from or
        give back to; and every live lot of ``member_uuids``. Otherwise a member's other lots
        are read only when a debit needs them (``apply``)."""
        select = "SELECT key, member_uuid, earned_on, expires_on, points, remaining FROM lot WHERE"
        self._add_lots(_select_in(f"{select} key IN ({{marks}})", list(dict.fromkeys(keys))))
        for member_uuid in dict.fromkeys(member_uuids):
            self.load_live_lots(member_uuid)

    def load_live_lots(self, member_uuid: str) -> None:
        """All of a member's lots with points left (once per member and batch)."""
        if member_uuid in self.live_loaded:
            return
        self.live_loaded.add(member_uuid)
        self._add_lots(_select_in("SELECT key, member_uuid, earned_on, expires_on, points, remaining FROM lot"
                                  " WHERE remaining > 0 AND member_uuid IN ({marks})", [member_uuid]))

    def _add_lots(self, rows: list[tuple[Any, ...]]) -> None:
        for key, member, earned, expires, points, remaining in rows:
            lots = self.lots[member]
            if key not in lots:  # a lot already in memory is newer than its row
                lots[key] = LotState(key, dt.date.fromisoformat(earned), _date(expires), int(points), int(remaining))

    def _covered(self, fields: dict[str, Any], effects: Effects) -> bool:
        """Whether a debit's named lots cover it, so that no other lot of the member is needed
        (always so for a till's own debit, unless two tills spent the same points)."""
        if fields["points"] >= 0 or fields["kind"] in EXACT_DEBIT_KINDS:
            return True
        lots = self.lots[fields["member_uuid"]]
        named = sum(min(p, lots[k].remaining) for k, p in effects.taken if k in lots)
        return bool(named >= -fields["points"])

    def flag(self, kind: str, *, store_id: str | None, terminal_id: str | None, member_uuid: str | None,
             ref: str, points: int = 0, details: dict[str, Any] | None = None) -> None:
        self.flags.append((kind, store_id, terminal_id, member_uuid, ref, points, canonical_json(details or {}),
                           self.now))

    # applying --------------------------------------------------------------------------
    def apply(self, fields: dict[str, Any], effects: Effects, *, store_id: str, batch_id: str | None,
              name: str | None = None) -> Applied:
        """Apply one entry to the member's lots and balance and queue its rows and change
        (``name``: the entry's place in the request, for errors)."""
        member_uuid = fields["member_uuid"]
        if name:
            self.names[fields["uuid"]] = name
        m = self.members[member_uuid]
        if not self._covered(fields, effects):
            self.load_live_lots(member_uuid)
        applied = apply_entry(entry_uuid=fields["uuid"], kind=fields["kind"], points=fields["points"],
                              day=dt.date.fromisoformat(fields["business_date"]), effects=effects,
                              lots=self.lots[member_uuid], debt=int(m.debt))
        m.balance = int(m.balance) + fields["points"]
        m.debt = int(m.debt) + applied.debt_change
        for lot in applied.created:
            self.created[lot.key] = (member_uuid, lot)
        entry_uuid = fields["uuid"]
        for key, delta in applied.moves:
            self.move_rows.append((entry_uuid, key, delta))
            if key not in self.created:
                self.changed_lots.add(key)
        if fields["tier_points"]:
            self.tier[(member_uuid, month_key(dt.date.fromisoformat(fields["business_date"])))] += fields["tier_points"]
        self.dirty[member_uuid] = None
        self.entry_rows.append((*(fields[k] for k in HASHED_FIELDS), fields["hash"], store_id,
                                canonical_json(effects.to_wire()), self.now, batch_id))
        self.changes.add_entry(entry_uuid)
        return applied

    def append_hq(self, *, member_uuid: str, kind: str, points: int, ref_type: str, ref_no: str,
                  breakdown: dict[str, Any], effects: Effects, business_date: dt.date,
                  program_version: int | None = None, tier_points: int = 0, staff_code: str | None = None,
                  at: dt.datetime | None = None, store_id: str = db.HQ_CHAIN) -> dict[str, Any]:
        """Write an entry in headquarters' own chain and apply it (member loaded already)."""
        import uuid as uuid_mod

        now = _now_local()
        stamp = (at or now).replace(microsecond=0)
        fields = self.hq.next_fields(
            uuid=str(uuid_mod.uuid4()), member_uuid=member_uuid, kind=kind, points=points,
            tier_points=tier_points, ref_type=ref_type, ref_no=ref_no, program_version=program_version,
            breakdown=canonical_json(breakdown), created_at=stamp.isoformat(timespec="seconds"),
            business_date=business_date.isoformat(), recorded_at=now.isoformat(timespec="seconds"),
            backdated=False, staff_code=staff_code,
        )
        self.apply(fields, effects, store_id=store_id, batch_id=None)
        return protocol.entry_to_wire(fields, effects)

    def check_double_spend(self, fields: dict[str, Any], effects: Effects, applied: Applied, *,
                           store_id: str) -> None:
        """A debit headquarters could not cover as the sender did: an overdraft (two tills spent
        the same points) or, for an expiry, a lot written off twice (given back at once)."""
        if fields["points"] >= 0 or not applied.shortfall:
            return
        senders = -fields["points"] - sum(p for _, p in effects.taken)
        excess = applied.shortfall - max(senders, 0)
        if excess <= 0:
            return
        day = dt.date.fromisoformat(fields["business_date"])
        details = {"entry": fields["uuid"], "terminal_id": fields["terminal_id"], "store_id": store_id,
                   "shortfall": excess}
        if fields["kind"] == "expire":
            self.append_hq(member_uuid=fields["member_uuid"], kind="expire_fix", points=excess, ref_type="entry",
                           ref_no=fields["uuid"], breakdown=details,
                           effects=Effects(new=(NewLot(day, day, excess),)), business_date=day)
            kind = "double_expiry"
        else:
            self.append_hq(member_uuid=fields["member_uuid"], kind="overdraft", points=0, ref_type="entry",
                           ref_no=fields["uuid"], breakdown=details, effects=Effects(), business_date=day)
            kind = "overdraft"
        self.flag(kind, store_id=store_id, terminal_id=fields["terminal_id"], member_uuid=fields["member_uuid"],
                  ref=fields["uuid"], points=excess, details=details)

    # writing ---------------------------------------------------------------------------
    def _insert_entries(self) -> None:
        """Insert the entries in a savepoint: an entry whose uuid headquarters holds already
        (under another sequence or terminal) fails the insert, and is then named in a
        Conflict. Cheaper than looking every uuid up first, for a case that should not occur."""
        try:
            with db.proxy.obj.atomic():
                feed.bulk_insert(db.Entry, ENTRY_COLS, self.entry_rows)
        except _INTEGRITY_ERRORS:
            uuids = [row[0] for row in self.entry_rows]
            held = {u for (u,) in _select_in("SELECT uuid FROM entry WHERE uuid IN ({marks})", uuids)}
            for u in uuids:
                if u in held:
                    raise Conflict(f"{self.names.get(u, 'entry')}.uuid",
                                   "an entry with this uuid is held with a different content") from None
            raise

    def write(self) -> None:
        """Write everything in bulk and queue the member changes (the caller flushes ``changes``)."""
        self._insert_entries()
        feed.bulk_insert(db.Lot, ("key", "member_uuid", "earned_on", "expires_on", "points", "remaining"), [
            (lot.key, member, lot.earned_on.isoformat(), lot.expires_on.isoformat() if lot.expires_on else None,
             lot.points, lot.remaining)
            for member, lot in self.created.values()
        ])
        feed.bulk_insert(db.LotMove, ("entry_uuid", "lot_key", "points"), self.move_rows)
        by_key = {k: lot for lots in self.lots.values() for k, lot in lots.items() if k in self.changed_lots}
        _bulk_update("lot", "key", ("remaining",), [(k, lot.remaining) for k, lot in by_key.items()])
        for u in self.dirty:
            self.members[u].updated_at = self.now
        _bulk_update("member", "uuid", ("balance", "debt", "updated_at"),
                     [(u, int(self.members[u].balance), int(self.members[u].debt), self.now) for u in self.dirty])
        _bulk_update("member", "uuid", ("tier", "tier_since"),
                     [(u, self.members[u].tier, self.members[u].tier_since) for u in self.tier_dirty])
        feed.bulk_insert(db.TierMonth, ("member_uuid", "month", "points"),
                         [(m, month, p) for (m, month), p in self.tier.items()],
                         suffix="ON CONFLICT (member_uuid, month) DO UPDATE SET points = tier_month.points"
                                " + excluded.points")
        feed.bulk_insert(db.Flag, FLAG_COLS, self.flags)
        self.hq.save()
        for u in self.dirty:
            self.changes.add("member", u, feed.member_data(self.members[u]))
        self.entry_rows, self.move_rows, self.flags = [], [], []
        self.created, self.changed_lots, self.dirty, self.tier_dirty = {}, set(), {}, set()
        self.tier = defaultdict(int)


# -- headquarters' entries ---------------------------------------------------------------------------


def append_hq_entry(*, member_uuid: str, kind: str, points: int, ref_type: str, ref_no: str,
                    breakdown: dict[str, Any], effects: Effects, business_date: dt.date,
                    program_version: int | None = None, tier_points: int = 0, staff_code: str | None = None,
                    at: dt.datetime | None = None, store_id: str = db.HQ_CHAIN,
                    changes: feed.ChangeBuffer | None = None) -> dict[str, Any]:
    """Append an entry to headquarters' own chain inside the caller's transaction, apply it to
    the member's lots and balance and publish it; returns the wire entry.

    Locks, on PostgreSQL, until the caller commits: the member's row, then the ``HQ`` chain's
    row, then the feed (see ``feed``). A caller writing many entries (an expiry run) passes
    one ``changes`` buffer and flushes it once at the end, so the feed is locked only for
    the last moment; without it the changes are written at once.
    """
    effects_from_wire(effects.to_wire(), points=points)  # a credit creates its lots, a debit takes at most
    proj = Projection()
    proj.load_members([member_uuid])
    if member_uuid not in proj.members:
        raise NotFound("member", f"no member {member_uuid}")
    proj.load_lots((), [k for k, _ in (*effects.back, *effects.taken)])
    wire = proj.append_hq(member_uuid=member_uuid, kind=kind, points=points, ref_type=ref_type, ref_no=ref_no,
                          breakdown=breakdown, effects=effects, business_date=business_date,
                          program_version=program_version, tier_points=tier_points, staff_code=staff_code,
                          at=at, store_id=store_id)
    proj.write()
    if changes is None:
        proj.changes.flush()
    else:
        changes.rows += proj.changes.rows
    return wire


# -- push -----------------------------------------------------------------------------------------


def push(terminal: db.Terminal, body: object, *, body_digest: str, idempotency_key: str) -> dict[str, Any]:
    """Receive one batch from ``terminal`` (already authenticated) in one transaction.

    A retry of a batch already received (same key, same body) gets the first answer again;
    the same key with another body is a conflict. See the module docstring for the rest.
    """
    with db.writing(db.proxy.obj):
        term = _for_update(db.Terminal.select().where(db.Terminal.id == terminal.id)).get()
        held = db.Batch.get_or_none(db.Batch.id == idempotency_key)
        if held is not None:
            if held.terminal_id != term.id or held.body_digest != body_digest:
                raise Conflict("Idempotency-Key", "this key was used for a different batch")
            return dict(json.loads(held.response))
        batch_id, entries, events = protocol.check_push(body, terminal_id=term.id, store_id=term.store_id)
        if batch_id != idempotency_key:
            raise Conflict("Idempotency-Key", "the key must equal the batch's batch_id")
        new_entries, dup_entries = _split_entries(term, entries)
        new_events, dup_events = _split_events(term, events)
        response = _apply(term, batch_id, new_entries, new_events)
        response["duplicates"] = dup_entries + dup_events
        db.Batch.insert(id=idempotency_key, terminal_id=term.id, body_digest=body_digest,
                        response=canonical_json(response), received_at=db.utcnow(),
                        entries=len(new_entries)).execute()
        return response


def _split_entries(term: db.Terminal, entries: list[tuple[dict[str, Any], Effects]]
                   ) -> tuple[list[tuple[int, dict[str, Any], Effects]], int]:
    """Entries headquarters holds already (checked to be the same) and the new ones (checked
    to continue the chain). Returns the new ones with their batch index, and the duplicates."""
    last_seq = int(term.last_seq)
    old = [(i, f) for i, (f, _) in enumerate(entries) if f["seq"] <= last_seq]
    if old:
        E = db.Entry
        held = {seq: digest for seq, digest in _tuples(E.select(E.seq, E.hash).where(
            (E.terminal_id == term.id) & (E.seq.between(old[0][1]["seq"], old[-1][1]["seq"]))))}
        for i, f in old:
            if held.get(f["seq"]) != f["hash"]:
                raise Conflict(f"entries[{i}]", "a different entry with this sequence is held", seq=f["seq"])
    new = [(i, f, e) for i, (f, e) in enumerate(entries) if f["seq"] > last_seq]
    if new:
        i, first, _ = new[0]
        if first["seq"] != last_seq + 1:
            raise SequenceGap(expected_seq=last_seq + 1, acked_oid=int(term.last_oid), field=f"entries[{i}].seq")
        if first["prev_hash"] != term.last_hash:
            raise Conflict(f"entries[{i}].prev_hash", "the entry does not follow the last entry headquarters"
                           " holds for this terminal", expected_seq=last_seq + 1)
    seen: set[str] = set()
    for i, f, _ in new:
        if f["uuid"] in seen:
            raise Conflict(f"entries[{i}].uuid", "the batch holds two entries with this uuid")
        seen.add(f["uuid"])
    return new, len(old)  # a new entry whose uuid is held already fails its insert (see Projection.write)


def _split_events(term: db.Terminal, events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Events already received (outbox id not above the terminal's last) are skipped, after
    checking they are the same; the rest are new."""
    last_oid = int(term.last_oid)
    old = [ev for ev in events if ev["oid"] <= last_oid]
    if old:
        E = db.Event
        held = {oid: (kind, ref) for oid, kind, ref in _tuples(E.select(E.oid, E.kind, E.ref).where(
            (E.terminal_id == term.id) & E.oid.in_([ev["oid"] for ev in old])))}
        for ev in old:
            if ev["oid"] in held and held[ev["oid"]] != (ev["kind"], ev["ref"]):
                raise Conflict("events", "a different event with this outbox id is held", oid=ev["oid"])
    return [ev for ev in events if ev["oid"] > last_oid], len(old)


def _apply(term: db.Terminal, batch_id: str, entries: list[tuple[int, dict[str, Any], Effects]],
           events: list[dict[str, Any]]) -> dict[str, Any]:
    proj = Projection()
    store_id = term.store_id
    member_events = [ev for ev in events if ev["kind"] == "member"]
    other_events = [ev for ev in events if ev["kind"] != "member"]
    entry_members = {f["member_uuid"] for _, f, _ in entries}
    event_members = {_event_member(ev) for ev in member_events}
    proj.load_members(entry_members | event_members | {ev["ref"] for ev in other_events if ev["kind"] == "tier"})
    created = proj.ensure_members(entry_members | event_members, store_id=store_id)
    for _, f, _ in entries:  # an entry naming a member HQ never heard of: kept, and flagged once
        if f["member_uuid"] in created - event_members:
            created.discard(f["member_uuid"])
            proj.flag("unknown_member", store_id=store_id, terminal_id=term.id, member_uuid=f["member_uuid"],
                      ref=f["uuid"], details={"note": "an entry names a member headquarters has no record of"})
    _member_events(proj, term, member_events)
    proj.load_lots((), [k for _, _, e in entries for k, _ in (*e.back, *e.taken)])
    for i, f, e in entries:
        applied = proj.apply(f, e, store_id=store_id, batch_id=batch_id, name=f"entries[{i}]")
        proj.check_double_spend(f, e, applied, store_id=store_id)
    _flag_double_bonuses(proj, term, [f for _, f, _ in entries])
    _flag_crossed_limits(proj, term, [f for _, f, _ in entries])
    for ev in other_events:
        _other_event(proj, term, ev)
    proj.write()
    now = db.utcnow()
    feed.bulk_insert(db.Event, ("terminal_id", "oid", "store_id", "kind", "ref", "payload", "created_at",
                                "received_at"),
                     [(term.id, ev["oid"], store_id, ev["kind"], ev["ref"], canonical_json(ev["payload"]),
                       ev["created_at"], now) for ev in events])
    if entries:
        term.last_seq = entries[-1][1]["seq"]
        term.last_hash = entries[-1][1]["hash"]
    if events:
        term.last_oid = events[-1]["oid"]
    db.Terminal.update(last_seq=term.last_seq, last_hash=term.last_hash, last_oid=term.last_oid,
                       last_push_at=now, last_seen_at=now).where(db.Terminal.id == term.id).execute()
    proj.changes.flush()
    return {"batch_id": batch_id, "acked_seq": int(term.last_seq), "acked_oid": int(term.last_oid),
            "inserted": len(entries) + len(events), "duplicates": 0}


# -- events -----------------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _event_member(ev: dict[str, Any]) -> str:
    return str(ev["payload"].get("uuid") or ev["ref"])


def _member_events(proj: Projection, term: db.Terminal, events: list[dict[str, Any]]) -> None:
    """Update members (created beforehand if new) from the terminals' records, in one
    statement; balance and debt stay headquarters'. A phone or card another member holds
    already is kept and flagged."""
    if not events:
        return
    changed: dict[str, feed.MemberRow] = {}
    for ev in events:
        p = ev["payload"]
        member_uuid = _event_member(ev)
        m = changed[member_uuid] = proj.members[member_uuid]
        for name in MEMBER_FIELDS:
            if name not in p:
                continue
            if name == "consent":
                m.consent = bool(p[name])
            elif p[name] is not None or name in NULLABLE_MEMBER_FIELDS:
                setattr(m, name, _text(p[name]))
        m.store_id = m.store_id or term.store_id
        m.tier_since = m.tier_since or str(m.enrolled_at or "")[:10]
        m.updated_at = proj.now
        proj.dirty[member_uuid] = None
    cols = (*MEMBER_FIELDS, "updated_at")
    _bulk_update("member", "uuid", cols, [(u, *(getattr(m, c) for c in cols)) for u, m in changed.items()])
    _flag_duplicates(proj, term, changed)


def _flag_duplicates(proj: Projection, term: db.Terminal, members: dict[str, feed.MemberRow]) -> None:
    M, F = db.Member, db.Flag
    uuids = list(members)
    seen = set(_tuples(F.select(F.kind, F.member_uuid, F.ref).where(
        F.kind.in_(["duplicate_phone", "duplicate_card"]) & F.member_uuid.in_(uuids))))
    for field, kind in (("phone", "duplicate_phone"), ("card_no", "duplicate_card")):
        values = list({getattr(m, field) for m in members.values() if getattr(m, field)})
        if not values:
            continue
        holders: dict[str, list[str]] = defaultdict(list)
        col = getattr(M, field)
        for start in range(0, len(values), _CHUNK):
            for u, value in _tuples(M.select(M.uuid, col).where(col.in_(values[start:start + _CHUNK]))):
                holders[value].append(u)
        for u, m in members.items():
            value = getattr(m, field)
            for other in holders.get(value, []) if value else []:
                if other != u and (kind, u, other) not in seen:
                    seen.add((kind, u, other))
                    proj.flag(kind, store_id=term.store_id, terminal_id=term.id, member_uuid=u, ref=other,
                              details={field: value, "other": other})


def coupon_data(c: db.Coupon) -> dict[str, Any]:
    return {"code": c.code, "member_uuid": c.member_uuid, "gift_code": c.gift_code, "value_fen": int(c.value_fen),
            "min_spend_fen": int(c.min_spend_fen), "issued_at": c.issued_at, "issued_by": c.issued_by,
            "valid_until": c.valid_until, "used_at": c.used_at, "used_receipt_no": c.used_receipt_no,
            "used_by": c.used_by}


def _other_event(proj: Projection, term: db.Terminal, ev: dict[str, Any]) -> None:
    kind, p, ref = ev["kind"], ev["payload"], ev["ref"]
    if kind == "coupon_issue":
        _coupon_issue(proj, term, ref, p, ev["created_at"])
    elif kind == "coupon_use":
        _coupon_use(proj, term, ref, p, ev["created_at"])
    elif kind == "coupon_return":
        _coupon_return(proj, term, ref, p)
    elif kind == "redemption":
        gift = p.get("gift")
        if isinstance(gift, str):
            G = db.GiftStock
            row = _for_update(G.select().where((G.store_id == term.store_id) & (G.gift_code == gift))).first()
            if row is not None:
                row.stock = int(row.stock) - 1
                G.update(stock=row.stock).where((G.store_id == term.store_id) & (G.gift_code == gift)).execute()
                proj.changes.add("gift_stock", f"{term.store_id}/{gift}",
                                 {"store_id": term.store_id, "gift_code": gift, "stock": row.stock},
                                 store_id=term.store_id)
    elif kind == "tier":
        m = proj.members.get(ref)
        to = p.get("to")
        if m is not None and isinstance(to, str):
            m.tier = to
            at = p.get("at")
            m.tier_since = str(at)[:10] if isinstance(at, str) else m.tier_since
            proj.dirty[ref] = None
            proj.tier_dirty.add(ref)
    # sale and refund events are stored for the reports only


def _locked_coupon(code: str) -> db.Coupon:
    """The coupon's row, created empty if new, locked to the commit (PostgreSQL): two tills
    reporting a use at the same moment are decided one after the other."""
    db.Coupon.insert(code=code, member_uuid="", gift_code="", issued_at="", issued_by="").on_conflict_ignore().execute()
    coupon: db.Coupon = _for_update(db.Coupon.select().where(db.Coupon.code == code)).get()
    return coupon


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _coupon_issue(proj: Projection, term: db.Terminal, code: str, p: dict[str, Any], created_at: str) -> None:
    c = _locked_coupon(code)
    c.member_uuid = str(p.get("member") or c.member_uuid or "")
    c.gift_code = str(p.get("gift") or "")
    c.value_fen = _int(p.get("value_fen"))
    c.min_spend_fen = _int(p.get("min_spend_fen"))
    c.valid_until = _text(p.get("valid_until"))
    c.issued_at = created_at
    c.issued_by = term.id
    c.save()
    proj.changes.add("coupon", code, coupon_data(c))


def _coupon_use(proj: Projection, term: db.Terminal, code: str, p: dict[str, Any], created_at: str) -> None:
    """The first use wins; a second use of a single-use coupon is flagged. A use reported
    before the coupon's issue keeps an empty row that the issue fills in."""
    receipt = _text(p.get("receipt_no"))
    at = str(p.get("at") or created_at)
    c = _locked_coupon(code)
    if c.used_at:
        if c.used_receipt_no != receipt or c.used_by != term.id:
            proj.flag("coupon_reuse", store_id=term.store_id, terminal_id=term.id, member_uuid=c.member_uuid or None,
                      ref=code, details={"receipt_no": receipt, "at": at, "first_receipt_no": c.used_receipt_no,
                                         "first_terminal_id": c.used_by, "first_at": c.used_at})
        return
    c.used_at = at
    c.used_receipt_no = receipt
    c.used_by = term.id
    c.save()
    proj.changes.add("coupon", code, coupon_data(c))


def _coupon_return(proj: Projection, term: db.Terminal, code: str, p: dict[str, Any]) -> None:
    """A refund of the whole sale gave the coupon back: unused again, if that sale's use is the
    one headquarters holds (a use flagged as the second one stays a flag). The change names the
    receipt, so a till that holds the same use lets it go too."""
    receipt = _text(p.get("receipt_no"))
    c = _locked_coupon(code)
    if not c.used_at or c.used_receipt_no != receipt or c.used_by != term.id:
        return
    c.used_at = c.used_receipt_no = c.used_by = None
    c.save()
    proj.changes.add("coupon", code, {**coupon_data(c), "returned_from": receipt})


# -- once-only bonuses granted twice --------------------------------------------------------------

#: bonus kinds a member gets once (first purchase) or once a year (birthday); two tills that have
#: not heard of each other's sale can both grant one
_ONCE_BONUS_KINDS = ("first_purchase", "birthday")


def _program_at(version: int | None, cache: dict[int, Program | None]) -> Program | None:
    """The program version an entry was made under (read once per push), None if unknown."""
    if version is None:
        return None
    if version not in cache:
        row = db.Program.select().where(db.Program.version == version).first()
        cache[version] = None if row is None else parse_program(row.source)
    return cache[version]


def _bonus_kinds(version: int | None, cache: dict[int, Program | None]) -> dict[str, str]:
    """Bonus id -> kind in the program version an entry was earned under."""
    program = _program_at(version, cache)
    return {} if program is None else {b.id: b.kind for b in program.earning.bonuses}


def _granted_bonuses(breakdown: str | None, version: int | None,
                     cache: dict[int, Program | None]) -> list[tuple[str, str, int]]:
    """(bonus id, kind, points) of the once-only bonuses an earn entry's breakdown records."""
    if not breakdown or '"bonuses":[{' not in breakdown:
        return []
    try:
        items = json.loads(breakdown).get("bonuses")
    except (ValueError, AttributeError):
        return []
    kinds = _bonus_kinds(version, cache)
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and kinds.get(str(item.get("id"))) in _ONCE_BONUS_KINDS:
            out.append((str(item["id"]), kinds[str(item["id"])], _int(item.get("points"))))
    return out


def _flag_double_bonuses(proj: Projection, term: db.Terminal, entries: list[dict[str, Any]]) -> None:
    """A first-purchase bonus for a member who had one, or a birthday bonus a second time in a
    year: kept (the till granted it), and flagged for the reconciliation report. Only entries
    that record such a bonus cost a query (of that member's earlier bonus entries)."""
    earlier: dict[tuple[str, str, str], tuple[str, str] | None] = {}  # (member, kind, year) -> first grant
    cache: dict[int, Program | None] = {}
    for f in entries:
        if f["kind"] != "earn":
            continue
        for bonus_id, kind, points in _granted_bonuses(f["breakdown"], f["program_version"], cache):
            period = f["business_date"][:4] if kind == "birthday" else ""
            key = (f["member_uuid"], kind, period)
            if key not in earlier:
                earlier[key] = _first_grant(f["member_uuid"], kind, period, cache)
            first = earlier[key]
            if first is None:
                earlier[key] = (f["uuid"], term.id)
                continue
            proj.flag("double_bonus", store_id=term.store_id, terminal_id=term.id, member_uuid=f["member_uuid"],
                      ref=f["uuid"], points=points,
                      details={"bonus": bonus_id, "kind": kind, "year": period or None, "entry": f["uuid"],
                               "first_entry": first[0], "first_terminal_id": first[1]})


def _first_grant(member_uuid: str, kind: str, year: str,
                 cache: dict[int, Program | None]) -> tuple[str, str] | None:
    """The member's earliest entry headquarters holds with a once-only bonus of ``kind`` (in
    ``year`` for birthdays): (entry uuid, terminal id)."""
    E = db.Entry
    rows = _tuples(E.select(E.uuid, E.terminal_id, E.breakdown, E.program_version, E.business_date)
                   .where((E.member_uuid == member_uuid) & (E.kind == "earn")
                          & E.breakdown.contains('"bonuses":[{'))
                   .order_by(E.business_date, E.recorded_at))
    for entry_uuid, terminal_id, breakdown, version, day in rows:
        if year and not str(day).startswith(year):
            continue
        if any(k == kind for _, k, _ in _granted_bonuses(breakdown, version, cache)):
            return str(entry_uuid), str(terminal_id)
    return None



# -- per-period limits crossed by two tills -----------------------------------------------------------

#: entry kinds that count towards a limit a till checks against what it holds (its own and the
#: pulled entries): two tills that have not seen each other's entries can together cross it
_LIMIT_KINDS = ("earn", "redeem", "gift", "return", "award")

_Key = tuple[str, ...]


def _limit_counts(member_uuid: str, kind: str, points: int, ref_no: str, day: str, breakdown: str | None,
                  paid_months: dict[tuple[str, str], str]) -> list[tuple[_Key, int]]:
    """What one entry adds to each limit it counts towards, as the tills count (``storage.repo``):
    earnings per day; points redeemed per month (payments and gifts, less what a refund returned
    of a payment, in the payment's month); each gift per month; each award once, per day and per
    referred member. ``paid_months`` learns the month of each payment with points."""
    month = day[:7]
    if kind == "earn":
        return [(("daily_cap", member_uuid, day[:10]), points)]
    if kind == "redeem":
        paid_months[(member_uuid, ref_no)] = month
        return [(("redeem_cap", member_uuid, month), -points)]
    if kind == "return":
        paid = paid_months.get((member_uuid, ref_no))
        return [(("redeem_cap", member_uuid, paid), -points)] if paid else []
    detail = _json_object(breakdown)
    if kind == "gift":
        return [(("gift_limit", member_uuid, month, str(detail.get("gift"))), 1),
                (("redeem_cap", member_uuid, month), -points)]
    # an award: its id is the entry's reference
    out: list[tuple[_Key, int]] = [(("award", member_uuid, ref_no), 1),
                                   (("award_day", member_uuid, ref_no, day[:10]), 1)]
    if detail.get("referred"):
        out.append((("award_referred", member_uuid, ref_no, str(detail["referred"])), 1))
    return out


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _limit_of(key: _Key, program: Program) -> tuple[int | None, bool]:
    """The limit ``key`` stands for in ``program`` (None: no limit) and whether it counts points
    (else entries)."""
    kind = key[0]
    if kind == "daily_cap":
        return program.earning.max_points_per_member_day, True
    if kind == "redeem_cap":
        return program.redemption.monthly_cap_points, True
    if kind == "gift_limit":
        gift = program.gift(key[3])
        return (gift.per_member_month_limit if gift else None), False
    award = program.award(key[2])
    if award is None:
        return None, False
    if kind == "award":
        return (1 if award.once else None), False
    if kind == "award_day":
        return award.daily_limit, False
    return (1 if award.referral else None), False  # award_referred


def _limit_details(key: _Key, limit: int, total: int, entry_uuid: str) -> dict[str, Any]:
    kind = key[0]
    if kind == "daily_cap":
        return {"limit": limit, "earned": total, "day": key[2], "entry": entry_uuid}
    if kind == "redeem_cap":
        return {"limit": limit, "redeemed": total, "month": key[2], "entry": entry_uuid}
    if kind == "gift_limit":
        return {"gift": key[3], "limit": limit, "count": total, "month": key[2], "entry": entry_uuid}
    details: dict[str, Any] = {"award": key[2], "limit": limit, "count": total, "entry": entry_uuid}
    if kind == "award_day":
        details["day"] = key[3]
    elif kind == "award_referred":
        details["referred"] = key[3]
    return details


def _flag_crossed_limits(proj: Projection, term: db.Terminal, entries: list[dict[str, Any]]) -> None:
    """A limit the tills enforce on what they hold, crossed by this batch's entries together with
    what headquarters holds (another till's entries this till had not pulled yet): kept, and the
    entry that crossed it flagged (``daily_cap``, ``redeem_cap``, ``gift_limit``, ``award_limit``),
    with the points over the limit (caps) or the entry's points (counts). One query per push that
    has such entries: the members' entries since the first of the earliest month, and their awards."""
    todo = [f for f in entries if f["kind"] in _LIMIT_KINDS]
    if not todo:
        return
    since = min(str(f["business_date"])[:7] for f in todo) + "-01"
    rows = _select_in(
        "SELECT member_uuid, kind, points, ref_no, business_date,"
        " CASE WHEN kind IN ('gift', 'award') THEN breakdown END FROM entry"
        f" WHERE kind IN ({', '.join(repr(k) for k in _LIMIT_KINDS)}) AND (kind = 'award' OR business_date >= "
        f"{db.proxy.obj.param}) AND member_uuid IN ({{marks}})",
        sorted({f["member_uuid"] for f in todo}), params=[since])
    paid_months: dict[tuple[str, str], str] = {}
    totals: dict[_Key, int] = {}
    for row in sorted(rows, key=lambda r: r[1] != "redeem"):  # payments first: returns name them
        for key, amount in _limit_counts(str(row[0]), str(row[1]), int(row[2]), str(row[3]), str(row[4]), row[5],
                                         paid_months):
            totals[key] = totals.get(key, 0) + amount
    programs: dict[int, Program | None] = {}
    for f in todo:
        program = _program_at(f["program_version"], programs)
        for key, amount in _limit_counts(f["member_uuid"], f["kind"], f["points"], str(f["ref_no"]),
                                         str(f["business_date"]), f["breakdown"], paid_months):
            total = totals[key] = totals.get(key, 0) + amount
            if program is None or amount <= 0:
                continue
            limit, of_points = _limit_of(key, program)
            if limit is None or total <= limit:
                continue
            points = min(amount, total - limit) if of_points else abs(int(f["points"]))
            proj.flag(key[0] if key[0] in ("daily_cap", "redeem_cap", "gift_limit") else "award_limit",
                      store_id=term.store_id, terminal_id=term.id, member_uuid=f["member_uuid"], ref=f["uuid"],
                      points=points, details=_limit_details(key, limit, total, f["uuid"]))
