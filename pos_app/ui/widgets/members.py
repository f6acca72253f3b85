"""The members screen (being built)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_app.ui.qt import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from pos_app.ui.app import App


class MembersPage(QWidget):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        QVBoxLayout(self).addWidget(QLabel("members", self))


def create(app: App) -> QWidget:
    return MembersPage(app)
