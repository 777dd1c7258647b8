"""`mpgui FILE`, a drop and the desktop's "Open With": a file opens by what it is — a
scenario, a run file (.mpgrun, or gzip's magic), or a Python script (.py, or a python
#! line) run traced after the trust question — never a script read as TOML."""

from __future__ import annotations

import os
import shutil
import time

from mpgui.model.builtins import load_builtin
from mpgui.model.fileformat import dump_scenario
from mpgui.model.filekind import RUN, SCENARIO, SCRIPT, file_kind
from tests.test_classroom import run_to_end
from tests.test_script_trace import SCRIPTS
from tests.test_script_window import finish


def test_kinds_by_suffix_then_by_content(tmp_path):
    seed = dump_scenario(load_builtin("seed"))
    files = {
        "a.toml": (seed.encode(), SCENARIO), "a.mpgrun": (b"", RUN),
        "a.py": (b"", SCRIPT), "a.PYW": (b"", SCRIPT),
        "run-without-suffix": (b"\x1f\x8b\x08\x00rest", RUN),
        "tool": (b"#!/usr/bin/env python3\nprint(1)\n", SCRIPT),
        "shell": (b"#!/bin/sh\necho\n", SCENARIO),  # the scenario loader says "not TOML"
        "scenario.txt": (seed.encode(), SCENARIO),
    }
    for name, (data, _kind) in files.items():
        (tmp_path / name).write_bytes(data)
    assert {name: file_kind(tmp_path / name) for name in files} == \
        {name: kind for name, (_data, kind) in files.items()}
    assert file_kind("seed") == SCENARIO  # a built-in's name
    assert file_kind(tmp_path / "missing") == SCENARIO  # its loader names the problem
    assert seed.startswith("# mpgui scenario")  # what the MIME type's magic matches


def test_a_fifo_is_not_read_to_find_its_kind(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    assert file_kind(fifo) == SCENARIO  # no writer: reading it would block for ever
    assert time.monotonic() - started < 5




def open_app_window(qtbot, open_file):  # type: ignore[no-untyped-def]
    from mpgui.ui.app import open_window

    w = open_window(None, open_file=open_file)
    qtbot.addWidget(w)
    return w


def test_mpgui_script_asks_then_runs_it_traced(qtbot, said, asked, tmp_path):
    _ask, calls = asked
    script = tmp_path / "mine.py"
    shutil.copy(SCRIPTS / "processes.py", script)
    script.write_text(script.read_text().replace("sys.argv[1]", "'spawn'"))
    w = open_app_window(qtbot, script)
    qtbot.waitUntil(lambda: calls == [str(script)], timeout=10_000)
    finish(qtbot, w)
    assert w.view.history.latest.script == "mine.py"
    assert "parent saw 1" in w.console.toPlainText()
    assert not said[0]  # no "not valid TOML"


def test_mpgui_script_declined_runs_nothing(qtbot, said, asked, tmp_path):
    ask, calls = asked
    ask.answer = False
    script = tmp_path / "no.py"
    script.write_text("open('ran', 'w').write('yes')\n")
    w = open_app_window(qtbot, script)
    qtbot.waitUntil(lambda: calls == [str(script)], timeout=10_000)
    assert not w.controller.running and not (tmp_path / "ran").exists()
    assert not said[0]


def test_mpgui_runfile_opens_the_run_even_without_its_suffix(qtbot, window, said, tmp_path):
    run_to_end(qtbot, window)
    path = tmp_path / "demo.mpgrun"
    assert window.runs.save_run_to(window.view.current, path)
    w = open_app_window(qtbot, path)
    qtbot.waitUntil(lambda: w.view.current is not None, timeout=10_000)
    assert w.view.current.source == path and not said[0]
    renamed = tmp_path / "demo-from-mail"
    shutil.copy(path, renamed)
    assert window.open_file(renamed)  # as a drop does
    assert window.view.current.source == renamed and not said[0]


def test_a_file_given_at_start_up_is_opened_once_the_window_is_on_screen(qtbot, window,
                                                                      tmp_path):
    """A large run file reads for seconds: the window is painted first, not left black
    behind the reading."""
    run_to_end(qtbot, window)
    path = tmp_path / "demo.mpgrun"
    assert window.runs.save_run_to(window.view.current, path)
    w = open_app_window(qtbot, path)
    exposed: list[bool] = []
    open_file = w.open_file

    def noted(p):  # type: ignore[no-untyped-def]
        handle = w.windowHandle()
        exposed.append(handle is not None and handle.isExposed())
        return open_file(p)

    w.open_file = noted  # (before the event loop runs the start-up's timers)
    qtbot.waitUntil(lambda: w.view.current is not None, timeout=10_000)
    assert exposed == [True]


def test_mpgui_with_a_script_that_is_a_fifo_is_one_error_line(tmp_path):
    """`mpgui x.py` checks the file before any window: a named pipe would hang Python."""
    import subprocess
    import sys

    fifo = tmp_path / "x.py"
    os.mkfifo(fifo)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    res = subprocess.run([sys.executable, "-m", "mpgui", str(fifo)], capture_output=True,
                         text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == \
        [f"mpgui: error: {fifo} is a named pipe (FIFO), not a Python script"]
