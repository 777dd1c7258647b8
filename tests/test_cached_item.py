"""The chart's cached items redraw all of themselves when asked, even in the frame in
which their extent grows (Qt then caches only the visible part of a wide item, and a
plain update() would repaint just the strip that came into view)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage

from mpgui.ui.chart.cached_item import CachedItem


class Bars(CachedItem):
    """Red bars at `xs`; an extent far wider than the view, as the chart's items have
    while "now" runs ahead."""

    def __init__(self) -> None:
        super().__init__()
        self.extent = QRectF(-10, 0, 10.8, 1)  # to 0.8, in a view of 0..1
        self.xs = [0.2]

    def boundingRect(self) -> QRectF:
        return self.extent

    def paint(self, p, *_args) -> None:  # type: ignore[no-untyped-def]
        for x in self.xs:
            p.fillRect(QRectF(x, 0, 0.05, 1), QColor("red"))


def red_columns(image: QImage) -> list[int]:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    a = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
    red = (a[..., 2] > 200) & (a[..., 1] < 60) & (a[..., 0] < 60)  # BGRA
    return np.nonzero(red.any(0))[0].tolist()


def test_repaint_all_in_the_frame_the_extent_grows(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    item = Bars()
    plot.addItem(item)
    plot.getViewBox().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    plot.getViewBox().disableAutoRange()
    plot.show()
    qtbot.waitExposed(plot)
    first = red_columns(plot.grab().toImage())
    assert first  # the bar at 0.2 is drawn (and cached)

    # One frame: the extent steps out past the view's right edge, and a second bar
    # appears where the item was already cached.
    item.prepareGeometryChange()
    item.extent = QRectF(-10, 0, 12, 1)
    item.xs.append(0.6)
    item.repaint_all()
    live = plot.grab().toImage()

    item.setCacheMode(item.CacheMode.NoCache)  # a picture drawn from nothing
    fresh = plot.grab().toImage()
    assert len(red_columns(fresh)) > len(first)
    assert live == fresh


def test_repaint_all_reaches_the_screen_when_nothing_else_changes(qtbot):
    """Qt schedules no repaint when an item's cache mode goes to NoCache and back:
    repaint_all must ask for one itself, of all the item. (Without it, a new mark was
    rendered into the cache only when another item's strip was repainted, and reached
    the screen only inside that strip: a queue's put → get line, half drawn.)"""
    from PySide6.QtCore import QEvent, QObject

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    item = Bars()
    plot.addItem(item)
    vb = plot.getViewBox()
    vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    vb.disableAutoRange()
    plot.show()
    qtbot.waitExposed(plot)
    viewport = plot.viewport()
    painted: list = []

    class Paints(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]  # Qt override
            if obj is viewport and event.type() == QEvent.Type.Paint:
                painted.append(event.region())
            return False

    spy = Paints()
    viewport.installEventFilter(spy)
    # Let the paints the window's showing queued pass: until none came for 200 ms.
    seen = -1
    while seen != len(painted):
        seen = len(painted)
        qtbot.wait(200)
    painted.clear()
    item.xs.append(0.6)  # a new bar, the extent as it was
    item.repaint_all()
    qtbot.waitUntil(lambda: bool(painted), timeout=3000)
    bar = plot.mapFromScene(item.mapToScene(QRectF(0.6, 0, 0.05, 1))).boundingRect()
    assert any(region.contains(bar.intersected(viewport.rect())) for region in painted)
    viewport.removeEventFilter(spy)
