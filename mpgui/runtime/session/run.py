"""What every kind of run is to the window and the command line: a scenario's run (the
Runner), a traced script (the ScriptRunner) and a replay of a recorded run (Replay).

The `Run` protocol declares it; what differs between the kinds — what a run is called,
how it ran, whether there is a prediction to draw under it, what the explanation pane
says, what the session keeps of it — is asked of the run, never decided by its class.
`Status` is a run's life (a StrEnum: printed and compared, it is the plain word it
always was), and `run_sentence` is the one "… finished in 1.234 s (…)" sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from mpgui.i18n import _
from mpgui.model.backend import DEFAULT_BACKEND
from mpgui.model.scenario import About
from mpgui.runtime.store.trace import TraceStore

if TYPE_CHECKING:
    from mpgui.runtime.session.record import RunRecord
    from mpgui.runtime.store.deadlock import Deadlock


class Status(StrEnum):
    """A run's life: ready -> running [-> stopping] -> finished | stopped."""

    READY = "ready"
    RUNNING = "running"
    STOPPING = "stopping"  # asked to stop; its processes are being ended
    FINISHED = "finished"  # it came to its end by itself
    STOPPED = "stopped"  # it was stopped (or could not start)

    @property
    def ended(self) -> bool:
        """Finished or stopped: nothing of the run is left to happen."""
        return self in (Status.FINISHED, Status.STOPPED)


@runtime_checkable
class Run(Protocol):
    """One run, as the window and the command line use it."""

    store: TraceStore  # everything measured so far
    status: Status
    deadlock: Deadlock | None  # processes caught waiting for each other, once found

    @property
    def done(self) -> bool:
        """True once the run finished or was stopped."""
        ...

    @property
    def label(self) -> str:
        """What the status bar calls the run: "Run", the script's file name, …"""
        ...

    @property
    def name(self) -> str:
        """What the run shows: the scenario's name, the script's file name."""
        ...

    def start(self) -> None:
        """Begin (once)."""
        ...

    def poll(self, budget_s: float = ...) -> None:
        """Do what is due now, spending about `budget_s` at most; never blocks."""
        ...

    def request_stop(self, grace_s: float = ...) -> None:
        """Begin stopping without blocking (``poll()`` goes on with it)."""
        ...

    def stop(self, grace_s: float = ...) -> None:
        """Stop and wait until everything of the run is gone."""
        ...

    def details(self) -> list[str]:
        """How it ran, in the words of `run_sentence`: ["speed 1", "spawn"], ["exit
        code 0"]."""
        ...

    def plan(self) -> TraceStore | None:
        """The prediction to draw under it (None: nothing could be predicted)."""
        ...

    def about(self) -> About:
        """What the explanation pane says while the run is shown."""
        ...

    def as_record(self) -> RunRecord:
        """What the session keeps of the run, once it is over."""
        ...


@runtime_checkable
class LiveRun(Run, Protocol):
    """A run of real processes (a scenario's or a script's): it can be waited for
    from a terminal, and it knows its processes."""

    steps_pending: bool  # poll again at once: main-program steps are left over
    behind: bool  # the last poll ran out of time with reports of the processes unread

    def wait(self, timeout: float) -> None:
        """Block up to `timeout` s until something of the run needs a poll."""
        ...

    def run(self, on_poll: Callable[[], object] | None = None,
            poll_timeout: float = 0.05) -> None:
        """Start if needed and run to the end, blocking."""
        ...

    def pids(self) -> list[int]:
        """Process ids of every process of the run started so far."""
        ...

    def drawing(self, on: bool) -> None:
        """The window begins (`on`) or ends drawing a frame (the run's work in the
        background waits meanwhile)."""
        ...


def how_it_ran(speed: float, start_method: str, backend: str) -> list[str]:
    """A scenario run's settings as words: ["speed 1", "spawn"], with the backend when
    its rows did not run as processes: ["speed 2", "fork", "threads"]."""
    return [_("speed {speed:g}").format(speed=speed), start_method] + (
        [] if backend == DEFAULT_BACKEND else [backend])


def run_sentence(subject: str, stopped: bool, seconds: float, details: list[str],
                 extra: str = "") -> str:
    """The one sentence that says how a run went: "Run finished in 1.234 s (speed 1,
    spawn)", "work.py stopped after 0.500 s (exit code -15)"; `extra` goes inside the
    brackets, after the details ("; this computer has 8 CPUs")."""
    how = ", ".join(details) + extra
    if stopped:
        return _("{subject} stopped after {seconds:.3f} s ({how})").format(
            subject=subject, seconds=seconds, how=how)
    return _("{subject} finished in {seconds:.3f} s ({how})").format(
        subject=subject, seconds=seconds, how=how)
