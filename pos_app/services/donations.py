"""Donations (积分捐赠, issue 16 item 2): a member gives points to a donation campaign that
headquarters runs (``core.campaigns``, ``core.donations``).

A donation is one ``donate`` ledger entry of minus the points, its reference the campaign and
version (``ref_type`` ``campaign``, ``ref_no`` ``DONATE-2026-BOOKS@1``), its breakdown the
campaign, the points, what they are worth to the cause in fen (``points * fen_per_point``,
exact) and the donation's number. Spending rules as for gifts: the member must be present
(``services.presence``), lapsed points are written off first, the balance must cover it, and
the offline allowance counts it. A donation is never refunded: it is not part of a sale, so a
sale's refund never touches it, and there is no cancel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pos_app.core.campaigns import Campaign
from pos_app.core.donations import KIND, Donation
from pos_app.core.errors import RuleViolation
from pos_app.core.money import check_points
from pos_app.services.campaigns import campaign_in_force
from pos_app.services.context import Terminal
from pos_app.services.lapse import lapse_expired, spendable
from pos_app.services.members import find_member, require_active
from pos_app.services.presence import of_reference, require_present
from pos_app.services.staff import require_manager
from pos_app.services.sync import enforce_offline_allowance
from pos_app.storage.ledger import iso
from pos_app.storage.repo import MemberRecord

#: the ledger entry kind (``sync.protocol.TILL_ENTRY_KINDS``)
ENTRY_KIND = "donate"
REF_TYPE = "campaign"
#: the print job of a donation's slip (its ref: the entry's uuid)
SLIP_KIND = "donation"


def campaign_ref(campaign_id: str, version: int) -> str:
    """A donation entry's ``ref_no``: the campaign and its version (``DONATE-2026-BOOKS@1``)."""
    return f"{campaign_id}@{version}"


@dataclass(frozen=True)
class DonationResult:
    donation_no: str
    entry_uuid: str
    campaign_id: str
    campaign_version: int
    name_zh: str
    name_en: str
    points: int
    yuan_fen: int
    approved_by: str | None
    member: MemberRecord

    def to_dict(self) -> dict[str, Any]:
        return {"donation_no": self.donation_no, "entry": self.entry_uuid, "campaign": self.campaign_id,
                "version": self.campaign_version, "name_zh": self.name_zh, "name_en": self.name_en,
                "points": self.points, "yuan_fen": self.yuan_fen, "approved_by": self.approved_by,
                "balance_after": self.member.balance}


def check_amount(body: Donation, points: object, *, balance: int | None = None) -> int:
    """The points of a donation: a whole number above 0, a multiple of the campaign's ``step``,
    not more than ``balance``; else an error naming ``points``."""
    value = check_points(points, field="points")
    if body.step and value % body.step:
        raise RuleViolation("points", f"donations to this campaign are in multiples of {body.step} points",
                            step=body.step)
    if balance is not None and value > balance:
        raise RuleViolation("points", f"balance is {balance} points", balance=balance)
    return value


def donation_campaigns(t: Terminal, day: dt.date | None = None) -> list[Campaign]:
    """The donation campaigns a member can give to at this till today (or on ``day``)."""
    return t.repo.campaigns_in_force(KIND, day or t.clock().date(), t.store_id)


def donate(t: Terminal, *, member_ref: str, campaign_id: str, points: int, staff_code: str | None = None,
           at: dt.datetime | None = None, presence: str | None = None, queue_slip: bool = False,
           manager_code: str | None = None, manager_pin: str | None = None) -> DonationResult:
    """Give ``points`` of the member's to a running donation campaign, in one transaction: the
    ``donate`` entry, the lots it takes, the audit and (``queue_slip``) the slip's print job.
    Refused, nothing written, with the field named: a campaign not held, not a donation
    campaign, not for this store, not started or ended (``campaign``); points not above 0, not
    a multiple of the step, or more than the balance (``points``); a member not present. A
    manager's number and PIN are needed only past the offline allowance."""
    stamp = t.stamp(at, staff_code)
    campaign = campaign_in_force(t, campaign_id, KIND, stamp.day)
    body: Donation = campaign.body
    amount = check_amount(body, points)
    member = require_active(find_member(t, member_ref))
    require_present(t, member.uuid, presence or of_reference(member_ref), what="points")
    check_amount(body, amount, balance=spendable(t, member, stamp))
    approved_by = require_manager(t, manager_code, manager_pin).code if manager_code else None
    yuan_fen = body.yuan_fen(amount)
    with t.database.transaction():
        member = require_active(find_member(t, member_ref))
        if lapse_expired(t, member, stamp):
            member = require_active(find_member(t, member_ref))
        check_amount(body, amount, balance=member.balance)
        donation_no = f"{t.receipt_prefix()}-D{t.ledger.next_number('donation'):07d}"
        enforce_offline_allowance(t, points=amount, stamp=stamp, ref=donation_no, approved_by=approved_by)
        entry_id = t.ledger.append(
            member_id=member.id, member_uuid=member.uuid, kind=ENTRY_KIND, points=-amount, ref_type=REF_TYPE,
            ref_no=campaign_ref(campaign.campaign_id, campaign.version),
            breakdown={"campaign": campaign.campaign_id, "version": campaign.version, "donation_no": donation_no,
                       "points": amount, "fen_per_point": body.fen_per_point, "yuan_fen": yuan_fen,
                       "approved_by": approved_by},
            stamp=stamp, program_version=t.program.version)
        t.ledger.debit_lots(member_id=member.id, entry_id=entry_id, points=amount)
        entry_uuid = t.repo.entry_uuid(entry_id)
        if queue_slip:
            t.repo.queue_print_job(SLIP_KIND, entry_uuid, {}, iso(stamp.recorded_at))
        t.ledger.audit("points.donate", donation_no, {"campaign": campaign.campaign_id, "version": campaign.version,
                                                      "points": amount, "yuan_fen": yuan_fen,
                                                      "member": member.uuid, "approved_by": approved_by}, stamp)
    after = t.repo.member_by_id(member.id)
    assert after is not None
    return DonationResult(donation_no, entry_uuid, campaign.campaign_id, campaign.version, campaign.name_zh,
                          campaign.name_en, amount, yuan_fen, approved_by, after)


@dataclass(frozen=True)
class Progress:
    """A donation campaign as this till knows it: the donations it holds (its own and those
    of other tills it received with their members), not the chain's total (``pos-hq report
    donations`` has that)."""

    campaign_id: str
    name_zh: str
    name_en: str
    goal_points: int
    points: int
    yuan_fen: int
    donors: int
    donations: int

    @property
    def percent(self) -> int:
        """Whole percent of the goal (floored; 100 once reached, more past it)."""
        return self.points * 100 // self.goal_points

    def to_dict(self) -> dict[str, Any]:
        return {"campaign": self.campaign_id, "name_zh": self.name_zh, "name_en": self.name_en,
                "goal_points": self.goal_points, "points": self.points, "yuan_fen": self.yuan_fen,
                "donors": self.donors, "donations": self.donations, "percent": self.percent}


def campaign_progress(t: Terminal, campaign_id: str) -> Progress | None:
    """Points donated so far to ``campaign_id`` that this till holds, against its goal (the
    latest version's); None if the till does not hold such a donation campaign. For the
    customer display and the gifts screen."""
    campaign = t.repo.campaign(campaign_id) if isinstance(campaign_id, str) else None
    if campaign is None or campaign.kind != KIND:
        return None
    points, yuan_fen, donors, count = t.repo.donated_to(campaign.campaign_id)
    return Progress(campaign.campaign_id, campaign.name_zh, campaign.name_en, campaign.body.goal_points,
                    points, yuan_fen, donors, count)
