"""Barcode scanners in the window: keyboard-wedge bursts caught wherever the focus is, serial
scanners read on a thread, and the router that sends a scan to the screen that is showing.

- ``KeyboardWedge``: an event filter installed on the QApplication. The timing decisions are
  made by the Qt-free ``pos_app.devices.wedge.WedgeDecoder``; this class only copies key
  events in and out. The first key of a possible burst reaches a text field at once (its
  state is saved first, and put back if the burst turns out to be a scan); the keys that
  follow quickly are held and replayed, in order, when it is not a scan. The Enter or Tab
  that ends a scan never reaches the focused widget (no ``returnPressed``).
- ``SerialBridge``: ``pos_app.devices.serial_scanner.SerialScanner`` with its callbacks turned
  into queued signals, so scans and state changes arrive on the UI thread.
- ``ScannerInput``: whichever of the two the settings ask for, behind one ``scanned(str)``
  signal and one ``state`` ("keyboard", "connected", "disconnected", "stopped").
- ``ScanRouter``: the one gate every scan source passes (wedge, serial, camera), and where a
  scan goes (see ``ScanRouter.route``). The wedge catches bursts whatever is showing (the login
  screen, a dialog): a scan's keys never reach a dialog, so its Enter never presses a button.

Key times: by default the time the window system stamped on each key (X server time on
Linux), not the time the filter sees it. When the UI thread is busy (a sale being committed,
a screen being built) keys wait in the queue and arrive together; their stamps still tell a
person's keys from a scanner's. Keys without a stamp (synthesised ones) fall back to the
monotonic clock, and a change of time base or a stamp going backwards counts as a pause. Only
those times judge where a burst ends: the hold timer, which runs on arrival, only decides when
held keys are shown (a person's quick pair of keys must not wait for ever). Keys handed over
late (a stalled UI thread, a loaded X server, a remote desktop, a Bluetooth scanner) that carry
stamps within the gap still continue their burst, and a scan takes back what was shown of it.

Input methods: a Chinese IME takes key presses for its composition before the application
sees them, so the fields a scanner types into (member, product code, coupon, amount, points)
have the input method switched off (``disable_input_method``). When keys do arrive while a
field holds an uncommitted composition (preedit), the first key is held too, so a scan
leaves the composition untouched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pos_app.devices.serial_scanner import SerialScanner
from pos_app.devices.wedge import KeyKind, WedgeConfig, WedgeDecoder
from pos_app.services import scans
from pos_app.services.context import Terminal
from pos_app.services.settings import TerminalSettings
from pos_app.ui.qt import QApplication, QEvent, QKeyEvent, QLineEdit, QObject, Qt, QTimer, QWidget, Signal
from pos_app.ui.viewmodels.checkout import CheckoutViewModel
from pos_app.ui.viewmodels.session import SessionViewModel

log = logging.getLogger(__name__)

_MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr,
                  Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock}
_COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                      | Qt.KeyboardModifier.MetaModifier)


def wedge_config(s: TerminalSettings) -> WedgeConfig:
    return WedgeConfig(max_gap_ms=s.scanner_max_gap_ms, min_length=s.scanner_min_length, prefix=s.scanner_prefix,
                       suffix=s.scanner_suffix, terminator=s.scanner_terminator)


def disable_input_method(edit: QLineEdit) -> None:
    """A field a scanner types into: no input method (it would swallow the keys), Latin only."""
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    edit.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoPredictiveText
                             | Qt.InputMethodHint.ImhNoAutoUppercase)


def monotonic_ms() -> float:
    return time.monotonic() * 1000.0


@dataclass(frozen=True)
class _Key:
    """A copy of a key press, to deliver later (the event itself is gone by then)."""

    key: int
    modifiers: Qt.KeyboardModifier
    text: str
    target: QWidget


class KeyboardWedge(QObject):
    """Application-wide event filter for keyboard-wedge scanners.

    Signals: ``scanned(str)``. ``clock`` returns milliseconds (tests inject one); None (the
    default) takes each key's window-system time stamp. Once installed it catches bursts
    whatever has the focus (a dialog too); whether a scan is taken is ``ScanRouter``'s call.
    """

    scanned = Signal(str)

    def __init__(self, config: WedgeConfig | None = None, *, clock: Callable[[], float] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self._base = ""  # the time base of the last key: "stamp" or "clock"
        self._last_at = 0.0
        self._decoder: WedgeDecoder[_Key] = WedgeDecoder(config or WedgeConfig())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._replaying = False
        self._installed: QApplication | None = None
        self._snapshot: tuple[QLineEdit, str, int, int, int] | None = None
        self._composing: QWidget | None = None  # a widget with an uncommitted IME composition
        self.set_config(self._decoder.config)

    # -- set-up ----------------------------------------------------------------------------------------
    @property
    def config(self) -> WedgeConfig:
        return self._decoder.config

    def set_config(self, config: WedgeConfig) -> None:
        self._deliver(self._decoder.end())
        self._decoder = WedgeDecoder(config)
        self._hold_ms = int(config.max_gap_ms) + 15  # a little past the gap: the next key wins
        self._timer.setInterval(self._hold_ms)

    def install(self, app: QApplication | None = None) -> None:
        target = app or QApplication.instance()
        if isinstance(target, QApplication) and self._installed is None:
            target.installEventFilter(self)
            self._installed = target

    def uninstall(self) -> None:
        if self._installed is not None:
            self._installed.removeEventFilter(self)
            self._installed = None
        self._timer.stop()
        self._deliver(self._decoder.end())

    @property
    def installed(self) -> bool:
        return self._installed is not None

    # -- the filter -------------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._replaying:
            return False
        kind = event.type()
        if kind == QEvent.Type.InputMethod and isinstance(obj, QWidget):
            self._track_composition(obj, event)
            return False
        if kind != QEvent.Type.KeyPress or not isinstance(obj, QWidget) or not isinstance(event, QKeyEvent):
            return False
        focus = QApplication.focusWidget()
        if not (obj is focus or (focus is None and obj.isWindow())):
            return False  # the same key on its way up to a parent, or to the window handle
        key_kind, text = self._classify(event)
        copy = _Key(event.key(), event.modifiers(), event.text(), obj)
        may_pass = (key_kind == "char" and isinstance(obj, QLineEdit) and not obj.isReadOnly()
                    and self._composing is not obj)
        at = self._key_time(event)
        step = self._decoder.feed(copy, kind=key_kind, text=text, at=at, may_pass=may_pass)
        self._deliver(step.replay)
        if step.undo:
            self._restore()
        if key_kind == "char" and len(self._decoder.pending) == 1:  # this key starts a burst
            self._snapshot = None
            if isinstance(obj, QLineEdit) and not obj.isReadOnly():  # as it was, should the burst be a scan
                self._snapshot = (obj, obj.text(), obj.cursorPosition(), obj.selectionStart(),
                                  len(obj.selectedText()))
        if self._decoder.holding:
            self._timer.start(self._hold_ms)
        else:
            self._timer.stop()
        if step.scan is not None:
            self.scanned.emit(step.scan)
        return step.current != "pass"

    def _key_time(self, event: QKeyEvent) -> float:
        """When the key was pressed, in ms: the injected clock, else the event's stamp, else now.
        Held keys are let go first when the time base changed or the stamp went backwards (a
        wrapped X server clock): their times cannot be compared with this key's."""
        if self.clock is not None:
            return self.clock()
        stamp = event.timestamp()
        base, at = ("stamp", float(stamp)) if stamp else ("clock", monotonic_ms())
        if self._base and (base != self._base or at < self._last_at):
            self._timer.stop()
            self._deliver(self._decoder.end())
        self._base, self._last_at = base, at
        return at

    @staticmethod
    def _classify(event: QKeyEvent) -> tuple[KeyKind, str]:
        key, text, mods = event.key(), event.text(), event.modifiers()
        if key in _MODIFIER_KEYS:
            return "modifier", ""
        if mods & _COMMAND_MODIFIERS or event.isAutoRepeat():  # shortcuts; a key held down is a person
            return "other", ""
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return "enter", ""
        if key == Qt.Key.Key_Tab:
            return "tab", ""
        if len(text) == 1 and text.isprintable():
            return "char", text
        return "other", ""

    def _track_composition(self, widget: QWidget, event: QEvent) -> None:
        preedit = getattr(event, "preeditString", None)
        if preedit is not None and preedit():
            self._composing = widget
        elif self._composing is widget:
            self._composing = None

    def _deliver(self, keys: tuple[_Key, ...]) -> None:
        """Replay held keys to the widget they were meant for, past this filter."""
        self._replaying = True
        try:
            for k in keys:
                try:
                    QApplication.sendEvent(k.target, QKeyEvent(QEvent.Type.KeyPress, k.key, k.modifiers, k.text))
                except RuntimeError:  # the widget was deleted meanwhile: its keys go with it
                    log.debug("held key for a deleted widget dropped")
        finally:
            self._replaying = False

    def _restore(self) -> None:
        """Take back what a burst that became a scan showed: the text field as it was before it."""
        snap, self._snapshot = self._snapshot, None
        if snap is None:
            return
        edit, text, cursor, sel_start, sel_len = snap
        try:
            edit.setText(text)
            if sel_start >= 0 and sel_len:
                edit.setSelection(sel_start, sel_len)
            else:
                edit.setCursorPosition(cursor)
        except RuntimeError:  # pragma: no cover - the field was deleted
            pass

    def _on_timeout(self) -> None:
        """Nothing came for a while: show the held keys. The burst stays open (see the module)."""
        self._deliver(self._decoder.expire())


class SerialBridge(QObject):
    """A serial scanner's thread callbacks as signals on the UI thread.

    Signals: ``scanned(str)``, ``state_changed(str)`` ("connected", "disconnected", "stopped").
    """

    scanned = Signal(str)
    state_changed = Signal(str)
    _scan_arrived = Signal(str)  # emitted on the reader thread, delivered queued
    _state_arrived = Signal(str)

    def __init__(self, port: str, baud: int, *, prefix: str = "", suffix: str = "",
                 factory: Callable[..., Any] = SerialScanner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scan_arrived.connect(self.scanned, Qt.ConnectionType.QueuedConnection)
        self._state_arrived.connect(self._on_state, Qt.ConnectionType.QueuedConnection)
        self.state = "stopped"
        self.reader = factory(port, baud, on_scan=self._scan_arrived.emit, on_state=self._state_arrived.emit,
                              prefix=prefix, suffix=suffix)

    def _on_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    def start(self) -> None:
        self.reader.start()

    def stop(self) -> None:
        self.reader.stop()
        self._on_state("stopped")


class ScannerInput(QObject):
    """The terminal's scanner as the settings describe it (keyboard wedge or serial).

    Signals: ``scanned(str)`` (the code, prefix and suffix stripped), ``state_changed(str)``.
    ``state``: "keyboard" (wedge filter installed), "connected" / "disconnected" (serial),
    "stopped". Nothing listens to the keyboard or the port until ``start()``.
    """

    scanned = Signal(str)
    state_changed = Signal(str)

    def __init__(self, settings: TerminalSettings, *, clock: Callable[[], float] | None = None,
                 serial_factory: Callable[..., Any] = SerialScanner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.wedge = KeyboardWedge(wedge_config(settings), clock=clock, parent=self)
        self.wedge.scanned.connect(self.scanned)
        self.serial: SerialBridge | None = None
        self._serial_factory = serial_factory
        self.state = "stopped"
        self._started = False

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def start(self) -> None:
        self._started = True
        s = self.settings
        if s.scanner_mode == "serial" and s.scanner_serial_port:
            self.serial = SerialBridge(s.scanner_serial_port, s.scanner_baud, prefix=s.scanner_prefix,
                                       suffix=s.scanner_suffix, factory=self._serial_factory, parent=self)
            self.serial.scanned.connect(self.scanned)
            self.serial.state_changed.connect(self._set_state)
            self.serial.start()
        else:
            self.wedge.set_config(wedge_config(s))
            self.wedge.install()
            self._set_state("keyboard")

    def stop(self) -> None:
        self.wedge.uninstall()
        if self.serial is not None:
            self.serial.stop()
            self.serial.deleteLater()
            self.serial = None
        self._started = False
        self._set_state("stopped")

    def apply(self, settings: TerminalSettings) -> None:
        """New settings (saved in the Settings screen): restart with them if running."""
        running = self._started
        if running:
            self.stop()
        self.settings = settings
        self.wedge.set_config(wedge_config(settings))
        if running:
            self.start()


class ScanRouter(QObject):
    """The one gate for every scan source (keyboard wedge, serial port, camera), then the screen
    that is showing; keep it simple:

    - nobody logged in (the login screen): dropped, with a notice there (a card held to the
      camera at login must not become the next sale's member);
    - a modal dialog (or a popup) open: given to the dialog when it takes scans (a
      ``take_scan(text)`` method, as the settings' Test scan has), otherwise dropped with a
      notice: a scan never presses a dialog's button;
    - checkout: ``CheckoutViewModel.scan`` (member, product, coupon, gift, ...; a receipt is
      answered with where refunds are made: a sale in progress stays);
    - any other screen first: its ``take_scan(ScanResult) -> bool``, when it has one, takes
      what belongs there (members: a member, or the field of an open form; gifts: a member or
      a gift; refunds: a receipt; adjustments: a member);
    - a receipt no screen took: the refunds screen with that sale;
    - anything else: switch to checkout and scan there.
    A gift scanned at checkout switches to the gifts screen with that gift (and the member).
    """

    MEMBER_KINDS = ("member_card", "member_qr", "phone")

    def __init__(self, terminal: Terminal, session: SessionViewModel, checkout: CheckoutViewModel,
                 window: Any) -> None:
        super().__init__()
        self.terminal = terminal
        self.session = session
        self.checkout = checkout
        self.window = window  # the MainWindow: its login screen and work area
        checkout.gift_requested.connect(self.show_gift)

    @property
    def _work(self) -> Any:
        return self.window.work

    def current_page(self) -> str:
        work = self._work
        current = work.stack.currentWidget()
        return next((key for key, page in work.pages.items() if page is current), "")

    def route(self, text: str, source: str = "scanner") -> None:
        """A scan from ``source`` ("scanner": wedge or serial, "camera"): through the gate, then
        to the screen that is showing."""
        if self.session.staff is None or self.window.stack.currentWidget() is not self._work:
            log.info("%s scan dropped: nobody is logged in", source)
            self.window.login.notice.info(self.tr("Scan ignored: log in first."))
            return
        dialog = QApplication.activeModalWidget() or QApplication.activePopupWidget()
        if dialog is not None:
            name = dialog.objectName() or type(dialog).__name__
            take = getattr(dialog, "take_scan", None)
            if callable(take):
                log.info("%s scan given to the open dialog %s", source, name)
                take(text)
                return
            log.info("%s scan dropped: the dialog %s is open", source, name)
            notice = getattr(dialog, "notice", None) or getattr(self._work.stack.currentWidget(), "notice", None)
            if notice is not None:
                notice.info(self.tr("Scan ignored: finish or close the open window first."))
            return
        self._dispatch(text)

    def _dispatch(self, text: str) -> None:
        page = self.current_page()
        result = scans.read_scan(self.terminal, text)
        log.info("scan read: %s, %d characters, on the %s screen", result.kind, len(text), page)
        if page != "checkout":
            take = getattr(self._work.pages.get(page), "take_scan", None)
            if callable(take) and take(result):
                return
            if result.kind == "receipt" and "refunds" in self._work.pages:
                self._work.show_page("refunds")
                self._work.pages["refunds"].take_scan(result)
                return
            self._work.show_page("checkout")
        self.checkout.scan(text)

    def show_gift(self, gift_code: str, member_ref: str, presence: str = "") -> None:
        """The member comes along as checkout identified them: present there, present here."""
        work = self._work
        gifts = work.pages["gifts"]
        if self.current_page() != "gifts":
            work.show_page("gifts")
        if member_ref:
            gifts.vm.identify(member_ref, presence_kind=presence or None)
        gifts.select_gift(gift_code)
        gifts.table.setFocus()
