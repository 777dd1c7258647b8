"""Whether a finished run met its exercise's goal, and why, in plain words.

The checks (`mpgui.model.exercise`) are judged on what was *measured* — the run's store
— never on the prediction: a process that started 2 ms after another did start after
it, and a run slowed by a busy computer took the time it took. Times are said as the
chart shows them, in seconds since Run; at another speed, a goal's own number of
seconds is scaled as the scenario's durations are (``run.time < 1.2`` is "under 0.6 s"
at speed 2), so that turning the speed up cannot meet it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

from mpgui.i18n import _
from mpgui.model.exercise import RUN, Check, Exercise, Term, measure_of
from mpgui.runtime.output.summary import wall_seconds
from mpgui.runtime.store.deadlock import DEADLOCK_INFO
from mpgui.runtime.store.object_tracks import VALUE, ObjectTracks
from mpgui.runtime.store.trace import Lane, TraceStore

# What each operator asks for, in words, after "the goal is" (a number on its right).
# TRANSLATORS: what a goal asks for, after "the goal is": {amount} is "1.200 s", "10"...
_GOAL_WORDS = {"<": _("under {amount}"), "<=": _("at most {amount}"), ">": _("over {amount}"),
               ">=": _("at least {amount}"), "==": _("exactly {amount}"),
               "!=": _("anything but {amount}")}
_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}


@dataclass(frozen=True)
class Finding:
    """One comparison of a check, judged: met or not, and what the run did, in words."""

    met: bool
    text: str


@dataclass(frozen=True)
class Verdict:
    """An exercise judged on one run."""

    findings: tuple[Finding, ...]
    stopped: bool = False  # the run was stopped before its end

    @property
    def met(self) -> bool:
        """Every check met, by a run that ran to its end."""
        return not self.stopped and all(f.met for f in self.findings)

    def sentence(self) -> str:
        """One line: 'Goal met.' or 'Not yet: <the first reason>'."""
        if self.met:
            return _("Goal met: {findings}.").format(
                findings="; ".join(f.text for f in self.findings))
        first = next((f for f in self.findings if not f.met), None)
        if first is None:  # (stopped, though every check was met so far)
            return _("Not yet: the run was stopped before its end — let it finish.")
        return _("Not yet: {reason}.").format(reason=first.text)


def judge(exercise: Exercise, store: TraceStore, *, speed: float = 1.0,
          stopped: bool = False) -> Verdict:
    """`exercise`'s checks on the finished run in `store`, run at `speed`."""
    values = _Values(store)
    findings = [finding for check in exercise.parsed()
                for finding in _judge(check, values, speed)]
    return Verdict(tuple(findings), stopped)


def _judge(check: Check, values: _Values, speed: float) -> list[Finding]:
    out = []
    for left, op, right in check.pairs():
        if left.number is not None:  # (5 > run.time: the same as run.time < 5)
            left, op, right = right, _FLIPPED.get(op, op), left
        a, b = values.get(left), values.get(right)
        if a is None or b is None:
            missing = left if a is None else right
            out.append(Finding(False, values.said(missing, None)))
            continue
        if right.number is not None and left.unit == "s":
            b /= speed  # (a goal's seconds, at this run's speed)
        met = _COMPARE[op](a, b)
        if right.number is not None:
            text = values.said(left, a)
            if not met and left.name != "deadlocks":  # (that one says it all)
                goal = _GOAL_WORDS[op].format(amount=_amount(b, left.unit))
                if left.unit == "s" and speed != 1:
                    text = _("{result} — the goal is {goal} at speed {speed:g} ({amount} at "
                             "speed 1)").format(result=text, goal=goal, speed=speed,
                                                amount=_amount(right.number, "s"))
                else:
                    text = _("{result} — the goal is {goal}").format(result=text, goal=goal)
        else:
            text = _relation(a, b, left.unit).format(this=values.said(left, a),
                                                     that=values.said(right, b))
        out.append(Finding(met, text))
    return out


def _relation(a: float, b: float, unit: str) -> str:
    """How `a` stands to `b`, in words: before/after for moments, less/more for the rest
    — a message of {this} (what `a` did) and {that} (what `b` did)."""
    # TRANSLATORS: {this} and {that} are clauses: "A started at 0.010 s", "B started at…"
    if unit == "s":
        return _("{this}, before {that}") if a < b else _("{this}, after {that}") if a > b \
            else _("{this}, at the same time as {that}")
    return _("{this}, less than {that}") if a < b else _("{this}, more than {that}") if a > b \
        else _("{this}, the same as {that}")


def _amount(v: float, unit: str) -> str:
    if unit == "s":  # (to the millisecond, as the Output pane times the lines)
        return _("{seconds:.3f} s").format(seconds=v)
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.15g}"


# The run's own measures (`model.exercise.RUN_MEASURES`), each from the store.
_RUN_VALUES: dict[str, Callable[[TraceStore], float | None]] = {
    "time": lambda store: wall_seconds(store) if store.t_end is not None else None,
    "processes": lambda store: float(sum(1 for ln in store.lanes if ln.kind == "process"
                                         and ln.started_t is not None)),
    "deadlocks": lambda store: 1.0 if store.info.get(DEADLOCK_INFO) else 0.0,
}


class _Values:
    """The measures of one run, found when a check first asks for them."""

    def __init__(self, store: TraceStore) -> None:
        self.store = store
        self._objects: dict[str, tuple[float, float]] | None = None
        self._prints: dict[int, tuple[int, int, int]] | None = None

    def get(self, term: Term) -> float | None:
        """The value of `term` in this run; None if the run has none (a process that
        never started, a value never written)."""
        if term.number is not None:
            return term.number
        if term.subject == RUN:
            v = self._run(term.name)
        elif term.subject in self.objects():
            final, lost = self.objects()[term.subject]
            return float(final if term.name == "final" else lost) \
                if term.name in ("final", "lost") else None
        else:
            v = self._process(term.subject, term.name)
        return v

    def said(self, term: Term, v: float | None) -> str:
        """What the run did, as a clause: 'D started at 1.21 s'."""
        if term.number is not None:
            return _amount(term.number, "")
        is_object = term.subject in self.objects()
        measure = measure_of(term, is_object)
        if v is None:
            if term.subject != RUN and not is_object and not self._lanes(term.subject):
                if term.name in ("final", "lost"):
                    return _("there is no shared value called {name}").format(
                        name=term.subject)
                return _("there is no process called {name}").format(name=term.subject)
            return measure.never.format(x=term.subject)
        if term.subject == RUN and term.name == "deadlocks":
            return _("there was no deadlock") if v == 0 else _("the processes deadlocked")
        if term.name == "lost" and v == 0:
            return _("no update of {name} was lost").format(name=term.subject)
        return measure.sentence(term.subject, v, _amount(v, measure.unit))

    def objects(self) -> dict[str, tuple[float, float]]:
        """Each shared value's (final level, updates lost)."""
        if self._objects is None:
            self._objects = {t.name: (t.final, t.lost)
                             for t in ObjectTracks().sync(self.store) if t.kind == VALUE}
        return self._objects

    def _run(self, name: str) -> float | None:
        return _RUN_VALUES[name](self.store)

    def _lanes(self, var: str) -> list[int]:
        """The lanes of the row `var` (its copies' too: ``W[0]``, ``W[1]`` …)."""
        return [ln.index for ln in self.store.lanes if ln.kind == "process"
                and (ln.var == var or ln.var.startswith(var + "["))]

    def _process(self, var: str, name: str) -> float | None:
        store = self.store
        lanes = [store.lanes[i] for i in self._lanes(var)]
        if not lanes:
            return None
        if name in ("start", "end"):  # (the first copy's start, the last copy's end)
            times = [ln.start_call_t if name == "start" else ln.end_t for ln in lanes]
            known = [t for t in times if t is not None]
            if len(known) < len(times):
                return None
            return store.seconds(min(known) if name == "start" else max(known))
        if name == "exitcode":
            codes = [ln.exit_code for ln in lanes if ln.exit_code is not None]
            # (the copy that ended worst: any failure shows)
            return float(max(codes, key=abs)) if len(codes) == len(lanes) else None
        if name == "lines":
            return float(sum(ln.lines for ln in lanes)) if lanes[0].started_t else None
        if name == "cpu":
            return sum(store.cpu_seconds(ln.index) for ln in lanes)
        first, last, n = self._printed(lanes)
        if not n:
            return None
        return store.seconds(first if name == "first_print" else last)

    def _printed(self, lanes: list[Lane]) -> tuple[int, int, int]:
        """(first, last, how many) of the lines printed by `lanes`."""
        if self._prints is None:
            self._prints = {}
            for lane, t in zip(self.store.line_lane, self.store.line_t, strict=True):
                first, last, n = self._prints.get(lane, (t, t, 0))
                self._prints[lane] = (min(first, t), max(last, t), n + 1)
        found = [self._prints[ln.index] for ln in lanes if ln.index in self._prints]
        if not found:
            return 0, 0, 0
        return min(f[0] for f in found), max(f[1] for f in found), sum(f[2] for f in found)
