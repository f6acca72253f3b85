"""The staff screen (Ctrl+F10, managers): add a cashier or manager, reset a PIN, disable or enable
an account. A PIN is typed twice and never shown or logged."""

from __future__ import annotations

from pos_app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.viewmodels.staff import StaffViewModel
from pos_app.ui.widgets.common import Notice, big_button, screen_keys


class StaffPage(QWidget):
    """Keys: Enter in the form adds the account; Ctrl+P resets the PIN of the number typed;
    Ctrl+D disables or enables it; Esc clears the form. A row clicked fills its number in."""

    def __init__(self, vm: StaffViewModel, session: SessionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.session = session
        self._build()
        vm.staff_changed.connect(self._show_rows)
        vm.error_raised.connect(self._failed)
        screen_keys(self, {"Ctrl+P": self.reset_pin, "Ctrl+D": self.toggle_active, "Esc": self.clear_form})
        session.logged_in.connect(self._on_session_changed)
        session.logged_out.connect(self._on_session_changed)
        self._on_session_changed()

    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.hint = QLabel(self.tr("Only a store manager manages staff: log in as a manager."), self)
        self.hint.setObjectName("staff_hint")
        root.addWidget(self.hint)
        self.body = QWidget(self)
        col = QVBoxLayout(self.body)
        col.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 4, self.body)
        self.table.setObjectName("staff_table")
        self.table.setHorizontalHeaderLabels([self.tr("Number"), self.tr("Name"), self.tr("Role"),
                                              self.tr("Status")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(44)  # a finger's height
        self.table.cellClicked.connect(self._row_clicked)
        col.addWidget(self.table, 1)
        box = QGroupBox(self.tr("Staff member"), self.body)
        form = QFormLayout(box)
        self.code_input = QLineEdit(box)
        self.code_input.setObjectName("staff_code_input")
        self.code_input.setPlaceholderText(self.tr("3 to 8 digits"))
        self.name_input = QLineEdit(box)
        self.name_input.setObjectName("staff_name_input")
        self.role_box = QComboBox(box)
        self.role_box.setObjectName("staff_role_box")
        self.role_box.addItem(self.tr("Cashier"), "cashier")
        self.role_box.addItem(self.tr("Store manager"), "manager")
        self.pin_input = QLineEdit(box)
        self.pin_input.setObjectName("staff_pin_input")
        self.pin_input.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_input.setPlaceholderText(self.tr("4 to 8 digits"))
        self.pin_again_input = QLineEdit(box)
        self.pin_again_input.setObjectName("staff_pin_again_input")
        self.pin_again_input.setEchoMode(QLineEdit.EchoMode.Password)
        for w in (self.code_input, self.name_input, self.role_box, self.pin_input, self.pin_again_input):
            w.setMinimumHeight(44)
        form.addRow(self.tr("Staff number"), self.code_input)
        form.addRow(self.tr("Name"), self.name_input)
        form.addRow(self.tr("Role"), self.role_box)
        form.addRow(self.tr("PIN"), self.pin_input)
        form.addRow(self.tr("PIN again"), self.pin_again_input)
        self.code_input.returnPressed.connect(self.name_input.setFocus)
        self.name_input.returnPressed.connect(self.pin_input.setFocus)
        self.pin_input.returnPressed.connect(self.pin_again_input.setFocus)
        self.pin_again_input.returnPressed.connect(self.add)
        buttons = QHBoxLayout()
        self.add_button = big_button(self.tr("Add (Enter)"), box, primary=True)
        self.add_button.setObjectName("staff_add_button")
        self.add_button.clicked.connect(self.add)
        self.reset_button = big_button(self.tr("Reset PIN (Ctrl+P)"), box)
        self.reset_button.setObjectName("staff_reset_button")
        self.reset_button.clicked.connect(self.reset_pin)
        self.toggle_button = big_button(self.tr("Disable / enable (Ctrl+D)"), box)
        self.toggle_button.setObjectName("staff_toggle_button")
        self.toggle_button.clicked.connect(self.toggle_active)
        for b in (self.add_button, self.reset_button, self.toggle_button):
            buttons.addWidget(b)
        form.addRow(buttons)
        col.addWidget(box)
        self.notice = Notice(self.body)
        col.addWidget(self.notice)
        root.addWidget(self.body, 1)

    # -- state ---------------------------------------------------------------------------------------
    def _allowed(self) -> bool:
        return self.vm.allowed

    def _on_session_changed(self, *_args: object) -> None:
        allowed = self._allowed()
        self.hint.setVisible(not allowed)
        self.body.setVisible(allowed)
        self.clear_form()
        self.notice.clear()
        self.vm.refresh()

    def reset_screen(self, after: str) -> None:
        if after == "logout":
            self.clear_form()
            self.notice.clear()

    def refresh(self) -> None:
        self.vm.refresh()

    def _show_rows(self) -> None:
        rows = self.vm.rows
        self.table.setRowCount(len(rows))
        for r, s in enumerate(rows):
            role = self.tr("Store manager") if s.is_manager else self.tr("Cashier")
            status = self.tr("Active") if s.active else self.tr("Disabled")
            for c, text in enumerate((s.code, s.name, role, status)):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def clear_form(self) -> None:
        for w in (self.code_input, self.name_input, self.pin_input, self.pin_again_input):
            w.clear()
        self.role_box.setCurrentIndex(0)
        if self.body.isVisible():
            self.code_input.setFocus()

    def _row_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.code_input.setText(item.text())

    def _clear_pins(self) -> None:
        self.pin_input.clear()
        self.pin_again_input.clear()

    def _failed(self, text: str) -> None:
        self._clear_pins()
        self.notice.error(text)

    # -- actions -------------------------------------------------------------------------------------
    def add(self) -> None:
        s = self.vm.add(code=self.code_input.text(), name=self.name_input.text(),
                        role=str(self.role_box.currentData()), pin=self.pin_input.text(),
                        pin_again=self.pin_again_input.text())
        if s is None:
            return
        self.clear_form()
        self.notice.info(self.tr("%1 (%2) added.").replace("%1", s.name).replace("%2", s.code))

    def reset_pin(self) -> None:
        if not self._allowed():
            return
        code = self.code_input.text().strip()
        if self.pin_input.text() != self.pin_again_input.text():
            self._clear_pins()
            self.notice.error(self.tr("The two PINs differ: type the same PIN twice."))
            return
        if not self.vm.reset_pin(code, self.pin_input.text()):
            return
        self.clear_form()
        self.notice.info(self.tr("The PIN of %1 was reset.").replace("%1", code))

    def toggle_active(self) -> None:
        code = self.code_input.text().strip()
        active = self.vm.toggle_active(code)
        if active is None:
            return
        self.clear_form()
        self.notice.info((self.tr("%1 enabled.") if active else self.tr("%1 disabled: they can no longer log in."))
                         .replace("%1", code))
