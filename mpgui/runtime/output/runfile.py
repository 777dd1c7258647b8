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
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mpgui.i18n import _
from mpgui.model.backend import BACKENDS, DEFAULT_BACKEND
from mpgui.model.escape import shown
from mpgui.model.fileformat import ScenarioFileError, atomic_write, dump_scenario, parse_scenario
from mpgui.model.scenario import Scenario
from mpgui.model.userfile import open_regular
from mpgui.runtime.output.jsonstream import json_array, utf8_pieces
from mpgui.runtime.store import events
from mpgui.runtime.store.schema import NONE, Field, decode, decode_all, encode, whole_numbers
from mpgui.runtime.store.trace import COLUMNS, Lane, OtherPrograms, TraceStore

FORMAT = 1
SUFFIX = ".mpgrun"
MAX_BYTES = 200_000_000  # uncompressed JSON
_INT, _INT_OR_NONE = (int,), (int, NONE)
# What a run file keeps of a lane (`trace.Lane`), in this order; the lane's other fields
# (its state, core and open span) are live, not kept.
LANE_FIELDS = (
    Field("index", _INT), Field("var", (str,)), Field("name", (str,)),
    Field("kind", (str,)), Field("daemon", (bool,)), Field("pid", _INT_OR_NONE),
    Field("start_call_t", _INT_OR_NONE), Field("started_t", _INT_OR_NONE),
    Field("end_t", _INT_OR_NONE), Field("exit_code", _INT_OR_NONE),
    Field("terminate_t", _INT_OR_NONE), Field("cpu_ns", _INT_OR_NONE),
    Field("migrations", _INT), Field("preemptions", _INT), Field("lines", _INT),
    Field("finish_t", _INT_OR_NONE),
    # Added later: a file without them still reads.
    Field("finish_code", _INT_OR_NONE, default=None), Field("host", _INT_OR_NONE, default=None),
    Field("terminated_at_end", (bool,), default=False, says=_("expected true or false")),
    Field("cores", (list,), default=[], valid=whole_numbers,
          says=_("expected a list of whole numbers"), to_file=sorted, from_file=set),
    Field("error", (list, NONE), default=None,
          valid=lambda e: e is None or (len(e) == 3 and all(isinstance(x, str) for x in e)),
          says=_("expected [type, message, traceback]"),
          to_file=lambda e: list(e) if e else None,
          from_file=lambda e: tuple(e) if e else None),
)
LANE_KINDS = ("main", "process", "thread", "worker")
MAX_CPUS = 4096  # of other programs' columns, in a run file
NOT_RECORDED = _("this run file does not record it")  # files from before it was measured


class RunFileError(ValueError):
    """A run file that cannot be read; the message names the problem."""


def run_to_dict(scenario: Scenario, store: TraceStore, meta: dict[str, Any]) -> dict[str, Any]:
    """A finished run as plain data."""
    d = _run_fields(scenario, store, meta)
    d["columns"] = {name: list(getattr(store, name)) for name in COLUMNS}
    d["line_text"] = list(store.line_texts())
    for kind in events.recorded():
        d[kind.file_key] = [encode(kind.fields, r) for r in store.records(kind.name)]
    return d


def _run_fields(scenario: Scenario, store: TraceStore, meta: dict[str, Any]) -> dict[str, Any]:
    """run_to_dict's fields in their order, the large ones ("columns", "line_text", and
    the records of each event kind that keeps some — the joins, ... — under its key)
    left None: save_run writes those a piece at a time."""
    d: dict[str, Any] = {
        "format": FORMAT, "producer": "mpgui", "meta": meta,
        "scenario": dump_scenario(scenario),
        "backend": store.backend, "info": store.info,
        "t0": store.t0, "t_end": store.t_end, "events": store.events,
        "lanes": [encode(LANE_FIELDS, ln) for ln in store.lanes],
        "threads": [list(entry) for entry in store.thread_lanes()],
        "columns": None,
        "line_text": None,
    }
    for kind in events.recorded():
        d[kind.file_key] = None
    d["others"] = _others_to_dict(store.others)
    return d


_SEPARATORS = (",", ":")


def _run_json(scenario: Scenario, store: TraceStore, meta: dict[str, Any]) -> Iterator[str]:
    """``json.dumps(run_to_dict(...), separators=(",", ":"))`` in pieces of bounded size:
    the columns, the printed text and the records (what grows with a run) a batch at a
    time."""
    kinds = {kind.file_key: kind for kind in events.recorded()}
    for k, (key, value) in enumerate(_run_fields(scenario, store, meta).items()):
        yield ("{" if k == 0 else ",") + json.dumps(key) + ":"
        if key == "columns":
            for c, name in enumerate(COLUMNS):
                yield ("{" if c == 0 else ",") + json.dumps(name) + ":"
                yield from json_array(getattr(store, name), separators=_SEPARATORS)
            yield "}"
        elif key == "line_text":
            yield from json_array(store.line_texts(), lambda t: len(t) + 4, _SEPARATORS)
        elif key in kinds:
            kind = kinds[key]
            yield from json_array((encode(kind.fields, r) for r in store.records(kind.name)),
                                  lambda _r: 64, _SEPARATORS)
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
             meta: dict[str, Any], stop: threading.Event | None = None) -> None:
    """Write a run file atomically, a piece at a time (the text and columns of a large
    run are not gathered whole). Raises ScenarioFileError (whose message names the
    problem) if it cannot be written, or if the run is too large for a run file to be
    read back (checked before its text is read: a flood's text may be on disk); `stop`:
    see `atomic_write`."""
    least = store.text_bytes + 2 * store.n_lines  # each line's text: at least "",
    if least > MAX_BYTES:
        raise ScenarioFileError(_("this run printed {mb:,.0f} MB of text, more than a run "
                                  "file holds ({most} MB); export it as CSV or a Chrome "
                                  "trace instead").format(mb=least / 1e6,
                                                          most=MAX_BYTES // 1_000_000))
    atomic_write(Path(path), _gzipped(_bounded(utf8_pieces(_run_json(scenario, store, meta)))),
                 stop)


def _bounded(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """`pieces`, or ScenarioFileError once they add up to more than a run file may
    unpack to (`load_run` refuses it): the file is not written at all (`atomic_write`),
    rather than written and never opened again."""
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > MAX_BYTES:
            raise ScenarioFileError(_(
                "this run is too large for a run file (more than {most} MB unpacked); "
                "export it as CSV or a Chrome trace instead").format(
                    most=MAX_BYTES // 1_000_000))
        yield piece


def load_run(path: str | os.PathLike[str]) -> tuple[Scenario, TraceStore, dict[str, Any]]:
    """Read a run file: (scenario, store, meta). Raises RunFileError."""
    p = Path(path)
    # A FIFO, device or folder is refused unopened (userfile); the bound is on the
    # unpacked bytes, so a small "gzip bomb" cannot fill the memory either.
    try:
        with open_regular(p, _("a run file"), RunFileError) as raw, \
                gzip.GzipFile(fileobj=raw, mode="rb") as f:
            data = f.read(MAX_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:  # not gzip, truncated, corrupt
        raise RunFileError(_("{name} is not an mpgui run file ({reason})").format(
            name=shown(p.name), reason=shown(getattr(exc, "strerror", None) or exc))) from None
    if len(data) > MAX_BYTES:
        raise RunFileError(_("{name} is larger than {most} MB unpacked").format(
            name=shown(p.name), most=MAX_BYTES // 1_000_000))
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):  # not JSON, nested too deep
        raise RunFileError(_("{name} is not an mpgui run file (its content is not "
                             "JSON)").format(name=shown(p.name))) from None
    return run_from_dict(doc, p.name)


def run_from_dict(doc: object, source: str = "run") -> tuple[Scenario, TraceStore,
                                                              dict[str, Any]]:
    """Check and rebuild a run. Raises RunFileError naming the field."""
    d = _dict(doc, _("the file"))
    if d.get("format") != FORMAT:
        raise RunFileError(_("{source}: format {format} is not the run file format {known} "
                             "this mpgui reads").format(source=source,
                                                        format=repr(d.get("format")),
                                                        known=FORMAT))
    try:
        scenario = parse_scenario(_of(d, "scenario", str),
                                  source=_("{source} (scenario)").format(source=source))
    except ScenarioFileError as exc:
        raise RunFileError(str(exc)) from None
    backend = d.get("backend", DEFAULT_BACKEND)
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise RunFileError(_("backend: {backend} is not one of {backends}").format(
            backend=repr(backend), backends=", ".join(BACKENDS)))
    store = TraceStore(backend)
    info = _dict(d.get("info", {}), "info")
    if not all(isinstance(v, bool | int | str | type(None)) for v in info.values()):
        raise RunFileError(_("info: expected simple values"))
    store.info = dict(info)
    store.t0 = _of(d, "t0", int)
    store.t_end = _of(d, "t_end", int)
    store.events = _of(d, "events", int)
    lanes = [_lane(_dict(ld, f"lanes[{i}]"), i) for i, ld in enumerate(_of(d, "lanes", list))]
    n_lanes = len(lanes)
    if any(ln.host is not None and not 0 <= ln.host < n_lanes for ln in lanes):
        raise RunFileError(_("lanes: a task names a worker lane that does not exist"))
    threads: list[tuple[int, int, int]] = []
    for i, entry in enumerate(_of(d, "threads", list)):
        if not (isinstance(entry, list) and len(entry) == 3 and all(_is_int(x) for x in entry)
                and entry[0] < n_lanes and entry[2] < n_lanes):
            raise RunFileError(_("threads[{i}]: expected [owner lane, thread, lane]").format(
                i=i))
        threads.append((entry[0], entry[1], entry[2]))
    store.restore_lanes(lanes, threads)
    columns = _dict(d.get("columns"), "columns")
    restored: dict[str, array[int]] = {}
    for name, code in COLUMNS.items():
        values = columns.get(name)
        if not isinstance(values, list) or not all(_is_int(v) for v in values):
            raise RunFileError(_("columns.{name}: expected a list of whole numbers").format(
                name=name))
        try:
            restored[name] = array(code, values)
        except OverflowError:
            raise RunFileError(_("columns.{name}: a value is out of range").format(
                name=name)) from None
    n_spans = len(restored["span_t0"])
    if any(len(restored[c]) != n_spans for c in COLUMNS if c.startswith("span_")):
        raise RunFileError(_("columns: the span columns differ in length"))
    if len(restored["line_lane"]) != len(restored["line_t"]):
        raise RunFileError(_("columns: the line columns differ in length"))
    if any(x >= n_lanes for x in restored["span_lane"]) or any(
            x >= n_lanes for x in restored["line_lane"]):
        raise RunFileError(_("columns: a span or line names a lane that does not exist"))
    store.restore_columns(restored)
    texts = _of(d, "line_text", list)
    if len(texts) != len(store.line_t) or not all(isinstance(t, str) and "\n" not in t
                                                   for t in texts):
        raise RunFileError(_("line_text: expected one line of text per printed line"))
    store.set_line_texts(texts)
    for kind in events.recorded():
        _records(d, kind, store, n_lanes)
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
        raise RunFileError(_("others: t0 and t1 must be whole numbers")) from None
    fraction = _of(d, "fraction", list)
    n = len(others.t0)
    if len(others.t1) != n or len(fraction) > MAX_CPUS or not all(
            isinstance(c, list) and len(c) == n for c in fraction):
        raise RunFileError(_("others: expected t0, t1 and a column per CPU of equal "
                             "length"))
    if any(isinstance(f, bool) or not isinstance(f, int | float) or not 0 <= f <= 1
           for column in fraction for f in column):
        raise RunFileError(_("others.fraction: expected numbers from 0 to 1"))
    others.fraction = [array("f", column) for column in fraction]
    return others


def _lane(d: dict[str, Any], i: int) -> Lane:
    """A lane as the file has it, checked field by field (LANE_FIELDS)."""
    values = decode(LANE_FIELDS, d, f"lanes[{i}]", 0, RunFileError)
    if values["kind"] not in LANE_KINDS or values["index"] != i:
        raise RunFileError(_("lanes[{i}]: not a lane of a run").format(i=i))
    return Lane(**values)


def _records(d: dict[str, Any], kind: events.EventKind, store: TraceStore,
             n_lanes: int) -> None:
    """The records of event kind `kind` the file has under its key, checked (its
    fields) and added to `store`. A kind added after a file was written: none."""
    key = kind.file_key
    items = _of(d, key, list) if kind.file_required else d.get(key, [])
    if not isinstance(items, list):
        raise RunFileError(_("{key}: missing or of the wrong type").format(key=key))
    assert kind.record is not None
    make = kind.record
    store.records(kind.name).extend(
        make(**values) for values in decode_all(kind.fields, items, key, n_lanes, RunFileError))


def _dict(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RunFileError(_("{where}: expected an object").format(where=where))
    return value


def _of(d: dict[str, Any], key: str, kind: type) -> Any:
    value = d.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RunFileError(_("{key}: missing or of the wrong type").format(key=key))
    return value


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)
