"""`RectBatch`: thousands of rectangles in one call per brush, the same pixels as
drawing each one alone — by the integer path (every edge on a whole pixel) and the
fractional one."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from mpgui.ui.chart.primitives import RectBatch
from mpgui.ui.theme import STATE_STYLES, state_brush


def _paint(draw) -> QImage:  # type: ignore[no-untyped-def]
    image = QImage(400, 300, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    p = QPainter(image)
    p.setBrushOrigin(QPointF(3, 7))  # (patterns anchored somewhere else than 0, 0)
    draw(p)
    p.end()
    return image


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("fractional", [False, True])
def test_a_batch_paints_what_each_rectangle_alone_paints(qapp, seed, fractional):
    rng = np.random.default_rng(seed)
    n = 600
    x0 = rng.integers(-20, 390, n).astype(np.float64)
    y0 = rng.integers(-5, 290, n).astype(np.float64)
    x1 = x0 + rng.integers(0, 30, n)  # (empty ones too)
    y1 = y0 + rng.integers(0, 12, n)
    if fractional:
        x0 += rng.random(n)
    brushes = [state_brush(state, QColor.fromHsv(40 * k % 360, 200, 220, 90 + 40 * k % 166),
                           1.0 + k % 2)
               for k, state in enumerate(STATE_STYLES)]
    starts = np.linspace(0, n, len(brushes) + 1).astype(np.int64)[:-1]
    styles = [(brush, None) for brush in brushes]
    batch = RectBatch()
    assert (batch._whole_pixels(QPainter(), np.stack([x0, y0, x1 - x0, y1 - y0], 1), styles)
            is None) == fractional  # (the path this case takes)

    def alone(p: QPainter) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        ends = [*starts[1:], n]
        for (brush, _pen), a, b in zip(styles, starts, ends, strict=True):
            p.setBrush(brush)
            for k in range(a, b):
                p.drawRect(QRectF(x0[k], y0[k], x1[k] - x0[k], y1[k] - y0[k]))

    together = _paint(lambda p: batch.draw_groups(p, x0, x1, y0, y1, starts, styles))
    assert together == _paint(alone)


def test_outlined_rectangles_take_the_fractional_path(qapp):
    batch = RectBatch()
    rects = np.array([[1.0, 2.0, 3.0, 4.0]])
    styles = [(state_brush(next(iter(STATE_STYLES)), QColor("red"), 1.0), QPen(QColor("blue")))]
    assert batch._whole_pixels(QPainter(), rects, styles) is None


@pytest.mark.parametrize("width", [1.0, 2.0])
def test_frames_of_all_colours_at_once_paint_each_frame_drawn_alone(qapp, width):
    rng = np.random.default_rng(int(width))
    n = 300
    x0 = rng.integers(-10, 390, n).astype(np.float64)
    y0 = rng.integers(-5, 290, n).astype(np.float64)
    x1, y1 = x0 + rng.integers(1, 40, n), y0 + rng.integers(1, 20, n)
    colors = [QColor.fromHsv(60 * k, 220, 200, 120 + 30 * k) for k in range(5)]  # translucent
    starts = np.array([0, 40, 41, 150, 260])

    def alone(p: QPainter) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        w = max(1.0, float(np.rint(width)))
        for color, a, b in zip(colors, starts, [*starts[1:], n], strict=True):
            p.setBrush(color)
            for k in range(a, b):  # top, bottom, left, right: each edge inside the box
                for rect in (QRectF(x0[k], y0[k], x1[k] - x0[k], w),
                             QRectF(x0[k], y1[k] - w, x1[k] - x0[k], w),
                             QRectF(x0[k], y0[k], w, y1[k] - y0[k]),
                             QRectF(x1[k] - w, y0[k], w, y1[k] - y0[k])):
                    p.drawRect(rect)

    batch = RectBatch()
    together = _paint(lambda p: batch.draw_frames(p, x0, x1, y0, y1, starts, colors, width))
    assert together == _paint(alone)
