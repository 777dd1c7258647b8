"""A lane per shared object: a queue's depth, a lock's holder, a value against what it
would be without lost updates — from real runs, in the window's chart and its hover, and
right however the children's records arrive."""

from __future__ import annotations

import random
from dataclasses import replace
from itertools import accumulate, pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRect, QRectF
from PySide6.QtWidgets import QApplication

from mpgui.model.builtins import load_builtin
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.protocol import State
from mpgui.runtime.store import object_tracks
from mpgui.runtime.store.object_tracks import (
    BARRIER,
    EVENT,
    FREE,
    LOCK,
    QUEUE,
    VALUE,
    ObjectTracks,
)
from mpgui.runtime.store.shared_events import SharedOp
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.geometry import lane_colors
from tests.helpers import in_batches, pixels, until_a_deadlock


def run(name: str, speed: float = 20.0, **params) -> TraceStore:
    scenario = load_builtin(name)
    if params:
        scenario = replace(scenario, processes=tuple(
            replace(p, params=dict(p.params) | params) if p.workload != "reader" else p
            for p in scenario.processes))
    with Runner(scenario, speed=speed, start_method="forkserver") as runner:
        runner.run()
    return runner.store


def tracks_of(store: TraceStore) -> dict[str, object]:
    return {t.name: t for t in ObjectTracks().sync(store)}


def test_a_queue_lane_counts_the_items_in_it():
    store = run("producer-consumer")
    q = tracks_of(store)["Q"]
    assert q.kind == QUEUE
    assert q.t == sorted(q.t) and len(q.t) == 8  # four puts, four gets
    assert min(q.level) >= 0 and q.final == 0 and q.peak >= 1


def test_a_lock_lane_names_its_holders_in_turn():
    store = run("lock-convoy")
    lock = tracks_of(store)["L"]
    assert lock.kind == LOCK and lock.first_level == FREE and lock.final == FREE
    holders = [level for level in lock.level if level != FREE]
    assert len(holders) == 6  # each of three holds it twice
    # Never taken from a holder: every acquisition follows a release.
    assert all(a == FREE or b == FREE for a, b in zip(lock.level, lock.level[1:], strict=False))
    assert {store.lanes[h].var for h in holders} == {"A", "B", "C"}


def test_a_value_lane_knows_the_updates_it_lost():
    store = run("lost-updates", speed=10.0, n=5000)
    total = tracks_of(store)["total"]
    assert total.kind == VALUE and total.updates == 10_000 and total.first_level == 0
    assert total.lost == 10_000 - total.final
    # Overlapping read-modify-writes are marked where they were. Each lost at least one
    # update; a process descheduled between its read and its write (a busy machine) loses
    # every update made meanwhile with its one write, so there may be fewer marks than
    # lost updates, never more.
    assert len(total.collisions) <= total.lost and bool(total.collisions) == (total.lost > 0)
    locked = tracks_of(run("lock-fixes-it", speed=10.0, n=2000))["total"]
    assert locked.lost == 0 and locked.collisions == [] and locked.final == 4000
    assert f"R: the total is {total.final}" in list(store.line_texts())


def test_records_arriving_out_of_order_make_the_same_tracks():
    # Children send their records in batches: one child's may come after later ones of
    # another. Synced in any order and in any pieces, the tracks are the same.
    store = run("lock-convoy")
    ops = store.records("shared")
    whole = {t.name: (t.t, t.level) for t in ObjectTracks().sync(store)}
    rng = random.Random(7)
    for _ in range(5):
        batches: dict[int, list[SharedOp]] = {}
        for op in ops:
            batches.setdefault(op.lane, []).append(op)
        shuffled = TraceStore()
        shuffled.t0 = store.t0
        tracks = ObjectTracks()
        for batch in in_batches(batches, rng, 3):
            shuffled.records("shared").extend(batch)
            tracks.sync(shuffled)
        assert {t.name: (t.t, t.level) for t in tracks.sync(shuffled)} == whole


def test_switching_between_stores_reads_each_once_and_keeps_up_with_both():
    # Replay, Compare and the gallery switch one chart between runs: what was read of a
    # store is kept while it lives, and what came to it meanwhile is read on return.
    store = run("lock-convoy")
    ops = store.records("shared")
    half, other = TraceStore(), run("producer-consumer")
    half.t0 = store.t0
    half.records("shared").extend(ops[:len(ops) // 2])
    tracks = ObjectTracks()
    first = {t.name: t for t in tracks.sync(half)}
    assert {t.name for t in tracks.sync(other)} == {"Q"}
    half.records("shared").extend(ops[len(ops) // 2:])  # (arrived while not shown)
    again = {t.name: t for t in tracks.sync(half)}
    assert again["L"] is first["L"]  # kept, not rebuilt
    assert {n: (t.t, t.level) for n, t in again.items()} == \
        {n: (t.t, t.level) for n, t in tracks_of(store).items()}
    half.records("shared").clear()  # a store emptied is read afresh
    assert tracks.sync(half) == []


def row_colors(chart, row: int) -> set[int]:
    """The colours (rgb) across the middle of chart row `row`, as painted."""
    from PySide6.QtCore import QPointF

    image = chart.grab().toImage()
    x0, x1 = chart.vb.viewRange()[0]
    colors = set()
    for k in range(200):
        scene = chart.vb.mapViewToScene(QPointF(x0 + (x1 - x0) * k / 200, row + 0.5))
        point = chart.mapFromScene(scene)
        if 0 <= point.x() < image.width() and 0 <= point.y() < image.height():
            colors.add(image.pixelColor(point.x(), point.y()).rgb() & 0xFFFFFF)
    return colors


def ran_in(window, qtbot, name: str, speed: int = 20):
    """The window's chart and store after running built-in `name` at 20x speed."""
    window.files.open_builtin(name)
    window.speed.setValue(speed)
    window.run()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=60_000)
    return window.chart, window.view.current.store


def test_the_window_draws_a_row_per_object_and_says_what_it_held(window, qtbot):
    chart, store = ran_in(window, qtbot, "lock-convoy")
    rows = chart.rows
    assert rows.labels[rows.object_base:rows.core_base] == ("L (lock)",)
    # The lock's row is painted in each holder's colour.
    lock = chart.objects.tracks[0]
    colors = lane_colors(store)
    painted = row_colors(chart, rows.object_base)
    for lane in {h for h in lock.level if h != FREE}:
        want = chart.theme.process_color(int(colors[lane])).rgb() & 0xFFFFFF
        assert want in painted, store.lanes[lane].var
    # Hover: who held it then, and since when.
    first = next(i for i, h in enumerate(lock.level) if h != FREE)
    t = (lock.t[first] - store.t0) / 1e9 + 1e-4
    text = chart.describe_at(t, rows.object_base + 0.5)
    holder = store.lanes[lock.level[first]].var
    assert text.startswith(f"L (lock) at {t:.3f} s: held by {holder} since ")


def test_a_value_row_says_how_many_updates_were_lost(window, qtbot):
    chart, _store = ran_in(window, qtbot, "lost-updates")
    rows = chart.rows
    assert rows.labels[rows.object_base] == "total (value)"
    total = chart.objects.tracks[0]
    text = chart.describe_at(chart.objects.x_end * 0.999, rows.object_base + 0.5)
    assert f"{total.final:,} after {total.updates:,} updates" in text
    if total.lost:
        assert f"{total.lost:,} lost" in text
    # The row is filled up to the value: the foreground's tint is painted there.
    assert len(row_colors(chart, rows.object_base)) > 1


def test_an_event_lane_fills_when_it_is_set():
    store = run("starting-gun")
    go = tracks_of(store)["go"]
    assert go.kind == EVENT and go.first_level == 0 and go.level == [1]
    assert go.t[0] == next(op.t for op in store.records("shared") if op.verb == "set")


def test_hovering_a_blocked_process_names_what_it_waits_for(window, qtbot):
    # At speed 1 each holder keeps the lock 0.5 s, twice: at 20x (25 ms) the three
    # could start so far apart on a busy machine that none ever waited (CI saw it).
    chart, store = ran_in(window, qtbot, "lock-convoy", speed=1)
    # The longest wait of the run, hovered at its middle.
    _d, lane, t0, t1 = max((t1 - t0, lane, t0, t1) for lane in range(len(store.lanes))
                           for _l, state, _c, t0, t1 in store.spans(lane)
                           if state == State.BLOCKED)
    lock = chart.objects.tracks[0]
    # Its middle, or a moment in it when the lock was held: on a busy machine the lock
    # can lie free a while between one release and the waiter running to take it.
    held = [t for t in (t0, *lock.t) if t0 <= t < t1 and lock.at(t) != FREE]
    assert held, "a process waited for the lock while nobody ever held it"
    middle = (t0 + t1) // 2 if lock.at((t0 + t1) // 2) != FREE else held[0]
    holder = store.lanes[lock.at(middle)].var
    text = chart.describe_at((middle - store.t0) / 1e9, chart.rows.lane_row[lane] + 0.5)
    assert "waiting in acquire() on L for " in text and f": {holder} holds it" in text


def test_a_waiter_for_a_lock_just_released_is_told_it_lies_free():
    # Between one release and the waiter running to take the lock, nobody holds it.
    from mpgui.ui.chart.hover import _blocked_on

    store = TraceStore()
    store.t0 = 0
    ms = 1_000_000
    store.records("shared").extend([
        SharedOp(0, 0, "L", "acquire"), SharedOp(1, 100 * ms, "L", "wait", "acquire"),
        SharedOp(0, 200 * ms, "L", "release"), SharedOp(1, 300 * ms, "L", "acquire")])
    text = _blocked_on(store, 1, 0.25, ObjectTracks().sync(store))
    assert text == ("\nwaiting in acquire() on L for 0.150 s: nobody holds it, released "
                    "0.050 s ago — this process has yet to run and take it")


def test_a_wait_with_a_timeout_says_when_it_gives_up():
    from mpgui.ui.chart.hover import _blocked_on

    store = TraceStore()
    store.t0 = 0
    ms = 1_000_000
    store.records("shared").extend([
        SharedOp(0, 0, "Q", "put", "1"), SharedOp(0, 10 * ms, "Q", "get", "1"),
        SharedOp(0, 100 * ms, "Q", "wait", "get", 500), SharedOp(0, 600 * ms, "Q", "gaveup",
                                                                 "get")])
    text = _blocked_on(store, 0, 0.3, ObjectTracks().sync(store))
    assert text.startswith("\nwaiting in get(timeout=0.5) on Q for 0.200 s: ")
    assert text.endswith(" — it gives up after 0.5 s")


def test_a_barrier_lane_counts_who_waits_at_it():
    store = run("barrier-phases")
    phase = tracks_of(store)["phase"]
    assert phase.kind == BARRIER and phase.peak == 3 and phase.final == 0
    assert min(phase.level) >= 0


def test_object_lanes_come_in_the_tables_order_whoever_used_one_first():
    scenario = load_builtin("deadlock")  # B may take L2 before A takes L1
    with Runner(replace(scenario, objects=scenario.objects[::-1]), speed=1.0,
                start_method="forkserver") as runner:
        until_a_deadlock(runner)
        runner.stop()
    store = runner.store
    assert [t.name for t in ObjectTracks().sync(store)] == ["L2", "L1"]  # the table's
    del store.info["objects"]  # a store that does not say: the order first met in
    first = list(dict.fromkeys(op.obj for op in store.records("shared")))
    assert [t.name for t in ObjectTracks().sync(store)] == first


def test_a_queue_of_many_items_draws_a_line_per_few_pixels_not_per_item(window, qtbot):
    from benchmarks.window import _queue_store

    store = _queue_store(20_000)
    chart = window.chart
    chart.set_store(store)
    chart.refresh(store.t_end, running=False)
    chart.viewport().repaint()
    items = [s for s in chart.marks.layout.segments if s.kind == "item"]
    width = chart.plot.getViewBox().width()
    assert 0 < len(items) <= width / 3 + 1  # (MIN_GAP_PX apart)
    queue = chart.objects.tracks[0]
    assert queue.kind == QUEUE and queue.peak >= 1 and queue.final == 0


def test_a_crowded_queues_lines_stay_put_when_the_view_pans():
    # Where items crowd, the first got in each MIN_GAP_PX column of time is drawn; the
    # columns are fixed in time, so a pan draws the same items where the views meet.
    # The link's arrays grow after a frame has searched them (no view of them is kept).
    from mpgui.runtime.store.item_links import Link
    from mpgui.ui.chart.shared_marks import MIN_GAP_PX, _shown

    link = Link()
    for k in range(100_000):
        link.add(k * 1000 + 500, k * 1000)
    per_ns = 1 / 10_000  # 10 us a pixel: ten items a pixel
    puts, gets = _shown(link, 0, 50_000_000, per_ns)
    assert len(gets) == pytest.approx(5000 / MIN_GAP_PX, abs=2)
    assert all(b - a >= MIN_GAP_PX / per_ns - 1000 for a, b in pairwise(gets))
    assert puts == [t - 500 for t in gets]
    _, panned = _shown(link, 3_333_333, 53_333_333, per_ns)
    both = [t for t in gets if t >= 3_400_000]  # (past the column the pan cut)
    assert [t for t in panned if t >= 3_400_000][:len(both)] == both
    link.add(100_000 * 1000 + 500, 100_000 * 1000)  # (would raise if a view were kept)
    link.add(5, 0)  # (a late one: inserted)
    assert _shown(link, 0, 10_000, 1.0) == ([0, 0, 1000, 2000, 3000, 4000, 5000, 6000,
                                               7000, 8000, 9000],
                                              [5, 500, 1500, 2500, 3500, 4500, 5500,
                                               6500, 7500, 8500, 9500])


def test_the_lanes_arrays_follow_a_track_that_grows_in_any_order(qtbot):
    # The chart converts only what changed since its last frame; whatever order the
    # records come in, its arrays are those of the whole track converted at once.
    from mpgui.ui.chart.objects_item import ObjectsItem
    from mpgui.ui.theme import LIGHT

    store = run("lock-convoy")
    ops = store.records("shared")
    rng = random.Random(3)
    shuffled, tracks, item = TraceStore(), ObjectTracks(), ObjectsItem(LIGHT)
    shuffled.t0 = item.t0 = store.t0
    pending = {}
    for op in ops:
        pending.setdefault(op.lane, []).append(op)
    while any(pending.values()):
        lane = rng.choice([k for k, v in pending.items() if v])
        shuffled.records("shared").extend(pending[lane][:2])
        del pending[lane][:2]
        for track in tracks.sync(shuffled):
            t, levels = item._arrays_of(track)
            assert t.tolist() == [(x - store.t0) / 1e9 for x in track.t]
            assert levels.tolist() == [track.first_level, *track.level]


def test_a_bounded_queues_lane_never_goes_over_its_size():
    # The producer waits on the full queue; it is let in while the consumer's get() is
    # still going on: that get is drawn from its start, so the lane stays at 2, not 3.
    store = run("bounded-queue", speed=4.0)
    q = tracks_of(store)["Q"]
    assert q.peak == 2 and q.final == 0
    producer = next(ln.index for ln in store.lanes if ln.var == "P")
    assert any(op.verb == "wait" and op.item == "put" and op.lane == producer
               for op in store.records("shared"))


def test_a_value_whose_first_record_is_a_wait_for_its_lock_is_still_a_value():
    # On a busy machine the first record of a locked counter's value can be another
    # process's wait in acquire() of its lock (sent at once), before any update.
    store = TraceStore()
    store.t0 = 0
    store.records("shared").extend([
        SharedOp(1, 5, "total", "wait", "acquire"),
        SharedOp(0, 10, "total", "rw", t_read=8, value=0),
        SharedOp(1, 20, "total", "rw", t_read=18, value=1)])
    total = ObjectTracks().sync(store)[0]
    assert total.kind == VALUE and total.final == 2 and total.updates == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 50), st.booleans()),
                min_size=1, max_size=60), st.randoms(use_true_random=False))
def test_a_queues_depth_is_the_running_count_of_its_puts_and_gets_in_any_batches(
        ops_drawn, rng):
    # Puts and gets of two queues by three lanes, each lane's records in its own time
    # order, arriving in batches of any size in any order of lanes: the depth is always
    # the running count of every put and get so far, in time order, and its peak the
    # highest of those — also when a late batch lowers what an earlier one raised.
    # (Not real items: a get may come before any put, to reach every order.)
    per_lane: dict[int, list[SharedOp]] = {}
    for k, (lane, t, put) in enumerate(ops_drawn):
        per_lane.setdefault(lane, []).append(
            SharedOp(lane, t * 1000 + k, "QR"[k % 2], "put" if put else "get", str(k)))
    for ops in per_lane.values():
        ops.sort(key=lambda op: op.t)
    store, tracks = TraceStore(), ObjectTracks()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(object_tracks, "_BLOCK", 4)  # the peak's blocks: several here
        for batch in in_batches(per_lane, rng, 4):
            store.records("shared").extend(batch)
            tracks.sync(store)
    for track in tracks.sync(store):
        changes = sorted((op.t, 1 if op.verb == "put" else -1)
                         for ops in per_lane.values() for op in ops if op.obj == track.name)
        levels = list(accumulate(add for _t, add in changes))
        assert track.kind == QUEUE
        assert track.t == [t for t, _add in changes] and track.level == levels
        assert track.peak == max(0, *levels) and track.final == levels[-1]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 50),
                          st.sampled_from(["store", "delete", "clear"]), st.sampled_from("abc")),
                min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_a_dicts_keys_are_counted_in_time_order_whatever_order_the_batches_come_in(
        ops_drawn, rng):
    # Three lanes store keys in a Manager dict, delete them and clear it, each lane's
    # records in its own time order, the batches arriving in any order: the lane's level
    # is at every change the number of keys in the dict had the records been read in
    # time order (a key stored again adds nothing, a deletion of one not there takes
    # nothing).
    per_lane: dict[int, list[SharedOp]] = {}
    for k, (lane, t, verb, key) in enumerate(ops_drawn):
        per_lane.setdefault(lane, []).append(
            SharedOp(lane, t * 1000 + k, "d", verb if verb != "clear" else "delete",
                     None if verb == "clear" else key))
    for ops in per_lane.values():
        ops.sort(key=lambda op: op.t)
    store, tracks = TraceStore(), ObjectTracks()
    for batch in in_batches(per_lane, rng, 3):
        store.records("shared").extend(batch)
        tracks.sync(store)
    keys: set[str] = set()
    counted = {}
    for op in sorted((op for ops in per_lane.values() for op in ops), key=lambda op: op.t):
        if op.verb == "store":
            keys.add(op.item)
        elif op.item is None:
            keys.clear()
        else:
            keys.discard(op.item)
        counted[op.t] = len(keys)
    [track] = tracks.sync(store) or [None]
    if track is None:  # (no key was ever stored: nothing to draw)
        assert not any(counted.values())
        return
    assert track.kind == "dict"
    for t in track.t:  # (several changes at one time: the level after the last)
        assert track.at(t) == counted[t]
    assert track.final == counted[max(counted)]
    assert track.peak == max(counted.values())


def test_items_between_lanes_out_of_view_cost_a_frame_nothing(window, qtbot):
    # The put -> get lines are looked for only between the lanes shown, and a layout
    # that measures the labels' room (a plot with no right edge) thins them as well.
    from benchmarks.window import _queue_store
    from mpgui.ui.chart.marks_item import layout_for_view
    from mpgui.ui.chart.shared_marks import SHARED_MARKS

    store = _queue_store(200_000)
    chart = window.chart
    chart.set_store(store)
    chart.refresh(store.t_end, running=False)
    view, width = chart.vb.viewRect(), chart.vb.width()
    unbounded = layout_for_view(chart.marks, view, width, chart.vb.height(), unbounded=True)
    items = [s for s in unbounded.segments if s.kind == "item"]
    assert 0 < len(items) <= width / 3 + 1
    records = store.records("shared")
    assert SHARED_MARKS.count(records, store.t_end) == 200_000
    assert SHARED_MARKS.count(records, 1_000 * 1_000) == sum(  # the gets by 1 ms
        op.verb == "get" and op.t <= 1_000_000 for op in records)
    below = QRectF(view.left(), view.top() + 50, view.width(), view.height())  # scrolled away
    hidden = layout_for_view(chart.marks, below, width, chart.vb.height())
    assert not [s for s in hidden.segments if s.kind == "item"]


@pytest.mark.parametrize("name", ["seed", "lost-updates", "lock-convoy", "producer-consumer",
                                  "deadlock"])
def test_a_live_frame_repaints_the_objects_lanes_only_where_they_changed(window, qtbot,
                                                                       name):
    """The shared objects' lanes are drawn by an item as wide as the view and uncached:
    a repaint of all of it repaints the whole chart under it. A live frame asks for the
    strip that changed in the lanes that changed only (with no shared object, for
    nothing) — and what reaches the screen, frame after frame, is what painting the
    whole view afresh draws: the levels, a lock's holders, the lost updates' ticks and
    dashed line, a deadlock's arrows."""
    chart = window.chart
    window.files.open_builtin(name)
    # (Long enough for several frames on a busy machine: the seed lasts 12.5 s at
    # speed 1, the others 1-3 s; at speed 1 a deadlock's B meets A holding L1.)
    window.speed.setValue(4 if name == "seed" else 1)
    objects = chart.objects
    whole: list[int] = []  # per set_data: how many repaints of the whole item it asked
    set_data, update = objects.set_data, objects.update

    def counting_set_data(*args):  # type: ignore[no-untyped-def]
        asked: list[tuple] = []

        def spy(*rect):  # type: ignore[no-untyped-def]
            asked.append(rect)
            return update(*rect)

        objects.update = spy
        try:
            return set_data(*args)
        finally:
            objects.update = update
            whole.append(sum(not rect for rect in asked))

    objects.set_data = counting_set_data
    mismatches: list[str] = []
    compared: list[int] = []
    with_cycle: list[int] = []  # frames compared with a deadlock's cycle drawn

    def check() -> None:
        if objects.deadlock is not None:
            with_cycle.append(1)
        elif not window.controller.running or len(compared) >= 15:
            return
        for _ in range(3):  # the frame reaches the screen (its paint is posted)
            QApplication.processEvents()
        vp = chart.viewport()
        at = vp.mapTo(window, vp.rect().topLeft())
        screen = pixels(window.screen().grabWindow(window.winId(), at.x(), at.y(),
                                                     vp.width(), vp.height()).toImage())
        fresh = pixels(vp.grab().toImage())  # every uncached item painted whole
        compared.append(1)
        differ = (screen != fresh).any(-1)
        if differ.any():
            ys, xs = np.nonzero(differ)
            mismatches.append(f"frame {len(compared)}: {len(ys)} pixels, x {xs.min()}.."
                              f"{xs.max()}, y {ys.min()}..{ys.max()}")

    def done() -> bool:
        return not window.controller.running or len(with_cycle) >= 3

    window.controller.frame.connect(check)
    window.run()
    qtbot.waitUntil(done, timeout=30_000)
    window.controller.frame.disconnect(check)
    if window.controller.running:  # a deadlock: Stop ends it
        window.acts["stop"].trigger()
        qtbot.waitUntil(lambda: window.view.live is None, timeout=20_000)
    assert len(compared) >= 3
    assert mismatches == []
    # Whole only when the lanes themselves change (the first objects used, a colour).
    assert sum(whole[3:]) <= 3, whole
    if name == "seed":
        assert sum(whole) <= 1 and objects.tracks == []



def test_a_strip_of_the_value_lane_is_painted_as_the_whole_view_paints_it(window, qtbot):
    """A live frame repaints a strip of a lane, from a few columns before it: the
    value's dashed line (what it would be without lost updates) must have its dashes
    where a paint of the whole view puts them — Qt begins a dashed line's pattern at
    its first point, wherever that is (seen in CI: a late batch's strip, 192 columns
    of the line, dashed differently)."""
    chart, _store = ran_in(window, qtbot, "lost-updates")
    objects = chart.objects
    assert objects.tracks[0].updates
    vp = chart.viewport()
    plot = chart.vb.mapViewToDevice(chart.vb.viewRect()).boundingRect()
    for line in (1.0, 2.0):  # (presentation mode draws 2-pixel lines)
        objects.set_style(objects.theme, line)
        whole = pixels(vp.grab().toImage())
        differ = []
        for left in range(int(plot.left()) + 5, int(plot.right()) - 30, 7):
            part = pixels(vp.grab(QRect(left, 0, 30, vp.height())).toImage())
            if (part != whole[:, left:left + 30]).any():
                differ.append(left)
        assert differ == [], f"lines {line} px wide: the strips at x = {differ} differ"
