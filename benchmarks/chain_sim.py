"""The chain simulator: a headquarters database on the real PostgreSQL holding many stores' members
and ledgers, for the chain-scale benchmark (``bench_chain.py``, issue 13).

Each simulated store has one till (``S0000-T1`` ...) enrolled through HQ's own admin functions
(secrets sealed under ``$POS_HQ_KEY_FILE``), ``members`` members whose home store it is, and a
year of that till's hash chain (``entries`` entries, 80 % earn with a new lot, 20 % redemptions
from the member's live lots). Every entry is hashed with ``core.chain.entry_hash`` and applied
with ``core.replica.apply_entry`` (the function HQ's ingest applies), so the rows written are the
rows ingest writes for the same chain: ``entry`` (with its effects), ``lot`` (final remaining),
``lot_move``, ``tier_month``, the ``member`` projection (balance, tier by the reference program's
thresholds, first and last purchase), the terminal's ``last_seq``/``last_hash``, and the change
feed: one ``entry`` change per entry (by reference, as ``ChangeBuffer.add_entry`` writes it) and
one ``member`` change per member (its final record; ingest writes one per push that touched the
member, so a real history has more member changes than this: the before-figures are a floor).
The reference program is published through ``authority.publish_program`` (a global change).

The schema is whatever ``hq.db.connect`` of the code on ``PYTHONPATH`` migrates to: on the schema
of commit c26a2d9 (migration 2) member and entry changes are for every store (``store_id``
NULL), as ingest wrote them there; on a schema with ``change.audience`` (migration 3) they go to
``S:<home store>`` with ``member_uuid``, as the per-till feed fans them out.

Stores are added incrementally (``--stores`` is the total wanted; existing ones are kept), so one
database grows 20 -> 50 -> 100 -> 200 stores and can be copied (``--snapshot``) at each size.

    PYTHONPATH=/work/wt/before .venv/bin/python benchmarks/chain_sim.py --db chain_sim_before \\
        --stores 20 --members 500 --entries 5000 --snapshot chain_sim_before_s20
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg2
from benchlib import BENCH_DIR

from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash
from pos_app.core.members import make_card_number
from pos_app.core.replica import Effects, LotState, NewLot, apply_entry

PG_ADMIN = os.environ.get("POS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
YEAR_START = dt.date(2025, 12, 1)
DAYS = 365
TIERS = (("diamond", 50000), ("gold", 20000), ("silver", 5000), ("normal", 0))
ENTRY_REF = '{"ref":"entry","uuid":'
GENERATOR = "chain-sim-v1"


def dsn(name: str) -> str:
    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"


def admin_conn() -> Any:
    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    return conn


def database_exists(name: str) -> bool:
    conn = admin_conn()
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return cur.fetchone() is not None
    finally:
        conn.close()


def create_database(name: str, template: str | None = None) -> None:
    conn = admin_conn()
    try:
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.cursor().execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        conn.close()


def drop_database(name: str) -> None:
    conn = admin_conn()
    try:
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def secrets_path(name: str) -> Path:
    return BENCH_DIR / f"{name}.secrets.json"


def store_id(i: int) -> str:
    return f"S{i:04d}"


def till_id(i: int) -> str:
    return f"S{i:04d}-T1"


def key_file() -> Path:
    """One sealing key for every simulated HQ database and its ``pos-hq`` processes."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / "hq-secrets.key"
    os.environ["POS_HQ_KEY_FILE"] = str(path)
    return path


def _copy(cur: Any, table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    out = io.StringIO()
    for row in rows:
        vals = []
        for v in row:
            if v is None:
                vals.append("\\N")
            elif v is True or v is False:
                vals.append("t" if v else "f")
            else:
                s = str(v)
                if "\\" in s or "\t" in s or "\n" in s:
                    s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                vals.append(s)
        out.write("\t".join(vals) + "\n")
    out.seek(0)
    names = ", ".join(f'"{c}"' for c in cols)
    cur.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', out, size=1 << 22)


def _tier(points: int) -> str:
    return next(t for t, threshold in TIERS if points >= threshold)


def gen_store(i: int, n_members: int, n_entries: int, *, now: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of store ``i`` (deterministic for ``i``)."""
    rng = random.Random(1000 + i)
    sid, tid = store_id(i), till_id(i)
    members = []
    for j in range(n_members):
        serial = i * 100_000 + j
        members.append({
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "phone": f"1{3 + i % 7}{i:04d}{j:05d}", "card_no": make_card_number(serial),
            "name": f"会员{sid}-{j}", "birthday": f"19{60 + rng.randrange(40)}-{1 + rng.randrange(12):02d}-"
                                                    f"{1 + rng.randrange(28):02d}",
            "enrolled_at": f"{YEAR_START.isoformat()}T09:00:00",
        })
    lots: dict[str, dict[str, LotState]] = {m["uuid"]: {} for m in members}
    debt: dict[str, int] = defaultdict(int)
    balance: dict[str, int] = defaultdict(int)
    tier_points: dict[tuple[str, str], int] = defaultdict(int)
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    entry_rows: list[tuple[Any, ...]] = []
    move_rows: list[tuple[Any, ...]] = []
    created: dict[str, tuple[str, LotState]] = {}
    prev = GENESIS_HASH
    for seq in range(1, n_entries + 1):
        m = members[rng.randrange(n_members)]["uuid"]
        day = YEAR_START + dt.timedelta(days=(seq - 1) * DAYS // n_entries)
        at = f"{day.isoformat()}T{9 + rng.randrange(12):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
        e_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        live = [lot for lot in lots[m].values() if lot.remaining > 0]
        receipt = f"{sid}-T1-{seq:08d}"
        if live and rng.random() < 0.2:
            lot = min(live, key=lambda x: x.sort_key)
            take = min(lot.remaining, 100 * rng.randint(1, 5))
            points, kind, effects = -take, "redeem", Effects(taken=((lot.key, take),))
            breakdown = {"redeem": {"points": take, "fen": take}, "receipt": receipt}
            tp = 0
        else:
            spend = rng.randint(100, 80_000)
            points = max(1, spend // 100)
            kind = "earn"
            effects = Effects(new=(NewLot(day, day.replace(year=day.year + 2) - dt.timedelta(days=1), points),))
            breakdown = {"base": points, "bonuses": [], "multiplier": "1.0", "spend_fen": spend, "tier": "normal"}
            tp = points
        fields: dict[str, Any] = {
            "uuid": e_uuid, "terminal_id": tid, "seq": seq, "member_uuid": m, "kind": kind, "points": points,
            "tier_points": tp, "ref_type": "sale", "ref_no": receipt, "program_version": 1,
            "breakdown": canonical_json(breakdown), "created_at": at, "business_date": day.isoformat(),
            "recorded_at": at, "backdated": False, "staff_code": "1001", "prev_hash": prev,
        }
        fields["hash"] = prev = entry_hash(fields)
        applied = apply_entry(entry_uuid=e_uuid, kind=kind, points=points, day=day, effects=effects,
                              lots=lots[m], debt=debt[m])
        debt[m] += applied.debt_change
        balance[m] += points
        for new in applied.created:
            created[new.key] = (m, new)
        for key, delta in applied.moves:
            move_rows.append((e_uuid, key, delta))
        if tp:
            tier_points[(m, day.isoformat()[:7])] += tp
        first.setdefault(m, at)
        last[m] = at
        entry_rows.append((*(fields[k] for k in HASHED_FIELDS), fields["hash"], sid,
                           canonical_json(effects.to_wire()), now, None))
    lot_rows = [(lot.key, m, lot.earned_on.isoformat(), lot.expires_on.isoformat() if lot.expires_on else None,
                 lot.points, lot.remaining) for m, lot in created.values()]
    yearly: dict[str, int] = defaultdict(int)
    for (m, _month), p in tier_points.items():
        yearly[m] += p
    member_rows = []
    member_data = []
    for mm in members:
        u = mm["uuid"]
        rec = {"uuid": u, "phone": mm["phone"], "name": mm["name"], "birthday": mm["birthday"],
               "card_no": mm["card_no"], "referrer_uuid": None, "status": "active", "consent": True,
               "store_id": sid, "enrolled_at": mm["enrolled_at"], "tier": _tier(yearly[u]),
               "tier_since": YEAR_START.isoformat(), "last_review": None, "first_purchase_at": first.get(u),
               "last_purchase_at": last.get(u), "balance": balance[u], "debt": debt[u], "updated_at": now}
        member_rows.append(rec)
        member_data.append(canonical_json(rec))
    return {
        "members": member_rows, "member_data": member_data,  # type: ignore[dict-item]
        "entries": entry_rows, "lots": lot_rows, "moves": move_rows,
        "tier": [(m, month, p) for (m, month), p in tier_points.items()],
        "last": [(tid, n_entries, prev)],
    }


MEMBER_COLS = ("uuid", "phone", "name", "birthday", "card_no", "referrer_uuid", "status", "consent", "store_id",
               "enrolled_at", "tier", "tier_since", "last_review", "first_purchase_at", "last_purchase_at",
               "balance", "debt", "updated_at")
ENTRY_COLS = (*HASHED_FIELDS, "hash", "store_id", "effects", "received_at", "batch_id")


def ensure_stores(name: str, total: int, n_members: int, n_entries: int, *, members_only: bool = False,
                  say: Any = print) -> int:
    """Bring database ``name`` to ``total`` stores (created and migrated if missing); returns how many
    stores it had before. ``members_only``: the stores added have their members and till but no
    ledger yet (to reach a chain's member count cheaply)."""
    from pos_app.hq import admin, authority
    from pos_app.hq import db as hqdb
    from pos_app.services.context import reference_program_source

    key_file()
    if not database_exists(name):
        create_database(name)
    database = hqdb.connect(dsn(name))
    secrets: dict[str, str] = json.loads(secrets_path(name).read_text()) if secrets_path(name).exists() else {}
    try:
        have = hqdb.Store.select().count()
        if have == 0:
            authority.publish_program(reference_program_source(), actor="chain_sim")
            hqdb.Setting.insert(key="chain_sim", value=json.dumps(
                {"generator": GENERATOR, "members": n_members, "entries": n_entries})).execute()
        else:
            marker = json.loads(hqdb.Setting.get(hqdb.Setting.key == "chain_sim").value)
            if (marker["members"], marker["entries"]) != (n_members, n_entries) and not members_only:
                raise SystemExit(f"{name} holds stores of {marker}, not {n_members} members / {n_entries} entries")
        cols = {c.name for c in database.get_columns("change")}
        audience = "audience" in cols
        for i in range(have, total):
            t0 = time.perf_counter()
            admin.create_store(store_id(i), f"Store {i}")
            admin.create_terminal(till_id(i), store_id(i))
            secrets[till_id(i)] = admin.enroll(admin.new_enrollment_code(till_id(i)), till_id(i))["secret"]
            now = hqdb.utcnow()
            rows = gen_store(i, n_members, 0 if members_only else n_entries, now=now)
            t1 = time.perf_counter()
            with database.atomic():
                cur = database.cursor()
                _copy(cur, "member", MEMBER_COLS, [tuple(r[c] for c in MEMBER_COLS) for r in rows["members"]])
                _copy(cur, "entry", ENTRY_COLS, rows["entries"])
                _copy(cur, "lot", ("key", "member_uuid", "earned_on", "expires_on", "points", "remaining"),
                      rows["lots"])
                _copy(cur, "lot_move", ("entry_uuid", "lot_key", "points"), rows["moves"])
                _copy(cur, "tier_month", ("member_uuid", "month", "points"), rows["tier"])
                changes: list[tuple[Any, ...]] = []
                aud = f"S:{store_id(i)}"
                for e in rows["entries"]:
                    data = ENTRY_REF + canonical_json(e[0]) + "}"
                    changes.append(("entry", e[0], None, data, now, aud, e[3]) if audience
                                   else ("entry", e[0], None, data, now))
                for rec, data in zip(rows["members"], rows["member_data"], strict=True):
                    changes.append(("member", rec["uuid"], None, data, now, aud, rec["uuid"]) if audience
                                   else ("member", rec["uuid"], None, data, now))
                change_cols = ("kind", "key", "store_id", "data", "at") + (("audience", "member_uuid")
                                                                          if audience else ())
                _copy(cur, "change", change_cols, changes)
                tid, seq, last_hash = rows["last"][0]
                cur.execute("UPDATE terminal SET last_seq = %s, last_hash = %s, last_push_at = %s WHERE id = %s",
                            (seq, last_hash, now, tid))
            secrets_path(name).write_text(json.dumps(secrets))
            say(f"   {name}: store {i + 1}/{total} ({n_members} members, {n_entries} entries):"
                f" generated {t1 - t0:.1f} s, loaded {time.perf_counter() - t1:.1f} s")
    finally:
        database.close()
    analyze(name)
    return have


def counts(name: str) -> dict[str, int]:
    conn = psycopg2.connect(dsn(name))
    try:
        cur = conn.cursor()
        out = {}
        for table in ("store", "member", "entry", "lot", "lot_move", "change"):
            cur.execute(f'SELECT count(*) FROM "{table}"')
            out[table] = int(cur.fetchone()[0])
        cur.execute("SELECT pg_database_size(current_database())")
        out["bytes"] = int(cur.fetchone()[0])
        return out
    finally:
        conn.close()


def analyze(name: str) -> None:
    conn = psycopg2.connect(dsn(name))
    conn.autocommit = True
    try:
        conn.cursor().execute("ANALYZE")
    finally:
        conn.close()


def snapshot(name: str, copy: str) -> None:
    """A copy of database ``name`` (and its terminals' secrets) under ``copy``."""
    drop_database(copy)
    conn = admin_conn()
    try:  # a template must have no other session (this process's pooled HQ connections included)
        conn.cursor().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                              " AND pid <> pg_backend_pid()", (name,))
    finally:
        conn.close()
    create_database(copy, template=name)
    secrets_path(copy).write_text(secrets_path(name).read_text())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="PostgreSQL database name (created if missing)")
    p.add_argument("--stores", type=int, required=True, help="total stores wanted")
    p.add_argument("--members", type=int, default=500, help="members per store")
    p.add_argument("--entries", type=int, default=5000, help="ledger entries per store (a year of its till)")
    p.add_argument("--members-only", action="store_true", help="the stores added get members but no ledger")
    p.add_argument("--snapshot", help="copy the database under this name afterwards")
    args = p.parse_args()
    t0 = time.perf_counter()
    ensure_stores(args.db, args.stores, args.members, args.entries, members_only=args.members_only)
    print(f"{args.db}: {counts(args.db)} in {time.perf_counter() - t0:.1f} s")
    if args.snapshot:
        snapshot(args.db, args.snapshot)
        print(f"copied to {args.snapshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
