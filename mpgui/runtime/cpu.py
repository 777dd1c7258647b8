"""Which core the calling thread runs on, where the OS can tell.

Linux: libc ``sched_getcpu`` through ctypes (~0.1 µs; ``os.sched_getcpu`` only exists
from Python 3.14 on). Windows: ``GetCurrentProcessorNumber``. macOS and others have no
public API, so the core is reported as unknown rather than invented.

The functions are bound through ``ctypes.PyDLL``, which keeps the GIL during the call.
``CDLL`` would release and re-take it every time: a busy loop reading its core every
millisecond then starves every other thread of the process (each re-take counts as a
GIL switch, so a waiting thread never asks for the GIL), which once kept a child's
parent-watch thread from ever running.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

from mpgui.runtime.protocol import UNKNOWN_CORE


def _core_reader() -> tuple[Callable[[], int] | None, str]:
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


_READ_CORE, CORE_SOURCE = _core_reader()


def current_core() -> int:
    """The logical CPU running this thread now, or UNKNOWN_CORE (-1)."""
    return _READ_CORE() if _READ_CORE is not None else UNKNOWN_CORE


def cores_known() -> bool:
    """Whether this platform can say which core a thread runs on."""
    return _READ_CORE is not None


def die_with_parent() -> bool:
    """Linux: have the kernel SIGKILL this process when its parent dies. True if set."""
    if not sys.platform.startswith("linux"):
        return False
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
