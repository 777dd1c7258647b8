"""What a traced script's threads are doing, read from the kernel: running (and on which
core), waiting for a core (preempted), or blocked.

A scenario's children report their own states, for mpgui wrote their code. A user's
script runs code nobody instrumented, so mpgui asks Linux instead, every few ms, for
each thread: ``/proc/PID/task/TID/schedstat`` (nanoseconds spent on a core and waiting
in the run queue) and, for a running thread, ``stat`` (the core it ran on last). Reading
costs mpgui a few µs per thread and the script nothing. Where there is no such file
(macOS, Windows), ``available`` is False and the chart says what it cannot show.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

from mpgui.runtime.protocol import PREEMPT_MIN_NS, UNKNOWN_CORE, State

# States the kernel can tell apart; "blocked" covers join(), locks, I/O and the GIL.
BLOCKED = State.WAITING
_PROCESSOR_FIELD = 36  # 'processor' (field 39 of stat) counted after the ')' of the name


def available() -> bool:
    """Whether this system tells how threads spend their time (Linux /proc)."""
    return sys.platform.startswith("linux") and os.path.exists("/proc/self/schedstat")


@dataclass
class _Thread:
    lane: int
    schedstat: int  # open file descriptors, read again with pread
    stat: int
    t: int  # the last sample
    run_ns: int
    wait_ns: int


class Sampler:
    """Samples the threads it was given; `sample()` says what each did since the last."""

    def __init__(self) -> None:
        self._threads: dict[int, _Thread] = {}  # by lane

    def add(self, lane: int, pid: int, tid: int, t: int) -> None:
        """Follow thread `tid` of process `pid`, shown on `lane`, from time `t`."""
        base = f"/proc/{pid}/task/{tid}/"
        try:
            schedstat = os.open(base + "schedstat", os.O_RDONLY)
        except OSError:  # already gone
            return
        try:
            stat = os.open(base + "stat", os.O_RDONLY)
        except OSError:
            os.close(schedstat)
            return
        th = _Thread(lane, schedstat, stat, t, 0, 0)
        read = _schedstat(th)
        if read is None:
            self._close(th)
            return
        th.run_ns, th.wait_ns = read
        self.remove(lane)
        self._threads[lane] = th

    def remove(self, lane: int) -> None:
        """Stop following `lane` (it ended)."""
        th = self._threads.pop(lane, None)
        if th is not None:
            self._close(th)

    def close(self) -> None:
        """Stop following every thread."""
        for lane in list(self._threads):
            self.remove(lane)

    def sample(self, now: int) -> list[tuple[int, int, int, int]]:
        """(lane, since, state, core) for every followed thread: what it mostly did
        since the last sample, and from about when (one change per interval assumed:
        a thread found running had been running for its CPU time, and so on)."""
        out = []
        for th in list(self._threads.values()):
            read = _schedstat(th)
            if read is None:  # the thread ended; its lane ends by other means
                self.remove(th.lane)
                continue
            run_d, wait_d = read[0] - th.run_ns, read[1] - th.wait_ns
            dt = max(1, now - th.t)
            if 2 * run_d >= dt:
                out.append((th.lane, max(th.t, now - run_d), State.RUNNING, _core(th)))
            elif wait_d >= PREEMPT_MIN_NS and wait_d >= run_d:
                out.append((th.lane, max(th.t, now - wait_d), State.PREEMPTED, UNKNOWN_CORE))
            else:
                out.append((th.lane, min(now, th.t + run_d + wait_d), BLOCKED, UNKNOWN_CORE))
            th.t, th.run_ns, th.wait_ns = now, read[0], read[1]
        return out

    @staticmethod
    def _close(th: _Thread) -> None:
        for fd in (th.schedstat, th.stat):
            with contextlib.suppress(OSError):
                os.close(fd)


def _schedstat(th: _Thread) -> tuple[int, int] | None:
    try:
        fields = os.pread(th.schedstat, 128, 0).split()
        return int(fields[0]), int(fields[1])
    except (OSError, ValueError, IndexError):
        return None


def _core(th: _Thread) -> int:
    try:
        return int(os.pread(th.stat, 1024, 0).rsplit(b")", 1)[1].split()[_PROCESSOR_FIELD])
    except (OSError, ValueError, IndexError):
        return UNKNOWN_CORE
