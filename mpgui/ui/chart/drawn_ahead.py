"""The next view's picture, drawn between frames.

A frame that steps the live time axis repaints the whole chart: the longest frame of a
run, and the one that sets the frames' 99th percentile. The poll before it already finds
the runs that frame will draw (`SpansItem.prepare_between_frames`); drawing them into an
image there too leaves the frame one copy of it.

A picture is drawn relative to the paint's whole-pixel origin — the view's left edge
rounded, its top edge floored — as the paint before the step was placed, with the next
view's scale. The frame copies it only when its own paint is placed exactly so (the same
columns, rows, pattern origin and render hints, shifted by whole pixels): then the copy
has the pixels drawing afresh would give. Any other paint draws afresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QTransform

from mpgui.ui.chart.primitives import RowGeometry, is_svg


def _r(value: float) -> float:
    """Rounded far below a pixel: a placement computed two ways compares equal."""
    return round(value, 6)


@dataclass(frozen=True)
class Placement:
    """Where a paint draws, relative to its whole-pixel origin: two paints placed
    alike draw the same pixels, shifted by whole pixels."""

    width: int  # the view's columns
    height: int  # rows of pixels, from the top edge floored to the bottom edge's ceiling
    row_top: float  # the first row's top edge
    row_height: float
    inverted: bool
    origin: tuple[float, float]  # where patterns are anchored: time 0, row 0
    hints: QPainter.RenderHint

    def rows(self) -> RowGeometry:
        """The rows' geometry of a paint placed so, relative to its origin."""
        return RowGeometry.placed(self.row_top, self.row_height, self.inverted)


@dataclass(frozen=True)
class PaintPlace:
    """One paint's placement, and where on its device the origin is."""

    placement: Placement
    left: int  # the device pixel of the origin
    top: int
    view_left: float  # the view's left edge, in device pixels from `left`
    view_px: float  # the view's width in device pixels (fractional)

    @classmethod
    def of(cls, p: QPainter, tr: QTransform, dev: QRectF, geo: RowGeometry,
           width: int) -> PaintPlace | None:
        """The placement of a paint of the view `dev` (device pixels, by `tr`) with
        rows `geo`, `width` columns; None where no picture can stand for it (an SVG's
        vectors, a screen with several device pixels to one)."""
        device = p.device()
        if device is None or is_svg(p) or device.devicePixelRatioF() != 1.0:
            return None
        left, top = round(dev.left()), math.floor(dev.top())
        origin = tr.map(QPointF(0, 0))
        placement = Placement(width, math.ceil(dev.bottom()) - top, _r(geo.top - top),
                              _r(geo.height), geo.inverted,
                              (_r(origin.x() - left), _r(origin.y() - top)), p.renderHints())
        return cls(placement, left, top, dev.left() - left, dev.width())

    def at_view(self, x0: float, x1: float) -> Placement:
        """This placement for the view [x0, x1] s on the same pixels (a step of the time
        axis): the pattern origin, time 0, moves with the scale."""
        x = self.view_left - x0 / (x1 - x0) * self.view_px
        return replace(self.placement, origin=(_r(x), self.placement.origin[1]))


@dataclass(frozen=True)
class Picture:
    """A grid's runs drawn ahead, and what they were drawn for."""

    image: QImage
    placement: Placement
    grid: np.ndarray  # the grid drawn, as it was after `edits` changes of the codes
    edits: int
    now: float  # the cache's time then (its printed lines)

    def fits(self, place: PaintPlace | None, grid: np.ndarray, edits: int, now: float) -> bool:
        """Whether a paint placed at `place`, of `grid` after `edits`, with the cache at
        `now`, draws exactly this picture."""
        return place is not None and place.placement == self.placement and \
            grid is self.grid and edits == self.edits and now == self.now

    def draw(self, p: QPainter, place: PaintPlace) -> None:
        """Copy the picture to the (untransformed) painter at the paint's origin."""
        p.drawImage(QPointF(place.left, place.top), self.image)


def draw_ahead(placement: Placement, draw) -> QImage | None:  # type: ignore[no-untyped-def]
    """An image of what `draw(painter, rows)` paints, placed at `placement`; None if the
    painter cannot take its render hints."""
    image = QImage(placement.width, placement.height, QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        return None
    image.fill(Qt.GlobalColor.transparent)
    q = QPainter(image)
    try:
        q.setRenderHints(q.renderHints(), False)
        q.setRenderHints(placement.hints, True)
        if q.renderHints() != placement.hints:
            return None
        q.setBrushOrigin(QPointF(*placement.origin))
        draw(q, placement.rows())
    finally:
        q.end()
    return image
