"""The manager's reports screen: builds the reports and runs the expiry in the background."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import PermissionDenied, PosError
from pos_app.services import expiry, reports, store_reports
from pos_app.services.context import Terminal
from pos_app.services.expiry import ExpiryReport
from pos_app.services.reports import DayPoints
from pos_app.services.store_reports import SegmentExport, StoreReport
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, QThreadPool, Signal
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.workers import ImmediatePool, Task

DAYS = 30
BUILD_STEPS = 4


@dataclass(frozen=True)
class GiftRow:
    code: str
    name: str
    redemptions: int
    points: int


@dataclass(frozen=True)
class SegmentRow:
    id: str
    name: str
    members: int


@dataclass(frozen=True)
class ReportData:
    """Everything the screen shows, built off the UI thread."""

    today: dt.date
    built_at: dt.datetime
    days: list[DayPoints]
    points_outstanding: int
    value_fen: int
    members: int
    members_with_points: int
    debt: int
    expiring_30_days: int
    top_gifts: list[GiftRow]
    segments: list[SegmentRow]

    @property
    def issued_total(self) -> int:
        return sum(d.issued for d in self.days)

    @property
    def redeemed_total(self) -> int:
        return sum(d.redeemed for d in self.days)


def build_reports(t: Terminal, *, today: dt.date, built_at: dt.datetime, gift_names: dict[str, str],
                  segment_names: dict[str, str], progress: Callable[[int, int], None]) -> ReportData:
    """Runs on a worker thread: database reads only, no Qt."""
    progress(0, BUILD_STEPS)
    days = reports.points_by_day(t, today=today, days=DAYS)
    progress(1, BUILD_STEPS)
    liab: dict[str, Any] = reports.liability(t, today=today)
    progress(2, BUILD_STEPS)
    gifts = [GiftRow(g["gift_code"], gift_names.get(g["gift_code"], g["gift_code"]), g["redemptions"],
                     g["points"] or 0)
             for g in reports.top_gifts(t, since=days[0].day)]
    progress(3, BUILD_STEPS)
    counts = reports.segment_counts(t, today=today)
    segments = [SegmentRow(seg_id, segment_names.get(seg_id, seg_id), n) for seg_id, n in counts.items()]
    progress(4, BUILD_STEPS)
    return ReportData(today, built_at, days, liab["points"], liab["value_fen"], liab["members"],
                      liab["members_with_points"], liab["debt"], liab["expiring_30_days"], gifts, segments)


class ReportsViewModel(QObject):
    """Signals: ``busy_changed(bool)``, ``build_progressed(int, int)``, ``report_built(ReportData)``,
    ``expiry_progressed(int, int)``, ``expiry_previewed(ExpiryReport)``, ``expiry_finished(ExpiryReport)``,
    ``access_changed()``, ``error_raised(str)``; the store report over a range of days:
    ``store_report_built(StoreReport)``, ``exported(str path)``, ``segment_exported(SegmentExport)``."""

    busy_changed = Signal(bool)
    build_progressed = Signal(int, int)
    report_built = Signal(object)
    expiry_progressed = Signal(int, int)
    expiry_previewed = Signal(object)
    expiry_finished = Signal(object)
    access_changed = Signal()
    error_raised = Signal(str)
    store_report_built = Signal(object)
    exported = Signal(str)
    segment_exported = Signal(object)

    def __init__(self, terminal: Terminal, session: SessionViewModel, pool: QThreadPool | ImmediatePool,
                 language: str) -> None:
        super().__init__()
        self.terminal = terminal
        self.session = session
        self.pool = pool
        self.language = language
        self.report: ReportData | None = None
        self.pending_expiry: ExpiryReport | None = None
        self.last_expiry: ExpiryReport | None = None
        self.store_report: StoreReport | None = None
        self.busy = False
        self._task: Task | None = None  # keeps the running task (and its relay) alive
        session.logged_in.connect(self._on_session_changed)
        session.logged_out.connect(self._on_session_changed)

    @property
    def allowed(self) -> bool:
        return self.session.is_manager

    # -- reports ------------------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Build every report in the background; False when refused or already busy."""
        if self.busy or not self._check_manager():
            return False
        try:
            program = self.terminal.program
        except PosError as exc:  # no program loaded
            self.error_raised.emit(message(exc))
            return False
        zh = self.language == "zh_CN"
        gift_names = {g.code: g.name_zh if zh else g.name_en for g in program.gifts}
        segment_names = {s.id: s.name_zh if zh else s.name_en for s in program.segments.rules}
        segment_names.setdefault(program.segments.fallback, self.tr("Regular"))
        now = self.terminal.clock()
        t = self.terminal
        self._start(Task(lambda progress: build_reports(
            t, today=now.date(), built_at=now, gift_names=gift_names, segment_names=segment_names,
            progress=progress)).progress(self.build_progressed.emit).success(self._on_report_built))
        return True

    def _on_report_built(self, data: ReportData) -> None:
        self._done()
        if self.allowed:  # whoever asked may have logged out meanwhile
            self.report = data
            self.report_built.emit(data)

    # -- the store report over any range of days (issue 15 item 10) ---------------------------------
    def build_store_report(self, first: str, last: str, by: str = "cashier") -> bool:
        """The figures from ``first`` to ``last`` (business days) grouped ``by``, summed by the
        database on the pool. A bad range is refused here, naming the field; nothing is built."""
        if self.busy or not self._check_manager():
            return False
        try:
            a, b = store_reports.check_range(first, last)
            by = store_reports.check_group(by)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        t = self.terminal
        self._start(Task(lambda _progress: store_reports.store_report(t, first=a, last=b, by=by))
                    .success(self._on_store_report_built))
        return True

    def _on_store_report_built(self, data: StoreReport) -> None:
        self._done()
        if self.allowed:
            self.store_report = data
            self.store_report_built.emit(data)

    def group_names(self) -> dict[str, str]:
        return {"cashier": self.tr("Cashier"), "day": self.tr("Business day"), "store": self.tr("Store")}

    def column_names(self) -> dict[str, str]:
        """The report's column headers in the window's language (screen and files)."""
        return {
            "name": self.tr("Name"), "sales": self.tr("Sales"), "member_sales": self.tr("Member sales"),
            "sales_fen": self.tr("Sales (yuan)"), "refunds": self.tr("Refunds"),
            "refunds_fen": self.tr("Refunded (yuan)"), "points_issued": self.tr("Points issued"),
            "points_redeemed": self.tr("Points redeemed"), "points_paid": self.tr("Points paid at the till"),
            "points_adjusted": self.tr("Points adjusted"), "points_clawed_back": self.tr("Points clawed back"),
            "points_returned": self.tr("Points returned"), "points_expired": self.tr("Points expired"),
            "gifts": self.tr("Gift redemptions"), "gift_points": self.tr("Gift points"),
            "gift_cash_fen": self.tr("Gift cash (yuan)"), "coupons_issued": self.tr("Coupons issued"),
            "coupons_used": self.tr("Coupons used"), "coupons_used_fen": self.tr("Coupons used (yuan)"),
        }

    def report_rows(self) -> list[list[object]]:
        """The shown report as the table and the files have it: header first, total last."""
        data = self.store_report
        if data is None:
            return []
        return store_reports.report_table(data, self.column_names(), self.group_names()[data.by], self.tr("Total"))

    def export_store_report(self, path: str) -> bool:
        """Write the shown report to ``path`` (.csv or .xlsx) on the pool; ``exported`` follows."""
        data = self.store_report
        if self.busy or data is None or not self._check_manager():
            return False
        try:
            fmt = store_reports.check_format(path)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        rows = self.report_rows()  # translated here, on the UI thread
        sheet = f"{data.first.isoformat()}..{data.last.isoformat()}"
        self._start(Task(lambda _progress: store_reports.write_table(path, rows, fmt, sheet=sheet))
                    .success(self._on_exported))
        return True

    def _on_exported(self, path: object) -> None:
        self._done()
        self.exported.emit(str(path))

    def export_segment(self, segment: str, path: str, *, whole_phones: bool = False) -> bool:
        """A segment's member list for a campaign (consenting members; phones masked unless the
        manager chose ``whole_phones``), written on the pool and audited."""
        if self.busy or not self._check_manager():
            return False
        try:
            store_reports.check_format(path)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        t, staff = self.terminal, self.session.staff_code
        today = t.clock().date()
        headers = {"card_no": self.tr("Card"), "name": self.tr("Name"), "phone": self.tr("Phone"),
                   "tier": self.tr("Tier"), "balance": self.tr("Points"), "last_purchase": self.tr("Last purchase"),
                   "enrolled": self.tr("Enrolled")}
        self._start(Task(lambda _progress: store_reports.export_segment(
            t, segment, path, today=today, mask=not whole_phones, staff_code=staff, headers=headers))
            .success(self._on_segment_exported))
        return True

    def _on_segment_exported(self, result: SegmentExport) -> None:
        self._done()
        self.segment_exported.emit(result)

    # -- the expiry run -----------------------------------------------------------------------------
    def preview_expiry(self) -> bool:
        """A dry run for today: what would expire. The screen asks before ``confirm_expiry``."""
        if self.busy or not self._check_manager():
            return False
        t = self.terminal
        today = t.clock().date()
        self.pending_expiry = None
        self._start(Task(lambda progress: expiry.run_expiry(t, as_of=today, dry_run=True, progress=progress))
                    .progress(self.expiry_progressed.emit).success(self._on_previewed))
        return True

    def _on_previewed(self, report: ExpiryReport) -> None:
        self._done()
        self.pending_expiry = report if report.points else None
        self.expiry_previewed.emit(report)

    def confirm_expiry(self) -> bool:
        """Write off what the dry run found (for the date it looked at)."""
        pending = self.pending_expiry
        if self.busy or pending is None or not self._check_manager():
            return False
        self.pending_expiry = None
        t, staff = self.terminal, self.session.staff_code
        self._start(Task(lambda progress: expiry.run_expiry(t, as_of=pending.as_of, staff_code=staff,
                                                            progress=progress))
                    .progress(self.expiry_progressed.emit).success(self._on_expired))
        return True

    def cancel_expiry(self) -> None:
        self.pending_expiry = None

    def _on_expired(self, report: ExpiryReport) -> None:
        self._done()
        self.last_expiry = report
        self.expiry_finished.emit(report)
        self.refresh()

    # -- plumbing -----------------------------------------------------------------------------------
    def check_manager(self) -> bool:
        """True for a manager; otherwise says so (``error_raised``)."""
        return self._check_manager()

    def _check_manager(self) -> bool:
        if self.allowed:
            return True
        self.error_raised.emit(message(PermissionDenied("staff", "reports, exports and expiry are for managers")))
        return False

    def _start(self, task: Task) -> None:
        self.busy = True
        self.busy_changed.emit(True)
        self._task = task.failure(self._on_failed)
        task.run(self.pool)

    def _done(self) -> None:
        self._task = None
        self.busy = False
        self.busy_changed.emit(False)

    def _on_failed(self, exc: BaseException) -> None:
        self._done()
        self.error_raised.emit(message(exc))

    def _on_session_changed(self, *_args: object) -> None:
        if not self.allowed:
            self.report = None
            self.store_report = None
            self.pending_expiry = None
        self.access_changed.emit()
