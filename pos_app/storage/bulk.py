"""Bulk ledger work (the expiry run) written with executemany in member-sized chunks.

Each chunk is one ``BEGIN IMMEDIATE`` transaction holding the entries, lot movements, lot
and balance updates and outbox rows of up to 10,000 members (about a second of work): a
sale at the counter waits at most that long for the write lock (busy_timeout is 5 s), and an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pos_app.storage.ledger import Ledger, Stamp, canonical_json, entry_hash, iso, new_uuid


@dataclass
class ExpiryTotals:
    members: int = 0
    lots: int = 0
    points: int = 0


def expiring_lots(ledger: Ledger, as_of: dt.date) -> list[tuple[int, int, int]]:
    """(member_id, lot_id, remaining) of every live lot whose last valid day is before ``as_of``."""
    rows = ledger.database.execute(
        "SELECT member_id, id, remaining FROM lot WHERE remaining > 0 AND expires_on < ?"
        " ORDER BY member_id, id", (as_of.isoformat(),),
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def expire_lots(ledger: Ledger, *, as_of: dt.date, stamp: Stamp, program_version: int | None,
                chunk_members: int = 10000, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> ExpiryTotals:
    """Write off every expired remainder: one ``expire`` entry per member listing its lots."""
    db = ledger.database
    totals = ExpiryTotals()
    lots = expiring_lots(ledger, as_of)
    groups: list[tuple[int, list[tuple[int, int]]]] = []
    for member_id, lot_id, remaining in lots:
        if not groups or groups[-1][0] != member_id:
            groups.append((member_id, []))
        groups[-1][1].append((lot_id, remaining))
    totals.members = len(groups)
    totals.lots = len(lots)
    totals.points = sum(r for _, _, r in lots)
    if dry_run or not groups:
        return totals
    for start in range(0, len(groups), chunk_members):
        chunk = groups[start:start + chunk_members]
        with db.transaction():
            _write_chunk(ledger, chunk, as_of=as_of, stamp=stamp, program_version=program_version)
        if progress is not None:
            progress(min(start + chunk_members, len(groups)), len(groups))
    return totals


def _write_chunk(ledger: Ledger, chunk: list[tuple[int, list[tuple[int, int]]]], *, as_of: dt.date,
                 stamp: Stamp, program_version: int | None) -> None:
    db = ledger.database
    ids = [m for m, _ in chunk]
    uuids: dict[int, str] = {}
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        marks = ",".join("?" for _ in part)
        for mid, muuid in db.execute(f"SELECT id, uuid FROM member WHERE id IN ({marks})", part).fetchall():
            uuids[mid] = muuid
    # re-read inside the transaction: a sale may have spent some of these lots meanwhile
    live: dict[int, int] = {}
    lot_ids = [lot for _, group in chunk for lot, _ in group]
    for i in range(0, len(lot_ids), 900):
        part = lot_ids[i:i + 900]
        marks = ",".join("?" for _ in part)
        for lid, rem in db.execute(f"SELECT id, remaining FROM lot WHERE id IN ({marks})", part).fetchall():
            live[lid] = rem
    seq, prev = ledger._last()
    next_id = int(db.execute("SELECT coalesce(max(id), 0) FROM ledger_entry").fetchone()[0]) + 1
    entries: list[tuple[Any, ...]] = []
    outbox: list[tuple[Any, ...]] = []
    moves: list[tuple[int, int, int]] = []
    lot_updates: list[tuple[int]] = []
    balances: list[tuple[int, int]] = []
    created, day, recorded = iso(stamp.at), stamp.day.isoformat(), iso(stamp.recorded_at)
    for member_id, group in chunk:
        group = [(lot, live.get(lot, 0)) for lot, _ in group if live.get(lot, 0) > 0]
        if not group:
            continue
        total = sum(r for _, r in group)
        seq += 1
        breakdown = canonical_json({"as_of": as_of.isoformat(), "lots": [[lot, r] for lot, r in group]})
        fields: dict[str, Any] = {
            "uuid": new_uuid(), "terminal_id": ledger.terminal_id, "seq": seq,
            "member_uuid": uuids[member_id], "kind": "expire", "points": -total, "tier_points": 0,
            "ref_type": "expiry", "ref_no": f"EXP-{as_of.isoformat()}", "program_version": program_version,
            "breakdown": breakdown, "created_at": created, "business_date": day, "recorded_at": recorded,
            "backdated": stamp.backdated, "staff_code": stamp.staff_code, "prev_hash": prev,
        }
        h = entry_hash(fields)
        entries.append((next_id, fields["uuid"], ledger.terminal_id, seq, member_id, fields["member_uuid"],
                        "expire", -total, 0, "expiry", fields["ref_no"], program_version, breakdown, created, day,
                        recorded, int(stamp.backdated), stamp.staff_code, prev, h))
        outbox.append(("entry", fields["uuid"], next_id, recorded))
        for lot, r in group:
            moves.append((next_id, lot, -r))
            lot_updates.append((lot,))
        balances.append((total, member_id))
        prev = h
        next_id += 1
    db.executemany(
        "INSERT INTO ledger_entry (id, uuid, terminal_id, seq, member_id, member_uuid, kind, points, tier_points,"
        " ref_type, ref_no, program_version, breakdown, created_at, business_date, recorded_at, backdated,"
        " staff_code, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", entries)
    db.executemany("INSERT INTO outbox (kind, ref, entry_id, created_at) VALUES (?,?,?,?)", outbox)
    db.executemany("INSERT INTO lot_move (entry_id, lot_id, points) VALUES (?,?,?)", moves)
    db.executemany("UPDATE lot SET remaining = 0 WHERE id = ?", lot_updates)
    db.executemany("UPDATE member SET balance = balance - ? WHERE id = ?", balances)
    ledger.audit("expiry.chunk", f"EXP-{as_of.isoformat()}",
                 {"members": len(balances), "lots": len(lot_updates), "points": sum(b for b, _ in balances)}, stamp)
