"""A Value's and an Array's typecode — the C type of their numbers, as
``multiprocessing.Value("d", 0.0)`` takes it: in the file (format 3), checked in plain
words, made by the run with processes and with threads, written by the code generator
so that plain python prints the same lines, and chosen in the objects table."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from mpgui.model import edits
from mpgui.model.builtins import load_builtin
from mpgui.model.codegen import generate_code
from mpgui.model.fileformat import FORMAT_VERSION, ScenarioFileError, dump_scenario, parse_scenario
from mpgui.model.shared import SharedObject, typecode_range
from mpgui.model.validation import validate
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.store.object_tracks import ObjectTracks
from mpgui.ui.editor.objects_table import CODE, SETTING, TYPE
from tests.helpers import open_editor, script_env


def _typed(name: str, typecode: str, **params: int):
    """Built-in scenario `name` with its one Value or Array of `typecode` (and its
    processes' parameters changed as `params` says)."""
    scenario = load_builtin(name)
    objects = tuple(replace(o, typecode=typecode) if o.kind in ("Value", "Array") else o
                    for o in scenario.objects)
    processes = tuple(replace(p, params={**p.params, **{k: v for k, v in params.items()
                                                        if k in p.params}})
                      for p in scenario.processes)
    return replace(scenario, objects=objects, processes=processes)


def _lines(scenario, backend: str):
    """The lines a real run of `scenario` with `backend` prints, and its store."""
    with Runner(replace(scenario, backend=backend), speed=10.0,
                start_method="forkserver") as runner:
        runner.run()
    return list(runner.store.line_texts()), runner.store


def _plain(scenario, backend: str, tmp_path) -> list[str]:
    """The lines its generated script prints with plain python."""
    script = tmp_path / f"{backend}.py"
    script.write_text(generate_code(replace(scenario, backend=backend)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=script_env())
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_typecode_is_in_the_file_and_older_files_read_as_before():
    scenario = _typed("lock-fixes-it", "d")
    text = dump_scenario(scenario)
    assert 'typecode = "d"' in text and f"format = {FORMAT_VERSION}" in text
    assert parse_scenario(text) == scenario
    # The default is written as nothing, and a format-2 file (without typecodes) reads.
    plain = load_builtin("lock-fixes-it")
    assert "typecode" not in dump_scenario(plain)
    old = dump_scenario(plain).replace(f"format = {FORMAT_VERSION}", "format = 2")
    assert parse_scenario(old) == plain
    assert SharedObject("V", "Value", typecode="i") == SharedObject("V", "Value")


@pytest.mark.parametrize("change, says", [
    ('typecode = "x"', 'unknown typecode \'x\'; known: "i" (int), "b" (signed char)'),
    ('typecode = 4', "object[1].typecode: expected text, got a whole number"),
])
def test_a_bad_typecode_in_a_file_is_named(change, says):
    text = dump_scenario(load_builtin("lost-updates")).replace(
        'kind = "Value"', f'kind = "Value"\n{change}')
    with pytest.raises(ScenarioFileError, match="object") as caught:
        parse_scenario(text)
    assert says in str(caught.value)


def test_only_a_value_and_an_array_have_a_typecode():
    text = dump_scenario(load_builtin("producer-consumer")).replace(
        'kind = "Queue"', 'kind = "Queue"\ntypecode = "d"')
    with pytest.raises(ScenarioFileError, match="a Queue has no typecode"):
        parse_scenario(text)
    scenario = load_builtin("lost-updates")
    wrong = replace(scenario, objects=(replace(scenario.objects[0], typecode="z"),))
    assert [p.message for p in validate(wrong)] == [
        "'z' is not a typecode; choose one of " + ", ".join(
            f'"{c}" ({w})' for c, w in (("i", "int"), ("b", "signed char"), ("h", "short"),
                                        ("l", "long"), ("q", "long long"),
                                        ("B", "unsigned char"), ("H", "unsigned short"),
                                        ("I", "unsigned int"), ("L", "unsigned long"),
                                        ("Q", "unsigned long long"), ("f", "float"),
                                        ("d", "double")))]
    # A kind change keeps the typecode where the new kind has one, and drops it elsewhere.
    d = edits.set_object_field(_typed("lost-updates", "d"), 0, "kind", "Array")
    assert d.objects[0].typecode == "d"
    assert edits.set_object_field(d, 0, "kind", "Lock").objects[0].typecode == ""


def test_an_initial_value_that_does_not_fit_its_type_is_a_warning():
    assert typecode_range("b") == (-128, 127) and typecode_range("B") == (0, 255)
    assert typecode_range("d") is None
    scenario = load_builtin("lost-updates")
    obj = replace(scenario.objects[0], typecode="b", params={"init": 300})
    problems = validate(replace(scenario, objects=(obj,)))
    assert [(p.severity, p.field) for p in problems] == [("warning", "init")]
    assert '300 does not fit a "b" (signed char), which holds -128 to 127' in \
        problems[0].message
    # What the script does with it: a C signed char keeps the low 8 bits (300 - 256).
    with Runner(replace(scenario, objects=(obj,), processes=tuple(
            replace(p, params={"n": 0}) if p.workload == "counter" else p
            for p in scenario.processes)), speed=10.0, start_method="forkserver") as r:
        r.run()
    assert "R: the total is 44" in list(r.store.line_texts())


def test_a_double_value_counts_lost_updates_and_prints_as_the_script_does(tmp_path):
    scenario = _typed("lock-fixes-it", "d", n=2000)
    code = generate_code(scenario)
    assert 'total = multiprocessing.Value("d", 0.0)' in code
    lines, store = _lines(scenario, "processes")
    assert "R: the total is 4000.0" in lines
    total = {t.name: t for t in ObjectTracks().sync(store)}["total"]
    assert total.updates == 4000 and total.final == 4000 and total.lost == 0
    assert sorted(_plain(scenario, "processes", tmp_path)) == sorted(lines)
    threads, _store = _lines(scenario, "threads")
    assert "total = SharedValue(0.0)" in generate_code(replace(scenario, backend="threads"))
    assert sorted(_plain(scenario, "threads", tmp_path)) == sorted(threads) == sorted(lines)


def test_a_double_array_holds_doubles_with_processes_and_threads(tmp_path):
    scenario = _typed("array-cells", "d")
    assert 'squares = multiprocessing.Array("d", 9)' in generate_code(scenario)
    assert 'squares = array.array("d", [0.0]) * 9' in generate_code(
        replace(scenario, backend="threads"))
    seen = "R sees [0.0, 1.0, 4.0, 9.0, 16.0, 25.0, 36.0, 49.0, 64.0]"
    for backend in ("processes", "threads"):
        lines, _store = _lines(scenario, backend)
        assert lines[-1] == seen
        assert sorted(_plain(scenario, backend, tmp_path)) == sorted(lines)
    # The default type prints whole numbers, with threads too.
    lines, _store = _lines(load_builtin("array-cells"), "threads")
    assert lines[-1] == "R sees [0, 1, 4, 9, 16, 25, 36, 49, 64]"


def test_the_type_is_chosen_in_the_objects_table_and_undone(qtbot, window):
    window.files.open_builtin("lost-updates")
    view = window.objects
    qtbot.waitUntil(view.isVisible)
    model = view.model_
    assert model.index(0, TYPE).data() == '"i" (int)'
    assert "whole numbers from -2,147,483,648" in model.index(0, TYPE).data(
        Qt.ItemDataRole.ToolTipRole)
    _index, editor = open_editor(view, 0, TYPE)
    editor.setCurrentIndex(editor.findData("d"))
    view.itemDelegate().commitData.emit(editor)
    view.itemDelegate().closeEditor.emit(editor)
    assert window.doc.scenario.objects[0].typecode == "d"
    assert model.index(0, TYPE).data() == '"d" (double)'
    assert model.index(0, CODE).data() == 'total = multiprocessing.Value("d", 0.0)'
    assert 'total = multiprocessing.Value("d", 0.0)' in window.code.toPlainText()
    assert window.doc.undo_stack.undoText() == "Make total hold doubles"
    window.acts["undo"].trigger()
    assert window.doc.scenario.objects[0].typecode == ""
    # Kinds without a type: nothing to choose.
    window.files.open_builtin("producer-consumer")
    qtbot.waitUntil(lambda: model.index(0, TYPE).data() == "")
    assert not model.flags(model.index(0, TYPE)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(0, SETTING)) & Qt.ItemFlag.ItemIsEditable
