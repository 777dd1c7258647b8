"""The chart's one pixel rule (`mpgui.ui.chart.pixels`): process lanes and CPU lanes
agree at every zoom, shares are drawn in proportion, other programs are drawn on the
CPU lanes, and exports, replays and the window all draw the same grid."""

from __future__ import annotations

import random
from array import array
from itertools import accumulate

import numpy as np
import pytest
from PySide6.QtCore import QRectF

from mpgui.model.builtins import load_builtin
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.protocol import State
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.geometry import CODE_SHIFT, SpanCache, lane_colors, layout_rows
from mpgui.ui.chart.pixels import LEVELS, OTHERS, pixel_codes, quantize, shares, unpack

NS = 1_000_000_000
RUNNING = State.RUNNING * CODE_SHIFT


def busy_store(seed: int, lanes: int = 5, steps: int = 400) -> TraceStore:
    """Processes switching between running (on core 0 or 1), preempted, GIL and
    sleeping every few ms, as busy children do."""
    rng = random.Random(seed)
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    ids = [store.add_lane(f"P{i}", f"p{i}", "process") for i in range(lanes)]
    store.begin(0, main)
    t = dict.fromkeys(ids, 0.0)
    for _ in range(steps):
        lane = rng.choice(ids)
        t[lane] += rng.uniform(0.0002, 0.02)
        state = rng.choice([State.RUNNING, State.RUNNING, State.PREEMPTED, State.SLEEPING,
                            State.GIL])
        store.set_state(lane, int(t[lane] * NS), state, rng.choice([0, 1]))
    end = int((max(t.values()) + 0.01) * NS)
    for lane in ids:
        store.end_lane(lane, end)
    store.finish(end)
    return store


def live_store(chart, processes: int) -> tuple[TraceStore, list[int]]:  # type: ignore[no-untyped-def]
    """A run just begun, with `processes` process lanes, shown live by `chart`."""
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    lanes = [store.add_lane(f"P{k}", f"p{k}", "process") for k in range(processes)]
    store.begin(0, main)
    chart.set_store(store)
    return store, lanes


def agreement_problems(store: TraceStore, width: int, x0: float, x1: float) -> list[str]:
    """Pixels where a lane shows running and no CPU lane shows it, or the other way."""
    cache = SpanCache()
    cache.sync(store, store.t_end)
    colors = lane_colors(store)
    rows = layout_rows(store, 2, cache.has_unknown_core(colors))
    grid = pixel_codes(cache, rows, colors, x0, x1, width)
    out = []
    for ln in store.lanes:
        if ln.kind != "process":
            continue
        running = shares(grid[rows.lane_row[ln.index]], RUNNING + colors[ln.index]) > 0
        on_cpu = np.zeros(width, bool)
        for core in range(rows.n_cores):
            on_cpu |= shares(grid[rows.core_base + core], RUNNING + colors[ln.index]) > 0
        bad = np.flatnonzero(running != on_cpu)
        if len(bad):
            out.append(f"{ln.var}: {len(bad)} pixels disagree, first at {bad[0]}")
    return out


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("zoom", [1, 4, 30])
def test_lanes_agree_with_the_cpu_lanes_at_every_zoom(seed, zoom):
    store = busy_store(seed)
    end = store.seconds(store.t_end)
    width = 600
    for start in (0.0, end / 3):  # the whole run zoomed in, from its start and later
        assert agreement_problems(store, width, start, start + end / zoom) == []


def _levels_of_one_pixel(share: list[float]) -> list[tuple[int, int]]:
    """The rule for one pixel's stacked segments, written plainly: a present segment
    gets its share of LEVELS rounded (at least one), the largest (the first of equals)
    what rounding leaves over, stacked in order; an absent one is empty."""
    total = sum(share)
    levels = [max(int(np.floor(s * LEVELS / total + 0.5)), 1) if s > 0 else 0
              for s in share] if total > 0 else [0] * len(share)
    if total > 0:
        levels[share.index(max(share))] += LEVELS - sum(levels)
    out, lo = [], 0
    for n in levels:
        out.append((lo, lo + n))
        lo += n
    return out


@pytest.mark.parametrize("segments", [3, 7])
def test_quantize_is_the_rule_pixel_by_pixel(segments):
    rng = np.random.default_rng(segments)
    share = rng.random((4, 300, segments)) * (rng.random((4, 300, segments)) < 0.5)
    share[..., 0][rng.random((4, 300)) < 0.1] = 1e-9  # a moment: still one level
    tied = rng.random((4, 300)) < 0.2
    share[..., 1][tied] = share[..., 0][tied]  # equals: the first takes the spare
    share[rng.random((4, 300)) < 0.1] = 0.0  # nothing at all
    lo, hi = quantize(share)
    for index in np.ndindex(share.shape[:-1]):
        want = _levels_of_one_pixel(share[index].tolist())
        assert list(zip(lo[index].tolist(), hi[index].tolist(), strict=True)) == want, index


def test_a_pixel_shows_its_states_in_proportion():
    # In each 10 ms: 3 ms running, 7 ms preempted, for one second.
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    a = store.add_lane("A", "a", "process")
    store.begin(0, main)
    for k in range(100):
        store.set_state(a, k * 10_000_000, State.RUNNING, 0)
        store.set_state(a, k * 10_000_000 + 3_000_000, State.PREEMPTED)
    store.end_lane(a, NS)
    store.finish(NS)
    cache = SpanCache()
    cache.sync(store, NS)
    colors = lane_colors(store)
    rows = layout_rows(store, 1, False)
    for width in (40, 100, 350):  # 25 ms, 10 ms and 2.9 ms a pixel
        grid = pixel_codes(cache, rows, colors, 0.0, 1.0, width)
        row = grid[rows.lane_row[a]]
        drawn = shares(row, RUNNING + colors[a]).mean()
        assert drawn == pytest.approx(0.3, abs=1.5 / LEVELS), width
        hatched = shares(row, State.PREEMPTED * CODE_SHIFT + colors[a]).mean()
        assert drawn + hatched == pytest.approx(1.0)
    # The CPU lane: A alone ran on CPU 0, so wherever it ran the bar is all A.
    grid = pixel_codes(cache, rows, colors, 0.0, 1.0, 100)
    assert (shares(grid[rows.core_base], RUNNING + colors[a]) == 1.0).all()


def test_a_cpu_lane_divides_its_bar_among_who_ran_there():
    # One pixel, one core: A ran 0.6 s, B 0.2 s.
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    a = store.add_lane("A", "a", "process")
    b = store.add_lane("B", "b", "process")
    store.begin(0, main)
    store.set_state(a, 0, State.RUNNING, 0)
    store.set_state(a, int(0.6 * NS), State.PREEMPTED)
    store.set_state(b, int(0.6 * NS), State.RUNNING, 0)
    store.set_state(b, int(0.8 * NS), State.PREEMPTED)
    cache = SpanCache()
    cache.sync(store, NS)
    colors = lane_colors(store)
    rows = layout_rows(store, 1, False)
    cpu = pixel_codes(cache, rows, colors, 0.0, 1.0, 1)[rows.core_base]
    assert shares(cpu, RUNNING + colors[a])[0] == pytest.approx(0.75, abs=1 / LEVELS)
    assert shares(cpu, RUNNING + colors[b])[0] == pytest.approx(0.25, abs=1 / LEVELS)


def test_other_programs_are_grey_on_the_cpu_lanes():
    store = busy_store(1, lanes=1, steps=20)
    end = store.t_end
    # Other programs took half of CPU 1 in the first half of the run, none after.
    store.others.source = "test"
    store.others.add(0, end // 2, [0.0, 0.5])
    store.others.add(end // 2, end, [0.0, 0.0])
    cache = SpanCache()
    cache.sync(store, end)
    colors = lane_colors(store)
    rows = layout_rows(store, 2, False)
    grid = pixel_codes(cache, rows, colors, 0.0, store.seconds(end), 100)
    grey = OTHERS * CODE_SHIFT + 255
    cpu1 = shares(grid[rows.core_base + 1], grey)
    assert cpu1[:45] == pytest.approx(0.5) and (cpu1[55:] == 0).all()
    assert (shares(grid[rows.core_base], grey) == 0).all()
    # Behind the processes: its own segment, never one of theirs.
    code, _lo, _hi = unpack(np.maximum(grid[rows.core_base + 1, :, -1], 0))
    assert set(code[grid[rows.core_base + 1, :, -1] >= 0] // CODE_SHIFT) == {OTHERS}


@pytest.mark.slow
def test_a_real_oversubscribed_run_agrees_and_its_export_draws_the_same(qtbot, tmp_path):
    from mpgui.runtime.session.record import RunRecord
    from mpgui.ui.run.export_image import ChartPicture
    from mpgui.ui.theme import LIGHT

    scenario = load_builtin("oversubscribed")
    with Runner(scenario, speed=8, start_method="forkserver") as runner:
        runner.run()
    store = runner.store
    end = store.seconds(store.t_end)
    for zoom in (1, 5, 40):
        assert agreement_problems(store, 800, 0.0, end / zoom) == [], zoom
    # The drawn running share of each lane is what the trace says it spent running
    # (of its running and preempted time), as the CSV says it.
    cache = SpanCache()
    cache.sync(store, store.t_end)
    colors = lane_colors(store)
    rows = layout_rows(store, cpu_count(), cache.has_unknown_core(colors))
    width = 1000
    grid = pixel_codes(cache, rows, colors, 0.0, end, width)
    bounds = np.linspace(0.0, end, width + 1)
    for ln in (ln for ln in store.lanes if ln.kind == "process"):
        at, _s, _c = cache.tracks[ln.index].sample(bounds, cache.now)
        occ = np.diff(at, axis=0)
        tall = occ[:, 0] + occ[:, 1] + occ[:, 2]
        drawn = shares(grid[rows.lane_row[ln.index]], RUNNING + colors[ln.index])
        weighted = (drawn * tall).sum() / tall.sum()
        true = occ[:, 0].sum() / tall.sum()
        assert weighted == pytest.approx(true, abs=0.06), ln.var
    # An export draws the very same grid.
    record = RunRecord(scenario, store, name="oversubscribed", speed=8,
                       start_method="forkserver", cores=cpu_count())
    picture = ChartPicture(LIGHT, 1.0, (1280, 720))
    picture.show_run(store, None, record.name)
    picture.save_png(tmp_path / "over.png")
    chart = picture.chart
    x0, x1 = chart.vb.viewRange()[0]
    painted, (top, bottom) = chart.spans._grid, chart.spans._shown_rows
    assert np.array_equal(painted, pixel_codes(chart.cache, chart.rows, colors, x0, x1,
                                               painted.shape[1])[top:bottom])
    picture.close()


@pytest.mark.parametrize("pool", [False, True])
def test_the_rows_in_view_are_exactly_those_rows_of_the_whole(pool):
    """A frame computes (and keeps) only the rows in view: each window of rows, with or
    without the CPU rows (made of every lane), a pool's worker rows (which show tasks
    copied from rows perhaps out of view) included, is exactly those rows of all."""
    store = busy_store(1, lanes=8)
    if pool:  # the first two lanes are the workers, the others tasks that ran on them
        store.backend = "pool"
        for k, lane in enumerate(store.lanes[3:]):
            lane.host = 1 + k % 2
    cache = SpanCache()
    cache.sync(store, store.t_end)
    colors = lane_colors(store)
    rows = layout_rows(store, 2, cache.has_unknown_core(colors))
    end = store.seconds(store.t_end)
    whole = pixel_codes(cache, rows, colors, 0.0, end, 300)
    assert (whole >= 0).sum() > 1000
    n = rows.n_rows
    for shown in ((0, n), (0, 1), (2, 5), (rows.core_base - 1, rows.core_base + 1),
                  (rows.core_base, n), (n - 1, n), (3, 3), (-2, n + 4)):
        part = pixel_codes(cache, rows, colors, 0.0, end, 300, shown=shown)
        top, bottom = max(0, shown[0]), min(n, shown[1])
        assert np.array_equal(part, whole[top:bottom]), shown


@pytest.mark.parametrize("seed", range(3))
def test_pieces_of_views_asked_together_are_each_what_they_are_alone(seed):
    """A live frame asks for its strip and the next view's columns in one pass
    (`pixel_codes_of`): each piece is exactly what asking for it alone gives, rows
    shown or not, an empty piece included."""
    from mpgui.ui.chart.pixels import pixel_codes_of

    store = busy_store(seed, lanes=6)
    cache = SpanCache()
    cache.sync(store, store.t_end)
    colors = lane_colors(store)
    rows = layout_rows(store, 2, cache.has_unknown_core(colors))
    end = store.seconds(store.t_end)
    pieces = [(0.0, end, 500, 430, 500), (0.0, 2 * end, 700, 0, 300),
              (end / 4, end / 2, 321, 50, 50), (-0.1 * end, end, 640, 600, None)]
    for shown in (None, (1, 4), (rows.core_base, rows.n_rows)):
        together = pixel_codes_of(cache, rows, colors, pieces, shown)
        alone = [pixel_codes(cache, rows, colors, *piece, shown=shown) for piece in pieces]
        assert [g.shape for g in together] == [g.shape for g in alone]
        for a, b in zip(together, alone, strict=True):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("seed", range(3))
def test_columns_after_everything_drawn_are_empty_and_not_computed(seed):
    """While a run is followed, the view and each strip reach past the data; those
    columns are left empty without being computed (`SpanCache.end`) — exactly what
    computing them gives, also where a child's clock runs ahead of the frame's "now"
    (a span begun or ended after it)."""
    from mpgui.ui.chart.pixels import pixel_codes_of

    rng = random.Random(seed)
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    ids = [store.add_lane(f"P{i}", f"p{i}", "process") for i in range(4)]
    store.begin(0, main)
    t = 0.0
    for _ in range(200):
        t += rng.uniform(0.0001, 0.005)
        store.set_state(rng.choice(ids), int(t * NS), rng.choice(
            [State.RUNNING, State.PREEMPTED, State.SLEEPING]), rng.choice([0, 1]))
    now = t - 0.05  # the last spans were measured on a clock ahead of the frame's
    cache = SpanCache()
    cache.sync(store, int(now * NS))
    latest = max(store.span_t0) / NS  # (a repeated state begins no span)
    assert now < latest and cache.end == pytest.approx(latest)
    colors = lane_colors(store)
    rows = layout_rows(store, 2, cache.has_unknown_core(colors))
    pieces = [(0.0, 2 * t, 600, 0, None), (0.0, 1.1 * t, 400, 300, 400),
              (t / 2, 3 * t, 321, 0, 321), (2 * t, 3 * t, 100, 0, None)]
    got = pixel_codes_of(cache, rows, colors, pieces)
    cache.end = float("inf")  # every column computed
    assert all(np.array_equal(a, b) for a, b in zip(
        got, pixel_codes_of(cache, rows, colors, pieces), strict=True))
    after = np.linspace(0.0, 2 * t, 601)[:-1] > t
    assert after.any() and (got[0][:, after] == -1).all()
    assert (got[0][:, ~after] >= 0).any()


def test_a_pan_computes_only_the_strip_it_shows_and_paints_a_full_repaints_pixels(window):
    """After a pan Qt moves the picture it has and asks for the strip that came into
    view: only those columns are computed, each what the pixel rule says; after a zoom
    the window shows exactly what painting everything afresh shows. (After a pan by a
    fraction of a pixel the moved picture is whole pixels off a fresh paint's bins, as
    it was when every pan computed the whole grid.)"""
    from PySide6.QtCore import QPointF

    store = busy_store(4, lanes=6, steps=3000)
    chart = window.chart
    chart.set_store(store)
    chart.refresh(store.t_end, running=False)
    chart.following = False
    chart.grab()
    span = store.seconds(store.t_end)
    vb, spans = chart.vb, chart.spans

    def fresh() -> np.ndarray:  # type: ignore[type-arg]
        spans.setCacheMode(spans.CacheMode.NoCache)  # drop what was painted before
        spans.setCacheMode(spans.CacheMode.DeviceCoordinateCache)
        return chart.grab().toImage()

    strips = 0
    for k, move in enumerate(["zoom", "pan", "pan", "zoom", "pan", "pan"]):
        if move == "pan":  # into the run, both ways
            vb.translateBy(x=span * (0.04 if k % 2 else -0.03))
        else:
            vb.scaleBy((0.5, 1), center=QPointF(span / 2, 0))
        shown = chart.grab().toImage()
        x0, x1, width = spans._grid_key[:3]  # the view last painted
        valid = spans._valid
        assert valid.any()
        if move == "pan" and valid.sum() < 0.2 * width:
            strips += 1  # only the strip that came into view was computed
        codes = pixel_codes(spans.cache, spans.rows, spans.colors, x0, x1, width,
                            shown=spans._shown_rows)
        assert np.array_equal(spans._grid[:, valid], codes[:, valid]), (k, move)
        if move == "zoom":
            assert shown == fresh(), k
    assert strips >= 2


def test_a_lane_that_appears_while_the_next_views_grid_is_being_built(window):
    """A frame plans its share of the next view's grid, for the polls after it (or the
    next frame) to do; if a lane appears before that is done (a pool's task, a new
    copy), the rows change: the work meant for the old rows is dropped, not written
    into a grid of another shape (an error raised in paint() crashes PySide 6.11 — the
    selftest's pool run found it)."""
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    a = store.add_lane("A", "a", "process")
    store.begin(0, main)
    store.set_state(a, 1_000_000, State.RUNNING, 0)
    chart, spans = window.chart, window.chart.spans
    chart.set_store(store)
    chart.refresh(200_000_000, running=True)
    chart.grab()
    pending = []
    for k in range(1, 6):
        state = State.SLEEPING if k % 2 else State.RUNNING
        store.set_state(a, 200_000_000 + k * 8_000_000, state, 0)
        chart.refresh(200_000_000 + k * 16_000_000, running=True)
        pending.append(spans._next_work is not None or spans._catch_up_due)
        if pending[-1] and k > 2:
            break
        chart.grab()
    assert pending[-1]  # work left for later
    b = store.add_lane("B", "b", "process")
    store.set_state(b, 290_000_000, State.RUNNING, 1)
    chart.refresh(300_000_000, running=True)  # new rows
    chart.grab()
    x0, x1, width = spans._grid_key[:3]
    codes = pixel_codes(spans.cache, spans.rows, spans.colors, x0, x1, width,
                        shown=spans._shown_rows)
    assert np.array_equal(spans._grid[:, spans._valid], codes[:, spans._valid])
    for k in range(8):  # following on: the next view's grid is built for the new rows
        state = State.SLEEPING if k % 2 else State.RUNNING
        store.set_state(b, 300_000_000 + k * 8_000_000, state, 1)
        chart.refresh(300_000_000 + (k + 1) * 16_000_000, running=True)
        chart.grab()
    assert spans._next.shape[0] == spans._shown_rows[1] - spans._shown_rows[0] > 2


def test_the_rows_in_view_change_while_the_next_views_grid_is_being_built(window, qtbot):
    """The grids hold the rows in view only. If those change (a scroll, a taller or
    shorter window) while work on the next view's grid is pending, that work, meant for
    the old rows, is dropped: never written into a grid of other rows or another shape
    (an error raised in paint() crashes PySide 6.11)."""
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    lanes = [store.add_lane(f"P{k}", f"p{k}", "process") for k in range(24)]
    store.begin(0, main)
    chart, spans = window.chart, window.chart.spans
    window.resize(900, 560)
    chart.set_store(store)
    t = 0
    for height in (760, 430, 640):  # more rows in view, fewer, more again
        pending = False
        for k in range(12):
            t += 16_000_000
            for i, lane in enumerate(lanes):
                store.set_state(lane, t - 4_000_000 * (i % 3),
                                State.SLEEPING if (k + i) % 2 else State.RUNNING, i % 2)
            chart.refresh(t, running=True)
            pending = spans._next_work is not None or spans._catch_up_due
            if pending and k > 2:
                break
            chart.grab()
        assert pending  # work left for later, for the rows in view before
        before = spans._shown_rows
        window.resize(900, height)
        qtbot.waitUntil(lambda before=before: chart.grab() is not None
                        and spans._shown_rows != before)
        assert spans._shown_rows[1] - spans._shown_rows[0] != before[1] - before[0]
        x0, x1, width = spans._grid_key[:3]
        codes = pixel_codes(spans.cache, spans.rows, spans.colors, x0, x1, width,
                            shown=spans._shown_rows)
        assert np.array_equal(spans._grid[:, spans._valid], codes[:, spans._valid])
        shown = spans._shown_rows
        if spans._next_key is not None and spans._next_key[-1] == shown:
            assert spans._next.shape[0] == shown[1] - shown[0]


def test_a_poll_before_a_frame_computes_what_its_paint_would(window, monkeypatch):
    """The poll before a frame (`ChartWidget.ingest` with `frame_next`) takes the new
    spans in and computes the strip of the view they change — or, when that frame will
    step the time axis, catches the next view's grid up and finds the runs it will draw.
    The frame then draws the cache as that poll left it (what came after waits for the
    next poll) without a pass of its own, and its grid is what a full recomputation of
    that cache gives."""
    from mpgui.ui.chart import spans_item

    store, lanes = live_store(window.chart, 4)
    chart, spans = window.chart, window.chart.spans
    passes: list[int] = []
    compute = spans_item.pixel_codes_of
    monkeypatch.setattr(spans_item, "pixel_codes_of",
                        lambda *args: passes.append(1) or compute(*args))
    runs_found: list[int] = []  # (and a step's runs: found by the poll that caught up)
    find_runs = spans_item.runs_of
    monkeypatch.setattr(spans_item, "runs_of",
                        lambda *args: runs_found.append(1) or find_runs(*args))
    frames: list[tuple[bool, bool]] = []  # (stepped, computed in the frame)
    t, right = 0, None
    for k in range(110):
        for half in range(2):  # a poll, then the frame's own tick 5 ms on: it reads more
            t += 25_000_000 if not half else 5_000_000
            for i, lane in enumerate(lanes):
                store.set_state(lane, t - 3_000_000 * i, State.SLEEPING if (k + i + half) % 2
                                else State.RUNNING, i % 2)
            if not half:
                chart.ingest(t, frame_next=True)
        passes.clear()
        runs_found.clear()
        chart.refresh(t, running=True)
        chart.grab()
        stepped = right is not None and chart.vb.viewRange()[0][1] != right
        right = chart.vb.viewRange()[0][1]
        frames.append((stepped, bool(passes) or (stepped and bool(runs_found))))
        if stepped and spans._ready_runs is not None:
            drawn, fresh = spans._ready_runs[2], find_runs(spans._grid, spans._shown_rows[0])
            assert all(np.array_equal(getattr(drawn, f), getattr(fresh, f))
                       for f in ("row", "px0", "px1", "code"))
        x0, x1, width = spans._grid_key[:3]
        valid = spans._valid  # (every column painted is; the rest is left for later)
        codes = pixel_codes(spans.cache, spans.rows, spans.colors, x0, x1, width,
                            shown=spans._shown_rows)
        assert np.array_equal(spans._grid[:, valid], codes[:, valid])
        assert spans.cache.now < (t - store.t0) / 1e9  # (the frame's own reads wait)
    later = frames[3:]  # (the first frames lay the rows out: a full computation)
    assert sum(stepped for stepped, _computed in later) >= 2
    assert not any(computed for stepped, computed in later if stepped)
    assert sum(not computed for _stepped, computed in later) >= 0.9 * len(later)


def test_a_live_frame_draws_the_marks_up_to_where_its_spans_were_taken_in(window):
    """A frame draws the spans as the poll before it took them in, a poll behind the
    store; its marks are cut there too, so an exit never shows before its bar ends."""
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    a = store.add_lane("A", "a", "process")
    store.begin(0, main)
    store.set_state(a, 1_000_000, State.RUNNING, 0)
    chart = window.chart
    chart.set_store(store)
    chart.refresh(100_000_000, running=True)
    chart.grab()

    def exits() -> list[str]:
        chart.grab()
        return [lb.role for lb in chart.marks.layout.labels if lb.role == "exit"]

    chart.ingest(200_000_000, frame_next=True)  # the poll before the frame
    store.end_lane(a, 203_000_000)  # read by the frame's own poll
    chart.refresh(205_000_000, running=True)
    assert exits() == []
    assert chart.cache.tracks[a].open_index >= 0  # (its bar is still open there)
    chart.ingest(210_000_000, frame_next=True)
    chart.refresh(215_000_000, running=True)
    assert exits() == ["exit"]


def test_runs_are_drawn_others_first_then_thin_states_then_tall_ones_by_code():
    from mpgui.ui.chart.pixels import TALL
    from mpgui.ui.chart.spans_item import _RANK

    rng = np.random.default_rng(7)
    code = rng.integers(0, (OTHERS + 1) * CODE_SHIFT, 5000)
    state = code // CODE_SHIFT
    want = np.lexsort((code, np.isin(state, TALL), state != OTHERS))  # (stable, too)
    assert np.array_equal(np.argsort(_RANK[code], kind="stable"), want)


def test_dominant_is_the_largest_segment_of_each_pixel_the_first_of_equals():
    from mpgui.ui.chart.pixels import K, dominant, pack

    rng = np.random.default_rng(3)
    lo = rng.integers(0, LEVELS, (3, 200, K))
    hi = np.minimum(lo + rng.integers(0, 4, (3, 200, K)), LEVELS)  # (equal sizes often)
    grid = pack(rng.integers(0, 4 * CODE_SHIFT, (3, 200, K)), lo, hi).astype(np.int32)
    grid[rng.random((3, 200, K)) < 0.4] = -1
    grid[0, :20] = -1  # empty pixels
    got = dominant(grid)
    for index in np.ndindex(grid.shape[:-1]):
        segments = [int(g) for g in grid[index] if g >= 0]
        sizes = [int(unpack(np.array(g))[2] - unpack(np.array(g))[1]) for g in segments]
        want = int(unpack(np.array(segments[sizes.index(max(sizes))]))[0]) if segments else -1
        assert got[index] == want, index


def test_a_new_range_is_painted_once(window, qtbot):
    """pyqtgraph moves its drawing to a new range lazily, from inside the paint: the
    items moved then were marked for repainting during the paint, and the whole plot
    was painted a second time — every step of the live time axis, every pan and zoom.
    The chart moves them as soon as the range changes: one paint per change."""
    from PySide6.QtCore import QEvent, QObject, QPointF

    store = busy_store(5, lanes=6, steps=3000)
    chart = window.chart
    chart.set_store(store)
    chart.refresh(store.t_end, running=False)
    chart.following = False
    paints: list[int] = []

    class Count(QObject):
        def eventFilter(self, obj, event):  # Qt override
            if event.type() == QEvent.Type.Paint:
                paints.append(1)
            return False

    counter = Count()
    chart.viewport().installEventFilter(counter)

    def settle() -> int:
        """Paint what is pending, and what that paint queues in turn (a repaint is
        queued for the next turn of the event loop): how many paints that took."""
        paints.clear()
        qtbot.waitUntil(lambda: bool(paints))
        seen = -1
        while seen != len(paints):
            seen = len(paints)
            qtbot.wait(30)
        return len(paints)

    assert settle() >= 1  # the first paint of this store
    span = store.seconds(store.t_end)
    counts = []
    for k in range(6):
        if k % 2:
            chart.vb.scaleBy((0.8, 1), center=QPointF(span / 2, 0))
        else:
            chart.vb.translateBy(x=span * 0.05)
        counts.append(settle())
    chart.vb.setXRange(0, span / 3, padding=0)  # as a step of the live axis
    counts.append(settle())
    chart.viewport().removeEventFilter(counter)
    assert counts == [1] * len(counts)


@pytest.mark.parametrize("zoom", [1, 1.25, 3])
def test_any_strip_repainted_has_the_pixels_of_a_full_repaint(window, zoom):
    """A strip repainted alone (a live frame's, a hover's) is drawn from the runs a small
    margin beyond it — moments widened to be seen reach into it from there, and a bar's
    outline is cut outside it — and the line ticks from a wider one (ticks merge into
    bands): whatever strip is repainted, the picture is what painting everything afresh
    gives, with thin and thick lines."""
    window.appearance.set_zoom(zoom)
    store = busy_store(7, lanes=6, steps=4000)
    rng = random.Random(3)
    lines: list[float] = []
    for lane in (1, 3):  # printed lines, at gaps from a fraction of a pixel to many
        times = list(accumulate(rng.uniform(0.002, 0.25) for _ in range(60)))
        lines += times
        store.add_lines(lane, array("q", [int(t * NS) for t in times]).tobytes(),
                        "\n".join(f"line {k}" for k in range(60)).encode())
    chart, spans = window.chart, window.chart.spans
    chart.set_store(store)
    chart.refresh(store.t_end, running=False)
    chart.following = False

    def fresh():  # type: ignore[no-untyped-def]
        spans.repaint_all()
        return chart.grab().toImage()

    full = fresh()
    view = chart.vb.viewRect()
    px = view.width() / chart.vb.width()
    for k in range(40):  # strips anywhere, and strips that begin or end near a line
        left = view.left() + rng.uniform(0.05, 0.9) * view.width() if k % 2 else \
            rng.choice(lines) + rng.uniform(-12, 12) * px
        width = rng.uniform(2, 40) * px
        spans.update(spans._to_item(QRectF(left, view.top(), width, view.height())))
        same = chart.grab().toImage() == full
        assert same, f"strip at {left:.4f} s, {width / px:.0f} px"


@pytest.mark.parametrize(("zoom", "frame_ms"), [(1, 25), (1.25, 25), (1, 150)])
def test_a_step_of_the_time_axis_copies_the_picture_drawn_ahead_with_a_full_repaints_pixels(
        window, monkeypatch, zoom, frame_ms):
    """The poll before a frame that steps the live time axis draws the next view's
    picture (`drawn_ahead`): the step's paint copies it instead of drawing every run —
    and the window shows exactly what painting that view afresh shows, hatched states,
    widened moments, printed lines and all, with thin and thick lines. Also when frames
    come far apart (a busy window): the step comes before the slices of the next view's
    grid planned for it are built, and that poll builds the rest."""
    from mpgui.ui.chart.drawn_ahead import Picture

    window.appearance.set_zoom(zoom)
    store, lanes = live_store(window.chart, 5)
    chart, spans = window.chart, window.chart.spans
    copied: list[int] = []
    draw = Picture.draw
    monkeypatch.setattr(Picture, "draw", lambda *args: copied.append(1) or draw(*args))
    states = (State.RUNNING, State.SLEEPING, State.PREEMPTED, State.BLOCKED)
    t, right, checked = 0, None, 0
    for k in range(120):
        for half in range(2):  # a poll, then the frame's own tick 5 ms on
            t += (frame_ms - 5) * 1_000_000 if not half else 5_000_000
            for i, lane in enumerate(lanes):
                store.set_state(lane, t - 3_000_000 * i, states[(k + i + half) % 4], i % 2)
                if (k + i) % 3 == 0:  # printed lines, some close enough to merge
                    store.add_lines(lane, array("q", [t - 2_000_000, t - 1_900_000]).tobytes(),
                                    b"a\nb")
            if not half:
                chart.ingest(t, frame_next=True)
        copied.clear()
        chart.refresh(t, running=True)
        shown = chart.grab().toImage()
        stepped = right is not None and chart.vb.viewRange()[0][1] != right
        right = chart.vb.viewRange()[0][1]
        if stepped and k > 3:
            assert copied, f"frame {k} stepped to {right} s without the picture"
            spans._picture = None  # (drawn afresh)
            spans.repaint_all()
            assert chart.grab().toImage() == shown, f"the step to {right} s"
            checked += 1
    assert checked >= 2
