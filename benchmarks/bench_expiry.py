"""Figure 4: the expiry run over 1,000,000 lots (about half expired), then the integrity check."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchlib import (
    BENCH_DIR,
    MEMBER_INSERT,
    STORE_ID,
    TERMINAL_ID,
    Figure,
    FixedClock,
    bulk_pragmas,
    cache_marker,
    finish_bulk,
    member_row,
    member_seeds,
    print_figures,
    progress,
    remove_database,
    scaled,
)

from pos_app.core.lots import expiry_date
from pos_app.services import context
from pos_app.services.context import Terminal
from pos_app.services.expiry import run_expiry
from pos_app.services.verify import verify
from pos_app.storage.ledger import GENESIS_HASH, canonical_json, entry_hash, iso

AS_OF = dt.date(2026, 11, 1)
#: When the legacy points were imported (every lot was earned on or before that day).
IMPORTED = dt.datetime(2026, 10, 31, 9, 0)
#: Lots are earned uniformly over the four years before AS_OF; with the 24-month rolling expiry of
#: the reference program about half of them have expired by AS_OF.
EARN_SPAN_DAYS = 4 * 365 + 1
GENERATOR = "expiry-v1"  # bump when the generated rows change, so cached databases are rebuilt
TARGET_SECONDS = 30.0

ENTRY_INSERT = (
    "INSERT INTO ledger_entry (id, uuid, terminal_id, seq, member_id, member_uuid, kind, points, tier_points,"
    " ref_type, ref_no, program_version, breakdown, created_at, business_date, recorded_at, backdated, staff_code,"
    " prev_hash, hash) VALUES (?,?,?,?,?,?,'import',?,0,'import',?,?,?,?,?,?,0,NULL,?,?)"
)
OUTBOX_INSERT = "INSERT INTO outbox (kind, ref, entry_id, created_at) VALUES ('entry', ?, ?, ?)"
LOT_INSERT = ("INSERT INTO lot (id, member_id, entry_id, earned_on, expires_on, points, remaining)"
              " VALUES (?,?,?,?,?,?,?)")


def _marker(members: int, lots: int) -> str:
    return cache_marker(GENERATOR, members, lots)


def _cached_expected(path: Path, marker: str) -> dict[str, int] | None:
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)  # leaves no -wal/-shm behind
        try:
            rows = dict(conn.execute(
                "SELECT key, value FROM setting WHERE key IN ('bench_generated', 'bench_expected')").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    if rows.get("bench_generated") != marker or "bench_expected" not in rows:
        return None
    expected: dict[str, int] = json.loads(rows["bench_expected"])
    return expected


def ensure_database(n_members: int, n_lots: int) -> tuple[Path, dict[str, int]]:
    """``var/bench/expiry-M-L.db``, built once and cached: ``n_members`` members holding ``n_lots`` imported lots.

    Every lot has its crediting ``import`` ledger entry (hash-chained, seq 1..N on the terminal's id) and
    that entry's outbox row; each member's balance is the sum of their lots. Returns the path and what the
    expiry run must find (members, lots, points).
    """
    path = BENCH_DIR / f"expiry-{n_members}-{n_lots}.db"
    marker = _marker(n_members, n_lots)
    expected = _cached_expected(path, marker)
    if expected is not None:
        print(f"   using cached {path.relative_to(BENCH_DIR.parent.parent)}")
        return path, expected
    say = progress("expiry db")
    remove_database(path)
    tmp = path.with_name(path.name + ".tmp")
    remove_database(tmp)
    t = context.init_terminal(tmp, store_id=STORE_ID, terminal_id=TERMINAL_ID, clock=FixedClock(IMPORTED))
    program = context.load_program(t, context.reference_program_source())
    terminal_id = t.terminal_id
    t.close()
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    bulk_pragmas(conn)
    if conn.execute("SELECT count(*) FROM ledger_entry").fetchone()[0]:
        raise AssertionError("a fresh terminal database should have no ledger entries")
    conn.execute("BEGIN")
    rng = random.Random(5)
    created, day = iso(IMPORTED), IMPORTED.date().isoformat()
    seq, prev = 0, GENESIS_HASH
    exp_members = exp_lots = exp_points = 0
    members: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    outbox: list[tuple[Any, ...]] = []
    lots: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.executemany(MEMBER_INSERT, members)
        conn.executemany(ENTRY_INSERT, entries)
        conn.executemany(OUTBOX_INSERT, outbox)
        conn.executemany(LOT_INSERT, lots)
        for batch in (members, entries, outbox, lots):
            batch.clear()

    per_member, extra = divmod(n_lots, n_members)
    for m in member_seeds(n_members, seed=2):
        balance = 0
        expired_here = 0
        for _ in range(per_member + (1 if m.id <= extra else 0)):
            seq += 1
            earned = AS_OF - dt.timedelta(days=rng.randrange(1, EARN_SPAN_DAYS + 1))
            expires = expiry_date(program.expiry, earned)
            points = rng.randrange(1, 501)
            line = seq + 1  # the CSV line the lot came from (line 1 is the header)
            breakdown = canonical_json({"earned_on": earned.isoformat(), "line": line})
            fields: dict[str, Any] = {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "terminal_id": terminal_id,
                "seq": seq, "member_uuid": m.uuid, "kind": "import", "points": points, "tier_points": 0,
                "ref_type": "import", "ref_no": f"bench-import.csv:{line}", "program_version": program.version,
                "breakdown": breakdown, "created_at": created, "business_date": day, "recorded_at": created,
                "backdated": False, "staff_code": None, "prev_hash": prev,
            }
            h = entry_hash(fields)
            entries.append((seq, fields["uuid"], terminal_id, seq, m.id, m.uuid, points, fields["ref_no"],
                            program.version, breakdown, created, day, created, prev, h))
            outbox.append((fields["uuid"], seq, created))
            lots.append((seq, m.id, seq, earned.isoformat(), expires.isoformat() if expires else None, points,
                         points))
            prev = h
            balance += points
            if expires is not None and expires < AS_OF:
                expired_here += 1
                exp_points += points
        members.append(member_row(m, enrolled=IMPORTED, tier=program.tiers.tiers[0].id, balance=balance))
        if expired_here:
            exp_members += 1
            exp_lots += expired_here
        if len(entries) >= 50_000:
            flush()
            if m.id % 50_000 == 0:
                say(f"{m.id:,} members, {seq:,} lots")
    flush()
    expected = {"members": exp_members, "lots": exp_lots, "points": exp_points}
    conn.executemany("INSERT INTO setting (key, value) VALUES (?, ?)",
                     [("bench_generated", marker), ("bench_expected", json.dumps(expected))])
    conn.execute("INSERT INTO audit (at, staff_code, action, ref, details) VALUES (?, NULL, 'member.import', ?, ?)",
                 (created, "bench-import.csv", canonical_json({"members": n_members, "points": exp_points})))
    conn.execute("COMMIT")
    finish_bulk(conn)
    os.replace(tmp, path)
    say(f"built {path.name} ({path.stat().st_size / 1e6:.0f} MB)")
    return path, expected


def run() -> list[Figure]:
    n_members = scaled(200_000, 200)
    n_lots = scaled(1_000_000, 1000)
    pristine, expected = ensure_database(n_members, n_lots)
    wal = Path(f"{pristine}-wal")
    if wal.exists() and wal.stat().st_size:
        raise AssertionError(f"{wal} is not empty, so a file copy would miss rows; delete {pristine} to rebuild it")
    work = BENCH_DIR / "expiry-work.db"
    remove_database(work)
    shutil.copyfile(pristine, work)
    t = Terminal.open(work, clock=FixedClock(dt.datetime.combine(AS_OF, dt.time(2, 0))))
    try:
        start = time.perf_counter()
        report = run_expiry(t, as_of=AS_OF)
        expiry_s = time.perf_counter() - start
        got = {"members": report.members, "lots": report.lots, "points": report.points}
        if got != expected:
            raise AssertionError(f"the expiry run expired {got}, the generated data says {expected}")
        start = time.perf_counter()
        checked = verify(t)
        verify_s = time.perf_counter() - start
        if not checked["ok"]:
            bad = {k: v for k, v in checked["checks"].items() if not v["ok"]}
            raise AssertionError(f"verify failed after the expiry run: {bad}")
        again = run_expiry(t, as_of=AS_OF, dry_run=True)
        if again.lots:
            raise AssertionError(f"a second run would expire {again.lots} lots again")
        counts = checked["counts"]
    finally:
        t.close()
        remove_database(work)
    print(f"   {n_members:,} members, {n_lots:,} lots; as of {AS_OF}: expired {report.members:,} members,"
          f" {report.lots:,} lots, {report.points:,} points (as generated)")
    print(f"   expiry run {expiry_s:.2f} s; verify ok in {verify_s:.2f} s over {counts['ledger_entry']:,} entries,"
          f" {counts['lot']:,} lots; a second run finds nothing to expire")
    note = f"{report.members:,} members, {report.lots:,} lots, {report.points:,} points"
    return [
        Figure(f"4. expiry run over {n_lots:,} lots", expiry_s, "s", TARGET_SECONDS, note),
        Figure("4. verify after the expiry run", verify_s, "s"),
    ]


def main() -> int:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print_figures("expiry", run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
