"""Which core the calling thread runs on, where the OS can tell.

Linux: libc ``sched_getcpu`` through ctypes (~0.1 µs; ``os.sched_getcpu`` only exists
from Python 3.14 on). Windows: ``GetCurrentProcessorNumber``. macOS and others have no
public API, so the core is reported as unknown rather than invented.

The functions are bound through ``ctypes.PyDLL``, which keeps the GIL during the call.
``CDLL`` would release and re-take it every time: a busy loop reading its core every
millisecond then starves every other thread of the process (each re-take counts as a
GIL switch, so a waiting thread never asks for the GIL), which once kept a child's
parent-watch thread from ever running.

ctypes is imported once a child is under way (`load`, from a thread of its own), not
before: a child's first event (which names its core) waits for its imports, and ctypes
costs ~2 ms of the ~25 a spawned process takes to start; imported in the child's main
thread later, it would delay the line the child prints next. On Linux the readings
until then come from ``/proc``.
"""

from __future__ import annotations

import os
import sys

from mpgui.runtime.protocol import UNKNOWN_CORE

# (not typing's: a child's first event waits for its imports, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def _core_reader() -> tuple[Callable[[], int] | None, str]:
    import ctypes

    if sys.platform.startswith("linux"):
        try:
            fn = ctypes.PyDLL(None).sched_getcpu
            fn.restype, fn.argtypes = ctypes.c_int, ()
            if fn() >= 0:
                return fn, "sched_getcpu"
        except (OSError, AttributeError):
            pass
    elif sys.platform == "win32":
        try:
            # No arguments, so the calling convention does not matter.
            fn = ctypes.PyDLL("kernel32").GetCurrentProcessorNumber
            fn.restype, fn.argtypes = ctypes.c_ulong, ()
            return fn, "GetCurrentProcessorNumber"
        except (OSError, AttributeError):
            pass
    return None, "unknown"


def _from_proc() -> int:
    """The core from ``/proc/thread-self/stat`` (field 39, "processor"), or -1."""
    try:
        with open("/proc/thread-self/stat", "rb") as f:
            stat = f.read()
        # (the command name, field 2, is in parentheses and may hold spaces)
        return int(stat[stat.rindex(b")") + 2:].split()[36])
    except (OSError, ValueError, IndexError):
        return UNKNOWN_CORE


def _loading() -> int:
    load()
    return _read()


def _unknown() -> int:
    return UNKNOWN_CORE


# How the core is read: until `load`, from /proc on Linux (~20 µs, no import; a
# process's first readings), elsewhere by loading the reader at the first call.
_read: Callable[[], int] = _from_proc if sys.platform.startswith("linux") else _loading


def current_core() -> int:
    """The logical CPU running this thread now, or UNKNOWN_CORE (-1)."""
    return _read()


def load() -> None:
    """Load the quick core reader (ctypes', ~2 ms to import) now: a child does it in a
    thread of its own once it is under way (`entry.exit_with_parent`), so that its work
    never waits for it; a parent whose forked children should inherit it, at once."""
    global _read
    if _read in (_from_proc, _loading):
        reader, _source = _core_reader()
        _read = reader if reader is not None else _unknown


def cores_known() -> bool:
    """Whether this platform can say which core a thread runs on."""
    return _core_reader()[0] is not None


def die_with_parent() -> bool:
    """Linux: have the kernel SIGKILL this process when its parent dies. True if set."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        pr_set_pdeathsig, sigkill = 1, 9
        result: int = ctypes.PyDLL(None).prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)
        return result == 0
    except (OSError, AttributeError):
        return False


def cpu_count() -> int:
    """Logical CPUs, as the tutorial counts them: ``os.cpu_count()``."""
    return os.cpu_count() or 1


def pid_running(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie has ended; it only awaits its parent).
    POSIX only: elsewhere False, for os.kill(pid, 0) would end the process on Windows."""
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
        except OSError:
            return False
    return True
