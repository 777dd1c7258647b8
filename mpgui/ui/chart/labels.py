"""Where the chart's marks and their labels go, in device pixels, without painting:
each start() arrow, exit, join() and terminate(), and a text for every exit, join and
terminate — none dropped, none overlapping another, none crossed by a drawn line.

The painter (`MarksItem`) draws exactly what `layout_marks` returns, and the chart asks
the same layout how much room the labels need right of the run (`right_room`), so the
view that shows the whole run reserves it in pixels. Tests check the same objects.

How labels are placed:

* **The main program's** joins and terminates are flags: a pole rises from the bottom
  of the main program's lane to the label, on its right. Labels whose boxes would
  overlap form a burst and take one line each, top-down in time order, so that no pole
  crosses a label (a later pole stops below the earlier labels; a later label starts
  right of the earlier poles). When the lane has too few lines, the chart makes room
  above it (`MarksLayout.extra_lines`). Joins of one row's copies in a burst share one
  label ("W[0..3].join()").
* **Exits** sit right of their exit line in the process's lane; a line that crosses
  the lane there (another process's start arrow, a join's connector) pushes the label
  further right, with a dotted leader back to the exit. At the right edge a label goes
  left of its exit instead, and only if neither fits is it shortened with "…" (its
  full text is kept for the tooltip).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mpgui.i18n import _
from mpgui.model.backend import DEFAULT_BACKEND, get_backend
from mpgui.runtime.parent.children import TAKEN_DOWN
from mpgui.runtime.store.trace import Lane, TraceStore
from mpgui.ui.chart.mark_painters import MarkPainter, painted

GAP = 5.0  # px between a mark and its label
PAD = 2.0  # px between a label line and the lane's edge
MAX_LINES = 8  # the most lines a burst of the main program's labels takes
ELLIPSIS = "…"
# start() arrows to lanes below the view: at most one per this many pixels (see
# `_thinned_below`), for tips further below the plot than an arrow's head reaches.
START_GAP_PX = 3.0
BELOW_PX = 64.0


@dataclass(frozen=True)
class Box:
    """A rectangle in device pixels."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        """Whether the two share any area."""
        return (self.x < other.right and other.x < self.right and self.y < other.bottom
                and other.y < self.bottom)

    def inside(self, other: Box, slack: float = 0.5) -> bool:
        """Whether this box lies wholly within `other`."""
        return (self.x >= other.x - slack and self.y >= other.y - slack
                and self.right <= other.right + slack and self.bottom <= other.bottom + slack)


@dataclass(frozen=True)
class Segment:
    """A straight line drawn on the chart. `kind` says how: "start", "exit", "join",
    "join_implicit", "pole", "pole_implicit", "terminate", "leader", "item" (a queue's
    item from its put to its get); `crash` draws it in the crash colour."""

    x0: float
    y0: float
    x1: float
    y1: float
    kind: str
    crash: bool = False
    label: int = -1  # the label this line leads to, which it may touch

    def crosses(self, box: Box) -> bool:
        """Whether the line passes through the inside of `box`."""
        return self._within(box) is not None

    def part_in(self, box: Box, period: float | None = 0.0
                ) -> tuple[float, float, float, float] | None:
        """The part of the line within `box` as (x0, y0, x1, y1), or None if none. For a
        dashed line, `period` (px) is its pattern's: the start is cut back by whole
        periods only, so the dashes fall where they fall on the whole line; None keeps
        the whole line (only a line wholly outside `box` is None)."""
        within = self._within(box, closed=True)
        if within is None:
            return None
        t0, t1 = within
        dx, dy = self.x1 - self.x0, self.y1 - self.y0
        if period is None:
            t0, t1 = 0.0, 1.0
        elif period > 0 and t0 > 0:
            length = float(np.hypot(dx, dy))
            t0 = float(np.floor(t0 * length / period)) * period / length
        return (self.x0 + t0 * dx, self.y0 + t0 * dy, self.x0 + t1 * dx, self.y0 + t1 * dy)

    def _within(self, box: Box, closed: bool = False) -> tuple[float, float] | None:
        """The line's parameters (t0, t1) where it enters and leaves `box` (Liang–Barsky
        clip): through its inside only, or touching its edges too when `closed`."""
        dx, dy = self.x1 - self.x0, self.y1 - self.y0
        t0, t1 = 0.0, 1.0
        for p, q in ((-dx, self.x0 - box.x), (dx, box.right - self.x0),
                     (-dy, self.y0 - box.y), (dy, box.bottom - self.y0)):
            if p == 0:
                if q < 0 or (q == 0 and not closed):
                    return None
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1 or (t0 == t1 and not closed):
                return None
        return t0, t1


@dataclass
class Label:
    """A text on the chart: what it says in full, what is shown, where."""

    text: str
    shown: str
    box: Box
    role: str  # "exit", "crash", "join", "terminate"
    covers: tuple[tuple[str, int], ...]  # ("exit", lane), ("join", index), ("terminate", lane)


@dataclass
class MarksLayout:
    """Everything `MarksItem` draws, in device pixels."""

    segments: list[Segment] = field(default_factory=list)
    dots: list[tuple[float, float]] = field(default_factory=list)  # a join's exit end
    arrows: list[tuple[float, float, bool]] = field(default_factory=list)  # heads: x, y, red
    labels: list[Label] = field(default_factory=list)
    extra_lines: int = 0  # lines the main program's labels need above its lane
    right: float = 0.0  # the rightmost label edge

    def label_at(self, x: float, y: float) -> Label | None:
        """The label under a point, if any (for its full text on hover)."""
        return next((lb for lb in self.labels if lb.box.x <= x <= lb.box.right
                     and lb.box.y <= y <= lb.box.bottom), None)


@dataclass(frozen=True)
class Frame:
    """How the chart maps the trace to pixels for one layout."""

    x_of: Callable[[int], float]  # a store timestamp (ns) to x
    row_top: Callable[[int], float]  # a row to the y of its top
    row_h: float
    plot: Box  # the visible plot area
    width_of: Callable[[str], float]  # a text's width in the label font
    line_h: float  # a label's height
    main_visible: bool = True  # the main program's lane is in view
    visible_rows: tuple[int, int] = (0, 1 << 30)  # rows shown (first, end)


def exit_text(code: int | None, error: tuple[str, str, str] | None,
              backend: str = DEFAULT_BACKEND, terminated: bool = False,
              pool_worker: bool = False) -> str:
    """How an end reads on the chart: 'exit 0', 'terminated (exit -15)', 'killed by
    signal 9 (exit -9)', '✖ exit 1 — ...' for a process; 'ended' for a thread, 'done'
    for a pool task."""
    if code is None:
        return _("ended")
    rows = get_backend(backend)
    if not rows.own_process:  # a thread or a task has no exit code of its own
        if error:
            return f"✖ {error[0]}: {error[1]}"
        if code == TAKEN_DOWN:
            return rows.taken_down
        if code:
            return _("ended by sys.exit({code})").format(code=code)
        return rows.ended
    if error:
        return _("✖ exit {code} — {type}: {message}").format(code=code, type=error[0],
                                                            message=error[1])
    if code < 0 and terminated:
        return _("terminated (exit {code})").format(code=code)
    if code == TAKEN_DOWN and pool_worker:
        return _("ended with the pool (exit {code})").format(code=code)
    if code < 0:
        return _("killed by signal {signal} (exit {code})").format(signal=-code, code=code)
    return _("exit {code}").format(code=code)


def lane_exit_text(ln: Lane, backend: str) -> str:
    """`exit_text` of lane `ln` (run with `backend`): the label and the tooltip say the
    same."""
    return exit_text(ln.exit_code, ln.error, backend, terminated=ln.terminate_t is not None,
                     pool_worker=is_pool_worker(ln.name))


def terminate_text(var: str, implicit: bool) -> str:
    """'Stop.terminate()', or for a daemon the script's end: 'D.terminate() at the end'."""
    return _("{var}.terminate() at the end").format(var=var) if implicit else \
        f"{var}.terminate()"


def is_pool_worker(name: str) -> bool:
    """A traced script's pool worker (multiprocessing names them "ForkPoolWorker-1",
    "SpawnPoolWorker-2", ...): a pool's `with` block ends by terminating them."""
    return "PoolWorker-" in name


def elide(text: str, width: float, width_of: Callable[[str], float]) -> str:
    """`text` shortened with "…" to fit `width` (at least its first character)."""
    if width_of(text) <= width:
        return text
    lo, hi = 1, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if width_of(text[:mid].rstrip() + ELLIPSIS) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


@dataclass
class _Flag:
    """A main-program event to label: its time, text, what it covers."""

    t: int
    text: str
    role: str
    covers: list[tuple[str, int]]
    group: tuple[str, str, bool] | None = None  # copies of one row: (base, kind, implicit)
    members: list[str] = field(default_factory=list)
    implicit: bool = False  # what multiprocessing does at the end of the script
    full: str = ""  # the whole text when `text` sums several up


def layout_marks(store: TraceStore, rows, frame: Frame, cut_ns: int = 2**62  # type: ignore[no-untyped-def]
                 ) -> MarksLayout:
    """The marks and labels of `store` on `rows` as `frame` maps them; a replay shows
    only what happened before `cut_ns`."""
    out = MarksLayout()
    if store.t0 is None:
        return out
    h = frame.row_h
    main_top = frame.row_top(0)
    main_bottom = main_top + h
    main_mid = main_top + h / 2
    first, end = frame.visible_rows

    def shown(row: int) -> bool:
        return row >= 0 and first <= row < end

    exits: list[tuple[int, float, float, bool]] = []  # lane, x, mid, crashed
    starts: list[tuple[float, float]] = []  # x, the arrow's tip
    for ln in store.lanes:
        row = rows.lane_row[ln.index] if ln.index < len(rows.lane_row) else -1
        if ln.kind != "process" or row < 0:
            continue
        top = frame.row_top(row)
        if ln.start_call_t is not None and ln.start_call_t <= cut_ns:
            x = frame.x_of(ln.start_call_t)
            starts.append((x, top + h * 0.2))
        if ln.terminate_t is not None and ln.terminate_t <= cut_ns:
            x = frame.x_of(ln.terminate_t)
            tip = top + h * 0.2
            out.segments.append(Segment(x, main_bottom, x, tip, "terminate", crash=True))
            out.arrows.append((x, tip, True))
        if ln.end_t is not None and ln.end_t <= cut_ns:
            x = frame.x_of(ln.end_t)
            crashed = bool(ln.error) or (ln.exit_code not in (0, None))
            out.segments.append(Segment(x, top + h * 0.1, x, top + h * 0.9, "exit",
                                        crash=crashed))
            exits.append((ln.index, x, top + h / 2, crashed))
    kinds = painted(store)  # the records of event kinds: the joins (join_marks), ...
    flags = _flags(store, cut_ns, kinds)
    for painter, records in kinds:
        painter.connectors(store, records, rows, frame, cut_ns, out)
    if frame.main_visible:
        _place_flags(out, flags, frame, main_top, main_bottom)
    for x, tip in _thinned_below(starts, frame.plot.bottom):
        out.segments.append(Segment(x, _below_flags(out.labels, x, main_mid, main_bottom),
                                    x, tip, "start"))
        out.arrows.append((x, tip, False))
    obstacles = Lines(out.segments)
    for lane, x, mid, crashed in exits:
        ln = store.lanes[lane]
        row = int(rows.lane_row[lane])
        if not shown(row):
            continue
        text = lane_exit_text(ln, store.backend)
        _place_exit(out, obstacles, frame, text, x, mid, lane, crashed)
    out.right = max((lb.box.right for lb in out.labels), default=frame.plot.x)
    return out


def _thinned_below(starts: list[tuple[float, float]], bottom: float
                   ) -> list[tuple[float, float]]:
    """The start() arrows to draw: every arrow whose tip is in view or above it, and of
    those to lanes below the view — dashed lines down to the plot's edge, alike but for
    where they are — at most one per START_GAP_PX. 256 processes started in a few
    seconds are 256 dashed lines the full height of the plot, two to a pixel column in
    a view of the whole run: each repaint of the marks stroked all their dashes (~6 ms
    of a step of the time axis) to draw what a line every few pixels draws. (Each
    lane's bars show when it began, and scrolled into view its arrow is drawn.)"""
    below = sorted(start for start in starts if start[1] > bottom + BELOW_PX)
    if len(below) < 2:
        return starts
    kept = [start for start in starts if start[1] <= bottom + BELOW_PX]
    last = -float("inf")
    for start in below:
        if start[0] - last >= START_GAP_PX:
            kept.append(start)
            last = start[0]
    return kept


def _below_flags(labels: list[Label], x: float, mid: float, bottom: float) -> float:
    """Where a start() arrow at `x` leaves the main program's lane: from its middle, or
    from under the main program's labels that lie across `x` there (a start right after
    a join on a busy machine, or a lane one label high), so that no arrow crosses a
    text."""
    y = mid
    for lb in labels:
        if lb.box.x < x < lb.box.right and lb.box.y < bottom and lb.box.bottom > y:
            y = lb.box.bottom
    return min(y, bottom)


def _flags(store: TraceStore, cut_ns: int,
           kinds: list[tuple[MarkPainter, list[Any]]]) -> list[_Flag]:
    """The main program's joins (the flags of the event kinds' painters) and terminates
    up to `cut_ns`, in time order."""
    flags: list[_Flag] = []
    for painter, records in kinds:
        flags += painter.flags(store, records, cut_ns)
    for ln in store.lanes:
        if ln.terminate_t is not None and ln.terminate_t <= cut_ns and ln.kind == "process":
            flags.append(_Flag(ln.terminate_t, terminate_text(ln.var, ln.terminated_at_end),
                               "terminate", [("terminate", ln.index)], None, [ln.var],
                               ln.terminated_at_end))
    flags.sort(key=lambda f: f.t)
    return flags


def _merge(burst: list[tuple[_Flag, float]]) -> list[tuple[_Flag, float]]:
    """One label for joins in a row of one row's copies ("W[0..3].join()"), and for the
    joins multiprocessing makes at the end ("A…D.join() at the end")."""
    out: list[tuple[_Flag, float]] = []
    for f, x in burst:
        prev = out[-1][0] if out else None
        same_copies = prev is not None and f.group is not None and f.group == prev.group
        both_at_end = prev is not None and prev.role == f.role == "join" and prev.implicit \
            and f.implicit
        if prev is not None and (same_copies or both_at_end):
            prev.covers += f.covers
            prev.members += f.members
            if not same_copies:
                prev.group = None
            continue
        out.append((_Flag(f.t, f.text, f.role, list(f.covers), f.group, list(f.members),
                          f.implicit), x))
    for f, _x in out:
        if len(f.members) < 2:
            continue
        first, last = f.members[0], f.members[-1]
        if f.group is not None:
            base = f.group[0]
            names = f"{base}[{first[len(base) + 1:-1]}..{last[len(base) + 1:-1]}]"
        else:
            names = f"{first}…{last}"
        f.text = f.text.replace(first, names, 1)
    return out


def _place_flags(out: MarksLayout, flags: list[_Flag], frame: Frame, main_top: float,
                 main_bottom: float) -> None:
    """The main program's labels as flags in bursts, one line each (see the module)."""
    lh, plot = frame.line_h, frame.plot
    fit = max(1, int((main_bottom - main_top - 2 * PAD) // lh))
    cap = fit + max(0, int(0.25 * plot.h // lh))  # room above the lane: a quarter at most
    lines = min(cap, MAX_LINES)
    bursts: list[list[tuple[_Flag, float]]] = []
    reach = -float("inf")
    for f in flags:
        x = frame.x_of(f.t)
        if not bursts or x > reach + 1:  # clear of every label of the burst before
            bursts.append([])
            reach = -float("inf")
        burst = bursts[-1]
        burst.append((f, x))
        if len(burst) == 1:
            reach = x + GAP + frame.width_of(f.text)
        else:
            # As the burst will be drawn: merged copies ("T[0..1].join()") and a capped
            # last line ("+3 more") are wider than the labels they stand for, and the
            # next burst must start clear of them (on a busy machine joins spread out).
            reach = max(x + GAP + frame.width_of(g.text)
                        for g, x in _cap(_merge(burst), lines))
    bursts = [_cap(_merge(b), lines) for b in bursts]
    depth = max((len(b) for b in bursts), default=0)
    out.extra_lines = max(0, depth - fit)
    top = main_top + PAD - out.extra_lines * lh
    for burst in bursts:
        # A burst starts on the lane's first line, or above the lane if it needs more.
        first_line = out.extra_lines + fit - len(burst) if len(burst) > fit else \
            out.extra_lines
        for j, (f, x) in enumerate(burst):
            y = top + (first_line + j) * lh
            room = plot.right - (x + GAP)
            shown = f.text if frame.width_of(f.text) <= room else \
                elide(f.text, max(room, lh), frame.width_of)
            box = Box(x + GAP, y, frame.width_of(shown), lh)
            index = len(out.labels)
            out.labels.append(Label(f.full or f.text, shown, box, f.role, tuple(f.covers)))
            kind = "terminate" if f.role == "terminate" else \
                "pole_implicit" if f.implicit else "pole"
            out.segments.append(Segment(x, main_bottom - 1, x, y + lh / 2, kind,
                                        crash=f.role == "terminate", label=index))


def _cap(burst: list[tuple[_Flag, float]], lines: int) -> list[tuple[_Flag, float]]:
    """At most `lines` labels: the rest share the last one ("X.join() +3 more"; the
    tooltip says them all)."""
    if len(burst) <= lines:
        return burst
    rest = burst[lines - 1:]
    head, x = rest[0]
    last = _Flag(head.t, _("{label} +{n} more").format(label=head.text, n=len(rest) - 1),
                 head.role, [c for f, _x in rest for c in f.covers], implicit=head.implicit)
    last.full = "; ".join(f.text for f, _x in rest)
    return [*burst[:lines - 1], (last, x)]


def _place_exit(out: MarksLayout, obstacles: Lines, frame: Frame, text: str,
                x: float, mid: float, lane: int, crashed: bool) -> None:
    """An exit's label: right of the exit, pushed past lines that cross its lane; else
    left of it; else shortened (see the module)."""
    lh, plot, width_of = frame.line_h, frame.plot, frame.width_of
    width = width_of(text)
    y = mid - lh / 2
    role = "crash" if crashed else "exit"
    right = _free_x(obstacles, out.labels, x + GAP, y, width, lh, +1)
    if right + width <= plot.right:
        _add_exit(out, text, text, Box(right, y, width, lh), role, lane, x, mid)
        return
    left = _free_x(obstacles, out.labels, x - GAP - width, y, width, lh, -1)
    if left >= plot.x:
        _add_exit(out, text, text, Box(left, y, width, lh), role, lane, x, mid)
        return
    shown = elide(text, max(plot.right - right, width_of(text[:1] + ELLIPSIS)), width_of)
    _add_exit(out, text, shown, Box(right, y, width_of(shown), lh), role, lane, x, mid)


def _add_exit(out: MarksLayout, text: str, shown: str, box: Box, role: str, lane: int,
              x: float, mid: float) -> None:
    index = len(out.labels)
    out.labels.append(Label(text, shown, box, role, (("exit", lane),)))
    if box.x - x > GAP + 1:  # pushed away from its exit: a leader back to it
        out.segments.append(Segment(x, mid, box.x, mid, "leader", label=index))
    elif x - box.right > GAP + 1:
        out.segments.append(Segment(box.right, mid, x, mid, "leader", label=index))


class Lines:
    """Segments as arrays, to test a box against all of them at once."""

    def __init__(self, segments: list[Segment]) -> None:
        a = np.array([(s.x0, s.y0, s.x1, s.y1) for s in segments], float).reshape(-1, 4)
        self.x0, self.y0, self.x1, self.y1 = a.T
        self.left, self.right = np.minimum(a[:, 0], a[:, 2]), np.maximum(a[:, 0], a[:, 2])
        # What `crossing` asks of every box, computed once: a layout tests hundreds of
        # boxes against the same lines, and each numpy call costs more than its work.
        dx, dy = self.x1 - self.x0, self.y1 - self.y0
        p = np.stack((-dx, dx, -dy, dy))  # the four edges' directions (Liang–Barsky)
        self._parallel = p == 0
        self._p = np.where(self._parallel, 1.0, p)
        self._entering = ~self._parallel & (p < 0)
        self._leaving = ~self._parallel & (p > 0)
        self._q = np.stack((self.x0, -self.x0, self.y0, -self.y0))

    def crossing(self, box: Box) -> np.ndarray:
        """Which lines pass through the inside of `box` (Liang–Barsky, vectorised)."""
        q = self._q + np.array((-box.x, box.right, -box.y, box.bottom))[:, None]
        outside = (self._parallel & (q <= 0)).any(0)
        t = q / self._p
        t0 = np.where(self._entering, t, 0.0).max(0, initial=0.0)
        t1 = np.where(self._leaving, t, 1.0).min(0, initial=1.0)
        return ~outside & (t0 < t1)


def _free_x(obstacles: Lines, labels: list[Label], x: float, y: float, w: float,
            h: float, direction: int) -> float:
    """The nearest left edge from `x` (moving right if `direction` > 0, else left) where
    a w x h box at height y touches no obstacle line and no label."""
    for _attempt in range(len(obstacles.x0) + len(labels) + 1):
        box = Box(x, y, w, h)
        hit = obstacles.crossing(box)
        hit_boxes = [lb.box for lb in labels if lb.box.overlaps(box)]
        if not hit.any() and not hit_boxes:
            return x
        if direction > 0:
            x = max([*obstacles.right[hit].tolist(), *(b.right for b in hit_boxes)]) + GAP
        else:
            x = min([*obstacles.left[hit].tolist(), *(b.x for b in hit_boxes)]) - GAP - w
    return x
