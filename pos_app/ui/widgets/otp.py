"""The one-time code at the counter (services.presence): the member reads out the code their
phone received, the cashier types it. Shared by checkout and the gifts screen."""

from __future__ import annotations

from typing import Any

from pos_app.ui.qt import QDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget, Signal
from pos_app.ui.scanner import disable_input_method
from pos_app.ui.widgets.common import Notice, big_button


class OtpDialog(QDialog):
    """Asks for the code; never blocks (``open()``). ``code_entered(str)`` when Verify is
    pressed; the screen checks it and calls ``accept()`` or ``refuse(text)``. The code is
    never shown again nor kept: the field is cleared after every try."""

    code_entered = Signal(str)

    def __init__(self, parent: QWidget, text: str) -> None:
        super().__init__(parent)
        self.setObjectName("otp_dialog")
        self.setWindowTitle(self.tr("One-time code"))
        self.setMinimumWidth(420)
        root = QVBoxLayout(self)
        self.text_label = QLabel(text, self)
        self.text_label.setObjectName("otp_text")
        self.text_label.setWordWrap(True)
        root.addWidget(self.text_label)
        self.code_input = QLineEdit(self)
        self.code_input.setObjectName("otp_input")
        self.code_input.setPlaceholderText(self.tr("6 digits"))
        self.code_input.setMaxLength(6)
        disable_input_method(self.code_input)
        root.addWidget(self.code_input)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        buttons = QHBoxLayout()
        self.cancel_button = big_button(self.tr("Cancel (Esc)"), self)
        self.cancel_button.setAutoDefault(False)
        self.ok_button = big_button(self.tr("Verify (Enter)"), self, primary=True)
        self.ok_button.setObjectName("otp_verify")
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        root.addLayout(buttons)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.code_input.setFocus()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.activateWindow()

    def submit(self) -> None:
        code = self.code_input.text().strip()
        self.code_input.clear()
        if not code:
            self.notice.error(self.tr("Type the code the member reads out."))
            return
        self.code_entered.emit(code)

    def refuse(self, text: str) -> None:
        self.notice.error(text)
        self.code_input.setFocus()
