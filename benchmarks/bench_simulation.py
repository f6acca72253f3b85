"""Figure 16: the program simulation (issue 14 item 5) on a 100-store chain's 90 days of sales on
PostgreSQL: ``hq.simulation.simulate()`` replays about 1.5 M sales with lines under a draft.

The chain is generated once into a PostgreSQL database named by its sizes (``sim_chain_...``,
kept between runs; ``--rebuild`` makes it again) with COPY: the stores, their members (a tier by
a skewed draw, a birthday, a first purchase before the window), about 1 % of them upgraded in
the window by a ``tier`` event, and the sale events as release 13 tills send them (lines with
categories, some flagged ``new``, some tobacco; 1 in 20 paid partly with points; the points the
tills credited under the reference program), over 90 days, at hours from 8 to 22. 1 in 200 sales
is an old till's (no lines) and 1 in 10 has no member. Only the tables the simulation reads are
filled (no ledger entries: the simulation never reads them).

    POS_HQ_KEY_FILE=var/bench/hq-secrets.key PYTHONPATH=. .venv/bin/python benchmarks/bench_simulation.py
    ... --stores 10 --sales 150000       # a smaller chain (its own cached database)
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg2
from benchlib import BENCH_DIR, Figure, machine_info, print_figures

from pos_app.core.earning import SaleLine, compute_earning
from pos_app.core.program import parse_program
from pos_app.hq import authority, db, simulation
from pos_app.services import context

PG_ADMIN = os.environ.get("POS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
GENERATOR = "sim-chain-v2"  # the sales' facts (migration 7) are made from the events: same marker
TODAY = dt.date(2026, 11, 30)
DAYS = 90
TARGET_S = 60.0
TIERS = (("normal", 70), ("silver", 18), ("gold", 9), ("diamond", 3))  # share of members, %
#: the draft simulated: the evening hours double from 18:00 instead of 20:00, member day x2
DRAFT_CHANGES = (('from_time = "20:00"', 'from_time = "18:00"'), ('multiplier = "3.0"', 'multiplier = "2.0"'),
                 ("version = 1", "version = 2"))


def dsn(name: str) -> str:
    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"


def admin(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    try:
        cur = conn.cursor()
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def copy_rows(cur: Any, table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    out = io.StringIO()
    for row in rows:
        out.write("\t".join("\\N" if v is None else str(v).replace("\\", "\\\\") for v in row) + "\n")
    out.seek(0)
    cur.copy_expert(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN', out, size=1 << 22)


def marker(stores: int, sales: int) -> str:
    """What the kept database holds (a later schema migrates it when ``db.connect`` opens it:
    the generated rows stay what they were)."""
    return f"{GENERATOR}:{stores}:{sales}"


def cached(name: str, mark: str) -> bool:
    if not admin("SELECT 1 FROM pg_database WHERE datname = %s", (name,)):
        return False
    conn = psycopg2.connect(dsn(name))
    try:
        cur = conn.cursor()
        cur.execute("SELECT value FROM setting WHERE key = 'bench_generated'")
        row = cur.fetchone()
        return row is not None and row[0] == mark
    except psycopg2.Error:
        return False
    finally:
        conn.close()


def products(rng: random.Random) -> list[tuple[str, str, str, int, str]]:
    """(sku, name, category, price fen, flags): 400 products, 1 in 8 new, some tobacco."""
    out = []
    for i in range(400):
        category = rng.choice(("food", "food", "drink", "home", "beauty", "tobacco" if i % 25 == 0 else "food"))
        out.append((f"P{i:04d}", f"商品{i}", category, rng.randint(150, 6000), "new" if i % 8 == 0 else ""))
    return out


def generate(name: str, stores: int, sales: int) -> None:
    """The chain's database, made from nothing (see the module's doc)."""
    rng = random.Random(16)
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    database = db.connect(dsn(name))
    reference = parse_program(context.reference_program_source())
    try:
        authority.publish_program(context.reference_program_source(), actor="bench")
    finally:
        db.close_pool(database)
    conn = psycopg2.connect(dsn(name))
    cur = conn.cursor()
    now = db.utcnow()
    since = TODAY - dt.timedelta(days=DAYS - 1)
    members_per_store = max(10, sales // stores // 6)  # about 6 sales per member in 90 days
    copy_rows(cur, "store", ("id", "name", "created_at"),
              [(f"S{i:04d}", f"门店{i}", now) for i in range(stores)])
    copy_rows(cur, "terminal", ("id", "store_id", "kind", "created_at", "last_seq", "last_hash", "last_oid",
                                "active"),
              [(f"S{i:04d}-T1", f"S{i:04d}", "till", now, 0, "0" * 64, 0, True) for i in range(stores)])
    members: list[tuple[str, str, str, str | None]] = []  # uuid, store, tier, birthday
    member_rows = []
    weights = [w for _, w in TIERS]
    for i in range(stores):
        for j in range(members_per_store):
            u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            tier = rng.choices([t for t, _ in TIERS], weights)[0]
            birthday = f"19{60 + rng.randrange(40)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
            members.append((u, f"S{i:04d}", tier, birthday))
            member_rows.append((u, f"会员{i}-{j}", birthday, "active", False, f"S{i:04d}", "2025-01-02T09:00:00",
                                tier, "2025-01-02", "2025-01-05T10:00:00", 0, 0, now))
    copy_rows(cur, "member", ("uuid", "name", "birthday", "status", "consent", "store_id", "enrolled_at", "tier",
                              "tier_since", "first_purchase_at", "balance", "debt", "updated_at"), member_rows)
    by_store: dict[str, list[tuple[str, str, str, str | None]]] = {}
    for m in members:
        by_store.setdefault(m[1], []).append(m)
    catalogue = products(rng)
    oid = [0] * stores
    cols = ("terminal_id", "oid", "store_id", "kind", "ref", "payload", "created_at", "received_at")
    rows: list[tuple[Any, ...]] = []
    upgraded = rng.sample(members, len(members) // 100)
    for m in upgraded:  # a tier change inside the window: the replay uses the tier held at each sale
        i = int(m[1][1:])
        oid[i] += 1
        at = f"{(since + dt.timedelta(days=rng.randrange(DAYS))).isoformat()}T12:00:00"
        rows.append((f"{m[1]}-T1", oid[i], m[1], "tier", m[0], json.dumps(
            {"from": "normal", "to": m[2], "reason": "upgrade", "qualifying_points": 5000, "at": at},
            separators=(",", ":")), at, now))
    per_day = sales // DAYS
    written = 0
    started = time.perf_counter()
    for d in range(DAYS):
        day = since + dt.timedelta(days=d)
        for _ in range(per_day):
            i = rng.randrange(stores)
            sid = f"S{i:04d}"
            oid[i] += 1
            at = f"{day.isoformat()}T{8 + rng.randrange(15):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
            receipt = f"{sid}-T1-{oid[i]:08d}"
            member = rng.choice(by_store[sid]) if rng.random() < 0.9 else None
            lines = []
            for n in range(1, 1 + min(rng.randint(1, 4), rng.randint(1, 6))):
                sku, pname, category, price, flags = rng.choice(catalogue)
                qty = rng.randint(1, 3)
                lines.append({"line_no": n, "sku": sku, "name": pname, "category": category, "qty": qty,
                              "unit_price_fen": price, "discount_fen": 0, "net_fen": qty * price, "flags": flags,
                              "eligible_fen": 0 if category == "tobacco" else qty * price, "multiplier": "1"})
            total = sum(ln["net_fen"] for ln in lines)
            paid_fen = (total // 2 // 100) * 100 if member and rng.random() < 0.05 else 0
            earned = bonus = 0
            if member is not None:
                earn = compute_earning(reference, [
                    SaleLine(ln["line_no"], ln["sku"], ln["name"], ln["category"], ln["qty"], ln["unit_price_fen"],
                             0, (ln["flags"],) if ln["flags"] else ()) for ln in lines],
                    at=dt.datetime.fromisoformat(at), tier_id=member[2], deduction_fen=paid_fen)
                earned, bonus = earn.total, earn.credited_bonus
            payload: dict[str, Any] = {
                "total_fen": total, "tender": "cash", "member": member[0] if member else None, "uuid": str(
                    uuid.UUID(int=rng.getrandbits(128), version=4)), "receipt_no": receipt, "staff_code": "1001",
                "created_at": at, "business_date": day.isoformat(), "recorded_at": at, "backdated": False,
                "coupon_fen": 0, "points_paid": paid_fen, "points_value_fen": paid_fen, "tender_fen": total - paid_fen,
                "credited_purchase": earned - bonus, "credited_bonus": bonus, "program_version": 1, "earned": earned,
                "lines": lines}
            if rng.random() < 0.005:  # an old till's sale: no lines
                payload = {"total_fen": total, "tender": "cash", "member": payload["member"], "earned": earned}
            rows.append((f"{sid}-T1", oid[i], sid, "sale", receipt, json.dumps(payload, separators=(",", ":"),
                                                                                ensure_ascii=False), at, now))
            written += 1
        if len(rows) >= 100_000 or d == DAYS - 1:
            copy_rows(cur, "event", cols, rows)
            conn.commit()
            rows = []
            print(f"  {written:,} sales written ({time.perf_counter() - started:.0f} s)", flush=True)
    # each sale's facts, as ingest writes them beside the event (the simulation reads these)
    reader = conn.cursor(name="sales")
    reader.itersize = 20_000
    reader.execute("SELECT id, store_id, created_at, payload FROM event WHERE kind = 'sale' ORDER BY id")
    facts = [simulation.sale_fact_row(event_id, store, created_at, json.loads(payload))
             for event_id, store, created_at, payload in reader]
    reader.close()
    copy_rows(cur, "sale_fact", simulation.SALE_FACT_COLUMNS, facts)
    conn.commit()
    print(f"  {len(facts):,} sales' facts written ({time.perf_counter() - started:.0f} s)", flush=True)
    cur.execute("INSERT INTO setting (key, value) VALUES ('bench_generated', %s)", (marker(stores, sales),))
    conn.commit()
    cur.execute("ANALYZE")
    conn.commit()
    conn.close()


def backfilled_copy(name: str) -> str:
    """A copy of the chain (``<name>_bf``, kept) whose ``sale_fact`` rows were made again by
    migration 7's own SQL from the events, as on a headquarters upgraded from schema 6, rather than
    by ``sale_fact_row`` as ingest writes them."""
    copy = f"{name}_bf"
    if admin("SELECT 1 FROM pg_database WHERE datname = %s", (copy,)):
        return copy
    t0 = time.perf_counter()
    admin(f'CREATE DATABASE "{copy}_tmp" TEMPLATE "{name}"')
    sql = (Path(db.__file__).parent / "migrations" / "0007_sale_facts.postgresql.sql").read_text("utf-8")
    backfill = sql[sql.index("-- each payload parsed once"):]
    conn = psycopg2.connect(dsn(f"{copy}_tmp"))
    try:
        with conn, conn.cursor() as cur:
            cur.execute('TRUNCATE "sale_fact"')
            cur.execute(backfill)
    finally:
        conn.close()
    admin(f'ALTER DATABASE "{copy}_tmp" RENAME TO "{copy}"')
    print(f"backfilled copy {copy} made in {time.perf_counter() - t0:.0f} s", flush=True)
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--sales", type=int, default=1_500_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes (simulate(workers=...)); 1: serial")
    parser.add_argument("--backfilled", action="store_true",
                        help="on a copy whose sale facts migration 7 made in SQL (an HQ upgraded from schema 6)")
    args = parser.parse_args()
    os.environ.setdefault("POS_HQ_KEY_FILE", str(BENCH_DIR / "hq-secrets.key"))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    name = f"sim_chain_{args.stores}_{args.sales}"
    mark = marker(args.stores, args.sales)
    print(f"machine: {machine_info()}")
    if args.rebuild or not cached(name, mark):
        print(f"generating {name} ({args.stores} stores, {args.sales:,} sales over {DAYS} days) ...", flush=True)
        t0 = time.perf_counter()
        generate(name, args.stores, args.sales)
        print(f"generated in {time.perf_counter() - t0:.0f} s")
    if args.backfilled:
        name = backfilled_copy(name)
    draft = context.reference_program_source()
    for old, new in DRAFT_CHANGES:
        draft = draft.replace(old, new, 1)
    database = db.connect(dsn(name))
    try:
        load_before = os.getloadavg()
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        result = simulation.simulate(draft, days=DAYS, today=TODAY, workers=args.workers, db_url=dsn(name))
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        load_after = os.getloadavg()
    finally:
        db.close_pool(database)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += children.ru_utime + children.ru_stime
    print(f"workers {args.workers}; load average before {load_before[0]:.2f}, after {load_after[0]:.2f};"
          f" cpu {cpu:.1f} s (this process and its workers);"
          f" max rss {rss_mb:.0f} MB")
    print(f"simulated {result.total.sales:,} sales ({result.members:,} members), {result.no_lines:,} without"
          f" lines, {result.without_member:,} without a member; actual {result.total.actual:,} points,"
          f" draft {result.total.simulated:,} ({result.change_points:+,}; liability"
          f" {result.liability_change_fen / 100:+,.2f} yuan)")
    sales_total = result.total.sales + result.no_lines + result.without_member
    print_figures("Program simulation (figure 16)", [
        Figure(f"16 simulate() {sales_total:,} sales, {DAYS} d, {args.workers} proc", wall, "s", TARGET_S,
               note=f"cpu {cpu:.1f} s, load {load_before[0]:.1f}->{load_after[0]:.1f}"),
        Figure("16b sales replayed per second", result.total.sales / wall, "/s"),
    ])
    return 0 if wall <= TARGET_S else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
