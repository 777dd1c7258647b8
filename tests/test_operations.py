"""Workloads as operation lists.

Each workload is one list of operations (`mpgui.model.operations`): the child executes
it (`mpgui.runtime.workloads`), the code generator writes it, the prediction adds it
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

from mpgui.model.codegen import generate_code
from mpgui.model.message import render, renderer
from mpgui.model.operations import SLEEP, CodeContext, Operation, Repeat, Sleep, walk
from mpgui.model.registry import WORKLOADS, Param, Workload
from mpgui.runtime.plan import predict
from mpgui.runtime.reporter import Reporter
from mpgui.runtime.workloads import EXECUTORS, Context, run_ops
from tests.scenarios import make, spec


def test_every_operation_of_every_workload_is_executed_written_and_predicted():
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
    code = ("import sys, mpgui.runtime.child, mpgui.runtime.pool_worker, "
            "mpgui.runtime.threads_host; print(sorted(m for m in sys.modules "
            "if m.startswith('mpgui.model') or m in ('dataclasses', 'string')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "['mpgui.model', 'mpgui.model.rendering']"


def test_one_renderer_makes_every_line():
    say = renderer("{name}#{k}: {i:>3}/{n}", n=9, name="P", pid=1, k=2)
    assert [say(i) for i in (0, 10)] == ["P#2:   0/9", "P#2:  10/9"]
    assert render("{name}#{k}: {i:>3}/{n}", i=10, n=9, name="P", pid=1, k=2) == say(10)
