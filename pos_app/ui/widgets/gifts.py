"""The gifts screen (积分商城): identify the member, pick a gift, redeem; a manager approves big gifts."""

from __future__ import annotations

import logging

from pos_app.core.members import mask_phone
from pos_app.services.points import GiftCancelResult, GiftResult
from pos_app.services.scans import ScanResult
from pos_app.ui.qt import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSize,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from pos_app.ui.viewmodels.donations import DonationViewModel
from pos_app.ui.viewmodels.draws import DrawViewModel
from pos_app.ui.viewmodels.gifts import GiftsViewModel
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.widgets.approval import ApprovalDialog
from pos_app.ui.widgets.common import TOUCH_HEIGHT, Notice, big_button, member_entry, screen_keys, yuan
from pos_app.ui.widgets.donate import DonateDialog
from pos_app.ui.widgets.draw import DrawDialog
from pos_app.ui.widgets.otp import OtpDialog

log = logging.getLogger(__name__)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class GiftsPage(QWidget):
    """Signals: ``donation_done(DonationResult)`` after a donation made from here (Ctrl+J),
    ``draw_done(DrawResult)`` after a lottery draw made from here (Ctrl+L)."""

    donation_done = Signal(object)
    draw_done = Signal(object)

    def __init__(self, vm: GiftsViewModel, session: SessionViewModel, tier_names: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.tier_names = tier_names
        self.vm = vm
        self.approval: ApprovalDialog | None = None
        # the question before a redemption (issue 15 item 4): Enter redeems, Esc keeps the points
        self.gift_confirm: QMessageBox | None = None
        self.gift_confirm_button: QPushButton | None = None
        self.otp_dialog: OtpDialog | None = None
        # the reason asked before cancelling the last redemption (issue 15 item 4f)
        self.cancel_dialog: QDialog | None = None
        # donating points to a campaign (积分捐赠, Ctrl+J) for the member identified here
        self.donation_vm = DonationViewModel(vm)
        self.donate_dialog: DonateDialog | None = None
        # the lottery draw (积分抽奖, Ctrl+L) for the member identified here
        self.draw_vm = DrawViewModel(vm)
        self.draw_dialog: DrawDialog | None = None
        self._build()
        vm.member_changed.connect(self._on_member_changed)
        vm.catalogue_changed.connect(self._on_catalogue_changed)
        vm.approval_needed.connect(self._on_approval_needed)
        vm.approval_cancelled.connect(self._on_approval_cancelled)
        vm.gift_redeemed.connect(self._on_gift_redeemed)
        vm.gift_cancelled.connect(self._on_gift_cancelled)
        vm.error_raised.connect(self._on_error)
        vm.code_sent.connect(self._on_code_sent)
        vm.code_verified.connect(self._on_code_verified)
        vm.refresh_catalogue()
        self._on_member_changed()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        box = QGroupBox(self.tr("Member"), self)
        row = QHBoxLayout(box)
        self.member_input, self.identify_button = member_entry(box, row, "gift_member_input", self._identify)
        info = QVBoxLayout()
        self.member_label = QLabel(box)
        self.member_label.setObjectName("gift_member_label")
        self.member_label.setWordWrap(True)  # name, phone, card and tier may not fit one line at 1024x768
        self.balance_label = QLabel(box)
        self.balance_label.setObjectName("balance_label")
        self.offline_label = QLabel(box)  # headquarters did not answer the lookup: this till's copy
        self.offline_label.setObjectName("gift_member_offline_label")
        info.addWidget(self.member_label)
        info.addWidget(self.offline_label)
        info.addWidget(self.balance_label)
        row.addLayout(info, 3)
        # Clear above Send code: side by side the page was wider than 1024 px
        member_buttons = QVBoxLayout()
        self.clear_button = big_button(self.tr("Clear (Esc)"), box)
        self.clear_button.clicked.connect(self.vm.reset)
        member_buttons.addWidget(self.clear_button)
        # a member identified by a typed number redeems only with a one-time code (Ctrl+O)
        self.send_code_button = big_button(self.tr("Send code (Ctrl+O)"), box)
        self.send_code_button.setObjectName("gift_send_code_button")
        self.send_code_button.clicked.connect(self.vm.send_code)
        member_buttons.addWidget(self.send_code_button)
        row.addLayout(member_buttons)
        root.addWidget(box)

        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("gift_table")
        self.table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Gift"), self.tr("Points"),
                                              self.tr("Plus cash"), self.tr("Stock"), self.tr("Approval")])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(40)  # rows big enough to tap
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.activated.connect(lambda _index: self._redeem())  # Enter or double-click
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        root.addWidget(self.table, 1)

        act = QHBoxLayout()
        self.selected_label = QLabel(self)
        self.selected_label.setObjectName("gift_selected_label")
        self.selected_label.setWordWrap(True)
        act.addWidget(self.selected_label, 1)
        self.redeem_button = big_button(self.tr("Redeem (Enter)"), self, primary=True)
        self.redeem_button.clicked.connect(self._redeem)
        act.addWidget(self.redeem_button)
        self.donate_button = big_button(self.tr("Donate (Ctrl+J)"), self)
        self.donate_button.setObjectName("gift_donate_button")
        self.donate_button.clicked.connect(self.open_donate)
        act.addWidget(self.donate_button)
        self.draw_button = big_button(self.tr("Draw (Ctrl+L)"), self)
        self.draw_button.setObjectName("gift_draw_button")
        self.draw_button.clicked.connect(self.open_draw)
        act.addWidget(self.draw_button)
        root.addLayout(act)

        result = QGroupBox(self.tr("Last redemption"), self)
        col = QVBoxLayout(result)
        self.result_label = QLabel(result)
        self.result_label.setObjectName("gift_result_label")
        self.result_label.setWordWrap(True)
        self.coupon_label = QLabel(result)
        self.coupon_label.setObjectName("coupon_label")
        self.coupon_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.coupon_label.font()
        font.setPointSize(16)
        font.setBold(True)
        self.coupon_label.setFont(font)
        self.cash_label = QLabel(result)
        self.cash_label.setObjectName("cash_label")
        for w in (self.result_label, self.coupon_label, self.cash_label):
            col.addWidget(w)
        self.cancel_button = big_button(self.tr("Cancel redemption (Ctrl+Z)"), result)
        self.cancel_button.setObjectName("gift_cancel_button")
        self.cancel_button.clicked.connect(self._cancel_last)
        col.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        root.addWidget(result)
        self.notice = Notice(self)
        root.addWidget(self.notice)

        screen_keys(self, {"F2": self.member_input.setFocus, "Esc": self.vm.reset, "Ctrl+O": self.vm.send_code,
                           "Ctrl+Z": self._cancel_last, "Ctrl+J": self.open_donate,
                           "Ctrl+L": self.open_draw})
        self._update_cancel_button()

    # -- actions ------------------------------------------------------------------------------
    def take_scan(self, scan: ScanResult) -> bool:
        """While this screen shows (``ScanRouter``): a member's card, code or phone identifies
        the member, a gift code selects the gift."""
        if scan.kind == "gift":
            self.select_gift(scan.text)
            self.table.setFocus()
            return True
        if scan.kind not in ("member_card", "member_qr", "phone"):
            return False
        self._identify_text(scan.text, scanned=True)
        return True

    def _identify(self) -> None:
        self._identify_text(self.member_input.text())

    def _identify_text(self, text: str, *, scanned: bool = False) -> None:
        if self.vm.identify(text, scanned=scanned):
            self.member_input.clear()
            self.notice.clear()
            self.table.setFocus()
            if self.table.currentRow() < 0 and self.table.rowCount():
                self.table.selectRow(0)

    def selected_code(self) -> str | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.vm.gifts):
            return self.vm.gifts[row].code
        return None

    def select_gift(self, code: str) -> None:
        for i, g in enumerate(self.vm.gifts):
            if g.code == code:
                self.table.selectRow(i)

    def _redeem(self) -> None:
        """Asks first: the gift, its points (and cash), the member's balance after; Enter or the
        button redeems, Esc or Cancel leaves everything as it was."""
        code = self.selected_code()
        if code is None:
            self.notice.error(self.tr("Choose a gift first."))
            return
        g, m = self.vm.gift(code), self.vm.member
        if g is None or m is None or m.balance < g.points or g.stock == 0 or not self.vm.may_spend():
            # refused at once, saying why (no member, not enough points, no stock, member not present)
            self.vm.redeem(code)
            return
        text = self.tr("Redeem %1 %2 for %3 points?").replace("%1", g.code).replace("%2", g.name).replace(
            "%3", f"{g.points:,}")
        if g.cash_fen:
            text += "\n" + self.tr("The member also pays %1.").replace("%1", yuan(g.cash_fen))
        text += "\n" + self.tr("%1's balance after: %2 points").replace("%1", m.name).replace(
            "%2", f"{m.balance - g.points:,}")
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Redeem gift"), text, parent=self)
        box.setObjectName("gift_confirm")
        confirm = box.addButton(self.tr("Redeem"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        for b in (confirm, cancel):
            b.setMinimumSize(QSize(120, TOUCH_HEIGHT))
        box.setDefaultButton(confirm)  # Enter redeems
        box.setEscapeButton(cancel)  # Esc cancels
        box.buttonClicked.connect(lambda button: self._on_confirm_answered(button, code))
        box.finished.connect(lambda _r: setattr(self, "gift_confirm", None))
        self.gift_confirm, self.gift_confirm_button = box, confirm
        box.open()
        log.info("gift question shown: %s", code)

    def _on_confirm_answered(self, button: object, code: str) -> None:
        if button is self.gift_confirm_button:
            self.vm.redeem(code)
            return
        self.notice.info(self.tr("Not redeemed: the points stay with the member."))
        self.table.setFocus()

    def _update_cancel_button(self) -> None:
        self.cancel_button.setEnabled(self.vm.can_cancel())

    def _cancel_last(self) -> None:
        """Asks which of the shift's redemptions (the newest chosen) and why, showing the gift, the
        points and cash going back and the balance after; Enter with a reason cancels it, Esc keeps it."""
        from pos_app.ui.widgets.gift_cancel import GiftCancelDialog

        choices = self.vm.cancellable()
        if not choices:
            self.notice.error(self.tr("No redemption to cancel: none of this shift's gifts can be cancelled."))
            return

        def gift_name(code: str) -> str:
            g = self.vm.gift(code)
            return f"{code} {g.name}" if g else code

        box = GiftCancelDialog(self, choices, gift_name)
        box.chosen.connect(self.vm.cancel)  # Enter or the button, with the reason
        box.rejected.connect(lambda: self.notice.info(self.tr("Not cancelled: the redemption stands.")))
        box.finished.connect(lambda _r: setattr(self, "cancel_dialog", None))
        self.cancel_dialog = box
        box.open()
        log.info("gift cancel asked: %s", choices[0].redemption_no)

    def open_donate(self) -> None:
        """The donation dialog for the member identified here (Enter asks, Enter again donates, Esc closes)."""
        if self.vm.member is None:
            self.notice.error(self.tr("Identify the member first (card or phone number)."))
            return
        who = self.session.staff
        box = DonateDialog(self.donation_vm, self, manager_code=who.code if who and who.is_manager else "")
        box.donated.connect(self.donation_done.emit)
        box.finished.connect(lambda _r: setattr(self, "donate_dialog", None))
        self.donate_dialog = box
        box.open()

    def open_draw(self) -> None:
        """The lottery draw dialog for the member identified here (Enter draws, Esc closes)."""
        if self.vm.member is None:
            self.notice.error(self.tr("Identify the member first (card or phone number)."))
            return
        who = self.session.staff
        box = DrawDialog(self.draw_vm, self, manager_code=who.code if who and who.is_manager else "")
        box.drawn.connect(self.draw_done.emit)
        box.finished.connect(lambda _r: setattr(self, "draw_dialog", None))
        self.draw_dialog = box
        box.open()

    def _on_gift_cancelled(self, done: GiftCancelResult) -> None:
        g = self.vm.gift(done.gift_code)
        name = f"{done.gift_code} {g.name}" if g else done.gift_code
        text = self.tr("%1 cancelled (%2): %3 points back, balance %4").replace("%1", name).replace(
            "%2", done.redemption_no).replace("%3", f"{done.points:,}").replace("%4", f"{done.member.balance:,}")
        if done.approved_by:
            text += "  ·  " + self.tr("approved by %1").replace("%1", done.approved_by)
        self.result_label.setText(text)
        self.coupon_label.clear()
        self.cash_label.setText(self.tr("Hand back %1 in cash.").replace("%1", yuan(done.cash_fen))
                                if done.cash_fen else "")
        if self.approval is not None and self.approval.isVisible():
            self.approval.accept()
        self._update_cancel_button()
        self.notice.info(self.tr("Redemption cancelled. The slip is queued for printing."))

    # -- view-model signals --------------------------------------------------------------------
    def _on_member_changed(self) -> None:
        self._update_cancel_button()
        if self.vm.last_result is None:
            for w in (self.result_label, self.coupon_label, self.cash_label):
                w.clear()
        m = self.vm.member
        self.send_code_button.setEnabled(m is not None and self.vm.presence not in ("card", "member_qr", "otp"))
        self.offline_label.setText(self.tr("Offline: using this till's copy") if m and self.vm.member_offline else "")
        self.offline_label.setVisible(bool(m and self.vm.member_offline))
        if m is None:
            self.member_label.setText(self.tr("No member identified"))
            self.balance_label.clear()
            return
        tier = self.tier_names.get(m.tier, m.tier)
        shown = {"card": self.tr("card scanned"), "member_qr": self.tr("member code scanned"),
                 "otp": self.tr("one-time code verified")}.get(
            self.vm.presence or "", self.tr("number typed: a gift needs the card, member code or a one-time code"))
        self.member_label.setText(f"{m.name}  {mask_phone(m.phone)}  ·  {m.card_no}  ·  {tier}  ·  {shown}")
        text = self.tr("Balance: %1 points").replace("%1", f"{m.balance:,}")
        if m.debt:
            text += "  " + self.tr("(owes %1 points from a refund)").replace("%1", f"{m.debt:,}")
        self.balance_label.setText(text)

    def _on_catalogue_changed(self) -> None:
        selected = self.selected_code()
        self.table.setRowCount(len(self.vm.gifts))
        for r, g in enumerate(self.vm.gifts):
            if g.stock is None:
                stock = "—"
            elif g.stock == 0:
                stock = self.tr("out of stock")
            else:
                stock = str(g.stock)
            cells = (g.code, g.name, f"{g.points:,}", yuan(g.cash_fen) if g.cash_fen else "",
                     stock, self.tr("Manager") if g.needs_approval else "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (2, 3, 4):
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(r, c, item)
        if selected is not None:
            self.select_gift(selected)
        self._on_selection_changed()

    def _on_selection_changed(self) -> None:
        code = self.selected_code()
        g = self.vm.gift(code) if code else None
        if g is None:
            self.selected_label.setText(self.tr("Choose a gift, then Redeem."))
            return
        text = self.tr("%1 %2: %3 points").replace("%1", g.code).replace("%2", g.name).replace(
            "%3", f"{g.points:,}")
        if g.cash_fen:
            text += "  " + self.tr("plus %1 cash to collect").replace("%1", yuan(g.cash_fen))
        if g.needs_approval:
            text += "  ·  " + self.tr("a manager must approve")
        self.selected_label.setText(text)

    def _on_approval_needed(self, text: str) -> None:
        if self.approval is not None:
            self.approval.deleteLater()
        who = self.session.staff
        self.approval = ApprovalDialog(self, self.tr("Manager approval"), text,
                                       manager_code=who.code if who and who.is_manager else "")
        self.approval.approval_given.connect(self._on_approval_given)
        self.approval.rejected.connect(self.vm.cancel_approval)
        self.approval.open()

    def _on_approval_cancelled(self) -> None:
        if self.approval is not None and self.approval.isVisible():
            self.approval.reject()

    def _on_approval_given(self, code: str, pin: str) -> None:
        if self.vm.approve(code, pin) is not None and self.approval is not None:
            self.approval.accept()

    def _on_gift_redeemed(self, result: GiftResult) -> None:
        g = self.vm.gift(result.gift_code)
        name = f"{result.gift_code} {g.name}" if g else result.gift_code
        text = self.tr("%1 redeemed (%2): %3 points, balance %4").replace("%1", name).replace(
            "%2", result.redemption_no).replace("%3", f"{result.points:,}").replace(
            "%4", f"{result.member.balance:,}")
        if result.approved_by:
            text += "  ·  " + self.tr("approved by %1").replace("%1", result.approved_by)
        self.result_label.setText(text)
        if result.coupon_code:
            coupon = self.tr("Coupon %1").replace("%1", result.coupon_code)
            if result.coupon_valid_until:
                coupon += "  " + self.tr("valid until %1").replace("%1", result.coupon_valid_until.isoformat())
            self.coupon_label.setText(coupon)
        else:
            self.coupon_label.clear()
        self.cash_label.setText(self.tr("Collect %1 in cash.").replace("%1", yuan(result.cash_fen))
                                if result.cash_fen else "")
        self.notice.info(self.tr("Gift redeemed. The coupon is queued for printing.") if result.coupon_code
                         else self.tr("Gift redeemed."))
        self._update_cancel_button()

    def _on_code_sent(self, valid_s: int) -> None:
        m = self.vm.member
        if self.otp_dialog is not None:
            self.otp_dialog.deleteLater()
        self.otp_dialog = OtpDialog(self, self.tr("A one-time code was sent to %1's phone %2 (valid %3 minutes). "
                                                  "Type the code the member reads out.")
                                    .replace("%1", m.name if m else "").replace("%2", mask_phone(m.phone) if m else "")
                                    .replace("%3", str(valid_s // 60)))
        self.otp_dialog.code_entered.connect(self.vm.verify_code)
        self.otp_dialog.open()
        self.notice.info(self.tr("One-time code sent."))

    def _on_code_verified(self) -> None:
        if self.otp_dialog is not None:
            self.otp_dialog.accept()
        self.notice.info(self.tr("Code verified: the member may redeem gifts."))
        self.table.setFocus()

    def _on_error(self, text: str) -> None:
        if self.otp_dialog is not None and self.otp_dialog.isVisible():
            self.otp_dialog.refuse(text)
        if self.approval is not None and self.approval.isVisible():
            self.approval.refuse(text)
        self.notice.error(text)

    def reset_screen(self, after: str) -> None:
        """After a sale or a logout: no member, gift chosen, last redemption or message."""
        if self.otp_dialog is not None and self.otp_dialog.isVisible():
            self.otp_dialog.reject()
        if self.donate_dialog is not None and self.donate_dialog.isVisible():
            self.donate_dialog.reject()
        if self.draw_dialog is not None and self.draw_dialog.isVisible():
            self.draw_dialog.reject()
        self.vm.reset()
        self.member_input.clear()
        self.table.clearSelection()
        self.table.setCurrentCell(-1, -1)
        self.notice.clear()

    def showEvent(self, event: object) -> None:
        self.vm.refresh_catalogue()  # stock may have changed elsewhere
        self.member_input.setFocus()
