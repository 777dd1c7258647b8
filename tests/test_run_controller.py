"""The run controller's pacing: how often the children's pipes are read."""

from __future__ import annotations

import gc
import itertools
import statistics
import time

from mpgui.ui.run.controller import POLL_MS, RunController
from tests.helpers import others_took_the_cpus
from tests.scenarios import make, sleeper


def test_a_slow_redraw_does_not_delay_the_next_read_of_the_pipes(qtbot):
    """The poll timer keeps its schedule: after a redraw longer than POLL_MS (a big
    chart, a slow machine) the pipes are read again at once, not POLL_MS after it — a
    printed line would wait that much longer to be shown."""
    controller = RunController()
    redraw_s = 2 * POLL_MS / 1000
    ends: list[float] = []  # when each redraw ended
    polls: list[float] = []  # when each read of the pipes began

    def slow_redraw() -> None:
        t = time.perf_counter()
        while time.perf_counter() - t < redraw_s:
            pass
        ends.append(time.perf_counter())

    controller.frame.connect(slow_redraw)
    runner = controller.start(make(sleeper("A", n=30, interval=0.03)), speed=1.0,
                              start_method="forkserver")
    poll = runner.poll

    def timed_poll(*args):  # type: ignore[no-untyped-def]
        polls.append(time.perf_counter())
        return poll(*args)

    runner.poll = timed_poll  # type: ignore[method-assign]
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        pass
    waits = [next(p for p in polls if p > end) - end
             for end in ends[1:-1]]  # (not Run's own frame, nor the last)
    assert len(waits) >= 10
    if not others_took_the_cpus(runner.store):
        assert statistics.median(waits) < POLL_MS / 1000 / 2, waits


def test_no_full_collection_walks_the_records_while_a_run_is_live(qtbot):
    """A live run holds off the collector's full collections (each would walk every
    record kept so far in one frame); the young generations are collected as ever, and
    the thresholds are back once the run is over — also when it is stopped."""
    before = gc.get_threshold()
    controller = RunController()
    held: list[tuple[int, int, int]] = []
    controller.frame.connect(lambda: held.append(gc.get_threshold()))
    controller.start(make(sleeper("A", n=5, interval=0.01)), speed=1.0,
                     start_method="forkserver")
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        pass
    assert held and all(t[:2] == before[:2] and t[2] > 10**8 for t in held)
    assert gc.get_threshold() == before
    controller.start(make(sleeper("A", n=100, interval=0.1)), speed=1.0,
                     start_method="forkserver")
    assert gc.get_threshold()[2] > 10**8
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.stop()
    assert gc.get_threshold() == before


def test_the_reading_of_other_programs_waits_while_a_frame_is_drawn(qtbot):
    """A frame's tick (and Qt's paint after it) holds the run's reading of the other
    programs' CPU time; the ticks between frames let it go on."""
    controller = RunController()
    during: dict[str, list[bool]] = {"frame": [], "polled": []}

    def held() -> bool:
        sampler = controller.runner.others_sampler  # type: ignore[union-attr]
        return sampler is not None and sampler.held

    controller.frame.connect(lambda: during["frame"].append(held()))
    controller.polled.connect(lambda _next: during["polled"].append(held()))
    controller.start(make(sleeper("A", n=10, interval=0.03)), speed=1.0,
                              start_method="forkserver")
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        pass
    # (Not Run's own frame, before any tick, nor the last, drawn as the run ends.)
    frames, polls = during["frame"][1:-1], during["polled"]
    assert frames and all(frames), during
    assert polls and not any(polls), during


def test_printed_lines_come_first_and_the_poll_before_a_frame_prepares_it(qtbot):
    """A tick that shows printed lines shows them before it takes the new spans in
    (that work would keep them waiting), and the tick just before a frame says so
    (`polled(True)`: the chart computes there what the frame's paint would) — also when
    ticks run long and the next one comes when this one ends, not POLL_MS after it."""
    controller = RunController()
    seen: list[tuple[int, str, bool]] = []  # (tick, what, frame next)

    def busy(what: str, ms: float, frame_next: bool = False) -> None:
        seen.append((len(controller.tick_ns), what, frame_next))
        t = time.perf_counter()
        while time.perf_counter() - t < ms / 1000:  # a busy window's share of work
            pass

    controller.frame.connect(lambda: busy("frame", 3))
    controller.text_frame.connect(lambda: busy("lines", 1))
    controller.polled.connect(lambda frame_next: busy("polled", 4, frame_next))
    runner = controller.start(make(sleeper("A", n=40, interval=0.02)), speed=1.0,
                              start_method="forkserver")
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        pass
    ticks: dict[int, list[str]] = {}
    for tick, what, _next in seen:
        ticks.setdefault(tick, []).append(what)
    assert all(whats.index("lines") < whats.index("polled")
               for whats in ticks.values() if "lines" in whats and "polled" in whats)
    assert any("lines" in whats for whats in ticks.values())
    frames = [tick for tick, what, _next in seen if what == "frame"][1:-1]
    prepared = [tick for tick, what, frame_next in seen if what == "polled" and frame_next]
    assert len(frames) >= 10
    before_a_frame = sum(tick - 1 in prepared for tick in frames)
    if not others_took_the_cpus(runner.store):
        assert before_a_frame >= len(frames) / 2, (before_a_frame, len(frames))


def test_a_frame_that_steps_the_time_axis_leaves_the_printed_lines_to_the_next_tick(
        window, qtbot):
    """A step of the followed time axis repaints the whole chart, the longest frame of
    a run: it does nothing else. The lines printed meanwhile are shown at the very next
    tick, and in the end every line is."""
    from mpgui.ui.run.console import ConsolePane

    events: list[tuple[int, str]] = []  # (tick, what)
    controller = window.controller
    refresh = window.chart.refresh
    console_refresh = ConsolePane.refresh

    def chart_refresh(*args, **kw):  # type: ignore[no-untyped-def]
        stepped = refresh(*args, **kw)
        if stepped:
            events.append((len(controller.tick_ns), "step"))
        return stepped

    def lines(self, *args, **kw):  # type: ignore[no-untyped-def]
        events.append((len(controller.tick_ns), "lines"))
        return console_refresh(self, *args, **kw)

    window.chart.refresh = chart_refresh  # type: ignore[method-assign]
    ConsolePane.refresh = lines  # type: ignore[method-assign]
    try:
        window.files.open_scenario(make(sleeper("A", n=250, interval=0.1)), confirmed=True)
        window.run()
        with qtbot.waitSignal(controller.finished, timeout=60_000):
            pass
    finally:
        ConsolePane.refresh = console_refresh  # type: ignore[method-assign]
    steps = [tick for tick, what in events if what == "step"]
    shown = {tick for tick, what in events if what == "lines"}
    assert len(steps) >= 2, events  # (a 2.5 s run steps from 1 s to 1.5, 2 and 3 s)
    assert not shown & set(steps)
    assert all(tick + 1 in shown for tick in steps), (steps, sorted(shown))
    store = controller.runner.store
    assert window.console.shown == store.n_lines == 250


def _flooding():  # type: ignore[no-untyped-def]
    """A Runner class whose children flood their pipes with state changes."""
    from mpgui.runtime.parent.runner import Runner
    from tests import misbehaving

    return type("FloodRunner", (Runner,), {"child_target": staticmethod(misbehaving.state_flood)})


def _pipe_bytes(conn) -> int:  # type: ignore[no-untyped-def]
    """Bytes waiting in the pipe `conn` reads (FIONREAD)."""
    import fcntl
    import struct
    import termios

    return struct.unpack("i", fcntl.ioctl(conn.fileno(), termios.FIONREAD, b"\0" * 4))[0]


def test_a_poll_that_runs_out_of_time_with_reports_unread_says_it_is_behind():
    """`behind` is the last poll's word: True when its time ran out with reports still
    in a pipe, False once a poll found every pipe empty. In the end every report is in.
    (The pipe is let fill first: on a busy machine a starved child may never send
    faster than the window reads.)"""
    from tests.helpers import wait_until

    runner = _flooding()(make(sleeper("A")), start_method="forkserver")
    seen: list[bool] = []
    with runner:
        runner.start()
        wait_until(lambda: runner.backend.children[0].conn is not None, 30, "the start")
        conn = runner.backend.children[0].conn
        wait_until(lambda: _pipe_bytes(conn) >= 32_768, 60, "a full pipe")
        runner.poll(0.0005)
        assert runner.behind, "a poll of 0.5 ms read 32 KB of state changes"
        while not runner.done:
            runner.wait(0.05)
            runner.poll(0.05)
            seen.append(runner.behind)
    assert runner.store.events >= 400_000
    assert False in seen  # (at the latest, the poll that read the pipe's end)


def test_while_the_window_is_behind_its_processes_it_draws_less_often(qtbot):
    """Frames are paced by their cost: the next comes no sooner than twice what the
    last took — and four times while the polls between them run out of time with
    reports unread, so that reading catches up first."""
    from mpgui.ui.run.controller import BEHIND_COST_FACTOR

    controller = RunController()
    controller.runner_class = _flooding()
    frame_s = 0.02
    frames: list[tuple[float, bool]] = []  # (when each frame began, behind before it)

    def slow_frame() -> None:
        t = time.perf_counter()
        frames.append((t, controller._behind))
        while time.perf_counter() - t < frame_s:
            pass

    controller.frame.connect(slow_frame)
    # Four children flooding together: more than one reader keeps up with.
    runner = controller.start(make(*(sleeper(var) for var in "ABCD")), speed=1.0,
                              start_method="forkserver")
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        pass
    assert runner.store.events >= 4 * 400_000
    # The gap before each frame whose tick found the window behind (not Run's own frame,
    # nor the last, which the run's end brings at once).
    behind = [b - a for (a, _), (b, was) in itertools.pairwise(frames[1:-1]) if was]
    assert behind, "the window kept up with four floods of state changes"
    # (A frame costs at least frame_s, so the next comes BEHIND_COST_FACTOR times that
    # later at least; a busy machine only stretches it.)
    assert min(behind) >= BEHIND_COST_FACTOR * frame_s * 0.95, behind


def test_one_slow_frame_does_not_hold_the_next_ones_back(qtbot):
    """Frames are paced by what they cost — the median of the last few, so one slow
    frame (one the system held up) does not keep the window from drawing for twice its
    time; and Run's own frame, which lays out the run's lanes, is not counted at all
    (counted, it kept the next frames 0.7 s away)."""
    controller = RunController()
    slow_s = 0.5
    frames: list[tuple[float, float]] = []  # (when each frame began, ended)

    def frame() -> None:
        t = time.perf_counter()
        if len(frames) in (0, 6):  # Run's own frame, and one later
            while time.perf_counter() - t < slow_s:
                pass
        frames.append((t, time.perf_counter()))

    controller.frame.connect(frame)
    runner = controller.start(make(sleeper("A", n=100, interval=0.03)), speed=1.0,
                              start_method="forkserver")
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        pass
    assert len(frames) > 8
    after_run, after_slow = frames[1][0] - frames[0][1], frames[7][0] - frames[6][1]
    if not others_took_the_cpus(runner.store):
        # (Paced by the slow frame, the next came 2-4 times its cost after it began.)
        assert after_run < slow_s / 2, after_run
        assert after_slow < slow_s / 2, after_slow
