"""The adjustments screen: a manager corrects a member's points with a reason; below, the audit trail."""

from __future__ import annotations

import json
from typing import Any

from pos_app.core.members import mask_phone
from pos_app.services.history import AuditRow
from pos_app.services.points import AdjustResult
from pos_app.services.scans import ScanResult
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
from pos_app.ui.viewmodels.adjustments import AdjustmentsViewModel
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.widgets.approval import ApprovalDialog
from pos_app.ui.widgets.common import Notice, big_button, screen_keys, yuan


def _value_text(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return yuan(value)
    if isinstance(value, str | int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _details_text(details: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {_value_text(k, v)}" for k, v in details.items())


class AdjustmentsPage(QWidget):
    def __init__(self, vm: AdjustmentsViewModel, session: SessionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.vm = vm
        self.approval: ApprovalDialog | None = None
        self._build()
        vm.member_changed.connect(self._on_member_changed)
        vm.approval_needed.connect(self._on_approval_needed)
        vm.adjustment_done.connect(self._on_adjustment_done)
        vm.audit_loaded.connect(self._on_audit_loaded)
        vm.error_raised.connect(self._on_error)
        session.logged_in.connect(self._on_session_changed)
        session.logged_out.connect(self._on_session_changed)
        self._on_member_changed()
        self._on_session_changed()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        box = QGroupBox(self.tr("Adjust a member's points"), self)
        form = QFormLayout(box)
        row = QHBoxLayout()
        self.member_input = QLineEdit(box)
        self.member_input.setObjectName("adjust_member_input")
        self.member_input.setPlaceholderText(self.tr("Card or phone number (F2)"))
        self.member_input.returnPressed.connect(self._identify)
        row.addWidget(self.member_input, 1)
        self.identify_button = big_button(self.tr("Identify"), box)
        self.identify_button.clicked.connect(self._identify)
        row.addWidget(self.identify_button)
        form.addRow(self.tr("Member"), row)
        self.member_label = QLabel(box)
        self.member_label.setObjectName("adjust_member_label")
        form.addRow("", self.member_label)
        self.points_input = QLineEdit(box)
        self.points_input.setObjectName("adjust_points_input")
        self.points_input.setPlaceholderText(self.tr("e.g. +500 or -200"))
        form.addRow(self.tr("Points"), self.points_input)
        self.reason_input = QLineEdit(box)
        self.points_input.returnPressed.connect(self.reason_input.setFocus)
        self.reason_input.setObjectName("adjust_reason_input")
        self.reason_input.setPlaceholderText(self.tr("Why (required), e.g. points of a receipt scanned twice"))
        self.reason_input.setMaxLength(200)
        self.reason_input.returnPressed.connect(self._request)
        form.addRow(self.tr("Reason"), self.reason_input)
        act = QHBoxLayout()
        self.result_label = QLabel(box)
        self.result_label.setObjectName("adjust_result_label")
        self.result_label.setWordWrap(True)
        act.addWidget(self.result_label, 1)
        self.adjust_button = big_button(self.tr("Adjust (Enter)"), box, primary=True)
        self.adjust_button.clicked.connect(self._request)
        act.addWidget(self.adjust_button)
        form.addRow(act)
        root.addWidget(box)
        self.notice = Notice(self)
        root.addWidget(self.notice)

        trail = QGroupBox(self.tr("Audit trail"), self)
        col = QVBoxLayout(trail)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Action"), trail))
        self.action_box = QComboBox(trail)
        self.action_box.setObjectName("audit_action")
        self.action_box.setMinimumHeight(36)
        self.action_box.addItem(self.tr("All actions"), None)
        self.action_box.currentIndexChanged.connect(self._on_action_chosen)
        bar.addWidget(self.action_box, 1)
        self.refresh_button = big_button(self.tr("Refresh"), trail)
        self.refresh_button.clicked.connect(self.vm.load_audit)
        bar.addWidget(self.refresh_button)
        col.addLayout(bar)
        self.trail_hint = QLabel(self.tr("Only a store manager sees the audit trail: log in as a manager."), trail)
        col.addWidget(self.trail_hint)
        self.table = QTableWidget(0, 5, trail)
        self.table.setObjectName("audit_table")
        self.table.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Staff"), self.tr("Action"),
                                              self.tr("Reference"), self.tr("Details")])
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        col.addWidget(self.table, 1)
        root.addWidget(trail, 1)

        screen_keys(self, {"F2": self.member_input.setFocus, "Esc": self._clear})

    # -- actions ------------------------------------------------------------------------------
    def take_scan(self, scan: ScanResult) -> bool:
        """A member's card, code or phone scanned while this screen shows (``ScanRouter``)
        identifies the member here."""
        if scan.kind not in ("member_card", "member_qr", "phone"):
            return False
        self._identify_text(scan.text)
        return True

    def _identify(self) -> None:
        self._identify_text(self.member_input.text())

    def _identify_text(self, text: str) -> None:
        if self.vm.identify(text):
            self.member_input.clear()
            self.notice.clear()
            self.points_input.setFocus()

    def _request(self) -> None:
        self.vm.request(self.points_input.text(), self.reason_input.text())

    def _clear(self) -> None:
        self.vm.clear()
        self.points_input.clear()
        self.reason_input.clear()
        self.notice.clear()
        self.member_input.setFocus()

    def _on_action_chosen(self, _index: int) -> None:
        self.vm.set_action(self.action_box.currentData())

    def _trail_allowed(self) -> bool:
        return self.session.is_manager

    # -- view-model and session signals -----------------------------------------------------------
    def _on_session_changed(self, *_args: object) -> None:
        allowed = self._trail_allowed()
        self.trail_hint.setVisible(not allowed)
        for w in (self.table, self.action_box, self.refresh_button):
            w.setVisible(allowed)
        if not allowed:
            self.table.setRowCount(0)
        elif self.isVisible():
            self.vm.load_audit()

    def _on_member_changed(self) -> None:
        m = self.vm.member
        if m is None:
            self.member_label.setText(self.tr("No member identified"))
            if self.vm.last_result is None:
                self.result_label.clear()
            return
        text = f"{m.name}  {mask_phone(m.phone)}  ·  {m.card_no}  ·  "
        text += self.tr("Balance: %1 points").replace("%1", f"{m.balance:,}")
        self.member_label.setText(text)

    def _on_approval_needed(self, text: str) -> None:
        if self.approval is not None:
            self.approval.deleteLater()
        who = self.session.staff
        self.approval = ApprovalDialog(self, self.tr("Manager approval"), text,
                                       manager_code=who.code if who and who.is_manager else "")
        self.approval.approval_given.connect(self._on_approval_given)
        self.approval.rejected.connect(self.vm.cancel_approval)
        self.approval.open()

    def _on_approval_given(self, code: str, pin: str) -> None:
        if self.vm.approve(code, pin, self.session.staff_code) is not None and self.approval is not None:
            self.approval.accept()

    def _on_adjustment_done(self, r: AdjustResult) -> None:
        self.result_label.setText(
            self.tr("%1 points (%2), approved by %3. Balance now %4.").replace("%1", f"{r.points:+,}")
            .replace("%2", r.reason).replace("%3", r.approved_by).replace("%4", f"{r.member.balance:,}"))
        self.points_input.clear()
        self.reason_input.clear()
        self.notice.info(self.tr("Points adjusted."))
        self.member_input.setFocus()

    def _on_audit_loaded(self) -> None:
        if not self._trail_allowed():
            return
        # the filter list follows what the trail holds, keeping the current choice
        current = self.action_box.currentData()
        self.action_box.blockSignals(True)
        try:
            self.action_box.clear()
            self.action_box.addItem(self.tr("All actions"), None)
            for action in self.vm.actions:
                self.action_box.addItem(action, action)
            index = self.action_box.findData(current) if current is not None else 0
            self.action_box.setCurrentIndex(max(index, 0))
        finally:
            self.action_box.blockSignals(False)
        self._fill(self.vm.audit)

    def _fill(self, rows: list[AuditRow]) -> None:
        self.table.setRowCount(len(rows))
        for r, a in enumerate(rows):
            who = f"{a.staff_code} {a.staff_name}" if a.staff_code and a.staff_name else (a.staff_code or "—")
            ref = self.tr("member %1").replace("%1", a.member_card) if a.member_card else a.ref
            cells = (a.at.strftime("%Y-%m-%d %H:%M:%S"), who, a.action, ref, _details_text(a.details))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 4:
                    item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

    def _on_error(self, text: str) -> None:
        if self.approval is not None and self.approval.isVisible():
            self.approval.refuse(text)
        self.notice.error(text)

    def reset_screen(self, after: str) -> None:
        """After a sale or a logout: no member, points, reason, result or message."""
        self._clear()
        self.member_input.clear()
        self.result_label.clear()

    def showEvent(self, event: object) -> None:
        if self._trail_allowed():
            self.vm.load_audit()
        if self.vm.member is None:
            self.member_input.setFocus()
