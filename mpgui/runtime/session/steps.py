"""A recorded run as a list of moments to step through, one event at a time: each
start() called, each process's first instant, each change of state, each printed line,
each join() begun and returned, each terminate(), each operation on a shared object and
each end — in the order they happened.

A step-through replay moves from one moment to the next (or back) and says which line of
the equivalent script each belongs to: a main program's step (`Moment.step`, an index
into ``scenario.program``) or the target function of a row (`Moment.row`), with what in
that function (`Moment.what`) — codegen's `CodeMap` turns that into a line number.

The moments are kept in typed columns (17 bytes each), built once per run: a traced
program's million spans make a list one can still step through.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from enum import IntEnum

from mpgui.model.scenario import Scenario
from mpgui.runtime.protocol import State
from mpgui.runtime.store.trace import TraceStore


class Kind(IntEnum):
    """What happened at a moment; at the same instant, the lower value came first."""

    START = 0  # the main program called X.start() (ref: the lane)
    STARTED = 1  # the process's first instant (ref: the lane)
    STATE = 2  # a lane's new state (ref: the span)
    SLEEP = 3  # the main program began time.sleep() (ref: the span)
    SHARED = 4  # an operation on a shared object (ref: the record)
    PRINT = 5  # a printed line (ref: the line)
    JOIN = 6  # the main program began waiting in X.join() (ref: the join)
    JOINED = 7  # ... and that join returned (ref: the join)
    TERMINATE = 8  # the main program called X.terminate() (ref: the lane)
    EXIT = 9  # a process (or thread, or task) ended (ref: the lane)
    END = 10  # the main program's end: the run is over (ref: the main lane)


# What one can step by, in the bar's order: a name -> the kinds it stops at.
FILTERS: dict[str, frozenset[Kind] | None] = {
    "every event": None,
    "start()": frozenset({Kind.START, Kind.STARTED}),
    "join()": frozenset({Kind.JOIN, Kind.JOINED}),
    "print": frozenset({Kind.PRINT}),
    "state change": frozenset({Kind.STATE, Kind.SLEEP}),
    "shared objects": frozenset({Kind.SHARED}),
    "exit": frozenset({Kind.EXIT, Kind.TERMINATE, Kind.END}),
}


@dataclass(frozen=True)
class Moment:
    """One event of the run: when (ns since the run began), what, on which lane, and
    the record it came from (`ref`: a lane, span, line, join or shared record index)."""

    index: int  # its place among all the run's moments
    t: int
    kind: Kind
    lane: int
    ref: int
    step: int | None = None  # the main program's step it belongs to (its index)
    row: str | None = None  # else the row whose function it happened in ("W" for W[2])
    what: str = ""  # in that function: "def", "print", "sleep", "run", "end", a verb


def row_of(var: str) -> str:
    """The table row of a lane's variable: "W" for "W[2]", "A" for "A.t1" (a thread)."""
    return var.split("[", 1)[0].split(".", 1)[0]


class Steps:
    """The moments of one recorded run, in time order."""

    def __init__(self, store: TraceStore, scenario: Scenario | None = None) -> None:
        """`scenario`: what ran (None for a traced script: nothing maps to its code)."""
        self.store, self.scenario = store, scenario
        t0 = store.t0 or 0
        found: list[tuple[int, int, int]] = []  # (t, kind, ref), sorted below
        add = found.append
        lanes = store.lanes
        for ln in lanes:
            if ln.start_call_t is not None:
                add((ln.start_call_t - t0, Kind.START, ln.index))
            if ln.started_t is not None:
                add((ln.started_t - t0, Kind.STARTED, ln.index))
            if ln.terminate_t is not None:
                add((ln.terminate_t - t0, Kind.TERMINATE, ln.index))
            if ln.end_t is not None and ln.kind != "main":
                add((ln.end_t - t0, Kind.EXIT, ln.index))
        # A span that only repeats what START or STARTED says is not a moment of its own.
        told = {(ln.index, ln.start_call_t) for ln in lanes} | \
            {(ln.index, ln.started_t) for ln in lanes}
        kinds = [ln.kind for ln in lanes]
        for i, (lane, state, t) in enumerate(zip(store.span_lane, store.span_state,
                                                  store.span_t0, strict=True)):
            if kinds[lane] == "main":
                # The main program's own spans say its calls: START and JOIN say those;
                # only its sleeps are moments.
                if state == State.SLEEPING:
                    add((t - t0, Kind.SLEEP, i))
            elif (lane, t) not in told:
                add((t - t0, Kind.STATE, i))
        for i, t in enumerate(store.line_t):
            add((t - t0, Kind.PRINT, i))
        for i, join in enumerate(store.joins):
            add((join.t_wait - t0, Kind.JOIN, i))
            if join.t_return is not None:
                add((join.t_return - t0, Kind.JOINED, i))
        for i, op in enumerate(store.records("shared")):
            add((op.t - t0, Kind.SHARED, i))
        main = next((ln.index for ln in lanes if ln.kind == "main"), None)
        if main is not None and store.t_end is not None:
            add((store.t_end - t0, Kind.END, main))
        found.sort()
        self.t = array("q", (m[0] for m in found))
        self.kind = array("b", (m[1] for m in found))
        self.ref = array("q", (m[2] for m in found))
        self._steps = _ProgramSteps(scenario, store) if scenario is not None else None

    def __len__(self) -> int:
        return len(self.t)

    def moment(self, i: int) -> Moment:
        """The `i`-th moment (0 <= i < len)."""
        kind = Kind(self.kind[i])
        ref = self.ref[i]
        lane = self._lane(kind, ref)
        step, row, what = self._where(kind, lane, ref)
        return Moment(i, self.t[i], kind, lane, ref, step, row, what)

    def next(self, i: int | None, position: int, only: frozenset[Kind] | None = None
             ) -> int | None:
        """The moment after moment `i` — or, with `i` None, the first after `position`
        (ns since the run began) — of the kinds `only` (None: any); None at the end."""
        j = i + 1 if i is not None else bisect_right(self.t, position)
        while j < len(self.t):
            if only is None or self.kind[j] in only:
                return j
            j += 1
        return None

    def previous(self, i: int | None, position: int, only: frozenset[Kind] | None = None
                 ) -> int | None:
        """The moment before moment `i` — or, with `i` None, the last before
        `position` — of the kinds `only`; None at the beginning."""
        j = i - 1 if i is not None else bisect_left(self.t, position) - 1
        while j >= 0:
            if only is None or self.kind[j] in only:
                return j
            j -= 1
        return None

    def count(self, only: frozenset[Kind] | None = None) -> int:
        """How many moments of the kinds `only` there are."""
        return len(self.t) if only is None else sum(1 for k in self.kind if k in only)

    # -- where a moment belongs ------------------------------------------------------------

    def _lane(self, kind: Kind, ref: int) -> int:
        store = self.store
        if kind in (Kind.STATE, Kind.SLEEP):
            return store.span_lane[ref]
        if kind == Kind.PRINT:
            return store.line_lane[ref]
        if kind in (Kind.JOIN, Kind.JOINED):
            return store.joins[ref].lane
        if kind == Kind.SHARED:
            return int(store.records("shared")[ref].lane)
        return ref

    def _where(self, kind: Kind, lane: int, ref: int) -> tuple[int | None, str | None, str]:
        """(the main program's step, or the row and what in its function)."""
        steps = self._steps
        if steps is None:
            return None, None, ""
        ln = self.store.lanes[lane]
        if kind == Kind.START:
            return steps.step("start", row_of(ln.var), ln.index, 0), None, ""
        if kind == Kind.TERMINATE:
            return steps.step("terminate", row_of(ln.var), ln.index, 0), None, ""
        if kind in (Kind.JOIN, Kind.JOINED):
            join = self.store.joins[ref]
            if join.implicit or join.waiter != steps.main:
                return None, None, "end"  # Python's own join at the script's end
            return steps.step("join", row_of(ln.var), lane, steps.nth_join(ref)), None, ""
        if kind == Kind.SLEEP:
            return steps.step("sleep", "", -1, steps.nth_sleep(ref)), None, ""
        if kind == Kind.END:
            return None, None, "end"
        if ln.kind == "worker" or ln.kind == "main":
            return None, None, ""
        row = row_of(ln.var)
        if kind == Kind.STARTED:
            return None, row, "def"
        if kind == Kind.EXIT:
            return None, row, "return"
        if kind == Kind.PRINT:
            return None, row, "print"
        if kind == Kind.SHARED:
            op = self.store.records("shared")[ref]
            return None, row, str(op.item if op.verb == "wait" else op.verb)
        state = self.store.span_state[ref]
        if state == State.BLOCKED:
            wait = _wait_before(self.store, lane, self.store.span_t0[ref])
            return None, row, wait or "run"
        return None, row, {State.SLEEPING: "sleep", State.RUNNING: "run",
                           State.PREEMPTED: "run", State.GIL: "run"}.get(state, "def")


def _wait_before(store: TraceStore, lane: int, t: int) -> str:
    """The call of the lane's last wait on a shared object begun by `t` ("get")."""
    for op in reversed(store.records("shared")):
        if op.lane == lane and op.verb == "wait" and op.t <= t:
            return str(op.item or "")
    return ""


class _ProgramSteps:
    """Which step of the main program a start, join, terminate or sleep was."""

    def __init__(self, scenario: Scenario, store: TraceStore) -> None:
        self.program = scenario.program
        self.main = next((ln.index for ln in store.lanes if ln.kind == "main"), 0)
        # A lane's n-th join (a join with a timeout, then one without) is the n-th join
        # step on its row; the main program's n-th sleep is its n-th sleep step.
        self._join_rank: dict[int, int] = {}
        seen: dict[int, int] = {}
        for i, join in enumerate(store.joins):
            if not join.implicit and join.waiter == self.main:
                self._join_rank[i] = seen.get(join.lane, 0)
                seen[join.lane] = self._join_rank[i] + 1
        self._sleep_rank = {span: n for n, span in enumerate(
            i for i, (lane, state) in enumerate(
                zip(store.span_lane, store.span_state, strict=True))
            if lane == self.main and state == State.SLEEPING)}

    def nth_join(self, join: int) -> int:
        """Which of its lane's joins (from 0) the join record `join` was."""
        return self._join_rank.get(join, 0)

    def nth_sleep(self, span: int) -> int:
        """Which of the main program's sleeps (from 0) the span `span` was."""
        return self._sleep_rank.get(span, 0)

    def step(self, action: str, row: str, lane: int, nth: int) -> int | None:
        """The index of the `nth` step `action` on `row` (any row for a sleep)."""
        found = [i for i, s in enumerate(self.program)
                 if s.action == action and (action == "sleep" or s.target == row)]
        if not found:
            return None
        return found[min(nth, len(found) - 1)]
