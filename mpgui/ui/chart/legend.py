"""The chart's legend: what each kind of bar and mark means, drawn with the very styles
the chart uses (`theme.STATE_STYLES`), so the two cannot disagree."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from mpgui.runtime.protocol import State
from mpgui.ui.theme import GHOST_ALPHA, STATE_HELP, STATE_STYLES, Theme

# (what is drawn, its label); states first, in the order a process lives them.
ENTRIES: tuple[tuple[object, str], ...] = (
    (State.STARTING, "starting"),
    (State.RUNNING, "running on a core"),
    (State.PREEMPTED, "preempted (waiting for a core)"),
    (State.SLEEPING, "sleeping"),
    (State.WAITING, "main program waits in join()"),
    ("line", "printed a line"),
    ("exit", "exit code"),
)
# The same for threads and for a pool's tasks.
BACKEND_ENTRIES: dict[str, tuple[tuple[object, str], ...]] = {
    "processes": ENTRIES,
    "threads": (
        (State.STARTING, "starting"),
        (State.RUNNING, "running on a core"),
        (State.GIL, "waiting for the GIL"),
        (State.PREEMPTED, "preempted (waiting for a core)"),
        (State.SLEEPING, "sleeping"),
        (State.WAITING, "main program waits in join()"),
        ("line", "printed a line"),
        ("exit", "thread ended"),
    ),
    "pool": (
        (State.QUEUED, "queued (waiting for a worker)"),
        (State.RUNNING, "running on a core"),
        (State.PREEMPTED, "preempted (waiting for a core)"),
        (State.SLEEPING, "sleeping"),
        (State.WAITING, "main program waits · worker idle"),
        ("line", "printed a line"),
        ("exit", "task done"),
    ),
}
PLAN_ENTRY = ("plan", "predicted (dashed)")
_SWATCH_W = 28
_GAP = 14


class ChartLegend(QWidget):
    """One row of swatches and labels above the chart."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.sample_color = QColor(theme.palette[0])
        self.zoom = 1.0
        self.show_plan = False  # a prediction is drawn: say what its dashed bars are
        self.backend = "processes"
        self.note = ""  # a fact about the run in words (threads: the GIL)
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
        return BACKEND_ENTRIES.get(self.backend, ENTRIES) + \
            ((PLAN_ENTRY,) if self.show_plan else ()) + ((("note", self.note),) if self.note
                                                          else ())

    def set_backend(self, backend: str, note: str = "") -> None:
        """Explain the states of `backend`'s runs, and `note` (e.g. whether there is a
        GIL)."""
        if (backend, note) != (self.backend, self.note):
            self.backend, self.note = backend, note
            self._tooltip()
            self.fit_height()
            self.update()

    def _tooltip(self) -> None:
        self.setToolTip("\n".join(f"{label}: {STATE_HELP[key]}" for key, label in self.entries
                                  if key in STATE_HELP))

    def set_show_plan(self, on: bool) -> None:
        """Explain the prediction's ghost bars too, or not."""
        if on != self.show_plan:
            self.show_plan = on
            self.fit_height()
            self.update()

    def _places(self, width: int) -> list[tuple[float, int]]:
        """(x, line) of each entry, wrapping onto more lines when `width` is too small."""
        fm = QFontMetricsF(self.font())
        x, line, out = 4.0, 0, []
        for _key, label in self.entries:
            w = self._swatch_w + 6 + fm.horizontalAdvance(label)
            if x > 4.0 and x + w > width:
                x, line = 4.0, line + 1
            out.append((x, line))
            x += w + _GAP
        return out

    @property
    def _swatch_w(self) -> float:
        return _SWATCH_W * self.zoom

    def _line_height(self) -> float:
        return QFontMetricsF(self.font()).height() * 1.6

    def hasHeightForWidth(self) -> bool:  # Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # Qt override
        lines = 1 + max(line for _x, line in self._places(width))
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

    def paintEvent(self, _event: object) -> None:  # Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fm = QFontMetricsF(self.font())
        h = self._line_height()
        fg = QColor(self.theme.foreground)
        for (key, label), (x, line) in zip(self.entries, self._places(self.width()), strict=True):
            top = line * h
            self._swatch(p, key, QRectF(x, top + h * 0.15, self._swatch_w, h * 0.7), fg)
            p.setPen(fg)
            p.drawText(QPointF(x + self._swatch_w + 6, top + h / 2 + fm.ascent() / 2 - 1), label)
        p.end()

    def _swatch(self, p: QPainter, key: object, box: QRectF, fg: QColor) -> None:
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
        if key == "exit":
            p.setPen(QPen(fg, 2 * self.zoom * self.theme.line))
            p.drawLine(QPointF(box.center().x(), box.top()), QPointF(box.center().x(),
                                                                     box.bottom()))
            return
        if key == "plan":
            color = QColor(self.sample_color)
            p.setPen(QPen(color, 1.5 * self.zoom * self.theme.line, Qt.PenStyle.DashLine))
            color.setAlpha(GHOST_ALPHA)
            p.setBrush(color)
            p.drawRect(box.adjusted(1, box.height() * 0.2, -1, -box.height() * 0.2))
            return
        style = STATE_STYLES[key]  # type: ignore[index]
        color = QColor(self.theme.main_lane) if key == State.WAITING else QColor(
            self.sample_color)
        color.setAlpha(style.alpha)
        band = QRectF(box.left(), box.center().y() - box.height() * style.height / 2,
                      box.width(), box.height() * style.height)
        p.fillRect(band, QBrush(color, style.pattern))
        if style.outline:
            outline = QColor(color)
            outline.setAlpha(255)
            p.setPen(QPen(outline, 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(band)
