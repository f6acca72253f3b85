"""A grouped bar chart painted with QPainter (QtCharts is not shipped): y axis with round
ticks, x labels thinned to fit, a legend, a tooltip per group.

Everything is drawn as vectors in logical pixels, so Qt scales it to the screen's device pixel
ratio and it stays sharp on HiDPI; lines and bars sit on whole logical pixels without
antialiasing, so their edges stay crisp at 1x as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pos_app.ui.qt import QColor, QFont, QFontMetricsF, QPainter, QPen, QRectF, QSize, Qt, QWidget

#: Blue and orange: distinguishable with the common colour-vision deficiencies.
DEFAULT_COLORS = ("#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]
    color: str


def nice_step(top: int, ticks: int = 4) -> int:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten, whole numbers) covering ``top``."""
    if top <= 0:
        return 1
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * power
        if step >= raw and step == int(step):
            return int(step)
    return int(10 * power)


class BarChart(QWidget):
    """``set_data(labels, series)``; ``labels()``, ``series()``, ``axis_top()`` read it back."""

    PAD = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: list[str] = []
        self._series: list[Series] = []
        self._empty_text = ""
        self._axis_title = ""
        self.setMouseTracking(True)
        self.setMinimumSize(QSize(360, 200))

    # -- data -----------------------------------------------------------------------------------------
    def set_data(self, labels: list[str], series: list[tuple[str, list[int]]], *, axis_title: str = "",
                 empty_text: str = "") -> None:
        for name, values in series:
            if len(values) != len(labels):
                raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
        self._labels = list(labels)
        self._series = [Series(name, tuple(values), DEFAULT_COLORS[i % len(DEFAULT_COLORS)])
                        for i, (name, values) in enumerate(series)]
        self._axis_title = axis_title
        self._empty_text = empty_text
        totals = ", ".join(f"{s.name} {sum(s.values):,}" for s in self._series)
        self.setAccessibleDescription(totals)
        self.setToolTip("")
        self.update()

    def labels(self) -> list[str]:
        return list(self._labels)

    def series(self) -> list[Series]:
        return list(self._series)

    def is_empty(self) -> bool:
        return not any(v for s in self._series for v in s.values)

    def axis_top(self) -> int:
        """The value at the top of the y axis (a whole number of round steps)."""
        top = max((v for s in self._series for v in s.values), default=0)
        step = nice_step(top)
        return step * max(1, math.ceil(top / step))

    # -- geometry (shared by painting, tooltips and tests) -------------------------------------------
    def _small_font(self) -> QFont:
        f = QFont(self.font())
        if f.pointSizeF() > 0:
            f.setPointSizeF(max(7.0, f.pointSizeF() * 0.8))
        else:  # a font sized in pixels
            f.setPixelSize(max(9, round(f.pixelSize() * 0.8)))
        return f

    def plot_rect(self) -> QRectF:
        small = _metrics(self._small_font(), self)
        top = self.axis_top()
        y_label_w = max(small.horizontalAdvance(f"{top:,}"), small.horizontalAdvance("0"))
        left = self.PAD + y_label_w + 6
        legend_h = _metrics(self.font(), self).height() + 6
        # room for the axis title, and for half of the top tick label that sits on the top line
        top_y = self.PAD + legend_h + (small.height() + 4 if self._axis_title else 0) + small.height() / 2
        bottom = self.height() - self.PAD - small.height() - 4
        right = self.width() - self.PAD
        return QRectF(left, top_y, max(1.0, right - left), max(1.0, bottom - top_y))

    def bar_rects(self) -> list[list[QRectF]]:
        """Per group, one rectangle per series (zero-height for a zero value)."""
        plot = self.plot_rect()
        n, k = len(self._labels), len(self._series)
        if not n or not k:
            return []
        top = self.axis_top()
        slot = plot.width() / n
        gap = max(1.0, slot * 0.2)
        bar_w = max(1.0, (slot - gap) / k)
        out = []
        for i in range(n):
            x0 = plot.left() + i * slot + gap / 2
            group = []
            for j, s in enumerate(self._series):
                h = plot.height() * max(0, s.values[i]) / top
                x = round(x0 + j * bar_w)
                w = max(1, round(x0 + (j + 1) * bar_w) - x)
                y = round(plot.bottom() - h)
                group.append(QRectF(x, y, w, round(plot.bottom()) - y))
            out.append(group)
        return out

    def group_at(self, x: float) -> int | None:
        plot = self.plot_rect()
        if not self._labels or not plot.left() <= x < plot.right():
            return None
        return min(len(self._labels) - 1, int((x - plot.left()) / (plot.width() / len(self._labels))))

    def label_step(self) -> int:
        """Show every n-th x label so that none overlaps."""
        if not self._labels:
            return 1
        small = _metrics(self._small_font(), self)
        widest = max(small.horizontalAdvance(label) for label in self._labels) + 10
        slot = self.plot_rect().width() / len(self._labels)
        return max(1, math.ceil(widest / max(slot, 1.0)))

    # -- Qt -------------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(640, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(360, 200)

    def mouseMoveEvent(self, event: object) -> None:
        i = self.group_at(event.position().x())  # type: ignore[attr-defined]
        text = "" if i is None else "\n".join(
            [self._labels[i], *(f"{s.name}: {s.values[i]:,}" for s in self._series)])
        if text != self.toolTip():
            self.setToolTip(text)

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        text_color = self.palette().windowText().color()
        grid_color = QColor(text_color)
        grid_color.setAlpha(40)
        plot = self.plot_rect()
        small = self._small_font()
        small_m = _metrics(small, self)
        top = self.axis_top()
        step = nice_step(top)
        left, right, bottom = round(plot.left()), round(plot.right()), round(plot.bottom())

        # legend, top right
        p.setFont(self.font())
        fm = _metrics(self.font(), self)
        x = float(self.width() - self.PAD)
        box = fm.height() * 0.6
        for s in reversed(self._series):
            w = fm.horizontalAdvance(s.name)
            x -= w
            p.setPen(text_color)
            p.drawText(QRectF(x, self.PAD, w, fm.height()), int(Qt.AlignmentFlag.AlignVCenter), s.name)
            x -= box + 6
            p.fillRect(QRectF(round(x), round(self.PAD + (fm.height() - box) / 2), round(box), round(box)),
                       QColor(s.color))
            x -= 18
        p.setFont(small)
        if self._axis_title:
            p.setPen(text_color)
            p.drawText(QRectF(self.PAD, self.PAD + fm.height() + 6, plot.width(), small_m.height()),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), self._axis_title)

        # y axis: grid lines and tick labels
        for value in range(0, 1 if self.is_empty() else top + 1, step):
            y = round(plot.bottom() - plot.height() * value / top)
            p.setPen(QPen(grid_color if value else text_color, 1))
            p.drawLine(left, y, right, y)
            p.setPen(text_color)
            p.drawText(QRectF(self.PAD, y - small_m.height() / 2, left - self.PAD - 6, small_m.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"{value:,}")

        # bars
        for group in self.bar_rects():
            for s, rect in zip(self._series, group, strict=True):
                if rect.height() > 0:
                    p.fillRect(rect, QColor(s.color))

        # x labels: every n-th, counted back from the last (today) so it is always shown
        n = len(self._labels)
        if n:
            slot = plot.width() / n
            every = self.label_step()
            p.setPen(text_color)
            for i in range(n - 1, -1, -every):
                w = small_m.horizontalAdvance(self._labels[i]) + 2
                x = plot.left() + (i + 0.5) * slot - w / 2
                x = max(0.0, min(x, self.width() - w))  # the last label stays inside the widget
                p.drawText(QRectF(x, bottom + 4, w, small_m.height()),
                           int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), self._labels[i])

        if self.is_empty() and self._empty_text:
            p.setFont(self.font())
            p.setPen(text_color)
            p.drawText(plot, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self._empty_text)


def _metrics(font: QFont, widget: QWidget) -> QFontMetricsF:
    """Font metrics for ``font`` on ``widget``'s screen (resolution-aware)."""
    return QFontMetricsF(font, widget)
