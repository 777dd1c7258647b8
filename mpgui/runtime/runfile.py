"""Run files (``.mpgrun``): a recorded run — its scenario and everything measured — to
replay later, for instance a demo prepared before class.

A run file is gzip-compressed JSON: data only. Loading it parses JSON and checks every
field's type and every column's length; nothing is evaluated, imported or unpickled, so
a shared run file is as safe to open as a scenario file.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mpgui.model.backend import BACKENDS, DEFAULT_BACKEND
from mpgui.model.escape import shown
from mpgui.model.fileformat import ScenarioFileError, atomic_write, dump_scenario, parse_scenario
from mpgui.model.scenario import Scenario
from mpgui.model.userfile import open_regular
from mpgui.runtime.jsonstream import json_array, utf8_pieces
from mpgui.runtime.trace import OPEN, Join, Lane, OtherPrograms, TraceStore

FORMAT = 1
SUFFIX = ".mpgrun"
MAX_BYTES = 200_000_000  # uncompressed JSON
_LANE_FIELDS = {  # name -> accepted types (None allowed where listed)
    "index": (int,), "var": (str,), "name": (str,), "kind": (str,), "daemon": (bool,),
    "pid": (int, type(None)), "start_call_t": (int, type(None)),
    "started_t": (int, type(None)), "end_t": (int, type(None)),
    "exit_code": (int, type(None)), "terminate_t": (int, type(None)),
    "cpu_ns": (int, type(None)), "migrations": (int,), "preemptions": (int,),
    "lines": (int,), "finish_t": (int, type(None)),
}
# Added later: a file without them still reads (as None).
_OPTIONAL_LANE_FIELDS = {"finish_code": (int, type(None)), "host": (int, type(None))}
_OPTIONAL_LANE_FLAGS = ("terminated_at_end",)  # booleans, False when missing
_COLUMNS = {"span_lane": "H", "span_state": "B", "span_core": "h", "span_t0": "q",
            "span_t1": "q", "line_lane": "H", "line_t": "q"}
MAX_CPUS = 4096  # of other programs' columns, in a run file
NOT_RECORDED = "this run file does not record it"  # files from before it was measured


class RunFileError(ValueError):
    """A run file that cannot be read; the message names the problem."""


def run_to_dict(scenario: Scenario, store: TraceStore, meta: dict[str, Any]) -> dict[str, Any]:
    """A finished run as plain data."""
    d = _run_fields(scenario, store, meta)
    d["columns"] = {name: list(getattr(store, name)) for name in _COLUMNS}
    d["line_text"] = list(store.line_texts())
    return d


def _run_fields(scenario: Scenario, store: TraceStore, meta: dict[str, Any]) -> dict[str, Any]:
    """run_to_dict's fields in their order, the large ones ("columns", "line_text")
    left None: save_run writes those a piece at a time."""
    lanes = []
    for ln in store.lanes:
        d = {k: getattr(ln, k) for k in (*_LANE_FIELDS, *_OPTIONAL_LANE_FIELDS,
                                          *_OPTIONAL_LANE_FLAGS)}
        d["cores"] = sorted(ln.cores)
        d["error"] = list(ln.error) if ln.error else None
        lanes.append(d)
    return {
        "format": FORMAT, "producer": "mpgui", "meta": meta,
        "scenario": dump_scenario(scenario),
        "backend": store.backend, "info": store.info,
        "t0": store.t0, "t_end": store.t_end, "events": store.events, "lanes": lanes,
        "threads": [[owner, sub, lane] for (owner, sub), lane in store._subs.items()],
        "columns": None,
        "line_text": None,
        "joins": [vars(j) for j in store.joins],
        "others": _others_to_dict(store.others),
    }


_SEPARATORS = (",", ":")


def _run_json(scenario: Scenario, store: TraceStore, meta: dict[str, Any]) -> Iterator[str]:
    """``json.dumps(run_to_dict(...), separators=(",", ":"))`` in pieces of bounded size:
    the columns and the printed text (what grows with a run) a batch at a time."""
    for k, (key, value) in enumerate(_run_fields(scenario, store, meta).items()):
        yield ("{" if k == 0 else ",") + json.dumps(key) + ":"
        if key == "columns":
            for c, name in enumerate(_COLUMNS):
                yield ("{" if c == 0 else ",") + json.dumps(name) + ":"
                yield from json_array(getattr(store, name), separators=_SEPARATORS)
            yield "}"
        elif key == "line_text":
            yield from json_array(store.line_texts(), lambda t: len(t) + 4, _SEPARATORS)
        else:
            yield json.dumps(value, separators=_SEPARATORS)
    yield "}"


def _gzipped(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The gzip file of the concatenated `pieces`, compressed as they come."""
    z = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    for piece in pieces:
        out = z.compress(piece)
        if out:
            yield out
    yield z.flush()


def save_run(path: str | os.PathLike[str], scenario: Scenario, store: TraceStore,
             meta: dict[str, Any]) -> None:
    """Write a run file atomically, a piece at a time (the text and columns of a large
    run are not gathered whole). Raises ScenarioFileError (whose message names the
    problem) if it cannot be written, or if the run is too large for a run file to be
    read back (checked before its text is read: a flood's text may be on disk)."""
    least = store.text_bytes + 2 * store.n_lines  # each line's text: at least "",
    if least > MAX_BYTES:
        raise ScenarioFileError(f"this run printed {least / 1e6:,.0f} MB of text, more than a "
                                f"run file holds ({MAX_BYTES // 1_000_000} MB); export it "
                                "as CSV or a Chrome trace instead")
    atomic_write(Path(path), _gzipped(utf8_pieces(_run_json(scenario, store, meta))))


def load_run(path: str | os.PathLike[str]) -> tuple[Scenario, TraceStore, dict[str, Any]]:
    """Read a run file: (scenario, store, meta). Raises RunFileError."""
    p = Path(path)
    # A FIFO, device or folder is refused unopened (userfile); the bound is on the
    # unpacked bytes, so a small "gzip bomb" cannot fill the memory either.
    try:
        with open_regular(p, "a run file", RunFileError) as raw, \
                gzip.GzipFile(fileobj=raw, mode="rb") as f:
            data = f.read(MAX_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:  # not gzip, truncated, corrupt
        raise RunFileError(f"{shown(p.name)} is not an mpgui run file "
                           f"({shown(getattr(exc, 'strerror', None) or exc)})") from None
    if len(data) > MAX_BYTES:
        raise RunFileError(f"{shown(p.name)} is larger than {MAX_BYTES // 1_000_000} MB "
                           "unpacked")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):  # not JSON, nested too deep
        raise RunFileError(f"{shown(p.name)} is not an mpgui run file (its content is not "
                           "JSON)") from None
    return run_from_dict(doc, p.name)


def run_from_dict(doc: object, source: str = "run") -> tuple[Scenario, TraceStore,
                                                              dict[str, Any]]:
    """Check and rebuild a run. Raises RunFileError naming the field."""
    d = _dict(doc, "the file")
    if d.get("format") != FORMAT:
        raise RunFileError(f"{source}: format {d.get('format')!r} is not the run file format "
                           f"{FORMAT} this mpgui reads")
    try:
        scenario = parse_scenario(_of(d, "scenario", str), source=f"{source} (scenario)")
    except ScenarioFileError as exc:
        raise RunFileError(str(exc)) from None
    backend = d.get("backend", DEFAULT_BACKEND)
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise RunFileError(f"backend: {backend!r} is not one of " + ", ".join(BACKENDS))
    store = TraceStore(backend)
    info = _dict(d.get("info", {}), "info")
    if not all(isinstance(v, bool | int | str | type(None)) for v in info.values()):
        raise RunFileError("info: expected simple values")
    store.info = dict(info)
    store.t0 = _of(d, "t0", int)
    store.t_end = _of(d, "t_end", int)
    store.events = _of(d, "events", int)
    for i, ld in enumerate(_of(d, "lanes", list)):
        store.lanes.append(_lane(_dict(ld, f"lanes[{i}]"), i))
    n_lanes = len(store.lanes)
    if any(ln.host is not None and not 0 <= ln.host < n_lanes for ln in store.lanes):
        raise RunFileError("lanes: a task names a worker lane that does not exist")
    for i, entry in enumerate(_of(d, "threads", list)):
        if not (isinstance(entry, list) and len(entry) == 3 and all(_is_int(x) for x in entry)
                and entry[0] < n_lanes and entry[2] < n_lanes):
            raise RunFileError(f"threads[{i}]: expected [owner lane, thread, lane]")
        store._subs[(entry[0], entry[1])] = entry[2]
    columns = _dict(d.get("columns"), "columns")
    for name, code in _COLUMNS.items():
        values = columns.get(name)
        if not isinstance(values, list) or not all(_is_int(v) for v in values):
            raise RunFileError(f"columns.{name}: expected a list of whole numbers")
        try:
            setattr(store, name, array(code, values))
        except OverflowError:
            raise RunFileError(f"columns.{name}: a value is out of range") from None
    n_spans = len(store.span_t0)
    if any(len(getattr(store, c)) != n_spans for c in _COLUMNS if c.startswith("span_")):
        raise RunFileError("columns: the span columns differ in length")
    if len(store.line_lane) != len(store.line_t):
        raise RunFileError("columns: the line columns differ in length")
    if any(x >= n_lanes for x in store.span_lane) or any(x >= n_lanes for x in store.line_lane):
        raise RunFileError("columns: a span or line names a lane that does not exist")
    texts = _of(d, "line_text", list)
    if len(texts) != len(store.line_t) or not all(isinstance(t, str) and "\n" not in t
                                                   for t in texts):
        raise RunFileError("line_text: expected one line of text per printed line")
    store.set_line_texts(texts)
    for i, jd in enumerate(_of(d, "joins", list)):
        store.joins.append(_join(_dict(jd, f"joins[{i}]"), i, n_lanes))
    store.others = _others(d["others"]) if "others" in d else _not_recorded()
    meta = _dict(d.get("meta", {}), "meta")
    return scenario, store, meta


def _others_to_dict(others: OtherPrograms) -> dict[str, Any]:
    return {"source": others.source, "note": others.note, "t0": list(others.t0),
            "t1": list(others.t1),
            # Four decimals: a tenth of a per cent is more than the counters resolve.
            "fraction": [[round(f, 4) for f in column] for column in others.fraction]}


def _not_recorded() -> OtherPrograms:
    others = OtherPrograms()
    others.note = NOT_RECORDED
    return others


def _others(value: object) -> OtherPrograms:
    """Other programs' use of the CPUs, checked (added later: optional in a file)."""
    d = _dict(value, "others")
    others = OtherPrograms()
    others.source, others.note = _of(d, "source", str), _of(d, "note", str)
    try:
        others.t0, others.t1 = array("q", _of(d, "t0", list)), array("q", _of(d, "t1", list))
    except (TypeError, OverflowError):
        raise RunFileError("others: t0 and t1 must be whole numbers") from None
    fraction = _of(d, "fraction", list)
    n = len(others.t0)
    if len(others.t1) != n or len(fraction) > MAX_CPUS or not all(
            isinstance(c, list) and len(c) == n for c in fraction):
        raise RunFileError("others: expected t0, t1 and a column per CPU of equal length")
    if any(isinstance(f, bool) or not isinstance(f, int | float) or not 0 <= f <= 1
           for column in fraction for f in column):
        raise RunFileError("others.fraction: expected numbers from 0 to 1")
    others.fraction = [array("f", column) for column in fraction]
    return others


def _lane(d: dict[str, Any], i: int) -> Lane:
    for key, types in _LANE_FIELDS.items():
        if key not in d or not isinstance(d[key], types) or (
                isinstance(d[key], bool) and bool not in types):
            raise RunFileError(f"lanes[{i}].{key}: missing or of the wrong type")
    for key, types in _OPTIONAL_LANE_FIELDS.items():
        if not isinstance(d.get(key), types) or isinstance(d.get(key), bool):
            raise RunFileError(f"lanes[{i}].{key}: of the wrong type")
    for key in _OPTIONAL_LANE_FLAGS:
        if not isinstance(d.get(key, False), bool):
            raise RunFileError(f"lanes[{i}].{key}: expected true or false")
    if d["kind"] not in ("main", "process", "thread", "worker") or d["index"] != i:
        raise RunFileError(f"lanes[{i}]: not a lane of a run")
    cores = d.get("cores", [])
    error = d.get("error")
    if not isinstance(cores, list) or not all(_is_int(c) for c in cores):
        raise RunFileError(f"lanes[{i}].cores: expected a list of whole numbers")
    if error is not None and not (isinstance(error, list) and len(error) == 3
                                  and all(isinstance(x, str) for x in error)):
        raise RunFileError(f"lanes[{i}].error: expected [type, message, traceback]")
    lane = Lane(**{k: d[k] for k in _LANE_FIELDS},
                **{k: d.get(k) for k in _OPTIONAL_LANE_FIELDS},
                **{k: d.get(k, False) for k in _OPTIONAL_LANE_FLAGS})
    lane.cores = set(cores)
    lane.error = tuple(error) if error else None  # type: ignore[assignment]
    lane.open_span = OPEN
    return lane


def _join(d: dict[str, Any], i: int, n_lanes: int) -> Join:
    fields = {"lane": (int,), "t_wait": (int,), "timeout_ns": (int, type(None)),
              "implicit": (bool,), "t_return": (int, type(None)), "timed_out": (bool,),
              "interrupted": (bool,)}
    for key, types in fields.items():
        if key not in d or not isinstance(d[key], types) or (
                isinstance(d[key], bool) and bool not in types):
            raise RunFileError(f"joins[{i}].{key}: missing or of the wrong type")
    if not 0 <= d["lane"] < n_lanes:
        raise RunFileError(f"joins[{i}].lane: no such lane")
    waiter = d.get("waiter", 0)  # files from before traced scripts: the main program
    if not isinstance(waiter, int) or isinstance(waiter, bool) or not 0 <= waiter < n_lanes:
        raise RunFileError(f"joins[{i}].waiter: no such lane")
    return Join(**{k: d[k] for k in fields}, waiter=waiter)


def _dict(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RunFileError(f"{where}: expected an object")
    return value


def _of(d: dict[str, Any], key: str, kind: type) -> Any:
    value = d.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RunFileError(f"{key}: missing or of the wrong type")
    return value


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)
