"""The shared objects in the prediction: what each operation on a queue, pipe, lock,
event, barrier or condition does on the simulated clock, and whether it must wait.

An operation is a phase that takes no time (`operations.SYNC`): it happens at once if
it can — an item is there to get, the lock is free, the event is set, every party has
arrived — or its process waits, blocked, until another process's operation lets it
(a put, a release, a set, the last arrival, a notify). So the prediction draws the
turns a lock imposes, a consumer waiting for its producer, the phases of a barrier,
and a deadlock as processes blocked to the end. What it does not know: how long an
operation itself takes, and that a process ends only once its queue's items are in
the pipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mpgui.model.operations import SYNC, Put, walk
from mpgui.model.shared import get_kind

if TYPE_CHECKING:
    from mpgui.model.operations import Operation
    from mpgui.model.scenario import ProcessSpec, Scenario


@dataclass
class _Object:
    """One object's state in the simulation."""

    kind: str  # its ObjectKind's name, or the kind it stands in for
    limit: int  # a queue's maxsize (0: none), a semaphore's places, a barrier's parties
    level: int = 0  # items in a queue, places taken, a lock's depth
    holder: str | None = None  # the process holding a lock
    unfinished: int = 0  # a joinable queue's items put and not yet done
    flag: bool = False  # an event's
    waiting: dict[str, int] = field(default_factory=dict)  # at a barrier or condition
    generation: int = 0  # a barrier's openings, a condition's notifications
    channel: dict[int, int] = field(default_factory=dict)  # a pipe: end -> messages


class SharedState:
    """Every shared object of a scenario, in the simulation."""

    def __init__(self, scenario: Scenario) -> None:
        self.objects: dict[str, _Object] = {}
        for obj in scenario.objects:
            kind = get_kind(obj.kind)
            base = kind.extends or kind.name
            limit = next(iter(obj.values().values()), 0) if kind.params else 0
            self.objects[obj.name] = _Object(
                "Semaphore" if kind.name == "Semaphore" else
                "RLock" if kind.name == "RLock" else
                "JoinableQueue" if kind.name == "JoinableQueue" else base, int(limit))

    def attempt(self, who: str, verb: str, name: str, arg: int) -> bool:
        """Whether process `who` can do `verb` on object `name` now (if so, it is done:
        the object changed)."""
        o = self.objects.get(name)
        if o is None:  # (validation refuses a row without its object)
            return True
        return _VERBS[verb](o, who, arg)


def _put(o: _Object, who: str, arg: int) -> bool:
    if o.limit and o.level >= o.limit:
        return False
    o.level += 1
    o.unfinished += 1
    return True


def _get(o: _Object, who: str, arg: int) -> bool:
    if o.level <= 0:
        return False
    o.level -= 1
    return True


def _send(o: _Object, who: str, arg: int) -> bool:
    other = 1 - arg  # (what is sent at one end is received at the other)
    o.channel[other] = o.channel.get(other, 0) + 1
    return True


def _recv(o: _Object, who: str, arg: int) -> bool:
    if o.channel.get(arg, 0) <= 0:
        return False
    o.channel[arg] -= 1
    return True


def _acquire(o: _Object, who: str, arg: int) -> bool:
    if o.kind == "Semaphore":
        if o.level >= o.limit:
            return False
        o.level += 1
        return True
    if o.holder not in (None, who) or (o.holder == who and o.kind != "RLock"):
        return False
    o.holder, o.level = who, o.level + 1
    return True


def _release(o: _Object, who: str, arg: int) -> bool:
    o.level = max(0, o.level - 1)
    if o.kind != "Semaphore" and o.level == 0:
        o.holder = None
    return True


def _set(o: _Object, who: str, arg: int) -> bool:
    o.flag = True
    return True


def _clear(o: _Object, who: str, arg: int) -> bool:
    o.flag = False
    return True


def _wait(o: _Object, who: str, arg: int) -> bool:
    return o.flag


def _done(o: _Object, who: str, arg: int) -> bool:
    o.unfinished = max(0, o.unfinished - 1)
    return True


def _join(o: _Object, who: str, arg: int) -> bool:
    return o.unfinished == 0


def _barrier(o: _Object, who: str, arg: int) -> bool:
    if who in o.waiting:  # waiting there: has the barrier opened since it arrived?
        if o.generation > o.waiting[who]:
            del o.waiting[who]
            return True
        return False
    here = sum(g == o.generation for g in o.waiting.values())  # (not those let go)
    if here + 1 >= o.limit:  # the last party: all go on
        o.generation += 1
        return True
    o.waiting[who] = o.generation
    return False


def _cwait(o: _Object, who: str, arg: int) -> bool:
    if who in o.waiting:  # notified since it began to wait?
        if o.generation > o.waiting[who]:
            del o.waiting[who]
            return True
        return False
    o.waiting[who] = o.generation
    return False


def _notify(o: _Object, who: str, arg: int) -> bool:
    o.generation += 1  # (wakes those waiting now; a later wait waits for the next)
    return True


def _flush(o: _Object, who: str, arg: int) -> bool:
    return o.level <= arg  # (what the pipe holds is out of the process)


# What a pipe holds (Linux): a process that put more than this and nobody took it never
# ends — its exit waits for the queue's feeder thread to write the rest.
PIPE_BYTES = 65_536
ITEM_OVERHEAD = 40  # bytes a pickled (identity, text) item takes besides its text


def flush_phases(spec: ProcessSpec, ops: tuple[Operation, ...]) -> list[tuple[str, float]]:
    """The phases a process of `spec` waits in at its end, before it can exit: for each
    queue it puts on, until what is left of its items fits in the queue's pipe."""
    out = []
    for op in walk(ops):
        if isinstance(op, Put):
            size = len(op.text or spec.message) + ITEM_OVERHEAD
            out.append((f"{SYNC} flush {op.queue}", float(PIPE_BYTES // size)))
    return out


_VERBS = {"put": _put, "get": _get, "send": _send, "recv": _recv, "acquire": _acquire,
          "release": _release, "set": _set, "clear": _clear, "wait": _wait, "done": _done,
          "join": _join,
          "barrier": _barrier, "cwait": _cwait, "notify": _notify, "flush": _flush}
