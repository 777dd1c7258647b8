"""The Dask backend's task side: what a Dask worker runs for one row.

Events travel through Dask's own machinery, so they come back from a worker on any
computer: the task's Reporter sends each batch with the worker's ``log_event`` under the
run's topic, and the client, subscribed to that topic (`dask_backend`), stores them. A
batch says which worker sent it, so that the client can put its times on its own clock.

The task reports on its own lane, saying first which worker runs it (HOST), and on its
worker's lane: running while it runs, idle after, as a pool's workers do. A task that
the scheduler runs again (its first worker died) simply reports again; the client
draws that as a retry.
"""

from __future__ import annotations

import os
import time

from mpgui.runtime import cpu
from mpgui.runtime.child.entry import exit_with_parent, run_workload
from mpgui.runtime.child.reporter import Reporter
from mpgui.runtime.protocol import Kind, State

# (not typing's: a child's first event waits for its imports, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# A batch through Dask costs far more than a pipe's send (the worker's event loop, the
# scheduler, the client's), so a task sends less often than a process: every 25 ms
# while busy, a printed line after 25 ms of quiet — still under two frames.
DASK_FLUSH_NS = 25_000_000


class TopicPipe:
    """What a Reporter sends its batches over: the worker's event log, under `topic`,
    each message as (the worker's address, [batch, ...]). Batches `hold`-ed go with the
    next one sent: the worker lane's change of state travels with its task's."""

    def __init__(self, worker: Any, topic: str) -> None:
        self._worker = worker
        self._topic = topic
        self._held: list[Any] = []

    def hold(self, batch: Any) -> None:
        self._held.append(batch)

    def send(self, batch: Any) -> None:
        batches, self._held = [*self._held, batch], []
        self._worker.log_event(self._topic, (self._worker.address, batches))


class _Held:
    """A Reporter's pipe whose batches wait for the next one of `pipe`."""

    def __init__(self, pipe: TopicPipe) -> None:
        self.send = pipe.hold


def worker_name(worker: Any) -> str:
    """What a row's {name} is in a Dask task: as the equivalent script's
    ``f"dask worker {distributed.get_worker().name}"``."""
    return f"dask worker {worker.name}"


def run_task(lane: int, task: dict[str, Any], topic: str, lanes: dict[str, int]) -> int:
    """One row as a Dask task, reported on `lane` under `topic`; `lanes` gives each
    worker's lane by its name. Returns how the row ended (0, or 1 for an exception,
    reported with its traceback and kept from Dask, as a pool task's is)."""
    from distributed import get_worker

    worker = get_worker()
    pipe = TopicPipe(worker, topic)
    host = lanes.get(str(worker.name))
    on_worker = Reporter(_Held(pipe), host) if host is not None else None  # type: ignore[arg-type]
    if on_worker is not None:
        on_worker.state(State.RUNNING)
        on_worker.flush()  # (held: sent with the task's first batch)
    r = Reporter(pipe, lane, flush_ns=DASK_FLUSH_NS, quiet_ns=DASK_FLUSH_NS)  # type: ignore[arg-type]
    if host is not None:
        r.event(Kind.HOST, host)
    r.started(os.getpid())
    # The quick core reader, once per worker (a no-op after): a cpu_loop reads its core
    # every millisecond, and from /proc that took 12 % of a task's time. (Not in
    # `hello`: a worker that joined after it, or a cluster we did not start, runs
    # tasks too.)
    cpu.load()
    cpu0 = time.thread_time_ns()  # (the worker's own threads use its process's CPU too)
    code = run_workload(r, {**task, "name": worker_name(worker)}, os.getpid())
    r.event(Kind.FINISHED, code, time.thread_time_ns() - cpu0)
    if on_worker is not None:
        on_worker.state(State.WAITING)
        on_worker.flush()  # (held: sent with the task's last batch, next line)
    r.flush()
    return code


def boot_id() -> str:
    """What tells this computer's boot from any other's ("" where unknown): workers
    that share it share the parent's clock (perf_counter is the system's monotonic
    clock), and need no offset."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return ""


class KeptPipe:
    """A Reporter's pipe that keeps its batches, as TopicPipe would send them."""

    def __init__(self, worker: Any) -> None:
        self._worker = worker
        self.batches: list[Any] = []

    def send(self, batch: Any) -> None:
        self.batches.append((self._worker.address, [batch]))


def hello(lanes: dict[str, int], ours: bool,
          dask_worker: Any = None) -> tuple[int, list[Any]]:
    """Run on each worker when a run connects: its lane (in `lanes`, by the worker's
    name) says it has started and waits for a task; a worker of the cluster we started
    (`ours`) ends with this process even after a SIGKILL, as our own children do.
    Returns its pid and those events' batches. (`dask_worker` is the worker:
    ``client.run`` gives it.)

    The batches go back as the call's result, not under the run's topic: the client's
    subscription to the topic travels on its batched stream, this call on another
    connection, and could overtake it — a worker's start was then published before
    anyone listened, and lost (a test saw it one run in three)."""
    if ours:
        exit_with_parent()
    worker = dask_worker
    lane = lanes.get(str(worker.name))
    pipe = KeptPipe(worker)
    if lane is not None:
        r = Reporter(pipe, lane)  # type: ignore[arg-type]
        r.started(os.getpid())
        r.state(State.WAITING)
        r.flush()
    return os.getpid(), pipe.batches
