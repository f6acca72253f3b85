"""The gifts screen's state (积分商城): catalogue with stock, the member, redemption and its approval."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pos_app.core import redemption as core_redemption
from pos_app.core.errors import ApprovalRequired, PermissionDenied, PosError
from pos_app.services import online, points, presence
from pos_app.services.context import Terminal
from pos_app.services.points import GiftCancelResult, GiftResult
from pos_app.storage.repo import MemberRecord
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, QThreadPool, Signal
from pos_app.ui.viewmodels import presence as presence_vm
from pos_app.ui.viewmodels.presence import keep_stronger, presence_of
from pos_app.ui.workers import ImmediatePool


@dataclass(frozen=True)
class GiftRow:
    code: str
    name: str
    points: int
    cash_fen: int
    kind: str
    stock: int | None  # None: the gift's stock is not tracked
    needs_approval: bool


class GiftsViewModel(QObject):
    """Signals: ``member_changed()``, ``catalogue_changed()``, ``approval_needed(str)`` (what the
    manager is asked to approve), ``approval_cancelled()``, ``gift_redeemed(GiftResult)``,
    ``error_raised(str)``."""

    member_changed = Signal()
    catalogue_changed = Signal()
    approval_needed = Signal(str)
    approval_cancelled = Signal()
    gift_redeemed = Signal(object)
    gift_cancelled = Signal(object)
    error_raised = Signal(str)
    code_sent = Signal(int)  # a one-time code went to the member's phone: valid this many seconds
    code_verified = Signal()  # the member read out the right code: they may redeem

    def __init__(self, terminal: Terminal, staff_code: Callable[[], str | None], language: str,
                 pool: QThreadPool | ImmediatePool | None = None) -> None:
        super().__init__()
        self.terminal = terminal
        self._staff_code = staff_code
        self.language = language
        self.gifts: list[GiftRow] = []
        self.member: MemberRecord | None = None
        # how the member was identified (services.presence): a gift needs card, member_qr or otp
        self.presence: str | None = None
        # a one-time code goes out on the pool (None: at once, on this thread); one at a time
        self.pool = pool
        self.code_sending = False
        # headquarters was asked for the member and did not answer: the till's own copy is shown
        self.member_offline = False
        self.pending: str | None = None  # the gift waiting for a manager's approval
        # the redemption and reason of a cancellation waiting for a manager
        self.pending_cancel: tuple[str, str] | None = None
        self.last_result: GiftResult | None = None

    # -- catalogue ------------------------------------------------------------------------------
    def refresh_catalogue(self) -> None:
        try:
            program = self.terminal.program
            self.gifts = [
                GiftRow(code=g.code, name=g.name_zh if self.language == "zh_CN" else g.name_en, points=g.points,
                        cash_fen=g.cash_fen, kind=g.kind,
                        stock=(self.terminal.repo.gift_stock(g.code) or 0) if g.stock_tracked else None,
                        needs_approval=core_redemption.needs_approval(program, g))
                for g in program.gifts
            ]
        except PosError as exc:
            self.gifts = []
            self.error_raised.emit(message(exc))
        self.catalogue_changed.emit()

    def gift(self, code: str) -> GiftRow | None:
        return next((g for g in self.gifts if g.code == code), None)

    # -- member -----------------------------------------------------------------------------------
    def identify(self, text: str, *, scanned: bool = False, presence_kind: str | None = None) -> bool:
        """``scanned``: a scanner or the camera read ``text``; ``presence_kind``: how checkout
        identified the member who came along with a gift scanned there."""
        try:
            kind = presence_kind or presence_of(self.terminal, text, scanned=scanned)
            found = online.identify(self.terminal, text)  # a revoked card is refused; HQ first when stale
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.presence = keep_stronger(self.member.uuid if self.member else None, self.presence,
                                      found.member.uuid, kind)
        self.member = found.member
        self.member_offline = found.offline
        self.cancel_approval()
        self.member_changed.emit()
        return True

    def clear_member(self) -> None:
        if self.member is not None:
            presence.forget(self.terminal, self.member.uuid)
        self.member = None
        self.presence = None
        self.member_offline = False
        self.cancel_approval()
        self.member_changed.emit()

    def reload(self) -> None:
        """The member's balance, the stock and the catalogue as the till has them now (a sync
        brought changes); a gift waiting for approval keeps waiting."""
        if self.member is not None:
            fresh = self.terminal.repo.member_by_id(self.member.id)
            if fresh is not None:
                self.member = fresh
                self.member_changed.emit()
        self.refresh_catalogue()

    def reset(self) -> None:
        self.last_result = None
        self.clear_member()

    # -- redemption -------------------------------------------------------------------------------
    def redeem(self, gift_code: str) -> GiftResult | None:
        """Redeem at once, or, when the program asks for it, ask for a manager's approval first
        (``approval_needed``; the approval then comes back through ``approve``)."""
        if self.member is None:
            self.error_raised.emit(self.tr("Identify the member first (card or phone number)."))
            return None
        try:
            result = points.redeem_gift(self.terminal, member_ref=self.member.card_no, gift_code=gift_code,
                                        staff_code=self._staff_code(), queue_slip=True,
                                        presence=self.presence or "other")
        except ApprovalRequired as exc:
            # every other rule (stock, limits, balance, cap) has passed: only the approval is missing
            self.pending = gift_code
            row = self.gift(gift_code)
            name = f"{gift_code} {row.name}" if row else gift_code
            if exc.field == "offline":  # headquarters silent: past this till's offline allowance
                text = self.tr("Headquarters has not been reachable for a while: this till has redeemed %1 of"
                               " its %2 offline points today. A store manager must approve %3 for %4 points.")
                self.approval_needed.emit(
                    text.replace("%1", f"{exc.params.get('used_today', 0):,}")
                    .replace("%2", f"{exc.params.get('limit', 0):,}").replace("%3", name)
                    .replace("%4", f"{exc.params.get('points', 0):,}"))
                return None
            self.approval_needed.emit(
                self.tr("%1 costs %2 points: a store manager must approve this redemption.")
                .replace("%1", name).replace("%2", f"{row.points:,}" if row else "?"))
            return None
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        return self._redeemed(result)

    def cancellable(self) -> list[points.Cancellable]:
        """The open shift's redemptions at this till that may still be cancelled, newest first."""
        try:
            return points.cancellable_redemptions(self.terminal)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return []

    def can_cancel(self) -> bool:
        return bool(self.cancellable())

    def cancel(self, redemption_no: str, reason: str, manager: tuple[str, str] | None = None
               ) -> GiftCancelResult | None:
        """Cancel one of the open shift's redemptions (any member's): points, stock and cash back.
        A gift that needed a manager asks for one again (``approval_needed``; back through
        ``approve``). The screen's member is refreshed when it is the redemption's member."""
        try:
            done = points.cancel_redemption(
                self.terminal, redemption_no=redemption_no, reason=reason, staff_code=self._staff_code(),
                manager_code=manager[0].strip() if manager else None, manager_pin=manager[1] if manager else None,
                queue_slip=True)
        except PermissionDenied as exc:
            if manager is None and exc.field == "manager":
                self.pending_cancel = (redemption_no, reason)
                self.approval_needed.emit(self.tr("%1 was approved by a manager: a store manager must approve"
                                                  " its cancellation.").replace("%1", redemption_no))
                return None
            self.error_raised.emit(message(exc))
            return None
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        self.pending_cancel = None
        if self.member is not None and self.member.uuid == done.member.uuid:
            self.member = done.member
        self.member_changed.emit()
        self.refresh_catalogue()
        self.gift_cancelled.emit(done)
        return done

    def approve(self, manager_code: str, manager_pin: str) -> GiftResult | None:
        """Redeem the gift waiting for approval with a manager's number and PIN; a refusal
        (wrong PIN, not a manager) changes nothing and may be retried."""
        if self.pending_cancel is not None:
            self.cancel(*self.pending_cancel, (manager_code, manager_pin))
            return self.last_result if self.pending_cancel is None else None
        if self.pending is None or self.member is None:
            return None
        try:
            result = points.redeem_gift(
                self.terminal, member_ref=self.member.card_no, gift_code=self.pending,
                staff_code=self._staff_code(), manager_code=manager_code.strip(), manager_pin=manager_pin,
                queue_slip=True, presence=self.presence or "other")
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        self.pending = None
        return self._redeemed(result)

    def may_spend(self) -> bool:
        """Whether the member showed they are here (or this store lets a typed number spend)."""
        return presence.may_spend(self.terminal, self.presence or "other")

    # -- one-time code ----------------------------------------------------------------------------
    def send_code(self) -> bool:
        """As at checkout: the chain's notification service sends the member a one-time code."""
        if self.member is None:
            self.error_raised.emit(self.tr("Identify the member first (card or phone number)."))
            return False
        return presence_vm.send_code(self, self.member)

    def verify_code(self, typed: str) -> bool:
        if self.member is None:
            return False
        return presence_vm.verify_code(self, self.member, typed)

    def cancel_approval(self) -> None:
        self.pending_cancel = None
        if self.pending is not None:
            self.pending = None
            self.approval_cancelled.emit()

    def _redeemed(self, result: GiftResult) -> GiftResult:
        self.last_result = result
        self.member = result.member
        self.member_changed.emit()
        self.refresh_catalogue()
        self.gift_redeemed.emit(result)
        return result
