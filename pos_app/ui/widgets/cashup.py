"""The cash-up (清点交班) before a shift closes (issue 15 item 9): what each payment kind should
hold, the cash counted, the difference, then a confirmation that closes the shift."""

from __future__ import annotations

from typing import Any

from pos_app.core.errors import PosError
from pos_app.core.money import parse_yuan
from pos_app.ui.errors import message
from pos_app.ui.qt import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget, Signal
from pos_app.ui.scanner import disable_input_method
from pos_app.ui.widgets.common import Notice, cancel_ok_row, yuan


class CashUpDialog(QDialog):
    """Shows ``figures`` (``services.shifts.cash_up``); the cashier types the cash counted in the
    drawer, sees the difference, and confirms: ``close_requested(fen)``. Esc or Cancel leaves the
    shift open."""

    close_requested = Signal(int)

    def __init__(self, parent: QWidget, figures: dict[str, Any], tender_names: dict[str, str]) -> None:
        super().__init__(parent)
        self.setObjectName("cash_up_dialog")
        self.setWindowTitle(self.tr("Cash-up and close shift"))
        self.setMinimumWidth(440)
        self.expected = figures["expected"]
        root = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(self.tr("Shift"), QLabel(figures["shift_no"], self))
        form.addRow(self.tr("Sales"), QLabel(str(figures["sales"]), self))
        form.addRow(self.tr("Float"), QLabel(yuan(figures["float_fen"]), self))
        self.expected_labels: dict[str, QLabel] = {}
        for kind, fen in self.expected.items():
            label = QLabel(yuan(fen), self)
            label.setObjectName(f"expected_{kind}")
            self.expected_labels[kind] = label
            form.addRow(self.tr("Expected: %1").replace("%1", tender_names.get(kind, kind)), label)
        self.counted_input = QLineEdit(self)
        self.counted_input.setObjectName("counted_cash_input")
        self.counted_input.setPlaceholderText(self.tr("Cash counted in the drawer, e.g. 1250.00"))
        self.counted_input.setMinimumHeight(44)
        disable_input_method(self.counted_input)
        self.counted_input.textChanged.connect(self._show_difference)
        self.counted_input.returnPressed.connect(self._confirm)
        form.addRow(self.tr("Cash counted"), self.counted_input)
        self.difference_label = QLabel(self)
        self.difference_label.setObjectName("cash_difference_label")
        form.addRow(self.tr("Difference"), self.difference_label)
        root.addLayout(form)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        # Enter in the amount closes the shift once (through the field, see cancel_ok_row)
        self.cancel_button, self.close_button = cancel_ok_row(self, root, self.tr("Cancel (Esc)"),
                                                              self.tr("Close shift (Enter)"), self._confirm)
        self.close_button.setObjectName("cash_up_close_button")
        self.counted_input.setFocus()

    def counted_fen(self) -> int | None:
        try:
            return parse_yuan(self.counted_input.text(), field="counted_cash", allow_zero=True)
        except PosError:
            return None

    def _show_difference(self) -> None:
        counted = self.counted_fen()
        if counted is None:
            self.difference_label.setText("")
            return
        diff = counted - int(self.expected.get("cash", 0))
        if diff > 0:
            self.difference_label.setText(self.tr("%1 over").replace("%1", yuan(diff)))
        elif diff < 0:
            self.difference_label.setText(self.tr("%1 short").replace("%1", yuan(-diff)))
        else:
            self.difference_label.setText(self.tr("No difference"))

    def _confirm(self) -> None:
        try:
            counted = parse_yuan(self.counted_input.text(), field="counted_cash", allow_zero=True)
        except PosError as exc:
            self.notice.error(message(exc))
            self.counted_input.setFocus()
            return
        self.close_requested.emit(counted)

    def refuse(self, text: str) -> None:
        self.notice.error(text)
