"""Fast drawing for the chart: many rectangles or markers from numpy arrays in one
call each, and the rows' geometry in device pixels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPaintEngine, QPainter, QPen, QPixmap, QPolygonF
from shiboken6 import wrapInstance


def _array_of(cls: type, buffer: np.ndarray) -> object | None:
    """`buffer` (rows of float64 fields) seen by Qt as a C array of `cls` (QRectF,
    QPainter.PixmapFragment): what QPainter.drawRects(ptr, n) and
    drawPixmapFragments(ptr, n, pixmap) take, so thousands of shapes cost one call.
    pyqtgraph's own items draw the same way. None where the binding cannot."""
    return _array_at(cls, buffer.ctypes.data)


def _array_at(cls: type, address: int) -> object | None:
    """The C array of `cls` at `address` (see `_array_of`), or None."""
    try:
        return wrapInstance(address, cls)
    except (TypeError, ValueError, OverflowError):  # pragma: no cover - other bindings
        return None


def is_svg(p: QPainter) -> bool:
    """Whether `p` paints into an SVG (an export for slides: vectors, no pictures)."""
    engine = p.paintEngine()
    return engine is not None and engine.type() == QPaintEngine.Type.SVG


class RectBatch:
    """Draws many axis-aligned rectangles, given as numpy arrays, in groups that share
    a brush: one C array for all of them, one drawRects call per group."""

    def __init__(self) -> None:
        self._buffer = np.zeros((0, 4))
        self._whole = np.zeros((0, 4), np.int32)

    def draw_groups(self, p: QPainter, x0: np.ndarray, x1: np.ndarray, y0: np.ndarray,
                    y1: np.ndarray, starts: np.ndarray,
                    styles: list[tuple[QBrush, QPen | None]]) -> None:
        """Rectangles [x0, x1] x [y0, y1], group g being rows starts[g]:starts[g + 1],
        filled with styles[g]'s brush (and outlined with its pen, if any)."""
        n = len(x0)
        if len(self._buffer) < n:
            self._buffer = np.zeros((max(n, 2 * len(self._buffer)), 4))
        rects = self._buffer[:n]
        rects[:, 0], rects[:, 1], rects[:, 2], rects[:, 3] = x0, y0, x1 - x0, y1 - y0
        ends = [*starts[1:], n]
        whole = self._whole_pixels(p, rects, styles)
        cls, array = (QRect, whole) if whole is not None else (QRectF, rects)
        # Each group's first rectangle by address (rows of a contiguous buffer): numpy's
        # `.ctypes` per group cost more than drawing a live frame's few rectangles.
        address, row = array.ctypes.data, array.strides[0]
        for (brush, pen), a, b in zip(styles, starts, ends, strict=True):
            p.setBrush(brush)
            p.setPen(pen if pen is not None else Qt.PenStyle.NoPen)
            first = _array_at(cls, address + int(a) * row)
            if first is not None:
                p.drawRects(first, int(b - a))
            else:  # pragma: no cover
                p.drawRects([QRectF(*r) for r in rects[a:b]])

    def _whole_pixels(self, p: QPainter, rects: np.ndarray,
                      styles: list[tuple[QBrush, QPen | None]]) -> np.ndarray | None:
        """`rects` (x, y, width, height) as QRect's C layout (x1, y1, x2, y2), when
        every edge is on a whole device pixel and nothing is outlined: Qt's raster engine
        fills integer rectangles by a faster path, with the very same pixels (measured:
        15–40 % less time for 16,000 rectangles). None otherwise — a fractional edge, a
        pen (an integer rectangle's outline lies half a pixel elsewhere), an SVG (its
        numbers are written as they are given)."""
        n = len(rects)
        if not n or any(pen is not None for _brush, pen in styles) or is_svg(p):
            return None
        if not (np.array_equal(rects, np.rint(rects)) and (rects[:, 2:] >= 0).all()
                and np.abs(rects).max() < 1 << 30):
            return None
        if len(self._whole) < n:
            self._whole = np.zeros((max(n, 2 * len(self._whole)), 4), np.int32)
        whole = self._whole[:n]
        whole[:, :2] = rects[:, :2]
        whole[:, 2:] = rects[:, :2] + rects[:, 2:] - 1
        return whole

    def draw_frames(self, p: QPainter, x0: np.ndarray, x1: np.ndarray, y0: np.ndarray,
                    y1: np.ndarray, starts: np.ndarray, colors: list[QColor],
                    width: float) -> None:
        """The outlines of rectangles [x0, x1] x [y0, y1], inside them and `width` px
        wide, group g in colors[g]: each edge a filled rectangle, so a frame looks the
        same whichever strip of it is painted (a pen's corners do not)."""
        w = max(1.0, float(np.rint(width)))
        if not len(x0):
            return
        # Each rectangle's four edges side by side, so a group's edges stay together:
        # one drawRects call per colour, one pass of numpy for all of them.
        ex0 = np.stack((x0, x0, x0, x1 - w), axis=1).ravel()
        ex1 = np.stack((x1, x1, x0 + w, x1), axis=1).ravel()
        ey0 = np.stack((y0, y1 - w, y0, y0), axis=1).ravel()
        ey1 = np.stack((y0 + w, y1, y1, y1), axis=1).ravel()
        self.draw_groups(p, ex0, ex1, ey0, ey1, 4 * np.asarray(starts),
                         [(QBrush(color), None) for color in colors])

    def draw(self, p: QPainter, x0: np.ndarray, x1: np.ndarray, y0: np.ndarray,
             y1: np.ndarray, brush: QBrush, pen: QPen | None) -> None:
        """One group of rectangles with one brush."""
        self.draw_groups(p, x0, x1, y0, y1, np.zeros(1, np.int64), [(brush, pen)])


class RowGeometry:
    """Device-pixel geometry of the rows for one paint."""

    def __init__(self, transform, n_rows: int, row_unit: float = 1.0) -> None:  # type: ignore[no-untyped-def]
        top = transform.map(QPointF(0, 0)).y()
        bottom = transform.map(QPointF(0, n_rows * row_unit)).y()
        self.top, self.height = min(top, bottom), abs(bottom - top) / max(n_rows, 1)
        self.inverted = bottom < top

    @classmethod
    def placed(cls, top: float, height: float, inverted: bool) -> RowGeometry:
        """The rows with their first top edge at `top`, each `height` device pixels."""
        geo = cls.__new__(cls)
        geo.top, geo.height, geo.inverted = top, height, inverted
        return geo

    def band(self, row: np.ndarray, fraction: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Top and bottom of a centred band filling `fraction` of each row's height."""
        centre = self.top + (row + 0.5) * self.height
        half = fraction * self.height / 2
        return centre - half, centre + half

    def row_top(self, row: float) -> float:
        """Top edge of a row, in device pixels."""
        return self.top + row * self.height


class Markers:
    """Many copies of one small ▼ marker, blitted from a pre-drawn pixmap in one call."""

    def __init__(self) -> None:
        self._key: tuple[float, int, float] | None = None
        self._pixmap = QPixmap()

    def draw(self, p: QPainter, x: np.ndarray, top: np.ndarray, size: float,
             color: QColor) -> None:
        """A ▼ with its tip below (x, top), `size` px from centre to corner."""
        w, h = 2 * size, 1.6 * size
        if is_svg(p):
            self._draw_vectors(p, x, top, size, color)  # an SVG export: no pictures
            return
        dpr = p.device().devicePixelRatioF() if p.device() is not None else 1.0
        if self._key != (size, color.rgba(), dpr):
            self._key = (size, color.rgba(), dpr)
            # Drawn at the screen's resolution, blitted at 1/dpr: sharp on HiDPI too.
            self._pixmap = QPixmap(int(np.ceil((w + 2) * dpr)), int(np.ceil((h + 2) * dpr)))
            self._pixmap.fill(Qt.GlobalColor.transparent)
            q = QPainter(self._pixmap)
            q.scale(dpr, dpr)
            q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            q.setPen(Qt.PenStyle.NoPen)
            q.setBrush(color)
            q.drawPolygon(QPolygonF([QPointF(1, 1), QPointF(1 + w, 1), QPointF(1 + size, 1 + h)]))
            q.end()
        pw, ph = self._pixmap.width(), self._pixmap.height()  # device pixels
        frags = np.empty((len(x), 10))
        # Where each centre goes, so that the picture's corner is on a whole pixel: Qt
        # places a fragment at a fractional spot differently depending on the clip.
        half_w, half_h = pw / dpr / 2, ph / dpr / 2
        frags[:, 0] = np.floor(x - half_w) + half_w
        frags[:, 1] = np.floor(top - 1) + half_h
        frags[:, 2:6] = (0, 0, pw, ph)  # the source rectangle
        frags[:, 6:8] = 1.0 / dpr  # scale
        frags[:, 8] = 0.0  # rotation
        frags[:, 9] = 1.0  # opacity
        first = _array_of(QPainter.PixmapFragment, frags)
        if first is not None:
            p.drawPixmapFragments(first, len(x), self._pixmap)
            return
        for cx, cy in frags[:, :2]:  # pragma: no cover
            p.drawPixmap(QRectF(cx - pw / dpr / 2, cy - ph / dpr / 2, pw / dpr, ph / dpr),
                         self._pixmap, QRectF(0, 0, pw, ph))

    @staticmethod
    def _draw_vectors(p: QPainter, x: np.ndarray, top: np.ndarray, size: float,
                      color: QColor) -> None:
        """The markers as polygons, one by one (slow, but exact at any scale)."""
        p.save()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        h = 1.6 * size
        for cx, y in zip(x.tolist(), top.tolist(), strict=True):
            p.drawPolygon(QPolygonF([QPointF(cx - size, y), QPointF(cx + size, y),
                                     QPointF(cx, y + h)]))
        p.restore()
