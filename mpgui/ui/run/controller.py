"""The thin QObject between the window and the run on (a Runner or a ScriptRunner:
a `run.LiveRun`).

A QTimer calls ``Runner.poll()`` with a time budget, so a flood of events can never
freeze the window; redraws are coalesced to at most one per frame. Frames are paced by
their cost, too: the next one comes no sooner than twice the time frames take (the
median of the last few: one slow frame — a run's first, which lays out its lanes, or one
the system held up — holds the next ones back no more than usual), so drawing never takes
more than half of the GUI thread (BEHIND_COST_FACTOR times, while polls run out of time
with reports unread: reading catches up first). The timer's
slot is guarded: one bad event is reported and the run goes on, instead of the timer
dying.
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from mpgui.model.backend import get_backend
from mpgui.model.scenario import Scenario
from mpgui.runtime.session.run import LiveRun, Status

if TYPE_CHECKING:
    from mpgui.runtime.parent.runner import Runner

POLL_MS = 5  # how often the Runner is polled while a run is on
POLL_NS = POLL_MS * 1_000_000
POLL_BUDGET_S = 0.004  # the most one poll may spend reading pipes
FRAME_POLL_BUDGET_S = 0.0  # ... in a tick that redraws: one batch per child, no more
                           # (the ticks in between read), so the two never stack up
FRAME_NS = 16_000_000  # at most one redraw per 16 ms (60 Hz)
# While the window is behind its processes (a poll since the last frame ran out of
# time with reports unread), a frame comes no sooner than this many times what the last
# one cost: reading gets most of the thread until it has caught up. (At twice, 256
# children at 100,000 events a second left their reports 10-20 s in the pipes, and each
# frame, redrawing from the oldest change it took in, cost more: less time to read.)
# (Held at 2 for a day: at 4, frames further apart showed that a mark's repaint never
# reached the screen outside other items' strips — `CachedItem.repaint_all`, fixed.)
BEHIND_COST_FACTOR = 4
# Frames are paced by the median cost of this many recent ones.
PACE_FRAMES = 3
# New printed lines are shown at least this often: the chart's frames come every 20 ms
# (the first poll 16 ms on), and a line would wait up to that long to be seen.
TEXT_NS = 10_000_000


class RunController(QObject):
    """Owns the current Runner and drives it from the Qt event loop."""

    started = Signal()
    frame = Signal()  # time to redraw (at most once per FRAME_NS, and once at the end)
    # Between frames: time to show new printed lines (cheap). Its handler paints them at
    # once: the tick goes on with other work (`polled`).
    text_frame = Signal()
    # A tick that does not redraw has read the run's pipes (True: the next tick will
    # probably redraw).
    polled = Signal(bool)
    finished = Signal()  # the run ended (finished or stopped)
    error = Signal(str)  # something went wrong in the poll loop; the run goes on

    # What start() makes: the Runner, imported at the first run (not needed to show the
    # window: it is most of the run side's import time); benchmarks substitute theirs.
    runner_class: type[Runner] | None = None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner: LiveRun | None = None  # the run on, or the last one
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._tick)
        self._last_frame = 0
        # ns the recent frames' handlers took (see PACE_FRAMES)
        self._frame_costs: deque[int] = deque(maxlen=PACE_FRAMES)
        self._last_text = 0
        self._polled_cost = 0  # ns the last `polled` handlers took
        # A poll since the last frame ran out of time with reports unread. (Not just the
        # last poll: while children block on full pipes, one poll that empties them
        # comes between ones that cannot.)
        self._behind = False
        # ns the window's last repaint took; painting follows the frame's handlers in
        # the event loop, so the window says what it cost.
        self.paint_cost: Callable[[], int] = lambda: 0
        self.tick_ns: list[int] = []  # durations of recent ticks (for the benchmark)
        # The collector's thresholds while a run holds off full collections, else None.
        self._thresholds: tuple[int, int, int] | None = None

    @property
    def running(self) -> bool:
        """A run is on (including while it is being stopped)."""
        return self.runner is not None and not self.runner.done

    @property
    def stopping(self) -> bool:
        """The run is being stopped (Stop was pressed, its processes are ending)."""
        return self.runner is not None and self.runner.status is Status.STOPPING

    def start(self, scenario: Scenario, *, speed: float, start_method: str,
              name: str = "", scheduler: str = "") -> LiveRun:
        """Start a new run (the previous one must be over) of the scenario called `name`
        (its tracebacks name that script: `crash` -> crash.py), on the Dask `scheduler`
        if it runs as Dask tasks. Raises ScenarioError."""
        if self.running:
            raise RuntimeError("a run is already going on")
        make = self.runner_class
        if make is None:
            from mpgui.runtime.parent.runner import Runner as make
        extra = {}
        if get_backend(scenario.backend).takes_scheduler:
            # A window keeps its cluster between runs (warm: the next run starts at
            # once), and closes it when it closes (`shutdown`).
            from mpgui.runtime.parent.dask_backend import keep_warm

            keep_warm(True)
            extra["scheduler"] = scheduler
        return self._begin(make(scenario, speed=speed, start_method=start_method, name=name,
                                **extra))

    def start_script(self, script: Path) -> LiveRun:
        """Run the user's `script` in its folder, traced (the previous run must be
        over). Its own output is not shown twice: the console shows the traced lines."""
        if self.running:
            raise RuntimeError("a run is already going on")
        # Imported when first used: the tracer is not needed to start the window.
        from mpgui.runtime.script.runner import ScriptRunner

        return self._begin(ScriptRunner(script, cwd=script.parent, output=subprocess.DEVNULL,
                                        errors=subprocess.DEVNULL))

    def _begin(self, runner: LiveRun) -> LiveRun:
        self.runner = runner
        self.tick_ns.clear()
        self._behind = False
        runner.start()
        self._hold_full_collections()
        self._timer.start(0 if runner.steps_pending else POLL_MS)
        self.started.emit()
        self._emit_frame()
        # The run's first frame lays out its lanes, once: what later frames cost is
        # learnt from them. (Counted, it kept the next frames 0.7 s away.)
        self._frame_costs.clear()
        return runner

    def stop(self) -> None:
        """Stop the run without blocking: the children get SIGTERM now, SIGKILL after
        the grace period, and `finished` follows once all are gone."""
        if self.runner is not None and self.running:
            self.runner.request_stop()

    def shutdown(self) -> None:
        """Stop and wait (the window is closing): no child may outlive it."""
        self._timer.stop()
        if self.runner is not None:
            self.runner.stop()
        self._release_full_collections()
        dask = sys.modules.get("mpgui.runtime.parent.dask_backend")
        if dask is not None:  # its warm cluster: nothing of ours outlives the window
            dask.close_clusters()

    def _tick(self) -> None:
        t0 = time.perf_counter_ns()
        runner = self.runner
        if runner is None:
            self._timer.stop()
            return
        frame_due = self._frame_due_at(t0)
        # A frame's tick and Qt's paint after it are not to share the interpreter with
        # the run's work in the background; the next tick comes after that paint.
        runner.drawing(frame_due)
        # Printed lines need not wait for the chart's (cost-paced) frames.
        text_due = t0 - self._last_text >= TEXT_NS
        try:
            runner.poll(FRAME_POLL_BUDGET_S if frame_due else POLL_BUDGET_S)
        except Exception:  # keep the window alive; say what happened
            self.error.emit(traceback.format_exc(limit=3))
        if not frame_due:  # (a frame's poll has no time to spend: it proves nothing)
            self._behind |= runner.behind
        if runner.done:
            self._timer.stop()
            self._emit_frame()
            self._release_full_collections()
            self.finished.emit()
        else:
            if frame_due:
                self._emit_frame()
            else:
                if text_due:  # first: the rest of the tick would keep them waiting
                    self._last_text = t0
                    self._guarded(self.text_frame.emit)
                # What was read is taken in now, so that the frame has less to do: its
                # tick is the longest the window is busy in one go. Before a frame, what
                # its paint would compute is computed now too. The next tick comes
                # POLL_NS after this one began, or when this one ends if that is later
                # (a busy window: 100,000 events a second keep each poll ~5 ms busy).
                now = time.perf_counter_ns()
                frame_next = self._frame_due_at(max(t0 + POLL_NS, now + self._polled_cost))
                self._guarded(lambda: self.polled.emit(frame_next))
                self._polled_cost = time.perf_counter_ns() - now
            # Main-program steps left over (a long series of start()s): go on at once.
            # Set only when it changes: setInterval restarts the timer, which would put
            # POLL_MS after the end of every tick — after a redraw, 5 ms more before the
            # pipes are read again (polls came every 9 ms, not 5, and a printed line
            # waited that much longer to be shown).
            interval = 0 if runner.steps_pending else POLL_MS
            if self._timer.interval() != interval:
                self._timer.setInterval(interval)
        self.tick_ns.append(time.perf_counter_ns() - t0)
        del self.tick_ns[:-10_000]

    def text_owed(self) -> None:
        """The frame just drawn left the printed lines: show them at the next tick."""
        self._last_text = 0

    def _frame_due_at(self, t_ns: int) -> bool:
        """Whether a frame is due at `t_ns`: every FRAME_NS, or less often when frames
        cost more than half of that (the window must keep time to read the pipes), or
        BEHIND_COST_FACTOR times their cost while it is behind them."""
        factor = BEHIND_COST_FACTOR if self._behind else 2
        cost = statistics.median(self._frame_costs) if self._frame_costs else 0
        every = max(FRAME_NS, factor * (cost + self.paint_cost()))
        return t_ns - self._last_frame >= every

    def _hold_full_collections(self) -> None:
        """No full collection while the run is live. A run keeps what it records as
        objects (a traced queue: two per item), and each full collection walks all of
        them in one frame: a traced queue of 300,000 items made eight, of 40 to 120 ms,
        each a frozen frame. The young generations are still collected, so short-lived
        cycles are freed as ever; a long-lived one waits for the run's end."""
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            gc.set_threshold(self._thresholds[0], self._thresholds[1], 1 << 30)

    def _release_full_collections(self) -> None:
        """The run is over: full collections as before."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def _emit_frame(self) -> None:
        self._last_frame = self._last_text = time.perf_counter_ns()
        self._guarded(self.frame.emit)
        self._frame_costs.append(time.perf_counter_ns() - self._last_frame)
        self._behind = False

    def _guarded(self, emit: Callable[[], object]) -> None:
        """Emit, reporting a failure in a handler instead of losing the timer to it."""
        try:
            emit()
        except Exception:
            self.error.emit(traceback.format_exc(limit=3))
