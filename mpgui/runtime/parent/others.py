"""Other programs on the CPUs: how much of each CPU's time went to processes outside the
run, sampled every ~100 ms while it goes, into ``store.others`` (see
``trace.OtherPrograms``).

On a busy laptop a run's processes lose their cores to other programs, and a lesson can
invert with nothing on screen saying why. The OS counts, per CPU, the time it was busy
(user, nice, system, irq, softirq, steal) and idle (idle, iowait): Linux in
``/proc/stat``, elsewhere psutil when it is installed (without either: not measured,
and ``store.others.note`` says so). What the run itself used is subtracted; the rest is
*other programs* (on a virtual machine, time its host took away — steal — too).

**What counts as the run**: mpgui's own process (the window, or ``mpgui run``) and every
process under it — a scenario's children, a threads host, a pool's workers, a
forkserver, a traced script and all its processes: those the runner reports
(``pids()``) and, on Linux, the children of each process counted
(``/proc/PID/task/PID/children``: those its main thread started), found within four
samples of their birth (a process's children are asked for in turn, one sample in
four), and then counted from their birth. A process's CPU time is read with that of the
children it has reaped (``/proc/PID/stat``: utime + stime + cutime + cstime), so a child
that ends between two samples is still counted in full, through its parent. (So a program that
embeds a Runner counts its other children as the run too.)

**Accuracy**: the counters tick in 1/100 s, so one interval's figure is good to about a
tick per CPU and per process; a deficit is carried into the next interval instead of
being rounded up to zero, so the whole run's share is not biased upwards. Which CPU the
run's time was on is taken from the CPU each process ran on last; when the OS does not
say, the run's time is spread over the CPUs as they were busy. Each interval's total is
right either way; only its split between CPUs is approximate.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from mpgui.i18n import _
from mpgui.runtime.parent.cpu_counters import Reader, Reading, default_reader

if TYPE_CHECKING:
    from mpgui.runtime.store.trace import TraceStore

SAMPLE_NS = 100_000_000  # how often the CPUs' counters are read (~10 µs per read)
# Processes followed at most (a fork bomb's others count as other programs): each costs
# two small reads a sample.
MAX_TRACKED = 1024
# A process's children are asked for (three system calls) at one reading in this many, in
# turn, besides at its first and at every one for mpgui's own process: with 256 children
# a reading took ~5 ms of the interpreter from the window's thread. A process born after
# the run began counts in full whenever it is found (`own_ns`), so finding it up to
# this many readings late moves its time between intervals, and loses none.
CHILDREN_EVERY = 4
FINISH_WAIT_S = 2.0  # the longest the run's end waits for a reading going on
# The longest one reading waits, in all, for the window's frames (`OthersSampler.hold`):
# a frame takes 5-15 ms, and a reading spread over much more than its interval would
# move the run's time between intervals.
HOLD_BUDGET_S = 0.05


# -- the arithmetic (pure) -----------------------------------------------------------------


def own_ns(prev: Reading, cur: Reading, born_after: int) -> dict[int, int]:
    """The run's CPU time between two readings, per CPU (-1: CPU not known).

    A process new in `cur` counts in full if it was born after `born_after` (the run
    began), else from now on. A process gone since `prev` was reaped by its parent (or
    a nearer ancestor still read), whose count then includes all of its time: what was
    already counted of it is taken off the parent's, when the parent's count grew by
    that much (else its parent did not collect it and its last moments are lost)."""
    reaped: dict[int, int] = {}
    for pid, p in prev.procs.items():
        if pid in cur.procs:
            continue
        parent, seen = p.ppid, {pid}
        while parent not in cur.procs and parent in prev.procs and parent not in seen:
            seen.add(parent)
            parent = prev.procs[parent].ppid
        if parent in cur.procs:
            reaped[parent] = reaped.get(parent, 0) + p.cpu_ns
    out: dict[int, int] = {}
    for pid, p in cur.procs.items():
        before = prev.procs.get(pid)
        if before is not None:
            d = p.cpu_ns - before.cpu_ns
        else:
            d = p.cpu_ns if p.born_ns >= born_after else 0
        if reaped.get(pid, 0) <= d:
            d -= reaped.get(pid, 0)
        if d > 0:
            out[p.core] = out.get(p.core, 0) + d
    return out


def others_fractions(prev: Reading, cur: Reading, own: dict[int, int], carry: int,
                     cap: int) -> tuple[list[float], int]:
    """Per CPU 0..N-1, the part of the interval other programs used it (0..1), and the
    carry for the next interval: busy time minus the run's `own`, where a negative
    total (the counters' ticks lagging the processes') is carried on, up to `cap` ns."""
    n = max(cur.cpus, default=-1) + 1
    busy = [0] * n
    total = [0] * n
    for c, (b, t) in cur.cpus.items():
        b0, t0 = prev.cpus.get(c, (b, t))
        busy[c], total[c] = max(0, b - b0), max(0, t - t0)
    all_busy = sum(busy)
    placed: list[float] = [own.get(c, 0) for c in range(n)]
    elsewhere = sum(v for c, v in own.items() if not 0 <= c < n)
    if elsewhere and all_busy:  # CPU not known: spread as the CPUs were busy
        placed = [p + elsewhere * b / all_busy for p, b in zip(placed, busy, strict=True)]
    x = all_busy - sum(own.values()) + carry
    others_total = max(0, x)
    carry = max(-cap, min(0, x))
    raw = [max(0.0, b - p) for b, p in zip(busy, placed, strict=True)]
    scale = others_total / sum(raw) if sum(raw) > 0 else 0.0
    fractions = [min(1.0, r * scale / t) if t > 0 else 0.0
                 for r, t in zip(raw, total, strict=True)]
    return fractions, carry


# -- the sampler ---------------------------------------------------------------------------


class OthersSampler:
    """Fills ``store.others`` while a run goes. The runner calls ``begin(t)`` when the
    run starts, ``tick(t)`` from every poll (it samples every `interval_ns`) and
    ``finish(t)`` at the end; `pids()` names the run's processes.

    The counters are read on a thread of their own, and the reading taken in by the
    next ``tick`` after it is done: a reading costs two small file reads per process of
    the run — ~6 ms for 256 processes — which on the poll's thread would make one frame
    in ten of a window that draws them late; and a read of ``/proc/PID/stat`` can block
    for as long as that process is stuck in the kernel (as ``ps`` does), which must not
    freeze the window or keep the run from ending: ``finish`` waits `FINISH_WAIT_S` for
    a reading, then gives up measuring. ``store.others`` itself is only written by the
    caller's thread, in ``tick`` and ``finish``.

    While the window draws a frame (``hold(True)`` ... ``hold(False)``) a reading waits
    between processes: on that thread it would take the interpreter's lock, and a core,
    from the frame. Measured with 256 children on 2 cores (the benchmark's tick, three
    runs each, interleaved): the frames' 99th percentile 11.8-13.5 ms with the reading
    free to run, 10.7-11.3 ms held, 8.4-9.4 ms with no reading at all."""

    def __init__(self, store: TraceStore, pids: Callable[[], Iterable[int]],
                 reader: Reader | None = None, interval_ns: int = SAMPLE_NS,
                 clock: Callable[[], int] = time.perf_counter_ns) -> None:
        self.others = store.others
        self.pids = pids
        self.interval_ns = interval_ns
        self.reader = reader  # made at begin() unless given: a run never begun opens nothing
        self.clock = clock  # the run's clock (the `t` of begin, tick and finish)
        self.root = os.getpid()
        self._tracked: set[int] = set()
        self._done: set[int] = set()  # pids gone, or found not to be the run's
        self._asked: set[int] = set()  # pids whose children were asked for at least once
        self._readings = 0
        self._prev: Reading | None = None
        self._prev_t = 0
        self._born_after = 0
        self._carry = 0
        # The reading going on in the background: (its time, the reading) when done.
        # While one is, only its thread touches the reader and the sets above.
        self._reading: Future[tuple[int, Reading]] | None = None
        self._free = threading.Event()  # clear while the window draws a frame
        self._free.set()

    @property
    def held(self) -> bool:
        """Whether the window is drawing a frame (see `hold`)."""
        return not self._free.is_set()

    def hold(self, on: bool) -> None:
        """The window begins (`on`) or ends drawing a frame: a reading in the background
        waits meanwhile (`HOLD_BUDGET_S` at most, in all)."""
        if on:
            self._free.clear()
        else:
            self._free.set()

    def begin(self, t: int) -> None:
        """The run starts at `t`: the first reading."""
        why = ""
        if self.reader is None:
            self.reader, why = default_reader()
        self.others.source = self.reader.source if self.reader is not None else ""
        self.others.note = why
        if self.reader is None:
            return
        # A process's start time is whole ticks: one born just after this may read as
        # up to a tick before it.
        self._born_after = self.reader.clock() - self.reader.tick_ns
        self._tracked = {self.root}
        try:
            self._prev, self._prev_t = self._read(list(self.pids())), t
        except (OSError, ValueError) as exc:
            self._give_up(exc)

    def tick(self, t: int) -> None:
        """Take in the reading made in the background, if it is done; begin the next
        if one is due at `t`."""
        if self._reading is not None:
            if not self._reading.done():
                return
            self._take(self._reading)
        if self._prev is not None and t - self._prev_t >= self.interval_ns:
            pids = list(self.pids())  # (here: the runner's own structures, its thread)
            reading: Future[tuple[int, Reading]] = Future()
            self._reading = reading
            # A daemon thread a reading (~0.1 ms to start, ten a second): one stuck in
            # the kernel is left behind, never waited for at the interpreter's exit.
            threading.Thread(target=self._read_into, args=(reading, pids),
                             name="mpgui-others", daemon=True).start()

    def _read_into(self, reading: Future[tuple[int, Reading]], pids: list[int]) -> None:
        free, deadline = self._free, time.monotonic() + HOLD_BUDGET_S

        def wait_for_frame() -> None:
            if not free.is_set():
                free.wait(max(0.0, deadline - time.monotonic()))

        try:
            t = self.clock()
            reading.set_result((t, self._read(pids, wait_for_frame)))
        except BaseException as exc:  # (handed to the poll's thread, which says it)
            reading.set_exception(exc)

    def _take(self, reading: Future[tuple[int, Reading]], until: int | None = None,
              wait_s: float | None = None) -> None:
        """A reading made in the background: the interval up to it, into the store
        (not one made after `until`, the run's end). Waits up to `wait_s` for it."""
        self._reading = None
        try:
            t, cur = reading.result(wait_s)
        except TimeoutError:  # (stuck in the kernel: left behind)
            self._give_up(TimeoutError(f"no answer in {wait_s:g} s"))
            return
        except (OSError, ValueError) as exc:
            self._give_up(exc)
            return
        if self._prev is not None and (until is None or t <= until):
            self._add(t, cur)

    def finish(self, t: int) -> None:
        """The run ended at `t`: the last sample, then let go of every file."""
        if self._reading is not None:
            self._take(self._reading, t, FINISH_WAIT_S)
        if self._prev is not None and t > self._prev_t:
            if self.others.n_samples and t - self._prev_t < self.interval_ns // 4:
                # Too short to measure (the counters tick every 10 ms): the last
                # sample stretches to the end instead.
                self.others.t1[-1] = t
            else:
                self._sample(t)
        self._prev = None
        if self.reader is not None:
            self.reader.close()

    def _give_up(self, exc: Exception) -> None:
        """The counters could not be read: the run goes on, measured up to here."""
        self._prev = None
        self.others.note = _("the CPUs' counters could not be read: {error}").format(error=exc)
        if not self.others.n_samples:
            self.others.source = ""

    def _sample(self, t: int) -> None:
        assert self._prev is not None and self.reader is not None
        try:
            cur = self._read(list(self.pids()))
        except (OSError, ValueError) as exc:
            self._give_up(exc)
            return
        self._add(t, cur)

    def _add(self, t: int, cur: Reading) -> None:
        """The interval from the last reading to `cur`, made at `t`, into the store."""
        assert self._prev is not None and self.reader is not None
        cap = (len(cur.cpus) + len(cur.procs)) * self.reader.tick_ns
        fractions, self._carry = others_fractions(
            self._prev, cur, own_ns(self._prev, cur, self._born_after), self._carry, cap)
        self.others.add(self._prev_t, t, fractions)
        self._prev, self._prev_t = cur, t

    def _read(self, pids: list[int], between: Callable[[], None] | None = None) -> Reading:
        """The counters now: the CPUs, and every process of the run — `pids` (what
        `pids()` named) and, found from mpgui's own process down, every child of one
        (so a process counts from the sample after its birth, not from its first
        report). `between()` is called before each process's (the background
        reading's pause for a frame)."""
        reader = self.reader
        assert reader is not None
        for pid in pids:
            if pid not in self._done and len(self._tracked) < MAX_TRACKED:
                self._tracked.add(pid)
        self._readings += 1
        turn = self._readings % CHILDREN_EVERY
        cpus = reader.cpus()
        procs = {}
        todo = list(self._tracked)
        new = self._tracked - self._asked
        while todo:
            pid = todo.pop()
            if between is not None:
                between()
            p = reader.proc(pid)
            if p is None:
                self._tracked.discard(pid)
                self._done.add(pid)
                continue
            procs[pid] = p
            if pid != self.root and pid % CHILDREN_EVERY != turn and pid not in new:
                continue  # (its children are asked at another reading)
            for child in reader.children(pid):
                if child not in self._tracked and child not in self._done \
                        and len(self._tracked) < MAX_TRACKED:
                    self._tracked.add(child)
                    new.add(child)
                    todo.append(child)
        self._asked |= new
        return Reading(cpus, procs)
