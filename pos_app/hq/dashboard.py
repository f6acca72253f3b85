"""The console's dashboard: points issued and redeemed per day, liability, active members, the
stores' figures, and each till's sync health as the till reports it when it pulls.

The chain's figures come from the daily figures per store (``store_day``, kept by PostgreSQL's
triggers, migration 9; counted from the entries on SQLite) and a scan of the members' balances
and last changes, too slow for every page view on a chain of a million members: they are
computed for the whole chain on the first view, then kept and recomputed in the background once
older than ``POS_HQ_DASHBOARD_CACHE_S`` seconds (default 60; 0 computes them on every view), so
a page shows figures at most a minute or so old (it says as of when); a store manager's
dashboard filters the same figures to their store. The tills' table is read live (one row per
till).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from peewee import Database

from pos_app.core.errors import InvalidInput
from pos_app.hq import authority, db
from pos_app.hq.reports import DAY_SUMS

SILENT_SETTING = "console.silent_hours"
DEFAULT_SILENT_HOURS = 24
MAX_SILENT_HOURS = 24 * 366
DAYS = 30
CACHE_ENV = "POS_HQ_DASHBOARD_CACHE_S"
DEFAULT_CACHE_S = 60

MAX_WAITING = 10**9
MAX_VERSION = 32
log = logging.getLogger(__name__)
_VERSION = re.compile(r"^[0-9A-Za-z.+-]{1,32}$")


def _database() -> Database:
    database = db.proxy.obj
    if database is None:
        raise InvalidInput("db", "the headquarters database is not open")
    return cast(Database, database)


def _query(sql: str, params: tuple[Any, ...] = (), database: Database | None = None) -> list[tuple[Any, ...]]:
    database = database or _database()
    if db.is_postgres(database):
        sql = sql.replace("?", "%s")
    return list(cast(Any, database).execute_sql(sql, params).fetchall())


# -- what a till reports when it pulls -------------------------------------------------------------

@dataclass(frozen=True)
class PullReport:
    """What a till said of itself in a pull's query: entries waiting in its outbox, its version
    (None for an older till that does not say)."""

    waiting: int | None = None
    version: str | None = None


def parse_pull_report(params: Mapping[str, str]) -> PullReport:
    """``waiting`` (0..10^9) and ``version`` (at most 32 of ``[0-9A-Za-z.+-]``) from a pull's query;
    both optional. Raises InvalidInput naming the bad one."""
    waiting: int | None = None
    raw = params.get("waiting")
    if raw is not None:
        if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_WAITING:
            raise InvalidInput("waiting", f"a whole number from 0 to {MAX_WAITING} is required")
        waiting = int(raw)
    version = params.get("version")
    if version is not None and not _VERSION.match(version):
        raise InvalidInput("version", f"at most {MAX_VERSION} letters, digits and . + - are allowed")
    return PullReport(waiting=waiting, version=version)


def record_pull(terminal_id: str, report: PullReport, *, signed_at: int, now: float | None = None) -> None:
    """Keep what a till reported with its pull: when it pulled, its clock's offset (the signed
    request's timestamp minus headquarters' clock, seconds) and, when it said so, its entries
    waiting and its version."""
    at = time.time() if now is None else now
    values: dict[Any, Any] = {db.Terminal.last_pull_at: db.utcnow(), db.Terminal.clock_skew_s: int(signed_at - at)}
    if report.waiting is not None:
        values[db.Terminal.waiting] = report.waiting
    if report.version is not None:
        values[db.Terminal.app_version] = report.version
    with db.writing(_database()):
        db.Terminal.update(values).where(db.Terminal.id == terminal_id).execute()


# -- the silent-till setting -----------------------------------------------------------------------

def silent_hours() -> int:
    """Hours without a push or pull after which a till is shown as silent (``console.silent_hours``)."""
    row = db.Setting.get_or_none(db.Setting.key == SILENT_SETTING)
    if row is None:
        return DEFAULT_SILENT_HOURS
    text = str(row.value)
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_SILENT_HOURS \
        else DEFAULT_SILENT_HOURS


def set_silent_hours(raw: object, *, actor: str) -> int:
    """Change ``console.silent_hours`` (a whole number of hours, 1 to a year), audited."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 6 or not 1 <= int(text) <= MAX_SILENT_HOURS:
        raise InvalidInput("silent_hours", f"a whole number of hours from 1 to {MAX_SILENT_HOURS} is required")
    hours = int(text)
    with db.writing(_database()):
        before = silent_hours()
        db.Setting.insert(key=SILENT_SETTING, value=str(hours)).on_conflict(
            conflict_target=[db.Setting.key], update={db.Setting.value: str(hours)}).execute()
        db.Audit.create(at=db.utcnow(), actor=actor, action="console.silent_hours", ref=SILENT_SETTING,
                        details=json.dumps({"before": before, "after": hours}, sort_keys=True))
    return hours


# -- the chain's figures ---------------------------------------------------------------------------

@dataclass
class StoreFigures:
    store_id: str
    name: str = ""
    issued: int = 0
    redeemed: int = 0
    today_issued: int = 0
    today_redeemed: int = 0
    liability: int = 0  # points held by the store's members (positive balances)
    liability_fen: int = 0
    active_members: int = 0
    tills: int = 0


@dataclass
class Figures:
    """The dashboard's numbers for the chain or one store, over ``first``..``today``."""

    first: dt.date
    today: dt.date
    computed_at: str
    days: list[tuple[str, int, int]]  # (date, issued, redeemed), every day of the range
    issued: int
    redeemed: int
    today_issued: int
    today_redeemed: int
    liability: int
    liability_fen: int
    active_members: int
    stores: list[StoreFigures] = field(default_factory=list)


@dataclass
class _Chain:
    computed_at: str
    per_day_store: dict[tuple[str, str], tuple[int, int]]  # (date, store) -> (issued, redeemed)
    active_by_store: dict[str, int]
    liability_by_store: dict[str, int]
    stores: dict[str, str]
    tills_by_store: dict[str, int]


_cache: dict[tuple[str, str, str], tuple[float, _Chain]] = {}
_cache_lock = threading.Lock()
_scan_lock = threading.Lock()
_refreshing: set[tuple[str, str, str]] = set()


def _cache_seconds() -> int:
    raw = os.environ.get(CACHE_ENV, "")
    return int(raw) if raw.isdigit() else DEFAULT_CACHE_S


def _database_key(database: Database) -> str:
    return f"{type(database).__name__}:{database.database}:{id(database)}"


def _scan_chain(database: Database, first: dt.date, today: dt.date) -> _Chain:
    lo, hi = first.isoformat(), today.isoformat()
    per_day: dict[tuple[str, str], tuple[int, int]] = {}
    # issued and redeemed per day and store: on PostgreSQL as the database keeps them with every
    # entry written (store_day, migration 9): a row per store and day rather than every entry of
    # the range; a SQLite headquarters (a small chain) counts its entries (reports.points_by_day)
    sql = ("SELECT business_date, store_id, issued, redeemed FROM store_day"
           " WHERE business_date >= ? AND business_date <= ? AND entries > 0") if db.is_postgres(database) else (
        f"SELECT e.business_date, e.store_id, {DAY_SUMS} FROM entry e"
        " WHERE e.business_date >= ? AND e.business_date <= ? GROUP BY e.business_date, e.store_id")
    for day, store, issued, redeemed in _query(sql, (lo, hi), database):
        key = (str(day)[:10], str(store))
        old = per_day.get(key, (0, 0))
        per_day[key] = (old[0] + int(issued or 0), old[1] + int(redeemed or 0))
    # active members from the member table (one scan with the liability) rather than a distinct
    # count over the entries (seconds on 10 M entries): a member is active when headquarters
    # received an entry of theirs (``updated_at``) since the first day of the range
    since = dt.datetime.combine(first, dt.time()).astimezone(dt.UTC).isoformat(timespec="seconds")
    liability: dict[str, int] = {}
    active_by_store: dict[str, int] = {}
    for store, points, active in _query(
            "SELECT store_id, sum(CASE WHEN balance > 0 THEN balance ELSE 0 END),"
            " sum(CASE WHEN updated_at >= ? THEN 1 ELSE 0 END) FROM member GROUP BY store_id", (since,), database):
        liability[str(store)] = int(points or 0)
        active_by_store[str(store)] = int(active or 0)
    stores = {str(i): str(n) for i, n in _query("SELECT id, name FROM store", (), database)}
    tills = {str(s): int(n) for s, n in _query(
        "SELECT store_id, count(*) FROM terminal WHERE kind = 'till' AND active = ? GROUP BY store_id",
        (True,), database)}
    return _Chain(computed_at=db.utcnow(), per_day_store=per_day, active_by_store=active_by_store,
                  liability_by_store=liability,
                  stores=stores, tills_by_store=tills)


def _refresh(database: Database, key: tuple[str, str, str], first: dt.date, today: dt.date) -> None:
    """Compute the figures again in the background (the page meanwhile shows the previous ones)."""
    try:
        with database.connection_context():
            chain = _scan_chain(database, first, today)
        with _cache_lock:
            _cache[key] = (time.monotonic(), chain)
    except Exception:  # the next page view tries again; the figures shown say how old they are
        log.exception("the dashboard's figures could not be computed again")
    finally:
        with _cache_lock:
            _refreshing.discard(key)


def _chain(first: dt.date, today: dt.date) -> _Chain:
    """The chain's figures: computed now the first time (one scan at a time), afterwards the kept
    ones, recomputed in a background thread once they are older than the cache's seconds."""
    ttl = _cache_seconds()
    database = _database()
    if ttl <= 0:
        return _scan_chain(database, first, today)
    key = (_database_key(database), first.isoformat(), today.isoformat())
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            if time.monotonic() - hit[0] >= ttl and key not in _refreshing:
                _refreshing.add(key)
                threading.Thread(target=_refresh, args=(database, key, first, today), daemon=True,
                                 name="dashboard-figures").start()
            return hit[1]
    with _scan_lock:  # a burst of first views waits for one scan rather than running one each
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None:
            return hit[1]
        chain = _scan_chain(database, first, today)
        with _cache_lock:
            for old in [k for k, (at, _c) in _cache.items() if time.monotonic() - at >= 10 * ttl]:
                del _cache[old]
            _cache[key] = (time.monotonic(), chain)
        return chain


def figures(today: dt.date, *, store_id: str | None = None, days: int = DAYS) -> Figures:
    """The last ``days`` business days up to ``today`` (headquarters' local date) for the chain,
    or for ``store_id`` only (a store manager's). Liability is valued at the active program's
    redemption rate (integer fen, rounded down); 0 fen before a program is published."""
    if not 1 <= days <= 366:
        raise InvalidInput("days", "from 1 to 366 days")
    first = today - dt.timedelta(days=days - 1)
    chain = _chain(first, today)
    program = authority.active_program()

    def fen(points: int) -> int:
        return program.redemption.value_fen(points) if program is not None else 0

    ids = set(chain.stores) | {s for _d, s in chain.per_day_store} | set(chain.liability_by_store)
    if store_id is not None:
        ids = {store_id}
    rows = {s: StoreFigures(store_id=s, name=chain.stores.get(s, "")) for s in sorted(ids)}
    by_day: dict[str, list[int]] = {(first + dt.timedelta(days=i)).isoformat(): [0, 0] for i in range(days)}
    today_text = today.isoformat()
    for (day, store), (issued, redeemed) in chain.per_day_store.items():
        row = rows.get(store)
        if row is None:
            continue
        row.issued += issued
        row.redeemed += redeemed
        if day == today_text:
            row.today_issued += issued
            row.today_redeemed += redeemed
        if day in by_day:
            by_day[day][0] += issued
            by_day[day][1] += redeemed
    for row in rows.values():
        row.liability = chain.liability_by_store.get(row.store_id, 0)
        row.liability_fen = fen(row.liability)
        row.active_members = chain.active_by_store.get(row.store_id, 0)
        row.tills = chain.tills_by_store.get(row.store_id, 0)
    stores = list(rows.values())
    liability = sum(r.liability for r in stores)
    active = sum(r.active_members for r in stores)
    return Figures(first=first, today=today, computed_at=chain.computed_at,
                   days=[(d, v[0], v[1]) for d, v in by_day.items()],
                   issued=sum(r.issued for r in stores), redeemed=sum(r.redeemed for r in stores),
                   today_issued=sum(r.today_issued for r in stores),
                   today_redeemed=sum(r.today_redeemed for r in stores),
                   liability=liability, liability_fen=fen(liability), active_members=active, stores=stores)


# -- the tills' sync health ------------------------------------------------------------------------

@dataclass(frozen=True)
class TillHealth:
    terminal_id: str
    store_id: str
    last_push_at: str | None
    last_pull_at: str | None
    waiting: int | None
    app_version: str | None
    clock_skew_s: int | None
    open_conflicts: int
    conflicts: int
    silent: bool
    silent_hours: int | None  # hours since it was last heard of (push or pull), None if never


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def tills(now: dt.datetime, *, store_id: str | None = None, hours: int | None = None) -> list[TillHealth]:
    """Every active till (of ``store_id`` only when given) with what it last reported, its
    reconciliation flags (open and all) and whether it has been silent (no push nor pull) for
    more than ``hours`` (the setting when not given)."""
    limit = silent_hours() if hours is None else hours
    at = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    where = "kind = 'till' AND active = ?"
    params: list[Any] = [True]
    if store_id is not None:
        where += " AND store_id = ?"
        params.append(store_id)
    rows = _query(f"""SELECT id, store_id, last_push_at, last_pull_at, waiting, app_version, clock_skew_s
                      FROM terminal WHERE {where} ORDER BY store_id, id""", tuple(params))
    flags: dict[str, tuple[int, int]] = {}
    if rows:
        marks = ", ".join("?" for _ in rows)
        for terminal_id, open_n, all_n in _query(
                f"""SELECT terminal_id, sum(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END), count(*)
                    FROM flag WHERE terminal_id IN ({marks}) GROUP BY terminal_id""",
                tuple(str(r[0]) for r in rows)):
            flags[str(terminal_id)] = (int(open_n or 0), int(all_n or 0))
    out = []
    for terminal_id, store, push, pull, waiting, version, skew in rows:
        heard = [t for t in (_parse_time(push), _parse_time(pull)) if t is not None]
        last = max(heard) if heard else None
        since = None if last is None else int((at - last).total_seconds() // 3600)
        open_n, all_n = flags.get(str(terminal_id), (0, 0))
        out.append(TillHealth(
            terminal_id=str(terminal_id), store_id=str(store), last_push_at=push, last_pull_at=pull,
            waiting=None if waiting is None else int(waiting), app_version=version,
            clock_skew_s=None if skew is None else int(skew), open_conflicts=open_n, conflicts=all_n,
            silent=last is None or at - last > dt.timedelta(hours=limit), silent_hours=since))
    return out
