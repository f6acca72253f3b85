"""The staff screen's state (Ctrl+F10, managers): the accounts, and adding one, resetting a PIN,
disabling or enabling one (``services.staff``, each audited, a PIN never shown or logged)."""

from __future__ import annotations

import logging

from pos_app.core.errors import PosError
from pos_app.services import staff
from pos_app.services.context import Terminal
from pos_app.services.staff import StaffMember
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, Signal
from pos_app.ui.viewmodels.session import SessionViewModel

log = logging.getLogger(__name__)


class StaffViewModel(QObject):
    """Signals: ``staff_changed()`` (the list to show again), ``error_raised(str)``. Every action
    is a manager's: refused (None or False, nothing done) when the one logged in is not."""

    staff_changed = Signal()
    error_raised = Signal(str)

    def __init__(self, terminal: Terminal, session: SessionViewModel) -> None:
        super().__init__()
        self.terminal = terminal
        self.session = session
        self.rows: list[StaffMember] = []

    @property
    def allowed(self) -> bool:
        return self.session.is_manager

    def refresh(self) -> None:
        self.rows = staff.list_staff(self.terminal) if self.allowed else []
        self.staff_changed.emit()

    def add(self, *, code: str, name: str, role: str, pin: str, pin_again: str) -> StaffMember | None:
        if not self.allowed:
            return None
        try:
            s = staff.add_staff(self.terminal, code=code.strip(), name=name, role=role, pin=pin, pin_again=pin_again,
                                by=self.session.staff_code)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        log.info("staff %s added as %s", s.code, s.role)  # never the PIN
        self.refresh()
        return s

    def reset_pin(self, code: str, pin: str) -> bool:
        if not self.allowed:
            return False
        code = code.strip()
        try:
            staff.reset_pin(self.terminal, code=code, pin=pin, by=self.session.staff_code)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        log.info("PIN of staff %s reset", code)
        return True

    def toggle_active(self, code: str) -> bool | None:
        """Disables an active account or enables a disabled one; the new state, or None (refused)."""
        if not self.allowed:
            return None
        code = code.strip()
        current = next((s for s in staff.list_staff(self.terminal) if s.code == code), None)
        active = True if current is None else not current.active
        try:
            staff.set_active(self.terminal, code=code, active=active, by=self.session.staff_code)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        log.info("staff %s %s", code, "enabled" if active else "disabled")
        self.refresh()
        return active
