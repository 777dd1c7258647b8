"""The chart's time axis: pyqtgraph's axis with each tick mark on one whole pixel column.

pyqtgraph draws a tick mark as an aliased line at the tick's exact position. A tick
that falls on a pixel boundary (a view ending at 3.0 s puts its last tick at exactly
x = 796.0) lands in the column on either side depending on rounding errors of the
paint it is in: a live frame, which repaints only the strip that changed, and a paint
of the whole view put it one pixel apart. Here each tick mark is moved so that its
edges are pixel edges — an odd width centred in the column its position falls in, an
even one on that column's left edge — so every paint draws it in the same place.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QPointF


class TimeAxis(pg.AxisItem):
    """A bottom axis whose tick marks cover whole pixel columns."""

    def generateDrawSpecs(self, p):  # type: ignore[no-untyped-def]  # pyqtgraph override
        specs = super().generateDrawSpecs(p)
        view = self.getViewWidget()
        if specs is None or view is None:
            return specs
        dt = self.deviceTransform(view.viewportTransform())
        if dt.m11() <= 0 or dt.m21() != 0:  # (not a plain left-to-right axis: as drawn)
            return specs
        axis, ticks, texts = specs

        def on_columns(x: float, width: int) -> float:
            # A line of an odd width centred mid-column, of an even one on a column's
            # edge: either way both its edges fall on pixel edges.
            device = x * dt.m11() + dt.dx()
            centre = math.floor(device) + (0.5 if width % 2 else 0.0)
            return (centre - dt.dx()) / dt.m11()

        placed = []
        for pen, a, b in ticks:
            width = max(1, round(pen.widthF()))  # (0: a cosmetic pen's one pixel)
            placed.append((pen, QPointF(on_columns(a.x(), width), a.y()),
                           QPointF(on_columns(b.x(), width), b.y())))
        return axis, placed, texts
