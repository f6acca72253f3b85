"""A manager's product catalogue import (Settings, F10): pick the ERP's CSV file, read the dry
run's report (every refused row by line and field, what would be added and changed), then
import. Import stays disabled until a dry run of the file found no error. The import runs in
the window's thread: the window waits for it (about 6 s of CPU for 100,000 products)."""

from __future__ import annotations

from pathlib import Path

from pos_app.core.errors import PosError
from pos_app.services import catalog
from pos_app.services.context import Terminal
from pos_app.ui.errors import message
from pos_app.ui.qt import QDialog, QFileDialog, QHBoxLayout, QLabel, QLineEdit, Qt, QTextEdit, QVBoxLayout, QWidget
from pos_app.ui.widgets.common import big_button


class ProductImportDialog(QDialog):
    def __init__(self, terminal: Terminal, staff_code: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.staff_code = staff_code
        self.setObjectName("product_import")
        self.setWindowTitle(self.tr("Import products"))
        self.setMinimumWidth(640)
        col = QVBoxLayout(self)
        intro = QLabel(self.tr("The chain's product file (CSV from the ERP, UTF-8 or GB18030). Check it first:"
                               " nothing is written while any row is wrong."), self)
        intro.setWordWrap(True)
        col.addWidget(intro)
        row = QHBoxLayout()
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("product_file")
        self.path_edit.setPlaceholderText(self.tr("File path"))
        row.addWidget(self.path_edit, 1)
        self.browse_button = big_button(self.tr("Choose…"), self)
        self.browse_button.clicked.connect(self._browse)
        row.addWidget(self.browse_button)
        col.addLayout(row)
        self.report = QTextEdit(self)
        self.report.setObjectName("product_report")
        self.report.setReadOnly(True)
        col.addWidget(self.report, 1)
        buttons = QHBoxLayout()
        self.check_button = big_button(self.tr("Check (dry run)"), self)
        self.check_button.setObjectName("product_check")
        self.check_button.clicked.connect(self.check)
        self.import_button = big_button(self.tr("Import"), self)
        self.import_button.setObjectName("product_import_button")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        self.close_button = big_button(self.tr("Close (Esc)"), self)
        self.path_edit.textChanged.connect(lambda _t: self.import_button.setEnabled(False))
        self.close_button.clicked.connect(self.reject)
        for b in (self.check_button, self.import_button, self.close_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        col.addLayout(buttons)
        self.ensurePolished()
        col.activate()
        self.path_edit.setFocus()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Product file"), str(Path.home()), "CSV (*.csv *.txt)")
        if path:
            self.path_edit.setText(path)

    def _run(self, dry_run: bool) -> catalog.ProductImport | None:
        try:
            return catalog.import_products(self.terminal, self.path_edit.text().strip(), dry_run=dry_run,
                                           staff_code=self.staff_code)
        except PosError as exc:
            self.report.setPlainText(message(exc))
            self.import_button.setEnabled(False)
            return None

    def _show(self, result: catalog.ProductImport) -> None:
        s = result.to_dict()
        lines = [self.tr("%1 rows, %2 valid, %3 invalid").replace("%1", str(s["rows"])).replace(
            "%2", str(s["valid"])).replace("%3", str(s["invalid"]))]
        if result.written:
            lines.append(self.tr("Imported: %1 added, %2 changed, %3 unchanged.").replace("%1", str(s["added"]))
                         .replace("%2", str(s["changed"])).replace("%3", str(s["unchanged"])))
        elif result.plan.errors:
            lines.append(self.tr("Nothing can be imported: correct these rows in the file and check again."))
            for e in result.plan.errors[:200]:
                lines.append(self.tr("line %1: %2: %3").replace("%1", str(e["line"])).replace(
                    "%2", str(e["field"])).replace("%3", str(e["message"])))
        else:
            lines.append(self.tr("Would add %1, change %2, leave %3 unchanged. Press Import to write them.")
                         .replace("%1", str(s["added"])).replace("%2", str(s["changed"]))
                         .replace("%3", str(s["unchanged"])))
            for c in result.plan.changed[:50]:
                what = ", ".join(f"{k} {v['old']} → {v['new']}" for k, v in c[1].items())
                lines.append(f"{c[0].sku} ({c[0].line}): {what}")
        if s["never_earn"]:
            lines.append(self.tr("Never earn points (excluded by the program): %1").replace(
                "%1", ", ".join(s["never_earn"])))  # type: ignore[arg-type]
        self.report.setPlainText("\n".join(lines))

    def check(self) -> None:
        result = self._run(dry_run=True)
        if result is not None:
            self._show(result)
            self.import_button.setEnabled(not result.plan.errors)

    def run_import(self) -> None:
        self.setCursor(Qt.CursorShape.WaitCursor)
        try:
            result = self._run(dry_run=False)
        finally:
            self.unsetCursor()
        if result is not None:
            self._show(result)
        self.import_button.setEnabled(False)
