"""Headquarters scale-out: many tills pushing at once to ``pos-hq serve --workers N`` on PostgreSQL.

For each cell (``tills`` concurrent tills x ``workers`` uvicorn worker processes) a fresh
PostgreSQL database is made, the stores and tills are enrolled through HQ's own admin functions,
``pos-hq --db URL serve --workers N`` is started on loopback (its own processes, the real CLI),
and every till pushes its own hash-chained ledger (``bench_sync_push.make_chain``: members
enrolled by the till first, then 80 % earn and 20 % redeem entries) as signed batches of the
till's default size, one thread and one HTTP connection per till, all started together. Each
till pushes serially, as a real till does (a batch waits for the previous answer).

Figures per cell: entries per second over the whole push (first request to last answer) and
the p50 and p99 latency of one batch. So that a missed target comes with its bound, every cell
also records where the machine's CPU went during the push (``/proc``: the HQ processes, the
PostgreSQL backends of the cell's database, this client process, and everything else on the
machine), as CPU microseconds per entry, and samples ``pg_stat_activity`` every 50 ms: what the
cell's active backends were waiting on (e.g. ``Lock:advisory`` for the feed's lock,
``LWLock:WALWrite`` for the WAL, nothing = running on a CPU). ``--profile`` runs cProfile
in-process around one batch of ``hq.ingest.push`` instead.

    .venv/bin/python benchmarks/bench_hq_scale.py                         # 1,4,16,64 tills x 1,2,4 workers
    .venv/bin/python benchmarks/bench_hq_scale.py --tills 16 --workers 2
    .venv/bin/python benchmarks/bench_hq_scale.py --code /work/wt/before-ingest --json before.json
    .venv/bin/python benchmarks/bench_hq_scale.py --profile

``--code DIR`` runs the headquarters code of another checkout (its migrations, admin functions
and server) with this script's client: how a before and after pair is measured in one session.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any


def _code_dir() -> Path:
    """The checkout whose ``pos_app`` is measured (``--code``; default this one), put first on the
    import path before anything of ``pos_app`` is imported, and handed to the HQ processes."""
    for i, arg in enumerate(sys.argv):
        if arg == "--code" and i + 1 < len(sys.argv):
            return Path(sys.argv[i + 1]).resolve()
        if arg.startswith("--code="):
            return Path(arg.split("=", 1)[1]).resolve()
    return Path(__file__).resolve().parents[1]


CODE = _code_dir()
sys.path.insert(0, str(CODE))
os.environ["PYTHONPATH"] = os.pathsep.join([str(CODE), *filter(None, [os.environ.get("PYTHONPATH")])])

import httpx  # noqa: E402
import psycopg2  # noqa: E402
from bench_sync_push import PG_ADMIN, batches, free_port, make_chain, prepare  # noqa: E402
from benchlib import BENCH_DIR, percentile  # noqa: E402

from pos_app.sync import signing  # noqa: E402
from pos_app.sync.protocol import DEFAULT_BATCH  # noqa: E402

TARGET_16 = 20_000  # entries per second with 16 tills (issue 13, item 5)
CLK_TCK = os.sysconf("SC_CLK_TCK")
SAMPLE_S = 0.05


# -- CPU accounting from /proc --------------------------------------------------------------------


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15 of stat)


def children(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(c for c, pp in parent.items() if pp == p)
    return out


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (``/proc/stat``)."""
    v = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = v[3] + v[4]  # idle, iowait
    total = sum(v[:8])  # without guest time (counted in user already)
    return (total - idle) / CLK_TCK, total / CLK_TCK


# -- one cell -------------------------------------------------------------------------------------


class HQServer:
    """``pos-hq --db URL serve --workers N`` (the real CLI) on loopback, waited on until every worker
    has said its application started."""

    def __init__(self, db_url: str, workers: int, log: Path) -> None:
        self.db_url, self.workers, self.log = db_url, workers, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HQServer:
        out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pos_app.hq", "--db", self.db_url, "serve", "--port", str(self.port),
             "--workers", str(self.workers)], cwd=CODE, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pos-hq stopped: {self.log.read_text()[-2000:]}")
            if self.log.read_text().count("Application startup complete") >= self.workers:
                try:
                    if httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"pos-hq did not start: {self.log.read_text()[-2000:]}")

    def pids(self) -> list[int]:
        assert self.proc is not None
        return children(self.proc.pid)

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class ActivitySampler(threading.Thread):
    """Every 50 ms: what the cell database's active backends wait on, and which backends exist."""

    def __init__(self, dbname: str) -> None:
        super().__init__(daemon=True)
        self.dbname = dbname
        self.waits: Counter[str] = Counter()
        self.samples = 0
        self.backends: set[int] = set()
        self.stop = threading.Event()
        self.conn = psycopg2.connect(PG_ADMIN)
        self.conn.autocommit = True

    def pids_now(self) -> list[int]:
        cur = self.conn.cursor()
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.dbname,))
        return [int(r[0]) for r in cur.fetchall()]

    def run(self) -> None:
        cur = self.conn.cursor()
        while not self.stop.wait(SAMPLE_S):
            cur.execute("SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()", (self.dbname,))
            self.samples += 1
            for pid, state, wtype, wevent in cur.fetchall():
                self.backends.add(pid)
                if state == "active":
                    self.waits[f"{wtype}:{wevent}" if wtype else "CPU (no wait)"] += 1

    def finish(self) -> None:
        self.stop.set()
        self.join()
        self.conn.close()


def push_all(url: str, terminal_id: str, secret: str, enroll: list[tuple[str, bytes]],
             work: list[tuple[str, bytes]], ready: threading.Barrier, go: threading.Barrier,
             latencies: list[float], ends: list[float], errors: list[str]) -> None:
    """Push ``enroll`` (the till's member records and its first entries, not timed), wait for
    every till, then push ``work`` (its other entries) timing each batch."""
    with httpx.Client(base_url=url, timeout=300) as client:
        for timed, batches_ in ((False, enroll), (True, work)):
            if timed:
                ready.wait()
                go.wait()
            if not _push(client, terminal_id, secret, batches_, latencies if timed else [], errors):
                ready.abort()
                go.abort()
                return
        ends.append(time.perf_counter())


def _push(client: httpx.Client, terminal_id: str, secret: str, work: list[tuple[str, bytes]],
          latencies: list[float], errors: list[str]) -> bool:
    for batch_id, body in work:
        headers = signing.sign(secret, terminal_id, "POST", "/v1/push", body, idempotency_key=batch_id)
        headers["content-type"] = "application/json"
        t0 = time.perf_counter()
        try:
            r = client.post("/v1/push", content=body, headers=headers)
        except httpx.HTTPError as exc:
            errors.append(f"{terminal_id}: {exc!r}")
            return False
        latencies.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            errors.append(f"{terminal_id}: push answered {r.status_code} {r.text[:300]}")
            return False
    return True


Batches = list[tuple[str, bytes]]
_chains: dict[tuple[int, int, int], dict[str, tuple[str, Batches, Batches]]] = {}


def chains(n_tills: int, per_till: int, per_member: int) -> dict[str, tuple[str, Batches, Batches]]:
    """terminal id -> (store id, batches of its member records, batches of its entries); one
    store per till (a chain's store has a till or
    two), ``per_member`` entries per member on average; generated once per size and reused by
    every cell of that size."""
    key = (n_tills, per_till, per_member)
    if key not in _chains:
        work = {}
        for i in range(n_tills):
            tid, sid = f"Q{n_tills:02d}T{i:02d}", f"QS{i:02d}"
            events, entries = make_chain(tid, sid, per_till, max(10, per_till // per_member),
                                         seed=7000 + n_tills * 100 + i)
            enroll = batches(tid, sid, events, [], DEFAULT_BATCH)
            work[tid] = (sid, enroll, batches(tid, sid, [], entries, DEFAULT_BATCH))
            # the first batch of entries is pushed before the clock starts (see run_cell)
            work[tid] = (sid, enroll + work[tid][2][:1], work[tid][2][1:])
        _chains.clear()
        _chains[key] = work
    return _chains[key]


def new_database() -> tuple[str, str]:
    name = f"hq_scale_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    admin.close()
    return name, f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"


def drop_database(name: str) -> None:
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def analyze(url: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        conn.cursor().execute("ANALYZE")
    finally:
        conn.close()


def count_entries(url: str) -> int:
    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM entry WHERE terminal_id <> 'HQ'")
        return int(cur.fetchone()[0])
    finally:
        conn.close()


def run_cell(n_tills: int, workers: int, per_till: int, per_member: int) -> dict[str, Any]:
    work = chains(n_tills, per_till, per_member)
    name, url = new_database()
    try:
        secrets = prepare(url, [(tid, sid) for tid, (sid, _, _) in work.items()])
        latencies: list[float] = []
        ends: list[float] = []
        errors: list[str] = []
        with HQServer(url, workers, BENCH_DIR / f"hq-scale-{name}.log") as hq:
            ready, go = threading.Barrier(n_tills + 1), threading.Barrier(n_tills + 1)
            threads = [threading.Thread(target=push_all, args=(hq.url, tid, secrets[tid], enroll, entries, ready, go,
                                                              latencies, ends, errors))
                       for tid, (_, enroll, entries) in work.items()]
            for th in threads:
                th.start()
            try:
                ready.wait()  # every till's members and first batch of entries are at HQ
            except threading.BrokenBarrierError:
                raise RuntimeError("; ".join(errors[:3])) from None
            # statistics, as a headquarters with a history has them: a new database's planner
            # thinks ``entry`` is empty and scans all of it for every batch's per-member reads
            # (the cost would then grow with the cell's size; autovacuum analyses a minute later)
            analyze(url)
            sampler = ActivitySampler(name)
            pg0 = {pid: proc_cpu(pid) for pid in sampler.pids_now()}  # the workers' first connections
            hq_pids = hq.pids()
            hq_cpu0 = sum(proc_cpu(p) for p in hq_pids)
            pg_aux = [int(p) for p in subprocess.run(["pgrep", "-f", "postgres: .*(walwriter|background writer|"
                                                      "checkpointer)"], capture_output=True, text=True).stdout.split()]
            aux0 = sum(proc_cpu(p) for p in pg_aux)
            me0 = time.process_time()
            busy0, total0 = machine_cpu()
            load0 = os.getloadavg()[0]
            sampler.start()
            go.wait()
            t0 = time.perf_counter()
            for th in threads:
                th.join()
            elapsed = max(ends, default=time.perf_counter()) - t0
            busy1, total1 = machine_cpu()
            me1 = time.process_time()
            sampler.finish()
            hq_cpu = sum(proc_cpu(p) for p in hq_pids) - hq_cpu0
            pg_cpu = sum(proc_cpu(p) - pg0.get(p, 0.0) for p in sampler.backends | set(pg0))
            aux_cpu = sum(proc_cpu(p) for p in pg_aux) - aux0
            load1 = os.getloadavg()[0]
        if errors:
            raise RuntimeError("; ".join(errors[:3]))
        held = count_entries(url)
        if held != per_till * n_tills:
            raise RuntimeError(f"HQ holds {held} entries, expected {per_till * n_tills}")
        expected = per_till * n_tills - DEFAULT_BATCH * n_tills  # the timed ones
    finally:
        drop_database(name)
        (BENCH_DIR / f"hq-scale-{name}.log").unlink(missing_ok=True)
    lat = sorted(latencies)
    machine_busy = busy1 - busy0
    client = me1 - me0
    active = sum(sampler.waits.values())
    per_entry = 1e6 / expected
    rest = machine_busy - hq_cpu - pg_cpu - aux_cpu - client
    return {
        "tills": n_tills, "workers": workers, "entries": expected, "batches": len(lat), "seconds": round(elapsed, 3),
        "entries_per_s": round(expected / elapsed), "p50_ms": round(percentile(lat, 50), 1),
        "p99_ms": round(percentile(lat, 99), 1),
        "cpu_us_per_entry": {"hq": round(hq_cpu * per_entry, 1), "pg_backends": round(pg_cpu * per_entry, 1),
                             "pg_wal_bg": round(aux_cpu * per_entry, 1), "client": round(client * per_entry, 1),
                             "rest_of_machine": round(rest * per_entry, 1)},
        "machine_busy_pct": round(100 * machine_busy / (total1 - total0), 1),
        "load_avg": [round(load0, 2), round(load1, 2)],
        "mean_active_backends": round(active / max(1, sampler.samples), 2),
        "waits_pct": {k: round(100 * v / active, 1) for k, v in sampler.waits.most_common(8)} if active else {},
    }


def table(rows: list[dict[str, Any]]) -> str:
    out = ["| tills | workers | entries | entries/s | p50 batch ms | p99 batch ms"
           " | CPU us/entry HQ / PG / client / rest | machine busy | active backends"
           " | top waits (% of active samples) |",
           "|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"]
    for r in rows:
        c = r["cpu_us_per_entry"]
        waits = ", ".join(f"{k} {v}" for k, v in list(r["waits_pct"].items())[:4])
        out.append(f"| {r['tills']} | {r['workers']} | {r['entries']:,} | {r['entries_per_s']:,} | {r['p50_ms']:,} |"
                   f" {r['p99_ms']:,} | {c['hq']} / {c['pg_backends'] + c['pg_wal_bg']:.1f} / {c['client']} /"
                   f" {c['rest_of_machine']} | {r['machine_busy_pct']} % | {r['mean_active_backends']} | {waits} |")
    return "\n".join(out)


# -- cProfile of one push in-process ---------------------------------------------------------------


class _TimedCursor:
    """A cursor that charges each statement's database CPU (the backend's ``schedstat``, in ns)
    and wall time to the statement's opening words."""

    def __init__(self, cur: Any, backend: int, log: dict[str, list[float]]) -> None:
        self._cur, self._backend, self._log = cur, backend, log

    def _timed(self, sql: str, fn: Any, *args: Any) -> Any:
        cpu0, wall0 = backend_ns(self._backend), time.perf_counter_ns()
        try:
            return fn(*args)
        finally:
            label = re.sub(r"\s+", " ", re.sub(r"\([^()]{40,}\)", "(...)", sql))
            label = re.sub(r'"s[0-9a-f]{32}"', '"s..."', label)[:90]  # peewee's savepoint names
            row = self._log.setdefault(label, [0, 0.0, 0.0])
            row[0] += 1
            row[1] += (backend_ns(self._backend) - cpu0) / 1e6
            row[2] += (time.perf_counter_ns() - wall0) / 1e6

    def execute(self, sql: str, params: Any = None) -> Any:
        return self._timed(sql, self._cur.execute, sql, params)

    def copy_expert(self, sql: str, file: Any, size: int = 8192) -> Any:
        return self._timed(sql, self._cur.copy_expert, sql, file, size)

    def __iter__(self) -> Any:
        return iter(self._cur)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)


MEASURED = 3  # batches measured statement by statement in --profile


def backend_ns(pid: int) -> int:
    """CPU nanoseconds a process has run (``/proc/PID/schedstat``, finer than ``stat``'s ticks)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def profile_push(per_till: int, per_member: int, warm_batches: int, top: int, *, cpu: bool) -> str:
    """In-process ``hq.ingest.push`` of batches of 1,000 entries (on a fresh PostgreSQL database,
    after the till's member records and ``warm_batches`` batches of its entries, then
    ``ANALYZE``): three batches with each statement's database CPU and this process's CPU
    measured (averaged), then the next batch under cProfile, sorted by own time."""
    import hashlib

    from pos_app.hq import db as hqdb
    from pos_app.hq import ingest

    work = chains(1, per_till, per_member)
    tid, (sid, enroll, entries) = next(iter(work.items()))
    bodies = enroll + entries
    measured = warm_batches + len(enroll) - 1  # the member records, then warm_batches of entries
    statements: dict[str, list[float]] = {}
    name, url = new_database()
    try:
        prepare(url, [(tid, sid)])
        database = hqdb.connect(url)
        try:
            backend = int(database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[no-untyped-call]
            term = hqdb.Terminal.get_by_id(tid)
            wall = []
            # cpu: this process's CPU time (a shared machine's other load does not inflate it; the
            # database's work shows only as the driver's own CPU); wall: the database's time too
            prof = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()
            plain_cursor = database.cursor

            def timed_cursor(*a: Any, **k: Any) -> _TimedCursor:
                return _TimedCursor(plain_cursor(*a, **k), backend, statements)  # type: ignore[no-untyped-call]
            spent: list[tuple[float, float]] = []  # (this process, its backend) CPU ms per measured batch
            for n, (batch_id, body) in enumerate(bodies[:measured + MEASURED + 1]):
                data = json.loads(body)
                digest = hashlib.sha256(body).hexdigest()
                if n == measured:
                    analyze(url)
                    database.cursor = timed_cursor  # type: ignore[method-assign]
                elif n == measured + MEASURED:
                    database.cursor = plain_cursor  # type: ignore[method-assign]
                    prof.enable()
                db_ns, me, t0 = backend_ns(backend), time.process_time(), time.perf_counter()
                ingest.push(term, data, body_digest=digest, idempotency_key=batch_id)
                wall.append((time.perf_counter() - t0) * 1000)
                if measured <= n < measured + MEASURED:
                    spent.append(((time.process_time() - me) * 1000, (backend_ns(backend) - db_ns) / 1e6))
                prof.disable()
                term = hqdb.Terminal.get_by_id(tid)
            if database.cursor is not plain_cursor:
                raise RuntimeError("the timed cursor stayed in place")
        finally:
            hqdb.close_pool(database)
    finally:
        drop_database(name)
    s = io.StringIO()
    me_ms, db_ms = (sum(x) / MEASURED for x in zip(*spent, strict=True))
    s.write(f"batches {warm_batches + 1}-{warm_batches + MEASURED} of {DEFAULT_BATCH} entries (after ANALYZE),"
            f" per batch: this process {me_ms:.1f} ms CPU, its database backend {db_ms:.1f} ms CPU"
            f" (each: {', '.join(f'{a:.0f} + {b:.0f}' for a, b in spent)}; wall"
            f" {', '.join(f'{w:.0f}' for w in wall[measured:measured + MEASURED])} ms)\n"
            "statements by database CPU, per batch (calls, backend CPU ms, wall ms):\n")
    for label, (calls, db_cpu, db_wall) in sorted(statements.items(), key=lambda kv: -kv[1][1]):
        s.write(f"  {calls / MEASURED:5.1f} {db_cpu / MEASURED:8.1f} {db_wall / MEASURED:8.1f}  {label}\n")
    stats = pstats.Stats(prof, stream=s)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    s.write(f"\nbatch {warm_batches + MEASURED + 1} under cProfile: {wall[-1]:.1f} ms wall,"
            f" {total * 1000:.1f} ms {'of CPU' if cpu else 'wall'} in the profile\n")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return re.sub(r"/\S*/(pos_app|site-packages)/", r"\1/", s.getvalue())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--code", default=str(CODE), help="checkout whose headquarters code is measured")
    p.add_argument("--tills", default="1,4,16,64")
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--per-till", type=int, default=3 * DEFAULT_BATCH,
                   help="entries each till pushes when there are 16 or more tills (3 batches; the first untimed)")
    p.add_argument("--total", type=int, default=16 * 3 * DEFAULT_BATCH,
                   help="entries pushed in all by fewer than 16 tills (default as 16 tills push)")
    p.add_argument("--per-member", type=int, default=4,
                   help="entries per member on average (default 4, a few visits a month; figure 10 uses 50)")
    p.add_argument("--json", help="also write the rows to this file")
    p.add_argument("--profile", action="store_true", help="cProfile one in-process push instead")
    p.add_argument("--warm", type=int, default=5, help="--profile: batches pushed before the profiled one")
    p.add_argument("--timer", choices=("cpu", "wall"), default="cpu", help="--profile: the profile's clock")
    args = p.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["POS_HQ_KEY_FILE"] = str(BENCH_DIR / "hq-secrets.key")  # the key HQ seals terminal secrets with
    commit = subprocess.run(["git", "-C", str(CODE), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    print(f"code: {CODE} at {commit}; batches of {DEFAULT_BATCH}, {args.per_member} entries per member", flush=True)
    if args.profile:
        print(profile_push(args.per_till, args.per_member, args.warm, 30, cpu=args.timer == "cpu"))
        return 0
    rows = []
    for n_tills in [int(x) for x in args.tills.split(",")]:
        per_till = args.per_till if n_tills >= 16 else args.total // n_tills
        for workers in [int(x) for x in args.workers.split(",")]:
            row = run_cell(n_tills, workers, per_till, args.per_member)
            row["commit"] = commit
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(table(rows))
    if n16 := [r for r in rows if r["tills"] == 16]:
        best = max(r["entries_per_s"] for r in n16)
        print(f"16 tills: best {best:,} entries/s, target >= {TARGET_16:,}: {'PASS' if best >= TARGET_16 else 'FAIL'}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
