"""Integrity checks: recompute every projection from the ledger and walk the hash chains.

A till holds its own chain complete (seq 1..n, no gap) and partial copies of other terminals'
chains: the entries of the members it holds. Every entry's hash is checked over its fields; the
link to the previous entry is checked wherever that entry is held (always, for the own chain).

A full run ends with a signed checkpoint (``checkpoint_body``): the chain heads and highest ids
it checked and the sums it established. ``run_incremental`` then checks only what came after
(new entries' hashes and links continuing from the checkpointed heads, the invariants of the
members touched since, and the sums), so its cost follows the new rows, not the history.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash
from pos_app.storage.database import Database

LIMIT = 50  # problems listed per check; the count is always complete
#: The settings holding the checkpoint and the key that signs it (the key never goes into a backup).
CHECKPOINT_KEY = "verify.checkpoint_key"
CHECKPOINT = "verify.checkpoint"
CHECKPOINT_VERSION = 1
_FETCH = 10_000


def _check(conn: Any, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, list[dict[str, Any]]]:
    cur = conn.execute(sql, params)
    cols = [c[0] for c in cur.description]
    rows = cur.fetchall()
    return len(rows), [dict(zip(cols, r, strict=True)) for r in rows[:LIMIT]]


# Every check is written over a set of members (``{members}``): all of them for a full run, the
# members touched since the checkpoint for an incremental one.
_ALL = "SELECT id FROM member"
_CHECKS: dict[str, str] = {
    "balance_equals_ledger": """
        SELECT m.id member_id, m.balance, coalesce(s.total, 0) ledger_sum FROM member m
        LEFT JOIN (SELECT member_id, sum(points) total FROM ledger_entry
                   WHERE member_id IN ({members}) GROUP BY member_id) s ON s.member_id = m.id
        WHERE m.id IN ({members}) AND m.balance <> coalesce(s.total, 0)""",
    "lot_remaining_equals_moves": """
        SELECT l.id lot_id, l.points, l.remaining, coalesce(mv.total, 0) moves FROM lot l
        LEFT JOIN (SELECT lot_id, sum(points) total FROM lot_move
                   WHERE lot_id IN (SELECT id FROM lot WHERE member_id IN ({members})) GROUP BY lot_id) mv
          ON mv.lot_id = l.id
        WHERE l.member_id IN ({members})
          AND (l.remaining <> l.points + coalesce(mv.total, 0) OR l.remaining < 0 OR l.remaining > l.points)""",
    "balance_equals_lots_minus_debt": """
        SELECT m.id member_id, m.balance, m.debt, coalesce(s.rem, 0) lots_remaining FROM member m
        LEFT JOIN (SELECT member_id, sum(remaining) rem FROM lot
                   WHERE member_id IN ({members}) GROUP BY member_id) s ON s.member_id = m.id
        WHERE m.id IN ({members}) AND (m.balance <> coalesce(s.rem, 0) - m.debt OR m.debt < 0
           OR (m.debt > 0 AND coalesce(s.rem, 0) > 0))""",
    "lot_owner_matches_entry": """
        SELECT l.id lot_id FROM lot l JOIN ledger_entry e ON e.id = l.entry_id
        WHERE l.id > ? AND e.member_id <> l.member_id
        UNION ALL
        SELECT mv.id FROM lot_move mv JOIN ledger_entry e ON e.id = mv.entry_id JOIN lot l ON l.id = mv.lot_id
        WHERE mv.id > ? AND e.member_id <> l.member_id""",
    "tier_points_equal_ledger": """
        WITH led AS (SELECT member_id, substr(business_date, 1, 7) month, sum(tier_points) pts
                     FROM ledger_entry WHERE tier_points <> 0 AND member_id IN ({members})
                     GROUP BY member_id, month),
             tm AS (SELECT member_id, month, points FROM tier_month WHERE member_id IN ({members}))
        SELECT coalesce(t.member_id, led.member_id) member_id, coalesce(t.month, led.month) month,
               t.points projection, led.pts ledger FROM tm t
        LEFT JOIN led ON led.member_id = t.member_id AND led.month = t.month
        WHERE coalesce(led.pts, 0) <> t.points
        UNION ALL
        SELECT led.member_id, led.month, NULL, led.pts FROM led
        LEFT JOIN tm t ON t.member_id = led.member_id AND t.month = led.month WHERE t.member_id IS NULL""",
    # only this terminal's own entries go up to headquarters; entries imported from other
    # terminals' chains (sync) have no outbox row
    "every_entry_in_outbox": """
        SELECT e.id entry_id, e.uuid FROM ledger_entry e LEFT JOIN outbox o ON o.entry_id = e.id
        WHERE o.id IS NULL AND e.terminal_id = ? AND e.seq > ?""",
}
# The same checks over the whole database, written for one pass over each table: no member filter,
# the aggregates by a scan and a sort rather than one index probe per row (several times faster at
# a million entries).
_FULL: dict[str, str] = {
    # lots with moves against the sum of their moves; lots without moves must be untouched
    "lot_remaining_equals_moves": """
        SELECT mv.lot_id, l.points, l.remaining, mv.total moves
        FROM (SELECT lot_id, sum(points) total FROM lot_move GROUP BY lot_id) mv JOIN lot l ON l.id = mv.lot_id
        WHERE l.remaining <> l.points + mv.total OR l.remaining < 0 OR l.remaining > l.points
        UNION
        SELECT l.id, l.points, l.remaining, 0 FROM lot l
        WHERE (l.remaining < 0 OR l.remaining > l.points OR l.remaining <> l.points)
          AND NOT EXISTS (SELECT 1 FROM lot_move WHERE lot_id = l.id)""",
    "balance_equals_lots_minus_debt": """
        SELECT m.id member_id, m.balance, m.debt, coalesce(s.rem, 0) lots_remaining FROM member m
        LEFT JOIN (SELECT member_id, sum(remaining) rem FROM lot NOT INDEXED GROUP BY member_id) s
          ON s.member_id = m.id
        WHERE m.balance <> coalesce(s.rem, 0) - m.debt OR m.debt < 0
           OR (m.debt > 0 AND coalesce(s.rem, 0) > 0)""",
    "tier_points_equal_ledger": """
        WITH led AS MATERIALIZED (
            SELECT member_id, substr(business_date, 1, 7) month, sum(tier_points) pts
            FROM ledger_entry NOT INDEXED WHERE tier_points <> 0 GROUP BY member_id, month)
        SELECT coalesce(t.member_id, led.member_id) member_id, coalesce(t.month, led.month) month,
               t.points projection, led.pts ledger FROM tier_month t
        LEFT JOIN led ON led.member_id = t.member_id AND led.month = t.month
        WHERE coalesce(led.pts, 0) <> t.points
        UNION ALL
        SELECT led.member_id, led.month, NULL, led.pts FROM led
        LEFT JOIN tier_month t ON t.member_id = led.member_id AND t.month = led.month WHERE t.member_id IS NULL""",
}
#: the members touched after a checkpoint: by a new entry, lot or lot move, or new themselves
_TOUCHED = """SELECT member_id FROM ledger_entry WHERE id > {ledger_entry}
    UNION SELECT member_id FROM lot WHERE id > {lot}
    UNION SELECT l.member_id FROM lot_move mv JOIN lot l ON l.id = mv.lot_id WHERE mv.id > {lot_move}
    UNION SELECT id FROM member WHERE id > {member}"""

TRIGGERS = ("ledger_entry_no_update", "ledger_entry_no_delete", "lot_move_no_update", "lot_move_no_delete",
            "audit_no_update", "audit_no_delete")


#: The tables whose rows verify's and a backup's report count.
COUNTED = ("member", "ledger_entry", "lot", "sale", "outbox")
#: The tables whose highest id a checkpoint records (new rows are those above it).
_ID_TABLES = ("ledger_entry", "lot", "lot_move", "member")


def table_counts(database: Database) -> dict[str, int]:
    """Rows in each of ``COUNTED``."""
    return {name: int(database.execute(f"SELECT count(*) FROM {name}").fetchone()[0]) for name in COUNTED}


def _own_terminal(database: Database) -> str | None:
    row = database.execute("SELECT value FROM setting WHERE key = 'terminal_id'").fetchone()
    return None if row is None else str(row[0])


def _quick_check(conn: Any) -> dict[str, Any]:
    quick = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    return {"ok": quick == ["ok"], "count": 0 if quick == ["ok"] else len(quick),
            "problems": [] if quick == ["ok"] else quick[:LIMIT]}


def _triggers(database: Database) -> dict[str, Any]:
    present = {r[0] for r in database.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    missing = [t for t in TRIGGERS if t not in present]
    return {"ok": not missing, "count": len(missing), "problems": missing}


def _projection_checks(conn: Any, own: str | None, after: dict[str, int] | None, own_after: int,
                       names: tuple[str, ...] = tuple(_CHECKS)) -> dict[str, dict[str, Any]]:
    """The projection checks ``names`` over every member (``after`` None) or over the members
    touched by rows above the ids in ``after`` (a checkpoint's). ``conn``: a Database or an sqlite3
    connection."""
    ids = {t: int((after or {}).get(t, 0)) for t in _ID_TABLES}
    members = _ALL if after is None else _TOUCHED.format(**ids)  # integers only
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        template = _FULL.get(name, _CHECKS[name]) if after is None else _CHECKS[name]
        if name == "lot_owner_matches_entry":
            n, problems = _check(conn, template, (ids["lot"], ids["lot_move"]))
        elif name == "every_entry_in_outbox":
            n, problems = _check(conn, template, (own, own_after))
        else:
            n, problems = _check(conn, template.replace("{members}", members))
        out[name] = {"ok": n == 0, "count": n, "problems": problems}
    return out


def run_checks(database: Database) -> dict[str, dict[str, Any]]:
    """Every check over the whole database (``verify``, a backup's copy)."""
    return run_full(database)[0]


#: the full run's checks SQLite does alone, on a second connection beside the hash pass
_SQL_ONLY = ("tier_points_equal_ledger", "lot_remaining_equals_moves", "balance_equals_lots_minus_debt",
             "lot_owner_matches_entry", "every_entry_in_outbox")


class _Beside(threading.Thread):
    """The SQL-only checks of a full run on their own connection and thread: SQLite works without the
    GIL, so they run on the other core while the pass hashes. Every check is one statement, so each
    reads one consistent state, as on the main connection."""

    def __init__(self, path: str, own: str | None) -> None:
        super().__init__(name="verify-sql", daemon=True)
        self.path, self.own = path, own
        self.result: dict[str, dict[str, Any]] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=5.0)
        except sqlite3.Error as exc:
            self.error = exc
            return
        try:
            conn.execute("PRAGMA query_only = 1")
            conn.execute("PRAGMA cache_size = -16000")
            with conn:
                conn.execute("BEGIN")
                self.result["sqlite_quick_check"] = _quick_check(conn)
                self.result.update(_projection_checks(conn, self.own, None, 0, _SQL_ONLY))
        except BaseException as exc:  # handed to the caller, who then runs the checks itself
            self.error = exc
        finally:
            conn.close()


def _compare_balances(database: Database, balance: dict[int, int]) -> dict[str, Any]:
    count, problems = 0, list[dict[str, Any]]()
    for member_id, stored in database.execute("SELECT id, balance FROM member"):
        ledger = balance.get(member_id, 0)
        if stored != ledger:
            count += 1
            if len(problems) < LIMIT:
                problems.append({"member_id": member_id, "balance": stored, "ledger_sum": ledger})
    return {"ok": count == 0, "count": count, "problems": problems}


def run_full(database: Database) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Every check over the whole database, and the checkpoint body that describes what was checked
    (meaningful only when every check passed)."""
    out: dict[str, dict[str, Any]] = {}
    with database.reading():
        own = _own_terminal(database)
        beside = _Beside(str(database.path), own) if Path(database.path).is_file() else None
        if beside is not None:
            beside.start()
        chains, walk = _hash_chains(database, own)
        out["balance_equals_ledger"] = _compare_balances(database, walk.balance)
        out["append_only_triggers"] = _triggers(database)
        out["hash_chains"] = chains
        body = _checkpoint_state(database, own, (chains["own_chain"]["last_seq"], chains["own_chain"]["hash"]),
                                 {"ledger_points": _balances(database), "entries": chains["entries"]})
        if beside is not None:
            beside.join()
        if beside is None or beside.error is not None:  # no second connection: the same checks here
            out["sqlite_quick_check"] = _quick_check(database)
            out.update(_projection_checks(database, own, None, 0, _SQL_ONLY))
        else:
            out.update(beside.result)
    order = ("sqlite_quick_check", *_CHECKS, "append_only_triggers", "hash_chains")
    return {k: out[k] for k in order}, body


# ------------------------------------------------------------------------------------------ hash chains

# The canonical JSON of an entry's hashed fields (``core.chain.entry_hash``), built by SQLite's
# json_object: keys in sorted order, text, integers and NULL as Python's encoder writes them (a
# test checks every character), backdated as a JSON boolean. A mismatch is confirmed with
# ``entry_hash`` itself before it is reported, so the two can never disagree into a false alarm.
_SORTED = sorted(HASHED_FIELDS)


def _canonical_sql(alias: str = "") -> str:
    def value(f: str) -> str:
        col = f"{alias}{f}"
        if f == "backdated":
            return f"json(CASE {col} WHEN 0 THEN 'false' WHEN 1 THEN 'true' ELSE json_quote({col}) END)"
        return col
    return "json_object(" + ", ".join(f"'{f}', {value(f)}" for f in _SORTED) + ")"


_CANONICAL_SQL = _canonical_sql()
_FIELDS_SQL = ", ".join(HASHED_FIELDS)


def _fields_of(database: Database, rowid: int) -> dict[str, Any]:
    row = database.execute(f"SELECT {_FIELDS_SQL} FROM ledger_entry WHERE id = ?", (rowid,)).fetchone()
    fields = dict(zip(HASHED_FIELDS, row, strict=True))
    if fields["backdated"] in (0, 1):
        fields["backdated"] = bool(fields["backdated"])
    return fields


def _reference_hash_ok(database: Database, rowid: int, stored: str) -> bool:
    try:
        return entry_hash(_fields_of(database, rowid)) == stored
    except (TypeError, ValueError):  # a value JSON cannot hold (a blob): not what was hashed
        return False


def _hash_ok(database: Database, rowid: int, body: str | None, stored: str) -> bool:
    if body is not None and hashlib.sha256(body.encode("utf-8")).hexdigest() == stored:
        return True
    return _reference_hash_ok(database, rowid, stored)  # the reference decides


class _Problems:
    def __init__(self, own: str | None) -> None:
        self.own_terminal = own
        self.count = 0
        self.own = 0  # of the own chain
        self.listed: list[dict[str, Any]] = []

    def add(self, terminal: str, seq: Any, problem: str) -> None:
        self.count += 1
        self.own += terminal == self.own_terminal
        if len(self.listed) < LIMIT:
            self.listed.append({"terminal_id": terminal, "seq": seq, "problem": problem})


def _entry_rows(database: Database, where: str = "", params: tuple[Any, ...] = ()) -> Iterator[list[tuple[Any, ...]]]:
    """Batches of ``(id, terminal_id, seq, prev_hash, hash, canonical JSON, member_id, points)``.
    The canonical JSON is None for a row SQLite cannot write as JSON (a blob where text belongs):
    such a row goes to the reference, which reports it."""
    cols = "id, terminal_id, seq, prev_hash, hash, {body}, member_id, points"
    try:
        cur = database.execute(f"SELECT {cols.format(body=_CANONICAL_SQL)} FROM ledger_entry {where}", params)
        while batch := cur.fetchmany(_FETCH):
            yield batch
        return
    except sqlite3.OperationalError as exc:
        if "JSON" not in str(exc):
            raise
    safe = _canonical_sql_safe()
    cur = database.execute(f"SELECT {cols.format(body=safe)} FROM ledger_entry {where}", params)
    while batch := cur.fetchmany(_FETCH):
        yield batch


def _canonical_sql_safe() -> str:
    """The canonical JSON, or NULL for a row holding a blob in a hashed field (slower: only used
    when the fast query met such a row)."""
    blob = " OR ".join(f"typeof({f}) = 'blob'" for f in HASHED_FIELDS)
    return f"CASE WHEN {blob} THEN NULL ELSE {_CANONICAL_SQL} END"


class _Pass:
    """One streaming pass over every entry in id order: each entry's hash, each link whose two ends
    are held, and each member's balance (the sum of their entries)."""

    def __init__(self, database: Database, own: str | None) -> None:
        self.database = database
        self.own = own
        self.problems = _Problems(own)
        self.links = 0
        self.balance: dict[int, int] = {}

    def run(self) -> None:
        collecting = gc.isenabled()
        gc.disable()  # a million small tuples kept: the cycle collector would walk them again and again
        try:
            self._run()
        finally:
            if collecting:
                gc.enable()

    def _run(self) -> None:
        database, sha, problems = self.database, hashlib.sha256, self.problems
        balance = self.balance
        last: dict[str, tuple[int, str]] = {}  # per chain: the entry seen last
        overtaken: dict[tuple[str, int], str] = {}  # entries followed (in id order) by a non-successor
        waiting: dict[tuple[str, int], str] = {}  # (chain, seq - 1) -> prev_hash of an entry still waiting for it
        waiting_in: set[str] = set()
        links = 0
        for batch in _entry_rows(database):
            for rowid, term, seq, prev_hash, stored, body, member_id, points in batch:
                if ((body is None or sha(body.encode("utf-8")).hexdigest() != stored)
                        and not _reference_hash_ok(database, rowid, stored)):
                    problems.add(term, seq, "entry hash does not match its content")
                balance[member_id] = balance.get(member_id, 0) + points
                if type(seq) is not int:
                    problems.add(term, seq, "sequence number is not an integer")
                    continue
                if term in waiting_in:  # a later entry of this chain came first and waits for this one
                    expected = waiting.pop((term, seq), None)
                    if expected is not None:
                        links += 1
                        if expected != stored:
                            problems.add(term, seq + 1, "previous hash does not match")
                before = last.get(term)
                if before is not None and before[0] == seq - 1:
                    links += 1
                    if prev_hash != before[1]:
                        problems.add(term, seq, "previous hash does not match")
                else:
                    if before is not None:
                        overtaken[(term, before[0])] = before[1]
                    if seq == 1:
                        links += 1
                        if prev_hash != GENESIS_HASH:
                            problems.add(term, seq, "previous hash does not match")
                    else:
                        held = overtaken.pop((term, seq - 1), None)
                        if held is not None:
                            links += 1
                            if prev_hash != held:
                                problems.add(term, seq, "previous hash does not match")
                        else:
                            waiting[(term, seq - 1)] = prev_hash
                            waiting_in.add(term)
                last[term] = (seq, stored)
        # what still waits has no predecessor held: the start of a partial copy, or a gap in the own chain
        for (term, missing), _prev in waiting.items():
            if term == self.own and missing >= 1:
                problems.add(term, missing + 1, f"sequence gap: entry {missing} is missing")
        self.links = links


def _hash_chains(database: Database, own: str | None) -> tuple[dict[str, Any], _Pass]:
    walk = _Pass(database, own)
    walk.run()
    problems = walk.problems
    head = database.execute("SELECT seq, hash FROM ledger_entry WHERE terminal_id = ? ORDER BY seq DESC LIMIT 1",
                            (own,)).fetchone()
    head_hash = GENESIS_HASH if head is None else head[1]
    last_seq = int(head[0]) if head is not None and type(head[0]) is int else 0
    entries = {str(t): int(n) for t, n in database.execute(
        "SELECT terminal_id, count(*) FROM ledger_entry GROUP BY terminal_id")}
    own_entries = entries.get(own or "", 0)
    others = {t: n for t, n in entries.items() if t != own}
    report = {
        "ok": problems.count == 0, "count": problems.count, "problems": problems.listed,
        "entries": sum(entries.values()), "links_checked": walk.links,
        "own_chain": {"terminal_id": own, "complete": own_entries == last_seq and not problems.own,
                      "entries": own_entries, "last_seq": last_seq, "hash": head_hash},
        "other_chains": {"terminals": len(others), "entries": sum(others.values()), "partial": True},
    }
    return report, walk


# ------------------------------------------------------------------------------------------ checkpoint


def _balances(database: Database) -> int:
    """Σ member balances: once the checks pass, the ledger's points too (a checkpoint's sum)."""
    return int(database.execute("SELECT coalesce(sum(balance), 0) FROM member").fetchone()[0])


def _checkpoint_state(database: Database, own: str | None, own_head: tuple[int, str],
                      sums: dict[str, int]) -> dict[str, Any]:
    max_ids = {t: int(database.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]) for t in _ID_TABLES}
    top = database.execute("SELECT uuid FROM ledger_entry WHERE id = ?", (max_ids["ledger_entry"],)).fetchone()
    return {"v": CHECKPOINT_VERSION, "terminal_id": own, "own_head": [own_head[0], own_head[1]],
            "max_id": max_ids, "top_entry_uuid": None if top is None else top[0], "sums": sums}


def _mac(key: str, body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(bytes.fromhex(key), text.encode("utf-8"), hashlib.sha256).hexdigest()


def write_checkpoint(database: Database, body: dict[str, Any], at: str) -> None:
    """Sign ``body`` with the database's checkpoint key (made on first use) and keep it."""
    with database.transaction():
        row = database.execute("SELECT value FROM setting WHERE key = ?", (CHECKPOINT_KEY,)).fetchone()
        key = row[0] if row is not None else secrets.token_hex(32)
        if row is None:
            database.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (CHECKPOINT_KEY, key))
        signed = {**body, "at": at}
        value = json.dumps({"body": signed, "mac": _mac(key, signed)}, sort_keys=True)
        database.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
                         " SET value = excluded.value", (CHECKPOINT, value))


def read_checkpoint(database: Database) -> tuple[dict[str, Any] | None, str]:
    """The stored checkpoint if its signature holds, else None and why not."""
    rows = dict(database.execute("SELECT key, value FROM setting WHERE key IN (?, ?)",
                                 (CHECKPOINT, CHECKPOINT_KEY)).fetchall())
    if CHECKPOINT not in rows:
        return None, "no checkpoint yet"
    if CHECKPOINT_KEY not in rows:
        return None, "no checkpoint key (a restored backup carries none)"
    try:
        stored = json.loads(rows[CHECKPOINT])
        body, mac = stored["body"], stored["mac"]
        good = (isinstance(body, dict) and isinstance(mac, str)
                and hmac.compare_digest(_mac(rows[CHECKPOINT_KEY], body), mac))
    except (ValueError, KeyError, TypeError):
        return None, "the checkpoint cannot be read"
    if not good:
        return None, "the checkpoint's signature does not match"
    if body.get("v") != CHECKPOINT_VERSION:
        return None, "the checkpoint is of another version"
    return body, "signed checkpoint"


def forget_checkpoint(database: Database) -> None:
    """Drop the checkpoint (the next verify is a full one): for whoever removes checked rows."""
    with database.transaction():
        database.execute("DELETE FROM setting WHERE key = ?", (CHECKPOINT,))


def run_incremental(database: Database, checkpoint: dict[str, Any], *, quick_check: bool = True
                    ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]] | str:
    """The checks of what came after ``checkpoint`` (a verified body of ``read_checkpoint``).
    ``quick_check``: SQLite's own check of every page of the file, the one part whose time grows
    with the file (about 2 s at a million entries here).

    Returns the checks and the next checkpoint body, or why the checkpoint no longer describes this
    database (rows it covered are gone or changed: a full run is then needed)."""
    out: dict[str, dict[str, Any]] = {}
    with database.reading():
        own = _own_terminal(database)
        if own != checkpoint["terminal_id"]:
            return "the checkpoint is of another terminal"
        max_id: dict[str, int] = checkpoint["max_id"]
        top = database.execute("SELECT uuid FROM ledger_entry WHERE id = ?", (max_id["ledger_entry"],)).fetchone()
        if (None if top is None else top[0]) != checkpoint["top_entry_uuid"]:
            return "the last entry the checkpoint covered is gone"
        for table in ("lot", "lot_move", "member"):  # a new row must not reuse a removed one's id
            if max_id[table] and database.execute(f"SELECT 1 FROM {table} WHERE id = ?",
                                                  (max_id[table],)).fetchone() is None:
                return f"the last {table} row the checkpoint covered is gone"
        own_seq, own_hash = checkpoint["own_head"]
        if own_seq:
            head = database.execute("SELECT hash FROM ledger_entry WHERE terminal_id = ? AND seq = ?",
                                    (own, own_seq)).fetchone()
            if head is None or head[0] != own_hash:
                return "the own chain's checkpointed head is gone or changed"
        out["sqlite_quick_check"] = (_quick_check(database) if quick_check else
                                     {"ok": True, "count": 0, "problems": [], "skipped": True})
        out.update(_projection_checks(database, own, max_id, own_seq))
        out["append_only_triggers"] = _triggers(database)
        problems = _Problems(own)
        # the own chain continues from its checkpointed head, complete
        expected_seq, prev, new_own = own_seq + 1, own_hash, 0
        for batch in _entry_rows(database, "WHERE terminal_id = ? AND seq > ? ORDER BY seq", (own, own_seq)):
            for rowid, term, seq, prev_hash, stored, body, *_ in batch:
                new_own += 1
                if not _hash_ok(database, rowid, body, stored):
                    problems.add(term, seq, "entry hash does not match its content")
                if seq != expected_seq:
                    problems.add(term, seq, f"sequence gap: expected {expected_seq}, found {seq}")
                elif prev_hash != prev:
                    problems.add(term, seq, "previous hash does not match")
                expected_seq, prev = (seq + 1 if type(seq) is int else expected_seq), stored
        last_seq = expected_seq - 1
        # new entries of other chains: hash, and both links wherever the neighbour is held
        foreign = links = 0
        cur = database.execute(
            f"SELECT e.id, e.terminal_id, e.seq, e.prev_hash, e.hash, {_canonical_sql('e.')},"
            " p.hash, n.prev_hash, n.id FROM ledger_entry e"
            " LEFT JOIN ledger_entry p ON p.terminal_id = e.terminal_id AND p.seq = e.seq - 1"
            " LEFT JOIN ledger_entry n ON n.terminal_id = e.terminal_id AND n.seq = e.seq + 1"
            " WHERE e.id > ? AND e.terminal_id IS NOT ?", (max_id["ledger_entry"], own))
        for rowid, term, seq, prev_hash, stored, body, before, after, after_id in cur.fetchall():
            foreign += 1
            if not _hash_ok(database, rowid, body, stored):
                problems.add(term, seq, "entry hash does not match its content")
            if seq == 1:
                links += 1
                if prev_hash != GENESIS_HASH:
                    problems.add(term, seq, "previous hash does not match")
            if before is not None:
                links += 1
                if prev_hash != before:
                    problems.add(term, seq, "previous hash does not match")
            if after is not None and after_id <= max_id["ledger_entry"]:  # (a new successor checks its own)
                links += 1
                if after != stored:
                    problems.add(term, seq + 1, "previous hash does not match")
        chains = {"ok": problems.count == 0, "count": problems.count, "problems": problems.listed,
                  "checked": new_own + foreign,
                  "own_chain": {"terminal_id": own, "complete": last_seq - own_seq == new_own and not problems.own,
                                "entries": last_seq, "new": new_own, "last_seq": last_seq},
                  "other_chains": {"new": foreign, "links_checked": links, "partial": True}}
        out["hash_chains"] = chains
        # the sums carried forward: every member's balance against the ledger's points
        new_points, new_entries = database.execute(
            "SELECT coalesce(sum(points), 0), count(*) FROM ledger_entry WHERE id > ?",
            (max_id["ledger_entry"],)).fetchone()
        sums = {"ledger_points": int(checkpoint["sums"]["ledger_points"]) + int(new_points),
                "entries": int(checkpoint["sums"]["entries"]) + int(new_entries)}
        chains["entries"] = sums["entries"]
        balances = _balances(database)
        bad = balances != sums["ledger_points"]
        out["balances_equal_checkpoint_sums"] = {
            "ok": not bad, "count": int(bad),
            "problems": [{"balances": balances, "ledger_points": sums["ledger_points"]}] if bad else []}
        body = _checkpoint_state(database, own, (last_seq, prev), sums)
    return out, body
