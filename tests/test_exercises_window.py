"""Exercises in the window: the task under the explanation, hints one by one, the
verdict after a real run, progress kept and reset, and the parts an exercise fixes."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QAbstractItemView, QMessageBox

from mpgui.model.builtins import builtin_names, is_exercise, load_builtin
from mpgui.model.scenario import Step
from mpgui.ui.classroom.exercise import SOLVED_KEY, solved_exercises
from mpgui.ui.classroom.gallery import NAME_ROLE, SOLVED_MARK
from mpgui.ui.settings import settings


def _item(window, name):  # type: ignore[no-untyped-def]
    g = window.gallery
    return next(g.item(r) for r in range(g.count()) if g.item(r).data(NAME_ROLE) == name)


def _run_and_judge(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    # The verdict of this run: the last one stays until the queued judgement replaces it
    # (an edit keeps it), so wait for a new one, not for any.
    last = window.exercises.verdict
    window.acts["run"].trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=30_000)
    qtbot.waitUntil(lambda: window.exercises.verdict is not None
                    and window.exercises.verdict is not last, timeout=5_000)


def test_the_gallery_has_a_section_of_exercises(window):
    g = window.gallery
    texts = [g.item(r).text() for r in range(g.count())]
    heading = texts.index("Exercises")
    exercises = [n for n in builtin_names() if is_exercise(n)]
    assert len(exercises) >= 8
    # Below the heading, the exercises, numbered from 1; the heading is not a scenario.
    assert [g.item(r).data(NAME_ROLE) for r in range(heading + 1, g.count())] == exercises
    assert texts[heading + 1].startswith("1. ")
    assert not g.item(heading).flags() & Qt.ItemFlag.ItemIsSelectable
    g.itemClicked.emit(g.item(heading))
    assert window.doc.builtin == "seed"  # clicking the heading opens nothing


def test_an_exercise_shows_its_task_and_hints_one_by_one(qtbot, window):
    window.files.open_builtin("b-before-c")
    text = window.explanation.toPlainText()
    assert "Your task" in text and load_builtin("b-before-c").exercise.goal in text
    assert "you may edit only the main program" in text and "Hint 1" not in text
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier)
    assert "Hint 1:" in window.explanation.toPlainText()
    assert "Show a hint (2 of 3)" in window.explanation.toPlainText()
    window.explanation.anchorClicked.emit(QUrl("mpgui:hint"))
    assert "Hint 2:" in window.explanation.toPlainText()
    # Another scenario: no task; back again: the hints start over.
    window.files.open_builtin("seed")
    assert "Your task" not in window.explanation.toPlainText()
    assert not window.exercises.actions["hint"].isEnabled()


def test_a_run_is_judged_and_a_solved_exercise_is_kept(qtbot, window, monkeypatch):
    # At speed 1: B's and C's lines 0.2 s apart, more than a busy machine's difference
    # between two processes' start-ups (at the fixture's speed 10 they are 0.02 s
    # apart, and C could start late enough for B to finish first).
    window.speed.setValue(1)
    window.files.open_builtin("b-before-c")
    # A wrong answer that no machine's timing can make right: all of C, then B. (As
    # the exercise stands, B and C at once, a start-up of C 0.4 s late beside CPU
    # burners met the goal — seen in CI.)
    wrong = tuple(Step.parse(s) for s in ("C.start()", "C.join()", "B.start()", "B.join()"))
    window.doc.edit(replace(window.doc.scenario, program=wrong), "Reorder")
    _run_and_judge(qtbot, window)
    assert not window.exercises.verdict.met
    assert "✗ Not yet: B printed its last line at" in window.explanation.toPlainText()
    assert "Exercise: Not yet" in window.console.toPlainText()
    assert not _item(window, "b-before-c").text().startswith(SOLVED_MARK)
    # The student's edit: B, then C.
    program = tuple(Step.parse(s) for s in ("B.start()", "B.join()", "C.start()", "C.join()"))
    window.doc.edit(replace(window.doc.scenario, program=program), "Reorder")
    _run_and_judge(qtbot, window)
    assert window.exercises.verdict.met, window.exercises.verdict.sentence()
    assert "✓ Goal met" in window.explanation.toPlainText()
    # Presentation mode shows no explanation pane: its header says the task and verdict.
    assert "Your task:" in window.header.label.text()
    assert "✓ Goal met" in window.header.label.text()
    assert _item(window, "b-before-c").text().startswith(SOLVED_MARK)
    assert solved_exercises() == {"b-before-c"}
    # Reset Exercise Progress, agreed to.
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.exercises.actions["reset_progress"].trigger()
    assert solved_exercises() == set() and settings().value(SOLVED_KEY) in ([], None)
    assert not _item(window, "b-before-c").text().startswith(SOLVED_MARK)


def test_solved_marks_come_back_with_the_next_window(qtbot, window):
    from mpgui.ui.main_window import MainWindow

    settings().setValue(SOLVED_KEY, ["d-between", "no-deadlock"])
    again = MainWindow(speed=10)
    qtbot.addWidget(again)
    marked = {again.gallery.item(r).data(NAME_ROLE) for r in range(again.gallery.count())
              if again.gallery.item(r).text().startswith(SOLVED_MARK)}
    assert marked == {"d-between", "no-deadlock"}


def test_an_exercise_fixes_the_parts_it_does_not_open_to_edits(qtbot, window):
    window.files.open_builtin("d-between")  # only the main program may change
    before = window.doc.scenario
    assert window.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert window.program.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers
    window.table.select_row(0)
    window.table.actions_["remove"].trigger()
    assert window.doc.scenario == before and not window.isWindowModified()
    assert "The process table is fixed in this exercise" in window.statusBar().currentMessage()
    window.program.select_row(0)
    window.program.actions_["down"].trigger()  # the main program may change
    assert window.doc.scenario != before
    # Reset puts the exercise back, and an ordinary scenario is free again.
    window.gallery_actions.actions["reset"].trigger()
    assert window.doc.scenario == before
    window.files.open_builtin("seed")
    assert window.table.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers
