"""One pyqtgraph item that draws every span and printed-line tick (the lanes' shading
and grid are `LanesItem`'s).

Each paint asks `pixels.pixel_codes` what every pixel of every row shows (the chart's
one pixel rule: see `pixels`), merges neighbouring equal pixels into runs, and draws
each style's runs with one ``drawRects`` call from a numpy-filled array: no Python loop
per span or per run, and the cost of a frame depends on the pixels in view, not on how
many spans were recorded.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QTransform

from mpgui.ui.chart.cached_item import CachedItem
from mpgui.ui.chart.drawn_ahead import PaintPlace, Picture, draw_ahead
from mpgui.ui.chart.geometry import CODE_SHIFT, MAIN_COLOR, Rows, SpanCache
from mpgui.ui.chart.pixels import (
    LEVELS,
    OTHERS,
    TALL,
    K,
    LineTicks,
    Piece,
    Runs,
    dominant,
    pixel_codes_of,
    runs_of,
    unpack,
)
from mpgui.ui.chart.primitives import Markers, RectBatch, RowGeometry, is_svg
from mpgui.ui.guarded import guarded
from mpgui.ui.theme import STATE_STYLES, Theme, prediction_pen, state_brush

MIN_MARK_PX = 3.0  # a moment on a CPU is drawn at least this wide (at 100 %)
# Per state (and OTHERS): the part of a lane its band fills, whether it has an outline.
_HEIGHT = np.zeros(OTHERS + 1)
_OUTLINED = np.zeros(OTHERS + 1, bool)
for _state, _style in STATE_STYLES.items():
    _HEIGHT[_state], _OUTLINED[_state] = _style.height, _style.outline
_HEIGHT[OTHERS] = STATE_STYLES[TALL[0]].height
GHOST_MARGIN = 0.12  # a predicted bar's outline lies this much of a lane outside the bar
# Per state (any a packed code can hold; numpy's isin costs ~14 µs a call on a live
# frame's few runs, a table look-up ~3): drawn at all, tall (shown in proportion).
_STATES = 1 << 8
_KNOWN = np.zeros(_STATES, bool)
_KNOWN[[*STATE_STYLES, OTHERS]] = True
_STYLED = np.zeros(_STATES, bool)  # (a measured state: the prediction has no others)
_STYLED[list(STATE_STYLES)] = True
_IS_TALL = np.zeros(_STATES, bool)
_IS_TALL[list(TALL)] = True


def _whole(a: np.ndarray) -> np.ndarray:
    """Coordinates rounded to whole pixels, half up: a strip repainted alone is painted
    with an origin of its own, a whole number of pixels from the view's, and rounding
    half to even (``np.rint``) would round the same edge both ways across it."""
    return np.floor(a + 0.5)


def _lookup(table: np.ndarray, state: np.ndarray) -> np.ndarray:
    """table[state], False for a state beyond the table (a malformed run file's)."""
    return np.take(table, state, mode="clip") & (state >= 0) & (state < len(table))


# The order runs are drawn in, by code: other programs behind everything, then thin
# states, then tall ones (over the thin lines around a moment); within each, by code,
# so that each style is one group. A rank per code makes it one stable sort of small
# ints (numpy sorts those by radix): 0.26 ms for a zoom's 24,000 runs, not 1–1.8 ms.
_CODES = np.arange((OTHERS + 1) * CODE_SHIFT)
_RANK = np.empty(len(_CODES), np.uint16)
_RANK[np.lexsort((_CODES, np.isin(_CODES // CODE_SHIFT, TALL),
                  _CODES // CODE_SHIFT != OTHERS))] = np.arange(len(_CODES))


# What the poll before a frame computes for it (see `SpansItem.prepare_between_frames`).
Prepare = Literal["", "strip", "catch-up"]


class SpansItem(CachedItem):
    """Lanes, spans (by state and process colour) and ticks for printed lines.

    The pixel codes of the whole view are kept between paints. A new frame recomputes
    only the columns from the earliest time that changed (while a run is followed,
    a narrow strip near "now") and asks Qt to repaint only that strip; a paint draws
    only the columns Qt exposed. A change of view, size or lanes recomputes the columns
    a paint draws: all of them after a zoom, a strip after a pan (Qt moves the rest).

    The item's own coordinates are milliseconds and hundredths of a row (``SCALE``):
    Qt widens each update(rect) of a cached item by one unit of item coordinates, which
    in seconds would re-render two seconds of history every frame.
    """

    SCALE = (1000.0, 100.0)
    NEXT_CHUNK = 160  # columns of the next view's grid computed per frame, at least
    FRAMES_PER_S = 30  # a cautious guess of the frame rate while a run is busy
    NEXT_CATCH_UP = 4  # frames between updates of the next view's grid

    def __init__(self, theme: Theme, ghost: bool = False) -> None:
        super().__init__()
        self.setFlag(self.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # exposedRect
        self.setTransform(QTransform.fromScale(1 / self.SCALE[0], 1 / self.SCALE[1]))
        self.theme = theme
        self.cache = SpanCache()
        self.rows: Rows | None = None
        self.colors = np.zeros(0, np.int32)  # lane -> colour index
        self._brushes: dict[int, QBrush] = {}
        self._rects = RectBatch()
        self._markers = Markers()
        self._ticks = LineTicks()  # the printed lines' pixels, kept between paints
        self._grid = np.zeros((0, 0, K), np.int32)
        # Which columns of _grid are computed: a pan shows a strip of the new view
        # (Qt keeps the rest of the picture), so only a paint's columns are computed.
        self._valid = np.zeros(0, bool)
        self._grid_key: tuple | None = None
        self._dirty_from = float("inf")  # the earliest change not yet repainted
        self._stale_from = float("inf")  # ... not yet in _grid (a poll may compute it)
        self._width = 0  # device pixels the view was last painted at
        self._shown_rows: tuple[int, int] | None = None  # rows in view (first, end)
        # The grid of the view that comes next while a run is followed, built a chunk
        # of columns per frame, so that the step to it costs no full recomputation.
        self._next_view: tuple[float, float] | None = None
        self._next = np.zeros((0, 0, K), np.int32)
        self._next_key: tuple | None = None
        self._next_done = 0  # columns of _next computed so far
        self._next_dirty = float("inf")  # changes not yet applied to _next
        self._next_frames = 0
        # This frame's work on _next, left for the paint to do with the live strip:
        # catching up with the changes, or a chunk of new columns.
        self._catch_up_due = False
        self._next_work: Piece | None = None
        self._next_work_key: tuple | None = None  # the _next_key it was meant for
        self.line = 1.0  # line and marker width factor (zoom, high contrast)
        # A ghost draws a predicted schedule over the measured one: dashed outlines just
        # outside where the bars would be, no fill (a measured bar's colour is never
        # changed by it), no line markers of its own.
        self.ghost = ghost
        self.last_runs = 0  # how many runs the last paint drew (for tests and benchmarks)
        # The runs of a whole next view's grid, found by the poll that caught it up for
        # a step: (the grid, its edits count, the runs); the step's paint draws them.
        self._edits = 0  # changes to any grid's codes so far
        self._ready_runs: tuple[np.ndarray, int, Runs] | None = None
        # ... and drawn by it, as the last paint was placed (see `drawn_ahead`).
        self._picture: Picture | None = None
        self._last_place: PaintPlace | None = None

    def set_data(self, cache: SpanCache, rows: Rows, colors: np.ndarray, x_end: float) -> None:
        """New data to draw; called once per frame at most."""
        relaid = (cache is not self.cache or self.rows is None or rows.labels != self.rows.labels
                  or not np.array_equal(colors, self.colors))
        self.cache, self.rows, self.colors = cache, rows, colors
        changed = cache.take_changes()
        self.fit_extent(x_end)
        if relaid:
            self._grid_key = None
            # The next view's grid has the old rows: start it again, with no work left
            # for the paint (an error in paint() would reach Qt, and PySide 6.11
            # crashes reporting an exception raised in an override).
            self._next_key, self._next_done = None, 0
            self._next_work, self._catch_up_due = None, False
            self.repaint_all()
            return
        self._dirty_from = min(self._dirty_from, changed)
        self._stale_from = min(self._stale_from, changed)
        self._build_next(changed)
        if self._dirty_from < float("inf"):
            # A marker reaches 7 px out, a widened moment half its width.
            pad = max(8.0, self._margin_px()) * (self.pixelWidth() or 0.0) / self.SCALE[0]
            left = self._dirty_from - pad
            # To the latest time anything is drawn at, not just "now": a child's clock
            # runs ahead of the frame's, so a span, a sample or a line may end after
            # now. Not to the extent's right edge: its empty strip costs this item
            # nothing, but the viewport repaints every item under the region asked
            # for — with the view ahead of "now", up to half the plot at each frame.
            right = max(cache.end, cache.now) + pad
            rect = QRectF(left, 0, right - left, rows.n_rows)
            vb = self.getViewBox()
            if vb is not None:
                # Only what is in view (what is not is painted when it comes into
                # view): Qt renders an update of a cached item into a scratch picture
                # as large as the update, unclipped — with 256 lanes and the extent
                # far right of the view, a fresh 30 MB image cleared on every frame.
                # An item that reaches less than 20 % of the view past it is cached
                # whole by Qt, so that much beyond the view must stay current too.
                view = vb.viewRect()
                mx, my = 0.2 * view.width() + pad, 0.2 * view.height() + 1
                rect &= view.adjusted(-mx, -my, mx, my)
            if not rect.isEmpty():
                self.update(self._to_item(rect))

    def set_style(self, theme: Theme, line: float) -> None:
        """Redraw with other colours, and lines and markers `line` times as wide."""
        self.theme, self.line = theme, line
        self._brushes.clear()
        self._picture = None
        self.repaint_all()

    def extent_for(self, right: float) -> QRectF | None:
        return None if self.rows is None else \
            self._to_item(QRectF(0, 0, right, self.rows.n_rows))

    def _to_item(self, r: QRectF) -> QRectF:
        """A rectangle in chart coordinates (seconds, rows) in the item's own."""
        sx, sy = self.SCALE
        return QRectF(r.left() * sx, r.top() * sy, r.width() * sx, r.height() * sy)

    def _margin_px(self) -> float:
        """Columns beyond a strip that can change how the strip looks: a run narrower
        than MIN_MARK_PX is widened around its centre, and nearby line ticks merge."""
        return 2 * np.ceil(MIN_MARK_PX * self.line) + 4 * 7.0 * self.line + 8

    @guarded
    def paint(self, p: QPainter, option: object, *_args: object) -> None:
        vb = self.getViewBox()
        if vb is None or self.rows is None:
            return
        view = vb.viewRect()  # chart coordinates
        tr = p.transform()  # from the item's coordinates
        dev = tr.mapRect(self._to_item(view))
        width = round(dev.width())
        if width <= 0 or not view.width() > 0:
            return
        self._shown_rows = (max(0, int(np.floor(view.top()))),
                            min(self.rows.n_rows, int(np.ceil(view.bottom()))))
        # Only the exposed columns are drawn, from runs computed a margin beyond them,
        # so that a strip repainted live has exactly the pixels of a full repaint.
        exposed = option.exposedRect  # type: ignore[attr-defined]  # item coordinates
        exposed = QRectF(exposed.left() / self.SCALE[0], 0, exposed.width() / self.SCALE[0], 1)
        dx = view.width() / width
        # A column more on each side: Qt clears (and clips to) the exposed area rounded
        # outwards to whole pixels, which a fractional origin can shift by one.
        c0 = max(0, int(np.floor((exposed.left() - view.left()) / dx)) - 1)
        c1 = min(width, int(np.ceil((exposed.right() - view.left()) / dx)) + 1)
        if c1 <= c0:
            return
        m = int(self._margin_px())
        w0, w1 = max(0, c0 - m), min(width, c1 + m)
        self._update_grid(view.left(), view.right(), width, (w0, w1))
        geo = RowGeometry(tr, self.rows.n_rows, self.SCALE[1])
        place = self._last_place = PaintPlace.of(p, tr, dev, geo, width)
        p.save()
        p.resetTransform()
        # Whole device pixels: a strip painted live meets its neighbours exactly.
        left = float(round(dev.left()))
        p.setClipRect(QRectF(left + c0, dev.top(), c1 - c0, dev.height()),
                      Qt.ClipOperation.IntersectClip)
        # Patterns anchored to the data, not to whatever surface this paint goes to.
        p.setBrushOrigin(tr.map(QPointF(0, 0)))
        # The grid holds the rows in view only: its runs' rows counted from the first.
        top = self._rows_window()[0]
        ready, first = self._ready_runs, w0
        if ready is not None and ready[0] is self._grid and ready[1] == self._edits and \
                w1 - w0 > width // 2:  # (a narrow strip: its own runs are cheaper)
            runs, first = ready[2], 0  # (all columns': the clip keeps those exposed)
            picture = self._picture
            if picture is not None and place is not None and \
                    picture.fits(place, self._grid, self._edits, self.cache.now):
                picture.draw(p, place)  # (drawn by the poll before: `drawn_ahead`)
                self.last_runs = len(runs)
                p.restore()
                return
        else:
            runs = self._runs(self._grid[:, w0:w1], top)
        self.last_runs = len(runs)
        if self.ghost:
            self._paint_outlines(p, geo, runs, left + first)
        else:
            self._paint_runs(p, geo, runs, left + first)
            self._paint_ticks(p, geo, view, width, left, (w0, w1))
        p.restore()

    def _runs(self, grid: np.ndarray, top: int) -> Runs:
        """What a paint draws of `grid`'s columns: their runs (a ghost: of the state
        that mostly shows in each pixel, as outlines)."""
        return runs_of(dominant(grid) if self.ghost else grid, top)

    def _key(self, x0: float, x1: float, width: int) -> tuple:
        """What a grid depends on: the view (its edges rounded: pyqtgraph hands them
        back through a QRectF, a hair off what was asked for), and the rows in view."""
        assert self.rows is not None
        return (round(x0, 9), round(x1, 9), width, self.rows.labels, self._shown_rows)

    def prepare_view(self, view: tuple[float, float] | None) -> None:
        """The x range the chart will probably show next (None: no guess)."""
        self._next_view = view

    def prepare_next(self) -> None:
        """A frame's share of the next view's grid, for an item whose data holds still
        while the run is followed (the prediction's ghost bars: it gets no `set_data`
        per frame, yet the step of the time axis repaints it whole)."""
        if self.rows is not None:
            self._build_next(float("inf"))

    def _build_next(self, changed_from: float) -> None:
        """Keep the next view's grid current and plan a chunk of (at least NEXT_CHUNK)
        columns of it: this frame's share of that work, done between frames
        (`prepare_between_frames`)."""
        self._compute(None, self._take_next_work())  # (what no poll came to do)
        if self._next_view is None or self.rows is None or self._width <= 0:
            return
        (x0, x1), w = self._next_view, self._width
        key = self._key(x0, x1, w)
        if key != self._next_key:
            self._next_key, self._next_done, self._next_dirty = key, 0, float("inf")
            self._next = self._blank(w)
        done = self._next_done
        self._next_dirty = min(self._next_dirty, changed_from)
        self._next_frames += 1
        if self._next_frames % self.NEXT_CATCH_UP == 0:  # a frame does one or the other
            self._catch_up_due = True
        elif done < w:
            # Finish within about half the frames left before the step: the view steps
            # once "now" passes 1/1.1 of its right edge (ChartWidget._show_all).
            right = self._grid_key[1] if self._grid_key else x1
            frames_left = max(1.0, (right / 1.1 - self.cache.now) * self.FRAMES_PER_S / 2)
            end = min(w, done + max(self.NEXT_CHUNK, int(np.ceil((w - done) / frames_left))))
            self._next_work, self._next_done = (x0, x1, w, done, end), end
            self._next_work_key = key

    def data_changed(self, t: float) -> None:
        """The cache took in changes from `t` between frames: the grids are stale from
        there (the next frame's `set_data` asks Qt to repaint them; a step of the view
        in that frame swaps in the next view's grid, caught up with them too)."""
        self._dirty_from = min(self._dirty_from, t)
        self._stale_from = min(self._stale_from, t)
        self._next_dirty = min(self._next_dirty, t)

    def prepare_between_frames(self, frame_next: Prepare = "") -> None:
        """Between frames, do the work on the next view's grid that the last frame
        planned, and, when a frame comes next (`frame_next`), what its paint would
        compute: the "strip" of the view shown that changed, or the "catch-up" of the
        next view's grid when the frame will step to that view. One pass for both: its
        cost is mostly per lane, not per column."""
        if self.rows is None:
            return
        work = self._take_next_work()
        if frame_next == "catch-up":
            self._compute(None, work, self._catch_up_piece(), self._rest_of_next())
            if self._next_has_rows_in_view() and self._next_done == self._width:
                # The step's picture is this grid whole: its runs are found now, and
                # drawn, as the paint before was placed.
                runs = self._runs(self._next, self._rows_window()[0])
                self._ready_runs = (self._next, self._edits, runs)
                self._picture = self._draw_ahead(runs)
        else:
            self._compute(self._stale_piece() if frame_next == "strip" else None, work)

    def _draw_ahead(self, runs: Runs) -> Picture | None:
        """The next view's grid's `runs` (and printed lines) drawn into a picture as a
        paint of that view would draw them, placed as the last paint was; None when
        there was no such paint (or it went to an SVG)."""
        place, key = self._last_place, self._next_key
        if place is None or key is None or key[2] != place.placement.width:
            return None
        x0, x1, width = key[:3]
        placement = place.at_view(x0, x1)

        def draw(q: QPainter, geo: RowGeometry) -> None:
            if self.ghost:
                self._paint_outlines(q, geo, runs, 0.0)
            else:
                self._paint_runs(q, geo, runs, 0.0)
                self._paint_ticks(q, geo, QRectF(x0, 0, x1 - x0, 1), width, 0.0, (0, width))

        image = draw_ahead(placement, draw)
        return None if image is None else \
            Picture(image, placement, self._next, self._edits, self.cache.now)

    def _stale_piece(self) -> Piece | None:
        """The columns of the grid shown that changed since it was computed, from the
        earliest change to the right edge (marked computed once they are), or None."""
        if self._grid_key is None or self._grid_key[-1] != self._shown_rows or \
                self._stale_from == float("inf"):
            return None
        x0, x1, width = self._grid_key[:3]
        first = max(0, int(np.floor((self._stale_from - x0) / (x1 - x0) * width)) - 1)
        self._stale_from = float("inf")
        return (x0, x1, width, first, width) if first < width else None

    def _catch_up_piece(self) -> Piece | None:
        """The columns of the next view's grid built so far that changes since the last
        catch-up reach (every NEXT_CATCH_UP frames: the strip costs per lane, not per
        column, so one strip for several frames is cheaper than one each), or None."""
        if self._next_key is None or self._next_dirty == float("inf") or \
                not self._next_done or not self._next_has_rows_in_view():
            return None
        # The range the grid was built for: _next_view may already name the step after.
        x0, x1, w = self._next_key[:3]
        done = self._next_done
        first = max(0, int(np.floor((self._next_dirty - x0) / (x1 - x0) * w)) - 1)
        self._next_dirty = float("inf")
        return (x0, x1, w, first, done) if first < done else None

    def _rest_of_next(self) -> Piece | None:
        """The columns of the next view's grid not built yet, all of them now, or None:
        the frame after this poll steps to that view, and its paint would otherwise
        compute them itself — the whole view when the step came sooner than the chunks
        planned for it (frames far apart while the window was behind its children, or
        a run's first seconds, when the view steps every half second)."""
        if self._next_key is None or not self._next_has_rows_in_view():
            return None
        x0, x1, w = self._next_key[:3]
        done, self._next_done = self._next_done, w
        self._next_work = None  # (this is the rest: no chunk of it is left to do)
        return (x0, x1, w, done, w) if done < w else None

    def _take_next_work(self) -> Piece | None:
        """The columns of the next view's grid this frame is to compute, if any."""
        if self._catch_up_due:
            self._catch_up_due = False
            return self._catch_up_piece()
        work, self._next_work = self._next_work, None
        if self._next_work_key != self._next_key or not self._next_has_rows_in_view():
            return None  # (for a grid begun again since, or for other rows)
        return work

    def _next_has_rows_in_view(self) -> bool:
        """Whether the next view's grid is for the rows in view now: the grids hold
        only those, and a scroll or a resize since its work was planned changes them
        (the next frame begins it again for the new rows)."""
        return self._next_key is not None and self._next_key[-1] == self._shown_rows

    def _compute(self, strip: Piece | None, *work: Piece | None) -> None:
        """Compute a `strip` of the grid shown and pieces of the next view's (`work`),
        any of them None, in one pass."""
        pieces = [piece for piece in (strip, *work) if piece is not None]
        if not pieces:
            return
        assert self.rows is not None
        codes = iter(pixel_codes_of(self.cache, self.rows, self.colors, pieces,
                                    self._shown_rows))
        self._edits += 1
        if strip is not None:
            self._grid[:, strip[3]:strip[4]] = next(codes)
            self._valid[strip[3]:strip[4]] = True
        for piece in work:
            if piece is not None:
                self._next[:, piece[3]:piece[4]] = next(codes)

    def _rows_window(self) -> tuple[int, int]:
        """The rows the grids hold (first, end): those in view (all before a paint)."""
        assert self.rows is not None
        return self._shown_rows if self._shown_rows is not None else (0, self.rows.n_rows)

    def _blank(self, width: int) -> np.ndarray:
        """An empty grid of the rows in view x `width` columns."""
        top, bottom = self._rows_window()
        return np.full((bottom - top, width, K), -1, np.int32)

    def _update_grid(self, x0: float, x1: float, width: int,
                     needed: tuple[int, int]) -> None:
        """Bring the kept pixel codes of the `needed` columns (first, end) up to date
        for the view [x0, x1] at `width` (nothing to do when a poll just did it)."""
        assert self.rows is not None
        self._width = width
        key = self._key(x0, x1, width)
        if key != self._grid_key and key == self._next_key and \
                self._next_done == width:
            # The step the chart prepared for: the grid is ready once caught up.
            # (What no poll came to do, and the changes since the last catch-up.)
            self._compute(None, self._take_next_work(), self._catch_up_piece())
            self._grid, self._grid_key = self._next, key
            self._valid = np.ones(width, bool)
            self._next_key, self._next_done = None, 0
            # Caught up with everything the cache holds: what made the old grid stale
            # is in it already (recomputing that strip would be a second per-lane pass).
            self._stale_from = float("inf")
        if key != self._grid_key:
            self._grid = self._blank(width)
            self._valid = np.zeros(width, bool)
            self._grid_key = key
        elif self._stale_from < float("inf"):
            first = max(0, int(np.floor((self._stale_from - x0) / (x1 - x0) * width)) - 1)
            self._valid[first:] = False
        self._dirty_from = self._stale_from = float("inf")
        todo = np.flatnonzero(~self._valid[needed[0]:needed[1]])
        if len(todo):
            first, end = needed[0] + int(todo[0]), needed[0] + int(todo[-1]) + 1
            self._compute((x0, x1, width, first, end), None)

    def _paint_runs(self, p: QPainter, geo: RowGeometry, runs: Runs, x_left: float) -> None:
        """Every run as a rectangle: a tall state's segment of its bar (stacked from the
        bottom, in proportion), another state's own band; runs narrower than
        MIN_MARK_PX widened about their centre. Thin states first, tall ones over them."""
        if not len(runs):
            return
        code, lo, hi = unpack(runs.code)
        state = code // CODE_SHIFT
        known = _lookup(_KNOWN, state)
        code, lo, hi, state = code[known], lo[known], hi[known], state[known]
        row = runs.row[known].astype(np.float64)
        x0 = x_left + runs.px0[known].astype(np.float64)
        x1 = x_left + runs.px1[known].astype(np.float64)
        others = state == OTHERS
        tall = _IS_TALL[state]  # (known states only, here)
        least = float(np.ceil(MIN_MARK_PX * self.line))
        narrow = tall & (x1 - x0 < least)
        if narrow.any():  # whole pixels, centred as well as they can be
            x0[narrow] = np.floor((x0[narrow] + x1[narrow] - least) / 2)
            x1[narrow] = x0[narrow] + least
        height = _HEIGHT[state]
        top, bottom = geo.band(row, height)
        # A tall state's segment (and other programs' share): its part of the bar,
        # counted from the bottom.
        span = bottom - top
        stacked = tall | others
        # Whole pixels: Qt rounds a fractional edge differently for a narrow rectangle
        # than for a wide one, which would leave seams where a live strip meets the rest.
        seg_top = _whole(np.where(stacked, bottom - span * hi / LEVELS, top))
        seg_bottom = _whole(np.where(stacked, bottom - span * lo / LEVELS, bottom))
        order = np.argsort(_RANK[code], kind="stable")  # (see _RANK)
        code, x0, x1 = code[order], x0[order], x1[order]
        seg_top, seg_bottom = seg_top[order], seg_bottom[order]
        tall = tall[order]
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
        vector = is_svg(p)
        styles = [(self._brush(int(c), vector), None) for c in code[starts]]
        self._rects.draw_groups(p, x0, x1, seg_top, seg_bottom, starts, styles)
        # Outlines of the states that have one (a tall segment changes from pixel to
        # pixel: its own outline would fill it; its bar gets one in _outline_bars).
        framed = ~tall & _OUTLINED[code // CODE_SHIFT]
        if framed.any():
            fc = code[framed]
            fstarts = np.flatnonzero(np.r_[True, fc[1:] != fc[:-1]])
            self._rects.draw_frames(p, x0[framed], x1[framed], seg_top[framed],
                                    seg_bottom[framed], fstarts,
                                    [self._color(int(c) % CODE_SHIFT) for c in fc[fstarts]],
                                    self.line)
        self._outline_bars(p, geo, runs, x_left)

    def _outline_bars(self, p: QPainter, geo: RowGeometry, runs: Runs, x_left: float) -> None:
        """One outline, in the lane's colour, around each stretch of a lane's tall bar
        (so a hatched stretch shows its edges; around a solid one it is invisible)."""
        rows = self.rows
        assert rows is not None
        code, _lo, _hi = unpack(runs.code)
        tall = _lookup(_IS_TALL, code // CODE_SHIFT) & (runs.row < rows.core_base)
        if not tall.any():
            return
        row, px0, px1 = runs.row[tall], runs.px0[tall], runs.px1[tall]
        color = code[tall] % CODE_SHIFT
        order = np.lexsort((px0, row))
        row, px0, px1, color = row[order], px0[order], px1[order], color[order]
        # Runs of one row that touch (segments stacked in a pixel overlap) merge.
        span = int(px1.max()) + 1  # one row after another on one line, to merge them
        reach = np.maximum.accumulate(row * span + px1)
        new = np.r_[True, (row[1:] != row[:-1]) | (row[1:] * span + px0[1:] > reach[:-1])]
        first = np.flatnonzero(new)
        ends = np.maximum.reduceat(px1, first)
        top, bottom = geo.band(row[first].astype(np.float64), STATE_STYLES[TALL[0]].height)
        top, bottom = _whole(top), _whole(bottom)
        colors = color[first]
        order = np.argsort(colors, kind="stable")
        colors = colors[order]
        starts = np.flatnonzero(np.r_[True, colors[1:] != colors[:-1]])
        self._rects.draw_frames(p, x_left + px0[first][order].astype(np.float64),
                                x_left + ends[order].astype(np.float64), top[order],
                                bottom[order], starts, [self._color(int(c)) for c in
                                                        colors[starts]], self.line)

    def _paint_outlines(self, p: QPainter, geo: RowGeometry, runs: Runs,
                        x_left: float) -> None:
        """The prediction: a dashed outline a little outside each predicted bar (by
        what its pixels mostly show), no fill."""
        if not len(runs):
            return
        state = runs.code // CODE_SHIFT
        known = _lookup(_STYLED, state)
        code, state = runs.code[known], state[known]
        height = np.array([STATE_STYLES[int(s)].height for s in state]) + 2 * GHOST_MARGIN
        top, bottom = geo.band(runs.row[known].astype(np.float64), np.minimum(height, 0.96))
        x0 = x_left + runs.px0[known].astype(np.float64)
        x1 = x_left + runs.px1[known].astype(np.float64)
        order = np.argsort(code, kind="stable")
        code = code[order]
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
        styles = [(QBrush(Qt.BrushStyle.NoBrush), self._ghost_pen(int(c)))
                  for c in code[starts]]
        self._rects.draw_groups(p, x0[order], x1[order], top[order], bottom[order], starts,
                                styles)

    def _paint_ticks(self, p: QPainter, geo: RowGeometry, view: QRectF, width: int,
                     x_left: float, columns: tuple[int, int]) -> None:
        """A ▼ at the top of the lane for each printed line; lines closer together than
        a marker merge into one band ("printing all the time"). Only lines within (or
        a marker's width around) the pixel `columns` are drawn."""
        rows = self.rows
        assert rows is not None
        tick_rows, px = self._ticks.ticks(self.cache, rows, view.left(), view.right(), width,
                                          (columns[0] - 8, columns[1] + 8), self._shown_rows)
        if not len(px):
            return
        size = max(3.0 * self.line, min(7.0 * self.line, geo.height * 0.16))
        # Groups of ticks on one row, each less than a marker's width from the next.
        new_group = np.ones(len(px), bool)
        new_group[1:] = (tick_rows[1:] != tick_rows[:-1]) | (np.diff(px) > 2 * size)
        first = np.flatnonzero(new_group)
        last = np.append(first[1:], len(px)) - 1
        single = first == last
        top = _whole(geo.top + tick_rows[first] * geo.height + 1)
        x0, x1 = x_left + px[first] + 0.5, x_left + px[last] + 0.5
        fg = QColor(self.theme.foreground)
        band = ~single
        if band.any():
            self._rects.draw(p, _whole(x0[band] - size), _whole(x1[band] + size),
                             top[band], _whole(top[band] + 1.6 * size), QBrush(fg), None)
        if single.any():
            self._markers.draw(p, x0[single], top[single], size, fg)

    def _color(self, color_index: int) -> QColor:
        if color_index == MAIN_COLOR:
            return QColor(self.theme.main_lane)
        return self.theme.process_color(color_index)

    def _brush(self, code: int, vector: bool = False) -> QBrush:
        """How runs with `code` are filled (`vector`: for an SVG, with no pictures)."""
        key = -code - 1 if vector else code
        brush = self._brushes.get(key)
        if brush is None and code // CODE_SHIFT == OTHERS:
            brush = self._brushes[key] = QBrush(QColor(self.theme.others))
        if brush is None:
            style = STATE_STYLES[code // CODE_SHIFT]
            color = self._color(code % CODE_SHIFT)
            color.setAlpha(style.alpha)
            brush = self._brushes[key] = state_brush(code // CODE_SHIFT, color, self.line,
                                                     vector)
        return brush

    def _ghost_pen(self, code: int) -> QPen:
        """A predicted bar's dashed outline: as thin in a high-contrast theme as in
        the others (thick dashes would hide what was measured)."""
        return prediction_pen(self._color(code % CODE_SHIFT), 1.4 * self.line / self.theme.line)

