"""What the chart says about the point under the mouse, in plain words."""

from __future__ import annotations

from mpgui.runtime.protocol import State
from mpgui.runtime.trace import TraceStore, state_label
from mpgui.ui.chart.geometry import Rows, SpanCache
from mpgui.ui.chart.marks_item import exit_text, join_text
from mpgui.ui.theme import STATE_HELP


def describe(store: TraceStore, cache: SpanCache, rows: Rows, t: float, row: int,
             tolerance: float) -> str:
    """A tooltip for time `t` (seconds since Run) on chart row `row`; "" for nothing.

    `tolerance` is how far (seconds) a printed line may be from `t` and still count.
    """
    if not 0 <= row < rows.n_rows or store.t0 is None:
        return ""
    lane = rows.lane_of_row[row]
    if lane < 0:
        return _describe_core(store, cache, rows, t, row)
    ln = store.lanes[lane]
    if ln.kind == "worker":
        task = _task_at(store, cache, lane, t)
        if task is not None:  # the worker's row shows the task it ran: describe that
            return f"{ln.label} · pid {ln.pid} ran this task:\n" + \
                describe(store, cache, rows, t, int(rows.lane_row[task]), tolerance)
    head = ln.label if ln.kind != "main" else "main program (the parent)"
    if ln.pid:
        head += f" · pid {ln.pid}"
    parts = [head, f"at {t:.3f} s"]
    track = cache.tracks[lane] if lane < len(cache.tracks) else None
    i = track.span_at(t) if track is not None else None
    if i is not None:
        state, core = track.span(i)
        where = f" on CPU {core}" if state == State.RUNNING and core >= 0 else ""
        parts.append(f"{state_label(state)}{where}: {STATE_HELP[state]}"
                     if state in STATE_HELP else state_label(state))
        if ln.kind == "main":
            parts += [_join_at(store, t)] if _join_at(store, t) else []
    line = track.line_near(t, tolerance) if track is not None else None
    if line is not None:
        parts.append(f"printed at {line[0]:.3f} s: {store.line_text(line[1])}")
    if ln.end_t is not None and abs((ln.end_t - store.t0) / 1e9 - t) <= tolerance * 3:
        parts.append(exit_text(ln.exit_code, ln.error, store.backend))
        if ln.error and ln.error[2]:
            parts.append(ln.error[2].rstrip())
    return "\n".join(parts)


def _task_at(store: TraceStore, cache: SpanCache, worker: int, t: float) -> int | None:
    """The pool task that the worker on lane `worker` ran at `t`, if any."""
    for task in store.lanes:
        if task.host == worker and task.index < len(cache.tracks):
            i = cache.tracks[task.index].span_at(t)
            if i is not None and cache.tracks[task.index].span(i)[0] != State.QUEUED:
                return task.index
    return None


def _describe_core(store: TraceStore, cache: SpanCache, rows: Rows, t: float, row: int) -> str:
    core = row - rows.core_base
    known = core < rows.n_cores
    name = f"CPU {core}" if known else "an unknown core"
    for lane, track in enumerate(cache.tracks):
        if store.lanes[lane].kind == "main":
            continue
        i = track.span_at(t)
        if i is None or track.span(i)[0] != State.RUNNING:
            continue
        on = track.span(i)[1]
        if (on == core) if known else (on < 0 or on >= rows.n_cores):
            ln = store.lanes[lane]
            return f"{name} at {t:.3f} s: running {ln.label}" + (
                f" · pid {ln.pid}" if ln.pid else "")
    return f"{name} at {t:.3f} s: idle (no process of this run on it)"


def _join_at(store: TraceStore, t: float) -> str:
    for j in store.joins:
        start = (j.t_wait - store.t0) / 1e9
        end = (j.t_return - store.t0) / 1e9 if j.t_return is not None else float("inf")
        if start <= t <= end:
            return f"in {join_text(store, j)}" if j.t_return else \
                f"waiting in {store.lanes[j.lane].var}.join()"
    return ""
