"""The login screen: staff number and PIN; Enter confirms."""

from __future__ import annotations

from pos_app.ui.qt import QFormLayout, QLabel, QLineEdit, Qt, QVBoxLayout, QWidget
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.widgets.common import Notice, big_button


class LoginPage(QWidget):
    def __init__(self, vm: SessionViewModel, store_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        title = QLabel(store_title, self)
        title.setObjectName("login_title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(title)
        box = QWidget(self)
        box.setMaximumWidth(420)
        form = QFormLayout(box)
        self.code_input = QLineEdit(box)
        self.code_input.setObjectName("staff_code")
        self.code_input.setPlaceholderText(self.tr("e.g. 1001"))
        form.addRow(self.tr("Staff number"), self.code_input)
        self.pin_input = QLineEdit(box)
        self.pin_input.setObjectName("staff_pin")
        self.pin_input.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("PIN"), self.pin_input)
        self.login_button = big_button(self.tr("Log in"), box, primary=True)
        self.login_button.setObjectName("login_button")
        form.addRow(self.login_button)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        self.notice = Notice(self)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.notice)
        outer.addStretch(2)
        self.code_input.returnPressed.connect(self.pin_input.setFocus)
        self.pin_input.returnPressed.connect(self._login)
        self.login_button.clicked.connect(self._login)
        vm.error_raised.connect(self._on_error)

    def _login(self) -> None:
        if self.vm.login(self.code_input.text(), self.pin_input.text()):
            self.pin_input.clear()
            self.code_input.clear()
            self.notice.clear()

    def _on_error(self, text: str) -> None:
        if self.isVisible():
            self.notice.error(text)
            self.pin_input.clear()
            self.pin_input.setFocus()

    def showEvent(self, event: object) -> None:
        self.code_input.setFocus()
