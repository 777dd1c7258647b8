"""The join kind: a program waiting in X.join() until X ends (or the timeout).

Its record (`Join`), how a run file keeps it, how the Chrome trace and the CSV write it,
and the chart's painter for it ("join", in ``mpgui.ui.chart.join_marks``). A scenario's
main program records its joins through `TraceStore.join_wait`/`join_return`; a traced
script's processes send JOINING and JOINED, which the script tracer turns into the same
records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mpgui.i18n import _
from mpgui.runtime.protocol import Kind, State
from mpgui.runtime.store.events import EventKind, register
from mpgui.runtime.store.schema import NONE, Field

if TYPE_CHECKING:
    from mpgui.runtime.store.events import ChromeTracks
    from mpgui.runtime.store.trace import TraceStore


@dataclass
class Join:
    """The main program waiting in X.join(): from `t_wait` until `t_return`."""

    lane: int
    t_wait: int
    timeout_ns: int | None = None
    implicit: bool = False  # the join multiprocessing does at the end of the program
    t_return: int | None = None
    timed_out: bool = False  # returned before the process ended
    interrupted: bool = False  # the run was stopped while it waited
    waiter: int = 0  # the lane that waited: the main program, but for a traced script


# As a run file keeps a join, in this order.
FIELDS = (
    Field("lane", (int,), lane=True), Field("t_wait", (int,)),
    Field("timeout_ns", (int, NONE)), Field("implicit", (bool,)),
    Field("t_return", (int, NONE)), Field("timed_out", (bool,)),
    Field("interrupted", (bool,)),
    # Files from before traced scripts: the main program waited.
    Field("waiter", (int,), default=0, lane=True, says=_("no such lane")),
)


# -- a traced script's join events -----------------------------------------------------

def _joining(run: Any, link: Any, lane: int, t: int, a: Any, b: Any) -> None:
    """The process on `lane` begins waiting in join() of the process `a` (its pid);
    b = (timeout s | None, implicit)."""
    timeout, implicit = b
    target = run.lane_of_pid(a)
    link.blocked[lane] = True
    t = run.after_last(lane, t)
    if target is None:  # a process not shown: the waiting shows, not the join
        run.store.set_state(lane, t, State.WAITING)
        return
    timeout_ns = None if timeout is None else int(max(0.0, timeout) * 1e9)
    link.joins[(lane, a)] = run.store.join_wait(t, lane, target, timeout_ns, implicit)


def _joined(run: Any, link: Any, lane: int, t: int, a: Any, b: Any) -> None:
    """That join() returned; b: the process's exit code, None if it timed out."""
    join = link.joins.pop((lane, a), None)
    if join is not None:  # the state that follows comes from the process itself
        join.t_return, join.timed_out = run.after_last(lane, t), b is None
    run.note_exit_code(a, b)


# -- exports ---------------------------------------------------------------------------

def call_tracks(joins: list[Join]) -> list[int]:
    """For each join, the calls track of its waiter it goes on: the first whose joins
    have all returned before it began (joins from several threads of one program can
    overlap; each track's slices are then disjoint by construction)."""
    ends: dict[int, list[int]] = {}  # per waiter lane, each track's last join's return
    track = [0] * len(joins)
    order = sorted((j.t_wait, k) for k, j in enumerate(joins) if j.t_return is not None)
    for t_wait, k in order:
        j = joins[k]
        mine = ends.setdefault(j.waiter, [])
        n = next((n for n, end in enumerate(mine) if end <= t_wait), len(mine))
        if n == len(mine):
            mine.append(t_wait)
        mine[n] = max(j.t_return or t_wait, t_wait)
        track[k] = n
    return track


def _chrome_tracks(store: TraceStore, joins: list[Join],
                   tracks: ChromeTracks) -> set[tuple[int, int]]:
    calls = call_tracks(joins)
    return {(j.waiter, calls[k]) for k, j in enumerate(joins)
            if j.t_return is not None and tracks.has(j.waiter)}


def _chrome(store: TraceStore, joins: list[Join],
            tracks: ChromeTracks) -> Iterator[dict[str, Any]]:
    """Each join that returned as a complete event on its waiter's calls track, with a
    flow arrow from the child's exit to the join's return."""
    calls = call_tracks(joins)
    for k, j in enumerate(joins):
        if j.t_return is None or not tracks.has(j.waiter):
            continue
        target = store.lanes[j.lane]
        name = f"{target.var}.join()" + (" (end of script)" if j.implicit else "")
        t_return = max(j.t_return, j.t_wait)
        yield {"ph": "X", "cat": "join", "name": name, "ts": tracks.us(j.t_wait),
               "dur": (t_return - j.t_wait) / 1000.0, **tracks.on_calls(j.waiter, calls[k]),
               "args": {"timed_out": j.timed_out}}
        if target.end_t is not None and not j.timed_out:
            yield {"ph": "s", "cat": "join", "name": "exit → join", "id": k,
                   "ts": tracks.us(target.end_t), **tracks.at(j.lane)}
            yield {"ph": "f", "bp": "e", "cat": "join", "name": "exit → join", "id": k,
                   "ts": tracks.us(t_return), **tracks.on_calls(j.waiter, calls[k])}


def _csv(store: TraceStore, joins: list[Join],
         row: Callable[..., tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    for j in joins:
        text = "timed out" if j.timed_out else ("end of script" if j.implicit else "")
        yield row("join", j.lane, t0=j.t_wait, t1=j.t_return, text=text)


JOIN = register(EventKind(
    "join", record=Join, fields=FIELDS, file_key="joins", file_required=True,
    chrome_tracks=_chrome_tracks, chrome=_chrome, csv=_csv, painter="join"))
JOINING = register(EventKind("joining", Kind.JOINING, traced=_joining))
JOINED = register(EventKind("joined", Kind.JOINED, traced=_joined))
