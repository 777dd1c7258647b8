"""A chart item whose picture Qt keeps between paints (see `CachedItem`)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF

from mpgui.ui.chart.geometry import extent_right


class CachedItem(pg.GraphicsObject):
    """A pyqtgraph item painted into Qt's device-pixel cache: Qt's own repaints (after
    a change of view it paints each item's area once more) and exposures only copy
    the picture, and ``update(rect)`` re-renders just that strip into it.

    To redraw all of it, call `repaint_all`, never a bare ``update()``: when the item
    is much wider than the viewport (its extent runs ahead of "now"), Qt caches only
    the visible part, and a paint that also resizes or shifts that part (the extent
    grew, the view panned) renders only the strip that came into view — the full
    update is dropped (QGraphicsScene's drawItemHelper paints the scroll exposure
    instead of "all exposed") and the rest keeps its old picture: a start() arrow
    that appeared in the same frame as a step of the extent went missing until the
    next change of view."""

    def __init__(self) -> None:
        super().__init__()
        self.setCacheMode(self.CacheMode.DeviceCoordinateCache)
        self._extent = QRectF(0, 0, 1, 1)
        self._x_end = 0.0  # where the data ends, seconds

    def boundingRect(self) -> QRectF:
        return self._extent

    def extent_for(self, right: float) -> QRectF | None:
        """The item's extent, in its coordinates, when it may draw up to `right`
        seconds (None: keep the one it has — no data yet, or an item that keeps its
        extent itself)."""
        return None

    def fit_extent(self, x_end: float | None = None) -> None:
        """Fit the extent to the data's end (`x_end`, if it moved) and the view (see
        `extent_right`): it changes in steps, with the view's."""
        if x_end is not None:
            self._x_end = x_end
        vb = self.getViewBox()
        extent = self.extent_for(extent_right(
            self._x_end, vb.viewRect().right() if vb is not None else 0.0))
        if extent is not None and extent != self._extent:
            self.prepareGeometryChange()
            self._extent = extent

    def viewRangeChanged(self) -> None:  # pyqtgraph hook: a step of the view
        self.fit_extent()

    def repaint_all(self) -> None:
        """Drop the cached picture: the next paint draws the whole item afresh. (An
        item drawn without a cache — an exported picture's, whose SVG must get
        vectors — stays without one.)"""
        mode = self.cacheMode()
        if mode == self.CacheMode.NoCache:
            self.update()
            return
        self.setCacheMode(self.CacheMode.NoCache)
        self.setCacheMode(mode)
        # (Qt schedules no repaint for a change between these two modes: without this,
        # the picture was rendered afresh only when something else repainted part of
        # the view, and reached the screen only there — seen on a busy machine: a
        # queue's new put → get line missing outside the spans' strip of that frame.)
        self.update()
