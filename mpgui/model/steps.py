"""A row's own steps: the "steps" workload, whose operations the row writes as text —
``get Q; compute 0.2; put R; print`` — instead of choosing a ready-made workload.

Each step is one operation of `mpgui.model.operations`, so the child, the code
generator and the prediction treat it as any workload's; the steps repeat `n` times
(the row's Iterations), with {i} the iteration. A step that names a shared object
gives the row that object as an argument of its function, under the object's own
name. A duration is written in seconds, and like any workload's is divided by the
run's speed: it becomes a parameter of the row's function (``t1``, ``t2``...).

Steps (one per line, or separated by ";"):

    sleep S · compute S · print
    put Q · get Q · task_done Q · join Q          (a Queue; task_done, join: Joinable)
    send P[0] · recv P[1]                          (a Pipe's end)
    acquire L · release L                          (a Lock, RLock or Semaphore)
    set E · clear E · wait E                       (an Event)
    barrier B                                      (a Barrier: wait for the parties)
    cond_wait C · notify C                         (a Condition)
    add V · add_locked V · read V                  (a Value: += 1, with get_lock())
    add V 5 · add_locked V 5                       (a Value: += 5)
    get Q 0.5                                      (gives up after 0.5 s: item None)
    put Q 0.5                                      (gives up after 0.5 s: not put)

An amount added (``add V 5``) becomes a parameter of the row's function too (``k1``...).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from mpgui.i18n import _
from mpgui.model.operations import (
    Acquire,
    BarrierWait,
    ClearEvent,
    Compute,
    Get,
    Increment,
    JoinQueue,
    Notify,
    Operation,
    Print,
    Put,
    Read,
    Recv,
    Release,
    Repeat,
    Send,
    SetEvent,
    Sleep,
    TaskDone,
    WaitCondition,
    WaitEvent,
)
from mpgui.model.registry import SECONDS, STEPS, WORKLOADS, Param, Workload

MAX_STEPS = 40
MAX_SECONDS = 3600.0
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_END = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[([01])\]\Z")

# verb -> (the kind of object it needs, how it is made from the object's name)
_ON_OBJECT: dict[str, tuple[str, Callable[[str], Operation]]] = {
    "put": ("Queue", lambda x: Put(x)),
    "get": ("Queue", lambda x: Get(x)),
    "task_done": ("JoinableQueue", lambda x: TaskDone(x)),
    "join": ("JoinableQueue", lambda x: JoinQueue(x)),
    "acquire": ("Lock", lambda x: Acquire(x)),
    "release": ("Lock", lambda x: Release(x)),
    "set": ("Event", lambda x: SetEvent(x)),
    "clear": ("Event", lambda x: ClearEvent(x)),
    "wait": ("Event", lambda x: WaitEvent(x)),
    "barrier": ("Barrier", lambda x: BarrierWait(x)),
    "cond_wait": ("Condition", lambda x: WaitCondition(x)),
    "notify": ("Condition", lambda x: Notify(x)),
    "add": ("Value", lambda x: Increment(x)),
    "add_locked": ("Value", lambda x: Increment(x, locked=True)),  # (amounts: `_amount`)
    "read": ("Value", lambda x: Read(x)),
}
VERBS = ("sleep", "compute", "print", "send", "recv", *_ON_OBJECT)


class StepsError(ValueError):
    """Steps that cannot be read: the message names the step and what is wrong."""


@dataclass(frozen=True)
class Steps:
    """A row's steps, read: its operations (repeated n times), the durations they
    name (parameter -> seconds) and the objects they use (name -> kind needed)."""

    ops: tuple[Operation, ...]
    durations: tuple[tuple[str, float], ...]
    objects: tuple[tuple[str, str], ...]
    amounts: tuple[tuple[str, int], ...] = ()  # parameter -> what an add adds


def split(text: str) -> list[str]:
    """The steps of `text`, one per line or ";", blanks left out."""
    return [s.strip() for line in text.splitlines() for s in line.split(";") if s.strip()]


@functools.lru_cache(maxsize=256)
def parse(text: str) -> Steps:
    """Read `text` (see the module); StepsError naming the first step that is wrong."""
    steps = split(text)
    if not steps:
        raise StepsError(_("no steps: write them as, e.g., get Q; compute 0.5; print"))
    if len(steps) > MAX_STEPS:
        raise StepsError(_("{n} steps: at most {most}").format(n=len(steps), most=MAX_STEPS))
    body: list[Operation] = []
    durations: list[tuple[str, float]] = []
    amounts: list[tuple[str, int]] = []
    objects: dict[str, str] = {}
    for k, step in enumerate(steps, 1):
        verb, _sep, arg = step.partition(" ")
        arg = arg.strip()
        where = _("step {k} ({step})").format(k=k, step=repr(step))
        if verb == "print":
            if arg:
                raise StepsError(_("{where}: print takes nothing (it prints the row's line)")
                                 .format(where=where))
            body.append(Print())
        elif verb in ("sleep", "compute"):
            seconds = _seconds(arg, where, verb)
            name = f"t{len(durations) + 1}"
            durations.append((name, seconds))
            body.append(Sleep(name) if verb == "sleep" else Compute(name))
        elif verb in ("send", "recv"):
            m = _END.match(arg)
            if m is None:
                raise StepsError(_("{where}: {verb} needs a pipe's end, e.g. {verb} P[0]")
                                 .format(where=where, verb=verb))
            _use(objects, m[1], "Pipe", where)
            end = int(m[2])
            body.append(Send(m[1], end) if verb == "send" else Recv(m[1], end))
        elif verb in ("get", "put") and " " in arg:  # (one that gives up: get Q 0.5)
            name, within = _object_and_more(arg, "Queue", "Q 0.5", verb, where, objects)
            param = f"t{len(durations) + 1}"
            durations.append((param, _seconds(within, where, f"{verb} Q")))
            body.append(Get(name, timeout=param) if verb == "get" else
                        Put(name, timeout=param))
        elif verb in ("add", "add_locked") and " " in arg:
            name, amount = _object_and_more(arg, "Value", "V 5", verb, where, objects)
            param = f"k{len(amounts) + 1}"
            amounts.append((param, _amount(amount, where, verb)))
            body.append(Increment(name, locked=verb == "add_locked", by=param))
        elif verb in _ON_OBJECT:
            kind, make = _ON_OBJECT[verb]
            if not _NAME.match(arg):
                raise StepsError(_("{where}: {verb} needs the name of a {kind}, e.g. {verb} X")
                                 .format(where=where, verb=verb, kind=kind))
            _use(objects, arg, kind, where)
            body.append(make(arg))
        else:
            raise StepsError(_("{where}: {verb} is not a step; the steps are {verbs}").format(
                where=where, verb=repr(verb), verbs=", ".join(VERBS)))
    return Steps((Repeat("n", tuple(body)),), tuple(durations), tuple(objects.items()),
                 tuple(amounts))


MAX_AMOUNT = 1000


def _amount(arg: str, where: str, verb: str) -> int:
    """What ``add V 5`` adds: a whole number from 1 to MAX_AMOUNT."""
    if not (arg.isascii() and arg.isdigit() and len(arg) <= 6) or \
            not 1 <= int(arg) <= MAX_AMOUNT:
        raise StepsError(_("{where}: {verb} adds a whole number from 1 to {most}, "
                           "e.g. {verb} V 5").format(where=where, verb=verb, most=MAX_AMOUNT))
    return int(arg)


def _seconds(arg: str, where: str, verb: str) -> float:
    try:
        seconds = float(arg)
    except ValueError:
        raise StepsError(_("{where}: {verb} needs a number of seconds, e.g. {verb} 0.5")
                         .format(where=where, verb=verb)) from None
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_SECONDS:
        raise StepsError(_("{where}: {value} s is not from 0 to {most:g} s").format(
            where=where, value=arg, most=MAX_SECONDS))
    return seconds


def _object_and_more(arg: str, kind: str, example: str, verb: str, where: str,
                     objects: dict[str, str]) -> tuple[str, str]:
    """`arg` read as "NAME MORE" (``Q 0.5``): the object's name, checked and used as a
    `kind`, and what follows it."""
    name, _sep, more = arg.partition(" ")
    if not _NAME.match(name):
        raise StepsError(_("{where}: {verb} needs the name of a {kind}, e.g. {verb} {example}")
                         .format(where=where, verb=verb, kind=kind, example=example))
    _use(objects, name, kind, where)
    return name, more.strip()


def _use(objects: dict[str, str], name: str, kind: str, where: str) -> None:
    """The object `name` is used as a `kind` (an Event and a Lock, say, cannot be the
    same object)."""
    known = objects.setdefault(name, kind)
    if known != kind and {known, kind} != {"Queue", "JoinableQueue"}:
        raise StepsError(_("{where}: {name} is used as a {kind} in an earlier step").format(
            where=where, name=name, kind=known))
    if {known, kind} == {"Queue", "JoinableQueue"}:
        objects[name] = "JoinableQueue"


@functools.lru_cache(maxsize=256)
def steps_workload(text: str) -> Workload:
    """The steps workload made of `text`: its operations, a parameter per duration
    (``t1``: the seconds written), a role per object (named after it). Steps that
    cannot be read make a workload that does nothing (validation says why)."""
    base = WORKLOADS[STEPS]
    try:
        steps = parse(text)
    except StepsError:
        return base
    params = (*base.params,
              *(Param(name, _("Step duration {name}").format(name=name), float, seconds, 0.0,
                      MAX_SECONDS, SECONDS, _("A duration of the steps."))
                for name, seconds in steps.durations),
              *(Param(name, _("Step amount {name}").format(name=name), int, amount, 1,
                      MAX_AMOUNT, "", _("What an add step adds."))
                for name, amount in steps.amounts))
    roles = tuple((name, kind, _("the {kind} its steps use").format(kind=kind))
                  for name, kind in steps.objects)
    return replace(base, params=params, ops=steps.ops, roles=roles)
