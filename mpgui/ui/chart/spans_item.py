"""One pyqtgraph item that draws every lane, span and printed-line tick.

Each paint asks `geometry.pixel_codes` what every pixel of every row shows, merges
neighbouring equal pixels into runs, and draws each style's runs with one
``drawRects`` call from a numpy-filled array: no Python loop per span or per run, and
the cost of a frame depends on the pixels in view, not on how many spans were recorded.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QTransform

from mpgui.ui.chart.geometry import (
    CODE_SHIFT,
    MAIN_COLOR,
    Rows,
    Runs,
    SpanCache,
    line_ticks,
    nice_ceil,
    pixel_codes,
    runs_of,
)
from mpgui.ui.chart.primitives import Markers, RectBatch, RowGeometry
from mpgui.ui.theme import GHOST_ALPHA, STATE_STYLES, Theme


class SpansItem(pg.GraphicsObject):
    """Lanes, spans (by state and process colour) and ticks for printed lines.

    The pixel codes of the whole view are kept between paints. A new frame recomputes
    only the columns from the earliest time that changed (while a run is followed,
    a narrow strip near "now") and asks Qt to repaint only that strip; a paint draws
    only the columns Qt exposed. A change of view, size or lanes recomputes all.

    The item's own coordinates are milliseconds and hundredths of a row (``SCALE``):
    Qt widens each update(rect) of a cached item by one unit of item coordinates, which
    in seconds would re-render two seconds of history every frame.
    """

    SCALE = (1000.0, 100.0)
    NEXT_CHUNK = 160  # columns of the next view's grid computed per frame, at least
    FRAMES_PER_S = 30  # a cautious guess of the frame rate while a run is busy
    NEXT_CATCH_UP = 4  # frames between updates of the next view's grid

    def __init__(self, theme: Theme, ghost: bool = False) -> None:
        super().__init__()
        self.setFlag(self.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # exposedRect
        self.setTransform(QTransform.fromScale(1 / self.SCALE[0], 1 / self.SCALE[1]))
        # Qt keeps what was painted as a device-pixel image: Qt's own repaints after a
        # change of view (it repaints each item's area once more) and exposures merely
        # copy it, and update(rect) re-renders only that strip into it.
        self.setCacheMode(self.CacheMode.DeviceCoordinateCache)
        self.theme = theme
        self.cache = SpanCache()
        self.rows: Rows | None = None
        self.colors = np.zeros(0, np.int32)  # lane -> colour index
        self._extent = QRectF(0, 0, 1, 1)
        self._brushes: dict[int, QBrush] = {}
        self._rects = RectBatch()
        self._markers = Markers()
        self._grid = np.zeros((0, 0), np.int32)
        self._grid_key: tuple | None = None
        self._dirty_from = float("inf")
        self._width = 0  # device pixels the view was last painted at
        # The grid of the view that comes next while a run is followed, built a chunk
        # of columns per frame, so that the step to it costs no full recomputation.
        self._next_view: tuple[float, float] | None = None
        self._next = np.zeros((0, 0), np.int32)
        self._next_key: tuple | None = None
        self._next_done = 0  # columns of _next computed so far
        self._next_dirty = float("inf")  # changes not yet applied to _next
        self._next_frames = 0
        self.time_axis: pg.AxisItem | None = None  # whose ticks the vertical grid follows
        self.line = 1.0  # line and marker width factor (zoom, high contrast)
        # A ghost draws a predicted schedule over the measured one: light fills, dashed
        # outlines, no lane backgrounds or line markers of its own.
        self.ghost = ghost
        self.last_runs = 0  # how many runs the last paint drew (for tests and benchmarks)

    def set_data(self, cache: SpanCache, rows: Rows, colors: np.ndarray, x_end: float) -> None:
        """New data to draw; called once per frame at most."""
        relaid = (cache is not self.cache or self.rows is None or rows.labels != self.rows.labels
                  or not np.array_equal(colors, self.colors))
        self.cache, self.rows, self.colors = cache, rows, colors
        # The extent grows in steps, so that it rarely changes: a change repaints all.
        extent = self._to_item(QRectF(0, 0, 2 * nice_ceil(max(x_end, 1e-3)), rows.n_rows))
        if extent != self._extent:
            self.prepareGeometryChange()
            self._extent = extent
        if relaid:
            self._grid_key = None
            self.update()
            return
        self._dirty_from = min(self._dirty_from, cache.changed_from)
        self._build_next(cache.changed_from)
        if self._dirty_from < float("inf"):
            pad = 8 * (self.pixelWidth() or 0.0) / self.SCALE[0]  # a marker reaches 7 px out
            left = self._dirty_from - pad
            self.update(self._to_item(QRectF(left, 0, max(cache.now, self._dirty_from) + pad
                                             - left, rows.n_rows)))

    def set_style(self, theme: Theme, line: float) -> None:
        """Redraw with other colours, and lines and markers `line` times as wide."""
        self.theme, self.line = theme, line
        self._brushes.clear()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._extent

    def _to_item(self, r: QRectF) -> QRectF:
        """A rectangle in chart coordinates (seconds, rows) in the item's own."""
        sx, sy = self.SCALE
        return QRectF(r.left() * sx, r.top() * sy, r.width() * sx, r.height() * sy)

    def paint(self, p: QPainter, option: object, *_args: object) -> None:
        vb = self.getViewBox()
        if vb is None or self.rows is None:
            return
        view = vb.viewRect()  # chart coordinates
        tr = p.transform()  # from the item's coordinates
        dev = tr.mapRect(self._to_item(view))
        width = round(dev.width())
        if width <= 0 or not view.width() > 0:
            return
        self._update_grid(view.left(), view.right(), width)
        # Only the exposed columns are drawn (Qt clips the rest anyway).
        exposed = option.exposedRect  # type: ignore[attr-defined]  # item coordinates
        exposed = QRectF(exposed.left() / self.SCALE[0], 0, exposed.width() / self.SCALE[0], 1)
        dx = view.width() / width
        c0 = max(0, int(np.floor((exposed.left() - view.left()) / dx)) - 1)
        c1 = min(width, int(np.ceil((exposed.right() - view.left()) / dx)) + 1)
        if c1 <= c0:
            return
        geo = RowGeometry(tr, self.rows.n_rows, self.SCALE[1])
        p.save()
        p.resetTransform()
        if not self.ghost:
            strip = QRectF(dev.left() + c0, dev.top(), c1 - c0, dev.height())
            self._paint_lanes(p, geo, strip, view, dev)
        runs = runs_of(self._grid[:, c0:c1])
        self.last_runs = len(runs)
        self._paint_runs(p, geo, runs, dev.left() + c0)
        if not self.ghost:
            self._paint_ticks(p, geo, view, width, dev.left(), (c0, c1))
        p.restore()

    def _key(self, x0: float, x1: float, width: int) -> tuple:
        """What a grid depends on. The view's edges are rounded: pyqtgraph hands them
        back through a QRectF (left + width), a hair off what was asked for."""
        assert self.rows is not None
        return (round(x0, 9), round(x1, 9), width, self.rows.labels)

    def prepare_view(self, view: tuple[float, float] | None) -> None:
        """The x range the chart will probably show next (None: no guess)."""
        self._next_view = view

    def _build_next(self, changed_from: float) -> None:
        """Keep the next view's grid current and add NEXT_CHUNK columns to it."""
        if self._next_view is None or self.rows is None or self._width <= 0:
            return
        (x0, x1), w = self._next_view, self._width
        key = self._key(x0, x1, w)
        if key != self._next_key:
            self._next_key, self._next_done, self._next_dirty = key, 0, float("inf")
            self._next = np.full((self.rows.n_rows, w), -1, np.int32)
        done = self._next_done
        self._next_dirty = min(self._next_dirty, changed_from)
        self._next_frames += 1
        if self._next_frames % self.NEXT_CATCH_UP == 0:  # a frame does one or the other
            self._catch_up_next()
        elif done < w:
            # Finish within about half the frames left before the step: the view steps
            # once "now" passes 1/1.1 of its right edge (ChartWidget._show_all).
            right = self._grid_key[1] if self._grid_key else x1
            frames_left = max(1.0, (right / 1.1 - self.cache.now) * self.FRAMES_PER_S / 2)
            end = min(w, done + max(self.NEXT_CHUNK, int(np.ceil((w - done) / frames_left))))
            self._next[:, done:end] = pixel_codes(self.cache, self.rows, self.colors, x0, x1,
                                                  w, done, end)
            self._next_done = end

    def _catch_up_next(self) -> None:
        """Apply the changes since the last catch-up to the columns of the next view's
        grid built so far (every NEXT_CATCH_UP frames: the strip costs per lane, not per
        column, so one strip for several frames is cheaper than one each)."""
        if self._next_key is None or self._next_dirty == float("inf") or not self._next_done:
            return
        # The range the grid was built for: _next_view may already name the step after.
        x0, x1, w = self._next_key[:3]
        done = self._next_done
        first = max(0, int(np.floor((self._next_dirty - x0) / (x1 - x0) * w)) - 1)
        if first < done:
            self._next[:, first:done] = pixel_codes(self.cache, self.rows, self.colors, x0, x1,
                                                    w, first, done)
        self._next_dirty = float("inf")

    def _update_grid(self, x0: float, x1: float, width: int) -> None:
        """Bring the kept pixel codes up to date for the view [x0, x1] at `width`."""
        assert self.rows is not None
        self._width = width
        key = self._key(x0, x1, width)
        if key != self._grid_key and key == self._next_key and self._next_done == width:
            # The step the chart prepared for: the grid is ready once caught up.
            self._catch_up_next()
            self._grid, self._grid_key = self._next, key
            self._next_key, self._next_done = None, 0
        if key != self._grid_key:
            self._grid = pixel_codes(self.cache, self.rows, self.colors, x0, x1, width)
            self._grid_key = key
        elif self._dirty_from < float("inf"):
            first = max(0, int(np.floor((self._dirty_from - x0) / (x1 - x0) * width)) - 1)
            if first < width:
                self._grid[:, first:] = pixel_codes(self.cache, self.rows, self.colors,
                                                    x0, x1, width, first)
        self._dirty_from = float("inf")

    def _paint_lanes(self, p: QPainter, geo: RowGeometry, dev: QRectF, view: QRectF,
                     full: QRectF) -> None:
        """Every other lane shaded, the rules under the main program and above the cores,
        and a vertical line at each labelled time of the axis (drawn here, in the
        exposed strip only: pyqtgraph's own grid redraws the whole view every time)."""
        rows = self.rows
        assert rows is not None
        shade = QColor(self.theme.lane_shade)
        for r in range(0, rows.n_rows, 2):
            p.fillRect(QRectF(dev.left(), geo.row_top(r), dev.width(), geo.height), shade)
        p.setPen(QPen(QColor(self.theme.grid), self.line))
        for r in (1, rows.core_base):  # under the main program; above the cores
            y = geo.row_top(r)
            p.drawLine(QPointF(dev.left(), y), QPointF(dev.right(), y))
        if self.time_axis is None:
            return
        levels = self.time_axis.tickValues(view.left(), view.right(), full.width())
        for _spacing, values in levels[:1]:
            for v in values:
                x = full.left() + (v - view.left()) / view.width() * full.width()
                if dev.left() - 1 <= x <= dev.right() + 1:
                    p.drawLine(QPointF(x, full.top()), QPointF(x, full.bottom()))

    def _paint_runs(self, p: QPainter, geo: RowGeometry, runs: Runs, x_left: float) -> None:
        if not len(runs):
            return
        known = np.isin(runs.code // CODE_SHIFT, list(STATE_STYLES))
        order = np.argsort(runs.code[known], kind="stable")
        code = runs.code[known][order]
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
        heights = np.array([STATE_STYLES[c // CODE_SHIFT].height for c in code[starts]])
        height = np.repeat(heights, np.diff(np.r_[starts, len(code)]))
        y0, y1 = geo.band(runs.row[known][order].astype(np.float64), height)
        styles = [(self._brush(int(c)), self._pen(int(c))) for c in code[starts]]
        self._rects.draw_groups(p, x_left + runs.px0[known][order], x_left +
                                runs.px1[known][order], y0, y1, starts, styles)

    def _paint_ticks(self, p: QPainter, geo: RowGeometry, view: QRectF, width: int,
                     x_left: float, columns: tuple[int, int]) -> None:
        """A ▼ at the top of the lane for each printed line; lines closer together than
        a marker merge into one band ("printing all the time"). Only lines within (or
        a marker's width around) the pixel `columns` are drawn."""
        rows = self.rows
        assert rows is not None
        tick_rows, px = line_ticks(self.cache, rows, view.left(), view.right(), width,
                                   (columns[0] - 8, columns[1] + 8))
        if not len(px):
            return
        size = max(3.0 * self.line, min(7.0 * self.line, geo.height * 0.16))
        # Groups of ticks on one row, each less than a marker's width from the next.
        new_group = np.ones(len(px), bool)
        new_group[1:] = (tick_rows[1:] != tick_rows[:-1]) | (np.diff(px) > 2 * size)
        first = np.flatnonzero(new_group)
        last = np.append(first[1:], len(px)) - 1
        single = first == last
        top = geo.top + tick_rows[first] * geo.height + 1
        x0, x1 = x_left + px[first] + 0.5, x_left + px[last] + 0.5
        fg = QColor(self.theme.foreground)
        band = ~single
        if band.any():
            self._rects.draw(p, x0[band] - size, x1[band] + size, top[band],
                             top[band] + 1.6 * size, QBrush(fg), None)
        if single.any():
            self._markers.draw(p, x0[single], top[single], size, fg)

    def _color(self, color_index: int) -> QColor:
        if color_index == MAIN_COLOR:
            return QColor(self.theme.main_lane)
        return self.theme.process_color(color_index)

    def _brush(self, code: int) -> QBrush:
        brush = self._brushes.get(code)
        if brush is None:
            style = STATE_STYLES[code // CODE_SHIFT]
            color = self._color(code % CODE_SHIFT)
            color.setAlpha(GHOST_ALPHA if self.ghost else style.alpha)
            pattern = Qt.BrushStyle.SolidPattern if self.ghost else style.pattern
            brush = self._brushes[code] = QBrush(color, pattern)
        return brush

    def _pen(self, code: int) -> QPen | None:
        """The outline of runs with `code`: a state's own, or a ghost's dashes."""
        color = self._color(code % CODE_SHIFT)
        if self.ghost:
            pen = QPen(color, 1.5 * self.line, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            return pen
        return QPen(color, self.line) if STATE_STYLES[code // CODE_SHIFT].outline else None
