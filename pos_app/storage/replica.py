"""Replication, the terminal's storage side: the outbox going up to headquarters in batches,
and headquarters' change feed applied to the local ledger and its projections.

Up: ``export_batch`` turns pending outbox rows into one push body's entries (with their
effects on lots, see ``core.replica``) and events. A batch id is written into the rows
*before* the first attempt, so a retry after a crash, a timeout or a dropped answer sends
exactly the same rows under the same ``Idempotency-Key``; headquarters answers a batch it
holds already with its first answer. ``mark_acked`` and ``reset_from`` record the answer.

Down: ``apply_changes`` applies one page of the feed in one transaction, together with the
new cursor. Entries of other terminals are imported with their original terminal id,
sequence and hashes (so ``pos-app verify`` walks every chain) and applied to the member's
lots with ``core.replica.apply_entry``, the same rule headquarters uses; balances, debt,
lots and tier buckets stay projections of the local ledger. Foreign entries get no outbox
row: only this terminal's own chain goes up.

This module sits below ``pos_app.sync`` (the wire protocol), so the few wire facts it needs
are restated here; a test checks they agree.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_mod
from dataclasses import dataclass, field
from typing import Any

from pos_app.core import catalog as core_catalog
from pos_app.core.campaigns import parse_campaign
from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash
from pos_app.core.errors import Conflict, InvalidInput, PosError
from pos_app.core.members import validate_name
from pos_app.core.money import check_fen
from pos_app.core.program import parse_program
from pos_app.core.replica import Effects, LotState, NewLot, apply_entry, effects_from_wire
from pos_app.core.tiers import month_key
from pos_app.storage.database import Database
from pos_app.storage.ledger import Ledger, Stamp, iso
from pos_app.storage.repo import Repo

DEFAULT_BATCH = 1000  # = sync.protocol.DEFAULT_BATCH
#: a batch is cut at about this many bytes whatever its row count; headquarters accepts bodies up
#: to pos_app.hq.app.MAX_BODY (32 MB), far above it: one row is at most ~21 KB
MAX_BATCH_BYTES = 8 * 1024 * 1024
PUSHED_SETTINGS = ("member_qr.public_key",)  # = sync.protocol.PUSHED_SETTINGS
CURSOR_KEY = "sync.cursor"
CURSOR_MARK_KEY = "sync.cursor_mark"  # headquarters' fingerprint of the change at the cursor
MEMBER_STATUSES = ("active", "frozen")
_ENTRY_COLS = ", ".join(f"e.{f}" for f in HASHED_FIELDS)


# --------------------------------------------------------------------------------------- up


@dataclass(frozen=True)
class PendingBatch:
    """One push body's content. ``resent``: the batch id was given to these rows before (an
    earlier attempt may have reached headquarters), so they go out again unchanged."""

    batch_id: str
    entries: list[dict[str, Any]]
    events: list[dict[str, Any]]
    outbox_ids: list[int]
    resent: bool

    @property
    def first_seq(self) -> int | None:
        return self.entries[0]["seq"] if self.entries else None

    @property
    def last_seq(self) -> int | None:
        return self.entries[-1]["seq"] if self.entries else None

    def entry_at(self, index: int) -> dict[str, Any] | None:
        return self.entries[index] if 0 <= index < len(self.entries) else None


def _now() -> str:
    return iso(dt.datetime.now().replace(microsecond=0))


def export_batch(database: Database, terminal_id: str, *, limit: int = DEFAULT_BATCH) -> PendingBatch | None:
    """The next batch to push, or None when nothing waits.

    Resume rule: when the oldest pending rows carry a batch id already, exactly those rows go
    out again with that id. Otherwise the next ``limit`` pending rows get a new batch id in
    one transaction, before anything is sent.
    """
    if limit < 1:
        raise InvalidInput("limit", "a batch holds at least one row")
    with database.transaction():
        first = database.execute(
            "SELECT id, batch_id FROM outbox WHERE acked_at IS NULL ORDER BY id LIMIT 1").fetchone()
        if first is None:
            return None
        resent = first[1] is not None
        if resent:
            batch_id = str(first[1])
        else:
            batch_id = uuid_mod.uuid4().hex
            # at most ``limit`` rows and about MAX_BATCH_BYTES (always at least one row),
            # so a batch of large baskets never exceeds what headquarters accepts
            last = database.execute(
                "SELECT coalesce(max(CASE WHEN run <= ? THEN id END), min(id)) FROM ("
                " SELECT o.id, sum(600 + length(CAST(coalesce(e.breakdown, '') AS BLOB))"
                "  + length(CAST(o.payload AS BLOB))) OVER (ORDER BY o.id) AS run"
                " FROM outbox o LEFT JOIN ledger_entry e ON e.id = o.entry_id"
                " WHERE o.acked_at IS NULL AND o.batch_id IS NULL ORDER BY o.id LIMIT ?)",
                (MAX_BATCH_BYTES, limit)).fetchone()[0]
            database.execute("UPDATE outbox SET batch_id = ? WHERE acked_at IS NULL AND batch_id IS NULL"
                             " AND id <= ?", (batch_id, last))
        rows = database.execute(
            "SELECT id, kind, ref, payload, created_at, entry_id FROM outbox WHERE batch_id = ? ORDER BY id",
            (batch_id,)).fetchall()
        entries = _wire_entries(database, batch_id, terminal_id)
    events = [{"oid": r[0], "kind": r[1], "ref": r[2], "payload": json.loads(r[3]), "created_at": r[4]}
              for r in rows if r[5] is None]
    return PendingBatch(batch_id, entries, events, [r[0] for r in rows], resent)


def _wire_entries(database: Database, batch_id: str, terminal_id: str) -> list[dict[str, Any]]:
    """The batch's ledger entries as the wire carries them (``protocol.entry_to_wire``)."""
    in_batch = "SELECT entry_id FROM outbox WHERE batch_id = ? AND entry_id IS NOT NULL"
    rows = database.execute(
        f"SELECT e.id, {_ENTRY_COLS}, e.hash FROM outbox o JOIN ledger_entry e ON e.id = o.entry_id"
        " WHERE o.batch_id = ? ORDER BY o.id", (batch_id,)).fetchall()
    new: dict[int, list[NewLot]] = {}
    for entry_id, earned, expires, points in database.execute(
            f"SELECT entry_id, earned_on, expires_on, points FROM lot WHERE entry_id IN ({in_batch}) ORDER BY id",
            (batch_id,)):
        new.setdefault(entry_id, []).append(
            NewLot(dt.date.fromisoformat(earned), dt.date.fromisoformat(expires) if expires else None, points))
    back: dict[int, list[tuple[str, int]]] = {}
    taken: dict[int, list[tuple[str, int]]] = {}
    for entry_id, key, points, lot_entry in database.execute(
            "SELECT m.entry_id, l.key, m.points, l.entry_id FROM lot_move m JOIN lot l ON l.id = m.lot_id"
            f" WHERE m.entry_id IN ({in_batch}) ORDER BY m.id", (batch_id,)):
        if points > 0 and lot_entry != entry_id:
            back.setdefault(entry_id, []).append((key, points))
        elif points < 0:
            taken.setdefault(entry_id, []).append((key, -points))
    out = []
    for row in rows:
        entry_id = row[0]
        fields = dict(zip(HASHED_FIELDS, row[1:-1], strict=True))
        fields["backdated"] = bool(fields["backdated"])
        if fields["terminal_id"] != terminal_id:  # never: foreign entries have no outbox row
            raise Conflict("outbox", f"entry {fields['uuid']} of {fields['terminal_id']} is in this terminal's outbox")
        points = fields["points"]
        if points > 0:
            effects = Effects(new=tuple(new.get(entry_id, ())), back=tuple(back.get(entry_id, ())))
        elif points < 0:
            effects = Effects(taken=tuple(taken.get(entry_id, ())))
        else:
            effects = Effects()
        wire = {k: fields[k] for k in HASHED_FIELDS}
        wire["hash"] = row[-1]
        wire["effects"] = effects.to_wire()
        out.append(wire)
    return out


def pending_count(database: Database) -> int:
    return int(database.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0])


def own_last_seq(database: Database, terminal_id: str) -> int:
    """The last seq of this terminal's own chain (0: none yet)."""
    return int(database.execute("SELECT coalesce(max(seq), 0) FROM ledger_entry WHERE terminal_id = ?",
                                (terminal_id,)).fetchone()[0])


def entries_acked_past(database: Database, terminal_id: str, seq: int) -> bool:
    """Whether headquarters acknowledged an entry of this terminal past ``seq`` (an index range)."""
    return database.execute(
        "SELECT 1 FROM ledger_entry e JOIN outbox o ON o.entry_id = e.id WHERE e.terminal_id = ? AND e.seq > ?"
        " AND o.acked_at IS NOT NULL LIMIT 1", (terminal_id, seq)).fetchone() is not None


def events_acked_past(database: Database, oid: int) -> bool:
    """Whether headquarters acknowledged an event (an outbox row without entry) past outbox id ``oid``."""
    return database.execute(
        "SELECT 1 FROM outbox WHERE id > ? AND entry_id IS NULL AND acked_at IS NOT NULL LIMIT 1",
        (oid,)).fetchone() is not None


def _terminal_id(database: Database) -> str:
    row = database.execute("SELECT value FROM setting WHERE key = 'terminal_id'").fetchone()
    return str(row[0]) if row else ""


def mark_acked(database: Database, batch_id: str, acked_seq: int, acked_oid: int) -> int:
    """Headquarters holds the batch (and everything up to ``acked_seq``/``acked_oid``): those
    rows are done. Returns the rows marked."""
    terminal_id = _terminal_id(database)
    with database.transaction():
        cur = database.execute(
            "UPDATE outbox SET acked_at = ? WHERE acked_at IS NULL AND (batch_id = ?"
            " OR (entry_id IS NULL AND id <= ?)"
            " OR entry_id IN (SELECT id FROM ledger_entry WHERE terminal_id = ? AND seq <= ?))",
            (_now(), batch_id, int(acked_oid or 0), terminal_id, int(acked_seq or 0)))
        return int(cur.rowcount)


def reset_from(database: Database, expected_seq: int, acked_oid: int | None = None) -> None:
    """Headquarters expects ``expected_seq`` next (409): what it holds (lower sequences, and
    events up to ``acked_oid``) is acknowledged, the rest is pending again and every pending
    row loses its batch id, so the next push forms a fresh batch from the right place."""
    terminal_id = _terminal_id(database)
    now = _now()
    with database.transaction():
        own = "SELECT id FROM ledger_entry WHERE terminal_id = ?"
        database.execute(f"UPDATE outbox SET acked_at = coalesce(acked_at, ?) WHERE entry_id IN ({own} AND seq < ?)",
                         (now, terminal_id, expected_seq))
        database.execute(f"UPDATE outbox SET acked_at = NULL WHERE entry_id IN ({own} AND seq >= ?)",
                         (terminal_id, expected_seq))
        if acked_oid is not None:
            database.execute("UPDATE outbox SET acked_at = coalesce(acked_at, ?) WHERE entry_id IS NULL AND id <= ?",
                             (now, acked_oid))
            database.execute("UPDATE outbox SET acked_at = NULL WHERE entry_id IS NULL AND id > ?", (acked_oid,))
        database.execute("UPDATE outbox SET batch_id = NULL WHERE acked_at IS NULL")


# ------------------------------------------------------------------------------------- down


@dataclass
class ApplyReport:
    """What one page of changes did."""

    changes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    entries_imported: int = 0
    entries_known: int = 0  # this terminal's own, or imported before
    members_upserted: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # member uuids created for entries
    shortfalls: list[dict[str, Any]] = field(default_factory=list)  # debits not covered here (debt)
    touched_members: set[int] = field(default_factory=set)  # local ids that received foreign entries
    tier_changes: int = 0  # members whose tier a record from headquarters changed
    skipped: int = 0  # changes of a kind this build does not know, or for another store
    bad: list[dict[str, Any]] = field(default_factory=list)  # changes that could not be read (skipped)
    cursor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"changes": self.changes, "by_kind": self.by_kind, "entries_imported": self.entries_imported,
                "entries_known": self.entries_known, "members_upserted": self.members_upserted,
                "conflicts": self.conflicts, "placeholders": self.placeholders, "shortfalls": self.shortfalls,
                "skipped": self.skipped, "bad": self.bad, "cursor": self.cursor}


class _Applier:
    def __init__(self, database: Database, terminal_id: str, store_id: str, pushed_settings: tuple[str, ...]) -> None:
        self.db = database
        self.terminal_id = terminal_id
        self.store_id = store_id
        self.pushed_settings = pushed_settings
        self.repo = Repo(database)
        self.ledger = Ledger(database, terminal_id)
        now = dt.datetime.now().replace(microsecond=0)
        self.stamp = Stamp(now, now, None)
        self.report = ApplyReport()
        self._first_tier: str | None = None
        self._tier_ids: list[str] | None = None  # the active program's tiers, lowest first

    def audit(self, action: str, ref: str, details: dict[str, Any]) -> None:
        self.ledger.audit(action, ref, details, self.stamp)

    # -- members ------------------------------------------------------------------------------------
    def member_id(self, member_uuid: str, *, why: str) -> int:
        row = self.db.execute("SELECT id FROM member WHERE uuid = ?", (member_uuid,)).fetchone()
        if row:
            return int(row[0])
        return self._placeholder(member_uuid, why)

    def _lowest_tier(self) -> str:
        if self._first_tier is None:
            row_id = self.repo.active_program_id(self.stamp.at.date())
            self._first_tier = (parse_program(self.repo.program_source(row_id)).tiers.tiers[0].id
                                if row_id is not None else "normal")
        return self._first_tier

    def _placeholder(self, member_uuid: str, why: str, data: dict[str, Any] | None = None) -> int:
        """A member headquarters has not described (yet): a row that holds the points until
        the member's record arrives. Phone and card are placeholders no scan can match."""
        member_id = self._insert_member(member_uuid, data or {})
        self.report.placeholders.append(member_uuid)
        self.audit("sync.placeholder_member", member_uuid, {"why": why})
        return member_id

    def _insert_member(self, member_uuid: str, d: dict[str, Any]) -> int:
        day = (d.get("enrolled_at") or self.stamp.at.isoformat())[:10]
        cur = self.db.execute(
            "INSERT INTO member (uuid, phone, name, card_no, status, store_id, enrolled_at, tier, tier_since)"
            " VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?)",
            (member_uuid, f"~{member_uuid}", str(d.get("name") or ""), f"~{member_uuid}",
             str(d.get("store_id") or ""), str(d.get("enrolled_at") or iso(self.stamp.at)),
             str(d.get("tier") or self._lowest_tier()), str(d.get("tier_since") or day)))
        return int(cur.lastrowid or 0)

    def member(self, data: dict[str, Any]) -> None:
        member_uuid = _text(data, "uuid")
        local = self.db.execute("SELECT id, first_purchase_at, last_purchase_at, tier, tier_since, phone"
                                " FROM member WHERE uuid = ?", (member_uuid,)).fetchone()
        clashes = {}
        for col in ("phone", "card_no"):
            value = data.get(col)
            if value:
                other = self.db.execute(f"SELECT uuid, merged_into FROM member WHERE {col} = ? AND uuid <> ?",
                                        (value, member_uuid)).fetchone()
                if other and other[1]:  # merged into another at headquarters: it gives the number up
                    self.db.execute(f"UPDATE member SET {col} = ? WHERE uuid = ?", (f"~{other[0]}", other[0]))
                elif other:
                    clashes[col] = other[0]
        if clashes:  # the local member keeps the number; this member's profile waits for a fix at HQ
            conflict = {"member": member_uuid, "fields": sorted(clashes),
                        "local_members": sorted(set(clashes.values()))}
            self.report.conflicts.append(conflict)
            self.audit("sync.conflict", member_uuid, conflict)
            if local is None:
                self._placeholder(member_uuid, "phone or card held by another member here", data)
            return
        fields: dict[str, Any] = {}
        for col in ("phone", "card_no", "name"):
            if data.get(col):
                fields[col] = str(data[col])
        for col in ("birthday", "last_review"):
            if col in data:
                fields[col] = data[col] or None
        for col in ("store_id", "enrolled_at", "tier", "tier_since"):
            if data.get(col):
                fields[col] = str(data[col])
        if local is not None and "tier" in fields and fields["tier"] != local[3]:
            if self._keeps_own_tier(member_uuid, local[3], local[4], fields["tier"], fields.get("tier_since")):
                fields.pop("tier")
                fields.pop("tier_since", None)
            elif not str(local[5]).startswith("~"):  # a decision made elsewhere: taken, never re-decided here
                self.db.execute(
                    "INSERT INTO tier_change (member_id, at, from_tier, to_tier, reason, qualifying_points)"
                    " VALUES (?, ?, ?, ?, 'headquarters', 0)",
                    (int(local[0]), iso(self.stamp.at), local[3], fields["tier"]))
                self.report.tier_changes += 1
        if data.get("status") in MEMBER_STATUSES:
            fields["status"] = data["status"]
        merged_into = data.get("merged_into")
        if isinstance(merged_into, str) and merged_into and merged_into != member_uuid:
            fields["merged_into"] = merged_into
        if "consent" in data:
            fields["consent"] = int(bool(data["consent"]))
        referrer = data.get("referrer_uuid")
        if referrer:
            row = self.db.execute("SELECT id FROM member WHERE uuid = ?", (referrer,)).fetchone()
            if row:
                fields["referrer_id"] = row[0]
        # purchases made here may be newer than headquarters' picture: keep the earliest first
        # purchase and the latest last purchase
        first, last = data.get("first_purchase_at"), data.get("last_purchase_at")
        if local is not None:
            first = min(x for x in (first, local[1]) if x) if (first or local[1]) else None
            last = max(x for x in (last, local[2]) if x) if (last or local[2]) else None
        fields["first_purchase_at"] = first
        fields["last_purchase_at"] = last
        member_id = self._insert_member(member_uuid, data) if local is None else int(local[0])
        self.repo.update_member(member_id, **fields)
        self.report.members_upserted += 1

    def _tier_rank(self, tier: str) -> int:
        if self._tier_ids is None:
            row_id = self.repo.active_program_id(self.stamp.at.date())
            self._tier_ids = ([t.id for t in parse_program(self.repo.program_source(row_id)).tiers.tiers]
                              if row_id is not None else [])
        return self._tier_ids.index(tier) if tier in self._tier_ids else -1

    def _keeps_own_tier(self, member_uuid: str, local_tier: str, local_since: str, tier: str,
                        since: str | None) -> bool:
        """Whether a member record from headquarters must not lower the till's tier: the till
        decided it (its sale crossed the threshold) and headquarters has not heard yet (a tier
        event waits in the outbox), or the record is older than that decision (from before the
        day the till's tier began). A higher tier from headquarters is always taken."""
        if self._tier_rank(tier) >= self._tier_rank(local_tier):
            return False
        if since and str(since) < local_since:
            return True
        return self.db.execute("SELECT 1 FROM outbox WHERE acked_at IS NULL AND kind = 'tier' AND ref = ? LIMIT 1",
                               (member_uuid,)).fetchone() is not None

    # -- entries --------------------------------------------------------------------------------------
    def entry(self, data: dict[str, Any]) -> None:
        fields = {k: data.get(k) for k in HASHED_FIELDS}
        entry_uuid = _text(data, "uuid")
        digest = data.get("hash")
        if entry_hash(fields) != digest:
            raise Conflict("changes.entry.hash", f"entry {entry_uuid}: the hash does not match its content")
        known = self.db.execute("SELECT hash FROM ledger_entry WHERE uuid = ?", (entry_uuid,)).fetchone()
        if known is not None:
            if known[0] != digest:
                raise Conflict("changes.entry.hash", f"entry {entry_uuid} is here with a different content")
            self.report.entries_known += 1
            return
        if fields["terminal_id"] == self.terminal_id:
            raise Conflict("changes.entry", f"entry {entry_uuid} of this terminal's chain is not in its ledger")
        points = fields["points"]
        if not isinstance(points, int) or not isinstance(fields["seq"], int):
            raise InvalidInput("changes.entry", f"entry {entry_uuid}: points and seq must be whole numbers")
        effects = effects_from_wire(data.get("effects", {}), points=points, field_name="changes.entry.effects")
        # another till's chain is held in part (the members this till holds): the link to the
        # previous entry is checked when that entry is here; the entry's own hash always is
        prev = self.db.execute("SELECT hash FROM ledger_entry WHERE terminal_id = ? AND seq = ?",
                               (fields["terminal_id"], fields["seq"] - 1)).fetchone()
        expected_prev = GENESIS_HASH if fields["seq"] == 1 else (prev[0] if prev else None)
        if expected_prev is None:
            # another till's chain is held in part (the members this till holds: the feed per
            # till, a lookup's answer): the chain before this entry is not here. Its own hash
            # was checked; the link is checked with the entry after it when that one is held
            after = self.db.execute("SELECT prev_hash FROM ledger_entry WHERE terminal_id = ? AND seq = ?",
                                    (fields["terminal_id"], fields["seq"] + 1)).fetchone()
            expected_prev = fields["prev_hash"] if after is None or after[0] == digest else None
        if expected_prev is None or expected_prev != fields["prev_hash"]:
            raise Conflict("changes.entry.prev_hash",
                           f"entry {fields['terminal_id']}#{fields['seq']} does not follow its chain here",
                           terminal_id=fields["terminal_id"], seq=fields["seq"])
        member_id = self.member_id(str(fields["member_uuid"]), why=f"entry {entry_uuid}")
        cur = self.db.execute(
            "INSERT INTO ledger_entry (uuid, terminal_id, seq, member_id, member_uuid, kind, points,"
            " tier_points, ref_type, ref_no, program_version, breakdown, created_at, business_date,"
            " recorded_at, backdated, staff_code, prev_hash, hash)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (entry_uuid, fields["terminal_id"], fields["seq"], member_id, fields["member_uuid"], fields["kind"],
             points, fields["tier_points"], fields["ref_type"], fields["ref_no"], fields["program_version"],
             fields["breakdown"], fields["created_at"], fields["business_date"], fields["recorded_at"],
             int(bool(fields["backdated"])), fields["staff_code"], fields["prev_hash"], digest))
        entry_id = int(cur.lastrowid or 0)
        day = dt.date.fromisoformat(str(fields["business_date"]))
        if points:
            self.db.execute("UPDATE member SET balance = balance + ? WHERE id = ?", (points, member_id))
        if fields["tier_points"]:
            self.db.execute(
                "INSERT INTO tier_month (member_id, month, points) VALUES (?, ?, ?)"
                " ON CONFLICT (member_id, month) DO UPDATE SET points = points + excluded.points",
                (member_id, month_key(day), fields["tier_points"]))
        self._apply_lots(entry_id, member_id, entry_uuid, str(fields["kind"]), points, day, effects)
        if fields["ref_type"] == "sale":  # a purchase at another till: no second first-purchase bonus here
            self.db.execute(
                "UPDATE member SET first_purchase_at = min(coalesce(first_purchase_at, ?1), ?1),"
                " last_purchase_at = max(coalesce(last_purchase_at, ?1), ?1) WHERE id = ?2",
                (fields["created_at"], member_id))
        self.report.entries_imported += 1
        self.report.touched_members.add(member_id)

    def _apply_lots(self, entry_id: int, member_id: int, entry_uuid: str, kind: str, points: int, day: dt.date,
                    effects: Effects) -> None:
        if not points:
            return
        lots: dict[str, LotState] = {}
        ids: dict[str, int] = {}
        for lot_id, key, earned, expires, pts, remaining in self.db.execute(
                "SELECT id, key, earned_on, expires_on, points, remaining FROM lot WHERE member_id = ?", (member_id,)):
            lots[key] = LotState(key, dt.date.fromisoformat(earned),
                                 dt.date.fromisoformat(expires) if expires else None, pts, remaining)
            ids[key] = lot_id
        debt = int(self.db.execute("SELECT debt FROM member WHERE id = ?", (member_id,)).fetchone()[0])
        applied = apply_entry(entry_uuid=entry_uuid, kind=kind, points=points, day=day, effects=effects,
                              lots=lots, debt=debt)
        for lot in applied.created:
            cur = self.db.execute(
                "INSERT INTO lot (member_id, entry_id, earned_on, expires_on, points, remaining, key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (member_id, entry_id, lot.earned_on.isoformat(), lot.expires_on.isoformat() if lot.expires_on else None,
                 lot.points, lot.points, lot.key))
            ids[lot.key] = int(cur.lastrowid or 0)
        for key, delta in applied.moves:
            self.db.execute("INSERT INTO lot_move (entry_id, lot_id, points) VALUES (?, ?, ?)",
                            (entry_id, ids[key], delta))
            self.db.execute("UPDATE lot SET remaining = remaining + ? WHERE id = ?", (delta, ids[key]))
        if applied.debt_change:
            self.db.execute("UPDATE member SET debt = debt + ? WHERE id = ?", (applied.debt_change, member_id))
        if applied.shortfall or applied.unmatched:
            self.report.shortfalls.append({"entry": entry_uuid, "shortfall": applied.shortfall,
                                           "unmatched": applied.unmatched})

    # -- the rest ------------------------------------------------------------------------------------
    def program(self, data: dict[str, Any]) -> None:
        source = _text(data, "source")
        program = parse_program(source)
        active = self.db.execute("SELECT version FROM program WHERE active = 1 AND program_id = ?",
                                 (program.program_id,)).fetchone()
        at = iso(self.stamp.recorded_at)
        if active is not None and active[0] > program.version:  # an older version: kept, not activated
            self.db.execute("INSERT OR IGNORE INTO program (program_id, version, digest, source, loaded_at, active)"
                            " VALUES (?, ?, ?, ?, ?, 0)", (program.program_id, program.version, program.digest,
                                                           source, at))
            return
        effective_on = _effective_on(data)
        if effective_on is not None:
            # published with a date: kept beside the active one, run from that business date of the
            # till's clock (Repo.active_program_id), whenever this page is applied
            new = self.repo.store_pending_program(program_id=program.program_id, version=program.version,
                                                  digest=program.digest, source=source, at=at,
                                                  effective_on=effective_on)
        else:
            new = self.repo.store_program(program_id=program.program_id, version=program.version,
                                          digest=program.digest, source=source, at=at)
        for gift in program.gifts:
            if gift.stock_tracked and self.repo.gift_stock(gift.code) is None:
                self.repo.set_gift_stock(gift.code, 0)
        self._first_tier = None
        self._tier_ids = None
        if new:
            self.audit("program.load", f"{program.program_id}@{program.version}",
                       {"digest": program.digest, "new": new, "from": "hq", "effective_on": effective_on})

    def campaign(self, data: dict[str, Any]) -> None:
        """A campaign version headquarters published (``core.campaigns``): kept beside the
        others; the highest version of a campaign is the one that counts. Text that does not
        parse, or whose id or version is not the change's, is quarantined by the caller."""
        source = _text(data, "source")
        campaign = parse_campaign(source)
        if (campaign.campaign_id, campaign.version) != (data.get("campaign_id"), data.get("version")):
            raise InvalidInput("changes.campaign.source", f"the text is {campaign.campaign_id} version"
                               f" {campaign.version}, not {data.get('campaign_id')} version {data.get('version')}")
        published = data.get("published_at")
        if self.repo.store_campaign(campaign, at=iso(self.stamp.recorded_at),
                                    published_at=published if isinstance(published, str) else None):
            self.audit("campaign.load", f"{campaign.campaign_id}@{campaign.version}",
                       {"digest": campaign.digest, "kind": campaign.kind, "new": True, "from": "hq"})

    def gift_stock(self, data: dict[str, Any]) -> None:
        store = data.get("store_id")
        if store not in (None, self.store_id):
            self.report.skipped += 1
            return
        code = _text(data, "gift_code")
        stock = data.get("stock")
        if not isinstance(stock, int) or isinstance(stock, bool):
            raise InvalidInput("changes.gift_stock.stock", "a whole number is required")
        # this terminal's redemptions headquarters has not received yet are not in its figure
        pending = self.db.execute(
            "SELECT count(*) FROM outbox WHERE kind = 'redemption' AND acked_at IS NULL"
            " AND json_extract(payload, '$.gift') = ?", (code,)).fetchone()[0]
        self.repo.set_gift_stock(code, max(0, stock - int(pending)))

    def revoked(self, data: dict[str, Any]) -> None:
        kind = _text(data, "kind")
        if kind not in ("card", "member_qr"):
            self.report.skipped += 1
            return
        self.db.execute(
            "INSERT INTO revoked_code (kind, value, reason, revoked_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, value) DO UPDATE SET reason = excluded.reason",
            (kind, _text(data, "value"), str(data.get("reason") or ""),
             str(data.get("revoked_at") or iso(self.stamp.at))))

    def setting(self, data: dict[str, Any]) -> None:
        key = _text(data, "key")
        if key not in self.pushed_settings:
            self.report.skipped += 1
            return
        value = str(data.get("value") or "")
        old = self.repo.setting(key)
        if old != value:
            self.repo.set_setting(key, value)
            self.audit("setting.change", key, {"old": old, "new": value, "from": "hq"})

    def product(self, data: dict[str, Any]) -> None:
        """A product of the chain's catalogue as headquarters holds it: added or replaced by
        SKU. Headquarters is the authority on barcodes: another product here holding the
        barcode gives it up (its own change, with its new barcode, is in the feed too)."""
        sku = _text(data, "sku")
        if not core_catalog.SKU_RE.fullmatch(sku):
            raise InvalidInput("changes.product.sku", f"not a SKU: {sku!r}")
        barcode = data.get("barcode")
        if barcode is not None:
            barcode = core_catalog.check_barcode(str(barcode), field="changes.product.barcode")
        name = validate_name(_text(data, "name"), field="changes.product.name")
        category = _text(data, "category")
        if not core_catalog.CATEGORY_RE.fullmatch(category):
            raise InvalidInput("changes.product.category", f"not a category: {category!r}")
        price = check_fen(data.get("price_fen"), field="changes.product.price_fen")
        flags = data.get("flags", [])
        if not isinstance(flags, list) or not all(isinstance(f, str) and core_catalog.FLAG_RE.fullmatch(f)
                                                  for f in flags):
            raise InvalidInput("changes.product.flags", "a list of flags is required")
        active = data.get("active", True)
        if not isinstance(active, bool):
            raise InvalidInput("changes.product.active", "true or false is required")
        if barcode is not None:
            self.repo.clear_product_barcodes([r[0] for r in self.db.execute(
                "SELECT sku FROM product WHERE barcode = ? AND sku <> ?", (barcode, sku)).fetchall()])
        self.repo.write_products([(sku, barcode, name, category, price, ",".join(flags), int(active))])

    def coupon(self, data: dict[str, Any]) -> None:
        code = _text(data, "code")
        existing = self.db.execute("SELECT id, used_at, used_receipt_no FROM coupon WHERE code = ?",
                                   (code,)).fetchone()
        if existing is not None:
            if data.get("used_at") and not existing[1]:
                self.db.execute("UPDATE coupon SET used_at = ?, used_receipt_no = ? WHERE id = ?",
                                (data["used_at"], data.get("used_receipt_no"), existing[0]))
            elif not data.get("used_at") and existing[1] and data.get("returned_from") == existing[2]:
                # the sale that used it was refunded entirely (at any till): usable again. A use
                # headquarters has not heard of yet (another receipt) is never undone here.
                self.db.execute("UPDATE coupon SET used_at = NULL, used_receipt_no = NULL WHERE id = ?",
                                (existing[0],))
            return
        if not data.get("member_uuid"):  # used before headquarters heard of its issue: wait for the issue
            self.report.skipped += 1
            return
        member_id = self.member_id(_text(data, "member_uuid"), why=f"coupon {code}")
        self.db.execute(
            "INSERT INTO coupon (code, member_id, gift_code, value_fen, min_spend_fen, issued_at, valid_until,"
            " used_at, used_receipt_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code, member_id, str(data.get("gift_code") or ""), int(data.get("value_fen") or 0),
             int(data.get("min_spend_fen") or 0), str(data.get("issued_at") or iso(self.stamp.at)),
             data.get("valid_until"), data.get("used_at"), data.get("used_receipt_no")))


#: A change the caller found malformed (``sync.protocol``'s checks) carries the problem under this
#: key: it is quarantined (``QUARANTINE_ACTION`` in the audit, with the change) instead of applied.
QUARANTINE = "quarantine"
QUARANTINE_ACTION = "sync.bad_change"


def _quarantine(applier: _Applier, change: dict[str, Any], problem: str) -> None:
    """Set a change aside: not applied, counted, and kept whole in the audit for headquarters'
    operators (``pos-app sync`` and the sync status report how many)."""
    report = applier.report
    report.skipped += 1
    report.bad.append({"id": change.get("id"), "kind": change.get("kind"), "error": problem})
    applier.audit(QUARANTINE_ACTION, str(change.get("id")),
                  {"kind": change.get("kind"), "error": problem[:300], "change": change.get("data")})


def _follows_quarantined(database: Database, data: dict[str, Any]) -> bool:
    """An entry whose predecessor in its terminal's chain was quarantined cannot follow it here."""
    seq = data.get("seq")
    if not isinstance(seq, int) or seq < 2 or database.execute(
            "SELECT 1 FROM ledger_entry WHERE terminal_id = ? AND seq = ?", (data.get("terminal_id"), seq - 1)
    ).fetchone() is not None:
        return False
    return database.execute(
        "SELECT 1 FROM audit WHERE action = ? AND json_extract(details, '$.kind') = 'entry'"
        " AND json_extract(details, '$.change.terminal_id') = ? AND json_extract(details, '$.change.seq') = ?"
        " LIMIT 1", (QUARANTINE_ACTION, data.get("terminal_id"), seq - 1)).fetchone() is not None


def quarantined_count(database: Database) -> int:
    """Changes from headquarters this till set aside (malformed), all time."""
    return int(database.execute("SELECT count(*) FROM audit WHERE action = ?", (QUARANTINE_ACTION,)).fetchone()[0])


def _effective_on(data: dict[str, Any]) -> str | None:
    """A program change's effective date (``YYYY-MM-DD``; absent: at once)."""
    value = data.get("effective_on")
    if value is None:
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise InvalidInput("changes.effective_on", "a date such as 2026-01-31 is required")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"changes.{key}", "a text is required")
    return value


def apply_changes(database: Database, terminal_id: str, store_id: str, changes: list[dict[str, Any]], *,
                  cursor: int | str | None = None, mark: str | None = None,
                  pushed_settings: tuple[str, ...] = PUSHED_SETTINGS) -> ApplyReport:
    """Apply one page of headquarters' change feed and store the new cursor (and its ``mark``),
    in one transaction: either the whole page is applied and the cursor moves, or nothing is."""
    applier = _Applier(database, terminal_id, store_id, pushed_settings)
    report = applier.report
    handlers = {"member": applier.member, "entry": applier.entry, "program": applier.program,
                "gift_stock": applier.gift_stock, "revoked": applier.revoked, "setting": applier.setting,
                "coupon": applier.coupon, "product": applier.product, "campaign": applier.campaign}
    with database.transaction():
        last_id = None
        for change in changes:
            kind = change.get("kind")
            data = change.get("data")
            last_id = change.get("id", last_id)
            report.changes += 1
            report.by_kind[str(kind)] = report.by_kind.get(str(kind), 0) + 1
            handler = handlers.get(str(kind))
            if handler is None or not isinstance(data, dict):
                report.skipped += 1
                continue
            problem = change.get(QUARANTINE)
            if problem is None and kind == "entry" and _follows_quarantined(database, data):
                problem = "changes.entry.prev_hash: the entry before it in its chain was quarantined"
            if problem is not None:  # the wire check refused it: kept aside, never applied
                _quarantine(applier, change, str(problem))
                continue
            if kind == "entry":  # strict: a refused entry stops the page (the chain must stay whole)
                handler(data)
                continue
            try:  # anything else that this build cannot read is set aside, not a reason to stop the feed
                with database.db.atomic():  # a savepoint
                    handler(data)
            except (PosError, ValueError, TypeError, KeyError) as exc:
                _quarantine(applier, change, str(exc))
        new_cursor = cursor if cursor is not None else last_id
        if new_cursor is not None:
            Repo(database).set_setting(CURSOR_KEY, str(new_cursor))
            if mark is not None:
                Repo(database).set_setting(CURSOR_MARK_KEY, mark)
            report.cursor = str(new_cursor)
    return report


def restart_feed(database: Database) -> None:
    """Headquarters does not know this till's cursor: read its feed again from the start
    (applying a change twice is harmless: known entries are skipped, records set again)."""
    repo = Repo(database)
    with database.transaction():
        repo.set_setting(CURSOR_KEY, "0")
        repo.set_setting(CURSOR_MARK_KEY, "")


def current_cursor(database: Database) -> str:
    """Where this till's feed continues, as headquarters gave it (text: ``n``, ``txid.n`` or a
    snapshot's ``s.txid.n[.uuid]``; an integer cursor kept by an older build is ``n``)."""
    row = database.execute("SELECT value FROM setting WHERE key = ?", (CURSOR_KEY,)).fetchone()
    text = str(row[0]).strip() if row and row[0] is not None else ""
    return text or "0"


# ------------------------------------------------------------------------ an online lookup


def apply_member_copy(database: Database, terminal_id: str, store_id: str, member: dict[str, Any],
                      entries: list[dict[str, Any]], coupons: list[dict[str, Any]], *, at: str) -> ApplyReport:
    """Headquarters' complete picture of one member (an online lookup), applied in one
    transaction with the code that applies the feed: the member record, then every entry this
    till does not hold yet (other tills' chains in part: an entry's link to the one before it
    is checked when that one is held here), then the coupons. The feed cursor does not move.
    The member is marked fresh and seen at ``at`` (local time, ISO). Entries of this till's own
    chain are skipped: they are in its ledger already (a till that lost them is recovered from
    its own chain at headquarters, not here)."""
    applier = _Applier(database, terminal_id, store_id, PUSHED_SETTINGS)
    report = applier.report
    with database.transaction():
        applier.member(member)
        own = [e for e in entries if e.get("terminal_id") != terminal_id]
        for data in sorted(own, key=lambda e: (str(e.get("terminal_id")), int(e.get("seq") or 0))):
            applier.entry(data)
        for coupon in coupons:
            try:
                with database.db.atomic():  # a savepoint: a coupon this build cannot read is left out
                    applier.coupon(coupon)
            except (PosError, ValueError, TypeError, KeyError) as exc:
                report.bad.append({"kind": "coupon", "error": str(exc)})
        report.changes = 1 + len(own) + len(coupons)
        database.execute("UPDATE member SET fresh_at = ?, seen_at = ? WHERE uuid = ?", (at, at, member["uuid"]))
    return report


def mark_member_seen(database: Database, member_id: int, at: str) -> None:
    """The member was identified at this till at ``at`` (local time, ISO): the till keeps them
    (``replica.keep_days``) and headquarters' feed keeps them current. Kept by the day: written
    only on a member's first identification of the day, so a scan at the counter costs no write
    transaction (and no fsync) the rest of the day."""
    row = database.execute("SELECT seen_at FROM member WHERE id = ?", (member_id,)).fetchone()
    if row is None or (row[0] and str(row[0])[:10] >= at[:10]):
        return
    with database.transaction():
        database.execute("UPDATE member SET seen_at = ? WHERE id = ? AND (seen_at IS NULL OR substr(seen_at, 1, 10)"
                         " < substr(?, 1, 10))", (at, member_id, at))


def member_freshness(database: Database, member_id: int) -> tuple[str | None, str | None, str]:
    """(seen_at, fresh_at, store_id) of a member held here."""
    row = database.execute("SELECT seen_at, fresh_at, store_id FROM member WHERE id = ?", (member_id,)).fetchone()
    if row is None:
        return None, None, ""
    return row[0], row[1], str(row[2] or "")


__all__ = ["DEFAULT_BATCH", "PUSHED_SETTINGS", "ApplyReport", "PendingBatch", "apply_changes", "canonical_json",
           "current_cursor", "export_batch", "mark_acked", "pending_count", "reset_from"]
