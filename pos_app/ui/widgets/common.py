"""Small shared widget helpers: big touch-friendly buttons, money text, a notice line."""

from __future__ import annotations

from collections.abc import Callable

from pos_app.core.money import format_fen
from pos_app.ui.qt import (
    QBoxLayout,
    QCoreApplication,
    QDialog,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    QShortcut,
    QSize,
    Qt,
    QTimer,
    QWidget,
)
from pos_app.ui.scanner import disable_input_method

TOUCH_HEIGHT = 44
TOUCH_WIDTH = 72  # the narrowest a button gets: a fingertip target wider than it is high


class BigButton(QPushButton):
    """A touch-sized button that never gives up its label: at least ``TOUCH_WIDTH`` wide and
    ``TOUCH_HEIGHT`` high, and never narrower than its text needs. A fixed minimum size
    (``setMinimumSize``) would override the text's own minimum, so a crowded layout squeezed
    the label away ("Discount (Ctrl+D)" cut at 1024 px in English); the layouts are built to
    fit these honest minimums instead (tests/ui/test_layout_1024.py)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setMinimumHeight(TOUCH_HEIGHT)  # the height only: the width stays the text's

    def minimumSizeHint(self) -> QSize:
        return QSize(max(TOUCH_WIDTH, super().sizeHint().width()), TOUCH_HEIGHT)


def big_button(text: str, parent: QWidget | None = None, *, primary: bool = False) -> QPushButton:
    b = BigButton(text, parent)
    if primary:
        b.setObjectName("primary")
        b.setDefault(True)
    return b


class _ScreenKeysFirst(QObject):
    """Lets a showing screen's Ctrl keys win over a text field's own editing keys. On X11 a line
    edit takes Ctrl+U (delete the line) and Ctrl+K (delete to its end) for itself before any
    shortcut: with the cursor in the amount field, Ctrl+U (resume a sale) did nothing on a real
    X server (found by tests/ui/test_real_shift.py; the offscreen platform has no such keys)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[int, tuple[QWidget, list[QKeySequence]]] = {}  # id(screen) -> its Ctrl keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        key = QKeySequence(event.keyCombination())  # type: ignore[attr-defined]
        # True: not offered to the field, so the showing screen's shortcut fires
        return any(key in sequences and screen.isVisible() for screen, sequences in self.keys.values())


_keys_first: _ScreenKeysFirst | None = None


def screen_keys(screen: QWidget, keys: dict[str, Callable[[], object]]) -> list[QShortcut]:
    """A screen's own keys (F2, F12, Esc, ...): they act while the screen is the one showing,
    wherever the focus is in the window (the side list, a side button, a text field, nowhere).
    Qt fires a window shortcut only while its widget is visible: a screen behind another one, or
    behind the login screen, hears none of them, and a dialog (a window of its own) keeps its keys."""
    global _keys_first
    made = []
    for key, slot in keys.items():
        sc = QShortcut(QKeySequence(key), screen)
        sc.setContext(Qt.ShortcutContext.WindowShortcut)
        sc.activated.connect(slot)
        made.append(sc)
    ctrl = [sc.key() for sc in made if sc.key().toString().startswith("Ctrl+")]
    app = QCoreApplication.instance()
    if ctrl and app is not None:
        if _keys_first is None:
            _keys_first = _ScreenKeysFirst()
            app.installEventFilter(_keys_first)
        keeper, ident = _keys_first, id(screen)
        keeper.keys[ident] = (screen, ctrl)
        screen.destroyed.connect(lambda *_: keeper.keys.pop(ident, None))
    return made


def cancel_ok_row(dialog: QDialog, layout: QBoxLayout, cancel_text: str, ok_text: str,
                  on_ok: Callable[[], object]) -> tuple[QPushButton, QPushButton]:
    """A dialog's last row: Cancel (rejects) and its action, touch-sized, at the right. Neither
    is a default button: Enter in the dialog's field acts through the field (``returnPressed``)
    once; a default button fired a second time when the field passed Enter on to the dialog."""
    row = QHBoxLayout()
    cancel = big_button(cancel_text, dialog)
    ok = big_button(ok_text, dialog, primary=True)
    for b in (cancel, ok):
        b.setAutoDefault(False)
        b.setDefault(False)
    cancel.clicked.connect(dialog.reject)
    ok.clicked.connect(on_ok)
    row.addStretch(1)
    row.addWidget(cancel)
    row.addWidget(ok)
    layout.addLayout(row)
    return cancel, ok


def yuan(fen: int) -> str:
    return f"¥{format_fen(fen)}"


class Notice(QLabel):
    """A one-line message that fades after a while (errors stay until the next action)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setWordWrap(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    def error(self, text: str) -> None:
        self.setProperty("kind", "error")
        self.setText(text)
        self.style().polish(self)
        self._timer.stop()

    def info(self, text: str) -> None:
        self.setProperty("kind", "info")
        self.setText(text)
        self.style().polish(self)
        self._timer.start(8000)


def member_entry(parent: QWidget, row: QBoxLayout, object_name: str,
                 on_identify: Callable[[], None]) -> tuple[QLineEdit, QPushButton]:
    """The member field and its Identify button, as checkout and gifts both show them:
    a scan, card or phone number, confirmed by Enter or the button."""
    field = QLineEdit(parent)
    field.setObjectName(object_name)
    field.setPlaceholderText(QCoreApplication.translate(
        "MemberEntry", "Scan the member code, or type card or phone number (F2)"))
    field.returnPressed.connect(on_identify)
    disable_input_method(field)  # a Chinese IME would swallow a scanner's keys
    field.setMinimumWidth(220)  # a phone number stays readable beside the member's details
    row.addWidget(field, 2)
    button = big_button(QCoreApplication.translate("MemberEntry", "Identify"), parent)
    button.clicked.connect(on_identify)
    row.addWidget(button)
    return field, button
