"""The donation dialog (积分捐赠), opened from the gifts screen (Ctrl+J): choose the running
donation campaign (its cause and its progress as this till knows it), type the points, see what
they are worth, Enter asks the question (the points, the yuan, the balance after) and Enter
again donates; Esc closes. The slip is queued for printing."""

from __future__ import annotations

import logging
from typing import Any

from pos_app.core.errors import InvalidInput
from pos_app.core.members import mask_phone
from pos_app.core.money import parse_int
from pos_app.services.donations import DonationResult
from pos_app.ui.qt import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSize,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from pos_app.ui.viewmodels.donations import DonationViewModel
from pos_app.ui.widgets.approval import ApprovalDialog
from pos_app.ui.widgets.common import TOUCH_HEIGHT, Notice, big_button, yuan

log = logging.getLogger(__name__)


class DonateDialog(QDialog):
    """Signals: ``donated(DonationResult)`` after each donation (the window passes it on)."""

    donated = Signal(object)

    def __init__(self, vm: DonationViewModel, parent: QWidget, *, manager_code: str = "") -> None:
        super().__init__(parent)
        self.vm = vm
        self.manager_code = manager_code
        self.approval: ApprovalDialog | None = None
        self.confirm: QMessageBox | None = None
        self.confirm_button: QPushButton | None = None
        self.setObjectName("donate_dialog")
        self.setWindowTitle(self.tr("Donate points"))
        self.setMinimumWidth(480)
        root = QVBoxLayout(self)
        self.campaign_box = QComboBox(self)
        self.campaign_box.setObjectName("donate_campaign")
        self.campaign_box.setMinimumHeight(TOUCH_HEIGHT)
        root.addWidget(self.campaign_box)
        self.cause_label = QLabel(self)
        self.cause_label.setObjectName("donate_cause")
        self.cause_label.setWordWrap(True)
        root.addWidget(self.cause_label)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("donate_progress")
        self.progress_label.setWordWrap(True)
        root.addWidget(self.progress_label)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Points"), self))
        self.points_input = QLineEdit(self)
        self.points_input.setObjectName("donate_points")
        self.points_input.setMinimumHeight(TOUCH_HEIGHT)
        self.points_input.setMaxLength(9)
        # the question opens once the Enter that asked is handled: a QDialog passes an Enter its field
        # did not take to its children's default button, which the question's own would be
        self.points_input.returnPressed.connect(lambda: QTimer.singleShot(0, self._ask))
        self.points_input.textChanged.connect(lambda _t: self._show_worth())
        row.addWidget(self.points_input, 1)
        self.worth_label = QLabel(self)
        self.worth_label.setObjectName("donate_worth")
        row.addWidget(self.worth_label)
        root.addLayout(row)
        self.member_label = QLabel(self)
        self.member_label.setObjectName("donate_member")
        self.member_label.setWordWrap(True)
        root.addWidget(self.member_label)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("donate_result")
        self.result_label.setWordWrap(True)
        font = self.result_label.font()
        font.setBold(True)
        self.result_label.setFont(font)
        root.addWidget(self.result_label)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        buttons = QHBoxLayout()
        self.close_button = big_button(self.tr("Close (Esc)"), self)
        self.donate_button = big_button(self.tr("Donate (Enter)"), self, primary=True)
        self.donate_button.setObjectName("donate_button")
        for b in (self.close_button, self.donate_button):
            b.setAutoDefault(False)  # Enter acts through the points field once
            b.setDefault(False)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.donate_button)
        root.addLayout(buttons)
        self.close_button.clicked.connect(self.reject)
        self.donate_button.clicked.connect(self._ask)
        self.campaign_box.currentIndexChanged.connect(lambda _i: self._show_campaign())
        vm.donated.connect(self._on_donated)
        vm.error_raised.connect(self._on_error)
        vm.approval_needed.connect(self._on_approval_needed)
        self.rows = vm.campaigns()
        for c in self.rows:
            self.campaign_box.addItem(c.name, c.campaign_id)
        self._show_campaign()
        self.points_input.setFocus()

    def done(self, result: int) -> None:
        for signal, slot in ((self.vm.donated, self._on_donated), (self.vm.error_raised, self._on_error),
                             (self.vm.approval_needed, self._on_approval_needed)):
            signal.disconnect(slot)
        super().done(result)

    def _row(self) -> Any:
        i = self.campaign_box.currentIndex()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def _show_campaign(self) -> None:
        c, m = self._row(), self.vm.gifts.member
        self.donate_button.setEnabled(c is not None and m is not None)
        self.points_input.setEnabled(c is not None)
        if c is None:
            self.cause_label.setText(self.tr("No donation campaign runs at this store today."))
            self.progress_label.clear()
            return
        self.cause_label.setText(c.cause)
        self.progress_label.setText(
            self.tr("Donated here so far: %1 of %2 points (%3%), until %4").replace("%1", f"{c.donated_points:,}")
            .replace("%2", f"{c.goal_points:,}").replace("%3", str(c.donated_points * 100 // c.goal_points))
            .replace("%4", c.ends_on))
        if c.step:
            self.points_input.setPlaceholderText(self.tr("in multiples of %1").replace("%1", f"{c.step:,}"))
        self._show_member()
        self._show_worth()

    def _show_member(self) -> None:
        m = self.vm.gifts.member
        self.member_label.setText(
            self.tr("%1 %2: balance %3 points").replace("%1", m.name).replace("%2", mask_phone(m.phone)).replace(
                "%3", f"{m.balance:,}") if m else self.tr("Identify the member first (card or phone number)."))

    def _points(self) -> int | None:
        try:
            return parse_int(self.points_input.text(), field="points")
        except InvalidInput:
            return None

    def _show_worth(self) -> None:
        c, points = self._row(), self._points()
        self.worth_label.setText(self.tr("= %1").replace("%1", yuan(points * c.fen_per_point))
                                 if c is not None and points is not None and points > 0 else "")

    def _ask(self) -> None:
        """The question: the campaign, the points, what they are worth, the balance after;
        Enter donates, Esc keeps the points."""
        c, m, points = self._row(), self.vm.gifts.member, self._points()
        if c is None or m is None or self.confirm is not None:  # one question at a time (Enter reaches the
            return                                                # field and then the dialog)
        self.notice.clear()
        if points is None or points <= 0 or (c.step and points % c.step) or points > m.balance:
            self.vm.donate(c.campaign_id, points if points is not None else 0)  # refused, saying why
            return
        text = self.tr("Donate %1 points (%2) to %3?").replace("%1", f"{points:,}").replace(
            "%2", yuan(points * c.fen_per_point)).replace("%3", c.name)
        text += "\n" + self.tr("%1's balance after the donation: %2 points").replace("%1", m.name).replace(
            "%2", f"{m.balance - points:,}")
        text += "\n" + self.tr("A donation is not refunded.")
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Donate points"), text, parent=self)
        box.setObjectName("donate_confirm")
        confirm = box.addButton(self.tr("Donate"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        for b in (confirm, cancel):
            b.setMinimumSize(QSize(120, TOUCH_HEIGHT))
        box.setDefaultButton(confirm)  # Enter donates
        box.setEscapeButton(cancel)  # Esc cancels
        box.buttonClicked.connect(lambda button: self._on_answered(button, c.campaign_id, points))
        box.finished.connect(lambda _r: setattr(self, "confirm", None))
        self.confirm, self.confirm_button = box, confirm
        box.open()
        log.info("donation question shown: %s %s", c.campaign_id, points)

    def _on_answered(self, button: object, campaign_id: str, points: int) -> None:
        if button is self.confirm_button:
            self.vm.donate(campaign_id, points)
            return
        self.notice.info(self.tr("Not donated: the points stay with the member."))
        self.points_input.setFocus()

    def _on_donated(self, r: DonationResult) -> None:
        if self.approval is not None and self.approval.isVisible():
            self.approval.accept()
        self.result_label.setText(
            self.tr("Thank you! %1 points (%2) donated to %3 (%4).").replace("%1", f"{r.points:,}").replace(
                "%2", yuan(r.yuan_fen)).replace("%3", r.name_zh if self.vm.gifts.language == "zh_CN" else r.name_en)
            .replace("%4", r.donation_no))
        self.notice.info(self.tr("The slip is queued for printing."))
        self.points_input.clear()
        self.rows = self.vm.campaigns()  # the progress moved
        self._show_campaign()
        self.donated.emit(r)

    def _on_error(self, text: str) -> None:
        if self.approval is not None and self.approval.isVisible():
            self.approval.refuse(text)
        self.notice.error(text)

    def _on_approval_needed(self, text: str) -> None:
        if self.approval is not None:
            self.approval.deleteLater()
        self.approval = ApprovalDialog(self, self.tr("Manager approval"), text, manager_code=self.manager_code)
        self.approval.approval_given.connect(lambda code, pin: self.vm.approve(code, pin))
        self.approval.open()
