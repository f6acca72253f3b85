"""Cancelling a gift redemption of the open shift (issue 15 item 4): the cashier picks which (the
newest is chosen; Up/Down or a touch picks another, any member's), reads what goes back (the
points, the cash of a points + cash gift, the member's balance after) and gives a reason; Enter
cancels it, Esc keeps it. Used by the gifts screen (Ctrl+Z)."""

from __future__ import annotations

from collections.abc import Callable

from pos_app.core.members import mask_phone
from pos_app.services.points import Cancellable
from pos_app.ui.qt import (
    QDialog,
    QEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QObject,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from pos_app.ui.widgets.common import TOUCH_HEIGHT, cancel_ok_row, yuan


class GiftCancelDialog(QDialog):
    """``chosen(redemption_no, reason)`` when the cashier confirms with a reason; never blocks."""

    chosen = Signal(str, str)

    def __init__(self, parent: QWidget, choices: list[Cancellable], gift_name: Callable[[str], str]) -> None:
        super().__init__(parent)
        self.setObjectName("gift_cancel_dialog")
        self.setWindowTitle(self.tr("Cancel redemption"))
        self.setMinimumWidth(520)
        self.choices = choices
        self._gift_name = gift_name
        root = QVBoxLayout(self)
        root.addWidget(QLabel(self.tr("This shift's redemptions (newest first):"), self))
        self.list = QListWidget(self)
        self.list.setObjectName("gift_cancel_list")
        for c in choices:
            self.list.addItem(f"{c.created_at[11:16]}  {c.redemption_no}  {gift_name(c.gift_code)}  "
                              f"{c.member_name} {mask_phone(c.member_phone)}")
        rows = min(len(choices), 4)
        self.list.setFixedHeight(rows * max(TOUCH_HEIGHT, self.list.sizeHintForRow(0)) + 2 * self.list.frameWidth())
        root.addWidget(self.list)
        self.details = QLabel(self)
        self.details.setObjectName("gift_cancel_details")
        self.details.setWordWrap(True)
        root.addWidget(self.details)
        self.reason_input = QLineEdit(self)
        self.reason_input.setObjectName("gift_cancel_reason")
        self.reason_input.setMaxLength(200)
        self.reason_input.returnPressed.connect(self._confirm)
        root.addWidget(self.reason_input)
        self.cancel_button, self.ok_button = cancel_ok_row(self, root, self.tr("Keep it"),
                                                           self.tr("Cancel redemption"), self._confirm)
        self.list.currentRowChanged.connect(self._show)
        # the reason field keeps the keyboard; Up and Down choose the redemption from there
        self.reason_input.installEventFilter(self)
        self.list.setCurrentRow(0)
        self.reason_input.setFocus()

    def selected(self) -> Cancellable | None:
        row = self.list.currentRow()
        return self.choices[row] if 0 <= row < len(self.choices) else None

    def labelText(self) -> str:
        return self.details.text()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.reason_input and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._move(-1 if key == Qt.Key.Key_Up else 1)
                return True
        return super().eventFilter(watched, event)

    def _move(self, step: int) -> None:
        row = self.list.currentRow() + step
        if 0 <= row < self.list.count():
            self.list.setCurrentRow(row)

    def _show(self, _row: int) -> None:
        c = self.selected()
        if c is None:
            self.details.clear()
            return
        text = self.tr("Cancel %1 (%2)? %3 points go back to the member.").replace(
            "%1", self._gift_name(c.gift_code)).replace("%2", c.redemption_no).replace("%3", f"{c.points:,}")
        if c.cash_fen:
            text += "\n" + self.tr("Hand back %1 in cash.").replace("%1", yuan(c.cash_fen))
        if c.coupon_code:
            text += "\n" + self.tr("Its coupon %1 can no longer be used.").replace("%1", c.coupon_code)
        text += "\n" + self.tr("Balance after: %1 points").replace("%1", f"{c.member_balance + c.points:,}")
        text += "\n" + self.tr("Reason:")
        self.details.setText(text)

    def _confirm(self) -> None:
        c = self.selected()
        reason = self.reason_input.text().strip()
        if c is None:
            return
        if not reason:
            self.reason_input.setFocus()
            self.reason_input.setPlaceholderText(self.tr("A reason is needed"))
            return
        self.accept()
        self.chosen.emit(c.redemption_no, reason)
