"""The checkout screen: keyboard first (F2 member, F3 product, F4 points, F12 complete)."""

from __future__ import annotations

import functools
import logging

from pos_app.core.members import mask_phone
from pos_app.services.sales import SaleResult
from pos_app.ui.qt import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from pos_app.ui.scanner import disable_input_method
from pos_app.ui.viewmodels.checkout import CheckoutViewModel
from pos_app.ui.widgets.approval import ApprovalDialog
from pos_app.ui.widgets.camera_view import CameraView
from pos_app.ui.widgets.common import Notice, big_button, member_entry, screen_keys, yuan
from pos_app.ui.widgets.otp import OtpDialog
from pos_app.ui.widgets.suspended import DiscountDialog, SuspendedDialog

log = logging.getLogger(__name__)


class CheckoutPage(QWidget):
    def __init__(self, vm: CheckoutViewModel, tier_names: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.tier_names = tier_names
        self._build()
        vm.member_changed.connect(self._on_member_changed)
        vm.basket_changed.connect(self._on_basket_changed)
        vm.preview_changed.connect(self._on_preview_changed)
        vm.sale_completed.connect(self._on_sale_completed)
        vm.error_raised.connect(self._on_error)
        vm.checked_in.connect(self._on_checked_in)
        vm.approval_needed.connect(self._on_approval_needed)
        vm.suspended_changed.connect(self._on_suspended_changed)
        vm.code_sent.connect(self._on_code_sent)
        vm.code_verified.connect(self._on_code_verified)
        self.approval: ApprovalDialog | None = None
        self.otp_dialog: OtpDialog | None = None
        self.suspended_dialog: SuspendedDialog | None = None
        self.discount_dialog: DiscountDialog | None = None
        self._on_suspended_changed()
        self._on_member_changed()
        self._on_basket_changed()
        self._on_preview_changed()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(4, 4, 4, 4)
        # member panel
        box = QGroupBox(self.tr("Member"), self)
        row = QHBoxLayout(box)
        # the field above its buttons: side by side with the member's details and the camera's
        # preview they were wider than the page at 1024 px
        entry_column = QVBoxLayout()
        self.member_input, self.identify_button = member_entry(box, entry_column, "member_input", self._identify)
        row.addLayout(entry_column, 2)
        info = QVBoxLayout()
        self.member_label = QLabel(box)
        self.member_label.setObjectName("member_label")
        self.member_label.setWordWrap(True)  # with the camera's preview beside it, within 1024 px
        self.tier_label = QLabel(box)
        self.tier_label.setObjectName("tier_badge")
        self.balance_label = QLabel(box)
        self.balance_label.setObjectName("balance_label")
        self.expiring_label = QLabel(box)
        # a long balance or expiry line wraps rather than widen the panel past 1024 px
        self.balance_label.setWordWrap(True)
        self.expiring_label.setWordWrap(True)
        self.offline_label = QLabel(box)  # headquarters did not answer the lookup: this till's copy
        self.offline_label.setObjectName("member_offline_label")
        self.tier_progress = QProgressBar(box)
        self.tier_progress.setTextVisible(True)
        tier_row = QHBoxLayout()  # the tier beside the balance: the panel keeps to 768 px high
        tier_row.addWidget(self.tier_label)
        tier_row.addWidget(self.balance_label, 1)
        info.addWidget(self.member_label)
        info.addWidget(self.offline_label)
        info.addLayout(tier_row)
        for w in (self.expiring_label, self.tier_progress):
            info.addWidget(w)
        self.clear_member_button = big_button(self.tr("Clear"), box)
        self.clear_member_button.clicked.connect(self.vm.clear_member)
        # a member identified by a typed number spends points only with a one-time code (Ctrl+O)
        self.send_code_button = big_button(self.tr("Send code (Ctrl+O)"), box)
        self.send_code_button.setObjectName("send_code_button")
        self.send_code_button.clicked.connect(self.vm.send_code)
        member_buttons = QHBoxLayout()
        member_buttons.addWidget(self.clear_member_button)
        member_buttons.addWidget(self.send_code_button)
        entry_column.addLayout(member_buttons)
        entry_column.addStretch(1)
        row.addLayout(info, 3)
        self.camera_view = CameraView(box)  # the camera's preview; app.build attaches the camera
        row.addWidget(self.camera_view)
        root.addWidget(box)

        middle = QHBoxLayout()
        # basket
        left = QVBoxLayout()
        entry = QHBoxLayout()
        self.code_input = QLineEdit(self)
        self.code_input.setObjectName("code_input")
        self.code_input.setPlaceholderText(self.tr("Product barcode or code (F3)"))
        self.code_input.returnPressed.connect(self._add_code)
        disable_input_method(self.code_input)  # scanner fields: an IME would swallow the keys
        entry.addWidget(self.code_input, 2)
        self.amount_input = QLineEdit(self)
        self.amount_input.setObjectName("amount_input")
        self.amount_input.setPlaceholderText(self.tr("Or a plain amount, e.g. 58.50"))
        self.amount_input.returnPressed.connect(self._add_amount)
        disable_input_method(self.amount_input)
        entry.addWidget(self.amount_input, 1)
        left.addLayout(entry)
        self.basket = QTableWidget(0, 4, self)
        self.basket.setObjectName("basket")
        self.basket.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Qty"), self.tr("Price"), self.tr("Amount")])
        self.basket.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.basket.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.basket.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        left.addWidget(self.basket)
        # two columns of touch-sized buttons: one row of six would not fit beside the payment at 1024 px
        buttons = QGridLayout()
        self.plus_button = big_button("+1", self)
        self.plus_button.clicked.connect(lambda: self._change_qty(+1))
        self.minus_button = big_button("−1", self)
        self.minus_button.clicked.connect(lambda: self._change_qty(-1))
        self.remove_button = big_button(self.tr("Remove line"), self)
        self.remove_button.clicked.connect(self._remove)
        self.discount_button = big_button(self.tr("Discount (Ctrl+D)"), self)
        self.discount_button.setObjectName("discount_button")
        self.discount_button.clicked.connect(self.open_discount)
        # 挂单/取单: put the basket aside (kept in the database) and take one back from the list
        self.suspend_button = big_button(self.tr("Suspend (Ctrl+H)"), self)
        self.suspend_button.setObjectName("suspend_button")
        self.suspend_button.clicked.connect(self._suspend)
        self.resume_button = big_button("", self)
        self.resume_button.setObjectName("resume_button")
        self.resume_button.clicked.connect(self.open_suspended)
        for i, b in enumerate((self.plus_button, self.minus_button, self.remove_button, self.discount_button,
                               self.suspend_button, self.resume_button)):
            buttons.addWidget(b, i // 2, i % 2)
        left.addLayout(buttons)
        middle.addLayout(left, 3)

        # payment and preview
        pay = QGroupBox(self.tr("Payment"), self)
        form = QFormLayout(pay)
        self.total_label = QLabel(pay)
        self.total_label.setObjectName("total_label")
        form.addRow(self.tr("Total"), self.total_label)
        self.coupon_input = QLineEdit(pay)
        self.coupon_input.setPlaceholderText(self.tr("Coupon code"))
        self.coupon_input.setObjectName("coupon_input")
        self.coupon_input.returnPressed.connect(lambda: self.vm.set_coupon(self.coupon_input.text()))
        disable_input_method(self.coupon_input)
        self.vm.coupon_changed.connect(lambda: self.coupon_input.setText(self.vm.coupon or ""))
        form.addRow(self.tr("Coupon"), self.coupon_input)
        prow = QHBoxLayout()
        self.points_input = QLineEdit(pay)
        self.points_input.setObjectName("points_input")
        self.points_input.setPlaceholderText(self.tr("Points to pay (F4)"))
        self.points_input.returnPressed.connect(lambda: self.vm.set_points(self.points_input.text() or "0"))
        disable_input_method(self.points_input)
        prow.addWidget(self.points_input)
        self.max_points_button = big_button(self.tr("Max"), pay)
        self.max_points_button.clicked.connect(self.vm.use_max_points)
        prow.addWidget(self.max_points_button)
        form.addRow(self.tr("Pay with points"), prow)
        self.points_hint = QLabel(pay)
        form.addRow("", self.points_hint)
        self.tender_box = QComboBox(pay)
        tenders = (("cash", self.tr("Cash")), ("card", self.tr("Bank card")), ("wechat", self.tr("WeChat Pay")),
                   ("alipay", self.tr("Alipay")))
        for kind, label in tenders:
            self.tender_box.addItem(label, kind)
        self.tender_box.currentIndexChanged.connect(lambda _i: self.vm.set_tender(self.tender_box.currentData()))
        self.due_label = QLabel(pay)
        self.due_label.setObjectName("due_label")
        # the amount due and the method it is paid in, on one row (the column keeps to 768 px high)
        drow = QHBoxLayout()
        drow.addWidget(self.due_label, 1)
        self.tender_box.setToolTip(self.tr("Payment method"))
        self.tender_box.setAccessibleName(self.tr("Payment method"))
        drow.addWidget(self.tender_box)
        form.addRow(self.tr("To pay"), drow)
        # what the customer hands over, in the method chosen above: cash gives change, several
        # payments make a split tender; none means the amount due paid exactly (F11)
        trow = QHBoxLayout()
        self.tendered_input = QLineEdit(pay)
        self.tendered_input.setObjectName("tendered_input")
        self.tendered_input.setPlaceholderText(self.tr("Amount handed over (F11)"))
        self.tendered_input.setMinimumWidth(96)  # "1000.00" readable beside its button at 1024 px
        self.tendered_input.returnPressed.connect(self._take_payment)
        disable_input_method(self.tendered_input)
        trow.addWidget(self.tendered_input)
        self.take_button = big_button(self.tr("Take"), pay)
        self.take_button.setObjectName("take_button")
        self.take_button.clicked.connect(self._take_payment)
        trow.addWidget(self.take_button)
        # "Clear" beside Take, shown only while payments are taken: "Clear payments" made the column
        # too wide for 1024 px in English, and a row of its own made the page too high
        self.clear_payments_button = big_button(self.tr("Clear"), pay)
        self.clear_payments_button.setObjectName("clear_payments_button")
        self.clear_payments_button.setToolTip(self.tr("Clear payments"))
        self.clear_payments_button.setAccessibleName(self.tr("Clear payments"))
        self.clear_payments_button.clicked.connect(self.vm.clear_payments)
        self.clear_payments_button.hide()
        trow.addWidget(self.clear_payments_button)
        form.addRow(self.tr("Tendered"), trow)
        self.payments_label = QLabel(pay)
        self.payments_label.setObjectName("payments_label")
        self.payments_label.setWordWrap(True)
        form.addRow("", self.payments_label)
        self.change_label = QLabel(pay)
        self.change_label.setObjectName("change_label")
        form.addRow(self.tr("Change"), self.change_label)
        self.earn_label = QLabel(pay)
        self.earn_label.setObjectName("earn_label")
        form.addRow(self.tr("Points to earn"), self.earn_label)
        self.breakdown = QTextEdit(pay)
        self.breakdown.setReadOnly(True)
        self.breakdown.setMaximumHeight(110)
        self.breakdown.setMinimumHeight(40)  # it scrolls; the whole page fits 1024x768
        form.addRow(self.breakdown)
        self.complete_button = big_button(self.tr("Complete sale (F12)"), pay, primary=True)
        self.complete_button.setObjectName("complete_button")
        self.complete_button.clicked.connect(self.vm.complete)
        form.addRow(self.complete_button)
        middle.addWidget(pay, 2)
        root.addLayout(middle, 1)

        self.last_sale_label = QLabel(self)
        self.last_sale_label.setObjectName("last_sale_label")
        root.addWidget(self.last_sale_label)
        self.notice = Notice(self)
        root.addWidget(self.notice)

        screen_keys(self, {"F2": self.member_input.setFocus, "F3": self.code_input.setFocus,
                           "F4": self.points_input.setFocus, "F11": self.tendered_input.setFocus,
                           "F12": self.vm.complete, "Ctrl+H": self._suspend, "Ctrl+U": self.open_suspended,
                           "Ctrl+D": self.open_discount, "Ctrl+O": self.vm.send_code,
                           # the payment method by keyboard: cash, bank card, WeChat Pay, Alipay, then the amount
                           **{f"Ctrl+{i + 1}": functools.partial(self._pay_with, i)
                              for i in range(self.tender_box.count())}})

    def showEvent(self, event: object) -> None:
        """Coming to checkout (after login, F1) puts the keys where the next step is: the
        member field for a new sale, the product field once a sale has begun; F12 and the
        other checkout keys act only while the focus is inside this screen."""
        super().showEvent(event)  # type: ignore[arg-type]
        if not self.isAncestorOf(QApplication.focusWidget() or self):
            (self.code_input if self.vm.member or self.vm.lines else self.member_input).setFocus()

    def _pay_with(self, index: int) -> None:
        """Ctrl+1..4: the payment method, and the cursor in the amount handed over (F11)."""
        self.tender_box.setCurrentIndex(index)
        self.tendered_input.setFocus()
        self.tendered_input.selectAll()

    # -- actions ------------------------------------------------------------------------------
    def _identify(self) -> None:
        if self.vm.identify(self.member_input.text()):
            self.member_input.clear()
            self.code_input.setFocus()

    def _add_code(self) -> None:
        if self.vm.add_code(self.code_input.text()):
            self.code_input.clear()

    def _add_amount(self) -> None:
        if self.vm.add_amount(self.amount_input.text()):
            self.amount_input.clear()

    def open_discount(self) -> None:
        """A discount on the selected line (Ctrl+D): "10%" or an amount in yuan; Enter applies."""
        row = self.basket.currentRow()
        if not 0 <= row < len(self.vm.lines):
            self.notice.error(self.tr("Choose a line of the basket first."))
            return
        if self.discount_dialog is not None:
            self.discount_dialog.deleteLater()
        ln = self.vm.lines[row]
        self.discount_dialog = DiscountDialog(self, ln.name or self.tr("Amount"), yuan(ln.gross_fen))
        self.discount_dialog.discount_given.connect(lambda text: self._apply_discount(row, text))
        self.discount_dialog.open()

    def _apply_discount(self, row: int, text: str) -> None:
        if self.vm.set_discount(row, text) and self.discount_dialog is not None:
            self.discount_dialog.accept()
            self.code_input.setFocus()
        elif self.discount_dialog is not None:
            self.discount_dialog.notice.error(self.notice.text())

    def _suspend(self) -> None:
        if self.vm.suspend():
            self.notice.info(self.tr("Sale suspended. Resume it from the list (Ctrl+U)."))
            self.member_input.setFocus()

    def open_suspended(self) -> None:
        """The suspended sales list (Ctrl+U): Enter resumes, Delete discards, Esc closes."""
        if self.suspended_dialog is not None:
            self.suspended_dialog.deleteLater()
        self.suspended_dialog = SuspendedDialog(self.vm, self)
        self.suspended_dialog.accepted.connect(self.code_input.setFocus)
        self.suspended_dialog.open()
        log.info("suspended sales shown: %d", len(self.vm.suspended_sales()))

    def _on_suspended_changed(self) -> None:
        n = len(self.vm.suspended_sales())
        self.resume_button.setText(self.tr("Resume (%1) Ctrl+U").replace("%1", str(n)))

    def _take_payment(self) -> None:
        if self.vm.add_payment(self.tender_box.currentData(), self.tendered_input.text()):
            self.tendered_input.clear()

    def _tender_name(self, kind: str) -> str:
        names = {"cash": self.tr("Cash"), "card": self.tr("Bank card"), "wechat": self.tr("WeChat Pay"),
                 "alipay": self.tr("Alipay")}
        return names.get(kind, kind)

    def _show_payments(self) -> None:
        vm = self.vm
        self.clear_payments_button.setVisible(bool(vm.payments))
        if not vm.payments:
            self.payments_label.setText("")
            self.change_label.setText("")
            return
        self.payments_label.setText("  ".join(f"{self._tender_name(k)} {yuan(f)}" for k, f in vm.payments))
        left = vm.remaining_fen()
        if left:
            self.change_label.setText(self.tr("%1 still to pay").replace("%1", yuan(left)))
        else:
            self.change_label.setText(yuan(vm.change_fen()))

    def _change_qty(self, delta: int) -> None:
        row = self.basket.currentRow()
        if 0 <= row < len(self.vm.lines):
            self.vm.set_qty(row, self.vm.lines[row].qty + delta)

    def _remove(self) -> None:
        self.vm.remove_line(self.basket.currentRow())

    # -- view-model signals --------------------------------------------------------------------
    def _presence_text(self) -> str:
        return {"card": self.tr("card scanned"), "member_qr": self.tr("member code scanned"),
                "otp": self.tr("one-time code verified")}.get(
            self.vm.presence or "", self.tr("number typed: earns points; spending needs the card, member code or "
                                            "a one-time code"))

    def _on_member_changed(self) -> None:
        pic = self.vm.member
        self.send_code_button.setEnabled(pic is not None and self.vm.presence not in ("card", "member_qr", "otp"))
        self.offline_label.setText(self.tr("Offline: using this till's copy") if pic and self.vm.member_offline else "")
        self.offline_label.setVisible(bool(pic and self.vm.member_offline))
        if pic is None:
            self.member_label.setText(self.tr("No member identified"))
            for w in (self.tier_label, self.balance_label, self.expiring_label):
                w.clear()
            self.tier_label.hide()  # its badge colour would show as an empty bar
            self.tier_progress.hide()
            return
        m = pic.member
        self.tier_label.show()
        self.member_label.setText(f"{m.name}  {mask_phone(m.phone)}  ·  {m.card_no}  ·  {self._presence_text()}")
        self.tier_label.setText(self.tier_names.get(m.tier, m.tier))
        text = self.tr("Balance: %1 points").replace("%1", f"{m.balance:,}")
        if m.debt:
            text += "  " + self.tr("(owes %1 points from a refund)").replace("%1", f"{m.debt:,}")
        self.balance_label.setText(text)
        reminder = pic.reminder  # the rule the receipt prints (core.lots.expiry_reminder)
        self.expiring_label.setText(
            self.tr("%1 points expire within %2 days (first on %3)").replace("%1", f"{reminder.points:,}")
            .replace("%2", str(reminder.within_days)).replace("%3", reminder.first_day.isoformat())
            if reminder else "")
        if pic.next_tier:
            tier_id, missing = pic.next_tier
            self.tier_progress.show()
            self.tier_progress.setRange(0, pic.qualifying_points + missing)
            self.tier_progress.setValue(pic.qualifying_points)
            self.tier_progress.setFormat(self.tr("%1 more points to %2").replace("%1", f"{missing:,}")
                                         .replace("%2", self.tier_names.get(tier_id, tier_id)))
        else:
            self.tier_progress.hide()

    def _on_basket_changed(self) -> None:
        self.basket.setRowCount(len(self.vm.lines))
        for r, ln in enumerate(self.vm.lines):
            name = ln.name or self.tr("Amount")
            if "new" in ln.flags:
                name += " " + self.tr("[new]")
            if ln.discount_fen:
                name += "  " + self.tr("(discount %1)").replace("%1", yuan(ln.discount_fen))
            for c, text in enumerate((name, str(ln.qty), yuan(ln.unit_price_fen), yuan(ln.net_fen))):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.basket.setItem(r, c, item)
        if self.vm.lines:
            self.basket.selectRow(len(self.vm.lines) - 1)

    def _on_preview_changed(self) -> None:
        q = self.vm.quote
        self.complete_button.setEnabled(bool(self.vm.lines))
        self._show_payments()
        if q is None:  # an empty basket: nothing to pay with points either
            for w in (self.total_label, self.due_label, self.earn_label, self.points_hint, self.points_input):
                w.setText("")
            self.breakdown.clear()
            return
        self.total_label.setText(yuan(q.total_fen) + (f"  −{yuan(q.coupon_fen)}" if q.coupon_fen else ""))
        self.due_label.setText(yuan(q.tender_fen))
        self.points_input.setText(str(q.points_paid) if q.points_paid else "")
        self.points_hint.setText(self.tr("Up to %1 points").replace("%1", f"{q.max_points:,}") if q.member else "")
        if q.earn is None:
            self.earn_label.setText(self.tr("Identify a member to earn points"))
            self.breakdown.clear()
            return
        self.earn_label.setText(f"{q.earn.total:,}")
        b = q.earn.breakdown()
        parts = [self.tr("Eligible amount: %1").replace("%1", yuan(sum(ln["eligible_fen"] for ln in b["lines"])))]
        program, lang = self.vm.terminal.program, self.vm.language
        mults = " × ".join(f"{program.rule_name(m['id'], lang)} {m['multiplier']}" for m in b["sale_multipliers"])
        parts.append(self.tr("Multipliers: %1").replace("%1", mults))
        parts.append(self.tr("Purchase points: %1").replace("%1", str(b["purchase_points"])))
        for bonus in b["bonuses"]:
            parts.append(self.tr("Bonus %1: +%2").replace("%1", program.rule_name(bonus["id"], lang))
                         .replace("%2", str(bonus["points"])))
        if "sale_cap" in b["flags"]:
            parts.append(self.tr("Capped at the most points one sale may earn"))
        if "daily_cap" in b["flags"]:
            parts.append(self.tr("Daily earning cap reached: %1 points not credited; the sale is flagged for review")
                         .replace("%1", str(b["daily_cap_cut"])))
        self.breakdown.setPlainText("\n".join(parts))

    def _on_code_sent(self, valid_s: int) -> None:
        """The code is on its way to the member's phone: the cashier types what they read out."""
        pic = self.vm.member
        if self.otp_dialog is not None:
            self.otp_dialog.deleteLater()
        self.otp_dialog = OtpDialog(self, self.tr("A one-time code was sent to %1's phone %2 (valid %3 minutes). "
                                                  "Type the code the member reads out.")
                                    .replace("%1", pic.member.name if pic else "")
                                    .replace("%2", mask_phone(pic.member.phone) if pic else "")
                                    .replace("%3", str(valid_s // 60)))
        self.otp_dialog.code_entered.connect(self.vm.verify_code)
        self.otp_dialog.open()
        self.notice.info(self.tr("One-time code sent."))

    def _on_code_verified(self) -> None:
        if self.otp_dialog is not None:
            self.otp_dialog.accept()
        self.notice.info(self.tr("Code verified: the member may pay with points."))
        self.points_input.setFocus()

    def _on_checked_in(self, points: int) -> None:
        """The member code scanned checked the member in (签到 +5) on the message line."""
        self.notice.info(self.tr("Check-in +%1").replace("%1", f"{points:,}"))

    def _on_error(self, text: str) -> None:
        log.info("checkout notice shown: %s", text)
        if self.otp_dialog is not None and self.otp_dialog.isVisible():
            self.otp_dialog.refuse(text)
        if self.approval is not None and self.approval.isVisible():
            self.approval.refuse(text)
        self.notice.error(text)

    def _on_approval_needed(self, text: str) -> None:
        """Points beyond the offline allowance: a manager's number and PIN, then the sale again."""
        if self.approval is not None:
            self.approval.deleteLater()
        self.approval = ApprovalDialog(self, self.tr("Manager approval"), text)
        self.approval.approval_given.connect(self._on_approval_given)
        self.approval.open()

    def _on_approval_given(self, code: str, pin: str) -> None:
        if self.vm.approve(code, pin) is not None and self.approval is not None:
            self.approval.accept()

    def reset_screen(self, after: str) -> None:
        """After a sale the fields are empty for the next customer (the sale's receipt line
        stays); after a logout nothing of the last cashier stays: the sale in progress, the
        last receipt line and any message go too."""
        if self.otp_dialog is not None and self.otp_dialog.isVisible():
            self.otp_dialog.reject()
        if after == "logout":
            if self.vm.lines:
                log.info("logout: a sale in progress (%d lines) was dropped", len(self.vm.lines))
            self.vm.reset()
            self.last_sale_label.clear()
            self.notice.clear()
        for w in (self.member_input, self.code_input, self.amount_input, self.coupon_input, self.points_input,
                  self.tendered_input):
            w.clear()
        self.tender_box.setCurrentIndex(0)
        self.member_input.setFocus()

    def _on_sale_completed(self, result: SaleResult) -> None:
        text = self.tr("Receipt %1: paid %2").replace("%1", result.receipt_no).replace("%2", yuan(result.tender_fen))
        if len(result.tenders) > 1:
            text += " (" + ", ".join(f"{self._tender_name(td.kind)} {yuan(td.amount_fen)}"
                                     for td in result.tenders) + ")"
        if result.change_fen:
            text += "  ·  " + self.tr("change %1").replace("%1", yuan(result.change_fen))
        if result.member is not None:
            text += "  ·  " + self.tr("%1 points credited, %2 redeemed, balance %3").replace(
                "%1", str(result.points_earned)).replace("%2", str(result.points_paid)).replace(
                "%3", f"{result.member.balance:,}")
        self.last_sale_label.setText(text)
        self.notice.info(self.tr("Sale complete. The receipt is queued for printing."))
        self.tender_box.setCurrentIndex(0)
        self.coupon_input.clear()
        self.member_input.setFocus()
