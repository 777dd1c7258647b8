"""Which core the calling thread runs on, where the OS can tell.

Linux: libc ``sched_getcpu`` through ctypes (~0.1 µs; ``os.sched_getcpu`` only exists
from Python 3.14 on). Windows: ``GetCurrentProcessorNumber``. macOS and others have no
public API, so the core is reported as unknown rather than invented.
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
            fn = ctypes.CDLL(None, use_errno=True).sched_getcpu
            fn.restype, fn.argtypes = ctypes.c_int, ()
            if fn() >= 0:
                return fn, "sched_getcpu"
        except (OSError, AttributeError):
            pass
    elif sys.platform == "win32":
        try:
            fn = ctypes.windll.kernel32.GetCurrentProcessorNumber  # type: ignore[attr-defined]
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


def cpu_count() -> int:
    """Logical CPUs, as the tutorial counts them: ``os.cpu_count()``."""
    return os.cpu_count() or 1
