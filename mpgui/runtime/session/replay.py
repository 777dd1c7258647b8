"""A replay of a recorded run: its clock played back at any speed, paused, or moved to
any moment — a `run.Run` whose store is the record's and whose "now" is `position`.

No Qt here: the window's ReplayController polls it from a timer and tells the chart
and the console where the clock is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mpgui.i18n import _
from mpgui.model.scenario import About
from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.session.run import Status
from mpgui.runtime.store.trace import TraceStore


class Replay:
    """Plays `record` back once; stopping it (closing the replay) ends it."""

    def __init__(self, record: RunRecord, speed: float = 1.0,
                 clock: Callable[[], int] = time.perf_counter_ns) -> None:
        store = record.store
        self.record = record
        self.store: TraceStore = store
        self.status = Status.READY
        self.deadlock = None  # (found while it ran, if so: the record does not keep it)
        self.duration = max(0, (store.t_end or store.t0 or 0) - (store.t0 or 0))
        self.position = 0  # ns since the run began
        self.speed = speed  # how many times as fast as the run happened
        self.playing = False
        self._clock = clock
        self._last = 0

    # -- the Run protocol ----------------------------------------------------------------

    @property
    def done(self) -> bool:
        """True once the replay was closed."""
        return self.status.ended

    @property
    def label(self) -> str:
        """What the status bar calls it."""
        return _("Replaying run {number}").format(number=self.record.number)

    @property
    def name(self) -> str:
        """The recorded run's name."""
        return self.record.name

    def start(self) -> None:
        """Play from the beginning."""
        if self.status is not Status.READY:
            raise RuntimeError("a Replay plays its run once; make a new one")
        self.status = Status.RUNNING
        self.position = 0
        self.play()

    def poll(self, budget_s: float = 0.0) -> None:
        """Move the clock on by the time since the last poll, times the speed; at the
        end, pause there."""
        if not self.playing:
            return
        now = self._clock()
        step = int((now - self._last) * self.speed)
        self._last = now
        self.seek(self.position + step)
        if self.position >= self.duration:
            self.pause()

    def request_stop(self, grace_s: float = 0.0) -> None:
        """End the replay, the clock at the end (the whole run shown)."""
        if self.done:
            return
        self.playing = False
        self.seek(self.duration)
        self.status = Status.STOPPED

    def stop(self, grace_s: float = 0.0) -> None:
        """The same as request_stop: nothing to wait for."""
        self.request_stop(grace_s)

    def details(self) -> list[str]:
        """How the recorded run ran."""
        return self.record.details()

    def plan(self) -> TraceStore | None:
        """The recorded run's prediction."""
        return self.record.plan()

    def about(self) -> About:
        """The recorded scenario's explanation."""
        return self.record.scenario.about

    def as_record(self) -> RunRecord:
        """The record it plays (a replay adds no run to the session)."""
        return self.record

    # -- the clock -----------------------------------------------------------------------

    def play(self) -> None:
        """Play on (from the beginning again if it was at the end)."""
        if self.status is not Status.RUNNING:
            return
        if self.position >= self.duration:
            self.seek(0)
        self.playing = True
        self._last = self._clock()

    def pause(self) -> None:
        """Hold the clock where it is."""
        self.playing = False

    def seek(self, position: int) -> None:
        """Jump to `position` ns since the run began."""
        self.position = min(max(0, position), self.duration)
