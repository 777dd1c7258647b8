"""The threads backend's host: one process in which every row runs as a
``threading.Thread``, as in a threaded script.

The threads share this process's GIL, which is the lesson: on CPU-bound work they take
turns. The host is a separate process, not the window's, so the window stays responsive
and the picture is of the threads alone. The parent plays the main program and sends
commands down the duplex pipe: ``("start", lane, task, daemon)`` starts a thread,
``("end",)`` ends the script (Python joins the non-daemon threads; daemon threads die
with the process). Every thread reports over the same pipe, its batches naming its lane.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection

from mpgui.runtime.child.entry import exit_with_parent, run_workload
from mpgui.runtime.child.reporter import Reporter
from mpgui.runtime.cpu import load as load_core_reader
from mpgui.runtime.interpreter import gil_enabled
from mpgui.runtime.protocol import Kind

# (not typing's: a child's first event waits for its imports, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class SharedGil:
    """How many threads of this process are computing: with two or more, a thread off
    the CPU is (most likely) waiting for the GIL that another one holds. Without a GIL
    (a free-threaded build) it never says so."""

    def __init__(self, enabled: bool | None) -> None:
        self._lock = threading.Lock()
        self.enabled = enabled is not False
        self.count = 0

    def add(self, k: int) -> None:
        with self._lock:
            self.count += k

    def contended(self) -> bool:
        return self.enabled and self.count > 1


def host_main(conn: Connection, main_lane: int, objects: list[Any] | None = None) -> None:
    """Run threads as the parent says, until it says the script ends. `objects`: the
    specs of the scenario's shared objects, made here as the threads' counterparts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    send_lock = threading.Lock()
    has_gil = gil_enabled()
    gil = SharedGil(has_gil)
    hello = Reporter(conn, main_lane, send_lock)
    hello.event(Kind.INFO, "gil", has_gil)
    hello.event(Kind.INFO, "python", sys.version.split()[0])
    hello.started(os.getpid())
    # The quick core reader now, before any thread computes. Until it is loaded each
    # core reading opens /proc, and a file read lets go of the GIL and takes it again:
    # two computing threads doing that every millisecond never ask each other for the
    # GIL (each re-take looks like a switch to the waiting one), so they did not take
    # turns at all — one ran to its end, then the other — and the thread that would
    # have loaded the reader (`exit_with_parent`'s) waited for the GIL meanwhile too.
    load_core_reader()
    exit_with_parent()
    made: dict[str, Any] = {}
    if objects:
        from mpgui.runtime.child.shared_objects import make_for_threads
        made = make_for_threads(objects)
    while True:
        try:
            command = conn.recv()
        except (EOFError, OSError):
            os._exit(0)  # the parent is gone
        if command[0] == "end":
            return  # Python joins the non-daemon threads; daemon threads end with us
        _cmd, lane, task, daemon = command
        shared = {role: (name, made[name]) for role, name in task.get("uses", {}).items()}
        threading.Thread(target=_thread_main,
                         args=(conn, send_lock, gil, lane, task, shared),
                         name=task["name"], daemon=daemon).start()


def _thread_main(conn: Connection, send_lock: threading.Lock, gil: SharedGil, lane: int,
                 task: dict[str, Any], shared: dict[str, tuple[str, Any]]) -> None:
    r = Reporter(conn, lane, send_lock, gil)
    r.started(os.getpid())
    code = run_workload(r, task, os.getpid(), shared)
    r.event(Kind.FINISHED, code, time.thread_time_ns())
    r.flush()
