"""A row's own steps ("Your own steps"): read from its text, validated in plain words,
kept in the file, given the objects they name, run, written as code that prints the
same lines, predicted — and edited in the process table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mpgui.model import edits
from mpgui.model.builtins import load_builtin
from mpgui.model.codegen import generate_code
from mpgui.model.fileformat import ScenarioFileError, dump_scenario, parse_scenario
from mpgui.model.operations import Compute, Get, Print, Put, Repeat
from mpgui.model.scenario import ProcessSpec, Scenario, Step
from mpgui.model.steps import StepsError, parse
from mpgui.model.validation import validate
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.protocol import State
from mpgui.runtime.session.plan import predict
from mpgui.runtime.store.object_tracks import ObjectTracks
from mpgui.ui.editor.process_table import COLUMN_OF
from tests.helpers import open_editor, script_env


def test_steps_are_read_into_operations():
    steps = parse("get Q; compute 0.25\nput R ;print")
    assert steps.ops == (Repeat("n", (Get("Q"), Compute("t1"), Put("R"), Print())),)
    assert steps.durations == (("t1", 0.25),)
    assert steps.objects == (("Q", "Queue"), ("R", "Queue"))


@pytest.mark.parametrize(("text", "says"), [
    ("", "no steps: write them as, e.g., get Q; compute 0.5; print"),
    ("jump 3", "step 1 ('jump 3'): 'jump' is not a step; the steps are sleep, compute"),
    ("print; sleep soon", "step 2 ('sleep soon'): sleep needs a number of seconds"),
    ("sleep nan", "step 1 ('sleep nan'): nan s is not from 0 to 3600 s"),
    ("put", "step 1 ('put'): put needs the name of a Queue, e.g. put X"),
    ("put Q.x", "put needs the name of a Queue"),
    ("recv P", "step 1 ('recv P'): recv needs a pipe's end, e.g. recv P[0]"),
    ("put L; acquire L", "step 2 ('acquire L'): L is used as a Queue in an earlier step"),
    ("print; " * 41, "41 steps: at most 40"),
])
def test_steps_that_cannot_be_read_are_named(text, says):
    with pytest.raises(StepsError) as info:
        parse(text)
    assert says in str(info.value)


def two_rows() -> Scenario:
    """A producer and a consumer written as steps, through edits as the table makes."""
    s = Scenario(processes=(ProcessSpec("A", "a", "sleep_loop", {"n": 3}, "A put {i}"),
                            ProcessSpec("B", "b", "sleep_loop", {"n": 3}, "B got {item}")),
                 program=(Step("start", "A"), Step("start", "B"), Step("join", "A"),
                          Step("join", "B")))
    s = edits.set_process_field(s, 0, "workload", "steps")
    assert s.processes[0].steps == edits.FIRST_STEPS  # (something to edit)
    s = edits.set_process_field(s, 0, "steps", "sleep 0.2; acquire L; put Q; release L; "
                                               "print")
    s = edits.set_process_field(s, 1, "workload", "steps")
    return edits.set_process_field(s, 1, "steps", "get Q; compute 0.05; print")


def test_the_objects_steps_name_are_given_to_the_row_and_made_if_missing():
    s = two_rows()
    assert [(o.name, o.kind) for o in s.objects] == [("L", "Lock"), ("Q", "Queue")]
    assert [dict(p.uses) for p in s.processes] == [{"L": "L", "Q": "Q"}, {"Q": "Q"}]
    assert validate(s, cores=2) == []
    # Steps that no longer name an object let go of it (if no other row uses it).
    fewer = edits.set_process_field(s, 0, "steps", "put Q; print")
    assert [o.name for o in fewer.objects] == ["Q"]


def test_steps_that_misuse_an_object_are_named_in_validation():
    s = two_rows()
    wrong = edits.set_process_field(s, 1, "steps", "acquire Q; print")
    said = [p.text(wrong) for p in validate(wrong, cores=2)]
    assert said == ["process B (row 2), uses: Q must be a Lock, but Q is a Queue",
                    "process B (row 2), message: uses {item}, which its steps never set "
                    "(a consumer gets items, a get or recv step)"]
    bad = edits.set_process_field(s, 1, "steps", "get Q; fly")
    assert any("steps: step 2 ('fly'): 'fly' is not a step" in p.text(bad)
               for p in validate(bad, cores=2))
    own = edits.set_process_field(s, 1, "steps", "get n; print")
    assert any("n is a name the row's function has of its own" in p.text(own)
               for p in validate(own, cores=2))


def test_steps_are_kept_in_the_file():
    s = two_rows()
    text = dump_scenario(s)
    assert 'steps = "get Q; compute 0.05; print"' in text
    assert parse_scenario(text) == s
    # A file's steps row without uses gets the objects its steps name.
    bare = text.replace('uses = { Q = "Q" }\nsteps', "steps")
    assert parse_scenario(bare).processes[1].uses == {"Q": "Q"}
    with pytest.raises(ScenarioFileError, match="only a row whose workload is 'steps'"):
        parse_scenario(text.replace('workload = "steps"', 'workload = "sleep_loop"', 1))


def test_steps_run_and_their_code_prints_the_same_lines(tmp_path):
    s = two_rows()
    with Runner(s, speed=4.0, start_method="forkserver") as r:
        r.run()
    ours = [text for _t, _l, text in r.store.lines_since(0)]
    assert sorted(ours) == sorted([f"A put {i}" for i in range(3)]
                                  + [f"B got A put {i}" for i in range(3)])
    holder = [op for op in r.store.records("shared") if op.obj == "L"]
    assert [op.verb for op in holder] == ["acquire", "release"] * 3
    script = tmp_path / "steps.py"
    script.write_text(generate_code(s, speed=4.0))
    assert "        L.acquire()\n        Q.put(" in script.read_text()
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=60, env=script_env(), cwd=tmp_path)
    assert sorted(plain.stdout.splitlines()) == sorted(ours)
    # The prediction: B waits for each item (the durations are the steps' own).
    plan = predict(s, cores=2, speed=4.0)
    b = next(ln.index for ln in plan.lanes if ln.var == "B")
    assert any(state == State.BLOCKED for _l, state, _c, _t0, _t1 in plan.spans(b))


def test_the_pipeline_built_in_is_steps():
    s = load_builtin("pipeline")
    assert {p.workload for p in s.processes} == {"steps"}
    assert validate(s, cores=2) == []


def test_the_table_shows_and_edits_steps(window, qtbot):
    window.files.open_builtin("seed")
    table = window.table
    assert table.isColumnHidden(COLUMN_OF["steps"])  # no row has steps
    window.files.open_builtin("pipeline")
    assert not table.isColumnHidden(COLUMN_OF["steps"])
    assert table.model_.index(1, COLUMN_OF["steps"]).data() == \
        "get Q1; compute 0.3; put Q2; print"
    _index, editor = open_editor(table, 1, COLUMN_OF["steps"])
    editor.setText("get Q1; compute 0.6; put Q3; print")
    table.commitData(editor)
    table.closeEditor(editor, table.itemDelegate().EndEditHint.NoHint)
    s = window.doc.scenario
    assert s.processes[1].steps == "get Q1; compute 0.6; put Q3; print"
    assert s.shared("Q3") is not None  # made for the step that names it
    window.doc.undo_stack.undo()  # (one Ctrl+Z: the steps and the object made)
    assert window.doc.scenario.processes[1].steps == "get Q1; compute 0.3; put Q2; print"
    assert window.doc.scenario.shared("Q3") is None


def test_an_add_step_may_say_what_it_adds_and_the_run_adds_it(tmp_path):
    assert parse("add_locked V 4; add V 2").amounts == (("k1", 4), ("k2", 2))
    s = Scenario(processes=(ProcessSpec("A", "a", "sleep_loop", {"n": 50}, "A added"),),
                 program=(Step("start", "A"), Step("join", "A")))
    s = edits.set_process_field(s, 0, "workload", "steps")
    s = edits.set_process_field(s, 0, "steps", "add_locked V 4; add_locked V 2")
    assert [(o.name, o.kind) for o in s.objects] == [("V", "Value")]
    assert not [p for p in validate(s) if p.severity == "error"]
    with Runner(s, speed=4.0, start_method="forkserver") as r:
        r.run()
    total = {t.name: t for t in ObjectTracks().sync(r.store)}["V"]
    assert total.final == total.expected == 50 * 6 and total.updates == 100
    code = generate_code(s)
    assert "V.value += k1" in code and "args=(V, 50, 4, 2)" in code


def test_a_get_step_may_give_up_after_some_seconds():
    steps = parse("get Q 0.3; print")
    assert steps.durations == (("t1", 0.3),) and steps.objects == (("Q", "Queue"),)
    assert steps.ops[0].body[0] == Get("Q", timeout="t1")
    with pytest.raises(StepsError, match=r"step 1 \('get Q soon'\): get Q needs a number"):
        parse("get Q soon")


def test_a_put_step_that_finds_no_room_in_time_goes_on_without_putting(tmp_path):
    # Q holds one item and nobody takes it: the first put goes in, the next two wait
    # 0.3 s each for room, give up — said, never a deadlock — and the process goes on.
    s = Scenario(processes=(ProcessSpec("P", "p", "sleep_loop", {"n": 3}, "P tried {i}"),),
                 program=(Step("start", "P"), Step("join", "P")))
    s = edits.set_process_field(s, 0, "workload", "steps")
    s = edits.set_process_field(s, 0, "steps", "put Q 0.3; print")
    s = edits.set_object_field(s, 0, "maxsize", 1)
    assert validate(s) == []
    with Runner(s, speed=1.0, start_method="forkserver") as r:
        r.run()
    assert r.deadlock is None
    assert [t for _t, _l, t in r.store.lines_since(0)] == [f"P tried {i}" for i in range(3)]
    ops = [(op.verb, op.item if op.verb != "put" else "") for op in r.store.records("shared")]
    assert ops[:5] == [("put", ""), ("wait", "put"), ("gaveup", "put"), ("wait", "put"),
                       ("gaveup", "put")]
    # (At its end P waits for its queue's feeder thread to write the item it put; on a
    # busy machine that wait outlasts its 5 ms of grace and is said: join_thread, then
    # flushed — mpgui.runtime.child.shared_objects.wait_for_puts.)
    assert [verb for verb, _item in ops[5:]] in ([], ["wait", "flushed"]), ops
    assert ops[5:6] in ([], [("wait", "join_thread")]), ops
    script = tmp_path / "drops.py"
    script.write_text(generate_code(s))
    assert "except queue.Full:" in script.read_text()
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=60, env=script_env(), cwd=tmp_path)
    assert plain.stdout.splitlines() == [f"P tried {i}" for i in range(3)]
    p = predict(s, cores=2)
    assert 0.55 < (p.t_end - p.t0) / 1e9 < 0.65
