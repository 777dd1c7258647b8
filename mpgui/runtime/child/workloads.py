"""How a child executes a workload's operations (`mpgui.model.operations`), reporting
what it does. The model defines each workload once, as a list of operations; here each
kind of operation has its executor, registered by kind, and one small walker runs the
list. `mpgui.model.codegen` writes the same list as plain Python, and a test checks that
both print the same lines.

The child gets the operations as plain data, ``(kind, fields)`` (`Operation.data`), so
it imports no model but the one renderer of messages. An executor is called once per
operation, before anything runs, with the operation's fields, and returns the step that
does the work: a function of the loop's iteration `i`. Preparing the steps first keeps
the hot path (a flood prints a million lines a second) to one call per operation and
iteration.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from types import CodeType

from mpgui.model.rendering import renderer
from mpgui.runtime.child.reporter import Reporter

# (not typing's: a child's imports delay its first event, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

StepFn = Callable[[int], None]  # one operation, ready to run: iteration -> None
OpData = tuple[str, dict[str, "Any"]]  # an operation as plain data: (kind, fields)


class Context:
    """What a child's operations work with: its reporter, its parameter values (every
    duration already scaled by the speed), its message and the message's fields, and
    the shared objects it was given (by role: the object's name and the object)."""

    def __init__(self, r: Reporter, values: dict[str, Any], message: str, name: str,
                 pid: int, k: int = 0, shared: dict[str, tuple[str, Any]] | None = None
                 ) -> None:
        self.r, self.values, self.message = r, values, message
        self.name, self.pid, self.k = name, pid, k
        self.shared = shared or {}
        # The message's fields that operations set ({item}, {value}), shared by every
        # renderer of this context.
        self.fields: dict[str, int | str | None] = {"item": "", "value": 0,
                                                    "by": values.get("by", 1)}

    def renderer(self, template: str) -> Callable[[int], str]:
        """The line `template` makes at iteration i (the one renderer of messages)."""
        return renderer(template, n=self.values.get("n", 0), name=self.name, pid=self.pid,
                        k=self.k, fields=self.fields)


Executor = Callable[..., StepFn]  # (ctx, **the operation's fields) -> its step
EXECUTORS: dict[str, Executor] = {}
# The code of the steps whose exception is the generated script's own ``raise`` line
# (the crash workload's): a traceback ending there is shown as the script's.
SCRIPT_RAISES: set[CodeType] = set()


def executes(kind: str, *, raises_as_script: bool = False) -> Callable[[Executor], Executor]:
    """Register the decorated function as the executor of the operations of `kind`
    (the model's `Operation.kind`). `raises_as_script`: an exception its step raises
    is the generated script's own ``raise`` (see `SCRIPT_RAISES`)."""
    def register(f: Executor) -> Executor:
        def prepared(ctx: Context, **fields: Any) -> StepFn:
            step = f(ctx, **fields)
            SCRIPT_RAISES.add(step.__code__)
            return step
        EXECUTORS[kind] = prepared if raises_as_script else f
        return f
    return register


def prepare(op: OpData, ctx: Context) -> StepFn:
    """The operation `op` ready to run; LookupError naming it when no executor is
    registered for its kind.

    A kind defined outside mpgui is spelled ``"package.module:name"``, the module that
    registers its executor: a child started by spawn or forkserver is a fresh
    interpreter that has imported only mpgui's executors, so it imports that module the
    first time it meets the kind (the parent's registration does not reach it)."""
    kind, fields = op
    if kind not in EXECUTORS and ":" in kind:
        importlib.import_module(kind.partition(":")[0])
    try:
        executor = EXECUTORS[kind]
    except KeyError:
        raise LookupError(f"no executor for the operation {kind!r}; known: "
                          + ", ".join(EXECUTORS)) from None
    return executor(ctx, **fields)


def run_ops(ops: list[OpData] | tuple[OpData, ...], ctx: Context) -> None:
    """Execute a workload's operations in order (outside any loop, i is 0)."""
    for step in [prepare(op, ctx) for op in ops]:
        step(0)


@executes("sleep")
def _sleep(ctx: Context, seconds: str) -> StepFn:
    duration, sleep = ctx.values[seconds], ctx.r.sleep
    return lambda _i: sleep(duration)


@executes("compute")
def _compute(ctx: Context, seconds: str) -> StepFn:
    duration, burn = ctx.values[seconds], ctx.r.burn
    return lambda _i: burn(duration)


@executes("print")
def _print(ctx: Context) -> StepFn:
    say, line = ctx.renderer(ctx.message), ctx.r.line
    return lambda i: line(say(i))


@executes("fail", raises_as_script=True)
def _fail(ctx: Context, at: str, message: str) -> StepFn:
    when, text = int(ctx.values[at]), ctx.renderer(message)

    def fail(i: int) -> None:
        if i == when:
            raise RuntimeError(text(i))
    return fail


@executes("exit")
def _exit(ctx: Context, status: str, at: str) -> StepFn:
    when, code = int(ctx.values[at]), int(ctx.values[status])

    def exit_(i: int) -> None:
        if i == when:
            sys.exit(code)
    return exit_


# Operations whose executors look at the process's core themselves (a sleep's return to
# RUNNING, computing's samples).
_LOOKING = frozenset({"sleep", "compute"})
# Iterations of a loop of quick calls between two reads of the clock.
_LOOK_EVERY = 32


@executes("repeat")
def _repeat(ctx: Context, count: str, body: tuple[OpData, ...]) -> StepFn:
    times = int(ctx.values[count])
    steps = [prepare(op, ctx) for op in body]
    if not any(kind in _LOOKING for kind, _fields in body):
        return _looking_loop(ctx.r, times, steps)

    def repeat(_i: int) -> None:  # (each iteration sleeps or computes: no hot path)
        for i in range(times):
            for step in steps:
                step(i)
    return repeat


def _looking_loop(r: Reporter, times: int, steps: list[StepFn]) -> StepFn:
    """A loop of quick calls only (puts, gets, prints, a counter's updates): nothing in
    it looks at the core, so a process the kernel moves to another core would be drawn
    where it began until the loop ends. Every _LOOK_EVERY iterations it reads the clock,
    and each millisecond its core (`Reporter.notice_core`). The clock is read between
    blocks of iterations, never in them: a flood's loop stays one call per line."""
    now, notice = time.perf_counter_ns, r.notice_core
    only = steps[0] if len(steps) == 1 else None

    def loop(_i: int) -> None:
        for start in range(0, times, _LOOK_EVERY):
            block = range(start, min(start + _LOOK_EVERY, times))
            if only is not None:
                for i in block:
                    only(i)
            else:
                for i in block:
                    for step in steps:
                        step(i)
            notice(now())
    return loop
