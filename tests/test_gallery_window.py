"""The gallery in the window: PageDown / PageUp through every scenario, Reset, the
explanation, the live code view and copies in the table."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from mpgui.model.builtins import builtin_names, load_builtin
from mpgui.runtime.cpu import cpu_count
from mpgui.ui.editor.process_table import COLUMN_OF
from tests.helpers import open_editor, script_env


def test_page_down_walks_the_gallery_and_page_up_comes_back(qtbot, window):
    names = builtin_names()
    seen = [window.doc.builtin]
    for _ in names[1:]:
        qtbot.keyClick(window, Qt.Key.Key_PageDown)
        seen.append(window.doc.builtin)
    assert seen == names
    assert window.gallery.currentItem().data(Qt.ItemDataRole.UserRole) == names[-1]
    assert load_builtin(names[-1]).about.title in window.explanation.toPlainText()
    for _ in names[1:]:
        qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert window.doc.builtin == "seed" and not window.isWindowModified()


def test_an_edit_then_reset_restores_the_builtin_and_undo_brings_the_edit_back(qtbot,
                                                                                window):
    original = window.doc.scenario
    assert not window.gallery_actions.actions["reset"].isEnabled()
    window.table.select_row(0)
    window.table.actions_["remove"].trigger()
    assert window.isWindowModified() and window.gallery_actions.actions["reset"].isEnabled()
    window.gallery_actions.actions["reset"].trigger()
    assert window.doc.scenario == original and not window.isWindowModified()
    window.acts["undo"].trigger()
    assert len(window.doc.scenario.processes) == 3 and window.isWindowModified()


def test_the_code_view_follows_the_table(qtbot, window):
    code = window.code  # the window runs at speed 10: durations divided by 10
    assert "process_A" in code.toPlainText() and "args=(4, 0.1)" in code.toPlainText()
    _index, editor = open_editor(window.table, 0, COLUMN_OF["n"])
    editor.setValue(9)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "args=(9, 0.1)" in code.toPlainText())
    window.speed.setValue(20)
    qtbot.waitUntil(lambda: "args=(9, 0.05)" in code.toPlainText())


def test_copies_per_core_make_a_list_and_one_lane_each(qtbot, window, tmp_path):
    index, editor = open_editor(window.table, 3, COLUMN_OF["copies"])
    assert isinstance(editor, QComboBox) and editor.isEditable()
    editor.setCurrentText("per core")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.doc.scenario.processes[3].copies.single)
    assert index.data() == f"per core = {cpu_count()}"
    qtbot.waitUntil(lambda: "for k in range(os.cpu_count())]" in window.code.toPlainText())
    assert "    for p in D:\n        p.start()" in window.code.toPlainText()
    path = tmp_path / "seed_copies.py"
    assert window.code.save_to(path)
    compile(path.read_text(), str(path), "exec")
    window.speed.setValue(20)
    window.run()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=30_000)
    lanes = [ln.label for ln in window.controller.runner.store.lanes if ln.kind == "process"]
    assert lanes[3:] == [f"D[{k}] (process1 4 {k})" for k in range(cpu_count())]
    qtbot.waitUntil(lambda: "args=(5, 0.045)" in window.code.toPlainText())
    plain = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                           timeout=120, env=script_env(), cwd=tmp_path)
    assert plain.stdout.count("Process 4: 0") == cpu_count()


def test_bad_copies_are_refused_with_a_message(qtbot, window):
    messages = []
    window.table.message.connect(messages.append)
    _index, editor = open_editor(window.table, 0, COLUMN_OF["copies"])
    editor.setCurrentText("lots")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(messages))
    assert "not a number of copies" in messages[0]
    assert window.doc.scenario.processes[0].copies.single


def test_save_on_a_builtin_asks_where_and_never_writes_the_builtin(qtbot, window, tmp_path,
                                                                   monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from mpgui.model.builtins import builtin_path

    shipped = builtin_path("seed").read_bytes()
    asked = []
    target = tmp_path / "my-seed.toml"

    def choose(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    window.table.select_row(0)
    window.table.actions_["duplicate"].trigger()
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert asked and asked[0].endswith("seed.mpg.toml")  # asked, suggesting a name
    assert target.read_text().count("[[process]]") == 5
    assert builtin_path("seed").read_bytes() == shipped
    assert window.doc.path == target and window.doc.builtin is None


def test_a_file_of_ones_own_marks_no_built_in_as_open(qtbot, window, tmp_path):
    # The gallery and the scenario box above the table showed the last built-in's
    # title while a file was open.
    from mpgui.model.fileformat import dump_scenario
    from mpgui.ui.classroom.gallery_picker import GalleryPicker

    path = tmp_path / "mine.mpg.toml"
    path.write_text(dump_scenario(load_builtin("deadlock")))
    box = window.findChild(GalleryPicker).combo
    assert box.currentText().startswith("1. ")
    assert window.files.open_path(path, confirmed=True)
    assert window.gallery.currentRow() == -1 and box.currentIndex() == -1
    assert box.placeholderText() == "(your file)"
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # from a file: the gallery's first
    assert window.doc.builtin is not None and box.currentIndex() >= 0
