"""Small shared widget helpers: big touch-friendly buttons, money text, a notice line."""

from __future__ import annotations

from pos_app.core.money import format_fen
from pos_app.ui.qt import QLabel, QPushButton, QSize, QTimer, QWidget

TOUCH_HEIGHT = 44


def big_button(text: str, parent: QWidget | None = None, *, primary: bool = False) -> QPushButton:
    b = QPushButton(text, parent)
    b.setMinimumSize(QSize(96, TOUCH_HEIGHT))
    if primary:
        b.setObjectName("primary")
        b.setDefault(True)
    return b


def yuan(fen: int) -> str:
    return f"¥{format_fen(fen)}"


class Notice(QLabel):
    """A one-line message that fades after a while (errors stay until the next action)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setWordWrap(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    def error(self, text: str) -> None:
        self.setProperty("kind", "error")
        self.setText(text)
        self.style().polish(self)
        self._timer.stop()

    def info(self, text: str) -> None:
        self.setProperty("kind", "info")
        self.setText(text)
        self.style().polish(self)
        self._timer.start(8000)
