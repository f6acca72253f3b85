"""Headquarters' projection of ledger entries: the members a transaction touches and their lots,
held in memory while entries are applied (``core.replica.apply_entry``, the rule the tills use)
and written back with one statement per table; headquarters' own hash chain (``HQ``), where
it writes ``overdraft`` and ``expire_fix`` entries (two tills spent the same points offline,
two machines expired the same lot) and the entries of its daily jobs and channels.

Used by a push (``ingest``), by ``append_hq_entry`` and by the expiry run (``authority``).
Locks, on PostgreSQL, until the caller commits: members' rows (``FOR UPDATE``, in uuid
order), then the ``HQ`` chain's row. Changes are written last (``feed.ChangeBuffer.flush``),
fanned out to the members' audiences while their rows are locked (see ``feed``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pos_app.core import tiers as core_tiers
from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash
from pos_app.core.errors import Conflict, NotFound
from pos_app.core.program import Program
from pos_app.core.replica import EXACT_DEBIT_KINDS, Applied, Effects, LotState, NewLot, apply_entry, effects_from_wire
from pos_app.core.tiers import month_key
from pos_app.hq import db, feed
from pos_app.sync import protocol

CHUNK = 500


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


def bulk_update(table: str, key: str, cols: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
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


def tuples(query: Any) -> list[tuple[Any, ...]]:
    """A query's rows as plain tuples (peewee's typing does not follow ``.tuples()``)."""
    return list(query.tuples())


def select_in(sql: str, values: Sequence[Any], *, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` whose ``{marks}`` is filled with one placeholder per value, in pages;
    written by hand because peewee builds a node per value of an IN list (slow for 500)."""
    database = db.proxy.obj
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(values), CHUNK):
        part = list(values[start:start + CHUNK])
        marks = ", ".join([database.param] * len(part))
        rows += database.execute_sql(sql.format(marks=marks), [*params, *part]).fetchall()
    return rows


def int_or_zero(value: object) -> int:
    """A whole number from a payload, 0 for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def for_update(query: Any) -> Any:
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
            self.row = for_update(db.Terminal.select().where(db.Terminal.id == db.HQ_CHAIN)).get()
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
        self.tier_day: dict[str, str] = {}  # member -> latest business date of the tier points applied
        self.tier_decisions: list[dict[str, Any]] = []  # upgrades headquarters decided (``decide_tiers``)
        self._program: Program | bool | None = False  # the active program, read once (False: not yet)
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
        for row in select_in(f"SELECT {cols} FROM member WHERE uuid IN ({{marks}}){lock}", want):
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
        self._add_lots(select_in(f"{select} key IN ({{marks}})", list(dict.fromkeys(keys))))
        for member_uuid in dict.fromkeys(member_uuids):
            self.load_live_lots(member_uuid)

    def load_live_lots(self, member_uuid: str) -> None:
        """All of a member's lots with points left (once per member and batch)."""
        if member_uuid in self.live_loaded:
            return
        self.live_loaded.add(member_uuid)
        self._add_lots(select_in("SELECT key, member_uuid, earned_on, expires_on, points, remaining FROM lot"
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
            self.tier_day[member_uuid] = max(self.tier_day.get(member_uuid, ""), fields["business_date"])
        self.dirty[member_uuid] = None
        self.entry_rows.append((*(fields[k] for k in HASHED_FIELDS), fields["hash"], store_id,
                                canonical_json(effects.to_wire()), self.now, batch_id))
        self.changes.add_entry(entry_uuid, member_uuid)
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

    # tiers -----------------------------------------------------------------------------
    def program(self) -> Program | None:
        if self._program is False:
            from pos_app.hq.authority import active_program

            self._program = active_program()
        return self._program if isinstance(self._program, Program) else None

    def raises_tier(self, current: str, to: str) -> bool:
        """Whether ``to`` is above ``current`` in the active program's tiers (True without one)."""
        program = self.program()
        if program is None:
            return True
        ids = [t.id for t in program.tiers.tiers]
        return to in ids and (current not in ids or ids.index(to) > ids.index(current))

    def decide_tiers(self) -> None:
        """Headquarters' tier decision, after the batch's entries and events: a member whose
        qualifying points (``tier_month`` over the trailing window, with this batch's) reach a
        higher tier than the member holds is upgraded here, once, and the member record goes
        out with the rest of the batch's changes. A till whose own sale crossed the threshold
        sent its ``tier`` event in the batch already (applied first), so headquarters decides
        only when points from several tills crossed it together, none alone. Tills take the
        record's tier and never decide it again after a pull. Audited as ``tier.upgrade``."""
        earned = sorted({u for (u, _month), points in self.tier.items() if points > 0 and u in self.members})
        program = self.program() if earned else None
        if program is None:
            return
        rules = program.tiers
        buckets: dict[str, dict[str, int]] = defaultdict(dict)
        for member_uuid, month, points in select_in(
                "SELECT member_uuid, month, points FROM tier_month WHERE member_uuid IN ({marks})", earned):
            buckets[member_uuid][month] = int(points)
        for (member_uuid, month), points in self.tier.items():
            buckets[member_uuid][month] = buckets[member_uuid].get(month, 0) + points
        ids = [t.id for t in rules.tiers]
        for member_uuid in earned:
            m = self.members[member_uuid]
            day = dt.date.fromisoformat(self.tier_day[member_uuid])
            qualifying = core_tiers.qualifying_points(rules, buckets[member_uuid], day)
            new = core_tiers.upgrade(rules, m.tier if m.tier in ids else ids[0], qualifying)
            if new is None:
                continue
            self.tier_decisions.append({"member_uuid": member_uuid, "from": m.tier, "to": new.id,
                                        "qualifying_points": qualifying, "at": day.isoformat()})
            m.tier, m.tier_since = new.id, day.isoformat()
            self.dirty[member_uuid] = None
            self.tier_dirty.add(member_uuid)

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
            held = {u for (u,) in select_in("SELECT uuid FROM entry WHERE uuid IN ({marks})", uuids)}
            for u in uuids:
                if u in held:
                    raise Conflict(f"{self.names.get(u, 'entry')}.uuid",
                                   "an entry with this uuid is held with a different content") from None
            raise

    def write(self) -> None:
        """Write everything in bulk and queue the member changes (the caller flushes ``changes``)."""
        self.decide_tiers()
        self._insert_entries()
        feed.bulk_insert(db.Lot, ("key", "member_uuid", "earned_on", "expires_on", "points", "remaining"), [
            (lot.key, member, lot.earned_on.isoformat(), lot.expires_on.isoformat() if lot.expires_on else None,
             lot.points, lot.remaining)
            for member, lot in self.created.values()
        ])
        feed.bulk_insert(db.LotMove, ("entry_uuid", "lot_key", "points"), self.move_rows)
        by_key = {k: lot for lots in self.lots.values() for k, lot in lots.items() if k in self.changed_lots}
        bulk_update("lot", "key", ("remaining",), [(k, lot.remaining) for k, lot in by_key.items()])
        for u in self.dirty:
            self.members[u].updated_at = self.now
        bulk_update("member", "uuid", ("balance", "debt", "updated_at"),
                     [(u, int(self.members[u].balance), int(self.members[u].debt), self.now) for u in self.dirty])
        bulk_update("member", "uuid", ("tier", "tier_since"),
                     [(u, self.members[u].tier, self.members[u].tier_since) for u in self.tier_dirty])
        feed.bulk_insert(db.TierMonth, ("member_uuid", "month", "points"),
                         [(m, month, p) for (m, month), p in self.tier.items()],
                         suffix="ON CONFLICT (member_uuid, month) DO UPDATE SET points = tier_month.points"
                                " + excluded.points")
        feed.bulk_insert(db.Flag, FLAG_COLS, self.flags)
        if self.tier_decisions:
            feed.bulk_insert(db.Audit, ("at", "actor", "action", "ref", "details"), [
                (self.now, "hq", "tier.upgrade", d["member_uuid"], canonical_json({**d, "decided_by": "hq"}))
                for d in self.tier_decisions])
        self.hq.save()
        for u in self.dirty:
            self.changes.add("member", u, feed.member_data(self.members[u]))
        self.entry_rows, self.move_rows, self.flags = [], [], []
        self.created, self.changed_lots, self.dirty, self.tier_dirty = {}, set(), {}, set()
        self.tier = defaultdict(int)
        self.tier_day, self.tier_decisions = {}, []


# -- headquarters' entries ---------------------------------------------------------------------------


def append_hq_entry(*, member_uuid: str, kind: str, points: int, ref_type: str, ref_no: str,
                    breakdown: dict[str, Any], effects: Effects, business_date: dt.date,
                    program_version: int | None = None, tier_points: int = 0, staff_code: str | None = None,
                    at: dt.datetime | None = None, store_id: str = db.HQ_CHAIN,
                    changes: feed.ChangeBuffer | None = None) -> dict[str, Any]:
    """Append an entry to headquarters' own chain inside the caller's transaction, apply it to
    the member's lots and balance and publish it; returns the wire entry.

    Locks, on PostgreSQL, until the caller commits: the member's row, then the ``HQ`` chain's
    row. A caller writing many entries (an expiry run) passes one ``changes`` buffer and
    flushes it once at the end (the changes in one statement); without it the changes are
    written at once.
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
        proj.changes.flush(locked=proj.members)
    else:
        changes.rows += proj.changes.rows
    return wire
