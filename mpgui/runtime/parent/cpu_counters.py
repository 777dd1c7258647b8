"""The CPUs' and processes' time counters, as the OS keeps them: per CPU its busy and
idle time since boot, per process its CPU time (with that of the children it has reaped),
its parent, the CPU it ran on last and when it started.

Linux: ``/proc/stat`` and ``/proc/PID/stat`` (kept open and read again with pread, ~5 µs
a file). Elsewhere psutil, when it is installed (it is optional); without either,
nothing can be read and ``default_reader`` says why. The parsing is pure functions.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Protocol

from mpgui.i18n import _

_BUSY = (0, 1, 2, 5, 6, 7)  # user nice system . . irq softirq steal (guest is in user)
_IDLE = (3, 4)  # idle iowait


@dataclass(frozen=True)
class ProcTimes:
    """One process, as read at one moment."""

    cpu_ns: int  # its CPU time and that of the children it has reaped
    ppid: int
    core: int  # the CPU it ran on last (-1: not known)
    born_ns: int  # when it started, on its reader's clock


@dataclass
class Reading:
    """The counters at one moment: per CPU (busy ns, total ns) since boot, per process
    its times."""

    cpus: dict[int, tuple[int, int]]
    procs: dict[int, ProcTimes]


def parse_proc_stat(text: str, tick_ns: int) -> dict[int, tuple[int, int]]:
    """{cpu: (busy ns, busy + idle ns)} from the ``cpuN`` lines of ``/proc/stat``."""
    out = {}
    for line in text.splitlines():
        if not (line.startswith("cpu") and line[3:4].isdigit()):
            continue
        name, *values = line.split()
        ticks = [int(v) for v in values[:8]] + [0] * (8 - len(values[:8]))
        busy = sum(ticks[i] for i in _BUSY)
        out[int(name[3:])] = (busy * tick_ns, (busy + sum(ticks[i] for i in _IDLE)) * tick_ns)
    return out


def parse_pid_stat(text: str, tick_ns: int) -> ProcTimes | None:
    """A process's times from its ``/proc/PID/stat`` (None if it cannot be read)."""
    try:
        f = text.rsplit(")", 1)[1].split()  # the name may hold spaces and ')': skip it
        # Fields counted from 3 (state): ppid 4, utime..cstime 14-17, starttime 22,
        # processor 39.
        ticks = int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
        return ProcTimes(ticks * tick_ns, int(f[1]), int(f[36]), int(f[19]) * tick_ns)
    except (IndexError, ValueError):
        return None


# -- readers -----------------------------------------------------------------------------


class Reader(Protocol):
    """What a sampler reads: per CPU (busy ns, total ns) since boot; one process's
    times (None once it is gone) and the children it started (where the OS tells that
    cheaply; else none); now on the clock of its start times. `tick_ns` is the
    counters' resolution."""

    source: str
    tick_ns: int

    def cpus(self) -> dict[int, tuple[int, int]]: ...
    def proc(self, pid: int) -> ProcTimes | None: ...
    def children(self, pid: int) -> list[int]: ...
    def clock(self) -> int: ...
    def forget(self, pid: int) -> None: ...
    def close(self) -> None: ...


class ProcReader:
    """Linux: ``/proc/stat`` and ``/proc/PID/stat``, kept open and read again with pread
    (~5 µs a file)."""

    source = "/proc/stat"

    def __init__(self) -> None:
        self.tick_ns = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
        self._stat = os.open("/proc/stat", os.O_RDONLY)
        self._fds: dict[int, int] = {}

    def cpus(self) -> dict[int, tuple[int, int]]:
        return parse_proc_stat(os.pread(self._stat, 1 << 18, 0).decode("ascii", "replace"),
                               self.tick_ns)

    def proc(self, pid: int) -> ProcTimes | None:
        try:
            fd = self._fds.get(pid)
            if fd is None:
                fd = self._fds[pid] = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
            p = parse_pid_stat(os.pread(fd, 4096, 0).decode("utf-8", "replace"), self.tick_ns)
        except OSError:  # gone (reaped): its fd no longer reads
            p = None
        if p is None:
            self.forget(pid)
        return p

    def children(self, pid: int) -> list[int]:
        """The running children its main thread started (Linux 3.5 on; none where the
        kernel does not tell). Opened each time: a process's fds stay at one."""
        try:
            fd = os.open(f"/proc/{pid}/task/{pid}/children", os.O_RDONLY)
        except OSError:
            return []
        try:
            return [int(c) for c in os.read(fd, 1 << 16).split()]
        except (OSError, ValueError):
            return []
        finally:
            os.close(fd)

    def clock(self) -> int:
        """Now, on the clock of a process's start time (since boot)."""
        return time.clock_gettime_ns(time.CLOCK_BOOTTIME)

    def forget(self, pid: int) -> None:
        fd = self._fds.pop(pid, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def close(self) -> None:
        for pid in list(self._fds):
            self.forget(pid)
        with contextlib.suppress(OSError):
            os.close(self._stat)


# psutil's per-CPU fields that are not busy time of their own: idle, or already counted
# in another field (Linux's guest time is in user; Windows' interrupt and DPC time in
# system).
_NOT_BUSY = ("idle", "iowait", "guest", "guest_nice", "interrupt", "dpc")


class PsutilReader:
    """Where there is no ``/proc`` (macOS, Windows): the same counters through psutil.
    The CPU a process ran on last is known only where psutil tells it (``cpu_num``)."""

    source = "psutil"
    tick_ns = 10_000_000

    def __init__(self, psutil: Any) -> None:
        self.ps = psutil
        self._procs: dict[int, Any] = {}

    def cpus(self) -> dict[int, tuple[int, int]]:
        out = {}
        for c, times in enumerate(self.ps.cpu_times(percpu=True)):
            d = times._asdict()
            idle = d.get("idle", 0.0) + d.get("iowait", 0.0)
            busy = sum(v for k, v in d.items() if k not in _NOT_BUSY)
            out[c] = (int(busy * 1e9), int((busy + idle) * 1e9))
        return out

    def proc(self, pid: int) -> ProcTimes | None:
        try:
            p = self._procs.get(pid) or self._procs.setdefault(pid, self.ps.Process(pid))
            with p.oneshot():
                t = p.cpu_times()
                core = p.cpu_num() if hasattr(p, "cpu_num") else -1
                ppid, born = p.ppid(), p.create_time()
        except (self.ps.Error, OSError):
            self.forget(pid)
            return None
        cpu = t.user + t.system + getattr(t, "children_user", 0.0) + \
            getattr(t, "children_system", 0.0)
        return ProcTimes(int(cpu * 1e9), ppid, core, int(born * 1e9))

    def children(self, pid: int) -> list[int]:
        """Not asked: psutil finds children by listing every process (milliseconds), too
        slow ten times a second; a process counts from when the runner reports it."""
        return []

    def clock(self) -> int:
        return time.time_ns()  # psutil's create_time() is seconds since the epoch

    def forget(self, pid: int) -> None:
        self._procs.pop(pid, None)

    def close(self) -> None:
        self._procs.clear()


def default_reader() -> tuple[Reader | None, str]:
    """The best reader here, or None and why other programs cannot be measured."""
    if sys.platform.startswith("linux") and os.path.exists("/proc/stat"):
        with contextlib.suppress(OSError, ValueError):
            return ProcReader(), ""
    try:
        import psutil  # optional: only where there is no /proc
    except ImportError:
        return None, _("on this system that needs psutil, which is not installed")
    return PsutilReader(psutil), ""
