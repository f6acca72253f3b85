"""Push throughput: terminals' ledgers pushed to a real ``pos-hq`` (uvicorn on loopback).

100,000 entries are pushed from one terminal, then 100,000 from 20 terminals at once
(5,000 each, one thread and one HTTP connection per terminal), in signed batches of 500
(the terminal's default), on SQLite and on PostgreSQL. Figures: entries per second over
the whole push (reported as microseconds per entry, so that the target reads "at most":
5,000 entries/s = 200 us per entry) and the p99 latency of one batch.

Each terminal's chain is generated with real hashes (``core.chain.entry_hash``): members
enrolled by the terminal (member events in the first batch), then 80 % earn entries (a new
lot each) and 20 % redemptions taking points from one of the member's lots. HQ applies all of
it exactly as it applies a real terminal's push (idempotency, chain check, lots, balances,
change feed). The HQ server runs in its own process with one worker.

    .venv/bin/python benchmarks/bench_sync_push.py            # both databases
    BENCH_SCALE=0.1 .venv/bin/python benchmarks/bench_sync_push.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import threading
import time
import uuid
from pathlib import Path

import httpx
from benchlib import BENCH_DIR, Figure, HQProcess, percentile, print_figures, scaled

from pos_app.core.chain import GENESIS_HASH, canonical_json, entry_hash
from pos_app.core.replica import Effects, NewLot
from pos_app.sync import signing
from pos_app.sync.protocol import DEFAULT_BATCH, PROTOCOL, entry_to_wire

PG_ADMIN = os.environ.get("POS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")  # as tests/postgres.py
TARGET_US_PER_ENTRY_PG = 200.0  # >= 5,000 entries per second on PostgreSQL
BATCH = int(os.environ.get("BENCH_PUSH_BATCH", DEFAULT_BATCH))


def make_chain(terminal_id: str, store_id: str, n_entries: int, n_members: int, seed: int
               ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(member events, wire entries) of one terminal."""
    rng = random.Random(seed)
    day = dt.date(2026, 11, 2)
    members = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n_members)]
    events: list[dict[str, object]] = []
    for i, m in enumerate(members, start=1):
        phone = f"1{seed:04d}{i:06d}"[:11]
        events.append({"oid": i, "kind": "member", "ref": m, "created_at": "2026-11-02T09:00:00",
                       "payload": {"uuid": m, "phone": phone, "name": f"Member {i}", "birthday": None,
                                   "card_no": None, "status": "active", "tier": "normal", "store_id": store_id,
                                   "enrolled_at": "2026-11-02T09:00:00", "consent": True,
                                   "first_purchase_at": None, "last_purchase_at": None, "referrer_uuid": None}})
    lots: dict[str, list[list[object]]] = {m: [] for m in members}
    prev = GENESIS_HASH
    entries = []
    for seq in range(1, n_entries + 1):
        m = members[rng.randrange(n_members)]
        live = [lot for lot in lots[m] if int(lot[1]) > 0]  # type: ignore[call-overload]
        e_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        at = f"2026-11-02T{9 + seq * 8 // n_entries:02d}:{seq % 60:02d}:00"
        if live and rng.random() < 0.2:
            lot = rng.choice(live)
            take = min(int(lot[1]), 100 * rng.randint(1, 5))  # type: ignore[call-overload]
            lot[1] = int(lot[1]) - take  # type: ignore[call-overload]
            points, kind, effects = -take, "redeem", Effects(taken=((str(lot[0]), take),))
        else:
            points = rng.randint(1, 800)
            kind = "earn"
            effects = Effects(new=(NewLot(day, dt.date(2028, 11, 2), points),))
            lots[m].append([e_uuid, points])
        fields: dict[str, object] = {
            "uuid": e_uuid, "terminal_id": terminal_id, "seq": seq, "member_uuid": m, "kind": kind,
            "points": points, "tier_points": points if kind == "earn" else 0, "ref_type": "sale",
            "ref_no": f"{store_id}-{terminal_id}-{seq:06d}", "program_version": 1,
            "breakdown": canonical_json({"bench": True}), "created_at": at, "business_date": day.isoformat(),
            "recorded_at": at, "backdated": False, "staff_code": "1001", "prev_hash": prev,
        }
        fields["hash"] = prev = entry_hash(fields)
        entries.append(entry_to_wire(fields, effects))
    return events, entries


def batches(terminal_id: str, store_id: str, events: list[dict[str, object]], entries: list[dict[str, object]],
            size: int = DEFAULT_BATCH) -> list[tuple[str, bytes]]:
    """Signed-ready bodies: the member events first, then the entries, ``size`` rows per batch
    (a till's export counts entries and events together in the same way)."""
    rows: list[tuple[str, dict[str, object]]] = [("events", e) for e in events] + [("entries", e) for e in entries]
    out = []
    for i in range(0, len(rows), size):
        chunk = rows[i:i + size]
        batch_id = uuid.uuid4().hex
        body = {"protocol": PROTOCOL, "store_id": store_id, "terminal_id": terminal_id, "batch_id": batch_id,
                "entries": [r for k, r in chunk if k == "entries"], "events": [r for k, r in chunk if k == "events"]}
        out.append((batch_id, json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()))
    return out


def prepare(db_url: str, terminals: list[tuple[str, str]]) -> dict[str, str]:
    """Stores, terminals and their secrets, made through HQ's own admin functions."""
    from pos_app.hq import admin
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    secrets: dict[str, str] = {}
    try:
        for store_id in sorted({s for _, s in terminals}):
            if hqdb.Store.get_or_none(hqdb.Store.id == store_id) is None:
                admin.create_store(store_id, f"Store {store_id}")
        for terminal_id, store_id in terminals:
            admin.create_terminal(terminal_id, store_id)
            code = admin.new_enrollment_code(terminal_id)
            secrets[terminal_id] = admin.enroll(code, terminal_id)["secret"]
    finally:
        database.close()
    return secrets


def push_all(url: str, terminal_id: str, secret: str, work: list[tuple[str, bytes]], latencies: list[float]) -> None:
    with httpx.Client(base_url=url, timeout=120) as client:
        for batch_id, body in work:
            headers = signing.sign(secret, terminal_id, "POST", "/v1/push", body, idempotency_key=batch_id)
            headers["content-type"] = "application/json"
            t0 = time.perf_counter()
            r = client.post("/v1/push", content=body, headers=headers)
            latencies.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"{terminal_id}: push answered {r.status_code} {r.text[:300]}")


def run_case(db_url: str, n_terminals: int, total: int) -> tuple[float, float, int]:
    """(entries per second, p99 batch ms, entries held by HQ afterwards)."""
    terms = [(f"B{n_terminals:02d}T{i:02d}", f"BS{i % 10:02d}") for i in range(n_terminals)]
    secrets = prepare(db_url, terms)
    per = total // n_terminals
    work = {}
    for i, (tid, sid) in enumerate(terms):
        events, entries = make_chain(tid, sid, per, max(10, per // 50), seed=n_terminals * 100 + i)
        work[tid] = batches(tid, sid, events, entries, BATCH)
    latencies: list[float] = []
    with HQProcess(db_url) as hq:
        threads = [threading.Thread(target=push_all, args=(hq.url, tid, secrets[tid], work[tid], latencies))
                   for tid, _ in terms]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t0
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    try:
        held = hqdb.Entry.select().where(hqdb.Entry.terminal_id.in_([t for t, _ in terms])).count()
    finally:
        database.close()
    return per * n_terminals / elapsed, percentile(sorted(latencies), 99), held


def fresh_databases() -> list[tuple[str, str, object]]:
    """(label, url, cleanup) for a new SQLite file and a new PostgreSQL database."""
    import psycopg2

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    out: list[tuple[str, str, object]] = []
    sqlite_path = BENCH_DIR / f"hq-bench-{uuid.uuid4().hex[:8]}.db"
    out.append(("SQLite", f"sqlite:///{sqlite_path}", lambda p=sqlite_path: [
        Path(str(p) + s).unlink(missing_ok=True) for s in ("", "-wal", "-shm")]))
    name = f"hq_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    base = PG_ADMIN.rsplit("/", 1)[0]

    def drop(name: str = name) -> None:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()

    out.append(("PostgreSQL", f"{base}/{name}", drop))
    return out


def run() -> list[Figure]:
    # one key for the secrets HQ seals (terminal secrets), here and in the pos-hq process
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["POS_HQ_KEY_FILE"] = str(BENCH_DIR / "hq-secrets.key")
    total = scaled(100_000, 2_000)
    figures: list[Figure] = []
    databases = fresh_databases()
    try:
        for label, url, _cleanup in databases:
            for n_terminals in (1, 20):
                rate, p99, held = run_case(url, n_terminals, total)
                expected = (total // n_terminals) * n_terminals
                if held != expected:
                    raise RuntimeError(f"HQ holds {held} entries, expected {expected}")
                target = TARGET_US_PER_ENTRY_PG if label == "PostgreSQL" else None
                note = f"{rate:,.0f} entries/s, {expected:,} entries, batches of {BATCH}"
                figures.append(Figure(f"push {label}, {n_terminals} terminal(s): us/entry", 1e6 / rate, "us",
                                      target, note))
                figures.append(Figure(f"push {label}, {n_terminals} terminal(s): p99 batch", p99, "ms"))
    finally:
        for _, _, cleanup in databases:
            cleanup()  # type: ignore[operator]
    return figures


if __name__ == "__main__":
    print_figures("push to headquarters", run())
