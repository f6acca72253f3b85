"""Headquarters' member administration: search, a member's file, card revocation and point
adjustments with maker-checker approval (the console's members pages call these).

An adjustment is an ``adjust`` entry on headquarters' own chain (``projection.append_hq_entry``),
so it reaches every till holding the member through the change feed like any HQ entry. One
whose size is above ``console.adjust_approval_points`` (default 1000 points, either way) is
kept as a pending ``approval`` row first; a second person with the approve permission writes
it (or rejects it). Every step is audited in the same transaction as its change.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid as uuid_mod
from dataclasses import dataclass
from typing import Any, cast

from peewee import fn

from pos_app.core import lots as core_lots
from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from pos_app.core.members import normalize_phone, validate_card_number
from pos_app.core.replica import Effects, NewLot
from pos_app.core.text import normalize_input
from pos_app.hq import authority, db, projection
from pos_app.hq.projection import tuples
from pos_app.sync import protocol

APPROVAL_SETTING = "console.adjust_approval_points"
DEFAULT_APPROVAL_POINTS = 1000
ADJUST_KIND = "adjust"
MAX_SEARCH = 100
REASON_MIN, REASON_MAX = 2, 200
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PHONE_LIKE = re.compile(r"^(\+86|0086)?[\s\-]*1[0-9\s\-]{10,14}$")


_database = db.opened
_audit = db.audit


# -- search -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchResult:
    by: str  # phone | card | uuid | name | "" (nothing asked)
    rows: list[db.Member]
    more: bool


def search_members(text: str, *, store_id: str | None = None, limit: int = 20, offset: int = 0) -> SearchResult:
    """Members matching ``text``: a member uuid (the primary key), a mobile number (exact) or its
    first digits, a card number (exact), else a name prefix. ``store_id`` limits the search to
    one store's members (a store manager's). Paged by offset (a page is ``limit`` rows).

    Cost on PostgreSQL with 1 M members: uuid, a whole phone and a card are index look-ups
    (well under a millisecond). The first 3 to 10 digits of a mobile number are a range of the
    phone index read in phone order, so ``LIMIT`` stops the walk after one page (8 digits or
    more may also be a card: the two look-ups are OR-ed, at most 1,000 phones match). A name
    prefix is a range of the (name, uuid) index in code point order (migration 9; before it, a
    sequential scan of ``member``, 130-540 ms with 1 M members), names listed in that order.
    """
    if not isinstance(text, str):
        raise InvalidInput("q", "must be text")
    q = normalize_input(text).strip()
    if len(q) > 40:
        raise InvalidInput("q", "at most 40 characters")
    if not 1 <= limit <= MAX_SEARCH or offset < 0:
        raise InvalidInput("offset", "out of range")
    if not q:
        return SearchResult("", [], False)
    M = db.Member
    digits = re.sub(r"[\s\-]", "", q)
    order: tuple[Any, ...] = (M.name, M.uuid)
    if _UUID_RE.match(q.lower()):
        by, where = "uuid", M.uuid == q.lower()
    elif _PHONE_LIKE.match(q) and _is_phone(q):
        by, where = "phone", M.phone == normalize_phone(q, field="q")
    elif re.fullmatch(r"1[0-9]{2,9}", digits):
        # a phone's first digits: phones are 11 digits, and all-digit bounds of the same length
        # sort alike under any collation, so this is an index range
        pad = 11 - len(digits)
        by, where, order = "phone", M.phone.between(digits + "0" * pad, digits + "9" * pad), (M.phone, M.uuid)
        if len(digits) >= 8 and _is_card(digits):
            where = where | (M.card_no == digits)
    elif re.fullmatch(r"[0-9]{8,19}", digits) and _is_card(digits):
        by, where = "card", M.card_no == digits
    elif digits.isdigit():  # digits that are neither a phone nor a card: no name has them
        return SearchResult("card", [], False)
    else:
        # a name's first characters: a range of the (name, uuid) index in code point order (the
        # "C" collation on PostgreSQL, BINARY on SQLite: migration 9), read in that order so
        # ``LIMIT`` stops after a page; the SUBSTR keeps the match exact whatever the bounds
        name = M.name.collate('"C"') if db.is_postgres() else M.name
        by, where, order = "name", (name >= q) & (fn.SUBSTR(M.name, 1, len(q)) == q), (name, M.uuid)
        above = _after_prefix(q)
        if above is not None:
            where = where & (name < above)
    query = M.select().where(where)
    if store_id is not None:
        query = query.where(M.store_id == store_id)
    rows = list(query.order_by(*order).limit(limit + 1).offset(offset))
    return SearchResult(by, rows[:limit], len(rows) > limit)


def _after_prefix(prefix: str) -> str | None:
    """The first string in code point order after every string starting with ``prefix``: its
    last character the next one (surrogates skipped); None when there is no such string."""
    for i in range(len(prefix) - 1, -1, -1):
        code = ord(prefix[i]) + 1
        if 0xD800 <= code <= 0xDFFF:
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:i] + chr(code)
    return None


def _is_card(digits: str) -> bool:
    try:
        validate_card_number(digits, field="q")
    except InvalidInput:
        return False
    return True


def _is_phone(text: str) -> bool:
    try:
        normalize_phone(text, field="q")
    except InvalidInput:
        return False
    return True


# -- a member's file --------------------------------------------------------------------------------

def get_member(member_uuid: str, *, lock: bool = False) -> db.Member:
    """The member by uuid (NotFound otherwise); ``lock``: FOR UPDATE on PostgreSQL, until the
    caller's transaction ends (a balance checked stays the balance written against)."""
    if not isinstance(member_uuid, str) or not _UUID_RE.match(member_uuid):
        raise NotFound("member", "no such member")
    query = db.Member.select().where(db.Member.uuid == member_uuid)
    found = (projection.for_update(query) if lock else query).first()
    if found is None:
        raise NotFound("member", "no such member")
    return cast(db.Member, found)


def live_lots(member_uuid: str) -> list[db.Lot]:
    """The member's lots with points left, soonest expiry first (never-expiring last)."""
    L = db.Lot
    rows = list(L.select().where((L.member_uuid == member_uuid) & (L.remaining > 0)).limit(500))
    return sorted(rows, key=lambda lot: (lot.expires_on or "9999-12-31", lot.earned_on, lot.key))


@dataclass(frozen=True)
class HistoryPage:
    entries: list[dict[str, Any]]
    next_before: int | None  # the keyset of the next (older) page


def history(member_uuid: str, *, before: int | None = None, limit: int = 20) -> HistoryPage:
    """The member's ledger entries, newest first, by keyset on the entry id (an index range on
    ``member_uuid`` then a sort of that member's entries: cheap at any depth)."""
    E = db.Entry
    query = E.select(E.id, E.uuid, E.terminal_id, E.seq, E.store_id, E.kind, E.points, E.tier_points,
                     E.ref_type, E.ref_no, E.breakdown, E.created_at, E.business_date, E.staff_code)
    query = query.where(E.member_uuid == member_uuid)
    if before is not None:
        query = query.where(E.id < before)
    rows: list[dict[str, Any]] = [dict(r) for r in cast(Any, query.order_by(E.id.desc()).limit(limit + 1)).dicts()]
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        row["rules"] = breakdown_rows(str(row["kind"]), str(row["breakdown"] or ""))
    return HistoryPage(rows, int(rows[-1]["id"]) if more and rows else None)


def breakdown_rows(kind: str, text: str) -> list[tuple[str, str]]:
    """An entry's breakdown as (rule, points or value) rows: for an award of a sale, the
    purchase points, each multiplier and bonus, the daily cap's cut; otherwise its fields."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return [("breakdown", text[:200])]
    if not isinstance(data, dict):
        return [("breakdown", str(data)[:200])]
    rows: list[tuple[str, str]] = []
    if "credited_purchase" in data:
        rows.append(("purchase", str(data.get("credited_purchase"))))
        for m in data.get("sale_multipliers") or []:
            if isinstance(m, dict):
                rows.append((f"× {m.get('id')}", str(m.get("multiplier"))))
        for b in data.get("bonuses") or []:
            if isinstance(b, dict):
                rows.append((str(b.get("id")), str(b.get("points"))))
        cut = data.get("daily_cap_cut")
        if cut:
            rows.append(("daily_cap", f"-{cut}"))
        rows.append(("total", str(data.get("total"))))
        return rows
    for key, value in data.items():
        shown = value if isinstance(value, str | int) else json.dumps(value, ensure_ascii=False)
        rows.append((str(key), str(shown)[:200]))
    return rows


def stores_visited(member_uuid: str) -> list[tuple[str, int]]:
    """Distinct stores of the member's entries with their counts (headquarters' own excluded)."""
    E = db.Entry
    rows = tuples(E.select(E.store_id, fn.COUNT(E.id)).where((E.member_uuid == member_uuid)
                                                             & (E.store_id != db.HQ_CHAIN))
                  .group_by(E.store_id).order_by(fn.COUNT(E.id).desc(), E.store_id))
    return [(str(s), int(n)) for s, n in rows]


def coupons(member_uuid: str) -> list[db.Coupon]:
    C = db.Coupon
    return list(C.select().where(C.member_uuid == member_uuid).order_by(C.issued_at.desc()).limit(200))


def tier_months(member_uuid: str) -> list[tuple[str, int]]:
    T = db.TierMonth
    rows = tuples(T.select(T.month, T.points).where(T.member_uuid == member_uuid).order_by(T.month.desc()).limit(36))
    return [(str(m), int(p)) for m, p in rows]


def tier_history(member: db.Member, *, limit: int = 50) -> list[dict[str, Any]]:
    """Tier changes headquarters holds: the tills' ``tier`` events and headquarters' own decisions
    (``tier.upgrade`` audit rows), newest first.

    No index finds a member's rows in either table (``event`` is indexed by terminal and by
    store; an index on the tier events' ``ref`` would be a migration this part does not own).
    A till sends a member's tier event from a store where it served them, so the events are
    read through the store index of the member's home store and the stores of their entries:
    the cost is those stores' events (a store's share of the chain), not the chain's. The audit
    rows are a scan of ``audit`` (its tier decisions and the console's changes). The member's
    page therefore loads this part after itself (htmx), not with the page."""
    out: list[dict[str, Any]] = []
    member_uuid = str(member.uuid)
    stores = sorted({str(member.store_id), *(s for s, _n in stores_visited(member_uuid))} - {""})
    E = db.Event
    for at, terminal_id, store_id, payload in tuples(E.select(E.created_at, E.terminal_id, E.store_id, E.payload)
                                                     .where(E.store_id.in_(stores) & (E.kind == "tier")
                                                            & (E.ref == member_uuid))
                                                     .limit(500)):  # no ORDER BY: never an id walk
        try:
            p = json.loads(payload)
        except ValueError:
            p = {}
        out.append({"at": at, "source": terminal_id, "store_id": store_id, "from": p.get("from"),
                    "to": p.get("to"), "reason": p.get("reason")})
    A = db.Audit
    for at, actor, details in tuples(A.select(A.at, A.actor, A.details)
                                     .where((A.action == "tier.upgrade") & (A.ref == member_uuid))
                                     .order_by(A.id.desc()).limit(limit)):
        try:
            d = json.loads(details)
        except ValueError:
            d = {}
        out.append({"at": d.get("at") or at, "source": actor, "store_id": "", "from": d.get("from"),
                    "to": d.get("to"), "reason": "upgrade"})
    out.sort(key=lambda r: str(r["at"] or ""), reverse=True)
    return out[:limit]


def card_revoked(card_no: str | None) -> db.Revoked | None:
    if not card_no:
        return None
    return db.Revoked.get_or_none((db.Revoked.kind == "card") & (db.Revoked.value == card_no))


def revoke_card(member_uuid: str, reason: object, *, actor: str) -> dict[str, Any]:
    """Revoke the member's card at every till (``authority.revoke``), a reason required."""
    if not isinstance(reason, str) or not REASON_MIN <= len(reason.strip()) <= REASON_MAX:
        raise InvalidInput("reason", f"a reason of {REASON_MIN} to {REASON_MAX} characters is required")
    member = get_member(member_uuid)
    if not member.card_no:
        raise RuleViolation("card_no", "the member has no card")
    return authority.revoke("card", str(member.card_no), reason.strip(), actor=actor)


# -- adjustments and their approval -----------------------------------------------------------------

def approval_threshold() -> int:
    """Adjustments of more points than this (either way) need a second person's approval."""
    row = db.Setting.get_or_none(db.Setting.key == APPROVAL_SETTING)
    if row is None:
        return DEFAULT_APPROVAL_POINTS
    try:
        return max(int(str(row.value)), 0)
    except ValueError:
        return DEFAULT_APPROVAL_POINTS


def parse_points(raw: object) -> int:
    """A signed whole number of points, not zero (form text or int)."""
    if isinstance(raw, bool):
        raise InvalidInput("points", "a whole number of points, not 0, is required")
    if isinstance(raw, int):
        value = raw
    else:
        text = normalize_input(raw).strip().replace(",", "") if isinstance(raw, str) else ""
        if not re.fullmatch(r"[+-]?[0-9]{1,10}", text):
            raise InvalidInput("points", "a whole number of points, not 0, is required")
        value = int(text)
    if value == 0:
        raise InvalidInput("points", "a whole number of points, not 0, is required")
    if abs(value) > protocol.MAX_POINTS:
        raise InvalidInput("points", "at most a billion points")
    return value


def _reason(raw: object) -> str:
    text = normalize_input(raw).strip() if isinstance(raw, str) else ""
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise InvalidInput("reason", f"a reason of {REASON_MIN} to {REASON_MAX} characters is required")
    return text


def _check_adjustable(member: db.Member, points: int) -> None:
    if member.merged_into:
        raise RuleViolation("member", "the member was merged into another; adjust the surviving member")
    if points < 0 and -points > int(member.balance):
        raise InvalidInput("points", "a debit may not take the balance below zero")


@dataclass(frozen=True)
class AdjustOutcome:
    status: str  # done | pending
    points: int
    approval_id: int | None = None
    entry_uuid: str | None = None
    balance: int | None = None


def request_adjustment(member_uuid: str, points: object, reason: object, *, actor: str,
                       today: dt.date | None = None) -> AdjustOutcome:
    """Adjust a member's points by ``points`` for ``reason``: written at once up to the
    threshold, else kept for a second person's approval (``decide``)."""
    value = parse_points(points)
    why = _reason(reason)
    with db.writing(_database()):
        member = get_member(member_uuid, lock=True)
        _check_adjustable(member, value)
        threshold = approval_threshold()
        if abs(value) > threshold:
            row = db.Approval.create(kind=ADJUST_KIND, status="pending", ref=member.uuid,
                                     payload=json.dumps({"points": value, "reason": why}, ensure_ascii=False),
                                     made_by=actor, made_at=db.utcnow())
            _audit(actor, "member.adjust_requested", member.uuid, approval=row.id, points=value, reason=why,
                   threshold=threshold)
            return AdjustOutcome("pending", value, approval_id=int(row.id))
        entry = _write_adjustment(member.uuid, value, why, made_by=actor, approved_by=None, approval_id=None,
                                  today=today)
        _audit(actor, "member.adjust", member.uuid, points=value, reason=why, entry=entry["uuid"])
        balance = int(db.Member.get(db.Member.uuid == member.uuid).balance)
    return AdjustOutcome("done", value, entry_uuid=str(entry["uuid"]), balance=balance)


def _write_adjustment(member_uuid: str, points: int, reason: str, *, made_by: str, approved_by: str | None,
                      approval_id: int | None, today: dt.date | None) -> dict[str, Any]:
    """The ``adjust`` entry on headquarters' chain (inside the caller's transaction): a credit
    is a new lot expiring as the program says; a debit names the soonest-expiring live lots
    (the rule the tills use), taking nothing past the balance (checked by the caller)."""
    day = today or dt.datetime.now().date()
    program = authority.active_program()
    if points > 0:
        expires = core_lots.expiry_date(program.expiry, day) if program is not None else None
        effects = Effects(new=(NewLot(day, expires, points),))
    else:
        L = db.Lot
        lots = tuples(L.select(L.key, L.earned_on, L.expires_on, L.remaining)
                      .where((L.member_uuid == member_uuid) & (L.remaining > 0)))
        live = sorted(((k, e, x, int(r)) for k, e, x, r in lots if x is None or x >= day.isoformat()),
                      key=lambda t: (t[2] or "9999-12-31", t[1], t[0]))
        taken: list[tuple[str, int]] = []
        need = -points
        for key, _earned, _expires, remaining in live:
            if need <= 0:
                break
            take = min(need, remaining)
            taken.append((str(key), take))
            need -= take
        effects = Effects(taken=tuple(taken))
    ref_no = f"HQADJ-{approval_id}" if approval_id is not None else f"HQADJ-{uuid_mod.uuid4().hex[:12]}"
    breakdown: dict[str, Any] = {"reason": reason, "made_by": made_by}
    if approved_by is not None:
        breakdown["approved_by"] = approved_by
    return projection.append_hq_entry(
        member_uuid=member_uuid, kind=ADJUST_KIND, points=points, ref_type="adjust", ref_no=ref_no,
        breakdown=breakdown, effects=effects, business_date=day,
        program_version=program.version if program is not None else None,
    )


def pending_approvals(*, member_uuid: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Adjustments waiting for a checker (all, or one member's), oldest first (the status index)."""
    A = db.Approval
    query = A.select().where((A.kind == ADJUST_KIND) & (A.status == "pending"))
    if member_uuid is not None:
        query = query.where(A.ref == member_uuid)
    return [_approval_view(a) for a in query.order_by(A.id).limit(limit)]


def recent_decisions(*, limit: int = 20) -> list[dict[str, Any]]:
    A = db.Approval
    rows = list(A.select().where((A.kind == ADJUST_KIND) & (A.status != "pending")).order_by(A.id.desc())
                .limit(limit))
    return [_approval_view(a) for a in rows]


def _approval_view(a: db.Approval) -> dict[str, Any]:
    try:
        payload = json.loads(a.payload)
    except ValueError:
        payload = {}
    member = db.Member.get_or_none(db.Member.uuid == a.ref)
    return {"id": int(a.id), "status": a.status, "member_uuid": a.ref, "member": member,
            "points": payload.get("points"), "reason": payload.get("reason"), "made_by": a.made_by,
            "made_at": a.made_at, "checked_by": a.checked_by, "checked_at": a.checked_at, "note": a.note}


def decide(approval_id: object, *, approve: bool, actor: str, note: object = "",
           today: dt.date | None = None) -> AdjustOutcome:
    """A second person approves (the entry is written now) or rejects a pending adjustment.
    The maker cannot decide their own; a decided one cannot be decided again."""
    if isinstance(approval_id, bool) or not (isinstance(approval_id, int)
                                             or (isinstance(approval_id, str) and approval_id.isdigit())):
        raise InvalidInput("approval", "an approval number is required")
    number = int(approval_id)
    why = normalize_input(note).strip() if isinstance(note, str) else ""
    if len(why) > REASON_MAX:
        raise InvalidInput("note", f"at most {REASON_MAX} characters")
    with db.writing(_database()):
        query = db.Approval.select().where((db.Approval.id == number) & (db.Approval.kind == ADJUST_KIND))
        row = projection.for_update(query).first()
        if row is None:
            raise NotFound("approval", "no such approval")
        if row.status != "pending":
            raise Conflict("approval", "this adjustment was decided already")
        if row.made_by == actor:
            raise PermissionDenied("approval", "the maker of an adjustment cannot approve or reject it")
        payload = json.loads(row.payload)
        points, reason = int(payload["points"]), str(payload["reason"])
        now = db.utcnow()
        if not approve:
            db.Approval.update(status="rejected", checked_by=actor, checked_at=now, note=why).where(
                db.Approval.id == number).execute()
            _audit(actor, "member.adjust_rejected", row.ref, approval=number, points=points, made_by=row.made_by,
                   note=why)
            return AdjustOutcome("rejected", points, approval_id=number)
        member = get_member(row.ref, lock=True)
        _check_adjustable(member, points)
        entry = _write_adjustment(member.uuid, points, reason, made_by=row.made_by, approved_by=actor,
                                  approval_id=number, today=today)
        db.Approval.update(status="approved", checked_by=actor, checked_at=now, note=why,
                           result=json.dumps({"entry_uuid": entry["uuid"]})).where(
            db.Approval.id == number).execute()
        _audit(actor, "member.adjust_approved", member.uuid, approval=number, points=points, reason=reason,
               made_by=row.made_by, entry=entry["uuid"])
        balance = int(db.Member.get(db.Member.uuid == member.uuid).balance)
    return AdjustOutcome("approved", points, approval_id=number, entry_uuid=str(entry["uuid"]), balance=balance)
