"""Workloads as operation lists, and the one interpreter of the main program.

Each workload is one list of operations (`mpgui.model.operations`): the child executes
it (`mpgui.runtime.child.workloads`), the code generator writes it, the prediction adds it
up — and an operation or workload that one of them does not know is an error that
names it, never a silent nothing. The main program's meaning (`mpgui.model.main_program`)
is walked by one interpreter, for the Runner and the prediction alike.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from multiprocessing import Pipe
from typing import ClassVar

import pytest

from mpgui.model.backend import DaemonsAtEnd
from mpgui.model.codegen import generate_code
from mpgui.model.main_program import MainProgram
from mpgui.model.message import render, renderer
from mpgui.model.operations import SLEEP, CodeContext, Operation, Repeat, Sleep, walk
from mpgui.model.registry import WORKLOADS, Param, Workload
from mpgui.model.scenario import Step
from mpgui.runtime.child.reporter import Reporter
from mpgui.runtime.child.workloads import EXECUTORS, Context, run_ops
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.session.plan import predict
from tests.scenarios import make, spec


def test_every_operation_of_every_workload_is_executed_written_and_predicted():
    # The shared objects' executors register when a child first has objects.
    import mpgui.runtime.child.shared_objects  # noqa: F401

    for workload in WORKLOADS.values():
        values = workload.defaults()
        for op in walk(workload.ops):
            assert op.kind in EXECUTORS, (workload.name, op.kind)
            assert op.code(CodeContext("{i}", helpers={"burn": "burn"}))
            op.predict(values, 1.0)


def test_the_prediction_names_an_unknown_workload_instead_of_predicting_nothing():
    with pytest.raises(KeyError, match="unknown workload 'nope'; known: sleep_loop"):
        predict(make(spec("A", "nope")), cores=2)


@dataclass(frozen=True)
class Juggle(Operation):
    """An operation that only the model knows (no executor, no prediction, no code)."""

    kind: ClassVar[str] = "juggle"


def test_an_operation_nobody_taught_is_an_error_that_names_it(monkeypatch):
    n = Param("n", "Iterations", int, 2, 0, 10)
    monkeypatch.setitem(WORKLOADS, "juggling", Workload(
        "juggling", "Juggling", "Juggles.", (n,), (Repeat("n", (Juggle(),)),)))
    scenario = make(spec("A", "juggling"))
    with pytest.raises(NotImplementedError, match="the prediction does not know operation "
                                                  "'juggle'"):
        predict(scenario, cores=2)
    with pytest.raises(NotImplementedError, match="cannot write operation 'juggle'"):
        generate_code(scenario)
    ours, theirs = Pipe(duplex=False)
    try:
        ctx = Context(Reporter(theirs), {"n": 2}, "{i}", "A", 1)
        with pytest.raises(LookupError, match="no executor for the operation 'juggle'"):
            run_ops([op.data() for op in WORKLOADS["juggling"].ops], ctx)
    finally:
        ours.close()
        theirs.close()


@pytest.mark.parametrize(("workload", "params", "sleeps", "code"), [
    ("crash", {"n": 5, "interval": 0.5, "at": 2}, 3, 1),  # sleeps 0, 1, 2, then raises
    ("crash", {"n": 2, "interval": 0.5, "at": 2}, 2, 0),  # 'at' never comes
    ("exit_code", {"n": 4, "interval": 0.5, "at": 0, "code": 7}, 1, 7),
    ("sleep_loop", {"n": 3, "interval": 0.0}, 0, 0),  # a zero sleep takes no phase
])
def test_the_prediction_adds_up_the_loop_until_it_ends(workload, params, sleeps, code):
    store = predict(make(spec("A", workload, **params)), cores=1, speed=2.0)
    lane = store.lanes[1]
    assert lane.exit_code == code
    assert store.seconds(lane.end_t) == pytest.approx(sleeps * params["interval"] / 2)
    assert Sleep("interval").predict(params, 2.0).phases == (
        ((SLEEP, params["interval"] / 2),) if params["interval"] else ())


def test_a_child_imports_no_model_but_the_renderer():
    """Its operations come as plain data: no registry, no dataclasses (whose import,
    with inspect and ast, would add to every child's start-up time)."""
    code = ("import sys, mpgui.runtime.child.entry, mpgui.runtime.child.pool_worker, "
            "mpgui.runtime.child.threads_host; print(sorted(m for m in sys.modules "
            "if m.startswith('mpgui.model') or m in ('dataclasses', 'string')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "['mpgui.model', 'mpgui.model.rendering']"


def test_one_renderer_makes_every_line():
    say = renderer("{name}#{k}: {i:>3}/{n}", n=9, name="P", pid=1, k=2)
    assert [say(i) for i in (0, 10)] == ["P#2:   0/9", "P#2:  10/9"]
    assert render("{name}#{k}: {i:>3}/{n}", i=10, n=9, name="P", pid=1, k=2) == say(10)


# -- the one interpreter of the main program ----------------------------------------


class Effects:
    """A tiny world for the interpreter: each row runs for a fixed time once started;
    the clock jumps to the next thing that happens. Records what the program did."""

    def __init__(self, runs: dict[str, float]) -> None:
        self.runs = runs
        self.t = 0.0
        self.ends: dict[str, float] = {}
        self.log: list[str] = []
        self.closed = False

    def ready(self) -> bool:
        return True

    def pause(self) -> bool:
        return False

    def start(self, row: str) -> None:
        self.ends[row] = self.t + self.runs[row]
        self.log.append(f"{self.t:g} start {row}")

    def terminate(self, row: str, at_end: bool) -> None:
        if row in self.ends and not self.done(row):
            self.ends[row] = self.t
            self.log.append(f"{self.t:g} terminate {row}" + (" at end" if at_end else ""))

    def done(self, row: str) -> bool:
        return row in self.ends and self.t >= self.ends[row]

    def sleep(self, seconds: float) -> float:
        self.log.append(f"{self.t:g} sleep")
        return self.t + seconds

    def woke(self) -> None:
        self.log.append(f"{self.t:g} woke")

    def join(self, row: str, seconds: float | None, implicit: bool) -> float | None:
        self.log.append(f"{self.t:g} join {row}" + (" (implicit)" if implicit else ""))
        return None if seconds is None else self.t + seconds

    def joined(self, timed_out: bool) -> None:
        self.log.append(f"{self.t:g} joined" + (" (timed out)" if timed_out else ""))

    def passed(self, deadline: float) -> bool:
        return self.t >= deadline

    def end(self) -> None:
        self.closed = True
        self.log.append(f"{self.t:g} end")

    def ended(self) -> bool:
        return self.closed


PROCESSES = DaemonsAtEnd.TERMINATED


def play(program: str, runs: dict[str, float], daemons: frozenset[str] = frozenset(),
         policy: DaemonsAtEnd = PROCESSES) -> list[str]:
    fx = Effects(runs)
    main = MainProgram([Step.parse(s) for s in program.split(";")],
                       {row: row in daemons for row in runs}, fx, policy)
    for _ in range(100):
        main.advance()
        if main.finished:
            return fx.log
        events = [e for e in fx.ends.values() if e > fx.t]
        if main.deadline is not None:
            events.append(main.deadline)
        fx.t = min(events)
    raise AssertionError("the program did not end")


def test_steps_in_order_with_sleeps_and_join_timeouts():
    assert play("A.start(); time.sleep(1); A.join(timeout=1); A.join(); B.start(); B.join()",
                {"A": 3, "B": 1}) == [
        "0 start A", "0 sleep", "1 woke", "1 join A", "2 joined (timed out)", "2 join A",
        "3 joined", "3 start B", "3 join B", "4 joined", "4 end"]


def test_the_end_of_the_script_joins_in_start_order_and_skips_what_has_ended():
    # B started first: joined first; A ended meanwhile and is not joined.
    assert play("B.start(); A.start()", {"A": 1, "B": 2}) == [
        "0 start B", "0 start A", "0 join B (implicit)", "2 joined", "2 end"]


def test_daemons_at_the_end_of_the_script_by_backend():
    runs, daemons = {"A": 5, "D": 9}, frozenset({"D"})
    processes = play("A.start(); D.start()", runs, daemons)
    assert processes == ["0 start A", "0 start D", "0 terminate D at end",
                         "0 join A (implicit)", "5 joined", "5 end"]
    threads = play("A.start(); D.start()", runs, daemons, DaemonsAtEnd.END_WITH_SCRIPT)
    assert threads == ["0 start A", "0 start D", "0 join A (implicit)", "5 joined", "5 end"]
    pool = play("A.start(); D.start()", runs, daemons, DaemonsAtEnd.NONE)
    assert pool == ["0 start A", "0 start D", "0 join A (implicit)", "5 joined",
                    "5 join D (implicit)", "9 joined", "9 end"]


def test_the_prediction_joins_at_the_end_what_the_run_joins():
    """One interpreter for both: at the end of the script B (started first) is joined
    first, and A, which ended meanwhile, is not joined at all — in the run and in the
    prediction alike."""
    scenario = make(spec("A", "sleep_loop", n=1, interval=0.1),
                    spec("B", "sleep_loop", n=1, interval=20.0), program="B.start(); A.start()")
    with Runner(scenario, speed=10) as r:
        r.run()
    implicit = [(r.store.lanes[j.lane].var, j.timed_out) for j in r.store.joins if j.implicit]
    assert implicit == [("B", False)]
    plan = predict(scenario, cores=2, speed=10)
    assert [(plan.lanes[j.lane].var, j.timed_out) for j in plan.joins if j.implicit] == implicit
