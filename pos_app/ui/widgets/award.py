"""Granting a behaviour award from the members screen (issue 15 item 6): the program's awards
(survey, photo review, share, completed profile), with their points and limits, and what the
member did; the service holds the limits."""

from __future__ import annotations

from pos_app.ui.qt import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from pos_app.ui.viewmodels.members import award_name
from pos_app.ui.widgets.common import Notice, cancel_ok_row


class AwardDialog(QDialog):
    """``award_chosen(award_id, reason)`` when the cashier confirms; the screen grants it and
    closes the dialog, or shows why not (``refuse``)."""

    award_chosen = Signal(str, str)

    def __init__(self, parent: QWidget, member: str, awards: list[tuple[str, int, str]]) -> None:
        super().__init__(parent)
        self.setObjectName("award_dialog")
        self.setWindowTitle(self.tr("Award points"))
        self.setMinimumWidth(440)
        root = QVBoxLayout(self)
        title = QLabel(self.tr("An award for %1: choose what they did").replace("%1", member), self)
        title.setWordWrap(True)
        root.addWidget(title)
        self.list = QListWidget(self)
        self.list.setObjectName("award_list")
        for award_id, points, limit in awards:
            text = self.tr("%1: %2 points").replace("%1", award_name(award_id)).replace(
                "%2", f"{points:,}")
            item = QListWidgetItem(f"{text}  ({limit})" if limit else text)
            item.setData(Qt.ItemDataRole.UserRole, award_id)
            self.list.addItem(item)
        self.list.setStyleSheet("QListWidget::item { min-height: 40px; }")  # touch
        if awards:
            self.list.setCurrentRow(0)
        root.addWidget(self.list, 1)
        self.reason_input: QLineEdit = QLineEdit(self)
        self.reason_input.setObjectName("award_reason")
        self.reason_input.setPlaceholderText(self.tr("What they did, e.g. the survey's name"))
        self.reason_input.setMinimumHeight(40)
        self.reason_input.setMaxLength(200)
        self.reason_input.returnPressed.connect(self._confirm)
        self.list.itemActivated.connect(lambda _i: self.reason_input.setFocus())  # Enter: on to the reason
        root.addWidget(self.reason_input)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        # Enter in the list moves on to the reason and grants nothing; Enter in the reason grants
        self.cancel_button, self.ok_button = cancel_ok_row(self, root, self.tr("Cancel (Esc)"),
                                                           self.tr("Award (Enter)"), self._confirm)
        self.ok_button.setObjectName("award_ok_button")
        self.list.setFocus()

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _confirm(self) -> None:
        award_id = self.chosen()
        if award_id is None:
            self.notice.error(self.tr("Choose an award first."))
            return
        self.award_chosen.emit(award_id, self.reason_input.text().strip())

    def refuse(self, text: str) -> None:
        self.notice.error(text)
