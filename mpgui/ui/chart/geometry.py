"""The chart's geometry in numpy, without Qt: which row each lane and core occupies,
and how the visible spans reduce to runs of pixels.

Drawing one rectangle per span does not scale (100,000 spans zoomed out land on a few
thousand pixels), so each frame reduces the spans in view to *runs*: maximal stretches
of one row's pixels that show the same thing. Their number is bounded by rows x pixels,
whatever the number of spans, and everything here is vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mpgui.runtime.protocol import State
from mpgui.runtime.trace import OPEN, TraceStore

MAIN_COLOR = 255  # colour index of the main program's lane
CODE_SHIFT = 256  # code = state * CODE_SHIFT + colour index


@dataclass(frozen=True)
class Rows:
    """Which chart row shows what. Row 0 is at the top."""

    lane_row: np.ndarray  # lane index -> row (-1 if not shown)
    core_base: int  # row of core 0
    n_cores: int
    unknown_core: bool  # a row for "core unknown" after the cores
    labels: tuple[str, ...]
    lane_of_row: tuple[int, ...]  # row -> lane index, -1 for core rows

    @property
    def n_rows(self) -> int:
        """Rows in all."""
        return len(self.labels)

    def core_row(self, core: np.ndarray) -> np.ndarray:
        """Rows of cores (-1 = unknown core)."""
        unknown = self.core_base + self.n_cores
        return np.where(core >= 0, self.core_base + core, unknown)


def layout_rows(store: TraceStore, n_cores: int, unknown_core: bool) -> Rows:
    """Main program first, then the processes (each thread right under its process),
    then one row per logical CPU, then "core ?" if some core was not known."""
    order: list[int] = []
    for ln in store.lanes:
        if ln.kind != "thread":
            order.append(ln.index)
            order += [t.index for t in store.lanes
                      if t.kind == "thread" and store.owner_of(t.index) == ln.index]
    lane_row = np.full(len(store.lanes), -1, np.int32)
    labels = []
    for row, lane in enumerate(order):
        lane_row[lane] = row
        labels.append(store.lanes[lane].label if store.lanes[lane].kind != "main"
                      else "main program")
    core_base = len(order)
    labels += [f"CPU {c}" for c in range(n_cores)]
    if unknown_core:
        labels.append("core ?")
    lane_of_row = tuple(order) + (-1,) * (len(labels) - len(order))
    return Rows(lane_row, core_base, n_cores, unknown_core, tuple(labels), lane_of_row)


def lane_colors(store: TraceStore) -> np.ndarray:
    """Colour index of every lane: a process has its table row's colour (the n-th
    process lane), its threads share it, the main program has MAIN_COLOR."""
    colors = np.full(len(store.lanes), MAIN_COLOR, np.int32)
    k = 0
    for ln in store.lanes:
        if ln.kind == "process":
            colors[ln.index] = k
            k += 1
    for ln in store.lanes:
        if ln.kind == "thread":
            colors[ln.index] = colors[store.owner_of(ln.index)]
    return colors


class SpanCache:
    """numpy copies of the store's spans and lines, synced incrementally each frame.

    The store's array columns cannot be viewed in place: a live numpy view would stop
    them from growing. New rows are copied once; only open spans are re-read.
    """

    def __init__(self) -> None:
        self.store: TraceStore | None = None
        self.clear()

    def clear(self) -> None:
        """Forget everything (a new run)."""
        self.t0 = np.zeros(0)
        self.t1 = np.zeros(0)
        self.lane = np.zeros(0, np.int32)
        self.state = np.zeros(0, np.int16)
        self.core = np.zeros(0, np.int16)
        self.open: list[int] = []
        self.line_t = np.zeros(0)
        self.line_lane = np.zeros(0, np.int32)

    def sync(self, store: TraceStore, now_ns: int) -> None:
        """Catch up with `store`; open spans end at `now_ns` for drawing."""
        if store is not self.store:
            self.store = store
            self.clear()
        if store.t0 is None:
            return
        t0 = store.t0
        n = len(self.t0)
        m = store.n_spans
        if m > n:
            self.t0 = np.concatenate([self.t0, (_tail(store.span_t0, n, np.int64) - t0) / 1e9])
            self.t1 = np.concatenate([self.t1, _tail(store.span_t1, n, np.int64)
                                      .astype(np.float64)])
            self.lane = np.concatenate([self.lane, _tail(store.span_lane, n, np.uint16)
                                        .astype(np.int32)])
            self.state = np.concatenate([self.state, _tail(store.span_state, n, np.uint8)
                                         .astype(np.int16)])
            self.core = np.concatenate([self.core, _tail(store.span_core, n, np.int16)])
            # New spans and the ones open last time get their real end (or "now").
            self.open = [i for i in range(n, m)] + self.open
        end = (store.t_end if store.t_end is not None else now_ns)
        still_open = []
        for i in self.open:
            t1 = store.span_t1[i]
            if t1 == OPEN:
                still_open.append(i)
                t1 = max(end, store.span_t0[i])
            self.t1[i] = (t1 - t0) / 1e9
        self.open = still_open
        k = len(self.line_t)
        if store.n_lines > k:
            self.line_t = np.concatenate([self.line_t,
                                          (_tail(store.line_t, k, np.int64) - t0) / 1e9])
            self.line_lane = np.concatenate([self.line_lane, _tail(store.line_lane, k,
                                                                   np.uint16).astype(np.int32)])

    def has_unknown_core(self) -> bool:
        """Whether some running span had no known core."""
        return bool(np.any((self.state == State.RUNNING) & (self.core < 0)
                           & (self.lane != 0)))


def _tail(column, start: int, dtype) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A copy of column[start:] (never a view that would pin the array.array)."""
    return np.frombuffer(column, dtype=dtype)[start:].copy()


@dataclass(frozen=True)
class Runs:
    """Runs of pixels: row, first pixel, end pixel (exclusive) and drawing code."""

    row: np.ndarray
    px0: np.ndarray
    px1: np.ndarray
    code: np.ndarray

    def __len__(self) -> int:
        return len(self.row)


def span_entries(cache: SpanCache, rows: Rows, colors: np.ndarray) -> tuple[np.ndarray, ...]:
    """What to draw where: every span on its lane's row, and every running span of a
    process again on its core's row. Returns (t0, t1, row, code) in arrival order."""
    lane_ok = cache.lane < len(rows.lane_row)
    lane = np.where(lane_ok, cache.lane, 0)
    row = np.where(lane_ok, rows.lane_row[lane], -1)
    color = colors[lane]
    code = cache.state.astype(np.int32) * CODE_SHIFT + color
    on_core = (cache.state == State.RUNNING) & (color != MAIN_COLOR) & (row >= 0)
    core_rows = rows.core_row(cache.core[on_core].astype(np.int32))
    if not rows.unknown_core:
        core_rows = np.where(cache.core[on_core] >= 0, core_rows, -1)
    return (np.concatenate([cache.t0, cache.t0[on_core]]),
            np.concatenate([cache.t1, cache.t1[on_core]]),
            np.concatenate([row, core_rows]),
            np.concatenate([code, code[on_core]]))


def pixel_runs(t0: np.ndarray, t1: np.ndarray, row: np.ndarray, code: np.ndarray,
               x0: float, x1: float, width: int, n_rows: int) -> Runs:
    """Reduce spans (seconds, row, code) to runs of pixels for the view [x0, x1] drawn
    `width` pixels wide. Where several spans share a pixel, the latest wins; spans of a
    row must come in time order, as a lane's spans do."""
    w = int(width)
    empty = Runs(*(np.zeros(0, np.int64) for _ in range(4)))
    if w <= 0 or n_rows <= 0 or len(t0) == 0 or not x1 > x0:
        return empty
    dx = (x1 - x0) / w
    idx = np.flatnonzero((t1 > x0) & (t0 < x1) & (row >= 0) & (row < n_rows))
    if idx.size == 0:
        return empty
    p0 = np.clip(np.floor((t0[idx] - x0) / dx), 0, w - 1).astype(np.int64)
    p1 = np.clip(np.ceil((t1[idx] - x0) / dx), 1, w).astype(np.int64)
    p1 = np.maximum(p1, p0 + 1)
    grid = np.full(n_rows * w, -1, np.int64)
    np.maximum.at(grid, row[idx].astype(np.int64) * w + p0, np.arange(idx.size))
    grid = grid.reshape(n_rows, w)
    np.maximum.accumulate(grid, axis=1, out=grid)
    has = grid >= 0
    g = np.where(has, grid, 0)
    live = has & (np.arange(w)[None, :] < p1[g])
    codes = np.where(live, code[idx][g], -1)
    change = np.ones((n_rows, w), bool)
    change[:, 1:] = codes[:, 1:] != codes[:, :-1]
    starts = np.flatnonzero(change)
    lengths = np.diff(np.append(starts, n_rows * w))
    run_code = codes.ravel()[starts]
    keep = run_code >= 0
    starts, lengths, run_code = starts[keep], lengths[keep], run_code[keep]
    px0 = starts % w
    return Runs(starts // w, px0, px0 + lengths, run_code)


def line_ticks(cache: SpanCache, rows: Rows, x0: float, x1: float,
               width: int) -> tuple[np.ndarray, np.ndarray]:
    """Printed lines in view, one per (row, pixel): their rows and pixel columns."""
    w = int(width)
    if w <= 0 or len(cache.line_t) == 0 or not x1 > x0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    vis = (cache.line_t >= x0) & (cache.line_t <= x1)
    lane = cache.line_lane[vis]
    ok = lane < len(rows.lane_row)
    row = np.where(ok, rows.lane_row[np.where(ok, lane, 0)], -1)
    px = np.clip(((cache.line_t[vis] - x0) / (x1 - x0) * w).astype(np.int64), 0, w - 1)
    keys = np.unique(row[row >= 0].astype(np.int64) * w + px[row >= 0])
    return keys // w, keys % w
