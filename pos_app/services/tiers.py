"""Tier changes: immediate upgrades after earning, the yearly review, and manual settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.core import tiers as core_tiers
from pos_app.core.errors import Conflict, InvalidInput
from pos_app.services.context import Terminal
from pos_app.storage.ledger import Stamp, iso
from pos_app.storage.repo import MemberRecord


def _record_change(t: Terminal, member: MemberRecord, to_tier: str, reason: str, qualifying: int,
                   stamp: Stamp) -> None:
    t.repo.update_member(member.id, tier=to_tier, tier_since=stamp.day.isoformat())
    t.repo.insert("tier_change", {
        "member_id": member.id, "at": iso(stamp.at), "from_tier": member.tier, "to_tier": to_tier,
        "reason": reason, "qualifying_points": qualifying,
    })
    t.ledger.outbox_event("tier", member.uuid, {"from": member.tier, "to": to_tier, "reason": reason,
                                                "qualifying_points": qualifying, "at": iso(stamp.at)}, stamp)


def apply_upgrade(t: Terminal, member: MemberRecord, stamp: Stamp) -> str | None:
    """Upgrade at once when the qualifying points reach a higher tier (inside a transaction)."""
    rules = t.program.tiers
    qualifying = core_tiers.qualifying_points(rules, t.repo.tier_buckets(member.id), stamp.day)
    new = core_tiers.upgrade(rules, member.tier, qualifying)
    if new is None:
        return None
    _record_change(t, member, new.id, "upgrade", qualifying, stamp)
    return new.id


def set_tier(t: Terminal, *, member: MemberRecord, tier: str, reason: str, staff_code: str | None = None,
             at: dt.datetime | None = None) -> None:
    """Put a member in a tier by hand (data migration, headquarters decision); audited."""
    if tier not in [x.id for x in t.program.tiers.tiers]:
        raise InvalidInput("tier", f"the program has no tier {tier!r}")
    if not reason.strip():
        raise InvalidInput("reason", "a reason is required")
    stamp = t.stamp(at, staff_code)
    with t.database.transaction():
        qualifying = core_tiers.qualifying_points(t.program.tiers, t.repo.tier_buckets(member.id), stamp.day)
        _record_change(t, member, tier, f"manual: {reason.strip()}", qualifying, stamp)
        t.ledger.audit("member.tier", member.uuid, {"tier": tier, "reason": reason.strip()}, stamp)


@dataclass(frozen=True)
class ReviewReport:
    review_date: dt.date
    members: int
    changes: list[tuple[str, str, str]]  # (member uuid, from, to)
    exempt: int = 0  # members who joined after the review's period began: they keep their tier


def run_tier_review(t: Terminal, *, as_of: dt.date, staff_code: str | None = None) -> ReviewReport:
    """The yearly review (保级) due on or before ``as_of``, for every member not yet reviewed who
    was a member for the whole of its period (``core.tiers.under_review``); the others keep
    their tier and are marked done for this review.

    A till enrolled with headquarters refuses: headquarters reviews every member once
    (``pos-hq tier-review``) and its records bring the result; every till reviewing the members
    it holds would decide the same change again and push it (one writer per tier change)."""
    from pos_app.services.sync import is_enrolled

    if is_enrolled(t):
        raise Conflict("tier-review", "this till is enrolled with headquarters, which reviews every member's tier"
                       " once for the whole chain (pos-hq tier-review); the result reaches this till with the next"
                       " sync")
    rules = t.program.tiers
    due = core_tiers.review_due(rules, None, as_of)
    assert due is not None
    stamp = t.stamp(dt.datetime.combine(due, dt.time(0, 0)), staff_code)
    changes: list[tuple[str, str, str]] = []
    reviewed = exempt = 0
    with t.database.transaction():
        ids = t.repo.members_due_review(due)
        # the trailing window ends the day before the review
        window_day = due - dt.timedelta(days=1)
        for member_id in ids:
            member = t.repo.member_by_id(member_id)
            assert member is not None
            if not core_tiers.under_review(rules, due, member.enrolled_at.date()):
                t.repo.update_member(member.id, last_review=due.isoformat())
                exempt += 1
                continue
            qualifying = core_tiers.qualifying_points(rules, t.repo.tier_buckets(member.id), window_day)
            new = core_tiers.review(rules, member.tier, qualifying)
            if new.id != member.tier:
                _record_change(t, member, new.id, "review", qualifying, stamp)
                changes.append((member.uuid, member.tier, new.id))
            t.repo.update_member(member.id, last_review=due.isoformat())
            reviewed += 1
        t.ledger.audit("tier.review", due.isoformat(), {"members": reviewed, "changes": len(changes),
                                                        "exempt": exempt}, stamp)
    return ReviewReport(due, reviewed, changes, exempt)
