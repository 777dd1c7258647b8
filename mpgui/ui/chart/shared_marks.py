"""The shared-object kind's painter: a line from each put() to the get() that received
that item — from the producer's lane at the moment it put the item to the consumer's
lane at the moment it got it — so that who fed whom, and how long an item waited in the
queue, can be read off the chart.

Items are matched by the identity the child gave them (`shared_events.SharedOp.item`),
incrementally: a repaint walks only the records that arrived since the last one (a
counter's read-modify-writes are many and are skipped here).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from mpgui.runtime.store.shared_events import SharedOp
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.geometry import Rows
from mpgui.ui.chart.labels import Frame, MarksLayout, Segment, _Flag
from mpgui.ui.chart.mark_painters import register_painter

MIN_GAP_PX = 3.0  # the closest two items' lines are drawn, by their gets


@dataclass
class _Matched:
    """The items matched so far in one store's records."""

    records: list[SharedOp]  # (kept: an id reused by another list is never taken for it)
    done: int = 0  # records walked
    # Each side waiting for the other: the two children's batches arrive in any order.
    puts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    gets: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    # (t_get, lane_put, t_put, lane_get), in the order of the gets' times
    pairs: list[tuple[int, int, int, int]] = field(default_factory=list)
    # The pairs' t_get alone, index for index: a search among ints is several times
    # cheaper than among tuples, and a frame searches once per line it draws.
    times: list[int] = field(default_factory=list)

    def add(self, pair: tuple[int, int, int, int]) -> None:
        """Insert `pair` in order (at the end, nearly always: gets come in time order)."""
        pairs = self.pairs
        at = len(pairs) if not pairs or pair >= pairs[-1] else bisect_right(pairs, pair)
        pairs.insert(at, pair)
        self.times.insert(at, pair[0])


# The verbs that hand an item over (True) and those that take it (False): a queue's
# put() and get(), a pipe's send() and recv().
_SENDS_AND_TAKES = {"put": True, "send": True, "get": False, "recv": False}


class SharedMarks:
    """Paints the items' way through the queues (see the module)."""

    def __init__(self) -> None:
        self._cache: dict[int, _Matched] = {}

    def _matched(self, records: list[SharedOp]) -> _Matched:
        m = self._cache.get(id(records))
        if m is None or m.records is not records or m.done > len(records):
            if len(self._cache) >= 8:  # stores no longer shown: forget them
                self._cache.clear()
            m = self._cache[id(records)] = _Matched(records)
        for op in records[m.done:]:
            if op.item is None or op.verb not in _SENDS_AND_TAKES:
                continue
            key = (op.obj, op.item)
            if _SENDS_AND_TAKES[op.verb]:
                got = m.gets.pop(key, None)
                if got is None:
                    m.puts[key] = (op.lane, op.t)
                else:
                    m.add((got[1], op.lane, op.t, got[0]))
            else:
                put = m.puts.pop(key, None)
                if put is None:
                    m.gets[key] = (op.lane, op.t)
                else:
                    m.add((op.t, put[0], put[1], op.lane))
        m.done = len(records)
        return m

    def count(self, records: list[SharedOp], cut_ns: int) -> int:
        """Items got by `cut_ns`."""
        times = self._matched(records).times
        if not times or times[-1] <= cut_ns:
            return len(times)
        return bisect_right(times, cut_ns)

    def connectors(self, store: TraceStore, records: list[SharedOp], rows: Rows,
                   frame: Frame, cut_ns: int, out: MarksLayout) -> None:
        """Each item got by `cut_ns` whose two lanes are shown: put → get. Only the
        items got in view, and at most one per MIN_GAP_PX of the gets' times: a
        million items would be lines closer than pixels — the queue's own lane shows
        how many were waiting — and a frame costs the pixels, not the items."""
        matched = self._matched(records)
        pairs, times = matched.pairs, matched.times
        if not pairs:
            return
        h = frame.row_h
        first, end = frame.visible_rows
        # The plot's time span, from the (linear) map of time to x.
        x0, per_ns = frame.x_of(0), (frame.x_of(1_000_000_000) - frame.x_of(0)) / 1e9
        if per_ns <= 0:
            return
        t_left = int((frame.plot.x - x0) / per_ns)
        t_right = int((frame.plot.right - x0) / per_ns)
        i = bisect_left(times, t_left)
        stop = bisect_right(times, min(cut_ns, t_right))
        # Items no denser than one per MIN_GAP_PX on average are all drawn (two gets a
        # pixel apart may come from puts far apart); only a crowd is thinned.
        crowd = stop - i > (frame.plot.right - frame.plot.x) / MIN_GAP_PX
        step_ns = max(1, int(MIN_GAP_PX / per_ns)) if crowd else 0
        while i < stop:
            t_get, lane_put, t_put, lane_get = pairs[i]
            a, b = int(rows.lane_row[lane_put]), int(rows.lane_row[lane_get])
            if a >= 0 and b >= 0 and first <= a < end and first <= b < end:
                y0 = frame.row_top(a) + h * (0.75 if b > a else 0.25)
                y1 = frame.row_top(b) + h * (0.25 if b > a else 0.75)
                out.segments.append(Segment(frame.x_of(t_put), y0, frame.x_of(t_get), y1,
                                            "item"))
                # The next item MIN_GAP_PX on: a jump, not a walk through a million.
                i = max(i + 1, bisect_left(times, t_get + step_ns, i + 1, stop))
            else:
                i += 1

    def flags(self, store: TraceStore, records: list[SharedOp], cut_ns: int) -> list[_Flag]:
        """None: items are drawn between the processes' lanes, not on the main program's."""
        return []


SHARED_MARKS = register_painter("shared", SharedMarks())
