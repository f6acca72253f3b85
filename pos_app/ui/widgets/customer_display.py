"""The customer display (客显): a second window facing the customer, laid out from its view-model.

Large type sized from the window's height (readable at a metre on 800x600, 1024x768 and
1920x1080 customer screens). Where it opens: ``display.mode`` auto = full screen on the second
screen when the computer has one, else nowhere; off; window = a normal window on the main
screen (demos and tests).
"""

from __future__ import annotations

from typing import Any

from pos_app.ui.qt import (
    QAbstractItemView,
    QApplication,
    QColor,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QImage,
    QLabel,
    QPainter,
    QPixmap,
    QProgressBar,
    QScreen,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from pos_app.ui.viewmodels.customer_display import DONE, IDLE, CustomerDisplayViewModel

WINDOW_SIZE = (1024, 768)  # display.mode = window
QR_QUIET = 4  # modules of white around the code (the QR standard's quiet zone)


def qr_image(data: str, size: int) -> QImage:
    """``data`` as a QR code drawn into a square gray image of about ``size`` pixels (whole pixels
    per module, quiet zone included), black on white."""
    import qrcode

    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix) + 2 * QR_QUIET
    dot = max(1, size // modules)
    side = modules * dot
    image = QImage(side, side, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    black = QColor("black")
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect((x + QR_QUIET) * dot, (y + QR_QUIET) * dot, dot, dot, black)
    painter.end()
    return image


def screens() -> list[Any]:
    """The computer's screens, the main one first (a function, so tests can give two)."""
    return list(QApplication.screens())


class CustomerDisplayWindow(QWidget):
    """The customer's window: idle (QR code, promotions), sale (basket, total, points) or done."""

    def __init__(self, vm: CustomerDisplayViewModel) -> None:
        super().__init__(None)
        self.vm = vm
        self.placed_on: Any = None  # the screen it was put on full screen (None: a window or not shown)
        self.mode = "off"  # display.mode as last placed
        self.setObjectName("customer_display")
        self.setWindowTitle(self.tr("Customer display"))
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # closing the till's window quits
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.header = QLabel(self)
        self.header.setObjectName("cd_header")
        self.header.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.header)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self._build_idle()
        self._build_sale()
        self._build_done()
        self.banner = QFrame(self)
        self.banner.setObjectName("cd_banner")
        banner_box = QVBoxLayout(self.banner)
        self.message_label = QLabel(self.banner)
        self.message_label.setObjectName("cd_message")
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_bar = QProgressBar(self.banner)
        self.message_bar.setRange(0, 1000)
        self.message_bar.setTextVisible(False)
        banner_box.addWidget(self.message_label)
        banner_box.addWidget(self.message_bar)
        outer.addWidget(self.banner)
        self.banner.hide()
        self._unit = 0
        self._qr_key: tuple[str, int] | None = None
        vm.changed.connect(self._on_changed)
        vm.message_changed.connect(self._on_message_changed)
        self.resize(*WINDOW_SIZE)
        self._apply_scale()
        self._on_changed()

    # -- pages -------------------------------------------------------------------------------------
    def _label(self, parent: QWidget, name: str, *, wrap: bool = False) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setWordWrap(wrap)
        return label

    def _build_idle(self) -> None:
        page = QWidget(self.stack)
        box = QHBoxLayout(page)
        left = QVBoxLayout()
        self.qr_label = self._label(page, "cd_qr")
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_caption = self._label(page, "cd_qr_caption", wrap=True)
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_caption.setText(self.tr("Scan to join and earn points today"))
        left.addStretch(1)
        left.addWidget(self.qr_label)
        left.addWidget(self.qr_caption)
        left.addStretch(1)
        right = QVBoxLayout()
        self.promo_title = self._label(page, "cd_promo_title")
        self.promo_title.setText(self.tr("Member offers"))
        self.promo_list = self._label(page, "cd_promotions", wrap=True)
        self.promo_list.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        right.addStretch(1)
        right.addWidget(self.promo_title)
        right.addWidget(self.promo_list)
        right.addStretch(2)
        box.addLayout(left, 2)
        box.addLayout(right, 3)
        self.idle_page = page
        self.stack.addWidget(page)

    def _build_sale(self) -> None:
        page = QWidget(self.stack)
        box = QHBoxLayout(page)
        self.basket = QTableWidget(0, 3, page)
        self.basket.setObjectName("cd_basket")
        self.basket.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Qty"), self.tr("Amount")])
        self.basket.verticalHeader().hide()
        self.basket.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.basket.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.basket.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.basket.setShowGrid(False)
        header = self.basket.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        box.addWidget(self.basket, 3)
        side = QVBoxLayout()
        self.member_label = self._label(page, "cd_member", wrap=True)
        self.total_caption = self._label(page, "cd_caption")
        self.total_caption.setText(self.tr("Total"))
        self.total_label = self._label(page, "cd_total")
        self.due_label = self._label(page, "cd_due", wrap=True)
        self.earn_caption = self._label(page, "cd_caption")
        self.earn_caption.setText(self.tr("Points this sale"))
        self.earn_label = self._label(page, "cd_earn")
        self.reason_label = self._label(page, "cd_reason", wrap=True)
        self.balance_label = self._label(page, "cd_balance", wrap=True)
        self.tier_label = self._label(page, "cd_goal", wrap=True)
        self.tier_bar = QProgressBar(page)
        self.tier_bar.setTextVisible(False)
        self.gift_label = self._label(page, "cd_goal", wrap=True)
        self.gift_bar = QProgressBar(page)
        self.gift_bar.setTextVisible(False)
        for w in (self.member_label, self.total_caption, self.total_label, self.due_label, self.earn_caption,
                  self.earn_label, self.reason_label, self.balance_label, self.tier_label, self.tier_bar,
                  self.gift_label, self.gift_bar):
            side.addWidget(w)
        side.addStretch(1)
        box.addLayout(side, 2)
        self.sale_page = page
        self.stack.addWidget(page)

    def _build_done(self) -> None:
        page = QWidget(self.stack)
        box = QVBoxLayout(page)
        self.done_title = self._label(page, "cd_done_title")
        self.done_total = self._label(page, "cd_total")
        self.done_text = self._label(page, "cd_done_text", wrap=True)
        box.addStretch(1)
        for w in (self.done_title, self.done_total, self.done_text):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(w)
        box.addStretch(1)
        self.done_page = page
        self.stack.addWidget(page)

    # -- size ------------------------------------------------------------------------------------------
    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._apply_scale()

    def _apply_scale(self) -> None:
        """Type from the window's height (one unit: 1/28 of it, at least 16 px): the same layout
        on 800x600, 1024x768 and 1920x1080."""
        unit = max(16, self.height() // 28)
        if unit == self._unit:
            return
        self._unit = unit
        u = unit
        self.setStyleSheet(
            f"""
            QWidget#customer_display {{ background: #fffaf3; }}
            QWidget {{ font-size: {u}px; color: #222222; }}
            QLabel#cd_header {{ font-size: {u}px; color: white; background: #c62828; padding: {u // 3}px; }}
            QLabel#cd_caption {{ font-size: {u * 3 // 4}px; color: #666666; }}
            QLabel#cd_total {{ font-size: {u * 2}px; font-weight: bold; }}
            QLabel#cd_due {{ font-size: {u}px; }}
            QLabel#cd_earn {{ font-size: {u * 2}px; font-weight: bold; color: #b35c00; }}
            QLabel#cd_reason {{ font-size: {u * 3 // 4}px; color: #b35c00; }}
            QLabel#cd_member {{ font-size: {u}px; font-weight: bold; }}
            QLabel#cd_goal {{ font-size: {u * 4 // 5}px; }}
            QLabel#cd_promo_title {{ font-size: {u * 3 // 2}px; font-weight: bold; color: #c62828; }}
            QLabel#cd_promotions {{ font-size: {u}px; }}
            QLabel#cd_qr_caption {{ font-size: {u * 4 // 5}px; }}
            QLabel#cd_done_title {{ font-size: {u * 5 // 2}px; font-weight: bold; color: #c62828; }}
            QLabel#cd_done_text {{ font-size: {u * 5 // 4}px; color: #b35c00; }}
            QFrame#cd_banner {{ background: #fff3c4; border-top: 3px solid #b35c00; }}
            QLabel#cd_message {{ font-size: {u * 5 // 4}px; font-weight: bold; }}
            QTableWidget#cd_basket {{ font-size: {u}px; background: white; }}
            QProgressBar {{ max-height: {u // 2}px; border: 1px solid #cccccc; background: white; }}
            QProgressBar::chunk {{ background: #b35c00; }}
            """)
        self.basket.verticalHeader().setDefaultSectionSize(u * 3 // 2)
        self._show_qr()

    # -- content ---------------------------------------------------------------------------------------
    def _show_qr(self) -> None:
        url = self.vm.enrol_url
        side = max(120, min(self.width() * 2 // 5, self.height() * 3 // 5))
        if (url, side) == self._qr_key:
            return
        self._qr_key = (url, side)
        if url:
            self.qr_label.setPixmap(QPixmap.fromImage(qr_image(url, side)))
        else:
            self.qr_label.clear()
        self.qr_label.setVisible(bool(url))
        self.qr_caption.setVisible(bool(url))

    def _on_changed(self) -> None:
        vm = self.vm
        self.header.setText(self.tr("Welcome") if vm.state == IDLE else self.tr("Your purchase"))
        if vm.state == IDLE:
            self._show_qr()
            self.promo_list.setText("\n".join(f"• {p}" for p in vm.promotions))
            self.promo_title.setVisible(bool(vm.promotions))
            self.stack.setCurrentWidget(self.idle_page)
        elif vm.state == DONE:
            self.header.setText(self.tr("Thank you"))
            self.done_title.setText(vm.done_title)
            self.done_total.setText(vm.total_text)
            self.done_text.setText(vm.done_text)
            self.stack.setCurrentWidget(self.done_page)
        else:
            self._show_sale()
            self.stack.setCurrentWidget(self.sale_page)

    def _show_sale(self) -> None:
        vm = self.vm
        self.basket.setRowCount(len(vm.lines))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, ln in enumerate(vm.lines):
            name = ln.name + ("  " + self.tr("[new]") if ln.new else "")
            for c, text in enumerate((name, f"×{ln.qty}", ln.amount_text)):
                item = self.basket.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    if c:
                        item.setTextAlignment(right)
                    self.basket.setItem(r, c, item)
                item.setText(text)
        if vm.lines:
            self.basket.scrollToBottom()
        self.member_label.setText(vm.member_text)
        self.member_label.setVisible(bool(vm.member_text))
        self.total_label.setText(vm.total_text or "¥0.00")
        self.due_label.setText(self.tr("To pay: %1").replace("%1", vm.due_text) if vm.due_text else "")
        self.due_label.setVisible(bool(vm.due_text))
        has_points = vm.earn_points is not None
        self.earn_caption.setVisible(has_points)
        self.earn_label.setVisible(has_points)
        self.earn_label.setText(f"+{vm.earn_points:,}" if has_points else "")
        self.reason_label.setText(vm.earn_reason)
        self.balance_label.setText(self.tr("Balance after this sale: %1 points").replace("%1", f"{vm.balance_after:,}")
                                   if vm.balance_after is not None else "")
        self.balance_label.setVisible(vm.balance_after is not None)
        self.tier_label.setText(vm.tier_text)
        self.tier_label.setVisible(bool(vm.tier_text))
        self.tier_bar.setVisible(vm.tier_progress is not None)
        if vm.tier_progress is not None:
            self.tier_bar.setRange(0, max(1, vm.tier_progress[1]))
            self.tier_bar.setValue(vm.tier_progress[0])
        self.gift_label.setText(vm.gift_text)
        self.gift_label.setVisible(vm.gift is not None)
        self.gift_bar.setVisible(vm.gift is not None)
        if vm.gift is not None:
            self.gift_bar.setRange(0, vm.gift.points)
            self.gift_bar.setValue(vm.gift.points - vm.gift.missing)

    def _on_message_changed(self) -> None:
        vm = self.vm
        self.message_label.setText(vm.message)
        self.message_bar.setVisible(vm.message_progress is not None)
        if vm.message_progress is not None:
            self.message_bar.setValue(round(vm.message_progress * 1000))
        self.banner.setVisible(bool(vm.message))

    # -- where it opens ----------------------------------------------------------------------------------
    def place(self, mode: str) -> bool:
        """Open (or close) as ``display.mode`` says; whether the display is showing."""
        self.mode = mode
        self.placed_on = None
        if mode == "window":
            self.showNormal()
            self.resize(*WINDOW_SIZE)
            return True
        available = screens() if mode == "auto" else []
        if len(available) < 2:
            self.hide()
            return False
        screen = available[1]
        self.placed_on = screen
        if isinstance(screen, QScreen):
            self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.showFullScreen()
        return True

    def follow_screens(self) -> None:
        """A screen was plugged in or out: in auto mode the display goes to the second screen, or
        away, once Qt has settled its list of screens."""
        if self.mode == "auto":
            QTimer.singleShot(0, self, lambda: self.place("auto"))
