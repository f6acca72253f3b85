"""The reports screen through the real widgets on the demo store: numbers after sales, built
through the pool with a visible progress bar, and the manager-only expiry run."""

from __future__ import annotations

import datetime as dt

from pos_app.core.members import make_card_number
from pos_app.services import reports, verify
from pos_app.ui.app import App
from pos_app.ui.qt import QRunnable, Qt, QThreadPool
from pos_app.ui.viewmodels.reports import DAYS
from pos_app.ui.widgets.chart import nice_step
from pos_app.ui.widgets.reports import ReportsPage
from tests.conftest import FakeClock

GOLD_CARD = make_card_number(1)
SILVER_CARD = make_card_number(2)
DEMO_POINTS = 12000 + 8000 + 300  # the demo members' opening balances (all earned on 2026-11-03)


class HeldPool:
    """Keeps tasks until the test runs them, as a busy worker thread would."""

    def __init__(self) -> None:
        self.held: list[QRunnable] = []

    def start(self, runnable: QRunnable) -> None:
        self.held.append(runnable)

    def run_all(self) -> None:
        while self.held:
            self.held.pop(0).run()


def login(qtbot: object, app: App, code: str, pin: str) -> None:
    page = app.window.login  # type: ignore[attr-defined]
    qtbot.keyClicks(page.code_input, code)  # type: ignore[attr-defined]
    qtbot.keyClick(page.code_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.keyClicks(page.pin_input, pin)  # type: ignore[attr-defined]
    qtbot.keyClick(page.pin_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert app.session.staff is not None and app.session.staff.code == code


def sell(qtbot: object, app: App, card: str, barcode: str, points: int = 0) -> None:
    page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
    app.window.work.show_page("checkout")  # type: ignore[attr-defined]
    app.router.route(card)  # type: ignore[union-attr]  # scanned: paying with points needs the card shown
    qtbot.keyClicks(page.code_input, barcode)  # type: ignore[attr-defined]
    qtbot.keyClick(page.code_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    if points:
        qtbot.keyClicks(page.points_input, str(points))  # type: ignore[attr-defined]
        qtbot.keyClick(page.points_input, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert app.checkout.last_sale is not None


def reports_page(app: App) -> ReportsPage:
    page = app.window.work.pages["reports"]  # type: ignore[attr-defined]
    assert isinstance(page, ReportsPage)
    return page


def test_reports_after_sales_built_through_the_pool(qtbot: object, app: App, clock: FakeClock) -> None:
    login(qtbot, app, "9001", "9999")
    sell(qtbot, app, GOLD_CARD, "6970000000017", points=5000)  # earbuds 199.00, 5,000 points paid
    gold_sale = app.checkout.last_sale
    # (19900 - 5000) x 1.2 x gold 1.5 / 100 = 268, + 100 for the first purchase
    assert gold_sale is not None and (gold_sale.points_paid, gold_sale.points_earned) == (5000, 368)
    clock.advance(days=1)
    sell(qtbot, app, SILVER_CARD, "6970000000024")  # thermos 89.00
    silver_sale = app.checkout.last_sale
    assert silver_sale is not None

    page = reports_page(app)
    pool = HeldPool()
    page.vm.pool = pool
    app.window.work.show_page("reports")  # type: ignore[attr-defined]
    # the build waits on the pool: the window shows progress and stays usable
    assert len(pool.held) == 1 and page.vm.busy and page.vm.report is None
    assert page.progress.isVisible() and not page.refresh_button.isEnabled()
    progress: list[tuple[int, int]] = []
    page.vm.build_progressed.connect(lambda done, total: progress.append((done, total)))
    pool.run_all()
    assert progress[-1] == (4, 4) and not page.progress.isVisible() and page.refresh_button.isEnabled()

    data = page.vm.report
    assert data is not None and data.today == dt.date(2026, 11, 4) and len(data.days) == DAYS
    yesterday, today = data.days[-2], data.days[-1]
    # the demo seed's awards (4 sign-ups x 50, 3 completed profiles x 50: registered with a birthday)
    # and the first sale's points, then the second sale
    assert (yesterday.day, yesterday.issued, yesterday.redeemed) == (dt.date(2026, 11, 3), 200 + 150 + 368, 5000)
    assert (today.issued, today.redeemed) == (silver_sale.points_earned, 0)
    assert data.days == reports.points_by_day(app.terminal, today=dt.date(2026, 11, 4), days=DAYS)
    outstanding = DEMO_POINTS - 5000 + 368 + silver_sale.points_earned
    assert (data.points_outstanding, data.value_fen, data.members, data.members_with_points) == (
        outstanding, outstanding, 4, 3)
    # the chart shows exactly these numbers
    chart = page.chart
    assert chart.labels()[-2:] == ["11/3", "11/4"] and len(chart.labels()) == DAYS
    issued, redeemed = chart.series()
    assert list(issued.values) == [d.issued for d in data.days]
    assert list(redeemed.values) == [d.redeemed for d in data.days]
    assert nice_step(5000) == 2000 and chart.axis_top() == 6000
    assert page.outstanding_label.text() == f"{outstanding:,}"
    assert page.value_label.text() == f"¥{outstanding // 100:,}.{outstanding % 100:02d}"
    assert page.with_points_label.text() == "3 of 4"
    issued_total = 200 + 150 + 368 + silver_sale.points_earned
    assert page.totals_label.text() == f"30 days: {issued_total:,} points issued, 5,000 redeemed"
    segments = {page.segments_table.item(r, 0).text(): int(page.segments_table.item(r, 1).text())
                for r in range(page.segments_table.rowCount())}
    assert sum(segments.values()) == 4 and "Regular" in segments and "New" in segments
    assert page.gifts_table.rowCount() == 0

    # the chart paints its bars where it says it does, in the series' colours
    page.window().resize(1024, 768)  # type: ignore[union-attr]
    image = chart.grab().toImage()
    rect = chart.bar_rects()[-2][1]  # yesterday's redeemed bar: 5,000 of 6,000
    assert abs(rect.height() - chart.plot_rect().height() * 5 / 6) <= 1
    dpr = image.devicePixelRatio()
    center = rect.center()
    assert image.pixelColor(int(center.x() * dpr), int(center.y() * dpr)).name() == redeemed.color


def test_expiry_run_refused_for_a_cashier(qtbot: object, app: App, clock: FakeClock) -> None:
    login(qtbot, app, "1001", "1234")
    clock.set("2028-11-05T09:00")  # the demo balances' last valid day was 2028-11-03
    page = reports_page(app)
    app.window.work.show_page("reports")  # type: ignore[attr-defined]
    assert page.stack.currentWidget() is page.locked_label and not page.expiry_button.isVisible()
    assert page.vm.report is None
    assert page.vm.preview_expiry() is False and page.vm.refresh() is False
    assert page.notice.text() == "Only a store manager may do this."
    t = app.terminal
    assert t.repo.rows("SELECT id FROM ledger_entry WHERE kind = 'expire'") == []
    assert t.repo.rows("SELECT id FROM expiry_run") == []


def test_expiry_run_by_a_manager_dry_run_then_confirm(qtbot: object, app: App, clock: FakeClock) -> None:
    login(qtbot, app, "9001", "9999")
    page = reports_page(app)
    t = app.terminal
    clock.set("2028-10-20T09:00")
    app.window.work.show_page("reports")  # type: ignore[attr-defined]
    assert page.vm.report is not None and page.vm.report.expiring_30_days == DEMO_POINTS
    assert page.expiring_label.text() == f"{DEMO_POINTS:,} points"
    # nothing has lapsed yet: the dry run says so and asks nothing
    qtbot.mouseClick(page.expiry_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.expiry_confirm is None and page.notice.text().startswith("Nothing to expire")

    clock.set("2028-11-05T09:00")
    qtbot.mouseClick(page.expiry_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    box = page.expiry_confirm
    assert box is not None and box.isVisible() and f"{DEMO_POINTS:,} points of 3 members" in box.text()
    assert t.repo.rows("SELECT id FROM ledger_entry WHERE kind = 'expire'") == []  # the dry run wrote nothing
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # type: ignore[attr-defined]
    assert page.vm.pending_expiry is None and page.notice.text().startswith("Expiry run cancelled")
    assert t.repo.rows("SELECT id FROM expiry_run") == []

    progress: list[tuple[int, int]] = []
    page.vm.expiry_progressed.connect(lambda done, total: progress.append((done, total)))
    qtbot.mouseClick(page.expiry_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    box = page.expiry_confirm
    assert box is not None
    qtbot.keyClick(box, Qt.Key.Key_Return)  # type: ignore[attr-defined]  Enter confirms
    assert page.vm.last_expiry is not None and page.vm.last_expiry.points == DEMO_POINTS
    assert progress[-1] == (3, 3)
    expired = t.repo.rows("SELECT member_id, points, staff_code, business_date FROM ledger_entry"
                          " WHERE kind = 'expire' ORDER BY member_id")
    assert [(e["points"], e["staff_code"], e["business_date"]) for e in expired] == [
        (-12000, "9001", "2028-11-05"), (-8000, "9001", "2028-11-05"), (-300, "9001", "2028-11-05")]
    assert page.notice.text() == f"Expired {DEMO_POINTS:,} points of 3 members."
    # the reports were rebuilt after the run
    assert page.vm.report is not None and page.vm.report.points_outstanding == 0
    assert page.outstanding_label.text() == "0"
    assert verify.verify(t)["ok"]


def test_reports_and_expiry_on_a_real_thread_pool(qtbot: object, app: App, clock: FakeClock) -> None:
    login(qtbot, app, "9001", "9999")
    page = reports_page(app)
    pool = QThreadPool()
    page.vm.pool = pool
    clock.set("2028-11-05T09:00")
    with qtbot.waitSignal(page.vm.report_built, timeout=5000):  # type: ignore[attr-defined]
        app.window.work.show_page("reports")  # type: ignore[attr-defined]
        assert page.vm.busy  # the window went on while a worker thread read the database
    assert page.vm.report is not None and page.vm.report.points_outstanding == DEMO_POINTS
    with qtbot.waitSignal(page.vm.expiry_previewed, timeout=5000):  # type: ignore[attr-defined]
        qtbot.mouseClick(page.expiry_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.expiry_confirm is not None
    with qtbot.waitSignal(page.vm.report_built, timeout=5000):  # type: ignore[attr-defined]
        qtbot.keyClick(page.expiry_confirm, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert page.vm.last_expiry is not None and page.vm.last_expiry.points == DEMO_POINTS
    assert page.vm.report is not None and page.vm.report.points_outstanding == 0
    assert pool.waitForDone(3000)
