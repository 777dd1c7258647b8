"""The registry of event kinds: each kind says, in one place, what it is and where it
goes — the one table that the store, the script tracer, run files, the exports and the
chart look a kind up in.

An `EventKind` declares:

* ``code``: the number a child sends it as (see `protocol.Kind`), if it is sent;
* ``keep``: how the `TraceStore` keeps one such event of a lane;
* ``traced``: what the script tracer (`ScriptRunner`) does with it instead, when a
  traced script's process sends it (None: the store keeps it, as from any child);
* ``record``: the record the store keeps per occurrence (``store.records(name)``),
  with the ``fields`` a run file writes and reads under ``file_key``;
* ``chrome_tracks``/``chrome`` and ``csv``: what the exports write of the records;
* ``painter``: the name of the chart's painter of the records. The chart (Qt) lives in
  ``mpgui.ui.chart`` and registers its painters by that name; the runtime never
  imports it.

The built-in kinds register themselves when their modules are imported (`trace`
imports them): `lane_events` (what a child reports of its own lane), `joins` (the join
record, and a traced script's join events), `script_runner` (a traced script's
threads, starts and exit codes). A new kind is one more module that registers one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from mpgui.runtime.store.schema import Field
    from mpgui.runtime.store.trace import TraceStore



class ChromeTracks(Protocol):
    """Where a kind's Chrome trace events go (the exports give one to `EventKind.chrome`):
    each lane's track and each program's calls tracks."""

    def us(self, t: int) -> float:
        """A timestamp as the trace's microseconds since the run began."""

    def has(self, lane: int) -> bool:
        """Whether `lane` has a track (the exports leave some lanes out)."""

    def at(self, lane: int) -> dict[str, int]:
        """The pid and tid of the track of `lane`."""

    def on_calls(self, waiter: int, n: int) -> dict[str, int]:
        """The pid and tid of the `n`-th calls track of the program on lane `waiter`."""


# (store, lane, t, a, b): keep one event of `lane` (see protocol for `a` and `b`)
KeepHandler = Callable[["TraceStore", int, int, Any, Any], None]
# (script runner, its link to the process that sent it, lane, t, a, b)
TracedHandler = Callable[[Any, Any, int, int, Any, Any], None]
# (store, the kind's records, the trace's tracks): the calls tracks (waiter lane, n) used
ChromeTracksOf = Callable[["TraceStore", list[Any], ChromeTracks], Iterable[tuple[int, int]]]
# (store, the kind's records, the trace's tracks): Chrome trace events
ChromeWriter = Callable[["TraceStore", list[Any], ChromeTracks], Iterator[dict[str, Any]]]
# (store, the kind's records, row): CSV rows, each made by
# row(record, lane, state=, core=, t0=, t1=, text=, exit_code=, exception=)
CsvWriter = Callable[["TraceStore", list[Any], Callable[..., tuple[object, ...]]],
                     Iterator[tuple[object, ...]]]
_H = TypeVar("_H")


@dataclass(frozen=True)
class EventKind:
    """One kind of event, and what each part of mpgui does with it (see the module)."""

    name: str
    code: int | None = None
    keep: KeepHandler | None = None
    traced: TracedHandler | None = None
    record: type | None = None
    fields: tuple[Field, ...] = ()
    file_key: str = ""
    file_required: bool = False  # a run file must have the key (else: none recorded)
    chrome_tracks: ChromeTracksOf | None = None
    chrome: ChromeWriter | None = None
    csv: CsvWriter | None = None
    painter: str = ""


_KINDS: dict[str, EventKind] = {}  # by name, in the order registered
_BY_CODE: dict[int, EventKind] = {}
# What the store, and the script tracer, do per event code, flat: looked up per event.
KEEP: dict[int, KeepHandler] = {}
TRACED: dict[int, TracedHandler] = {}


def register(kind: EventKind) -> EventKind:
    """Add `kind` (or replace the kind of that name); returns it."""
    old = _KINDS.get(kind.name)
    if old is not None and old.code is not None and old.code != kind.code:
        _forget_code(old.code)
    clash = _BY_CODE.get(kind.code) if kind.code is not None else None
    if clash is not None and clash.name != kind.name:
        raise ValueError(f"event code {kind.code} is already {clash.name!r}")
    if kind.record is not None and not kind.file_key:
        kind = replace(kind, file_key=kind.name + "s")
    _KINDS[kind.name] = kind
    if kind.code is not None:
        _BY_CODE[kind.code] = kind
        _put(KEEP, kind.code, kind.keep)
        _put(TRACED, kind.code, kind.traced)
    return kind


def _put(table: dict[int, _H], code: int, handler: _H | None) -> None:
    if handler is not None:
        table[code] = handler
    else:
        table.pop(code, None)


def add_traced(code: int, traced: TracedHandler) -> EventKind:
    """Give the registered kind `code` what the script tracer does with it."""
    return register(replace(_BY_CODE[code], traced=traced))


def unregister(name: str) -> None:
    """Remove the kind `name` (a test's toy kind)."""
    kind = _KINDS.pop(name, None)
    if kind is not None and kind.code is not None:
        _forget_code(kind.code)


def _forget_code(code: int) -> None:
    _BY_CODE.pop(code, None)
    KEEP.pop(code, None)
    TRACED.pop(code, None)


def by_code(code: int) -> EventKind | None:
    """The kind sent as `code`, if any is registered."""
    return _BY_CODE.get(code)


def by_name(name: str) -> EventKind:
    """The kind `name` (KeyError if none)."""
    return _KINDS[name]


def kinds() -> list[EventKind]:
    """Every registered kind, in the order registered."""
    return list(_KINDS.values())


def recorded() -> list[EventKind]:
    """The kinds that keep records, in the order registered (the order run files and
    exports write them in)."""
    return [k for k in _KINDS.values() if k.record is not None]
