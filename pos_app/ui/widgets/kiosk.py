"""A self-service check-in point (签到, issue 16 item 3): ``pos-app-gui --kiosk``. One screen: the
member scans the member code (会员码) from their phone; the scanner types it into the field and
presses Enter; the screen says the points granted and the balance, or why not (checked in today
already, a code that expired). No staff sign in: it can do nothing but check members in
(``services.check_in``, which asks headquarters first when the till is enrolled)."""

from __future__ import annotations

import logging

from pos_app.core.errors import PosError
from pos_app.services import check_in
from pos_app.services.context import Terminal
from pos_app.ui.errors import message
from pos_app.ui.qt import QLabel, QLineEdit, Qt, QTimer, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

#: how long a result stays on the screen before it asks for the next member (ms)
RESULT_MS = 6000


class KioskWindow(QWidget):
    """The check-in point's window: ``code_input`` (the scanner's field), ``result_label``."""

    def __init__(self, terminal: Terminal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.setObjectName("kiosk")
        self.setWindowTitle(self.tr("Member check-in"))
        root = QVBoxLayout(self)
        title = QLabel(self.tr("Scan your member code to check in"), self)
        title.setObjectName("login_title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        root.addWidget(title)
        self.code_input = QLineEdit(self)
        self.code_input.setObjectName("kiosk_code")
        self.code_input.setPlaceholderText(self.tr("Member code"))
        self.code_input.setMinimumHeight(48)
        self.code_input.returnPressed.connect(self._scanned)
        root.addWidget(self.code_input)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("kiosk_result")
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result_label.setWordWrap(True)
        root.addWidget(self.result_label, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.result_label.clear)
        self.code_input.setFocus()

    def _scanned(self) -> None:
        text = self.code_input.text()
        self.code_input.clear()
        if not text.strip():
            return
        try:
            done = check_in.check_in(self.terminal, text)
        except PosError as exc:
            log.info("kiosk check-in refused: %s: %s", exc.field, exc.message)
            self.result_label.setProperty("kind", "error")
            self.result_label.setText(message(exc))
        else:
            self.result_label.setProperty("kind", "info")
            self.result_label.setText(self.tr("%1: checked in, +%2 points. Balance %3 points.")
                                      .replace("%1", done.member.name).replace("%2", f"{done.points:,}")
                                      .replace("%3", f"{done.member.balance:,}"))
        self.result_label.style().polish(self.result_label)  # its colour follows ``kind``
        self._timer.start(RESULT_MS)
        self.code_input.setFocus()
