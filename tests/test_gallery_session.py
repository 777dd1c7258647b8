"""Edited built-ins are kept for the session like a browser's tabs: going through the
gallery never asks, coming back shows the edits (marked, with their undo history),
Reset clears them, and quitting offers them all for saving in one question."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from mpgui.model import edits
from mpgui.model.builtins import builtin_names, builtin_path, load_builtin
from mpgui.model.fileformat import load_scenario, save_scenario
from mpgui.ui import dialogs
from mpgui.ui.classroom.gallery import EDITED_MARK, EDITED_ROLE
from mpgui.ui.editor import recovery
from mpgui.ui.editor.session_edits import unsaved_at_quit
from mpgui.ui.save_edits_dialog import SaveEditsDialog

NAMES = builtin_names()


@pytest.fixture
def asked(monkeypatch, said):
    """Every 'save the changes?' the window asks, by name; answered Cancel, so that a
    question asked by mistake also stops what asked it."""
    questions: list[str] = []
    monkeypatch.setattr(dialogs, "ask_unsaved", lambda _w, name: questions.append(name)
                        or dialogs.Unsaved.CANCEL)
    return questions


@pytest.fixture
def at_quit(monkeypatch):
    """The quit question: the names it listed each time, and the answer to give."""
    shown: list[list[str]] = []
    answer: dict[str, list[int] | None] = {"rows": None}  # None: Cancel

    def ask(_w, names):
        shown.append(list(names))
        return answer["rows"]

    monkeypatch.setattr(dialogs, "ask_save_edits", ask)
    return shown, answer


def run_as(window, backend: str) -> None:
    """Choose `backend` in the toolbar's "run as" box, as the user does."""
    combo = window.backend.combo
    combo.setCurrentIndex(combo.findData(backend))
    assert window.doc.scenario.backend == backend


def page(qtbot, window, key: Qt.Key, times: int) -> None:
    for _ in range(times):
        qtbot.keyClick(window, key)


def item_of(window, name: str):
    return next(window.gallery.item(r) for r in range(window.gallery.count())
                if window.gallery.item(r).data(Qt.ItemDataRole.UserRole) == name)


def marked(window, name: str) -> bool:
    item = item_of(window, name)
    edited = bool(item.data(EDITED_ROLE))
    assert item.text().endswith(EDITED_MARK) == edited
    assert ("Edited in this session" in item.toolTip()) == edited
    return edited


def test_page_down_over_an_edited_builtin_asks_nothing_and_page_up_brings_it_back(
        qtbot, window, asked):
    run_as(window, "threads")  # the toolbar's box is an edit of the scenario
    window.table.select_row(0)
    window.table.actions_["remove"].trigger()
    edited = window.doc.scenario
    assert window.isWindowModified() and marked(window, "seed")
    page(qtbot, window, Qt.Key.Key_PageDown, 3)
    assert asked == [] and window.doc.builtin == NAMES[3]
    assert not window.isWindowModified() and not window.acts["undo"].isEnabled()
    assert marked(window, "seed") and not marked(window, NAMES[1])
    page(qtbot, window, Qt.Key.Key_PageUp, 3)
    assert asked == [] and window.doc.builtin == "seed"
    assert window.doc.scenario == edited and window.backend.combo.currentData() == "threads"
    assert window.isWindowModified() and window.windowTitle() == "seed[*] — mpgui"
    assert window.gallery_actions.actions["reset"].isEnabled()
    window.acts["undo"].trigger()  # the history came back too: one step, then the other
    assert len(window.doc.scenario.processes) == 4 and window.doc.scenario.backend == "threads"
    window.acts["undo"].trigger()
    assert window.doc.scenario == load_builtin("seed") and not window.isWindowModified()
    assert not marked(window, "seed")
    window.acts["redo"].trigger()
    assert window.doc.scenario.backend == "threads" and marked(window, "seed")


def test_reset_restores_the_builtin_and_it_no_longer_counts_as_edited(qtbot, window, asked):
    run_as(window, "pool")
    page(qtbot, window, Qt.Key.Key_PageDown, 1)
    page(qtbot, window, Qt.Key.Key_PageUp, 1)
    assert window.doc.scenario.backend == "pool"
    window.gallery_actions.actions["reset"].trigger()  # Ctrl+Shift+R
    assert window.doc.scenario == load_builtin("seed") and not window.isWindowModified()
    assert not marked(window, "seed") and not window.gallery_actions.actions["reset"].isEnabled()
    page(qtbot, window, Qt.Key.Key_PageDown, 1)
    assert asked == [] and not marked(window, "seed")
    assert window.files.session.edited() == []
    assert unsaved_at_quit(window.doc, window.files.session) == []
    page(qtbot, window, Qt.Key.Key_PageUp, 1)
    assert window.doc.scenario == load_builtin("seed") and not window.isWindowModified()
    window.acts["undo"].trigger()  # the reset is undoable, here too
    assert window.doc.scenario.backend == "pool" and window.isWindowModified()


def test_opening_a_file_or_new_keeps_the_builtin_and_a_file_still_asks(qtbot, window, asked,
                                                                       tmp_path):
    path = tmp_path / "mine.toml"
    save_scenario(load_builtin(NAMES[2]), path)
    run_as(window, "threads")
    assert window.files.open_path(path)  # no question: the built-in is kept
    assert asked == [] and window.doc.path == path and marked(window, "seed")
    window.files.actions["new"].trigger()
    assert asked == [] and window.doc.display_name == "untitled"
    window.gallery.chosen.emit("seed")  # a click in the gallery
    assert window.doc.builtin == "seed" and window.doc.scenario.backend == "threads"
    assert window.files.open_path(path) and window.doc.path == path
    run_as(window, "pool")  # a file's changes are asked about, as before
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert asked == ["mine.toml"] and window.doc.path == path  # Cancel: it stays
    assert window.doc.scenario.backend == "pool"


def test_quit_lists_every_unsaved_scenario_in_one_question(qtbot, window, asked, at_quit,
                                                            tmp_path, monkeypatch):
    shown, answer = at_quit
    shipped = builtin_path("seed").read_bytes()
    run_as(window, "threads")
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    run_as(window, "pool")
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    run_as(window, "threads")  # the open one, edited too
    labels = [u.label for u in unsaved_at_quit(window.doc, window.files.session)]
    assert [label.split(" ")[0] for label in labels] == [NAMES[2], "seed", NAMES[1]]
    assert all(label.endswith("(built-in)") for label in labels)
    assert load_builtin("seed").about.title in labels[1]
    assert not window.close()  # Cancel: the window stays, nothing is lost
    assert shown == [labels] and asked == [] and window.isVisible()
    assert window.doc.modified and len(window.files.session.edited()) == 2
    # Save the kept seed only: asked where (a built-in is never overwritten), then quit.
    target = tmp_path / "my-seed.toml"
    where = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, title, suggested, _f:
                        where.append((title, suggested)) or (str(target), ""))
    answer["rows"] = [1]
    assert window.close()
    assert len(where) == 1 and "seed" in where[0][0] and where[0][1].endswith("seed.mpg.toml")
    assert load_scenario(target).backend == "threads"
    assert builtin_path("seed").read_bytes() == shipped
    assert not list(recovery.recovery_dir().glob("recovery-*"))  # a normal close


def test_quit_with_a_cancelled_save_location_keeps_the_window_and_saves_nothing(
        qtbot, window, asked, at_quit, tmp_path, monkeypatch):
    shown, answer = at_quit
    run_as(window, "threads")
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: ("", ""))
    answer["rows"] = [0]
    assert not window.close() and window.files.session.edited()
    answer["rows"] = []  # Discard
    assert window.close() and len(shown) == 2


def test_quit_with_only_the_open_document_edited_asks_the_usual_question(window, said,
                                                                         at_quit):
    shown, _answer = at_quit
    run_as(window, "threads")
    assert window.close()  # 'said' answers Discard
    assert shown == []


def test_the_quit_dialog_checks_all_and_answers_save_discard_or_cancel(qtbot):
    box = SaveEditsDialog(None, ["seed — The tutorial's four processes (built-in)",
                                 "mine.toml"])
    qtbot.addWidget(box)
    assert box.checked() == [0, 1] and box.save.isEnabled()
    box.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert box.checked() == [1]
    box.save.click()
    assert box.chosen() == [1]
    box.list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert not box.save.isEnabled()  # nothing to save: Discard says so
    box.discard.click()
    assert box.chosen() == []
    box.reject()  # Cancel, Esc or the window's close button
    assert box.chosen() is None


def test_presentation_keys_never_ask(qtbot, window, asked, tmp_path):
    run_as(window, "threads")
    window.acts["present"].trigger()  # F11
    assert window.presentation.active
    page(qtbot, window, Qt.Key.Key_PageDown, 2)
    page(qtbot, window, Qt.Key.Key_PageUp, 2)
    assert asked == [] and window.doc.builtin == "seed"
    assert window.doc.scenario.backend == "threads"
    # A file with unsaved changes stays, and the status bar says why.
    path = tmp_path / "mine.toml"
    save_scenario(load_builtin("seed"), path)
    assert window.files.open_path(path)
    window.doc.edit(edits.set_param(window.doc.scenario, 0, "n", 2), "edit")
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert asked == [] and window.doc.path == path
    assert "unsaved changes" in window.statusBar().currentMessage()
    window.acts["present"].trigger()
    assert not window.presentation.active
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # at the desk, the usual question
    assert asked == ["mine.toml"]


def test_kept_edits_have_a_recovery_file_and_come_back_after_a_crash(qtbot, window, asked,
                                                                      monkeypatch):
    run_as(window, "threads")
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    kept = recovery.kept_file("seed")
    assert recovery.read(kept).scenario.backend == "threads"
    qtbot.keyClick(window, Qt.Key.Key_PageUp)  # open again: the document's own autosave
    assert not kept.exists()
    # What a crashed window left: seed kept aside, NAMES[1] open.
    dead = subprocess.Popen(["true"])
    dead.wait()
    folder = recovery.recovery_dir()
    seed = edits.set_param(load_builtin("seed"), 0, "n", 7)
    other = edits.set_param(load_builtin(NAMES[1]), 0, "n", 9)
    recovery.write(folder / f"recovery-{dead.pid}-kept-seed.json", seed, None, "seed")
    recovery.write(folder / f"recovery-{dead.pid}-abc.json", other, None, NAMES[1])
    offered = []
    monkeypatch.setattr(dialogs, "ask_recover", lambda _w, name, _when: offered.append(name)
                        or True)
    assert window.offer_recovery() and sorted(offered) == sorted(["seed", NAMES[1]])
    assert window.doc.builtin == NAMES[1] and window.doc.scenario == other
    assert window.doc.modified and marked(window, "seed") and marked(window, NAMES[1])
    assert asked == []
    window.files.open_builtin("seed")
    assert window.doc.scenario == seed and window.doc.modified
    window.acts["undo"].trigger()  # the recovered edits, one step from this session's
    assert window.doc.scenario.backend == "threads"
    assert not list(Path(folder).glob(f"recovery-{dead.pid}-*"))
