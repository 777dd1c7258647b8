"""The pool backend's worker side: what each ``multiprocessing.Pool`` worker runs.

The pool starts its workers itself, so they cannot each get a pipe of their own: they
share one, with a lock that keeps each batch whole, and every batch names its lane. A
worker's initializer takes the next worker lane (a replacement worker takes over the
row of the one it replaces); each task reports on its own lane, saying first which
worker runs it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.connection import Connection

from mpgui.runtime.child.entry import exit_with_parent, run_workload
from mpgui.runtime.child.reporter import Reporter
from mpgui.runtime.protocol import Kind, State

# (not typing's: a child's first event waits for its imports, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Set by the initializer in each worker process.
_worker: dict[str, Any] = {}


def worker_init(conn: Connection, lock: Any, counter: Any, lanes: list[int]) -> None:
    """The pool's initializer: claim a worker lane and say the worker is ready."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    lane = lanes[index % len(lanes)]
    r = Reporter(conn, lane, lock)
    r.started(os.getpid())
    r.state(State.WAITING)  # idle: waiting for a task
    r.flush()
    _worker.update(conn=conn, lock=lock, lane=lane, reporter=r)
    exit_with_parent()


def run_task(lane: int, task: dict[str, Any],
             shared: dict[str, tuple[str, Any]] | None = None) -> None:
    """One task of the pool, reported on its `lane`, given the `shared` objects (a
    Manager's proxies) its row uses. An exception is reported (and kept from the pool,
    which would only store it in the task's result)."""
    conn, lock, worker = _worker["conn"], _worker["lock"], _worker["reporter"]
    worker.state(State.RUNNING)
    worker.flush()
    r = Reporter(conn, lane, lock)
    r.event(Kind.HOST, _worker["lane"])
    r.started(os.getpid())
    cpu0 = time.process_time_ns()
    # {name} is the worker's name, as multiprocessing.current_process().name says there.
    task = {**task, "name": multiprocessing.current_process().name}
    code = run_workload(r, task, os.getpid(), shared)
    r.event(Kind.FINISHED, code, time.process_time_ns() - cpu0)
    r.flush()
    worker.state(State.WAITING)
    worker.flush()
