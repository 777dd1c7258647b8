"""Shared objects in the window: the table above the main program, the Uses column, a
workload that needs an object getting one (undone in one step), and the chart's
blocked spans and legend after a real run."""

from __future__ import annotations

from PySide6.QtCore import Qt

from mpgui.ui.editor.objects_table import KIND, NAME, SETTING
from mpgui.ui.editor.process_table import COLUMN_OF
from tests.helpers import open_editor


def test_the_objects_table_shows_only_with_objects(qtbot, window):
    assert not window.objects.isVisible()
    assert window.table.isColumnHidden(COLUMN_OF["uses"])
    window.files.open_builtin("producer-consumer")
    qtbot.waitUntil(window.objects.isVisible)
    model = window.objects.model_
    assert model.index(0, NAME).data() == "Q"
    assert model.index(0, SETTING).data() == "no limit"
    assert not window.table.isColumnHidden(COLUMN_OF["uses"])
    assert window.table.model_.index(0, COLUMN_OF["uses"]).data() == "Q"


def test_choosing_a_producer_adds_a_queue_and_undo_takes_it_back(qtbot, window):
    _index, editor = open_editor(window.table, 0, COLUMN_OF["workload"])
    editor.setCurrentIndex(editor.findData("producer"))
    window.table.itemDelegate().commitData.emit(editor)
    window.table.itemDelegate().closeEditor.emit(editor)
    assert [o.name for o in window.doc.scenario.objects] == ["Q"]
    qtbot.waitUntil(window.objects.isVisible)
    assert "Q = multiprocessing.Queue()" in window.code.toPlainText()
    window.acts["undo"].trigger()
    assert window.doc.scenario.objects == ()
    qtbot.waitUntil(lambda: not window.objects.isVisible())


def test_an_object_is_edited_in_its_table(qtbot, window):
    window.files.open_builtin("producer-consumer")
    view = window.objects
    _index, editor = open_editor(view, 0, SETTING)
    editor.setValue(2)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits in a queued call
    qtbot.waitUntil(lambda: window.doc.scenario.objects[0].param("maxsize") == 2)
    assert view.model_.index(0, SETTING).data() == "max size 2"
    _index, editor = open_editor(view, 0, NAME)
    editor.setText("jobs")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.doc.scenario.processes[0].uses["q"] == "jobs")
    _index, editor = open_editor(view, 0, NAME)
    editor.setText("2bad")  # not a name: refused, and said
    with qtbot.waitSignal(view.model_.rejected) as said:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert "not a Python variable name" in said.args[0]
    assert window.doc.scenario.objects[0].name == "jobs"
    assert view.model_.index(0, KIND).data() == "Queue"


def test_a_run_shows_who_waited_on_what(qtbot, window):
    window.files.open_builtin("producer-consumer")
    window.speed.setValue(10)
    window.acts["run"].trigger()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=60_000)
    labels = [label for _key, label in window.legend.entries]
    assert "blocked on a shared object" in labels
