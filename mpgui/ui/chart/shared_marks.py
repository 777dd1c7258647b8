"""The shared-object kind's painter: a line from each put() to the get() that received
that item — from the producer's lane at the moment it put the item to the consumer's
lane at the moment it got it — so that who fed whom, and how long an item waited in the
queue, can be read off the chart.

Items are matched by the identity the child gave them (`item_links`), incrementally: a
repaint walks only the records that arrived since the last one.
"""

from __future__ import annotations

import numpy as np

from mpgui.runtime.store.item_links import ItemLinks, Link, links_for
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
        items got in view, and where they crowd, the first got in each MIN_GAP_PX of
        time: a million items would be lines closer than pixels — the queue's own lane
        shows how many were waiting — and a frame costs the pixels, not the items."""
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
            y0 = frame.row_top(a) + h * (0.75 if b > a else 0.25)
            y1 = frame.row_top(b) + h * (0.25 if b > a else 0.75)
            for t_put, t_get in zip(*_shown(link, t_left, t_right, per_ns), strict=True):
                out.segments.append(Segment(frame.x_of(t_put), y0, frame.x_of(t_get), y1,
                                            "item"))

    def flags(self, store: TraceStore, records: list[SharedOp], cut_ns: int) -> list[_Flag]:
        """None: items are drawn between the processes' lanes, not on the main program's."""
        return []


def _shown(link: Link, t_left: int, t_right: int, per_ns: float
           ) -> tuple[list[int], list[int]]:
    """The (puts', gets') times of `link`'s items got between t_left and t_right that
    are drawn at `per_ns` pixels a nanosecond: all of them, or where they are denser
    than one per MIN_GAP_PX (on average over the pixels their gets span: two gets a
    pixel apart may come from puts far apart), the first got in each MIN_GAP_PX column
    of time. The columns are fixed in time, not in the view: a pan keeps the lines it
    drew. Numpy's searches of the link's arrays (views of them, let go before the
    link can grow: an array with a view cannot): a million items' ~300 searches, one at
    a time, cost a frame ~2 ms."""
    times = np.frombuffer(link.times, np.int64)
    puts = np.frombuffer(link.puts, np.int64)
    try:
        i = int(np.searchsorted(times, t_left, side="left"))
        stop = int(np.searchsorted(times, t_right, side="right"))
        if i >= stop:
            return [], []
        span_px = float(times[stop - 1] - times[i]) * per_ns
        if stop - i <= span_px / MIN_GAP_PX + 1:
            return puts[i:stop].tolist(), times[i:stop].tolist()
        step = max(1, int(MIN_GAP_PX / per_ns))
        edges = np.arange(int(times[i]) // step, int(times[stop - 1]) // step + 1,
                          dtype=np.int64) * step
        at = np.maximum(np.searchsorted(times, edges, side="left"), i)
        at = at[at < stop]
        at = at[np.concatenate(([True], at[1:] != at[:-1]))]  # (empty columns: the next's)
        return puts[at].tolist(), times[at].tolist()
    finally:
        del times, puts


SHARED_MARKS = register_painter("shared", SharedMarks())
