"""The child side of the protocol: collect events, detect preemption, send batches.

One Reporter per reporting thread. Events are buffered and sent in batches (see
`protocol`): after BATCH_EVENTS of them, before any blocking sleep, at least every
FLUSH_NS while busy, right away for a printed line when the pipe has been quiet, and at
exit. Batching is what lets a flooding child send about a million lines a second.
"""

from __future__ import annotations

import time
from array import array
from multiprocessing.connection import Connection

from mpgui.runtime.cpu import current_core
from mpgui.runtime.protocol import (
    BATCH_EVENTS,
    FLUSH_NS,
    MAX_LINE_CHARS,
    PREEMPT_MIN_NS,
    SAMPLE_NS,
    UNKNOWN_CORE,
    Kind,
    State,
)

# (not typing's: a child's first event waits for its imports, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:  # a child imports this module: no typing at run time
    from typing import Any

    from mpgui.runtime.protocol import Event

_now = time.perf_counter_ns
_cpu = time.thread_time_ns
# Iterations of the busy loop between two looks at the wall clock (~45 µs here); the
# CPU clock and the core are sampled only every SAMPLE_NS, keeping overhead near 0.1 %.
_CHUNK = 500
# A line printed after this much quiet is sent at once, so the console keeps up with
# slow printers, while a flood still travels in full batches.
_QUIET_NS = 1_000_000


def cut_line(head: str, length: int) -> str:
    """A line of `length` characters that begins with `head`, cut to MAX_LINE_CHARS
    and marked: "xxx… (N more characters)"."""
    return f"{head[:MAX_LINE_CHARS]}… ({length - MAX_LINE_CHARS} more characters)"


def _is_cut(line: str) -> bool:
    """Whether `line` is already cut_line's (a traced script's endless line is cut as it
    is printed, the rest never kept)."""
    tail = line[MAX_LINE_CHARS:]
    return tail.startswith("… (") and tail.endswith(" more characters)") and \
        tail[3:-17].isdigit() and len(tail) < 48


def _pack(lines: list[str]) -> bytes:
    """Lines joined by newlines as UTF-8; over-long lines cut, embedded newlines shown
    as \\n (checked per batch at C speed, fixed per line only when needed)."""
    text = "\n".join(lines)
    if len(text) > MAX_LINE_CHARS and max(map(len, lines)) > MAX_LINE_CHARS:
        lines = [x if len(x) <= MAX_LINE_CHARS or _is_cut(x) else cut_line(x, len(x))
                 for x in lines]
        text = "\n".join(lines)
    if text.count("\n") != len(lines) - 1:
        text = "\n".join(x.replace("\n", "\\n") for x in lines)
    return text.encode("utf-8", "backslashreplace")


def spin_chunk(acc: int) -> int:
    """One chunk of pure computation (~45 µs here): the unit of busy work."""
    for _ in range(_CHUNK):
        acc = (acc * 48271) % 2147483647
    return acc


class Reporter:
    """Buffers one thread's events and sends them over `conn`.

    Reporters that share one pipe (the threads of a threads host, a pool's workers)
    pass the `lock` that keeps their batches whole. Threads of one process pass their
    `gil` (see `threads_host.SharedGil`): it counts the threads computing, and while
    another one computes too, time off the CPU is reported as waiting for the GIL
    rather than as preemption."""

    def __init__(self, conn: Connection, sub: int = 0, lock: Any = None,
                 gil: Any = None, flush_ns: int = FLUSH_NS,
                 quiet_ns: int = _QUIET_NS) -> None:
        # (`flush_ns`, `quiet_ns`: how often to send while busy, and after how long a
        # quiet pipe sends a printed line at once — longer where each batch costs more
        # than a pipe's send, as a Dask event through the scheduler does)
        self._flush_ns = flush_ns
        self._quiet_ns = quiet_ns
        self._conn = conn
        self._sub = sub
        self._lock = lock
        self._gil = gil
        self._events: list[Event] = []
        self._line_t = array("q")
        self._lines: list[str] = []
        self._last_flush = 0
        self.sending = False  # True while inside conn.send(): a signal handler must not send
        self.core = UNKNOWN_CORE
        self._wall = _now()
        self._cpu_t = _cpu()
        self.acc = 1  # the busy loop's result, kept so it cannot be optimised away
        self.chunks = 0  # busy-loop chunks done: work, for the overhead benchmark

    @property
    def pending(self) -> bool:
        """Whether anything is buffered, not yet sent."""
        return bool(self._events or self._lines)

    # -- events ------------------------------------------------------------------------

    def event(self, kind: int, a: object = 0, b: object = 0, t: int | None = None) -> None:
        """Buffer one event, timestamped now unless `t` is given."""
        self._events.append((kind, _now() if t is None else t, a, b))
        if len(self._events) >= BATCH_EVENTS:
            self.flush()

    @property
    def events(self) -> list[Event]:
        """The buffer itself, for a caller that appends `(kind, t, a, b)` to it without
        the lock that serialises flushes (a traced script's hot path, see
        `shared_patches`): `flush` takes what it sends off the front of this list and
        never replaces it, so an append made while another thread flushes is kept for
        the next batch, never lost."""
        return self._events

    def started(self, pid: int, t: int | None = None) -> None:
        """The first event of a child: it runs Python now (or since `t`). Sent at once."""
        self.core = current_core()
        if t is None:
            t = _now()
        self._events.append((Kind.STARTED, t, pid, self.core))
        self._events.append((Kind.STATE, t, State.RUNNING, self.core))
        self.flush()
        self._wall, self._cpu_t = _now(), _cpu()

    def state(self, state: int, t: int | None = None) -> None:
        """Enter `state` (a State); RUNNING reads the current core."""
        if state == State.RUNNING:
            self.core = current_core()
        self.event(Kind.STATE, state, self.core if state == State.RUNNING else UNKNOWN_CORE, t)

    def line(self, text: str) -> None:
        """A printed line (without its newline). The hot path of a flood: keep it lean."""
        t = _now()
        self._lines.append(text)
        self._line_t.append(t)
        if len(self._lines) >= BATCH_EVENTS or t - self._last_flush >= self._quiet_ns:
            self.flush()

    def flush(self) -> None:
        """Send everything buffered as one batch."""
        if not self._events and not self._lines:
            return
        events = self._events
        n = len(events)  # (appends after this one wait for the next batch: see `events`)
        batch = (self._sub, events[:n], self._line_t.tobytes(), _pack(self._lines))
        del events[:n]
        self._line_t = array("q")
        self._lines = []
        self.sending = True
        try:
            if self._lock is None:
                self._conn.send(batch)
            else:
                with self._lock:
                    self._conn.send(batch)
        finally:
            self.sending = False
        self._last_flush = _now()

    # -- doing things --------------------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """time.sleep(seconds), reported as a SLEEPING span."""
        self.state(State.SLEEPING)
        self.flush()
        time.sleep(seconds)
        self.state(State.RUNNING)
        self._wall, self._cpu_t = _now(), _cpu()

    def burn(self, seconds: float) -> None:
        """Busy-compute until this thread has used `seconds` of CPU time.

        CPU time, not wall time: a process that must share its core takes longer, which
        is exactly what an oversubscribed machine shows.
        """
        if self._gil is None:
            self._burn(seconds)
            return
        self._gil.add(1)
        try:
            self._burn(seconds)
        finally:
            self._gil.add(-1)

    def _burn(self, seconds: float) -> None:
        self.sample()
        target = self._cpu_t + int(seconds * 1e9)
        while self._cpu_t < target:
            # Without preemption the CPU clock advances with the wall clock, so the
            # target cannot be reached before `due`; look again then, or after SAMPLE_NS.
            self._spin_until(self._wall + min(SAMPLE_NS, target - self._cpu_t))
            self.sample()

    def _spin_until(self, due: int) -> None:
        acc, chunks = self.acc, 0
        while _now() < due:
            acc = spin_chunk(acc)
            chunks += 1
        self.acc, self.chunks = acc, self.chunks + chunks

    def notice_core(self, now: int) -> None:
        """In a loop of quick calls that may block on a lock or a queue (where time off
        the CPU is no preemption): once SAMPLE_NS has passed since the last look, report
        a move to another core, as `sample` does, and nothing else."""
        if now - self._wall < SAMPLE_NS:
            return
        self._look_at_core(now)
        self._wall, self._cpu_t = now, _cpu()
        if now - self._last_flush >= self._flush_ns:
            self.flush()

    def _look_at_core(self, now: int) -> None:
        core = current_core()
        if core != self.core:
            self.event(Kind.MIGRATED, self.core, core, now)
            self.core = core

    def sample(self) -> None:
        """Compare wall and CPU time since the last sample: a gap means the process
        was runnable but not running (preempted). Also notice core migrations."""
        now, cpu = _now(), _cpu()
        off_cpu = (now - self._wall) - (cpu - self._cpu_t)
        if off_cpu >= PREEMPT_MIN_NS:
            waited = State.GIL if self._gil is not None and self._gil.contended() \
                else State.PREEMPTED
            self.event(Kind.STATE, waited, UNKNOWN_CORE, now - off_cpu)
            self.state(State.RUNNING, now)
        else:
            self._look_at_core(now)
        self._wall, self._cpu_t = now, cpu
        if now - self._last_flush >= self._flush_ns:
            self.flush()
