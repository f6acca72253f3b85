"""The reports screen (store manager): points per day as a chart, liability, expiring points,
top gifts, member segments, and the expiry run (dry run first, then confirm)."""

from __future__ import annotations

from pos_app.services.expiry import ExpiryReport
from pos_app.ui.qt import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QSize,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from pos_app.ui.viewmodels.reports import DAYS, ReportData, ReportsViewModel
from pos_app.ui.widgets.chart import BarChart
from pos_app.ui.widgets.common import TOUCH_HEIGHT, Notice, big_button, screen_keys, yuan


def _table(parent: QWidget, headers: list[str], stretch: int = 0) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    for c in range(len(headers)):
        table.horizontalHeader().setSectionResizeMode(
            c, QHeaderView.ResizeMode.Stretch if c == stretch else QHeaderView.ResizeMode.ResizeToContents)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setFrameShape(QFrame.Shape.NoFrame)
    table.setWordWrap(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeRowsToContents()  # long gift names wrap onto a second line


class ReportsPage(QWidget):
    def __init__(self, vm: ReportsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.expiry_confirm: QMessageBox | None = None
        self._build()
        self.vm.busy_changed.connect(self._on_busy_changed)
        self.vm.build_progressed.connect(self._on_progressed)
        self.vm.expiry_progressed.connect(self._on_progressed)
        self.vm.report_built.connect(self._on_report_built)
        self.vm.expiry_previewed.connect(self._on_expiry_previewed)
        self.vm.expiry_finished.connect(self._on_expiry_finished)
        self.vm.access_changed.connect(self._on_access_changed)
        self.vm.error_raised.connect(self.notice.error)
        self._on_access_changed()
        self._on_busy_changed(False)

    # -- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.refresh_button = big_button(self.tr("Refresh (Ctrl+R)"), self)
        self.refresh_button.setObjectName("refresh_button")
        self.refresh_button.clicked.connect(self._refresh)
        bar.addWidget(self.refresh_button)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("reports_status")
        bar.addWidget(self.status_label, 1)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("reports_progress")
        self.progress.setMaximumWidth(220)
        bar.addWidget(self.progress)
        self.expiry_button = big_button(self.tr("Expiry run…"), self)
        self.expiry_button.setObjectName("expiry_button")
        self.expiry_button.setToolTip(self.tr("Write off the points that expired before today (managers only)"))
        self.expiry_button.clicked.connect(self.vm.preview_expiry)
        bar.addWidget(self.expiry_button)
        root.addLayout(bar)

        self.stack = QStackedWidget(self)
        self.locked_label = QLabel(self.tr("Reports and the expiry run are for the store manager.\n"
                                           "Log in with a manager's staff number to see them."), self.stack)
        self.locked_label.setObjectName("reports_locked")
        self.locked_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.locked_label)
        self.content = QWidget(self.stack)
        self.stack.addWidget(self.content)
        root.addWidget(self.stack, 1)
        col = QVBoxLayout(self.content)
        col.setContentsMargins(0, 0, 0, 0)

        chart_box = QGroupBox(self.tr("Points issued and redeemed per day, last %1 days").replace("%1", str(DAYS)),
                              self.content)
        chart_col = QVBoxLayout(chart_box)
        self.chart = BarChart(chart_box)
        self.chart.setObjectName("points_chart")
        self.chart.setAccessibleName(chart_box.title())
        chart_col.addWidget(self.chart, 1)
        self.totals_label = QLabel(chart_box)
        self.totals_label.setObjectName("totals_label")
        chart_col.addWidget(self.totals_label)
        col.addWidget(chart_box, 1)

        below = QHBoxLayout()
        liab = QGroupBox(self.tr("Points liability"), self.content)
        form = QFormLayout(liab)
        self.outstanding_label = QLabel(liab)
        self.value_label = QLabel(liab)
        self.with_points_label = QLabel(liab)
        self.debt_label = QLabel(liab)
        self.expiring_label = QLabel(liab)
        for name, label, w in (
            ("outstanding_label", self.tr("Points outstanding"), self.outstanding_label),
            ("value_label", self.tr("Value as payment"), self.value_label),
            ("with_points_label", self.tr("Members with points"), self.with_points_label),
            ("debt_label", self.tr("Owed by members"), self.debt_label),
            ("expiring_label", self.tr("Expiring within 30 days"), self.expiring_label),
        ):
            w.setObjectName(name)
            w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            form.addRow(label, w)
        below.addWidget(liab, 0)
        gifts = QGroupBox(self.tr("Top gifts, last %1 days").replace("%1", str(DAYS)), self.content)
        self.gifts_table = _table(gifts, [self.tr("Gift"), self.tr("Times"), self.tr("Points")])
        self.gifts_table.setObjectName("gifts_table")
        QVBoxLayout(gifts).addWidget(self.gifts_table)
        below.addWidget(gifts, 4)
        segs = QGroupBox(self.tr("Member segments"), self.content)
        self.segments_table = _table(segs, [self.tr("Segment"), self.tr("Members")], stretch=1)
        self.segments_table.setObjectName("segments_table")
        QVBoxLayout(segs).addWidget(self.segments_table)
        below.addWidget(segs, 3)
        col.addLayout(below)

        self.notice = Notice(self)
        root.addWidget(self.notice)
        screen_keys(self, {"Ctrl+R": self._refresh})

    # -- actions ------------------------------------------------------------------------------------
    def showEvent(self, event: object) -> None:
        if self.vm.allowed and not self.vm.busy:  # fresh numbers each time the screen is opened
            self._refresh()

    def _refresh(self) -> None:
        self.notice.clear()
        self.vm.refresh()

    def reset_screen(self, after: str) -> None:
        """Old messages go after a sale and a logout (the figures follow the access and are
        built again each time the screen shows)."""
        self.notice.clear()

    # -- view-model signals -------------------------------------------------------------------------
    def _on_access_changed(self) -> None:
        allowed = self.vm.allowed
        self.stack.setCurrentWidget(self.content if allowed else self.locked_label)
        self.refresh_button.setVisible(allowed)
        self.expiry_button.setVisible(allowed)
        if not allowed:
            self._clear()
            if self.expiry_confirm is not None:
                self.expiry_confirm.reject()

    def _on_busy_changed(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.expiry_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)  # indeterminate until the first progress report
            self.status_label.setText(self.tr("Working… the counter stays usable."))

    def _on_progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _clear(self) -> None:
        self.chart.set_data([], [])
        self.totals_label.clear()
        for w in (self.outstanding_label, self.value_label, self.with_points_label, self.debt_label,
                  self.expiring_label, self.status_label):
            w.clear()
        self.gifts_table.setRowCount(0)
        self.segments_table.setRowCount(0)

    def _on_report_built(self, data: ReportData) -> None:
        self.status_label.setText(self.tr("As of %1").replace("%1", data.built_at.strftime("%Y-%m-%d %H:%M")))
        self.chart.set_data(
            [f"{d.day.month}/{d.day.day}" for d in data.days],
            [(self.tr("Issued"), [d.issued for d in data.days]),
             (self.tr("Redeemed"), [d.redeemed for d in data.days])],
            axis_title=self.tr("Points"),
            empty_text=self.tr("No points were issued or redeemed in these days."))
        self.totals_label.setText(self.tr("%1 days: %2 points issued, %3 redeemed").replace("%1", str(DAYS))
                                  .replace("%2", f"{data.issued_total:,}").replace("%3", f"{data.redeemed_total:,}"))
        self.outstanding_label.setText(f"{data.points_outstanding:,}")
        self.value_label.setText(yuan(data.value_fen))
        self.with_points_label.setText(self.tr("%1 of %2").replace("%1", f"{data.members_with_points:,}")
                                       .replace("%2", f"{data.members:,}"))
        self.debt_label.setText(self.tr("%1 points").replace("%1", f"{data.debt:,}"))
        self.expiring_label.setText(self.tr("%1 points").replace("%1", f"{data.expiring_30_days:,}"))
        _fill(self.gifts_table, [(g.name, f"{g.redemptions:,}", f"{g.points:,}") for g in data.top_gifts])
        _fill(self.segments_table, [(s.name, f"{s.members:,}") for s in data.segments])

    def _on_expiry_previewed(self, report: ExpiryReport) -> None:
        day = report.as_of.isoformat()
        if not report.points:
            self.status_label.clear()
            self.notice.info(self.tr("Nothing to expire: no points lapsed before %1.").replace("%1", day))
            return
        self.status_label.setText(self.tr("Dry run done: waiting for confirmation."))
        text = self.tr("%1 points of %2 members (%3 lots) expired before %4.\n\nWrite them off now? "
                       "This adds an expiry entry to each member's points history and cannot be undone.")
        for i, v in enumerate((f"{report.points:,}", f"{report.members:,}", f"{report.lots:,}", day), start=1):
            text = text.replace(f"%{i}", v)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Expiry run"), text, parent=self)
        box.setObjectName("expiry_confirm")
        self.expiry_confirm_button = box.addButton(self.tr("Expire the points"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        for b in (self.expiry_confirm_button, cancel):
            b.setMinimumSize(QSize(120, TOUCH_HEIGHT))
        box.setDefaultButton(self.expiry_confirm_button)  # Enter confirms
        box.setEscapeButton(cancel)  # Esc cancels
        box.buttonClicked.connect(self._on_expiry_answered)
        box.finished.connect(lambda _r: setattr(self, "expiry_confirm", None))
        self.expiry_confirm = box
        box.open()

    def _on_expiry_answered(self, button: object) -> None:
        if button is self.expiry_confirm_button:
            self.vm.confirm_expiry()
            return
        self.vm.cancel_expiry()
        self.status_label.clear()
        self.notice.info(self.tr("Expiry run cancelled: nothing was written."))

    def _on_expiry_finished(self, report: ExpiryReport) -> None:
        self.notice.info(self.tr("Expired %1 points of %2 members.").replace("%1", f"{report.points:,}")
                         .replace("%2", f"{report.members:,}"))
