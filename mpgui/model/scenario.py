"""The scenario a user edits: process definitions and the parent's main program.

Everything here is immutable plain data; an edit makes a new value with
``dataclasses.replace``, which is what makes undo and the file round-trip simple.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from mpgui.i18n import _
from mpgui.model.backend import DEFAULT_BACKEND
from mpgui.model.copies import ONE, PER_CORE, Copies
from mpgui.model.exercise import Exercise
from mpgui.model.registry import DEFAULT_WORKLOAD, STEPS, Workload, get_workload
from mpgui.model.shared import SharedObject
from mpgui.model.steps import steps_workload

Action = Literal["start", "join", "sleep", "terminate"]
ACTIONS: tuple[Action, ...] = ("start", "join", "sleep", "terminate")


def as_action(text: str) -> Action:
    """`text` as an Action; ValueError if it names none."""
    if text in ACTIONS:
        return text
    raise ValueError(_("{text} is not a step action; one of {actions}").format(
        text=repr(text), actions=", ".join(ACTIONS)))


@dataclass(frozen=True)
class ProcessSpec:
    """One ``multiprocessing.Process`` (or, with `copies`, a list of them): its variable,
    name, workload and message."""

    var: str
    name: str
    workload: str = DEFAULT_WORKLOAD
    params: Mapping[str, int | float] = field(default_factory=dict)
    message: str = "Process: {i}"
    daemon: bool = False
    copies: Copies = ONE  # how many processes this row stands for
    # The shared objects it works with: its workload's role -> an object's name.
    uses: Mapping[str, str] = field(default_factory=dict)
    steps: str = ""  # the steps workload's own operations, as text (`model.steps`)

    def __post_init__(self) -> None:
        # A read-only view: a spec shared between undo states must never change.
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "uses", MappingProxyType(dict(self.uses)))

    def param(self, name: str) -> int | float:
        """The parameter's value, or the workload's default when it is not set."""
        if name in self.params:
            return self.params[name]
        return self.work().param(name).default

    def work(self) -> Workload:
        """What it does: its workload from the registry, or for the steps workload, the
        one its own steps make (KeyError for an unknown workload)."""
        if self.workload == STEPS:
            return steps_workload(self.steps)
        return get_workload(self.workload)

    def with_param(self, name: str, value: int | float) -> ProcessSpec:
        """A copy with one parameter changed."""
        return replace(self, params={**self.params, name: value})


# Each spelling of a number matches one way only ("\d+\.?\d*" matched "111" as 1|11,
# 11|1, ...: a failed match of a long number took quadratic time).
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# The longest step text read: "a_32_character_variable_name_____.join(timeout=...)"
# fits with room to spare; a longer one is refused before the pattern sees it.
MAX_STEP_LENGTH = 200
_STEP_RE = re.compile(
    rf"""\s*(?:
        (?P<var>[^\W\d]\w*)\s*\.\s*(?P<action>start|join|terminate)\s*\(\s*
            (?:(?:timeout\s*=\s*)?(?P<timeout>{_NUMBER})\s*)?\)
      | time\s*\.\s*sleep\s*\(\s*(?P<sleep>{_NUMBER})\s*\)
    )\s*""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Step:
    """One statement of the parent's main program."""

    action: Action
    target: str = ""  # the process variable; empty for sleep
    seconds: float | None = None  # join timeout (None = wait forever) or sleep duration

    def code(self) -> str:
        """The statement as Python, e.g. ``C.join()`` or ``time.sleep(0.5)``."""
        if self.action == "sleep":
            return f"time.sleep({format_number(self.seconds or 0.0)})"
        if self.action == "join" and self.seconds is not None:
            return f"{self.target}.join(timeout={format_number(self.seconds)})"
        return f"{self.target}.{self.action}()"

    @classmethod
    def parse(cls, text: str) -> Step:
        """Parse ``A.start()``, ``A.join()``, ``A.join(timeout=2)``, ``A.terminate()``
        or ``time.sleep(1.5)``. Only this small grammar is read; nothing is evaluated.

        Raises ValueError with a plain-words message otherwise.
        """
        if isinstance(text, str) and len(text) > MAX_STEP_LENGTH:
            raise ValueError(_("{start}… is {n:,} characters long; a step is at most "
                               "{most}, such as X.join(timeout=S)").format(
                                   start=repr(text[:20]), n=len(text), most=MAX_STEP_LENGTH))
        m = _STEP_RE.fullmatch(text) if isinstance(text, str) else None
        if m is None or (m["timeout"] is not None and m["action"] != "join"):
            raise ValueError(
                _("{text} is not a step; write X.start(), X.join(), X.join(timeout=S), "
                  "X.terminate() or time.sleep(S)").format(text=repr(text)))
        if m["sleep"] is not None:
            return cls("sleep", "", float(m["sleep"]))
        timeout = float(m["timeout"]) if m["timeout"] is not None else None
        return cls(as_action(m["action"]), m["var"], timeout)


def format_number(x: float) -> str:
    """The shortest spelling that reads back as the same float: 0.9, 1.0, 1e-07.

    Valid both as Python and as TOML, so code and files share it."""
    return repr(float(x))


@dataclass(frozen=True)
class About:
    """The texts that explain a scenario in the gallery; all optional."""

    title: str = ""
    explanation: str = ""
    notice: str = ""
    question: str = ""


@dataclass(frozen=True)
class Scenario:
    """A complete scenario: processes, main program and its explanation, and what runs
    the rows (`backend`; a pool has `workers` processes); an exercise's goal."""

    processes: tuple[ProcessSpec, ...] = ()
    program: tuple[Step, ...] = ()
    about: About = About()
    backend: str = DEFAULT_BACKEND
    workers: Copies = PER_CORE  # the pool's size: multiprocessing.Pool() uses cpu_count()
    objects: tuple[SharedObject, ...] = ()  # made by the main program, before it starts
    exercise: Exercise | None = None  # the goal, when the scenario is an exercise

    def __post_init__(self) -> None:
        object.__setattr__(self, "processes", tuple(self.processes))
        object.__setattr__(self, "program", tuple(self.program))
        object.__setattr__(self, "objects", tuple(self.objects))

    def shared(self, name: str) -> SharedObject | None:
        """The shared object called `name`, if any."""
        return next((o for o in self.objects if o.name == name), None)

    def process(self, var: str) -> ProcessSpec | None:
        """The process whose variable is `var`, if any."""
        return next((p for p in self.processes if p.var == var), None)

    def vars(self) -> list[str]:
        """The process variables in table order."""
        return [p.var for p in self.processes]
