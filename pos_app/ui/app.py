"""The composition root: builds the terminal, view-models and window once and wires them.
No global application object: everything is passed down through constructors."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pos_app
from pos_app.core.errors import PosError
from pos_app.services import online, printing
from pos_app.services.context import Terminal
from pos_app.services.paths import app_paths
from pos_app.services.settings import load_settings, startup_language
from pos_app.storage.database import private_dir, private_file
from pos_app.storage.instance_lock import hold_lock
from pos_app.storage.paths import data_root
from pos_app.storage.replica import pending_count
from pos_app.ui.backup import AutoBackupWorker
from pos_app.ui.camera import CameraBridge
from pos_app.ui.errors import message
from pos_app.ui.printing import PrinterWorker
from pos_app.ui.printing import state_text as printer_state_text
from pos_app.ui.qt import (
    QApplication,
    QCoreApplication,
    QIcon,
    QLibraryInfo,
    QLocale,
    QMessageBox,
    QThreadPool,
    QTranslator,
)
from pos_app.ui.scanner import ScannerInput, ScanRouter
from pos_app.ui.sync import SyncWorker
from pos_app.ui.sync import state_text as sync_state_text
from pos_app.ui.sync import worker_for as sync_worker_for
from pos_app.ui.viewmodels.checkout import CheckoutViewModel
from pos_app.ui.viewmodels.customer_display import CustomerDisplayViewModel
from pos_app.ui.viewmodels.session import SessionViewModel
from pos_app.ui.widgets.customer_display import CustomerDisplayWindow
from pos_app.ui.widgets.first_start import FirstStartDialog
from pos_app.ui.workers import ImmediatePool

LANGUAGES = ("zh_CN", "en")
log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate finds translate("Context", "text") calls


def translations_dir() -> Path:
    return data_root() / "resources" / "translations"


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Chinese first: the source strings are English, zh_CN comes from the compiled .qm."""
    translator = QTranslator(app)
    qm = translations_dir() / f"pos_app_{language}.qm"
    if language != "en" and translator.load(str(qm)):
        app.installTranslator(translator)
        # Qt's own texts (dialog buttons, the text fields' context menu) from Qt's catalogue
        qt_own = QTranslator(app)
        if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt_own)
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        return translator
    if language != "en":
        log.warning("no translation file %s; the window speaks English", qm)
    return None


@dataclass
class App:
    """Everything the window is made of, for the window and for tests."""

    terminal: Terminal
    session: SessionViewModel
    checkout: CheckoutViewModel
    window: object
    pool: QThreadPool | ImmediatePool
    language: str
    tier_names: dict[str, str] = field(default_factory=dict)
    scanner: ScannerInput | None = None  # barcode scanner input (pos_app.ui.scanner); start() in main()
    router: ScanRouter | None = None  # sends each scan to the screen that is showing
    camera: CameraBridge | None = None  # started from the settings when a camera_device is set
    printer: PrinterWorker | None = None  # prints the queue off the UI thread; start() in main()
    sync: SyncWorker | None = None  # syncs with headquarters off the UI thread (enrolled tills); start() in main()
    backup: AutoBackupWorker | None = None  # the daily automatic backup off the UI thread; start() in main()
    display: CustomerDisplayWindow | None = None  # the customer display (客显), placed by display.mode

    def stop_devices(self) -> None:
        """Stop the printer, scanner, camera and sync workers (each joins its thread promptly)."""
        for device in (self.printer, self.scanner, self.camera, self.sync, self.backup):
            if device is not None:
                device.stop()

    def apply_device_settings(self, changed: list[str]) -> None:
        """Saved settings take effect at once: the scanner re-reads its framing, the camera
        restarts when its device or decoder changed, the printer is tried again."""
        s = load_settings(self.terminal)
        if self.scanner is not None and any(k.startswith("scanner.") for k in changed):
            self.scanner.apply(s)
        if self.camera is not None and ("camera.device" in changed or "decoder.backend" in changed):
            self.camera.start_from_settings(s)
        if self.printer is not None and any(k.startswith(("printer.", "receipt.")) for k in changed):
            self.printer.poke()
        if self.display is not None and any(k.startswith("display.") for k in changed):
            self.display.vm.reload_settings()
            if "display.mode" in changed:
                self.display.place(s.display_mode)
        self.window.refresh_status()  # type: ignore[attr-defined]

    def refresh_after_pull(self, report: object) -> None:
        """A sync round brought changes: the screens that show a member or the gifts read them
        again (a sale at another store, HQ's stock, a new program), so nothing stale stays up."""
        if report is None or not getattr(report, "pulled", 0):
            return
        self.checkout.reload_member()
        if self.display is not None:  # a new program: its promotions
            self.display.vm.reload_settings()
        pages = self.window.work.pages  # type: ignore[attr-defined]
        for key in ("gifts", "members"):
            vm = getattr(pages.get(key), "vm", None)
            reload = getattr(vm, "reload", None)
            if callable(reload):
                reload()

    def status_text(self) -> str:
        t = self.terminal
        who = self.session.staff
        shift = self.session.shift
        waiting = pending_count(t.database)
        last = t.repo.setting("sync.last_success") or translate("App", "never")
        if self.sync is not None and self.sync.state in ("offline", "error"):
            last += " " + translate("App", "(%1)").replace("%1", sync_state_text(self.sync.state))
        devices = load_settings(t)
        # live device states where a worker reports them, the configured device otherwise
        printer = printer_state_text(self.printer.state) if self.printer is not None and self.printer.state else {
            "none": translate("App", "not set up"), "usb": "USB", "network": devices.printer_host,
            "serial": devices.printer_serial_port, "file": translate("App", "file")}.get(
            devices.printer_connection, devices.printer_connection)
        queued = printing.pending_count(t)
        if queued:
            printer += " " + translate("App", "(%1 queued)").replace("%1", str(queued))
        scanner = translate("App", "keyboard") if devices.scanner_mode == "keyboard" else devices.scanner_serial_port
        if devices.scanner_mode == "serial" and self.scanner is not None:
            scanner += " " + {"connected": translate("App", "connected"),
                              "disconnected": translate("App", "disconnected"),
                              "stopped": translate("App", "off")}.get(self.scanner.state, "")
        camera = translate("App", "none") if devices.camera_device is None else camera_name(devices.camera_device)
        if devices.camera_device is not None and self.camera is not None:
            camera += " " + {"running": translate("App", "on"), "starting": translate("App", "starting"),
                             "no_camera": translate("App", "not found"), "lost": translate("App", "lost"),
                             "stopped": translate("App", "off"),
                             "no_decoder": translate("App", "no decoder")}.get(self.camera.current_state, "")
        if t.database.damage:  # nothing else is read from a damaged file
            return f"{t.store_id}/{t.terminal_id} · " + translate(
                "App", "DATABASE DAMAGED: nothing is written; restore the last checked backup")
        parts = [
            f"{t.store_id}/{t.terminal_id}",
            translate("App", "Cashier: %1").replace("%1", f"{who.code} {who.name}" if who else "—"),
            translate("App", "Shift: %1").replace("%1", shift.shift_no.rsplit("-", 1)[-1] if shift
                                                  else translate("App", "closed")),
            translate("App", "Sync: %1 waiting, last %2").replace("%1", str(waiting)).replace("%2", last),
            translate("App", "Printer: %1").replace("%1", printer),
            translate("App", "Scanner: %1").replace("%1", scanner),
            translate("App", "Camera: %1").replace("%1", camera),
        ]
        if self.backup is not None and self.backup.last_error:
            parts.append(translate("App", "Backup failed: %1").replace("%1", self.backup.last_error))
        return " · ".join(parts)


def camera_name(device: int | str) -> str:
    """The camera as the status bar names it: its number or path, a stream by scheme, host and port."""
    if isinstance(device, str) and "://" in device:
        from urllib.parse import urlsplit

        parts = urlsplit(device)
        return f"{parts.scheme}://{parts.netloc}"
    return str(device)


def build(terminal: Terminal, *, pool: QThreadPool | ImmediatePool | None = None, language: str = "zh_CN") -> App:
    from pos_app.ui.main_window import MainWindow
    from pos_app.ui.widgets.checkout import CheckoutPage

    session = SessionViewModel(terminal)
    pool = pool or QThreadPool.globalInstance()
    checkout = CheckoutViewModel(terminal, lambda: session.staff_code, language, pool=pool)
    tiers = {tr.id: (tr.name_zh if language == "zh_CN" else tr.name_en) for tr in terminal.program.tiers.tiers}
    app = App(terminal, session, checkout, None, pool, language)
    window = MainWindow(session, translate("App", "Loyalty checkout") + f" — {terminal.store_id}", app.status_text)
    app.window = window
    app.tier_names = tiers
    checkout_page = CheckoutPage(checkout, tiers)
    window.work.add_page("checkout", translate("App", "Checkout"), checkout_page, "F1")
    app.camera = CameraBridge(window)
    checkout_page.camera_view.attach(app.camera)
    app.camera.start_from_settings(load_settings(terminal))  # nothing starts without a camera_device
    # F2-F4 and F12 act inside the checkout screen; F1 and F5-F10 switch screens.
    # each screen gets what it uses (its view-model, the session); the view-models get the terminal and pool
    from pos_app.ui.viewmodels.adjustments import AdjustmentsViewModel
    from pos_app.ui.viewmodels.gifts import GiftsViewModel
    from pos_app.ui.viewmodels.members import MembersViewModel
    from pos_app.ui.viewmodels.refunds import RefundsViewModel
    from pos_app.ui.viewmodels.reports import ReportsViewModel
    from pos_app.ui.viewmodels.settings import SettingsViewModel
    from pos_app.ui.widgets.adjustments import AdjustmentsPage
    from pos_app.ui.widgets.gifts import GiftsPage
    from pos_app.ui.widgets.members import MembersPage
    from pos_app.ui.widgets.refunds import RefundsPage
    from pos_app.ui.widgets.reports import ReportsPage
    from pos_app.ui.widgets.settings import SettingsPage

    staff_code = lambda: session.staff_code  # noqa: E731
    members_vm = MembersViewModel(terminal, app.pool, staff_code=staff_code, is_manager=lambda: session.is_manager,
                                  tier_names=tiers, language=language)
    window.work.add_page("members", translate("App", "Members"), MembersPage(members_vm, session), "F5")
    gifts_vm = GiftsViewModel(terminal, staff_code, language, pool=app.pool)
    window.work.add_page("gifts", translate("App", "Gifts"), GiftsPage(gifts_vm, session, tiers), "F6")
    refunds_vm = RefundsViewModel(terminal, staff_code)
    refunds_page = RefundsPage(refunds_vm, session)
    window.work.add_page("refunds", translate("App", "Refunds"), refunds_page, "F7")
    adjustments_vm = AdjustmentsViewModel(terminal, app.pool)
    window.work.add_page("adjustments", translate("App", "Adjustments"), AdjustmentsPage(adjustments_vm, session), "F8")
    reports_vm = ReportsViewModel(terminal, session, app.pool, language)
    window.work.add_page("reports", translate("App", "Reports"), ReportsPage(reports_vm), "F9")
    settings_vm = SettingsViewModel(terminal, session)
    window.work.add_page("settings", translate("App", "Settings"), SettingsPage(settings_vm), "F10")
    from pos_app.ui.viewmodels.staff import StaffViewModel
    from pos_app.ui.widgets.staff import StaffPage

    window.work.add_page("staff", translate("App", "Staff"), StaffPage(StaffViewModel(terminal, session), session),
                         "Ctrl+F10")
    checkout.sale_completed.connect(lambda _r: window.refresh_status())
    # every screen starts fresh for the next customer after a sale, for the next cashier after a logout
    checkout.sale_completed.connect(lambda _r: window.work.reset_pages("sale"))
    session.logged_out.connect(lambda: window.work.reset_pages("logout"))
    checkout.error_raised.connect(lambda _text: window.refresh_status())  # e.g. the database found damaged
    # printing: the worker prints queued jobs off the UI thread; a completed sale pokes it
    app.printer = PrinterWorker(terminal, parent=window)
    checkout.sale_completed.connect(app.printer.poke)
    refunds_page.print_queued.connect(app.printer.poke)
    app.printer.state_changed.connect(lambda _state: window.refresh_status())
    app.printer.queue_changed.connect(lambda _n: window.refresh_status())
    # sync: rounds with headquarters off the UI thread, soon after each sale (enrolled tills only)
    app.sync = sync_worker_for(terminal, parent=window)
    if app.sync is not None:
        checkout.sale_completed.connect(app.sync.poke)
        app.sync.state_changed.connect(lambda _state: window.refresh_status())
        app.sync.synced.connect(lambda _report: window.refresh_status())
        app.sync.synced.connect(app.refresh_after_pull)
        online.prepare(terminal)  # the first member lookup at the counter does not wait for httpx to load
    # automatic backup: daily, checked hourly, off the UI thread; a failure shows in the status bar
    app.backup = AutoBackupWorker(terminal, app_paths(), app.pool, parent=window)
    app.backup.failed.connect(lambda _text: window.refresh_status())
    app.backup.finished.connect(lambda _result: window.refresh_status())
    # scanners: a keyboard-wedge burst or a serial scan goes to the screen that is showing
    # (ScanRouter); nothing listens until app.scanner.start() (main() does; tests choose)
    app.scanner = ScannerInput(load_settings(terminal))
    router = app.router = ScanRouter(terminal, session, checkout, window)
    app.scanner.scanned.connect(router.route)
    # a code the camera reads means what the same code from a scanner means, through the same gate
    app.camera.code.connect(lambda _fmt, text: router.route(text, "camera"))
    app.scanner.state_changed.connect(lambda _state: window.refresh_status())
    app.camera.state.connect(lambda _state: window.refresh_status())
    settings_vm.saved.connect(lambda keys: app.apply_device_settings(keys))
    # the customer display follows the checkout; it opens on a second screen (display.mode)
    app.display = CustomerDisplayWindow(CustomerDisplayViewModel(checkout, language))
    app.display.place(load_settings(terminal).display_mode)
    # a donation made on the gifts screen thanks the customer on their screen, with the campaign's progress
    from pos_app.ui.viewmodels.donations import display_message

    display_vm = app.display.vm
    window.work.pages["gifts"].donation_done.connect(  # type: ignore[attr-defined]
        lambda r: display_vm.show_donation(*display_message(terminal, r)))
    # and a lottery draw's result (积分抽奖: the prize, or the thanks for taking part)
    from pos_app.ui.viewmodels.draws import display_message as draw_message

    window.work.pages["gifts"].draw_done.connect(  # type: ignore[attr-defined]
        lambda r: display_vm.show_draw_result(*draw_message(r)))
    window.destroyed.connect(app.display.deleteLater)
    qapp = QApplication.instance()
    if isinstance(qapp, QApplication):  # a second screen plugged in or out (auto mode follows it)
        qapp.screenAdded.connect(app.display.follow_screens)
        qapp.screenRemoved.connect(app.display.follow_screens)
    settings_vm.print_queued.connect(lambda _job: app.printer.poke() if app.printer else None)
    return app


def setup_logging(log_dir: Path) -> None:
    private_dir(log_dir)  # the logs name members and staff: this user only
    private_file(log_dir / "pos-app.log")  # rotated files are renames of it: they keep its mode
    handler = logging.handlers.RotatingFileHandler(
        log_dir / "pos-app.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    from pos_app.services.context import default_db

    parser = argparse.ArgumentParser(prog="pos-app-gui", description="积分收银台 cashier window")
    parser.add_argument("--db", default=None)
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help="default: the language saved in Settings")
    parser.add_argument("--kiosk", action="store_true",
                        help="a self-service check-in point: members scan their member code (签到)")
    args = parser.parse_args(argv)
    setup_logging(app_paths().log_dir)
    log.info("pos-app %s starting (%s)", pos_app.__version__, "frozen" if getattr(sys, "frozen", False) else "source")
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setWindowIcon(QIcon(str(data_root() / "resources" / "icons" / "pos-app.png")))
    style = data_root() / "resources" / "style.qss"
    if style.exists():
        qapp.setStyleSheet(style.read_text(encoding="utf-8"))
    db_path = Path(args.db or default_db())
    installed: str | None = None  # the language of the translator installed so far
    try:
        instance = hold_lock(db_path)  # one window per database, held until exit; restore refuses meanwhile
        if db_path.exists():
            terminal = Terminal.open(db_path)
        else:  # a fresh install: the first manager sets the till up
            installed = args.lang or "zh_CN"
            install_translator(qapp, installed)
            log.info("first start: no database at %s", db_path)
            first = FirstStartDialog(db_path)
            if first.exec() != FirstStartDialog.DialogCode.Accepted or first.terminal is None:
                log.info("first start cancelled")
                return 0
            terminal = first.terminal
            log.info("first start: terminal %s/%s created at %s", terminal.store_id, terminal.terminal_id, db_path)
    except PosError as exc:  # no traceback for a cashier: a sentence, the details in the log
        if installed is None:
            install_translator(qapp, args.lang or "zh_CN")
        log.error("cannot open the terminal database: %s", exc)
        QMessageBox.critical(None, translate("App", "Loyalty checkout"), message(exc))
        return 2
    language = args.lang or startup_language(terminal)
    if language != installed:
        install_translator(qapp, language)
    if args.kiosk:
        return _kiosk(qapp, terminal, instance)
    app = build(terminal, language=language)
    app.window.show()  # type: ignore[attr-defined]
    log.info("cashier window shown: login screen for %s/%s (%s)", terminal.store_id, terminal.terminal_id, db_path)
    assert app.scanner is not None
    app.scanner.start()
    assert app.printer is not None
    app.printer.start()
    if app.sync is not None:
        app.sync.start()
    assert app.backup is not None
    app.backup.start()
    code = qapp.exec()
    if app.display is not None:
        app.display.close()
    app.stop_devices()
    terminal.close()
    instance.release()
    return int(code)


def _kiosk(qapp: QApplication, terminal: Terminal, instance: Any) -> int:
    """The check-in point's window alone (``--kiosk``): no staff, no sales."""
    from pos_app.ui.widgets.kiosk import KioskWindow

    online.prepare(terminal)
    window = KioskWindow(terminal)
    window.showFullScreen()
    log.info("check-in kiosk shown for %s/%s", terminal.store_id, terminal.terminal_id)
    code = qapp.exec()
    terminal.close()
    instance.release()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
