"""The chart's geometry in numpy, without Qt: which row shows which lane or core, and
the lanes' spans kept so that any pixel can ask how its time was spent (what each
pixel then shows is `pixels.py`'s rule).

A run can hold millions of spans, far more than a chart has pixels. So spans are kept
per lane in time order ("tracks") with the cumulative time spent in each state, and a
frame asks, for each pixel's time interval, how long the lane spent in each state
there: two binary searches and a difference per pixel. The cost of a frame depends on
lanes x pixels, not on how many spans were recorded, and syncing with the trace store
costs only what arrived since the last frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mpgui.i18n import _
from mpgui.runtime.protocol import State
from mpgui.runtime.store.trace import OPEN, TraceStore

MAIN_COLOR = 255  # colour index of the main program's lane
CODE_SHIFT = 256  # code = state * CODE_SHIFT + colour index
# Time is accumulated in four columns: running, preempted, waiting for the GIL, and
# any other state.
RUN, PRE, GIL, OTHER = 0, 1, 2, 3
NCOL = 4
_COLUMN = np.full(1 + max(State.RUNNING, State.PREEMPTED, State.SLEEPING, State.WAITING,
                          State.STARTING, State.GIL, State.QUEUED, State.BLOCKED), OTHER,
                  np.int64)
_COLUMN[State.RUNNING], _COLUMN[State.PREEMPTED], _COLUMN[State.GIL] = RUN, PRE, GIL


_NICE = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceil(x: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 times a power of ten that is >= x: a
    time axis that grows in such steps holds still between them."""
    if not x > 0 or not math.isfinite(x):
        return 1.0
    base = 10.0 ** math.floor(math.log10(x))
    return next(m * base for m in _NICE if m * base >= x * (1 - 1e-12))


def extent_right(x_end: float, view_right: float) -> float:
    """The right edge, in seconds, of what a chart item may draw over: twice the nice
    ceiling of the later of the run's end (`x_end`) and the view's right edge. It grows
    in steps, and a followed view steps on first (its right edge is the nice ceiling of
    1.1 x the end), so the extent changes with the view's step, which repaints the whole
    chart anyway — never in a frame of its own, where a change of extent would repaint
    the whole chart for nothing."""
    return 2 * nice_ceil(max(x_end, view_right, 1e-3))


@dataclass(frozen=True)
class Rows:
    """Which chart row shows what. Row 0 is at the top."""

    lane_row: np.ndarray  # lane index -> row (-1 if not shown)
    core_base: int  # row of core 0
    n_cores: int
    unknown_core: bool  # a row for "core unknown" after the cores
    labels: tuple[str, ...]
    lane_of_row: tuple[int, ...]  # row -> lane index, -1 for object and core rows
    n_objects: int = 0  # rows for the shared objects, right above the cores

    @property
    def n_rows(self) -> int:
        """Rows in all."""
        return len(self.labels)

    @property
    def object_base(self) -> int:
        """The row of the first shared object."""
        return self.core_base - self.n_objects

    def core_row(self, core: np.ndarray) -> np.ndarray:
        """Rows of cores; an unknown core (-1) goes to the "core ?" row, or -1 if the
        chart has none."""
        unknown = self.core_base + self.n_cores if self.unknown_core else -1
        return np.where((core >= 0) & (core < self.n_cores), self.core_base + core, unknown)


def layout_rows(store: TraceStore, n_cores: int, unknown_core: bool,
                objects: tuple[str, ...] = ()) -> Rows:
    """Main program first, then the processes (each thread right under its process),
    then a row for each shared object (labelled `objects`), then one row per logical
    CPU, then "core ?" if some core was not known."""
    threads: dict[int, list[int]] = {}  # (one pass: a frame of 256 lanes lays them out)
    for t in store.lanes:
        if t.kind == "thread":
            threads.setdefault(store.owner_of(t.index), []).append(t.index)
    order: list[int] = []
    for ln in store.lanes:
        if ln.kind != "thread":
            order.append(ln.index)
            order += threads.get(ln.index, ())
    lane_row = np.full(len(store.lanes), -1, np.int32)
    labels = []
    for row, lane in enumerate(order):
        lane_row[lane] = row
        labels.append(store.lanes[lane].label if store.lanes[lane].kind != "main"
                      else _("main program"))
    labels += objects
    core_base = len(order) + len(objects)
    cpu = _("CPU {cpu}")
    labels += [cpu.format(cpu=c) for c in range(n_cores)]
    if unknown_core:
        labels.append(_("core ?"))
    lane_of_row = tuple(order) + (-1,) * (len(labels) - len(order))
    return Rows(lane_row, core_base, n_cores, unknown_core, tuple(labels), lane_of_row,
                len(objects))


def map_rows(rows: Rows, shown: TraceStore, other: TraceStore) -> Rows:
    """`rows` (laid out for `shown`) for the lanes of `other`: a lane goes to the row of
    the lane of `shown` with the same kind and variable (a prediction drawn over a run),
    or nowhere."""
    where = {(ln.kind, ln.var): rows.lane_row[ln.index] for ln in shown.lanes
             if ln.index < len(rows.lane_row)}
    lane_row = np.array([where.get((ln.kind, ln.var), -1) for ln in other.lanes], np.int32)
    lane_of_row = [-1] * rows.n_rows
    for lane, row in enumerate(lane_row):
        if row >= 0:
            lane_of_row[row] = lane
    return Rows(lane_row, rows.core_base, rows.n_cores, rows.unknown_core, rows.labels,
                tuple(lane_of_row), rows.n_objects)


def lane_colors(store: TraceStore) -> np.ndarray:
    """Colour index of every lane: a process has its table row's colour (the n-th
    process lane), its threads share it, the main program has MAIN_COLOR. Threads of
    the main program (a traced script's) get colours of their own, in lane order with
    the processes, so a lane's colour never changes as more lanes come: in the main
    program's grey, a sleeping thread would look like the main program waiting."""
    colors = np.full(len(store.lanes), MAIN_COLOR, np.int32)
    k = 0
    for ln in store.lanes:
        owner = store.owner_of(ln.index) if ln.kind == "thread" else ln.index
        if ln.kind == "process" or (ln.kind == "thread" and colors[owner] == MAIN_COLOR):
            colors[ln.index] = k
            k += 1
        elif ln.kind == "thread":
            colors[ln.index] = colors[owner]
    return colors


class Column:
    """An append-only numpy column; ``view`` is the data. Of the rows appended, only
    the last may be written afterwards (a span's end, when the next one begins).

    Growing is spread over the appends. Once the buffer is half full, one twice its
    size is made, and each append copies twice as many rows as it adds into it; when
    the buffer is full, all but the last few rows are there already. So no append —
    no frame — copies a whole column. (Lanes that grow in step used to double in the
    same frame: 16 lanes of 90,000 spans copied ~40 ms at once, the worst frames of a
    busy run.)"""

    def __init__(self, dtype: type, width: int = 0) -> None:
        self._shape = (width,) if width else ()
        self._buf = np.zeros((16, *self._shape), dtype)
        self._next: np.ndarray | None = None  # the bigger buffer, being filled
        self._copied = 0  # rows of _buf already in _next
        self.n = 0

    @property
    def view(self) -> np.ndarray:
        """The values so far (a view: valid until the next append)."""
        return self._buf[:self.n]

    def extend(self, values: np.ndarray) -> None:
        """Append `values` (one row per item)."""
        k = len(values)
        if self.n + k > len(self._buf):
            self._switch(self.n + k)
        self._buf[self.n:self.n + k] = values
        self.n += k
        if 2 * self.n > len(self._buf):
            self._copy_ahead(2 * k)

    def _copy_ahead(self, rows: int) -> None:
        """Copy up to `rows` more rows into the bigger buffer (made on first use)."""
        if self._next is None:
            self._next = np.empty((2 * len(self._buf), *self._shape), self._buf.dtype)
            self._copied = 0
        end = min(self.n - 1, self._copied + rows)  # (the last row may still change)
        if end > self._copied:
            self._next[self._copied:end] = self._buf[self._copied:end]
            self._copied = end

    def _switch(self, need: int) -> None:
        """The buffer is full: go on in the bigger one (at least `need` rows), with
        the rows not copied yet."""
        grown, copied = self._next, self._copied
        if grown is None or len(grown) < need:
            grown = np.empty((max(2 * len(self._buf), need), *self._shape), self._buf.dtype)
            copied = 0
        grown[copied:self.n] = self._buf[copied:self.n]
        self._buf, self._next, self._copied = grown, None, 0


class Track:
    """One lane's spans in time order, in seconds since the run began.

    Start times live in their own array (for binary search); everything else about a
    span is one row of ``rows``, so that adding spans and sampling them cost one numpy
    call each rather than one per field: the end time (nan while open), the state, the
    core, the core of the latest RUNNING span up to this one, and the time spent
    running / preempted / otherwise before this span. Only the last span can be open (a
    state change closes the previous one), so those times are final when a span is
    added, and an open span simply counts up to "now" when a frame asks.
    """

    T1, STATE, CORE, RUN_CORE, CUM = 0, 1, 2, 3, 4  # fields of a row; CUM..CUM+2

    def __init__(self) -> None:
        self.t0 = Column(np.float64)
        self.rows = Column(np.float64, self.CUM + NCOL)
        self.lines = Column(np.float64)  # times of printed lines
        self.line_index = Column(np.int64)  # their indices in the store (for the text)
        self.open_index = -1  # the store's index of the last span while it is open
        self.unknown_core = False  # some RUNNING span had no known core

    @property
    def n(self) -> int:
        """Number of spans."""
        return self.t0.n

    def tail(self) -> tuple[np.ndarray, float]:
        """What new spans build on: the time per column before them (the last span
        included, if it has ended) and the core of the latest RUNNING span so far."""
        if not self.n:
            return np.zeros(NCOL), -1.0
        last = self.rows.view[-1]
        before = last[self.CUM:].copy()
        if not np.isnan(last[self.T1]):
            before[_COLUMN[int(last[self.STATE])]] += last[self.T1] - self.t0.view[-1]
        return before, float(last[self.RUN_CORE])

    def append(self, t0: np.ndarray, rows: np.ndarray, open_index: int,
               unknown_core: bool) -> None:
        """Append spans given as start times and finished rows (see the class)."""
        self.t0.extend(t0)
        self.rows.extend(rows)
        self.open_index = open_index
        self.unknown_core |= unknown_core

    def close_last(self, t1: float) -> None:
        """The open last span ended at `t1`."""
        self.rows.view[-1, self.T1] = t1
        self.open_index = -1

    def span(self, i: int) -> tuple[int, int]:
        """(state, core) of span `i`."""
        row = self.rows.view[i]
        return int(row[self.STATE]), int(row[self.CORE])

    def span_at(self, t: float) -> int | None:
        """The span covering time `t`, if any (an open span covers up to "now")."""
        i = int(np.searchsorted(self.t0.view, t, side="right")) - 1
        if i < 0:
            return None
        end = self.rows.view[i, self.T1]
        return i if np.isnan(end) or end > t else None

    def line_near(self, t: float, tolerance: float) -> tuple[float, int] | None:
        """(time, store index) of the printed line nearest `t`, within `tolerance`."""
        times = self.lines.view
        j = int(np.searchsorted(times, t))
        near = [k for k in (j - 1, j) if 0 <= k < len(times) and abs(times[k] - t) <= tolerance]
        if not near:
            return None
        k = min(near, key=lambda k: abs(times[k] - t))
        return float(times[k]), int(self.line_index.view[k])

    def sample(self, bounds: np.ndarray, now: float) -> tuple[np.ndarray, ...]:
        """For the pixels between neighbouring `bounds`: the time spent so far at each
        bound per column (running, preempted, GIL, other; shape (len(bounds), NCOL) — its
        differences are each pixel's occupancy), and per pixel the state at its right
        edge and the core of the latest RUNNING span begun before that edge (-1: none).
        """
        t0, n = self.t0.view, self.n
        idx = np.searchsorted(t0, bounds, side="right") - 1
        ic = np.maximum(idx, 0)
        # One gather of every field (a copy). `take`, not `view[ic]`: numpy's fancy
        # indexing of rows costs it 3-4 times as much, most of a zoomed frame's sampling.
        rows = np.take(self.rows.view, ic, axis=0)
        start, t1 = np.take(t0, ic), rows[:, self.T1]
        if self.open_index >= 0:
            t1 = np.where(ic == n - 1, max(now, t0[-1]), t1)
        state = rows[:, self.STATE].astype(np.int64)
        # Each bound's time in its span, onto its state's column: through the flat rows
        # (a 1-D index; the 2-D one costs several times as much).
        cell = np.arange(self.CUM, rows.size, rows.shape[1]) + _COLUMN[state]
        rows.reshape(-1)[cell] += np.clip(bounds - start, 0.0, t1 - start)
        at = rows[:, self.CUM:]
        at[idx < 0] = 0.0
        right_state, right_core = state[1:].copy(), rows[1:, self.RUN_CORE].astype(np.int64)
        # At a right edge, the span in force just before it (not one starting on it).
        on_edge = np.flatnonzero((start[1:] == bounds[1:]) & (ic[1:] > 0))
        if on_edge.size:
            before = self.rows.view[ic[1:][on_edge] - 1]
            right_state[on_edge] = before[:, self.STATE]
            right_core[on_edge] = before[:, self.RUN_CORE]
        missing = idx[1:] < 0
        right_state[missing], right_core[missing] = -1, -1
        return at, right_state, right_core


class SpanCache:
    """The store's spans and lines as per-lane tracks, synced incrementally."""

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, store: TraceStore | None) -> None:
        self.store = store
        self.tracks: list[Track] = []
        self._spans = 0  # spans of the store already in tracks
        self._lines = 0
        self.now = 0.0  # seconds since the run began, where open spans end
        self.cut = float("inf")  # a replay shows only what happened before this time
        # The latest time anything drawn from the tracks happens (a span's start or end,
        # an open span at "now", other programs' last sample, a printed line): a child's
        # clock runs ahead of the frame's, so it may be after "now". Pixels after it are
        # empty.
        self.end = 0.0
        # The earliest time whose drawing changed since the changes were last taken
        # (`take_changes`; inf: nothing changed).
        self.changed_from = float("inf")
        # Other programs' use of each CPU: per CPU the samples' edges (seconds since the
        # run began: start of the first, then each one's end) and the time used so far
        # at each edge, so a pixel asks for its share with two interpolations.
        self.others: list[tuple[np.ndarray, np.ndarray]] = []
        self._others_n: tuple[int, int] = (0, 0)  # samples synced, and the last one's end

    def sync(self, store: TraceStore, now_ns: int) -> None:
        """Catch up with `store` (`now_ns`: where open spans end, for drawing)."""
        if store is not self.store:
            self._reset(store)
        if store.t0 is None:
            return
        before = self.now
        self.now = (now_ns if store.t_end is None else store.t_end) - store.t0
        self.now /= 1e9
        changed = [before] if any(t.open_index >= 0 for t in self.tracks) else []
        while len(self.tracks) < len(store.lanes):
            self.tracks.append(Track())
        n, m = self._spans, store.n_spans
        if m > n:
            changed.append(self._add_spans(store, n, m))
            self._spans = m
        for track in self.tracks:  # lanes with no new span whose last one ended
            if track.open_index >= 0 and store.span_t1[track.open_index] != OPEN:
                end = _seconds(store, store.span_t1[track.open_index])
                track.close_last(end)
                changed.append(end)
                self.end = max(self.end, end)
        others = store.others
        if (others.n_samples, others.t1[-1] if others.n_samples else 0) != self._others_n:
            changed.append(self._sync_others(store))
        if store.n_lines > self._lines:
            lane = _tail(store.line_lane, self._lines, np.uint16)
            t = (_tail(store.line_t, self._lines, np.int64) - store.t0) / 1e9
            index = np.arange(self._lines, store.n_lines)
            for k in np.flatnonzero(np.bincount(lane)):
                track = self.tracks[int(k)]
                track.lines.extend(t[lane == k])
                track.line_index.extend(index[lane == k])
            changed.append(float(t.min()))
            self.end = max(self.end, float(t.max()))
            self._lines = store.n_lines
        self.changed_from = min([*changed, self.changed_from])
        self.end = max(self.end, self.now)

    def take_changes(self) -> float:
        """The earliest time whose drawing changed since the last call (inf: none)."""
        changed, self.changed_from = self.changed_from, float("inf")
        return changed

    def _sync_others(self, store: TraceStore) -> float:
        """Copy the other programs' samples (a few per second: whole arrays, cheaply);
        returns the earliest time that changed (the last sample may have grown)."""
        before = max(0, self._others_n[0] - 1)
        self.others = []
        for cpu in range(store.others.n_cpus):
            t0, t1, fraction = store.others_fraction(cpu)
            a = (np.frombuffer(t0, np.int64).copy() - store.t0) / 1e9
            b = (np.frombuffer(t1, np.int64).copy() - store.t0) / 1e9
            f = np.frombuffer(fraction, np.float32).astype(np.float64)
            edges = np.concatenate((a[:1], b))
            self.others.append((edges, np.concatenate(([0.0], np.cumsum(f * (b - a))))))
        n = store.others.n_samples
        self._others_n = (n, store.others.t1[-1] if n else 0)
        edges = self.others[0][0] if self.others else np.zeros(1)
        self.end = max([self.end, *(float(e[-1]) for e, _used in self.others)])
        return float(edges[min(before, len(edges) - 1)])

    def others_share(self, cpu: int, bounds: np.ndarray) -> np.ndarray:
        """For the pixels between neighbouring `bounds` (seconds): the part of each that
        other programs used CPU `cpu` (0 where not measured)."""
        if cpu >= len(self.others) or len(self.others[cpu][0]) < 2:
            return np.zeros(len(bounds) - 1)
        edges, used = self.others[cpu]
        return np.diff(np.interp(bounds, edges, used)) / np.maximum(np.diff(bounds), 1e-12)

    def set_cut(self, cut: float) -> None:
        """Show only what happened before `cut` seconds (a replay's position); the
        strip between the old and the new cut changes."""
        if cut != self.cut:
            low = min(cut, self.cut)
            self.changed_from = min(self.changed_from, low if low != float("inf") else 0.0)
            self.cut = cut

    def _add_spans(self, store: TraceStore, n: int, m: int) -> float:
        """Move spans n..m of the store into their tracks; returns the earliest time
        they change. The rows of all lanes are computed together (cumulative sums per
        lane as one cumulative sum minus each lane's start), then appended per lane."""
        lane = _tail(store.span_lane, n, np.uint16)
        order = np.argsort(lane, kind="stable")
        lane = lane[order]
        raw_t1 = _tail(store.span_t1, n, np.int64)[order]
        t0 = (_tail(store.span_t0, n, np.int64)[order] - store.t0) / 1e9
        t1 = np.where(raw_t1 == OPEN, np.nan, (raw_t1 - store.t0) / 1e9)
        state = _tail(store.span_state, n, np.uint8)[order].astype(np.int64)
        core = _tail(store.span_core, n, np.int16)[order].astype(np.float64)
        index = np.arange(n, m)[order]
        starts = np.flatnonzero(np.r_[True, lane[1:] != lane[:-1]])
        ends = np.r_[starts[1:], len(lane)]
        count = m - n
        earliest = float(t0.min())
        ended = t1[~np.isnan(t1)]
        self.end = max(self.end, float(t0.max()), float(ended.max()) if len(ended) else 0.0)
        # Before each lane's new spans: its time per column so far, its latest core.
        base = np.empty((len(starts), NCOL))
        run_before = np.empty(len(starts))
        for g, s in enumerate(starts):
            track = self.tracks[int(lane[s])]
            if track.open_index >= 0:  # a new span of a lane closes its open one
                closed = store.span_t1[track.open_index]
                if closed != OPEN:
                    track.close_last(_seconds(store, closed))
                    earliest = min(earliest, _seconds(store, closed))
                    self.end = max(self.end, _seconds(store, closed))
            base[g], run_before[g] = track.tail()
        group = np.repeat(np.arange(len(starts)), ends - starts)
        dur = np.zeros((count, NCOL))
        dur[np.arange(count), _COLUMN[state]] = np.where(np.isnan(t1), 0.0, t1 - t0)
        before = np.cumsum(dur, axis=0) - dur  # exclusive, over all lanes
        rows = np.empty((count, Track.CUM + NCOL))
        rows[:, Track.CUM:] = base[group] + before - before[starts][group]
        running = state == State.RUNNING
        ran = np.maximum.accumulate(np.where(running, np.arange(count), -1))
        rows[:, Track.RUN_CORE] = np.where(ran >= starts[group], core[np.maximum(ran, 0)],
                                           run_before[group])
        rows[:, Track.T1], rows[:, Track.STATE], rows[:, Track.CORE] = t1, state, core
        unknown = running & (core < 0)
        for s, e in zip(starts, ends, strict=True):
            open_index = int(index[e - 1]) if np.isnan(t1[e - 1]) else -1
            self.tracks[int(lane[s])].append(t0[s:e], rows[s:e], open_index,
                                             bool(unknown[s:e].any()))
        return earliest

    def has_unknown_core(self, colors: np.ndarray) -> bool:
        """Whether a process ran somewhere the OS could not name."""
        return any(t.unknown_core and colors[i] != MAIN_COLOR
                   for i, t in enumerate(self.tracks))


def _seconds(store: TraceStore, t: int) -> float:
    return (t - (store.t0 or 0)) / 1e9


def _tail(column, start: int, dtype) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A copy of column[start:] (never a view that would pin the array.array)."""
    return np.frombuffer(column, dtype=dtype)[start:].copy()
