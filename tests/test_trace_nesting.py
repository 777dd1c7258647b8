"""Chrome traces every client reads without loss: on each track slices nest or are
disjoint (checked by tests/trace_validator.py, which applies Perfetto's rule), the main
program's joins on a calls track of their own, the lanes sorted in the table's order —
for scenario runs of every backend and for traced scripts alike. And the CSV's columns
are typed: pids, tids and cores whole numbers, the exit code apart from the exception."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

from mpgui.model.builtins import load_builtin
from mpgui.runtime.headless import run_headless
from mpgui.runtime.output.export import CALLS_TID, chrome_trace, chrome_trace_pieces, csv_text
from mpgui.runtime.store.trace import TraceStore
from tests.test_script_trace import trace
from tests.trace_validator import trace_problems


def check_trace(store: TraceStore) -> list[dict]:
    """The store's trace (as written, streamed) passes the validator; its events."""
    doc = json.loads(b"".join(chrome_trace_pieces(store)))
    assert trace_problems(doc) == []
    return doc["traceEvents"]


def check_csv(store: TraceStore) -> list[dict[str, str]]:
    """Every pid, tid and core in the CSV is a whole number (or empty for a lane that
    never had a process); exit codes are whole numbers, exceptions apart."""
    rows = list(csv.DictReader(io.StringIO(csv_text(store))))
    for r in rows:
        for column in ("pid", "tid", "core", "exit_code"):
            assert r[column] == "" or r[column].lstrip("-").isdigit(), (column, r)
        if r["record"] == "exit":
            assert r["exit_code"] != "" and r["text"] == ""
    return rows


def run(name: str, backend: str | None = None) -> tuple[list[dict], list[dict[str, str]]]:
    scenario = load_builtin(name)
    if backend is not None:
        scenario = dataclasses.replace(scenario, backend=backend)
    got = []
    run_headless(scenario, name=name, speed=20, start_method="fork", quiet=True,
                 out=io.StringIO(), err=io.StringIO(),
                 after=lambda store: got.append((check_trace(store), check_csv(store))))
    assert got, f"{name} did not finish"
    return got[0]


@pytest.mark.parametrize(("name", "backend"), [
    ("seed", None), ("pool", None), ("terminate", None), ("crash", None),
    ("join-timeout", None), ("seed", "threads"), ("threads-vs-processes-io", None)])
def test_scenario_runs_export_traces_that_nest_and_typed_csv(name, backend):
    events, rows = run(name, backend)
    joins = [e for e in events if e.get("cat") == "join" and e["ph"] == "X"]
    if name != "pool":
        assert joins
    assert all(e["tid"] >= CALLS_TID for e in joins)  # on the calls track, never a lane's
    calls = {e["args"]["name"] for e in events if e.get("name") == "thread_name"
             and e["tid"] >= CALLS_TID}
    assert "main program: calls" in calls
    main = [r for r in rows if r["record"] == "span" and r["lane"] == "0"]
    assert main and all(r["pid"].isdigit() for r in main)  # the main program's pid


def test_crash_csv_has_the_exit_code_and_the_exception_apart():
    _events, rows = run("crash")
    exits = [r for r in rows if r["record"] == "exit"]
    assert any(r["exception"].startswith("RuntimeError: crashed") and r["exit_code"] == "1"
               for r in exits), exits
    assert all(r["tid"] for r in rows if r["record"] == "span")


def test_lanes_are_sorted_in_the_tables_order():
    events, _rows = run("seed")
    names = {e["pid"]: e["args"]["name"] for e in events if e.get("name") == "process_name"}
    order = sorted((e["args"]["sort_index"], names[e["pid"]]) for e in events
                   if e.get("name") == "process_sort_index")
    assert [n for _i, n in order][:5] == ["main program", "A (process1 1)", "B (process1 2)",
                                         "C (process1 3)", "D (process1 4)"]
    threads = [e for e in events if e.get("name") == "thread_sort_index"]
    assert {(e["pid"], e["tid"]) for e in threads} == {
        (e["pid"], e["tid"]) for e in events if e.get("name") == "thread_name"}


@pytest.mark.parametrize("script", [("pool_map.py", "fork"), ("processes.py", "fork"),
                                    ("threads.py", "fork"), ("executor.py", "fork")])
def test_traced_scripts_export_traces_that_nest(script):
    runner = trace(*script)
    events = check_trace(runner.store)
    check_csv(runner.store)
    assert all(e["tid"] >= CALLS_TID for e in events if e.get("cat") == "join"
               and e["ph"] == "X")


def test_the_validator_catches_a_state_slice_that_crosses_a_join():
    """What traces were before: a state slice ending 2 µs before the join on its track."""
    bad = [{"ph": "X", "name": "running", "ts": 0, "dur": 100, "pid": 1, "tid": 1},
           {"ph": "X", "name": "A.join()", "ts": 50, "dur": 60, "pid": 1, "tid": 1},
           {"ph": "B", "name": "open", "ts": 0, "pid": 1, "tid": 2}]
    problems = trace_problems(bad)
    assert len(problems) == 2
    assert any("crosses" in p for p in problems) and any("never ended" in p for p in problems)
    good = [bad[0], {"ph": "X", "name": "inner", "ts": 10, "dur": 90, "pid": 1, "tid": 1},
            {"ph": "X", "name": "after", "ts": 100, "dur": 5, "pid": 1, "tid": 1}]
    assert trace_problems(good) == []


def test_overlapping_joins_get_a_calls_track_each():
    """Two threads of the main program joining at once: two calls tracks."""
    from mpgui.runtime.store.trace import Join
    store = TraceStore()
    main = store.add_lane("main", "main program", "main")
    a, b = store.add_lane("A", "a", "process"), store.add_lane("B", "b", "process")
    store.begin(1_000_000, main)
    store.joins.extend([Join(a, 1_000_000, t_return=5_000_000),
                        Join(b, 2_000_000, t_return=6_000_000)])
    store.finish(7_000_000)
    events = chrome_trace(store, parent_pid=10)["traceEvents"]
    assert trace_problems(events) == []
    assert sorted(e["tid"] for e in events if e.get("cat") == "join") == [CALLS_TID,
                                                                         CALLS_TID + (1 << 16)]


def test_shared_objects_export_as_flows_instants_and_counters():
    # The chart's put -> get lines are the trace's flow arrows, from the producer's
    # track to the consumer's; the queue's depth is a counter; a lock's operations are
    # instants on the tracks of the processes that did them, its holding a counter.
    events, _rows = run("producer-consumer")
    starts = {e["id"]: e for e in events if e.get("cat") == "item" and e["ph"] == "s"}
    ends = {e["id"]: e for e in events if e.get("cat") == "item" and e["ph"] == "f"}
    assert len(starts) == 4 and starts.keys() == ends.keys()  # four items, each matched
    assert all(starts[k]["ts"] <= ends[k]["ts"] and starts[k]["tid"] != ends[k]["tid"]
               for k in starts)
    depth = [e["args"]["items"] for e in events if e["ph"] == "C" and e["name"] == "Q (queue)"]
    assert depth[0] == 0 and depth[-1] == 0 and max(depth) >= 1 and len(depth) == 9

    events, _rows = run("lock-convoy")
    acquires = [e for e in events if e["ph"] == "i" and e["name"] == "L.acquire"]
    assert len(acquires) == 6 and len({e["tid"] for e in acquires}) == 3
    held = [e["args"]["held"] for e in events if e["ph"] == "C" and e["name"] == "L (lock)"]
    assert held[0] == 0 and held[-1] == 0 and set(held) == {0, 1}
