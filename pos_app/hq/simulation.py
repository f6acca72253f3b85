"""Program simulation: the chain's real sales of the last days replayed under a draft program.

Every sale event that carries its lines (tills of release 13 and later) is earned again with
``core.earning.compute_earning``, the one function the tills use, with what headquarters knows of
the member at the time: the tier they held (their tier events), their birthday, their first
purchase, what they had earned that day (the daily cap). The figures are set beside what the
tills actually credited, per day, store, tier and rule, with the liability change at the draft's
redemption value and the members most affected. Integer arithmetic only (points, fen; the
multipliers are exact fractions inside ``compute_earning``).

Sales without lines (older tills) are counted and shown, not simulated; sales without a member
earn nothing under any program. Refunds are not replayed (their clawbacks follow the sale's
points proportionally under either program). Tiers are the ones members held: a draft with other
thresholds does not move anybody's tier in the replay.

Sales are read in batches, through a server-side cursor on PostgreSQL, in the order headquarters
received them; a member's daily cap and birthday bonus follow that order. What is read of a sale
is its facts (``sale_fact``: member, time, business date, points credited, points and coupons
paid, the lines as a compact JSON array), which ingest writes beside the event (migration 7 made
them for the sales received before it): parsing each event's whole JSON cost more than earning
its points again. On PostgreSQL ``workers`` processes share the members out by a hash of the
member's uuid (all of a member's sales in one process).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import heapq
import itertools
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from math import gcd
from typing import Any

import orjson

from pos_app.core.earning import EarnResult, SaleLine, compute_earning
from pos_app.core.errors import InvalidInput
from pos_app.core.members import is_birthday
from pos_app.core.program import Program, parse_program
from pos_app.hq import authority, db, feed
from pos_app.hq.projection import tuples

DEFAULT_DAYS = 90
MAX_DAYS = 366
TOP_MEMBERS = 20
BATCH = 5000
_IN_CHUNK = 900  # members looked up per query (SQLite allows 999 parameters)
_KNOWN_LINES = 200_000  # lines remembered by ``sale_lines`` in one replay
_cursor_numbers = itertools.count(1)

#: rows of the per-rule table that are not a rule of the program
BASE = "base"  # eligible fen / fen_per_point, before any multiplier
SALE_CAP = "sale_cap"  # cut by max_points_per_sale (negative)
DAILY_CAP = "daily_cap"  # cut by max_points_per_member_day (negative)


@dataclass
class Figures:
    """Sales counted, points actually credited and points the draft would have credited."""

    sales: int = 0
    actual: int = 0
    simulated: int = 0

    @property
    def change(self) -> int:
        return self.simulated - self.actual

    def add(self, actual: int, simulated: int) -> None:
        self.sales += 1
        self.actual += actual
        self.simulated += simulated


@dataclass(frozen=True)
class MemberChange:
    uuid: str
    name: str
    store_id: str
    sales: int
    actual: int
    simulated: int

    @property
    def change(self) -> int:
        return self.simulated - self.actual


@dataclass(frozen=True)
class RuleFigures:
    rule_id: str
    sales: int  # sales it changed the points of
    points: int  # points it accounts for (the per-rule rows add up to the simulated total)


@dataclass
class SimulationResult:
    program: Program  # the draft
    current_version: int | None  # the published program's version (None before the first)
    days: int
    since: dt.date
    until: dt.date  # inclusive
    total: Figures = field(default_factory=Figures)
    by_day: dict[str, Figures] = field(default_factory=dict)
    by_store: dict[str, Figures] = field(default_factory=dict)
    by_tier: dict[str, Figures] = field(default_factory=dict)
    by_rule: list[RuleFigures] = field(default_factory=list)
    top_members: list[MemberChange] = field(default_factory=list)
    members: int = 0  # members with a simulated sale
    no_lines: int = 0  # sales from tills before release 13: not simulated
    no_lines_points: int = 0  # what those sales credited
    without_member: int = 0  # sales without a member (no points either way)
    elapsed_ms: int = 0

    @property
    def change_points(self) -> int:
        return self.total.change

    @property
    def liability_change_fen(self) -> int:
        """The change in points owed to members, in fen at the draft's redemption value."""
        return value_fen(self.program, self.total.change)

    @property
    def actual_value_fen(self) -> int:
        return value_fen(self.program, self.total.actual)

    @property
    def simulated_value_fen(self) -> int:
        return value_fen(self.program, self.total.simulated)


def value_fen(program: Program, points: int) -> int:
    """Points in fen at the program's redemption value (rounded toward zero, either sign)."""
    fen = program.redemption.value_fen(abs(points))
    return fen if points >= 0 else -fen


def check_days(value: object) -> int:
    """The number of days to replay: a whole number from 1 to ``MAX_DAYS`` (text from a form)."""
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise InvalidInput("days", f"must be a whole number of days from 1 to {MAX_DAYS}")
    return value


# -- the per-sale part ---------------------------------------------------------------------------

def attribute(program: Program, earn: EarnResult) -> list[tuple[str, int]]:
    """The points of one sale split by rule, adding up exactly to ``earn.total``: the base rate,
    then each multiplier in the program's order (line multipliers, the tier, the sale
    multipliers) with the points it added on top of the ones before, the per-sale cap's cut,
    the flat bonuses and the daily cap's cut. Rules that change nothing are left out.
    Integers only: each weighted amount is kept as a numerator over a common denominator."""
    fpp = program.earning.fen_per_point
    lines = earn.lines
    total_eligible = 0
    multiplied = False
    for le in lines:
        total_eligible += le.eligible_fen
        if le.multiplier_ids:
            multiplied = True
    previous = total_eligible // fpp
    rows: list[tuple[str, int]] = [(BASE, previous)] if previous else []
    wn, wd = total_eligible, 1  # the weighted amount so far: wn / wd
    if multiplied:
        nums = [1] * len(lines)
        dens = [1] * len(lines)
        for lm in program.earning.line_multipliers:
            touched = False
            for i, le in enumerate(lines):
                if le.eligible_fen and lm.id in le.multiplier_ids:
                    nums[i] *= lm.multiplier.numerator
                    dens[i] *= lm.multiplier.denominator
                    touched = True
            if not touched:
                continue
            wd = 1
            for d in dens:
                if wd % d:
                    wd = wd * d // gcd(wd, d)
            wn = sum(le.eligible_fen * n * (wd // d) for le, n, d in zip(lines, nums, dens, strict=True))
            points = wn // (wd * fpp)
            if points != previous:
                rows.append((lm.id, points - previous))
            previous = points
    sn, sd = 1, 1
    for rule_id, multiplier in earn.sale_multipliers:
        if multiplier == 1:
            continue
        n, d = multiplier.numerator, multiplier.denominator
        sn *= n
        sd *= d
        points = (wn * sn) // (wd * sd * fpp)
        if points != previous:
            rows.append((rule_id, points - previous))
        previous = points
    if earn.purchase_points != earn.purchase_points_uncapped:
        rows.append((SALE_CAP, earn.purchase_points - earn.purchase_points_uncapped))
    rows.extend((bonus_id, points) for bonus_id, points in earn.bonuses)
    if earn.daily_cap_cut:
        rows.append((DAILY_CAP, -earn.daily_cap_cut))
    return rows


def sale_lines(text: str, known: dict[tuple[Any, ...], SaleLine] | None = None) -> list[SaleLine]:
    """A sale's lines (``sale_fact.lines``: ``[[line_no, sku, category, qty, unit_price_fen,
    discount_fen, flags], ...]``) as ``core.earning`` takes them. ``known`` remembers the lines
    made before (a chain sells the same products in the same quantities over and over: a look-up
    is several times cheaper than making the line again)."""
    out = []
    for raw in orjson.loads(text):
        try:
            key: tuple[Any, ...] | None = tuple(raw)
            line = known.get(key) if known is not None else None  # type: ignore[arg-type]
        except TypeError:  # a value headquarters' checks never let through: made, not remembered
            line, key = None, None
        if line is None:
            line_no, sku, category, qty, price, discount, flags = raw
            line = SaleLine(int(line_no), str(sku or ""), "", str(category or ""), int(qty), int(price),
                            int(discount or 0),
                            tuple(f for f in flags.split(",") if f) if isinstance(flags, str) and flags else ())
            if known is not None and key is not None:
                if len(known) >= _KNOWN_LINES:
                    known.clear()
                known[key] = line
        out.append(line)
    return out


#: the columns of ``sale_fact`` (migration 7), in the order ``sale_fact_row`` gives them
SALE_FACT_COLUMNS = ("event_id", "store_id", "member_uuid", "at", "business_date", "credited", "deduction_fen",
                     "lines")
_LINE_KEYS = ("line_no", "sku", "category", "qty", "unit_price_fen", "discount_fen", "flags")


def sale_fact_row(event_id: int, store_id: str, created_at: str, p: dict[str, Any]) -> tuple[Any, ...]:
    """What the simulation reads of one sale event (``payload`` ``p``, received as ``created_at``):
    the row ingest writes to ``sale_fact`` beside the event. Migration 7 made the same rows for
    the sales received before it, in SQL (tests/hq/test_db.py holds the two to each other)."""
    at = p.get("created_at")
    if not isinstance(at, str):
        at = created_at
    day = p.get("business_date")
    if not isinstance(day, str):
        day = at[:10]
    member = p.get("member")
    if "credited_purchase" not in p and "earned" in p:
        credited = int(p.get("earned") or 0)
    else:
        credited = int(p.get("credited_purchase") or 0) + int(p.get("credited_bonus") or 0)
    raw = p.get("lines")
    lines = orjson.dumps([[ln.get(k) for k in _LINE_KEYS] for ln in raw]).decode() if isinstance(
        raw, list) and raw else None
    return (event_id, store_id, member if isinstance(member, str) else None, at, day, credited,
            int(p.get("coupon_fen") or 0) + int(p.get("points_value_fen") or 0), lines)


def write_sale_facts(terminal_id: str, store_id: str, sales: list[dict[str, Any]]) -> None:
    """The facts of a push's sale events (``{"oid", "payload", "created_at"}``), once the events
    are written (a fact carries its event's id)."""
    if not sales:
        return
    ids = dict(tuples(db.Event.select(db.Event.oid, db.Event.id).where(
        (db.Event.terminal_id == terminal_id) & db.Event.oid.in_([ev["oid"] for ev in sales]))))
    feed.bulk_insert(db.SaleFact, SALE_FACT_COLUMNS, [
        sale_fact_row(int(ids[ev["oid"]]), store_id, str(ev["created_at"]), ev["payload"]) for ev in sales])


@dataclass
class _MemberState:
    """What the replay knows of one member: headquarters' record and the replay so far."""

    birthday: dt.date | None
    first_purchase_at: str | None
    tier_now: str
    store_id: str
    day: str = ""
    earned_today: int = 0
    birthday_years: set[int] = field(default_factory=set)
    had_sale: bool = False
    sales: int = 0
    actual: int = 0
    simulated: int = 0


class _TierHistory:
    """Members' tier changes as the tills and headquarters reported them (``tier`` events)."""

    def __init__(self) -> None:
        # uuid -> (at, event id, from, to)
        self.changes: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)

    def add(self, member_uuid: str, at: str, event_id: int, from_tier: str, to_tier: str) -> None:
        self.changes[member_uuid].append((at[:19], event_id, from_tier, to_tier))

    def sort(self) -> None:
        for history in self.changes.values():
            history.sort()

    def tier_at(self, member_uuid: str, at: str, event_id: int, now: str) -> str:
        """The tier a member held when the sale (time ``at``, event ``event_id``) started: the
        last change before it (at the same second, the one received first: an upgrade the sale
        caused comes after it and counts from the next sale); before the first change, its
        ``from``; without changes, the member's tier now."""
        history = self.changes.get(member_uuid)
        if not history:
            return now
        i = bisect.bisect_left(history, (at[:19], event_id))
        if i == 0:
            return history[0][2] or now
        return history[i - 1][3] or now


def _date(text: object) -> dt.date | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# -- reading ---------------------------------------------------------------------------------------

def _rows(database: Any, sql: str, params: tuple[Any, ...]) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a query in batches; on PostgreSQL through a server-side cursor (the result is
    never held whole), inside the caller's transaction."""
    if db.is_postgres(database):
        # DECLARE in the transaction peewee began (its connections run in autocommit, so a
        # psycopg2 named cursor would refuse): the server hands the rows out a batch at a time
        name = f"simulation_{next(_cursor_numbers)}"
        cursor = database.cursor()
        cursor.execute(f"DECLARE {name} NO SCROLL CURSOR FOR {sql.replace('?', '%s')}", params)
        try:
            while True:
                cursor.execute(f"FETCH {BATCH} FROM {name}")
                batch = cursor.fetchall()
                if not batch:
                    return
                yield batch
        finally:
            cursor.execute(f"CLOSE {name}")
            cursor.close()
    cursor = database.cursor()
    cursor.execute(sql, params)
    try:
        while True:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                return
            yield batch
    finally:
        cursor.close()


def _tier_history(database: Any) -> _TierHistory:
    history = _TierHistory()
    for batch in _rows(database, "SELECT id, ref, created_at, payload FROM event WHERE kind = ? ORDER BY id",
                       ("tier",)):
        for event_id, ref, created_at, payload in batch:
            p = orjson.loads(payload)
            at = p.get("at") if isinstance(p.get("at"), str) else created_at
            history.add(ref, str(at), int(event_id), str(p.get("from") or ""), str(p.get("to") or ""))
    history.sort()
    return history


def _load_members(uuids: list[str], into: dict[str, _MemberState]) -> None:
    M = db.Member
    for start in range(0, len(uuids), _IN_CHUNK):
        chunk = uuids[start:start + _IN_CHUNK]
        query = M.select(M.uuid, M.birthday, M.first_purchase_at, M.tier, M.store_id).where(M.uuid.in_(chunk))
        for u, birthday, first, tier, store in tuples(query):
            into[u] = _MemberState(birthday=_date(birthday), first_purchase_at=first or None,
                                   tier_now=tier or "", store_id=store or "")
    for u in uuids:  # a member headquarters has no record of: nothing known but the sales
        into.setdefault(u, _MemberState(birthday=None, first_purchase_at=None, tier_now="", store_id=""))


# -- the simulation --------------------------------------------------------------------------------

def simulate(draft_source: str, days: int = DEFAULT_DAYS, today: dt.date | None = None, *,
             top: int = TOP_MEMBERS, store_id: str | None = None, workers: int = 1,
             db_url: str | None = None) -> SimulationResult:
    """Replay the sales of the ``days`` business days up to ``today`` (inclusive) under the draft
    program (its TOML text; ``ProgramError`` naming the field when it is wrong, nothing read).
    Uses the bound headquarters database; reads only. ``store_id`` limits it to one store.

    On PostgreSQL, ``workers`` processes (each connecting to ``db_url``) replay a share of the
    members each (by a hash of the member's uuid, so a member's day stays in one process) and
    the parts are added up; on SQLite, or with one worker, it runs in this thread."""
    started = time.perf_counter()
    program = parse_program(draft_source)
    days = check_days(days)
    today = today or dt.date.today()
    since = today - dt.timedelta(days=days - 1)
    database = db.proxy.obj
    with database.connection_context():
        current = authority.active_program()
    if workers > 1 and db_url is not None and db.is_postgres(database):
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            parts = list(pool.map(_part_in_process, [
                (db_url, draft_source, since, today, store_id, (k, workers), top) for k in range(workers)]))
    else:
        with database.connection_context():
            parts = [_replay(program, since, today, store_id=store_id, part=None, top=top)]
    result = _merge(parts, top)
    result.current_version = current.version if current else None
    with database.connection_context():
        names = {u: name for u, name in tuples(db.Member.select(db.Member.uuid, db.Member.name).where(
            db.Member.uuid.in_([m.uuid for m in result.top_members])))} if result.top_members else {}
    result.top_members = [dataclasses.replace(m, name=names.get(m.uuid, "")) for m in result.top_members]
    result.elapsed_ms = int((time.perf_counter() - started) * 1000)
    return result


def _part_in_process(args: tuple[str, str, dt.date, dt.date, str | None, tuple[int, int], int]
                     ) -> SimulationResult:
    """One worker's share (a process of its own: its own connection)."""
    db_url, source, since, today, store_id, part, top = args
    database = db.connect(db_url)
    try:
        return _replay(parse_program(source), since, today, store_id=store_id, part=part, top=top)
    finally:
        db.close_pool(database)


def _merge(parts: list[SimulationResult], top: int) -> SimulationResult:
    """The workers' parts added up (each member's sales are in one part only)."""
    out = parts[0]
    for part in parts[1:]:
        for mine, theirs in ((out.by_day, part.by_day), (out.by_store, part.by_store), (out.by_tier, part.by_tier)):
            for key, f in theirs.items():
                figures = mine.setdefault(key, Figures())
                figures.sales += f.sales
                figures.actual += f.actual
                figures.simulated += f.simulated
        out.total.sales += part.total.sales
        out.total.actual += part.total.actual
        out.total.simulated += part.total.simulated
        by_rule = {r.rule_id: r for r in out.by_rule}
        for r in part.by_rule:
            held = by_rule.get(r.rule_id)
            by_rule[r.rule_id] = r if held is None else RuleFigures(r.rule_id, held.sales + r.sales,
                                                                      held.points + r.points)
        out.by_rule = list(by_rule.values())
        out.top_members = out.top_members + part.top_members
        out.members += part.members
        out.no_lines += part.no_lines
        out.no_lines_points += part.no_lines_points
        out.without_member += part.without_member
    out.top_members = sorted(out.top_members, key=lambda m: (-abs(m.change), m.uuid))[:top]
    out.by_day = dict(sorted(out.by_day.items()))
    return out


def _replay(program: Program, since: dt.date, today: dt.date, *, store_id: str | None,
            part: tuple[int, int] | None, top: int) -> SimulationResult:
    """The replay itself (see ``simulate``), of one part of the members when ``part`` is
    (k, n) (PostgreSQL), in the caller's connection; names of the members not looked up.
    It reads the sales' facts (``sale_fact``, written by ingest), not the events' JSON."""
    database = db.proxy.obj
    days = (today - since).days + 1
    result = SimulationResult(program=program, current_version=None, days=days, since=since, until=today)
    for i in range(days):
        result.by_day[(since + dt.timedelta(days=i)).isoformat()] = Figures()
    sql = ("SELECT event_id, store_id, member_uuid, at, business_date, credited, deduction_fen, lines FROM sale_fact"
           " WHERE business_date >= ? AND business_date <= ?")
    params: tuple[Any, ...] = (since.isoformat(), today.isoformat())
    if store_id is not None:
        sql += " AND store_id = ?"
        params = (*params, store_id)
    if part is not None:  # PostgreSQL only: a share of the members (a member's sales all in one)
        sql += " AND mod(hashtext(coalesce(member_uuid, ''))::bigint + 2147483648, ?) = ?"
        params = (*params, part[1], part[0])
    sql += " ORDER BY event_id"
    with database.atomic():
        replay = _Replay(program, result, _tier_history(database))
        members = replay.members
        for batch in _rows(database, sql, params):
            unknown = list({row[2] for row in batch if row[2] is not None and row[2] not in members})
            if unknown:
                _load_members(unknown, members)
            sale = replay.sale
            for row in batch:
                sale(*row)
    result.top_members = _top_members(members, top)
    result.by_rule = [RuleFigures(rule_id, sales, points) for rule_id, (sales, points) in replay.rules.items()]
    result.members = sum(1 for m in members.values() if m.sales)
    return result


class _Replay:
    """One replay's state: the members as the replay goes, the per-rule sums, what is remembered
    (the sales' lines, the days) to keep the cost of a sale down."""

    def __init__(self, program: Program, result: SimulationResult, tiers: _TierHistory) -> None:
        self.program = program
        self.result = result
        self.tiers = tiers
        self.members: dict[str, _MemberState] = {}
        self.rules: dict[str, list[int]] = {BASE: [0, 0]}
        for rule_id in (*(lm.id for lm in program.earning.line_multipliers),
                        *(f"tier:{t.id}" for t in program.tiers.tiers),
                        *(sm.id for sm in program.earning.sale_multipliers),
                        *(b.id for b in program.earning.bonuses)):
            self.rules[rule_id] = [0, 0]
        self.birthday_ids = frozenset(b.id for b in program.earning.bonuses if b.kind == "birthday")
        self.lowest_tier = program.tiers.tiers[0].id
        self.known_lines: dict[tuple[Any, ...], SaleLine] = {}
        self.days: dict[str, dt.date] = {}

    def sale(self, event_id: int, store: str, member_uuid: str | None, at_text: str, day: str, actual: int,
             deduction_fen: int, lines: str | None) -> None:
        """One sale, from its facts (a ``sale_fact`` row)."""
        result = self.result
        if member_uuid is None:
            result.without_member += 1
            return
        if lines is None:
            result.no_lines += 1
            result.no_lines_points += actual
            return
        m = self.members[member_uuid]
        at = dt.datetime.fromisoformat(at_text)
        if at.tzinfo is not None:
            at = at.replace(tzinfo=None)  # the store's wall clock, which the rules speak of
        tier_id = self.tiers.tier_at(member_uuid, at_text, event_id, m.tier_now) or self.lowest_tier
        if m.day != day:
            m.day, m.earned_today = day, 0
        first = not m.had_sale and (m.first_purchase_at is None or m.first_purchase_at[:19] >= at_text[:19])
        sale_day = self.days.get(day)
        if sale_day is None:
            sale_day = self.days[day] = dt.date.fromisoformat(day)
        birthday = is_birthday(m.birthday, sale_day) and sale_day.year not in m.birthday_years
        earn = compute_earning(
            self.program, sale_lines(lines, self.known_lines), at=at, tier_id=tier_id, deduction_fen=deduction_fen,
            first_purchase=first, birthday=birthday, earned_today=m.earned_today,
        )
        simulated = earn.total
        m.had_sale = True
        m.earned_today += simulated
        if birthday and any(bonus_id in self.birthday_ids for bonus_id, _ in earn.bonuses):
            m.birthday_years.add(sale_day.year)
        m.sales += 1
        m.actual += actual
        m.simulated += simulated
        m.store_id = m.store_id or store
        rules = self.rules
        for rule_id, points in attribute(self.program, earn):
            row = rules.get(rule_id)
            if row is None:
                row = rules[rule_id] = [0, 0]
            row[0] += 1
            row[1] += points
        result.total.add(actual, simulated)
        for groups, key in ((result.by_day, day), (result.by_store, store), (result.by_tier, tier_id)):
            figures = groups.get(key)
            if figures is None:
                figures = groups[key] = Figures()
            figures.add(actual, simulated)


def _top_members(members: dict[str, _MemberState], top: int) -> list[MemberChange]:
    """The members whose points change most (either way); names are looked up by ``simulate``."""
    chosen = heapq.nlargest(top, ((abs(m.simulated - m.actual), u) for u, m in members.items()
                                  if m.sales and m.simulated != m.actual))
    return [MemberChange(uuid=u, name="", store_id=members[u].store_id, sales=members[u].sales,
                         actual=members[u].actual, simulated=members[u].simulated) for _, u in chosen]
