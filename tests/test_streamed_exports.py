"""Exports and run files are written a piece at a time: the CSV and the Chrome trace of
a flood are larger than the memory budget, so they are never built whole. The pieces make
the same bytes as the whole did, the memory they take stays small against what is
written, and a write that fails part way still leaves the old file."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from array import array
from collections.abc import Iterator

import pytest

from mpgui.model.builtins import load_builtin
from mpgui.model.fileformat import WriteError
from mpgui.runtime.headless import run_headless
from mpgui.runtime.output import jsonstream
from mpgui.runtime.output.export import (
    chrome_trace,
    chrome_trace_pieces,
    csv_pieces,
    csv_text,
    write_chrome_trace,
    write_csv,
)
from mpgui.runtime.output.jsonstream import json_array, utf8_pieces
from mpgui.runtime.output.runfile import _run_json, load_run, run_to_dict, save_run
from mpgui.runtime.protocol import Kind, State
from mpgui.runtime.store import spill
from mpgui.runtime.store.trace import TraceStore
from tests.full_disk import file_size_limit
from tests.test_memory import MS, NO_LIMIT, T0, TINY, recorded

OLD = b"the old export: it must survive\n"
STATES = (State.RUNNING, State.PREEMPTED)


def whole_trace(store: TraceStore) -> bytes:
    """What the Chrome trace export wrote before it was streamed."""
    return json.dumps(chrome_trace(store)).encode("utf-8")


@pytest.fixture(params=[None, 1, 1000], ids=["MB pieces", "1-char pieces", "1k pieces"])
def piece_chars(request, monkeypatch):
    """The pieces' size: as shipped, and small enough that every boundary is met."""
    if request.param is not None:
        monkeypatch.setattr(jsonstream, "PIECE_CHARS", request.param)
    return request.param or jsonstream.PIECE_CHARS


@pytest.mark.parametrize("budget", [NO_LIMIT, TINY], ids=["in memory", "spilled"])
def test_streamed_exports_are_byte_for_byte_the_whole_ones(budget, piece_chars):
    store = recorded(spill.MemoryBudget(budget))
    try:
        assert store.spilled == (budget == TINY)
        assert b"".join(chrome_trace_pieces(store)) == whole_trace(store)
        assert b"".join(csv_pieces(store)) == csv_text(store).encode("utf-8")
    finally:
        store.close()


@pytest.mark.parametrize("budget", [NO_LIMIT, TINY], ids=["in memory", "spilled"])
def test_a_streamed_run_file_holds_the_whole_json(budget, piece_chars, tmp_path):
    """Its JSON, unpacked, is byte for byte what it was when built whole; it loads."""
    store = recorded(spill.MemoryBudget(budget))
    scenario = load_builtin("seed")
    path = tmp_path / "run.mpgrun"
    try:
        save_run(path, scenario, store, {"speed": 20})
        whole = json.dumps(run_to_dict(scenario, store, {"speed": 20}), separators=(",", ":"))
        assert gzip.decompress(path.read_bytes()) == whole.encode("utf-8")
        _s, loaded, meta = load_run(path)
        assert meta == {"speed": 20} and csv_text(loaded) == csv_text(store)
        loaded.close()
    finally:
        store.close()


def test_a_real_run_exports_the_same_streamed(piece_chars):
    """A run of real processes, one of which fails (its traceback: quotes, newlines)."""
    checked = []

    def check(store: TraceStore) -> None:
        assert b"".join(chrome_trace_pieces(store)) == whole_trace(store)
        assert b"".join(csv_pieces(store)) == csv_text(store).encode("utf-8")
        checked.append(store.n_lines)

    run_headless(load_builtin("crash"), name="crash", speed=20, start_method="spawn",
                 quiet=True, out=io.StringIO(), err=io.StringIO(), after=check)
    assert checked and checked[0] > 0


@pytest.mark.parametrize("items", [[], [1], ["a", {"b": [1, 2.5, None]}, "é\n\"", 3] * 500])
def test_a_json_array_in_pieces_is_json_dumps(items, piece_chars):
    for separators in ((", ", ": "), (",", ":")):
        pieces = list(json_array(items, separators=separators))
        assert "".join(pieces) == json.dumps(items, separators=separators)
    assert b"".join(utf8_pieces(["é", "字🙂", "", "x" * 5000])) == "é字🙂x".encode() + b"x" * 4999


def flood(lines: int, budget: spill.MemoryBudget) -> TraceStore:
    """A store of `lines` printed lines (~60 characters) from four processes, in
    batches of 256 as children send them, with a span a batch."""
    store = TraceStore(budget=budget)
    main = store.add_lane("main", "main program", "main")
    kids = [store.add_lane(f"F{k}", f"flood {k}", "process") for k in range(4)]
    store.begin(T0, main)
    for k in kids:
        store.start_called(T0 + k * MS, k)
    t = T0 + 10 * MS
    for batch in range(lines // 256):
        lane = kids[batch % 4]
        first = batch * 256
        times = array("q", range(t, t + 256 * 1000, 1000))
        text = "\n".join(f"flood line {first + j}: the quick brown fox jumps over the lazy dog"
                         for j in range(256))
        store.ingest(lane, (0, [(Kind.STATE, t, STATES[batch % 2], batch % 2)], times.tobytes(),
                            text.encode()))
        t += 256 * 1000
    for k in kids:
        store.exited(t, k, 0)
    store.finish(t + MS)
    return store


def run_file_pieces(store: TraceStore) -> Iterator[bytes]:
    """A run file's JSON (before it is compressed), as save_run writes it."""
    return utf8_pieces(_run_json(load_builtin("seed"), store, {}))


@pytest.mark.parametrize(("pieces", "lines"), [(csv_pieces, 1_000_000),
                                               (chrome_trace_pieces, 300_000),
                                               (run_file_pieces, 1_000_000)],
                         ids=["csv", "trace", "run file"])
def test_exporting_a_flood_takes_little_memory(pieces, lines):
    """The store (most of its text spilled) is made first; then exporting it allocates
    at its peak a few MB, against ~90 MB of CSV (or ~80 MB of run file JSON) for 1 M
    lines, ~75 MB of trace for 300 k (fewer: under tracemalloc a trace event takes
    ~30 µs to make)."""
    store = flood(lines, spill.MemoryBudget(16_000_000))
    try:
        assert store.spilled
        tracemalloc.start()
        try:
            written = sum(len(piece) for piece in pieces(store))
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert written > 60_000_000
        assert peak < 32_000_000 and peak < written / 5, (peak, written)
    finally:
        store.close()


def write_run(store: TraceStore, path) -> None:
    save_run(path, load_builtin("seed"), store, {})


@pytest.mark.parametrize("write", [write_csv, write_chrome_trace, write_run],
                         ids=["csv", "trace", "run file"])
def test_a_streamed_export_that_fails_part_way_leaves_the_old_file(
        write, tmp_path, monkeypatch):
    """The disk fills after several pieces went out (a file size limit, which the
    kernel enforces as it does a full disk): WriteError, the old file unchanged, no
    temporary left."""
    monkeypatch.setattr(jsonstream, "PIECE_CHARS", 4096)
    store = recorded(spill.MemoryBudget(TINY))
    try:
        full = tmp_path / "full size"
        write(store, full)  # with room: the whole export
        size = full.stat().st_size
        full.unlink()
        target = tmp_path / "out"
        target.write_bytes(OLD)
        with file_size_limit(size // 2), pytest.raises(WriteError, match="cannot save"):
            write(store, target)  # several pieces went out; the next cannot
        assert [p.name for p in tmp_path.iterdir()] == ["out"]
        assert target.read_bytes() == OLD
    finally:
        store.close()


def test_a_run_files_records_are_streamed_and_their_empty_fields_left_out(
        piece_chars, tmp_path):
    """A traced queue's records: written a batch at a time, the fields at their default
    (value, t_read, by) left out, read back the same."""
    from benchmarks.window import _queue_store

    store = _queue_store(3_000)
    scenario = load_builtin("producer-consumer")
    path = tmp_path / "queue.mpgrun"
    save_run(path, scenario, store, {})
    unpacked = gzip.decompress(path.read_bytes())
    assert unpacked == json.dumps(run_to_dict(scenario, store, {}),
                                  separators=(",", ":")).encode("utf-8")
    shared = json.loads(unpacked)["shared"]
    assert shared[:2] == [{"lane": 1, "t": 0, "obj": "Q", "verb": "put", "item": "0"},
                          {"lane": 2, "t": 500, "obj": "Q", "verb": "get", "item": "0"}]
    _s, loaded, _meta = load_run(path)
    assert loaded.records("shared") == store.records("shared")


def test_a_run_too_large_to_open_again_is_not_saved(monkeypatch, tmp_path):
    """A run file is refused when written, not when opened: the old file stays."""
    from benchmarks.window import _queue_store
    from mpgui.model.fileformat import ScenarioFileError
    from mpgui.runtime.output import runfile

    store = _queue_store(3_000)
    scenario = load_builtin("producer-consumer")
    path = tmp_path / "queue.mpgrun"
    path.write_bytes(OLD)
    monkeypatch.setattr(runfile, "MAX_BYTES", 100_000)  # (the file unpacks to ~260 kB)
    with pytest.raises(ScenarioFileError, match="too large for a run file"):
        save_run(path, scenario, store, {})
    assert path.read_bytes() == OLD and list(tmp_path.iterdir()) == [path]
