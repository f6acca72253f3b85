"""Figures 1 and 2: one committed member sale through the services, against the same rows written raw."""

from __future__ import annotations

import datetime as dt
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
    MemberSeed,
    Stats,
    apply_migrations,
    member_row,
    member_seeds,
    print_figures,
    raw_connect,
    remove_database,
    scaled,
)

from pos_app.core.earning import SaleLine
from pos_app.core.lots import add_months
from pos_app.core.tiers import month_key
from pos_app.services import context, members, sales
from pos_app.services.context import Terminal
from pos_app.services.verify import verify
from pos_app.storage.ledger import GENESIS_HASH, canonical_json, entry_hash, iso

#: A Tuesday morning that is not the 18th: no evening or member-day multiplier, so every sale earns the
#: same points and (far below the silver threshold) never upgrades a tier; the rows written stay the same.
NOW = dt.datetime(2026, 11, 3, 10, 0)
LINES = [SaleLine(1, "sku", "name", "food", 1, 10000)]
SALE_POINTS = 100  # 100.00 yuan at 1 point per yuan, tier normal (multiplier 1.0)
TARGET_P99_MS = 5.0
TARGET_RATIO = 4.0

RowKey = tuple[Any, ...]
Snapshot = dict[str, dict[RowKey, tuple[Any, ...]]]
Profile = dict[str, tuple[int, int, int]]


# ------------------------------------------------------------------------------------------ row profile


def snapshot(path: Path) -> Snapshot:
    """Every row of every table, keyed by primary key (rowid tables and WITHOUT ROWID tables alike)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out: Snapshot = {}
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            pk = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5] > 0] or ["rowid"]
            n = len(pk)
            rows = conn.execute(f"SELECT {', '.join(pk)}, * FROM {table}").fetchall()
            out[table] = {tuple(r[:n]): tuple(r[n:]) for r in rows}
        return out
    finally:
        conn.close()


def diff(before: Snapshot, after: Snapshot) -> Profile:
    """Per table: rows (inserted, updated, deleted); tables nothing happened to are left out."""
    out: Profile = {}
    for table in sorted(set(before) | set(after)):
        b, a = before.get(table, {}), after.get(table, {})
        inserted = sum(1 for k in a if k not in b)
        deleted = sum(1 for k in b if k not in a)
        updated = sum(1 for k in a if k in b and a[k] != b[k])
        if inserted or updated or deleted:
            out[table] = (inserted, updated, deleted)
    return out


def profile_text(profile: Profile) -> str:
    parts = []
    for table, (ins, upd, dele) in profile.items():
        bits = [f"+{ins}" if ins else "", f"~{upd}" if upd else "", f"-{dele}" if dele else ""]
        parts.append(f"{table} {' '.join(b for b in bits if b)}")
    return ", ".join(parts)


def services_terminal(path: Path, n_members: int) -> tuple[Terminal, list[str]]:
    """A fresh terminal database with the reference program and ``n_members`` enrolled members."""
    remove_database(path)
    t = context.init_terminal(path, store_id=STORE_ID, terminal_id=TERMINAL_ID, clock=FixedClock(NOW))
    context.load_program(t, context.reference_program_source())
    cards = [members.enroll_member(t, phone=f"138{i:08d}", name=f"顾客{i}").card_no for i in range(n_members)]
    return t, cards


def services_profile() -> tuple[Profile, Profile, str]:
    """Row changes of a member's first sale and of a later one (the steady state the timing measures),
    plus the breakdown JSON the services store with the earn entry (the raw writer stores the same text)."""
    path = BENCH_DIR / "sale-scratch-services.db"
    t, cards = services_terminal(path, 1)
    try:
        s0 = snapshot(path)
        sales.record_sale(t, lines=LINES, member_ref=cards[0])
        s1 = snapshot(path)
        result = sales.record_sale(t, lines=LINES, member_ref=cards[0])
        s2 = snapshot(path)
        assert result.points_earned == SALE_POINTS, result.points_earned
        breakdown = t.database.execute(
            "SELECT breakdown FROM ledger_entry WHERE ref_no = ? AND kind = 'earn'", (result.receipt_no,)
        ).fetchone()[0]
    finally:
        t.close()
        remove_database(path)
    return diff(s0, s1), diff(s1, s2), str(breakdown)


# ------------------------------------------------------------------------------------------ the raw writer


class RawTill:
    """The rows one member sale writes, written by hand with stdlib ``sqlite3``: the physical floor.

    Same schema (the migrations), same pragmas, one ``BEGIN IMMEDIATE`` ... ``COMMIT`` per sale, the
    same row values (hash chain included); no reads beyond the receipt counter, no ORM.
    """

    def __init__(self, path: Path, seeds: list[MemberSeed], breakdown: str) -> None:
        remove_database(path)
        self.conn = raw_connect(path)
        apply_migrations(self.conn)
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany("INSERT INTO setting (key, value) VALUES (?, ?)",
                              [("store_id", STORE_ID), ("terminal_id", TERMINAL_ID)])
        self.conn.executemany(MEMBER_INSERT, [member_row(m, enrolled=NOW, tier="normal") for m in seeds])
        self.conn.execute("COMMIT")
        self.breakdown = breakdown
        self.seq, self.prev = 0, GENESIS_HASH
        self.prefix = f"{STORE_ID}-{TERMINAL_ID}"

    def close(self) -> None:
        self.conn.close()

    def sale(self, m: MemberSeed, now: dt.datetime) -> None:
        c = self.conn
        at, day = iso(now), now.date().isoformat()
        c.execute("BEGIN IMMEDIATE")
        number = c.execute("INSERT INTO counter (name, value) VALUES ('receipt', 1)"
                           " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value").fetchone()[0]
        receipt = f"{self.prefix}-{number:08d}"
        sale_id = c.execute(
            "INSERT INTO sale (uuid, receipt_no, member_id, staff_code, created_at, business_date, recorded_at,"
            " backdated, total_fen, coupon_code, coupon_fen, points_paid, points_value_fen, tender_fen, tender_kind,"
            " credited_purchase, credited_bonus, bonuses, flags, program_version)"
            " VALUES (?,?,?,NULL,?,?,?,0,?,NULL,0,0,0,?,'cash',?,0,'','',1)",
            (str(uuid.uuid4()), receipt, m.id, at, day, at, 10000, 10000, SALE_POINTS),
        ).lastrowid
        c.execute(
            "INSERT INTO sale_line (sale_id, line_no, sku, name, category, qty, unit_price_fen, discount_fen,"
            " net_fen, flags, eligible_fen, multiplier) VALUES (?,1,'sku','name','food',1,10000,0,10000,'',10000,'1')",
            (sale_id,),
        )
        self.seq += 1
        fields: dict[str, Any] = {
            "uuid": str(uuid.uuid4()), "terminal_id": TERMINAL_ID, "seq": self.seq, "member_uuid": m.uuid,
            "kind": "earn", "points": SALE_POINTS, "tier_points": SALE_POINTS, "ref_type": "sale", "ref_no": receipt,
            "program_version": 1, "breakdown": self.breakdown, "created_at": at, "business_date": day,
            "recorded_at": at, "backdated": False, "staff_code": None, "prev_hash": self.prev,
        }
        h = entry_hash(fields)
        entry_id = c.execute(
            "INSERT INTO ledger_entry (uuid, terminal_id, seq, member_id, member_uuid, kind, points, tier_points,"
            " ref_type, ref_no, program_version, breakdown, created_at, business_date, recorded_at, backdated,"
            " staff_code, prev_hash, hash) VALUES (?,?,?,?,?,'earn',?,?,'sale',?,1,?,?,?,?,0,NULL,?,?)",
            (fields["uuid"], TERMINAL_ID, self.seq, m.id, m.uuid, SALE_POINTS, SALE_POINTS, receipt,
             self.breakdown, at, day, at, self.prev, h),
        ).lastrowid
        self.prev = h
        c.execute("INSERT INTO outbox (kind, ref, entry_id, created_at) VALUES ('entry', ?, ?, ?)",
                  (fields["uuid"], entry_id, at))
        c.execute("UPDATE member SET balance = balance + ?, last_purchase_at = ?,"
                  " first_purchase_at = coalesce(first_purchase_at, ?) WHERE id = ?", (SALE_POINTS, at, at, m.id))
        c.execute("INSERT INTO tier_month (member_id, month, points) VALUES (?, ?, ?)"
                  " ON CONFLICT (member_id, month) DO UPDATE SET points = points + excluded.points",
                  (m.id, month_key(now.date()), SALE_POINTS))
        c.execute("INSERT INTO lot (member_id, entry_id, earned_on, expires_on, points, remaining)"
                  " VALUES (?, ?, ?, ?, ?, ?)", (m.id, entry_id, day, _expires(now.date()), SALE_POINTS, SALE_POINTS))
        c.execute("INSERT INTO outbox (kind, ref, payload, created_at) VALUES ('sale', ?, ?, ?)",
                  (receipt, canonical_json({"total_fen": 10000, "tender": "cash", "member": m.uuid}), at))
        c.execute("INSERT INTO audit (at, staff_code, action, ref, details) VALUES (?, NULL, 'sale', ?, ?)",
                  (at, receipt, canonical_json({"total_fen": 10000, "points_paid": 0, "earned": SALE_POINTS})))
        c.execute("COMMIT")


def _expires(day: dt.date) -> str:
    return add_months(day, 24).isoformat()  # the reference program's rolling 24-month expiry


def raw_profile(breakdown: str) -> Profile:
    path = BENCH_DIR / "sale-scratch-raw.db"
    seed = next(member_seeds(1, seed=7))
    till = RawTill(path, [seed], breakdown)
    try:
        till.sale(seed, NOW)
        before = snapshot(path)
        till.sale(seed, NOW)
        after = snapshot(path)
    finally:
        till.close()
        remove_database(path)
    return diff(before, after)


# ------------------------------------------------------------------------------------------ the run


def run() -> list[Figure]:
    n_members = scaled(500, 20)
    timed = scaled(2000, 100)
    block = 100 if timed >= 1000 else 25
    timed = max(block, timed // block * block)

    first, steady, breakdown = services_profile()
    raw = raw_profile(breakdown)
    print(f"   rows of a member's first sale (services): {profile_text(first)}")
    print(f"   rows of a later sale (services, timed):    {profile_text(steady)}")
    print(f"   rows of one raw sqlite3 sale:              {profile_text(raw)}")
    if raw != steady:
        raise AssertionError(f"the raw writer does not write the rows the services write: {raw} != {steady}")

    svc_path, raw_path = BENCH_DIR / "sale-services.db", BENCH_DIR / "sale-raw.db"
    t, cards = services_terminal(svc_path, n_members)
    seeds = list(member_seeds(n_members, seed=11))
    till = RawTill(raw_path, seeds, breakdown)
    try:
        # warm-up: every member's first purchase (so each timed sale is the steady-state profile above)
        for i in range(n_members):
            sales.record_sale(t, lines=LINES, member_ref=cards[i])
            till.sale(seeds[i], NOW)
        svc_ns: list[int] = []
        raw_ns: list[int] = []
        perf = time.perf_counter_ns
        k = 0
        # interleaved blocks, alternating which side goes first, so machine noise hits both alike
        for b in range(timed // block):
            for side in ((0, 1) if b % 2 == 0 else (1, 0)):
                for j in range(block):
                    i = (k + j) % n_members
                    if side == 0:
                        start = perf()
                        sales.record_sale(t, lines=LINES, member_ref=cards[i])
                        svc_ns.append(perf() - start)
                    else:
                        start = perf()
                        till.sale(seeds[i], NOW)
                        raw_ns.append(perf() - start)
            k += block
        report_svc, report_raw = verify(t), _verify_raw(raw_path)
    finally:
        t.close()
        till.close()
    if not report_svc["ok"] or not report_raw["ok"]:
        raise AssertionError(f"integrity check failed: services ok={report_svc['ok']} raw ok={report_raw['ok']}")
    svc, rw = Stats.of_ns(svc_ns), Stats.of_ns(raw_ns)
    print(f"   {n_members} members, {n_members} warm-up + {timed} timed sales per side, blocks of {block}")
    print(f"   services: {svc.text()}")
    print(f"   raw:      {rw.text()}")
    print("   both databases pass pos_app.services.verify afterwards")
    return [
        Figure("1. sale via services, median", svc.median, "ms"),
        Figure("1. sale via services, p99", svc.p99, "ms", TARGET_P99_MS),
        Figure("2. same rows via raw sqlite3, median", rw.median, "ms"),
        Figure("2. same rows via raw sqlite3, p99", rw.p99, "ms"),
        Figure("2. ratio services/raw, median", svc.median / rw.median, "x", TARGET_RATIO),
        Figure("2. ratio services/raw, p99", svc.p99 / rw.p99, "x", TARGET_RATIO),
    ]


def _verify_raw(path: Path) -> dict[str, Any]:
    """The raw rows are checked by the application's own integrity checks (hash chain, projections)."""
    t = Terminal.open(path, clock=FixedClock(NOW))
    try:
        return verify(t)
    finally:
        t.close()


def main() -> int:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print_figures("sale", run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
