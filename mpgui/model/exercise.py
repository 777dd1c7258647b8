"""Exercises: a scenario that carries a goal the student reaches by editing it.

The goal is a few *checks* over the measured run — small comparisons such as
``C.end < D.start`` or ``run.time < 5`` — read by a grammar of its own (nothing is
evaluated), so a scenario file stays data. Each term names what it measures: a
process's ``start``/``end``/``first_print``/``last_print``/``lines``/``exitcode``/
``cpu``, a shared value's ``final``/``lost``, or the run's ``time``/``processes``/
``deadlocks``. `mpgui.runtime.session.verdict` measures the terms of a finished run and
says, in plain words, which checks are met and why.

An exercise may also limit what the student edits (`Exercise.edit`): the document
refuses an edit of another part, with a message saying what may be changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mpgui.i18n import _, ngettext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from mpgui.model.scenario import Scenario


@dataclass(frozen=True)
class Measure:
    """What a term's attribute measures: its unit ("s" for a moment or a span of time,
    "" for a count), and how a sentence says it (`said` with {x} the subject and {v}
    the value — for a count, a function of the count: "1 line", "2 lines"; `never`
    when the run has no such value)."""

    unit: str
    said: str | Callable[[int], str]
    never: str

    def sentence(self, subject: str, value: float, amount: str) -> str:
        """The clause for `subject` at `value`, said as `amount`."""
        said = self.said if isinstance(self.said, str) else self.said(round(value))
        return said.format(x=subject, v=amount)


# What a process's terms measure: seconds since the run began, or counts.
PROCESS_MEASURES: dict[str, Measure] = {
    # TRANSLATORS: in these sentences of an exercise's verdict, {x} is a process's
    # variable ("A") or a shared value's name, {v} a time ("1.500 s") or a number.
    "start": Measure("s", _("{x} started at {v}"), _("{x} never started")),
    "end": Measure("s", _("{x} ended at {v}"), _("{x} never ended")),
    "first_print": Measure("s", _("{x} printed its first line at {v}"), _("{x} printed nothing")),
    "last_print": Measure("s", _("{x} printed its last line at {v}"), _("{x} printed nothing")),
    "lines": Measure("", lambda n: ngettext("{x} printed {v} line", "{x} printed {v} lines", n),
                     _("{x} never ran")),
    "exitcode": Measure("", _("{x} ended with exit code {v}"), _("{x} never ended")),
    "cpu": Measure("s", _("{x} used {v} of CPU time"), _("{x} never ran")),
}
# A shared Value's.
OBJECT_MEASURES: dict[str, Measure] = {
    "final": Measure("", _("{x} ended at {v}"), _("{x} was never written")),
    "lost": Measure("", lambda n: ngettext("{v} update of {x} was lost",
                                           "{v} updates of {x} were lost", n),
                    _("{x} was never written")),
}
# The run's own, as `run.<name>`.
RUN = "run"
RUN_MEASURES: dict[str, Measure] = {
    "time": Measure("s", _("the run took {v}"), _("the run did not end")),
    "processes": Measure("", lambda n: ngettext("{v} process ran", "{v} processes ran", n),
                         _("no process ran")),
    "deadlocks": Measure("", _("{v} deadlocks were found"), _("the run did not end")),
}

# The parts of a scenario an exercise may leave open to edits, and their names in words.
PARTS = {
    "main": _("the main program"),
    "processes": _("the process table"),
    "objects": _("the shared objects"),
    "backend": _("what runs the rows (processes, threads or a pool)"),
}
MAX_CHECKS = 20
MAX_HINTS = 10
MAX_TEXT = 2_000

_OPS = ("<=", ">=", "==", "!=", "<", ">")
_TERM = r"[^\W\d]\w*\.[a-z_]+|[-+]?\d+(?:\.\d+)?(?:\s*s\b)?"
_TOKEN = re.compile(rf"\s*(?:(?P<term>{_TERM})|(?P<op><=|>=|==|!=|<|>))\s*")


@dataclass(frozen=True)
class Term:
    """One side of a comparison: a subject's measure (``D.start``), or a number."""

    subject: str = ""  # a process's variable, a shared object's name or "run"
    name: str = ""  # the measure: start, end, lost, time ...
    number: float | None = None  # a constant ("5", "1.5 s")

    @property
    def text(self) -> str:
        """The term as written (a number without its unit)."""
        return f"{self.subject}.{self.name}" if self.number is None else _number(self.number)

    @property
    def unit(self) -> str:
        """"s" if the term is a moment or a span of time; "" for a count or a number."""
        if self.number is not None:
            return ""
        return measure_of(self).unit


def measure_of(term: Term, is_object: bool = False) -> Measure:
    """What `term` measures (a shared object's measure if `is_object`)."""
    if term.subject == RUN:
        return RUN_MEASURES[term.name]
    table = OBJECT_MEASURES if is_object or term.name in OBJECT_MEASURES else PROCESS_MEASURES
    return table[term.name]


@dataclass(frozen=True)
class Check:
    """One comparison, or a chain of them (``C.end < D.start < A.end``): the terms and
    the operators between them."""

    terms: tuple[Term, ...]
    ops: tuple[str, ...]
    text: str

    def pairs(self) -> list[tuple[Term, str, Term]]:
        """The comparisons the chain stands for, left to right."""
        return [(self.terms[i], op, self.terms[i + 1]) for i, op in enumerate(self.ops)]

    @classmethod
    def parse(cls, text: str) -> Check:
        """Read `text`; ValueError with a plain-words message if it is not a check."""
        if len(text) > 200:
            raise ValueError(_("{start}… is too long for a check (at most 200 "
                               "characters)").format(start=repr(text[:20])))
        terms: list[Term] = []
        ops: list[str] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                raise ValueError(_("{text} is not a check: cannot read {part}; write "
                                   "comparisons such as 'C.end < D.start' or 'run.time < 5'"
                                   ).format(text=repr(text), part=repr(text[pos:pos + 20])))
            pos = m.end()
            want_term = len(terms) == len(ops)
            if (m["term"] is not None) != want_term:
                raise ValueError(_("{text} is not a check: terms and comparisons "
                                   "(<, <=, >, >=, ==, !=) must take turns").format(
                                       text=repr(text)))
            if m["term"] is not None:
                terms.append(_term(m["term"], text))
            else:
                ops.append(m["op"])
        if len(terms) < 2 or len(terms) != len(ops) + 1:
            raise ValueError(_("{text} is not a check: it needs two sides and a comparison "
                               "between them, such as 'C.end < D.start'").format(
                                   text=repr(text)))
        if all(t.number is not None for t in terms):
            raise ValueError(_("{text} compares numbers only; name something the run "
                               "measures, such as 'D.start'").format(text=repr(text)))
        return cls(tuple(terms), tuple(ops), " ".join(text.split()))


def _term(token: str, text: str) -> Term:
    if token[0].isdigit() or token[0] in "+-":
        return Term(number=float(token.rstrip("s \t")))
    subject, name = token.split(".", 1)
    known = RUN_MEASURES if subject == RUN else {**PROCESS_MEASURES, **OBJECT_MEASURES}
    if name not in known:
        if subject == RUN:
            said = _("{text}: {token} — the run has no {name}; known: {known}")
        else:
            said = _("{text}: {token} — a process or a shared value has no {name}; "
                     "known: {known}")
        raise ValueError(said.format(text=repr(text), token=repr(token), name=repr(name),
                                     known=", ".join(known)))
    return Term(subject, name)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


@dataclass(frozen=True)
class Exercise:
    """The goal of an exercise: what to reach in words, the checks that say whether a
    run reached it, hints from gentle to telling, and the parts the student may edit."""

    goal: str
    checks: tuple[str, ...]
    hints: tuple[str, ...] = ()
    edit: tuple[str, ...] = tuple(PARTS)

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "hints", tuple(self.hints))
        object.__setattr__(self, "edit", tuple(self.edit))

    def parsed(self) -> list[Check]:
        """The checks, read (they were checked when the exercise was loaded)."""
        return [Check.parse(c) for c in self.checks]

    @property
    def limited(self) -> bool:
        """Whether some part may not be edited."""
        return set(self.edit) != set(PARTS)

    def may_edit(self, part: str) -> bool:
        """Whether the student may edit `part` (a key of PARTS)."""
        return part in self.edit

    def edit_note(self) -> str:
        """What may be edited, in words ("" if everything may)."""
        if not self.limited:
            return ""
        allowed = [PARTS[p] for p in PARTS if p in self.edit]
        if not allowed:
            return _("In this exercise nothing may be edited: run it and read what happens.")
        return _("In this exercise you may edit only {parts}.").format(parts=_and(allowed))


def _and(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return _("{first} and {then}").format(first=", ".join(words[:-1]), then=words[-1])


def changed_parts(before: Scenario, after: Scenario) -> list[str]:
    """The parts (keys of PARTS) that differ between two scenarios."""
    changed = []
    if before.program != after.program:
        changed.append("main")
    if before.processes != after.processes:
        changed.append("processes")
    if before.objects != after.objects:
        changed.append("objects")
    if (before.backend, before.workers) != (after.backend, after.workers):
        changed.append("backend")
    return changed


def refusal(before: Scenario, after: Scenario) -> str | None:
    """Why an edit from `before` to `after` is not allowed by `before`'s exercise, in
    words; None if it is (or there is no exercise, or the edit replaces the exercise
    itself — a reset, a load)."""
    exercise = before.exercise
    if exercise is None or after.exercise != exercise:
        return None
    barred = [p for p in changed_parts(before, after) if not exercise.may_edit(p)]
    if not barred:
        return None
    part = PARTS[barred[0]]
    return _("{part} is fixed in this exercise. {note}").format(
        part=part[:1].upper() + part[1:], note=exercise.edit_note())


def exercise_from_dict(doc: dict[str, object], where: str = "exercise") -> Exercise:
    """The ``[exercise]`` table of a scenario file as an Exercise; ValueError naming
    the field when it is not one."""
    allowed = {"goal", "checks", "hints", "edit"}
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise ValueError(_("{where}: unknown key {key}; known: {known}").format(
            where=where, key=repr(unknown[0]), known=", ".join(sorted(allowed))))
    goal = doc.get("goal")
    if not isinstance(goal, str) or not goal.strip():
        raise ValueError(_("{where}.goal: expected the goal in words (text)").format(
            where=where))
    checks = _texts(doc.get("checks"), f"{where}.checks", MAX_CHECKS, required=True)
    for i, text in enumerate(checks):
        try:
            Check.parse(text)
        except ValueError as exc:
            raise ValueError(f"{where}.checks[{i + 1}]: {exc}") from None
    hints = _texts(doc.get("hints", []), f"{where}.hints", MAX_HINTS)
    edit = _texts(doc.get("edit", list(PARTS)), f"{where}.edit", len(PARTS))
    for part in edit:
        if part not in PARTS:
            raise ValueError(_("{where}.edit: {part} is not a part of a scenario; one of "
                               "{parts}").format(where=where, part=repr(part),
                                                 parts=", ".join(PARTS)))
    return Exercise(_limit(goal, f"{where}.goal"), tuple(checks), tuple(hints),
                    tuple(p for p in PARTS if p in edit))


def _texts(value: object, where: str, most: int, required: bool = False) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(_("{where}: expected a list of texts").format(where=where))
    if required and not value:
        raise ValueError(_("{where}: an exercise needs at least one check").format(
            where=where))
    if len(value) > most:
        raise ValueError(_("{where}: {n} entries; at most {most}").format(
            where=where, n=len(value), most=most))
    return [_limit(v, where) for v in value]


def _limit(text: str, where: str) -> str:
    if len(text) > MAX_TEXT:
        raise ValueError(_("{where}: {n:,} characters; at most {most:,}").format(
            where=where, n=len(text), most=MAX_TEXT))
    return text


def exercise_to_toml(exercise: Exercise, q: Callable[[str], str]) -> list[str]:
    """The ``[exercise]`` table's lines; `q` spells a TOML string (the file format's
    one spelling of strings)."""
    lines = ["", "[exercise]", f"goal = {q(exercise.goal)}",
             "checks = [" + ", ".join(q(c) for c in exercise.checks) + "]"]
    if exercise.hints:
        lines.append("hints = [" + "".join(f"\n    {q(h)}," for h in exercise.hints) + "\n]")
    if exercise.limited:
        lines.append("edit = [" + ", ".join(q(p) for p in exercise.edit) + "]")
    return lines
