"""Shared test set-up: Qt offscreen, settings and lesson packs isolated, and no child
left behind."""

from __future__ import annotations

import os
import tempfile

# Before any QApplication exists: tests never need (or use) a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Before the tests are collected (some are made for each built-in): the lesson packs a
# user installed on this computer are not the tests' (the `packs` fixture gives a test
# a folder of its own).
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="mpgui-tests-data-")
# ... nor is its cache folder (the windows the tests start keep compiled code there).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="mpgui-tests-cache-")
# The tests read English, whatever this computer's locale or the user's choice (before
# mpgui.i18n is first imported: it chooses the language then).
os.environ["MPGUI_LANGUAGE"] = "en"

import psutil
import pytest

from tests.helpers import helper_processes


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path):
    """QSettings of every test go to its own folder, never the user's."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))


@pytest.fixture
def packs(tmp_path, monkeypatch):
    """A data folder of the test's own for lesson packs (the folder packs go in);
    the built-ins are read again after the test."""
    from mpgui.model.builtins import packs_dir, refresh_builtins

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    refresh_builtins()
    yield packs_dir()
    monkeypatch.undo()
    refresh_builtins()


@pytest.fixture(autouse=True)
def nothing_failed_while_drawing():
    """A guarded Qt override that raised reported it and went on (`mpgui.ui.guarded`:
    the window must survive a bug in drawing); in a test, that is a failure."""
    from mpgui.ui import guarded

    before = len(guarded.FAILURES)
    yield
    failed = guarded.FAILURES[before:]
    assert not failed, "an error while drawing:\n" + "\n".join(failed)


@pytest.fixture(autouse=True)
def no_child_left_behind():
    """Every test must leave no child process of ours running (helpers such as the
    forkserver, which multiprocessing keeps for the whole session, excepted)."""
    yield
    me = psutil.Process()
    left = [p for p in me.children(recursive=True) if p.pid not in helper_processes()]
    _gone, alive = psutil.wait_procs(left, timeout=3)
    for p in alive:
        p.kill()
    assert not alive, f"child processes left running: {[p.pid for p in alive]}"


@pytest.fixture
def said(monkeypatch):
    """Messages the window would have shown in a box; and the answers to 'save?' and,
    at quit, 'save which of the edited scenarios?' (none: Discard)."""
    from mpgui.ui import dialogs

    messages: list[str] = []
    answers = {"unsaved": dialogs.Unsaved.DISCARD, "save_edits": []}
    monkeypatch.setattr(dialogs, "show_error", lambda _w, title, text: messages.append(
        f"{title}: {text}"))
    monkeypatch.setattr(dialogs, "ask_unsaved", lambda _w, _name: answers["unsaved"])
    monkeypatch.setattr(dialogs, "ask_save_edits", lambda _w, _names: answers["save_edits"])
    return messages, answers


@pytest.fixture
def window(qtbot, said):
    """The main window on the seed, at speed 10, shown offscreen."""
    from PySide6.QtCore import Qt

    from mpgui.ui.main_window import MainWindow

    w = MainWindow(speed=10)
    qtbot.addWidget(w)
    w.open_initial("seed")
    # The offscreen screen is 800 x 800, where a first start fills the screen: the tests
    # want a desk-sized window.
    w.setWindowState(Qt.WindowState.WindowNoState)
    w.resize(1400, 900)
    w.show()
    yield w
    w.controller.shutdown()


@pytest.fixture
def asked(monkeypatch):
    """Python scripts the window asked whether to run ("Run this script?"); the answer
    is asked.answer (True: run it). Returns (ask, the paths asked about)."""
    from mpgui.ui import dialogs

    calls: list[str] = []

    def ask(_parent, path):  # type: ignore[no-untyped-def]
        calls.append(path)
        return ask.answer  # type: ignore[attr-defined]

    ask.answer = True  # type: ignore[attr-defined]
    monkeypatch.setattr(dialogs, "ask_run_script", ask)
    return ask, calls
