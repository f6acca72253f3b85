"""The reports screen (store manager): points per day as a chart, liability, expiring points,
top gifts, member segments (exportable as member lists), the expiry run (dry run first, then
confirm), and the store report over any range of days per cashier, day or store, exported to
CSV or Excel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pos_app.services.expiry import ExpiryReport
from pos_app.services.store_reports import SegmentExport, StoreReport
from pos_app.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QSize,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
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


def _ask_save_path(parent: QWidget, title: str, default: str, filters: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, default, filters)
    return path


class ReportsPage(QWidget):
    def __init__(self, vm: ReportsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.expiry_confirm: QMessageBox | None = None
        #: asks where to save an export (a file dialog; tests put their own answer)
        self.ask_save_path: Callable[[QWidget, str, str, str], str] = _ask_save_path
        self._build()
        self.vm.busy_changed.connect(self._on_busy_changed)
        self.vm.build_progressed.connect(self._on_progressed)
        self.vm.expiry_progressed.connect(self._on_progressed)
        self.vm.report_built.connect(self._on_report_built)
        self.vm.expiry_previewed.connect(self._on_expiry_previewed)
        self.vm.expiry_finished.connect(self._on_expiry_finished)
        self.vm.access_changed.connect(self._on_access_changed)
        self.vm.error_raised.connect(self.notice.error)
        self.vm.store_report_built.connect(self._on_store_report_built)
        self.vm.exported.connect(self._on_exported)
        self.vm.segment_exported.connect(self._on_segment_exported)
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
        self.tabs = QTabWidget(self.stack)
        self.tabs.setObjectName("reports_tabs")
        self.stack.addWidget(self.tabs)
        self.content = QWidget(self.tabs)
        self.tabs.addTab(self.content, self.tr("Overview"))
        self.range_tab = QWidget(self.tabs)
        self.tabs.addTab(self.range_tab, self.tr("Store report"))
        self._build_range_tab()
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
        self.segments_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.segments_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.segments_table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        seg_col = QVBoxLayout(segs)
        seg_col.addWidget(self.segments_table)
        self.whole_phones_box = QCheckBox(self.tr("Whole phone numbers"), segs)
        self.whole_phones_box.setObjectName("whole_phones_box")
        self.whole_phones_box.setToolTip(self.tr("Unticked, the list shows phones as 138****8000"))
        self.whole_phones_box.setMinimumHeight(TOUCH_HEIGHT)
        seg_col.addWidget(self.whole_phones_box)
        self.export_segment_button = big_button(self.tr("Export… (Ctrl+M)"), segs)
        self.export_segment_button.setObjectName("export_segment_button")
        self.export_segment_button.setToolTip(self.tr("The selected segment's members who agreed to marketing, "
                                                      "for a campaign (CSV or Excel)"))
        self.export_segment_button.clicked.connect(self._export_segment)
        seg_col.addWidget(self.export_segment_button)
        below.addWidget(segs, 3)
        col.addLayout(below)

        self.notice = Notice(self)
        root.addWidget(self.notice)
        screen_keys(self, {"Ctrl+R": self._refresh, "Ctrl+Return": self._show_store_report,
                           "Ctrl+E": lambda: self._export_store_report("csv"),
                           "Ctrl+Shift+E": lambda: self._export_store_report("xlsx"),
                           "Ctrl+M": self._export_segment})

    def _build_range_tab(self) -> None:
        col = QVBoxLayout(self.range_tab)
        bar = QHBoxLayout()
        today = self.vm.terminal.clock().date()
        self.from_input = QLineEdit(today.replace(day=1).isoformat(), self.range_tab)
        self.from_input.setObjectName("report_from")
        self.to_input = QLineEdit(today.isoformat(), self.range_tab)
        self.to_input.setObjectName("report_to")
        for label, w in ((self.tr("From"), self.from_input), (self.tr("To"), self.to_input)):
            w.setPlaceholderText("2026-11-01")
            w.setMinimumHeight(TOUCH_HEIGHT)
            w.setMinimumWidth(w.fontMetrics().horizontalAdvance("2026-11-30") + 24)
            w.setMaximumWidth(180)
            w.returnPressed.connect(self._show_store_report)
            bar.addWidget(QLabel(label, self.range_tab))
            bar.addWidget(w)
        self.by_box = QComboBox(self.range_tab)
        self.by_box.setObjectName("report_by")
        self.by_box.setMinimumHeight(TOUCH_HEIGHT)
        for key, name in self.vm.group_names().items():
            self.by_box.addItem(name, key)
        bar.addWidget(QLabel(self.tr("Group by"), self.range_tab))
        bar.addWidget(self.by_box)
        bar.addStretch(1)
        col.addLayout(bar)
        bar = QHBoxLayout()
        self.show_report_button = big_button(self.tr("Show (Ctrl+Enter)"), self.range_tab, primary=True)
        self.show_report_button.setObjectName("show_report_button")
        self.show_report_button.clicked.connect(self._show_store_report)
        bar.addWidget(self.show_report_button)
        bar.addStretch(1)
        self.export_csv_button = big_button(self.tr("CSV… (Ctrl+E)"), self.range_tab)
        self.export_csv_button.setObjectName("export_csv_button")
        self.export_csv_button.clicked.connect(lambda: self._export_store_report("csv"))
        bar.addWidget(self.export_csv_button)
        self.export_xlsx_button = big_button(self.tr("Excel… (Ctrl+Shift+E)"), self.range_tab)
        self.export_xlsx_button.setObjectName("export_xlsx_button")
        self.export_xlsx_button.clicked.connect(lambda: self._export_store_report("xlsx"))
        bar.addWidget(self.export_xlsx_button)
        col.addLayout(bar)
        self.range_label = QLabel(self.range_tab)
        self.range_label.setObjectName("store_report_label")
        col.addWidget(self.range_label)
        self.store_table = _table(self.range_tab, [""])
        self.store_table.setObjectName("store_report_table")
        self.store_table.setWordWrap(False)
        self.store_table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrow keys scroll the wide table
        self.store_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        col.addWidget(self.store_table, 1)
        self._update_export_buttons()

    # -- actions ------------------------------------------------------------------------------------
    def showEvent(self, event: object) -> None:
        if self.vm.allowed and not self.vm.busy:  # fresh numbers each time the screen is opened
            self._refresh()

    def _refresh(self) -> None:
        self.notice.clear()
        self.vm.refresh()

    def _show_store_report(self) -> None:
        self.tabs.setCurrentWidget(self.range_tab)
        self.notice.clear()
        self.vm.build_store_report(self.from_input.text(), self.to_input.text(), str(self.by_box.currentData()))

    def _export_store_report(self, fmt: str) -> None:
        if not self.vm.check_manager():
            return
        data = self.vm.store_report
        self.tabs.setCurrentWidget(self.range_tab)
        if data is None or self.vm.busy:
            self.notice.info(self.tr("Show a report first (Ctrl+Enter), then export it."))
            return
        name = f"report-{data.by}-{data.first.isoformat()}-{data.last.isoformat()}.{fmt}"
        filters = self.tr("CSV files (*.csv)") if fmt == "csv" else self.tr("Excel workbooks (*.xlsx)")
        path = self.ask_save_path(self, self.tr("Export the report"), str(Path.home() / name), filters)
        if path:
            if not Path(path).suffix:
                path += f".{fmt}"
            self.notice.clear()
            self.vm.export_store_report(path)

    def _export_segment(self) -> None:
        if not self.vm.check_manager():
            return
        data = self.vm.report
        row = self.segments_table.currentRow()
        self.tabs.setCurrentWidget(self.content)
        if data is None or not 0 <= row < len(data.segments) or self.vm.busy:
            self.notice.info(self.tr("Select a segment in the table first, then export its members."))
            return
        segment = data.segments[row]
        default = str(Path.home() / f"members-{segment.id}-{data.today.isoformat()}.xlsx")
        path = self.ask_save_path(self, self.tr("Export the segment's members"), default,
                                  self.tr("Excel workbooks (*.xlsx);;CSV files (*.csv)"))
        if path:
            if not Path(path).suffix:
                path += ".xlsx"
            self.notice.clear()
            self.vm.export_segment(segment.id, path, whole_phones=self.whole_phones_box.isChecked())

    def reset_screen(self, after: str) -> None:
        """Old messages go after a sale and a logout (the figures follow the access and are
        built again each time the screen shows)."""
        self.notice.clear()

    # -- view-model signals -------------------------------------------------------------------------
    def _on_access_changed(self) -> None:
        allowed = self.vm.allowed
        self.stack.setCurrentWidget(self.tabs if allowed else self.locked_label)
        self.refresh_button.setVisible(allowed)
        self.expiry_button.setVisible(allowed)
        if not allowed:
            self._clear()
            self.whole_phones_box.setChecked(False)  # each manager chooses for each export
            if self.expiry_confirm is not None:
                self.expiry_confirm.reject()

    def _update_export_buttons(self) -> None:
        ready = self.vm.store_report is not None and not self.vm.busy
        self.export_csv_button.setEnabled(ready)
        self.export_xlsx_button.setEnabled(ready)

    def _on_busy_changed(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.expiry_button.setEnabled(not busy)
        self.show_report_button.setEnabled(not busy)
        self.export_segment_button.setEnabled(not busy)
        self._update_export_buttons()
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
        self.store_table.setRowCount(0)
        self.range_label.clear()
        self._update_export_buttons()

    def _on_store_report_built(self, data: StoreReport) -> None:
        rows = self.vm.report_rows()
        head, body = rows[0], rows[1:]
        self.store_table.setColumnCount(len(head))
        self.store_table.setHorizontalHeaderLabels([str(h) for h in head])
        _fill(self.store_table, [tuple(f"{c:,}" if isinstance(c, int) else str(c) for c in r) for r in body])
        self.status_label.clear()
        self.range_label.setText(self.tr("%1 to %2: %3 rows").replace("%1", data.first.isoformat())
                                 .replace("%2", data.last.isoformat()).replace("%3", str(len(data.rows))))
        self._update_export_buttons()

    def _on_exported(self, path: str) -> None:
        self.status_label.clear()
        self.notice.info(self.tr("Saved %1.").replace("%1", path))

    def _on_segment_exported(self, result: SegmentExport) -> None:
        self.status_label.clear()
        text = self.tr("Saved %1: %2 members (%3 without marketing consent left out), phones %4.")
        text = (text.replace("%1", str(result.path)).replace("%2", f"{result.members:,}")
                .replace("%3", f"{result.without_consent:,}")
                .replace("%4", self.tr("masked") if result.masked else self.tr("whole")))
        self.notice.info(text)

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
