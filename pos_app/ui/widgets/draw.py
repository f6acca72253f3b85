"""The lottery draw dialog (积分抽奖), opened from the gifts screen (Ctrl+L): choose the running
draw campaign, read the question (its cost, the member's balance after), Enter draws, Esc
closes; the prize shows large in the dialog (and the slip is queued)."""

from __future__ import annotations

import logging
from typing import Any

from pos_app.core.members import mask_phone
from pos_app.services.draws import DrawResult
from pos_app.ui.qt import QComboBox, QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget, Signal
from pos_app.ui.viewmodels.draws import DrawViewModel
from pos_app.ui.widgets.approval import ApprovalDialog
from pos_app.ui.widgets.common import Notice, big_button

log = logging.getLogger(__name__)


class DrawDialog(QDialog):
    """Signals: ``drawn(DrawResult)`` after each draw (the window passes it to the customer display)."""

    drawn = Signal(object)

    def __init__(self, vm: DrawViewModel, parent: QWidget, *, manager_code: str = "") -> None:
        super().__init__(parent)
        self.vm = vm
        self.manager_code = manager_code
        self.approval: ApprovalDialog | None = None
        self.setObjectName("draw_dialog")
        self.setWindowTitle(self.tr("Lottery draw"))
        self.setMinimumWidth(480)
        root = QVBoxLayout(self)
        self.campaign_box = QComboBox(self)
        self.campaign_box.setObjectName("draw_campaign")
        root.addWidget(self.campaign_box)
        self.question_label = QLabel(self)
        self.question_label.setObjectName("draw_question")
        self.question_label.setWordWrap(True)
        root.addWidget(self.question_label)
        self.prize_label = QLabel(self)
        self.prize_label.setObjectName("draw_prize")
        self.prize_label.setWordWrap(True)
        font = self.prize_label.font()
        font.setPointSize(20)
        font.setBold(True)
        self.prize_label.setFont(font)
        root.addWidget(self.prize_label)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("draw_result")
        self.result_label.setWordWrap(True)
        root.addWidget(self.result_label)
        self.notice = Notice(self)
        root.addWidget(self.notice)
        buttons = QHBoxLayout()
        self.close_button = big_button(self.tr("Close (Esc)"), self)
        self.close_button.setAutoDefault(False)
        self.draw_button = big_button(self.tr("Draw (Enter)"), self, primary=True)
        self.draw_button.setObjectName("draw_button")
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.draw_button)
        root.addLayout(buttons)
        self.close_button.clicked.connect(self.reject)
        self.draw_button.clicked.connect(self._draw)
        self.campaign_box.currentIndexChanged.connect(lambda _i: self._ask())
        vm.drawn.connect(self._on_drawn)
        vm.error_raised.connect(self._on_error)
        vm.approval_needed.connect(self._on_approval_needed)
        self.rows = vm.campaigns()
        for row in self.rows:
            self.campaign_box.addItem(self.tr("%1 (%2 points a draw)").replace("%1", row.name).replace(
                "%2", f"{row.cost_points:,}"), row.campaign_id)
        self._ask()

    def done(self, result: int) -> None:
        for signal, slot in ((self.vm.drawn, self._on_drawn), (self.vm.error_raised, self._on_error),
                             (self.vm.approval_needed, self._on_approval_needed)):
            signal.disconnect(slot)
        super().done(result)

    def _ask(self) -> None:
        """The question: the campaign's cost, the member, their balance after, the limits."""
        row = self._row()
        m = self.vm.gifts.member
        if row is None:
            self.question_label.setText(self.tr("No lottery draw runs at this store today."))
            self.draw_button.setEnabled(False)
            return
        if m is None:
            self.question_label.setText(self.tr("Identify the member first (card or phone number)."))
            self.draw_button.setEnabled(False)
            return
        text = self.tr("Draw in %1 for %2 points?").replace("%1", row.name).replace("%2", f"{row.cost_points:,}")
        text += "\n" + self.tr("%1's balance after the draw: %2 points").replace("%1", m.name).replace(
            "%2", f"{m.balance - row.cost_points:,}")
        limits = []
        if row.daily_limit is not None:
            limits.append(self.tr("%1 a day").replace("%1", str(row.daily_limit)))
        if row.campaign_limit is not None:
            limits.append(self.tr("%1 in all").replace("%1", str(row.campaign_limit)))
        if limits:
            text += "\n" + self.tr("Draws per member: %1").replace("%1", ", ".join(limits))
        self.question_label.setText(text)
        self.draw_button.setEnabled(True)

    def _row(self) -> Any:
        i = self.campaign_box.currentIndex()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def _draw(self) -> None:
        row = self._row()
        if row is None:
            return
        self.notice.clear()
        log.info("draw asked: %s", row.campaign_id)
        self.vm.draw(row.campaign_id)

    def _on_drawn(self, r: DrawResult) -> None:
        if self.approval is not None and self.approval.isVisible():
            self.approval.accept()
        language = self.vm.gifts.language
        self.prize_label.setText(r.prize_name(language) if r.won else self.tr("Better luck next time"))
        lines = []
        if r.out_of_stock:
            lines.append(self.tr("The prize drawn is gone at this store."))
        if r.points_won:
            lines.append(self.tr("+%1 points").replace("%1", f"{r.points_won:,}"))
        if r.coupon_code:
            text = self.tr("Coupon %1").replace("%1", r.coupon_code)
            if r.coupon_valid_until:
                text += "  " + self.tr("valid until %1").replace("%1", r.coupon_valid_until.isoformat())
            lines.append(text)
        if r.redemption_no:
            lines.append(self.tr("Hand over the gift (%1).").replace("%1", r.redemption_no))
        lines.append(self.tr("%1 %2: balance %3 points").replace("%1", r.member.name).replace(
            "%2", mask_phone(r.member.phone)).replace("%3", f"{r.balance_after:,}"))
        lines.append(self.tr("Draw %1, number %2 of %3. The slip is queued for printing.").replace(
            "%1", r.draw_no).replace("%2", str(r.value)).replace("%3", str(r.range)))
        self.result_label.setText("\n".join(lines))
        self.draw_button.setText(self.tr("Draw again (Enter)"))
        self._ask_again()
        self.drawn.emit(r)

    def _ask_again(self) -> None:
        """After a draw the question shows the new balance; the result stays until the next draw."""
        row, m = self._row(), self.vm.gifts.member
        if row is not None and m is not None:
            self.question_label.setText(self.tr("Draw in %1 for %2 points?").replace("%1", row.name).replace(
                "%2", f"{row.cost_points:,}") + "\n" + self.tr("%1's balance after the draw: %2 points").replace(
                "%1", m.name).replace("%2", f"{m.balance - row.cost_points:,}"))

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
