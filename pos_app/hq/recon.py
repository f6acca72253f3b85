"""The reconciliation queue: the flags pushes raised (``db.Flag``: overdrafts, coupons used
twice, once-only bonuses given twice, duplicate phones and cards, limits crossed by two tills
...), their evidence, and what headquarters does about each.

Resolutions (each one write transaction: the flag locked, resolved, audited):

- ``take_back`` a double bonus: an ``adjust`` debit on headquarters' own chain
  (``projection.append_hq_entry``) of the bonus's points, never taking the balance below zero;
  what cannot be taken is recorded (``taken_back_partly``, the amounts in the audit row);
- ``write_off`` an overdraft: an ``adjust`` credit of the debt still owed (at most the flag's
  points), which the ledger's rule (``core.replica.apply_entry``) pays into the debt at once:
  the debt goes to zero, the balance up by as much, no points left to spend;
- ``merged``: a duplicate phone or card whose members were merged (the merge page);
- ``dismiss`` with a note: anything else looked into and accepted.

The entries written go to the tills like any of headquarters' entries (the feed).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, cast

from peewee import fn

from pos_app.core import lots as core_lots
from pos_app.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from pos_app.core.replica import Effects, NewLot
from pos_app.core.text import normalize_input
from pos_app.hq import authority, db, projection

#: flag kinds, in the order the queue's filter lists them
KINDS = ("overdraft", "double_bonus", "coupon_reuse", "duplicate_phone", "duplicate_card", "daily_cap",
         "redeem_cap", "gift_limit", "award_limit", "double_expiry", "unknown_member", "draw_limit", "draw_stock")
#: what may be done with a flag of each kind, besides dismissing it
ACTIONS: dict[str, tuple[str, ...]] = {
    "double_bonus": ("take_back",),
    "overdraft": ("write_off",),
    "duplicate_phone": ("merge",),
    "duplicate_card": ("merge",),
}
RESOLUTIONS = ("taken_back", "taken_back_partly", "written_off", "merged", "dismissed")
NOTE_MAX = 500
#: details that name ledger entries (shown with the entries as evidence)
ENTRY_KEYS = ("entry", "first_entry")


_database = db.opened
_audit = db.audit


def _details(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class FlagView:
    id: int
    kind: str
    store_id: str | None
    terminal_id: str | None
    member_uuid: str | None
    ref: str
    points: int
    details: dict[str, Any]
    at: str
    resolved_at: str | None
    resolved_by: str | None
    resolution: str | None
    resolution_note: str | None

    @property
    def actions(self) -> tuple[str, ...]:
        return () if self.resolved_at else ACTIONS.get(self.kind, ())

    @property
    def other_member(self) -> str | None:
        """The second member of a duplicate phone or card."""
        other = self.details.get("other")
        return str(other) if self.kind in ("duplicate_phone", "duplicate_card") and other else None


def _view(f: db.Flag) -> FlagView:
    return FlagView(id=int(f.id), kind=f.kind, store_id=f.store_id, terminal_id=f.terminal_id,
                    member_uuid=f.member_uuid, ref=f.ref, points=int(f.points or 0), details=_details(f.details),
                    at=f.at, resolved_at=f.resolved_at, resolved_by=f.resolved_by, resolution=f.resolution,
                    resolution_note=f.resolution_note)


def parse_flag_id(raw: object) -> int:
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    if not text.isdigit() or not text.isascii() or len(text) > 18:
        raise InvalidInput("flag", "a flag number is required")
    return int(text)


def list_flags(*, kind: str = "", store_id: str = "", resolved: bool = False, limit: int = 50,
               offset: int = 0) -> list[FlagView]:
    """Flags unresolved (oldest first) or resolved (latest resolution first), by kind and store."""
    F = db.Flag
    query = F.select()
    if kind:
        if kind not in KINDS:
            raise InvalidInput("kind", "no such kind of flag")
        query = query.where(F.kind == kind)
    if store_id:
        query = query.where(F.store_id == store_id)
    if resolved:
        query = query.where(F.resolved_at.is_null(False)).order_by(F.resolved_at.desc(), F.id.desc())
    else:
        query = query.where(F.resolved_at.is_null()).order_by(F.id)
    return [_view(f) for f in query.limit(limit).offset(offset)]


def open_counts(*, store_id: str = "") -> dict[str, int]:
    """Unresolved flags per kind."""
    F = db.Flag
    query = F.select(F.kind, fn.COUNT(F.id)).where(F.resolved_at.is_null())
    if store_id:
        query = query.where(F.store_id == store_id)
    return {str(kind): int(n) for kind, n in projection.tuples(query.group_by(F.kind))}


def get_flag(flag_id: object) -> FlagView:
    found = db.Flag.get_or_none(db.Flag.id == parse_flag_id(flag_id))
    if found is None:
        raise NotFound("flag", "no such flag")
    return _view(found)


@dataclass(frozen=True)
class Evidence:
    """What a flag names: its ledger entries and members (with today's balance and debt)."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)


def evidence(flags: list[FlagView]) -> Evidence:
    """The entries and members a page of flags names, in two queries."""
    entry_uuids: list[str] = []
    member_uuids: set[str] = set()
    for f in flags:
        if f.member_uuid:
            member_uuids.add(f.member_uuid)
        if f.other_member:
            member_uuids.add(f.other_member)
        for key in ENTRY_KEYS:
            value = f.details.get(key)
            if isinstance(value, str) and value not in entry_uuids:
                entry_uuids.append(value)
        if f.kind in ("overdraft", "double_bonus", "double_expiry", "daily_cap", "redeem_cap", "gift_limit",
                      "award_limit", "unknown_member", "draw_limit", "draw_stock") and f.ref not in entry_uuids:
            entry_uuids.append(f.ref)
    E, M = db.Entry, db.Member
    entries = []
    if entry_uuids:
        for e in E.select(E.uuid, E.terminal_id, E.store_id, E.member_uuid, E.kind, E.points, E.ref_no,
                          E.business_date, E.breakdown).where(E.uuid.in_(entry_uuids)):
            entries.append({"uuid": e.uuid, "terminal_id": e.terminal_id, "store_id": e.store_id,
                            "member_uuid": e.member_uuid, "kind": e.kind, "points": int(e.points),
                            "ref_no": e.ref_no, "business_date": e.business_date, "breakdown": e.breakdown})
            member_uuids.add(e.member_uuid)
    members = {}
    if member_uuids:
        for m in M.select(M.uuid, M.name, M.phone, M.card_no, M.store_id, M.balance, M.debt, M.status,
                          M.merged_into).where(M.uuid.in_(sorted(member_uuids))):
            members[m.uuid] = {"uuid": m.uuid, "name": m.name, "phone": m.phone, "card_no": m.card_no,
                               "store_id": m.store_id, "balance": int(m.balance), "debt": int(m.debt),
                               "status": m.status, "merged_into": m.merged_into}
    return Evidence(entries=entries, members=members)


# -- resolving ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Resolution:
    flag_id: int
    resolution: str
    points: int = 0  # taken back or written off
    not_taken: int = 0  # of a double bonus: what the balance could not give back
    entry_uuid: str | None = None
    member_uuid: str | None = None


def _note(raw: object, *, required: bool = False) -> str:
    text = normalize_input(raw).strip() if isinstance(raw, str) else ""
    if required and not text:
        raise InvalidInput("note", "a note is required")
    if len(text) > NOTE_MAX:
        raise InvalidInput("note", f"at most {NOTE_MAX} characters")
    return text


def _locked_open_flag(flag_id: int, kinds: tuple[str, ...] | None = None) -> db.Flag:
    F = db.Flag
    flag = projection.for_update(F.select().where(F.id == flag_id)).first()
    if flag is None:
        raise NotFound("flag", "no such flag")
    if flag.resolved_at is not None:
        raise Conflict("flag", "this flag was resolved already")
    if kinds is not None and flag.kind not in kinds:
        raise RuleViolation("flag", "this action does not apply to this kind of flag")
    return cast(db.Flag, flag)


def _resolve(flag: db.Flag, resolution: str, note: str, *, actor: str, **details: Any) -> None:
    db.Flag.update(resolved_at=db.utcnow(), resolved_by=actor, resolution=resolution,
                   resolution_note=note).where(db.Flag.id == flag.id).execute()
    _audit(actor, "flag.resolve", str(flag.id), kind=flag.kind, resolution=resolution, note=note,
           member=flag.member_uuid, **details)


def _surviving(member_uuid: str | None) -> db.Member:
    """The member a flag is about, or the member it was merged into (the points went there)."""
    seen: set[str] = set()
    current = member_uuid
    while current and current not in seen:
        seen.add(current)
        m = db.Member.get_or_none(db.Member.uuid == current)
        if m is None:
            break
        if not m.merged_into:
            return m
        current = m.merged_into
    raise NotFound("member", "the flag's member is not on file")


def _live_lots(member_uuid: str, day: dt.date) -> list[tuple[str, int]]:
    """The member's lots with points left that are still valid on ``day``, soonest-expiring
    first (the order the tills spend in: ``core.replica.LotState.sort_key``)."""
    L = db.Lot
    rows = projection.tuples(L.select(L.key, L.earned_on, L.expires_on, L.remaining)
                             .where((L.member_uuid == member_uuid) & (L.remaining > 0)))
    live = [(str(k), str(e), x, int(r)) for k, e, x, r in rows if x is None or str(x) >= day.isoformat()]
    live.sort(key=lambda t: (t[2] or "9999-12-31", t[1], t[0]))
    return [(k, r) for k, _e, _x, r in live]


def take_back(flag_id: object, note: object = "", *, actor: str, today: dt.date | None = None) -> Resolution:
    """Take a bonus given twice back from the member: an ``adjust`` debit of the flag's points,
    at most what the member holds (balance and live lots); the rest is reported, not made debt."""
    fid = parse_flag_id(flag_id)
    why = _note(note)
    day = today or dt.datetime.now().date()
    with db.writing(_database()):
        flag = _locked_open_flag(fid, ("double_bonus",))
        points = int(flag.points or 0)
        if points <= 0:
            raise RuleViolation("flag", "the flag names no points to take back")
        member = _surviving(flag.member_uuid)
        if db.is_postgres():  # the balance read below stays true until the entry is written
            member = db.Member.select().where(db.Member.uuid == member.uuid).for_update().get()
        lots = _live_lots(member.uuid, day)
        available = max(0, min(int(member.balance), sum(r for _k, r in lots)))
        take = min(points, available)
        entry_uuid = None
        if take > 0:
            taken: list[tuple[str, int]] = []
            need = take
            for key, remaining in lots:
                if need <= 0:
                    break
                part = min(need, remaining)
                taken.append((key, part))
                need -= part
            program = authority.active_program()
            details = _details(flag.details)
            wire = projection.append_hq_entry(
                member_uuid=member.uuid, kind="adjust", points=-take, ref_type="flag", ref_no=f"FLAG-{fid}",
                breakdown={"reason": "double bonus taken back", "flag": fid, "bonus": details.get("bonus"),
                           "entry": flag.ref, "made_by": actor, "note": why},
                effects=Effects(taken=tuple(taken)), business_date=day,
                program_version=program.version if program is not None else None)
            entry_uuid = str(wire["uuid"])
        resolution = "taken_back" if take == points else "taken_back_partly"
        _resolve(flag, resolution, why, actor=actor, points=points, taken=take, not_taken=points - take,
                 entry=entry_uuid, from_member=member.uuid)
    return Resolution(fid, resolution, points=take, not_taken=points - take, entry_uuid=entry_uuid,
                      member_uuid=member.uuid)


def write_off(flag_id: object, note: object = "", *, actor: str, today: dt.date | None = None) -> Resolution:
    """Forgive an overdraft: the debt the member still owes of it (at most the flag's points) is
    paid by an ``adjust`` credit of that many points, which clears it at once (the ledger pays
    debt first from new points). Nothing left to write off (paid back by later earnings) still
    resolves the flag."""
    fid = parse_flag_id(flag_id)
    why = _note(note)
    day = today or dt.datetime.now().date()
    with db.writing(_database()):
        flag = _locked_open_flag(fid, ("overdraft",))
        member = _surviving(flag.member_uuid)
        if db.is_postgres():
            member = db.Member.select().where(db.Member.uuid == member.uuid).for_update().get()
        amount = max(0, min(int(flag.points or 0), int(member.debt)))
        entry_uuid = None
        if amount > 0:
            program = authority.active_program()
            expires = core_lots.expiry_date(program.expiry, day) if program is not None else None
            wire = projection.append_hq_entry(
                member_uuid=member.uuid, kind="adjust", points=amount, ref_type="flag", ref_no=f"FLAG-{fid}",
                breakdown={"reason": "overdraft written off", "flag": fid, "entry": flag.ref, "made_by": actor,
                           "note": why},
                effects=Effects(new=(NewLot(day, expires, amount),)), business_date=day,
                program_version=program.version if program is not None else None)
            entry_uuid = str(wire["uuid"])
        _resolve(flag, "written_off", why, actor=actor, written_off=amount, entry=entry_uuid,
                 member_debt_before=int(member.debt))
    return Resolution(fid, "written_off", points=amount, entry_uuid=entry_uuid, member_uuid=member.uuid)


def mark_merged(flag_id: object, note: object = "", *, actor: str) -> Resolution:
    """A duplicate phone or card whose two members are one now (one merged into the other)."""
    fid = parse_flag_id(flag_id)
    why = _note(note)
    with db.writing(_database()):
        flag = _locked_open_flag(fid, ("duplicate_phone", "duplicate_card"))
        pair = [u for u in (flag.member_uuid, _details(flag.details).get("other") or flag.ref) if u]
        merged = [m for m in db.Member.select().where(db.Member.uuid.in_(pair)) if m.merged_into]
        if not merged:
            raise RuleViolation("flag", "neither member has been merged yet: merge them first")
        _resolve(flag, "merged", why, actor=actor, merged=[(m.uuid, m.merged_into) for m in merged])
    return Resolution(fid, "merged", member_uuid=flag.member_uuid)


def dismiss(flag_id: object, note: object, *, actor: str) -> Resolution:
    """Looked into, nothing to change: resolved with the note saying why."""
    fid = parse_flag_id(flag_id)
    why = _note(note, required=True)
    with db.writing(_database()):
        flag = _locked_open_flag(fid)
        _resolve(flag, "dismissed", why, actor=actor)
    return Resolution(fid, "dismissed", member_uuid=flag.member_uuid)
