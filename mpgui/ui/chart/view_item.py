"""An item of the chart that is as wide as the view and uncached: it paints whatever
strip Qt exposes (a live frame exposes only the new time at the right), and its
picture never ends at a bounding box drawn for an older range."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF

from mpgui.ui.theme import Theme


class ViewItem(pg.GraphicsObject):
    """The shared part of the lanes' background and the shared objects' lanes."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.setFlag(self.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # exposedRect
        self.theme = theme
        self.line = 1.0
        self._rect = QRectF(0, 0, 1, 1)

    def set_style(self, theme: Theme, line: float) -> None:
        """Other colours; lines `line` times as wide."""
        self.theme, self.line = theme, line
        self.update()

    def viewRangeChanged(self) -> None:  # pyqtgraph hook
        vb = self.getViewBox()
        if vb is None:
            return
        rect = vb.viewRect()
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = QRectF(rect)
            self.update()

    def boundingRect(self) -> QRectF:
        return self._rect
