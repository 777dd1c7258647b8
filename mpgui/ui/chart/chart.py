"""The swim-lane chart widget: lanes for the main program and each process, one lane
per CPU core, join points, a "now" cursor that follows the run, pan, zoom, hover.

Two more layers for the classroom: a prediction drawn as ghost bars (before a run on
its own, after it over what was measured), and a replay that shows a recorded run only
up to a moment (`refresh(..., replay=True)`)."""

from __future__ import annotations

import html
import math
import time

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QFontMetricsF, QKeyEvent
from PySide6.QtWidgets import QScrollBar, QToolTip

from mpgui.i18n import _
from mpgui.model.backend import DEFAULT_BACKEND, get_backend
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.output.summary import PARTIAL_INFO
from mpgui.runtime.store.deadlock import DEADLOCK_INFO, Deadlock
from mpgui.runtime.store.object_tracks import ObjectTracks
from mpgui.runtime.store.trace import CLOCK_ERROR, TraceStore
from mpgui.ui.accessibility import accessible
from mpgui.ui.chart.geometry import (
    Rows,
    SpanCache,
    lane_colors,
    layout_rows,
    map_rows,
    nice_ceil,
)
from mpgui.ui.chart.hover import describe
from mpgui.ui.chart.labels import Label, MarksLayout
from mpgui.ui.chart.lanes_item import LanesItem
from mpgui.ui.chart.marks_item import MarksItem, layout_for_view
from mpgui.ui.chart.notes import chart_extras, clock_note, gil_note, script_note
from mpgui.ui.chart.objects_item import ObjectsItem, object_label
from mpgui.ui.chart.placeholder import ProblemPlaceholder
from mpgui.ui.chart.spans_item import Prepare, SpansItem
from mpgui.ui.chart.time_axis import TimeAxis
from mpgui.ui.theme import Theme

MIN_WINDOW_S = 1.0  # while following, show at least this much time
LEFT_SLIVER = 0.012  # of the view left of 0, so that the axis can print its "0"
MIN_RIGHT_PX = 10.0  # room right of a finished run, at least
# How far ahead of a poll the frame after it is looked at, to tell whether that frame
# will step the time axis: the next poll's (5 ms) and some.
STEP_LEAD_NS = 10_000_000
MAX_RIGHT_SHARE = 0.45  # labels may take at most this much of the plot's width
MAX_LABEL_SHARE = 0.3  # lane names take at most this much of the chart's width
LABEL_POINTS = 12.0
MIN_LANE_LINES = 1.25  # a lane is at least this many label lines tall; more lanes scroll
PLAN_TITLE = _("The prediction (dashed): what the scenario asks for, if starting took no "
               "time")
# A prediction cut short (`plan.WORK_BUDGET`): where it stops, said in the title.
# (Short: it must fit over the chart on a 1024 x 768 screen.)
PARTIAL_PLAN_TITLE = _("Prediction of the first {seconds:.3g} s only (too long to compute)")


# What the chart says to a screen reader before a run (after one: the run in a sentence).
NO_RUN_DESCRIPTION = _("The swim-lane chart of the run: a lane per process, the main "
                       "program and each CPU. Enter, or Run → Describe the Run "
                       "(Ctrl+Alt+D), says what it shows in sentences.")


class ChartWidget(pg.PlotWidget):
    """Draws a TraceStore; call refresh() at most once per frame."""

    follow_changed = Signal(bool)
    extras_shown = Signal(frozenset)  # the legend's optional entries the chart needs
    plan_shown = Signal(bool)  # a prediction is drawn (the legend explains it), or not
    backend_shown = Signal(str, str)  # what ran the rows of what is drawn, and a note
    describe_requested = Signal()  # Enter on the chart: say what it shows in sentences

    def __init__(self, theme: Theme, parent=None) -> None:  # type: ignore[no-untyped-def]
        # (enableMenu=False: pyqtgraph's own context menus, which the chart does not
        # offer, are then never built: ~3 ms of the start)
        super().__init__(parent, background=theme.background, enableMenu=False,
                         axisItems={"bottom": TimeAxis(orientation="bottom")})
        accessible(self, _("Timeline chart"), NO_RUN_DESCRIPTION)
        self.theme = theme
        self.plot = self.getPlotItem()
        self.vb = self.plot.getViewBox()
        self.vb.invertY(True)
        self.vb.setMouseEnabled(x=True, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", _("seconds since Run"))
        self.lanes = LanesItem(theme, self.plot.getAxis("bottom"))
        self.lanes.setZValue(-10)
        self.spans = SpansItem(theme)
        self.marks = MarksItem(theme)
        self.objects = ObjectsItem(theme)  # the shared objects' lanes
        self.object_tracks = ObjectTracks()
        self._deadlock_said: object = None  # the store's deadlock line last drawn
        self.ghost = SpansItem(theme, ghost=True)  # the prediction, over the measured spans
        self.ghost.setZValue(5)
        # pg.mkPen is cosmetic: 2 pixels wide, not 2 seconds.
        self.now_line = pg.InfiniteLine(angle=90, movable=False,
                                        pen=pg.mkPen(QColor(theme.now), width=2))
        self.now_line.setZValue(20)
        self.marks.setZValue(10)
        for item in (self.lanes, self.spans, self.objects, self.ghost, self.marks,
                     self.now_line):
            self.plot.addItem(item)
        self.now_line.hide()
        self.cache = SpanCache()
        # When a poll last took the live run into the cache since the last frame (None:
        # none did): the frame draws the cache as that poll left it, prepared for it.
        self._ingested_ns: int | None = None
        self.store: TraceStore | None = None
        self.plan: TraceStore | None = None  # the predicted schedule, if shown
        self.plan_cache = SpanCache()
        self.replaying = False  # the last refresh showed a recorded run up to a moment
        self._rows: Rows | None = None
        self.n_cores = cpu_count()
        self.following = True
        self._shown: tuple[float, float, int] | None = None  # the range _show_all last set
        # Rows shown (top, bottom): all of them, unless lanes would get shorter than
        # their labels (many processes, a large zoom): then a scroll bar moves them.
        self._y: tuple[float, int] | None = None
        self.scroll = QScrollBar(Qt.Orientation.Vertical, self)
        self.scroll.setToolTip(_("More lanes than fit at this zoom: scroll to see them"))
        self.scroll.valueChanged.connect(lambda _v: self.fit_rows())
        self.scroll.hide()
        self._x_end = 0.0
        self._extra_lines = 0  # label lines made room for above the main program's lane
        self._extras_key: tuple | None = None
        self._room_key: tuple | None = None  # what the label room was last made for
        self._hover_key: tuple | None = None  # the labels' layout the mouse asks about
        self._hover_layout: MarksLayout | None = None
        self._labels: tuple[str, ...] = ()
        self.last_paint_ns = 0
        self.zoom = 1.0
        self._title: str | None = None
        self.vb.sigRangeChangedManually.connect(self._user_moved)
        # pyqtgraph moves the drawing to a new range only when the view is painted
        # (ViewBox.prepareForPaint, from inside paintEvent): the items it moves then
        # are marked for repainting while the paint is going on, so every new range —
        # a step of the live time axis, each pan or zoom — was painted twice, the
        # second time the whole plot again. Moved at once, it is painted once.
        self.vb.sigRangeChanged.connect(lambda vb, *_a: vb.updateMatrix())
        self.vb.sigResized.connect(lambda vb: vb.updateMatrix())
        self.vb.sigResized.connect(lambda _vb: self._resized())
        self.scene().sigMouseMoved.connect(self._hover)
        self.placeholder = ProblemPlaceholder(self)  # why there is nothing to draw
        self.set_label_size(LABEL_POINTS)
        self.show_empty()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        # The chart's text alternative, from the keyboard: Tab to the chart, Enter.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.describe_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    @property
    def rows(self) -> Rows | None:
        """Which row shows what (None: nothing laid out)."""
        return self._rows

    @rows.setter
    def rows(self, rows: Rows | None) -> None:
        self._rows = rows
        self.lanes.set_rows(rows)

    # -- data ----------------------------------------------------------------------------

    def _announce_backend(self) -> None:
        shown = self.store if self.store is not None else self.plan
        backend = shown.backend if shown is not None else DEFAULT_BACKEND
        if shown is not None and shown.info.get("script"):
            note = script_note(shown)
        elif get_backend(backend).shares_gil:  # threads: say whether this Python has a GIL
            note = gil_note(shown)
        else:  # tasks on other computers: how well their clocks are known
            note = clock_note(shown)
        self.backend_shown.emit(backend, note)
        self._announce_extras()

    def _announce_extras(self) -> None:
        shown = self.store if self.store is not None else self.plan
        key = (id(shown), shown.others.n_samples if shown is not None else 0,
               sum(ln.terminate_t is not None for ln in shown.lanes) if shown else 0,
               len(shown.records("shared")) if shown is not None else 0,
               shown.info.get(CLOCK_ERROR) if shown is not None else None)
        if key != self._extras_key:
            clocks = self._extras_key is not None and key[-1] != self._extras_key[-1]
            self._extras_key = key
            if clocks:  # a cluster's clocks, known once it is connected
                self._announce_backend()
            lost = any(t.collisions for t in self.objects.tracks) and shown is self.store
            self.extras_shown.emit(chart_extras(shown) | ({"collision"} if lost else set()))

    def set_store(self, store: TraceStore | None) -> None:
        """Show `store` (a new run), or nothing (but the prediction, if there is one)."""
        self.store = store
        self.objects.set_deadlock(None)
        self._deadlock_said = None
        self._announce_backend()
        self.cache = SpanCache()
        self._ingested_ns = None
        self.rows = None  # laid out again for this store at its first refresh
        self.following = True
        self._shown = None
        self.follow_changed.emit(True)
        if store is None:
            self.show_empty()

    def set_plan(self, plan: TraceStore | None) -> None:
        """Draw `plan` (a predicted schedule with the run's lanes) as ghost bars, or
        no prediction."""
        self.plan = plan
        self.plan_shown.emit(plan is not None)
        self._announce_backend()
        self.plan_cache = SpanCache()
        if plan is not None and plan.t_end is not None:
            self.plan_cache.sync(plan, plan.t_end)
        if self.store is None:
            self.show_empty()
        else:
            self._draw_plan()
            if self.following:
                self._show_all(self.now_line.isVisible())

    def show_empty(self) -> None:
        """No run yet: the prediction alone, or an empty chart."""
        self.rows = None
        self._y = None
        self.scroll.hide()
        self.now_line.hide()
        self.plot.getAxis("left").setTicks([[]])
        plan = self.plan
        self._set_title(_plan_title(plan) if plan is not None and plan.t0 is not None
                        else None)
        self.objects.hide()  # (a prediction has no shared objects)
        if plan is None or plan.t0 is None:
            self.ghost.hide()
            self.spans.hide()
            self.marks.hide()
            self.vb.setRange(xRange=(0, 10), yRange=(0, 1), padding=0)
            return
        # The prediction's own rows; its marks (starts, joins, exits) are the plan's.
        rows = layout_rows(plan, self.n_cores, False)
        self._set_lane_labels(rows)
        self.rows = rows
        self.fit_rows()
        self._x_end = (plan.t_end - plan.t0) / 1e9
        self.spans.set_data(SpanCache(), rows, lane_colors(plan), self._x_end)
        self.marks.set_data(plan, rows, self._x_end)
        self._draw_plan()
        self.spans.show()
        self.marks.show()
        self._shown = None
        self._show_all(False)

    def ingest(self, now_ns: int, frame_next: bool = False) -> None:
        """Between frames: take the live run's new spans into the cache, and do the
        share of the next view's grids the last frame planned. When the next poll will
        probably draw a frame (`frame_next`), also compute what its paint would: the
        changed strip of the view, or — when that frame will step the time axis — the
        next view's grid caught up. That frame draws the cache as this left it (the
        store's newer spans, at most a poll's worth, are taken in by the next poll)."""
        store = self.store
        if store is None or store.t0 is None or self.replaying:
            return
        self.cache.sync(store, now_ns)
        self._ingested_ns = now_ns
        self.spans.data_changed(self.cache.take_changes())
        prepare: Prepare = ""
        if frame_next and self.rows is not None:
            stepping = self.following and self._follow_range(
                (now_ns + STEP_LEAD_NS - store.t0) / 1e9, True) != self._shown
            prepare = "catch-up" if stepping else "strip"
        self.spans.prepare_between_frames(prepare)
        if self.ghost.isVisible():
            self.ghost.prepare_between_frames(prepare)

    def refresh(self, now_ns: int, running: bool, replay: bool = False) -> bool:
        """Catch up with the store and redraw once. A replay shows the (finished) run
        only up to `now_ns`, as it looked live at that moment. True if this frame only
        stepped the followed time axis (the whole chart repaints; the new data waits
        for the next frame)."""
        store = self.store
        if store is None or store.t0 is None:
            return False
        ingested, self._ingested_ns = self._ingested_ns, None
        self.replaying = replay
        if self.rows is None:
            self._set_title(None)
        # (Not in a replay: a paused or scrubbed replay has no next frame to wait for.)
        if self.following and running and self.rows is not None and not replay:
            end = (now_ns - store.t0) / 1e9
            if self._follow_range(end, running) != self._shown:
                # A step of the time axis repaints the whole chart; the new data waits
                # for the next frame, so that this one does nothing else.
                self._x_end = end
                self.now_line.setValue(end)
                self._show_all(running)
                return True
        if ingested is not None and running and not replay:
            now_ns = ingested  # (the cache as a poll took it in since the last frame)
        else:
            self.cache.sync(store, now_ns)
        end = store.t_end if store.t_end is not None else now_ns
        cut = replay and now_ns < end
        if cut:
            end = now_ns
        self._x_end = (end - store.t0) / 1e9
        # A replay at the run's end shows the finished run exactly (no cut: a cut clips
        # the last pixel column, whose share of other programs would then differ).
        self.cache.set_cut(self._x_end if cut else float("inf"))
        colors = lane_colors(store)
        tracks = self.object_tracks.sync(store)
        rows = layout_rows(store, self.n_cores, self.cache.has_unknown_core(colors),
                           tuple(object_label(t) for t in tracks))
        if self.rows is None or rows.labels != self._labels:
            self._set_lane_labels(rows)
        relaid = self.rows is None or rows.labels != self.rows.labels
        self.rows = rows
        if relaid:
            self.fit_rows()
        self.spans.set_data(self.cache, rows, colors, self._x_end)
        if self.ghost.isVisible():  # (its data holds still: only the next step to prepare)
            self.ghost.prepare_next()
        # (Live, only what happened by the time the spans were taken in: a frame draws
        # them as the poll before it left them, a poll behind the store.)
        self.marks.set_data(store, rows, self._x_end, end if replay or running else None)
        self.objects.set_data(tracks, rows, colors, store.t0, self._x_end)
        said = store.info.get(DEADLOCK_INFO)
        if said != self._deadlock_said:  # (found by the run; kept in its file)
            self._deadlock_said = said
            self.objects.set_deadlock(Deadlock.from_info(said) if said else None)
        self._announce_extras()
        self.spans.show()
        self.marks.show()
        self.objects.show()
        if relaid:
            self._draw_plan()
        if running:
            self.now_line.setValue(self._x_end)
            self.now_line.show()
        else:
            self.now_line.hide()
        if self.following:
            self._show_all(running)
        return False

    def _draw_plan(self) -> None:
        """The ghost bars on the rows now shown."""
        plan, rows = self.plan, self.rows
        if plan is None or plan.t0 is None or rows is None:
            self.ghost.hide()
            return
        if self.store is not None:
            rows = map_rows(rows, self.store, plan)
        self.ghost.set_data(self.plan_cache, rows, lane_colors(plan),
                            (plan.t_end - plan.t0) / 1e9)
        self.ghost.show()

    def _set_title(self, text: str | None) -> None:
        """A line over the chart (what a prediction is), or none; shortened with "…" to
        the chart's width (the full text in the tooltip)."""
        self._title = text
        label = self.plot.titleLabel
        if text is None:
            # pyqtgraph keeps a hidden title's text, and with it the text's width as its
            # minimum: the plot would stay wider than the widget, its right part cut off.
            label.setText("")
            self.plot.setTitle(None)
        else:
            font = QFont(self.label_font)
            shown = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight,
                                                   max(40.0, self.width() - 24.0 -
                                                       self.plot.getAxis("left").width()))
            self.plot.setTitle(html.escape(shown), color=self.theme.foreground,
                               size=f"{LABEL_POINTS * self.zoom:.0f}pt")
            label.setToolTip(text)

    @property
    def plan_seconds(self) -> float:
        """How long the prediction lasts (0 without one)."""
        plan = self.plan
        return 0.0 if plan is None or plan.t0 is None else (plan.t_end - plan.t0) / 1e9

    # -- view ----------------------------------------------------------------------------

    def follow(self) -> None:
        """Follow the run again: show it all, up to now."""
        self.following = True
        self._shown = None
        self.follow_changed.emit(True)
        if self.rows is not None:
            self._show_all(self.now_line.isVisible())

    def _show_all(self, running: bool) -> None:
        """Show the run from 0 to now. While it runs, the right edge grows in steps
        (1, 1.5, 2, 3, 4, 5, 6, 8 x 10^k s): the scale holds still between them, so
        labels stay put and a frame repaints only the strip that changed. A finished
        run gets the room its labels need on the right, in pixels."""
        shown = self._follow_range(self._x_end, running)
        after = nice_ceil(shown[1] * 1.0001)  # the next step: prepared ahead of time
        for item in (self.spans, self.ghost):
            item.prepare_view((-LEFT_SLIVER * after, after) if running else None)
        if shown != self._shown:
            self._shown = shown
            self.vb.setXRange(*shown[:2], padding=0)
        self._sync_label_room()

    def _follow_range(self, x_end: float, running: bool) -> tuple[float, float, int]:
        """(left, right, rows) of the followed view when the run is at `x_end`."""
        if running:
            right = nice_ceil(max(x_end * 1.1, MIN_WINDOW_S))
        else:  # over: all of it, all of the prediction it is compared with, its labels
            right = self.fit_right(max(x_end, self.plan_seconds, MIN_WINDOW_S))
        return (-LEFT_SLIVER * right, right, self.rows.n_rows if self.rows else 1)

    def fit_right(self, end: float) -> float:
        """The right edge of a view that shows 0..`end` with the room its labels need
        right of `end`, measured in pixels at that very scale."""
        width = self.vb.width()
        if width <= 0 or self.rows is None or not self.marks.isVisible() or \
                not self.isVisible():  # (not shown yet: its size is not known either)
            return end * 1.06
        room = MIN_RIGHT_PX
        right = end
        for _attempt in range(4):  # the labels' room changes the scale, which moves the labels
            right = end / max(0.1, 1 - (1 + LEFT_SLIVER) * room / width)
            layout = self._layout((-LEFT_SLIVER * right, right), unbounded=True)
            if layout is None:
                break
            at_end = (end + LEFT_SLIVER * right) / ((1 + LEFT_SLIVER) * right) * width
            wanted = min(max(MIN_RIGHT_PX, layout.right - at_end + 6), MAX_RIGHT_SHARE * width)
            if wanted <= room + 0.5:
                break
            room = wanted
        return right

    def _layout(self, x_range: tuple[float, float] | None = None,
                unbounded: bool = False) -> MarksLayout | None:
        """The marks' layout for the view now shown (or with another x range)."""
        view = self.vb.viewRect()
        if x_range is not None:
            view = QRectF(x_range[0], view.top(), x_range[1] - x_range[0], view.height())
        return layout_for_view(self.marks, view, self.vb.width(), self.vb.height(), unbounded)

    def _sync_label_room(self) -> None:
        """Make room above the main program's lane for its labels' lines, if they need
        more than the lane has (a burst of joins and terminates). Only when the marks,
        the view or the plot's size changed: a followed run asks every frame."""
        key = (self.marks._marks, self.vb.viewRange()[0], self.vb.width(), self.vb.height())
        if key == self._room_key:
            return
        self._room_key = key
        for _attempt in range(3):  # room changes the lanes' height, which changes the need
            layout = self._layout() if self.rows is not None else None
            extra = layout.extra_lines if layout is not None else 0
            if extra == self._extra_lines:
                return
            self._extra_lines = extra
            self.fit_rows()

    def _resized(self) -> None:
        """The plot changed size: rows, then (when following) the view, labels' room."""
        if self._title is not None:
            self._set_title(self._title)
        if self.rows is not None:
            self._set_lane_labels(self.rows)
        self.fit_rows()
        if self.following and self.rows is not None:
            self._shown = None
            self._show_all(self.now_line.isVisible())

    def fit_rows(self) -> None:
        """Show all the rows if each gets at least MIN_LANE_LINES label lines of height;
        else as many as do, from the scroll bar's row on. The main program's labels
        get the lines they asked for above its lane."""
        n = self.rows.n_rows if self.rows is not None else 1
        lane_px = QFontMetricsF(self.label_font).height() * MIN_LANE_LINES
        room = self._extra_lines * QFontMetricsF(self.marks.font).height()
        height = self.vb.height() - room
        visible = n if height <= 0 else max(1, min(n, int(height // lane_px)))
        scroll = self.scroll
        scroll.blockSignals(True)
        scroll.setRange(0, n - visible)
        scroll.setPageStep(visible)
        scroll.blockSignals(False)
        if scroll.isHidden() == (visible < n):  # appears or goes: room for it, or not
            scroll.setVisible(visible < n)
            self.plot.setContentsMargins(0, 0, scroll.sizeHint().width() if visible < n
                                         else 0, 0)
        top = scroll.value()
        scroll.setGeometry(self.width() - scroll.sizeHint().width(), 0,
                           scroll.sizeHint().width(), self.height())
        above = room / (height / visible) if top == 0 and height > 0 else 0.0
        if (top - above, top + visible) != self._y:
            self._y = (top - above, top + visible)
            self.vb.setYRange(top - above, top + visible, padding=0)
            # Qt keeps a cached item's picture for the chart's whole viewport, the
            # axes' room beside the plot too, where the items paint nothing (they draw
            # the rows in view); a scroll would move that blank room into view as rows.
            for item in (self.spans, self.ghost, self.marks):
                item.repaint_all()

    def _user_moved(self, *_args: object) -> None:
        for item in (self.spans, self.ghost):
            item.prepare_view(None)
        if self.following:
            self.following = False
            self.follow_changed.emit(False)

    def set_style(self, theme: Theme, zoom: float) -> None:
        """Colours from `theme`; fonts, markers and lines scaled by `zoom` (and made
        thicker by a high-contrast theme)."""
        self.theme, self.zoom = theme, zoom
        line = zoom * theme.line
        self.setBackground(theme.background)
        self.now_line.setPen(pg.mkPen(QColor(theme.now), width=2 * line))
        self.lanes.set_style(theme, line)
        self.spans.set_style(theme, line)
        self.ghost.set_style(theme, line)
        self.marks.set_style(theme, line)
        self.objects.set_style(theme, line)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setPen(pg.mkPen(QColor(theme.foreground), width=line))
        self.set_label_size(LABEL_POINTS * zoom)
        self._set_title(self._title)

    def set_label_size(self, points: float) -> None:
        """Font size of lane labels, axis and marks (the projector zoom)."""
        self.label_font = QFont()
        self.label_font.setPointSizeF(points)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setStyle(tickFont=self.label_font, maxTickLevel=0 if name == "bottom" else 2)
            axis.setTextPen(QColor(self.theme.foreground))
            axis.label.setFont(self.label_font)
        self.plot.setLabel("bottom", _("seconds since Run"), color=self.theme.foreground)
        self.marks.set_font_size(points * 0.9)
        if self.rows is not None:
            self._set_lane_labels(self.rows)
        self.fit_rows()
        if self.following and self.rows is not None:  # labels of another size: more room
            self._shown = None
            self._show_all(self.now_line.isVisible())

    def _set_lane_labels(self, rows: Rows) -> None:
        """The lanes' names beside them, at most MAX_LABEL_SHARE of the chart's width
        (longer ones end in "…"; hovering shows them whole)."""
        self._labels = rows.labels
        axis = self.plot.getAxis("left")
        fm = QFontMetricsF(self.label_font)
        room = max(fm.horizontalAdvance("W[00]…"), MAX_LABEL_SHARE * self.width() - 16)
        shown = [fm.elidedText(x, Qt.TextElideMode.ElideRight, room) for x in rows.labels]
        axis.setTicks([[(r + 0.5, label) for r, label in enumerate(shown)], []])
        width = max((fm.horizontalAdvance(x) for x in shown), default=40)
        axis.setWidth(int(width) + 16)

    def resizeEvent(self, event: object) -> None:  # Qt override
        super().resizeEvent(event)
        if hasattr(self, "placeholder"):  # (Qt resizes the view while it is being built)
            self.placeholder.place()

    def paintEvent(self, event: object) -> None:  # Qt override
        t = time.perf_counter_ns()
        super().paintEvent(event)
        self.last_paint_ns = time.perf_counter_ns() - t  # for frame pacing

    # -- hover ---------------------------------------------------------------------------

    def describe_at(self, t: float, y: float) -> str:
        """The tooltip for a point in chart coordinates (seconds, rows)."""
        if self.rows is None or t > self.cache.cut:
            return ""
        tolerance = 4 * self.vb.viewPixelSize()[0]
        if self.store is None and self.plan is not None:  # the prediction alone
            text = describe(self.plan, self.plan_cache, self.rows, t, math.floor(y), tolerance)
            return _("Predicted: {text}").format(text=text) if text else ""
        if self.store is None:
            return ""
        return describe(self.store, self.cache, self.rows, t, math.floor(y), tolerance,
                        self.objects.tracks)

    def _hover(self, scene_pos: QPointF) -> None:
        axis = self.plot.getAxis("left")
        if axis.sceneBoundingRect().contains(scene_pos) and self.rows is not None:
            row = math.floor(self.vb.mapSceneToView(scene_pos).y())
            text = self.rows.labels[row] if 0 <= row < self.rows.n_rows else ""
            _tip(text, self)  # a lane's whole name, if the axis had to shorten it
            return
        if not self.vb.sceneBoundingRect().contains(scene_pos):
            QToolTip.hideText()
            return
        local = self.vb.mapFromScene(scene_pos)
        label = self.label_at(local.x(), local.y())
        if label is not None:
            _tip(label.text, self)
            return
        point = self.vb.mapSceneToView(scene_pos)
        _tip(self.describe_at(point.x(), point.y()), self)

    def label_at(self, x: float, y: float) -> Label | None:
        """The mark's label at (x, y) in the plot's pixels, if any."""
        key = (self.vb.viewRect(), self.vb.width(), self.vb.height(), self.marks._marks)
        if key != self._hover_key:
            self._hover_key, self._hover_layout = key, self._layout()
        return self._hover_layout.label_at(x, y) if self._hover_layout else None


def _tip(text: str, widget: ChartWidget) -> None:
    if text:
        QToolTip.showText(QCursor.pos(), text, widget)
    else:
        QToolTip.hideText()


def _plan_title(plan: TraceStore) -> str:
    """The line over a prediction shown alone: what it is (and if it stops early)."""
    until = plan.info.get(PARTIAL_INFO)
    return PLAN_TITLE if until is None else PARTIAL_PLAN_TITLE.format(seconds=until / 1e9)
