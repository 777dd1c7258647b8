"""A chart item whose picture Qt keeps between paints (see `CachedItem`)."""

from __future__ import annotations

import pyqtgraph as pg


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

    def repaint_all(self) -> None:
        """Drop the cached picture: the next paint draws the whole item afresh. (An
        item drawn without a cache — an exported picture's, whose SVG must get
        vectors — stays without one.)"""
        mode = self.cacheMode()
        if mode == self.CacheMode.NoCache:
            self.update()
            return
        self.setCacheMode(self.CacheMode.NoCache)  # (schedules the repaint)
        self.setCacheMode(mode)
