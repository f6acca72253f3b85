"""Figure 3: member lookup by card and by phone among 1,000,000 members, through the real find_member."""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

from benchlib import (
    BENCH_DIR,
    MEMBER_INSERT,
    STORE_ID,
    TERMINAL_ID,
    Figure,
    FixedClock,
    Stats,
    bulk_pragmas,
    cache_marker,
    finish_bulk,
    is_cached,
    member_row,
    member_seeds,
    print_figures,
    progress,
    remove_database,
    scaled,
)

from pos_app.services import context
from pos_app.services.context import Terminal
from pos_app.services.members import find_member

ENROLLED = dt.datetime(2025, 6, 1, 9, 0)
NOW = dt.datetime(2026, 11, 3, 10, 0)
GENERATOR = "members-v1"  # bump when the generated rows change, so cached databases are rebuilt
TARGET_MEDIAN_MS = 0.5


def _marker(n: int) -> str:
    return cache_marker(GENERATOR, n)


def ensure_database(n: int) -> Path:
    """``var/bench/members-N.db``: a terminal database with ``n`` members, built once and cached."""
    path = BENCH_DIR / f"members-{n}.db"
    if is_cached(path, _marker(n)):
        print(f"   using cached {path.relative_to(BENCH_DIR.parent.parent)}")
        return path
    say = progress("members db")
    remove_database(path)
    tmp = path.with_name(path.name + ".tmp")
    remove_database(tmp)
    t = context.init_terminal(tmp, store_id=STORE_ID, terminal_id=TERMINAL_ID, clock=FixedClock(ENROLLED))
    context.load_program(t, context.reference_program_source())
    t.close()
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    bulk_pragmas(conn)
    conn.execute("BEGIN")
    batch = []
    for seed in member_seeds(n, seed=1):
        batch.append(member_row(seed, enrolled=ENROLLED, tier="normal"))
        if len(batch) == 50_000:
            conn.executemany(MEMBER_INSERT, batch)
            batch.clear()
            if seed.id % 250_000 == 0:
                say(f"{seed.id:,} members")
    conn.executemany(MEMBER_INSERT, batch)
    conn.execute("INSERT INTO setting (key, value) VALUES ('bench_generated', ?)", (_marker(n),))
    conn.execute("COMMIT")
    finish_bulk(conn)
    os.replace(tmp, path)
    say(f"built {path.name} ({path.stat().st_size / 1e6:.0f} MB)")
    return path


def run() -> list[Figure]:
    n = scaled(1_000_000, 1000)
    lookups = min(n // 2, scaled(5000, 200))
    path = ensure_database(n)
    rng = random.Random(3)
    ids = rng.sample(range(1, n + 1), lookups + 500)
    t = Terminal.open(path, clock=FixedClock(NOW))
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        keys: dict[int, tuple[str, str]] = {}
        for i in range(0, len(ids), 900):
            part = ids[i:i + 900]
            marks = ",".join("?" for _ in part)
            for mid, card, phone in raw.execute(
                    f"SELECT id, card_no, phone FROM member WHERE id IN ({marks})", part).fetchall():
                keys[mid] = (card, phone)
        warm, timed = ids[:500], ids[500:]
        for mid in warm:
            find_member(t, keys[mid][0])
            find_member(t, keys[mid][1])
        card_ns: list[int] = []
        phone_ns: list[int] = []
        raw_ns: list[int] = []
        perf = time.perf_counter_ns
        for mid in timed:  # card and phone alternate, so machine noise hits both alike
            card, phone = keys[mid]
            start = perf()
            m = find_member(t, card)
            card_ns.append(perf() - start)
            if m.id != mid:
                raise AssertionError(f"card {card} found member {m.id}, expected {mid}")
            start = perf()
            m = find_member(t, phone)
            phone_ns.append(perf() - start)
            if m.id != mid:
                raise AssertionError(f"phone {phone} found member {m.id}, expected {mid}")
            start = perf()
            raw.execute("SELECT * FROM member WHERE card_no = ?", (card,)).fetchone()
            raw_ns.append(perf() - start)
        count = t.repo.member_count()
    finally:
        raw.close()
        t.close()
    by_card, by_phone, floor = Stats.of_ns(card_ns), Stats.of_ns(phone_ns), Stats.of_ns(raw_ns)
    print(f"   {count:,} members, {len(timed)} timed lookups each way (after {len(warm)} warm-up)")
    print(f"   by card:  {by_card.text()}")
    print(f"   by phone: {by_phone.text()}")
    print(f"   raw sqlite3 SELECT * by card (floor, no target): {floor.text()}")
    return [
        Figure("3. find_member by card, median", by_card.median, "ms", TARGET_MEDIAN_MS),
        Figure("3. find_member by card, p99", by_card.p99, "ms"),
        Figure("3. find_member by phone, median", by_phone.median, "ms", TARGET_MEDIAN_MS),
        Figure("3. find_member by phone, p99", by_phone.p99, "ms"),
        Figure("3. raw SELECT by card (floor), median", floor.median, "ms"),
    ]


def main() -> int:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print_figures("lookup", run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
