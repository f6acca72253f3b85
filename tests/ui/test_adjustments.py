"""The adjustments screen through the real widgets on the demo store: the manager's approval, the
form's refusals, and the audit trail loaded in the background."""

from __future__ import annotations

from typing import Any

from pos_app.core.members import make_card_number
from pos_app.ui.app import App
from pos_app.ui.qt import QApplication, QRunnable, Qt, QThreadPool
from pos_app.ui.widgets.adjustments import AdjustmentsPage
from tests.ui.test_checkout_flow import login
from tests.ui.test_gifts import assert_fits_1024x768

CARD = make_card_number(4)  # 刘洋, 300 points


def open_adjustments(qtbot: Any, app: App, staff: tuple[str, str] = ("1001", "1234")) -> AdjustmentsPage:
    login(qtbot, app, *staff)
    app.window.work.show_page("adjustments")  # type: ignore[attr-defined]
    page = app.window.work.pages["adjustments"]  # type: ignore[attr-defined]
    assert isinstance(page, AdjustmentsPage) and page.isVisible()
    return page


def fill(qtbot: Any, page: AdjustmentsPage, points: str, reason: str, card: str = CARD) -> None:
    qtbot.keyClicks(page.member_input, card)
    qtbot.keyClick(page.member_input, Qt.Key.Key_Return)
    qtbot.keyClicks(page.points_input, points)
    qtbot.keyClick(page.points_input, Qt.Key.Key_Return)  # on to the reason
    qtbot.keyClicks(page.reason_input, reason)
    qtbot.keyClick(page.reason_input, Qt.Key.Key_Return)


def approve(qtbot: Any, page: AdjustmentsPage, code: str, pin: str) -> None:
    dialog = page.approval
    assert dialog is not None and dialog.isVisible()
    dialog.code_input.clear()
    qtbot.keyClicks(dialog.code_input, code)
    qtbot.keyClicks(dialog.pin_input, pin)
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)


def adjustments(app: App) -> list[dict[str, Any]]:
    return app.terminal.repo.rows("SELECT points, breakdown FROM ledger_entry WHERE kind = 'adjust' ORDER BY id")


def table(page: AdjustmentsPage) -> list[list[str]]:
    return [[page.table.item(r, c).text() for c in range(page.table.columnCount())]
            for r in range(page.table.rowCount())]


def test_refused_for_a_cashier_done_by_a_manager_and_shown_in_the_audit_trail(qtbot: Any, app: App) -> None:
    page = open_adjustments(qtbot, app)
    assert page.trail_hint.isVisible() and not page.table.isVisible()  # a cashier does not see the trail
    before = adjustments(app)
    fill(qtbot, page, "+500", "points of a lost receipt")
    assert "刘洋" in page.member_label.text() and "300" in page.member_label.text()
    dialog = page.approval
    assert dialog is not None and dialog.isVisible() and "+500" in dialog.text_label.text()
    assert dialog.code_input.text() == ""  # a cashier is logged in: nothing filled in

    approve(qtbot, page, "1001", "1234")
    assert dialog.isVisible() and dialog.notice.text() == "Only a store manager may do this."
    approve(qtbot, page, "9001", "1111")
    assert dialog.isVisible() and dialog.notice.text() == "Wrong PIN."
    assert adjustments(app) == before
    assert app.terminal.repo.member_by_card(CARD).balance == 300  # type: ignore[union-attr]

    approve(qtbot, page, "9001", "9999")
    assert not dialog.isVisible()
    assert app.terminal.repo.member_by_card(CARD).balance == 800  # type: ignore[union-attr]
    after = adjustments(app)
    assert len(after) == len(before) + 1 and after[-1]["points"] == 500
    assert '"approved_by":"9001"' in after[-1]["breakdown"] and "points of a lost receipt" in after[-1]["breakdown"]
    assert page.result_label.text() == "+500 points (points of a lost receipt), approved by 9001. Balance now 800."
    assert page.points_input.text() == "" and page.reason_input.text() == ""

    # the manager looks at the trail: newest first, the adjustment on top
    qtbot.mouseClick(app.window.work.logout_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    page = open_adjustments(qtbot, app, ("9001", "9999"))
    assert page.table.isVisible() and not page.trail_hint.isVisible()
    rows = table(page)
    top = rows[0]
    assert top[1] == "9001 店长王经理" and top[2] == "points.adjust" and top[3] == f"member {CARD}"
    assert top[4] == "points: 500, reason: points of a lost receipt, requested_by: 1001"  # the cashier asked
    assert top[0] == "2026-11-03 10:00:00"
    assert len(rows) == len(app.terminal.repo.rows("SELECT id FROM audit"))

    # filter by action: the wrong PINs above were written to the trail too
    page.action_box.setCurrentIndex(page.action_box.findData("staff.pin_wrong"))
    assert [r[2] for r in table(page)] == ["staff.pin_wrong"]
    assert table(page)[0][3] == "9001" and table(page)[0][4] == "attempts: 1, locked: False"
    page.action_box.setCurrentIndex(page.action_box.findData("points.adjust"))
    assert {r[2] for r in table(page)} == {"points.adjust"} and len(table(page)) == len(after)
    assert page.action_box.currentData() == "points.adjust"  # refilling the list kept the choice
    page.action_box.setCurrentIndex(0)
    assert len(table(page)) == len(rows)
    assert_fits_1024x768(app, page)


def test_a_manager_at_the_counter_has_the_number_filled_in_and_the_form_refuses_bad_input(
        qtbot: Any, app: App) -> None:
    page = open_adjustments(qtbot, app, ("9001", "9999"))
    qtbot.mouseClick(page.adjust_button, Qt.MouseButton.LeftButton)
    assert page.notice.text() == "Identify the member first (card or phone number)."
    fill(qtbot, page, "lots", "x")
    assert page.notice.text() == "Enter the points as a signed whole number, e.g. +500 or -200."
    page.points_input.setText("-50")
    page.reason_input.clear()
    qtbot.keyClick(page.reason_input, Qt.Key.Key_Return)
    assert page.notice.text() == "A reason is required."
    page.points_input.setText("-301")
    qtbot.keyClicks(page.reason_input, "double scan")
    qtbot.keyClick(page.reason_input, Qt.Key.Key_Return)
    assert page.notice.text() == "Not enough points: the balance is 300."
    assert page.approval is None

    page.points_input.setText("-300")
    qtbot.keyClick(page.reason_input, Qt.Key.Key_Return)
    dialog = page.approval
    assert dialog is not None and dialog.code_input.text() == "9001"
    qtbot.keyClicks(dialog.pin_input, "9999")
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert app.terminal.repo.member_by_card(CARD).balance == 0  # type: ignore[union-attr]
    assert table(page)[0][4] == "points: -300, reason: double scan"


class DeferredPool:
    """Keeps the tasks until the test runs them, in any order."""

    def __init__(self) -> None:
        self.runnables: list[QRunnable] = []

    def start(self, runnable: QRunnable) -> None:
        self.runnables.append(runnable)


def test_the_trail_loads_in_the_background_and_an_older_answer_is_dropped(qtbot: Any, app: App) -> None:
    page = open_adjustments(qtbot, app, ("9001", "9999"))
    pool = DeferredPool()
    page.vm.pool = pool  # type: ignore[assignment]
    shown = page.table.rowCount()
    page.action_box.setCurrentIndex(page.action_box.findData("points.adjust"))
    page.action_box.setCurrentIndex(page.action_box.findData("staff.create"))
    assert page.table.rowCount() == shown and len(pool.runnables) == 2  # nothing waits on the UI thread
    pool.runnables[1].run()
    assert {r[2] for r in table(page)} == {"staff.create"}
    pool.runnables[0].run()  # the answer to the older request arrives late: ignored
    assert {r[2] for r in table(page)} == {"staff.create"}


def test_the_trail_loads_on_a_real_thread_pool(qtbot: Any, app: App) -> None:
    page = open_adjustments(qtbot, app, ("9001", "9999"))
    pool = QThreadPool()
    page.vm.pool = pool
    page.table.setRowCount(0)
    page.vm.set_action("points.adjust")
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=3000)
    assert {r[2] for r in table(page)} == {"points.adjust"}
    assert pool.waitForDone(3000)
    QApplication.processEvents()


def test_a_manager_cannot_approve_their_own_large_adjustment_a_second_manager_can(qtbot: Any, app: App) -> None:
    from pos_app.services import staff

    staff.create_staff(app.terminal, code="9002", name="副店长", role="manager", pin="8888", by="9001")
    page = open_adjustments(qtbot, app, ("9001", "9999"))
    before = adjustments(app)
    fill(qtbot, page, "+2000", "goodwill for a complaint")
    dialog = page.approval
    assert dialog is not None and dialog.code_input.text() == "9001"  # the manager logged in, filled in
    approve(qtbot, page, "9001", "9999")
    assert dialog.isVisible()
    assert dialog.notice.text() == "Above 1,000 points a second manager must approve: not the one asking."
    assert adjustments(app) == before
    approve(qtbot, page, "9002", "8888")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    after = adjustments(app)
    assert len(after) == len(before) + 1 and after[-1]["points"] == 2000
    assert '"approved_by":"9002"' in after[-1]["breakdown"]
    assert app.terminal.repo.member_by_card(CARD).balance == 2300  # type: ignore[union-attr]
