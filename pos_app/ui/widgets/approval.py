"""A manager's approval at the counter: number and PIN, shared by the gifts and adjustments screens."""

from __future__ import annotations

from typing import Any

from pos_app.ui.qt import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget, Signal
from pos_app.ui.widgets.common import Notice, big_button


class ApprovalDialog(QDialog):
    """Asks a manager's number and PIN; never blocks (the caller uses ``open()``).

    Signals: ``approval_given(str, str)`` (number, PIN) when OK is pressed with both filled.
    The dialog does not close itself: the screen runs the action and calls ``accept()`` when it
    succeeded, or ``refuse(text)`` so the manager sees why and may try again. Enter confirms,
    Esc cancels (``rejected``).
    """

    approval_given = Signal(str, str)

    def __init__(self, parent: QWidget, title: str, text: str, *, manager_code: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("approval_dialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        root = QVBoxLayout(self)
        self.text_label = QLabel(text, self)
        self.text_label.setObjectName("approval_text")
        self.text_label.setWordWrap(True)
        root.addWidget(self.text_label)
        form = QFormLayout()
        self.code_input = QLineEdit(self)
        self.code_input.setObjectName("manager_code")
        self.code_input.setPlaceholderText(self.tr("e.g. 9001"))
        self.code_input.setText(manager_code)
        form.addRow(self.tr("Manager number"), self.code_input)
        self.pin_input = QLineEdit(self)
        self.pin_input.setObjectName("manager_pin")
        self.pin_input.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Manager PIN"), self.pin_input)
        root.addLayout(form)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        buttons = QHBoxLayout()
        self.cancel_button = big_button(self.tr("Cancel (Esc)"), self)
        self.cancel_button.setAutoDefault(False)
        self.ok_button = big_button(self.tr("Approve (Enter)"), self, primary=True)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        root.addLayout(buttons)
        # Enter in either field reaches the dialog, which presses its default button (OK)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        (self.pin_input if manager_code else self.code_input).setFocus()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)  # QDialog centres itself over the window here
        self.activateWindow()  # the PIN pad must get the keys at once, whatever had the focus

    def submit(self) -> None:
        code, pin = self.code_input.text().strip(), self.pin_input.text()
        if not code:
            self.code_input.setFocus()
            self.notice.error(self.tr("Enter the manager's number and PIN."))
            return
        if not pin:  # Enter after the number moves on to the PIN
            self.pin_input.setFocus()
            return
        self.approval_given.emit(code, pin)

    def refuse(self, text: str) -> None:
        """The approval did not go through: say why and let the manager try again."""
        self.notice.error(text)
        self.pin_input.clear()
        self.pin_input.setFocus()
