"""The Runner: starts real child processes and plays the parent's main program.

Nothing here blocks. ``poll()`` drains the children's pipes within a time budget, reaps
the ones that ended, and advances the main program: ``X.join()`` is a state that
completes once X has exited and its pipe is drained, ``time.sleep(s)`` a deadline. A GUI
calls ``poll()`` from a timer; a terminal program alternates ``wait()`` and ``poll()``.

At the end of the main program the Runner does what multiprocessing does when a script
ends: terminate the daemonic children, then join every child.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from mpgui.model.instances import Instance, flat_program, instances
from mpgui.model.registry import get_workload
from mpgui.model.scenario import ProcessSpec, Scenario
from mpgui.model.validation import errors
from mpgui.runtime.child import child_main
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.protocol import State
from mpgui.runtime.trace import Join, TraceStore
from mpgui.runtime.watch import Watch

DEFAULT_START_METHOD = "spawn"
STOP_GRACE_S = 1.0
# The most one poll() spends executing main-program steps. start() with spawn costs the
# parent ~9 ms per child; 64 of them at once would freeze a window for half a second.
STEPS_BUDGET_NS = 8_000_000
MIN_SPEED, MAX_SPEED = 0.05, 1000.0
_now = time.perf_counter_ns


class ScenarioError(ValueError):
    """The scenario cannot run; the message names the first problem."""


def start_methods() -> list[str]:
    """The start methods this platform offers, spawn first."""
    order = ["spawn", "forkserver", "fork"]
    return [m for m in order if m in multiprocessing.get_all_start_methods()]


def scale(seconds: float, speed: float) -> float:
    """A duration at `speed` (speed 10 = ten times faster)."""
    return seconds / speed


def child_params(spec: ProcessSpec, speed: float) -> dict[str, int | float]:
    """The workload's parameters with every duration scaled by `speed`."""
    return {p.name: scale(spec.param(p.name), speed) if p.is_duration else spec.param(p.name)
            for p in get_workload(spec.workload).params}


@dataclass
class _Child:
    inst: Instance
    lane: int
    process: BaseProcess | None = None
    conn: Connection | None = None
    pid: int | None = None  # kept: a closed Process object no longer tells it
    eof: bool = False  # the child closed its end of the pipe
    done: bool = False  # exited, pipe drained, recorded

    @property
    def running(self) -> bool:
        return self.process is not None and not self.done


@dataclass
class _Wait:
    kind: str  # "sleep" or "join"
    deadline: int | None  # perf_counter_ns, None = no limit
    child: _Child | None = None
    join: Join | None = None


class Runner:
    """Runs one scenario once. Use as a context manager, or call stop(), so that no
    child outlives it."""

    # What each child runs: child_main(conn, task). A subclass may start another entry
    # point that speaks the same protocol (the benchmarks' rate-controlled children).
    child_target = staticmethod(child_main)

    def __init__(self, scenario: Scenario, *, speed: float = 1.0,
                 start_method: str = DEFAULT_START_METHOD,
                 store: TraceStore | None = None) -> None:
        problems = errors(scenario)
        if problems:
            raise ScenarioError(problems[0].text(scenario))
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ScenarioError(f"speed must be from {MIN_SPEED:g} to {MAX_SPEED:g}, "
                                f"not {speed:g}")
        if start_method not in start_methods():
            raise ScenarioError(f"start method {start_method!r} is not available here; "
                                "choose " + ", ".join(start_methods()))
        self.scenario = scenario
        self.speed = speed
        self.start_method = start_method
        self._ctx = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # Children fork from a server that has already imported the child's code.
            self._ctx.set_forkserver_preload(["__main__", "mpgui.runtime.child"])
        self.store = store if store is not None else TraceStore()
        self.main_lane = self.store.add_lane("main", "main program", "main")
        # Rows with copies become one child per copy, and steps on them loops, exactly as
        # in the generated script (model/instances.py).
        cores = cpu_count()
        self._children = {i.var: _Child(i, self.store.add_lane(i.var, i.name, "process",
                                                               i.spec.daemon))
                          for i in instances(scenario, cores)}
        self._program = flat_program(scenario, cores)
        self._pc = 0
        self._wait: _Wait | None = None
        self._end_joins: list[_Child] | None = None  # the implicit joins, once reached
        self.status = "ready"  # ready -> running [-> stopping] -> finished | stopped
        self._kill_at = 0
        self._rr = 0
        self.steps_pending = False  # poll() stopped mid-program for time: poll again soon
        self._watch = Watch()  # every child's pipe ("pipe", c) and sentinel ("exit", c)

    # -- public ------------------------------------------------------------------------

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def done(self) -> bool:
        """True once the run finished or was stopped."""
        return self.status in ("finished", "stopped")

    def lane_of(self, var: str) -> int:
        """The trace lane of process `var`."""
        return self._children[var].lane

    def pids(self) -> list[int]:
        """Process ids of every child started so far (running or not)."""
        return [c.pid for c in self._children.values() if c.pid is not None]

    def start(self) -> None:
        """Begin the main program (starts the first children at once)."""
        if self.status != "ready":
            raise RuntimeError("a Runner runs its scenario once; make a new one")
        self.status = "running"
        self.store.begin(_now(), self.main_lane)
        self._advance()

    def poll(self, budget_s: float = 0.004) -> None:
        """Drain pipes for at most about `budget_s`, reap, advance the main program."""
        if self.status == "stopping":
            self._poll_stopping()
        if self.status != "running":
            return
        self._drain(_now() + int(budget_s * 1e9))
        self._reap()
        self._advance()

    def wait(self, timeout: float) -> None:
        """Block up to `timeout` s until a child sends, ends, or the program has a
        deadline. For terminal programs; a GUI polls from a timer instead."""
        if self.status not in ("running", "stopping"):
            return
        if self._wait is not None and self._wait.deadline is not None:
            timeout = min(timeout, max(0.0, (self._wait.deadline - _now()) / 1e9))
        if self.steps_pending:
            timeout = 0.0
        if any(c.running for c in self._children.values()):
            self._watch.ready(timeout)
        elif timeout > 0:
            time.sleep(timeout)

    def run(self, on_poll=None, poll_timeout: float = 0.05) -> None:  # type: ignore[no-untyped-def]
        """Start if needed and run to the end, blocking; `on_poll()` after each poll."""
        if self.status == "ready":
            self.start()
        while not self.done:
            self.wait(poll_timeout)
            self.poll(budget_s=0.02)
            if on_poll is not None:
                on_poll()

    def request_stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Begin stopping without blocking: terminate every child now. ``poll()`` kills
        those still alive after `grace_s` and ends the run. Safe to call repeatedly."""
        if self.status == "ready":
            self._watch.close()
            self.status = "stopped"
        if self.status != "running":
            return
        self.status = "stopping"
        self._kill_at = _now() + int(grace_s * 1e9)
        for c in self._children.values():
            if c.running and c.process.is_alive():  # type: ignore[union-attr]
                c.process.terminate()  # type: ignore[union-attr]

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop and wait: terminate every child, kill those that ignore it after
        `grace_s`, reap them all. Safe to call any number of times."""
        self.request_stop(grace_s)
        while self.status == "stopping":
            self.wait(0.01)
            self.poll()

    def _poll_stopping(self) -> None:
        # Keep reading: a child flushing in its SIGTERM handler must not block.
        self._drain(_now() + 2_000_000)
        self._reap()
        alive = [c for c in self._children.values() if c.running]
        if alive and _now() >= self._kill_at:
            for c in alive:
                if c.process.is_alive():  # type: ignore[union-attr]
                    c.process.kill()  # type: ignore[union-attr]
            for c in alive:
                c.process.join(5)  # type: ignore[union-attr]
                self._finish_child(c)
            alive = []
        if not alive:
            now = _now()
            if self._wait is not None and self._wait.join is not None:
                self.store.join_return(now, self.main_lane, self._wait.join, timed_out=True)
                self._wait.join.interrupted = True
            self._wait = None
            self._end("stopped")

    # -- children ----------------------------------------------------------------------

    def _start_child(self, c: _Child) -> None:
        spec = c.inst.spec
        task = {"workload": spec.workload, "params": child_params(spec, self.speed),
                "message": spec.message, "name": c.inst.name, "k": c.inst.k}
        r, w = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(target=self.child_target, args=(w, task),
                                    name=c.inst.name, daemon=spec.daemon)
        self.store.start_called(_now(), c.lane)
        try:
            process.start()
        except Exception as exc:  # e.g. out of processes or file descriptors
            r.close()
            w.close()
            lane = self.store.lanes[c.lane]
            lane.error = (type(exc).__name__, f"could not start: {exc}", "")
            self.store.end_lane(c.lane, _now())
            c.done = True
            return
        w.close()  # the child holds the write end now; ours would hide its EOF
        if self.start_method != "spawn" and hasattr(os, "sched_yield"):
            # A forked child waits for the CPU its parent keeps; let it begin now, as
            # it would if the parent blocked in join() or recv() at once.
            os.sched_yield()
        c.process, c.conn, c.pid = process, r, process.pid
        self._watch.add(r, ("pipe", c))
        self._watch.add(process.sentinel, ("exit", c))

    def _drain(self, deadline: int) -> None:
        """Read one batch from every child with data, again and again, until none has
        any or the time budget is spent."""
        while True:
            ready = [c for kind, c in self._watch.ready(0) if kind == "pipe"]
            if not ready:
                return
            # Start with a different child each round, so one flood cannot starve the rest.
            self._rr = (self._rr + 1) % len(ready)
            for c in ready[self._rr:] + ready[:self._rr]:
                self._recv(c)
                if _now() > deadline:
                    return

    def _recv(self, c: _Child) -> None:
        """Read one batch from `c` (whose pipe is readable)."""
        try:
            self.store.ingest(c.lane, c.conn.recv())  # type: ignore[union-attr]
        except (EOFError, OSError):
            c.eof = True
            self._watch.remove(c.conn)

    def _read_rest(self, c: _Child) -> None:
        """Read all `c` sent: it has exited, so this ends (at most a pipe's capacity)."""
        while not c.eof and c.conn.poll():  # type: ignore[union-attr]
            self._recv(c)

    def _reap(self) -> None:
        for c in self._children.values():
            if c.running and c.process.exitcode is not None:  # type: ignore[union-attr]
                self._finish_child(c)

    def _finish_child(self, c: _Child) -> None:
        """`c` has exited: read the rest of its pipe, record the exit, release it."""
        if c.done:
            return
        self._read_rest(c)
        code = c.process.exitcode  # type: ignore[union-attr]
        self.store.exited(_now(), c.lane, code if code is not None else -9)
        self._watch.remove(c.conn)
        self._watch.remove(c.process.sentinel)  # type: ignore[union-attr]
        c.conn.close()  # type: ignore[union-attr]
        c.process.close()  # type: ignore[union-attr]
        c.done = True

    # -- the main program ----------------------------------------------------------------

    def _advance(self) -> None:
        """Execute main-program steps until one has to wait, or until this poll's time
        for steps is spent (then `steps_pending` says to poll again soon)."""
        program = self._program
        deadline = _now() + STEPS_BUDGET_NS
        self.steps_pending = False
        while self.status == "running":
            if self._wait is not None and not self._wait_over():
                return
            if _now() > deadline:
                self.steps_pending = True
                return
            if self._pc < len(program):
                self._step(program[self._pc])
                self._pc += 1
            elif not self._implicit_joins():
                return

    def _wait_over(self) -> bool:
        w = self._wait
        assert w is not None
        now = _now()
        if w.kind == "join":
            finished = w.child.done  # type: ignore[union-attr]
            if finished or (w.deadline is not None and now >= w.deadline):
                self.store.join_return(now, self.main_lane, w.join,  # type: ignore[arg-type]
                                       timed_out=not finished)
                self._wait = None
                return True
            return False
        if w.deadline is not None and now >= w.deadline:
            self.store.set_state(self.main_lane, now, State.RUNNING)
            self._wait = None
            return True
        return False

    def _step(self, step) -> None:  # type: ignore[no-untyped-def]
        now = _now()
        if step.action == "sleep":
            self.store.set_state(self.main_lane, now, State.SLEEPING)
            self._wait = _Wait("sleep", now + int(scale(step.seconds, self.speed) * 1e9))
            return
        c = self._children[step.target]
        if step.action == "start":
            self._start_child(c)
        elif step.action == "terminate":
            self.store.lanes[c.lane].terminate_t = now
            if c.running and c.process.is_alive():  # type: ignore[union-attr]
                c.process.terminate()  # type: ignore[union-attr]
        elif step.action == "join":
            timeout = None if step.seconds is None else int(scale(step.seconds, self.speed) * 1e9)
            self._join(c, timeout, implicit=False)

    def _join(self, c: _Child, timeout_ns: int | None, implicit: bool) -> None:
        now = _now()
        join = self.store.join_wait(now, self.main_lane, c.lane, timeout_ns, implicit)
        self._wait = _Wait("join", None if timeout_ns is None else now + timeout_ns, c, join)

    def _implicit_joins(self) -> bool:
        """The end of the script: terminate daemons, then join every child in start
        order. True while there is more to do."""
        if self._end_joins is None:
            self._end_joins = []
            for c in self._children.values():
                if c.process is None:
                    continue
                if c.inst.spec.daemon and c.running and c.process.is_alive():
                    self.store.lanes[c.lane].terminate_t = _now()
                    c.process.terminate()
                self._end_joins.append(c)
            self._end_joins.sort(key=lambda c: self.store.lanes[c.lane].start_call_t or 0)
        while self._end_joins:
            c = self._end_joins.pop(0)
            if not c.done:
                self._join(c, None, implicit=True)
                return True
        self._end("finished")
        return False

    def _end(self, status: str) -> None:
        """The run is over: close the trace and release the watch."""
        self.store.finish(_now())
        self._watch.close()
        self.status = status
