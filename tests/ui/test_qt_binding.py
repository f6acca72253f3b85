"""The Qt binding must not lose references: PySide6-Essentials 6.12.0 on Python 3.11 drops one
reference to ``None`` per void call, and the window aborted (none_dealloc) after about 235
sales. pyproject.toml pins the binding below 6.12; this test fails if a build brings it back."""

from __future__ import annotations

import sys

from pos_app.ui.qt import QLabel


def test_void_qt_calls_keep_the_reference_count_of_none(qtbot: object) -> None:
    label = QLabel()
    qtbot.addWidget(label)  # type: ignore[attr-defined]
    before = sys.getrefcount(None)
    for i in range(1000):
        label.setText(str(i))
    after = sys.getrefcount(None)
    assert after >= before - 10, f"None lost {before - after} references over 1,000 setText calls"
