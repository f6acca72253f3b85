"""Chain scale (issue 13): a new till's first sync, a till's daily pull, the online lookup and the till
after a year of its store, against headquarters databases made by ``chain_sim.py`` on PostgreSQL.

The code under test is the ``pos_app`` on ``PYTHONPATH`` (the before worktree at c26a2d9, or main):
this script runs it in-process for the till and in a ``pos-hq`` process (uvicorn, one worker, on
loopback) for headquarters. Bytes are counted by a TCP relay of our own between the till and HQ
(what the till receives: headers and bodies as sent, compressed if HQ compressed them).

For each scale (a pristine snapshot ``<prefix>_s<N>`` made by ``chain_sim.py --snapshot``), on a
throwaway copy of it:

- first sync, wire: the feed read from cursor 0 with the till's own client (``HQClient.changes``,
  pages of the till's ``PAGE_SIZE``) and no till database work (``--raw``);
- first sync, till: a new till of store S0000 (``init_terminal``, the reference program, enrolled
  through ``services.sync.enroll``) running ``services.sync.sync_once`` until nothing is left
  (``--till-max``: only at scales up to this many stores);
- daily pull (``--daily``): every store's till ``S<i>-T1`` pushes a normal day (``--day-entries``
  earn entries for its own members, signed, batches of 1,000, four pushers at once), then the
  till pulls (the real till when it did its first sync, otherwise the wire reader from the end of
  the feed); counted against what HQ wrote that day about store S0000's members plus global changes;
- online lookup (``--lookup N``): N signed ``POST /v1/members/lookup`` for random members (only when
  the code under test has that route).

``--year``: the till after a simulated year of its store: ``bench_sale.ensure_database`` with
``--year-entries`` entries (1,500 member entries a day for 365 days), size on disk, p99 of
``services.sales.record_sale`` and the median of ``services.members.find_member``.

    PYTHONPATH=/work/wt/before .venv/bin/python benchmarks/bench_chain.py --label before \\
        --prefix chain_sim_before --scales 20,50,100,200 --raw --till-max 20 --daily
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import chain_sim
import httpx
import psycopg2
from benchlib import BENCH_DIR, REPO_ROOT, FixedClock, HQProcess, Stats

from pos_app.core.chain import HASHED_FIELDS, canonical_json, entry_hash
from pos_app.core.replica import Effects, NewLot
from pos_app.sync import signing
from pos_app.sync.protocol import PROTOCOL, entry_to_wire

CODE = os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] or str(REPO_ROOT)
DAY = dt.date(2026, 12, 1)  # the day after the generated year
NOW = dt.datetime(2026, 12, 1, 20, 0)
NEW_TILL = "S0000-T9"
RAW_READER = "S0000-T8"
HOME = "S0000"


class CountingRelay:
    """A TCP relay on loopback that counts the bytes going each way."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.down = 0  # HQ -> till
        self.up = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        with self.lock:
            self.down = self.up = 0

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, down: bool) -> None:
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                with self.lock:
                    if down:
                        self.down += len(data)
                    else:
                        self.up += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.sock.close()


def hq_admin(db_url: str, fn: Any) -> Any:
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    try:
        return fn()
    finally:
        database.close()


def new_terminal(db_url: str, terminal_id: str, *, secret: bool) -> str:
    """A terminal of store S0000 at HQ: its enrollment code, or (``secret``) its secret."""
    from pos_app.hq import admin

    def make() -> str:
        admin.create_terminal(terminal_id, HOME)
        code = admin.new_enrollment_code(terminal_id)
        return admin.enroll(code, terminal_id)["secret"] if secret else code

    return str(hq_admin(db_url, make))


def read_feed(url: str, terminal_id: str, secret: str, cursor: int = 0) -> tuple[int, float, int]:
    """(changes, seconds, end cursor): the feed from ``cursor`` read with the till's client."""
    from pos_app.services.sync import PAGE_SIZE
    from pos_app.sync.client import HQClient

    n = 0
    mark = None
    t0 = time.perf_counter()
    with HQClient(url, terminal_id, secret, timeout=300, verify=False) as client:
        while True:
            page = client.changes(cursor, PAGE_SIZE, mark)
            n += len(page["changes"])
            cursor, mark = page["cursor"], page.get("mark")
            if not page.get("more") or not page["changes"]:
                break
    return n, time.perf_counter() - t0, cursor


def make_till(folder: Path) -> Any:
    from pos_app.services.context import init_terminal, load_program, reference_program_source
    from pos_app.services.staff import create_staff

    t = init_terminal(folder / "till.db", store_id=HOME, terminal_id=NEW_TILL, clock=FixedClock(NOW))
    load_program(t, reference_program_source())
    create_staff(t, code="1001", name="收银员", role="cashier", pin="1234")
    create_staff(t, code="9001", name="店长", role="manager", pin="9999")
    return t


def sync_till(t: Any) -> tuple[int, float, int]:
    """(changes pulled, seconds, rounds): sync rounds until one pulls nothing and nothing waits."""
    from pos_app.services import sync as sync_service

    pulled = rounds = 0
    t0 = time.perf_counter()
    while True:
        report = sync_service.sync_once(t)
        rounds += 1
        pulled += report.pulled
        if (report.pulled == 0 or rounds > 1) and report.waiting == 0:
            break
        if rounds > 50:
            raise RuntimeError("the till did not settle in 50 rounds")
    return pulled, time.perf_counter() - t0, rounds


def db_file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


# ------------------------------------------------------------------------------------------ a normal day


def day_batches(db_url: str, n_stores: int, per_store: int) -> dict[str, list[tuple[str, bytes]]]:
    """Each store's till's signed-ready batches of a normal day: ``per_store`` earn entries for the
    store's own members, continuing the till's chain where HQ holds it."""
    conn = psycopg2.connect(db_url)
    cur = conn.cursor()
    cur.execute("SELECT id, store_id, last_seq, last_hash FROM terminal WHERE id LIKE %s", ("%-T1",))
    terms = {r[0]: r for r in cur.fetchall()}
    out: dict[str, list[tuple[str, bytes]]] = {}
    for i in range(n_stores):
        tid = chain_sim.till_id(i)
        _, sid, seq, prev = terms[tid]
        cur.execute("SELECT uuid FROM member WHERE store_id = %s ORDER BY uuid", (sid,))
        members = [r[0] for r in cur.fetchall()]
        rng = random.Random(7000 + i)
        entries = []
        for k in range(per_store):
            seq += 1
            at = f"{DAY.isoformat()}T{9 + k * 12 // per_store:02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
            spend = rng.randint(100, 80_000)
            points = max(1, spend // 100)
            e_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            fields: dict[str, Any] = {
                "uuid": e_uuid, "terminal_id": tid, "seq": seq, "member_uuid": rng.choice(members), "kind": "earn",
                "points": points, "tier_points": points, "ref_type": "sale", "ref_no": f"{sid}-T1-{seq:08d}",
                "program_version": 1, "breakdown": canonical_json({"base": points, "bonuses": [], "multiplier": "1.0",
                                                                   "spend_fen": spend, "tier": "normal"}),
                "created_at": at, "business_date": DAY.isoformat(), "recorded_at": at, "backdated": False,
                "staff_code": "1001", "prev_hash": prev,
            }
            fields["hash"] = prev = entry_hash(fields)
            entries.append(entry_to_wire({k2: fields[k2] for k2 in (*HASHED_FIELDS, "hash")},
                                         Effects(new=(NewLot(DAY, dt.date(2028, 11, 30), points),))))
        batches = []
        for s in range(0, len(entries), 1000):
            batch_id = uuid.uuid4().hex
            body = {"protocol": PROTOCOL, "store_id": sid, "terminal_id": tid, "batch_id": batch_id,
                    "entries": entries[s:s + 1000], "events": []}
            batches.append((batch_id, json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()))
        out[tid] = batches
    conn.close()
    return out


def push_day(url: str, secrets: dict[str, str], work: dict[str, list[tuple[str, bytes]]], threads: int = 4) -> float:
    todo = list(work.items())
    lock = threading.Lock()
    errors: list[str] = []

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=300) as client:
            while True:
                with lock:
                    if not todo or errors:
                        return
                    tid, batches = todo.pop()
                for batch_id, body in batches:
                    headers = signing.sign(secrets[tid], tid, "POST", "/v1/push", body, idempotency_key=batch_id)
                    headers["content-type"] = "application/json"
                    r = client.post("/v1/push", content=body, headers=headers)
                    if r.status_code != 200:
                        with lock:
                            errors.append(f"{tid}: {r.status_code} {r.text[:300]}")
                        return

    t0 = time.perf_counter()
    ths = [threading.Thread(target=worker) for _ in range(threads)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    if errors:
        raise RuntimeError(errors[0])
    return time.perf_counter() - t0


def own_and_global(db_url: str, after_id: int) -> tuple[int, int, int]:
    """(changes HQ wrote after ``after_id`` in all, about store S0000's members or for S0000, global)."""
    conn = psycopg2.connect(db_url)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM change WHERE id > %s", (after_id,))
    total = cur.fetchone()[0]
    cur.execute(
        "SELECT count(*) FROM change c LEFT JOIN entry e ON c.kind = 'entry' AND e.uuid = c.key"
        " LEFT JOIN coupon k ON c.kind = 'coupon' AND k.code = c.key"
        " JOIN member m ON m.uuid = CASE c.kind WHEN 'member' THEN c.key WHEN 'entry' THEN e.member_uuid"
        " ELSE k.member_uuid END WHERE c.id > %s AND c.kind IN ('member', 'entry', 'coupon') AND m.store_id = %s",
        (after_id, HOME))
    own = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM change WHERE id > %s AND kind NOT IN ('member', 'entry', 'coupon')"
                " AND (store_id IS NULL OR store_id = %s)", (after_id, HOME))
    glob = cur.fetchone()[0]
    conn.close()
    return int(total), int(own), int(glob)


def max_change(db_url: str) -> int:
    conn = psycopg2.connect(db_url)
    cur = conn.cursor()
    cur.execute("SELECT coalesce(max(id), 0) FROM change")
    out = int(cur.fetchone()[0])
    conn.close()
    return out


# ------------------------------------------------------------------------------------------ lookup


def lookup_route(url: str) -> bool:
    try:
        spec = httpx.get(f"{url}/openapi.json", timeout=30).json()
    except (httpx.HTTPError, ValueError):
        return False
    return "/v1/members/lookup" in spec.get("paths", {})


def lookups(url: str, terminal_id: str, secret: str, db_url: str, n: int) -> Stats:
    conn = psycopg2.connect(db_url)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM member")
    pct = min(100.0, 300.0 * (n + 50) / max(1, cur.fetchone()[0]))
    cur.execute("SELECT uuid, phone, card_no FROM member TABLESAMPLE SYSTEM (%s)", (pct,))
    rows = cur.fetchall()[:n + 50]
    conn.close()
    random.Random(5).shuffle(rows)
    ns: list[int] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for k, (u, phone, card) in enumerate(rows):
            ref = (u, phone, card)[k % 3]
            body = json.dumps({"ref": ref}, separators=(",", ":")).encode()
            headers = signing.sign(secret, terminal_id, "POST", "/v1/members/lookup", body)
            headers["content-type"] = "application/json"
            t0 = time.perf_counter_ns()
            r = client.post("/v1/members/lookup", content=body, headers=headers)
            took = time.perf_counter_ns() - t0
            if r.status_code != 200:
                raise RuntimeError(f"lookup answered {r.status_code}: {r.text[:300]}")
            if k >= 50:
                ns.append(took)
    return Stats.of_ns(ns)


# ------------------------------------------------------------------------------------------ one scale


def run_scale(args: argparse.Namespace, n_stores: int) -> dict[str, Any]:
    pristine = f"{args.prefix}_s{n_stores}"
    work = f"{args.prefix}_work"
    chain_sim.snapshot(pristine, work)
    url_db = chain_sim.dsn(work)
    chain_sim.analyze(work)  # a headquarters with a history has planner statistics; a bulk load has none
    if args.extra_sql:  # an experiment on the copy (an index the code under test lacks, say)
        conn = psycopg2.connect(url_db)
        conn.autocommit = True
        conn.cursor().execute(args.extra_sql)
        conn.close()
    res: dict[str, Any] = {"stores": n_stores, **{k: v for k, v in chain_sim.counts(work).items()}}
    if args.extra_sql:
        res["extra_sql"] = args.extra_sql
    secrets = json.loads(chain_sim.secrets_path(work).read_text())
    folder = Path(tempfile.mkdtemp(prefix="chain-till-", dir=BENCH_DIR))
    t = None
    try:
        raw_secret = new_terminal(url_db, RAW_READER, secret=True) if args.raw else ""
        code = new_terminal(url_db, NEW_TILL, secret=False)
        with HQProcess(url_db, cwd=CODE) as hq:
            relay = CountingRelay(hq.port)
            if args.raw:
                relay.reset()
                n, secs, _ = read_feed(relay.url, RAW_READER, raw_secret)
                res["raw_first"] = {"changes": n, "seconds": round(secs, 2), "bytes": relay.down}
                print(f"   {n_stores} stores: first sync, wire only: {n:,} changes, {relay.down / 1e6:,.1f} MB,"
                      f" {secs:.1f} s", flush=True)
            if n_stores <= args.till_max:
                from pos_app.services import sync as sync_service

                t = make_till(folder)
                sync_service.enroll(t, relay.url, code)
                relay.reset()
                pulled, secs, rounds = sync_till(t)
                res["till_first"] = {"changes": pulled, "seconds": round(secs, 2), "bytes": relay.down,
                                     "up_bytes": relay.up, "rounds": rounds,
                                     "till_db_bytes": db_file_bytes(folder / "till.db")}
                print(f"   {n_stores} stores: first sync, till: {pulled:,} changes, {relay.down / 1e6:,.1f} MB"
                      f" received, {secs:.1f} s, {rounds} rounds, till database"
                      f" {res['till_first']['till_db_bytes'] / 1e6:,.1f} MB", flush=True)
            if args.lookup and lookup_route(hq.url):
                lk_secret = raw_secret or new_terminal(url_db, RAW_READER, secret=True)
                st = lookups(hq.url, RAW_READER, lk_secret, url_db, args.lookup)
                res["lookup"] = {"n": st.n, "median_ms": round(st.median, 2), "p99_ms": round(st.p99, 2)}
                print(f"   {n_stores} stores: online lookup: {st.text()}", flush=True)
            if args.daily and (not args.daily_scales or n_stores in args.daily_scales):
                before_id = max_change(url_db)
                batches = day_batches(url_db, n_stores, args.day_entries)
                push_s = push_day(hq.url, secrets, batches)
                total, own, glob = own_and_global(url_db, before_id)
                relay.reset()
                if t is not None:
                    pulled, secs, rounds = sync_till(t)
                    how = "till"
                else:
                    start = before_id
                    pulled, secs, _ = read_feed(relay.url, RAW_READER, raw_secret, start)
                    how = "wire"
                res["daily"] = {"how": how, "pushed_entries": n_stores * args.day_entries, "push_s": round(push_s, 1),
                                "hq_changes": total, "own_changes": own, "global_changes": glob, "pulled": pulled,
                                "bytes": relay.down, "seconds": round(secs, 2),
                                "ratio": round(pulled / max(1, own + glob), 2)}
                print(f"   {n_stores} stores: daily pull ({how}): {pulled:,} changes, {relay.down / 1e6:,.2f} MB,"
                      f" {secs:.1f} s; own store + global {own + glob:,} (HQ wrote {total:,}); ratio"
                      f" {pulled / max(1, own + glob):.2f}", flush=True)
            relay.close()
    finally:
        if t is not None:
            t.close()
        shutil.rmtree(folder, ignore_errors=True)
        chain_sim.drop_database(work)
    return res


# ------------------------------------------------------------------------------------------ the till's year


def till_year(n_entries: int, n_sales: int) -> dict[str, Any]:
    import bench_sale

    from pos_app.services import members, sales
    from pos_app.services.context import Terminal

    base = bench_sale.ensure_database(500, n_entries)
    path = bench_sale.work_copy(base, "chain-year.db")
    size = db_file_bytes(path)
    seeds = bench_sale.shoppers(path, 500)
    t = Terminal.open(path, clock=FixedClock(bench_sale.NOW))
    try:
        for s in seeds:  # each member's first purchase, so the timed sales are the steady state
            sales.record_sale(t, lines=bench_sale.LINES, member_ref=s.card_no)
        ns, cpu = [], []
        for k in range(n_sales):
            t0, c0 = time.perf_counter_ns(), time.process_time_ns()
            sales.record_sale(t, lines=bench_sale.LINES, member_ref=seeds[k % len(seeds)].card_no)
            ns.append(time.perf_counter_ns() - t0)
            cpu.append(time.process_time_ns() - c0)  # not inflated by the disk's fsync waits
        look = []
        for k in range(2000):
            s = seeds[k % len(seeds)]
            t0 = time.perf_counter_ns()
            members.find_member(t, s.phone if k % 2 else s.card_no)
            look.append(time.perf_counter_ns() - t0)
    finally:
        t.close()
    sale_st, look_st, cpu_st = Stats.of_ns(ns), Stats.of_ns(look), Stats.of_ns(cpu)
    res = {"entries": n_entries, "db_bytes": size, "bytes_per_entry": round(size / n_entries, 1),
           "sale_median_ms": round(sale_st.median, 3), "sale_p99_ms": round(sale_st.p99, 3),
           "sale_cpu_median_ms": round(cpu_st.median, 3), "sale_cpu_p99_ms": round(cpu_st.p99, 3),
           "lookup_median_ms": round(look_st.median, 3), "sales": n_sales}
    print(f"   till after a year of its store ({n_entries:,} entries): {size / 1e6:,.0f} MB"
          f" ({size / n_entries:.0f} bytes per entry); sale {sale_st.text()}; CPU per sale {cpu_st.text()};"
          f" find_member {look_st.text()}",
          flush=True)
    return res


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--label", required=True, help="before | after (recorded with the figures)")
    p.add_argument("--prefix", default="chain_sim", help="snapshots are <prefix>_s<stores>")
    p.add_argument("--scales", default="20,50,100,200")
    p.add_argument("--raw", action="store_true", help="also read the whole feed with the till's client alone")
    p.add_argument("--till-max", type=int, default=10_000, help="a real till's first sync up to this many stores")
    p.add_argument("--daily", action="store_true")
    p.add_argument("--day-entries", type=int, default=1500)
    p.add_argument("--daily-scales", default="", help="the daily pull only at these scales (default: every one)")
    p.add_argument("--lookup", type=int, default=0, help="online lookups to time (0: none)")
    p.add_argument("--year", action="store_true")
    p.add_argument("--year-entries", type=int, default=1500 * 365)
    p.add_argument("--extra-sql", help="SQL run on each work copy before measuring (an experiment)")
    p.add_argument("--out", help="JSON file for the figures")
    args = p.parse_args()
    args.daily_scales = [int(x) for x in args.daily_scales.split(",") if x]
    chain_sim.key_file()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print("command:", " ".join([f"PYTHONPATH={CODE}", sys.executable, *sys.argv]), flush=True)
    head = subprocess.run(["git", "-C", CODE, "log", "-1", "--format=%h %s"], capture_output=True, text=True).stdout
    print(f"code under test: {CODE} at {head.strip()[:100]}", flush=True)
    out: dict[str, Any] = {"label": args.label, "code": head.strip(), "command": sys.argv,
                           "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "scales": []}
    for n in [int(x) for x in args.scales.split(",") if x]:
        out["scales"].append(run_scale(args, n))
        if args.out:
            Path(args.out).write_text(json.dumps(out, indent=1))
    if args.year:
        out["year"] = till_year(args.year_entries, 2000)
    out["load"] = os.getloadavg()
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
