"""Which put() handed each item to which get() — and which send() to which recv() —
found from the shared-object records by the identity the child gave the item
(`shared_events.SharedOp.item`), for the chart's put → get lines and the Chrome trace's
flow arrows.

The records arrive a child's batch at a time, so either side of an item may come first;
`ItemLinks.update` walks only the records that arrived since its last call.
"""

from __future__ import annotations

import weakref
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from mpgui.runtime.store.shared_events import SharedOp

TYPE_CHECKING = False  # (typing's costs an import at start-up)
if TYPE_CHECKING:
    from mpgui.runtime.store.trace import TraceStore

# The verbs that hand an item over (True) and those that take it (False): a queue's
# put() and get(), a pipe's send() and recv().
SENDS_AND_TAKES = {"put": True, "send": True, "get": False, "recv": False}


@dataclass
class Link:
    """The items one lane handed to another, in the order of their gets."""

    # The gets' times, ascending, and the puts' times index for index: a search among
    # ints is several times cheaper than among tuples, and a frame searches once per
    # line it draws. Arrays, not lists: a list's ints lie wherever they were made,
    # between the records, so each step of a search of a million items missed the
    # cache (a zoomed frame's ~300 searches: ~6 µs each); and 8 bytes an item, not 36.
    times: array[int] = field(default_factory=lambda: array("q"))
    puts: array[int] = field(default_factory=lambda: array("q"))

    def add(self, t_get: int, t_put: int) -> None:
        """Insert an item in order (at the end, nearly always: gets come in time order)."""
        times = self.times
        if not times or t_get >= times[-1]:
            times.append(t_get)
            self.puts.append(t_put)
            return
        at = bisect_right(times, t_get)
        times.insert(at, t_get)
        self.puts.insert(at, t_put)


@dataclass
class ItemLinks:
    """The items matched so far in one list of records."""

    records: list[SharedOp]  # (kept: an id reused by another list is never taken for it)
    done: int = 0  # records walked
    # Each side waiting for the other: the two children's batches arrive in any order.
    puts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    gets: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    # The items by (putting lane, getting lane): a frame walks only the links whose two
    # lanes are shown — a million items between lanes scrolled out of view cost nothing.
    links: dict[tuple[int, int], Link] = field(default_factory=dict)

    def update(self) -> ItemLinks:
        """Match the records that arrived since the last call; returns self."""
        records = self.records
        # (names bound once: a finished run of a million items walks two million records)
        puts, gets, links, kinds = self.puts, self.gets, self.links, SENDS_AND_TAKES
        for op in records[self.done:]:
            sends = kinds.get(op.verb)
            if sends is None or op.item is None:
                continue
            key = (op.obj, op.item)
            if sends:
                got = gets.pop(key, None)
                if got is None:
                    puts[key] = (op.lane, op.t)
                    continue
                link_key, t_get, t_put = (op.lane, got[0]), got[1], op.t
            else:
                put = puts.pop(key, None)
                if put is None:
                    gets[key] = (op.lane, op.t)
                    continue
                link_key, t_get, t_put = (put[0], op.lane), op.t, put[1]
            # A put that waited for room in a full queue is stamped when its item went
            # in, at the end of that wait; its putter can be descheduled between the
            # two, and a getter take the item first. An item is never got before it is
            # put: its line (a Chrome trace's flow) starts at the get then, not after.
            if t_put > t_get:
                t_put = t_get
            link = links.get(link_key)
            if link is None:
                link = links[link_key] = Link()
            if link.times and t_get < link.times[-1]:
                link.add(t_get, t_put)
            else:  # (add()'s usual case, without the call)
                link.times.append(t_get)
                link.puts.append(t_put)
        self.done = len(records)
        return self

    def got_by(self, cut_ns: int) -> int:
        """Items got by `cut_ns`."""
        return sum(len(link.times) if link.times[-1] <= cut_ns
                   else bisect_right(link.times, cut_ns)
                   for link in self.links.values())

    def items(self) -> Iterator[tuple[int, int, int, int]]:
        """Every item matched: (putting lane, t_put, getting lane, t_get)."""
        for (lane_put, lane_get), link in self.links.items():
            for t_put, t_get in zip(link.puts, link.times, strict=True):
                yield lane_put, t_put, lane_get, t_get


# Items matched ahead of time, by the store, while it lives (`prepare`).
_prepared: weakref.WeakKeyDictionary[TraceStore, ItemLinks] = weakref.WeakKeyDictionary()


def prepare(store: TraceStore) -> None:
    """Match `store`'s items now — on the thread that read a run file, so that the
    window that shows it does not (a million items take ~0.5 s): the first
    `links_for` of its records takes them."""
    _prepared[store] = ItemLinks(store.records("shared")).update()


def links_for(records: list[SharedOp]) -> ItemLinks:
    """An ItemLinks of `records`: the one `prepare` made of them, if any (once), else a
    new one."""
    for store, links in list(_prepared.items()):
        if links.records is records:
            del _prepared[store]
            return links
    return ItemLinks(records)
