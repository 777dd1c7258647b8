"""The Dask backend: each row a task on a Dask cluster — a `LocalCluster` of worker
processes on this computer, started for the run (or kept warm between the runs of a
window), or the cluster whose scheduler address the user gives.

start() is ``client.submit``; a join waits until the task's lane has finished, as a
pool task's does; the end of the main program waits for every task. Events come back
through Dask's own machinery: each task logs its batches under the run's topic
(`dask_task`), the client subscribes to it, and Dask's "all" topic says when a worker
left the cluster (the tasks it ran are taken back and run again elsewhere: a retry).

Nothing here imports Dask until a run needs it: without it installed the backend is
offered disabled (`mpgui.model.backend.DASK.available`).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from array import array
from collections import deque
from typing import Any

from mpgui.i18n import _
from mpgui.model.backend import DASK
from mpgui.model.escape import shown
from mpgui.runtime.child import dask_task
from mpgui.runtime.child.dask_task import boot_id, hello, run_task
from mpgui.runtime.parent.backends import BACKEND_CLASSES, BackendRuntime
from mpgui.runtime.parent.children import TAKEN_DOWN, Child, RunSide
from mpgui.runtime.protocol import State
from mpgui.runtime.store.retries import record_retry
from mpgui.runtime.store.trace import CLOCK_ERROR

_now = time.perf_counter_ns

# How long connecting to a scheduler may take before the run says it cannot.
CONNECT_TIMEOUT_S = 6.0
# Clock samples per remote computer: the offset is the one with the shortest round trip.
_CLOCK_SAMPLES = 5
# A worker's CPU lanes, dashboard and logs are Dask's business: its own log lines
# (a worker restarted, a comm closed) would only clutter our terminal and output.
_QUIET = ("distributed", "tornado", "bokeh")
_SILENT = logging.CRITICAL + 1


class ClusterUnreachable(ConnectionError):
    """No scheduler answered at the address in time."""


_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252}):"
                      r"([0-9]{1,5})")


def scheduler_problem(address: str) -> str | None:
    """Why `address` cannot be a scheduler's address (None if it can): tcp:// or tls://,
    a host name or an IP address, and a port. Anything else is refused before Dask
    sees it (its other transports need libraries of their own, and a half-made client
    would linger for seconds when the program ends)."""
    text = address if "://" in address else f"tcp://{address}"
    match = _ADDRESS.fullmatch(text)
    if match is None or not 0 < int(match.group(3)) < 65536:
        return _("{address} is not a scheduler's address: give tcp://HOST:PORT (or "
                 "tls://HOST:PORT), for example tcp://10.0.0.5:8786").format(
                     address=shown(address))
    return None


def host_of(address: str) -> str:
    """The computer of a Dask address: "tcp://10.0.0.5:8786" → "10.0.0.5"."""
    rest = address.split("://", 1)[-1]
    return rest.rsplit(":", 1)[0] if ":" in rest else rest


class Cluster:
    """A Dask client, and the LocalCluster it started (None when it connected to the
    scheduler at `address`)."""

    def __init__(self, address: str, n_workers: int) -> None:
        # A malformed address is refused before Dask is imported (a fifth of a second
        # on a quiet machine, seconds on a busy one): "at once" means at once.
        problem = scheduler_problem(address) if address else None
        if problem is not None:
            raise ClusterUnreachable(problem)
        for name in _QUIET:
            logging.getLogger(name).setLevel(_SILENT)
        # (as Any: Dask's API has no type hints for a strict checker)
        distributed: Any = importlib.import_module("distributed")

        self.address, self.n_workers = address, n_workers
        self.local: Any = None
        self._scratch: str | None = None
        try:
            if address:
                self.client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S,
                                                 set_as_default=False)
            else:
                # Its workers' scratch space in a folder of ours, removed with it.
                # (the scheduler and nannies made here take theirs from the config)
                self._scratch = tempfile.mkdtemp(prefix="mpgui-dask-")
                config: Any = importlib.import_module("dask.config")
                with config.set({"temporary-directory": self._scratch}):
                    self.local = distributed.LocalCluster(
                        n_workers=n_workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, silence_logs=_SILENT,
                        local_directory=self._scratch,
                        # No dashboard, but the scheduler's HTTP server (health,
                        # metrics) still starts: on port 8787 unless told, with a
                        # "Port 8787 is already in use" warning beside any other
                        # Dask (a notebook's, a second mpgui). Any free port of this
                        # computer only.
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
                self.client = distributed.Client(self.local, set_as_default=False,
                                                 timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:  # (an address is input: any scheme, any text)
            if self.local is not None:
                with contextlib.suppress(Exception):
                    self.local.close()
            self._remove_scratch()
            error = str(exc)
        else:
            return
        # A client that failed half-way is still referred to by the exception's frames:
        # let it go now, while Dask's event loop runs, or its __del__ would wait 12 s
        # for a loop that has stopped when the program ends.
        gc.collect()
        where = shown(address) if address else _("this computer")
        raise ClusterUnreachable(_("cannot reach the Dask scheduler at {address}: "
                                   "{error}").format(address=where, error=error))

    @property
    def ours(self) -> bool:
        """Whether we started it (its workers are our children)."""
        return self.local is not None

    def usable(self, address: str, n_workers: int) -> bool:
        """Whether a run with these settings can use this cluster as it is."""
        return self.address == address and (bool(address) or n_workers == self.n_workers) \
            and self.client.status == "running"

    def workers(self) -> list[tuple[str, str, str]]:
        """Its workers now, as (address, host, name), grouped by host."""
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        return sorted(((a, str(w.get("host", host_of(a))), str(w.get("name", a)))
                       for a, w in info.items()), key=lambda w: (w[1], w[2], w[0]))

    def clock_offsets(self) -> tuple[dict[str, int], int]:
        """Each worker host's clock minus ours (ns), and the largest error of those
        estimates (half the shortest round trip). A worker on this computer shares our
        clock: offset and error 0."""
        me = boot_id()  # (ours; the workers run theirs, by reference)
        boots = self.client.run(dask_task.boot_id)
        offsets, error = {}, 0
        for address, host, _name in self.workers():
            if host in offsets:
                continue
            if me and boots.get(address) == me:
                offsets[host] = 0
                continue
            best: tuple[int, int] | None = None
            for _k in range(_CLOCK_SAMPLES):
                t0 = _now()
                theirs = self.client.run(time.perf_counter_ns, workers=[address])[address]
                t1 = _now()
                if best is None or t1 - t0 < best[0]:
                    best = (t1 - t0, theirs - (t0 + t1) // 2)
            assert best is not None
            offsets[host] = best[1]
            error = max(error, best[0] // 2)
        return offsets, error

    def close(self) -> None:
        """Disconnect; a cluster we started ends, its workers with it."""
        with contextlib.suppress(Exception):  # (a cluster already gone)
            self.client.close(timeout=5)
        if self.local is not None:
            with contextlib.suppress(Exception):
                self.local.close(timeout=5)
        self._remove_scratch()

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


_warm: Cluster | None = None  # the cluster kept between runs, if any
_warm_lock = threading.Lock()
_keep_warm = False


def keep_warm(keep: bool) -> None:
    """Keep the cluster between runs (a window does, and closes it on quit with
    `close_clusters`), or close it after each run (the command line)."""
    global _keep_warm
    _keep_warm = keep


def cluster_for(address: str, n_workers: int) -> Cluster:
    """A connected cluster for a run: the warm one if it suits, else a new one
    (ClusterUnreachable if none can be had)."""
    global _warm
    with _warm_lock:
        if _warm is not None and _warm.usable(address, n_workers):
            return _warm
        if _warm is not None:
            _warm.close()
            _warm = None
        _warm = Cluster(address, n_workers)
        return _warm


def close_clusters() -> None:
    """Close the warm cluster (quitting: nothing of ours is left running)."""
    global _warm
    with _warm_lock:
        if _warm is not None:
            _warm.close()
            _warm = None


def _release(cluster: Cluster) -> None:
    """A run is done with `cluster`: it stays warm, or closes."""
    global _warm
    if _keep_warm and cluster.client.status == "running":
        return
    with _warm_lock:
        if _warm is cluster:
            _warm = None
    cluster.close()


atexit.register(close_clusters)


def check_scheduler(address: str) -> None:
    """Connect to the scheduler at `address` now (kept for the run that follows);
    ClusterUnreachable, saying why, within CONNECT_TIMEOUT_S if it cannot be."""
    cluster_for(address, 0)


# How long a task's future may say it is over before its lane ends without its FINISHED
# event: the future's news and the task's last batch travel by different connections
# (the batch by the scheduler's event log), so the batch may come a little later.
UNREPORTED_END_S = 2.0


class DaskBackend(BackendRuntime):
    """Each row a task on a Dask cluster (see the module). Its workers are lanes of
    their own, grouped by host: a task says which one runs it, as a pool task does."""

    description = DASK

    def __init__(self, runner: RunSide) -> None:
        super().__init__(runner)
        self.cluster: Cluster | None = None
        self.topic = f"mpgui-{uuid.uuid4().hex}"
        self.futures: dict[int, Any] = {}  # by the task's lane
        self._lane_of_key: dict[str, int] = {}
        self._worker_lane: dict[str, int] = {}  # by the worker's name
        self._lane_of_address: dict[str, int] = {}
        self._offsets: dict[str, int] = {}  # per host
        self._inbox: deque[tuple[str, Any]] = deque()  # (kind, message) from Dask's thread
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self.connected = threading.Event()
        self.error: tuple[str, str] | None = None
        self._closing = threading.Lock()
        self._connector: threading.Thread | None = None
        self._stopper: threading.Thread | None = None
        self.closed = False
        self.dropped = 0  # batches under our topic that were not ours to store
        self._over_since: dict[int, int] = {}  # a finished task's lane: when seen so
        self.lost_ends = 0  # tasks whose end was never reported (`_end_unreported`)

    # -- connecting ------------------------------------------------------------------

    def open(self) -> None:
        now = _now()
        for lane in self.runner.worker_lanes:
            self.store.start_called(now, lane)
        self.watch.add(self._wake_r, ("pipe", self))
        self._connector = threading.Thread(target=self._connect, name="mpgui-dask-connect",
                                           daemon=True)
        self._connector.start()

    def _connect(self) -> None:
        """Connect (in a thread of its own: a new cluster takes a second or two), learn
        the workers and their clocks, and greet each."""
        try:
            cluster = self.cluster = cluster_for(self.runner.scheduler,
                                                 len(self.runner.worker_lanes))
            client = cluster.client
            client.subscribe_topic(self.topic, self._on_batch)
            client.subscribe_topic("all", self._on_cluster)
            self._offsets, error = cluster.clock_offsets()
            self.store.info[CLOCK_ERROR] = round(error / 1e6, 3)
            workers = cluster.workers()
            if not workers:
                raise ClusterUnreachable(_("the Dask cluster has no workers"))
            self._lanes_for(workers)
            greeted = client.run(hello, self._worker_lane, cluster.ours,
                                 workers=[address for address, _host, _name in workers])
            for _pid, messages in greeted.values():
                self._inbox.extend(("batch", message) for message in messages)
        except Exception as exc:  # any failure ends the run, saying why
            self.error = (type(exc).__name__, str(exc))
        else:
            self.connected.set()
        with self._closing:
            if self.closed and self.cluster is not None:  # stopped while connecting
                self._unsubscribe(self.cluster)
                _release(self.cluster)
        self._wake()

    def _unsubscribe(self, cluster: Cluster) -> None:
        for topic in (self.topic, "all"):
            with contextlib.suppress(Exception):
                cluster.client.unsubscribe_topic(topic)

    def _lanes_for(self, workers: list[tuple[str, str, str]]) -> None:
        """A lane per worker, in order of host: the run's worker lanes, and more if the
        cluster has more workers than the run expected."""
        lanes = list(self.runner.worker_lanes)
        now = _now()
        while len(lanes) < len(workers):
            k = len(lanes) + 1
            lane = self.store.add_lane(f"worker {k}", f"worker {k}", "worker")
            self.store.start_called(now, lane)
            lanes.append(lane)
        for (address, host, name), lane in zip(workers, lanes, strict=False):
            self._worker_lane[name] = lane
            self._lane_of_address[address] = lane
            self.store.lanes[lane].name = host  # "worker 1 (10.0.0.5)": grouped by host
        for lane in lanes[len(workers):]:  # a remote cluster smaller than the workers box
            self.store.end_lane(lane, now)

    def ready(self) -> bool:
        return self.connected.is_set()

    # -- what Dask's thread hands over -----------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):  # (full: a wake is pending)
            os.write(self._wake_w, b"\0")

    def _on_batch(self, event: Any) -> None:
        """A task's batch, from Dask's event loop: kept for the poll to store."""
        self._inbox.append(("batch", event[1]))
        self._wake()

    def _on_cluster(self, event: Any) -> None:
        """The scheduler's own log: a worker that left takes its tasks with it."""
        msg = event[1]
        if isinstance(msg, dict) and msg.get("action") in ("remove-worker", "add-worker"):
            self._inbox.append(("cluster", msg))
            self._wake()

    def read(self, source: Any) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.read(self._wake_r, 4096)
        while self._inbox:
            what, msg = self._inbox.popleft()
            if what == "batch":
                self._store_message(msg)
            else:
                self._cluster_changed(msg)

    def _store_message(self, msg: Any) -> None:
        """A message under our topic: (a worker's address, [batch, ...])."""
        try:
            address, batches = msg
            if not isinstance(batches, (list, tuple)):  # (msgpack gives tuples)
                raise TypeError(type(batches))
        except Exception:  # (not ours: dropped, counted)
            self.dropped += 1
            return
        for batch in batches:
            self._store_batch(address, batch)

    def _store_batch(self, address: Any, batch: Any) -> None:
        """One task's (or worker's) batch, on our clock. Anyone on the cluster can log
        under our topic: what is not a batch of ours is dropped (and counted)."""
        try:
            lane, events, line_t, text = batch
            if not isinstance(lane, int) or not 0 < lane < len(self.store.lanes) \
                    or not isinstance(line_t, bytes) or not isinstance(text, bytes):
                raise ValueError(lane)
            offset = self._offsets.get(host_of(str(address)), 0)
            events = [(int(k), int(t) - offset, a, b) for k, t, a, b in events]
            if offset:
                times = array("q")
                times.frombytes(line_t)
                line_t = array("q", (t - offset for t in times)).tobytes()
            self.store.ingest(0, (lane, events, line_t, text), shared=True)
        except Exception:  # (a malformed batch: the run goes on without it)
            self.dropped += 1

    def _cluster_changed(self, msg: dict[str, Any]) -> None:
        """A worker left: its lane waits for its replacement, and each task it ran goes
        back to the queue (the scheduler runs it again: a retry)."""
        if msg.get("action") != "remove-worker":
            return
        now = _now()
        worker = self._lane_of_address.get(str(msg.get("worker", "")))
        if worker is not None:
            self.store.set_state(worker, now, State.STARTING)
        for key in msg.get("processing-tasks", ()):
            lane = self._lane_of_key.get(str(key))
            ln = self.store.lanes[lane] if lane is not None else None
            # (a task only queued at that worker goes to another one: nothing was lost)
            if ln is None or ln.finish_t is not None or ln.started_t is None \
                    or ln.state == State.QUEUED:
                continue
            record_retry(self.store, ln.index, now, worker)
            self.store.set_state(ln.index, now, State.QUEUED)

    # -- the main program's calls ----------------------------------------------------

    def start(self, c: Child) -> None:
        now = _now()
        self.store.start_called(now, c.lane)
        self.store.set_state(c.lane, now, State.QUEUED)
        c.started = True
        assert self.cluster is not None, "the main program starts rows once ready()"
        key = f"{c.inst.var}-{self.topic}"
        self._lane_of_key[key] = c.lane
        lanes = dict(self._worker_lane)
        try:
            self.futures[c.lane] = self.cluster.client.submit(
                run_task, c.lane, self.runner.task_of(c), self.topic, lanes, key=key,
                pure=False)
        except Exception as exc:  # the cluster has gone
            self._failed(c, type(exc).__name__, str(exc))

    def _failed(self, c: Child, kind: str, why: str) -> None:
        """The task `c` ended without running to its end (Dask gave up on it)."""
        ln = self.store.lanes[c.lane]
        if ln.error is None:
            ln.error = (kind, why, "")
        self.store.exited(_now(), c.lane, 1)
        c.done = True

    def reap(self) -> None:
        if self.error is not None and not self.closed:
            kind, why = self.error
            self.error = None
            self.runner.fail(kind, why)
            return
        cluster = self.cluster
        if cluster is not None and self.connected.is_set() and not self.closed \
                and self._stopper is None and cluster.client.status != "running":
            self.runner.fail("ConnectionError", _("the Dask cluster went away in the middle "
                                                  "of the run (its scheduler no longer "
                                                  "answers)"))
            return
        self._finish_reported()
        for c in self.children:
            future = self.futures.get(c.lane)
            if c.running and future is not None and future.status in ("error", "cancelled"):
                self.read(self)  # (what it said before it failed)
                if not c.running:
                    continue
                why = _("the task was cancelled") if future.status == "cancelled" else \
                    str(future.exception(timeout=1))
                self._failed(c, "KilledWorker" if "KilledWorker" in why or
                             future.status == "error" else "CancelledError", why)
        self._end_unreported()

    def _end_unreported(self) -> None:
        """A task's end is its FINISHED event, sent with its last batch. If that batch
        never comes (lost, or refused as malformed), the task's future still says it is
        over: after `UNREPORTED_END_S`, its lane ends where that was first seen, with
        the task's result as its exit code — the run does not wait for ever."""
        now = _now()
        for c in self.children:
            future = self.futures.get(c.lane)
            if not c.running or future is None or future.status != "finished":
                continue
            since = self._over_since.setdefault(c.lane, now)
            if now - since < UNREPORTED_END_S * 1e9:
                continue
            self.read(self)  # (the last batch, if it came after all)
            self._finish_reported()
            if not c.running:
                continue
            try:
                code = future.result(timeout=1)
            except Exception:  # (the result is gone with its worker: not known)
                code = None
            self.lost_ends += 1
            self.store.exited(since, c.lane, code if isinstance(code, int) else None)
            c.done = True
            # (its worker's WAITING went with that batch too: said here, unless the
            # worker runs another task)
            host = self.store.lanes[c.lane].host
            if host is not None and not any(
                    o.running and self.store.lanes[o.lane].host == host
                    for o in self.children):
                self.store.set_state(host, self.store.after_open_span(host, since),
                                     State.WAITING)


    def alive(self) -> bool:
        if self._stopper is not None:  # stopping: until the workers are gone
            return self._stopper.is_alive()
        return not self.closed

    def end_program(self) -> None:
        pass  # every task is waited for: `ended` says when

    def ended(self) -> bool:
        self.reap()
        return all(not c.running for c in self.children)

    # -- stopping --------------------------------------------------------------------

    def request_stop(self) -> None:
        """Cancel the tasks; a task already running on a cluster we started ends with
        its worker (the cluster is closed), one on another cluster runs on there."""
        cluster = self.cluster
        if cluster is None or self._stopper is not None:
            return
        futures = list(self.futures.values())
        running = any(c.running for c in self.children)
        pids = self.pids()

        def stop() -> None:
            with contextlib.suppress(Exception):
                cluster.client.cancel(futures, force=True)
            self._unsubscribe(cluster)
            if cluster.ours and running:  # (a task's thread cannot be interrupted)
                global _warm
                with _warm_lock:
                    if _warm is cluster:
                        _warm = None
                # Its nannies wait seconds for a busy worker to close: closing, they no
                # longer restart a worker, so the workers are killed at once.
                closer = threading.Thread(target=cluster.close, daemon=True)
                closer.start()
                closer.join(0.05)
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
                closer.join(10)
            self._wake()

        self._stopper = threading.Thread(target=stop, name="mpgui-dask-stop", daemon=True)
        self._stopper.start()
        self._take_down()

    def kill(self) -> None:
        self.request_stop()
        if self._stopper is not None:
            self._stopper.join(10)

    def close(self) -> None:
        with self._closing:  # (a connection still being made releases itself)
            if self.closed:
                return
            self.closed = True
            cluster = self.cluster if self.connected.is_set() else None
        if cluster is not None:
            with contextlib.suppress(Exception):
                self.read(self)
            self._unsubscribe(cluster)
            self._take_down()
            if self._stopper is not None:
                self._stopper.join(10)
            else:
                _release(cluster)
        now = _now()
        for lane in set(self.runner.worker_lanes) | set(self._worker_lane.values()):
            if self.store.lanes[lane].end_t is None:
                self.store.exited(now, lane, 0 if self._stopper is None else TAKEN_DOWN)
        self.watch.remove(self._wake_r)
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        super().close()

    def pids(self) -> list[int]:
        lanes = set(self._worker_lane.values())
        return [pid for lane in lanes if (pid := self.store.lanes[lane].pid) is not None]


BACKEND_CLASSES[DASK] = DaskBackend
