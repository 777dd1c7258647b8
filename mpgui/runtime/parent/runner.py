"""The Runner: starts real child processes and plays the parent's main program.

Nothing here blocks. ``poll()`` drains the children's pipes within a time budget, reaps
the ones that ended, and advances the main program: ``X.join()`` is a state that
completes once X has exited and its pipe is drained, ``time.sleep(s)`` a deadline. A GUI
calls ``poll()`` from a timer; a terminal program alternates ``wait()`` and ``poll()``.

At the end of the main program the Runner does what multiprocessing does when a script
ends: terminate the daemonic children, then join every child. What the steps mean is
`mpgui.model.main_program`'s, the one interpreter the prediction uses too; the Runner
gives it real effects (`_RealEffects`).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from mpgui.i18n import _
from mpgui.model.backend import get_backend
from mpgui.model.codegen import function_lines, function_name, generate_code, script_file_name
from mpgui.model.instances import flat_program, instances
from mpgui.model.main_program import MainProgram
from mpgui.model.scenario import About, ProcessSpec, Scenario
from mpgui.model.validation import errors
from mpgui.runtime.child.entry import child_main
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.cpu import load as load_core_reader
from mpgui.runtime.parent.backends import backend_class
from mpgui.runtime.parent.children import Child
from mpgui.runtime.parent.options import (
    DEFAULT_START_METHOD,
    MAX_SPEED,
    MIN_SPEED,
    ScenarioError,
    start_methods,
)
from mpgui.runtime.parent.others import OthersSampler
from mpgui.runtime.parent.run_loop import STOP_GRACE_S, RunLoop
from mpgui.runtime.parent.watch import Watch
from mpgui.runtime.protocol import State
from mpgui.runtime.session.record import RunRecord, prediction
from mpgui.runtime.session.run import Status, how_it_ran
from mpgui.runtime.store.deadlock import DeadlockWatch
from mpgui.runtime.store.joins import Join
from mpgui.runtime.store.object_tracks import OBJECTS_INFO
from mpgui.runtime.store.trace import TraceStore

# The most one poll() spends executing main-program steps. start() with spawn costs the
# parent ~9 ms per child; 64 of them at once would freeze a window for half a second.
STEPS_BUDGET_NS = 8_000_000
_now = time.perf_counter_ns


def scale(seconds: float, speed: float) -> float:
    """A duration at `speed` (speed 10 = ten times faster)."""
    return seconds / speed


def child_params(spec: ProcessSpec, speed: float) -> dict[str, int | float]:
    """The workload's parameters with every duration scaled by `speed`."""
    return {p.name: scale(spec.param(p.name), speed) if p.is_duration else spec.param(p.name)
            for p in spec.work().params}


class Runner(RunLoop):
    """Runs one scenario once. Use as a context manager, or call stop(), so that no
    child outlives it."""

    # What each child runs: child_main(conn, task). A subclass may start another entry
    # point that speaks the same protocol (the benchmarks' rate-controlled children).
    child_target = staticmethod(child_main)

    def __init__(self, scenario: Scenario, *, speed: float = 1.0,
                 start_method: str = DEFAULT_START_METHOD,
                 store: TraceStore | None = None, name: str = "",
                 scheduler: str = "") -> None:
        problems = errors(scenario)
        if problems:
            raise ScenarioError(problems[0].text(scenario))
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ScenarioError(_("speed must be from {low:g} to {high:g}, not "
                                  "{speed:g}").format(low=MIN_SPEED, high=MAX_SPEED,
                                                      speed=speed))
        if start_method not in start_methods():
            raise ScenarioError(_("start method {method} is not available here; choose "
                                  "{methods}").format(method=repr(start_method),
                                                      methods=", ".join(start_methods())))
        self.scenario = scenario
        # Its shared objects as plain data for whoever makes them (a backend, a host).
        self.object_specs = [(o.name, o.kind, o.values(), o.code())
                             for o in scenario.objects]
        self.name = name  # the scenario's name (a built-in's or a file's), shown with it
        self.speed = speed
        self.start_method = start_method
        # The Dask scheduler to run the tasks on ("" for a cluster on this computer).
        self.scheduler = scheduler
        self.backend_name = scenario.backend  # a known one: errors() checked it
        self.ctx = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # Children fork from a server that has already imported the child's code
            # (and ctypes, which their core reader loads once they have started).
            self.ctx.set_forkserver_preload(["__main__", "mpgui.runtime.child.entry",
                                             "mpgui.runtime.child.pool_worker", "ctypes"])
        elif start_method == "fork":
            load_core_reader()  # (forked children inherit it: no ctypes import in each)
        self.store = store if store is not None else TraceStore()
        self.store.backend = self.backend_name
        if scenario.objects:  # their lanes in the table's order (object_tracks.py)
            self.store.info[OBJECTS_INFO] = " ".join(o.name for o in scenario.objects)
        self.main_lane = self.store.add_lane("main", "main program", "main")
        # The main program is this process (the exports name its pid).
        self.store.lanes[self.main_lane].pid = os.getpid()
        # Rows with copies become one child per copy, and steps on them loops, exactly as
        # in the generated script (model/instances.py).
        cores = cpu_count()
        self.children = {i.var: Child(i, self.store.add_lane(i.var, i.name, "process",
                                                             i.spec.daemon))
                         for i in instances(scenario, cores)}
        # A pool's workers: a lane each, after the tasks.
        description = get_backend(self.backend_name)
        self.worker_lanes = self.store.add_worker_lanes(scenario.workers.resolve(cores)) \
            if description.has_workers else []
        # Where each row's code is in the equivalent script (`mpgui code NAME`): a child
        # that fails shows its traceback there, not in mpgui's own workloads.
        code = generate_code(scenario, speed=speed, start_method=start_method)
        self.script_name = script_file_name(name)
        self._script_lines = {p.var: function_lines(code, p.var) for p in scenario.processes}
        self._join: Join | None = None  # the join the main program waits in, if any
        self._steps_deadline = 0  # when this poll's time for steps is spent
        self.status = Status.READY
        self._kill_at = 0
        self._rr = 0
        self.steps_pending = False  # poll() stopped mid-program for time: poll again soon
        self.watch = Watch()  # every pipe ("pipe", source) and sentinel ("exit", source)
        self.backend = backend_class(description)(self)
        self.main = MainProgram(flat_program(scenario, cores),
                                {var: c.inst.spec.daemon for var, c in self.children.items()},
                                _RealEffects(self), description.daemons_at_end)
        self.others_sampler: OthersSampler = OthersSampler(self.store, self.pids)  # others' CPU
        # Who holds and who waits for which lock: only a scenario with objects has any.
        self._locks = DeadlockWatch() if scenario.objects else None

    # -- public ------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """What the status bar calls a scenario's run."""
        return _("Run")

    def details(self) -> list[str]:
        """Its speed, start method and (unless processes) backend, in words."""
        return how_it_ran(self.speed, self.start_method, self.backend_name)

    def plan(self) -> TraceStore | None:
        """The scenario's predicted schedule at this speed on this computer."""
        return prediction(self.scenario, cpu_count(), self.speed)

    def about(self) -> About:
        """The scenario's own explanation."""
        return self.scenario.about

    def as_record(self) -> RunRecord:
        """The run as the session keeps it."""
        return RunRecord(self.scenario, self.store, name=self.name, speed=self.speed,
                         start_method=self.start_method, cores=cpu_count(),
                         stopped=self.status is Status.STOPPED)

    def lane_of(self, var: str) -> int:
        """The trace lane of process `var`."""
        return self.children[var].lane

    def pids(self) -> list[int]:
        """Process ids of every child started so far (running or not): processes, a
        threads host, a pool's workers."""
        return self.backend.pids()

    def task_of(self, c: Child) -> dict[str, Any]:
        """What `c` runs, as plain data for the child (durations scaled by the speed), and
        where its code is in the equivalent script (file, function, first line, lines)."""
        spec = c.inst.spec
        return {"workload": spec.workload,
                "ops": [op.data() for op in spec.work().ops],
                "params": child_params(spec, self.speed),
                "message": spec.message, "name": c.inst.name, "k": c.inst.k,
                "uses": dict(spec.uses),
                "script": (self.script_name, function_name(spec.var),
                           *self._script_lines[spec.var])}

    def start(self) -> None:
        """Begin the main program (starts the first children at once)."""
        if self.status is not Status.READY:
            raise RuntimeError("a Runner runs its scenario once; make a new one")
        self.status = Status.RUNNING
        self.stopped_at_exit()
        t0 = _now()
        self.store.begin(t0, self.main_lane)
        self.others_sampler.begin(t0)
        try:
            self.backend.open()
        except Exception as exc:  # e.g. out of processes: the run ends at once, saying why
            self.store.lanes[self.main_lane].error = (
                type(exc).__name__, _("could not start: {error}").format(error=exc), "")
            self._end(Status.STOPPED)
            return
        self._advance()

    def poll(self, budget_s: float = 0.004) -> None:
        """Drain pipes for at most about `budget_s`, reap, advance the main program."""
        if self.status is Status.STOPPING:
            self._poll_stopping()
        if self.status is not Status.RUNNING:
            return
        self._drain(_now() + int(budget_s * 1e9))
        self.backend.reap()
        self._advance()
        self.others_sampler.tick(_now())
        self._watch_locks()

    def fail(self, kind: str, why: str) -> None:
        """The backend cannot go on (its cluster is gone, or was never reached): the
        run ends, stopped, and the main program's lane says why (`kind` is the
        error's type name)."""
        if self.status is not Status.RUNNING:
            return
        self.backend.request_stop()
        self.backend.kill()
        self.store.lanes[self.main_lane].error = (kind, why, "")
        if self._join is not None:
            self.store.join_return(_now(), self.main_lane, self._join, timed_out=True)
            self._join.interrupted = True
            self._join = None
        self._end(Status.STOPPED)

    def _watch_locks(self) -> None:
        """Look for a deadlock (`self.deadlock`, once found: it never goes away)."""
        if self._locks is not None:
            self.deadlock = self._locks.check(self.store, self._live_rows(),
                                              self.main.joining or "", _now())

    def _live_rows(self) -> list[int]:
        """The lanes of the table's rows started and not ended (a process, or a thread
        of the threads backend)."""
        return [ln.index for ln in self.store.lanes if ln.kind == "process"
                and ln.start_call_t is not None and ln.end_t is None]

    def wait(self, timeout: float) -> None:
        """Block up to `timeout` s until a child sends, ends, or the program has a
        deadline. For terminal programs; a GUI polls from a timer instead."""
        if self.status not in (Status.RUNNING, Status.STOPPING):
            return
        deadline = self.main.deadline
        if deadline is not None:
            timeout = min(timeout, max(0.0, (deadline - _now()) / 1e9))
        if self.steps_pending:
            timeout = 0.0
        if self.backend.alive():
            self.watch.ready(timeout)
        elif timeout > 0:
            time.sleep(timeout)

    def request_stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Begin stopping without blocking: terminate every child now. ``poll()`` kills
        those still alive after `grace_s` and ends the run. Safe to call repeatedly."""
        if self.status is Status.READY:
            self.watch.close()
            self.status = Status.STOPPED
        if self.status is not Status.RUNNING:
            return
        self.status = Status.STOPPING
        self._kill_at = _now() + int(grace_s * 1e9)
        self.backend.request_stop()

    def _poll_stopping(self) -> None:
        # Keep reading: a child flushing in its SIGTERM handler must not block.
        self._drain(_now() + 2_000_000)
        self.backend.reap()
        alive = self.backend.alive()
        if alive and _now() >= self._kill_at:
            self.backend.kill()
            alive = False
        if not alive:
            now = _now()
            if self._join is not None:
                self.store.join_return(now, self.main_lane, self._join, timed_out=True)
                self._join.interrupted = True
            self._join = None
            self._end(Status.STOPPED)

    # -- children ----------------------------------------------------------------------

    def _drain(self, deadline: int) -> None:
        """Read one batch from every pipe with data, again and again, until none has
        any (`behind` False) or the time budget is spent (True)."""
        self.behind = True
        while True:
            ready = [source for kind, source in self.watch.ready(0) if kind == "pipe"]
            if not ready:
                self.behind = False
                return
            # Start with a different pipe each round, so one flood cannot starve the rest.
            self._rr = (self._rr + 1) % len(ready)
            for source in ready[self._rr:] + ready[:self._rr]:
                self.backend.read(source)
                if _now() > deadline:
                    return

    # -- the main program ----------------------------------------------------------------

    def _advance(self) -> None:
        """Execute main-program steps until one has to wait, or until this poll's time
        for steps is spent (then `steps_pending` says to poll again soon)."""
        self._steps_deadline = _now() + STEPS_BUDGET_NS
        self.steps_pending = False
        if self.status is not Status.RUNNING:
            return
        self.main.advance()
        if self.main.finished and self.status is Status.RUNNING:
            self._end(Status.FINISHED)


    def _end(self, status: Status) -> None:
        """The run is over: close the trace and release the watch."""
        now = _now()
        self.store.finish(now)
        self.others_sampler.finish(now)
        self.watch.close()
        self.backend.close()
        self.status = status


class _RealEffects:
    """What the main program's steps do in a real run (`main_program.Effects`): start,
    terminate and join real children through the backend, sleep on the real clock
    (durations scaled by the speed), and record it all in the trace."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner

    def ready(self) -> bool:
        return self.r.backend.ready()

    def pause(self) -> bool:
        if _now() > self.r._steps_deadline:
            self.r.steps_pending = True
            return True
        return False

    def start(self, row: str) -> None:
        self.r.backend.start(self.r.children[row])

    def terminate(self, row: str, at_end: bool) -> None:
        c = self.r.children[row]
        lane = self.r.store.lanes[c.lane]
        lane.terminate_t = _now()
        if at_end:
            lane.terminated_at_end = True
        self.r.backend.terminate(c)

    def done(self, row: str) -> bool:
        return self.r.children[row].done

    def sleep(self, seconds: float) -> float:
        now = _now()
        self.r.store.set_state(self.r.main_lane, now, State.SLEEPING)
        return now + int(scale(seconds, self.r.speed) * 1e9)

    def woke(self) -> None:
        self.r.store.set_state(self.r.main_lane, _now(), State.RUNNING)

    def join(self, row: str, seconds: float | None, implicit: bool) -> float | None:
        r = self.r
        timeout = None if seconds is None else int(scale(seconds, r.speed) * 1e9)
        now = _now()
        r._join = r.store.join_wait(now, r.main_lane, r.children[row].lane, timeout, implicit)
        return None if timeout is None else now + timeout

    def joined(self, timed_out: bool) -> None:
        r, join = self.r, self.r._join
        assert join is not None  # (the interpreter returns only from a join it began)
        r.store.join_return(_now(), r.main_lane, join, timed_out=timed_out)
        r._join = None

    def passed(self, deadline: float) -> bool:
        return _now() >= deadline

    def end(self) -> None:
        self.r.backend.end_program()

    def ended(self) -> bool:
        return self.r.backend.ended()
