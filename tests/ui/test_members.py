"""The members screen through its real widgets on the seeded demo store."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtGui import QInputMethodEvent

from pos_app.core.earning import SaleLine
from pos_app.core.members import make_card_number
from pos_app.services import sales
from pos_app.ui.app import App
from pos_app.ui.qt import QApplication, Qt, QWidget
from pos_app.ui.widgets.members import MembersPage
from tests.conftest import FakeClock

GOLD_CARD = make_card_number(1)  # 张伟 13800138000, gold, 12,000 points, born 1988-03-12


def open_members(app: App, code: str = "1001", pin: str = "1234") -> Any:
    assert app.session.login(code, pin)
    app.window.work.show_page("members")  # type: ignore[attr-defined]
    page = app.window.work.pages["members"]  # type: ignore[attr-defined]
    assert isinstance(page, MembersPage)
    return page


def type_in(qtbot: Any, widget: QWidget, text: str, *, enter: bool = False) -> None:
    """Type as a cashier does: keys for ASCII, the input method's commit for Chinese."""
    widget.clear()  # type: ignore[attr-defined]
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)
    if enter:
        qtbot.keyClick(widget, Qt.Key.Key_Return)


def press(qtbot: Any, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key)


def member_count(app: App) -> int:
    return app.terminal.repo.member_count()


def search(qtbot: Any, page: Any, text: str) -> None:
    type_in(qtbot, page.search_input, text, enter=True)


def fits(page: Any) -> bool:
    QApplication.processEvents()
    page.layout().activate()
    hint = page.minimumSizeHint()
    assert hint.width() <= page.width() and hint.height() <= page.height(), (hint, page.size())
    return True


def test_register_refuses_bad_phone_duplicate_and_no_consent_then_shows_the_card(qtbot: Any, app: App) -> None:
    page = open_members(app)
    before = member_count(app)
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    assert page.views.currentIndex() == page.REGISTER and page.reg_phone.hasFocus()
    type_in(qtbot, page.reg_phone, "1380013800")  # ten digits
    type_in(qtbot, page.reg_name, "赵敏")
    qtbot.mouseClick(page.reg_consent, Qt.MouseButton.LeftButton, pos=QPoint(12, page.reg_consent.height() // 2))
    assert page.reg_consent.isChecked()
    press(qtbot, page.reg_name, Qt.Key.Key_Return)  # Enter confirms from any field
    assert page.notice.text() == "Phone number is not valid."
    assert member_count(app) == before

    type_in(qtbot, page.reg_phone, "138 0013 8000", enter=True)  # 张伟's number
    assert page.notice.text() == "This phone number is already a member."
    assert page.duplicate_button.isVisibleTo(page) and "张伟" in page.duplicate_button.text()
    assert member_count(app) == before

    type_in(qtbot, page.reg_phone, "13512345678")
    assert not page.duplicate_button.isVisibleTo(page)
    page.reg_consent.setChecked(False)
    type_in(qtbot, page.reg_birthday, "1990-05-18")
    type_in(qtbot, page.reg_referrer, GOLD_CARD, enter=True)
    assert "agree" in page.notice.text()
    assert member_count(app) == before

    page.reg_consent.setChecked(True)
    press(qtbot, page.reg_referrer, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert member_count(app) == before + 1
    new = app.terminal.repo.member_by_phone("13512345678")
    assert new is not None and new.name == "赵敏" and new.consent and new.birthday is not None
    referrer = app.terminal.repo.member_by_card(GOLD_CARD)
    assert referrer is not None and new.referrer_id == referrer.id
    assert page.views.currentIndex() == page.REGISTERED
    assert new.card_no in page.new_card_label.text()
    audit = app.terminal.repo.rows("SELECT staff_code FROM audit WHERE action = 'member.enroll' AND ref = ?",
                                   (new.uuid,))
    assert audit == [{"staff_code": "1001"}]

    press(qtbot, page.registered_form.confirm_button, Qt.Key.Key_Return)  # open the new member
    assert page.views.currentIndex() == page.BROWSE
    assert page.name_label.text() == "赵敏"
    assert "100 points" in page.balance_label.text()  # the sign-up award, the completed profile (a birthday)
    assert "张伟" in page.profile_label.text() and "1990-05-18" in page.profile_label.text()


def test_same_name_and_birthday_is_a_warning_the_cashier_confirms(qtbot: Any, app: App) -> None:
    page = open_members(app)
    before = member_count(app)
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    type_in(qtbot, page.reg_phone, "13512345678")
    type_in(qtbot, page.reg_name, "张伟")
    type_in(qtbot, page.reg_birthday, "1988-03-12")
    page.reg_consent.setChecked(True)
    press(qtbot, page.reg_birthday, Qt.Key.Key_Return)
    assert member_count(app) == before
    assert page.similar_label.isVisibleTo(page)
    assert "张伟" in page.similar_label.text() and GOLD_CARD in page.similar_label.text()
    assert "anyway" in page.register_form.confirm_button.text()
    # changing the details withdraws the confirmation: the warning comes again
    type_in(qtbot, page.reg_name, "张 伟")
    assert not page.similar_label.isVisibleTo(page)
    press(qtbot, page.reg_name, Qt.Key.Key_Return)
    assert member_count(app) == before and page.similar_label.isVisibleTo(page)
    press(qtbot, page.reg_name, Qt.Key.Key_Return)  # confirmed
    assert member_count(app) == before + 1
    assert page.views.currentIndex() == page.REGISTERED


def test_escape_leaves_the_form_without_registering(qtbot: Any, app: App) -> None:
    page = open_members(app)
    before = member_count(app)
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    type_in(qtbot, page.reg_phone, "13512345678")
    press(qtbot, page.reg_phone, Qt.Key.Key_Escape)
    assert page.views.currentIndex() == page.BROWSE and member_count(app) == before


def test_search_lists_members_and_detail_shows_balance_lots_and_expiry(qtbot: Any, app: App,
                                                                      clock: FakeClock) -> None:
    page = open_members(app)
    search(qtbot, page, "13")
    assert page.results.count() == 4 and page.vm.member is None
    li_na = next(i for i in range(4) if page.results.item(i).text().startswith("李娜"))
    item = page.results.item(li_na)
    qtbot.mouseClick(page.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.results.visualItemRect(item).center())
    assert page.name_label.text() == "李娜"
    assert page.balance_label.text() == "Balance: 8,000 points"
    assert page.tier_label.text() == "Silver"
    assert "139****9000" in page.identity_label.text() and "13900139000" not in page.identity_label.text()
    assert [page.tier_table.item(0, c).text() for c in (1, 2)] == ["Normal", "Silver"]

    # two years on, 张伟's points are about to expire: found by card, opened at once
    clock.set("2028-10-25T10:00")
    search(qtbot, page, GOLD_CARD)
    assert page.results.count() == 1 and page.name_label.text() == "张伟"
    assert page.expiring_label.text().startswith("Points expiring within 30 / 7 / 1 days: 12,000 / 0 / 0")
    rows = [[page.lots_table.item(r, c).text() for c in range(4)] for r in range(page.lots_table.rowCount())]
    assert sorted(rows) == [["2026-11-03", "2028-11-03", "11,900", "9"], ["2026-11-03", "2028-11-03", "50", "9"],
                            ["2026-11-03", "2028-11-03", "50", "9"]]  # sign-up, completed profile

    search(qtbot, page, "nobody")
    assert page.notice.text() == "No member matches nobody." and page.results.count() == 0


def test_edit_name_and_phone_and_refuse_a_taken_phone(qtbot: Any, app: App) -> None:
    page = open_members(app)
    search(qtbot, page, "13700137000")  # 王芳
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    assert page.views.currentIndex() == page.EDIT and page.edit_phone.text() == "13700137000"
    type_in(qtbot, page.edit_phone, "13800138000", enter=True)  # 张伟's
    assert page.notice.text() == "This phone number is already a member."
    assert page.views.currentIndex() == page.EDIT
    type_in(qtbot, page.edit_name, "王芳芳")
    type_in(qtbot, page.edit_phone, "13711112222")
    press(qtbot, page.edit_birthday, Qt.Key.Key_Return)
    assert page.views.currentIndex() == page.BROWSE
    assert page.name_label.text() == "王芳芳" and "137****2222" in page.identity_label.text()
    m = app.terminal.repo.member_by_phone("13711112222")
    assert m is not None and m.name == "王芳芳" and app.terminal.repo.member_by_phone("13700137000") is None
    [row] = app.terminal.repo.rows("SELECT staff_code, details FROM audit WHERE action = 'member.update'")
    assert row["staff_code"] == "1001"
    assert json.loads(row["details"]) == {"name": ["王芳", "王芳芳"], "phone": ["13700137000", "13711112222"]}
    # Esc leaves the form and changes nothing
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    type_in(qtbot, page.edit_name, "别的名字")
    press(qtbot, page.edit_name, Qt.Key.Key_Escape)
    assert page.views.currentIndex() == page.BROWSE
    assert app.terminal.repo.member_by_phone("13711112222").name == "王芳芳"  # type: ignore[union-attr]


def test_freeze_needs_a_manager_and_a_reason(qtbot: Any, app: App) -> None:
    page = open_members(app)  # a cashier
    search(qtbot, page, "13900139000")  # 李娜
    qtbot.mouseClick(page.freeze_button, Qt.MouseButton.LeftButton)
    assert page.views.currentIndex() == page.BROWSE
    assert "store manager" in page.notice.text()
    qtbot.mouseClick(app.window.work.logout_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert page.vm.member is None and page.results.count() == 0  # nothing of the member stays on screen

    page = open_members(app, "9001", "9999")
    search(qtbot, page, "13900139000")
    qtbot.mouseClick(page.freeze_button, Qt.MouseButton.LeftButton)
    assert page.views.currentIndex() == page.STATUS and page.reason_input.hasFocus()
    press(qtbot, page.reason_input, Qt.Key.Key_Return)
    assert page.notice.text() == "Please give a reason."
    assert app.terminal.repo.member_by_phone("13900139000").status == "active"  # type: ignore[union-attr]
    type_in(qtbot, page.reason_input, "card reported lost", enter=True)
    assert app.terminal.repo.member_by_phone("13900139000").status == "frozen"  # type: ignore[union-attr]
    assert page.views.currentIndex() == page.BROWSE
    assert page.status_label.text() == "FROZEN" and page.freeze_button.text() == "Unfreeze"
    rows = app.terminal.repo.rows("SELECT staff_code, details FROM audit WHERE action = 'member.status'")
    assert [(r["staff_code"], json.loads(r["details"])) for r in rows] == [
        ("9001", {"status": "frozen", "reason": "card reported lost"})]

    qtbot.mouseClick(page.freeze_button, Qt.MouseButton.LeftButton)
    assert "Unfreeze" in page.status_form.confirm_button.text()
    type_in(qtbot, page.reason_input, "card found", enter=True)
    assert app.terminal.repo.member_by_phone("13900139000").status == "active"  # type: ignore[union-attr]
    assert page.status_label.text() == "Active"


def test_history_filter_and_csv_export(qtbot: Any, app: App, clock: FakeClock, tmp_path: Path) -> None:
    clock.set("2026-11-10T12:00")
    sale = sales.record_sale(app.terminal, lines=[SaleLine(1, "X", "x", "general", 1, 10000)],
                             member_ref=GOLD_CARD, points=1000, staff_code="1001")
    page = open_members(app)
    search(qtbot, page, GOLD_CARD)
    page.tabs.setCurrentIndex(1)
    table = page.history_table

    def column(c: int) -> list[str]:
        return [table.item(r, c).text() for r in range(table.rowCount())]

    assert column(1) == ["Purchase", "Paid with points", "Adjustment", "Award", "Award"]
    assert column(2) == [f"+{sale.points_earned}", "-1,000", "+11,900", "+50", "+50"]
    assert column(3)[0] == f"{12000 - 1000 + sale.points_earned:,}" and column(3)[-1] == "50"
    assert column(4)[:2] == [sale.receipt_no, sale.receipt_no]
    assert column(5)[1] == "paid 10.00 yuan"

    page.kind_box.setCurrentIndex(page.kind_box.findData("adjust"))
    assert column(1) == ["Adjustment"] and "approved by 9001" in column(5)[0]
    page.kind_box.setCurrentIndex(0)
    type_in(qtbot, page.from_input, "2026-11-04", enter=True)
    assert column(1) == ["Purchase", "Paid with points"]
    type_in(qtbot, page.to_input, "2026-11-09", enter=True)
    assert table.rowCount() == 0 and page.history_note.text() == "0 entries"
    type_in(qtbot, page.to_input, "2026-13-01", enter=True)
    assert page.notice.text() == "Dates are written like 2026-11-03."
    assert table.rowCount() == 0  # the last good filter stays
    type_in(qtbot, page.from_input, "")
    type_in(qtbot, page.to_input, "2026-11-09", enter=True)
    assert column(1) == ["Adjustment", "Award", "Award"]

    # export what the filter shows (the dialog only picks the path)
    done: list[tuple[str, int]] = []
    page.vm.export_finished.connect(lambda p, n: done.append((p, n)))
    assert page.vm.export_csv(str(tmp_path / "zhang"))
    target = tmp_path / "zhang.csv"
    assert done == [(str(target), 3)] and str(target) in page.notice.text()
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:5] == ["Business date", "Time", "Kind", "Points", "Balance after"]
    assert [(r[0], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("2026-11-03", "Adjustment", "11900", "12000"), ("2026-11-03", "Award", "50", "100"),
        ("2026-11-03", "Award", "50", "50")]
    assert rows[2][6] == "award: Profile completed" and rows[3][6] == "award: Sign-up"  # named, not the ids
    audit = app.terminal.repo.rows("SELECT staff_code, details FROM audit WHERE action = 'member.export'")
    assert [(a["staff_code"], json.loads(a["details"])["rows"]) for a in audit] == [("1001", 3)]

    assert page.vm.export_csv(str(tmp_path / "no-such-dir" / "x.csv"))
    assert page.notice.text().startswith("Could not write")


def test_every_view_fits_a_1024x768_screen(qtbot: Any, app: App) -> None:
    app.window.resize(1024, 768)  # type: ignore[attr-defined]
    page = open_members(app, "9001", "9999")
    search(qtbot, page, GOLD_CARD)
    for tab in range(page.tabs.count()):
        page.tabs.setCurrentIndex(tab)
        assert fits(page), tab
    for show in (page._show_register, page._show_edit, page._show_status):
        show()
        assert fits(page), show
    assert page.register_button.height() >= 44 and page.freeze_button.height() >= 44


def test_a_birthday_added_completes_the_profile_and_earns_its_award_once(qtbot: Any, app: App) -> None:
    page = open_members(app)
    search(qtbot, page, "13600136000")  # 刘洋: no birthday, 300 points
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    type_in(qtbot, page.edit_birthday, "1991-04-02", enter=True)
    assert page.views.currentIndex() == page.BROWSE
    m = app.terminal.repo.member_by_phone("13600136000")
    assert m is not None and m.balance == 350  # + the program's 完善资料 50
    awards = app.terminal.repo.rows("SELECT points, breakdown FROM ledger_entry WHERE kind = 'award'"
                                    " AND ref_no = 'profile_completed' AND member_id = ?", (m.id,))
    assert len(awards) == 1 and '"reason":"profile completed"' in awards[0]["breakdown"]
    # removed and given again: once only
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    page.edit_birthday.clear()
    press(qtbot, page.edit_birthday, Qt.Key.Key_Return)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    type_in(qtbot, page.edit_birthday, "1991-04-02", enter=True)
    assert app.terminal.repo.member_by_phone("13600136000").balance == 350  # type: ignore[union-attr]
