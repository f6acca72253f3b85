"""The cashier window: login, then the work area with its screens and the status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pos_app.core.money import format_fen
from pos_app.ui.qt import (
    QApplication,
    QDialog,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QObject,
    QShortcut,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.widgets.common import big_button
from pos_app.ui.widgets.login import LoginPage

log = logging.getLogger(__name__)


class WorkArea(QWidget):
    """A navigation list (F-keys) beside a stack of screens.

    The list and the side buttons never take the keyboard focus from a click: the keys stay
    with the screen that is showing (its fields, its F-keys; typed keys do not vanish into the
    list's type-ahead search). Tab still reaches the side buttons.

    Screens may have ``reset_screen(after)``: ``reset_pages`` calls it on every screen after a
    sale ("sale": nothing of the last customer stays) and after a logout ("logout": nothing of
    the last cashier stays either)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)  # the screens keep their room at 1024 px
        self.nav = QListWidget(self)
        self.nav.setObjectName("nav")
        self.stack = QStackedWidget(self)
        side = QWidget(self)
        col = QVBoxLayout(side)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.nav, 1)
        self.shift_button = big_button(self.tr("Close shift"), side)
        self.shift_button.setObjectName("shift_button")
        self.logout_button = big_button(self.tr("Log out"), side)
        self.logout_button.setObjectName("logout_button")
        col.addWidget(self.shift_button)
        col.addWidget(self.logout_button)
        # the shift by keyboard: Ctrl+F12 opens it or, open, starts the cash-up that closes it
        # (a function key: no text field takes it for itself)
        self.shift_button.setToolTip(self.tr("Ctrl+F12"))
        QShortcut(QKeySequence("Ctrl+F12"), self).activated.connect(self.shift_button.click)
        self.side = side
        self._fit_side()
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for button in (self.shift_button, self.logout_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.nav.currentRowChanged.connect(self._show_row)
        self.pages: dict[str, QWidget] = {}

    def add_page(self, key: str, title: str, page: QWidget, shortcut: str | None = None) -> None:
        self.pages[key] = page
        self.stack.addWidget(page)
        self.nav.addItem(f"{title}  ({shortcut})" if shortcut else title)
        self._fit_side()
        if shortcut:
            index = self.stack.count() - 1
            QShortcut(QKeySequence(shortcut), self).activated.connect(lambda: self.nav.setCurrentRow(index))

    def _fit_side(self) -> None:
        """The side column as wide as its longest entry or button, no wider: a fixed 200 px left
        the English checkout too little of 1024 px (its buttons' labels were cut)."""
        items = self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 12
        buttons = max(b.minimumSizeHint().width() for b in (self.shift_button, self.logout_button))
        self.nav.setFixedWidth(max(140, items, buttons))
        self.side.setFixedWidth(self.nav.width())

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(list(self.pages).index(key))

    def _show_row(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        if 0 <= row < len(self.pages):
            log.info("screen shown: %s", list(self.pages)[row])
        self.settle_focus()

    def settle_focus(self) -> None:
        """The keys go to the screen that is showing: when the focus is outside it (the side
        buttons, nowhere) and the screen did not place it when shown, its first field takes it."""
        page = self.stack.currentWidget()
        if page is None or not self.isVisible():
            return
        focused = QApplication.focusWidget()
        if focused is not None and page.isAncestorOf(focused):
            return
        w = page.nextInFocusChain()
        while w is not None and w is not page:
            if (page.isAncestorOf(w) and w.isVisibleTo(page) and w.isEnabled()
                    and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None):
                w.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            w = w.nextInFocusChain()

    def reset_pages(self, after: str) -> None:
        """Every screen as the next customer ("sale") or the next cashier ("logout") should find it."""
        for page in self.pages.values():
            reset = getattr(page, "reset_screen", None)
            if callable(reset):
                reset(after)


class MainWindow(QMainWindow):
    def __init__(self, session: SessionViewModel, title: str, status_text: Callable[[], str]) -> None:
        super().__init__()
        self.session = session
        self.setWindowTitle(title)
        self.setMinimumSize(1024, 720)
        self.stack = QStackedWidget(self)
        self.login = LoginPage(session, title, self)
        self.work = WorkArea(self)
        self.stack.addWidget(self.login)
        self.stack.addWidget(self.work)
        self.setCentralWidget(self.stack)
        # the status wraps onto a second line rather than widen the window past a 1024x768 screen
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status_label")
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.status_label.installEventFilter(self)
        self.statusBar().addPermanentWidget(self.status_label, 1)
        self._status_text = status_text
        self.cash_up_dialog: QDialog | None = None  # the cash-up before a shift closes
        session.logged_in.connect(self._on_logged_in)
        session.logged_out.connect(self._on_logged_out)
        session.shift_changed.connect(self.refresh_status)
        session.shift_closed.connect(self._on_shift_closed)
        self.work.logout_button.clicked.connect(session.logout)
        self.work.shift_button.clicked.connect(self._toggle_shift)
        self.refresh_status()

    def refresh_status(self) -> None:
        self.status_label.setText(self._status_text())
        self._fit_status()
        self.work.shift_button.setText(self.tr("Close shift") if self.session.shift else self.tr("Open shift"))

    def _fit_status(self) -> None:
        """The status label as high as its wrapped text needs at the window's width (its width
        is ignored by the layout, so a long status never widens the window)."""
        label = self.status_label
        width = label.width() if label.width() > 100 else self.width() - 30
        label.setFixedHeight(max(label.fontMetrics().lineSpacing(), label.heightForWidth(width)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.status_label and event.type() == QEvent.Type.Resize:
            self._fit_status()  # the window's width changed: the text wraps anew
        return super().eventFilter(watched, event)

    def _on_logged_in(self, _staff: object) -> None:
        if self.session.shift is None:
            self.session.open_shift()
        self.stack.setCurrentWidget(self.work)
        self.work.show_page("checkout")
        self.refresh_status()

    def _on_logged_out(self) -> None:
        self.stack.setCurrentWidget(self.login)
        self.refresh_status()

    def _toggle_shift(self) -> None:
        if self.session.shift is None:
            self.session.open_shift()
        else:
            self.open_cash_up()

    def open_cash_up(self) -> None:
        """Closing a shift counts the drawer first (``CashUpDialog``); Esc keeps the shift open."""
        from pos_app.ui.widgets.cashup import CashUpDialog

        figures = self.session.cash_up()
        if figures is None:
            return
        names = {"cash": self.tr("Cash"), "card": self.tr("Bank card"), "wechat": self.tr("WeChat Pay"),
                 "alipay": self.tr("Alipay")}
        if self.cash_up_dialog is not None:
            self.cash_up_dialog.deleteLater()
        dialog = CashUpDialog(self, figures, names)
        dialog.close_requested.connect(lambda fen: self._close_counted(dialog, fen))
        self.cash_up_dialog = dialog
        dialog.open()
        log.info("cash-up shown for shift %s", figures["shift_no"])

    def _close_counted(self, dialog: object, counted_fen: int) -> None:
        from pos_app.ui.widgets.cashup import CashUpDialog

        assert isinstance(dialog, CashUpDialog)
        errors: list[str] = []
        self.session.error_raised.connect(errors.append)
        try:
            report = self.session.close_shift(counted_fen)
        finally:
            self.session.error_raised.disconnect(errors.append)
        if report is None:
            dialog.refuse(errors[0] if errors else self.tr("The shift could not be closed."))
            return
        dialog.accept()

    def _on_shift_closed(self, report: dict[str, object]) -> None:
        text = self.tr(
            "Shift %1 closed.\nSales: %2 (with members: %3), takings %4 yuan\n"
            "Points issued: %5, redeemed: %6\nGifts handed out: %7, refunds: %8"
        )
        for i, key in enumerate(("shift_no", "sales", "member_sales", "takings_fen", "points_issued",
                                 "points_redeemed", "gifts_total", "refunds"), start=1):
            value = report[key]
            text = text.replace(f"%{i}", format_fen(int(value)) if key == "takings_fen" else str(value))  # type: ignore[call-overload]
        counted, diff = report.get("counted_cash_fen"), report.get("cash_difference_fen")
        if isinstance(counted, int) and isinstance(diff, int):
            expected = report.get("expected")
            cash = int(expected.get("cash", 0)) if isinstance(expected, dict) else 0
            text += "\n" + self.tr("Cash expected %1 yuan, counted %2 yuan").replace("%1", format_fen(cash)).replace(
                "%2", format_fen(counted))
            text += "\n" + (self.tr("Over by %1 yuan").replace("%1", format_fen(diff)) if diff > 0 else
                            self.tr("Short by %1 yuan").replace("%1", format_fen(-diff)) if diff < 0 else
                            self.tr("No difference"))
        self.last_shift_report = text
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Shift report"), text, parent=self)
        box.setObjectName("shift_report")
        box.open()
