"""Members: enrolment, lookup, behaviour awards, status and the member's points picture."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass
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
from pos_app.core.program import Award
from pos_app.services.context import Terminal
from pos_app.storage.ledger import Stamp, iso
from pos_app.storage.repo import MemberRecord


def find_member(t: Terminal, ref: str, *, field: str = "member") -> MemberRecord:
    """A member by card number, phone number or member uuid."""
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput(field, "a card or phone number is required")
    raw = ref.strip()
    digits = re.sub(r"[\s\-]", "", raw)
    found: MemberRecord | None = None
    if re.fullmatch(r"(\+86|0086)?1\d{10}", digits):
        found = t.repo.member_by_phone(normalize_phone(digits, field=field))
    elif re.fullmatch(r"\d{8,19}", digits):
        found = t.repo.member_by_card(validate_card_number(digits, field=field))
    elif re.fullmatch(r"[0-9a-f\-]{36}", raw):
        found = t.repo.member_by_uuid(raw)
    else:
        raise InvalidInput(field, f"not a card number or mainland mobile number: {ref!r}")
    if found is None:
        raise NotFound(field, f"no member with {ref!r}")
    return found


def _new_card_number(t: Terminal) -> str:
    for _ in range(20):
        card = make_card_number(secrets.randbelow(10**10))
        if t.repo.member_by_card(card) is None:
            return card
    raise Conflict("card", "could not find a free card number")  # pragma: no cover - 1e-10 odds


def member_payload(m: MemberRecord) -> dict[str, Any]:
    d = m.to_dict()
    d.pop("id")
    d.pop("balance")
    d.pop("debt")
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
        t.ledger.outbox_event("member", member.uuid, member_payload(member), stamp)
        for award in program.awards:
            if award.on_enroll:
                _grant_award(t, member, award, stamp)
        t.ledger.audit("member.enroll", member.uuid, {"card_no": card, "referrer": ref.uuid if ref else None},
                       stamp)
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
                    staff_code: str | None = None) -> MemberRecord:
    """A behaviour award (survey, review, share ...) granted at the counter."""
    stamp = t.stamp(at, staff_code)
    program = t.program
    award = program.award(award_id)
    if award is None:
        raise NotFound("award", f"the program has no award {award_id!r}")
    if award.referral or award.on_enroll:
        raise RuleViolation("award", f"{award_id} is granted automatically")
    with t.database.transaction():
        member = require_active(find_member(t, member_ref))
        check_award(t, member, award, stamp.day)
        _grant_award(t, member, award, stamp)
        t.ledger.audit("member.award", member.uuid, {"award": award.id, "points": award.points}, stamp)
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
        t.ledger.outbox_event("member", member.uuid, member_payload(updated), stamp)
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
    lots: list[core_lots.Lot]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.member.to_dict(),
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


def member_picture(t: Terminal, member: MemberRecord, today: dt.date | None = None) -> MemberPicture:
    today = today or t.clock().date()
    program = t.program
    lots = t.ledger.live_lots(member.id)
    qualifying = core_tiers.qualifying_points(program.tiers, t.repo.tier_buckets(member.id), today)
    nxt = core_tiers.next_tier(program.tiers, member.tier, qualifying)
    facts = core_segments.MemberFacts(
        balance=member.balance,
        purchases_in_window=t.repo.purchases_since(
            member.id, today - dt.timedelta(days=program.segments.window_days)),
        last_purchase_on=member.last_purchase_at.date() if member.last_purchase_at else None,
        registered_on=member.enrolled_at.date(),
    )
    return MemberPicture(
        member=member, qualifying_points=qualifying,
        next_tier=(nxt[0].id, nxt[1]) if nxt else None,
        expiring=core_lots.expiring_soon(lots, today, program.expiry.notice_days),
        next_expiry=core_lots.next_expiry(lots, today),
        segment=core_segments.classify(program.segments, facts, today),
        lots=sorted(lots, key=lambda lot: lot.sort_key),
    )
