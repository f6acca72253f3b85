"""Behaviour awards from the window (issue 15 item 6): on the members screen F4 (or Award) lists
the program's awards with their points and limits; Enter on one moves to what the member did,
Enter grants it; the program's limits hold (the share 3 a day) and
the refusal says which. A survey or a review needs what the member did (issue 16 item 3); the
completed profile and the check-in are granted by themselves, never listed here."""

from __future__ import annotations

from typing import Any

from pos_app.ui.app import App
from pos_app.ui.qt import Qt
from tests.ui.test_members import GOLD_CARD, open_members, search


def award_rows(app: App) -> list[dict[str, Any]]:
    return app.terminal.repo.rows(
        "SELECT points, json_extract(breakdown, '$.award') award, json_extract(breakdown, '$.reason') reason"
        " FROM ledger_entry WHERE kind = 'award' AND member_id = (SELECT id FROM member WHERE card_no = ?)"
        " ORDER BY id", (GOLD_CARD,))


def choose(qtbot: Any, page: Any, award_id: str, reason: str = "") -> Any:
    qtbot.keyClick(page.search_input, Qt.Key.Key_F4)
    dialog = page.award_dialog
    assert dialog is not None and dialog.isVisible()
    ids = [dialog.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dialog.list.count())]
    dialog.list.setCurrentRow(ids.index(award_id))
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)  # on to the reason
    assert dialog.focusWidget() is dialog.reason_input
    qtbot.keyClicks(dialog.reason_input, reason)
    qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Return)
    return dialog


def test_an_award_by_keyboard_with_its_reason_and_the_daily_limit(qtbot: Any, app: App) -> None:
    page = open_members(app)
    search(qtbot, page, GOLD_CARD)
    before = len(award_rows(app))
    qtbot.keyClick(page.search_input, Qt.Key.Key_F4)
    dialog = page.award_dialog
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert "Survey: 100 points" in texts and "Share: 20 points  (3 a day)" in texts
    ids = [dialog.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dialog.list.count())]
    assert set(ids) == {"survey", "review_photo", "share"}  # sign-up, referral, profile, check-in: by themselves
    assert dialog.ok_button.height() >= 44
    dialog.reject()

    dialog = choose(qtbot, page, "survey", "2026 satisfaction survey")
    assert not dialog.isVisible()
    assert award_rows(app)[before:] == [{"points": 100, "award": "survey", "reason": "2026 satisfaction survey"}]
    assert "Award granted: balance 12,100 points" in page.notice.text()
    assert "12,100" in page.balance_label.text()
    for _ in range(3):
        assert not choose(qtbot, page, "share").isVisible()
    dialog = choose(qtbot, page, "share")  # the fourth today
    assert dialog.isVisible() and "share" in dialog.notice.text()
    assert len(award_rows(app)) == before + 4
    audit = app.terminal.repo.rows("SELECT details FROM audit WHERE action = 'member.award' ORDER BY id DESC LIMIT 1")
    assert "share" in audit[0]["details"]
    dialog.reject()


def test_a_survey_or_review_without_what_the_member_did_is_refused(qtbot: Any, app: App) -> None:
    page = open_members(app)
    search(qtbot, page, GOLD_CARD)
    before = len(award_rows(app))
    for award_id in ("survey", "review_photo"):
        dialog = choose(qtbot, page, award_id)  # Enter with the reason left empty
        assert dialog.isVisible()
        assert dialog.notice.text() == "Say what the member did (e.g. the survey's name): this award needs a reason."
        dialog.reject()
    assert len(award_rows(app)) == before
    dialog = choose(qtbot, page, "review_photo", "photo review of the thermos cup")
    assert not dialog.isVisible()
    assert award_rows(app)[before:] == [{"points": 50, "award": "review_photo",
                                         "reason": "photo review of the thermos cup"}]
