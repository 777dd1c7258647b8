"""The predicted schedule of a scenario: what would happen if start() took no time,
every process computed and slept exactly as written, and the cores were shared fairly
among the processes that compute (a core each while there are enough, equal shares
when there are more processes than cores).

Drawn as ghost bars before a run and under it afterwards, the differences from what was
measured are the lesson: start-up latency, time-slicing, and the waits they cause.
The prediction is a TraceStore like a run's (same lanes, in the same order), so the
chart draws it with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mpgui.model.backend import DEFAULT_BACKEND, DaemonsAtEnd, get_backend
from mpgui.model.instances import Instance, flat_program, instances
from mpgui.model.scenario import Scenario
from mpgui.runtime.interpreter import gil_enabled
from mpgui.runtime.protocol import State
from mpgui.runtime.trace import TraceStore

CPU, SLEEP = "cpu", "sleep"
_EPS = 1e-12


def phases(inst: Instance, speed: float) -> list[tuple[str, float]]:
    """What the process does, as (cpu or sleep, seconds) in order."""
    spec, p = inst.spec, inst.spec.param
    n = int(p("n"))
    # One iteration of each workload (the parameters it has, only).
    one: list[tuple[str, str]] = {
        "sleep_loop": [(SLEEP, "interval")], "cpu_loop": [(CPU, "compute")],
        "mixed": [(CPU, "compute"), (SLEEP, "interval")], "crash": [(SLEEP, "interval")],
        "exit_code": [(SLEEP, "interval")], "flood": [],
    }.get(spec.workload, [])
    if spec.workload in ("crash", "exit_code"):  # ends in the iteration 'at'
        n = min(n, int(p("at")) + 1)
    return [(kind, float(p(param)) / speed) for _ in range(n) for kind, param in one
            if p(param) > 0]


def exit_code(inst: Instance) -> int:
    """How the process ends: 1 for the crash workload's exception, the exit_code
    workload's code, else 0 — when the failing iteration comes at all."""
    spec, p = inst.spec, inst.spec.param
    if spec.workload in ("crash", "exit_code") and int(p("at")) < int(p("n")):
        return 1 if spec.workload == "crash" else int(p("code"))
    return 0


@dataclass
class _Proc:
    lane: int
    todo: list[tuple[str, float]]
    daemon: bool
    code: int = 0  # the exit code when its work is done
    started: bool = False
    queued: bool = False  # a pool task waiting for a free worker
    worker: int | None = None  # a pool task: the worker lane running it
    done: bool = False
    left: float = 0.0  # of the current phase
    state: int | None = None

    @property
    def kind(self) -> str | None:
        return self.todo[0][0] if self.todo else None


@dataclass
class _Main:
    pc: int = 0
    until: float | None = None  # sleeping until, or waiting until (join timeout)
    joining: _Proc | None = None
    ended: bool = False
    end_joins: list[_Proc] = field(default_factory=list)
    ending: bool = False


def predict(scenario: Scenario, cores: int, speed: float = 1.0) -> TraceStore:
    """The predicted schedule of `scenario` on `cores` CPUs at `speed`, for its backend:
    threads compute one at a time (under the GIL, if this Python has one); a pool's
    tasks wait in its queue for a free worker."""
    backend = scenario.backend
    store = TraceStore(backend)
    main_lane = store.add_lane("main", "main program", "main")
    procs: dict[str, _Proc] = {}
    for inst in instances(scenario, cores):
        lane = store.add_lane(inst.var, inst.name, "process", inst.spec.daemon)
        procs[inst.var] = _Proc(lane, phases(inst, speed), inst.spec.daemon,
                                exit_code(inst))
    workers = store.add_worker_lanes(scenario.workers.resolve(cores)) \
        if get_backend(backend).has_workers else []
    program = flat_program(scenario, cores)
    store.begin(0, main_lane)
    # (A worker's own row shows only the tasks it is predicted to run.)
    sim = _Simulation(store, main_lane, procs, program, max(1, cores), speed, backend, workers)
    sim.run()
    return store


class _Simulation:
    def __init__(self, store: TraceStore, main_lane: int, procs: dict[str, _Proc],
                 program: list, cores: int, speed: float,  # type: ignore[type-arg]
                 backend: str = DEFAULT_BACKEND, workers: list[int] | None = None) -> None:
        self.store, self.main_lane, self.procs = store, main_lane, procs
        self.program, self.speed, self.backend = program, speed, get_backend(backend)
        # Threads of one process compute one at a time while it has a GIL.
        gil = self.backend.shares_gil and gil_enabled() is not False
        self.cores = 1 if gil else cores
        self.waiting = State.GIL if gil else State.PREEMPTED
        self.workers = workers or []
        self.busy: dict[int, _Proc] = {}  # worker lane -> the task it runs
        self.queue: list[_Proc] = []
        self.t = 0.0
        self.main = _Main()

    def ns(self) -> int:
        return round(self.t * 1e9)

    def run(self) -> None:
        for _ in range(1_000_000):  # a bound, not a limit any scenario reaches
            self._advance_main()
            if self.main.ended:
                break
            self._dispatch()
            running = [p for p in self.procs.values() if p.started and not p.done
                       and not p.queued]
            computing = [p for p in running if p.kind == CPU]
            share = min(1.0, self.cores / len(computing)) if computing else 1.0
            for p in running:
                state = (State.RUNNING if share >= 1 else self.waiting) \
                    if p.kind == CPU else State.SLEEPING
                if state != p.state:
                    p.state = state
                    self.store.set_state(p.lane, self.ns(), state)
            dts = [p.left / share if p.kind == CPU else p.left for p in running]
            if self.main.until is not None:
                dts.append(self.main.until - self.t)
            if not dts:
                break  # nothing will ever happen again (cannot occur for valid programs)
            dt = max(0.0, min(dts))
            for p in running:
                p.left -= dt * share if p.kind == CPU else dt
            self.t += dt
            for p in running:
                if p.left <= _EPS:
                    self._next_phase(p)
        self.store.finish(self.ns())

    def _start(self, p: _Proc) -> None:
        p.started = True
        lane = self.store.lanes[p.lane]
        lane.start_call_t = self.ns()
        if self.workers:  # a pool: into its queue
            p.queued = True
            self.queue.append(p)
            self.store.set_state(p.lane, self.ns(), State.QUEUED)
            self._dispatch()
            return
        lane.started_t = self.ns()  # predicted: start() takes no time
        self._begin_phase(p)

    def _dispatch(self) -> None:
        """A pool's free workers take the queued tasks, first come first served."""
        for worker in self.workers:
            if not self.queue:
                return
            if worker in self.busy:
                continue
            p = self.queue.pop(0)
            p.queued, p.worker = False, worker
            self.busy[worker] = p
            ln = self.store.lanes[p.lane]
            ln.started_t, ln.host = self.ns(), worker
            p.state = None
            self._begin_phase(p)

    def _begin_phase(self, p: _Proc) -> None:
        if not p.todo:
            self._end(p, p.code)
            return
        p.left = p.todo[0][1]

    def _next_phase(self, p: _Proc) -> None:
        p.todo.pop(0)
        self._begin_phase(p)

    def _end(self, p: _Proc, code: int) -> None:
        if p.done:
            return
        p.done, p.state = True, None
        self.store.exited(self.ns(), p.lane, code)
        if p.worker is not None:
            del self.busy[p.worker]
            self._dispatch()

    def _advance_main(self) -> None:
        """Run main-program steps that need no time; set up the next wait."""
        m = self.main
        while not m.ended:
            if m.joining is not None:
                timed_out = m.until is not None and self.t >= m.until - _EPS
                if not (m.joining.done or timed_out):
                    return
                self.store.join_return(self.ns(), self.main_lane, self.store.joins[-1],
                                       timed_out=not m.joining.done)
                m.joining, m.until = None, None
            elif m.until is not None:
                if self.t < m.until - _EPS:
                    return
                self.store.set_state(self.main_lane, self.ns(), State.RUNNING)
                m.until = None
            if m.pc < len(self.program):
                self._step(self.program[m.pc])
                m.pc += 1
            else:
                self._end_of_program()

    def _step(self, step) -> None:  # type: ignore[no-untyped-def]
        m = self.main
        if step.action == "sleep":
            self.store.set_state(self.main_lane, self.ns(), State.SLEEPING)
            m.until = self.t + step.seconds / self.speed
            return
        p = self.procs[step.target]
        if step.action == "start":
            self._start(p)
        elif step.action == "terminate":
            if p.started and not p.done:
                self.store.lanes[p.lane].terminate_t = self.ns()
                self._end(p, -15)
        elif step.action == "join":
            self.store.join_wait(self.ns(), self.main_lane, p.lane, None)
            m.joining = p
            m.until = None if step.seconds is None else self.t + step.seconds / self.speed

    def _end_of_program(self) -> None:
        """As multiprocessing does when a script ends: daemons terminated, the others
        joined in start order."""
        m = self.main
        if not m.ending:
            m.ending = True
            at_end = self.backend.daemons_at_end
            daemons = [p for p in self.procs.values() if p.started and not p.done
                       and p.daemon and at_end is not DaemonsAtEnd.NONE]
            if at_end is DaemonsAtEnd.TERMINATED:  # now; threads end with the script
                for p in daemons:
                    lane = self.store.lanes[p.lane]
                    lane.terminate_t, lane.terminated_at_end = self.ns(), True
                    self._end(p, -15)
            m.end_joins = [p for p in self.procs.values() if p.started and not p.done
                           and p not in daemons]
        if m.end_joins:
            p = m.end_joins.pop(0)
            self.store.join_wait(self.ns(), self.main_lane, p.lane, None, implicit=True)
            m.joining = p
            return
        for p in self.procs.values():  # daemon threads, still running
            if p.started and not p.done:
                self._end(p, -15)
        for lane in self.workers:  # pool.close(); pool.join()
            self.store.exited(self.ns(), lane, 0)
        m.ended = True
