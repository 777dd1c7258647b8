"""The chart's geometry against brute force: per-pixel occupancy, pixel codes kept up
to date incrementally while a run grows, line ticks, and the stepped time axis."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mpgui.runtime.protocol import State
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.geometry import (
    CODE_SHIFT,
    Column,
    SpanCache,
    lane_colors,
    layout_rows,
    nice_ceil,
)
from mpgui.ui.chart.pixels import LineTicks, dominant, line_ticks, pixel_codes

STATES = [State.RUNNING, State.PREEMPTED, State.SLEEPING, State.WAITING, State.STARTING,
          State.GIL, State.QUEUED]
NS = 1_000_000_000


def brute_occupancy(spans, bounds, now):
    """Seconds running, preempted, waiting for the GIL and otherwise in each pixel,
    span by span."""
    occ = np.zeros((len(bounds) - 1, 4))
    column = {State.RUNNING: 0, State.PREEMPTED: 1, State.GIL: 2}
    for t0, t1, state in spans:
        t1 = now if t1 is None else t1
        for p in range(len(bounds) - 1):
            overlap = min(t1, bounds[p + 1]) - max(t0, bounds[p])
            if overlap > 0:
                occ[p, column.get(state, 3)] += overlap
    return occ


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0001, 0.3), st.sampled_from(STATES)), min_size=1,
                max_size=40), st.booleans(), st.integers(1, 50))
def test_occupancy_matches_brute_force(pieces, open_last, width):
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    lane = store.add_lane("A", "a", "process")
    store.begin(0, main)
    t, spans = 0.01, []
    for duration, state in pieces:
        store.set_state(lane, int(t * NS), state, 0)
        spans.append([t, t + duration, state])
        t += duration
    if not open_last:
        store.end_lane(lane, int(t * NS))
    now = t + 0.05
    spans[-1][1] = None if open_last else t
    cache = SpanCache()
    cache.sync(store, int(now * NS))
    bounds = np.linspace(0, now + 0.1, width + 1)
    at, _state, _core = cache.tracks[lane].sample(bounds, cache.now)
    expected = brute_occupancy([(a, b, s) for a, b, s in spans], bounds, now)
    assert np.allclose(np.diff(at, axis=0), expected, atol=2e-9)


def grow(store, lanes, rng, t, steps):
    """Random state changes and lines, in time order per lane, like a live run."""
    for _ in range(steps):
        lane = rng.choice(lanes)
        t[lane] += rng.uniform(0.0005, 0.05)
        store.set_state(lane, int(t[lane] * NS), rng.choice(STATES), rng.choice([0, 1, -1]))
        if rng.random() < 0.3:
            store.line_t.append(int(t[lane] * NS))
            store.line_lane.append(lane)


@pytest.mark.parametrize("ingests", [0, 3])
def test_pixel_codes_kept_up_to_date_equal_a_full_recomputation(ingests):
    """Also with the new spans taken in between frames (`sync` at each poll, as the
    window does): a frame still repaints from the earliest change since the last
    (`take_changes`)."""
    rng = random.Random(7)
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    lanes = [store.add_lane(f"P{i}", f"p{i}", "process") for i in range(4)]
    store.begin(0, main)
    t = dict.fromkeys(lanes, 0.0)
    cache = SpanCache()
    x0, x1, width = 0.0, 8.0, 300
    grid = None
    for _frame in range(40):
        for _poll in range(ingests):
            grow(store, lanes, rng, t, 8)
            cache.sync(store, int((max(t.values()) + 0.01) * NS))
        grow(store, lanes, rng, t, 25 - 8 * ingests)
        now = max(t.values()) + 0.01
        cache.sync(store, int(now * NS))
        rows = layout_rows(store, 2, True)
        colors = lane_colors(store)
        changed = cache.take_changes()
        if grid is None:
            grid = pixel_codes(cache, rows, colors, x0, x1, width)
        elif changed < float("inf"):
            first = max(0, int(np.floor((changed - x0) / (x1 - x0) * width)) - 1)
            grid[:, first:] = pixel_codes(cache, rows, colors, x0, x1, width, first)
        assert np.array_equal(grid, pixel_codes(cache, rows, colors, x0, x1, width))
    assert (grid >= 0).any()


def test_running_pixels_appear_on_their_core_and_brief_runs_stay_visible():
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    a = store.add_lane("A", "a", "process")
    store.begin(0, main)
    store.set_state(a, 0, State.SLEEPING)
    store.set_state(a, int(0.500 * NS), State.RUNNING, 1)  # 1 ms of CPU in a sleep
    store.set_state(a, int(0.501 * NS), State.SLEEPING)
    store.end_lane(a, NS)
    store.finish(NS)
    cache = SpanCache()
    cache.sync(store, NS)
    rows = layout_rows(store, 2, False)
    grid = dominant(pixel_codes(cache, rows, lane_colors(store), 0.0, 1.0, 100))  # 10 ms/px
    row_a = rows.lane_row[a]
    assert grid[row_a, 50] // CODE_SHIFT == State.RUNNING  # not lost to the sleep around it
    assert grid[row_a, 20] // CODE_SHIFT == State.SLEEPING
    assert grid[rows.core_base + 1, 50] // CODE_SHIFT == State.RUNNING
    assert (grid[rows.core_base] == -1).all()  # nothing ran on CPU 0


def test_line_ticks_are_one_per_row_and_pixel():
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    a = store.add_lane("A", "a", "process")
    store.begin(0, main)
    for t in (0.1, 0.101, 0.5, 0.999):
        store.line_t.append(int(t * NS))
        store.line_lane.append(a)
    cache = SpanCache()
    cache.sync(store, NS)
    rows, px = line_ticks(cache, layout_rows(store, 1, False), 0.0, 1.0, 10)
    assert rows.tolist() == [1, 1, 1] and px.tolist() == [1, 5, 9]
    # Rows out of view are not looked at (256 lanes scroll: a frame draws a few dozen).
    assert line_ticks(cache, layout_rows(store, 1, False), 0.0, 1.0, 10,
                      shown=(0, 1))[1].tolist() == []
    assert line_ticks(cache, layout_rows(store, 1, False), 0.0, 1.0, 10,
                      shown=(1, 2))[1].tolist() == [1, 5, 9]


def test_line_ticks_kept_between_paints_are_those_found_afresh():
    # A live run: lines arrive between paints of strips of one view (each lane's in its
    # own time order, the lanes' interleaved), rows scroll in and out of view, a
    # replay's cut moves, the view changes: the kept ticks are always what line_ticks
    # finds from scratch.
    rng = np.random.default_rng(5)
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    lanes = [store.add_lane(f"P{k}", f"p{k}", "process") for k in range(6)]
    store.begin(0, main)
    cache, kept = SpanCache(), LineTicks()
    last, found = dict.fromkeys(lanes, 0.0), 0
    for step in range(60):
        for _ in range(int(rng.integers(0, 8))):
            lane = int(rng.choice(lanes))
            last[lane] += float(rng.exponential(0.15))
            store.line_t.append(int(last[lane] * NS))
            store.line_lane.append(lane)
        cache.sync(store, int(2.2 * NS))
        if step % 10 == 9:
            cache.cut = float(rng.uniform(0.5, 2.5))
        rows = layout_rows(store, 1, False)
        x0, x1 = (0.0, 1.0) if step < 30 else (0.5, 2.0)
        width = 50 if step < 45 else 37
        first = int(rng.integers(-10, width))
        columns = (first, first + int(rng.integers(1, 30)))
        top = int(rng.integers(0, 3))
        shown = (top, top + int(rng.integers(1, 8)))
        want = line_ticks(cache, rows, x0, x1, width, columns, shown)
        got = kept.ticks(cache, rows, x0, x1, width, columns, shown)
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
        found += len(want[1])
    assert found > 50  # (not only empty strips)


def test_threads_are_laid_out_under_their_process():
    store = TraceStore()
    store.add_lane("main", "main", "main")
    a = store.add_lane("A", "a", "process")
    b = store.add_lane("B", "b", "process")
    b1 = store.lane_of(b, 1)
    a1 = store.lane_of(a, 1)
    b2 = store.lane_of(b, 2)
    rows = layout_rows(store, 1, False)
    assert rows.lane_of_row[:6] == (0, a, a1, b, b1, b2)


@pytest.mark.parametrize(("x", "nice"), [(0.7, 0.8), (1.0, 1.0), (1.01, 1.5), (2.6, 3.0),
                                         (7.2, 8.0), (8.5, 10.0), (13.0, 15.0), (0.0, 1.0)])
def test_the_time_axis_grows_in_nice_steps(x, nice):
    assert nice_ceil(x) == pytest.approx(nice)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 3), st.lists(st.tuples(st.integers(0, 300), st.booleans()), max_size=80))
def test_a_column_holds_what_was_appended_and_its_last_row_as_last_written(width, steps):
    column, kept = Column(np.float64, width), []
    for k, rewrite in steps:
        values = np.random.default_rng(k).random((k, width) if width else k)
        column.extend(values)
        kept.extend(values)
        if rewrite and kept:  # a span's end, written when the next one begins
            column.view[-1] = kept[-1] = -1.0 * (np.ones(width) if width else 1.0)
        assert column.n == len(kept)
        assert np.array_equal(column.view, np.array(kept).reshape(column.view.shape))


def test_a_column_grows_a_little_at_every_append_not_all_at_once():
    column = Column(np.float64, 9)
    for _ in range(20_000):
        if column.n + 10 > len(column._buf) and column.n > 16:
            # Full: all but the last rows are in the bigger buffer already.
            assert column._next is not None and column.n - column._copied <= 20
        column.extend(np.ones((10, 9)))
    assert column.n == 200_000


def test_the_time_axis_draws_each_tick_mark_on_whole_pixel_columns(window, qtbot):
    """A tick on a pixel boundary (a view ending at exactly 3 s) would land in the column
    on either side depending on the paint's rounding — a live frame's strip and a whole
    repaint drew the last one a pixel apart: each tick mark's edges are pixel edges."""
    import math

    import pyqtgraph as pg
    from PySide6.QtGui import QPainter, QPicture

    chart = window.chart
    axis = chart.plot.getAxis("bottom")
    qtbot.waitUntil(lambda: axis.getViewWidget() is not None and chart.vb.width() > 100)
    chart.following = False
    chart.vb.setXRange(0.0, 3.0, padding=0)
    to_device = axis.deviceTransform(axis.getViewWidget().viewportTransform())
    for width in (1, 2, 3):  # (presentation mode draws wider lines)
        axis.setPen(pg.mkPen("k", width=width))
        picture = QPicture()
        painter = QPainter(picture)
        try:
            _line, ticks, _texts = axis.generateDrawSpecs(painter)
        finally:
            painter.end()
        edges = [to_device.map(a).x() - max(1, round(pen.widthF())) / 2
                 for pen, a, _b in ticks]
        assert len(edges) >= 3 and all(x == math.floor(x) for x in edges), (width, edges)
