"""Members: enrolment, lookup, behaviour awards, status and the member's points picture."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import re
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_app.core import lots as core_lots
from pos_app.core import segments as core_segments
from pos_app.core import tiers as core_tiers
from pos_app.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from pos_app.core.members import (
    make_card_number,
    normalize_phone,
    parse_birthday,
    validate_card_number,
    validate_name,
)
from pos_app.core.money import format_fen
from pos_app.core.program import Award
from pos_app.core.text import normalize_input
from pos_app.services import member_codes
from pos_app.services.context import Terminal
from pos_app.storage.ledger import Stamp, iso
from pos_app.storage.repo import MemberRecord


def find_member(t: Terminal, ref: str, *, field: str = "member") -> MemberRecord:
    """A member by card number, phone number, member uuid or dynamic member code (会员码)."""
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput(field, "a card or phone number is required")
    raw = normalize_input(ref)
    digits = re.sub(r"[\s\-]", "", raw)
    found: MemberRecord | None = None
    if member_codes.looks_like_member_code(raw):  # verified offline: signature, validity, revocation
        found = t.repo.member_by_card(member_codes.verify_member_code(t, raw))
    elif re.fullmatch(r"(\+86|0086)?1[0-9]{10}", digits):
        found = t.repo.member_by_phone(normalize_phone(digits, field=field))
    elif re.fullmatch(r"[0-9]{8,19}", digits):
        found = t.repo.member_by_card(validate_card_number(digits, field=field))
    elif re.fullmatch(r"[0-9a-f\-]{36}", raw):
        found = t.repo.member_by_uuid(raw)
    else:
        raise InvalidInput(field, f"not a card number or mainland mobile number: {ref!r}")
    if found is None:
        raise NotFound(field, f"no member with {ref!r}")
    return _surviving(t, found)


def _surviving(t: Terminal, member: MemberRecord) -> MemberRecord:
    """A member merged into another at headquarters (``hq.merge``) leads to the surviving member
    when this till holds them (it does once the merge's changes are pulled)."""
    for _ in range(5):
        if not member.merged_into:  # read with the member: no statement more at the counter
            return member
        target = t.repo.member_by_uuid(member.merged_into)
        if target is None:
            return member
        member = target
    return member


def _new_card_number(t: Terminal) -> str:
    for _ in range(20):
        card = make_card_number(secrets.randbelow(10**10))
        if t.repo.member_by_card(card) is None:
            return card
    raise Conflict("card", "could not find a free card number")  # pragma: no cover - 1e-10 odds


def member_payload(m: MemberRecord, t: Terminal | None = None) -> dict[str, Any]:
    """The member's record as the ``member`` outbox event carries it (no balance: headquarters
    works that out from the entries); with ``t``, the referrer by uuid."""
    d = m.to_dict()
    d.pop("id")
    d.pop("balance")
    d.pop("debt")
    referrer = t.repo.member_by_id(m.referrer_id) if t is not None and m.referrer_id is not None else None
    d["referrer_uuid"] = referrer.uuid if referrer else None
    return d


def enroll_member(t: Terminal, *, phone: str, name: str, birthday: str | None = None,
                  card_no: str | None = None, referrer: str | None = None, consent: bool = False,
                  at: dt.datetime | None = None, staff_code: str | None = None) -> MemberRecord:
    """Register a member; the program's sign-up award is credited in the same transaction."""
    stamp = t.stamp(at, staff_code)
    phone = normalize_phone(phone)
    name = validate_name(name)
    bday = parse_birthday(birthday, today=stamp.day) if birthday else None
    card = validate_card_number(card_no) if card_no else None
    program = t.program
    with t.database.transaction():
        if t.repo.member_by_phone(phone) is not None:
            raise Conflict("phone", f"{phone} is already a member", phone=phone)
        if card is not None and t.repo.member_by_card(card) is not None:
            raise Conflict("card", f"card {card} is already issued")
        ref = find_member(t, referrer, field="referrer") if referrer else None
        card = card or _new_card_number(t)
        member_id = t.repo.insert_member(
            uuid=str(uuid.uuid4()), phone=phone, name=name, birthday=bday.isoformat() if bday else None,
            card_no=card, referrer=ref.id if ref else None, status="active", consent=consent,
            store_id=t.store_id, enrolled_at=iso(stamp.at), tier=program.tiers.tiers[0].id,
            tier_since=stamp.day.isoformat(),
        )
        member = t.repo.member_by_id(member_id)
        assert member is not None
        t.ledger.outbox_event("member", member.uuid, member_payload(member, t), stamp)
        for award in program.awards:
            if award.on_enroll:
                _grant_award(t, member, award, stamp)
        t.ledger.audit("member.enroll", member.uuid, {"card_no": card, "referrer": ref.uuid if ref else None},
                       stamp)
        grant_profile_award_if_due(t, None, member, stamp)
    result = t.repo.member_by_id(member_id)
    assert result is not None
    return result


def _grant_award(t: Terminal, member: MemberRecord, award: Award, stamp: Stamp,
                 detail: dict[str, Any] | None = None) -> int:
    program = t.program
    entry_id = t.ledger.append(
        member_id=member.id, member_uuid=member.uuid, kind="award", points=award.points,
        ref_type="award", ref_no=award.id, breakdown={"award": award.id, "points": award.points, **(detail or {})},
        stamp=stamp, program_version=program.version,
    )
    t.ledger.credit_lot(member_id=member.id, entry_id=entry_id, points=award.points, earned_on=stamp.day,
                        expires_on=core_lots.expiry_date(program.expiry, stamp.day))
    return entry_id


def check_award(t: Terminal, member: MemberRecord, award: Award, day: dt.date) -> None:
    if award.once and t.repo.award_count(member.id, award.id) > 0:
        raise RuleViolation("award", f"{award.id} is granted once per member")
    if award.daily_limit is not None and t.repo.award_count(member.id, award.id, day) >= award.daily_limit:
        raise RuleViolation("award", f"{award.id} at most {award.daily_limit} times a day",
                            limit=award.daily_limit)


def award_behaviour(t: Terminal, *, member_ref: str, award_id: str, at: dt.datetime | None = None,
                    staff_code: str | None = None, reason: str | None = None) -> MemberRecord:
    """A behaviour award (survey, review, share ...) granted at the counter, within the
    program's limits (once, a day); ``reason`` (what the member did, e.g. the survey's name) is
    kept with the entry and the audit row."""
    if reason is not None and (not isinstance(reason, str) or len(reason.strip()) > 200):
        raise InvalidInput("reason", "at most 200 characters")
    reason = reason.strip() if reason else None
    stamp = t.stamp(at, staff_code)
    program = t.program
    award = program.award(award_id)
    if award is None:
        raise NotFound("award", f"the program has no award {award_id!r}")
    if award.referral or award.on_enroll or award.id == PROFILE_AWARD:
        raise RuleViolation("award", f"{award_id} is granted automatically", reason="automatic")
    if award.check_in:
        raise RuleViolation("award", f"{award_id} is granted when the member scans their member code",
                            reason="check_in")
    if award.needs_reason and not reason:
        raise InvalidInput("reason", f"say what the member did for {award_id} (the survey's name, what they reviewed)",
                           reason="needs_reason", award=award_id)
    with t.database.transaction():
        member = require_active(find_member(t, member_ref))
        check_award(t, member, award, stamp.day)
        _grant_award(t, member, award, stamp, {"reason": reason} if reason else None)
        t.ledger.audit("member.award", member.uuid, {"award": award.id, "points": award.points, "reason": reason},
                       stamp)
    result = t.repo.member_by_id(member.id)
    assert result is not None
    return result


def require_active(member: MemberRecord) -> MemberRecord:
    if member.status != "active":
        raise RuleViolation("member", f"member {member.card_no} is {member.status}")
    return member


def set_status(t: Terminal, *, member_ref: str, status: str, reason: str, staff_code: str | None = None
               ) -> MemberRecord:
    if status not in ("active", "frozen"):
        raise InvalidInput("status", "must be active or frozen")
    if not reason or not reason.strip():
        raise InvalidInput("reason", "a reason is required")
    stamp = t.stamp(None, staff_code)
    with t.database.transaction():
        member = find_member(t, member_ref)
        t.repo.update_member(member.id, status=status)
        updated = t.repo.member_by_id(member.id)
        assert updated is not None
        t.ledger.outbox_event("member", member.uuid, member_payload(updated, t), stamp)
        t.ledger.audit("member.status", member.uuid, {"status": status, "reason": reason.strip()}, stamp)
    return updated


@dataclass(frozen=True)
class MemberPicture:
    """What the counter shows about a member."""

    member: MemberRecord
    qualifying_points: int
    next_tier: tuple[str, int] | None
    expiring: list[tuple[int, int]]
    next_expiry: tuple[dt.date, int] | None
    segment: str
    lots: list[core_lots.Lot]  # live lots, soonest-expiring first; empty unless asked for

    @property
    def reminder(self) -> core_lots.ExpiryReminder | None:
        """The expiry reminder shown at identification and printed on the receipt (one rule:
        ``core.lots.expiry_reminder``)."""
        return core_lots.expiry_reminder(self.expiring, self.next_expiry)

    def to_dict(self) -> dict[str, Any]:
        reminder = self.reminder
        return {
            **self.member.to_dict(),
            "reminder": {"within_days": reminder.within_days, "points": reminder.points,
                         "first_day": reminder.first_day.isoformat()} if reminder else None,
            "qualifying_points": self.qualifying_points,
            "next_tier": {"tier": self.next_tier[0], "missing": self.next_tier[1]} if self.next_tier else None,
            "expiring": [{"within_days": d, "points": p} for d, p in self.expiring],
            "next_expiry": {"date": self.next_expiry[0].isoformat(), "points": self.next_expiry[1]}
            if self.next_expiry else None,
            "segment": self.segment,
            "lots": [{"id": lot.id, "earned_on": lot.earned_on.isoformat(),
                      "expires_on": lot.expires_on.isoformat() if lot.expires_on else None,
                      "remaining": lot.remaining} for lot in self.lots if lot.remaining > 0],
        }


def member_picture(t: Terminal, member: MemberRecord, today: dt.date | None = None, *,
                   lots: bool = False) -> MemberPicture:
    """What the counter shows about a member; the member's live lots themselves only with ``lots``
    (the members screen, ``pos-app member show``): a scan reads sums, never every lot."""
    today = today or t.clock().date()
    program = t.program
    qualifying = core_tiers.qualifying_points(program.tiers, t.repo.tier_buckets(member.id), today)
    nxt = core_tiers.next_tier(program.tiers, member.tier, qualifying)
    facts = core_segments.MemberFacts(
        balance=member.balance,
        purchases_in_window=t.repo.purchases_since(
            member.id, today - dt.timedelta(days=program.segments.window_days)),
        last_purchase_on=member.last_purchase_at.date() if member.last_purchase_at else None,
        registered_on=member.enrolled_at.date(),
    )
    expiring, next_expiry = t.ledger.expiry_outlook(member.id, today, program.expiry.notice_days)
    return MemberPicture(
        member=member, qualifying_points=qualifying,
        next_tier=(nxt[0].id, nxt[1]) if nxt else None,
        expiring=expiring,
        next_expiry=next_expiry,
        segment=core_segments.classify(program.segments, facts, today),
        lots=sorted(t.ledger.live_lots(member.id), key=lambda lot: lot.sort_key) if lots else [],
    )


# -- member administration (the Members screen) -----------------------------------------------------

def search_members(t: Terminal, text: str, *, limit: int = 30) -> list[MemberRecord]:
    """Members by a full card or phone number (exact), a phone or card prefix, or part of a name."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("member", "type a card number, phone number or name")
    raw = normalize_input(text)
    digits = re.sub(r"[\s\-()]", "", raw)
    if re.fullmatch(r"(\+86|0086)?[0-9]+", digits):
        try:
            return [find_member(t, digits)]
        except (InvalidInput, NotFound):
            pass
        raw = re.sub(r"^(\+86|0086)", "", digits)
    return t.repo.find_members(raw, limit=limit)


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", name).casefold()


def similar_members(t: Terminal, name: str, birthday: str | dt.date | None, *, card_no: str | None = None,
                    exclude_id: int | None = None) -> list[MemberRecord]:
    """Possible duplicates of a person about to be registered: the same name (ignoring spaces
    and case) and birthday, or the same card number. A name alone is no evidence: 张伟 is
    the commonest name in the country."""
    found: dict[int, MemberRecord] = {}
    if birthday:
        day = birthday if isinstance(birthday, dt.date) else parse_birthday(birthday, today=t.clock().date())
        key = _name_key(name or "")
        for member_id, other in t.repo.members_born_on(day):
            m = t.repo.member_by_id(member_id) if key and _name_key(other) == key else None
            if m is not None:
                found[m.id] = m
    if card_no and card_no.strip():
        m2 = t.repo.member_by_card(card_no.strip())
        if m2 is not None:
            found[m2.id] = m2
    return [m for i, m in sorted(found.items()) if i != exclude_id]


def update_member(t: Terminal, *, member_ref: str, name: str | None = None, birthday: str | None = None,
                  phone: str | None = None, staff_code: str | None = None) -> MemberRecord:
    """Change a member's name, birthday (``""`` removes it) or phone number; ``None`` leaves a
    field as it is. One transaction with the outbox event and an audit row naming old and
    new values (a phone change moves the points to whoever holds the new number)."""
    stamp = t.stamp(None, staff_code)
    new_name = validate_name(name) if name is not None else None
    new_phone = normalize_phone(phone) if phone is not None else None
    new_bday: str | None = None
    if birthday is not None:
        new_bday = parse_birthday(birthday, today=stamp.day).isoformat() if birthday.strip() else ""
    with t.database.transaction():
        member = find_member(t, member_ref)
        changes: dict[str, Any] = {}
        if new_name is not None and new_name != member.name:
            changes["name"] = new_name
        if new_phone is not None and new_phone != member.phone:
            other = t.repo.member_by_phone(new_phone)
            if other is not None:
                raise Conflict("phone", f"{new_phone} is already a member", phone=new_phone)
            changes["phone"] = new_phone
        old_bday = member.birthday.isoformat() if member.birthday else ""
        if new_bday is not None and new_bday != old_bday:
            changes["birthday"] = new_bday or None
        if not changes:
            return member
        t.repo.update_member(member.id, **changes)
        updated = t.repo.member_by_id(member.id)
        assert updated is not None
        before = member.to_dict()
        t.ledger.outbox_event("member", member.uuid, member_payload(updated, t), stamp)
        t.ledger.audit("member.update", member.uuid, {k: [before[k], v] for k, v in changes.items()}, stamp)
        if grant_profile_award_if_due(t, member, updated, stamp):
            updated = t.repo.member_by_id(member.id)
            assert updated is not None
    return updated


#: The program's award for a member whose profile became complete (完善资料), granted by itself.
PROFILE_AWARD = "profile_completed"


def _profile_complete(member: MemberRecord) -> bool:
    """A profile is complete with a name, a phone number and a birthday."""
    return bool(member.name and member.phone and member.birthday)


def grant_profile_award_if_due(t: Terminal, before: MemberRecord | None, after: MemberRecord, stamp: Stamp) -> bool:
    """The one rule for the profile-completed award (完善资料), used by registration (``before``
    None) and by edits: granted by itself when the profile becomes complete (a member registered
    with a birthday, or given one later), once only (a member who had it keeps the one), in the
    caller's transaction; audited like an award given at the counter. True when granted."""
    if before is not None and _profile_complete(before):
        return False
    if not _profile_complete(after):
        return False
    award = t.program.award(PROFILE_AWARD)
    if award is None or after.status != "active":
        return False
    if award.once and t.repo.award_count(after.id, award.id) > 0:
        return False
    if award.daily_limit is not None and t.repo.award_count(after.id, award.id, stamp.day) >= award.daily_limit:
        return False
    reason = "profile completed"
    _grant_award(t, after, award, stamp, {"reason": reason})
    t.ledger.audit("member.award", after.uuid, {"award": award.id, "points": award.points, "reason": reason},
                   stamp)
    return True


#: Ledger entry kinds, in the order the screen lists them.
HISTORY_KINDS = ("earn", "redeem", "gift", "award", "adjust", "clawback", "return", "expire", "import", "donate",
                 "draw", "draw_win")


@dataclass(frozen=True)
class HistoryEntry:
    """One ledger entry of a member, with the balance right after it."""

    id: int
    uuid: str
    kind: str
    points: int
    tier_points: int
    balance_after: int
    ref_type: str
    ref_no: str
    business_date: dt.date
    created_at: dt.datetime
    staff_code: str | None
    backdated: bool
    breakdown: dict[str, Any]

    @property
    def summary(self) -> str:
        return summarize_entry(self.kind, self.breakdown)


def summarize_entry(kind: str, b: dict[str, Any]) -> str:
    """A short, language-neutral account of an entry's breakdown (ids and numbers)."""
    if kind == "earn":
        parts = [f"purchase {b.get('credited_purchase', b.get('purchase_points', 0))}"]
        parts += [f"{x['id']} +{x['points']}" for x in b.get("bonuses", [])]
        mults = [f"{m['id']} ×{m['multiplier']}" for m in b.get("sale_multipliers", []) if m["multiplier"] != "1"]
        text = ", ".join(parts)
        if mults:
            text += "; " + ", ".join(mults)
        if b.get("flags"):
            text += "; capped: " + ", ".join(b["flags"])
        return text
    if kind == "redeem":
        return f"paid ¥{format_fen(int(b.get('value_fen', 0)))}"
    if kind == "gift":
        cash = int(b.get("cash_fen") or 0)
        return f"gift {b.get('gift', '')}" + (f" + ¥{format_fen(cash)}" if cash else "")
    if kind == "award":
        return f"award {b.get('award', '')}"
    if kind == "adjust":
        return f"{b.get('reason', '')} (approved by {b.get('approved_by', '')})"
    if kind == "clawback":
        text = f"{b.get('refund_no', '')}: purchase {b.get('purchase', 0)}, bonus {b.get('bonus', 0)}"
        return text + (f", shortfall {b['shortfall']}" if b.get("shortfall") else "")
    if kind == "return":
        return str(b.get("refund_no", ""))
    if kind == "expire":
        return str(b.get("reason") or f"expired as of {b.get('as_of', '')}")
    if kind == "import":
        return f"earned on {b.get('earned_on', '')}"
    if kind == "donate":
        return f"donated to {b.get('campaign', '')} (¥{format_fen(int(b.get('yuan_fen') or 0))})"
    if kind == "draw":
        return f"draw {b.get('campaign', '')}: {b.get('prize', '')}"
    if kind == "draw_win":
        return f"won {b.get('prize', '')} in {b.get('campaign', '')}"
    return ""


def member_history(t: Terminal, member_id: int, *, kinds: tuple[str, ...] | list[str] | None = None,
                   date_from: dt.date | None = None, date_to: dt.date | None = None,
                   limit: int | None = None) -> list[HistoryEntry]:
    """The member's ledger entries, newest first, optionally of some kinds and between two
    business dates (both included). ``balance_after`` counts every entry, filtered or not."""
    for k in kinds or ():
        if k not in HISTORY_KINDS:
            raise InvalidInput("kind", f"not a ledger entry kind: {k!r}")
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("date_to", "the end date is before the start date")
    return [
        HistoryEntry(id=r[0], uuid=r[1], kind=r[2], points=r[3], tier_points=r[4], ref_type=r[5], ref_no=r[6],
                     breakdown=json.loads(r[7]), created_at=dt.datetime.fromisoformat(r[8]),
                     business_date=dt.date.fromisoformat(r[9]), staff_code=r[10], backdated=bool(r[11]),
                     balance_after=r[12])
        for r in t.ledger.member_entries(member_id, kinds=kinds, date_from=date_from, date_to=date_to, limit=limit)
    ]


@dataclass(frozen=True)
class TierChange:
    at: dt.datetime
    from_tier: str
    to_tier: str
    reason: str  # "upgrade", "review" or "manual: <why>"
    qualifying_points: int


def tier_history(t: Terminal, member_id: int) -> list[TierChange]:
    """The member's tier changes, newest first."""
    return [TierChange(dt.datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4]) for r in t.repo.tier_changes(member_id)]


HISTORY_CSV_HEADERS = ("business_date", "created_at", "kind", "points", "balance_after", "reference", "details",
                       "staff", "entry_uuid")


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (a reason typed as "=HYPERLINK(...)")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_history_csv(path: str | Path, entries: list[HistoryEntry], *, headers: Sequence[str] | None = None,
                      kind_names: Mapping[str, str] | None = None,
                      describe: Callable[[HistoryEntry], str] | None = None) -> int:
    """Write entries as CSV (UTF-8 with a BOM so Excel shows Chinese); returns the rows written.
    Written next to the target and renamed, so a failed write never leaves half a file."""
    target = Path(path)
    heads = list(headers or HISTORY_CSV_HEADERS)
    if len(heads) != len(HISTORY_CSV_HEADERS):
        raise InvalidInput("headers", f"{len(HISTORY_CSV_HEADERS)} column names are needed")
    part = target.with_name(target.name + ".part")
    try:
        with part.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(heads)
            for e in entries:
                w.writerow([
                    e.business_date.isoformat(), e.created_at.isoformat(sep=" "),
                    _cell((kind_names or {}).get(e.kind, e.kind)), e.points, e.balance_after, _cell(e.ref_no),
                    _cell(describe(e) if describe else e.summary), _cell(e.staff_code or ""), e.uuid,
                ])
        os.replace(part, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        raise InvalidInput("file", f"cannot write {target}: {exc.strerror or exc}", path=str(target)) from None
    return len(entries)


def record_history_export(t: Terminal, member_id: int, *, path: str | Path, rows: int,
                          staff_code: str | None = None) -> None:
    """Audit that someone took a member's history out of the till (it is personal data)."""
    member = t.repo.member_by_id(member_id)
    if member is None:
        raise NotFound("member", f"no member with id {member_id}")
    stamp = t.stamp(None, staff_code)
    with t.database.transaction():
        t.ledger.audit("member.export", member.uuid, {"rows": rows, "file": Path(path).name}, stamp)


def export_history_csv(t: Terminal, member_id: int, path: str | Path, *,
                       kinds: tuple[str, ...] | list[str] | None = None, date_from: dt.date | None = None,
                       date_to: dt.date | None = None, staff_code: str | None = None,
                       headers: Sequence[str] | None = None, kind_names: Mapping[str, str] | None = None,
                       describe: Callable[[HistoryEntry], str] | None = None) -> int:
    """The member's history (filtered as ``member_history``) to a CSV file, audited."""
    entries = member_history(t, member_id, kinds=kinds, date_from=date_from, date_to=date_to)
    n = write_history_csv(path, entries, headers=headers, kind_names=kind_names, describe=describe)
    record_history_export(t, member_id, path=path, rows=n, staff_code=staff_code)
    return n
