"""The main window with real child processes: run, chart, console, editing, undo,
files, closing. Offscreen; modal dialogs are replaced by recorders."""

from __future__ import annotations

import re
import signal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit, QSpinBox

from mpgui.model.fileformat import save_scenario
from mpgui.runtime.protocol import State
from mpgui.ui import dialogs
from mpgui.ui.editor.process_table import COLUMN_OF
from mpgui.ui.main_window import MainWindow
from mpgui.ui.theme import LIGHT
from tests.helpers import (
    alive,
    assert_seed_order_as_scheduled,
    open_editor,
    others_took_the_cpus,
)
from tests.scenarios import make, sleeper, spec

LINE = re.compile(r"^\s*\d+\.\d{3}  (.*)$")


def finish(qtbot, w: MainWindow, timeout_s: float = 30) -> None:
    qtbot.waitUntil(lambda: not w.controller.running, timeout=int(timeout_s * 1000))


def console_lines(w: MainWindow) -> list[str]:
    out = []
    for line in w.console.toPlainText().splitlines():
        m = LINE.match(line)
        if m:
            out.append(m.group(1))
    return out


def test_seed_runs_live_with_lanes_joins_and_console(qtbot, window):
    assert window.windowTitle().startswith("seed")
    window.acts["run"].trigger()
    assert window.controller.running and not window.acts["run"].isEnabled()
    finish(qtbot, window)
    store = window.controller.runner.store
    rows = window.chart.rows
    assert rows.labels[:5] == ("main program", "A (process1 1)", "B (process1 2)",
                               "C (process1 3)", "D (process1 4)")
    assert rows.core_base == 5 and rows.labels[5] == "CPU 0"
    c = next(ln for ln in store.lanes if ln.var == "C")
    d = next(ln for ln in store.lanes if ln.var == "D")
    join_c = store.joins[0]
    assert join_c.lane == c.index and not join_c.implicit
    assert c.end_t <= join_c.t_return <= d.start_call_t  # C's join marker before D starts
    shown = console_lines(window)
    times = {text: store.seconds(t) for t, _lane, text in store.lines_since(0)}
    assert_seed_order_as_scheduled([(times[text], text) for text in shown], 10)
    assert "finished in" in window.console.toPlainText()
    assert window.chart.spans.last_runs > 0  # the chart painted spans
    assert window.acts["run"].isEnabled() and not window.acts["stop"].isEnabled()
    assert window.status.run_label.text().startswith("Run 1 · Finished · 0 running, 4 finished")


def test_hover_says_what_a_lane_is_doing(qtbot, window):
    window.run()
    finish(qtbot, window)
    store = window.controller.runner.store
    c = next(ln for ln in store.lanes if ln.var == "C")
    t = store.seconds(c.end_t) - 0.05  # C sleeps before its last line
    text = window.chart.describe_at(t, window.chart.rows.lane_row[c.index] + 0.5)
    assert f"pid {c.pid}" in text and "sleeping" in text
    core_text = window.chart.describe_at(t, window.chart.rows.core_base + 0.5)
    assert core_text.startswith("CPU 0 at")


def test_edit_a_cell_through_its_delegate_then_undo_and_redo(qtbot, window):
    index, editor = open_editor(window.table, 0, COLUMN_OF["n"])
    assert isinstance(editor, QSpinBox) and editor.maximum() == 10_000
    editor.setValue(7)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits in a queued call
    qtbot.waitUntil(lambda: window.doc.scenario.processes[0].param("n") == 7)
    assert index.data() == "7" and window.isWindowModified()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.doc.scenario.processes[0].param("n") == 4
    assert not window.isWindowModified()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.doc.scenario.processes[0].param("n") == 7


def test_an_invalid_cell_is_marked_and_disables_run_with_the_reason(qtbot, window):
    index, editor = open_editor(window.table, 1, COLUMN_OF["var"])
    assert isinstance(editor, QLineEdit)
    editor.setText("2B")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.acts["run"].isEnabled())
    assert index.data(Qt.ItemDataRole.BackgroundRole) == QColor(LIGHT.error_tint)
    assert "not a Python variable name" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert not window.acts["run"].isEnabled()
    assert "Cannot run" in window.acts["run"].toolTip()
    assert "2B" in window.problem_label.text() and "row 2" in window.problem_label.text()
    # Renaming a process renames it in the main program too.
    assert "2B.start()" in [s.code() for s in window.doc.scenario.program]
    window.acts["undo"].trigger()
    assert window.acts["run"].isEnabled() and window.problem_label.text() == ""


def test_a_deleted_process_leaves_its_steps_flagged(qtbot, window):
    window.table.select_row(2)  # C
    window.table.actions_["remove"].trigger()
    assert window.doc.scenario.vars() == ["A", "B", "D"]
    program = window.program.model_
    texts = [program.index(r, 1).data() for r in range(program.rowCount())]
    assert texts.count("C (deleted)") == 2  # C.start() and C.join() stay, marked
    assert program.index(2, 1).data(Qt.ItemDataRole.BackgroundRole) == QColor(LIGHT.error_tint)
    assert not window.acts["run"].isEnabled()
    window.acts["undo"].trigger()
    assert window.doc.scenario.vars() == ["A", "B", "C", "D"]


def test_add_duplicate_move_and_steps(qtbot, window):
    table, program = window.table, window.program
    table.select_row(3)
    table.actions_["add"].trigger()
    assert window.doc.scenario.vars()[-1] == "E"
    assert window.doc.scenario.program[-1].code() == "E.start()"
    table.actions_["duplicate"].trigger()
    assert window.doc.scenario.vars() == ["A", "B", "C", "D", "E", "F"]
    table.actions_["up"].trigger()
    assert window.doc.scenario.vars() == ["A", "B", "C", "D", "F", "E"]
    program.select_row(len(window.doc.scenario.program) - 1)
    program.actions_["add"].trigger()  # suggests joining what was started
    assert window.doc.scenario.program[-1].code() == "A.join()"
    program.actions_["up"].trigger()
    assert window.doc.scenario.program[-2].code() == "A.join()"
    program.actions_["remove"].trigger()
    assert "A.join()" not in [s.code() for s in window.doc.scenario.program]
    assert window.acts["run"].isEnabled()


def test_stop_ends_every_child(qtbot, window):
    window.speed.setValue(1)
    window.run()
    runner = window.controller.runner
    qtbot.waitUntil(lambda: len(runner.pids()) == 3 and all(
        ln.pid for ln in runner.store.lanes[1:4]), timeout=20_000)
    pids = runner.pids()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    finish(qtbot, window, 10)
    assert alive(pids) == []
    codes = {ln.exit_code for ln in runner.store.lanes[1:4]}
    # Terminated; on a busy machine a child may not act on SIGTERM within the grace
    # period, and is killed (as the run says, the CPUs were taken).
    assert codes == {-signal.SIGTERM} or (
        codes <= {-signal.SIGTERM, -signal.SIGKILL} and others_took_the_cpus(runner.store))
    assert "stopped after" in window.console.toPlainText()
    window.acts["stop"].trigger()  # a second Stop does nothing
    assert window.acts["run"].isEnabled()


def test_closing_mid_run_leaves_no_child(qtbot, window):
    window.speed.setValue(1)
    window.run()
    runner = window.controller.runner
    qtbot.waitUntil(lambda: len(runner.pids()) == 3, timeout=20_000)
    pids = runner.pids()
    assert window.close()
    assert alive(pids) == [] and runner.done


def test_a_crash_is_shown_and_the_window_goes_on(qtbot, window, tmp_path):
    path = tmp_path / "crash.toml"
    save_scenario(make(spec("A", "crash", n=3, interval=0.2, at=1), sleeper("B", 3, 0.05)),
                  path)
    assert window.files.open_path(path)
    window.run()
    finish(qtbot, window)
    text = window.console.toPlainText()
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: crashed at iteration 1" in text
    assert console_lines(window).count("B: 2") == 1
    a = window.controller.runner.store.lanes[1]
    assert a.exit_code == 1
    window.run()  # and it runs again
    finish(qtbot, window)


def test_a_flood_is_explained_and_the_window_stays_responsive(qtbot, window, tmp_path):
    path = tmp_path / "flood.toml"
    save_scenario(make(spec("F", "flood", "line {i}", n=300_000), sleeper("S", 3, 0.1)), path)
    window.files.open_path(path)
    window.run()
    finish(qtbot, window, 60)
    assert "faster than the window can show" in window.console.toPlainText()
    assert window.controller.runner.store.n_lines == 300_003
    ticks = sorted(window.controller.tick_ns)
    assert ticks[int(len(ticks) * 0.95)] < 100e6  # generous: the benchmark is strict


def test_open_errors_keep_the_current_scenario(qtbot, window, said, tmp_path):
    messages, _ = said
    before = window.doc.scenario
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 1\n[[process]]\nvar = 'A'\n")
    assert not window.files.open_path(bad)
    assert window.files.open_path(tmp_path) is False  # a folder
    assert window.doc.scenario is before and window.windowTitle().startswith("seed")
    assert "process[1].name: missing" in messages[0]
    assert "is a folder" in messages[1]


def test_save_reopen_recent_and_unsaved_prompt(qtbot, window, said, tmp_path):
    messages, answers = said
    window.table.select_row(0)
    window.table.actions_["duplicate"].trigger()
    assert window.isWindowModified()
    path = tmp_path / "mine.toml"
    assert window.files.save_to(path)
    assert not window.isWindowModified() and window.windowTitle().startswith("mine.toml")
    window.table.actions_["remove"].trigger()
    answers["unsaved"] = dialogs.Unsaved.CANCEL
    assert not window.close()  # cancelled: nothing lost
    assert not window.files.open_path(path)
    answers["unsaved"] = dialogs.Unsaved.DISCARD
    assert window.files.open_path(path)
    assert len(window.doc.scenario.processes) == 5
    from mpgui.ui.settings import recent_files

    assert recent_files()[0] == path.resolve()
    assert not window.files.save_to(tmp_path / "no-such-dir" / "x.toml")
    assert "Cannot save scenario" in messages[-1]
    assert path.read_text().count("[[process]]") == 5  # the file was not touched


def test_an_unreadable_initial_file_falls_back_quietly_to_seed(qtbot, said):
    w = MainWindow()
    qtbot.addWidget(w)
    w.open_initial(None)  # nothing saved yet: the tutorial's example
    assert w.doc.builtin == "seed" and len(w.doc.scenario.processes) == 4


def test_speed_method_and_layout_survive_a_restart(qtbot, said):
    w = MainWindow()
    qtbot.addWidget(w)
    w.open_initial("seed")
    w.speed.setValue(5)
    w.method.setCurrentIndex(w.method.findData("fork"))
    w.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.open_initial(None)
    assert again.speed.value() == 5 and again.start_method == "fork"
    assert again.doc.builtin == "seed"


def test_states_are_drawn_with_distinct_styles():
    from mpgui.ui.theme import STATE_STYLES

    shapes = {(s.height, s.pattern, s.outline) for s in STATE_STYLES.values()}
    assert len(shapes) == len(STATE_STYLES)  # never colour alone
    assert set(STATE_STYLES) == {State.RUNNING, State.PREEMPTED, State.SLEEPING,
                                 State.WAITING, State.STARTING, State.GIL, State.QUEUED,
                                 State.BLOCKED}


def test_the_built_in_menu_lists_every_scenario_when_first_shown(window):
    from mpgui.model.builtins import builtin_names
    menu = window.files.builtin_menu
    for _ in range(2):  # filled once, not again on each showing
        menu.aboutToShow.emit()
        texts = [a.text() for a in menu.actions()]
        assert len(texts) == len(builtin_names())
    assert texts[0].startswith("seed — ")
    queue = next(a for a in menu.actions() if a.text().startswith("producer-consumer — "))
    queue.trigger()
    assert window.doc.builtin == "producer-consumer"


def test_a_passing_message_too_long_for_its_room_ends_in_an_ellipsis(qtbot, window):
    # QStatusBar cuts a long message off mid-word under its permanent labels; ours
    # ends it in "…" before the first of them, the whole sentence in the tooltip.
    bar = window.statusBar()
    sentence = "Ejecución terminó en 1.485 s (velocidad 1, spawn; este ordenador tiene " \
        "2 CPU) " * 12
    bar.showMessage(sentence, 60_000)
    qtbot.waitUntil(lambda: bar.currentMessage() == sentence)
    room = bar.message_rect()
    labels = [w for w in (window.status.run_label, window.status.method_label,
                          window.status.cpu_label) if w.isVisible()]
    assert labels and room.right() < min(w.x() for w in labels)
    shown = bar.shown_message()
    assert shown.endswith("…") and sentence.startswith(shown[:-1].rstrip())
    assert bar.fontMetrics().horizontalAdvance(shown) <= room.width()
    assert bar.toolTip() == sentence
    assert not bar.grab().isNull()  # (painted through our paintEvent)
    bar.showMessage("Saved.", 60_000)
    assert bar.shown_message() == "Saved."  # a short one whole
    bar.clearMessage()
    assert bar.toolTip() == "" and bar.shown_message() == ""
