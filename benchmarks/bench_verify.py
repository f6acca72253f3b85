"""Figure 15: ``verify`` on a partial replica of 1,000,000 entries, against a plain sha256 walk,
and the incremental verify from a signed checkpoint after 1,000 new entries on 100,000 and on
1,000,000 entries of history.

The till database (cached under ``var/bench/``) is a partial replica as the design leaves it: the
till's own chain complete (60 % of the entries) and four other terminals' chains held in part
(only the entries of the members this till holds). Entries are earns (a lot each, tier points)
and one in ten a redemption from the member's oldest live lot (a lot move); balances, lots and
tier buckets are the projections of those entries, so a full verify passes.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_verify.py`` (``BENCH_SCALE`` scales sizes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
import sqlite3
import statistics
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
    is_cached,
    member_seeds,
    print_figures,
    progress,
    remove_database,
    scaled,
)

from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash
from pos_app.services import context
from pos_app.services.context import Terminal
from pos_app.services.verify import verify

GENERATOR = "verify-v1"  # bump when the generated rows change, so cached databases are rebuilt
NOW = dt.datetime(2026, 11, 1, 9, 0)
FOREIGN = ("T02", "T03", "T04", "T05")
ENTRIES_PER_MEMBER = 20
NEW_ENTRIES = 1000
RUNS = 3
TARGET_RATIO = 1.5
INCREMENTAL_TARGET_S = 5.0  # the daily check from a signed checkpoint
BARE_INCREMENTAL_TARGET_S = 1.0  # the same without SQLite's page check (quick_check)

ENTRY_INSERT = (
    "INSERT INTO ledger_entry (id, uuid, terminal_id, seq, member_id, member_uuid, kind, points, tier_points,"
    " ref_type, ref_no, program_version, breakdown, created_at, business_date, recorded_at, backdated, staff_code,"
    " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,'sale',?,1,?,?,?,?,0,'C01',?,?)"
)
LOT_INSERT = ("INSERT INTO lot (id, member_id, entry_id, earned_on, expires_on, points, remaining, key)"
              " VALUES (?,?,?,?,NULL,?,?,?)")
MOVE_INSERT = "INSERT INTO lot_move (entry_id, lot_id, points) VALUES (?,?,?)"
OUTBOX_INSERT = "INSERT INTO outbox (kind, ref, entry_id, created_at, acked_at) VALUES ('entry', ?, ?, ?, ?)"


class Generator:
    """Writes valid entries with their projections straight into a till database (raw SQL)."""

    def __init__(self, conn: sqlite3.Connection, seed: int) -> None:
        self.conn = conn
        self.rng = random.Random(seed)
        row = conn.execute("SELECT coalesce(max(id), 0) FROM ledger_entry").fetchone()
        self.next_id = int(row[0]) + 1
        self.next_lot = int(conn.execute("SELECT coalesce(max(id), 0) FROM lot").fetchone()[0]) + 1
        self.heads: dict[str, tuple[int, str]] = {}
        for terminal in (TERMINAL_ID, *FOREIGN):
            head = conn.execute("SELECT seq, hash FROM ledger_entry WHERE terminal_id = ? ORDER BY seq DESC LIMIT 1",
                                (terminal,)).fetchone()
            self.heads[terminal] = (int(head[0]), str(head[1])) if head else (0, GENESIS_HASH)
        self.members: list[tuple[int, str]] = [
            (int(i), str(u)) for i, u in conn.execute("SELECT id, uuid FROM member ORDER BY id")]
        #: member id -> [lot id, remaining] of live lots, oldest first
        self.live: dict[int, list[list[int]]] = {}
        for lot_id, member_id, remaining in conn.execute(
                "SELECT id, member_id, remaining FROM lot WHERE remaining > 0 ORDER BY id"):
            self.live.setdefault(int(member_id), []).append([int(lot_id), int(remaining)])
        self.balance: dict[int, int] = {}
        self.tier: dict[tuple[int, str], int] = {}
        self.entries: list[tuple[Any, ...]] = []
        self.lots: list[tuple[Any, ...]] = []
        self.moves: list[tuple[Any, ...]] = []
        self.outbox: list[tuple[Any, ...]] = []
        self.written = 0

    def one(self) -> None:
        """One entry: 60 % on this till's chain; else on another terminal's chain, held here only
        when its member is one this till holds (a third of the others' sales are of members not held:
        those seqs are skipped, so the foreign chains held here have gaps)."""
        rng = self.rng
        if rng.random() < 0.6:
            terminal, held = TERMINAL_ID, True
        else:
            terminal, held = rng.choice(FOREIGN), rng.random() < 2 / 3
        seq, prev = self.heads[terminal]
        seq += 1
        if not held:  # sold to a member this till does not hold: the entry exists at HQ only
            self.heads[terminal] = (seq, hashlib.sha256(f"{terminal}{seq}".encode()).hexdigest())
            return
        member_id, member_uuid = self.members[rng.randrange(len(self.members))]
        day = (NOW - dt.timedelta(days=rng.randrange(365))).date()
        lots = self.live.get(member_id)
        entry_id = self.next_id
        if lots and rng.random() < 0.1:
            lot = lots[0]
            points = -rng.randint(1, lot[1])
            lot[1] += points
            if not lot[1]:
                lots.pop(0)
            kind, tier_points, breakdown = "redeem", 0, canonical_json({"lots": [[lot[0], points]]})
            self.moves.append((entry_id, lot[0], points))
        else:
            points = rng.randint(1, 500)
            kind, tier_points = "earn", points
            breakdown = canonical_json({"base": points, "rules": [{"id": "base", "points": points}]})
            self.live.setdefault(member_id, []).append([self.next_lot, points])
            self.lots.append((self.next_lot, member_id, entry_id, day.isoformat(), points, points, None))
            self.next_lot += 1
        at = f"{day.isoformat()}T{rng.randrange(9, 21):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
        fields: dict[str, Any] = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "terminal_id": terminal, "seq": seq,
            "member_uuid": member_uuid, "kind": kind, "points": points, "tier_points": tier_points,
            "ref_type": "sale", "ref_no": f"{STORE_ID}-{terminal}-{seq:08d}", "program_version": 1,
            "breakdown": breakdown, "created_at": at, "business_date": day.isoformat(), "recorded_at": at,
            "backdated": False, "staff_code": "C01", "prev_hash": prev,
        }
        h = entry_hash(fields)
        if kind == "earn":  # the lot's key is its entry's uuid
            self.lots[-1] = (*self.lots[-1][:-1], fields["uuid"])
        self.entries.append((entry_id, fields["uuid"], terminal, seq, member_id, member_uuid, kind, points,
                             tier_points, fields["ref_no"], breakdown, at, fields["business_date"], at, prev, h))
        if terminal == TERMINAL_ID:
            self.outbox.append((fields["uuid"], entry_id, at, at))
        self.balance[member_id] = self.balance.get(member_id, 0) + points
        if tier_points:
            key = (member_id, day.isoformat()[:7])
            self.tier[key] = self.tier.get(key, 0) + tier_points
        self.heads[terminal] = (seq, h)
        self.next_id += 1
        self.written += 1

    def flush(self) -> None:
        c = self.conn
        c.executemany(ENTRY_INSERT, self.entries)
        c.executemany(LOT_INSERT, self.lots)
        c.executemany(MOVE_INSERT, self.moves)
        c.executemany(OUTBOX_INSERT, self.outbox)
        c.executemany("UPDATE lot SET remaining = remaining + ? WHERE id = ?",
                      [(p, lot) for _e, lot, p in self.moves])
        for batch in (self.entries, self.lots, self.moves, self.outbox):
            batch.clear()

    def finish(self) -> None:
        self.flush()
        self.conn.executemany("UPDATE member SET balance = balance + ? WHERE id = ?",
                              [(b, m) for m, b in self.balance.items()])
        self.conn.executemany(
            "INSERT INTO tier_month (member_id, month, points) VALUES (?, ?, ?)"
            " ON CONFLICT (member_id, month) DO UPDATE SET points = points + excluded.points",
            [(m, month, p) for (m, month), p in self.tier.items()])
        self.balance.clear()
        self.tier.clear()


def ensure_database(n_entries: int) -> Path:
    """``var/bench/verify-N.db``: a partial-replica till with ``n_entries`` entries, built once and
    checked with a full verify."""
    path = BENCH_DIR / f"verify-{n_entries}.db"
    marker = cache_marker(GENERATOR, n_entries)
    if is_cached(path, marker):
        print(f"   using cached {path.relative_to(BENCH_DIR.parent.parent)}")
        return path
    say = progress(f"verify db {n_entries:,}")
    remove_database(path)
    tmp = path.with_name(path.name + ".tmp")
    remove_database(tmp)
    t = context.init_terminal(tmp, store_id=STORE_ID, terminal_id=TERMINAL_ID, clock=FixedClock(NOW))
    context.load_program(t, context.reference_program_source())
    t.close()
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    bulk_pragmas(conn)
    conn.execute("BEGIN")
    n_members = max(10, n_entries // ENTRIES_PER_MEMBER)
    rows = []
    for m in member_seeds(n_members, seed=13):
        store = STORE_ID if m.id % 5 else "S002"  # one in five held because seen here lately
        rows.append((m.id, m.uuid, m.phone, f"会员{m.id}", m.card_no, store, NOW.isoformat(timespec="seconds"),
                     "silver", NOW.date().isoformat(), 0))
    conn.executemany(MEMBER_INSERT, rows)
    gen = Generator(conn, seed=n_entries)
    while gen.written < n_entries:
        gen.one()
        if len(gen.entries) >= 50_000:
            gen.flush()
            say(f"{gen.written:,} entries")
    gen.finish()
    conn.execute("INSERT INTO setting (key, value) VALUES ('bench_generated', ?)", (marker,))
    conn.execute("COMMIT")
    finish_bulk(conn)
    t = Terminal.open(tmp, clock=FixedClock(NOW))
    try:
        report = verify(t, write_checkpoint=False)
        if not report["ok"]:
            raise AssertionError(f"the generated database fails verify: "
                                 f"{ {k: v for k, v in report['checks'].items() if not v['ok']} }")
        t.database.checkpoint()
    finally:
        t.close()
    shutil.move(str(tmp), str(path))
    say(f"built {path.name} ({path.stat().st_size / 1e6:.0f} MB)")
    return path


def sha256_walk(path: Path) -> tuple[float, float]:
    """The floor: read the hashed fields of every entry and sha256 them (joined as text), nothing else."""
    conn = sqlite3.connect(str(path))
    try:
        start, cpu = time.perf_counter(), time.process_time()
        sha = hashlib.sha256
        cur = conn.execute(f"SELECT {', '.join(HASHED_FIELDS)}, hash FROM ledger_entry")
        n = 0
        while batch := cur.fetchmany(10_000):
            for row in batch:
                sha("\x1f".join(map(str, row[:-1])).encode("utf-8")).hexdigest()
            n += len(batch)
        return time.perf_counter() - start, time.process_time() - cpu
    finally:
        conn.close()


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def full_verify(path: Path) -> tuple[float, float, dict[str, Any]]:
    t = Terminal.open(path, clock=FixedClock(NOW))
    try:
        start, cpu = time.perf_counter(), time.process_time()
        report = verify(t, write_checkpoint=False)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        t.close()
    if not report["ok"] or report["mode"] != "full":
        raise AssertionError(f"full verify failed: { {k: v for k, v in report['checks'].items() if not v['ok']} }")
    return took, cpu, report


def add_entries(path: Path, n: int) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        gen = Generator(conn, seed=99)
        while gen.written < n:
            gen.one()
        gen.finish()
        conn.execute("COMMIT")
    finally:
        conn.close()


def incremental(path: Path, quick_check: bool = True) -> tuple[float, dict[str, Any]]:
    t = Terminal.open(path, clock=FixedClock(NOW))
    try:
        start = time.perf_counter()
        report = verify(t, since_checkpoint=True, write_checkpoint=False, quick_check=quick_check)
        took = time.perf_counter() - start
    finally:
        t.close()
    if not report["ok"] or report["mode"] != "incremental":
        raise AssertionError(f"incremental verify did not pass as incremental: {report['checkpoint']}")
    return took, report


def run() -> list[Figure]:
    big, small = scaled(1_000_000, 10_000), scaled(100_000, 1_000)
    new = scaled(NEW_ENTRIES, 100)
    figures: list[Figure] = []
    big_db = ensure_database(big)
    small_db = ensure_database(small)
    work = BENCH_DIR / "verify-work.db"
    walk, walk_cpu, full, full_cpu = [], [], [], []
    for _ in range(RUNS):  # interleaved, so both see the same machine
        took, cpu = sha256_walk(big_db)
        walk.append(took)
        walk_cpu.append(cpu)
        took, cpu, report = full_verify(big_db)
        full.append(took)
        full_cpu.append(cpu)
    chains = report["checks"]["hash_chains"]
    print(f"   {chains['entries']:,} entries: own chain {chains['own_chain']['entries']:,} (complete), "
          f"other chains {chains['other_chains']['terminals']} terminals, {chains['other_chains']['entries']:,} "
          f"entries; {chains['links_checked']:,} links checked")
    print(f"   sha256 walk {[round(x, 2) for x in walk]} s (CPU {[round(x, 2) for x in walk_cpu]});"
          f" full verify {[round(x, 2) for x in full]} s (CPU, both threads: {[round(x, 2) for x in full_cpu]})")
    ratio = _median(full) / _median(walk)
    figures += [Figure(f"15a. sha256 walk over {big:,} entries", _median(walk), "s"),
                Figure(f"15b. full verify of {big:,} entries", _median(full), "s"),
                Figure("15c. ratio full verify / sha256 walk", ratio, "x", TARGET_RATIO),
                Figure("15c'. the same in CPU seconds", _median(full_cpu) / _median(walk_cpu), "x")]
    inc: dict[int, float] = {}
    inc_bare: dict[int, float] = {}
    for size, db in ((small, small_db), (big, big_db)):
        remove_database(work)
        shutil.copyfile(db, work)
        t = Terminal.open(work, clock=FixedClock(NOW))
        try:
            if not verify(t)["checkpoint"]["written"]:  # the full verify that leaves the checkpoint
                raise AssertionError("the full verify wrote no checkpoint")
        finally:
            t.close()
        add_entries(work, new)
        samples, bare = [], []
        for _ in range(RUNS):
            took, report = incremental(work)
            samples.append(took)
            bare.append(incremental(work, quick_check=False)[0])
        remove_database(work)
        inc[size], inc_bare[size] = _median(samples), _median(bare)
        print(f"   incremental after {new:,} new entries on {size:,}: {[round(x, 3) for x in samples]} s, "
              f"without quick_check {[round(x, 3) for x in bare]} s "
              f"({report['checks']['hash_chains']['checked']:,} entries checked)")
        # the bar for the daily check: seconds, whatever the history
        figures.append(Figure(f"15d. incremental verify, {new:,} new on {size:,}", inc[size], "s",
                              INCREMENTAL_TARGET_S))
        figures.append(Figure(f"15e. the same without quick_check, on {size:,}", inc_bare[size], "s",
                              BARE_INCREMENTAL_TARGET_S))
    # how the daily check grows with the history: quick_check reads the whole file, the rest does not
    figures.append(Figure("15f. ratio incremental 1M / 100k history", inc[big] / inc[small], "x"))
    figures.append(Figure("15g. the same without quick_check", inc_bare[big] / inc_bare[small], "x"))
    return figures


def main() -> int:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print_figures("verify", run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
