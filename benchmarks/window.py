"""Benchmarks of the window (offscreen): the frame budget under a steady event stream,
the send-to-screen latency of printed lines, and repainting a large chart."""

from __future__ import annotations

import os
import statistics
import tempfile
import time

from benchmarks.report import Row
from benchmarks.screen import WINDOW, offscreen_monitor
from benchmarks.targets import CHATTER_LINE_EVERY, CHATTER_RATE, CHATTER_SECONDS, chatter
from mpgui.model.scenario import ProcessSpec, Scenario, Step
from mpgui.runtime.parent.runner import Runner

CHILDREN = 16
WARM_UP_S = 1.0  # leave out the children's start (16 spawns) from the steady state


class ChatterRunner(Runner):
    """The real Runner, starting rate-controlled children instead of workloads."""

    child_target = staticmethod(chatter)


def _window():  # type: ignore[no-untyped-def]
    """An offscreen main window, 1600 x 900 on a 1920 x 1080 screen, with its settings
    in a temporary folder."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        os.environ["QT_QPA_PLATFORM"] = offscreen_monitor()
    from PySide6.QtCore import QSettings, Qt

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="mpgui-bench-"))
    from mpgui.ui.app import make_app
    from mpgui.ui.main_window import MainWindow

    app = make_app()
    w = MainWindow(speed=1)
    w.setWindowState(w.windowState() & ~Qt.WindowState.WindowMaximized)
    w.resize(*WINDOW)
    w.show()
    app.processEvents()
    assert w.size().toTuple() == WINDOW, f"the window is {w.size().toTuple()}, not {WINDOW}"
    return app, w


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _live_ticks(children: int, rate: int, line_every: float, seconds: float,
                warm_up: float) -> dict:  # type: ignore[type-arg]
    """`children` children each sending `rate` state changes a second and a printed
    line every `line_every` s for `seconds` into the window: its poll-and-redraw ticks
    in the steady state (from `warm_up` s after Run, when all have started, until the
    first stops sending), the chart's frames among them (the ticks that only show new
    printed lines are not: they are cheap, and would thin the frames' tail), and each
    printed line's time from the child's print to the painted window."""
    from PySide6.QtCore import QEventLoop

    app, w = _window()
    procs = [ProcessSpec(f"P{i}", f"chatter {i}", "mixed",
                         {"n": rate, "interval": line_every, "compute": seconds}, "P{i}")
             for i in range(children)]
    # Opened as the window opens a scenario: its prediction is drawn now, before Run,
    # as a user sees it. (Loaded into the document alone, the prediction would come
    # PLAN_DELAY_MS later — inside the run's first frame, whose cost, half a second of
    # simulating 16 floods, then kept the next frames 2 s away: the steady state began
    # with the time axis stepping through four views in a few frames.)
    w.files.open_scenario(Scenario(tuple(procs), tuple(Step("start", p.var) for p in procs)),
                          confirmed=True)
    w.controller.runner_class = ChatterRunner
    # The chart's frames (not the ticks that only show printed lines): (end of the
    # frame's paint, index of its tick).
    frames: list[tuple[int, int]] = []
    latencies: list[tuple[int, float]] = []  # (when painted, ms since printed)
    all_started: list[int] = []  # when every child had been started
    last_shown: list[object] = [None]  # the console's last refresh's lines, once counted

    def paint_now(frame: bool) -> None:
        # The frame reaches the screen: let Qt paint what the frame changed now, as
        # its event loop does right after the tick, so that the tick's measured time
        # includes drawing, not only preparing to draw. (Qt never re-enters the tick's
        # own timer from here.)
        for _ in range(3):  # scene changes -> viewport update -> paint
            app.processEvents()
        done = time.perf_counter_ns()
        shown = w.console.last_shown_t
        if shown is not last_shown[0]:  # (a frame that steps the time axis shows none)
            last_shown[0] = shown
            latencies.extend((done, (done - t) / 1e6) for t in shown)
        if frame:
            frames.append((done, len(w.controller.tick_ns)))  # (not counted yet)
        runner = w.controller.runner
        if not all_started and runner is not None and \
                all(c.started for c in runner.children.values()):
            all_started.append(done)

    w.controller.frame.connect(lambda: paint_now(True))  # after the window's refresh
    # The frame's own tick paints it here (paint_now): what the paint costs is counted
    # in the frame's cost already, as the controller paces frames by (not twice).
    w.controller.paint_cost = lambda: 0
    w.controller.text_frame.connect(lambda: paint_now(False))  # lines between frames
    loop = QEventLoop()
    w.controller.finished.connect(loop.quit)
    w.run()
    t_start = time.perf_counter_ns()
    loop.exec()
    store = w.controller.runner.store
    ticks = w.controller.tick_ns
    # Steady state only: from warm_up after Run (the children's start), and a second
    # after the last child was started, until the first child stops sending (`seconds`
    # after its start, so at least that after Run).
    begin = max(t_start + int(warm_up * 1e9), all_started[0] + 1_000_000_000)
    end = t_start + int(seconds * 1e9)
    assert end > begin, f"the children took {(all_started[0] - t_start) / 1e9:.1f} s to start"
    first = next(k for done, k in frames if done >= begin)
    last = max(k for done, k in frames if done <= end)
    frame_ticks = {k for _done, k in frames if first <= k < last}
    out = {"all": [t / 1e6 for t in ticks[first:last]],
           "frames": [ticks[k] / 1e6 for k in sorted(frame_ticks)],
           "latency": [ms for done, ms in latencies if begin <= done <= end],
           "rate": store.events / seconds, "steady_s": (end - begin) / 1e9,
           "started_s": (all_started[0] - t_start) / 1e9}
    w.close()
    app.processEvents()
    return out


def frame_budget() -> list[Row]:
    """16 children sending 100,000 events/s in total into the window: the 99th
    percentile of a poll-and-redraw tick, and how long a printed line takes from the
    child's print to the painted window."""
    got = _live_ticks(CHILDREN, CHATTER_RATE, CHATTER_LINE_EVERY, CHATTER_SECONDS,
                      WARM_UP_S)
    frame_ms, latencies = got["frames"], got["latency"]
    p99_all, p99_frames = _percentile(got["all"], 0.99), _percentile(frame_ms, 0.99)
    p95_latency = _percentile(latencies, 0.95)
    load = f"{CHILDREN} children, {got['rate'] / 1e3:,.0f} k events/s"
    return [
        Row(f"frame budget: poll-and-redraw tick, 99th percentile ({load})",
            f"{p99_frames:.1f} ms (frames) / {p99_all:.1f} ms (all ticks)",
            f"median frame {statistics.median(frame_ms):.1f} ms, "
            f"{len(frame_ms) / got['steady_s']:.0f} frames/s", None, "< 10 ms",
            p99_frames < 10),
        Row(f"latency: a printed line from the child's print to the painted window "
            f"(95th percentile of {len(latencies):,})", f"{p95_latency:.1f} ms",
            f"median {statistics.median(latencies):.1f} ms", None, "< 30 ms",
            p95_latency < 30),
    ]


MANY = 256  # processes started by one scenario, drawn live
# How long each of them reports. Starting 256 spawned processes took 6 s on a quiet
# machine and up to 30 s on a busy one, and the steady state begins once all have.
MANY_SECONDS = 40.0


def many_lanes() -> list[Row]:
    """256 processes started by one scenario, drawn live: the same tick, at the same
    100,000 events/s in total (390 a second each, a line every 0.1 s each), once all
    have started; and how late the window shows what they print."""
    got = _live_ticks(MANY, 100_000 // MANY, 0.1, MANY_SECONDS, 1.0)
    frame_ms = got["frames"]
    p99 = _percentile(frame_ms, 0.99)
    load = f"{MANY} children (all started {got['started_s']:.1f} s after Run), " \
        f"{got['rate'] / 1e3:,.0f} k events/s"
    # How far behind its children the window is: a printed line's time from the
    # child's print to the painted window (the reports before it wait in the same pipe).
    late = _percentile(got["latency"], 0.95) / 1000 if got["latency"] else float("nan")
    return [Row(f"frame budget: poll-and-redraw tick, 99th percentile ({load})",
                f"{p99:.1f} ms (frames) / {_percentile(got['all'], 0.99):.1f} ms (all "
                "ticks)", f"median frame {statistics.median(frame_ms):.1f} ms, "
                f"{len(frame_ms) / got['steady_s']:.0f} frames/s; printed lines shown "
                f"{late:.2f} s after their print (95th percentile)", None, "< 10 ms",
                p99 < 10)]


def _synthetic_store(lanes: int, spans: int):  # type: ignore[no-untyped-def]
    """A finished run with `spans` spans spread over `lanes` process lanes: each lane
    goes running, preempted, sleeping, running, ..., 0.1 ms a span, on cores 0 and 1
    in turn. Built as whole columns (ten million `set_state` calls would take a minute);
    the same spans `set_state` would record."""
    from array import array

    import numpy as np

    from mpgui.runtime.protocol import State
    from mpgui.runtime.store.trace import COLUMNS, OPEN, TraceStore

    store = TraceStore()
    main = store.add_lane("main", "main program", "main")
    ids = [store.add_lane(f"P{i}", f"p{i}", "process") for i in range(lanes)]
    store.begin(0, main)
    per = spans // lanes
    j = np.arange(per, dtype=np.int64)
    t0 = j[None, :] * 100_000 + np.arange(lanes, dtype=np.int64)[:, None]
    t1 = np.empty_like(t0)
    t1[:, :-1] = t0[:, 1:]
    t1[:, -1] = OPEN  # each lane's last span stays open until finish()
    states = np.array([State.RUNNING, State.PREEMPTED, State.SLEEPING, State.RUNNING])
    new = {"span_lane": np.repeat(np.array(ids), per), "span_state": np.tile(states[j % 4], lanes),
           "span_core": np.tile(j % 2, lanes), "span_t0": t0.ravel(), "span_t1": t1.ravel()}
    first = len(store.span_t0)
    columns = {}
    for name, values in new.items():
        column = array(COLUMNS[name], getattr(store, name))
        column.frombytes(values.astype(np.dtype(COLUMNS[name])).tobytes())
        columns[name] = column
    store.restore_columns(columns)
    for k, lane in enumerate(ids):
        ln = store.lanes[lane]
        ln.open_span = first + (k + 1) * per - 1
        ln.state, ln.core = int(states[(per - 1) % 4]), (per - 1) % 2
        ln.cores.update({0, 1})
        ln.preemptions = (per + 2) // 4
    store.finish(per * 100_000 + lanes)
    return store


def _pan_zoom_times(store, frames: int) -> list[float]:  # type: ignore[no-untyped-def]
    """ms of each repaint of the chart of (finished) `store` after a pan or a zoom,
    alternately, `frames` times — the first full paint of it not counted."""
    from PySide6.QtCore import QPointF

    app, w = _window()
    chart = w.chart
    chart.set_store(store)
    chart.refresh(store.t_end, running=False)
    chart.viewport().repaint()
    chart.following = False
    span = (store.t_end - store.t0) / 1e9
    times = []
    vb = chart.vb
    for k in range(frames):
        if k % 2:
            vb.scaleBy((0.7 if k % 4 == 1 else 1 / 0.7, 1), center=QPointF(span / 2, 0))
        else:
            vb.translateBy(x=span * 0.03 * (1 if k % 4 == 0 else -1))
        t = time.perf_counter_ns()
        chart.viewport().repaint()
        times.append((time.perf_counter_ns() - t) / 1e6)
    w.close()
    app.processEvents()
    return times


def pan_zoom(lanes: int = 64, frames: int = 60) -> list[Row]:
    """Repaint time of the chart after a pan or a zoom, with `lanes` lanes of 100,000,
    1,000,000 and 10,000,000 spans in all (the last within twice the frame budget)."""
    rows = []
    for spans, limit in ((100_000, 16), (1_000_000, 16), (10_000_000, 33)):
        times = _pan_zoom_times(_synthetic_store(lanes, spans), frames)
        p95 = _percentile(times, 0.95)
        rows.append(Row(f"scale: chart repaint after pan/zoom, {lanes} lanes x {spans:,} "
                        f"spans (95th percentile of {frames})", f"{p95:.1f} ms",
                        f"median {statistics.median(times):.1f} ms", None, f"< {limit} ms",
                        p95 < limit))
    return rows


def _queue_store(items: int):  # type: ignore[no-untyped-def]
    """A finished run in which a producer put `items` items on a queue and a consumer
    got each a moment later."""
    from mpgui.runtime.protocol import State
    from mpgui.runtime.store.shared_events import SharedOp
    from mpgui.runtime.store.trace import TraceStore

    store = TraceStore()
    main = store.add_lane("main", "main program", "main")
    producer = store.add_lane("P", "producer", "process")
    consumer = store.add_lane("C", "consumer", "process")
    store.begin(0, main)
    records = store.records("shared")
    for k in range(items):
        records.append(SharedOp(producer, k * 1000, "Q", "put", str(k)))
        records.append(SharedOp(consumer, k * 1000 + 500 + (k % 7) * 300, "Q", "get", str(k)))
    for lane in (producer, consumer):
        store.set_state(lane, 0, State.RUNNING, 0)
    store.finish(items * 1000 + 5000)
    return store


def queue_pan_zoom(items: int = 1_000_000, frames: int = 60) -> Row:
    """Repaint time after a pan or a zoom of a run whose queue carried `items` items:
    the queue's lane and the put → get lines."""
    times = _pan_zoom_times(_queue_store(items), frames)
    p95 = _percentile(times, 0.95)
    return Row(f"scale: chart repaint after pan/zoom, a queue of {items:,} items "
               f"(95th percentile of {frames})", f"{p95:.1f} ms",
               f"median {statistics.median(times):.1f} ms", None, "< 16 ms", p95 < 16)
