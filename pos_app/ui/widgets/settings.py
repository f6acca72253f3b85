"""The settings screen: printer, scanner, camera, headquarters, language, about; Enter saves,
Esc puts back what is saved."""

from __future__ import annotations

import pos_app
from pos_app.core.errors import PosError
from pos_app.services import settings
from pos_app.services.backup import last_auto_backup
from pos_app.services.paths import app_paths
from pos_app.services.settings import TerminalSettings
from pos_app.ui.errors import message
from pos_app.ui.qt import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDialog,
    QEvent,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QObject,
    QScrollArea,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from pos_app.ui.viewmodels.settings import SettingsViewModel
from pos_app.ui.widgets.approval import ApprovalDialog
from pos_app.ui.widgets.common import Notice, big_button, screen_keys
from pos_app.ui.widgets.products import ProductImportDialog

_SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


class ScanTestDialog(QDialog):
    """Scan (or type) a code and Enter: shows how the till would read it. Esc closes."""

    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("scan_test")
        self.setWindowTitle(self.tr("Test scan"))
        self.setMinimumWidth(560)
        col = QVBoxLayout(self)
        intro = QLabel(self.tr("Scan a member card, phone number, product or coupon into the field below "
                               "(a keyboard-wedge scanner types it and presses Enter)."), self)
        intro.setWordWrap(True)
        col.addWidget(intro)
        if vm.settings.scanner_mode == "serial":
            note = QLabel(self.tr("The scanner is set to a serial port: scans from it work on the cashier "
                                  "screens; this test reads what is typed into the field below."), self)
            note.setWordWrap(True)
            col.addWidget(note)
        self.input = QLineEdit(self)
        self.input.setObjectName("scan_input")
        self.input.returnPressed.connect(self._classify)
        col.addWidget(self.input)
        self.result_label = QLabel(self.tr("Waiting for a scan…"), self)
        self.result_label.setObjectName("scan_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(_SELECTABLE)
        col.addWidget(self.result_label)
        self.history = QListWidget(self)
        self.history.setMaximumHeight(140)
        col.addWidget(self.history)
        self.close_button = big_button(self.tr("Close (Esc)"), self)
        self.close_button.setAutoDefault(False)  # Enter belongs to the scan field
        self.close_button.clicked.connect(self.reject)
        col.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.last_kind = ""
        # settle the size before the window exists: a change after it is shown makes the
        # offscreen/minimal platforms warn (propagateSizeHints)
        self.ensurePolished()
        col.activate()
        self.input.setFocus()

    def take_scan(self, text: str) -> None:
        """A scan while this dialog is open (``ScanRouter`` gives it here): shown as typed + Enter."""
        self.input.setText(text)
        self._classify()

    def _classify(self) -> None:
        result = self.vm.classify_scan(self.input.text())
        self.last_kind = result.kind
        text = self.vm.describe_scan(result)
        self.result_label.setText(text)
        self.history.insertItem(0, text)
        self.input.clear()  # ready for the next scan


class SettingsPage(QWidget):
    def __init__(self, vm: SettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.scan_dialog: ScanTestDialog | None = None
        self.approval: ApprovalDialog | None = None
        self._decoders_checked = False  # on first show: loading the decoders costs ~200 ms and 36 MB
        self._build()
        self.vm.loaded.connect(self._on_loaded)
        self.vm.saved.connect(self._on_saved)
        self.vm.save_refused.connect(self._on_save_refused)
        self.vm.print_queued.connect(self._on_print_queued)
        self.vm.error_raised.connect(self._on_error)
        self.vm.approval_needed.connect(self._on_approval_needed)
        self._on_loaded()

    def reset_screen(self, after: str) -> None:
        """Old messages go after a sale and a logout; a logout also drops what was typed and not
        saved (the saved settings show). A sale leaves a manager's unsaved changes alone: they
        belong to no customer."""
        if after == "logout":
            self.vm.load()
        self.notice.clear()

    def _fit_columns(self) -> None:
        margins = self._columns.contentsMargins()
        need = (self._left.minimumSize().width() + self._right.minimumSize().width() + self._columns.spacing()
                + margins.left() + margins.right())
        wide = self.form_scroll.viewport().width() >= need
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)

    def showEvent(self, event: QEvent) -> None:
        if not self._decoders_checked:
            self._decoders_checked = True
            self._check_decoders()
        super().showEvent(event)  # type: ignore[arg-type]

    def _check_decoders(self) -> None:
        """Grey out ZBar when its library does not load here (first shown: not at window start)."""
        from pos_app.devices.decoding import pyzbar_status

        zbar_ok, zbar_why = pyzbar_status()
        if not zbar_ok:  # the item stays visible, greyed out, with the reason as its tip
            item = self.decoder_backend.model().item(self.decoder_backend.findData("pyzbar"))  # type: ignore[attr-defined]
            item.setEnabled(False)
            item.setToolTip(zbar_why)

    # -- layout -------------------------------------------------------------------------------------
    def _line(self, parent: QWidget, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.returnPressed.connect(self.save)
        return edit

    def _build(self) -> None:
        root = QVBoxLayout(self)
        # the form scrolls inside the page so that every device setting fits a 1024x768 screen
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(scroll)
        scroll.setWidget(body)
        self.form_scroll = scroll
        # two columns where they fit, else one that scrolls down (``_fit_columns``): in English the
        # second column was cut off at 1024 px (the horizontal scroll bar is off)
        columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, body)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self._columns, self._left, self._right = columns, left, right
        scroll.viewport().installEventFilter(self)
        root.addWidget(scroll, 1)

        # printer
        box = QGroupBox(self.tr("Receipt printer"), self)
        form = QFormLayout(box)
        self.printer_connection = QComboBox(box)
        self.printer_connection.setObjectName("printer_connection")
        for value, label in (("none", self.tr("Not set up")), ("usb", self.tr("USB")),
                             ("network", self.tr("Network")), ("serial", self.tr("Serial port")),
                             ("file", self.tr("File or device path"))):
            self.printer_connection.addItem(label, value)
        form.addRow(self.tr("Connection"), self.printer_connection)
        self.printer_address = QStackedWidget(box)
        none_label = QLabel(self.tr("Receipts wait in the print queue until a printer is set up."), box)
        none_label.setWordWrap(True)
        self.printer_usb = self._line(box, "printer_usb", self.tr("vendor:product, e.g. 04b8:0202"))
        net = QWidget(box)
        net_row = QHBoxLayout(net)
        net_row.setContentsMargins(0, 0, 0, 0)
        self.printer_host = self._line(net, "printer_host", self.tr("host or IP, e.g. 192.168.1.50"))
        self.printer_port = self._line(net, "printer_port", "9100")
        self.printer_port.setMaximumWidth(90)
        net_row.addWidget(self.printer_host, 1)
        net_row.addWidget(QLabel(":", net))
        net_row.addWidget(self.printer_port)
        self.printer_serial = self._line(box, "printer_serial", self.tr("e.g. /dev/ttyUSB0 or COM3"))
        self.printer_file = self._line(box, "printer_file", self.tr("e.g. /dev/usb/lp0"))
        self._address_pages = {"none": none_label, "usb": self.printer_usb, "network": net,
                               "serial": self.printer_serial, "file": self.printer_file}
        for w in self._address_pages.values():
            self.printer_address.addWidget(w)
        form.addRow(self.tr("Address"), self.printer_address)
        self.paper_width = QComboBox(box)
        self.paper_width.setObjectName("paper_width")
        for mm in settings.PAPER_WIDTHS_MM:
            self.paper_width.addItem(self.tr("%1 mm").replace("%1", str(mm)), mm)
        form.addRow(self.tr("Paper width"), self.paper_width)
        self.printer_charset = QComboBox(box)
        self.printer_charset.setObjectName("printer_charset")
        for value, label in (("gbk", self.tr("GBK (most printers sold in China)")),
                             ("gb18030", self.tr("GB18030 (every character)")),
                             ("gb2312", self.tr("GB2312 (older Chinese fonts)")),
                             ("ascii", self.tr("No Chinese font (ASCII only)"))):
            self.printer_charset.addItem(label, value)
        self.printer_charset.setToolTip(self.tr("Characters the printer's font lacks print as a replacement "
                                                "(¥ as ￥, ñ as n, others as ?); the preview shows the same."))
        form.addRow(self.tr("Character set"), self.printer_charset)
        self.cash_drawer = QCheckBox(self.tr("Open the cash drawer after a cash sale"), box)
        self.cash_drawer.setObjectName("cash_drawer")
        form.addRow(self.cash_drawer)
        self.receipt_header = self._line(box, "receipt_header", self.tr("store name | address | phone"))
        form.addRow(self.tr("Receipt header"), self.receipt_header)
        self.receipt_footer = self._line(box, "receipt_footer", self.tr("e.g. Thank you for shopping with us"))
        form.addRow(self.tr("Receipt footer"), self.receipt_footer)
        self.test_print_button = big_button(self.tr("Test print"), box)
        self.test_print_button.setObjectName("test_print_button")
        self.test_print_button.clicked.connect(self.vm.test_print)
        form.addRow(self.test_print_button)
        self.printer_connection.currentIndexChanged.connect(self._on_connection_changed)
        left.addWidget(box)

        # scanner
        box = QGroupBox(self.tr("Scanner"), self)
        form = QFormLayout(box)
        self.scanner_mode = QComboBox(box)
        self.scanner_mode.setObjectName("scanner_mode")
        self.scanner_mode.addItem(self.tr("Keyboard wedge (USB, types like a keyboard)"), "keyboard")
        self.scanner_mode.addItem(self.tr("Serial port"), "serial")
        form.addRow(self.tr("Connection"), self.scanner_mode)
        row = QHBoxLayout()
        self.scanner_serial = self._line(box, "scanner_serial", self.tr("e.g. /dev/ttyUSB0 or COM3"))
        self.scanner_baud = QComboBox(box)
        self.scanner_baud.setObjectName("scanner_baud")
        for baud in settings.BAUD_RATES:
            self.scanner_baud.addItem(self.tr("%1 baud").replace("%1", str(baud)), baud)
        row.addWidget(self.scanner_serial, 1)
        row.addWidget(self.scanner_baud)
        form.addRow(self.tr("Serial port"), row)
        row = QHBoxLayout()
        self.scanner_gap = self._line(box, "scanner_gap", "50")
        self.scanner_gap.setMaximumWidth(70)
        self.scanner_min_length = self._line(box, "scanner_min_length", "6")
        self.scanner_min_length.setMaximumWidth(70)
        row.addWidget(QLabel(self.tr("Keys at most"), box))
        row.addWidget(self.scanner_gap)
        row.addWidget(QLabel(self.tr("ms apart, at least"), box))
        row.addWidget(self.scanner_min_length)
        row.addWidget(QLabel(self.tr("characters"), box))
        row.addStretch(1)
        form.addRow(self.tr("A scan is"), row)
        row = QHBoxLayout()
        self.scanner_prefix = self._line(box, "scanner_prefix", self.tr("prefix"))
        self.scanner_suffix = self._line(box, "scanner_suffix", self.tr("suffix"))
        self.scanner_prefix.setMaximumWidth(80)
        self.scanner_suffix.setMaximumWidth(80)
        self.scanner_terminator = QComboBox(box)
        self.scanner_terminator.setObjectName("scanner_terminator")
        for value, label in (("enter_or_tab", self.tr("Ends with Enter or Tab")), ("enter", self.tr("Ends with Enter")),
                             ("tab", self.tr("Ends with Tab"))):
            self.scanner_terminator.addItem(label, value)
        row.addWidget(self.scanner_prefix)
        row.addWidget(self.scanner_suffix)
        row.addWidget(self.scanner_terminator, 1)
        form.addRow(self.tr("Framing"), row)
        self.test_scan_button = big_button(self.tr("Test scan…"), box)
        self.test_scan_button.setObjectName("test_scan_button")
        self.test_scan_button.clicked.connect(self.open_scan_test)
        form.addRow(self.test_scan_button)
        self.import_products_button = big_button(self.tr("Import products…"), box)
        self.import_products_button.setObjectName("import_products_button")
        self.import_products_button.clicked.connect(self.open_product_import)
        form.addRow(self.import_products_button)
        self.scanner_mode.currentIndexChanged.connect(self._on_scanner_mode_changed)
        left.addWidget(box)

        # camera
        box = QGroupBox(self.tr("Camera (member QR codes)"), self)
        form = QFormLayout(box)
        # a camera by number from the list, or typed: a device path or a network stream's address
        self.camera = QComboBox(box)
        self.camera.setObjectName("camera")
        self.camera.setEditable(True)
        self.camera.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.camera.addItem(self.tr("No camera"), None)
        for i in range(settings.MAX_CAMERA_INDEX + 1):
            self.camera.addItem(self.tr("Camera %1").replace("%1", str(i)), i)
        camera_edit = self.camera.lineEdit()
        assert camera_edit is not None  # editable: it has one
        camera_edit.setObjectName("camera_source")
        camera_edit.setPlaceholderText(self.tr("a number, /dev/video2 or rtsp://…"))
        camera_edit.installEventFilter(self)  # Enter saves (eventFilter)
        self.camera.setToolTip(self.tr("Choose a camera by number, or type a device path such as /dev/video2 "
                                       "or a network camera's stream address such as "
                                       "rtsp://192.168.1.64/stream"))
        form.addRow(self.tr("Device"), self.camera)
        self.decoder_backend = QComboBox(box)
        self.decoder_backend.setObjectName("decoder_backend")
        for value, label in (("auto", self.tr("Automatic (zxing-cpp, then ZBar)")), ("zxing", "zxing-cpp"),
                             ("pyzbar", "ZBar (pyzbar)")):
            self.decoder_backend.addItem(label, value)
        form.addRow(self.tr("Decoder"), self.decoder_backend)
        self.camera_status = QLabel(box)
        self.camera_status.setObjectName("camera_status")
        self.camera_status.setWordWrap(True)
        form.addRow(self.camera_status)
        right.addWidget(box)

        # store, headquarters, language
        box = QGroupBox(self.tr("Store and headquarters"), self)
        form = QFormLayout(box)
        t = self.vm.terminal
        self.store_label = QLabel(t.store_id, box)
        self.store_label.setObjectName("store_id")
        self.store_label.setTextInteractionFlags(_SELECTABLE)
        form.addRow(self.tr("Store"), self.store_label)
        self.terminal_label = QLabel(t.terminal_id, box)
        self.terminal_label.setObjectName("terminal_id")
        self.terminal_label.setTextInteractionFlags(_SELECTABLE)
        form.addRow(self.tr("Terminal"), self.terminal_label)
        self.hq_url = self._line(box, "hq_url", "https://hq.example.com")
        form.addRow(QLabel(self.tr("Headquarters address"), box))
        form.addRow(self.hq_url)
        self.hq_ca_file = self._line(box, "hq_ca_file", self.tr("empty: the system's certificates"))
        form.addRow(QLabel(self.tr("Headquarters CA certificate (PEM file)"), box))
        form.addRow(self.hq_ca_file)
        self.member_qr_key = self._line(box, "member_qr_key", self.tr("sent down by headquarters"))
        form.addRow(QLabel(self.tr("Member QR code key (Ed25519, public)"), box))
        form.addRow(self.member_qr_key)
        # online member lookup: the longest the counter waits for headquarters, and how old a
        # member's copy may be before headquarters is asked again
        row = QHBoxLayout()
        self.lookup_budget = self._line(box, "lookup_budget", "300")
        self.lookup_budget.setMaximumWidth(70)
        row.addWidget(self.lookup_budget)
        row.addWidget(QLabel(self.tr("ms; ask again after"), box))
        self.lookup_stale = self._line(box, "lookup_stale", "120")
        self.lookup_stale.setMaximumWidth(70)
        row.addWidget(self.lookup_stale)
        row.addWidget(QLabel(self.tr("s"), box))
        row.addStretch(1)
        form.addRow(QLabel(self.tr("Member lookup at headquarters: wait at most"), box))
        form.addRow(row)
        # the partial replica: how long a member of another store identified here stays on the till
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Keep other stores' members seen here for"), box))
        self.replica_keep_days = self._line(box, "replica_keep_days", "30")
        self.replica_keep_days.setMaximumWidth(60)
        row.addWidget(self.replica_keep_days)
        row.addWidget(QLabel(self.tr("days"), box))
        row.addStretch(1)
        form.addRow(row)
        left.addWidget(box)

        box = QGroupBox(self.tr("Language"), self)
        form = QFormLayout(box)
        self.language = QComboBox(box)
        self.language.setObjectName("language")
        self.language.addItem("中文（简体）", "zh_CN")
        self.language.addItem("English", "en")
        form.addRow(self.tr("Window language"), self.language)
        self.language_note = QLabel(self.tr("Saved here, applied the next time the program starts."), box)
        self.language_note.setObjectName("language_note")
        self.language_note.setWordWrap(True)
        form.addRow(self.language_note)
        right.addWidget(box)

        # the customer display (客显): where it opens, its enrolment QR code, the gift nudge, the thanks
        box = QGroupBox(self.tr("Customer display"), self)
        form = QFormLayout(box)
        self.display_mode = QComboBox(box)
        self.display_mode.setObjectName("display_mode")
        for value, label in (("auto", self.tr("On a second screen, when there is one")), ("off", self.tr("Off")),
                             ("window", self.tr("A window on this screen"))):
            self.display_mode.addItem(label, value)
        form.addRow(self.tr("Shown"), self.display_mode)
        self.display_enrol_url = self._line(box, "display_enrol_url", "https://m.example.com/join?store=S001")
        enrol_label = QLabel(self.tr("Self-enrolment address (a QR code between customers)"), box)
        enrol_label.setWordWrap(True)
        form.addRow(enrol_label)
        form.addRow(self.display_enrol_url)
        row = QHBoxLayout()
        self.display_gift_distance = self._line(box, "display_gift_distance", "3000")
        self.display_gift_distance.setMaximumWidth(80)
        row.addWidget(self.display_gift_distance)
        row.addWidget(QLabel(self.tr("points"), box))
        row.addStretch(1)
        form.addRow(self.tr("Gift hint within"), row)
        row = QHBoxLayout()
        self.display_idle_seconds = self._line(box, "display_idle_seconds", "15")
        self.display_idle_seconds.setMaximumWidth(60)
        row.addWidget(self.display_idle_seconds)
        row.addWidget(QLabel(self.tr("seconds"), box))
        row.addStretch(1)
        form.addRow(self.tr("Thanks shown for"), row)
        right.addWidget(box)

        box = QGroupBox(self.tr("About"), self)
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.database_label = QLabel(str(t.database.path), box)
        self.database_label.setObjectName("database_path")
        self.database_label.setWordWrap(True)
        self.database_label.setTextInteractionFlags(_SELECTABLE)
        form.addRow(self.tr("Database"), self.database_label)
        # where the till's files are (services.paths); settings and the print queue are in the database
        self.paths = app_paths()
        self.backup_dir_label, self.log_dir_label, self.last_backup_label = (
            QLabel(str(self.paths.backup_dir), box), QLabel(str(self.paths.log_dir), box), QLabel(box))
        for name, label, value_label in (("backup_dir", self.tr("Backups folder"), self.backup_dir_label),
                                         ("log_dir", self.tr("Logs folder"), self.log_dir_label),
                                         ("last_backup", self.tr("Last automatic backup"), self.last_backup_label)):
            value_label.setObjectName(name)
            value_label.setWordWrap(True)
            value_label.setTextInteractionFlags(_SELECTABLE)
            form.addRow(label, value_label)
        self.program_label = QLabel(box)
        self.program_label.setObjectName("program_label")
        self.program_label.setWordWrap(True)
        form.addRow(self.tr("Loyalty program"), self.program_label)
        self.version_label = QLabel(pos_app.__version__, box)
        self.version_label.setObjectName("app_version")
        form.addRow(self.tr("App version"), self.version_label)
        right.addWidget(box)
        left.addStretch(1)
        right.addStretch(1)

        buttons = QHBoxLayout()
        self.notice = Notice(self)
        buttons.addWidget(self.notice, 1)
        self.revert_button = big_button(self.tr("Undo changes (Esc)"), self)
        self.revert_button.setObjectName("revert_button")
        self.revert_button.clicked.connect(self.revert)
        buttons.addWidget(self.revert_button)
        self.save_button = big_button(self.tr("Save (Enter)"), self, primary=True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        root.addLayout(buttons)

        self._fields: dict[str, QWidget] = {
            "printer.connection": self.printer_connection, "printer.usb": self.printer_usb,
            "printer.host": self.printer_host, "printer.port": self.printer_port,
            "printer.serial_port": self.printer_serial, "printer.file": self.printer_file,
            "printer.paper_mm": self.paper_width, "printer.charset": self.printer_charset,
            "scanner.mode": self.scanner_mode,
            "scanner.serial_port": self.scanner_serial, "scanner.baud": self.scanner_baud,
            "camera.device": self.camera, "hq.url": self.hq_url, "hq.ca_file": self.hq_ca_file,
            "ui.language": self.language,
            "printer.cash_drawer": self.cash_drawer, "receipt.header": self.receipt_header,
            "receipt.footer": self.receipt_footer, "scanner.max_gap_ms": self.scanner_gap,
            "scanner.min_length": self.scanner_min_length, "scanner.prefix": self.scanner_prefix,
            "scanner.suffix": self.scanner_suffix, "scanner.terminator": self.scanner_terminator,
            "decoder.backend": self.decoder_backend, "member_qr.public_key": self.member_qr_key,
            "lookup.budget_ms": self.lookup_budget, "lookup.stale_seconds": self.lookup_stale,
            "replica.keep_days": self.replica_keep_days,
            "display.mode": self.display_mode, "display.enrol_url": self.display_enrol_url,
            "display.gift_distance": self.display_gift_distance, "display.idle_seconds": self.display_idle_seconds,
        }
        for combo in self.findChildren(QComboBox):
            # long item texts must not widen the column past 1024x768
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        screen_keys(self, {"Ctrl+S": self.save})

    # -- form <-> settings ----------------------------------------------------------------------------
    def values(self) -> dict[str, object]:
        """What the form says, as the settings service takes it (text is checked there). Only the
        address of the chosen connection is sent: the others keep what was saved for them."""
        connection = self.printer_connection.currentData()
        out: dict[str, object] = {
            "printer.connection": connection, "printer.paper_mm": self.paper_width.currentData(),
            "printer.charset": self.printer_charset.currentData(),
            "scanner.mode": self.scanner_mode.currentData(), "camera.device": self._camera_value(),
            "hq.url": self.hq_url.text(), "hq.ca_file": self.hq_ca_file.text(),
            "ui.language": self.language.currentData(),
            "printer.cash_drawer": self.cash_drawer.isChecked(), "receipt.header": self.receipt_header.text(),
            "receipt.footer": self.receipt_footer.text(), "scanner.max_gap_ms": self.scanner_gap.text(),
            "scanner.min_length": self.scanner_min_length.text(), "scanner.prefix": self.scanner_prefix.text(),
            "scanner.suffix": self.scanner_suffix.text(), "scanner.terminator": self.scanner_terminator.currentData(),
            "decoder.backend": self.decoder_backend.currentData(), "member_qr.public_key": self.member_qr_key.text(),
            "lookup.budget_ms": self.lookup_budget.text(), "lookup.stale_seconds": self.lookup_stale.text(),
            "replica.keep_days": self.replica_keep_days.text(),
            "display.mode": self.display_mode.currentData(), "display.enrol_url": self.display_enrol_url.text(),
            "display.gift_distance": self.display_gift_distance.text(),
            "display.idle_seconds": self.display_idle_seconds.text(),
        }
        if connection == "usb":
            out["printer.usb"] = self.printer_usb.text()
        elif connection == "network":
            out["printer.host"] = self.printer_host.text()
            out["printer.port"] = self.printer_port.text() or "9100"
        elif connection == "serial":
            out["printer.serial_port"] = self.printer_serial.text()
        elif connection == "file":
            out["printer.file"] = self.printer_file.text()
        if out["scanner.mode"] == "serial":
            out["scanner.serial_port"] = self.scanner_serial.text()
            out["scanner.baud"] = self.scanner_baud.currentData()
        return out

    def _show(self, s: TerminalSettings) -> None:
        _select(self.printer_connection, s.printer_connection)
        self.printer_usb.setText(s.printer_usb)
        self.printer_host.setText(s.printer_host)
        self.printer_port.setText(str(s.printer_port))
        self.printer_serial.setText(s.printer_serial_port)
        self.printer_file.setText(s.printer_file)
        _select(self.paper_width, s.printer_paper_mm)
        _select(self.printer_charset, s.printer_charset)
        self.cash_drawer.setChecked(s.printer_cash_drawer)
        self.receipt_header.setText(s.receipt_header)
        self.receipt_footer.setText(s.receipt_footer)
        self.scanner_gap.setText(str(s.scanner_max_gap_ms))
        self.scanner_min_length.setText(str(s.scanner_min_length))
        self.scanner_prefix.setText(s.scanner_prefix)
        self.scanner_suffix.setText(s.scanner_suffix)
        _select(self.scanner_terminator, s.scanner_terminator)
        _select(self.decoder_backend, s.decoder_backend)
        self.member_qr_key.setText(s.member_qr_public_key)
        self.lookup_budget.setText(str(s.lookup_budget_ms))
        self.lookup_stale.setText(str(s.lookup_stale_seconds))
        self.replica_keep_days.setText(str(s.replica_keep_days))
        _select(self.display_mode, s.display_mode)
        self.display_enrol_url.setText(s.display_enrol_url)
        self.display_gift_distance.setText(str(s.display_gift_distance))
        self.display_idle_seconds.setText(str(s.display_idle_seconds))
        _select(self.scanner_mode, s.scanner_mode)
        self.scanner_serial.setText(s.scanner_serial_port)
        _select(self.scanner_baud, s.scanner_baud)
        if isinstance(s.camera_device, str):
            self.camera.setEditText(s.camera_device)
        else:
            _select(self.camera, s.camera_device)
        self.hq_url.setText(s.hq_url)
        self.hq_ca_file.setText(s.hq_ca_file)
        _select(self.language, s.language)
        self._on_connection_changed()
        self._on_scanner_mode_changed()
        self._show_camera(s.camera_device)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.form_scroll.viewport():
            if event.type() == QEvent.Type.Resize:
                self._fit_columns()  # two columns where they fit, else one
            return super().eventFilter(watched, event)
        # Enter in the camera field saves, once: an editable combo box would report the one
        # Enter twice (its line edit's, then its own handling of the same key)
        if (watched is self.camera.lineEdit() and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):  # type: ignore[attr-defined]
            self.save()
            return True
        return super().eventFilter(watched, event)

    def _camera_value(self) -> object:
        """The chosen camera's number (or None), or the path or address typed (checked on save)."""
        text = self.camera.currentText().strip()
        index = self.camera.findText(text)
        return self.camera.itemData(index) if index >= 0 else text

    def _show_camera(self, device: int | str | None) -> None:
        if device is None:
            self.camera_status.setText(self.tr("No camera configured: members are identified by card, phone "
                                               "number or scanner."))
        else:
            self.camera_status.setText(self.tr("Camera %1 reads member QR codes, member cards and product "
                                               "barcodes at checkout; its picture is shown beside the member.")
                                       .replace("%1", str(device)))

    def _on_connection_changed(self, *_args: object) -> None:
        page = self._address_pages.get(self.printer_connection.currentData(), self._address_pages["none"])
        self.printer_address.setCurrentWidget(page)

    def _on_scanner_mode_changed(self, *_args: object) -> None:
        serial = self.scanner_mode.currentData() == "serial"
        self.scanner_serial.setEnabled(serial)
        self.scanner_baud.setEnabled(serial)

    def _show_last_backup(self) -> None:
        t = self.vm.terminal
        last = last_auto_backup(self.paths, t.store_id, t.terminal_id)
        self.last_backup_label.setText(last.strftime("%Y-%m-%d %H:%M") if last else self.tr("none yet"))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self._show_last_backup()  # the automatic backup may have run since
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc as a key event, not a shortcut: an open dialog (the scan test) keeps its own Esc
        if event.key() == Qt.Key.Key_Escape:
            self.revert()
            return
        super().keyPressEvent(event)

    # -- actions ------------------------------------------------------------------------------------
    def save(self) -> None:
        self.vm.save(self.values())

    def revert(self) -> None:
        self.vm.load()
        self.notice.info(self.tr("Unsaved changes were put back."))

    def open_product_import(self) -> ProductImportDialog | None:
        """A manager's import of the chain's product file (docs/operations/products.md)."""
        if not self.vm.session.is_manager:
            self.notice.error(self.tr("Only a manager imports products: log in as a manager."))
            return None
        staff = self.vm.session.staff
        dialog = ProductImportDialog(self.vm.terminal, staff.code if staff else None, self)
        dialog.open()
        return dialog

    def open_scan_test(self) -> ScanTestDialog:
        dialog = ScanTestDialog(self.vm, self)
        dialog.finished.connect(lambda _r: setattr(self, "scan_dialog", None))
        self.scan_dialog = dialog
        dialog.open()
        dialog.input.setFocus()
        return dialog

    # -- view-model signals -------------------------------------------------------------------------
    def _on_loaded(self) -> None:
        self._show(self.vm.settings)
        self._show_last_backup()
        try:
            p = self.vm.terminal.program
            self.program_label.setText(self.tr("%1, version %2 (%3)").replace("%1", p.program_id)
                                       .replace("%2", str(p.version)).replace("%3", p.name))
        except PosError as exc:
            self.program_label.setText(message(exc))

    def _on_saved(self, changed: list[str]) -> None:
        if not changed:
            self.notice.info(self.tr("Nothing changed."))
            return
        text = self.tr("Settings saved.")
        if "ui.language" in changed:
            text += " " + self.tr("The new language is applied the next time the program starts.")
        if any(k.startswith(("printer.", "scanner.", "camera.", "decoder.")) for k in changed):
            text += " " + self.tr("The devices use the new settings now.")
        self.notice.info(text)

    def _on_approval_needed(self, text: str) -> None:
        if self.approval is not None:
            self.approval.deleteLater()
        self.approval = ApprovalDialog(self, self.tr("Manager approval"), text)
        self.approval.approval_given.connect(self._on_approval_given)
        self.approval.open()

    def _on_approval_given(self, code: str, pin: str) -> None:
        if self.vm.approve(code, pin) and self.approval is not None:
            self.approval.accept()

    def _on_error(self, text: str) -> None:
        if self.approval is not None and self.approval.isVisible():
            self.approval.refuse(text)
        self.notice.error(text)

    def _on_save_refused(self, key: str, text: str) -> None:
        self.notice.error(text)
        widget = self._fields.get(key)
        if widget is None:
            return
        widget.setFocus()
        if isinstance(widget, QLineEdit):
            widget.selectAll()

    def _on_print_queued(self, job: int) -> None:
        self.notice.info(self.tr("Test page queued as print job %1. It prints when the printer is ready; "
                                 "until then it waits in the print queue.").replace("%1", str(job)))
