"""Headquarters' integrity checks: every hash chain walked, every projection recomputed.

The same invariants as the terminal's ``pos-app verify`` (storage/integrity.py), over
headquarters' copy of every terminal's ledger and its own chain: balances are the sum of
entries, lots are their points plus their moves, a balance is what the lots hold less the
debt, tier buckets are the sum of tier points per month, and every chain runs 1..n with
each entry hashing to what it says and naming the previous entry's hash. Plain SQL that
runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any, cast

from peewee import Database

from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, link_problem
from pos_app.core.errors import InvalidInput
from pos_app.hq import db

LIMIT = 50  # problems listed per check; the count is always complete

CHECKS: dict[str, str] = {
    "balance_equals_entries": """
        SELECT m.uuid member_uuid, m.balance, coalesce(s.total, 0) entries_sum FROM member m
        LEFT JOIN (SELECT member_uuid, sum(points) total FROM entry GROUP BY member_uuid) s
          ON s.member_uuid = m.uuid
        WHERE m.balance <> coalesce(s.total, 0)
        UNION ALL
        SELECT e.member_uuid, NULL, sum(e.points) FROM entry e
        WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.uuid = e.member_uuid)
        GROUP BY e.member_uuid""",
    "lot_remaining_equals_moves": """
        SELECT l.key lot_key, l.points, l.remaining, coalesce(mv.total, 0) moves FROM lot l
        LEFT JOIN (SELECT lot_key, sum(points) total FROM lot_move GROUP BY lot_key) mv ON mv.lot_key = l.key
        WHERE l.remaining <> l.points + coalesce(mv.total, 0) OR l.remaining < 0 OR l.remaining > l.points""",
    "balance_equals_lots_minus_debt": """
        SELECT m.uuid member_uuid, m.balance, m.debt, coalesce(s.rem, 0) lots_remaining FROM member m
        LEFT JOIN (SELECT member_uuid, sum(remaining) rem FROM lot GROUP BY member_uuid) s
          ON s.member_uuid = m.uuid
        WHERE m.balance <> coalesce(s.rem, 0) - m.debt OR m.debt < 0""",
    "lot_moves_match_members": """
        SELECT mv.id move_id, mv.lot_key, mv.entry_uuid FROM lot_move mv
        LEFT JOIN lot l ON l.key = mv.lot_key LEFT JOIN entry e ON e.uuid = mv.entry_uuid
        WHERE l.key IS NULL OR e.uuid IS NULL OR e.member_uuid <> l.member_uuid""",
    "tier_points_equal_entries": """
        SELECT t.member_uuid, t.month, t.points projection, coalesce(led.pts, 0) entries FROM tier_month t
        LEFT JOIN (SELECT member_uuid, substr(business_date, 1, 7) AS month, sum(tier_points) pts FROM entry
                   GROUP BY member_uuid, substr(business_date, 1, 7)) led
          ON led.member_uuid = t.member_uuid AND led.month = t.month
        WHERE t.points <> coalesce(led.pts, 0)
        UNION ALL
        SELECT led.member_uuid, led.month, NULL, led.pts FROM
          (SELECT member_uuid, substr(business_date, 1, 7) AS month, sum(tier_points) pts FROM entry
           GROUP BY member_uuid, substr(business_date, 1, 7)) led
        WHERE led.pts <> 0 AND NOT EXISTS (
          SELECT 1 FROM tier_month t WHERE t.member_uuid = led.member_uuid AND t.month = led.month)""",
}


def _database() -> Database:
    database = db.proxy.obj
    if database is None:
        raise InvalidInput("db", "the headquarters database is not open")
    return cast(Database, database)


def _rows(database: Database, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, list[dict[str, Any]]]:
    cur = cast(Any, database).execute_sql(sql, params)
    cols = [c[0] for c in cur.description]
    rows = cur.fetchall()
    return len(rows), [dict(zip(cols, r, strict=True)) for r in rows[:LIMIT]]


def _hash_chains(database: Database) -> dict[str, Any]:
    """Walk every chain in sequence order: no gap, each entry names the previous one's hash
    and hashes to what it says, and the chain ends where headquarters' head says it does."""
    problems: list[dict[str, Any]] = []
    count = entries = 0

    def problem(**p: Any) -> None:
        nonlocal count
        count += 1
        if len(problems) < LIMIT:
            problems.append(p)

    p = "%s" if db.is_postgres(database) else "?"
    cols = ", ".join(HASHED_FIELDS)
    execute = cast(Any, database).execute_sql
    heads = {r[0]: (int(r[1]), r[2]) for r in execute("SELECT id, last_seq, last_hash FROM terminal").fetchall()}
    chains = [r[0] for r in execute("SELECT DISTINCT terminal_id FROM entry ORDER BY terminal_id")]
    for terminal in chains:
        expected, prev = 1, GENESIS_HASH
        cur = execute(f"SELECT {cols}, hash FROM entry WHERE terminal_id = {p} ORDER BY seq", (terminal,))
        while True:
            batch = cur.fetchmany(5000)
            if not batch:
                break
            for row in batch:
                entries += 1
                fields = dict(zip(HASHED_FIELDS, row[:-1], strict=True))
                fields["backdated"] = bool(fields["backdated"])
                fields["seq"] = int(fields["seq"])
                for key in ("points", "tier_points"):
                    fields[key] = int(fields[key])
                if fields["program_version"] is not None:
                    fields["program_version"] = int(fields["program_version"])
                bad = link_problem(fields, row[-1], expected, prev)
                if bad:
                    problem(terminal_id=terminal, seq=fields["seq"], problem=bad)
                expected, prev = fields["seq"] + 1, row[-1]
        head = heads.get(terminal)
        if head is None:
            problem(terminal_id=terminal, seq=expected - 1, problem="entries of a terminal headquarters does not know")
        elif head != (expected - 1, prev):
            problem(terminal_id=terminal, seq=expected - 1,
                    problem=f"the terminal's head says sequence {head[0]}, the chain ends at {expected - 1}")
    for terminal, (last_seq, _hash) in heads.items():
        if last_seq and terminal not in chains:
            problem(terminal_id=terminal, seq=0, problem=f"the head says sequence {last_seq} but no entry is held")
    return {"ok": count == 0, "count": count, "problems": problems, "entries": entries}


def verify() -> dict[str, Any]:
    """Run every check; ``ok`` is true when all pass. Each check: ``ok``, ``count``, ``problems``."""
    database = _database()
    checks: dict[str, dict[str, Any]] = {}
    with database.atomic():
        if db.is_postgres(database):  # one snapshot for every check while pushes go on
            cast(Any, database).execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for name, sql in CHECKS.items():
            n, problems = _rows(database, sql)
            checks[name] = {"ok": n == 0, "count": n, "problems": problems}
        checks["hash_chains"] = _hash_chains(database)
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}
