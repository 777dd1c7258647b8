"""The toolbar's icons, drawn rather than taken from the style: the style's media icons
are black, and vanish on a dark or high-contrast toolbar. These are coloured shapes
with a light outline, legible on any background."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

SIZE = 64  # drawn large, scaled down by Qt: sharp at any zoom

COLORS = {"run": "#1f9d55", "stop": "#d62828", "follow": "#2f7fd8", "present": "#7a5bd6",
          "pause": "#2f7fd8", "replay": "#1f9d55"}


def icon(name: str) -> QIcon:
    """The icon called `name` (run, stop, pause, follow, present, replay)."""
    pix = QPixmap(SIZE, SIZE)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(QColor("#f4f4f4"), 3))
    p.setBrush(QColor(COLORS[name]))
    s = SIZE
    if name in ("run", "replay"):
        p.drawPolygon(_triangle(0.22 * s, 0.14 * s, 0.86 * s, s))
        if name == "replay":
            p.drawRect(QRectF(0.08 * s, 0.14 * s, 0.1 * s, 0.72 * s))
    elif name == "stop":
        p.drawRoundedRect(QRectF(0.18 * s, 0.18 * s, 0.64 * s, 0.64 * s), 4, 4)
    elif name == "pause":
        p.drawRect(QRectF(0.2 * s, 0.14 * s, 0.22 * s, 0.72 * s))
        p.drawRect(QRectF(0.58 * s, 0.14 * s, 0.22 * s, 0.72 * s))
    elif name == "follow":
        p.drawPolygon(_triangle(0.06 * s, 0.2 * s, 0.52 * s, s))
        p.drawPolygon(_triangle(0.48 * s, 0.2 * s, 0.94 * s, s))
    elif name == "present":
        p.drawRoundedRect(QRectF(0.06 * s, 0.14 * s, 0.88 * s, 0.58 * s), 4, 4)
        p.drawRect(QRectF(0.44 * s, 0.72 * s, 0.12 * s, 0.12 * s))
        p.drawRect(QRectF(0.26 * s, 0.84 * s, 0.48 * s, 0.06 * s))
    p.end()
    return QIcon(pix)


def _triangle(left: float, top: float, right: float, size: float) -> QPolygonF:
    """A ▶ from `left` to `right`, `top` down from the top, centred vertically."""
    return QPolygonF([QPointF(left, top), QPointF(right, size / 2),
                      QPointF(left, size - top)])
