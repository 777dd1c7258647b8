"""Run files: a recorded run survives save and load exactly; bad files are refused
with a message naming the problem, never a crash."""

from __future__ import annotations

import contextlib
import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mpgui.model.builtins import load_builtin
from mpgui.runtime.output.runfile import RunFileError, load_run, run_to_dict, save_run
from mpgui.runtime.parent.runner import Runner


@pytest.fixture(scope="module")
def crash_run():
    scenario = load_builtin("crash")
    with Runner(scenario, speed=20) as r:
        r.run()
    return scenario, r.store


def test_a_run_round_trips_exactly(tmp_path, crash_run):
    scenario, store = crash_run
    path = tmp_path / "crash.mpgrun"
    save_run(path, scenario, store, {"speed": 20, "start_method": "spawn"})
    scenario2, store2, meta = load_run(path)
    assert scenario2 == scenario and meta == {"speed": 20, "start_method": "spawn"}
    for column in ("span_lane", "span_state", "span_core", "span_t0", "span_t1",
                   "line_lane", "line_t"):
        assert getattr(store2, column) == getattr(store, column)
    assert [store2.line_text(i) for i in range(store2.n_lines)] == \
        [store.line_text(i) for i in range(store.n_lines)]
    for a, b in zip(store.lanes, store2.lanes, strict=True):
        b.core = a.core  # where a lane was at the end: live state, not kept in a file
        assert a == b
    assert store2.joins == store.joins
    assert store2.lanes[1].error[0] == "RuntimeError"
    assert (store2.t0, store2.t_end) == (store.t0, store.t_end)


def write(path, doc) -> None:
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d.update(format=2), "format 2"),
    (lambda d: d.update(scenario="format = 1\n[[process]]\n"), "process[1]"),
    (lambda d: d["columns"].update(span_t0=[1, "x"]), "columns.span_t0"),
    (lambda d: d["columns"].update(span_t1=[]), "differ in length"),
    (lambda d: d["columns"].update(line_lane=[99] * len(d["columns"]["line_lane"])),
     "does not exist"),
    (lambda d: d["lanes"][1].update(pid="123"), "lanes[1].pid"),
    (lambda d: d["joins"][0].update(lane=-1), "joins[0].lane"),
    (lambda d: d.update(line_text=["a\nb"]), "line_text"),
])
def test_bad_run_files_say_what_is_wrong(tmp_path, crash_run, change, words):
    doc = run_to_dict(*crash_run, {})
    change(doc)
    path = tmp_path / "bad.mpgrun"
    write(path, doc)
    with pytest.raises(RunFileError, match=None) as err:
        load_run(path)
    assert words in str(err.value)


def test_not_a_run_file_at_all(tmp_path):
    (tmp_path / "x.mpgrun").write_text("hello")
    with pytest.raises(RunFileError, match="not an mpgui run file"):
        load_run(tmp_path / "x.mpgrun")
    with pytest.raises(RunFileError, match="is a folder"):
        load_run(tmp_path)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20))
def test_fuzz_run_loader_raises_only_the_documented_error(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("fuzz") / "f.mpgrun"
    write(path, {"format": 1, "scenario": "format = 1", "t0": 0, "t_end": 1, "events": 0,
                 "lanes": doc, "threads": [], "columns": doc, "line_text": [], "joins": doc}
          if isinstance(doc, list) else doc)
    with contextlib.suppress(RunFileError):
        load_run(path)
