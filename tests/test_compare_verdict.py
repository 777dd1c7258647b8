"""Compare: the headline says what differs between the two runs (not their numbers), and
Compare Backends runs processes first and shows them on top."""

from __future__ import annotations

from dataclasses import replace

from mpgui.model.builtins import load_builtin
from mpgui.model.scenario import Copies, Scenario, Step
from mpgui.runtime.session.plan import predict
from mpgui.runtime.session.record import RunRecord
from mpgui.ui.run.compare import verdict
from mpgui.ui.run.compare_backends import backends_to_compare


def record(scenario: Scenario, name: str, *, number: int = 1, speed: float = 1.0,
           method: str = "spawn", cores: int = 2) -> RunRecord:
    """A run record whose store is the scenario's predicted schedule: a real TraceStore
    with lanes, spans and a wall time, made without starting processes."""
    r = RunRecord(scenario, predict(scenario, cores, speed), name=name, speed=speed,
                  start_method=method, cores=cores)
    r.number = number
    return r


CPU = load_builtin("threads-vs-processes-cpu")


def test_the_headline_names_the_backend_that_differs_and_never_run_numbers():
    a = record(CPU, "threads-vs-processes-cpu", number=23)
    b = record(replace(CPU, backend="threads"), "threads-vs-processes-cpu", number=24)
    text = verdict(b, a)
    assert text.startswith("With processes: <b>2.00× as fast</b> as with threads (1.00 s "
                           "against 2.00 s)")
    assert "Run" not in text and "23" not in text and "24" not in text


def test_the_headline_names_start_method_speed_cores_and_workers():
    assert verdict(record(CPU, "x", method="fork"), record(CPU, "x", method="spawn")) == \
        ("With fork and with spawn took <b>the same time</b> (1.00 s and 1.00 s).")
    assert verdict(record(CPU, "x"), record(CPU, "x", speed=2)).startswith(
        "At speed 2: <b>2.00× as fast</b> as at speed 1 (0.50 s against 1.00 s)")
    text = verdict(record(CPU, "x", cores=2), record(CPU, "x", cores=4))
    assert "with 2 processes on 2 cores" in text.lower() and "with 4 processes on 4 cores" in text
    pool = load_builtin("pool")
    assert verdict(record(pool, "pool"), record(replace(pool, workers=Copies(1)), "pool")) \
        .startswith("With 2 workers: <b>2.00× as fast</b> as with 1 worker")
    both = verdict(record(CPU, "x", method="fork", speed=2), record(CPU, "x"))
    assert both.startswith("With fork at speed 2: <b>2.00× as fast</b> as with spawn at "
                           "speed 1")


def test_the_headline_names_scenarios_and_main_programs():
    seed, sequential = load_builtin("seed"), load_builtin("sequential")
    assert verdict(record(seed, "seed"), record(sequential, "sequential")).startswith(
        "“sequential”: <b>2.78× as fast</b> as “seed”")
    uneven = load_builtin("uneven")
    one_by_one = tuple(Step(action, p.var) for p in uneven.processes
                       for action in ("start", "join"))
    text = verdict(record(uneven, "uneven", number=1),
                   record(replace(uneven, program=one_by_one), "uneven", number=2))
    assert text.startswith("With the processes all at once: <b>1.82× as fast</b> as with "
                           "the processes one after another")
    # Any other edit: which run came after it.
    shorter = replace(seed, processes=tuple(replace(p, params={**p.params, "n": 2})
                                            for p in seed.processes))
    text = verdict(record(seed, "seed", number=1), record(shorter, "seed", number=2))
    assert text.startswith("After the edit: <b>") and "as fast</b> as before the edit" in text


def test_the_same_scenario_twice_is_noise():
    assert verdict(record(CPU, "x", number=1), record(CPU, "x", number=2)) == \
        "The same scenario twice: 1.00 s and 1.00 s (the difference is noise)."


def test_compare_backends_runs_processes_first_whatever_the_scenario_s_backend():
    assert backends_to_compare("processes") == ("processes", "threads")
    assert backends_to_compare("threads") == ("processes", "threads")
    assert backends_to_compare("pool") == ("processes", "pool")
    assert backends_to_compare("dask") == ("pool", "dask")  # the same tasks, on one computer


def test_compare_backends_of_a_threads_scenario_shows_processes_on_top(window, qtbot):
    window.files.open_builtin("threads-vs-processes-cpu")
    window.backend.combo.setCurrentIndex(window.backend.combo.findData("threads"))
    assert window.doc.scenario.backend == "threads"
    window.acts["compare_backends"].trigger()
    qtbot.waitUntil(lambda: window.runs.compare_window is not None
                    and window.runs.compare_window.isVisible(), timeout=60_000)
    first, second = window.view.history.runs[-2:]
    assert (first.store.backend, second.store.backend) == ("processes", "threads")
    top, bottom = window.runs.compare_window.chosen()
    assert (top.store.backend, bottom.store.backend) == ("processes", "threads")
    assert "with processes" in window.runs.compare_window.verdict.text().lower()
    assert window.doc.scenario.backend == "threads"  # the scenario is left as it was
