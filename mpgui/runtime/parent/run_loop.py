"""What every runner has in common: a non-blocking core (``start``, ``poll``, ``wait``,
``request_stop``, ``status``) and, built on it once here, the blocking ``run()`` and
``stop()`` a terminal program uses, the context manager that leaves nothing behind —
and, for a process that exits with a run still on, a stop at its exit.
"""

from __future__ import annotations

import atexit
import multiprocessing.util  # noqa: F401  (registers its exit function before ours)
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Self

from mpgui.runtime.session.run import Status

if TYPE_CHECKING:
    from mpgui.runtime.parent.others import OthersSampler
    from mpgui.runtime.store.deadlock import Deadlock

STOP_GRACE_S = 1.0
EXIT_GRACE_S = 0.5  # at exit, a child has this long to end on SIGTERM before SIGKILL


class RunLoop:
    """Base of the Runner (scenarios) and the ScriptRunner (the user's scripts)."""

    status: Status = Status.READY
    deadlock: Deadlock | None = None  # processes of the run caught waiting for each other
    # The last poll ran out of time with reports still unread: the window draws less
    # often until it has caught up (`RunController`).
    behind: bool = False
    others_sampler: OthersSampler | None = None  # other programs' CPU time, if measured

    def start(self) -> None:
        raise NotImplementedError

    def drawing(self, on: bool) -> None:
        """The window begins (`on`) or ends drawing a frame: what the run does in the
        background meanwhile (reading the other programs' CPU time) waits for it."""
        if self.others_sampler is not None:
            self.others_sampler.hold(on)

    def poll(self, budget_s: float = 0.004) -> None:
        raise NotImplementedError

    def wait(self, timeout: float) -> None:
        raise NotImplementedError

    def request_stop(self, grace_s: float = STOP_GRACE_S) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def stopped_at_exit(self) -> None:
        """Have this run stopped if the process exits while it is on (called when it
        starts)."""
        _on.add(self)

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def done(self) -> bool:
        """True once the run finished or was stopped."""
        return self.status.ended

    def run(self, on_poll: Callable[[], object] | None = None,
            poll_timeout: float = 0.05) -> None:
        """Start if needed and run to the end, blocking; `on_poll()` after each poll."""
        if self.status is Status.READY:
            self.start()
        while not self.done:
            self.wait(poll_timeout)
            self.poll(budget_s=0.02)
            if on_poll is not None:
                on_poll()

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop and wait until everything of the run is gone. Safe to call repeatedly."""
        self.request_stop(grace_s)
        while self.status is Status.STOPPING:
            self.wait(0.01)
            self.poll()


# Runs begun in this process and not yet collected.
_on: weakref.WeakSet[RunLoop] = weakref.WeakSet()


def _stop_runs_on() -> None:
    """The process is exiting with a run still on — the window's display went away, a
    signal ended the event loop, a program embedding a Runner returned without stopping
    it: stop each run now. Left running, its children would outlive mpgui, and
    multiprocessing's own exit function (which atexit runs after this one: it was
    registered first) joins every child it started — for ever, for a child that never
    ends, such as one in a deadlock."""
    for run in list(_on):
        if not run.done:
            try:
                run.stop(EXIT_GRACE_S)
            except Exception:  # (at exit: the next run must still be stopped)
                continue


atexit.register(_stop_runs_on)
