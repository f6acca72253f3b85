"""Figure 17: every headquarters console page's answer time with 1 M members and 10 M ledger
entries on PostgreSQL (issue 14: p95 <= 300 ms).

The chain is the chain simulator's (``chain_sim.py``): 100 stores x 10,000 members x 100,000
entries (a year of each store's till), generated once into the PostgreSQL database
``console_bench`` and kept (``--db`` names another). Console accounts are added here (an admin
and a store manager). ``pos-hq`` runs in its own process (uvicorn, one worker, as
``pos-hq serve`` runs it) on the code of this checkout; the benchmark signs in like a browser and
finds the pages by following the console's own links from the dashboard (two levels, every
link under ``/console/`` except sign-out, language and downloads), plus a member's page, a
member search and the reports with their default ranges, so a page added later is measured
without editing this file. Each page is fetched ``--runs`` times after one warm-up; the figure
is its p95 (and median), per page, as the admin and as a store manager.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_console.py
    PYTHONPATH=. .venv/bin/python benchmarks/bench_console.py --trigger-cost 50   # store_day's cost per push
    # the chain first (about 15-30 min, ~20 GB):
    PYTHONPATH=. .venv/bin/python benchmarks/chain_sim.py \\
        --db console_bench --stores 100 --members 10000 --entries 100000
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from html.parser import HTMLParser

import httpx
from benchlib import BENCH_DIR, Figure, HQProcess, print_figures
from chain_sim import dsn, key_file

TARGET_MS = 300.0
PASSWORD = "bench-console-2026"
SKIP = re.compile(r"/(logout|lang/|static/)|[?&](format|export)=|\.(csv|xlsx)$|/export")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def shape(path: str) -> str:
    """A page's kind: ids, uuids and numbers replaced, so one page per kind is measured."""
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{uuid}", path)
    path = re.sub(r"/S\d{4}(-T\d+)?", "/{id}", path)
    path = re.sub(r"=S\d{4}(-T\d+)?", "={id}", path)
    path = re.sub(r"=\d[\d-]*", "=N", path)
    return re.sub(r"/\d+", "/{n}", path)


def accounts(db_url: str) -> None:
    from pos_app.hq import db as hqdb
    from pos_app.hq import staff

    database = hqdb.connect(db_url)
    try:
        for login, role, store in (("bench-admin", "admin", None), ("bench-manager", "store_manager", "S0001")):
            if hqdb.Staff.get_or_none(hqdb.Staff.login == login) is None:
                staff.add_staff(login, PASSWORD, role, store_id=store, actor="bench")
    finally:
        hqdb.close_pool(database)


def sign_in(client: httpx.Client, login: str) -> None:
    form = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token, "no login form"
    answer = client.post("/console/login", data={"login": login, "password": PASSWORD, "csrf": token.group(1),
                                                 "next": "/console/"})
    assert answer.status_code == 303, answer.text[:500]


def discover(client: httpx.Client, seeds: list[str], depth: int = 2) -> dict[str, str]:
    """shape -> one path of that shape, following the console's links."""
    found: dict[str, str] = {}
    frontier = list(seeds)
    for _level in range(depth + 1):
        nxt: list[str] = []
        for path in frontier:
            key = shape(path)
            if key in found or SKIP.search(path):
                continue
            answer = client.get(path)
            if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
                continue
            found[key] = path
            parser = Links()
            parser.feed(answer.text)
            for href in parser.hrefs:
                if href.startswith("/console/") and shape(href) not in found:
                    nxt.append(href.split("#")[0])
        frontier = nxt
    return found


def member_uuid(db_url: str) -> tuple[str, str]:
    import psycopg2

    conn = psycopg2.connect(db_url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT uuid, phone FROM member WHERE store_id = 'S0001' ORDER BY uuid LIMIT 1")
        row = cur.fetchone()
        return str(row[0]), str(row[1] or "")
    finally:
        conn.close()


def time_pages(client: httpx.Client, pages: dict[str, str], runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for key, path in sorted(pages.items()):
        client.get(path)  # warm-up
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            answer = client.get(path)
            samples.append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                raise AssertionError(f"{path}: {answer.status_code}")
        out[key] = samples
    return out


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def trigger_cost(batches: int, rows: int = 1000) -> int:
    """What migration 9's store_day trigger adds to a push: ``batches`` INSERTs of ``rows`` entries
    (one till's batch: one store, a business day or two) into a fresh HQ database, alternately with
    the trigger enabled and disabled; EXPLAIN ANALYZE reports the trigger's own time."""
    import os
    import uuid

    import psycopg2

    from pos_app.hq import db as hqdb

    admin_dsn = os.environ.get("POS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"bench_trigger_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(admin_dsn)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    try:
        url = f"{admin_dsn.rsplit('/', 1)[0]}/{name}"
        hqdb.close_pool(hqdb.connect(url))  # migrated
        conn = psycopg2.connect(url)
        conn.autocommit = True
        cur = conn.cursor()
        times: dict[str, list[float]] = {"with": [], "trigger": [], "without": []}
        for b in range(2 * batches):
            enabled = b % 2 == 0
            cur.execute(f'ALTER TABLE entry {"ENABLE" if enabled else "DISABLE"} TRIGGER "store_day_add"')
            cur.execute(f"""EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO entry (uuid, terminal_id, seq, store_id,
                    member_uuid, kind, points, tier_points, ref_type, ref_no, breakdown, created_at, business_date,
                    recorded_at, backdated, prev_hash, hash, effects, received_at)
                SELECT md5(random()::text || g), 'T1', {b * rows} + g, 'S0001', 'm' || (g % 50),
                       CASE WHEN g % 5 = 0 THEN 'redeem' ELSE 'earn' END, CASE WHEN g % 5 = 0 THEN -10 ELSE 25 END,
                       0, 'sale', 'R' || g, '{{}}', '2026-11-03T10:00:00', '2026-11-0' || (1 + g * 2 / {rows + 1}),
                       '2026-11-03T10:00:00', false, '', md5(g::text), '{{}}', '2026-11-03T10:00:00'
                FROM generate_series(1, {rows}) g""")
            plan = cur.fetchone()[0][0]
            if enabled:
                times["with"].append(plan["Execution Time"])
                times["trigger"].append(sum(t["Time"] for t in plan.get("Triggers", [])))
            else:
                times["without"].append(plan["Execution Time"])
        conn.close()
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"   {batches} inserts of {rows} entries each way (medians): with the trigger {med['with']:.2f} ms,"
          f" of which the trigger {med['trigger']:.2f} ms; without {med['without']:.2f} ms;"
          f" the trigger {1000 * med['trigger'] / rows:.2f} us per entry")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="console_bench", help="the chain simulator's PostgreSQL database")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--trigger-cost", type=int, metavar="BATCHES", default=0,
                        help="instead: what migration 9's store_day trigger adds to BATCHES pushes of 1,000")
    args = parser.parse_args()
    if args.trigger_cost:
        return trigger_cost(args.trigger_cost)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    key_file()  # the chain simulator's sealing key (var/bench/hq-secrets.key)
    db_url = dsn(args.db)
    accounts(db_url)
    uuid, phone = member_uuid(db_url)
    seeds = ["/console/", f"/console/members/{uuid}", f"/console/members?q={phone[:7]}", "/console/members?q=王",
             "/console/reports"]
    figures: list[Figure] = []
    with HQProcess(db_url, start_timeout=120) as hq:
        for login in ("bench-admin", "bench-manager"):
            with httpx.Client(base_url=hq.url, timeout=120) as client:
                sign_in(client, login)
                pages = discover(client, seeds)
                timings = time_pages(client, pages, args.runs)
            for key, samples in timings.items():
                print(f"   {login:<14} {key:<60} median {statistics.median(samples):7.1f} ms"
                      f"  p95 {p95(samples):7.1f} ms")
                figures.append(Figure(f"17. {login.removeprefix('bench-')} {key} p95", p95(samples), "ms", TARGET_MS))
            worst = max(timings.items(), key=lambda kv: p95(kv[1]))
            print(f"   {login}: {len(timings)} pages, the slowest {worst[0]} (p95 {p95(worst[1]):.1f} ms)")
    print_figures("console pages", figures)
    return 0 if all(f.target is None or f.value <= f.target for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
