"""mpgui's extension points, shown working end to end: a toy workload (with a toy
operation kind), a toy backend and a toy event kind, each defined in one place below
and registered through the public registries — and unregistered afterwards, so that
other tests never see them.

One scenario uses all three: its rows run the toy workload "launch" on the toy backend
"toy", and the toy operation reports the toy event "liftoff" from the child. It
validates, runs with real child processes (spawned: the child's side of the toy
operation is in `tests/toy_extension.py`, which the child imports), its generated code
prints the same lines under plain ``python``, the prediction gives its phases, a
scenario file and the command line take the toy names, and the chart (alone, and in
the whole window) paints its spans, its legend and its toy events.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from mpgui.cli import main
from mpgui.model import backend as backend_records
from mpgui.model import registry
from mpgui.model.codegen import generate_code
from mpgui.model.fileformat import dump_scenario, parse_scenario
from mpgui.model.message import to_expression
from mpgui.model.operations import CodeContext, Operation, Outcome, Print, Repeat, Sleep, Values
from mpgui.model.registry import SECONDS, Param, Workload
from mpgui.model.scenario import Scenario
from mpgui.model.validation import validate
from mpgui.runtime.child import workloads
from mpgui.runtime.output.export import chrome_trace, csv_text
from mpgui.runtime.output.runfile import load_run, save_run
from mpgui.runtime.parent import backends as backend_runtimes
from mpgui.runtime.parent.backends import ProcessesBackend
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.protocol import State
from mpgui.runtime.session.plan import predict
from mpgui.runtime.store import events
from mpgui.runtime.store.events import ChromeTracks
from mpgui.runtime.store.schema import Field
from mpgui.runtime.store.trace import TraceStore
from tests.helpers import PYTHON, script_env
from tests.scenarios import make, spec
from tests.toy_extension import ANNOUNCE, LIFTOFF_CODE

RUN_DEADLINE_S = 30.0  # for a run of well under a second, on a busy machine


# -- the toy workload: "launch", n checks then a liftoff, with a toy operation kind ------

@dataclass(frozen=True)
class Announce(Operation):
    """Print `text` (a message template) and report it as a "liftoff" event. The model's
    side; the child's executor is `tests.toy_extension.announce`, found by the kind."""

    text: str
    kind: ClassVar[str] = ANNOUNCE

    def code(self, ctx: CodeContext) -> list[str]:
        # In the script it is a plain print (the event is mpgui's way of seeing it).
        if ctx.one_write:
            return [f"print({to_expression(self.text, end=chr(10))}, end=\"\", flush=True)"]
        return [f"print({to_expression(self.text)}, flush=True)"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome()  # takes no time

    def templates(self) -> tuple[str, ...]:
        return (self.text,)


LAUNCH = Workload(
    "launch", "Launch", "Prints n checks, announces liftoff, then sleeps.",
    (Param("n", "Iterations", int, 3, 0, 100, "", "How many checks it prints."),
     Param("interval", "Sleep", float, 0.1, 0.0, 60.0, SECONDS,
           "Seconds slept after the liftoff.")),
    (Repeat("n", (Print(),)), Announce("{name}: liftoff after {n} checks"),
     Sleep("interval")))


# -- the toy backend: processes, called "workers", with words of its own -----------------

TOY_BACKEND = dataclasses.replace(
    backend_records.PROCESSES, name="toy",
    help="each row is a toy worker: a multiprocessing.Process under another name",
    called="toy workers", unit="worker", units="workers",
    row_hint="each row is one toy worker (a multiprocessing.Process)",
    states=(("starting", "toy worker booting"), *backend_records.PROCESSES.states[1:]),
    end_mark="toy worker done")


class ToyBackend(ProcessesBackend):
    """The toy backend's runtime side: runs its rows as processes do."""

    description = TOY_BACKEND


# -- the toy event kind: "liftoff", kept, filed, exported and painted --------------------

@dataclass
class Liftoff:
    """A child announced `text` at `t`."""

    lane: int
    t: int
    text: str


def _keep(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    store.records("liftoff").append(Liftoff(lane, t, str(a)))


def _chrome(store: TraceStore, records: list[Liftoff], tracks: ChromeTracks
            ) -> Iterator[dict[str, Any]]:
    for m in records:
        yield {"ph": "i", "s": "t", "cat": "liftoff", "name": m.text, "ts": tracks.us(m.t),
               **tracks.at(m.lane)}


def _csv(store: TraceStore, records: list[Liftoff], row: Callable[..., tuple[object, ...]]
         ) -> Iterator[tuple[object, ...]]:
    for m in records:
        yield row("liftoff", m.lane, t0=m.t, text=m.text)


LIFTOFF = events.EventKind(
    "liftoff", LIFTOFF_CODE, keep=_keep, record=Liftoff,
    fields=(Field("lane", (int,), lane=True), Field("t", (int,)), Field("text", (str,))),
    chrome=_chrome, csv=_csv, painter="liftoff")


class LiftoffPainter:
    """A flag on the main program's lane for each liftoff."""

    def count(self, records: list[Liftoff], cut_ns: int) -> int:
        return sum(m.t <= cut_ns for m in records)

    def connectors(self, store: TraceStore, records: list[Liftoff], rows: Any, frame: Any,
                   cut_ns: int, out: Any) -> None:
        pass  # the flag says it all

    def flags(self, store: TraceStore, records: list[Liftoff], cut_ns: int) -> list[Any]:
        from mpgui.ui.chart.labels import _Flag

        return [_Flag(m.t, f"liftoff: {m.text}", "join", [("liftoff", i)], None, [m.text])
                for i, m in enumerate(records) if m.t <= cut_ns]


# -- registering them, and taking them away again ----------------------------------------

@pytest.fixture(scope="module")
def toys() -> Iterator[None]:
    """The three toys, registered where mpgui looks them up; removed afterwards."""
    from mpgui.ui.chart.mark_painters import PAINTERS, register_painter

    registry.WORKLOADS[LAUNCH.name] = LAUNCH
    backend_records.BACKENDS[TOY_BACKEND.name] = TOY_BACKEND
    backend_runtimes.BACKEND_CLASSES[TOY_BACKEND] = ToyBackend
    events.register(LIFTOFF)
    register_painter("liftoff", LiftoffPainter())
    try:
        yield
    finally:
        PAINTERS.pop("liftoff", None)
        events.unregister("liftoff")
        backend_runtimes.BACKEND_CLASSES.pop(TOY_BACKEND, None)
        backend_records.BACKENDS.pop(TOY_BACKEND.name, None)
        registry.WORKLOADS.pop(LAUNCH.name, None)
        # The executor registered when tests.toy_extension was imported here; a later
        # import registers it again.
        workloads.EXECUTORS.pop(ANNOUNCE, None)
        sys.modules.pop("tests.toy_extension", None)


def scenario(backend: str = "toy") -> Scenario:
    return dataclasses.replace(make(
        spec("A", "launch", "{name}: check {i}", n=3, interval=0.05),
        spec("B", "launch", "{name}: check {i} of {n}", n=2, interval=0.1),
        program="A.start(); B.start(); A.join(); B.join()"), backend=backend)


EXPECTED = sorted(["proc A: check 0", "proc A: check 1", "proc A: check 2",
                   "proc A: liftoff after 3 checks",
                   "proc B: check 0 of 2", "proc B: check 1 of 2",
                   "proc B: liftoff after 2 checks"])


def run(s: Scenario) -> Runner:
    """`s` run to its end with real children; fails after RUN_DEADLINE_S."""
    give_up = time.monotonic() + RUN_DEADLINE_S

    def in_time() -> None:
        if time.monotonic() > give_up:
            raise AssertionError(f"the run did not end within {RUN_DEADLINE_S} s")
    r = Runner(s)
    with r:
        r.run(on_poll=in_time)
    return r


def lines(store: TraceStore) -> list[str]:
    return sorted(text for _t, _lane, text in store.lines_since(0))


@pytest.fixture(scope="module")
def toy_run(toys: None) -> Runner:
    """The scenario run once, on the toy backend."""
    return run(scenario())


# -- the tests ---------------------------------------------------------------------------

def test_the_toys_validate(toys: None) -> None:
    assert [p for p in validate(scenario()) if p.severity == "error"] == []
    # Their names are the registries' choices now: a typo is still refused.
    assert any(p.field == "backend" for p in validate(scenario("toys")))


def test_the_toys_run_with_real_processes_printing_the_lines(toy_run: Runner) -> None:
    store = toy_run.store
    assert toy_run.status == "finished" and store.backend == "toy"
    assert lines(store) == EXPECTED
    rows = [ln for ln in store.lanes if ln.kind == "process"]
    assert [ln.exit_code for ln in rows] == [0, 0]
    assert len({ln.pid for ln in rows}) == 2  # a process each
    # Each liftoff came from its child, as the toy event kind, after its checks.
    liftoffs = store.records("liftoff")
    assert sorted((store.lanes[m.lane].var, m.text) for m in liftoffs) == [
        ("A", "proc A: liftoff after 3 checks"), ("B", "proc B: liftoff after 2 checks")]
    for m in liftoffs:
        checks = [t for t, lane, _text in store.lines_since(0) if lane == m.lane]
        assert m.t >= max(checks)


@pytest.mark.parametrize("backend", ["threads", "pool"])
def test_the_toy_workload_runs_on_the_other_backends_too(toys: None, backend: str) -> None:
    """The threads' host and the pool's workers are spawned interpreters too: they find
    the toy operation's executor the same way."""
    r = run(scenario(backend))
    assert r.status == "finished"
    # (A pool's {name} is its worker's: compare what follows the name.)
    assert sorted(t.split(": ", 1)[1] for t in lines(r.store)) == \
        sorted(t.split(": ", 1)[1] for t in EXPECTED)
    assert len(r.store.records("liftoff")) == 2


def test_a_file_and_the_command_line_know_the_toys(
        toys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = scenario()
    text = dump_scenario(s)
    assert 'backend = "toy"' in text and 'workload = "launch"' in text
    assert parse_scenario(text) == s
    path = tmp_path / "launch.toml"
    path.write_text(dump_scenario(scenario("processes")), encoding="utf-8")
    assert main(["code", str(path), "--backend", "toy"]) == 0
    assert "liftoff after" in capsys.readouterr().out


def test_the_toys_generated_code_prints_the_same_lines(toys: None, tmp_path: Path) -> None:
    code = generate_code(scenario())
    assert "multiprocessing.Process(" in code and 'print(f"{name}: liftoff after' in code
    script = tmp_path / "launch.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([PYTHON, str(script)], capture_output=True, text=True,
                          timeout=60, env=script_env())
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.splitlines()) == EXPECTED


def test_the_toys_are_predicted(toys: None) -> None:
    plan = predict(scenario(), cores=2, speed=2.0)
    assert plan.backend == "toy"
    sleeps = {plan.lanes[lane].var: (t1 - t0) / 1e9
              for lane, state, _core, t0, t1 in plan.spans() if state == State.SLEEPING
              and plan.lanes[lane].kind == "process"}
    assert sleeps == pytest.approx({"A": 0.025, "B": 0.05})  # the sleep, at speed 2
    assert [ln.exit_code for ln in plan.lanes if ln.kind == "process"] == [0, 0]


def test_the_toy_event_goes_to_a_run_file_and_the_exports(toy_run: Runner,
                                                          tmp_path: Path) -> None:
    store = toy_run.store
    path = tmp_path / "launch.mpgrun"
    save_run(path, toy_run.scenario, store, {})
    loaded_scenario, loaded, _meta = load_run(path)
    assert loaded_scenario.backend == "toy"
    assert loaded.records("liftoff") == store.records("liftoff")
    trace = chrome_trace(loaded, parent_pid=1)
    marks = sorted(e["name"] for e in trace["traceEvents"] if e.get("cat") == "liftoff")
    assert marks == ["proc A: liftoff after 3 checks", "proc B: liftoff after 2 checks"]
    rows = [line.split(",") for line in csv_text(loaded).splitlines()]
    assert sorted((r[2], r[12]) for r in rows if r[0] == "liftoff") == [
        ("A", "proc A: liftoff after 3 checks"), ("B", "proc B: liftoff after 2 checks")]


def test_the_chart_paints_the_toys(toy_run: Runner, qtbot: Any) -> None:
    from mpgui.ui.chart.chart import ChartWidget
    from mpgui.ui.chart.legend import ChartLegend
    from mpgui.ui.chart.pixels import dominant, pixel_codes
    from mpgui.ui.theme import LIGHT

    store = toy_run.store
    chart, legend = ChartWidget(LIGHT), ChartLegend(LIGHT)
    chart.backend_shown.connect(legend.set_backend)
    for w in (chart, legend):
        qtbot.addWidget(w)
    chart.resize(1200, 500)
    chart.show()
    qtbot.waitExposed(chart)
    assert store.t0 is not None and store.t_end is not None
    chart.set_store(store)
    chart.refresh(store.t_end, False)
    assert chart.rows is not None
    # The lanes of the toy workload's rows have spans.
    grid = pixel_codes(chart.cache, chart.rows, chart.spans.colors, 0,
                       (store.t_end - store.t0) / 1e9, 400)
    for ln in store.lanes:
        if ln.kind == "process":
            assert (dominant(grid[chart.rows.lane_row[ln.index]]) >= 0).any(), ln.var
    # The legend explains the toy backend's states, in its words.
    labels = [label for _key, label in legend.entries]
    assert labels[0] == "toy worker booting" and "toy worker done" in labels
    # The toy events are painted by the painter registered for their kind.
    layout = chart._layout()
    assert layout is not None
    flagged = {lb.text for lb in layout.labels if lb.text.startswith("liftoff: ")}
    assert flagged == {"liftoff: proc A: liftoff after 3 checks",
                       "liftoff: proc B: liftoff after 2 checks"}


@pytest.fixture
def toy_window(toys: None, qtbot: Any, said: Any) -> Iterator[Any]:
    """A main window made while the toys are registered, and destroyed before they are
    removed: its code view, legend and chart ask the registries on their own timers,
    and must not find the toy names gone (conftest's `window` lives on until qtbot's
    teardown, after this module's fixtures may have ended)."""
    from PySide6.QtCore import Qt

    from mpgui.ui.main_window import MainWindow

    w = MainWindow(speed=10)
    w.open_initial("seed")
    w.setWindowState(Qt.WindowState.WindowNoState)
    w.resize(1400, 900)
    w.show()
    try:
        yield w
    finally:
        w.close()  # shuts the runs down (the unsaved question answers Discard: `said`)
        with qtbot.waitSignal(w.destroyed, timeout=10_000):
            w.deleteLater()


def test_the_window_offers_runs_and_shows_the_toys(toy_window: Any, qtbot: Any) -> None:
    """The whole window: the toolbar offers the toy backend (the registry is read when
    the window is made, after `toys`), the code view writes the toy workload, and a run
    shows the toy backend's words and the toy events."""
    window = toy_window
    assert window.backend.combo.findData("toy") >= 0
    window.files.open_scenario(scenario())
    qtbot.waitUntil(lambda: "liftoff after" in window.code.toPlainText(), timeout=10_000)
    assert window.layout_.processes_hint.text().startswith("each row is one toy worker")
    window.run()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=int(RUN_DEADLINE_S * 1000))
    store = window.view.current.store
    assert store.backend == "toy" and lines(store) == EXPECTED
    labels = [label for _key, label in window.legend.entries]
    assert labels[0] == "toy worker booting" and "toy worker done" in labels
    layout = window.chart._layout()
    assert layout is not None
    assert {lb.text for lb in layout.labels if lb.text.startswith("liftoff: ")} == {
        "liftoff: proc A: liftoff after 3 checks", "liftoff: proc B: liftoff after 2 checks"}
