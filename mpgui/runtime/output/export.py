"""Exports of a run: Chrome Trace Event Format JSON (opens in the Perfetto UI and
chrome://tracing) and CSV."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import threading
from collections.abc import Iterator
from typing import Any

from mpgui.model.backend import get_backend
from mpgui.model.fileformat import atomic_write
from mpgui.runtime.output import jsonstream
from mpgui.runtime.output.jsonstream import json_array, utf8_pieces
from mpgui.runtime.store import events
from mpgui.runtime.store.trace import OPEN, TraceStore, state_label

# The track of other programs' use of the CPUs: a pid no lane has (lanes without a pid
# use -(index + 1), and there are at most 65,536 lanes).
OTHERS_PID = -100_000


def _us(store: TraceStore, t: int) -> float:
    return (t - (store.t0 or 0)) / 1000.0


def _others_counters(store: TraceStore) -> list[dict[str, Any]]:
    """Other programs' use of each CPU as counter tracks ("C" events, in per cent), one
    per CPU under a process of their own."""
    others = store.others
    if not others.n_samples:
        return []
    ev: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": OTHERS_PID,
         "args": {"name": "other programs (per CPU)"}},
        {"ph": "M", "name": "process_sort_index", "pid": OTHERS_PID,
         "args": {"sort_index": len(store.lanes)}}]
    for cpu, column in enumerate(others.fraction):
        name = f"CPU {cpu}: other programs"
        for t0, f in zip(others.t0, column, strict=True):
            ev.append({"ph": "C", "name": name, "pid": OTHERS_PID, "ts": _us(store, t0),
                       "args": {"%": round(f * 100, 1)}})
        ev.append({"ph": "C", "name": name, "pid": OTHERS_PID,
                   "ts": _us(store, others.t1[-1]), "args": {"%": 0}})
    return ev


def chrome_trace(store: TraceStore, parent_pid: int | None = None) -> dict[str, Any]:
    """The run as a Chrome trace: one process per lane (its pid), complete events for
    spans, instant events for printed lines, starts and exits, the joins as complete
    events on a calls track beside the lane of the program that waited (never on the
    lane's own track: slices there would cross, and Perfetto drops crossing slices),
    with a flow arrow from the child's exit to the join's return.
    (All in memory: `chrome_trace_pieces` writes the same a piece at a time.)"""
    return {"traceEvents": list(_trace_events(store, parent_pid)), **_TRACE_TAIL}


# What follows the events in a Chrome trace file
_TRACE_TAIL = {"displayTimeUnit": "ms", "otherData": {"producer": "mpgui"}}


def chrome_trace_pieces(store: TraceStore, parent_pid: int | None = None) -> Iterator[bytes]:
    """``json.dumps(chrome_trace(store))`` as UTF-8, byte for byte, in pieces of about
    a MB: the events are made, encoded and let go a batch at a time."""
    events = json_array(_trace_events(store, parent_pid), _event_weight)
    tail = ", " + json.dumps(_TRACE_TAIL)[1:]  # the other keys, and the closing brace
    return utf8_pieces(itertools.chain(['{"traceEvents": '], events, [tail]))


def _event_weight(event: dict[str, Any]) -> int:
    # A printed line's event holds its text twice (its name: the first 80 characters).
    args = event.get("args")
    text = args.get("text") if isinstance(args, dict) else None
    return 200 + (len(text) + 80 if isinstance(text, str) else 0)


# Tracks that are never a real thread: Linux pids and tids stay below 2**22 (pid_max).
# The main program's calls (its joins, its X.start()) are on tracks of their own from
# here up, and a lane whose (pid, tid) another lane already holds gets one from here down.
CALLS_TID = 1 << 22
SYNTHETIC_TID = 100_000


def track_ids(store: TraceStore, parent_pid: int | None = None) -> dict[int, tuple[int, int]]:
    """Each lane's (pid, tid) in the Chrome trace, the same for the CSV: a process is its
    pid (its main thread: tid = pid); a thread, or a task in a worker's process, a
    numbered track (100,000 + its lane) in its process; a lane without a pid -(lane + 1).
    The main program is the pid it ran as (`parent_pid`, else this process's, for runs
    that did not record it). No two lanes share a track."""
    parent = parent_pid if parent_pid is not None else os.getpid()
    ids: dict[int, tuple[int, int]] = {}
    taken: set[tuple[int, int]] = set()
    own_process = get_backend(store.backend).own_process  # a row is a process of its own
    for ln in store.lanes:
        if ln.kind == "main":
            pid = tid = ln.pid if ln.pid else parent
        elif ln.kind == "thread":
            pid, tid = ids[store.owner_of(ln.index)][0], SYNTHETIC_TID + ln.index
        elif not own_process and ln.kind == "process":
            # A thread of the host, or a task in its worker's process: a track of its own.
            pid = ln.pid if ln.pid is not None else -(ln.index + 1)
            tid = SYNTHETIC_TID + ln.index
        else:
            pid = tid = ln.pid if ln.pid is not None else -(ln.index + 1)
        if (pid, tid) in taken:  # (a pid reused, or shared by two lanes)
            tid = SYNTHETIC_TID + ln.index
        ids[ln.index] = (pid, tid)
        taken.add((pid, tid))
    return ids


def _calls_tid(waiter: int, n: int) -> int:
    """The tid of a program's n-th calls track (waiter: its lane, below 65,536)."""
    return CALLS_TID + (n << 16) + waiter


class _Tracks:
    """The `events.ChromeTracks` of a trace: each lane's track (`track_ids`) and each
    program's calls tracks."""

    def __init__(self, store: TraceStore, ids: dict[int, tuple[int, int]]) -> None:
        self.store = store
        self.ids = ids  # lane -> (pid, tid)

    def us(self, t: int) -> float:
        """A timestamp as the trace's microseconds since the run began."""
        return _us(self.store, t)

    def has(self, lane: int) -> bool:
        """Whether `lane` has a track."""
        return lane in self.ids

    def at(self, lane: int) -> dict[str, int]:
        """The pid and tid of the track of `lane`."""
        pid, tid = self.ids[lane]
        return {"pid": pid, "tid": tid}

    def on_calls(self, waiter: int, n: int) -> dict[str, int]:
        """The pid and tid of the `n`-th calls track of the program on lane `waiter`."""
        return {"pid": self.ids[waiter][0], "tid": _calls_tid(waiter, n)}


def _trace_events(store: TraceStore, parent_pid: int | None) -> Iterator[dict[str, Any]]:
    ids = track_ids(store, parent_pid)
    main = next((ln.index for ln in store.lanes if ln.kind == "main"), None)
    tracks = _Tracks(store, ids)
    kinds = [(k, store.records(k.name)) for k in events.recorded() if k.chrome is not None]
    own_process = get_backend(store.backend).own_process
    # Each program's calls (its joins; the main program's X.start() too) on tracks of
    # their own, beside its lane: its state slices and its joins never share a track.
    used: set[tuple[int, int]] = set()
    for kind, records in kinds:
        if kind.chrome_tracks is not None:
            used.update(kind.chrome_tracks(store, records, tracks))
    if main is not None:
        used.add((main, 0))
    # Perfetto (from v53) and chrome://tracing order processes and threads by these sort
    # indexes: the table's order. A process's threads: its own track first, then the
    # threads in lane order (2 x lane), a program's calls right after its lane.
    named: set[int] = set()
    for ln in store.lanes:
        pid, tid = ids[ln.index]
        # A process is named by its own lane (not by a thread's or a task's in it), once.
        own = ln.kind != "thread" and (own_process or ln.kind != "process")
        if own and pid not in named:
            named.add(pid)
            name = "main program" if ln.kind == "main" else ln.label
            yield {"ph": "M", "name": "process_name", "pid": pid, "args": {"name": name}}
            yield {"ph": "M", "name": "process_sort_index", "pid": pid,
                   "args": {"sort_index": ln.index}}
        yield {"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
               "args": {"name": ln.var}}
        yield {"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid,
               "args": {"sort_index": 2 * ln.index}}
    for waiter, n in sorted(used):
        tid = _calls_tid(waiter, n)
        who = store.lanes[waiter]
        name = ("main program" if who.kind == "main" else who.var) + ": calls" \
            + (f" ({n + 1})" if n else "")
        yield {"ph": "M", "name": "thread_name", "pid": ids[waiter][0], "tid": tid,
               "args": {"name": name}}
        yield {"ph": "M", "name": "thread_sort_index", "pid": ids[waiter][0], "tid": tid,
               "args": {"sort_index": 2 * waiter + 1}}

    at, on_calls = tracks.at, tracks.on_calls
    end = store.t_end
    # A lane's spans follow each other; should two ever overlap (clocks of two
    # processes), the later one starts where the earlier ended: slices on one track
    # never cross, or Perfetto drops them.
    reached: dict[int, int] = {}
    for i, lane in enumerate(store.span_lane):
        t0, t1 = store.span_t0[i], store.span_t1[i]
        if t1 == OPEN:
            if end is None:
                continue
            t1 = end
        t0 = max(t0, reached.get(lane, t0))
        t1 = max(t1, t0)
        reached[lane] = t1
        core = store.span_core[i]
        yield {"ph": "X", "cat": "state", "name": state_label(store.span_state[i]),
               "ts": _us(store, t0), "dur": (t1 - t0) / 1000.0, **at(lane),
               "args": {"core": core if core >= 0 else None}}
    for i, text in enumerate(store.line_texts()):
        yield {"ph": "i", "s": "t", "cat": "print", "name": text[:80],
               "ts": _us(store, store.line_t[i]), **at(store.line_lane[i]),
               "args": {"text": text}}
    for ln in store.lanes:
        if ln.start_call_t is not None and main is not None:
            yield {"ph": "i", "s": "t", "cat": "start", "name": f"{ln.var}.start()",
                   "ts": _us(store, ln.start_call_t), **on_calls(main, 0)}
        if ln.end_t is not None and ln.kind == "process":
            args: dict[str, Any] = {"exit_code": ln.exit_code}
            if ln.error:
                args.update(exception=f"{ln.error[0]}: {ln.error[1]}", traceback=ln.error[2])
            yield {"ph": "i", "s": "t", "cat": "exit", "name": f"exit {ln.exit_code}",
                   "ts": _us(store, ln.end_t), **at(ln.index), "args": args}
    for kind, records in kinds:  # (the joins, with a flow arrow from exit to return)
        assert kind.chrome is not None
        yield from kind.chrome(store, records, tracks)
    yield from _others_counters(store)


def write_chrome_trace(store: TraceStore, path: str | os.PathLike[str],
                       stop: threading.Event | None = None) -> None:
    """Write the Chrome trace JSON to `path` (atomically, a piece at a time). Raises
    WriteError (`stop`: see `atomic_write`)."""
    atomic_write(path, chrome_trace_pieces(store), stop)


CSV_COLUMNS = ("record", "lane", "process", "name", "pid", "tid", "state", "core", "start_s",
               "end_s", "exit_code", "exception", "text")


def csv_text(store: TraceStore) -> str:
    """The run as CSV: one row per span, printed line, start, join and exit, and per
    CPU and sample the part of it other programs used (record "others": the CPU in
    `core`, the fraction 0..1 in `text`). (All in memory: `csv_pieces` writes the same
    a piece at a time.)"""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(_csv_rows(store))
    return buf.getvalue()


def csv_pieces(store: TraceStore) -> Iterator[bytes]:
    """``csv_text(store)`` as UTF-8, byte for byte, in pieces of about a MB."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in _csv_rows(store):
        w.writerow(row)
        if buf.tell() >= jsonstream.PIECE_CHARS:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _csv_rows(store: TraceStore) -> Iterator[tuple[object, ...]]:
    yield CSV_COLUMNS
    ids = track_ids(store, 0)  # a main program that did not record its pid: none

    def s(t: int | None) -> str:
        return "" if t is None or t == OPEN else f"{(t - (store.t0 or 0)) / 1e9:.6f}"

    def row(record: str, lane: int, state: str = "", core: int | str = "", t0: int | None = None,
            t1: int | None = None, text: str = "", exit_code: int | str = "",
            exception: str = "") -> tuple[object, ...]:
        ln = store.lanes[lane]
        pid, tid = ids[lane]
        # Typed columns: a pid and a tid are whole numbers, or empty when the lane never
        # had a process (never started; a prediction).
        real = pid > 0
        return (record, lane, ln.var, ln.name, pid if real else "", tid if real else "",
                state, core, s(t0), s(t1), exit_code, exception, text)

    for i, lane in enumerate(store.span_lane):
        core = store.span_core[i]
        yield row("span", lane, state_label(store.span_state[i]), core if core >= 0 else "",
                  store.span_t0[i], store.span_t1[i])
    for i, text in enumerate(store.line_texts()):
        yield row("line", store.line_lane[i], t0=store.line_t[i], text=text)
    for ln in store.lanes:
        if ln.start_call_t is not None:
            yield row("start", ln.index, t0=ln.start_call_t, t1=ln.started_t)
        if ln.end_t is not None and ln.kind == "process":
            err = f"{ln.error[0]}: {ln.error[1]}" if ln.error else ""
            code = "" if ln.exit_code is None else ln.exit_code
            yield row("exit", ln.index, t0=ln.end_t, exit_code=code, exception=err)
    for kind in events.recorded():  # the joins, ...
        if kind.csv is not None:
            yield from kind.csv(store, store.records(kind.name), row)
    others = store.others
    for cpu, column in enumerate(others.fraction):
        for t0, t1, f in zip(others.t0, others.t1, column, strict=True):
            yield ("others", "", "", "other programs", "", "", "", cpu, s(t0), s(t1), "", "",
                   f"{f:.3f}")


def write_csv(store: TraceStore, path: str | os.PathLike[str],
              stop: threading.Event | None = None) -> None:
    """Write the CSV to `path` (atomically, a piece at a time). Raises WriteError
    (`stop`: see `atomic_write`)."""
    atomic_write(path, csv_pieces(store), stop)
