"""The adjustments screen's state: a manager's correction of a member's points, and the audit trail."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pos_app.core.errors import PosError, RuleViolation
from pos_app.core.text import normalize_input
from pos_app.services import history, members, points, staff
from pos_app.services.context import Terminal
from pos_app.services.history import AuditRow
from pos_app.services.points import AdjustResult
from pos_app.storage.repo import MemberRecord
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, QThreadPool, Signal
from pos_app.ui.workers import ImmediatePool, Task

AUDIT_ROWS = 200


class AdjustmentsViewModel(QObject):
    """Signals: ``member_changed()``, ``approval_needed(str)`` (what the manager approves),
    ``adjustment_done(AdjustResult)``, ``audit_loaded()``, ``error_raised(str)``."""

    member_changed = Signal()
    approval_needed = Signal(str)
    adjustment_done = Signal(object)
    audit_loaded = Signal()
    error_raised = Signal(str)

    def __init__(self, terminal: Terminal, pool: QThreadPool | ImmediatePool) -> None:
        super().__init__()
        self.terminal = terminal
        self.pool = pool
        self.member: MemberRecord | None = None
        self.pending: tuple[int, str] | None = None  # points and reason waiting for approval
        self.last_result: AdjustResult | None = None
        self.audit: list[AuditRow] = []
        self.actions: list[str] = []
        self.action: str | None = None  # the audit filter; None shows every action
        self.loading = False
        self._generation = 0
        self._task: Task | None = None

    # -- member -------------------------------------------------------------------------------------
    def identify(self, text: str) -> bool:
        try:
            self.member = members.find_member(self.terminal, text)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.pending = None
        self.member_changed.emit()
        return True

    def clear(self) -> None:
        self.member = None
        self.pending = None
        self.last_result = None
        self.member_changed.emit()

    # -- the adjustment -------------------------------------------------------------------------------
    def request(self, points_text: str, reason: str) -> bool:
        """Check the form, then ask for a manager's approval (``approval_needed``)."""
        m = self.member
        if m is None:
            self.error_raised.emit(self.tr("Identify the member first (card or phone number)."))
            return False
        text = normalize_input(points_text).replace(" ", "").replace(",", "")
        if not re.fullmatch(r"[+-]?[0-9]{1,9}", text) or int(text) == 0:
            self.error_raised.emit(self.tr("Enter the points as a signed whole number, e.g. +500 or -200."))
            return False
        pts = int(text)
        if len(reason.strip()) < 2:
            self.error_raised.emit(self.tr("A reason is required."))
            return False
        if pts < 0 and -pts > m.balance:
            self.error_raised.emit(message(RuleViolation("points", "balance", balance=m.balance)))
            return False
        self.pending = (pts, reason.strip())
        self.approval_needed.emit(
            self.tr("Adjust the points of %1 (%2) by %3. Reason: %4. A store manager must approve.")
            .replace("%1", m.name).replace("%2", m.card_no).replace("%3", f"{pts:+,}").replace("%4", reason.strip()))
        return True

    def approve(self, manager_code: str, manager_pin: str, requested_by: str | None = None) -> AdjustResult | None:
        """Make the adjustment waiting for approval; a refusal changes nothing and may be retried.
        ``requested_by``: who asks (the one logged in); above the self-approval limit another
        manager must approve."""
        if self.pending is None or self.member is None:
            return None
        pts, reason = self.pending
        try:
            # adjust_points reports every failed approval as "not a manager"; checking first
            # tells the manager a wrong PIN or a lock-out apart (one PIN check is counted)
            manager = staff.require_manager(self.terminal, manager_code.strip(), manager_pin)
            result = points.adjust_points(self.terminal, member_ref=self.member.card_no, points=pts, reason=reason,
                                          manager_code=manager.code, manager_pin=manager_pin,
                                          requested_by=requested_by)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        self.pending = None
        self.last_result = result
        self.member = result.member
        self.member_changed.emit()
        self.adjustment_done.emit(result)
        self.load_audit()
        return result

    def cancel_approval(self) -> None:
        self.pending = None

    # -- audit trail ------------------------------------------------------------------------------------
    def set_action(self, action: str | None) -> None:
        if action != self.action:
            self.action = action
            self.load_audit()

    def load_audit(self) -> None:
        """Loads in the background; an answer to an older request is dropped."""
        self._generation += 1
        generation, action, t = self._generation, self.action, self.terminal

        def fetch(_progress: Callable[[int, int], None]) -> tuple[int, list[AuditRow], list[str]]:
            return generation, history.audit_trail(t, action=action, limit=AUDIT_ROWS), history.audit_actions(t)

        self.loading = True
        self._task = Task(fetch).success(self._on_audit_fetched).failure(self._on_audit_failed)
        self._task.run(self.pool)

    def _on_audit_fetched(self, answer: Any) -> None:
        generation, rows, actions = answer
        if generation != self._generation:
            return
        self.loading = False
        self.audit = rows
        self.actions = actions
        self.audit_loaded.emit()

    def _on_audit_failed(self, exc: BaseException) -> None:
        self.loading = False
        self.error_raised.emit(message(exc))
