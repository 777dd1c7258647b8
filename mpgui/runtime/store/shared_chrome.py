"""The shared objects in a Chrome trace (Perfetto, chrome://tracing): what the chart's
object lanes and put → get lines show, in the trace's own terms.

* each item's way as a flow arrow from the put() (or send()) on the producer's track to
  the get() (or recv()) that received it on the consumer's;
* every other operation (acquire, release, set, wait, a value's update...) as an
  instant event on the track of the process that did it, its details as arguments;
* each object's level over time as a counter track of the main program's process: a
  queue's items, a lock held or free, a value, the processes at a barrier...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mpgui.runtime.store.events import ChromeTracks
from mpgui.runtime.store.item_links import SENDS_AND_TAKES, ItemLinks
from mpgui.runtime.store.object_tracks import (
    ARRAY,
    BARRIER,
    CONDITION,
    DICT,
    EVENT,
    FREE,
    LIST,
    LOCK,
    NAMESPACE,
    PIPE,
    QUEUE,
    SEMAPHORE,
    VALUE,
    ObjectTracks,
)
from mpgui.runtime.store.shared_events import SharedOp
from mpgui.runtime.store.trace import TraceStore

# What a counter of each kind of object counts (its one argument's name).
_COUNTS = {QUEUE: "items", PIPE: "in transit", SEMAPHORE: "places taken",
           BARRIER: "waiting", CONDITION: "waiting", DICT: "keys", LIST: "items",
           ARRAY: "cells written", EVENT: "set", LOCK: "held", VALUE: "value",
           NAMESPACE: "attributes"}
# Flow ids of their own: the joins' arrows are numbered from 0.
_FLOW_BASE = 1 << 40


def chrome_events(store: TraceStore, records: list[SharedOp],
                  tracks: ChromeTracks) -> Iterator[dict[str, Any]]:
    """The shared objects' Chrome trace events (see the module)."""
    links = ItemLinks(records).update()
    flow = _FLOW_BASE
    for (lane_put, lane_get), link in links.links.items():
        if not (tracks.has(lane_put) and tracks.has(lane_get)):
            continue
        put_at, get_at = tracks.at(lane_put), tracks.at(lane_get)
        for t_put, t_get in zip(link.puts, link.times, strict=True):
            yield {"ph": "s", "cat": "item", "name": "put → get", "id": flow,
                   "ts": tracks.us(t_put), **put_at}
            yield {"ph": "f", "bp": "e", "cat": "item", "name": "put → get", "id": flow,
                   "ts": tracks.us(t_get), **get_at}
            flow += 1
    unmatched = set(links.puts) | set(links.gets)  # (put and never got, or the reverse)
    for op in records:
        if not tracks.has(op.lane):
            continue
        if op.verb in SENDS_AND_TAKES and op.item is not None and \
                (op.obj, op.item) not in unmatched:
            continue  # (drawn as its flow arrow)
        yield {"ph": "i", "s": "t", "cat": "shared", "name": f"{op.obj}.{op.verb}",
               "ts": tracks.us(op.t), **tracks.at(op.lane), "args": _details(op)}
    main = next((ln.index for ln in store.lanes if ln.kind == "main" and tracks.has(ln.index)),
                None)
    if main is None:
        return
    pid = tracks.at(main)["pid"]
    for track in ObjectTracks().sync(store):
        counts = _COUNTS.get(track.kind, "level")
        levels = [track.first_level, *track.level]
        for k, t in enumerate([store.t0 or 0, *track.t]):
            level = levels[k]
            if track.kind == LOCK:
                level = int(level != FREE)
            yield {"ph": "C", "cat": "shared", "name": f"{track.name} ({track.kind})",
                   "ts": tracks.us(t), "pid": pid, "args": {counts: level}}


def _details(op: SharedOp) -> dict[str, Any]:
    """An operation's arguments: only those it has."""
    out: dict[str, Any] = {}
    if op.item is not None:
        out["call" if op.verb == "wait" else "item"] = op.item
    if op.value is not None:
        out["timeout_ms" if op.verb == "wait" else "value"] = op.value
    if op.t_read is not None:
        out["read_ns_before"] = op.t - op.t_read
    if op.by is not None:
        out["added"] = op.by
    return out
