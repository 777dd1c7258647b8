"""What a workload does, as a list of operations: the one definition of each workload.

A workload (`mpgui.model.registry`) is a short list of operations such as
``Repeat("n", (Sleep("interval"), Print()))``. Each kind of operation is one small class
here that knows two of its three meanings:

- how the code generator writes it (`code`: lines of the generated function's body,
  every string from outside through the one escaper, via `mpgui.model.message`);
- how the prediction adds it up (`predict`: the CPU and sleep phases it takes, and
  whether it ends the process).

The third, how a child executes it, lives in the runtime (`mpgui.runtime.child.workloads`),
registered there by `kind`, so that the model holds no runtime code. The child gets the
operations as plain data (`Operation.data`): it imports neither this module nor the
registry, whose dataclasses would add to every child's start-up time. A new kind of
operation (a queue's put/get, a lock's acquire/release) is one class here and one
executor there; the three walkers — the child's, the code generator's and the
prediction's — need no change.

Operations name their workload's parameters (``Sleep("interval")``), never values: the
same definition serves every row, whatever its numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, ClassVar

from mpgui.i18n import _
from mpgui.model.message import to_expression

Values = Mapping[str, int | float]  # a row's parameter values, by parameter name
Phase = tuple[str, float]  # (CPU or SLEEP, seconds) in the prediction
CPU, SLEEP = "cpu", "sleep"
# A phase that takes no time but may wait: "sync VERB ROLE", its number the pipe end (a
# send or recv) — what the prediction does with the object the row gives that role.
SYNC = "sync"


def sync(verb: str, role: str, arg: int = 0, within: float | None = None) -> Outcome:
    """The prediction's phase for an operation on a shared object (see SYNC); one that
    gives up after `within` seconds (a get with a timeout) says so in its kind."""
    gives_up = "" if within is None else f" {within!r}"
    return Outcome(((f"{SYNC} {verb} {role}{gives_up}", float(arg)),))


@dataclass(frozen=True)
class CodeContext:
    """What an operation's generated code may refer to: the row's message, whether a
    line must be printed in one write (threads share one stdout), and the names the
    script chose for its helpers (``burn``, or ``burn_cpu`` when a row is called burn)."""

    message: str
    one_write: bool = False
    helpers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What an operation amounts to in the prediction: the phases it takes, in order,
    and whether it ends the process — with which exit code, and, inside a loop, only
    at which iteration (`at`; None: whenever it runs)."""

    phases: tuple[Phase, ...] = ()
    ends: bool = False
    code: int = 0
    at: int | None = None


class Operation:
    """One kind of thing a workload does. Subclasses are frozen dataclasses whose
    fields name the workload's parameters they use."""

    # mpgui's own kinds are a word; a kind defined elsewhere is "package.module:name",
    # the module that registers its executor (a spawned child imports it on demand).
    kind: ClassVar[str] = ""
    # What its generated code needs: modules to import, helpers the script defines.
    modules: ClassVar[frozenset[str]] = frozenset()
    helpers: ClassVar[frozenset[str]] = frozenset()
    # The message placeholders it defines for the operations after it ({item}: what a
    # get() received), as a variable of the generated function.
    provides: ClassVar[frozenset[str]] = frozenset()
    # What the prediction takes to cost no time though it does, in words ("updates of a
    # shared value"): a loop of 50,000 of them runs half a second, a time that depends on
    # the machine — the run's comparison with the prediction says so instead of
    # blaming the difference on something else.
    untimed: ClassVar[str] = ""

    def code(self, ctx: CodeContext) -> list[str]:
        """Its lines in the generated function, indented relative to the body."""
        raise NotImplementedError(f"the code generator cannot write operation {self.kind!r}")

    def imports(self) -> frozenset[str]:
        """The modules its generated code imports (`modules`, unless its fields say
        more)."""
        return self.modules

    def predict(self, values: Values, speed: float) -> Outcome:
        """What it takes in the prediction, at `speed`."""
        raise NotImplementedError(f"the prediction does not know operation {self.kind!r}")

    def children(self) -> tuple[Operation, ...]:
        """The operations inside this one (a loop's body)."""
        return ()

    def data(self) -> tuple[str, dict[str, Any]]:
        """The operation as plain data for a child: its kind and its fields (nested
        operations as data too)."""
        assert is_dataclass(self)
        return self.kind, {f.name: _data(getattr(self, f.name)) for f in fields(self)}

    def templates(self) -> tuple[str, ...]:
        """Message templates it renders besides the row's message (their placeholders
        must be defined in the generated function too)."""
        return ()


def _data(value: object) -> object:
    if isinstance(value, Operation):
        return value.data()
    if isinstance(value, tuple):
        return tuple(_data(v) for v in value)
    return value


def prints_outside_a_loop(ops: tuple[Operation, ...]) -> bool:
    """Whether a line is printed outside any loop (a reader prints once; a counter after
    its loop): there is no iteration there, and {i} has no value."""
    return any(op.kind == "print" for top in ops if top.kind != "repeat"
               for op in walk((top,)))


def walk(ops: tuple[Operation, ...]) -> Iterator[Operation]:
    """Every operation of `ops`, nested ones too, in order."""
    for op in ops:
        yield op
        yield from walk(op.children())


@dataclass(frozen=True)
class Compute(Operation):
    """Keep a core busy until the process has used `seconds` of CPU time."""

    seconds: str
    kind: ClassVar[str] = "compute"
    modules: ClassVar[frozenset[str]] = frozenset({"time"})  # the helper reads its clock
    helpers: ClassVar[frozenset[str]] = frozenset({"burn"})

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{ctx.helpers['burn']}({self.seconds})"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return _phase(CPU, values[self.seconds], speed)


@dataclass(frozen=True)
class Sleep(Operation):
    """``time.sleep(seconds)``: off the CPU."""

    seconds: str
    kind: ClassVar[str] = "sleep"
    modules: ClassVar[frozenset[str]] = frozenset({"time"})

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"time.sleep({self.seconds})"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return _phase(SLEEP, values[self.seconds], speed)


def _phase(kind: str, seconds: int | float, speed: float) -> Outcome:
    # A zero duration takes no phase (it would be a zero-length bar).
    return Outcome(((kind, float(seconds) / speed),) if seconds > 0 else ())


@dataclass(frozen=True)
class Print(Operation):
    """Print the row's message (`mpgui.model.message`) for the current iteration."""

    kind: ClassVar[str] = "print"

    def code(self, ctx: CodeContext) -> list[str]:
        if ctx.one_write:
            # One write per line: print() writes the text and the newline separately,
            # and another thread can print in between.
            return [f"print({to_expression(ctx.message, end=chr(10))}, end=\"\", flush=True)"]
        return [f"print({to_expression(ctx.message)}, flush=True)"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome()


@dataclass(frozen=True)
class Fail(Operation):
    """Raise RuntimeError(`message`) at iteration `at` (a parameter): the process ends
    with exit code 1 and a traceback."""

    at: str = "at"
    message: str = "crashed at iteration {i}"
    kind: ClassVar[str] = "fail"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"if i == {self.at}:", f"    raise RuntimeError({to_expression(self.message)})"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome(ends=True, code=1, at=int(values[self.at]))

    def templates(self) -> tuple[str, ...]:
        return (self.message,)


@dataclass(frozen=True)
class Exit(Operation):
    """``sys.exit(status)`` at iteration `at` (both parameters)."""

    status: str = "code"
    at: str = "at"
    kind: ClassVar[str] = "exit"
    modules: ClassVar[frozenset[str]] = frozenset({"sys"})

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"if i == {self.at}:", f"    sys.exit({self.status})"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome(ends=True, code=int(values[self.status]), at=int(values[self.at]))


@dataclass(frozen=True)
class Repeat(Operation):
    """``for i in range(count):`` the `body`, with `i` the iteration (the {i} of the
    message)."""

    count: str
    body: tuple[Operation, ...]
    kind: ClassVar[str] = "repeat"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"for i in range({self.count}):",
                *("    " + line for op in self.body for line in op.code(ctx))]

    def predict(self, values: Values, speed: float) -> Outcome:
        n = int(values[self.count])
        outs = [op.predict(values, speed) for op in self.body]
        # The first iteration in which an operation ends the process, if any.
        stops = [0 if o.at is None else o.at for o in outs if o.ends]
        last = min((s for s in stops if s < n), default=None)
        every = tuple(p for o in outs for p in o.phases)  # one whole iteration
        if last is None:
            return Outcome(every * n)
        final = sequence(outs, last)
        return Outcome(every * last + final.phases, True, final.code)

    def children(self) -> tuple[Operation, ...]:
        return self.body


# -- shared objects (`mpgui.model.shared`): a field names the workload's role, which
# is also the parameter of the generated function that receives the object.


@dataclass(frozen=True)
class Put(Operation):
    """``q.put(line)``: `text` (a message template; empty: the row's message) for this
    iteration as the item. With a maxsize, it waits while the queue is full — with
    `timeout` (the parameter holding seconds), at most that long: an item there is no
    room for in time is dropped (queue.Full was raised), and the process goes on."""

    queue: str = "q"
    text: str = ""
    timeout: str = ""
    kind: ClassVar[str] = "put"

    def code(self, ctx: CodeContext) -> list[str]:
        item = to_expression(self.text or ctx.message)
        if not self.timeout:
            return [f"{self.queue}.put({item})"]
        return ["try:", f"    {self.queue}.put({item}, timeout={self.timeout})",
                "except queue.Full:  # no room in time: go on without putting it",
                "    pass"]

    def imports(self) -> frozenset[str]:
        return frozenset({"queue"}) if self.timeout else frozenset()

    def templates(self) -> tuple[str, ...]:
        return (self.text,) if self.text else ()

    def predict(self, values: Values, speed: float) -> Outcome:
        within = float(values[self.timeout]) / speed if self.timeout else None
        return sync("put", self.queue, within=within)


@dataclass(frozen=True)
class Get(Operation):
    """``item = q.get()``: wait for the next item (the {item} of the message). With
    `timeout` (the parameter holding seconds), ``q.get(timeout=...)``: an item that does
    not come in time is None (queue.Empty was raised), and the process goes on."""

    queue: str = "q"
    timeout: str = ""
    kind: ClassVar[str] = "get"
    provides: ClassVar[frozenset[str]] = frozenset({"item"})

    def code(self, ctx: CodeContext) -> list[str]:
        if not self.timeout:
            return [f"item = {self.queue}.get()"]
        return ["try:", f"    item = {self.queue}.get(timeout={self.timeout})",
                "except queue.Empty:  # nothing came in time: go on without it",
                "    item = None"]

    def imports(self) -> frozenset[str]:
        return frozenset({"queue"}) if self.timeout else frozenset()

    def predict(self, values: Values, speed: float) -> Outcome:
        within = float(values[self.timeout]) / speed if self.timeout else None
        return sync("get", self.queue, within=within)


@dataclass(frozen=True)
class Send(Operation):
    """``pipe[end].send(line)``: `text` (a message template; empty: the row's message)
    for this iteration, through the pipe's end `end` (0 or 1) to whoever receives at
    the other."""

    pipe: str = "pipe"
    end: int = 0
    text: str = ""
    kind: ClassVar[str] = "send"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.pipe}[{self.end}].send({to_expression(self.text or ctx.message)})"]

    def templates(self) -> tuple[str, ...]:
        return (self.text,) if self.text else ()

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("send", self.pipe, self.end)


@dataclass(frozen=True)
class Recv(Operation):
    """``item = pipe[end].recv()``: wait for what the other end sends (the {item} of
    the message)."""

    pipe: str = "pipe"
    end: int = 1
    kind: ClassVar[str] = "recv"
    provides: ClassVar[frozenset[str]] = frozenset({"item"})

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"item = {self.pipe}[{self.end}].recv()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("recv", self.pipe, self.end)


@dataclass(frozen=True)
class StoreItem(Operation):
    """``d[key] = line``: `text` (a message template; empty: the row's message) stored
    in a Manager dict under `key` (a template too: "{name}", the process's name)."""

    mapping: str = "d"
    key: str = "{name}"
    text: str = ""
    kind: ClassVar[str] = "store_item"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.mapping}[{to_expression(self.key)}] = "
                f"{to_expression(self.text or ctx.message)}"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome()

    def templates(self) -> tuple[str, ...]:
        return (self.key, self.text) if self.text else (self.key,)


@dataclass(frozen=True)
class Append(Operation):
    """``l.append(line)``: `text` (empty: the row's message) added to a Manager list."""

    sequence: str = "l"
    text: str = ""
    kind: ClassVar[str] = "append"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.sequence}.append({to_expression(self.text or ctx.message)})"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome()

    def templates(self) -> tuple[str, ...]:
        return (self.text,) if self.text else ()


@dataclass(frozen=True)
class LookAt(Operation):
    """``contents = ...``: a copy of a Manager dict or list (the {contents} of the
    message), sorted — a dict by key, a list by value — so that the line it prints
    does not depend on which process wrote first; or an Array's cells, in order."""

    obj: str = "d"
    of: str = "dict"  # or "list", "array"
    kind: ClassVar[str] = "look_at"
    provides: ClassVar[frozenset[str]] = frozenset({"contents"})

    def code(self, ctx: CodeContext) -> list[str]:
        if self.of == "dict":
            return [f"contents = dict(sorted({self.obj}.items()))"]
        if self.of == "array":  # (its cells in order: their places are the point)
            return [f"contents = list({self.obj})"]
        return [f"contents = sorted({self.obj})"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome()


@dataclass(frozen=True)
class WaitCondition(Operation):
    """``with cond: cond.wait()``: wait for another process's notify_all()."""

    condition: str = "cond"
    kind: ClassVar[str] = "wait_condition"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"with {self.condition}:", f"    {self.condition}.wait()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("cwait", self.condition)


@dataclass(frozen=True)
class Notify(Operation):
    """``with cond: cond.notify_all()``: every process waiting on it goes on (those
    that come to wait later wait for the next one)."""

    condition: str = "cond"
    kind: ClassVar[str] = "notify"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"with {self.condition}:", f"    {self.condition}.notify_all()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("notify", self.condition)


@dataclass(frozen=True)
class WriteCell(Operation):
    """``a[cell + i] = (cell + i) ** 2``: a cell's square into that cell of a shared
    Array, from the row's first cell on (`cell` names the parameter)."""

    array: str = "a"
    cell: str = "cell"
    kind: ClassVar[str] = "write_cell"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.array}[{self.cell} + i] = ({self.cell} + i) ** 2"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome()


@dataclass(frozen=True)
class Increment(Operation):
    """``counter.value += k`` — a read, then a write: another process may write in
    between, and one of the two updates is lost. `locked`: inside ``with
    counter.get_lock():``, where no other process can. `by` names the parameter that
    holds k (a whole number from 1); empty: k is 1."""

    value: str = "counter"
    locked: bool = False
    by: str = ""
    kind: ClassVar[str] = "increment"
    untimed: ClassVar[str] = _("updates of a shared value")

    def code(self, ctx: CodeContext) -> list[str]:
        update = f"{self.value}.value += {self.by or 1}"
        if self.locked:
            return [f"with {self.value}.get_lock():", f"    {update}"]
        return [f"{update}  # a read, then a write: not one step"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome()


@dataclass(frozen=True)
class Read(Operation):
    """``value = counter.value``: read the shared value (the {value} of the message)."""

    value: str = "counter"
    kind: ClassVar[str] = "read"
    provides: ClassVar[frozenset[str]] = frozenset({"value"})

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"value = {self.value}.value"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return Outcome()


@dataclass(frozen=True)
class SetEvent(Operation):
    """``event.set()``: every process waiting on the event goes on."""

    event: str = "event"
    kind: ClassVar[str] = "set"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.event}.set()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("set", self.event)


@dataclass(frozen=True)
class ClearEvent(Operation):
    """``event.clear()``: the event is no longer set; wait() blocks again."""

    event: str = "event"
    kind: ClassVar[str] = "clear"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.event}.clear()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("clear", self.event)


@dataclass(frozen=True)
class WaitEvent(Operation):
    """``event.wait()``: wait until another process sets the event."""

    event: str = "event"
    kind: ClassVar[str] = "wait_event"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.event}.wait()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("wait", self.event)


@dataclass(frozen=True)
class TaskDone(Operation):
    """``q.task_done()``: the item last got from a JoinableQueue is done with."""

    queue: str = "q"
    kind: ClassVar[str] = "task_done"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.queue}.task_done()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("done", self.queue)


@dataclass(frozen=True)
class JoinQueue(Operation):
    """``q.join()``: wait until every item put on a JoinableQueue was marked done."""

    queue: str = "q"
    kind: ClassVar[str] = "join_queue"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.queue}.join()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("join", self.queue)


@dataclass(frozen=True)
class BarrierWait(Operation):
    """``barrier.wait()``: wait until all the barrier's parties have arrived."""

    barrier: str = "barrier"
    kind: ClassVar[str] = "barrier_wait"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.barrier}.wait()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("barrier", self.barrier)


@dataclass(frozen=True)
class Acquire(Operation):
    """``lock.acquire()``: take the lock (or a semaphore's place), waiting while
    another holds it — until a `Release` gives it back."""

    lock: str = "lock"
    kind: ClassVar[str] = "acquire"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.lock}.acquire()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("acquire", self.lock)


@dataclass(frozen=True)
class Release(Operation):
    """``lock.release()``: give the lock (or the place) back."""

    lock: str = "lock"
    kind: ClassVar[str] = "release"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"{self.lock}.release()"]

    def predict(self, values: Values, speed: float) -> Outcome:
        return sync("release", self.lock)


@dataclass(frozen=True)
class Locked(Operation):
    """``with lock:`` the `body`: one process at a time; the others wait in acquire()."""

    lock: str
    body: tuple[Operation, ...]
    kind: ClassVar[str] = "locked"

    def code(self, ctx: CodeContext) -> list[str]:
        return [f"with {self.lock}:", *("    " + line for op in self.body
                                        for line in op.code(ctx))]

    def predict(self, values: Values, speed: float) -> Outcome:
        # (a process that ends inside the block, ends holding it)
        return sequence([sync("acquire", self.lock), *(op.predict(values, speed)
                                                       for op in self.body),
                         sync("release", self.lock)])

    def children(self) -> tuple[Operation, ...]:
        return self.body


def sequence(outs: list[Outcome], i: int = 0) -> Outcome:
    """Outcomes one after the other, at iteration `i`: their phases up to the first
    that ends the process."""
    phases: list[Phase] = []
    for o in outs:
        phases += o.phases
        if o.ends and o.at in (None, i):
            return Outcome(tuple(phases), True, o.code)
    return Outcome(tuple(phases))


def predict_ops(ops: tuple[Operation, ...], values: Values, speed: float) -> Outcome:
    """What a workload's operations take in the prediction, and how the process ends."""
    return sequence([op.predict(values, speed) for op in ops])
