"""The headless command line, and the generated code run with plain Python."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from mpgui import __version__
from mpgui.model import edits
from mpgui.model.codegen import generate_code
from mpgui.model.operations import prints_outside_a_loop, walk
from mpgui.model.registry import STEPS, WORKLOADS
from mpgui.model.shared import SharedObject
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.session.plan import predict
from tests.helpers import (
    MPGUI,
    PYTHON,
    alive,
    assert_seed_order,
    assert_seed_order_as_scheduled,
    assert_seed_timing,
    script_env,
    timed_lines,
    wait_until,
)
from tests.scenarios import make, spec


def mpgui(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*MPGUI, *args], capture_output=True, text=True, timeout=120, **kw)


@pytest.mark.slow
def test_seed_at_speed_1_matches_the_tutorial_both_in_mpgui_and_as_generated_code(tmp_path):
    """The ground truth: `mpgui run seed` and `mpgui code seed > s.py && python s.py` each
    print the tutorial's 16 lines with the tutorial's spacing (run side by side)."""
    script = tmp_path / "s.py"
    script.write_text(mpgui("code", "seed").stdout)
    results = {}

    def go(key, cmd):
        results[key] = timed_lines(cmd, env=script_env())

    threads = [threading.Thread(target=go, args=("mpgui", [*MPGUI, "run", "seed"])),
               threading.Thread(target=go, args=("script", [PYTHON, str(script)]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for key, (lines, code, err) in results.items():
        assert code == 0, (key, err)
        assert_seed_order([text for _t, text in lines])
        assert_seed_timing(lines, tolerance=0.05)


def test_generated_code_prints_the_same_lines_at_speed_10(tmp_path):
    script = tmp_path / "s.py"
    script.write_text(mpgui("code", "seed", "--speed", "10").stdout)
    lines, code, err = timed_lines([PYTHON, str(script)], env=script_env())
    assert code == 0, err
    assert_seed_order_as_scheduled(lines, speed=10)


# Small values for every workload's parameters: the loop's length, the iteration at
# which it fails, the exit code; every duration 0.02 s; any other its default.
_SMALL = {"n": 3, "at": 1, "code": 4}
_MESSAGES = ["{var}: {{i}}", "{{name}} {{i:02d}}/{{n}}", "{var} {{i}} pid-free", "{var}{{i}}"]


def test_every_workload_prints_the_same_lines_in_mpgui_and_in_generated_code(tmp_path):
    """Each workload of the registry (a new one too), run by mpgui and as the generated
    script with plain Python: the same lines, and the exit codes the prediction says."""
    rows = [spec(f"W{k}", w.name, _MESSAGES[k % len(_MESSAGES)].format(var=f"W{k}")
                 if not prints_outside_a_loop(w.ops) else f"W{k} once",
                 **{p.name: 0.02 if p.is_duration else _SMALL.get(p.name, p.default)
                    for p in w.params})
            for k, w in enumerate(WORKLOADS.values())]
    scenario = make(*rows, program="; ".join(f"{p.var}.start()" for p in rows)
                    + "; time.sleep(0.1); W0.join(timeout=5)")
    for k, w in enumerate(WORKLOADS.values()):  # shared objects for those that use some
        if w.roles:  # (a producer and a consumer share one queue: the same n items)
            scenario = edits.set_process_field(scenario, k, "workload", w.name)
        if w.name == STEPS:  # (steps of each kind that need no other row)
            scenario = edits.set_process_field(
                scenario, k, "steps", "sleep 0.01; compute 0.01; acquire SL; add SV; "
                "release SL; add_locked SV; read SV; set SE; wait SE; clear SE; print")
    # A barrier waits for as many parties as the rows that use it (here: one).
    scenario = replace(scenario, objects=tuple(
        replace(o, params={"parties": sum(o.name in p.uses.values()
                                          for p in scenario.processes)})
        if o.kind == "Barrier" else o for o in scenario.objects))
    scenario = _as_many_puts_as_gets(_a_pipe_per_pair(scenario))
    with Runner(scenario) as r:
        r.run()
    ours = sorted(text for _t, _l, text in r.store.lines_since(0))
    script = tmp_path / "all.py"
    script.write_text(generate_code(scenario))
    proc = subprocess.run([PYTHON, str(script)], capture_output=True, text=True, timeout=60,
                          env=script_env())
    assert proc.returncode == 0
    assert sorted(proc.stdout.splitlines()) == ours and len(ours) > len(rows)
    assert "RuntimeError: crashed at iteration 1" in proc.stderr
    codes = [ln.exit_code for ln in r.store.lanes[1:]]
    assert codes == [ln.exit_code for ln in predict(scenario, cores=2).lanes[1:]]
    assert {1, 4} <= set(codes)  # the crash and the exit with a code


def _a_pipe_per_pair(scenario):  # type: ignore[no-untyped-def]
    """The pinger and the ponger share one pipe, the sender and the receiver another:
    one process at each end of a pipe (two readers at one end can garble messages); the
    gatekeeper has an event of its own; a waiter on a condition waits for nothing."""
    pairs = {"pinger": "P", "ponger": "P", "sender": "P2", "receiver": "P2"}
    for row, p in enumerate(scenario.processes):
        if p.workload in pairs:
            scenario = edits.set_uses(scenario, row, "pipe", pairs[p.workload])
        if p.workload == "gatekeeper":  # (it ends with its event cleared: a racer that
            # waited on the same event after that would wait for ever)
            scenario = edits.set_uses(scenario, row, "event", "GATE")
        if p.workload == "waiter":  # (a notification is not kept: a waiter that starts
            # waiting after the last one waits for ever — the lesson of condition-wakeup,
            # whose own tests run it)
            scenario = edits.set_param(scenario, row, "n", 0)
    objects = [o for o in scenario.objects if o.kind != "Pipe"]
    return replace(scenario, objects=(*objects, SharedObject("P", "Pipe"),
                                      SharedObject("P2", "Pipe"), SharedObject("GATE", "Event")))


def _as_many_puts_as_gets(scenario):  # type: ignore[no-untyped-def]
    """Every queue's first putter puts as many items as its getters get (several
    consumers may share one producer's queue: none must wait for ever)."""
    puts: dict[str, int] = {}
    gets: dict[str, int] = {}
    putter: dict[str, int] = {}
    for row, p in enumerate(scenario.processes):
        for op in walk(WORKLOADS[p.workload].ops):
            for verb, count in (("put", puts), ("get", gets)):
                if op.kind == verb:
                    obj = p.uses[op.queue]
                    count[obj] = count.get(obj, 0) + p.params.get("n", 1)
                    if verb == "put":
                        putter.setdefault(obj, row)
    for obj, row in putter.items():
        more = gets.get(obj, 0) - puts[obj]
        if more > 0:
            p = scenario.processes[row]
            scenario = edits.set_param(scenario, row, "n", p.params["n"] + more)
    return scenario


def test_run_prints_lines_and_a_summary(tmp_path):
    # Speed 10, not 20: lines due apart are then 90 ms apart, well beyond the tens of ms
    # by which spawn start-ups differ on a busy machine.
    table = tmp_path / "t.csv"
    res = mpgui("run", "seed", "--speed", "10", "--csv", str(table))
    assert res.returncode == 0
    # The lines in the order printed, each at the time the run recorded it.
    rows = [r for r in csv.DictReader(io.StringIO(table.read_text())) if r["record"] == "line"]
    recorded = {r["text"]: float(r["start_s"]) for r in rows}
    assert len(recorded) == len(rows) == 16
    assert_seed_order_as_scheduled([(recorded[text], text) for text in res.stdout.splitlines()],
                                   speed=10)
    assert "seed finished in" in res.stderr and "this computer has" in res.stderr
    assert "process1 3" in res.stderr


def test_run_writes_chrome_trace_and_csv(tmp_path):
    trace, table = tmp_path / "t.json", tmp_path / "t.csv"
    res = mpgui("run", "seed", "--speed", "20", "--trace", str(trace), "--csv", str(table))
    assert res.returncode == 0, res.stderr
    doc = json.loads(trace.read_text())
    events = doc["traceEvents"]
    names = {e["args"]["name"] for e in events if e.get("name") == "process_name"}
    assert {"main program", "A (process1 1)", "D (process1 4)"} <= names
    assert sum(1 for e in events if e.get("cat") == "print") == 16
    assert any(e["name"] == "C.join()" and e["ph"] == "X" for e in events)
    assert all("core" in e["args"] for e in events if e.get("cat") == "state")
    assert {e["ph"] for e in events if e.get("cat") == "join"} >= {"X", "s", "f"}
    rows = list(csv.DictReader(io.StringIO(table.read_text())))
    assert sum(r["record"] == "line" for r in rows) == 16
    # (and "others" rows where other programs' use of the CPUs is measured)
    assert {r["record"] for r in rows} - {"others"} == {"span", "line", "start", "exit", "join"}


def test_crash_traceback_goes_to_stderr_like_a_script(tmp_path):
    path = tmp_path / "crash.toml"
    path.write_text('format = 1\nmain = ["A.start()"]\n[[process]]\nvar = "A"\nname = "boom"\n'
                    'workload = "crash"\nparams = { n = 3, interval = 0.01, at = 1 }\n')
    res = mpgui("run", str(path))
    assert res.returncode == 0
    assert res.stdout == "Process: 0\n"
    assert "Process boom:\nTraceback (most recent call last):" in res.stderr
    assert "RuntimeError: crashed at iteration 1" in res.stderr


@pytest.mark.parametrize(("args", "words"), [
    (["run", "nope"], "no built-in scenario called 'nope'"),
    (["run", "missing.toml"], "missing.toml does not exist"),
    (["run", "seed", "--speed", "fast"], "speed must be a number"),
    (["run", "seed", "--speed", "0"], "speed must be a number"),
    (["run", "seed", "--start-method", "teleport"], "invalid choice"),
    (["run"], "the following arguments are required: scenario"),
    (["run", "seed", "--bogus"], "unrecognized arguments"),
    (["code", "nope"], "no built-in scenario"),
    (["run", "seed", "--trace", "/no/such/dir/t.json"], "does not exist"),
    (["run", "seed", "--png", "/no/such/dir/c.png"], "does not exist"),
    (["run", "seed", "--png", "c.png", "--size", "big"], "size must be WIDTHxHEIGHT"),
    (["nope"], "no built-in scenario called 'nope'"),
])
def test_bad_input_is_one_error_line_and_exit_2(args, words):
    res = mpgui(*args)
    assert res.returncode == 2
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mpgui: error: "), res.stderr
    assert words in lines[0]


def test_malformed_and_invalid_files_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    invalid = tmp_path / "invalid.toml"
    invalid.write_text('format = 1\nmain = ["A.join()"]\n[[process]]\nvar = "A"\nname = "a"\n'
                       'workload = "sleep_loop"\n')
    for path, words in ((bad, "UTF-16"), (invalid, "A.join() comes before A.start()")):
        res = mpgui("run", str(path))
        assert res.returncode == 2 and words in res.stderr and "Traceback" not in res.stderr


def test_list_version_and_code():
    listed = mpgui("list").stdout.splitlines()
    assert listed[0].split()[0] == "seed"
    assert mpgui("--version").stdout.strip() == f"mpgui {__version__}"
    code = mpgui("code", "seed").stdout
    compile(code, "seed.py", "exec")
    assert 'A = multiprocessing.Process(target=process_A, args=(4, 1.0), name="process1 1")' \
        in code
    assert "    C.join()" in code


def test_ctrl_c_stops_the_run_and_leaves_no_child():
    import signal

    import psutil

    with subprocess.Popen([*MPGUI, "run", "seed"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout.readline()  # running: a first line arrived
        kids = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "stopped after" in err
    # multiprocessing's resource tracker leaves a moment after its parent.
    wait_until(lambda: alive(kids) == [], 2.0, "every child to be gone")


def test_module_entry_point_works():
    res = subprocess.run([sys.executable, "-m", "mpgui", "list"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0 and "seed" in res.stdout


def test_run_draws_the_chart_as_png_and_svg_without_a_display(tmp_path):
    png, svg = tmp_path / "seed.png", tmp_path / "seed.svg"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    res = mpgui("run", "seed", "--speed", "20", "--png", str(png), "--svg", str(svg),
                "--size", "1280x720", "--theme", "high contrast", env=env)
    assert res.returncode == 0, res.stderr
    assert "does not support" not in res.stderr  # the offscreen platform's notes are muted
    from PySide6.QtGui import QImage

    assert QImage(str(png)).size().toTuple() == (1280, 720)
    root = ET.parse(svg).getroot()
    assert root.get("viewBox") == "0 0 1280 720"
    assert "The tutorial's four processes" in svg.read_text()


