"""One pyqtgraph item for the chart's few discrete marks: each start() as an arrow from
the main program to the new process, each join() as a marker on the main program's
lane linked to the exit it waited for, and each process's exit with its code."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF

from mpgui.runtime.backends import TAKEN_DOWN
from mpgui.runtime.trace import TraceStore
from mpgui.ui.chart.geometry import Rows, nice_ceil
from mpgui.ui.chart.primitives import RowGeometry
from mpgui.ui.theme import Theme


def exit_text(code: int | None, error: tuple[str, str, str] | None,
              backend: str = "processes") -> str:
    """How an end reads on the chart: 'exit 0', 'killed by signal 15 (exit -15)',
    '✖ exit 1 — ...' for a process; 'ended' for a thread, 'done' for a pool task."""
    if code is None:
        return "ended"
    if backend != "processes":
        if error:
            return f"✖ {error[0]}: {error[1]}"
        if code == TAKEN_DOWN:
            return "ended with its process" if backend == "threads" else "stopped with the pool"
        if code:
            return f"ended by sys.exit({code})"
        return "ended" if backend == "threads" else "done"
    if error:
        return f"✖ exit {code} — {error[0]}: {error[1]}"
    if code < 0:
        return f"killed by signal {-code} (exit {code})"
    return f"exit {code}"


def join_text(store: TraceStore, join) -> str:  # type: ignore[no-untyped-def]
    """'C.join()', 'C.join(timeout=…) timed out' or 'D.join() at the end'."""
    var = store.lanes[join.lane].var
    if join.interrupted:
        return f"{var}.join() interrupted by Stop"
    if join.implicit:
        return f"{var}.join() at the end"
    if join.timed_out:
        return f"{var}.join(timeout) timed out"
    return f"{var}.join()"


class MarksItem(pg.GraphicsObject):
    """Starts, joins and exits."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.store: TraceStore | None = None
        self.rows: Rows | None = None
        self.font = QFont()
        self._extent = QRectF(0, 0, 1, 1)
        self._marks: tuple | None = None  # what is drawn, to repaint only on a change
        self.line = 1.0  # line width factor (zoom, high contrast)
        self.cut_ns = 2**62  # a replay draws only the marks before this time
        self.setCacheMode(self.CacheMode.DeviceCoordinateCache)  # see SpansItem

    def set_data(self, store: TraceStore, rows: Rows, x_end: float,
                 cut_ns: int | None = None) -> None:
        """New data to draw (a replay: only what happened before `cut_ns`); repaints
        only when a mark appeared or the lanes changed."""
        self.cut_ns = cut_ns if cut_ns is not None else 2**62
        cut = self.cut_ns
        marks = (id(store), rows.labels, cut_ns is None,
                 sum(ln.start_call_t is not None and ln.start_call_t <= cut
                     for ln in store.lanes),
                 sum(ln.end_t is not None and ln.end_t <= cut for ln in store.lanes),
                 sum(j.t_return is not None and j.t_return <= cut for j in store.joins))
        self.store, self.rows = store, rows
        extent = QRectF(0, 0, 2 * nice_ceil(max(x_end, 1e-3)), rows.n_rows)  # grows in steps
        if extent != self._extent:
            self.prepareGeometryChange()
            self._extent = extent
        if marks != self._marks:
            self._marks = marks
            self.update()

    def set_style(self, theme: Theme, line: float) -> None:
        """Other colours; lines `line` times as wide."""
        self.theme, self.line = theme, line
        self._marks = None
        self.update()

    def set_font_size(self, points: float) -> None:
        """Size of the labels."""
        self.font.setPointSizeF(points)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._extent

    def paint(self, p: QPainter, *_args: object) -> None:
        store, rows, vb = self.store, self.rows, self.getViewBox()
        if store is None or rows is None or vb is None or store.t0 is None:
            return
        tr = p.transform()
        geo = RowGeometry(tr, rows.n_rows)

        def x_of(t: int) -> float:
            return tr.map(QPointF((t - store.t0) / 1e9, 0)).x()

        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setFont(self.font)
        fm = QFontMetricsF(self.font)
        fg = QColor(self.theme.foreground)
        main_mid = geo.row_top(0) + geo.height / 2
        for ln in store.lanes:
            row = rows.lane_row[ln.index] if ln.index < len(rows.lane_row) else -1
            if ln.kind != "process" or row < 0:
                continue
            top = geo.row_top(row)
            if ln.start_call_t is not None and ln.start_call_t <= self.cut_ns:
                # X.start(): an arrow from the main program
                x = x_of(ln.start_call_t)
                p.setPen(QPen(QColor(self.theme.main_lane), 1.2 * self.line, Qt.PenStyle.DashLine))
                p.drawLine(QPointF(x, main_mid), QPointF(x, top + geo.height * 0.2))
                _arrow_head(p, x, top + geo.height * 0.2, min(7.0 * self.line, geo.height * 0.2),
                            QColor(self.theme.main_lane))
            if ln.end_t is not None and ln.end_t <= self.cut_ns:
                x = x_of(ln.end_t)
                crashed = bool(ln.error) or (ln.exit_code not in (0, None))
                color = QColor(self.theme.crash) if crashed else fg
                p.setPen(QPen(color, 2 * self.line))
                p.drawLine(QPointF(x, top + geo.height * 0.1), QPointF(x, top + geo.height * 0.9))
                p.drawText(QPointF(x + 5, top + geo.height / 2 + fm.ascent() / 2 - 1),
                           exit_text(ln.exit_code, ln.error, store.backend))
        placed: list[QRectF] = []
        view_right = tr.map(QPointF(vb.viewRect().right(), 0)).x()
        for join in store.joins:
            if join.t_return is None or join.t_return > self.cut_ns:
                continue
            target = store.lanes[join.lane]
            trow = rows.lane_row[join.lane]
            x = x_of(join.t_return)
            pen = QPen(QColor(self.theme.join), 2 * self.line)
            if join.implicit:
                pen.setStyle(Qt.PenStyle.DotLine)
            p.setPen(pen)
            waited = target.end_t is not None and target.end_t >= join.t_wait
            if waited and not join.timed_out and trow >= 0:
                # The join returned because X ended: link X's exit to the join's return.
                x_exit = x_of(target.end_t)
                y_exit = geo.row_top(trow) + geo.height / 2
                p.drawLine(QPointF(x_exit, y_exit), QPointF(x, main_mid))
                p.setBrush(QBrush(QColor(self.theme.join)))
                p.drawEllipse(QPointF(x_exit, y_exit), 3 * self.line, 3 * self.line)
            p.drawLine(QPointF(x, geo.row_top(0) + 2), QPointF(x, geo.row_top(1) - 2))
            label = join_text(store, join)
            width = fm.horizontalAdvance(label)
            left = x + 5 if x + 5 + width <= view_right else x - 5 - width  # stay in view
            box = _free_spot(placed, QRectF(left, geo.row_top(0) + 2, width, fm.height()),
                             geo.row_top(1))
            if box is not None:  # no room: the tooltip still tells
                placed.append(box)
                p.drawText(QPointF(box.left(), box.top() + fm.ascent()), label)
        p.restore()


def _free_spot(placed: list[QRectF], box: QRectF, bottom: float) -> QRectF | None:
    """`box`, moved down a line at a time until it overlaps no placed label and still
    ends above `bottom`; None if there is no such place."""
    while box.bottom() <= bottom:
        if not any(box.intersects(other) for other in placed):
            return box
        box = box.translated(0, box.height())
    return None


def _arrow_head(p: QPainter, x: float, y: float, size: float, color: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(color))
    p.drawPolygon(QPolygonF([QPointF(x - size / 2, y - size), QPointF(x + size / 2, y - size),
                             QPointF(x, y)]))
