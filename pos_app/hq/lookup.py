"""Online member lookup and member history, headquarters' side (``POST /v1/members/lookup``,
``GET /v1/members/{uuid}/history``).

A till that identifies a member it does not hold, or holds a stale copy of, asks here in one
signed request. The answer is everything the till needs to hold the member with all their
entries, so its own checks of the chain-wide rules (first purchase, birthday bonus, per-member
gift limit, monthly redemption cap, daily earning cap, once-only awards) count what every
store did: the member record, every entry headquarters holds of the member (the feed's wire
form, with effects), the member's coupons, and the counters of those rules as headquarters
counts them (``counters``: for the till's display and as a cross-check; the till decides on
the entries it then holds, with the same code as always).

Order of work (one transaction): the member's row is locked (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite every write transaction is serialised already), the till is subscribed
to the member, then the entries are read. A push takes the same row lock before it reads
the subscriptions it fans out to, so an entry committed by a push is either in this answer or
in the till's feed afterwards, never in neither.

A member with a long history is answered in pages of at most ``PAGE_ENTRIES`` entries in
headquarters' entry id order; ``after`` (the last id of the previous page) asks for the next.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from pos_app.core.chain import HASHED_FIELDS
from pos_app.core.errors import InvalidInput, NotFound
from pos_app.core.program import Program
from pos_app.hq import db, events, feed, flags
from pos_app.hq.projection import for_update, tuples
from pos_app.sync import protocol

#: entries per lookup answer (about 600 bytes each on the wire: ~3 MB)
PAGE_ENTRIES = 5000
#: entries per history page at most, and by default
MAX_HISTORY_PAGE = 500
DEFAULT_HISTORY_PAGE = 100
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_CARD_RE = re.compile(r"^[0-9]{8,19}$")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ENTRY_COLS = ", ".join(f'"{c}"' for c in (*HASHED_FIELDS, "hash", "effects"))


def parse_request(data: object) -> tuple[str, int, str | None]:
    """(ref, after, day) of a lookup body, each checked; the error names the field."""
    if not isinstance(data, dict):
        raise InvalidInput("body", "a JSON object is required")
    unknown = sorted(set(data) - {"ref", "after", "day"})
    if unknown:
        raise InvalidInput(unknown[0], "not a field of a member lookup (ref, after, day)")
    ref = data.get("ref")
    if not isinstance(ref, str) or not (protocol.UUID_RE.match(ref) or _PHONE_RE.match(ref) or _CARD_RE.match(ref)):
        raise InvalidInput("ref", "a card number (8 to 19 digits), a mobile number (11 digits) or a member uuid"
                                  " is required")
    after = data.get("after", 0)
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**62:
        raise InvalidInput("after", "the last entry id of the previous page (a whole number, 0 or more) is required")
    day = data.get("day")
    if day is not None:
        if not isinstance(day, str) or not _DAY_RE.match(day):
            raise InvalidInput("day", "the till's business date (YYYY-MM-DD) is required")
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            raise InvalidInput("day", f"not a date: {day!r}") from None
    return ref, after, day


def _find(ref: str) -> str | None:
    """The member uuid ``ref`` names (uuid, phone or card), None if headquarters has none."""
    M = db.Member
    if protocol.UUID_RE.match(ref):
        row = M.select(M.uuid).where(M.uuid == ref).tuples().first()
        return str(row[0]) if row else None
    columns = (M.phone, M.card_no) if _PHONE_RE.match(ref) else (M.card_no,)
    for col in columns:
        row = M.select(M.uuid, M.merged_into).where(col == ref).order_by(M.enrolled_at, M.uuid).tuples().first()
        if row:
            return _surviving(str(row[0]), row[1])
    return None


def _surviving(member_uuid: str, merged_into: str | None) -> str:
    """A member merged into another (``hq.merge``) is answered with the surviving member."""
    for _ in range(5):
        if not merged_into:
            return member_uuid
        member_uuid = merged_into
        row = db.Member.select(db.Member.merged_into).where(db.Member.uuid == member_uuid).tuples().first()
        merged_into = row[0] if row else None
    return member_uuid


def lookup(terminal: db.Terminal, data: object) -> dict[str, Any]:
    """The answer to ``POST /v1/members/lookup`` from ``terminal`` (a till)."""
    ref, after, day = parse_request(data)
    with db.writing(db.proxy.obj):
        member_uuid = _find(ref)
        if member_uuid is None:
            raise NotFound("ref", "headquarters has no member with this card, phone or uuid")
        M = db.Member
        member = for_update(M.select().where(M.uuid == member_uuid)).get()  # a push waits for us, or we for it
        now = db.utcnow()
        feed.subscribe(terminal.id, member_uuid, at=now)  # its changes reach the till's feed from now on
        entries, last_id, more = _entries(member_uuid, after)
        coupons = [] if after else [events.coupon_data(c) for c in
                                    db.Coupon.select().where(db.Coupon.member_uuid == member_uuid)
                                    .order_by(db.Coupon.issued_at, db.Coupon.code)]
        today = day or now[:10]
        answer: dict[str, Any] = {
            "member": feed.member_data(member),
            "entries": entries,
            "after": last_id,
            "more": more,
            "hq_time": now,
        }
        if not after:
            answer["coupons"] = coupons
            answer["counters"] = counters(member, today)
    return answer


def _entries(member_uuid: str, after: int) -> tuple[list[dict[str, Any]], int, bool]:
    """The member's entries after HQ entry id ``after`` in wire form, at most ``PAGE_ENTRIES``;
    (entries, the last id, whether more follow)."""
    database = db.proxy.obj
    mark = database.param
    rows = database.execute_sql(
        f"SELECT id, {_ENTRY_COLS} FROM entry WHERE member_uuid = {mark} AND id > {mark} ORDER BY id LIMIT {mark}",
        (member_uuid, after, PAGE_ENTRIES + 1)).fetchall()
    more = len(rows) > PAGE_ENTRIES
    rows = rows[:PAGE_ENTRIES]
    names = (*HASHED_FIELDS, "hash")
    out = []
    for row in rows:
        wire = dict(zip(names, row[1:-1], strict=True))
        wire["backdated"] = bool(wire["backdated"])
        wire["effects"] = json.loads(row[-1])
        out.append(wire)
    return out, (int(rows[-1][0]) if rows else after), more


def counters(member: db.Member, day: str) -> dict[str, Any]:
    """The chain-wide rules' counters for the member as headquarters counts them on ``day``
    (the till's business date): first purchase done, the birthday bonus this year, points
    redeemed this month and each gift's count this month, points earned today, and each
    award's count (all time and today). Counted like the reconciliation flags count
    (``flags._limit_counts``), so a till and headquarters agree on what a limit holds."""
    programs: dict[int, Program | None] = {}
    uuid = member.uuid
    first_purchase = bool(member.first_purchase_at) or flags._first_grant(uuid, "first_purchase", "", programs) \
        is not None
    birthday = flags._first_grant(uuid, "birthday", day[:4], programs) is not None
    month = day[:7]
    E = db.Entry
    rows = tuples(
        E.select(E.kind, E.points, E.ref_no, E.business_date, E.breakdown)
        .where((E.member_uuid == uuid) & E.kind.in_(("earn", "redeem", "gift", "return", "award"))
               & ((E.kind == "award") | (E.business_date >= month + "-01"))))
    paid_months: dict[tuple[str, str], str] = {}
    totals: dict[tuple[str, ...], int] = {}
    for kind, points, ref_no, business_date, breakdown in sorted(rows, key=lambda r: r[0] not in ("redeem", "gift")):
        for key, amount in flags._limit_counts(uuid, str(kind), int(points), str(ref_no), str(business_date),
                                               breakdown, paid_months):
            totals[key] = totals.get(key, 0) + amount
    gifts = {key[3]: n for key, n in totals.items() if key[0] == "gift_limit" and key[2] == month}
    awards = {key[2]: n for key, n in totals.items() if key[0] == "award"}
    awards_today = {key[2]: n for key, n in totals.items() if key[0] == "award_day" and key[3] == day}
    return {
        "day": day,
        "first_purchase_done": first_purchase,
        "birthday_bonus_this_year": birthday,
        "redeemed_points_month": totals.get(("redeem_cap", uuid, month), 0),
        "gifts_month": dict(sorted(gifts.items())),
        "earned_points_today": totals.get(("daily_cap", uuid, day), 0),
        "awards": dict(sorted(awards.items())),
        "awards_today": dict(sorted(awards_today.items())),
    }


def parse_history_query(before: int | None, limit: int | None) -> tuple[int | None, int]:
    if before is not None and before < 1:
        raise InvalidInput("before", "an entry id of 1 or more is required")
    if limit is None:
        limit = DEFAULT_HISTORY_PAGE
    if not 1 <= limit <= MAX_HISTORY_PAGE:
        raise InvalidInput("limit", f"a whole number from 1 to {MAX_HISTORY_PAGE} is required")
    return before, limit


def history(member_uuid: str, *, before: int | None, limit: int) -> dict[str, Any]:
    """The member's entries newest first (by headquarters' entry id), ``limit`` at most, those
    before id ``before`` when given: where (store and till), what, how many points, the
    business date and the breakdown. ``before`` of the next page is ``next_before``; ``balance``
    is the member's balance at headquarters now (after the newest entry)."""
    if not protocol.UUID_RE.match(member_uuid):
        raise InvalidInput("uuid", "a member uuid is required")
    member = db.Member.get_or_none(db.Member.uuid == member_uuid)
    if member is None:
        raise NotFound("uuid", "headquarters has no member with this uuid")
    E = db.Entry
    query = (E.select(E.id, E.uuid, E.store_id, E.terminal_id, E.seq, E.kind, E.points, E.tier_points, E.ref_type,
                      E.ref_no, E.business_date, E.created_at, E.staff_code, E.breakdown)
             .where(E.member_uuid == member_uuid))
    if before is not None:
        query = query.where(E.id < before)
    rows = tuples(query.order_by(E.id.desc()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    names = ("id", "uuid", "store_id", "terminal_id", "seq", "kind", "points", "tier_points", "ref_type", "ref_no",
             "business_date", "created_at", "staff_code", "breakdown")
    out = []
    for row in rows:
        item = dict(zip(names, row, strict=True))
        try:
            item["breakdown"] = json.loads(item["breakdown"]) if item["breakdown"] else {}
        except ValueError:
            item["breakdown"] = {}
        out.append(item)
    return {"entries": out, "more": more, "next_before": out[-1]["id"] if more else None,
            "balance": int(member.balance), "hq_time": db.utcnow()}
