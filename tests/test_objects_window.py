"""Shared objects in the window: the table above the main program, the Uses column, a
workload that needs an object getting one (undone in one step), and the chart's
blocked spans and legend after a real run."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

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
    # (speed 2: the consumer finds the queue empty unless it starts 1 s after the
    # producer; at speed 10, a busy machine's start delay of 0.2 s was enough)
    window.speed.setValue(2)
    window.acts["run"].trigger()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=60_000)
    labels = [label for _key, label in window.legend.entries]
    assert "blocked on a shared object" in labels and "an item: put() to get()" in labels
    # Each item's way, from the producer's lane (above) down to the consumer's.
    layout = window.chart._layout()
    items = [s for s in layout.segments if s.kind == "item"]
    assert len(items) == 4 and all(s.y1 > s.y0 and s.x1 >= s.x0 for s in items)


def test_a_legend_too_long_for_its_lines_keeps_the_marks_of_the_lesson(qtbot):
    # German or Spanish labels at 1024 x 768 fill the legend's three lines: what it
    # leaves out is the everyday marks (a printed line, other programs' time), not the
    # lock's holder and the blocked process this scenario is about.
    from mpgui.runtime.protocol import State
    from mpgui.ui.chart.legend import ChartLegend
    from mpgui.ui.theme import LIGHT

    legend = ChartLegend(LIGHT)
    qtbot.addWidget(legend)
    legend.set_extras(frozenset({"others", "blocked", "holder"}))
    legend.set_show_plan(True)
    keys = [key for key, _label in legend.entries]
    whole = legend.sizeHint().width()
    shown_at = {}
    for width in range(whole + 50, 60, -10):
        places = legend._places(width)
        shown = {key for key, place in zip(keys, places, strict=True) if place is not None}
        shown_at[width] = shown
        assert max((p[1] for p in places if p is not None), default=0) < 3
        if len(shown) < len(keys):  # the everyday ones go first
            gone = set(keys) - shown
            if {State.BLOCKED, "holder"} & gone:
                assert {"line", "others", "plan", "exit", "busy"} <= gone, width
        # Shown in their own order, each right of the one before on its line.
        flowed = [p for p in places if p is not None]
        assert flowed == sorted(flowed, key=lambda p: (p[1], p[0]))
    assert shown_at[whole + 50] == set(keys)
    narrow = min(w for w, shown in shown_at.items() if {State.BLOCKED, "holder"} <= shown)
    assert "line" not in shown_at[narrow]


def _painted(chart, color: QColor) -> int:
    """How many pixels of the chart are exactly `color`."""
    image = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.sizeInBytes() // 4)
    return int(np.count_nonzero(pixels == color.rgb()))


def test_a_deadlock_is_said_and_stop_ends_it(qtbot, window):
    window.files.open_builtin("deadlock")
    # Speed 1: each holds its first lock for 1 s, so a late start of B on a busy
    # machine still meets A holding L1.
    window.speed.setValue(1)
    window.acts["run"].trigger()
    lifecycle = window.lifecycle
    qtbot.waitUntil(lambda: lifecycle._deadlock_box is not None, timeout=20_000)
    box = lifecycle._deadlock_box
    assert "A holds L1 and waits for L2; B holds L2 and waits for L1" in box.text()
    assert "Deadlock: A holds L1" in window.console.toPlainText()
    # The cycle on the chart: a red arrow from each of A and B to the lock it waits for.
    chart = window.chart
    qtbot.waitUntil(lambda: chart.objects.deadlock == window.controller.runner.deadlock)
    qtbot.waitUntil(lambda: _painted(chart, QColor(chart.theme.crash)) > 40)
    stop = next(b for b in box.buttons() if b.text() == "Stop the Run")
    stop.click()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=20_000)
    assert window.view.current.stopped and lifecycle._deadlock_box is None


def test_a_row_with_two_roles_takes_its_objects_in_order(qtbot, window):
    window.files.open_builtin("deadlock")
    table = window.table
    assert table.model_.index(1, COLUMN_OF["uses"]).data() == "L2, L1"
    _index, editor = open_editor(table, 1, COLUMN_OF["uses"])
    editor.setText("L1, L2")  # the fix: one order for everyone
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dict(window.doc.scenario.processes[1].uses) ==
                    {"first": "L1", "second": "L2"})
    _index, editor = open_editor(table, 1, COLUMN_OF["uses"])
    editor.setText("L1")  # one name for two roles: refused, and said
    with qtbot.waitSignal(table.model_.rejected) as said:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert "give 2 shared objects (first, second)" in said.args[0]
