"""Step-through replay: a real run's events one at a time, back and forth — every kind of
event, in time order — with the line of the equivalent script each belongs to, marked in
the Python code tab."""

from __future__ import annotations

import pytest

from mpgui.model.codegen import code_map
from mpgui.model.fileformat import parse_scenario
from mpgui.runtime.headless import run_headless
from mpgui.runtime.session.steps import FILTERS, Kind, Steps
from mpgui.runtime.store.trace import TraceStore

# Every kind of event: starts, a sleep of the main program, a queue's puts and gets (and
# a wait on it), prints, states, joins, a terminate, exits and the end.
EVERYTHING = """
format = 4
main = ["P.start()", "C.start()", "time.sleep(0.1)", "L.start()", "P.join()",
        "C.join()", "L.terminate()", "L.join()"]

[about]
title = "Every kind of event"

[[process]]
var = "P"
name = "producer"
workload = "producer"
params = { n = 3, interval = 0.1 }
message = "P put item {i}"
uses = { q = "Q" }

[[process]]
var = "C"
name = "consumer"
workload = "consumer"
params = { n = 3 }
message = "C got: {item}"
uses = { q = "Q" }

[[process]]
var = "L"
name = "long job"
workload = "sleep_loop"
params = { n = 10, interval = 5.0 }
message = "Long job: {i}"

[[object]]
name = "Q"
kind = "Queue"
"""


@pytest.fixture(scope="module")
def ran() -> tuple[TraceStore, Steps]:
    """The scenario run once (fork: quick), its store kept open for the tests."""
    scenario = parse_scenario(EVERYTHING)
    kept: list[TraceStore] = []

    def keep(store: TraceStore) -> None:
        kept.append(store)
        steps = Steps(store, scenario)
        # (the store's text is let go after `after`: read what the tests need now)
        keep.lines = {i: store.line_text(i) for i in range(store.n_lines)}  # type: ignore[attr-defined]
        keep.steps = steps  # type: ignore[attr-defined]

    assert run_headless(scenario, name="everything", speed=1.0, start_method="fork",
                        quiet=True, after=keep) == 0
    return kept[0], keep.steps  # type: ignore[attr-defined]


def test_every_kind_of_event_is_a_moment_in_time_order(ran):
    store, steps = ran
    kinds = {Kind(k) for k in steps.kind}
    assert kinds == set(Kind)
    assert list(steps.t) == sorted(steps.t)
    # One moment per printed line, join begun and returned, and shared operation.
    assert steps.count(FILTERS["print"]) == store.n_lines
    assert steps.count(frozenset({Kind.SHARED})) == len(store.records("shared"))
    assert steps.count(FILTERS["join()"]) == 2 * len(store.joins)


def test_next_and_previous_walk_the_same_moments_both_ways(ran):
    _store, steps = ran
    forward, i = [], None
    while (i := steps.next(i, 0)) is not None:
        forward.append(i)
    assert forward == list(range(len(steps)))
    back, i = [], None
    while (i := steps.previous(i, steps.t[-1] + 1)) is not None:
        back.append(i)
    assert back == forward[::-1]
    # From a position (the clock scrubbed there): the first moment after it, the last
    # before it; a filter skips the others.
    middle = steps.t[len(steps) // 2]
    j = steps.next(None, middle)
    assert j is not None and steps.t[j] > middle and steps.t[j - 1] <= middle
    k = steps.next(None, 0, FILTERS["print"])
    assert k is not None and steps.kind[k] == Kind.PRINT
    assert all(steps.kind[x] != Kind.PRINT for x in range(k))


def test_each_moment_names_the_line_of_the_script_it_belongs_to(ran):
    store, steps = ran
    scenario = parse_scenario(EVERYTHING)
    script = code_map(scenario)
    lines = script.code.split("\n")

    def line(kind: Kind, var: str | None = None) -> str:
        m = next(steps.moment(i) for i in range(len(steps)) if steps.kind[i] == kind
                 and (var is None or store.lanes[steps.moment(i).lane].var == var))
        n = script.line(m.step, m.row, m.what)
        assert n is not None, (kind, var)
        return lines[n - 1].strip()

    assert line(Kind.START, "L") == "L.start()"
    assert line(Kind.SLEEP) == "time.sleep(0.1)"
    assert line(Kind.JOIN, "C").startswith("C.join()")
    assert line(Kind.JOINED, "P").startswith("P.join()")
    assert line(Kind.TERMINATE, "L") == "L.terminate()"
    assert line(Kind.STARTED, "P").startswith("def process_P(")
    assert "print(" in line(Kind.PRINT, "C")
    assert ".put(" in line(Kind.SHARED, "P")
    assert ".get(" in line(Kind.SHARED, "C")
    assert line(Kind.EXIT, "L") == lines[script.function("L")[0] + len(
        script.function("L")[1]) - 2].strip()  # the function's last line
    assert line(Kind.END) == lines[script.end_line - 1].strip()


def test_the_window_steps_through_every_kind_and_marks_the_code(qtbot, window, tmp_path):
    path = tmp_path / "everything.toml"
    path.write_text(EVERYTHING, encoding="utf-8")
    assert window.open_file(path)
    window.acts["run"].trigger()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=30_000)
    replay = window.view.replay
    step = window.runs.actions["step_next"]
    assert step.isEnabled()
    step.trigger()  # no replay on: one begins, paused, at the first event
    assert replay.active and not replay.playing
    assert replay.moment is not None and replay.moment.index == 0
    seen: set[Kind] = set()
    code = window.code
    while True:
        moment = replay.moment
        assert moment is not None
        seen.add(moment.kind)
        assert replay.position == moment.t
        assert "Event" in window.replay_bar.moment_label.text()
        if moment.kind in (Kind.START, Kind.JOIN, Kind.TERMINATE):
            var = window.view.current.store.lanes[moment.lane].var  # type: ignore[union-attr]
            marked = code.document().findBlockByNumber(code.marked - 1).text()  # type: ignore[operator]
            assert f"{var}." in marked
        if moment.kind == Kind.PRINT:  # the console shows the line printed, by then
            text = window.view.current.store.line_text(moment.ref)  # type: ignore[union-attr]
            assert text in window.console.toPlainText()
        before = moment.index
        step.trigger()
        if replay.moment is None or replay.moment.index == before:
            break
    assert seen == set(Kind)
    # Back one event; Play leaves the event (and its mark); a filter skips the others.
    window.runs.actions["step_back"].trigger()
    assert replay.moment is not None and replay.moment.index == before - 1
    replay.seek(0)
    assert replay.moment is None and code.marked is None
    window.replay_bar.filter_box.setCurrentIndex(list(FILTERS).index("print"))
    step.trigger()
    assert replay.moment is not None and replay.moment.kind == Kind.PRINT
    replay.close()
    assert code.marked is None
