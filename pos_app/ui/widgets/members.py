"""The members screen: search, a member's detail (points, lots, history, tiers), register,
edit, freeze. Forms are panels inside the page, not windows: Enter confirms, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pos_app.core.members import mask_phone
from pos_app.services.members import HISTORY_KINDS
from pos_app.services.scans import ScanResult
from pos_app.storage.repo import MemberRecord
from pos_app.ui.qt import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QEvent,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from pos_app.ui.viewmodels.members import HISTORY_LIMIT, MembersViewModel
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.widgets.award import AwardDialog
from pos_app.ui.widgets.common import Notice, big_button, screen_keys

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _table(parent: QWidget, headers: list[str], stretch: int) -> QTableWidget:
    t = QTableWidget(0, len(headers), parent)
    t.setHorizontalHeaderLabels(headers)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    return t


def _fill(table: QTableWidget, rows: list[list[str]], right: tuple[int, ...] = (),
          tips: dict[tuple[int, int], str] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c in right:
                item.setTextAlignment(_RIGHT)
            if tips and (r, c) in tips:
                item.setToolTip(tips[(r, c)])
            table.setItem(r, c, item)


class Form(QWidget):
    """A panel with a primary and a cancel button: Enter confirms (or presses the focused
    button), Esc cancels, wherever the focus is inside."""

    def __init__(self, title: str, confirm_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        self.title = QLabel(title, self)
        self.title.setObjectName("form_title")
        font = self.title.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.title.setFont(font)
        outer.addWidget(self.title)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        self.extra = QVBoxLayout()
        outer.addLayout(self.extra)
        outer.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = big_button(self.tr("Cancel (Esc)"), self)
        self.confirm_button = big_button(confirm_text, self, primary=True)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        outer.addLayout(buttons)
        self.on_confirm: Callable[[], None] = lambda: None
        self.on_cancel: Callable[[], None] = lambda: None
        self.confirm_button.clicked.connect(lambda: self.on_confirm())
        self.cancel_button.clicked.connect(lambda: self.on_cancel())

    def line(self, label: str, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setMinimumHeight(36)
        edit.setPlaceholderText(placeholder)
        self.form.addRow(label, edit)
        return edit

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused is not self.confirm_button:
                focused.click()
            else:
                self.on_confirm()
            event.accept()
        elif key == Qt.Key.Key_Escape:
            self.on_cancel()
            event.accept()
        else:
            super().keyPressEvent(event)


class MembersPage(QWidget):
    BROWSE, REGISTER, REGISTERED, EDIT, STATUS = range(5)
    MEMBER_KINDS = ("member_card", "member_qr", "phone")

    def __init__(self, vm: MembersViewModel, session: SessionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self._freeze = True  # what the status form does: freeze, or unfreeze
        self._build()
        vm = self.vm
        vm.results_changed.connect(self._on_results_changed)
        vm.member_opened.connect(self._on_member_opened)
        vm.history_changed.connect(self._on_history_changed)
        vm.similar_found.connect(self._on_similar_found)
        vm.duplicate_found.connect(self._on_duplicate_found)
        vm.member_registered.connect(self._on_member_registered)
        vm.member_updated.connect(self._on_member_updated)
        vm.status_changed.connect(self._on_status_changed)
        vm.export_finished.connect(self._on_export_finished)
        vm.error_raised.connect(self.notice.error)
        self.award_dialog: AwardDialog | None = None
        screen_keys(self, {"F4": self.open_award})
        self._on_member_opened()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search_input = QLineEdit(self)
        self.search_input.setObjectName("member_search")
        self.search_input.setMinimumHeight(40)
        self.search_input.setPlaceholderText(self.tr("Phone, card number or name"))
        self.search_input.returnPressed.connect(self._search)
        top.addWidget(self.search_input, 1)
        self.search_button = big_button(self.tr("Search"), self)
        self.search_button.clicked.connect(self._search)
        top.addWidget(self.search_button)
        self.register_button = big_button(self.tr("New member"), self)
        self.register_button.setObjectName("register_button")
        self.register_button.clicked.connect(self._show_register)
        top.addWidget(self.register_button)
        root.addLayout(top)

        self.views = QStackedWidget(self)
        self.views.addWidget(self._build_browse())
        self.views.addWidget(self._build_register())
        self.views.addWidget(self._build_registered())
        self.views.addWidget(self._build_edit())
        self.views.addWidget(self._build_status())
        root.addWidget(self.views, 1)
        self.notice = Notice(self)
        root.addWidget(self.notice)

    def _build_browse(self) -> QWidget:
        page = QWidget(self)
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.results = QListWidget(page)
        self.results.setObjectName("member_results")
        self.results.setFixedWidth(190)
        self.results.itemActivated.connect(self._open_item)
        self.results.itemClicked.connect(self._open_item)
        row.addWidget(self.results)

        detail = QWidget(page)
        self.detail = detail
        col = QVBoxLayout(detail)
        col.setContentsMargins(0, 0, 0, 0)
        head = QGridLayout()
        self.name_label = QLabel(detail)
        self.name_label.setObjectName("member_name")
        font = self.name_label.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.name_label.setFont(font)
        self.status_label = QLabel(detail)
        self.status_label.setObjectName("member_status")
        self.identity_label = QLabel(detail)
        self.identity_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tier_label = QLabel(detail)
        self.tier_label.setObjectName("tier_badge")
        self.balance_label = QLabel(detail)
        self.balance_label.setObjectName("balance_label")
        self.debt_label = QLabel(detail)
        self.debt_label.setObjectName("debt_label")
        head.addWidget(self.name_label, 0, 0)
        head.addWidget(self.status_label, 0, 1)
        head.addWidget(self.identity_label, 1, 0, 1, 2)
        head.addWidget(self.tier_label, 2, 0)
        head.addWidget(self.balance_label, 2, 1)
        head.addWidget(self.debt_label, 3, 0, 1, 2)
        buttons = QVBoxLayout()
        self.edit_button = big_button(self.tr("Edit"), detail)
        self.edit_button.setObjectName("edit_button")
        self.edit_button.clicked.connect(self._show_edit)
        self.freeze_button = big_button(self.tr("Freeze"), detail)
        self.freeze_button.setObjectName("freeze_button")
        self.freeze_button.clicked.connect(self._show_status)
        # a behaviour award (survey, review, ...) for the member shown (F4)
        self.award_button = big_button(self.tr("Award (F4)"), detail)
        self.award_button.setObjectName("award_button")
        self.award_button.clicked.connect(self.open_award)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.freeze_button)
        buttons.addWidget(self.award_button)
        top = QHBoxLayout()
        top.addLayout(head, 1)
        top.addLayout(buttons)
        col.addLayout(top)

        self.tabs = QTabWidget(detail)
        self.tabs.addTab(self._build_points_tab(), self.tr("Points and lots"))
        self.tabs.addTab(self._build_history_tab(), self.tr("History"))
        self.tabs.addTab(self._build_profile_tab(), self.tr("Tier and profile"))
        col.addWidget(self.tabs, 1)
        self.empty_label = QLabel(self.tr("Search for a member, or register a new one."), page)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.empty_label, 1)
        row.addWidget(detail, 1)
        return page

    def _build_points_tab(self) -> QWidget:
        tab = QWidget(self)
        col = QVBoxLayout(tab)
        self.expiring_label = QLabel(tab)
        self.expiring_label.setObjectName("expiring_label")
        self.expiring_label.setWordWrap(True)
        self.qualifying_label = QLabel(tab)
        self.qualifying_label.setWordWrap(True)
        col.addWidget(self.expiring_label)
        col.addWidget(self.qualifying_label)
        self.lots_table = _table(tab, [self.tr("Earned"), self.tr("Expires"), self.tr("Remaining"),
                                       self.tr("Days left")], 0)
        self.lots_table.setObjectName("lots_table")
        col.addWidget(self.lots_table, 1)
        return tab

    def _build_history_tab(self) -> QWidget:
        tab = QWidget(self)
        col = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.kind_box = QComboBox(tab)
        self.kind_box.setObjectName("kind_filter")
        self.kind_box.setMinimumHeight(36)
        self.kind_box.addItem(self.tr("All kinds"), None)
        names = self.vm.kind_names()
        for kind in HISTORY_KINDS:
            self.kind_box.addItem(names[kind], kind)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._apply_filter())
        bar.addWidget(self.kind_box)
        self.from_input = QLineEdit(tab)
        self.from_input.setObjectName("date_from")
        self.to_input = QLineEdit(tab)
        self.to_input.setObjectName("date_to")
        for edit, hint in ((self.from_input, self.tr("From")), (self.to_input, self.tr("To"))):
            edit.setPlaceholderText(hint)
            edit.setToolTip(self.tr("A business date such as 2026-11-03; empty for no limit"))
            edit.setMinimumHeight(36)
            edit.setMaximumWidth(140)
            edit.returnPressed.connect(self._apply_filter)
            bar.addWidget(edit)
        self.filter_button = big_button(self.tr("Filter"), tab)
        self.filter_button.clicked.connect(self._apply_filter)
        bar.addWidget(self.filter_button)
        bar.addStretch(1)
        self.export_button = big_button(self.tr("Export CSV"), tab)
        self.export_button.setObjectName("export_button")
        self.export_button.clicked.connect(self._export)
        bar.addWidget(self.export_button)
        col.addLayout(bar)
        self.history_table = _table(tab, [self.tr("Date"), self.tr("Kind"), self.tr("Points"), self.tr("Balance"),
                                          self.tr("Reference"), self.tr("Details"), self.tr("Staff")], 5)
        self.history_table.setObjectName("history_table")
        self.history_table.setWordWrap(False)
        col.addWidget(self.history_table, 1)
        foot = QHBoxLayout()
        self.history_source_label = QLabel(tab)  # headquarters' records or this till's
        self.history_source_label.setObjectName("history_source")
        foot.addWidget(self.history_source_label)
        self.history_note = QLabel(tab)
        self.history_note.setObjectName("history_note")
        foot.addWidget(self.history_note, 1)
        self.more_button = big_button(self.tr("Older entries"), tab)
        self.more_button.setObjectName("history_more_button")
        self.more_button.clicked.connect(self.vm.load_more_history)
        foot.addWidget(self.more_button)
        col.addLayout(foot)
        return tab

    def _build_profile_tab(self) -> QWidget:
        tab = QWidget(self)
        col = QVBoxLayout(tab)
        self.profile_label = QLabel(tab)
        self.profile_label.setObjectName("profile_label")
        self.profile_label.setWordWrap(True)
        col.addWidget(self.profile_label)
        self.tier_table = _table(tab, [self.tr("Date"), self.tr("From"), self.tr("To"), self.tr("Why"),
                                       self.tr("Qualifying points")], 3)
        self.tier_table.setObjectName("tier_table")
        col.addWidget(self.tier_table, 1)
        return tab

    def _build_register(self) -> QWidget:
        f = Form(self.tr("Register a member"), self.tr("Register (Enter)"), self)
        self.register_form = f
        self.reg_phone = f.line(self.tr("Mobile number"), "reg_phone", self.tr("11 digits, e.g. 13812345678"))
        self.reg_name = f.line(self.tr("Name"), "reg_name")
        self.reg_birthday = f.line(self.tr("Birthday"), "reg_birthday", self.tr("Optional, e.g. 1990-05-18"))
        self.reg_card = f.line(self.tr("Card number"), "reg_card",
                               self.tr("Optional: a pre-printed card; empty issues a new number"))
        self.reg_referrer = f.line(self.tr("Referred by"), "reg_referrer",
                                   self.tr("Optional: the referrer's card or phone number"))
        self.reg_consent = QCheckBox(self.tr("The member agrees to the program's terms"), f)
        self.reg_consent.setObjectName("reg_consent")
        self.reg_consent.setMinimumHeight(40)
        self.reg_consent.setStyleSheet("QCheckBox::indicator { width: 26px; height: 26px; }")
        f.form.addRow("", self.reg_consent)
        terms = QLabel(self.tr("Required: points, tiers and the store keeping these details for the program. "
                               "Read the terms to the customer if asked."), f)
        terms.setWordWrap(True)
        f.form.addRow("", terms)
        self.similar_label = QLabel(f)
        self.similar_label.setObjectName("similar_label")
        self.similar_label.setWordWrap(True)
        self.similar_label.hide()
        f.extra.addWidget(self.similar_label)
        self.duplicate_button = big_button(self.tr("Open the existing member"), f)
        self.duplicate_button.setObjectName("duplicate_button")
        self.duplicate_button.hide()
        self.duplicate_button.clicked.connect(self._open_duplicate)
        f.extra.addWidget(self.duplicate_button)
        self._duplicate: MemberRecord | None = None
        for edit in (self.reg_name, self.reg_birthday, self.reg_card):
            edit.textChanged.connect(lambda _t: self._reset_similar())
        self.reg_phone.textChanged.connect(lambda _t: self._reset_duplicate())
        f.on_confirm = self._register
        f.on_cancel = self._back
        return f

    def _build_registered(self) -> QWidget:
        f = Form(self.tr("Member registered"), self.tr("Open member (Enter)"), self)
        self.registered_form = f
        self.new_card_label = QLabel(f)
        self.new_card_label.setObjectName("new_card_label")
        self.new_card_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.new_card_label.font()
        font.setPointSize(font.pointSize() + 8)
        font.setBold(True)
        self.new_card_label.setFont(font)
        f.extra.addWidget(self.new_card_label)
        another = big_button(self.tr("Register another"), f)
        another.clicked.connect(self._show_register)
        f.extra.addWidget(another)
        f.cancel_button.setText(self.tr("Back (Esc)"))
        f.on_confirm = self._back
        f.on_cancel = self._back
        return f

    def _build_edit(self) -> QWidget:
        f = Form(self.tr("Edit member"), self.tr("Save (Enter)"), self)
        self.edit_form = f
        self.edit_name = f.line(self.tr("Name"), "edit_name")
        self.edit_phone = f.line(self.tr("Mobile number"), "edit_phone")
        self.edit_birthday = f.line(self.tr("Birthday"), "edit_birthday", self.tr("Empty: not known"))
        hint = QLabel(self.tr("A new mobile number takes the points with it: check it with the member."), f)
        hint.setWordWrap(True)
        f.extra.addWidget(hint)
        f.on_confirm = self._save_edit
        f.on_cancel = self._back
        return f

    def _build_status(self) -> QWidget:
        f = Form(self.tr("Freeze member"), self.tr("Freeze (Enter)"), self)
        self.status_form = f
        self.status_text = QLabel(f)
        self.status_text.setWordWrap(True)
        f.form.addRow(self.status_text)
        self.reason_input = f.line(self.tr("Reason"), "status_reason", self.tr("Required, e.g. card reported lost"))
        f.on_confirm = self._save_status
        f.on_cancel = self._back
        return f

    # -- scans (``ScanRouter`` gives them here while this screen shows) ---------------------------------
    def take_scan(self, scan: ScanResult) -> bool:
        """An open form keeps every scan on this screen: the field with the focus takes what fits
        it (a new card into Card number; the referrer's card, member code or phone into Referred
        by; a phone number into a Mobile number field), anything else is refused with what to
        do, and nothing typed is lost. Otherwise a member's card, code or phone opens them."""
        if self.views.currentIndex() in (self.REGISTER, self.EDIT, self.STATUS):
            self._scan_into_form(scan)
            return True
        if scan.kind not in self.MEMBER_KINDS:
            return False
        self.views.setCurrentIndex(self.BROWSE)
        self.vm.open_scanned(scan.text)
        return True

    def _scan_into_form(self, scan: ScanResult) -> None:
        fits = ((self.reg_card, ("member_card",)), (self.reg_referrer, self.MEMBER_KINDS),
                (self.reg_phone, ("phone",)), (self.edit_phone, ("phone",)))
        focused = QApplication.focusWidget()
        field = next((edit for edit, kinds in fits if edit is focused and scan.kind in kinds), None)
        if field is None:
            if self.views.currentIndex() == self.REGISTER:
                self.notice.error(self.tr("Scan a new card into Card number, or the referrer's card or member code "
                                          "into Referred by: click the field first."))
            else:
                self.notice.error(self.tr("Scan ignored: finish the form or leave it (Esc) first."))
            return
        text = scan.text
        if scan.kind == "member_qr":  # the referrer's member code: their card number goes in the field
            card = self.vm.card_of_code(text)
            if card is None:
                return
            text = card
        field.setText(text)
        self.notice.clear()

    # -- actions ---------------------------------------------------------------------------------------
    def _search(self) -> None:
        self.views.setCurrentIndex(self.BROWSE)
        if self.vm.search(self.search_input.text()) and self.vm.member is not None:
            self.search_input.selectAll()

    def _open_item(self, item: QListWidgetItem) -> None:
        member_id = int(item.data(Qt.ItemDataRole.UserRole))
        if self.vm.member is None or self.vm.member.id != member_id:  # a click can also be an activation
            self.vm.open(member_id)

    def _back(self) -> None:
        self.vm.forget_similar()
        self.views.setCurrentIndex(self.BROWSE)
        self.search_input.setFocus()

    def _show_register(self) -> None:
        for edit in (self.reg_phone, self.reg_name, self.reg_birthday, self.reg_card, self.reg_referrer):
            edit.clear()
        self.reg_consent.setChecked(False)
        self._reset_similar()
        self._reset_duplicate()
        self.notice.clear()
        self.views.setCurrentIndex(self.REGISTER)
        self.reg_phone.setFocus()

    def _reset_similar(self) -> None:
        self.vm.forget_similar()
        self.similar_label.hide()
        self.register_form.confirm_button.setText(self.tr("Register (Enter)"))

    def _reset_duplicate(self) -> None:
        self._duplicate = None
        self.duplicate_button.hide()

    def _register(self) -> None:
        self.vm.register(phone=self.reg_phone.text(), name=self.reg_name.text(), birthday=self.reg_birthday.text(),
                         card_no=self.reg_card.text(), referrer=self.reg_referrer.text(),
                         consent=self.reg_consent.isChecked())

    def _open_duplicate(self) -> None:
        if self._duplicate is not None:
            self.vm.open(self._duplicate.id)
            self._back()

    def _show_edit(self) -> None:
        m = self.vm.member
        if m is None:
            return
        self.edit_name.setText(m.name)
        self.edit_phone.setText(m.phone)
        self.edit_birthday.setText(m.birthday.isoformat() if m.birthday else "")
        self.notice.clear()
        self.views.setCurrentIndex(self.EDIT)
        self.edit_name.setFocus()

    def _save_edit(self) -> None:
        if self.vm.update(name=self.edit_name.text(), birthday=self.edit_birthday.text(),
                          phone=self.edit_phone.text()) is not None:
            self._back()

    def _show_status(self) -> None:
        m = self.vm.member
        if m is None or not self.vm.may_change_status():
            return
        self._freeze = m.status == "active"
        f = self.status_form
        who = f"{m.name} ({m.card_no})"
        if self._freeze:
            f.title.setText(self.tr("Freeze member"))
            f.confirm_button.setText(self.tr("Freeze (Enter)"))
            self.status_text.setText(self.tr("%1 will not be able to earn or use points until unfrozen.")
                                     .replace("%1", who))
        else:
            f.title.setText(self.tr("Unfreeze member"))
            f.confirm_button.setText(self.tr("Unfreeze (Enter)"))
            self.status_text.setText(self.tr("%1 will be able to earn and use points again.").replace("%1", who))
        self.reason_input.clear()
        self.notice.clear()
        self.views.setCurrentIndex(self.STATUS)
        self.reason_input.setFocus()

    def _save_status(self) -> None:
        if self.vm.set_frozen(self._freeze, self.reason_input.text()) is not None:
            self._back()

    def open_award(self) -> None:
        """F4 or Award: the program's behaviour awards for the member shown."""
        m = self.vm.member
        if m is None or self.views.currentIndex() != self.BROWSE:
            return
        if self.award_dialog is not None:
            self.award_dialog.deleteLater()
        dialog = AwardDialog(self, f"{m.name} ({m.card_no})", self.vm.awards())
        dialog.award_chosen.connect(lambda award_id, reason: self._grant(dialog, award_id, reason))
        self.award_dialog = dialog
        dialog.open()

    def _grant(self, dialog: AwardDialog, award_id: str, reason: str) -> None:
        errors: list[str] = []
        self.vm.error_raised.connect(errors.append)
        try:
            updated = self.vm.grant_award(award_id, reason)
        finally:
            self.vm.error_raised.disconnect(errors.append)
        if updated is None:
            dialog.refuse(errors[0] if errors else self.tr("The award could not be granted."))
            return
        dialog.accept()
        self.notice.info(self.tr("Award granted: balance %1 points").replace("%1", f"{updated.balance:,}"))

    def _apply_filter(self) -> None:
        if self.vm.member is not None:
            self.vm.set_history_filter(self.kind_box.currentData(), self.from_input.text(), self.to_input.text())

    def _export(self) -> None:
        m = self.vm.member
        if m is None:
            return
        default = str(Path.home() / f"{m.card_no}-{self.vm.terminal.clock().date().isoformat()}.csv")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export history"), default, self.tr("CSV files (*.csv)"))
        if path:
            self.vm.export_csv(path)

    # -- view-model signals ---------------------------------------------------------------------------
    def _on_results_changed(self) -> None:
        self.results.clear()
        for m in self.vm.results:
            text = f"{m.name}\n{mask_phone(m.phone)}  ·  {self.vm.tier_name(m.tier)}"
            if m.status != "active":
                text += "  ·  " + self.tr("frozen")
            item = QListWidgetItem(text, self.results)
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            item.setSizeHint(item.sizeHint().expandedTo(self.register_button.minimumSize()))
        if self.vm.results:
            self.results.setCurrentRow(0)

    def _on_member_opened(self) -> None:
        pic = self.vm.picture
        # hide before showing: never both at once, or the page's cached minimum width grows
        (self.empty_label if pic is not None else self.detail).hide()
        (self.detail if pic is not None else self.empty_label).show()
        if pic is None:
            return
        m = pic.member
        vm = self.vm
        self.name_label.setText(m.name)
        frozen = m.status != "active"
        self.status_label.setText(self.tr("FROZEN") if frozen else self.tr("Active"))
        self.status_label.setProperty("kind", "error" if frozen else "info")
        self.status_label.style().polish(self.status_label)
        self.identity_label.setText(self.tr("Phone %1  ·  Card %2").replace("%1", mask_phone(m.phone))
                                    .replace("%2", m.card_no))
        self.tier_label.setText(vm.tier_name(m.tier))
        self.balance_label.setText(self.tr("Balance: %1 points").replace("%1", f"{m.balance:,}"))
        self.debt_label.setText(self.tr("Owes %1 points from a refund; new points pay this first.")
                                .replace("%1", f"{m.debt:,}") if m.debt else "")
        self.debt_label.setVisible(bool(m.debt))
        self.freeze_button.setText(self.tr("Unfreeze") if frozen else self.tr("Freeze"))

        parts = [self.tr("Points expiring within %1 days: %2").replace(
            "%1", " / ".join(str(d) for d, _ in pic.expiring)).replace(
            "%2", " / ".join(f"{p:,}" for _, p in pic.expiring))] if pic.expiring else []
        if pic.next_expiry:
            parts.append(self.tr("next: %1 points on %2").replace("%1", f"{pic.next_expiry[1]:,}")
                         .replace("%2", pic.next_expiry[0].isoformat()))
        self.expiring_label.setText("  ·  ".join(parts))
        text = self.tr("Qualifying points (12 months): %1").replace("%1", f"{pic.qualifying_points:,}")
        if pic.next_tier:
            text += "  ·  " + self.tr("%1 more to %2").replace("%1", f"{pic.next_tier[1]:,}").replace(
                "%2", vm.tier_name(pic.next_tier[0]))
        self.qualifying_label.setText(text)
        today = self.vm.terminal.clock().date()
        lots = [lot for lot in pic.lots if lot.remaining > 0]
        _fill(self.lots_table, [
            [lot.earned_on.isoformat(), lot.expires_on.isoformat() if lot.expires_on else self.tr("never"),
             f"{lot.remaining:,}", str((lot.expires_on - today).days) if lot.expires_on else ""]
            for lot in lots], right=(2, 3))

        profile = [
            self.tr("Segment: %1").replace("%1", vm.segment_name(pic.segment)),
            self.tr("Member since %1 (store %2)").replace("%1", m.enrolled_at.date().isoformat())
            .replace("%2", m.store_id),
            self.tr("Birthday: %1").replace("%1", m.birthday.isoformat() if m.birthday else self.tr("not given")),
            self.tr("In tier since %1").replace("%1", m.tier_since.isoformat()),
        ]
        if vm.referrer is not None:
            profile.append(self.tr("Referred by %1 (%2)").replace("%1", vm.referrer.name)
                           .replace("%2", vm.referrer.card_no))
        if not m.consent:
            profile.append(self.tr("No consent to the program's terms on record."))
        self.profile_label.setText("\n".join(profile))
        _fill(self.tier_table, [
            [c.at.date().isoformat(), vm.tier_name(c.from_tier), vm.tier_name(c.to_tier), vm.tier_reason(c),
             f"{c.qualifying_points:,}"] for c in vm.tier_changes], right=(4,))
        if vm.kind_filter is None and vm.date_from is None and vm.date_to is None:
            self.kind_box.blockSignals(True)
            self.kind_box.setCurrentIndex(0)
            self.kind_box.blockSignals(False)
            self.from_input.clear()
            self.to_input.clear()

    def _on_history_changed(self) -> None:
        vm = self.vm
        names = vm.kind_names()
        rows = [[e.business_date.isoformat(), names.get(e.kind, e.kind), f"{e.points:+,}", f"{e.balance_after:,}",
                 e.ref_no, vm.describe(e), e.staff_code or ""] for e in vm.history]
        tips = {}  # the full text where a column is too narrow for it
        for r, e in enumerate(vm.history):
            tips[(r, 0)] = e.created_at.isoformat(sep=" ")
            tips[(r, 5)] = rows[r][5]
        _fill(self.history_table, rows, right=(2, 3), tips=tips)
        if vm.history_source == "hq":
            source = self.tr("Headquarters' records (every store)")
        elif vm.history_offline:
            source = self.tr("This till's records (headquarters did not answer)")
        else:
            source = self.tr("This till's records")
        self.history_source_label.setText(source)
        if vm.history_truncated:
            self.history_note.setText(self.tr("Showing the latest %1 entries; the export has them all.")
                                      .replace("%1", str(HISTORY_LIMIT)))
        else:
            self.history_note.setText(self.tr("%1 entries").replace("%1", str(len(vm.history))))
        self.more_button.setVisible(vm.history_more)
        self.more_button.setEnabled(not vm.history_loading)
        self.export_button.setEnabled(vm.member is not None)

    def _on_similar_found(self, similar: list[MemberRecord]) -> None:
        who = "; ".join(f"{m.name} {mask_phone(m.phone)} ({m.card_no})" for m in similar)
        self.similar_label.setText(self.tr("Possibly registered already: %1. Ask the customer; press Register "
                                           "again to register a new member anyway.").replace("%1", who))
        self.similar_label.show()
        self.register_form.confirm_button.setText(self.tr("Register anyway (Enter)"))
        self.notice.error(self.tr("A member with the same details exists. Please check."))

    def _on_duplicate_found(self, member: MemberRecord) -> None:
        self._duplicate = member
        self.duplicate_button.setText(self.tr("Open the existing member: %1").replace("%1", member.name))
        self.duplicate_button.show()

    def _on_member_registered(self, member: MemberRecord) -> None:
        self.new_card_label.setText(self.tr("%1's card number: %2").replace("%1", member.name)
                                    .replace("%2", member.card_no))
        self.views.setCurrentIndex(self.REGISTERED)
        self.registered_form.confirm_button.setFocus()
        self.notice.info(self.tr("Registered. Give the member the card number."))

    def _on_member_updated(self, member: MemberRecord) -> None:
        self.notice.info(self.tr("Saved."))

    def _on_status_changed(self, member: MemberRecord) -> None:
        self.notice.info(self.tr("The member is frozen.") if member.status == "frozen"
                         else self.tr("The member is active again."))

    def _on_export_finished(self, path: str, rows: int) -> None:
        self.notice.info(self.tr("%1 entries written to %2").replace("%1", str(rows)).replace("%2", path))

    def reset_screen(self, after: str) -> None:
        """After a sale or a logout: no member, search, form or message of the last customer."""
        self.vm.clear()
        for edit in self.findChildren(QLineEdit):
            edit.clear()
        self.reg_consent.setChecked(False)
        self._reset_similar()
        self._reset_duplicate()
        self.kind_box.setCurrentIndex(0)
        self.tabs.setCurrentIndex(0)
        self._back()
        self.notice.clear()

    def showEvent(self, event: QEvent) -> None:
        self.vm.reload()  # a sale, refund or gift on another screen may have changed the member
