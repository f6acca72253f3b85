"""The first-start dialog of a fresh install: fields, Enter from field to field, errors."""

from __future__ import annotations

from pathlib import Path

from pos_app.services import staff
from pos_app.ui.qt import Qt
from pos_app.ui.widgets.first_start import FirstStartDialog


def fill(dialog: FirstStartDialog, **values: str) -> None:
    for key, text in values.items():
        dialog.inputs[key].setText(text)


def test_enter_moves_on_then_creates_the_till(qtbot: object, tmp_path: Path) -> None:
    path = tmp_path / "pos.db"
    dialog = FirstStartDialog(path)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    qtbot.waitExposed(dialog)  # type: ignore[attr-defined]
    qtbot.keyClicks(dialog.inputs["store"], "S009")  # type: ignore[attr-defined]
    qtbot.keyClick(dialog.inputs["store"], Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert dialog.focusWidget() is dialog.inputs["terminal"]
    assert not path.exists()
    fill(dialog, terminal="T02", code="9001", name="Manager Wang", pin="1357", pin_again="1357")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):  # type: ignore[attr-defined]
        dialog.ok_button.click()
    assert dialog.terminal is not None
    try:
        assert (dialog.terminal.store_id, dialog.terminal.terminal_id) == ("S009", "T02")
        assert staff.authenticate(dialog.terminal, "9001", "1357").is_manager
    finally:
        dialog.terminal.close()


def test_a_wrong_field_is_named_and_nothing_is_written(qtbot: object, tmp_path: Path) -> None:
    path = tmp_path / "pos.db"
    dialog = FirstStartDialog(path)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    fill(dialog, store="S009", terminal="T02", code="9001", name="Manager Wang", pin="1357", pin_again="1358")
    dialog.ok_button.click()
    assert dialog.result() != FirstStartDialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.notice.text() == "The two PINs differ."
    assert dialog.inputs["pin"].text() == "" and dialog.focusWidget() is dialog.inputs["pin"]
    fill(dialog, pin="1357", pin_again="1357", code="12")
    dialog.ok_button.click()
    assert dialog.notice.text() == "The manager number is 3 to 8 digits."
    assert dialog.focusWidget() is dialog.inputs["code"]
    assert list(tmp_path.iterdir()) == []
