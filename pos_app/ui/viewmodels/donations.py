"""Donations at the counter (积分捐赠, ``services.donations``), reached from the gifts screen:
the donation campaigns running here with their progress as this till knows it, a donation for
the member the gifts screen identified (and how they showed they are here), and a manager's
approval when headquarters is silent past the offline allowance."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.core.donations import Donation
from pos_app.core.errors import ApprovalRequired, PosError
from pos_app.core.money import format_fen
from pos_app.services import donations
from pos_app.services.donations import DonationResult
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, Signal
from pos_app.ui.viewmodels.gifts import GiftsViewModel


@dataclass(frozen=True)
class DonationCampaignRow:
    campaign_id: str
    name: str
    cause: str
    fen_per_point: int
    step: int | None
    goal_points: int
    donated_points: int  # what this till holds of the campaign's donations
    ends_on: str


class DonationViewModel(QObject):
    """Signals: ``donated(DonationResult)``, ``approval_needed(str)``, ``error_raised(str)``."""

    donated = Signal(object)
    approval_needed = Signal(str)
    error_raised = Signal(str)

    def __init__(self, gifts: GiftsViewModel) -> None:
        super().__init__()
        self.gifts = gifts
        self.terminal = gifts.terminal
        self.pending: tuple[str, int] | None = None  # a donation waiting for a manager's approval
        self.last_result: DonationResult | None = None

    def campaigns(self) -> list[DonationCampaignRow]:
        """The donation campaigns running today at this store."""
        try:
            running = donations.donation_campaigns(self.terminal)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return []
        rows = []
        language = self.gifts.language
        for c in running:
            body = c.body
            if not isinstance(body, Donation):
                continue
            progress = donations.campaign_progress(self.terminal, c.campaign_id)
            rows.append(DonationCampaignRow(c.campaign_id, c.name(language), body.cause(language), body.fen_per_point,
                                            body.step, body.goal_points, progress.points if progress else 0,
                                            c.ends_on.isoformat()))
        return rows

    def donate(self, campaign_id: str, points: int, manager: tuple[str, str] | None = None) -> DonationResult | None:
        member = self.gifts.member
        if member is None:
            self.error_raised.emit(self.tr("Identify the member first (card or phone number)."))
            return None
        try:
            result = donations.donate(
                self.terminal, member_ref=member.card_no, campaign_id=campaign_id, points=points,
                staff_code=self.gifts._staff_code(), presence=self.gifts.presence or "other", queue_slip=True,
                manager_code=manager[0].strip() if manager else None, manager_pin=manager[1] if manager else None)
        except ApprovalRequired as exc:  # headquarters silent: past this till's offline allowance
            self.pending = (campaign_id, points)
            self.approval_needed.emit(
                self.tr("Headquarters has not been reachable for a while: this till has redeemed %1 of its %2"
                        " offline points today. A store manager must approve this donation.")
                .replace("%1", f"{exc.params.get('used_today', 0):,}")
                .replace("%2", f"{exc.params.get('limit', 0):,}"))
            return None
        except PosError as exc:
            self.error_raised.emit(self.explain(exc))
            return None
        self.pending = None
        self.last_result = result
        self.gifts.member = result.member
        self.gifts.member_changed.emit()
        self.donated.emit(result)
        return result

    def approve(self, manager_code: str, manager_pin: str) -> DonationResult | None:
        if self.pending is None:
            return None
        campaign_id, points = self.pending
        return self.donate(campaign_id, points, (manager_code, manager_pin))

    def explain(self, exc: PosError) -> str:
        """The donation's own refusals as sentences; the others as everywhere (``ui.errors``)."""
        p, reason = exc.params, exc.params.get("reason")
        if exc.field == "points" and "step" in p:
            return self.tr("Donations to this campaign are in multiples of %1 points.").replace(
                "%1", f"{int(p['step']):,}")
        if exc.field == "points" and "balance" in p:
            return self.tr("Not enough points: the balance is %1.").replace("%1", f"{int(p['balance']):,}")
        if exc.field == "points" and exc.code == "invalid_input":
            return self.tr("Enter the points to donate: a whole number above 0.")
        if reason == "ended":
            return self.tr("This campaign ended on %1.").replace("%1", str(p.get("ends_on")))
        if reason == "upcoming":
            return self.tr("This campaign starts on %1.").replace("%1", str(p.get("starts_on")))
        if reason in ("store", "kind") or (exc.code == "not_found" and exc.field == "campaign"):
            return self.tr("This campaign does not run at this store now (%1).").replace("%1", exc.message)
        return message(exc)


def display_message(terminal: object, result: DonationResult) -> tuple[str, str, float | None]:
    """What the customer display shows after a donation (``show_donation``): the thanks in both
    languages and the campaign's share of its goal as this till knows it (0.0 to 1.0)."""
    from pos_app.services.context import Terminal

    assert isinstance(terminal, Terminal)
    progress = donations.campaign_progress(terminal, result.campaign_id)
    share = None if progress is None else min(1.0, progress.points / progress.goal_points)
    zh = (f"感谢您的爱心！已向「{result.name_zh}」捐赠 {result.points:,} 积分（折合 ¥{format_fen(result.yuan_fen)}）")
    en = (f"Thank you! {result.points:,} points (¥{format_fen(result.yuan_fen)}) donated to {result.name_en}")
    if progress is not None:
        zh += f"，活动进度 {progress.percent}%"
        en += f"; the campaign is at {progress.percent}% of its goal"
    return zh, en, share
