"""A crashing row's traceback reads like the equivalent script's (`mpgui code NAME`): the
frame of the row's function in that script, at the line that raised — not mpgui's own
workloads — in `mpgui run`'s stderr, the window's Output and the trace."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import MPGUI


def mpgui(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MPGUI, *args], capture_output=True, text=True, timeout=120)


def script_frame(*options: str) -> str:
    """The frame of the raise in `mpgui code crash OPTIONS`, as Python prints it."""
    code = mpgui("code", "crash", *options).stdout.split("\n")
    line = next(i for i, text in enumerate(code) if text.strip().startswith("raise "))
    function = next(text for text in reversed(code[:line]) if text.startswith("def "))
    name = function[4:function.index("(")]
    return f'  File "crash.py", line {line + 1}, in {name}\n    {code[line].strip()}\n'


@pytest.mark.parametrize(("backend", "header"), [("processes", "Process fragile:"),
                                                 ("threads", "Exception in thread fragile:")])
def test_mpgui_run_shows_the_traceback_of_the_generated_script(backend, header):
    res = mpgui("run", "crash", "--speed", "10", "--backend", backend)
    assert res.returncode == 0, res.stderr
    expected = (f"{header}\nTraceback (most recent call last):\n"
                f"{script_frame('--backend', backend)}RuntimeError: crashed at iteration 2\n")
    assert expected in res.stderr
    failure = res.stderr.split("\nmpgui: crash finished")[0]  # before the summary
    assert "mpgui" not in failure and "workloads.py" not in failure


def test_the_window_s_output_shows_the_script_s_frame(window, qtbot):
    window.files.open_builtin("crash")
    window.run()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=30_000)
    text = window.console.toPlainText()
    assert "Process fragile:\nTraceback (most recent call last):\n" + script_frame() + \
        "RuntimeError: crashed at iteration 2" in text
    assert "workloads.py" not in text
    lane = window.controller.runner.store.lanes[1]
    assert lane.error is not None and 'File "crash.py"' in lane.error[2]


def test_the_script_name_in_a_traceback_carries_no_control_characters():
    from mpgui.model.codegen import script_file_name

    assert script_file_name("threads-vs-processes-cpu") == "threads_vs_processes_cpu.py"
    shown = script_file_name('a\x1b[31m"\u202e\n.toml')
    assert shown.isascii() and shown.isprintable() and '"' not in shown, shown
    assert script_file_name("") == "scenario.py"
