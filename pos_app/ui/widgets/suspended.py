"""Counter dialogs: the suspended sales list (取单: pick a basket to resume, or discard one;
arrows, Enter resumes, Delete discards, Esc closes) and a line discount (Enter applies, Esc
cancels). Touch: 44 px buttons."""

from __future__ import annotations

from pos_app.ui.qt import (
    QDialog,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from pos_app.ui.viewmodels.checkout import CheckoutViewModel
from pos_app.ui.widgets.common import Notice, big_button, cancel_ok_row, yuan


class SuspendedDialog(QDialog):
    def __init__(self, vm: CheckoutViewModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("suspended_dialog")
        self.setWindowTitle(self.tr("Suspended sales"))
        self.setMinimumWidth(520)
        root = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.setObjectName("suspended_list")
        self.list.itemActivated.connect(lambda _item: self._resume())
        root.addWidget(self.list)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        buttons = QHBoxLayout()
        self.discard_button = big_button(self.tr("Discard (Del)"), self)
        self.discard_button.setAutoDefault(False)
        self.discard_button.clicked.connect(self._discard)
        self.cancel_button = big_button(self.tr("Close (Esc)"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.resume_button = big_button(self.tr("Resume (Enter)"), self, primary=True)
        self.resume_button.clicked.connect(self._resume)
        for b in (self.discard_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.resume_button)
        root.addLayout(buttons)
        sc = QShortcut(QKeySequence(Qt.Key.Key_Delete), self)
        sc.activated.connect(self._discard)
        vm.error_raised.connect(self._on_error)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for s in self.vm.suspended_sales():
            member = f"  ·  {s.member_card}" if s.member_card else ""
            text = self.tr("%1  ·  %2 lines  ·  %3").replace("%1", s.label).replace("%2", str(len(s.lines))).replace(
                "%3", yuan(s.total_fen)) + member + f"  ·  {s.suspended_at[11:16]}"
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, s.id)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.notice.info(self.tr("No suspended sales."))
        self.resume_button.setEnabled(bool(self.list.count()))
        self.discard_button.setEnabled(bool(self.list.count()))
        self.list.setFocus()

    def _current(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def _resume(self) -> None:
        sid = self._current()
        if sid is not None and self.vm.resume(sid):
            self.accept()

    def _discard(self) -> None:
        sid = self._current()
        if sid is not None and self.vm.discard_suspended(sid):
            self.refresh()

    def _on_error(self, text: str) -> None:
        if self.isVisible():
            self.notice.error(text)

    def done(self, result: int) -> None:
        self.vm.error_raised.disconnect(self._on_error)
        super().done(result)


class DiscountDialog(QDialog):
    """A line discount: ``10%`` or an amount in yuan. Emits ``discount_given(str)``; the page
    applies it and closes the dialog, or shows why not."""

    discount_given = Signal(str)

    def __init__(self, parent: QWidget, item: str, gross: str) -> None:
        super().__init__(parent)
        self.setObjectName("discount_dialog")
        self.setWindowTitle(self.tr("Line discount"))
        self.setMinimumWidth(420)
        root = QVBoxLayout(self)
        label = QLabel(self.tr("%1, line amount %2: a percentage (e.g. 10%) or an amount in yuan (e.g. 5.00)")
                       .replace("%1", item).replace("%2", gross), self)
        label.setWordWrap(True)
        root.addWidget(label)
        self.input = QLineEdit(self)
        self.input.setObjectName("discount_input")
        self.input.returnPressed.connect(lambda: self.discount_given.emit(self.input.text()))
        root.addWidget(self.input)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        self.cancel_button, self.ok_button = cancel_ok_row(
            self, root, self.tr("Cancel (Esc)"), self.tr("Apply (Enter)"),
            lambda: self.discount_given.emit(self.input.text()))
        self.input.setFocus()
