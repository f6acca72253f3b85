"""Headquarters' reports: points liability, issued vs redeemed, reconciliation flags and
terminals that have gone quiet. Plain SQL through peewee (SQLite and PostgreSQL); each
report is a list of dict rows, printed by ``pos-hq report`` as a table or as CSV.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from peewee import Database

from pos_app.core.errors import InvalidInput
from pos_app.hq import db

#: entry kinds that pay with points (payment at the till, gifts)
REDEEM_KINDS = ("redeem", "gift")
#: credits that give points back rather than issue new ones
NOT_ISSUED_KINDS = ("return", "expire_fix")


def _database() -> Database:
    database = db.proxy.obj
    if database is None:
        raise InvalidInput("db", "the headquarters database is not open")
    return cast(Database, database)


def _query(sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    database = _database()
    if db.is_postgres(database):
        sql = sql.replace("?", "%s")
    cur = cast(Any, database).execute_sql(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def _ints(rows: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    """Sums come back as Decimal on PostgreSQL and None over no rows: whole numbers always."""
    for row in rows:
        for name in names:
            row[name] = int(row[name] or 0)
    return rows


def _range(date_from: dt.date | None, date_to: dt.date | None) -> tuple[str, str]:
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("to", "the end date is before the start date")
    return (date_from.isoformat() if date_from else "0000-01-01", date_to.isoformat() if date_to else "9999-12-31")


def liability_by_store() -> list[dict[str, Any]]:
    """What the chain owes its members, by the members' home store: points held (positive
    balances), how many members hold them, and the debt members owe back (overdrafts)."""
    rows = _query("""
        SELECT m.store_id, coalesce(s.name, '') AS store_name, count(*) AS members,
               sum(CASE WHEN m.balance > 0 THEN 1 ELSE 0 END) AS members_with_points,
               sum(CASE WHEN m.balance > 0 THEN m.balance ELSE 0 END) AS points,
               sum(m.debt) AS debt
        FROM member m LEFT JOIN store s ON s.id = m.store_id
        GROUP BY m.store_id, s.name ORDER BY m.store_id""")
    return _ints(rows, "members", "members_with_points", "points", "debt")


def issued_vs_redeemed(date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict[str, Any]]:
    """Per store whose machine wrote the entries (``HQ`` for headquarters' own), between two
    business dates (both included): points issued (credits other than returns and expiry
    corrections), redeemed (payments and gifts), expired (net of expiry corrections),
    clawed back by refunds, and given back by refunds (returned)."""
    lo, hi = _range(date_from, date_to)
    not_issued = ", ".join(f"'{k}'" for k in NOT_ISSUED_KINDS)
    redeem = ", ".join(f"'{k}'" for k in REDEEM_KINDS)
    rows = _query(f"""
        SELECT e.store_id,
               sum(CASE WHEN e.points > 0 AND e.kind NOT IN ({not_issued}) THEN e.points ELSE 0 END) AS issued,
               sum(CASE WHEN e.kind IN ({redeem}) THEN -e.points ELSE 0 END) AS redeemed,
               sum(CASE WHEN e.kind IN ('expire', 'expire_fix') THEN -e.points ELSE 0 END) AS expired,
               sum(CASE WHEN e.kind = 'clawback' THEN -e.points ELSE 0 END) AS clawed_back,
               sum(CASE WHEN e.kind = 'return' THEN e.points ELSE 0 END) AS returned,
               count(*) AS entries
        FROM entry e WHERE substr(e.business_date, 1, 10) BETWEEN ? AND ?
        GROUP BY e.store_id ORDER BY e.store_id""", (lo, hi))
    return _ints(rows, "issued", "redeemed", "expired", "clawed_back", "returned", "entries")


def reconciliation(date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict[str, Any]]:
    """The flags to look into (overdrafts, coupons used twice, double expiries, once-only bonuses,
    awards and gifts given twice, caps crossed by two tills, duplicate phones or cards, entries for
    unknown members), oldest first, between two dates of their recording (UTC)."""
    lo, hi = _range(date_from, date_to)
    rows = _query("""
        SELECT f.id, f.at, f.kind, f.store_id, f.terminal_id, f.member_uuid, f.ref, f.points, f.details
        FROM flag f WHERE substr(f.at, 1, 10) BETWEEN ? AND ? ORDER BY f.id""", (lo, hi))
    for row in rows:
        row["points"] = int(row["points"] or 0)
        try:
            details = json.loads(row["details"] or "{}")
        except ValueError:
            details = {}
        row["details"] = json.dumps(details, sort_keys=True, ensure_ascii=False)
    return rows


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def stale_terminals(now: dt.datetime | None = None, hours: int = 24) -> list[dict[str, Any]]:
    """Active tills that have not pushed for ``hours`` (or never): their sales are not at
    headquarters yet, so balances elsewhere may be behind."""
    if isinstance(hours, bool) or not isinstance(hours, int) or hours < 1:
        raise InvalidInput("hours", "a whole number of hours from 1 is required")
    at = now or dt.datetime.now(dt.UTC)
    at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    cutoff = at - dt.timedelta(hours=hours)
    out = []
    for row in _query("""SELECT id AS terminal_id, store_id, enrolled_at, last_push_at, last_seen_at, last_seq
                         FROM terminal WHERE kind = 'till' AND active = ? ORDER BY store_id, id""", (True,)):
        last = _parse_time(row["last_push_at"])
        if last is None or last < cutoff:
            row["last_seq"] = int(row["last_seq"] or 0)
            row["hours_since_push"] = None if last is None else int((at - last).total_seconds() // 3600)
            out.append(row)
    return out
