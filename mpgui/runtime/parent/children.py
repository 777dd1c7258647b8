"""A run's rows as the parent keeps them (`Child`), and what a backend needs of the run
that owns them (`RunSide`).

Its own module so that the Runner and the backends both import it and neither imports
the other: the Runner makes a backend and hands itself over as a `RunSide`.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, Protocol

from mpgui.model.instances import Instance

if TYPE_CHECKING:
    from mpgui.runtime.child.shared_objects import ObjectSpec
    from mpgui.runtime.parent.watch import Watch
    from mpgui.runtime.store.trace import TraceStore

# Exit code recorded for a thread or task that its process took with it (killed, or a
# daemon thread when the script ended): as for a terminated process.
TAKEN_DOWN = -signal.SIGTERM if hasattr(signal, "SIGTERM") else -15


@dataclass
class Child:
    """One row's instance as it runs: a process, a thread or a pool task."""

    inst: Instance
    lane: int
    started: bool = False
    process: BaseProcess | None = None  # processes backend only
    conn: Connection | None = None
    pid: int | None = None  # kept: a closed Process object no longer tells it
    eof: bool = False  # the child closed its end of the pipe
    done: bool = False  # ended, everything it sent read, recorded

    @property
    def running(self) -> bool:
        """Started and not yet done."""
        return self.started and not self.done


class RunSide(Protocol):
    """What a backend uses of the run it serves (the Runner is one)."""

    store: TraceStore
    watch: Watch
    ctx: Any  # the multiprocessing context of the run's start method
    start_method: str
    children: dict[str, Child]
    main_lane: int
    worker_lanes: list[int]  # a pool's workers' lanes (none for other backends)
    # The scenario's shared objects as plain data: (name, kind, parameters).
    object_specs: list[ObjectSpec]
    scheduler: str  # the Dask scheduler's address ("" for a cluster on this computer)

    @property
    def child_target(self) -> Callable[..., None]:
        """What a child process runs: child_main(conn, task[, shared]), or a stand-in
        that speaks the same protocol. (Read-only here: the Runner's is a
        staticmethod.)"""
        ...

    def task_of(self, c: Child) -> dict[str, Any]:
        """What `c` runs, as plain data for the child."""
        ...

    def fail(self, kind: str, why: str) -> None:
        """The backend cannot go on: the run ends, saying why."""
        ...
