"""The lottery draw at the counter (积分抽奖, ``services.draws``), reached from the gifts screen:
the running draw campaigns, a draw for the member the gifts screen identified (and how they
showed they are here), its result as a ``DrawResult`` the window passes on (the customer
display shows it), and a manager's approval when headquarters is silent past the offline
allowance."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.core.draws import DrawBody
from pos_app.core.errors import ApprovalRequired, PosError
from pos_app.services import campaigns, draws
from pos_app.services.draws import DrawResult
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, Signal
from pos_app.ui.viewmodels.gifts import GiftsViewModel


@dataclass(frozen=True)
class DrawCampaignRow:
    campaign_id: str
    name: str
    cost_points: int
    daily_limit: int | None
    campaign_limit: int | None
    ends_on: str


class DrawViewModel(QObject):
    """Signals: ``drawn(DrawResult)``, ``approval_needed(str)``, ``error_raised(str)``."""

    drawn = Signal(object)
    approval_needed = Signal(str)
    error_raised = Signal(str)

    def __init__(self, gifts: GiftsViewModel) -> None:
        super().__init__()
        self.gifts = gifts
        self.terminal = gifts.terminal
        self.pending: str | None = None  # the campaign of a draw waiting for a manager's approval
        self.last_result: DrawResult | None = None

    def campaigns(self) -> list[DrawCampaignRow]:
        """The draw campaigns running today at this store."""
        try:
            running = campaigns.campaigns_in_force(self.terminal, "draw")
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return []
        rows = []
        for c in running:
            body = c.body
            if isinstance(body, DrawBody):
                rows.append(DrawCampaignRow(c.campaign_id, c.name(self.gifts.language), body.cost_points,
                                            body.daily_limit, body.campaign_limit, c.ends_on.isoformat()))
        return rows

    def draw(self, campaign_id: str, manager: tuple[str, str] | None = None) -> DrawResult | None:
        member = self.gifts.member
        if member is None:
            self.error_raised.emit(self.tr("Identify the member first (card or phone number)."))
            return None
        try:
            result = draws.run_draw(
                self.terminal, member_ref=member.card_no, campaign_id=campaign_id,
                staff_code=self.gifts._staff_code(), presence=self.gifts.presence or "other", queue_slip=True,
                manager_code=manager[0].strip() if manager else None, manager_pin=manager[1] if manager else None)
        except ApprovalRequired as exc:  # headquarters silent: past this till's offline allowance
            self.pending = campaign_id
            self.approval_needed.emit(
                self.tr("Headquarters has not been reachable for a while: this till has redeemed %1 of its %2"
                        " offline points today. A store manager must approve this draw.")
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
        self.gifts.refresh_catalogue()  # a gift prize takes the gift's stock
        self.drawn.emit(result)
        return result

    def approve(self, manager_code: str, manager_pin: str) -> DrawResult | None:
        if self.pending is None:
            return None
        return self.draw(self.pending, (manager_code, manager_pin))

    def explain(self, exc: PosError) -> str:
        """The draw's own refusals as sentences; the others as everywhere (``ui.errors``)."""
        p, reason = exc.params, exc.params.get("reason")
        if reason == "daily_limit":
            return self.tr("The member has had the %1 draws allowed today.").replace("%1", str(p.get("limit")))
        if reason == "campaign_limit":
            return self.tr("The member has had the %1 draws this campaign allows.").replace(
                "%1", str(p.get("limit")))
        if exc.field == "points" and "needed" in p:
            return self.tr("Not enough points: a draw costs %1, the balance is %2.").replace(
                "%1", f"{int(p['needed']):,}").replace("%2", f"{int(p.get('balance', 0)):,}")
        if reason == "ended":
            return self.tr("This draw ended on %1.").replace("%1", str(p.get("ends_on")))
        if reason == "upcoming":
            return self.tr("This draw starts on %1.").replace("%1", str(p.get("starts_on")))
        if reason in ("store", "kind", "program") or (exc.code == "not_found" and exc.field == "campaign"):
            return self.tr("This draw cannot run at this store now (%1).").replace("%1", exc.message)
        return message(exc)


def display_message(result: DrawResult) -> tuple[str, str]:
    """What the customer display shows after a draw (``show_draw_result``), in both languages
    (the display shows the till's): the prize won, with its points, or the thanks for taking part."""
    if result.prize_kind == "none":
        return f"{result.prize_name_zh}，感谢参与！", f"{result.prize_name_en}. Thank you for taking part!"
    zh, en = f"恭喜！抽中：{result.prize_name_zh}", f"Congratulations! You won: {result.prize_name_en}"
    if result.points_won:
        zh += f"（+{result.points_won:,} 积分）"
        en += f" (+{result.points_won:,} points)"
    return zh, en
