"""The event kinds a child reports about its own lane (a process, a thread of one, a pool
task): its start, its states and cores, its end, its error, the worker it ran in, and
facts about its interpreter. What they carry is kept in the lane (`trace.Lane`) and the
span columns, which run files and exports write as such: these kinds keep no records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mpgui.runtime.protocol import Kind, State
from mpgui.runtime.store.events import EventKind, register

if TYPE_CHECKING:
    from mpgui.runtime.store.trace import TraceStore


def _started(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    ln = store.lanes[lane]
    ln.pid, ln.started_t = a, t
    store.set_state(lane, t, State.RUNNING, b)


def _state(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    # (TraceStore.ingest inlines this, the most frequent kind, for speed.)
    store.set_state(lane, t, a, b)


def _migrated(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    store.lanes[lane].migrations += 1
    store.set_state(lane, t, State.RUNNING, b)


def _finished(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    ln = store.lanes[lane]
    ln.finish_t, ln.finish_code, ln.cpu_ns = t, a, b
    store.close_span(lane, t)


def _error(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    etype, message = a
    store.lanes[lane].error = (str(etype), str(message), str(b))


def _host(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    store.lanes[lane].host = a


def _info(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    store.info[str(a)] = b


STARTED = register(EventKind("started", Kind.STARTED, keep=_started))
STATE = register(EventKind("state", Kind.STATE, keep=_state))
MIGRATED = register(EventKind("migrated", Kind.MIGRATED, keep=_migrated))
FINISHED = register(EventKind("finished", Kind.FINISHED, keep=_finished))
ERROR = register(EventKind("error", Kind.ERROR, keep=_error))
HOST = register(EventKind("host", Kind.HOST, keep=_host))
INFO = register(EventKind("info", Kind.INFO, keep=_info))
