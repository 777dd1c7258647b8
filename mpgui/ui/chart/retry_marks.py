"""The retry kind's painter: where a task lost its worker, a line from the worker's lane
to the task's, ending in a red arrow, and a label on the task's lane ("worker 1 died:
run again"). The task's lane then shows it queued until another worker runs it."""

from __future__ import annotations

from mpgui.i18n import _
from mpgui.runtime.store.retries import Retry
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.geometry import Rows
from mpgui.ui.chart.labels import Frame, Lines, MarksLayout, Segment, _Flag, _place_exit
from mpgui.ui.chart.mark_painters import register_painter


def retry_text(store: TraceStore, retry: Retry) -> str:
    """'worker 1 died: run again' (or without the worker's name)."""
    if retry.worker is None:
        return _("its worker died: run again")
    return _("{worker} died: run again").format(worker=store.lanes[retry.worker].var)


class RetryMarks:
    """Paints the retries (see the module)."""

    def count(self, records: list[Retry], cut_ns: int) -> int:
        """Retries by `cut_ns`."""
        return sum(r.t <= cut_ns for r in records)

    def connectors(self, store: TraceStore, records: list[Retry], rows: Rows, frame: Frame,
                   cut_ns: int, out: MarksLayout) -> None:
        h = frame.row_h
        for r in records:
            row = rows.lane_row[r.lane] if r.lane < len(rows.lane_row) else -1
            if r.t > cut_ns or row < 0:
                continue
            x, top = frame.x_of(r.t), frame.row_top(row)
            wrow = rows.lane_row[r.worker] if r.worker is not None and \
                r.worker < len(rows.lane_row) else -1
            if wrow >= 0:  # from the worker that died to the task it took down
                y0 = frame.row_top(wrow) + h / 2
                tip = top + (h * 0.8 if wrow > row else h * 0.2)
                out.segments.append(Segment(x, y0, x, tip, "terminate", crash=True))
                out.arrows.append((x, tip, True))
            _place_exit(out, Lines(out.segments), frame, retry_text(store, r), x,
                        top + h / 2, r.lane, True)

    def flags(self, store: TraceStore, records: list[Retry], cut_ns: int) -> list[_Flag]:
        return []  # (nothing of the main program's)


register_painter("retry", RetryMarks())
