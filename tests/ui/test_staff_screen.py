"""The staff screen (Ctrl+F10) through the real widgets on the demo store: a manager adds a
cashier (PIN twice), resets a PIN, disables and enables; a cashier cannot use it."""

from __future__ import annotations

from typing import Any

from pos_app.services import staff
from pos_app.ui.app import App
from pos_app.ui.qt import Qt
from pos_app.ui.widgets.staff import StaffPage
from tests.ui.test_checkout_flow import login
from tests.ui.test_gifts import assert_fits_1024x768


def open_staff(qtbot: Any, app: App, who: tuple[str, str]) -> StaffPage:
    login(qtbot, app, *who)
    qtbot.keyClick(app.window, Qt.Key.Key_F10, Qt.KeyboardModifier.ControlModifier)  # type: ignore[arg-type]
    page = app.window.work.pages["staff"]  # type: ignore[attr-defined]
    assert isinstance(page, StaffPage)
    qtbot.waitUntil(page.isVisible)
    return page


def rows(page: StaffPage) -> list[list[str]]:
    return [[page.table.item(r, c).text() for c in range(page.table.columnCount())]
            for r in range(page.table.rowCount())]


def type_form(qtbot: Any, page: StaffPage, code: str, name: str, pin: str, pin_again: str) -> None:
    page.clear_form()
    qtbot.keyClicks(page.code_input, code)
    qtbot.keyClick(page.code_input, Qt.Key.Key_Return)
    page.name_input.setText(name)  # an input method's commit, not key by key (QTest types no Chinese)
    qtbot.keyClick(page.name_input, Qt.Key.Key_Return)
    qtbot.keyClicks(page.pin_input, pin)
    qtbot.keyClick(page.pin_input, Qt.Key.Key_Return)
    qtbot.keyClicks(page.pin_again_input, pin_again)
    qtbot.keyClick(page.pin_again_input, Qt.Key.Key_Return)


def test_a_cashier_cannot_manage_staff(qtbot: Any, app: App) -> None:
    page = open_staff(qtbot, app, ("1001", "1234"))
    assert page.hint.isVisible() and not page.body.isVisible() and page.table.rowCount() == 0
    page.add()  # even called directly, nothing happens
    assert [s.code for s in staff.list_staff(app.terminal)] == ["1001", "9001"]


def test_a_manager_adds_a_cashier_resets_the_pin_and_disables_them(qtbot: Any, app: App) -> None:
    page = open_staff(qtbot, app, ("9001", "9999"))
    assert not page.hint.isVisible() and page.body.isVisible()
    assert [r[0] for r in rows(page)] == ["1001", "9001"]
    assert_fits_1024x768(app, page)
    # the two PINs differ: refused, named, nothing written, the PINs cleared
    type_form(qtbot, page, "1002", "收银员小李", "2468", "2469")
    assert page.notice.text() == "The two PINs differ: type the same PIN twice."
    assert page.pin_input.text() == "" and page.code_input.text() == "1002"
    assert [r[0] for r in rows(page)] == ["1001", "9001"]
    type_form(qtbot, page, "1002", "收银员小李", "2468", "2468")
    assert page.notice.text() == "收银员小李 (1002) added."
    assert ["1002", "收银员小李", "Cashier", "Active"] in rows(page)
    assert staff.authenticate(app.terminal, "1002", "2468").role == "cashier"
    # a PIN never shown: the fields are password fields and emptied
    assert page.pin_input.echoMode() == page.pin_input.EchoMode.Password and page.pin_input.text() == ""
    # reset the PIN of the row tapped (touch) with Ctrl+P (keyboard)
    r = [x[0] for x in rows(page)].index("1002")
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.table.visualItemRect(page.table.item(r, 0)).center())
    assert page.code_input.text() == "1002"
    qtbot.keyClicks(page.pin_input, "1357")
    qtbot.keyClicks(page.pin_again_input, "1357")
    qtbot.keyClick(page.pin_again_input, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert page.notice.text() == "The PIN of 1002 was reset."
    assert staff.authenticate(app.terminal, "1002", "1357").code == "1002"
    # disable by the button, then the cashier cannot log in; enable again
    qtbot.keyClicks(page.code_input, "1002")
    qtbot.mouseClick(page.toggle_button, Qt.MouseButton.LeftButton)
    assert page.notice.text() == "1002 disabled: they can no longer log in."
    assert ["1002", "收银员小李", "Cashier", "Disabled"] in rows(page)
    # a manager cannot disable themselves
    qtbot.keyClicks(page.code_input, "9001")
    qtbot.keyClick(page.code_input, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert page.notice.text() == "A manager cannot disable their own account."
    qtbot.mouseClick(app.window.work.logout_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    login(qtbot, app, "1002", "1357")
    assert app.session.staff is None  # disabled: refused
    audit = app.terminal.repo.rows("SELECT action, ref FROM audit WHERE action IN "
                                   "('staff.create', 'staff.pin_reset', 'staff.disable') ORDER BY id")
    assert [(a["action"], a["ref"]) for a in audit][-3:] == [
        ("staff.create", "1002"), ("staff.pin_reset", "1002"), ("staff.disable", "1002")]


def test_the_staff_view_model_without_a_window(store: Any) -> None:
    """The staff screen's rules live in its view-model (ui/viewmodels/staff.py): a cashier is
    refused everything; a manager adds, resets and toggles, errors arrive as text, never a PIN."""
    from pos_app.ui.viewmodels.session import SessionViewModel
    from pos_app.ui.viewmodels.staff import StaffViewModel

    session = SessionViewModel(store)
    vm = StaffViewModel(store, session)
    errors: list[str] = []
    vm.error_raised.connect(errors.append)
    assert session.login("1001", "1234")
    assert vm.add(code="1002", name="小李", role="cashier", pin="2468", pin_again="2468") is None
    assert vm.toggle_active("1001") is None and not vm.reset_pin("1001", "4321")
    vm.refresh()
    assert vm.rows == [] and errors == []
    session.logout()
    assert session.login("9001", "9999")
    added = vm.add(code="1002", name="小李", role="cashier", pin="2468", pin_again="2469")
    assert added is None and len(errors) == 1 and "2468" not in errors[0]
    added = vm.add(code="1002", name="小李", role="cashier", pin="2468", pin_again="2468")
    assert added is not None and "1002" in [s.code for s in vm.rows]
    assert vm.toggle_active("1002") is False and not next(s for s in vm.rows if s.code == "1002").active
    assert vm.toggle_active("1002") is True
    assert vm.reset_pin("1002", "1357") and staff.authenticate(store, "1002", "1357").code == "1002"
