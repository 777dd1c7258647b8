"""Accessibility: every control of every window has an accessible name and description
(as QAccessible gives them to a screen reader), every menu item a name and a status
tip, and the chart a text alternative — the run in sentences, reached by keyboard."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QMenu

from mpgui.ui.accessibility import unnamed
from mpgui.ui.save_edits_dialog import SaveEditsDialog


def _run(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.acts["run"].trigger()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=30_000)


def test_every_control_of_the_window_has_a_name_and_a_description(qtbot, window):
    assert unnamed(window) == []  # before a run, the desk layout
    _run(qtbot, window)
    window.runs.actions["step_next"].trigger()  # the replay bar and its step row
    assert window.replay_bar.isVisible()
    assert unnamed(window) == []
    window.resize(1000, 700)  # narrow: the gallery as a box, About as a tab
    qtbot.waitUntil(lambda: window.layout_.compact)
    assert unnamed(window) == []
    window.presentation.enter()
    qtbot.waitUntil(lambda: window.presentation.active)
    assert unnamed(window) == []
    window.presentation.leave()


def test_every_other_window_names_its_controls(qtbot, window):
    _run(qtbot, window)
    _run(qtbot, window)
    windows = [window.runs.compare(), window.runs.describe(),
               window.help_actions.show_guide(), window.help_actions.show_shortcuts(),
               SaveEditsDialog(window, ["a.toml", "b.toml"])]
    for w in windows:
        w.show()
        qtbot.waitExposed(w)
        assert unnamed(w) == [], type(w).__name__
        w.close()


def test_every_menu_item_has_a_name_and_says_what_it_does(window):
    for menu in window.menuBar().findChildren(QMenu):
        face = QAccessible.queryAccessibleInterface(menu)
        names = [face.child(i).text(QAccessible.Text.Name) for i in range(face.childCount())
                 if face.child(i).role() != QAccessible.Role.Separator]
        assert all(names), menu.title()
        for action in menu.actions():
            if action.isSeparator() or action.menu() is not None or not action.text():
                continue
            if action.actionGroup() is None and menu.title() not in ("Open &Recent",
                                                                     "S&how Run"):
                # (recent files and earlier runs are named by what they open)
                assert action.statusTip(), f"{menu.title()} → {action.text()}"


def test_the_chart_says_what_it_shows_in_sentences(qtbot, window):
    chart = window.chart
    assert chart.accessibleName() == "Timeline chart"
    _run(qtbot, window)
    record = window.view.current
    assert f"Run {record.number}" in chart.accessibleDescription()
    # Reached by keyboard: Tab to the chart, then Enter (or Ctrl+Alt+D anywhere).
    assert chart.focusPolicy() & Qt.FocusPolicy.TabFocus
    with qtbot.waitSignal(chart.describe_requested):
        qtbot.keyClick(chart, Qt.Key.Key_Return)
    dialog = window.runs.description
    assert dialog is not None and dialog.isVisible()
    assert window.runs.actions["describe"].shortcut().toString() == "Ctrl+Alt+D"
    text = dialog.plain_text()
    store = record.store
    for ln in store.lanes[1:]:
        assert f"{ln.label}: start() called at" in text  # each process, in its sentence
        assert "exit 0" in text
    # (A's start() is the main program's first call: at 0.000 s, or a little later on a
    # busy machine.)
    assert re.search(r"The main program: At \d+\.\d{3} s: The main program calls "
                     r"A\.start\(\)\.", text), text
    assert "C.join() returns: C has finished." in text
    assert f"{store.n_lines} printed lines" in text
    assert "CPU 0" in text  # the CPU lanes, as the chart draws them
    # Before any run: the prediction, described as such.
    window.view.clear(window.view._plan)
    dialog = window.runs.describe()
    assert dialog.plain_text().startswith("No run yet: the chart shows the prediction")


def test_what_a_managers_dict_list_or_namespace_gains_and_loses_is_said_in_words():
    from mpgui.runtime.session.steps import Steps
    from mpgui.runtime.store.shared_events import SharedOp
    from mpgui.runtime.store.trace import TraceStore
    from mpgui.ui.run.narration import describe_run, sentence

    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    p = store.add_lane("P", "p", "process")
    store.begin(0, main)
    store.records("shared").extend([
        SharedOp(p, 10, "d", "store", "a"), SharedOp(p, 20, "d", "delete", "a"),
        SharedOp(p, 30, "d", "delete", None), SharedOp(p, 40, "l", "extend", "3"),
        SharedOp(p, 50, "l", "remove", None), SharedOp(p, 60, "ns", "delattr", "x")])
    store.finish(100)
    text = "\n".join(describe_run(store, "head", 1))
    assert "The shared object d: 1 key stored, 2 deletions." in text
    assert "The shared object l: 1 extend, 1 item taken out." in text
    assert "The shared object ns: 1 attribute deleted." in text
    steps = Steps(store)
    said = [sentence(store, steps.moment(i)) for i in range(len(steps))]
    assert said[:6] == ["P (p) stores the key a in d.", "P (p) deletes the key a from d.",
                        "P (p) empties d.", "P (p) extends l by 3 items.",
                        "P (p) takes an item out of l.", "P (p) deletes the attribute x of ns."]
