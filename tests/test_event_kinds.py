"""The registry of event kinds: a kind declared in one place — here a toy one, defined
inside the test — is kept by the store, written and read back by run files, written by
the Chrome trace and the CSV, and painted by the chart; the store's internals stay its
own (run files and the script tracer use its public API)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import mpgui
from mpgui.model.builtins import load_builtin
from mpgui.runtime.output.export import chrome_trace, csv_text
from mpgui.runtime.output.runfile import (
    LANE_FIELDS,
    RunFileError,
    load_run,
    run_from_dict,
    run_to_dict,
    save_run,
)
from mpgui.runtime.protocol import Kind, State
from mpgui.runtime.script import runner as script_runner
from mpgui.runtime.store import events
from mpgui.runtime.store.events import ChromeTracks
from mpgui.runtime.store.schema import Field
from mpgui.runtime.store.trace import Lane, TraceStore
from mpgui.ui.chart.geometry import layout_rows
from mpgui.ui.chart.labels import Box, Frame, MarksLayout, Segment, _Flag, layout_marks
from mpgui.ui.chart.mark_painters import PAINTERS, register_painter

MS = 1_000_000
TOY_CODE = 200  # a number no built-in kind uses


# -- the toy kind: everything about it, in one place ------------------------------------

@dataclass
class Mark:
    """A child said `text` at `t` (as a put/get/acquire/... event will)."""

    lane: int
    t: int
    text: str


def _keep(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    store.records("mark").append(Mark(lane, t, str(a)))


def _chrome(store: TraceStore, marks: list[Mark], tracks: ChromeTracks
            ) -> Iterator[dict[str, Any]]:
    for m in marks:
        yield {"ph": "i", "s": "t", "cat": "mark", "name": m.text, "ts": tracks.us(m.t),
               **tracks.at(m.lane)}


def _csv(store: TraceStore, marks: list[Mark], row: Callable[..., tuple[object, ...]]
         ) -> Iterator[tuple[object, ...]]:
    for m in marks:
        yield row("mark", m.lane, t0=m.t, text=m.text)


TOY = events.EventKind(
    "mark", TOY_CODE, keep=_keep, record=Mark,
    fields=(Field("lane", (int,), lane=True), Field("t", (int,)), Field("text", (str,))),
    chrome=_chrome, csv=_csv, painter="mark")


class _MarkPainter:
    """A flag on the main program's lane and a tick on the mark's own lane."""

    def count(self, records: list[Mark], cut_ns: int) -> int:
        return sum(m.t <= cut_ns for m in records)

    def connectors(self, store: TraceStore, records: list[Mark], rows: Any, frame: Frame,
                   cut_ns: int, out: MarksLayout) -> None:
        for m in records:
            top = frame.row_top(int(rows.lane_row[m.lane]))
            x = frame.x_of(m.t)
            out.segments.append(Segment(x, top, x, top + frame.row_h, "exit"))

    def flags(self, store: TraceStore, records: list[Mark], cut_ns: int) -> list[_Flag]:
        return [_Flag(m.t, f"mark: {m.text}", "join", [("mark", i)], None, [m.text])
                for i, m in enumerate(records) if m.t <= cut_ns]


@pytest.fixture
def toy_kind() -> Iterator[events.EventKind]:
    kind = events.register(TOY)
    register_painter("mark", _MarkPainter())
    try:
        yield kind
    finally:
        events.unregister("mark")
        PAINTERS.pop("mark", None)


def toy_run() -> TraceStore:
    """A small run whose process reports two toy events among its states."""
    store = TraceStore()
    main = store.add_lane("main", "main program", "main")
    a = store.add_lane("A", "process1", "process")
    store.begin(0, main)
    store.start_called(1 * MS, a)
    store.ingest(a, (0, [(Kind.STARTED, 2 * MS, 4242, 0),
                         (TOY_CODE, 3 * MS, "put", None),
                         (Kind.STATE, 4 * MS, State.SLEEPING, -1),
                         (TOY_CODE, 5 * MS, "get", None),
                         (Kind.FINISHED, 6 * MS, 0, 3 * MS)], b"", b""))
    store.exited(7 * MS, a, 0)
    store.finish(8 * MS)
    return store


def test_a_kind_registered_in_one_place_flows_store_file_export_chart(toy_kind, tmp_path):
    store = toy_run()
    assert store.records("mark") == [Mark(1, 3 * MS, "put"), Mark(1, 5 * MS, "get")]

    # A run file writes the records under the kind's key, and reads them back checked.
    path = tmp_path / "toy.mpgrun"
    save_run(path, load_builtin("seed"), store, {})
    _scenario, loaded, _meta = load_run(path)
    assert loaded.records("mark") == store.records("mark")
    assert loaded.joins == store.joins == []

    # The exports write them as the kind says, with the lane's track and times.
    trace = chrome_trace(loaded, parent_pid=1)
    marks = [e for e in trace["traceEvents"] if e.get("cat") == "mark"]
    assert [(e["name"], e["ts"]) for e in marks] == [("put", 3000.0), ("get", 5000.0)]
    assert {(e["pid"], e["tid"]) for e in marks} == {(4242, 4242)}
    rows = [line.split(",") for line in csv_text(loaded).splitlines()]
    assert [(r[0], r[2], r[8], r[12]) for r in rows if r[0] == "mark"] == \
        [("mark", "A", "0.003000", "put"), ("mark", "A", "0.005000", "get")]

    # The chart paints them with the painter registered against the kind's name.
    frame = Frame(x_of=lambda t: t / MS * 40.0, row_top=lambda r: 40.0 * r, row_h=30.0,
                  plot=Box(0, 0, 2000, 400), width_of=lambda s: 7.0 * len(s), line_h=14.0)
    layout = layout_marks(loaded, layout_rows(loaded, 1, False), frame)
    shown = {lb.text: lb.covers for lb in layout.labels}
    assert shown["mark: put"] == (("mark", 0),) and shown["mark: get"] == (("mark", 1),)
    assert Segment(120.0, 40.0, 120.0, 70.0, "exit") in layout.segments  # A's row, at 3 ms


def test_a_bad_record_in_a_run_file_names_its_field(toy_kind):
    store = toy_run()
    doc = json.loads(json.dumps(run_to_dict(load_builtin("seed"), store, {})))
    good = json.loads(json.dumps(doc))
    doc["marks"][1]["lane"] = 9
    with pytest.raises(RunFileError, match=r"marks\[1\]\.lane: no such lane"):
        run_from_dict(doc)
    for wrong, said in [("a record", r"marks\[1\]: expected an object"),
                        ({"t": 5}, r"marks\[1\]\.lane: missing or of the wrong type"),
                        ({"lane": True, "t": 5}, r"marks\[1\]\.lane: missing or of the wrong"),
                        ({"lane": 1, "t": "5"}, r"marks\[1\]\.t: missing or of the wrong")]:
        doc["marks"][1] = wrong if isinstance(wrong, str) else good["marks"][1] | wrong
        if isinstance(wrong, dict) and "lane" not in wrong:
            del doc["marks"][1]["lane"]
        with pytest.raises(RunFileError, match=said):
            run_from_dict(doc)
    del doc["marks"]  # a file from before the kind existed: none recorded
    assert run_from_dict(doc)[1].records("mark") == []


def test_without_the_toy_kind_nothing_of_it_is_kept_or_written():
    store = toy_run()  # (the toy events arrive; no kind is registered for them)
    assert store.records("mark") == []
    assert "marks" not in json.dumps(chrome_trace(store))


def test_every_kind_of_the_protocol_has_its_entry():
    sent = {v for k, v in vars(Kind).items() if k.isupper()}
    assert script_runner.EXITED.code == Kind.EXITED  # (its kinds registered)
    assert {k.code for k in events.kinds() if k.code is not None} == sent
    # A child's kinds are kept by the store; a traced script's are the tracer's.
    for kind in events.kinds():
        assert kind.code is None or kind.keep is not None or kind.traced is not None, kind


def test_a_run_file_keeps_every_field_of_a_lane_but_the_live_ones():
    live = {"state", "core", "open_span"}  # where a lane is now: not a file's business
    assert {f.name for f in dataclasses.fields(Lane)} == {f.name for f in LANE_FIELDS} | live


def test_no_module_reaches_into_the_store():
    """The store's private attributes are used only by trace.py itself."""
    package = Path(mpgui.__file__).parent
    reach = re.compile(r"\bstore\._[a-z]")
    offenders = [f"{p.relative_to(package)}:{n}" for p in package.rglob("*.py")
                 if p.name != "trace.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if reach.search(line)]
    assert offenders == []
