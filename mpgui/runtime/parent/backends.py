"""What runs the rows of the table: processes, threads in one host process, or the
tasks of a process pool. The Runner plays the main program the same way for all three;
a backend does the starting, reading, reaping and stopping.

Every backend reports through the same event protocol into the same trace store:
processes over a pipe each, threads and pool workers over one shared pipe whose
batches name their lanes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, ClassVar

from mpgui.i18n import _
from mpgui.model.backend import POOL, PROCESSES, THREADS, Backend
from mpgui.runtime.child.threads_host import host_main
from mpgui.runtime.parent.children import TAKEN_DOWN, Child, RunSide
from mpgui.runtime.protocol import State

__all__ = ["TAKEN_DOWN", "BackendRuntime", "Child", "backend_class"]

_now = time.perf_counter_ns
SWEEP_NS = 250_000_000  # how often `ProcessesBackend.reap` asks every child whether it ended


class BackendRuntime:
    """The part of a run that depends on what runs the rows: the runtime side of a
    backend, whose `description` (a `mpgui.model.backend.Backend`) says the rest."""

    description: ClassVar[Backend]

    def __init__(self, runner: RunSide) -> None:
        self.runner = runner
        self.store = runner.store
        self.watch = runner.watch
        self.ctx = runner.ctx
        # The shared objects made in this process, by name, and the Manager that keeps
        # a Manager's dicts and lists (`_make_objects`; shut down by `close`).
        self.objects: dict[str, Any] = {}
        self.manager: Any = None

    @property
    def name(self) -> str:
        """The backend's name ("processes")."""
        return self.description.name

    @property
    def can_terminate(self) -> bool:
        """X.terminate() exists (processes only)."""
        return self.description.can_terminate

    @property
    def children(self) -> list[Child]:
        return list(self.runner.children.values())

    def open(self) -> None:
        """The run begins (before the first step)."""

    def ready(self) -> bool:
        """Whether the main program can go on (a host may still be starting)."""
        return True

    def start(self, c: Child) -> None:
        """X.start()."""
        raise NotImplementedError

    def terminate(self, c: Child) -> None:
        """X.terminate()."""

    def read(self, source: Any) -> None:
        """Read one batch from `source`, a watched pipe that is readable."""
        raise NotImplementedError

    def reap(self) -> None:
        """Record the children that ended."""

    def alive(self) -> bool:
        """Whether anything of this run still runs."""
        return any(c.running for c in self.children)

    def close(self) -> None:
        """The run is over: release what `open` made that outlives the children."""
        if self.manager is not None:  # its server process ends with the run
            self.manager.shutdown()
            self.manager = None

    def _make_objects(self) -> None:
        """Make the run's shared objects in this process (`objects`, by name), and the
        Manager that keeps a Manager's dicts and lists (`manager`), if any."""
        specs = self.runner.object_specs
        if specs:
            from mpgui.runtime.child.shared_objects import make_for_processes
            self.objects, self.manager = make_for_processes(self.ctx, specs)

    def end_program(self) -> None:
        """The main program has ended and joined what it joins."""

    def ended(self) -> bool:
        """Whether everything has ended since `end_program()`."""
        return True

    def request_stop(self) -> None:
        """Stop everything, politely (SIGTERM)."""

    def kill(self) -> None:
        """Stop what did not stop politely (SIGKILL), and wait for it."""

    def pids(self) -> list[int]:
        """Every process this run started."""
        return [c.pid for c in self.children if c.pid is not None]

    def _read_from(self, conn: Connection, lane: int, shared: bool) -> bool:
        """One batch from `conn` into the store; False at the end of the pipe."""
        try:
            self.store.ingest(lane, conn.recv(), shared)
        except (EOFError, OSError):
            self.watch.remove(conn)
            return False
        return True

    def _finish_reported(self) -> None:
        """Threads and tasks end when they say so: their lane got FINISHED."""
        for c in self.children:
            if c.running:
                ln = self.store.lanes[c.lane]
                if ln.finish_t is not None:
                    self.store.exited(_now(), c.lane, ln.finish_code
                                      if isinstance(ln.finish_code, int) else 0)
                    c.done = True

    def _take_down(self) -> None:
        """The process that ran threads or tasks is gone: so are they."""
        now = _now()
        for c in self.children:
            if c.running:
                self.store.exited(now, c.lane, TAKEN_DOWN)
                c.done = True


class ProcessesBackend(BackendRuntime):
    """Each row a ``multiprocessing.Process`` with a pipe of its own."""

    description = PROCESSES

    def __init__(self, runner: RunSide) -> None:
        super().__init__(runner)
        self._sweep_at = 0  # when `reap` next asks every child, not only the ended ones

    def open(self) -> None:
        super().open()
        self._make_objects()  # before any row starts, as the script's main block does

    def start(self, c: Child) -> None:
        r = self.runner
        task = r.task_of(c)
        rd, wr = self.ctx.Pipe(duplex=False)
        uses = task["uses"]
        shared = ({role: (name, self.objects[name]) for role, name in uses.items()},) \
            if uses else ()
        process = self.ctx.Process(target=r.child_target, args=(wr, task, *shared),
                                   name=c.inst.name, daemon=c.inst.spec.daemon)
        self.store.start_called(_now(), c.lane)
        c.started = True
        try:
            process.start()
        except Exception as exc:  # e.g. out of processes or file descriptors
            rd.close()
            wr.close()
            self.store.lanes[c.lane].error = (
                type(exc).__name__, _("could not start: {error}").format(error=exc), "")
            self.store.end_lane(c.lane, _now())
            c.done = True
            return
        wr.close()  # the child holds the write end now; ours would hide its EOF
        if r.start_method != "spawn" and hasattr(os, "sched_yield"):
            # A forked child waits for the CPU its parent keeps; let it begin now, as
            # it would if the parent blocked in join() or recv() at once.
            os.sched_yield()
        c.process, c.conn, c.pid = process, rd, process.pid
        self.watch.add(rd, ("pipe", c))
        self.watch.add(process.sentinel, ("exit", c))

    def terminate(self, c: Child) -> None:
        if c.running and c.process is not None and c.process.is_alive():
            c.process.terminate()

    def read(self, source: Any) -> None:
        c: Child = source
        assert c.conn is not None, "a started process's pipe is watched, not a closed one"
        if not self._read_from(c.conn, c.lane, shared=False):
            c.eof = True

    def reap(self) -> None:
        now = _now()
        if now < self._sweep_at:
            # Only the children whose sentinel says they ended: asking each child's exit
            # code is a system call (or, under forkserver, a selector) per child, ~0.5 ms
            # a poll with 256 children.
            ended = [c for kind, c in self.watch.ready(0) if kind == "exit"]
        else:
            # Now and then every child: a sentinel stays open while a process the child
            # forked still holds it, though the child itself has ended.
            self._sweep_at = now + SWEEP_NS
            ended = self.children
        for c in ended:
            if c.running and c.process is not None and c.process.exitcode is not None:
                self._finish(c)

    def _finish(self, c: Child) -> None:
        """`c` has exited: read the rest of its pipe, record the exit, release it."""
        conn, process = c.conn, c.process
        assert conn is not None and process is not None, "only a started process finishes"
        while not c.eof and conn.poll():
            self.read(c)
        code = process.exitcode
        self.store.exited(_now(), c.lane, code if code is not None else -9)
        self.watch.remove(conn)
        self.watch.remove(process.sentinel)
        conn.close()
        process.close()
        c.done = True

    def end_program(self) -> None:
        pass  # the Runner terminated the daemons before the implicit joins

    def request_stop(self) -> None:
        for c in self.children:
            self.terminate(c)

    def kill(self) -> None:
        alive = [(c, c.process) for c in self.children if c.running and c.process is not None]
        for _c, process in alive:
            if process.is_alive():
                process.kill()
        for c, process in alive:
            process.join(5)
            self._finish(c)


class ThreadsBackend(BackendRuntime):
    """Each row a ``threading.Thread`` in one host process (`threads_host`)."""

    description = THREADS

    def __init__(self, runner: RunSide) -> None:
        super().__init__(runner)
        self.host: BaseProcess | None = None
        self.conn: Connection | None = None
        self.eof = False
        self.exited = False
        self.host_pid: int | None = None  # kept: a closed Process no longer tells it

    @property
    def pipe(self) -> Connection:
        """The pipe to the host, which open() made before any other call."""
        assert self.conn is not None, "the threads backend is not open"
        return self.conn

    def open(self) -> None:
        # The script's process: the main program runs in it, so it starts first.
        main = self.runner.main_lane
        self.store.set_state(main, _now(), State.STARTING)
        self.conn, theirs = self.ctx.Pipe(duplex=True)
        self.host = self.ctx.Process(target=host_main,
                                     args=(theirs, main, self.runner.object_specs),
                                     name="mpgui threads host", daemon=True)
        self.host.start()
        self.host_pid = self.host.pid
        theirs.close()
        self.watch.add(self.conn, ("pipe", self))
        self.watch.add(self.host.sentinel, ("exit", self))

    def ready(self) -> bool:
        return self.store.lanes[self.runner.main_lane].started_t is not None

    def start(self, c: Child) -> None:
        self.store.start_called(_now(), c.lane)
        c.started = True
        with contextlib.suppress(OSError):  # the host is gone; reap() records it
            self.pipe.send(("start", c.lane, self.runner.task_of(c),
                            bool(c.inst.spec.daemon)))

    def read(self, source: Any) -> None:
        if not self._read_from(self.pipe, 0, shared=True):
            self.eof = True

    def reap(self) -> None:
        self._finish_reported()
        if self.host is not None and not self.exited and self.host.exitcode is not None:
            while not self.eof and self.pipe.poll():
                self.read(self)
            self._finish_reported()
            self._take_down()
            self.exited = True
            self.watch.remove(self.conn)
            self.watch.remove(self.host.sentinel)
            self.pipe.close()
            self.host.close()

    def alive(self) -> bool:
        return self.host is not None and not self.exited

    def end_program(self) -> None:
        with contextlib.suppress(OSError):
            self.pipe.send(("end",))

    def ended(self) -> bool:
        self.reap()
        return self.exited

    def request_stop(self) -> None:
        if self.host is not None and not self.exited and self.host.is_alive():
            self.host.terminate()

    def kill(self) -> None:
        if self.host is not None and not self.exited:
            if self.host.is_alive():
                self.host.kill()
            self.host.join(5)
        self.reap()

    def pids(self) -> list[int]:
        return [self.host_pid] if self.host_pid else []


class PoolBackend(BackendRuntime):
    """Each row a task of a ``multiprocessing.Pool``: start() submits it with
    apply_async, join() waits for it. The workers are lanes of their own."""

    description = POOL

    def __init__(self, runner: RunSide) -> None:
        super().__init__(runner)
        self.pool: Any = None
        self.conn: Connection | None = None
        self._theirs: Connection | None = None
        self._closer: threading.Thread | None = None  # pool.join() or pool.terminate()
        self._code = 0  # the workers' exit code once the closer is done
        self.closed = False

    @property
    def worker_lanes(self) -> list[int]:
        return self.runner.worker_lanes

    def open(self) -> None:
        from mpgui.runtime.child.pool_worker import worker_init  # the pool's workers import it

        now = _now()
        for lane in self.worker_lanes:
            self.store.start_called(now, lane)
        # Before the pool, as the script makes them: its Manager's server process is
        # then the first process made, and the workers' names count on from it.
        self._make_objects()  # (a Manager's only: validation refuses the others)
        self.conn, self._theirs = self.ctx.Pipe(duplex=False)
        # Kept open: the pool pickles it again for a worker that replaces another.
        lock, counter = self.ctx.Lock(), self.ctx.Value("i", 0)
        self.pool = self.ctx.Pool(len(self.worker_lanes), initializer=worker_init,
                                  initargs=(self._theirs, lock, counter, self.worker_lanes))
        self.watch.add(self.conn, ("pipe", self))

    def start(self, c: Child) -> None:
        from mpgui.runtime.child.pool_worker import run_task

        now = _now()
        self.store.start_called(now, c.lane)
        self.store.set_state(c.lane, now, State.QUEUED)
        c.started = True
        task = self.runner.task_of(c)
        # (a Manager's proxies are pickled for the task: each worker reaches the manager)
        shared = {role: (name, self.objects[name]) for role, name in task["uses"].items()}
        self.pool.apply_async(run_task, (c.lane, task, shared))

    def read(self, source: Any) -> None:
        assert self.conn is not None, "the pool's pipe is read only while the pool is open"
        self._read_from(self.conn, 0, shared=True)

    def reap(self) -> None:
        self._finish_reported()

    def end_program(self) -> None:
        # pool.close() then pool.join(), as the script ends; join() takes up to 0.1 s
        # (the pool's own thread looks every 0.1 s), so it waits in a thread of its own.
        self.pool.close()
        self._close_with(self.pool.join, 0)

    def ended(self) -> bool:
        return not self.alive()

    def alive(self) -> bool:
        if self._closer is not None and not self._closer.is_alive():
            self._release(self._code)
        return self.pool is not None and not self.closed

    def request_stop(self) -> None:
        if self.pool is not None and self._closer is None:
            self._close_with(self.pool.terminate, TAKEN_DOWN)

    def kill(self) -> None:
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
        if self._closer is not None:
            self._closer.join(5)
        self._release(TAKEN_DOWN)

    def _close_with(self, how: Any, code: int) -> None:
        self._code = code
        self._closer = threading.Thread(target=how, name="mpgui-pool-close", daemon=True)
        self._closer.start()

    def _release(self, code: int) -> None:
        """The pool has ended: its workers' lanes end, and what they ran."""
        if self.closed or self.conn is None:
            self.closed = True
            return
        while self.conn.poll():
            self.read(self)
        self._finish_reported()
        self._take_down()
        now = _now()
        for lane in self.worker_lanes:
            self.store.exited(now, lane, code)
        self.watch.remove(self.conn)
        self.conn.close()
        if self._theirs is not None:  # (open() made both ends)
            self._theirs.close()
        self.pool = None  # its queues' semaphores go with it
        self.closed = True

    def pids(self) -> list[int]:
        pids = (self.store.lanes[lane].pid for lane in self.worker_lanes)
        return [pid for pid in pids if pid is not None]


# Each backend's runtime class, registered against its description: a new backend is
# one record in `mpgui.model.backend` and one class here.
BACKEND_CLASSES: dict[Backend, type[BackendRuntime]] = {
    b.description: b for b in (ProcessesBackend, ThreadsBackend, PoolBackend)}


# Backends whose class lives in a module of its own, imported when a run needs it (it
# registers itself in BACKEND_CLASSES): what they need is not always installed.
_MODULES = {"dask": "mpgui.runtime.parent.dask_backend"}


def backend_class(description: Backend) -> type[BackendRuntime]:
    """The class that runs rows as `description` says; LookupError for a backend that
    has a record but nothing here to run it."""
    if description not in BACKEND_CLASSES and description.name in _MODULES:
        import importlib

        importlib.import_module(_MODULES[description.name])
    try:
        return BACKEND_CLASSES[description]
    except KeyError:
        raise LookupError(f"the {description.name} backend has no runtime class: add one "
                          "to mpgui.runtime.parent.backends.BACKEND_CLASSES") from None
