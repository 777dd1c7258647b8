"""The chart's legend: what each kind of bar and mark means, drawn with the very styles
the chart uses (`theme.STATE_STYLES`), so the two cannot disagree."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QPainter,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from mpgui.i18n import _
from mpgui.model.backend import DEFAULT_BACKEND, Backend, get_backend
from mpgui.runtime.protocol import State
from mpgui.ui.chart.objects_item import level_color
from mpgui.ui.chart.primitives import is_svg
from mpgui.ui.guarded import guarded
from mpgui.ui.theme import STATE_STYLES, Theme, prediction_pen, state_brush

ELLIPSIS_LABEL = _("… (hover for all)")


def backend_entries(backend: Backend) -> tuple[tuple[object, str], ...]:
    """(what is drawn, its label) for the runs of `backend`: its states first, in the
    order a row lives them, then the main program's calls, printed lines and the end."""
    return (*((getattr(State, state.upper()), label) for state, label in backend.states),
            ("busy", _("main program busy ({call} …)").format(call=backend.start_call)),
            ("line", _("printed a line")),
            ("exit", backend.end_mark))


PLAN_ENTRY = ("plan", _("predicted (dashed outline)"))
# Shown only when the chart has them (see ChartLegend.set_extras).
EXTRA_ENTRIES: dict[str, tuple[object, str]] = {
    "terminate": ("terminate", _("terminate(): SIGTERM")),
    "others": ("others", _("other programs on a CPU")),
    "blocked": (State.BLOCKED, _("blocked on a shared object")),
    "item": ("item", _("an item: put() to get()")),
    "level": ("level", _("an object's level: items, a value, those waiting")),
    "holder": ("holder", _("holds the lock")),
    "lost": ("lost", _("the value without lost updates")),
    "collision": ("collision", _("an update lost")),
}
# What each entry means, for the tooltip: written not to repeat the entry's label.
HELP: dict[object, str] = {
    State.STARTING: _("start() was called; the new Python process is booting"),
    State.RUNNING: _("executing on a CPU core"),
    State.PREEMPTED: _("ready to run, but another process had the core (time-slicing)"),
    State.SLEEPING: _("in time.sleep(): needs no core"),
    State.WAITING: _("blocked until the process (or task) it waits for ends; a pool's idle "
                     "worker waits for a task"),
    State.GIL: _("ready to run, but another thread of the process held the GIL"),
    State.QUEUED: _("submitted to the pool, waiting for a free worker"),
    State.BLOCKED: _("waiting in acquire() for a lock another process holds, in get() on an "
                     "empty queue, in put() on a full one, in recv() on a pipe nothing "
                     "came through, in an event's wait() until another process sets it, "
                     "on a condition until it is notified, or at a barrier for the other "
                     "parties"),
    "item": _("a line from the moment a process put an item on a queue (or sent it "
              "through a pipe) to the moment another got that same item: its way through"),
    "level": _("a shared object's lane: how many items were in a queue or on their way "
               "through a pipe, what a value was, how many processes waited at a barrier "
               "or on a condition, how many keys a Manager dict held, items a list, cells "
               "of an array were written — the highest it reached in each pixel's time —, "
               "or, full, that an event was set"),
    "holder": _("a lock's lane: the process that held the lock, in that process's colour "
                "(empty: nobody held it)"),
    "lost": _("a value's lane: what the value would be had every update counted — the gap "
              "to the filled level is the updates lost when two processes read the same "
              "value and both wrote it plus one"),
    "collision": _("a value's lane: in this pixel's time an update was lost — two processes "
                   "read the same value (their read-modify-writes overlapped) and both "
                   "wrote it plus one"),
    "busy": _("the main program itself running: starting processes (each start() takes a "
              "moment), or between steps"),
    "line": _("the moment a process printed a line (several close together: a band)"),
    "exit": _("a process ended here; the label says how (its exit code)"),
    "terminate": _("the main program called X.terminate(): the process gets SIGTERM and ends "
                   "with exit code -15 (a daemon is terminated so when the program ends)"),
    "others": _("time programs outside this run used the CPU (measured by the OS): on a "
                "busy computer the run's timings stretch"),
    "plan": _("the prediction: where the bars would be if starting a process took no time "
              "and each got a core when it needed one"),
    "more": _("the legend has more entries than fit here"),
}
MAX_LINES = 3  # more entries than fit on this many lines: the rest in the tooltip


def _leaves_first(key: object) -> int:
    """How soon an entry is left out of a legend too long for its lines (higher:
    sooner). The marks of shared objects, terminate() and notes are listed only when
    this run has them, and say what it teaches; they stay longest, with the states of
    the lesson (starting, running, waiting in join(), the GIL, a pool's queue). Being
    preempted or asleep may not occur in this run at all; the end and the main
    program's own bar come next; a printed line, other programs' time and the
    prediction's outline are the easiest to read without a legend."""
    if key in ("line", "others", "plan"):
        return 3
    if key in ("exit", "busy"):
        return 2
    if key in (State.PREEMPTED, State.SLEEPING):
        return 1
    return 0


_SWATCH_W = 28
_GAP = 14


class ChartLegend(QWidget):
    """Swatches and labels above the chart, on as many lines as its width needs (at
    most MAX_LINES; the tooltip always explains every entry)."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.sample_color = QColor(theme.palette[0])
        self.zoom = 1.0
        self.show_plan = False  # a prediction is drawn: say what its dashed bars are
        self.backend = DEFAULT_BACKEND
        self.note = ""  # a fact about the run in words (threads: the GIL)
        self.extras: frozenset[str] = frozenset()  # of EXTRA_ENTRIES, what the chart shows
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._tooltip()

    def set_style(self, theme: Theme, zoom: float) -> None:
        """Other colours; swatches scaled by `zoom` (the text follows the app font)."""
        self.theme, self.zoom = theme, zoom
        self.sample_color = QColor(theme.palette[0])
        self.fit_height()
        self.update()

    @property
    def entries(self) -> tuple[tuple[object, str], ...]:
        """What the legend explains now."""
        extras = tuple(EXTRA_ENTRIES[k] for k in EXTRA_ENTRIES if k in self.extras)
        return backend_entries(get_backend(self.backend)) + extras + \
            ((PLAN_ENTRY,) if self.show_plan else ()) + ((("note", self.note),) if self.note
                                                          else ())

    def set_backend(self, backend: str, note: str = "") -> None:
        """Explain the states of `backend`'s runs, and `note` (e.g. whether there is a
        GIL)."""
        if (backend, note) != (self.backend, self.note):
            self.backend, self.note = backend, note
            self._changed()

    def set_extras(self, extras: frozenset[str]) -> None:
        """Explain these marks too (of EXTRA_ENTRIES: "terminate", "others")."""
        if extras != self.extras:
            self.extras = extras
            self._changed()

    def set_show_plan(self, on: bool) -> None:
        """Explain the prediction's outlines too, or not."""
        if on != self.show_plan:
            self.show_plan = on
            self._changed()

    def _changed(self) -> None:
        self._tooltip()
        self.fit_height()
        self.update()

    def _tooltip(self) -> None:
        lines = []
        for key, label in self.entries:
            text = HELP.get(key)
            lines.append(f"{label} — {text}" if text else label)
        self.setToolTip("\n".join(lines))

    def _places(self, width: int) -> list[tuple[float, int] | None]:
        """(x, line) of each entry at `width` (None: left out; see `_layout`)."""
        return self._layout(width)[0]

    def _layout(self, width: int) -> tuple[list[tuple[float, int] | None],
                                          tuple[float, int] | None]:
        """(x, line) of each entry, wrapping onto more lines when `width` is too small,
        None for those left out when not all fit on MAX_LINES lines; and where the "…"
        that says so goes (None when all fit). What is left out goes by
        `_leaves_first`: a narrow window, or a language of long words, keeps the marks
        this run teaches (a lock's holder, a blocked process) and leaves out everyday
        ones (a printed line) first."""
        entries = self.entries
        keep = list(range(len(entries)))
        while True:
            flowed = self._flow(width, [entries[i][1] for i in keep],
                                more=len(keep) < len(entries))
            if flowed is not None:
                shown, more = flowed
                out: list[tuple[float, int] | None] = [None] * len(entries)
                for i, place in zip(keep, shown, strict=True):
                    out[i] = place
                return out, more
            keep.remove(max(keep, key=lambda i: (_leaves_first(entries[i][0]), i)))

    def _flow(self, width: int, labels: list[str], more: bool
              ) -> tuple[list[tuple[float, int]], tuple[float, int] | None] | None:
        """(x, line) of each of `labels` in order, wrapped at `width`, and of the "…"
        after the last when `more`; None if that takes more than MAX_LINES lines."""
        fm = QFontMetricsF(self.font())
        x, line, out = 4.0, 0, []
        for label in labels:
            w = self._swatch_w + 6 + fm.horizontalAdvance(label)
            if x > 4.0 and x + w > width:
                x, line = 4.0, line + 1
            out.append((x, line))
            x += w + _GAP
        at = None
        if more:
            w = self._swatch_w + 6 + fm.horizontalAdvance(ELLIPSIS_LABEL)
            if x > 4.0 and x + w > width:
                x, line = 4.0, line + 1
            at = (x, line)
        return (out, at) if line < MAX_LINES else None

    @property
    def _swatch_w(self) -> float:
        return _SWATCH_W * self.zoom

    def _line_height(self) -> float:
        return QFontMetricsF(self.font()).height() * 1.6

    def hasHeightForWidth(self) -> bool:  # Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # Qt override
        places, more = self._layout(width)
        lines = 1 + max((p[1] for p in [*places, more] if p is not None), default=0)
        return int(lines * self._line_height())

    def sizeHint(self) -> QSize:  # Qt override
        fm = QFontMetricsF(self.font())
        width = sum(self._swatch_w + 6 + fm.horizontalAdvance(label) + _GAP
                    for _k, label in self.entries)
        return QSize(int(width), int(self._line_height()))

    def minimumSizeHint(self) -> QSize:  # Qt override
        return QSize(100, int(self._line_height()))

    def resizeEvent(self, event: object) -> None:  # Qt override
        super().resizeEvent(event)
        self.fit_height()

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the zoom: as many lines as now needed
            self.fit_height()

    def fit_height(self) -> None:
        """As tall as its lines at the current width and font."""
        # One more or one fewer line. Set here: a layout inside a QSplitter does not
        # ask heightForWidth. (The height depends on the width only, so no loop.)
        height = self.heightForWidth(max(self.width(), 1))
        if self.height() != height:
            self.setFixedHeight(height)

    @guarded
    def paintEvent(self, _event: object) -> None:  # Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fm = QFontMetricsF(self.font())
        h = self._line_height()
        fg = QColor(self.theme.foreground)
        places, more = self._layout(self.width())
        for (key, label), place in zip(self.entries, places, strict=True):
            if place is None:
                continue
            x, line = place
            top = line * h
            self._swatch(p, key, QRectF(x, top + h * 0.15, self._swatch_w, h * 0.7), fg)
            p.setPen(fg)
            p.drawText(QPointF(x + self._swatch_w + 6, top + h / 2 + fm.ascent() / 2 - 1), label)
        if more is not None:
            p.setPen(fg)
            p.drawText(QPointF(more[0], more[1] * h + h / 2 + fm.ascent() / 2 - 1),
                       ELLIPSIS_LABEL)
        p.end()

    def _swatch(self, p: QPainter, key: object, box: QRectF, fg: QColor) -> None:
        line = self.zoom * self.theme.line
        if key == "note":  # an "i" in a circle
            r = min(box.height(), box.width()) * 0.42
            c = box.center()
            p.setPen(QPen(fg, 1.5 * self.zoom))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, r, r)
            p.drawLine(QPointF(c.x(), c.y() - r * 0.1), QPointF(c.x(), c.y() + r * 0.55))
            p.drawPoint(QPointF(c.x(), c.y() - r * 0.45))
            return
        if key == "line":
            s = min(box.height() * 0.35, 6.0)
            cx, top = box.center().x(), box.top()
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(fg))
            p.drawPolygon(QPolygonF([QPointF(cx - s, top), QPointF(cx + s, top),
                                     QPointF(cx, top + 1.6 * s)]))
            return
        if key == "item":  # a thin line down, as from a put to its get
            p.setPen(QPen(fg, 1.2 * line))
            p.drawLine(QPointF(box.left() + 2, box.top() + 2),
                       QPointF(box.right() - 2, box.bottom() - 2))
            return
        if key == "collision":  # the red tick over a value's lane
            p.fillRect(QRectF(box.left() + 2, box.center().y() - 1.5 * line,
                              box.width() - 4, 3 * line), QColor(self.theme.crash))
            return
        if key in ("level", "lost"):  # a rising step, filled; or its dashed line
            steps = [(0.0, 0.8), (0.35, 0.8), (0.35, 0.5), (0.7, 0.5), (0.7, 0.2), (1.0, 0.2)]
            points = [QPointF(box.left() + x * box.width(), box.top() + y * box.height())
                      for x, y in steps]
            if key == "lost":
                p.setPen(QPen(fg, line, Qt.PenStyle.DashLine))
                p.drawPolyline(points)
                return
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(level_color(self.theme))
            p.drawPolygon(QPolygonF([*points, QPointF(box.right(), box.bottom()),
                                     QPointF(box.left(), box.bottom())]))
            return
        if key == "exit":
            p.setPen(QPen(fg, 2 * line))
            p.drawLine(QPointF(box.center().x(), box.top()), QPointF(box.center().x(),
                                                                     box.bottom()))
            return
        if key == "terminate":  # the red dashed arrow down to the process
            red = QColor(self.theme.crash)
            cx = box.center().x()
            p.setPen(QPen(red, 1.6 * line, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(cx, box.top()), QPointF(cx, box.bottom() - 4 * self.zoom))
            size = min(box.height() * 0.45, 7.0 * line)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(red)
            p.drawPolygon(QPolygonF([QPointF(cx - size / 2, box.bottom() - size),
                                     QPointF(cx + size / 2, box.bottom() - size),
                                     QPointF(cx, box.bottom())]))
            return
        tall = STATE_STYLES[State.RUNNING].height
        band = QRectF(box.left(), box.center().y() - box.height() * tall / 2, box.width(),
                      box.height() * tall)
        if key == "others":  # a grey share of a CPU lane's bar, from the bottom
            p.fillRect(QRectF(band.left(), band.center().y(), band.width(),
                              band.height() / 2), QColor(self.theme.others))
            return
        if key == "holder":  # a lock's lane: a bar in the holder's colour
            p.fillRect(QRectF(band.left(), box.center().y() - box.height() * 0.35,
                              band.width(), box.height() * 0.7), QColor(self.sample_color))
            return
        if key == "busy":  # the main program running: its tall bar, in its colour
            p.fillRect(band, QColor(self.theme.main_lane))
            return
        if key == "plan":  # a dashed outline a little outside where the bar would be
            p.setPen(prediction_pen(QColor(self.sample_color), 1.4 * self.zoom))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(box.adjusted(1, 1, -1, -1))
            return
        style = STATE_STYLES[key]  # type: ignore[index]
        color = QColor(self.theme.main_lane) if key == State.WAITING else QColor(
            self.sample_color)
        color.setAlpha(style.alpha)
        band = QRectF(box.left(), box.center().y() - box.height() * style.height / 2,
                      box.width(), box.height() * style.height)
        p.setBrushOrigin(band.topLeft())
        p.fillRect(band, state_brush(key, color, line, is_svg(p)))  # type: ignore[arg-type]
        if style.outline:
            outline = QColor(color)
            outline.setAlpha(255)
            p.setPen(QPen(outline, 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(band)
