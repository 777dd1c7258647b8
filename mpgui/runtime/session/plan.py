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

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from mpgui.i18n import _
from mpgui.model.backend import DEFAULT_BACKEND, get_backend
from mpgui.model.instances import Instance, flat_program, instances
from mpgui.model.main_program import MainProgram
from mpgui.model.operations import CPU, SYNC, Outcome, predict_ops, walk
from mpgui.model.scenario import Scenario, Step
from mpgui.runtime.interpreter import gil_enabled
from mpgui.runtime.output.summary import PARTIAL_INFO, UNTIMED_INFO
from mpgui.runtime.protocol import State
from mpgui.runtime.session.plan_objects import SharedState, flush_phases
from mpgui.runtime.store.trace import TraceStore

_EPS = 1e-12
# The most work a prediction does: processes looked at, summed over its steps, and
# operations on shared objects done (~0.15 s on a 2-core VM). A valid scenario may ask
# for 256 processes of 10,000 short iterations each: its whole prediction took 3.3 s
# (0.9 s since each process keeps its phase's kind), on the window's thread, when it
# opened, after each edit and at Run. Past this the prediction stops where it got to,
# and says so (PARTIAL_INFO): its lanes go on beyond the end drawn, with no exit. (The
# built-ins need under 2,000.)
WORK_BUDGET = 300_000


def outcome(inst: Instance, speed: float) -> Outcome:
    """What the process does, added up from its workload's operations: its phases
    (cpu or sleep, seconds) in order, and how it ends. An unknown workload or operation
    is an error that names it, never an empty prediction."""
    workload = inst.spec.work()  # KeyError naming the known ones
    values = {p.name: inst.spec.param(p.name) for p in workload.params}
    return predict_ops(workload.ops, values, speed)


@dataclass
class _Proc:
    lane: int
    todo: deque[tuple[str, float]]  # (popped from the left: a producer's 100,000 puts)
    daemon: bool
    var: str = ""
    uses: Mapping[str, str] = field(default_factory=dict)  # role -> shared object
    code: int = 0  # the exit code when its work is done
    started: bool = False
    queued: bool = False  # a pool task waiting for a free worker
    worker: int | None = None  # a pool task: the worker lane running it
    done: bool = False
    left: float = 0.0  # of the current phase
    state: int | None = None
    gives_up: float | None = None  # a wait with a timeout: when it gives up (s)
    # The current phase's kind, and whether it is an operation on a shared object (one
    # it could not do yet): kept, not looked up, as every step of the simulation asks
    # each process several times (`next_phase` moves them on).
    kind: str | None = field(init=False)
    waits: bool = field(init=False)

    def __post_init__(self) -> None:
        self._at_phase()

    def next_phase(self) -> None:
        """Done with the current phase: on to the next one."""
        self.todo.popleft()
        self._at_phase()

    def _at_phase(self) -> None:
        self.kind = self.todo[0][0] if self.todo else None
        self.waits = self.kind is not None and self.kind.startswith(SYNC)


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
        done = outcome(inst, speed)
        phases = list(done.phases)
        if get_backend(backend).own_process:  # (threads' queues have no pipe)
            phases += flush_phases(inst.spec, inst.spec.work().ops)
        procs[inst.var] = _Proc(lane, deque(phases), inst.spec.daemon, inst.var, inst.spec.uses,
                                done.code)
    workers = store.add_worker_lanes(scenario.workers.resolve(cores)) \
        if get_backend(backend).has_workers else []
    program = flat_program(scenario, cores)
    store.begin(0, main_lane)
    # (A worker's own row shows only the tasks it is predicted to run.)
    sim = _Simulation(store, main_lane, procs, program, max(1, cores), speed, backend, workers)
    sim.shared = SharedState(scenario)
    sim.run()
    untimed = sorted({op.untimed for p in scenario.processes for op in walk(p.work().ops)
                      if op.untimed})
    if untimed:  # (what the prediction's times leave out: `summary.versus_prediction`)
        said = untimed[0]
        for then in untimed[1:]:
            said = _("{first} and {then}").format(first=said, then=then)
        store.info[UNTIMED_INFO] = said
    return store


class _Simulation:
    """The processes on a simulated clock, and the effects (`main_program.Effects`) the
    one interpreter of the main program has on them."""

    def __init__(self, store: TraceStore, main_lane: int, procs: dict[str, _Proc],
                 program: list[Step], cores: int, speed: float,
                 backend: str = DEFAULT_BACKEND, workers: list[int] | None = None) -> None:
        self.store, self.main_lane, self.procs = store, main_lane, procs
        self.speed, self.backend = speed, get_backend(backend)
        # Threads of one process compute one at a time while it has a GIL.
        gil = self.backend.shares_gil and gil_enabled() is not False
        self.cores = 1 if gil else cores
        self.waiting = State.GIL if gil else State.PREEMPTED
        self.workers = workers or []
        self.busy: dict[int, _Proc] = {}  # worker lane -> the task it runs
        self.queue: deque[_Proc] = deque()
        self.t = 0.0
        self.work = 0  # processes looked at and operations done: see WORK_BUDGET
        self.shared: SharedState | None = None  # the scenario's shared objects
        self.main = MainProgram(program, {var: p.daemon for var, p in procs.items()}, self,
                                self.backend.daemons_at_end)

    def ns(self) -> int:
        return round(self.t * 1e9)

    def run(self) -> None:
        for _round in range(1_000_000):  # a bound, not a limit any scenario reaches
            self.main.advance()
            if self.main.finished:
                break
            self.work += len(self.procs)
            if self.work > WORK_BUDGET:
                self._stop_here()
                break
            self._dispatch()
            running = [p for p in self.procs.values() if p.started and not p.done
                       and not p.queued]
            if self._sync(running):
                continue  # (a process may have ended, a join returned: no time passed)
            computing = [p for p in running if p.kind == CPU]
            share = min(1.0, self.cores / len(computing)) if computing else 1.0
            for p in running:
                state = State.BLOCKED if p.waits else (
                    State.RUNNING if share >= 1 else self.waiting) \
                    if p.kind == CPU else State.SLEEPING
                if state != p.state:
                    p.state = state
                    self.store.set_state(p.lane, self.ns(), state)
            running_all, running = running, [p for p in running if not p.waits]
            dts = [p.left / share if p.kind == CPU else p.left for p in running]
            patient = [p for p in running_all if p.waits and p.gives_up is not None]
            dts += [float(p.gives_up or 0) - self.t for p in patient]
            if self.main.deadline is not None:
                dts.append(self.main.deadline - self.t)
            if not dts:
                # Nothing will ever happen again: processes wait on each other for ever
                # (a deadlock). They are drawn waiting a while longer, to be seen.
                stuck = [p for p in running_all if p.waits]
                if stuck:
                    self.t += max(1.0 / self.speed, self.t / 4)
                    for p in stuck:  # (they never end: no end is drawn)
                        self.store.close_span(p.lane, self.ns())
                break
            dt = max(0.0, min(dts))
            for p in running:
                p.left -= dt * share if p.kind == CPU else dt
            self.t += dt
            for p in running:
                if p.left <= _EPS:
                    self._next_phase(p)
            for p in patient:  # (nothing came in time: it goes on without)
                if float(p.gives_up or 0) - self.t <= _EPS:
                    self._next_phase(p)
        self.store.finish(self.ns())

    def _stop_here(self) -> None:
        """Too much to predict: the prediction ends now, each process still where it
        is (its span ends, the process does not), and the store says so."""
        for p in self.procs.values():
            self.store.close_span(p.lane, self.ns())
        self.store.info[PARTIAL_INFO] = self.ns()

    def _sync(self, running: list[_Proc]) -> bool:
        """Do every operation on a shared object that can be done now, in table order,
        again while one lets another go on; True if any was."""
        moved = False
        again = self.shared is not None
        while again:
            again = False
            for p in running:
                while not p.done and p.waits:
                    _sync, verb, role, *_within = str(p.kind).split(" ")
                    assert self.shared is not None
                    if not self.shared.attempt(p.var, verb, p.uses.get(role, role),
                                               int(p.todo[0][1])):
                        break
                    moved = again = True
                    self.work += 1
                    self._next_phase(p)
        return moved

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
            p = self.queue.popleft()
            p.queued, p.worker = False, worker
            self.busy[worker] = p
            ln = self.store.lanes[p.lane]
            ln.started_t, ln.host = self.ns(), worker
            p.state = None
            self._begin_phase(p)

    def _begin_phase(self, p: _Proc) -> None:
        p.gives_up = None
        if not p.todo:
            self._end(p, p.code)
            return
        p.left = p.todo[0][1]
        if p.waits:  # ("sync get Q 0.5": it gives up after 0.5 s: `operations.sync`)
            within = str(p.kind).split(" ")[3:]
            p.gives_up = self.t + float(within[0]) if within else None

    def _next_phase(self, p: _Proc) -> None:
        p.next_phase()
        self._begin_phase(p)

    def _end(self, p: _Proc, code: int) -> None:
        if p.done:
            return
        p.done, p.state = True, None
        self.store.exited(self.ns(), p.lane, code)
        if p.worker is not None:
            del self.busy[p.worker]
            self._dispatch()

    # -- the main program's effects ----------------------------------------------------

    def ready(self) -> bool:
        return True

    def pause(self) -> bool:
        return False

    def start(self, row: str) -> None:
        self._start(self.procs[row])

    def terminate(self, row: str, at_end: bool) -> None:
        p = self.procs[row]
        if p.started and not p.done:
            lane = self.store.lanes[p.lane]
            lane.terminate_t = self.ns()
            if at_end:
                lane.terminated_at_end = True
            self._end(p, -15)

    def done(self, row: str) -> bool:
        return self.procs[row].done

    def sleep(self, seconds: float) -> float:
        self.store.set_state(self.main_lane, self.ns(), State.SLEEPING)
        return self.t + seconds / self.speed

    def woke(self) -> None:
        self.store.set_state(self.main_lane, self.ns(), State.RUNNING)

    def join(self, row: str, seconds: float | None, implicit: bool) -> float | None:
        # (A predicted join records no timeout, as it always has.)
        self.store.join_wait(self.ns(), self.main_lane, self.procs[row].lane, None,
                             implicit=implicit)
        return None if seconds is None else self.t + seconds / self.speed

    def joined(self, timed_out: bool) -> None:
        self.store.join_return(self.ns(), self.main_lane, self.store.joins[-1], timed_out)

    def passed(self, deadline: float) -> bool:
        return self.t >= deadline - _EPS

    def end(self) -> None:
        for p in self.procs.values():  # daemon threads, still running
            if p.started and not p.done:
                self._end(p, -15)
        for lane in self.workers:  # pool.close(); pool.join()
            self.store.exited(self.ns(), lane, 0)

    def ended(self) -> bool:
        return True
