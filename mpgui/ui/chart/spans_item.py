"""One pyqtgraph item that draws every lane, span and printed-line tick.

Spans are reduced to pixel runs (`geometry.pixel_runs`), then drawn as one
QPainterPath per style, built from numpy arrays without a Python loop per run: the
cost of a frame depends on the pixels in view, not on how many spans were recorded.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen

from mpgui.ui.chart.geometry import (
    CODE_SHIFT,
    MAIN_COLOR,
    Rows,
    Runs,
    SpanCache,
    line_ticks,
    pixel_runs,
    span_entries,
)
from mpgui.ui.theme import STATE_STYLES, Theme


def rects_path(x0: np.ndarray, x1: np.ndarray, y0: np.ndarray, y1: np.ndarray) -> QPainterPath:
    """One path holding many axis-aligned rectangles, built from numpy arrays."""
    n = len(x0)
    if n == 0:
        return QPainterPath()
    xs = np.stack([x0, x1, x1, x0, x0], axis=1).ravel().astype(np.float64)
    ys = np.stack([y0, y0, y1, y1, y0], axis=1).ravel().astype(np.float64)
    connect = np.tile(np.array([1, 1, 1, 1, 0], np.int32), n)
    return pg.arrayToQPath(xs, ys, connect=connect, finiteCheck=False)


class RowGeometry:
    """Device-pixel geometry of the rows for one paint."""

    def __init__(self, transform, n_rows: int) -> None:  # type: ignore[no-untyped-def]
        top = transform.map(QPointF(0, 0)).y()
        bottom = transform.map(QPointF(0, n_rows)).y()
        self.top, self.height = min(top, bottom), abs(bottom - top) / max(n_rows, 1)
        self.inverted = bottom < top

    def band(self, row: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray]:
        """Top and bottom of a centred band filling `fraction` of each row's height."""
        centre = self.top + (row + 0.5) * self.height
        half = fraction * self.height / 2
        return centre - half, centre + half

    def row_top(self, row: float) -> float:
        """Top edge of a row, in device pixels."""
        return self.top + row * self.height


class SpansItem(pg.GraphicsObject):
    """Lanes, spans (by state and process colour) and ticks for printed lines."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.cache = SpanCache()
        self.rows: Rows | None = None
        self.colors = np.zeros(0, np.int32)  # lane -> colour index
        self._entries: tuple[np.ndarray, ...] | None = None
        self._extent = QRectF(0, 0, 1, 1)
        self._brushes: dict[int, QBrush] = {}
        self.last_runs = 0  # how many runs the last paint drew (for tests and benchmarks)

    def set_data(self, cache: SpanCache, rows: Rows, colors: np.ndarray, x_end: float) -> None:
        """New data to draw; called once per frame at most."""
        self.cache, self.rows, self.colors = cache, rows, colors
        self._entries = span_entries(cache, rows, colors)
        extent = QRectF(0, 0, max(x_end, 1e-3), rows.n_rows)
        if extent != self._extent:
            self.prepareGeometryChange()
            self._extent = extent
        self.update()

    def set_theme(self, theme: Theme) -> None:
        """Redraw with other colours."""
        self.theme = theme
        self._brushes.clear()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._extent

    def paint(self, p: QPainter, *_args: object) -> None:
        vb = self.getViewBox()
        if vb is None or self.rows is None or self._entries is None:
            return
        view = vb.viewRect()
        tr = p.transform()
        dev = tr.mapRect(view)
        width = round(dev.width())
        geo = RowGeometry(tr, self.rows.n_rows)
        p.save()
        p.resetTransform()
        self._paint_lanes(p, geo, dev)
        t0, t1, row, code = self._entries
        runs = pixel_runs(t0, t1, row, code, view.left(), view.right(), width, self.rows.n_rows)
        self.last_runs = len(runs)
        self._paint_runs(p, geo, runs, dev.left())
        self._paint_ticks(p, geo, view, width, dev.left())
        p.restore()

    def _paint_lanes(self, p: QPainter, geo: RowGeometry, dev: QRectF) -> None:
        rows = self.rows
        assert rows is not None
        shade = QColor(self.theme.lane_shade)
        for r in range(0, rows.n_rows, 2):
            p.fillRect(QRectF(dev.left(), geo.row_top(r), dev.width(), geo.height), shade)
        pen = QPen(QColor(self.theme.grid), 1)
        p.setPen(pen)
        for r in (1, rows.core_base):  # under the main program; above the cores
            y = geo.row_top(r)
            p.drawLine(QPointF(dev.left(), y), QPointF(dev.right(), y))

    def _paint_runs(self, p: QPainter, geo: RowGeometry, runs: Runs, x_left: float) -> None:
        if not len(runs):
            return
        order = np.argsort(runs.code, kind="stable")
        codes = runs.code[order]
        bounds = np.flatnonzero(np.diff(codes)) + 1
        for group in np.split(order, bounds):
            code = int(runs.code[group[0]])
            style = STATE_STYLES.get(code // CODE_SHIFT)
            if style is None:
                continue
            y0, y1 = geo.band(runs.row[group].astype(np.float64), style.height)
            path = rects_path(x_left + runs.px0[group], x_left + runs.px1[group], y0, y1)
            p.fillPath(path, self._brush(code))
            if style.outline:
                p.strokePath(path, QPen(self._color(code % CODE_SHIFT), 1))

    def _paint_ticks(self, p: QPainter, geo: RowGeometry, view: QRectF, width: int,
                     x_left: float) -> None:
        rows = self.rows
        assert rows is not None
        tick_rows, px = line_ticks(self.cache, rows, view.left(), view.right(), width)
        if not len(px):
            return
        size = max(3.0, min(7.0, geo.height * 0.16))
        top = geo.top + tick_rows * geo.height + 1
        x = x_left + px + 0.5
        n = len(px)
        xs = np.stack([x - size, x + size, x, x - size], axis=1).ravel()
        ys = np.stack([top, top, top + 1.6 * size, top], axis=1).ravel()
        connect = np.tile(np.array([1, 1, 1, 0], np.int32), n)
        path = pg.arrayToQPath(xs, ys, connect=connect, finiteCheck=False)
        p.fillPath(path, QBrush(QColor(self.theme.foreground)))

    def _color(self, color_index: int) -> QColor:
        if color_index == MAIN_COLOR:
            return QColor(self.theme.main_lane)
        return self.theme.process_color(color_index)

    def _brush(self, code: int) -> QBrush:
        brush = self._brushes.get(code)
        if brush is None:
            style = STATE_STYLES[code // CODE_SHIFT]
            color = self._color(code % CODE_SHIFT)
            color.setAlpha(style.alpha)
            brush = self._brushes[code] = QBrush(color, style.pattern)
        return brush
