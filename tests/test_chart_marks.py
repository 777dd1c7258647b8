"""The chart's marks after real runs: terminate() as a first-class mark, the daemon's
implicit terminate at the end, every label present and placed, and the placeholder that
names a bad cell when there is nothing to draw."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from mpgui.ui.chart.labels import Box
from tests.helpers import open_editor
from tests.layout_checks import chart_problems, coverage_problems, problems
from tests.test_layout_matrix import settle
from tests.test_window import COLUMN_OF


def run_builtin(qtbot, window, name: str) -> None:
    window.files.open_builtin(name)
    window.acts["run"].trigger()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=60_000)


def layout_of(window):  # type: ignore[no-untyped-def]
    chart = window.chart
    layout = chart._layout()
    assert layout is not None
    plot = Box(0, 0, chart.vb.width(), chart.vb.height())
    assert chart_problems(layout, plot) == []
    assert coverage_problems(chart, layout) == []
    return layout


def test_terminate_is_drawn_on_the_main_program_and_on_the_process(qtbot, window):
    run_builtin(qtbot, window, "terminate")
    store = window.view.current.store
    a = next(ln for ln in store.lanes if ln.var == "A")
    assert a.terminate_t is not None and a.exit_code == -15 and not a.terminated_at_end
    layout = layout_of(window)
    texts = {lb.shown: lb for lb in layout.labels}
    assert texts["A.terminate()"].role == "terminate"
    assert ("terminate", a.index) in texts["A.terminate()"].covers
    assert "terminated (exit -15)" in texts  # not "killed by signal": the program did it
    # A red arrow from the main program down to A, at the moment terminate() was called.
    assert any(s.kind == "terminate" and s.crash for s in layout.segments)
    assert sum(red for _x, _y, red in layout.arrows) >= 1
    assert "terminate(): SIGTERM" in [label for _k, label in window.legend.entries]


def test_a_daemon_is_terminated_at_the_end_and_says_so(qtbot, window):
    run_builtin(qtbot, window, "daemon")
    store = window.view.current.store
    d = next(ln for ln in store.lanes if ln.var == "D")
    assert d.terminated_at_end and d.exit_code == -15
    labels = [lb.shown for lb in layout_of(window).labels]
    assert "D.terminate() at the end" in labels
    assert "N.join()" in labels


def test_every_mark_of_exit_codes_has_its_label(qtbot, window):
    run_builtin(qtbot, window, "exit-codes")
    labels = [lb.shown for lb in layout_of(window).labels]
    assert "Stop.terminate()" in labels and "exit 3" in labels
    assert any(text.startswith("✖ exit 1") for text in labels)
    # A label shortened to fit still says everything on hover.
    chart = window.chart
    for label in chart._layout().labels:
        hovered = chart.label_at(label.box.x + 2, label.box.y + label.box.h / 2)
        assert hovered is not None and hovered.text == label.text


def test_a_bad_cell_shows_a_placeholder_that_names_it(qtbot, window):
    placeholder = window.chart.placeholder
    assert not placeholder.isVisible()
    _index, editor = open_editor(window.table, 1, COLUMN_OF["var"])
    assert isinstance(editor, QLineEdit)
    editor.setText("2B")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(placeholder.isVisible)
    assert "row 2" in placeholder.text.text() and "not a Python variable" in \
        placeholder.text.text()
    assert "Cannot run" in window.status.run_label.text()
    assert "Cannot run" in window.problem_label.text()
    # Inside the chart, whole.
    assert window.chart.rect().contains(placeholder.geometry())
    window.table.clearSelection()
    qtbot.mouseClick(placeholder.button, Qt.MouseButton.LeftButton)
    assert window.table.currentIndex().row() == 1  # the cell, selected
    window.acts["undo"].trigger()
    qtbot.waitUntil(lambda: not placeholder.isVisible())
    assert window.status.run_label.text() == "Ready"


def test_no_start_arrow_crosses_a_label_of_the_main_program(qtbot, window):
    # On a busy machine the parent may start C some milliseconds after B.join()
    # returned: the start arrow then falls inside B.join()'s label; at zoom 200 on a
    # small screen that label fills the main program's lane (found by CI under load).
    run_builtin(qtbot, window, "sequential")
    store = window.view.current.store
    b_join = next(j for j in store.joins if store.lanes[j.lane].var == "B")
    record = window.view.current
    window.appearance.set_zoom(2.0)
    settle()
    for late_ms in (0, 5, 10, 20, 40):
        for k, var in enumerate("CD"):
            lane = next(ln for ln in store.lanes if ln.var == var)
            lane.start_call_t = b_join.t_return + late_ms * 1_000_000 + k * 300_000
        for screen in ((1024, 768), (1280, 720), (1366, 768)):
            window.view.show(record)
            window.setGeometry(0, 0, *screen)
            settle()
            assert problems(window, screen) == [], (late_ms, screen)
