"""The join kind's painter: each join() that returned is a flag on the main program's
lane (its label), and a join that waited for an exit links that exit (a dot) to the
return — dotted for the joins multiprocessing makes at the end of the program."""

from __future__ import annotations

from mpgui.i18n import _
from mpgui.runtime.store.joins import Join
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.geometry import Rows
from mpgui.ui.chart.labels import Frame, MarksLayout, Segment, _Flag
from mpgui.ui.chart.mark_painters import register_painter


def join_text(store: TraceStore, join: Join, var: str | None = None) -> str:
    """'C.join()', 'C.join(timeout) timed out' or 'D.join() at the end'."""
    var = var or store.lanes[join.lane].var
    if join.interrupted:
        return _("{var}.join() interrupted by Stop").format(var=var)
    if join.implicit:
        return _("{var}.join() at the end").format(var=var)
    if join.timed_out:
        return _("{var}.join(timeout) timed out").format(var=var)
    return f"{var}.join()"


class JoinMarks:
    """Paints the joins (see the module)."""

    def count(self, records: list[Join], cut_ns: int) -> int:
        """Joins returned by `cut_ns`."""
        return sum(j.t_return is not None and j.t_return <= cut_ns for j in records)

    def connectors(self, store: TraceStore, records: list[Join], rows: Rows, frame: Frame,
                   cut_ns: int, out: MarksLayout) -> None:
        """A join that waited for an exit: a line from the exit to its return."""
        h = frame.row_h
        main_bottom = frame.row_top(0) + h
        for join in records:
            if join.t_return is None or join.t_return > cut_ns:
                continue
            target = store.lanes[join.lane]
            trow = rows.lane_row[join.lane]
            if target.end_t is not None and target.end_t >= join.t_wait \
                    and not join.timed_out and trow >= 0:
                x_exit, y_exit = frame.x_of(target.end_t), frame.row_top(trow) + h / 2
                out.segments.append(Segment(x_exit, y_exit, frame.x_of(join.t_return),
                                            main_bottom,
                                            "join_implicit" if join.implicit else "join"))
                out.dots.append((x_exit, y_exit))

    def flags(self, store: TraceStore, records: list[Join], cut_ns: int) -> list[_Flag]:
        """Each join returned by `cut_ns`; joins of one row's copies ("W[2]") are
        grouped, to share a label in a burst."""
        flags: list[_Flag] = []
        for i, join in enumerate(records):
            if join.t_return is None or join.t_return > cut_ns:
                continue
            var = store.lanes[join.lane].var
            base = var.split("[")[0] if var.endswith("]") else None
            kind = ("interrupted" if join.interrupted else "timed out" if join.timed_out
                    else "join")
            group = (base, kind, join.implicit) if base else None
            flags.append(_Flag(join.t_return, join_text(store, join), "join", [("join", i)],
                               group, [var], join.implicit))
        return flags


JOIN_MARKS = register_painter("join", JoinMarks())
