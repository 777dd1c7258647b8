"""The one interpreter of the parent's main program: what its steps mean, in order.

``X.start()``, ``X.join()`` and ``X.join(timeout=S)``, ``X.terminate()`` and
``time.sleep(S)``, one after the other; then the end of the script as Python does it:
the daemonic rows still running terminated (when the backend can terminate them;
daemon threads are left to end with the process), every other row started joined in
start order, and the backend closed (a pool's ``close()`` and ``join()``).

The interpreter decides *what* happens and *when the program may go on*; an `Effects`
object does it. The Runner's effects start real children and read real clocks; the
prediction's effects move simulated processes along a simulated clock. Neither blocks:
`MainProgram.advance` executes steps until one has to wait, and is called again once
something may have changed (a child ended, a deadline came).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from mpgui.model.backend import DaemonsAtEnd
from mpgui.model.scenario import Step

Deadline = float  # a point in the effects' own time (the Runner's are nanoseconds)


class Effects(Protocol):
    """What executing the main program does: the Runner's real effects, or the
    prediction's simulated ones. Rows are named by their variable ("A", "W[0]")."""

    def ready(self) -> bool:
        """Whether the program may go on at all (a threads host may still be starting)."""
        ...

    def pause(self) -> bool:
        """Whether to stop executing steps for now although none waits (the Runner
        spends a bounded time per poll); `advance` is called again later."""
        ...

    def start(self, row: str) -> None:
        """``row.start()``."""
        ...

    def terminate(self, row: str, at_end: bool) -> None:
        """``row.terminate()``: a step, or a daemon at the end of the script (`at_end`)."""
        ...

    def done(self, row: str) -> bool:
        """Whether `row` has ended (and, for a real child, everything it sent is read)."""
        ...

    def sleep(self, seconds: float) -> Deadline:
        """``time.sleep(seconds)`` begins; when it is over (scaled by the speed)."""
        ...

    def woke(self) -> None:
        """The sleep is over."""
        ...

    def join(self, row: str, seconds: float | None, implicit: bool) -> Deadline | None:
        """``row.join(timeout=seconds)`` begins (`implicit`: at the end of the script);
        when its timeout is over (None: no timeout)."""
        ...

    def joined(self, timed_out: bool) -> None:
        """The join begun last has returned: the row ended, or the timeout came."""
        ...

    def passed(self, deadline: Deadline) -> bool:
        """Whether `deadline` has come."""
        ...

    def end(self) -> None:
        """The script has ended and joined what it joins: the backend closes."""
        ...

    def ended(self) -> bool:
        """Whether everything has ended since `end()`."""
        ...


@dataclass
class _Wait:
    deadline: Deadline | None  # None: no limit
    row: str | None = None  # the row joined; None for a sleep


class MainProgram:
    """The main program of one run or prediction, executed step by step on `effects`.

    `program` is the flattened main program (`mpgui.model.instances.flat_program`);
    `daemons` maps every row, in table order, to its daemon flag."""

    def __init__(self, program: Sequence[Step], daemons: Mapping[str, bool],
                 effects: Effects, daemons_at_end: DaemonsAtEnd) -> None:
        self.program = list(program)
        self.daemons = dict(daemons)
        self.fx = effects
        self.daemons_at_end = daemons_at_end  # the backend's (model/backend.py)
        self.pc = 0  # the next step
        self.started: dict[str, int] = {}  # row -> its place in the start order
        self.finished = False  # the script has ended and the backend has closed
        self._wait: _Wait | None = None
        self._end_joins: list[str] | None = None  # the implicit joins, once reached
        self._ending = False  # effects.end() called

    @property
    def deadline(self) -> Deadline | None:
        """When the current wait times out (a sleep's end, a join's timeout), if any."""
        return self._wait.deadline if self._wait is not None else None

    @property
    def joining(self) -> str | None:
        """The row the main program waits for in a join without a timeout, if it does
        (a sleep or a join with a timeout ends by itself)."""
        w = self._wait
        return w.row if w is not None and w.row is not None and w.deadline is None else None

    def advance(self) -> None:
        """Execute steps until one has to wait, the effects pause, or the program has
        finished."""
        fx = self.fx
        while not self.finished:
            if not fx.ready():
                return
            if self._wait is not None and not self._wait_over():
                return
            if fx.pause():
                return
            if self.pc < len(self.program):
                self._step(self.program[self.pc])
                self.pc += 1
            elif not self._end_of_script():
                return

    def _wait_over(self) -> bool:
        w, fx = self._wait, self.fx
        assert w is not None
        if w.row is not None:  # a join
            finished = fx.done(w.row)
            if finished or (w.deadline is not None and fx.passed(w.deadline)):
                fx.joined(timed_out=not finished)
                self._wait = None
                return True
            return False
        if w.deadline is not None and fx.passed(w.deadline):
            fx.woke()
            self._wait = None
            return True
        return False

    def _step(self, step: Step) -> None:
        fx = self.fx
        if step.action == "sleep":
            self._wait = _Wait(fx.sleep(step.seconds or 0.0))
        elif step.action == "start":
            self.started.setdefault(step.target, len(self.started))
            fx.start(step.target)
        elif step.action == "terminate":
            fx.terminate(step.target, at_end=False)
        elif step.action == "join":
            self._wait = _Wait(fx.join(step.target, step.seconds, implicit=False), step.target)

    def _end_of_script(self) -> bool:
        """The end of the script, as Python does it; True when a join began (the
        program goes on waiting), False to stop for now or for good."""
        fx = self.fx
        if self._end_joins is None:
            self._end_joins = self._implicit_joins()
        while self._end_joins:
            row = self._end_joins.pop(0)
            if not fx.done(row):
                self._wait = _Wait(fx.join(row, None, implicit=True), row)
                return True
        if not self._ending:
            self._ending = True
            fx.end()
        self.finished = fx.ended()
        return False

    def _implicit_joins(self) -> list[str]:
        """Terminate the daemonic rows still running (if the backend can); the rows
        the script's end joins, in start order."""
        fx, at_end = self.fx, self.daemons_at_end
        out = []
        for row, daemon in self.daemons.items():
            if row not in self.started:
                continue
            if daemon and at_end is not DaemonsAtEnd.NONE:  # (NONE: joined as any row)
                if at_end is DaemonsAtEnd.END_WITH_SCRIPT:
                    continue  # a daemon thread: it ends with its process
                if not fx.done(row):
                    fx.terminate(row, at_end=True)
            out.append(row)
        return sorted(out, key=self.started.__getitem__)
