"""The partial replica: which members a till holds, and dropping the others.

A till holds its own chain (always complete), its home store's members, the members its own
rows name, and the members identified here within ``replica.keep_days``; each of them with
every entry headquarters holds of them, so a held member's balance is the sum of its held
entries. Everything else (other stores' members nobody here served, their foreign entries,
lots, lot moves, tier months, tier changes and coupons) came from headquarters, which keeps it,
and may be dropped: ``prune_replica`` does it, for migration 0008 (a full replica of schema 6
becomes a partial one) and for the nightly keep-days run (``services.replica``), with the same
rules.

Kept whatever its age, because a row of this till names it (nothing that headquarters has not
acknowledged is ever dropped, and nothing this till did is forgotten):

- a member of the till's home store (``member.store_id`` = setting ``store_id``);
- the member of any entry of this till's own chain, of any sale, any redemption;
- the member of a coupon this till issued, used or gave back (an outbox row names it);
- a member named by an outbox row: a pending row of any kind, a member record entered here
  (enrolment, edit, freeze), a tier set here by hand; an acknowledged ``tier`` event of an
  automatic upgrade does not keep a member (older builds upgraded pulled members and pushed it);
- a member identified here since the keep window's first day (``member.seen_at``);
- the referrer of a kept member (and theirs), whom ``member.referrer_id`` names.

This runs on the raw sqlite3 connection inside the caller's transaction (the migration's own
``BEGIN IMMEDIATE``, or ``Database.transaction``), so its work commits with the caller's or not
at all. The append-only triggers on ``ledger_entry`` and ``lot_move`` are dropped for the
deletes and created again, identical, before it returns.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import Conflict
from pos_app.storage.database import Database

#: The setting naming how many days a member identified here (not of the home store, with no
#: row of this till naming them) stays on the till after the last identification.
KEEP_DAYS_KEY = "replica.keep_days"
DEFAULT_KEEP_DAYS = 30
#: Bounds for ``replica.keep_days`` (services.settings validates the setting with them). Never
#: below headquarters' subscription window (``hq.feed.SUBSCRIPTION_KEEP_DAYS``, 30 days after the
#: member's last lookup or push from this till): headquarters keeps sending a subscribed member's
#: changes for that long, and a member dropped earlier would come back as a placeholder holding
#: only the entries that arrived after the drop (a wrong balance on this till).
MIN_KEEP_DAYS, MAX_KEEP_DAYS = 30, 3650
AUDIT_ACTION = "replica.prune"

#: The append-only triggers (as migration 0001 made them), dropped for the deletes and made again.
_TRIGGERS = {
    "ledger_entry_no_delete": "CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry\n"
                              "BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END",
    "lot_move_no_delete": "CREATE TRIGGER lot_move_no_delete BEFORE DELETE ON lot_move\n"
                          "BEGIN SELECT RAISE(ABORT, 'lot_move is append-only'); END",
}

# The members this till keeps whatever their age (see the module's docstring), and the referrers
# of the kept ones; ``:store``, ``:terminal`` and ``:since`` are bound.
_KEEP_SQL = """
WITH RECURSIVE base(id) AS (
    SELECT id FROM member WHERE store_id = :store
    UNION SELECT member_id FROM ledger_entry WHERE terminal_id = :terminal
    UNION SELECT member_id FROM sale WHERE member_id IS NOT NULL
    UNION SELECT member_id FROM redemption
    UNION SELECT c.member_id FROM coupon c JOIN outbox o
        ON o.ref = c.code AND o.kind IN ('coupon_issue', 'coupon_use', 'coupon_return')
    UNION SELECT e.member_id FROM outbox o JOIN ledger_entry e ON e.id = o.entry_id WHERE o.acked_at IS NULL
    UNION SELECT m.id FROM outbox o JOIN member m ON m.uuid = o.ref
        WHERE o.entry_id IS NULL AND (o.acked_at IS NULL OR o.kind = 'member'
              OR (o.kind = 'tier' AND json_extract(o.payload, '$.reason') LIKE 'manual%'))
    UNION SELECT m.id FROM outbox o JOIN member m ON m.uuid = json_extract(o.payload, '$.member')
        WHERE o.entry_id IS NULL AND json_valid(o.payload)
    UNION SELECT id FROM member WHERE seen_at >= :since
), kept(id) AS (
    SELECT id FROM base
    UNION SELECT m.referrer_id FROM member m JOIN kept k ON m.id = k.id WHERE m.referrer_id IS NOT NULL
)
SELECT id FROM kept
"""


@dataclass
class PruneReport:
    """What a prune dropped (and kept). ``skipped``: why nothing was looked at (not enrolled)."""

    keep_days: int
    since: str
    members_kept: int = 0
    members: int = 0
    entries: int = 0
    lots: int = 0
    lot_moves: int = 0
    tier_months: int = 0
    tier_changes: int = 0
    coupons: int = 0
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"keep_days": self.keep_days, "since": self.since, "members_kept": self.members_kept,
                "members": self.members, "entries": self.entries, "lots": self.lots, "lot_moves": self.lot_moves,
                "tier_months": self.tier_months, "tier_changes": self.tier_changes, "coupons": self.coupons,
                "skipped": self.skipped}




def _setting(conn: sqlite3.Connection, key: str) -> str:
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row and row[0] is not None else ""


def parse_keep_days(value: object) -> int:
    """``replica.keep_days`` as a number of days, or ValueError naming what is wrong."""
    try:
        days = int(str(value).strip())
    except ValueError:
        raise ValueError(f"a whole number of days is required, not {value!r}") from None
    if not MIN_KEEP_DAYS <= days <= MAX_KEEP_DAYS:
        raise ValueError(f"must be between {MIN_KEEP_DAYS} and {MAX_KEEP_DAYS} days, not {days}")
    return days


def keep_days_setting(conn: sqlite3.Connection) -> int:
    """The till's ``replica.keep_days`` (the default when unset; a bad stored value is refused)."""
    text = _setting(conn, KEEP_DAYS_KEY)
    return parse_keep_days(text) if text else DEFAULT_KEEP_DAYS


def prune_replica(conn: sqlite3.Connection, *, today: dt.date, keep_days: int | None = None,
                  at: str | None = None, staff_code: str | None = None, audit: bool = True) -> PruneReport:
    """Drop the members this till need not hold (see the module docstring) with their foreign
    entries, lots, lot moves, tier months, tier changes and coupons, inside the caller's
    transaction; audited as ``replica.prune`` with the counts. A till never enrolled with
    headquarters (no ``hq.url``) holds nothing foreign: nothing is looked at."""
    days = keep_days_setting(conn) if keep_days is None else parse_keep_days(keep_days)
    since = (today - dt.timedelta(days=days)).isoformat()
    report = PruneReport(days, since)
    if not _setting(conn, "hq.url"):
        report.skipped = "not enrolled with headquarters: this till holds nothing foreign"
        return report
    store, terminal = _setting(conn, "store_id"), _setting(conn, "terminal_id")
    if not store or not terminal:
        raise Conflict("replica", "the till has no store_id or terminal_id setting")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS prune_keep (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS prune_drop (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.prune_keep")
    conn.execute("DELETE FROM temp.prune_drop")
    try:
        conn.execute(f"INSERT INTO temp.prune_keep (id) {_KEEP_SQL}",
                     {"store": store, "terminal": terminal, "since": since})
        conn.execute("INSERT INTO temp.prune_drop (id) SELECT id FROM member WHERE id NOT IN"
                     " (SELECT id FROM temp.prune_keep)")
        report.members_kept = int(conn.execute("SELECT count(*) FROM temp.prune_keep").fetchone()[0])
        report.members = int(conn.execute("SELECT count(*) FROM temp.prune_drop").fetchone()[0])
        if report.members:
            _guard(conn, terminal)
            _drop(conn, report)
        if audit and report.members:
            details = {k: v for k, v in report.to_dict().items() if k != "skipped"}
            conn.execute("INSERT INTO audit (at, staff_code, action, ref, details) VALUES (?, ?, ?, ?, ?)",
                         (at or dt.datetime.now().replace(microsecond=0).isoformat(), staff_code, AUDIT_ACTION,
                          since, json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))))
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.prune_keep")
        conn.execute("DROP TABLE IF EXISTS temp.prune_drop")
    return report


def prune_database(database: Database, *, today: dt.date, keep_days: int | None = None, at: str | None = None,
                   staff_code: str | None = None) -> PruneReport:
    """``prune_replica`` on an open terminal database, in a transaction of its own. The members
    to drop are counted first in a read snapshot, which takes no lock: on most days there are
    none and the counter never waits (the write transaction, and its lock, only when needed)."""
    days = keep_days_setting(database.db.connection()) if keep_days is None else parse_keep_days(keep_days)
    with database.reading():
        conn = database.db.connection()
        droppable = _droppable(conn, today=today, keep_days=days)
        if droppable is None:  # not enrolled: the report says so, nothing is touched
            return prune_replica(conn, today=today, keep_days=days)
        if droppable == 0:
            report = PruneReport(days, (today - dt.timedelta(days=days)).isoformat())
            report.members_kept = int(conn.execute("SELECT count(*) FROM member").fetchone()[0])
            return report
    with database.transaction():
        return prune_replica(database.db.connection(), today=today, keep_days=days, at=at, staff_code=staff_code)


def _droppable(conn: sqlite3.Connection, *, today: dt.date, keep_days: int) -> int | None:
    """How many members a prune would drop now (None: not enrolled, nothing to look at)."""
    store, terminal = _setting(conn, "store_id"), _setting(conn, "terminal_id")
    if not _setting(conn, "hq.url") or not store or not terminal:
        return None
    since = (today - dt.timedelta(days=keep_days)).isoformat()
    return int(conn.execute(f"SELECT count(*) FROM member WHERE id NOT IN ({_KEEP_SQL})",
                            {"store": store, "terminal": terminal, "since": since}).fetchone()[0])


def _guard(conn: sqlite3.Connection, terminal: str) -> None:
    """Refuse before deleting anything if a member to drop has an own entry or an outbox row."""
    drop = "SELECT id FROM temp.prune_drop"
    own = conn.execute(f"SELECT count(*) FROM ledger_entry WHERE member_id IN ({drop}) AND terminal_id = ?",
                       (terminal,)).fetchone()[0]
    outbox = conn.execute(f"SELECT count(*) FROM outbox o JOIN ledger_entry e ON e.id = o.entry_id"
                          f" WHERE e.member_id IN ({drop})").fetchone()[0]
    if own or outbox:
        raise Conflict("replica", f"members to drop have {own} entries of this till and {outbox} outbox rows")


def _drop(conn: sqlite3.Connection, report: PruneReport) -> None:
    drop = "SELECT id FROM temp.prune_drop"
    entries = f"SELECT id FROM ledger_entry WHERE member_id IN ({drop})"
    lots = f"SELECT id FROM lot WHERE member_id IN ({drop})"
    for name in _TRIGGERS:  # on an error the caller's rollback brings them back with the rows
        conn.execute(f"DROP TRIGGER {name}")
    report.lot_moves = conn.execute(
        f"DELETE FROM lot_move WHERE entry_id IN ({entries}) OR lot_id IN ({lots})").rowcount
    report.lots = conn.execute(f"DELETE FROM lot WHERE member_id IN ({drop})").rowcount
    report.entries = conn.execute(f"DELETE FROM ledger_entry WHERE member_id IN ({drop})").rowcount
    report.tier_months = conn.execute(f"DELETE FROM tier_month WHERE member_id IN ({drop})").rowcount
    report.tier_changes = conn.execute(f"DELETE FROM tier_change WHERE member_id IN ({drop})").rowcount
    report.coupons = conn.execute(f"DELETE FROM coupon WHERE member_id IN ({drop})").rowcount
    conn.execute(f"DELETE FROM member WHERE id IN ({drop})")
    for sql in _TRIGGERS.values():
        conn.execute(sql)


__all__ = ["AUDIT_ACTION", "DEFAULT_KEEP_DAYS", "KEEP_DAYS_KEY", "PruneReport", "keep_days_setting",
           "parse_keep_days", "prune_database", "prune_replica"]
