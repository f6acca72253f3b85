"""Merging two members (issue 14, item 6) as entries on headquarters' own chain.

Nobody's chain is rewritten. For the member merged away (the *source*) headquarters appends a
``merge_out`` debit that takes every lot with points left, by name; for the surviving member
(the *target*) a ``merge_in`` credit that creates one lot per lot taken, with the same earned
day and the same last valid day, so expiry stays exact. A source in debt gets a ``merge_out``
credit paying its debt and the target a ``merge_in`` debit of the same size (naming the
target's soonest-expiring lots; what they cannot cover becomes the target's debt). So the
target's balance grows by exactly the source's balance, and the source ends at 0, no debt.
The target keeps the higher of the two tiers. The source's record gets status ``merged`` and
``merged_into`` = target; on the wire it is sent as ``frozen`` with ``merged_into`` (a till of
an older build refuses a frozen member; a current one follows ``merged_into``).

The tills that hold the source (its home store's tills and the tills subscribed to it) are
subscribed to the target and sent the target's earlier entries, then everything the merge
wrote, so the target's balance on them is the full sum. One write transaction, audited
(``member.merge``); on PostgreSQL both members' rows are locked (uuid order) until the commit.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, cast

from peewee import Database

from pos_app.core import lots as core_lots
from pos_app.core.chain import canonical_json
from pos_app.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from pos_app.core.members import normalize_phone, validate_card_number
from pos_app.core.replica import Effects, NewLot
from pos_app.core.text import normalize_input
from pos_app.hq import authority, db, feed, projection
from pos_app.hq.projection import select_in, tuples
from pos_app.sync import protocol

MERGE_OUT, MERGE_IN = "merge_out", "merge_in"
MERGED = "merged"
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _database() -> Database:
    database = db.proxy.obj
    if database is None:
        raise InvalidInput("db", "the headquarters database is not open")
    return cast(Database, database)


# -- finding the two members ------------------------------------------------------------------------

def find_member(ref: object, *, field_name: str, exclude: str | None = None) -> db.Member:
    """The member ``ref`` names: a uuid, a mobile number or a card number (exact). A phone two
    members share (a duplicate pair) names the one that is not ``exclude`` and not merged; if
    that is still several, the card or uuid is asked for."""
    text = normalize_input(ref).strip() if isinstance(ref, str) else ""
    if not text:
        raise InvalidInput(field_name, "a phone, card number or member uuid is required")
    if len(text) > 40:
        raise InvalidInput(field_name, "at most 40 characters")
    M = db.Member
    digits = re.sub(r"[\s\-]", "", text)
    if _UUID_RE.match(text.lower()):
        where = M.uuid == text.lower()
    elif re.fullmatch(r"(\+86|0086)?1[0-9]{10}", digits):
        where = M.phone == normalize_phone(digits, field=field_name)
    elif re.fullmatch(r"[0-9]{8,19}", digits):
        where = M.card_no == validate_card_number(digits, field=field_name)
    else:
        raise InvalidInput(field_name, "a phone, card number or member uuid is required")
    rows = list(M.select().where(where).order_by(M.enrolled_at, M.uuid).limit(20))
    if len(rows) > 1:
        rows = [r for r in rows if r.uuid != exclude and not r.merged_into] or rows
    if not rows:
        raise NotFound(field_name, "no member with this phone, card or uuid")
    if len(rows) > 1:
        raise InvalidInput(field_name, "several members have this phone: give the card number or uuid")
    return rows[0]


def _get(member_uuid: str, field_name: str) -> db.Member:
    found = db.Member.get_or_none(db.Member.uuid == member_uuid) if isinstance(member_uuid, str) else None
    if found is None:
        raise NotFound(field_name, "no member with this phone, card or uuid")
    return found


# -- the plan ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LotMove:
    key: str
    earned_on: str
    expires_on: str | None
    points: int


@dataclass(frozen=True)
class MergePlan:
    """What merging ``source`` into ``target`` does (shown before confirming, then written)."""

    source: db.Member
    target: db.Member
    lots: tuple[LotMove, ...]  # the source's lots with points left, moved as they are
    debt: int  # the source's debt, moved to the target
    tier: str  # the target's tier afterwards
    tier_since: str
    balance_after: int  # the target's balance afterwards
    warnings: tuple[str, ...] = field(default=())

    @property
    def points(self) -> int:
        return sum(lot.points for lot in self.lots)


def _tier_order() -> list[str]:
    program = authority.active_program()
    return [t.id for t in program.tiers.tiers] if program is not None else []


def _check_pair(source: db.Member, target: db.Member) -> None:
    if source.uuid == target.uuid:
        raise InvalidInput("target", "a member cannot be merged into itself")
    if source.merged_into:
        raise Conflict("source", "this member was merged into another already")
    if target.merged_into:
        raise RuleViolation("target", "the member was merged into another; merge into the surviving member")


def plan_merge(source_uuid: str, target_uuid: str) -> MergePlan:
    """What the merge would do, without writing (``merge_members`` writes it)."""
    source, target = _get(source_uuid, "source"), _get(target_uuid, "target")
    return _plan(source, target)


def _plan(source: db.Member, target: db.Member) -> MergePlan:
    _check_pair(source, target)
    L = db.Lot
    rows = tuples(L.select(L.key, L.earned_on, L.expires_on, L.remaining)
                  .where((L.member_uuid == source.uuid) & (L.remaining > 0)))
    lots = tuple(sorted((LotMove(str(k), str(e), str(x) if x else None, int(r)) for k, e, x, r in rows),
                        key=lambda m: (m.expires_on or "9999-12-31", m.earned_on, m.key)))
    order = _tier_order()
    rank = {t: i for i, t in enumerate(order)}
    tier, since = str(target.tier), str(target.tier_since)
    if rank.get(str(source.tier), -1) > rank.get(tier, -1):
        tier, since = str(source.tier), str(source.tier_since)
    warnings: list[str] = []
    if sum(m.points for m in lots) - int(source.debt) != int(source.balance):
        warnings.append("the source's balance is not its lots less its debt")
    return MergePlan(source=source, target=target, lots=lots, debt=int(source.debt), tier=tier, tier_since=since,
                     balance_after=int(target.balance) + int(source.balance), warnings=tuple(warnings))


# -- writing -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MergeOutcome:
    source_uuid: str
    target_uuid: str
    points: int  # points moved in lots
    debt: int  # debt moved
    entries: tuple[str, ...]  # the uuids of the entries written
    balance: int  # the target's balance afterwards
    tier: str
    subscribed: tuple[str, ...]  # tills now subscribed to the target (they held the source)


def merge_members(source_ref: object, target_ref: object, *, actor: str,
                  today: dt.date | None = None) -> MergeOutcome:
    """Merge the member ``source_ref`` names into the member ``target_ref`` names (uuid, phone or
    card). Refused: one member twice, a source merged already, a target merged into another."""
    source_hint = find_member(source_ref, field_name="source")
    target_hint = find_member(target_ref, field_name="target", exclude=source_hint.uuid)
    day = today or dt.datetime.now().date()
    with db.writing(_database()):
        proj = projection.Projection()
        proj.load_members([source_hint.uuid, target_hint.uuid])  # locked, in uuid order
        source, target = _get(source_hint.uuid, "source"), _get(target_hint.uuid, "target")
        plan = _plan(source, target)
        subscribed = _subscribe_holders(source.uuid, target)
        entries = _write(proj, plan, day=day, actor=actor)
        src_row, tgt_row = proj.members[source.uuid], proj.members[target.uuid]
        src_row.status, src_row.merged_into = MERGED, target.uuid
        if plan.tier != tgt_row.tier:
            tgt_row.tier, tgt_row.tier_since = plan.tier, plan.tier_since
            proj.tier_dirty.add(target.uuid)
        proj.dirty[source.uuid] = None  # the source's record first: a till frees its numbers before the target's
        proj.dirty[target.uuid] = None
        proj.write()
        db.Member.update(status=MERGED, merged_into=target.uuid).where(db.Member.uuid == source.uuid).execute()
        proj.changes.flush(locked=proj.members)
        balance = int(db.Member.get(db.Member.uuid == target.uuid).balance)
        db.Audit.create(at=db.utcnow(), actor=actor, action="member.merge", ref=source.uuid, details=json.dumps({
            "source": source.uuid, "target": target.uuid, "points": plan.points, "debt": plan.debt,
            "lots": len(plan.lots), "entries": entries, "tier": plan.tier, "balance": balance,
            "subscribed": subscribed}, sort_keys=True, ensure_ascii=False))
    return MergeOutcome(source.uuid, target.uuid, plan.points, plan.debt, tuple(entries), balance, plan.tier,
                        tuple(subscribed))


def _write(proj: projection.Projection, plan: MergePlan, *, day: dt.date, actor: str) -> list[str]:
    """The merge's entries, applied in memory (written by ``proj.write``)."""
    source, target = plan.source.uuid, plan.target.uuid
    program = authority.active_program()
    version = program.version if program is not None else None
    proj.load_live_lots(source)
    proj.load_live_lots(target)
    ref_no = f"MERGE-{source}"
    common: dict[str, Any] = {"ref_type": "merge", "ref_no": ref_no, "business_date": day, "program_version": version}
    out: list[str] = []
    if plan.lots:
        moved = [[m.key, m.earned_on, m.expires_on, m.points] for m in plan.lots]
        wire = proj.append_hq(member_uuid=source, kind=MERGE_OUT, points=-plan.points,
                              breakdown={"into": target, "lots": moved, "made_by": actor},
                              effects=Effects(taken=tuple((m.key, m.points) for m in plan.lots)), **common)
        out.append(str(wire["uuid"]))
        new = tuple(NewLot(dt.date.fromisoformat(m.earned_on),
                           dt.date.fromisoformat(m.expires_on) if m.expires_on else None, m.points)
                    for m in plan.lots)
        wire = proj.append_hq(member_uuid=target, kind=MERGE_IN, points=plan.points,
                              breakdown={"from": source, "lots": moved, "made_by": actor},
                              effects=Effects(new=new), **common)
        out.append(str(wire["uuid"]))
    if plan.debt:
        # the source's debt: paid off on the source by a lot that lapses today, owed by the target
        expires = core_lots.expiry_date(program.expiry, day) if program is not None else None
        wire = proj.append_hq(member_uuid=source, kind=MERGE_OUT, points=plan.debt,
                              breakdown={"into": target, "debt": plan.debt, "made_by": actor},
                              effects=Effects(new=(NewLot(day, expires, plan.debt),)), **common)
        out.append(str(wire["uuid"]))
        live = sorted((lot for lot in proj.lots[target].values() if lot.remaining > 0
                       and (lot.expires_on is None or lot.expires_on >= day)), key=lambda lot: lot.sort_key)
        taken: list[tuple[str, int]] = []
        need = plan.debt
        for lot in live:
            if need <= 0:
                break
            take = min(need, lot.remaining)
            taken.append((lot.key, take))
            need -= take
        wire = proj.append_hq(member_uuid=target, kind=MERGE_IN, points=-plan.debt,
                              breakdown={"from": source, "debt": plan.debt, "made_by": actor},
                              effects=Effects(taken=tuple(taken)), **common)
        out.append(str(wire["uuid"]))
    return out


def _subscribe_holders(source_uuid: str, target: db.Member) -> list[str]:
    """Subscribe to the target every till that holds the source and would not get the target's
    changes otherwise (the source's home store's tills, the tills subscribed to the source), and
    send them the target's entries written so far (the merge's own changes follow)."""
    audiences = feed.member_audiences([source_uuid, target.uuid], locked=[source_uuid, target.uuid])
    have = set(audiences.get(target.uuid, []))
    T = db.Terminal
    holders: list[str] = []
    for audience in audiences.get(source_uuid, []):
        if audience.startswith("S:"):
            store = audience[2:]
            holders += [str(t) for (t,) in tuples(T.select(T.id).where(
                (T.store_id == store) & (T.kind == "till") & T.retired_at.is_null())
                .order_by(T.id))]
        elif audience.startswith("T:"):
            holders.append(audience[2:])
    if f"S:{target.store_id}" in have:
        in_store = {str(t) for (t,) in tuples(T.select(T.id).where(T.store_id == target.store_id))}
    else:
        in_store = set()
    new = sorted({t for t in holders if t not in in_store and f"T:{t}" not in have})
    if not new:
        return []
    now = db.utcnow()
    for terminal_id in new:
        feed.subscribe(terminal_id, target.uuid, at=now)
    E = db.Entry
    entry_uuids = [str(u) for (u,) in tuples(E.select(E.uuid).where(E.member_uuid == target.uuid).order_by(E.id))]
    # the target's record follows with the merge's changes, after the source's (see the module doc)
    rows = [("entry", entry_uuid, None, '{"ref":"entry","uuid":' + canonical_json(entry_uuid) + "}", now,
             f"T:{terminal_id}", target.uuid) for terminal_id in new for entry_uuid in entry_uuids]
    feed.bulk_insert(db.Change, ("kind", "key", "store_id", "data", "at", "audience", "member_uuid"), rows)
    return new


def merged_target(member_uuid: str, *, hops: int = 5) -> str:
    """The member a merged member's points went to (following merges), else the member itself."""
    current = member_uuid
    for _ in range(hops):
        rows = select_in("SELECT merged_into FROM member WHERE uuid IN ({marks})", [current])
        if not rows or not rows[0][0]:
            return current
        current = str(rows[0][0])
    return current


def merge_lines(plan: MergePlan) -> dict[str, Any]:
    """The plan as plain data (the CLI's JSON, the page's summary)."""
    return {"source": plan.source.uuid, "target": plan.target.uuid, "points": plan.points, "debt": plan.debt,
            "lots": [[m.earned_on, m.expires_on, m.points] for m in plan.lots], "tier": plan.tier,
            "balance_after": plan.balance_after, "max_points": protocol.MAX_POINTS}
