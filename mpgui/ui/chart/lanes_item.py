"""The chart's background: every other lane shaded, the rules under the main program,
above the shared objects' lanes and above the CPU lanes, and a vertical line at each
labelled time of the axis.

Its own item, uncached and as wide as the view, so that the background always spans
the whole plot whatever the spans drawn over it (a cached item's picture ends at its
bounding box), and Qt paints only the strip a live frame exposes."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from mpgui.ui.chart.geometry import Rows
from mpgui.ui.chart.primitives import RowGeometry
from mpgui.ui.chart.view_item import ViewItem
from mpgui.ui.guarded import guarded
from mpgui.ui.theme import Theme


class LanesItem(ViewItem):
    """Shading, rules and the time grid behind the spans."""

    def __init__(self, theme: Theme, time_axis: pg.AxisItem) -> None:
        super().__init__(theme)
        self.time_axis = time_axis  # whose ticks the vertical grid follows
        self.rows: Rows | None = None

    def set_rows(self, rows: Rows | None) -> None:
        """The rows to shade (None: none)."""
        if rows is None or self.rows is None or rows.labels != self.rows.labels:
            self.rows = rows
            self.update()

    @guarded
    def paint(self, p: QPainter, option: object, *_args: object) -> None:
        rows, vb = self.rows, self.getViewBox()
        if rows is None or vb is None:
            return
        view = vb.viewRect()
        tr = p.transform()
        full = tr.mapRect(view)
        strip = tr.mapRect(option.exposedRect).intersected(full)  # type: ignore[attr-defined]
        geo = RowGeometry(tr, rows.n_rows)
        p.save()
        p.resetTransform()
        shade = QColor(self.theme.lane_shade)
        for r in range(0, rows.n_rows, 2):
            p.fillRect(QRectF(strip.left(), geo.row_top(r), strip.width(), geo.height), shade)
        p.setPen(QPen(QColor(self.theme.grid), self.line))
        # Under the main program; above the shared objects, if any; above the cores.
        for r in {1, rows.object_base, rows.core_base}:
            y = geo.row_top(r)
            p.drawLine(QPointF(strip.left(), y), QPointF(strip.right(), y))
        levels = self.time_axis.tickValues(view.left(), view.right(), full.width())
        for _spacing, values in levels[:1]:
            for v in values:
                x = full.left() + (v - view.left()) / view.width() * full.width()
                if strip.left() - 1 <= x <= strip.right() + 1:
                    p.drawLine(QPointF(x, full.top()), QPointF(x, full.bottom()))
        p.restore()
