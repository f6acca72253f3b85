"""First start: a till with no database yet (a fresh install) asks once for its store and
terminal numbers and the first manager, then opens the login screen. Enter goes from field to
field and confirms on the last; Esc quits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pos_app.core.errors import PosError
from pos_app.services import setup
from pos_app.services.context import Terminal
from pos_app.ui.errors import message
from pos_app.ui.qt import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget
from pos_app.ui.widgets.common import Notice, big_button


class FirstStartDialog(QDialog):
    """On success ``terminal`` holds the opened till and the dialog is accepted."""

    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.terminal: Terminal | None = None
        self.setObjectName("first_start")
        self.setWindowTitle(self.tr("First start"))
        self.setMinimumWidth(520)
        root = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "This till has no data yet. Enter the store and terminal numbers headquarters gave you "
            "and the first manager's account. The reference loyalty program is loaded; managers add "
            "cashiers afterwards."), self)
        intro.setWordWrap(True)
        root.addWidget(intro)
        where = QLabel(self.tr("Data folder: %1").replace("%1", str(db_path.parent)), self)
        where.setObjectName("first_start_where")
        where.setWordWrap(True)
        root.addWidget(where)
        form = QFormLayout()
        self.inputs: dict[str, QLineEdit] = {}
        rows = [
            ("store", self.tr("Store number"), self.tr("e.g. S001"), False),
            ("terminal", self.tr("Terminal number"), self.tr("e.g. T01"), False),
            ("code", self.tr("Manager number"), self.tr("3 to 8 digits, e.g. 9001"), False),
            ("name", self.tr("Manager name"), "", False),
            ("pin", self.tr("Manager PIN"), self.tr("4 to 8 digits"), True),
            ("pin_again", self.tr("PIN again"), "", True),
        ]
        for key, label, hint, secret in rows:
            edit = QLineEdit(self)
            edit.setObjectName(f"first_start_{key}")
            edit.setPlaceholderText(hint)
            if secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow(label, edit)
            self.inputs[key] = edit
        root.addLayout(form)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        buttons = QHBoxLayout()
        self.quit_button = big_button(self.tr("Quit (Esc)"), self)
        self.quit_button.setAutoDefault(False)
        self.ok_button = big_button(self.tr("Start (Enter)"), self, primary=True)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.ok_button)
        root.addLayout(buttons)
        self.ok_button.clicked.connect(self.submit)
        self.quit_button.clicked.connect(self.reject)
        self.inputs["store"].setFocus()

    def _text(self, key: str) -> str:
        text = self.inputs[key].text()
        return text if key.startswith("pin") else text.strip()

    def _field_error(self, field: str) -> str:
        texts = {
            "store": self.tr("The store number is 1 to 16 letters, digits, - or _."),
            "terminal": self.tr("The terminal number is 1 to 16 letters, digits, - or _."),
            "code": self.tr("The manager number is 3 to 8 digits."),
            "pin": self.tr("The PIN is 4 to 8 digits."),
            "pin_again": self.tr("The two PINs differ."),
        }
        return texts.get(field, "")

    def submit(self) -> None:
        empty = [edit for key, edit in self.inputs.items() if not self._text(key)]
        if empty:  # Enter in a filled field moves on to the next empty one
            focused = self.focusWidget()
            if focused not in self.inputs.values() or focused in empty:
                self.notice.error(self.tr("Fill in every field."))
            empty[0].setFocus()
            return
        try:
            self.terminal = setup.first_start(
                self.db_path, store_id=self._text("store"), terminal_id=self._text("terminal"),
                manager_code=self._text("code"), manager_name=self._text("name"), pin=self._text("pin"),
                pin_again=self._text("pin_again"))
        except PosError as exc:
            field = exc.field.split(".")[0]
            self.notice.error(self._field_error(field) or message(exc))
            if field in self.inputs:
                if field.startswith("pin"):
                    self.inputs["pin"].clear()
                    self.inputs["pin_again"].clear()
                    field = "pin"
                self.inputs[field].setFocus()
            return
        self.accept()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.activateWindow()
