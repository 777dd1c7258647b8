"""The scenario model: registry, message templates, steps, validation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mpgui.model.builtins import builtin_names, load_builtin, resolve_scenario
from mpgui.model.copies import Copies
from mpgui.model.fileformat import ScenarioFileError
from mpgui.model.instances import color_indices, flat_program, instances
from mpgui.model.message import check_template, render, to_expression
from mpgui.model.registry import WORKLOADS, get_workload
from mpgui.model.scenario import ProcessSpec, Scenario, Step
from mpgui.model.validation import MAX_PROCESSES, errors, validate
from tests.scenarios import make, sleeper


def seed() -> Scenario:
    return load_builtin("seed")


def texts(scenario: Scenario) -> list[str]:
    return [p.text(scenario) for p in validate(scenario)]


def test_seed_is_the_tutorial_example():
    s = seed()
    assert [(p.var, p.name, p.param("n"), p.param("interval"), p.message)
            for p in s.processes] == [
        ("A", "process1 1", 4, 1.0, "Process 1: {i}"),
        ("B", "process1 2", 3, 1.0, "Process 2: {i}"),
        ("C", "process1 3", 4, 2.0, "Process 3: {i}"),
        ("D", "process1 4", 5, 0.9, "Process 4: {i}"),
    ]
    assert [st.code() for st in s.program] == ["A.start()", "B.start()", "C.start()",
                                                "C.join()", "D.start()"]
    assert validate(s) == []
    assert builtin_names()[0] == "seed"


def test_registry_has_the_required_workloads_with_complete_params():
    assert {"sleep_loop", "cpu_loop", "mixed", "crash", "exit_code", "flood"} <= set(WORKLOADS)
    for w in WORKLOADS.values():
        assert w.help
        for p in w.params:
            assert p.kind in (int, float) and p.help and p.label
            assert p.minimum <= p.default <= p.maximum
    with pytest.raises(KeyError, match="known: sleep_loop"):
        get_workload("nope")


@pytest.mark.parametrize(("template", "problem"), [
    ("Process 1: {i}", None),
    ("{name} pid {pid}: {i:3d} of {n}", None),
    ("{i:>5}", None),
    ("{x}", "only these placeholders"),
    ("{i.__class__}", "only these placeholders"),
    ("{name[0]}", "only these placeholders"),
    ("{i!r}", "conversion"),
    ("{i:999999999}", "format spec"),
    ("{i:.500f}", "format spec"),
    ("{name:d}", "cannot be formatted"),
    ("{", "unbalanced"),
    ("a\nb", "one line"),
    ("x" * 201, "at most 200"),
    (42, "must be text"),
])
def test_message_templates_accept_only_documented_placeholders(template, problem):
    got = check_template(template)
    if problem is None:
        assert got is None
    else:
        assert got is not None and problem in got


def test_message_renders_and_converts_to_an_equivalent_fstring():
    template = 'say "{name}" \\ {{literal}} {i:03d}/{n}'
    assert render(template, i=7, n=9, name="P", pid=1) == 'say "P" \\ {literal} 007/9'
    code = to_expression(template)
    assert eval(code, {}, {"i": 7, "n": 9, "name": "P", "pid": 1}) == \
        'say "P" \\ {literal} 007/9'


@pytest.mark.parametrize("text", ["A.start()", "B.join()", "C.join(timeout=1.5)",
                                  "D.terminate()", "time.sleep(0.25)"])
def test_steps_round_trip_through_code(text):
    assert Step.parse(text).code() == text


@pytest.mark.parametrize("text", ["A.start(1)", "A.run()", "os.system('x')", "A.join(timeout=)",
                                  "import os", "time.sleep(nan)", "A.terminate(timeout=1)"])
def test_steps_reject_anything_else(text):
    with pytest.raises(ValueError, match="is not a step"):
        Step.parse(text)


def test_validation_names_process_field_and_allowed_range():
    s = seed()
    bad = replace(s, processes=(s.processes[0].with_param("interval", -1.0),
                                *s.processes[1:]))
    assert texts(bad) == ["process A (row 1), interval: must be from 0 to 3600 s, not -1"]


@pytest.mark.parametrize(("value", "words"), [
    (float("nan"), "finite"), (float("inf"), "finite"), (1e9, "from 0 to 3600 s"),
    ("1", "must be a number"), (True, "must be a number"),
])
def test_validation_rejects_non_numbers(value, words):
    s = seed()
    bad = replace(s, processes=(s.processes[0].with_param("interval", value),
                                *s.processes[1:]))
    assert words in texts(bad)[0]


def test_whole_number_params_reject_fractions():
    s = seed()
    bad = replace(s, processes=(s.processes[0].with_param("n", 2.5), *s.processes[1:]))
    assert "whole number" in texts(bad)[0]


@pytest.mark.parametrize(("var", "words"), [
    ("", "must not be empty"), ("2x", "not a Python variable name"),
    ("class", "keyword"), ("print", "already a name"), ("time", "already a name"),
    ("B", "already used by row 1"), ("a b", "not a Python variable name"),
])
def test_variable_names_must_be_valid_python_and_unique(var, words):
    s = seed()
    bad = replace(s, processes=(replace(s.processes[0], var=var), *s.processes[1:]))
    assert any(words in t for t in texts(bad)), texts(bad)


def test_generated_function_names_cannot_collide_with_a_variable():
    s = seed()
    bad = replace(s, processes=(*s.processes, replace(s.processes[0], var="process_A")))
    assert any("generated function" in t for t in texts(bad))


def test_program_semantics_follow_multiprocessing():
    s = seed()
    cases = {
        ("C.join()", "A.start()"): "C.join() comes before C.start()",
        ("A.start()", "A.start()"): "already started at step 1",
        ("A.terminate()",): "A.terminate() comes before A.start()",
        ("Z.start()",): "no process named 'Z'",
        ("time.sleep(99999)",): "from 0 to 3600 s",
    }
    for steps, words in cases.items():
        bad = replace(s, program=tuple(Step.parse(x) for x in steps))
        assert any(words in t for t in texts(bad)), (steps, texts(bad))


def test_never_started_processes_are_a_warning_not_an_error():
    s = seed()
    partial = replace(s, program=s.program[:3])
    assert errors(partial) == []
    assert "D is never started" in " ".join(texts(partial))


def test_empty_and_oversized_scenarios_are_refused():
    assert "no process" in texts(Scenario())[0]
    many = Scenario(tuple(ProcessSpec(f"P{i}", f"p{i}") for i in range(MAX_PROCESSES + 1)))
    assert any(f"at most {MAX_PROCESSES}" in t for t in texts(many))


def test_crash_iteration_beyond_the_loop_is_a_warning():
    s = Scenario((ProcessSpec("A", "a", "crash", {"n": 2, "at": 5}),), (Step.parse("A.start()"),))
    (p,) = validate(s)
    assert p.severity == "warning" and "never happens" in p.message


def test_resolve_scenario_names_the_problem():
    with pytest.raises(ScenarioFileError, match="no built-in scenario called 'nope'"):
        resolve_scenario("nope")
    with pytest.raises(ScenarioFileError, match="does not exist"):
        resolve_scenario("missing.toml")


# ------------------------------------------------------------------ copies


@pytest.mark.parametrize(("text", "copies"), [
    (1, Copies()), ("4", Copies(4)), ("per core", Copies(1, True)),
    ("2 per core", Copies(2, True)), (" 3 x per core ", Copies(3, True)),
])
def test_copies_parse_and_print(text, copies):
    assert Copies.parse(text) == copies
    assert Copies.parse(str(copies)) == copies


@pytest.mark.parametrize("bad", ["many", "", "per", "1.5", True, None, 2.0, "per cores"])
def test_bad_copies_say_what_to_write(bad):
    with pytest.raises(ValueError, match=r"per core|number"):
        Copies.parse(bad)


def test_copies_flatten_into_processes_and_loops():
    s = make(ProcessSpec("W", "worker", copies=Copies(2, True)), sleeper("A"),
             program="W.start(); A.start(); W.join(timeout=1); A.join()")
    names = [(i.var, i.name, i.k) for i in instances(s, cores=2)]
    assert names == [("W[0]", "worker 0", 0), ("W[1]", "worker 1", 1), ("W[2]", "worker 2", 2),
                     ("W[3]", "worker 3", 3), ("A", "proc A", 0)]
    assert [st.code() for st in flat_program(s, cores=2)] == [
        "W[0].start()", "W[1].start()", "W[2].start()", "W[3].start()", "A.start()",
        "W[0].join(timeout=1.0)", "W[1].join(timeout=1.0)", "W[2].join(timeout=1.0)",
        "W[3].join(timeout=1.0)", "A.join()"]
    assert color_indices(s, cores=2) == [[0, 1, 2, 3], [4]]


def test_too_many_copies_for_the_chart_are_an_error_naming_the_count():
    s = make(ProcessSpec("W", "worker", copies=Copies(40)),
             ProcessSpec("V", "v", copies=Copies(2, True)))
    assert not [p for p in validate(s, cores=4)]
    problems = [p.text(s) for p in validate(s, cores=128)]
    assert problems == ["scenario: makes 296 processes on this computer (128 CPUs); at most "
                        "256 can be shown"]
    zero = validate(make(ProcessSpec("W", "w", copies=Copies(0))))
    assert "must be from 1 to 64" in zero[0].message
