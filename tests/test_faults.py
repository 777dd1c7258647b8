"""The fault matrix: bad input, misbehaving children, a parent that stops or dies — the
window keeps working, the user's edits stay, no child is left behind. README's table
"What goes wrong, and what you see" lists these cases."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QElapsedTimer, QTimer

from mpgui.model import edits
from mpgui.model.builtins import load_builtin
from mpgui.model.fileformat import save_scenario
from mpgui.model.scenario import ProcessSpec, Scenario, Step
from mpgui.model.validation import errors, validate
from mpgui.runtime.parent.options import start_methods
from mpgui.runtime.parent.runner import Runner
from mpgui.ui.chart.labels import exit_text
from tests import misbehaving
from tests.helpers import MPGUI, alive, env_without_display, wait_until
from tests.scenarios import make, sleeper, spec

BAD_NUMBERS = ["", "  ", "-1", "abc", "nan", "inf", "1e308", -1, float("nan"), float("inf"),
               10**30, None, True]
BAD_TEXTS = ["", "   ", "1abc", "class", "a b", "x" * 1000, "x\ny", "\x00", "os"]


def finish(qtbot, w, seconds: float = 30) -> None:
    qtbot.waitUntil(lambda: not w.controller.running, timeout=int(seconds * 1000))


def code_compiles(w) -> None:
    """The Python code tab holds valid Python whatever the scenario's state."""
    compile(w.code.code(), "scenario.py", "exec")


# -- bad input in the window ---------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_NUMBERS + BAD_TEXTS)
def test_any_value_in_any_cell_is_taken_or_refused_never_a_traceback(window, value):
    for model in (window.table.model_, window.program.model_):
        for column in range(model.columnCount()):
            for row in range(model.rowCount()):
                index = model.index(row, column)
                before = window.doc.scenario
                taken = model.setData(index, value)
                after = window.doc.scenario
                if not taken:
                    assert after == before  # refused: nothing changed
                elif after != before:
                    model.data(index)  # it still shows
                    code_compiles(window)
                    window.doc.undo_stack.undo()
                    assert window.doc.scenario == before
    assert window.doc.scenario == load_builtin("seed")


def test_a_refused_cell_says_why(window, qtbot):
    from mpgui.ui.editor.process_table import COLUMN_OF

    model = window.table.model_
    with qtbot.waitSignal(window.table.message) as said:
        assert not model.setData(model.index(0, COLUMN_OF["n"]), "lots")
    assert "'lots' is not a number" in said.args[0]


def test_invalid_values_are_marked_and_run_is_disabled_with_the_reason(window):
    s = window.doc.scenario
    for bad in (-1, float("nan"), float("inf"), 10**30):
        window.doc.edit(edits.set_param(s, 0, "n", bad), "bad")
        assert not window.acts["run"].isEnabled()
        assert "Cannot run" in window.problem_label.text()
        code_compiles(window)
    window.doc.edit(edits.set_process_field(s, 1, "var", "A"), "duplicate")
    assert any("already used" in p.message for p in window.doc.errors())
    window.doc.edit(edits.set_process_field(s, 1, "var", "not valid"), "bad name")
    assert any("not a Python variable name" in p.message for p in window.doc.errors())
    code_compiles(window)


@pytest.mark.parametrize(("program", "words"), [
    ("X.join()", "no process named 'X'"),
    ("A.join()", "comes before A.start()"),
    ("A.start(); A.start()", "already started"),
])
def test_main_program_mistakes_are_named(program, words):
    scenario = make(sleeper("A"), program=program)
    assert any(words in p.message for p in errors(scenario))


def test_a_step_of_a_deleted_process_is_flagged_and_a_scenario_needs_a_process():
    scenario = edits.remove_process(load_builtin("seed"), 2)  # C, which the program joins
    assert any("no process named 'C'" in p.message for p in errors(scenario))
    assert any("there is no process" in p.message for p in errors(Scenario()))


def test_257_processes_are_refused_with_the_count():
    many = Scenario(tuple(ProcessSpec(f"P{i}", f"p{i}", "sleep_loop", {"n": 1})
                          for i in range(257)), (Step("start", "P0"),))
    assert any("makes 257 processes" in p.message for p in errors(many))
    assert not errors(replace(many, processes=many.processes[:256]))
    copies = replace(load_builtin("parallel-cpu"), processes=(replace(
        load_builtin("parallel-cpu").processes[0], copies=replace(
            load_builtin("parallel-cpu").processes[0].copies, count=256, per_core=False)),))
    assert any("from 1 to 64" in p.message for p in errors(copies))


# -- bad files -------------------------------------------------------------------------------

BAD_FILES = {
    "not TOML": (b"this is [not toml", "not valid TOML"),
    "wrong version": (b"format = 99\n", "version 99 is newer"),
    "unknown workload": (b'format = 1\n[[process]]\nvar = "A"\nname = "a"\n'
                         b'workload = "mine_bitcoin"\n', "unknown workload 'mine_bitcoin'"),
    "wrong types": (b'format = 1\nmain = "A.start()"\n', "main: expected a list"),
    "10 MB of text": (b"# " + b"x" * 10_000_000 + b"\n", "at most 1 MB"),
    "binary garbage": (bytes(range(256)) * 40, "not UTF-8 text"),
    "UTF-16": ('format = 1\n'.encode("utf-16"), "UTF-16"),
}


def _bad_file(tmp_path, case: str):
    path = tmp_path / f"{case.replace(' ', '_')}.toml"
    if case == "a directory":
        path.mkdir()
        return path, "is a folder"
    if case == "a missing path":
        return tmp_path / "nowhere" / "x.toml", "does not exist"
    data, words = BAD_FILES[case]
    path.write_bytes(data)
    return path, words


CASES = [*BAD_FILES, "a directory", "a missing path"]


@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_gives_a_message_and_keeps_the_current_scenario(window, said, tmp_path,
                                                                   case):
    messages, _ = said
    path, words = _bad_file(tmp_path, case)
    window.doc.edit(edits.set_param(window.doc.scenario, 0, "n", 7), "an edit of the user's")
    before = window.doc.scenario
    assert not window.files.open_path(path)
    assert window.doc.scenario is before and window.doc.modified
    assert words.lower() in messages[-1].lower(), messages


@pytest.mark.parametrize("case", CASES)
def test_mpgui_run_on_a_bad_file_exits_2_with_one_error_line(tmp_path, case):
    path, words = _bad_file(tmp_path, case)
    res = subprocess.run([*MPGUI, "run", str(path)], capture_output=True, text=True,
                         timeout=60, env=env_without_display())
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mpgui: error:"), res.stderr
    assert words.lower() in lines[0].lower()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_save_location_says_so_and_loses_nothing(window, said, tmp_path):
    messages, _ = said
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    window.doc.edit(edits.set_param(window.doc.scenario, 0, "n", 7), "edit")
    assert not window.files.save_to(locked / "mine.toml")
    assert window.doc.modified and "permission" in messages[-1].lower()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_a_save_where_no_file_can_be_made_says_so_even_for_root(window, said):
    messages, _ = said
    window.doc.edit(edits.set_param(window.doc.scenario, 0, "n", 7), "edit")
    assert not window.files.save_to(Path("/proc/self/mpgui.toml"))
    assert window.doc.modified and "/proc/self" in messages[-1]


def test_a_save_over_a_folder_says_so_and_loses_nothing(window, said, tmp_path):
    messages, _ = said
    window.doc.edit(edits.set_param(window.doc.scenario, 0, "n", 7), "edit")
    assert not window.files.save_to(tmp_path)  # a folder, not a file
    assert window.doc.modified and messages


def test_a_failed_save_never_truncates_the_file(tmp_path):
    path = tmp_path / "mine.toml"
    save_scenario(load_builtin("seed"), path)
    before = path.read_bytes()
    bad = replace(load_builtin("seed"), about=replace(load_builtin("seed").about,
                                                      title="\ud800"))  # cannot be encoded
    with pytest.raises(Exception):  # noqa: B017 - any failure, as long as the file stays
        save_scenario(bad, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]  # no temporary left


# -- children misbehaving --------------------------------------------------------------------


def runner_with(target):
    return type("MisbehavingRunner", (Runner,), {"child_target": staticmethod(target)})


def run_in_window(window, qtbot, target, scenario):
    window.controller.runner_class = runner_with(target)
    window.files.open_scenario(scenario, confirmed=True)
    window.run()
    return window.controller.runner


@pytest.mark.parametrize("method", start_methods())
def test_a_child_whose_grandchild_holds_its_sentinel_is_still_seen_to_end(method):
    # Ended children are found by their sentinels, and every child is asked now and then
    # too: a process the child forked keeps its sentinel (and its pipe) open.
    r = runner_with(misbehaving.leaves_a_grandchild)(make(sleeper("A")), start_method=method)
    grandchildren: list[int] = []
    try:
        began = time.monotonic()
        with r:
            r.run(on_poll=lambda: grandchildren.extend(
                int(text.split()[1]) for _t, _l, text in r.store.lines_since(0)
                if text.startswith("grandchild") and not grandchildren))
        assert time.monotonic() - began < 30  # not the grandchild's minute
        lane = r.store.lanes[r.lane_of("A")]
        assert lane.exit_code == 0 and grandchildren and alive(grandchildren)
    finally:
        for pid in grandchildren:
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not alive(grandchildren), 10)


def test_a_child_calling_os_exit_shows_its_code(window, qtbot):
    runner = run_in_window(window, qtbot, misbehaving.hard_exit, make(sleeper("A")))
    finish(qtbot, window)
    lane = runner.store.lanes[runner.lane_of("A")]
    assert lane.exit_code == 3 and lane.lines == 1
    assert exit_text(lane.exit_code, lane.error) == "exit 3"


def test_a_child_killed_from_outside_shows_the_signal(window, qtbot):
    runner = run_in_window(window, qtbot, misbehaving.silent_sleeper, make(sleeper("A")))
    qtbot.waitUntil(lambda: runner.pids() and runner.store.lanes[1].pid, timeout=20_000)
    os.kill(runner.pids()[0], signal.SIGKILL)
    finish(qtbot, window)
    assert runner.store.lanes[1].exit_code == -signal.SIGKILL
    assert window.acts["run"].isEnabled()


def test_stop_escalates_to_kill_for_a_child_that_ignores_sigterm(window, qtbot):
    runner = run_in_window(window, qtbot, misbehaving.deaf_to_sigterm, make(sleeper("A")))
    qtbot.waitUntil(lambda: runner.store.lanes[1].pid is not None, timeout=20_000)
    pids = runner.pids()
    window.stop()
    window.stop()  # Stop pressed twice: still one stop
    finish(qtbot, window, 10)
    assert runner.store.lanes[1].exit_code == -signal.SIGKILL and alive(pids) == []


def test_very_long_and_undecodable_lines_are_shown_cut_and_replaced(window, qtbot):
    runner = run_in_window(window, qtbot, misbehaving.garbled, make(sleeper("A")))
    finish(qtbot, window)
    texts = [text for _t, _l, text in runner.store.lines_since(0)]
    assert len(texts) == 3
    assert texts[0].startswith("xxx") and "more characters" in texts[0] and len(texts[0]) < 20_000
    assert "\ufffd" in texts[1]  # undecodable bytes shown as replacement characters
    window.console.refresh()
    assert "bad" in window.console.toPlainText()


def test_a_flood_of_a_million_lines_keeps_the_window_responsive(window, qtbot):
    window.files.open_scenario(make(spec("F", "flood", "line {i}", n=1_000_000)), confirmed=True)
    gaps, clock = [], QElapsedTimer()
    clock.start()

    def beat() -> None:
        gaps.append(clock.restart())

    heart = QTimer(window, interval=20, timeout=beat)
    heart.start()
    window.run()
    finish(qtbot, window, 120)
    heart.stop()
    assert window.controller.runner.store.n_lines == 1_000_000
    assert max(gaps[1:]) < 1000, max(gaps)  # the event loop never stalled for a second
    assert "faster than the window can show" in window.console.toPlainText()


# -- the parent ------------------------------------------------------------------------------


def test_run_pressed_twice_starts_one_run(window, qtbot):
    window.run()
    first = window.controller.runner
    window.run()
    window.acts["run"].trigger()
    assert window.controller.runner is first
    finish(qtbot, window)


GUI_THEN_KILLED = """
import os, signal, sys, time
from PySide6.QtCore import QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from mpgui.model import edits
from mpgui.ui.app import make_app
from mpgui.ui.main_window import MainWindow

if __name__ == "__main__":
    app = make_app()
    w = MainWindow(speed=1)
    w.open_initial("seed")
    w.show()
    w.doc.edit(edits.set_param(w.doc.scenario, 0, "n", 42), "the user's edit")
    w.run()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (w.autosave.file.exists()
                                               and len(w.controller.runner.pids()) == 3):
        app.processEvents()
        time.sleep(0.01)
    print(" ".join(map(str, w.controller.runner.pids())), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_window_leaves_no_child_and_its_edits_are_offered_at_the_next_start(
        tmp_path, qtbot, said, monkeypatch):
    from mpgui.ui import dialogs
    from mpgui.ui.main_window import MainWindow

    script = tmp_path / "gui.py"
    script.write_text(textwrap.dedent(GUI_THEN_KILLED))
    res = subprocess.run([sys.executable, str(script), str(tmp_path / "settings")],
                         capture_output=True, text=True, timeout=90, env=env_without_display())
    assert res.returncode == -signal.SIGKILL, res.stderr
    pids = [int(p) for p in res.stdout.split()]
    assert len(pids) == 3
    start = time.monotonic()
    wait_until(lambda: alive(pids) == [], 2.0, "the orphaned children to exit")
    assert time.monotonic() - start < 2.0
    asked = []
    monkeypatch.setattr(dialogs, "ask_recover", lambda _w, name, _when: asked.append(name) or True)
    w = MainWindow(speed=10)
    qtbot.addWidget(w)
    w.open_initial("seed")
    assert w.offer_recovery() and asked == ["seed"]
    assert w.doc.scenario.processes[0].param("n") == 42 and w.doc.modified
    w.doc.undo_stack.undo()  # the recovered edits are one step away from the built-in
    assert w.doc.scenario == load_builtin("seed")
    assert not list((tmp_path / "settings").rglob("recovery-*"))
    w.close()


def test_a_normal_close_leaves_nothing_to_recover(window, qtbot, tmp_path):
    window.doc.edit(edits.set_param(window.doc.scenario, 0, "n", 9), "edit")
    window.autosave.save()
    assert window.autosave.file.exists()
    window.doc.undo_stack.undo()  # back to the saved state: nothing unsaved
    assert not window.autosave.file.exists()
    window.doc.edit(edits.set_param(window.doc.scenario, 0, "n", 9), "edit")
    window.autosave.save()
    assert window.close()  # 'said' answers Discard to "save changes?"
    assert not window.autosave.file.exists()


def test_a_damaged_recovery_file_is_dropped_quietly(window, tmp_path):
    from mpgui.ui.editor.recovery import PREFIX, SUFFIX, left_behind, recovery_dir

    dead = subprocess.Popen(["true"])
    dead.wait()
    recovery_dir().mkdir(parents=True, exist_ok=True)
    bad = recovery_dir() / f"{PREFIX}{dead.pid}-0{SUFFIX}"
    bad.write_text(json.dumps({"format": 1, "scenario": "format = 1\n[[process]]\n"}))
    assert left_behind() == [] and not bad.exists()


# -- fuzz: the Runner with random valid scenarios --------------------------------------------


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 4))
    procs = []
    for i in range(n):
        workload = draw(st.sampled_from(["sleep_loop", "cpu_loop", "mixed", "crash", "flood"]))
        params = {"sleep_loop": {"n": 2, "interval": 0.5}, "cpu_loop": {"n": 2, "compute": 0.5},
                  "mixed": {"n": 2, "compute": 0.2, "interval": 0.2},
                  "crash": {"n": 3, "interval": 0.2, "at": 1},
                  "flood": {"n": draw(st.integers(0, 2000))}}[workload]
        procs.append(ProcessSpec(f"P{i}", f"p {i}", workload, params, "P{i} {n}",
                                 daemon=draw(st.booleans())))
    steps = []
    for p in procs:
        steps.append(Step("start", p.var))
        if draw(st.booleans()):
            steps.append(Step("join", p.var, draw(st.sampled_from([None, 0.0, 0.1]))))
        if draw(st.booleans()):
            steps.append(Step("sleep", "", 0.1))
    backend = draw(st.sampled_from(["processes", "threads", "pool"]))
    if backend == "processes" and draw(st.booleans()):
        steps.append(Step("terminate", procs[0].var))
    return Scenario(tuple(procs), tuple(steps), backend=backend)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.sampled_from([m for m in start_methods() if m != "spawn"] or ["spawn"]))
def test_fuzz_the_runner_with_random_valid_scenarios(scenario, method):
    assert [p for p in validate(scenario) if p.severity == "error"] == []
    with Runner(scenario, speed=200, start_method=method) as r:
        r.run()
    assert r.status == "finished"
    assert all(ln.end_t is not None for ln in r.store.lanes if ln.start_call_t is not None)
    wait_until(lambda: alive(r.pids()) == [], 5, "every child to end")
