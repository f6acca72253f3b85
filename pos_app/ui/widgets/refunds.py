"""The refunds screen: receipt number (Enter), tick lines (Space), see the points and money, confirm (F12)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_app.core.members import mask_phone
from pos_app.services.sales import RefundResult
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
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from pos_app.ui.viewmodels.refunds import RefundsViewModel
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.widgets.common import Notice, big_button, screen_keys, yuan

if TYPE_CHECKING:
    from pos_app.ui.widgets.receipt_preview import ReceiptPreview

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class RefundsPage(QWidget):
    print_queued = Signal(int)  # a reprint was queued (print job id): the printer worker takes it

    def __init__(self, vm: RefundsViewModel, session: SessionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.vm = vm
        self._filling = False
        self._build()
        vm.sale_loaded.connect(self._on_sale_loaded)
        vm.preview_changed.connect(self._on_preview_changed)
        vm.refund_completed.connect(self._on_refund_completed)
        vm.error_raised.connect(self.notice.error)
        self._on_sale_loaded()
        self._on_preview_changed()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        row = QHBoxLayout()
        self.receipt_input = QLineEdit(self)
        self.receipt_input.setObjectName("receipt_input")
        self.receipt_input.setPlaceholderText(self.tr("Scan or type the receipt number, then Enter"))
        self.receipt_input.returnPressed.connect(self._load)
        row.addWidget(self.receipt_input, 1)
        self.find_button = big_button(self.tr("Find"), self)
        self.find_button.clicked.connect(self._load)
        row.addWidget(self.find_button)
        self.clear_button = big_button(self.tr("Clear (Esc)"), self)
        self.clear_button.clicked.connect(self._clear)
        row.addWidget(self.clear_button)
        root.addLayout(row)

        self.sale_label = QLabel(self)
        self.sale_label.setObjectName("refund_sale_label")
        self.sale_label.setWordWrap(True)
        root.addWidget(self.sale_label)

        middle = QHBoxLayout()
        left = QVBoxLayout()
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("refund_lines")
        self.table.setHorizontalHeaderLabels([self.tr("Refund / item"), self.tr("Qty"), self.tr("Amount"),
                                              self.tr("State")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemChanged.connect(self._on_item_changed)
        # Enter in the list moves to the confirm button: a second Enter refunds (after the preview)
        self.table.activated.connect(self._on_line_activated)
        left.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.all_button = big_button(self.tr("All lines"), self)
        self.all_button.clicked.connect(self.vm.select_all)
        self.none_button = big_button(self.tr("No lines"), self)
        self.none_button.clicked.connect(self.vm.select_none)
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.none_button)
        buttons.addStretch(1)
        # the sale's receipt: see it as printed, or print it again (marked REPRINT)
        self.preview_button = big_button(self.tr("Preview receipt"), self)
        self.preview_button.setObjectName("preview_receipt_button")
        self.preview_button.clicked.connect(self.preview_receipt)
        self.reprint_button = big_button(self.tr("Reprint"), self)
        self.reprint_button.setObjectName("reprint_button")
        self.reprint_button.clicked.connect(self.reprint_receipt)
        left.addLayout(buttons)
        receipt_buttons = QHBoxLayout()  # a row of their own: four buttons in one row were cut at 1024x768
        receipt_buttons.addStretch(1)
        receipt_buttons.addWidget(self.preview_button)
        receipt_buttons.addWidget(self.reprint_button)
        left.addLayout(receipt_buttons)
        middle.addLayout(left, 3)

        box = QGroupBox(self.tr("This refund"), self)
        form = QFormLayout(box)
        self.money_label = QLabel(box)
        self.money_label.setObjectName("refund_money_label")
        form.addRow(self.tr("Money back"), self.money_label)
        # where the money goes: the sale's own tenders (pro rata), or all of it to one kind
        self.refund_to_box = QComboBox(box)
        self.refund_to_box.setObjectName("refund_to_box")
        self.refund_to_box.setMinimumHeight(44)
        for kind, label in ((None, self.tr("Original payment")), ("cash", self.tr("Cash")),
                            ("card", self.tr("Bank card")), ("wechat", self.tr("WeChat Pay")),
                            ("alipay", self.tr("Alipay"))):
            self.refund_to_box.addItem(label, kind)
        self.refund_to_box.currentIndexChanged.connect(
            lambda _i: self.vm.set_refund_to(self.refund_to_box.currentData()))
        form.addRow(self.tr("Refund to"), self.refund_to_box)
        self.refund_tenders_label = QLabel(box)
        self.refund_tenders_label.setObjectName("refund_tenders_label")
        self.refund_tenders_label.setWordWrap(True)
        form.addRow("", self.refund_tenders_label)
        self.clawback_label = QLabel(box)
        self.clawback_label.setObjectName("clawback_label")
        form.addRow(self.tr("Points taken back"), self.clawback_label)
        self.returned_label = QLabel(box)
        self.returned_label.setObjectName("returned_label")
        form.addRow(self.tr("Points given back"), self.returned_label)
        self.balance_label = QLabel(box)
        self.balance_label.setObjectName("refund_balance_label")
        form.addRow(self.tr("Balance"), self.balance_label)
        self.coupon_label = QLabel(box)
        self.coupon_label.setObjectName("refund_coupon_label")
        form.addRow(self.tr("Coupon given back"), self.coupon_label)
        self.shortfall_label = Notice(box)  # an error line: the manager must see it
        form.addRow(self.shortfall_label)
        self.confirm_button = big_button(self.tr("Confirm refund (F12)"), box, primary=True)
        self.confirm_button.setAutoDefault(True)  # Enter on the focused button confirms
        self.confirm_button.clicked.connect(self.vm.confirm)
        form.addRow(self.confirm_button)
        middle.addWidget(box, 2)
        root.addLayout(middle, 1)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("refund_result_label")
        self.result_label.setWordWrap(True)
        root.addWidget(self.result_label)
        self.notice = Notice(self)
        root.addWidget(self.notice)

        screen_keys(self, {"F12": self.vm.confirm, "Esc": self._clear})

    # -- actions ------------------------------------------------------------------------------
    def take_scan(self, scan: ScanResult) -> bool:
        """A receipt scanned while this screen shows (``ScanRouter``): that sale, as if typed."""
        if scan.kind != "receipt":
            return False
        self.receipt_input.setText(scan.text)
        self._load()
        return True

    def _load(self) -> None:
        if self.vm.load(self.receipt_input.text()):
            self.notice.clear()
            self.result_label.clear()
            self.table.setFocus()
            open_rows = [i for i, ln in enumerate(self.vm.sale.lines) if not ln.refunded] if self.vm.sale else []
            if open_rows:
                self.table.setCurrentCell(open_rows[0], 0)

    def preview_receipt(self) -> ReceiptPreview | None:
        """Show the loaded sale's receipt as the printer prints it."""
        from pos_app.core.errors import PosError
        from pos_app.services.receipts import receipt_document
        from pos_app.ui.errors import message
        from pos_app.ui.widgets.receipt_preview import ReceiptPreview

        if self.vm.sale is None:
            self.notice.error(self.tr("Find a sale first."))
            return None
        try:
            doc = receipt_document(self.vm.terminal, self.vm.sale.receipt_no)
        except PosError as exc:
            self.notice.error(message(exc))
            return None
        dialog = ReceiptPreview(doc, self)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def reprint_receipt(self) -> None:
        """Queue the loaded sale's receipt again, marked REPRINT."""
        from pos_app.core.errors import PosError
        from pos_app.services.printing import reprint_receipt
        from pos_app.ui.errors import message

        if self.vm.sale is None:
            self.notice.error(self.tr("Find a sale first."))
            return
        try:
            job = reprint_receipt(self.vm.terminal, self.vm.sale.receipt_no, staff_code=self.session.staff_code)
        except PosError as exc:
            self.notice.error(message(exc))
            return
        self.print_queued.emit(job)
        self.notice.info(self.tr("Reprint queued as print job %1.").replace("%1", str(job)))

    def _clear(self) -> None:
        self.vm.clear()
        self.receipt_input.clear()
        self.result_label.clear()
        self.notice.clear()
        self.receipt_input.setFocus()

    def _on_line_activated(self, _index: object) -> None:
        self.confirm_button.setFocus()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        line_no = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(line_no, int):
            self.vm.set_line(line_no, item.checkState() == Qt.CheckState.Checked)

    def line_item(self, line_no: int) -> QTableWidgetItem | None:
        sale = self.vm.sale
        if sale is None:
            return None
        for r, ln in enumerate(sale.lines):
            if ln.line_no == line_no:
                return self.table.item(r, 0)
        return None

    # -- view-model signals --------------------------------------------------------------------
    def _on_sale_loaded(self) -> None:
        sale = self.vm.sale
        self._filling = True
        try:
            self.table.setRowCount(len(sale.lines) if sale else 0)
            if sale is None:
                self.sale_label.setText(self.tr("Enter a receipt number to see its sale."))
                return
            for r, ln in enumerate(sale.lines):
                name = ln.name or self.tr("Amount")
                first = QTableWidgetItem(f"{ln.line_no}. {name}")
                first.setData(Qt.ItemDataRole.UserRole, ln.line_no)
                state = self.tr("refunded (%1)").replace("%1", ln.refund_no) if ln.refund_no else ""
                if ln.refunded:
                    first.setFlags(Qt.ItemFlag.ItemIsSelectable)  # shown, greyed out, not tickable
                else:
                    first.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                                   | Qt.ItemFlag.ItemIsUserCheckable)
                    first.setCheckState(Qt.CheckState.Unchecked)
                self.table.setItem(r, 0, first)
                for c, text in ((1, str(ln.qty)), (2, yuan(ln.net_fen)), (3, state)):
                    item = QTableWidgetItem(text)
                    item.setFlags(first.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                    if c in (1, 2):
                        item.setTextAlignment(_RIGHT)
                    self.table.setItem(r, c, item)
        finally:
            self._filling = False
        parts = [self.tr("Receipt %1").replace("%1", sale.receipt_no),
                 sale.created_at.strftime("%Y-%m-%d %H:%M"),
                 self.tr("total %1").replace("%1", yuan(sale.total_fen))]
        if sale.points_paid:
            parts.append(self.tr("%1 points paid").replace("%1", f"{sale.points_paid:,}"))
        if sale.coupon_fen:
            parts.append(self.tr("coupon %1").replace("%1", yuan(sale.coupon_fen)))
        m = sale.member
        if m is not None:
            parts.append(self.tr("%1 points earned").replace("%1", f"{sale.points_earned:,}"))
            parts.append(f"{m.name} {mask_phone(m.phone)} {m.card_no}")
        else:
            parts.append(self.tr("no member"))
        if sale.fully_refunded:
            parts.append(self.tr("refunded entirely"))
        self.sale_label.setText("  ·  ".join(parts))

    def _on_preview_changed(self) -> None:
        sale, p = self.vm.sale, self.vm.preview
        if sale is not None:
            self._filling = True
            try:
                for r, ln in enumerate(sale.lines):
                    item = self.table.item(r, 0)
                    if item is not None and not ln.refunded:
                        item.setCheckState(Qt.CheckState.Checked if ln.line_no in self.vm.selected
                                           else Qt.CheckState.Unchecked)
            finally:
                self._filling = False
        can_choose = sale is not None and not sale.fully_refunded
        self.all_button.setEnabled(can_choose)
        self.none_button.setEnabled(can_choose)
        self.confirm_button.setEnabled(p is not None)
        if p is None:
            for w in (self.money_label, self.clawback_label, self.returned_label, self.balance_label,
                      self.coupon_label, self.shortfall_label, self.refund_tenders_label):
                w.clear()
            if self.vm.refund_to is None and self.refund_to_box.currentIndex() != 0:
                self.refund_to_box.blockSignals(True)
                self.refund_to_box.setCurrentIndex(0)
                self.refund_to_box.blockSignals(False)
            return
        self.money_label.setText(yuan(p.refund_fen))
        self.refund_tenders_label.setText(self._tenders_text(p.tenders))
        self.clawback_label.setText(f"{p.clawback:,}")
        self.returned_label.setText(f"{p.returned_points:,}")
        self.coupon_label.setText(p.coupon_returned or self.tr("none"))
        if p.balance_now is None or p.balance_after is None:
            self.balance_label.setText(self.tr("no member: no points change"))
        else:
            self.balance_label.setText(f"{p.balance_now:,} → {p.balance_after:,}")
        if p.shortfall and p.balance_after is not None:
            self.shortfall_label.error(
                self.tr("Shortfall: %1 points. The balance will be negative (%2); later earnings pay it off first.")
                .replace("%1", f"{p.shortfall:,}").replace("%2", f"{p.balance_after:,}"))
        else:
            self.shortfall_label.clear()

    def _tenders_text(self, tenders: tuple[tuple[str, int], ...]) -> str:
        names = {"cash": self.tr("Cash"), "card": self.tr("Bank card"), "wechat": self.tr("WeChat Pay"),
                 "alipay": self.tr("Alipay")}
        if not tenders:
            return ""
        return self.tr("Back to: %1").replace("%1", ", ".join(f"{names.get(k, k)} {yuan(f)}" for k, f in tenders))

    def _on_refund_completed(self, r: RefundResult) -> None:
        text = self.tr("Refund %1: %2 back, %3 points taken back, %4 points given back").replace(
            "%1", r.refund_no).replace("%2", yuan(r.refund_fen)).replace("%3", f"{r.clawback:,}").replace(
            "%4", f"{r.returned_points:,}")
        if r.member is not None:
            text += ", " + self.tr("balance %1").replace("%1", f"{r.member.balance:,}")
        if r.written_off:
            text += ". " + self.tr("%1 returned points had expired and were written off.").replace(
                "%1", f"{r.written_off:,}")
        if r.shortfall:
            text += ". " + self.tr("Shortfall: %1 points could not be taken back; the member owes %2 points.") \
                .replace("%1", f"{r.shortfall:,}").replace("%2", f"{r.member.debt if r.member else 0:,}")
        if r.coupon_returned:
            text += ". " + self.tr("Coupon %1 is the member's again.").replace("%1", r.coupon_returned)
        if r.tenders:
            text += ". " + self._tenders_text(r.tenders)
        self.result_label.setText(text)
        self.notice.info(self.tr("Refund done. Give back %1.").replace("%1", yuan(r.refund_fen)))
        self.receipt_input.setFocus()

    def reset_screen(self, after: str) -> None:
        """After a sale or a logout: no receipt, refund or message of the last customer."""
        self._clear()

    def showEvent(self, event: object) -> None:
        if self.vm.sale is None:
            self.receipt_input.setFocus()
