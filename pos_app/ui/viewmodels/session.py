"""Who is at the counter: login, logout, and the shift."""

from __future__ import annotations

from typing import Any

from pos_app.core.errors import PosError
from pos_app.services import shifts, staff
from pos_app.services.context import Terminal
from pos_app.services.staff import StaffMember
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, Signal


class SessionViewModel(QObject):
    """Signals: ``logged_in(StaffMember)``, ``logged_out()``, ``shift_changed()``,
    ``shift_closed(dict)`` (the report), ``error_raised(str)``."""

    logged_in = Signal(object)
    logged_out = Signal()
    shift_changed = Signal()
    shift_closed = Signal(dict)
    error_raised = Signal(str)

    def __init__(self, terminal: Terminal) -> None:
        super().__init__()
        self.terminal = terminal
        self.staff: StaffMember | None = None

    @property
    def shift(self) -> shifts.Shift | None:
        return shifts.current_shift(self.terminal)

    @property
    def staff_code(self) -> str | None:
        return self.staff.code if self.staff else None

    @property
    def is_manager(self) -> bool:
        return bool(self.staff and self.staff.is_manager)

    def login(self, code: str, pin: str) -> bool:
        try:
            self.staff = staff.authenticate(self.terminal, code.strip(), pin)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.logged_in.emit(self.staff)
        return True

    def logout(self) -> None:
        self.staff = None
        self.logged_out.emit()

    def open_shift(self) -> bool:
        if self.staff is None:
            return False
        try:
            shifts.open_shift(self.terminal, staff_code=self.staff.code)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.shift_changed.emit()
        return True

    def cash_up(self) -> dict[str, Any] | None:
        """The open shift's figures for the cash-up (``services.shifts.cash_up``)."""
        try:
            return shifts.cash_up(self.terminal)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None

    def close_shift(self, counted_cash_fen: int | None = None) -> dict[str, Any] | None:
        if self.staff is None:
            return None
        try:
            report = shifts.close_shift(self.terminal, staff_code=self.staff.code, counted_cash_fen=counted_cash_fen)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        self.shift_changed.emit()
        self.shift_closed.emit(report)
        return report
