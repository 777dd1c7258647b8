"""The shared-object kind: what the processes did with the scenario's queues, locks and
values (`mpgui.runtime.child.shared_objects` reports it), kept as one record per
operation — a put or a get with the item's identity, a read-modify-write of a value
with the value read, a lock taken or released, and each wait begun.

The waits themselves are BLOCKED spans of the waiting lane; the records name what it
waited on. Run files keep the records (``shared`` in the file); the CSV export writes
one row each; the Chrome trace, flow arrows, instants and counters (`shared_chrome`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mpgui.runtime.protocol import Kind
from mpgui.runtime.store.events import ChromeTracks, EventKind, register
from mpgui.runtime.store.schema import NONE, Field

if TYPE_CHECKING:
    from mpgui.runtime.store.trace import TraceStore


@dataclass(slots=True)  # (a traced queue keeps two per item: lean and quick to make)
class SharedOp:
    """Lane `lane` did `verb` on the shared object `obj` at `t` ("put", "get", "rw",
    "read", "acquire", "release", or "wait" for `item` = the call that waits — with
    `value` its timeout in ms, if it has one)."""

    lane: int
    t: int
    obj: str
    verb: str
    item: str | None = None  # a put's or get's identity; a wait's call
    # The value read (rw, read) or written (setv) — a float for a Value("d") — or a
    # wait's timeout in ms.
    value: float | None = None
    t_read: int | None = None  # rw: when the value was read (the write is at t)
    by: float | None = None  # rw: what the update added, when not 1 (value += by)

    @property
    def gain(self) -> float:
        """What an update (rw) added to the value it read."""
        return 1 if self.by is None else self.by


FIELDS = (
    Field("lane", (int,), lane=True), Field("t", (int,)), Field("obj", (str,)),
    Field("verb", (str,)), Field("item", (str, NONE), default=None),
    Field("value", (int, float, NONE), default=None),
    Field("t_read", (int, NONE), default=None), Field("by", (int, float, NONE), default=None),
)


def _keep(store: TraceStore, lane: int, t: int, a: Any, b: Any) -> None:
    obj, verb = a
    if verb in ("put", "get"):  # (most records of a busy queue: made whole in one step)
        store.records("shared").append(SharedOp(lane, t, str(obj), str(verb),
                                                None if b is None else str(b)))
        return
    op = SharedOp(lane, t, str(obj), str(verb))
    if verb == "rw":
        op.t_read, op.value = int(b[0]), _number(b[1])
        if len(b) > 2:
            op.by = _number(b[2])
    elif verb in ("read", "setv"):  # (setv: a value written, not from a read of it)
        op.value = _number(b)
    elif verb == "wait" and isinstance(b, tuple):  # (a wait with a timeout: `wait_record`)
        op.item, op.value = str(b[0]), int(b[1])
    elif b is not None:
        op.item = str(b)
    store.records("shared").append(op)


def _number(x: Any) -> float:
    """A value as a child sent it: a whole number or a double's float, kept as it is
    (a float that is whole stays a float: the value is a double)."""
    return x if type(x) is float else int(x)


def _csv(store: TraceStore, records: list[SharedOp],
         row: Callable[..., tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    for op in records:
        said = "" if op.value is None else f" (timeout {op.value / 1000:g} s)" \
            if op.verb == "wait" else f" = {op.value}"
        text = f"{op.obj}.{op.verb}" + (f" {op.item}" if op.item is not None else "") + said + \
            (f" += {op.by}" if op.by is not None else "")
        yield row("shared", op.lane, t0=op.t_read if op.t_read is not None else op.t,
                  t1=op.t, text=text)


def _chrome(store: TraceStore, records: list[SharedOp],
            tracks: ChromeTracks) -> Iterator[dict[str, Any]]:
    # (imported here: the item links and object tracks it reads import this module)
    from mpgui.runtime.store.shared_chrome import chrome_events

    return chrome_events(store, records, tracks)


SHARED = register(EventKind("shared", Kind.SHARED, keep=_keep, record=SharedOp,
                            fields=FIELDS, file_key="shared", csv=_csv, chrome=_chrome,
                            painter="shared"))


def waits_on(store: TraceStore) -> bool:
    """Whether any lane of `store` waited on a shared object."""
    return "wait" in verbs_used(store)


def items_got(store: TraceStore) -> bool:
    """Whether any item of `store` went through a queue or a pipe (was got)."""
    return not verbs_used(store).isdisjoint(("get", "recv"))


# id(records) -> (the records, how many were looked at, their verbs); the list itself
# is kept so that an id reused by another list is never mistaken for it.
_seen: dict[int, tuple[list[SharedOp], int, set[str]]] = {}


def verbs_used(store: TraceStore) -> set[str]:
    """The verbs of `store`'s shared records, found incrementally: the chart asks a few
    times a second while a counter adds thousands of records."""
    records = store.records("shared")
    kept = _seen.get(id(records))
    done, verbs = (kept[1], kept[2]) if kept is not None and kept[0] is records \
        and kept[1] <= len(records) else (0, set())
    if done < len(records) or kept is None:
        verbs = verbs | {op.verb for op in records[done:]}
        if len(_seen) >= 8:  # stores no longer shown: forget them
            _seen.clear()
        _seen[id(records)] = (records, len(records), verbs)
    return verbs
