"""The shared-object kind's painter: a line from each put() to the get() that received
that item — from the producer's lane at the moment it put the item to the consumer's
lane at the moment it got it — so that who fed whom, and how long an item waited in the
queue, can be read off the chart.

Items are matched by the identity the child gave them (`item_links`), incrementally: a
repaint walks only the records that arrived since the last one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from mpgui.runtime.store.item_links import ItemLinks, links_for
from mpgui.runtime.store.shared_events import SharedOp
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.geometry import Rows
from mpgui.ui.chart.labels import Frame, MarksLayout, Segment, _Flag
from mpgui.ui.chart.mark_painters import register_painter

MIN_GAP_PX = 3.0  # the closest two items' lines are drawn, by their gets


class SharedMarks:
    """Paints the items' way through the queues (see the module)."""

    def __init__(self) -> None:
        self._cache: dict[int, ItemLinks] = {}

    def _matched(self, records: list[SharedOp]) -> ItemLinks:
        m = self._cache.get(id(records))
        if m is None or m.records is not records or m.done > len(records):
            if len(self._cache) >= 8:  # stores no longer shown: forget them
                self._cache.clear()
            m = self._cache[id(records)] = links_for(records)
        return m.update()

    def count(self, records: list[SharedOp], cut_ns: int) -> int:
        """Items got by `cut_ns`."""
        return self._matched(records).got_by(cut_ns)

    def connectors(self, store: TraceStore, records: list[SharedOp], rows: Rows,
                   frame: Frame, cut_ns: int, out: MarksLayout) -> None:
        """Each item got by `cut_ns` whose two lanes are shown: put → get. Only the
        items got in view, and at most one per MIN_GAP_PX of the gets' times: a
        million items would be lines closer than pixels — the queue's own lane shows
        how many were waiting — and a frame costs the pixels, not the items."""
        h = frame.row_h
        first, end = frame.visible_rows
        # The plot's time span, from the (linear) map of time to x.
        x0, per_ns = frame.x_of(0), (frame.x_of(1_000_000_000) - frame.x_of(0)) / 1e9
        if per_ns <= 0:
            return
        t_left = int((frame.plot.x - x0) / per_ns)
        t_right = min(cut_ns, int((frame.plot.right - x0) / per_ns))
        for (lane_put, lane_get), link in self._matched(records).links.items():
            a, b = int(rows.lane_row[lane_put]), int(rows.lane_row[lane_get])
            if a < 0 or b < 0 or not (first <= a < end and first <= b < end):
                continue
            times, puts = link.times, link.puts
            i = bisect_left(times, t_left)
            stop = bisect_right(times, t_right)
            if i >= stop:
                continue
            y0 = frame.row_top(a) + h * (0.75 if b > a else 0.25)
            y1 = frame.row_top(b) + h * (0.25 if b > a else 0.75)
            # Items no denser than one per MIN_GAP_PX on average over the pixels their
            # gets span are all drawn (two gets a pixel apart may come from puts far
            # apart); only a crowd is thinned. (The span, not the plot's width: a
            # layout that measures the labels' room has a plot with no right edge.)
            span_px = (times[stop - 1] - times[i]) * per_ns
            step_ns = max(1, int(MIN_GAP_PX / per_ns)) \
                if stop - i > span_px / MIN_GAP_PX + 1 else 0
            while i < stop:
                t_get = times[i]
                out.segments.append(Segment(frame.x_of(puts[i]), y0, frame.x_of(t_get), y1,
                                            "item"))
                # The next item MIN_GAP_PX on: a jump, not a walk through a million.
                i = bisect_left(times, t_get + step_ns, i + 1, stop) if step_ns else i + 1

    def flags(self, store: TraceStore, records: list[SharedOp], cut_ns: int) -> list[_Flag]:
        """None: items are drawn between the processes' lanes, not on the main program's."""
        return []


SHARED_MARKS = register_painter("shared", SharedMarks())
