"""An on-screen picture of the paper: the same Document the printer bytes come from, drawn
in printer columns (one cell per ASCII character, two per other character, as the printer
prints them), with the logo, QR codes and barcodes where they fall. Text goes through the
same character-set fallback as the bytes (``printable``), so a character the printer's font
lacks shows as what the paper gets."""

from __future__ import annotations

from pos_app.devices.receipt import (
    Barcode,
    Cut,
    Document,
    DrawerKick,
    Feed,
    Qr,
    Raster,
    TextLine,
    char_width,
    printable,
)
from pos_app.ui.qt import (
    QColor,
    QDialog,
    QDialogButtonBox,
    QFont,
    QFontMetricsF,
    QPainter,
    QPen,
    QRectF,
    QScrollArea,
    QSize,
    Qt,
    QVBoxLayout,
    QWidget,
)

QR_DOT = 3  # screen pixels per QR module


def qr_matrix(data: str) -> list[list[bool]]:
    import qrcode

    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(data)
    code.make(fit=True)
    return [list(map(bool, row)) for row in code.get_matrix()]


class PaperView(QWidget):
    """Paints a Document on a paper-coloured strip exactly ``columns`` cells wide."""

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receipt_paper")
        self.doc = doc
        font = QFont("Monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSize(11)
        self.setFont(font)
        fm = QFontMetricsF(font)
        self.cell = max(fm.horizontalAdvance("0"), 6.0)
        self.line_h = fm.height() * 1.15
        self.margin = 12.0

    def lines(self) -> list[str]:
        """The text lines as painted (the same strings the printer gets)."""
        return [self._printed(text) for text in self.doc.text_lines()]

    def _printed(self, text: str) -> str:
        return printable(text, self.doc.charset)

    def _height(self, block: object) -> float:
        if isinstance(block, TextLine):
            return self.line_h * (2 if block.big else 1)
        if isinstance(block, Qr):
            return len(qr_matrix(block.data)) * QR_DOT + self.line_h / 2
        if isinstance(block, Raster):
            return block.height + self.line_h / 2
        if isinstance(block, Barcode):
            return 50 + self.line_h
        if isinstance(block, Feed):
            return self.line_h * block.lines
        if isinstance(block, Cut):
            return self.line_h
        return 0.0

    def sizeHint(self) -> QSize:
        width = self.doc.columns * self.cell + 2 * self.margin
        height = sum(self._height(b) for b in self.doc.blocks) + 2 * self.margin
        return QSize(int(width) + 1, int(height) + 1)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        paper_w = self.doc.columns * self.cell + 2 * self.margin
        p.fillRect(QRectF(0, 0, paper_w, self.height()), QColor("#fffef8"))
        p.setPen(QPen(QColor("#222222")))
        y = self.margin
        center = self.margin + self.doc.columns * self.cell / 2
        for block in self.doc.blocks:
            h = self._height(block)
            if isinstance(block, TextLine):
                self._text(p, block, y)
            elif isinstance(block, Qr):
                m = qr_matrix(block.data)
                x0 = center - len(m) * QR_DOT / 2
                for r, row in enumerate(m):
                    for c, dark in enumerate(row):
                        if dark:
                            p.fillRect(QRectF(x0 + c * QR_DOT, y + r * QR_DOT, QR_DOT, QR_DOT), QColor("black"))
            elif isinstance(block, Raster):
                x0 = center - block.width_bytes * 4
                for r in range(block.height):
                    for xb in range(block.width_bytes):
                        byte = block.rows[r * block.width_bytes + xb]
                        for bit in range(8):
                            if byte & (0x80 >> bit):
                                p.fillRect(QRectF(x0 + xb * 8 + bit, y + r, 1, 1), QColor("black"))
            elif isinstance(block, Barcode):
                # a stand-in: stripes from the data's bits, and the text under it
                x0 = center - 80
                for i, ch in enumerate(block.data.encode()):
                    for bit in range(8):
                        if ch & (1 << bit):
                            p.fillRect(QRectF(x0 + (i * 8 + bit) * 160 / (8 * len(block.data)), y, 1.5, 44),
                                       QColor("black"))
                p.drawText(QRectF(self.margin, y + 46, self.doc.columns * self.cell, self.line_h),
                           int(Qt.AlignmentFlag.AlignHCenter), block.data)
            elif isinstance(block, Cut):
                pen = QPen(QColor("#999999"))
                pen.setStyle(Qt.PenStyle.DashLine)
                p.setPen(pen)
                p.drawLine(0, int(y + h / 2), int(paper_w), int(y + h / 2))
                p.setPen(QPen(QColor("#222222")))
            elif isinstance(block, DrawerKick):
                pass
            y += h
        p.end()

    def _text(self, p: QPainter, line: TextLine, y: float) -> None:
        scale = 2 if line.big else 1
        font = QFont(self.font())
        font.setBold(line.bold)
        if line.big:
            font.setPointSizeF(font.pointSizeF() * 2)
        p.setFont(font)
        x = self.margin
        for ch in self._printed(line.text):
            w = char_width(ch) * self.cell * scale
            if ch != " ":
                p.drawText(QRectF(x, y, w, self.line_h * scale), int(Qt.AlignmentFlag.AlignCenter), ch)
            x += w
        p.setFont(self.font())


class ReceiptPreview(QDialog):
    """A dialog showing one document as it will come out of the printer."""

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receipt_preview")
        self.setWindowTitle(self.tr("Receipt preview %1").replace("%1", doc.title))
        layout = QVBoxLayout(self)
        self.paper = PaperView(doc, self)
        scroll = QScrollArea(self)
        scroll.setWidget(self.paper)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll.setMinimumWidth(self.paper.sizeHint().width() + 24)
        scroll.setMinimumHeight(min(700, self.paper.sizeHint().height() + 4))
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
