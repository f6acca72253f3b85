"""The store check-in award (签到, issue 16 item 3): granted once a day (the program's award with
``check_in = true`` and its ``daily_limit``) when a member scans their member code (会员码) at the
till's checkout or at a self-service point (``pos-app check-in CODE``). A card or a typed phone
number never checks in: the member code is signed and changes every minute, so it proves the
member's phone was at the counter.

Across tills: when the till is enrolled, headquarters is asked for the member (the online
lookup, ``services.online``) before the award is decided, so every check-in other tills pushed
today is counted; a till that cannot reach headquarters decides on its own copy and
headquarters flags a second grant of the day (``award_limit``, ``hq.flags``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import InvalidInput, NotFound, RuleViolation
from pos_app.core.text import normalize_input
from pos_app.services import member_codes, online
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.services.members import _grant_award, check_award, require_active
from pos_app.storage.repo import MemberRecord


@dataclass(frozen=True)
class CheckIn:
    """A check-in: the member as they are after it, the points granted (0: not granted),
    ``reason`` why not (``done_today``: already checked in today), and whether headquarters was
    reachable for the decision (``offline``)."""

    member: MemberRecord
    points: int
    reason: str | None = None
    offline: bool = False

    @property
    def granted(self) -> bool:
        return self.points > 0

    def to_dict(self) -> dict[str, Any]:
        return {"member": self.member.to_dict(), "points": self.points, "granted": self.granted,
                "reason": self.reason, "offline": self.offline}


def is_member_code(text: object) -> bool:
    return isinstance(text, str) and member_codes.looks_like_member_code(normalize_input(text))


def check_in(t: Terminal, code: str, *, at: dt.datetime | None = None, staff_code: str | None = None,
             found: online.Identified | None = None, strict: bool = True, budget: float | None = None) -> CheckIn:
    """Check the member whose member code is ``code`` in. ``found``: the counter identified the
    member with that code already (its lookup is reused). ``strict``: a member who checked in
    today already is an error (a self-service point says so); otherwise (checkout) the result
    says ``done_today`` with 0 points. Bad input (not a member code, an expired or forged one)
    is an error naming ``member_code`` (or ``member_qr``: the code's own checks); nothing is written then.
    ``budget``: seconds headquarters may take to answer (``lookup.budget_ms`` by default)."""
    if not is_member_code(code):
        raise InvalidInput("member_code", "check-in needs the member's member code (会员码), not a card or phone "
                           "number", reason="not_member_code")
    award = t.program.check_in_award
    if award is None:
        raise NotFound("award", "the program has no check-in award")
    raw = normalize_input(code)
    if found is None:
        found = online.identify(t, raw, field="member_code", budget=budget)
    member = found.member
    offline = found.offline
    stamp = t.stamp(at, staff_code)
    done_here = award.daily_limit is not None and t.repo.award_count(member.id, award.id, stamp.day) >= \
        award.daily_limit
    if found.source == "local" and not done_here and sync_service.is_enrolled(t):
        # the till's copy may lack another till's check-in of today: headquarters counts them all
        # (a member this till saw check in today already costs no round trip)
        try:
            member, _counters = online.refresh_member(t, member.uuid, budget=budget)
        except (online.LookupUnavailable, NotFound):
            offline = True
    with t.database.transaction():
        current = t.repo.member_by_id(member.id)
        assert current is not None
        require_active(current)
        try:
            check_award(t, current, award, stamp.day)
        except RuleViolation:
            if strict:
                raise RuleViolation("member_code", f"{current.card_no} checked in today already", reason="done_today",
                                    limit=award.daily_limit) from None
            return CheckIn(current, 0, "done_today", offline)
        _grant_award(t, current, award, stamp, {"via": "member_code"})
        t.ledger.audit("member.award", current.uuid,
                       {"award": award.id, "points": award.points, "reason": "check-in", "offline": offline}, stamp)
    after = t.repo.member_by_id(member.id)
    assert after is not None
    return CheckIn(after, award.points, None, offline)
