"""One pyqtgraph item for the chart's few discrete marks: each start() as an arrow from
the main program to the new process, each terminate() as a red arrow, each join() as a
flag on the main program's lane linked to the exit it waited for, and each process's
exit with its code. Where they go is `labels.layout_marks`'s business; this draws it."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPen,
    QPolygonF,
    QTransform,
)

from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.cached_item import CachedItem
from mpgui.ui.chart.geometry import Rows
from mpgui.ui.chart.labels import Box, Frame, MarksLayout, layout_marks
from mpgui.ui.chart.mark_painters import painted
from mpgui.ui.chart.primitives import RowGeometry
from mpgui.ui.guarded import guarded
from mpgui.ui.theme import Theme

LABEL_BACKDROP = 215  # opacity of the panel behind a label: bars under it stay faintly seen


def marks_key(store: TraceStore, cut_ns: int | None) -> tuple:
    """What the marks of `store` depend on (up to a replay's cut): they change only
    when a start, terminate, exit or join (a record an event kind paints) happens."""
    cut = cut_ns if cut_ns is not None else 2**62
    return (id(store), cut_ns is None,
            sum(ln.start_call_t is not None and ln.start_call_t <= cut for ln in store.lanes),
            sum(ln.terminate_t is not None and ln.terminate_t <= cut for ln in store.lanes),
            sum(ln.end_t is not None and ln.end_t <= cut for ln in store.lanes),
            *(painter.count(records, cut) for painter, records in painted(store)))


class MarksItem(CachedItem):
    """Starts, terminates, joins and exits, and their labels."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.store: TraceStore | None = None
        self.rows: Rows | None = None
        self.font = QFont()
        self._marks: tuple | None = None  # what is drawn, to repaint only on a change
        self.line = 1.0  # line width factor (zoom, high contrast)
        self.cut_ns = 2**62  # a replay (or a live frame) draws only the marks before this
        self.layout: MarksLayout | None = None  # what the last paint drew
        # The last layout made (`layout_for_view`): what it was made for, and it.
        self._kept: tuple[tuple, Rows, TraceStore, MarksLayout] | None = None

    def set_data(self, store: TraceStore, rows: Rows, x_end: float,
                 cut_ns: int | None = None) -> None:
        """New data to draw (a replay, or a live run as its spans are drawn: only what
        happened before `cut_ns`); repaints only when a mark appeared or the lanes
        changed."""
        self.cut_ns = cut_ns if cut_ns is not None else 2**62
        marks = (marks_key(store, cut_ns), rows.labels)
        self.store, self.rows = store, rows
        self.fit_extent(x_end)
        if marks != self._marks:
            self._marks = marks
            self.repaint_all()

    def set_style(self, theme: Theme, line: float) -> None:
        """Other colours; lines `line` times as wide."""
        self.theme, self.line = theme, line
        self._marks = None
        self.repaint_all()

    def set_font_size(self, points: float) -> None:
        """Size of the labels."""
        self.font.setPointSizeF(points)
        self.repaint_all()

    def extent_for(self, right: float) -> QRectF | None:
        return None if self.rows is None else \
            QRectF(-1, -64, right + 1, self.rows.n_rows + 64)  # room for labels above

    def frame(self, transform, view: QRectF, plot: Box) -> Frame | None:  # type: ignore[no-untyped-def]
        """How `transform` (chart coordinates to pixels) maps this item's store, with
        `view` (chart coordinates) shown in `plot` (pixels)."""
        store, rows = self.store, self.rows
        if store is None or rows is None or store.t0 is None:
            return None
        geo = RowGeometry(transform, rows.n_rows)
        origin = transform.map(QPointF(0, 0)).x()
        per_s = transform.map(QPointF(1, 0)).x() - origin
        t0 = store.t0
        fm = QFontMetricsF(self.font)
        first = max(0, int(view.top() + 1e-6))
        end = int(view.bottom() - 1e-6) + 1
        return Frame(x_of=lambda t: origin + (t - t0) / 1e9 * per_s, row_top=geo.row_top,
                     row_h=geo.height, plot=plot, width_of=fm.horizontalAdvance,
                     line_h=fm.height(), main_visible=first == 0,
                     visible_rows=(first, end))

    @guarded
    def paint(self, p: QPainter, *_args: object) -> None:
        vb = self.getViewBox()
        if vb is None:
            return
        view = vb.viewRect()
        dev = p.transform().mapRect(view)  # where the plot is, in the painter's pixels
        # Laid out with the plot's top left at 0, 0 and drawn moved there: the same
        # layout the labels' room asked for just before (a step of the time axis).
        layout = self.layout = layout_for_view(self, view, dev.width(), dev.height())
        if layout is None:
            return
        p.save()
        p.resetTransform()
        p.translate(dev.left(), dev.top())
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_lines(p, layout, Box(0.0, 0.0, dev.width(), dev.height()))
        self._paint_labels(p, layout, QFontMetricsF(self.font))
        p.restore()

    def _pen(self, kind: str, crash: bool) -> QPen:
        t, w = self.theme, self.line
        if crash or kind == "terminate":
            pen = QPen(QColor(t.crash), (1.6 if kind == "terminate" else 2) * w)
        elif kind == "start":
            pen = QPen(QColor(t.main_lane), 1.2 * w)
        elif kind == "leader":
            pen = QPen(QColor(t.foreground), 1.0 * w)
        elif kind == "item":  # an item's way from its put() to its get()
            pen = QPen(QColor(t.foreground), 1.2 * w)
        elif kind == "exit":
            pen = QPen(QColor(t.foreground), 2 * w)
        else:  # joins and their flags
            pen = QPen(QColor(t.join), 2 * w)
        if kind in ("start", "terminate"):
            pen.setStyle(Qt.PenStyle.DashLine)
        elif kind in ("join_implicit", "pole_implicit", "leader"):
            pen.setStyle(Qt.PenStyle.DotLine)
        return pen

    def _paint_lines(self, p: QPainter, layout: MarksLayout, plot: Box) -> None:
        """The lines, dots and arrow heads, only as far as they reach into the `plot`
        (the view box clips the rest): a run of hundreds of processes has lanes far
        below the view, and its start() arrows, dashed, cost the painter per dash."""
        # A pen is made and set once per run of segments of one kind: a queue's
        # hundreds of put → get lines are one run.
        reach = 4 + 8 * self.line  # a wide pen's edge or an arrow head beyond the plot
        box = Box(plot.x - reach, plot.y - reach, plot.w + 2 * reach, plot.h + 2 * reach)
        style: tuple[str, bool] | None = None
        lines: list[QLineF] = []
        dashed = False
        period: float | None = 0.0
        for s in layout.segments:
            if (s.kind, s.crash) != style:
                _draw_lines(p, lines, dashed)
                lines.clear()
                style = (s.kind, s.crash)
                pen = self._pen(s.kind, s.crash)
                p.setPen(pen)
                dashed = pen.style() != Qt.PenStyle.SolidLine
                # A dash pattern is in pen widths. Qt draws a pen of 1 px or less its own
                # way, which clips a line cheaply itself and lays its dashes from where
                # it clipped (from either end): such a line is drawn whole or not at all.
                period = None if dashed and pen.widthF() <= 1.0 else \
                    sum(pen.dashPattern()) * pen.widthF() if dashed else 0.0
            part = s.part_in(box, period)
            if part is not None:
                lines.append(QLineF(*part))
        _draw_lines(p, lines, dashed)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(QColor(self.theme.join)))
        r = 3 * self.line
        for x, y in layout.dots:
            if box.x - r <= x <= box.right + r and box.y - r <= y <= box.bottom + r:
                p.drawEllipse(QPointF(x, y), r, r)
        size = 7.0 * self.line
        for x, y, red in layout.arrows:
            if box.x - size <= x <= box.right + size and box.y <= y <= box.bottom + size:
                color = QColor(self.theme.crash if red else self.theme.main_lane)
                _arrow_head(p, x, y, size, color)

    def _paint_labels(self, p: QPainter, layout: MarksLayout, fm: QFontMetricsF) -> None:
        p.setFont(self.font)
        backdrop = QColor(self.theme.background)
        backdrop.setAlpha(LABEL_BACKDROP)
        colors = {"crash": self.theme.crash, "terminate": self.theme.crash,
                  "join": self.theme.foreground, "exit": self.theme.foreground}
        for label in layout.labels:
            b = label.box
            p.fillRect(QRectF(b.x - 1, b.y, b.w + 2, b.h), backdrop)
            p.setPen(QColor(colors.get(label.role, self.theme.foreground)))
            p.drawText(QPointF(b.x, b.y + fm.ascent()), label.shown)


def _draw_lines(p: QPainter, lines: list[QLineF], dashed: bool) -> None:
    """Draw `lines` with the painter's pen: solid ones in one call, dashed ones each on
    its own (in one call, Qt would go on with one line's dashes where the last's ended,
    and a line's dashes would move as others came into view)."""
    if not dashed:
        p.drawLines(lines)
        return
    for line in lines:
        p.drawLine(line)


def _arrow_head(p: QPainter, x: float, y: float, size: float, color: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(color))
    p.drawPolygon(QPolygonF([QPointF(x - size / 2, y - size), QPointF(x + size / 2, y - size),
                             QPointF(x, y)]))


def frame_for_view(item: MarksItem, view: QRectF, width: float, height: float,
                   unbounded: bool = False) -> Frame | None:
    """The frame of `item` for a view (chart coordinates) drawn `width` x `height`
    pixels (origin at the plot's top left); `unbounded`: as if the plot had no right
    edge (to measure how much room the labels want)."""
    if view.width() <= 0 or view.height() <= 0:
        return None
    sx, sy = width / view.width(), height / view.height()
    transform = QTransform(sx, 0, 0, sy, -view.left() * sx, -view.top() * sy)
    plot = Box(0.0, 0.0, 1e9 if unbounded else width, height)
    return item.frame(transform, view, plot)


def layout_for_view(item: MarksItem, view: QRectF, width: float, height: float,
                    unbounded: bool = False) -> MarksLayout | None:
    """`layout_marks` of `item`'s data for a view drawn `width` x `height` pixels
    (origin at the plot's top left). The last one made is kept: a frame that steps the
    time axis asks for the labels' room in the new view, then paints the marks in it
    (with 256 processes a layout is 2–4 ms)."""
    store, rows = item.store, item.rows
    key = (item._marks, item.cut_ns, item.font.key(), view.getRect(), width, height,
           unbounded)
    kept = item._kept
    if kept is not None and kept[0] == key and kept[1] is rows and kept[2] is store:
        return kept[3]
    frame = frame_for_view(item, view, width, height, unbounded)
    if frame is None or store is None or rows is None:
        return None
    layout = layout_marks(store, rows, frame, item.cut_ns)
    item._kept = (key, rows, store, layout)
    return layout
