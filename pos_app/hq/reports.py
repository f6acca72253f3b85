"""Headquarters' reports: points liability, issued vs redeemed, reconciliation flags and
terminals that have gone quiet. Plain SQL through peewee (SQLite and PostgreSQL); each
report is a list of dict rows, printed by ``pos-hq report`` as a table or as CSV.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from peewee import Database

from pos_app.core import segments as core_segments
from pos_app.core.errors import InvalidInput
from pos_app.core.program import Program, Segments
from pos_app.hq import db, flags

log = logging.getLogger(__name__)

#: entry kinds that pay with points (payment at the till, gifts)
REDEEM_KINDS = ("redeem", "gift")
#: credits that give points back rather than issue new ones
NOT_ISSUED_KINDS = ("return", "expire_fix", "merge_in", "merge_out")  # merges move points


#: issued and redeemed as sums over entries ``e`` (what migration 9's store_day keeps per day and store)
DAY_SUMS = (f"sum(CASE WHEN e.points > 0 AND e.kind NOT IN ({', '.join(repr(k) for k in NOT_ISSUED_KINDS)})"
            f" THEN e.points ELSE 0 END) AS issued, sum(CASE WHEN e.kind IN"
            f" ({', '.join(repr(k) for k in REDEEM_KINDS)}) THEN -e.points ELSE 0 END) AS redeemed")


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


def shifts(date_from: dt.date | None = None, date_to: dt.date | None = None,
           store_id: str | None = None) -> list[dict[str, Any]]:
    """The tills' closed shifts with their cash-up (``shift`` events), by when they closed: the
    takings, the cash the drawer should hold, the cash counted and the difference (over +,
    short -; empty when the shift was closed without counting)."""
    lo, hi = _range(date_from, date_to)
    where, params = _store_filter("store_id", store_id)
    rows = _query(f"""
        SELECT terminal_id, store_id, ref, payload FROM event
        WHERE kind = 'shift' AND substr(created_at, 1, 10) BETWEEN ? AND ?{where}
        ORDER BY created_at, terminal_id""", (lo, hi, *params))
    out = []
    for row in rows:
        p = flags._json_object(row["payload"])
        out.append({"store_id": row["store_id"], "terminal_id": row["terminal_id"], "shift_no": row["ref"],
                    "staff_code": p.get("staff_code"), "closed_at": p.get("closed_at"), "sales": p.get("sales"),
                    "takings_fen": p.get("takings_fen"), "expected_cash_fen": p.get("expected_cash_fen"),
                    "counted_cash_fen": p.get("counted_cash_fen"), "cash_difference_fen": p.get("cash_difference_fen")})
    return out


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


# -- the console's reports (issue 14 item 9): a store (or the chain) and a date range ---------------

#: the longest range a report covers (a year, leap day included)
MAX_RANGE_DAYS = 366
#: the expiring-points report's windows, in days from today (today counts as the first day)
EXPIRY_WINDOWS = (30, 60, 90)
#: how many days the console's reports cover when no range is given (today included)
DEFAULT_DAYS = 30


def _date(text: str, name: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(name, "a date like 2026-12-31 is required") from None


def parse_range(date_from: str | None, date_to: str | None, *, today: dt.date,
                default_days: int = DEFAULT_DAYS) -> tuple[dt.date, dt.date]:
    """A report's range from the form's text (``from``, ``to``; both included): the last
    ``default_days`` days up to today when empty; the end not before the start and at most
    ``MAX_RANGE_DAYS`` days in all. Errors name the field."""
    hi = _date(date_to.strip(), "to") if date_to and date_to.strip() else today
    if date_from and date_from.strip():
        lo = _date(date_from.strip(), "from")
    else:
        lo = hi - dt.timedelta(days=default_days - 1)
    if lo > hi:
        raise InvalidInput("to", "the end date is before the start date")
    if (hi - lo).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput("to", "a report covers at most 366 days")
    return lo, hi


def _store_filter(column: str, store_id: str | None) -> tuple[str, tuple[Any, ...]]:
    return (f" AND {column} = ?", (store_id,)) if store_id is not None else ("", ())


def store_names() -> dict[str, str]:
    return {row["id"]: row["name"] for row in _query("SELECT id, name FROM store ORDER BY id")}


def points_by_day(date_from: dt.date, date_to: dt.date, store_id: str | None = None) -> list[dict[str, Any]]:
    """Points issued and redeemed per business day and per store whose machine wrote the entries
    (``HQ`` for headquarters' own), both dates included; days without entries are left out.
    Issued and redeemed count as in ``issued_vs_redeemed``. On PostgreSQL from ``store_day``,
    which the database keeps in step with every entry written (migration 9's triggers): exact and
    current, a row per store and day rather than millions of entries; a SQLite headquarters (a
    small chain) counts its entries."""
    if db.is_postgres(_database()):
        where, params = _store_filter("d.store_id", store_id)
        sql = f"""
            SELECT d.business_date AS day, d.store_id, d.issued, d.redeemed
            FROM store_day d WHERE d.business_date >= ? AND d.business_date < ? AND d.entries > 0{where}
            ORDER BY d.business_date, d.store_id"""
    else:
        where, params = _store_filter("e.store_id", store_id)
        sql = f"""
            SELECT e.business_date AS day, e.store_id, {DAY_SUMS}
            FROM entry e WHERE e.business_date >= ? AND e.business_date < ?{where}
            GROUP BY e.business_date, e.store_id ORDER BY e.business_date, e.store_id"""
    rows = _query(sql, (date_from.isoformat(), (date_to + dt.timedelta(days=1)).isoformat(), *params))
    for row in rows:
        row["day"] = str(row["day"])[:10]
    return _ints(rows, "issued", "redeemed")


def _count_members(store_id: str | None) -> list[dict[str, Any]]:
    where, params = _store_filter("m.store_id", store_id)
    rows = _query(f"""
        SELECT m.store_id, count(*) AS members,
               sum(CASE WHEN m.balance > 0 THEN 1 ELSE 0 END) AS members_with_points,
               sum(CASE WHEN m.balance > 0 THEN m.balance ELSE 0 END) AS points,
               sum(m.debt) AS debt
        FROM member m WHERE 1 = 1{where}
        GROUP BY m.store_id ORDER BY m.store_id""", params)
    return _ints(rows, "members", "members_with_points", "points", "debt")


def member_figures(store_id: str | None = None, *, clock: Callable[[], float] = time.monotonic
                   ) -> tuple[list[dict[str, Any]], dt.datetime]:
    """Members per home store (all of them, merged ones too), those holding points, the points
    they hold (positive balances) and their debt, and when they were counted (UTC). One store's
    are counted on the spot (its members through the (store_id, uuid) index); the chain's read
    every member, so on a large chain they are kept and counted again in the background (see
    ``kept``)."""
    if store_id is not None:
        return _count_members(store_id), dt.datetime.now(dt.UTC)
    return kept(_cache_key("members"), lambda: _count_members(None), clock=clock)


def liability(program: Program | None, store_id: str | None = None) -> list[dict[str, Any]]:
    """``liability_by_store`` (one store or all) with the points' value as payment in fen at the
    program's redemption rate (``Redemption.value_fen``, the tills' function; 0 before a program)."""
    return liability_snapshot(program, store_id)[0]


def liability_snapshot(program: Program | None, store_id: str | None = None, *,
                       clock: Callable[[], float] = time.monotonic) -> tuple[list[dict[str, Any]], dt.datetime]:
    """``liability`` and when its figures were counted (``member_figures``)."""
    rows, at = member_figures(store_id, clock=clock)
    names = store_names()
    out = []
    for row in rows:
        line = {"store_id": row["store_id"], "members": row["members"],
                "members_with_points": row["members_with_points"], "points": row["points"], "debt": row["debt"]}
        line["store_name"] = names.get(row["store_id"], "")
        line["value_fen"] = program.redemption.value_fen(row["points"]) if program else 0
        out.append(line)
    return out, at


def expiring(today: dt.date, store_id: str | None = None) -> list[dict[str, Any]]:
    """Points that expire in the next 30, 60 and 90 days (each window includes the shorter ones;
    today is the first day, as the tills count it), per member's home store, from the lots
    still holding points; and how many members hold them within 90 days."""
    ends = [(today + dt.timedelta(days=days - 1)).isoformat() for days in EXPIRY_WINDOWS]
    sums = ", ".join(f"sum(CASE WHEN l.expires_on <= ? THEN l.remaining ELSE 0 END) AS within_{days}"
                     for days in EXPIRY_WINDOWS)
    where, params = _store_filter("m.store_id", store_id)
    rows = _query(f"""
        SELECT m.store_id, {sums}, count(DISTINCT l.member_uuid) AS members
        FROM lot l JOIN member m ON m.uuid = l.member_uuid
        WHERE l.expires_on >= ? AND l.expires_on <= ? AND l.remaining > 0{where}
        GROUP BY m.store_id ORDER BY m.store_id""", (*ends, today.isoformat(), ends[-1], *params))
    names = store_names()
    for row in _ints(rows, *(f"within_{days}" for days in EXPIRY_WINDOWS), "members"):
        row["store_name"] = names.get(row["store_id"], "")
    return rows


def gift_redemptions(date_from: dt.date, date_to: dt.date, store_id: str | None = None) -> list[dict[str, Any]]:
    """Gifts redeemed per store (the till's) and gift, from the tills' ``redemption`` events
    (less those a ``redemption_cancel`` event of the same till cancelled):
    how many, the points paid and the cash collected (fen), by the redemption's business date
    (its creation date for an event without one), both dates included."""
    field = "e.payload::json->>'{}'" if db.is_postgres(_database()) else "json_extract(e.payload, '$.{}')"
    day = f"coalesce({field.format('business_date')}, substr(e.created_at, 1, 10))"
    where, params = _store_filter("e.store_id", store_id)
    # the creation time narrows the rows through an index on (kind, created_at); a business date
    # is the creation date or the day before (a shift past midnight), so a day either side is read
    rows = _query(f"""
        SELECT e.store_id, {field.format('gift')} AS gift, count(*) AS redemptions,
               sum(CAST({field.format('points')} AS BIGINT)) AS points,
               sum(CAST(coalesce({field.format('cash_fen')}, '0') AS BIGINT)) AS cash_fen
        FROM event e
        WHERE e.kind = 'redemption' AND e.created_at >= ? AND e.created_at < ?
          AND {day} >= ? AND {day} <= ?{where}
          AND NOT EXISTS (SELECT 1 FROM event c WHERE c.kind = 'redemption_cancel' AND c.ref = e.ref
                          AND c.terminal_id = e.terminal_id)
        GROUP BY e.store_id, {field.format('gift')} ORDER BY e.store_id, 2""",
                  ((date_from - dt.timedelta(days=1)).isoformat(), (date_to + dt.timedelta(days=2)).isoformat(),
                   date_from.isoformat(), date_to.isoformat(), *params))
    for row in rows:
        row["gift"] = str(row["gift"] or "")
    return _ints(rows, "redemptions", "points", "cash_fen")


# -- segments: the tills' rules (core.segments.classify) over every member at headquarters ----------
#
# A segment rule compares a member's facts with thresholds, so members whose facts fall between
# the same thresholds are in the same segment. The database groups the members by those classes
# (a CASE per fact) and counts them; ``classify`` decides each class from one representative
# value. Purchases in the window are counted only for the classes whose segment depends on them
# (a count per member reads that member's entries): with the reference rules, members holding
# more than 5,000 points.

_BALANCE = ("balance_gt", "balance_lt")
_PURCHASES = ("purchases_gt", "purchases_lt")


@dataclass(frozen=True)
class _Axis:
    """One fact's classes: below the first threshold, equal to it, between it and the next ...
    above the last (2k+1 classes for k thresholds), each with a value inside it."""

    thresholds: tuple[Any, ...]  # ints, or ISO dates as text
    reps: tuple[Any, ...]

    @property
    def size(self) -> int:
        return len(self.reps)

    def case(self, expr: str) -> tuple[str, tuple[Any, ...]]:
        if not self.thresholds:
            return "0", ()
        parts, params = [], []
        for i, t in enumerate(self.thresholds):
            parts.append(f"WHEN {expr} < ? THEN {2 * i} WHEN {expr} = ? THEN {2 * i + 1}")
            params += [t, t]
        return f"(CASE {' '.join(parts)} ELSE {2 * len(self.thresholds)} END)", tuple(params)


def _int_axis(values: set[int], default: int = 0) -> _Axis:
    ts = sorted(values)
    reps: list[int] = []
    for t in ts:
        reps += [t - 1, t]
    reps.append(ts[-1] + 1 if ts else default)
    return _Axis(tuple(ts), tuple(reps))


def _date_axis(days: set[int], today: dt.date) -> _Axis:
    """``(today - date).days > n`` is ``date < today - n``: thresholds as dates."""
    ts = sorted(today - dt.timedelta(days=n) for n in days)
    reps: list[dt.date] = []
    for t in ts:
        reps += [t - dt.timedelta(days=1), t]
    reps.append(ts[-1] + dt.timedelta(days=1) if ts else today)
    return _Axis(tuple(t.isoformat() for t in ts), tuple(reps))


@dataclass(frozen=True)
class _SegmentPlan:
    segments: Segments
    today: dt.date
    balance: _Axis
    last: _Axis  # the last purchase, or the enrolment for a member who never bought
    registered: _Axis
    purchases: _Axis

    def key(self, b: int, last: int, r: int) -> int:
        return (b * self.last.size + last) * self.registered.size + r

    def split(self, key: int) -> tuple[int, int, int]:
        rest, r = divmod(key, self.registered.size)
        b, last = divmod(rest, self.last.size)
        return b, last, r

    def classify(self, key: int, p: int) -> str:
        b, last, r = self.split(key)
        facts = core_segments.MemberFacts(balance=self.balance.reps[b], purchases_in_window=self.purchases.reps[p],
                                          last_purchase_on=self.last.reps[last], registered_on=self.registered.reps[r])
        return core_segments.classify(self.segments, facts, self.today)

    def outcomes(self, key: int) -> set[str]:
        return {self.classify(key, p) for p in range(self.purchases.size)}

    def key_sql(self) -> tuple[str, tuple[Any, ...]]:
        b_sql, b_par = self.balance.case("m.balance")
        l_sql, l_par = self.last.case("substr(coalesce(m.last_purchase_at, m.enrolled_at), 1, 10)")
        r_sql, r_par = self.registered.case("substr(m.enrolled_at, 1, 10)")
        sql = f"(({b_sql} * {self.last.size} + {l_sql}) * {self.registered.size} + {r_sql})"
        return sql, (*b_par, *l_par, *r_par)

    def purchases_sql(self) -> tuple[str, tuple[Any, ...]]:
        """A member's purchases in the window as the tills count them: sales (receipt numbers)
        that earned or paid with points, at any store."""
        since = (self.today - dt.timedelta(days=self.segments.window_days)).isoformat()
        count = ("(SELECT count(DISTINCT e.ref_no) FROM entry e WHERE e.member_uuid = x.uuid"
                 " AND e.ref_type = 'sale' AND e.kind IN ('earn', 'redeem') AND e.business_date >= ?)")
        return count, (since,)


def _plan(segments: Segments, today: dt.date) -> _SegmentPlan:
    conds = [cond for rule in segments.rules for cond in rule.when]
    return _SegmentPlan(
        segments=segments, today=today,
        balance=_int_axis({v for p, v in conds if p in _BALANCE}),
        last=_date_axis({v for p, v in conds if p == "last_purchase_days_gt"}, today),
        registered=_date_axis({v for p, v in conds if p == "registered_days_lt"}, today),
        purchases=_int_axis({v for p, v in conds if p in _PURCHASES}))


def segment_ids(program: Program) -> list[str]:
    """The program's segments in its order, the fallback last."""
    ids = [rule.id for rule in program.segments.rules]
    return ids + ([program.segments.fallback] if program.segments.fallback not in ids else [])


def segment_counts(program: Program, today: dt.date, store_id: str | None = None) -> list[dict[str, Any]]:
    """Members per home store and segment (merged members left out), as the tills classify
    them: ``{"store_id", "segment", "members"}`` rows, every segment of every store listed."""
    plan = _plan(program.segments, today)
    key_sql, key_par = plan.key_sql()
    where, params = _store_filter("m.store_id", store_id)
    groups = _query(f"""
        SELECT x.store_id, x.k, count(*) AS n
        FROM (SELECT m.store_id, {key_sql} AS k FROM member m WHERE m.merged_into IS NULL{where}) x
        GROUP BY x.store_id, x.k""", (*key_par, *params))
    counts: dict[tuple[str, str], int] = {}
    undecided: set[int] = set()
    for row in groups:
        key = int(row["k"])
        outcomes = plan.outcomes(key)
        if len(outcomes) == 1:
            slot = (row["store_id"], outcomes.pop())
            counts[slot] = counts.get(slot, 0) + int(row["n"])
        else:
            undecided.add(key)
    if undecided:
        for row in _undecided_groups(plan, undecided, store_id):
            slot = (row["store_id"], plan.classify(int(row["k"]), int(row["p"])))
            counts[slot] = counts.get(slot, 0) + int(row["n"])
    stores = sorted({store for store, _segment in counts} | ({store_id} if store_id else set()))
    return [{"store_id": store, "segment": segment, "members": counts.get((store, segment), 0)}
            for store in stores for segment in segment_ids(program)]


# -- figures kept on a large chain ----------------------------------------------------------------

#: how long the chain's member figures are kept before they are counted again in the background
#: (seconds; 0 counts them on every view): the dashboard's setting, one freshness for the console
KEPT_ENV = "POS_HQ_DASHBOARD_CACHE_S"
DEFAULT_KEPT_S = 60
_figures: dict[tuple[Any, ...], tuple[float, dt.datetime, list[dict[str, Any]]]] = {}
_figures_lock = threading.Lock()
_first_count = threading.Lock()
_recounting: dict[tuple[Any, ...], threading.Thread] = {}


def kept_seconds() -> int:
    raw = os.environ.get(KEPT_ENV, "")
    return int(raw) if raw.isascii() and raw.isdigit() else DEFAULT_KEPT_S


def kept(key: tuple[Any, ...], count: Callable[[], list[dict[str, Any]]], *,
         clock: Callable[[], float] = time.monotonic) -> tuple[list[dict[str, Any]], dt.datetime]:
    """``count()`` and when it was counted (UTC). A count that took ``SLOW_SECONDS`` or more (a
    large chain) is kept: a view within ``kept_seconds()`` gets it as it is, a later view gets it
    too while a background thread counts again (one at a time per key), so a page never waits
    for a count but the first. A fast count (a small chain) is never kept: always exact."""
    ttl = kept_seconds()
    if ttl <= 0:
        return count(), dt.datetime.now(dt.UTC)
    with _figures_lock:
        hit = _figures.get(key)
        if hit is not None:
            if clock() - hit[0] >= ttl and key not in _recounting:
                thread = threading.Thread(target=_recount, args=(_database(), key, count, clock), daemon=True,
                                          name="console-figures")
                _recounting[key] = thread
                thread.start()
            return [dict(row) for row in hit[2]], hit[1]
    with _first_count:  # a burst of first views waits for one count rather than running one each
        with _figures_lock:
            hit = _figures.get(key)
        if hit is not None:
            return [dict(row) for row in hit[2]], hit[1]
        started, at = clock(), dt.datetime.now(dt.UTC)
        rows = count()
        if clock() - started >= SLOW_SECONDS:
            with _figures_lock:
                _figures[key] = (started, at, [dict(row) for row in rows])
        return rows, at


def _recount(database: Database, key: tuple[Any, ...], count: Callable[[], list[dict[str, Any]]],
             clock: Callable[[], float]) -> None:
    try:
        with database.connection_context():
            started, at = clock(), dt.datetime.now(dt.UTC)
            rows = count()
        with _figures_lock:
            _figures[key] = (started, at, [dict(row) for row in rows])
    except Exception:  # the next view tries again; the figures shown say how old they are
        log.exception("the console's kept figures could not be counted again")
    finally:
        with _figures_lock:
            _recounting.pop(key, None)


def settle() -> None:
    """Wait for the background counts running now (tests; a server's shutdown)."""
    with _figures_lock:
        threads = list(_recounting.values())
    for thread in threads:
        thread.join()


#: a snapshot report (segment counts, expiring points) that took at least this long (seconds) ...
SLOW_SECONDS = 0.3
#: ... is kept this long (seconds): it reads every member or every lot expiring soon (seconds on a
#: million members), so a large chain counts it once per ten minutes rather than on every view
SEGMENT_CACHE_SECONDS = 600
_kept: dict[tuple[Any, ...], tuple[float, dt.datetime, list[dict[str, Any]]]] = {}
_kept_lock = threading.Lock()


def _cache_key(*key: Any) -> tuple[Any, ...]:
    database = _database()
    return (id(database), str(getattr(database, "database", "")), *key)


def _snapshot(key: tuple[Any, ...], count: Callable[[], list[dict[str, Any]]],
              clock: Callable[[], float]) -> tuple[list[dict[str, Any]], dt.datetime]:
    with _kept_lock:
        found = _kept.get(key)
    if found is not None and clock() - found[0] < SEGMENT_CACHE_SECONDS:
        return [dict(row) for row in found[2]], found[1]
    started, at = clock(), dt.datetime.now(dt.UTC)
    rows = count()
    if clock() - started >= SLOW_SECONDS:
        with _kept_lock:
            for old in [k for k, v in _kept.items() if clock() - v[0] >= SEGMENT_CACHE_SECONDS]:
                del _kept[old]
            _kept[key] = (started, at, [dict(row) for row in rows])
    return rows, at


def segment_snapshot(program: Program, today: dt.date, store_id: str | None = None, *,
                     clock: Callable[[], float] = time.monotonic) -> tuple[list[dict[str, Any]], dt.datetime]:
    """``segment_counts`` and when they were counted (UTC). A count that took ``SLOW_SECONDS`` or
    more (a large chain) is kept ``SEGMENT_CACHE_SECONDS`` for the same program, day and store;
    a small chain is always counted afresh."""
    return _snapshot(_cache_key("segments", program.digest, today, store_id),
                     lambda: segment_counts(program, today, store_id), clock)


def expiring_snapshot(today: dt.date, store_id: str | None = None, *,
                      clock: Callable[[], float] = time.monotonic) -> tuple[list[dict[str, Any]], dt.datetime]:
    """``expiring`` and when it was counted, kept like ``segment_snapshot``."""
    return _snapshot(_cache_key("expiring", today, store_id), lambda: expiring(today, store_id), clock)


def _known_empty(program: Program, today: dt.date, segment: str, store_id: str | None) -> bool:
    """A kept count says the segment has no member in this store (or the chain)."""
    with _kept_lock:
        found = _kept.get(_cache_key("segments", program.digest, today, store_id))
    if found is None or time.monotonic() - found[0] >= SEGMENT_CACHE_SECONDS:
        return False
    return sum(int(r["members"]) for r in found[2] if r["segment"] == segment) == 0


def _undecided_groups(plan: _SegmentPlan, keys: set[int], store_id: str | None) -> list[dict[str, Any]]:
    key_sql, key_par = plan.key_sql()
    count_sql, count_par = plan.purchases_sql()
    p_sql, p_par = plan.purchases.case("y.purchases")
    where, params = _store_filter("m.store_id", store_id)
    marks = ", ".join("?" for _ in keys)
    return _query(f"""
        SELECT y.store_id, y.k, {p_sql} AS p, count(*) AS n
        FROM (SELECT x.store_id, x.k, {count_sql} AS purchases
              FROM (SELECT m.uuid, m.store_id, {key_sql} AS k FROM member m WHERE m.merged_into IS NULL{where}) x
              WHERE x.k IN ({marks})) y
        GROUP BY y.store_id, y.k, 3""", (*p_par, *count_par, *key_par, *params, *sorted(keys)))


def segment_members(program: Program, today: dt.date, segment: str, store_id: str | None = None, *,
                    after: str = "", limit: int | None = 100) -> list[dict[str, Any]]:
    """The members of one segment (one store or all), by uuid after ``after``, at most ``limit``
    (None: all, for an export)."""
    if segment not in segment_ids(program):
        raise InvalidInput("segment", "the program has no such segment")
    plan = _plan(program.segments, today)
    key_sql, key_par = plan.key_sql()
    keys_all = range(plan.balance.size * plan.last.size * plan.registered.size)
    wanted = {k for k in keys_all if segment in plan.outcomes(k)}
    decided = {k for k in wanted if len(plan.outcomes(k)) == 1}
    if not wanted or _known_empty(program, today, segment, store_id):
        return []
    count_sql, count_par = plan.purchases_sql()
    undecided = sorted(wanted - decided)
    count_col = (f"CASE WHEN x.k IN ({', '.join('?' for _ in undecided)}) THEN {count_sql} ELSE 0 END"
                 if undecided else "0")
    count_params = (*undecided, *count_par) if undecided else ()
    where, params = _store_filter("m.store_id", store_id)
    out: list[dict[str, Any]] = []
    chunk = 500 if limit is None else max(limit, 50)
    while True:
        rows = _query(f"""
            SELECT x.*, {count_col} AS purchases FROM (
                SELECT m.uuid, m.name, m.phone, m.card_no, m.store_id, m.tier, m.balance, m.enrolled_at,
                       m.last_purchase_at, {key_sql} AS k
                FROM member m WHERE m.merged_into IS NULL AND m.uuid > ?{where}) x
            WHERE x.k IN ({', '.join('?' for _ in wanted)}) ORDER BY x.uuid LIMIT {chunk}""",
                      (*count_params, *key_par, after, *params, *sorted(wanted)))
        for row in rows:
            key = int(row.pop("k"))
            purchases = int(row["purchases"] or 0)
            if key in decided or plan.classify(key, _class_of(plan.purchases, purchases)) == segment:
                row["balance"] = int(row["balance"] or 0)
                row["purchases"] = purchases if key not in decided else None
                out.append(row)
                if limit is not None and len(out) >= limit:
                    return out
        if len(rows) < chunk:
            return out
        after = rows[-1]["uuid"]


def segment_members_snapshot(program: Program, today: dt.date, segment: str, store_id: str | None = None, *,
                             after: str = "", limit: int = 100,
                             clock: Callable[[], float] = time.monotonic) -> tuple[list[dict[str, Any]], dt.datetime]:
    """A page of ``segment_members`` and when it was counted, kept like the segment counts
    (``segment_snapshot``): a segment decided by purchases counts each candidate's sales, 0.25-0.35 s
    a page on a million members (figure 17), so on a large chain a page is kept
    ``SEGMENT_CACHE_SECONDS``; a small chain's is always counted afresh. An export always counts
    afresh (``segment_members``)."""
    if segment not in segment_ids(program):
        raise InvalidInput("segment", "the program has no such segment")
    return _snapshot(_cache_key("segment_members", program.digest, today, segment, store_id, after, limit),
                     lambda: segment_members(program, today, segment, store_id, after=after, limit=limit), clock)


def _class_of(axis: _Axis, value: int) -> int:
    for i, t in enumerate(axis.thresholds):
        if value < t:
            return 2 * i
        if value == t:
            return 2 * i + 1
    return 2 * len(axis.thresholds)
