"""The trace store: events in, spans, lines, joins and per-process facts out.

Everything is kept in typed columns (``array``), not one Python object per event, so a
million events fit in a few tens of MB and a view can wrap the columns with
``numpy.frombuffer`` without copying. Spans are derived as events arrive: a state change
closes the lane's open span and opens the next. Core occupancy is not stored twice: it
is the RUNNING spans, by their core.

Printed text is what grows fastest; past the process's memory budget (`spill`) the
oldest text moves to a temporary SQLite file and is read back when a line is asked for.
The columns (10 bytes a line, 21 a span) stay in memory: the chart draws from them.
"""

from __future__ import annotations

import sqlite3
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mpgui.runtime.protocol import STATE_LABELS, UNKNOWN_CORE, Kind, State
from mpgui.runtime.store import (  # noqa: F401  (lane_events, shared_events: kinds register)
    lane_events,
    retries,
    shared_events,
    spill,
)
from mpgui.runtime.store.events import KEEP
from mpgui.runtime.store.joins import Join

if TYPE_CHECKING:
    from mpgui.runtime.protocol import Batch

# store.info's key for the largest error of the estimated clock offsets of a cluster's
# workers, in ms (0: they share this computer's clock; absent: no cluster).
CLOCK_ERROR = "clock error ms"

OPEN = -1  # t1 of a span that has not ended yet
UNOBSERVED = "unobserved"  # info key: what the platform cannot show a traced script's, in words
# Chunks of text kept split into lines for reading: a console or export reading lines in
# time order goes back and forth between the chunks of a few processes.
_SPLIT_CACHE = 8
# Lines per chunk when a run file's text is stored
_LOAD_CHUNK_LINES = 256  # as a child's batch: a chunk split for reading stays small
# Chunks read back from disk at once when all lines are read in order (an export)
_READ_CHUNKS = 64
# The store's typed columns (as run files keep them): name -> array type code
COLUMNS = {"span_lane": "H", "span_state": "B", "span_core": "h", "span_t0": "q",
           "span_t1": "q", "line_lane": "H", "line_t": "q"}


@dataclass
class Lane:
    """One row of the chart: the main program, a process, or a thread of one."""

    index: int
    var: str
    name: str
    kind: str  # "main", "process" (a table row, whatever runs it), "thread" or "worker"
    daemon: bool = False
    pid: int | None = None
    start_call_t: int | None = None  # the parent called X.start()
    started_t: int | None = None  # the child's first event
    end_t: int | None = None
    exit_code: int | None = None
    error: tuple[str, str, str] | None = None  # (type, message, traceback)
    terminate_t: int | None = None  # the parent called X.terminate()
    terminated_at_end: bool = False  # ... at the end of the script: a daemon
    cpu_ns: int | None = None  # reported by the child at its end
    cores: set[int] = field(default_factory=set)
    migrations: int = 0
    preemptions: int = 0
    lines: int = 0
    state: int | None = None
    core: int = UNKNOWN_CORE
    open_span: int = OPEN
    finish_t: int | None = None  # the child's own last timestamp, when it sent one
    finish_code: int | None = None  # the code it reported then (a thread's or task's end)
    host: int | None = None  # a pool task: the lane of the worker that ran it

    @property
    def label(self) -> str:
        """'A (process1 1)' — the variable and the process name."""
        if self.kind == "main" or self.name == self.var:
            return self.var
        return f"{self.var} ({self.name})"


class OtherPrograms:
    """How much of each CPU's time programs outside the run used, sample by sample
    (measured by ``others.OthersSampler``, about every 100 ms).

    Sample ``i`` covers ``t0[i]`` .. ``t1[i]`` (``perf_counter_ns``, the spans' clock;
    each begins where the one before ended) and ``fraction[cpu][i]`` is the part of that
    interval (0..1) CPU `cpu` was busy with other programs."""

    def __init__(self) -> None:
        self.source = ""  # how it was measured ("/proc/stat", "psutil"); "": it was not
        self.note = ""  # why not, when it was not (a sentence for "... (note)")
        self.t0 = array("q")
        self.t1 = array("q")
        self.fraction: list[array[float]] = []  # per CPU: array("f"), one value per sample
        self._sums: tuple[int, float, float] = (0, 0.0, 0.0)  # share(): samples, ns, CPU ns

    @property
    def measured(self) -> bool:
        """Whether this run measured other programs at all."""
        return bool(self.source)

    @property
    def n_cpus(self) -> int:
        """CPUs measured (0 before the first sample)."""
        return len(self.fraction)

    @property
    def n_samples(self) -> int:
        """Samples so far."""
        return len(self.t0)

    def add(self, t0: int, t1: int, fractions: list[float]) -> None:
        """One sample: `fractions[cpu]` of t0..t1 went to other programs (the CPUs of
        the first sample are kept; a CPU missing later counts 0)."""
        if not self.fraction:
            self.fraction = [array("f") for _ in fractions]
        self.t0.append(t0)
        self.t1.append(t1)
        for c, column in enumerate(self.fraction):
            column.append(fractions[c] if c < len(fractions) else 0.0)

    def share(self) -> float | None:
        """The part (0..1) of all the CPUs' time over the samples that other programs
        used; None if not measured or nothing sampled yet."""
        if not self.measured or not self.n_samples or not self.n_cpus:
            return None
        # Asked every few frames of a live run: the samples before the last are added up
        # once (only the last can still change: a run's end stretches it).
        done, wall, used = self._sums
        for i in range(done, self.n_samples - 1):
            dt = self.t1[i] - self.t0[i]
            wall += dt
            used += dt * sum(column[i] for column in self.fraction)
        self._sums = (max(done, self.n_samples - 1), wall, used)
        last = self.n_samples - 1
        dt = self.t1[last] - self.t0[last]
        wall += dt
        used += dt * sum(column[last] for column in self.fraction)
        if wall <= 0:
            return None
        return used / (wall * self.n_cpus)


class TraceStore:
    """All that a run measured, organised for drawing and export."""

    def __init__(self, backend: str = "processes",
                 budget: spill.MemoryBudget | None = None) -> None:
        """`budget`: the memory budget this store counts against (default: the
        process's, ``spill.BUDGET``)."""
        self.backend = backend  # what ran the table's rows: processes, threads or pool
        self.info: dict[str, object] = {}  # facts a child reported (Kind.INFO)
        self.t0: int | None = None
        self.t_end: int | None = None
        self.lanes: list[Lane] = []
        self._subs: dict[tuple[int, int], int] = {}
        self.span_lane = array("H")
        self.span_state = array("B")
        self.span_core = array("h")
        self.span_t0 = array("q")
        self.span_t1 = array("q")
        self.line_lane = array("H")
        self.line_t = array("q")
        # Line text stays as the batches brought it: one UTF-8 chunk of newline-joined
        # lines per batch, split only when a line is read. A chunk spilled to disk is
        # None here, from the first one up to _kept_from.
        self._chunks: list[bytes | None] = []
        self._chunk_first = array("q")  # index of each chunk's first line
        self._kept_from = 0  # the first chunk still in memory
        self._held = 0  # bytes of text in memory
        self.text_bytes = 0  # bytes of text, in memory or on disk
        self._spill: spill.TextSpill | None = None
        self.spill_error = ""  # why text could not be spilled (it stays in memory)
        self._split: OrderedDict[int, list[str]] = OrderedDict()
        self._budget = budget if budget is not None else spill.BUDGET
        self._budget.register(self)
        self._records: dict[str, list[Any]] = {}  # per event kind (see `events`)
        self.events = 0
        self.others = OtherPrograms()  # other programs' use of each CPU (filled live)

    # -- lanes -------------------------------------------------------------------------

    def add_lane(self, var: str, name: str, kind: str, daemon: bool = False) -> int:
        """A new lane; returns its index."""
        lane = Lane(len(self.lanes), var, name, kind, daemon)
        self.lanes.append(lane)
        return lane.index

    def add_worker_lanes(self, n: int) -> list[int]:
        """Lanes for a pool's `n` workers ("worker 1", ...); returns their indices."""
        return [self.add_lane(f"worker {k + 1}", f"worker {k + 1}", "worker") for k in range(n)]

    def lane_of(self, lane: int, sub: int) -> int:
        """The lane of thread `sub` of the process on `lane` (sub 0 is the process)."""
        if sub == 0:
            return lane
        key = (lane, sub)
        if key not in self._subs:
            owner = self.lanes[lane]
            self._subs[key] = self.add_lane(f"{owner.var}.t{sub}", f"{owner.name} thread {sub}",
                                            "thread")
        return self._subs[key]

    def owner_of(self, lane: int) -> int:
        """The process lane a thread lane belongs to (a lane owns itself otherwise)."""
        return next((o for (o, _s), v in self._subs.items() if v == lane), lane)

    def threads_of(self, lane: int) -> list[int]:
        """The lanes of the threads of the process on `lane` (its sub-lanes)."""
        return [v for (owner, _s), v in self._subs.items() if owner == lane]

    def thread_lanes(self) -> list[tuple[int, int, int]]:
        """Every thread lane as (its process's lane, its thread index, its lane)."""
        return [(owner, sub, lane) for (owner, sub), lane in self._subs.items()]

    def restore_lanes(self, lanes: list[Lane], threads: list[tuple[int, int, int]]) -> None:
        """Lanes from a run file (each `index` its place), after any this store has, and
        which of them are threads of which process (as `thread_lanes` gives them)."""
        self.lanes.extend(lanes)
        for owner, sub, lane in threads:
            self._subs[(owner, sub)] = lane

    def restore_columns(self, columns: dict[str, array[int]]) -> None:
        """Columns from a run file, replacing these (by their names in COLUMNS)."""
        for name, column in columns.items():
            if name not in COLUMNS:
                raise KeyError(name)
            setattr(self, name, column)

    # -- records of event kinds --------------------------------------------------------

    def records(self, kind: str) -> list[Any]:
        """The records kept of the event kind named `kind` (see `events`), in the
        order they were made; the list itself, to add to."""
        got = self._records.get(kind)  # (not setdefault: a traced queue asks per record)
        if got is None:
            got = self._records[kind] = []
        return got

    @property
    def joins(self) -> list[Join]:
        """The joins (the "join" kind's records)."""
        return self.records("join")

    # -- spans -------------------------------------------------------------------------

    def after_open_span(self, lane: int, t: int) -> int:
        """`t`, or the start of the lane's open span if that is later: a state said late
        (a sample, a message that came after others) never begins before the span it
        ends."""
        ln = self.lanes[lane]
        return t if ln.open_span == OPEN else max(t, self.span_t0[ln.open_span])

    def set_state(self, lane: int, t: int, state: int, core: int = UNKNOWN_CORE) -> None:
        """Lane `lane` enters `state` (on `core`) at time `t`."""
        ln = self.lanes[lane]
        if ln.state == state and ln.core == core and ln.open_span != OPEN:
            return
        self._close(ln, t)
        ln.state, ln.core = state, core
        ln.open_span = len(self.span_t0)
        self.span_lane.append(lane)
        self.span_state.append(state)
        self.span_core.append(core)
        self.span_t0.append(t)
        self.span_t1.append(OPEN)
        if state == State.RUNNING:
            ln.cores.add(core)
        elif state == State.PREEMPTED:
            ln.preemptions += 1

    def end_lane(self, lane: int, t: int) -> None:
        """Lane `lane` ends at `t`: its open span closes."""
        ln = self.lanes[lane]
        self._close(ln, t)
        ln.state = None
        if ln.end_t is None:
            ln.end_t = t

    def close_span(self, lane: int, t: int) -> None:
        """The open span of `lane`, if any, ends at `t` (the lane itself goes on)."""
        self._close(self.lanes[lane], t)

    def _close(self, ln: Lane, t: int) -> None:
        if ln.open_span != OPEN:
            # Never let a span end before it began (timestamps of two clocks readings
            # taken in different processes can be a few ns apart in either order).
            self.span_t1[ln.open_span] = max(t, self.span_t0[ln.open_span])
            ln.open_span = OPEN

    # -- child events ------------------------------------------------------------------

    def ingest(self, lane: int, batch: Batch, shared: bool = False) -> None:
        """Store one batch a child sent (see `protocol`): from the process on `lane`,
        or, when the pipe is `shared`, for the lane the batch names.

        State changes are most of the events, so their path is inlined here (what
        set_state does): a run of them is gathered in lists, with the lane's state in
        locals, and the columns are extended once — a window with 256 children takes in
        100,000 a second, and it is the window's own time. Other kinds go through event
        (and so the registry), with the lane and the columns up to date."""
        sub, events, line_t, text = batch
        if shared:
            lane = sub
        elif sub:
            lane = self.lane_of(lane, sub)
        ln = self.lanes[lane]
        t0s, t1s = self.span_t0, self.span_t1
        state_kind, running, preempted = Kind.STATE, State.RUNNING, State.PREEMPTED
        cores = ln.cores
        state, core, open_span = ln.state, ln.core, ln.open_span
        first = len(t0s)  # the index the first gathered span will have
        new_t0: list[int] = []
        new_t1: list[int] = []
        new_state: list[int] = []
        new_core: list[int] = []
        preemptions = 0
        for kind, t, a, b in events:
            if kind != state_kind:
                self._add_spans(ln, new_t0, new_t1, new_state, new_core)
                ln.state, ln.core, ln.open_span = state, core, open_span
                ln.preemptions += preemptions
                preemptions = 0
                self.event(lane, kind, t, a, b)
                state, core, open_span, cores = ln.state, ln.core, ln.open_span, ln.cores
                first = len(t0s)
                continue
            if state == a and core == b and open_span != OPEN:
                continue
            if open_span >= first:  # gathered in this run: close it in the lists
                k = open_span - first
                began = new_t0[k]
                new_t1[k] = t if t > began else began
            elif open_span != OPEN:
                t1s[open_span] = max(t, t0s[open_span])
            state, core, open_span = a, b, first + len(new_t0)
            new_t0.append(t)
            new_t1.append(OPEN)
            new_state.append(a)
            new_core.append(b)
            if a == running:
                cores.add(b)
            elif a == preempted:
                preemptions += 1
        self._add_spans(ln, new_t0, new_t1, new_state, new_core)
        ln.state, ln.core, ln.open_span = state, core, open_span
        ln.preemptions += preemptions
        self.events += len(events)
        if line_t:
            self.add_lines(lane, line_t, text)

    def _add_spans(self, ln: Lane, t0: list[int], t1: list[int], state: list[int],
                   core: list[int]) -> None:
        """Append the spans gathered for `ln` to the columns, and empty the lists. A
        value a column cannot hold (a state past 255: a child gone wrong) raises before
        any column grows, so the columns stay the same length."""
        if not t0:
            return
        new = (array("H", [ln.index]) * len(t0), array("B", state), array("h", core),
               array("q", t0), array("q", t1))
        for column, values in zip((self.span_lane, self.span_state, self.span_core,
                                   self.span_t0, self.span_t1), new, strict=True):
            column.extend(values)
        for gathered in (t0, t1, state, core):
            gathered.clear()

    def event(self, lane: int, kind: int, t: int, a: object, b: object) -> None:
        """Store one event (see `protocol.Kind`) of the process or thread on `lane`, as
        its kind's entry in the registry (`events`) keeps it; a kind the store does not
        keep is ignored."""
        keep = KEEP.get(kind)
        if keep is not None:
            keep(self, lane, t, a, b)

    def add_lines(self, lane: int, line_t: bytes, text: bytes) -> None:
        """Store lines: `line_t` the bytes of an array('q') of times, `text` their UTF-8
        text joined by newlines."""
        n0 = len(self.line_t)
        self.line_t.frombytes(line_t)
        n = len(self.line_t) - n0
        self._add_chunk(n0, text)
        self.line_lane.extend(array("H", [lane]) * n)
        self.lanes[lane].lines += n
        self.events += n

    def _add_chunk(self, first: int, text: bytes) -> None:
        self.text_bytes += len(text)
        self._chunks.append(text)
        self._chunk_first.append(first)
        self._held += len(text)
        budget = self._budget
        budget.held += len(text)
        if budget.held > budget.trigger:
            budget.make_room()

    def set_line_texts(self, texts: list[str]) -> None:
        """The text of every line at once (a run file's), replacing any: one string per
        line of the columns, without newlines."""
        self._drop_text()
        for first in range(0, len(texts), _LOAD_CHUNK_LINES):
            part = texts[first:first + _LOAD_CHUNK_LINES]
            self._add_chunk(first, "\n".join(part).encode("utf-8", "surrogatepass"))

    # -- memory ------------------------------------------------------------------------

    def column_bytes(self) -> int:
        """Bytes held by the columns (what stays in memory, growing with events)."""
        cols: tuple[array[int] | array[float], ...] = (
            self.span_lane, self.span_state, self.span_core, self.span_t0, self.span_t1,
            self.line_lane, self.line_t, self._chunk_first, self.others.t0,
            self.others.t1, *self.others.fraction)
        return sum(c.itemsize * c.buffer_info()[1] for c in cols) + 8 * len(self._chunks)

    def _in_memory(self, c: int) -> bytes:
        """Text chunk `c`, one not spilled yet (from `_kept_from` on)."""
        chunk = self._chunks[c]
        assert chunk is not None, f"text chunk {c} is on disk, not in memory"
        return chunk

    def spill_text(self, target: int) -> int:
        """Move the oldest text chunks still in memory to disk until `target` bytes went
        (or none is left); returns the bytes moved. A spill that fails (disk full) keeps
        the text in memory and says why in `spill_error`."""
        if self.spill_error:
            return 0
        end, moved = self._kept_from, 0
        while end < len(self._chunks) and moved < target:
            moved += len(self._in_memory(end))
            end += 1
        if end == self._kept_from:
            return 0
        try:
            if self._spill is None:
                self._spill = spill.TextSpill()
            self._spill.put((c, self._in_memory(c)) for c in range(self._kept_from, end))
        except (OSError, sqlite3.Error) as exc:
            self.spill_error = f"{type(exc).__name__}: {exc}"
            return 0
        for c in range(self._kept_from, end):
            self._chunks[c] = None
        self._kept_from = end
        self._held -= moved
        self._budget.held -= moved
        return moved

    @property
    def spilled(self) -> bool:
        """Whether some text is on disk."""
        return self._kept_from > 0

    def close(self) -> None:
        """Let go of the text: the spill file is removed; lines can no longer be read.
        The columns stay (the chart still draws)."""
        self._drop_text()

    def _drop_text(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self._budget.held -= self._held
        self._held = 0
        self.text_bytes = 0
        self._chunks = []
        self._chunk_first = array("q")
        self._kept_from = 0
        self._split.clear()

    def __del__(self) -> None:
        # The text this store held no longer counts against the budget (the spill file
        # removes itself: TextSpill's finalizer).
        budget = getattr(self, "_budget", None)
        if budget is not None:
            budget.held -= self._held

    # -- the parent's side -------------------------------------------------------------

    def begin(self, t: int, main_lane: int) -> None:
        """The run (and the main program on `main_lane`) starts at `t`."""
        self.t0 = t
        self.set_state(main_lane, t, State.RUNNING)

    def start_called(self, t: int, lane: int) -> None:
        """The parent called start() of the process on `lane`."""
        self.lanes[lane].start_call_t = t
        self.set_state(lane, t, State.STARTING)

    def join_wait(self, t: int, main_lane: int, lane: int, timeout_ns: int | None,
                  implicit: bool = False) -> Join:
        """The main program begins waiting in join() of `lane`."""
        join = Join(lane, t, timeout_ns, implicit, waiter=main_lane)
        self.joins.append(join)
        self.set_state(main_lane, t, State.WAITING)
        return join

    def join_return(self, t: int, main_lane: int, join: Join, timed_out: bool) -> None:
        """That join() returned."""
        join.t_return, join.timed_out = t, timed_out
        self.set_state(main_lane, t, State.RUNNING)

    def exited(self, t: int, lane: int, code: int | None) -> None:
        """The parent saw the process on `lane` end with `code`; it ended at its own
        last timestamp if it sent one, else when the parent noticed."""
        ln = self.lanes[lane]
        ln.exit_code = code
        end = ln.finish_t if ln.finish_t is not None else t
        self.end_lane(lane, end)
        for sub_lane in self.threads_of(lane):
            self.end_lane(sub_lane, end)

    def finish(self, t: int) -> None:
        """The run is over: every lane still open ends at `t`."""
        for ln in self.lanes:
            if ln.open_span != OPEN or (ln.end_t is None and ln.kind == "main"):
                self.end_lane(ln.index, t)
        self.t_end = t

    # -- reading -----------------------------------------------------------------------

    @property
    def n_spans(self) -> int:
        """Number of spans, open ones included."""
        return len(self.span_t0)

    @property
    def n_lines(self) -> int:
        """Number of printed lines."""
        return len(self.line_t)

    def line_text(self, i: int) -> str:
        """The text of line `i` (arrival order)."""
        c = bisect_right(self._chunk_first, i) - 1
        lines = self._split.get(c)
        if lines is None:
            raw = self._chunks[c]
            if raw is None:
                if self._spill is None:
                    raise IndexError(f"line {i}: the store was closed")
                raw = self._spill.get(c)
            lines = raw.decode("utf-8", "replace").split("\n")
            self._split[c] = lines
            if len(self._split) > _SPLIT_CACHE:
                self._split.popitem(last=False)
        else:
            self._split.move_to_end(c)
        return lines[i - self._chunk_first[c]]

    def line_texts(self) -> Iterator[str]:
        """The text of every line in arrival order (as line_text gives it), read a chunk
        at a time: what an export reads, holding a batch of chunks at most (those on
        disk are read back _READ_CHUNKS at a time, and not kept)."""
        n, firsts = self.n_lines, self._chunk_first
        if n and not self._chunks:
            raise IndexError("the store was closed")
        for batch in range(0, len(firsts), _READ_CHUNKS):
            end = min(batch + _READ_CHUNKS, len(firsts))
            raws: dict[int, bytes | None] = dict(enumerate(self._chunks[batch:end], batch))
            if batch < self._kept_from:
                if self._spill is None:
                    raise IndexError("the store was closed")
                raws.update(self._spill.chunks(batch, min(end, self._kept_from)))
            for c, raw in raws.items():
                first = firsts[c]
                last = firsts[c + 1] if c + 1 < len(firsts) else n
                if last <= first:
                    continue
                if raw is None:
                    raise KeyError(c)  # (not on disk: as line_text's spill.get)
                lines = raw.decode("utf-8", "replace").split("\n")
                for i in range(last - first):
                    yield lines[i]
            del raws

    def lines_since(self, first: int) -> list[tuple[int, int, str]]:
        """Lines `first`.. as (time, lane, text), in time order within what arrived."""
        out = [(self.line_t[i], self.line_lane[i], self.line_text(i))
               for i in range(first, len(self.line_t))]
        out.sort(key=lambda x: x[0])
        return out

    def spans(self, lane: int | None = None) -> list[tuple[int, int, int, int, int]]:
        """Spans as (lane, state, core, t0, t1), optionally of one lane (t1 = -1: open)."""
        return [(ln, self.span_state[i], self.span_core[i], self.span_t0[i], self.span_t1[i])
                for i, ln in enumerate(self.span_lane) if lane is None or ln == lane]

    def cpu_seconds(self, lane: int) -> float:
        """CPU time of a lane: as reported by the child, else its running spans."""
        ln = self.lanes[lane]
        if ln.cpu_ns is not None:
            return ln.cpu_ns / 1e9
        total = sum(t1 - t0 for _l, st, _c, t0, t1 in self.spans(lane)
                    if st == State.RUNNING and t1 != OPEN)
        return total / 1e9

    def others_fraction(self, cpu: int) -> tuple[array[int], array[int], array[float]]:
        """(t0, t1, fraction) of CPU `cpu`: per sample its interval (perf_counter_ns)
        and the part of it (0..1) other programs used that CPU; empty columns for a CPU
        not measured. Live, the columns grow as the run goes (a sample every ~100 ms)."""
        if not 0 <= cpu < self.others.n_cpus:
            return array("q"), array("q"), array("f")
        return self.others.t0, self.others.t1, self.others.fraction[cpu]

    def others_share(self) -> float | None:
        """The part (0..1) of all the CPUs' time during the run that other programs
        used; None if not measured."""
        return self.others.share()

    def seconds(self, t: int | None) -> float | None:
        """A timestamp as seconds since the run began."""
        return None if t is None or self.t0 is None else (t - self.t0) / 1e9

    def memory_bytes(self) -> int:
        """Approximate bytes held in memory: the columns and the text not spilled."""
        return self.column_bytes() + self._held


def state_label(state: int) -> str:
    """'running', 'preempted', ..."""
    return STATE_LABELS.get(state, str(state))
