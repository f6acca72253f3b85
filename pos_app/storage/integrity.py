"""Integrity checks: recompute every projection from the ledger and walk the hash chains."""

from __future__ import annotations

from typing import Any

from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, link_problem
from pos_app.storage.database import Database

LIMIT = 50  # problems listed per check; the count is always complete


def _check(database: Database, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, list[dict[str, Any]]]:
    cur = database.execute(sql, params)
    cols = [c[0] for c in cur.description]
    rows = cur.fetchall()
    return len(rows), [dict(zip(cols, r, strict=True)) for r in rows[:LIMIT]]


CHECKS: dict[str, str] = {
    "balance_equals_ledger": """
        SELECT m.id member_id, m.balance, coalesce(s.total, 0) ledger_sum FROM member m
        LEFT JOIN (SELECT member_id, sum(points) total FROM ledger_entry GROUP BY member_id) s
          ON s.member_id = m.id
        WHERE m.balance <> coalesce(s.total, 0)""",
    "lot_remaining_equals_moves": """
        SELECT l.id lot_id, l.points, l.remaining, coalesce(mv.total, 0) moves FROM lot l
        LEFT JOIN (SELECT lot_id, sum(points) total FROM lot_move GROUP BY lot_id) mv ON mv.lot_id = l.id
        WHERE l.remaining <> l.points + coalesce(mv.total, 0) OR l.remaining < 0 OR l.remaining > l.points""",
    "balance_equals_lots_minus_debt": """
        SELECT m.id member_id, m.balance, m.debt, coalesce(s.rem, 0) lots_remaining FROM member m
        LEFT JOIN (SELECT member_id, sum(remaining) rem FROM lot GROUP BY member_id) s ON s.member_id = m.id
        WHERE m.balance <> coalesce(s.rem, 0) - m.debt OR m.debt < 0
           OR (m.debt > 0 AND coalesce(s.rem, 0) > 0)""",
    "lot_owner_matches_entry": """
        SELECT l.id lot_id FROM lot l JOIN ledger_entry e ON e.id = l.entry_id WHERE e.member_id <> l.member_id
        UNION ALL
        SELECT mv.id FROM lot_move mv JOIN ledger_entry e ON e.id = mv.entry_id JOIN lot l ON l.id = mv.lot_id
        WHERE e.member_id <> l.member_id""",
    "tier_points_equal_ledger": """
        WITH led AS (SELECT member_id, substr(business_date, 1, 7) month, sum(tier_points) pts
                     FROM ledger_entry WHERE tier_points <> 0 GROUP BY member_id, month)
        SELECT coalesce(t.member_id, led.member_id) member_id, coalesce(t.month, led.month) month,
               t.points projection, led.pts ledger FROM tier_month t
        LEFT JOIN led ON led.member_id = t.member_id AND led.month = t.month
        WHERE coalesce(led.pts, 0) <> t.points
        UNION ALL
        SELECT led.member_id, led.month, NULL, led.pts FROM led
        LEFT JOIN tier_month t ON t.member_id = led.member_id AND t.month = led.month WHERE t.member_id IS NULL""",
    # only this terminal's own entries go up to headquarters; entries imported from other
    # terminals' chains (sync) have no outbox row
    "every_entry_in_outbox": """
        SELECT e.id entry_id, e.uuid FROM ledger_entry e LEFT JOIN outbox o ON o.entry_id = e.id
        WHERE o.id IS NULL AND e.terminal_id = (SELECT value FROM setting WHERE key = 'terminal_id')""",
}

TRIGGERS = ("ledger_entry_no_update", "ledger_entry_no_delete", "lot_move_no_update", "lot_move_no_delete",
            "audit_no_update", "audit_no_delete")


#: The tables whose rows verify's and a backup's report count.
COUNTED = ("member", "ledger_entry", "lot", "sale", "outbox")


def table_counts(database: Database) -> dict[str, int]:
    """Rows in each of ``COUNTED``."""
    return {name: int(database.execute(f"SELECT count(*) FROM {name}").fetchone()[0]) for name in COUNTED}


def run_checks(database: Database) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with database.reading():
        quick = [r[0] for r in database.execute("PRAGMA quick_check").fetchall()]
        out["sqlite_quick_check"] = {"ok": quick == ["ok"], "count": 0 if quick == ["ok"] else len(quick),
                                     "problems": [] if quick == ["ok"] else quick[:LIMIT]}
        for name, sql in CHECKS.items():
            n, problems = _check(database, sql)
            out[name] = {"ok": n == 0, "count": n, "problems": problems}
        present = {r[0] for r in database.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        missing = [t for t in TRIGGERS if t not in present]
        out["append_only_triggers"] = {"ok": not missing, "count": len(missing), "problems": missing}
        out["hash_chains"] = _hash_chains(database)
    return out


def _hash_chains(database: Database) -> dict[str, Any]:
    problems: list[dict[str, Any]] = []
    count = 0
    entries = 0
    cols = ", ".join(f for f in HASHED_FIELDS)
    terminals = [r[0] for r in database.execute("SELECT DISTINCT terminal_id FROM ledger_entry")]
    for terminal in terminals:
        expected_seq, prev = 1, GENESIS_HASH
        cur = database.execute(f"SELECT {cols}, hash FROM ledger_entry WHERE terminal_id = ? ORDER BY seq",
                               (terminal,))
        while True:
            batch = cur.fetchmany(5000)
            if not batch:
                break
            for row in batch:
                entries += 1
                fields = dict(zip(HASHED_FIELDS, row[:-1], strict=True))
                fields["backdated"] = bool(fields["backdated"])
                stored = row[-1]
                bad = link_problem(fields, stored, expected_seq, prev)
                if bad:
                    count += 1
                    if len(problems) < LIMIT:
                        problems.append({"terminal_id": terminal, "seq": fields["seq"], "problem": bad})
                expected_seq = fields["seq"] + 1
                prev = stored
    return {"ok": count == 0, "count": count, "problems": problems, "entries": entries}
