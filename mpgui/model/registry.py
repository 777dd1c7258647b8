"""The workload registry: the one place that defines each workload and its parameters.

Validation, the TOML format, the code generator, the runtime and the table editor all
read these definitions; nothing else lists a workload's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from mpgui.i18n import _
from mpgui.model.operations import (
    Append,
    BarrierWait,
    ClearEvent,
    Compute,
    Exit,
    Fail,
    Get,
    Increment,
    JoinQueue,
    Locked,
    LookAt,
    Notify,
    Operation,
    Print,
    Put,
    Read,
    Recv,
    Repeat,
    Send,
    SetEvent,
    Sleep,
    StoreItem,
    TaskDone,
    WaitCondition,
    WaitEvent,
    WriteCell,
)

SECONDS = "s"
STEPS = "steps"  # the workload whose operations each row writes itself


@dataclass(frozen=True)
class Param:
    """One parameter of a workload: its type, limits, default, unit and help text."""

    name: str
    label: str
    kind: type  # int or float
    default: int | float
    minimum: int | float
    maximum: int | float
    unit: str = ""
    help: str = ""

    @property
    def is_duration(self) -> bool:
        """Durations are scaled by the run's speed factor."""
        return self.unit == SECONDS

    def describe_range(self) -> str:
        """The allowed range in words, e.g. 'from 0 to 3600 s'."""
        if self.unit:
            return _("from {minimum} to {maximum} {unit}").format(
                minimum=_num(self.minimum), maximum=_num(self.maximum), unit=self.unit)
        return _("from {minimum} to {maximum}").format(minimum=_num(self.minimum),
                                                        maximum=_num(self.maximum))


@dataclass(frozen=True)
class Workload:
    """A kind of work a child process does, the parameters it takes, and what it does
    with them: its operations (`mpgui.model.operations`), which the child executes, the
    code generator writes out and the prediction adds up."""

    name: str
    title: str
    help: str
    params: tuple[Param, ...]
    ops: tuple[Operation, ...]
    # The shared objects it works with (`mpgui.model.shared.Role`), each passed to the
    # row's function as the argument of that name: (role name, kind name, help).
    roles: tuple[tuple[str, str, str], ...] = ()

    def param(self, name: str) -> Param:
        """The parameter called `name` (KeyError if there is none)."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, int | float]:
        """A fresh dict of every parameter's default value."""
        return {p.name: p.default for p in self.params}


def _num(x: int | float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


MAX_ITERATIONS = 10_000
MAX_SECONDS = 3600.0

_N = Param("n", _("Iterations"), int, 4, 0, MAX_ITERATIONS, "",
           _("How many times the loop runs; each iteration prints one line."))
_INTERVAL = Param("interval", _("Sleep"), float, 1.0, 0.0, MAX_SECONDS, SECONDS,
                  _("Seconds slept in each iteration, before its line is printed "
                    "(time.sleep)."))
_COMPUTE = Param("compute", _("Compute"), float, 0.5, 0.0, MAX_SECONDS, SECONDS,
                 _("Seconds of CPU time burnt before each printed line (busy loop)."))
_AT = Param("at", _("Fails at"), int, 2, 0, MAX_ITERATIONS, "",
            _("The iteration (counting from 0) at which it stops, after its sleep."))

# Lost updates need the counters to overlap for a while: more iterations than a loop
# that prints (each increment is one event on the chart, hence the limit).
_INCREMENTS = Param("n", _("Iterations"), int, 50_000, 0, 100_000, "",
                    _("How many times it adds to the shared value."))

_TIMEOUT = Param("timeout", _("Gives up after"), float, 0.5, 0.001, MAX_SECONDS, SECONDS,
                  _("Seconds a get() waits for an item before it gives up: q.get(timeout=...) "
                    "raises queue.Empty, and {item} is None."))

_BY = Param("by", _("Adds"), int, 1, 1, 1000, "",
             _("What each update adds to the shared value: counter.value += by."))

# Enough results to fill a queue's pipe (some 64 KiB), and not so many that they take
# long to go through.
_RESULTS = Param("n", _("Results"), int, 3000, 1, MAX_ITERATIONS, "",
                 _("How many results it puts on (or takes from) the queue."))

_CELL = Param("cell", _("First cell"), int, 0, 0, 9_999, "",
              _("The array cell it writes first; iteration i writes cell `cell` + i."))

WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload("sleep_loop", _("Sleep loop"),
                 _("The tutorial's loop: sleep, then print, n times. A sleeping process "
                   "needs no CPU core."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Sleep("interval"), Print())),)),
        Workload("cpu_loop", _("CPU loop"),
                 _("Busy computing, then print, n times. It needs a core the whole time, "
                   "so more of them than cores must take turns."),
                 (_N, _COMPUTE),
                 (Repeat("n", (Compute("compute"), Print())),)),
        Workload("mixed", _("Compute, then sleep"),
                 _("Each iteration computes, then sleeps, then prints."),
                 (_N, _COMPUTE, _INTERVAL),
                 (Repeat("n", (Compute("compute"), Sleep("interval"), Print())),)),
        Workload("crash", _("Crash"),
                 _("Like the sleep loop, but raises RuntimeError at iteration 'at': the "
                   "process ends with exit code 1 and a traceback; the others go on."),
                 (_N, _INTERVAL, _AT),
                 (Repeat("n", (Sleep("interval"), Fail("at"), Print())),)),
        Workload("exit_code", _("Exit with a code"),
                 _("Like the sleep loop, but calls sys.exit(code) at iteration 'at'."),
                 (_N, _INTERVAL, _AT,
                  Param("code", _("Exit code"), int, 3, 0, 255, "",
                        _("The exit code passed to sys.exit()."))),
                 (Repeat("n", (Sleep("interval"), Exit("code", "at"), Print())),)),
        Workload("flood", _("Flood"),
                 _("Prints n lines as fast as it can: a stress test for the pipe and the "
                   "window."),
                 (Param("n", _("Lines"), int, 100_000, 0, 10_000_000, "",
                        _("How many lines to print, with no pause between them.")),),
                 (Repeat("n", (Print(),)),)),
        # -- with shared objects (`mpgui.model.shared`)
        Workload("producer", _("Producer"),
                 _("Sleeps, then puts its message on the queue and prints it, n times. "
                   "With a maxsize, put() waits while the queue is full."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Sleep("interval"), Put("q"), Print())),),
                 (("q", "Queue", _("the queue it puts its items on")),)),
        Workload("consumer", _("Consumer"),
                 _("Gets an item from the queue (waiting while it is empty), then prints "
                   "its message — {item} is what it got —, n times."),
                 (_N,),
                 (Repeat("n", (Get("q"), Print())),),
                 (("q", "Queue", _("the queue it gets its items from")),)),
        Workload("impatient_consumer", _("Consumer that gives up"),
                 _("Gets an item from the queue, waiting at most `timeout` seconds for it: "
                   "one that does not come in time is None (q.get raised queue.Empty) — "
                   "then prints its message, {item} what it got, n times."),
                 (_N, _TIMEOUT),
                 (Repeat("n", (Get("q", timeout="timeout"), Print())),),
                 (("q", "Queue", _("the queue it gets its items from")),)),
        Workload("slow_consumer", _("Consume slowly"),
                 _("Gets an item from the queue (waiting while it is empty), works on it "
                   "(sleeps), then prints its message — {item} is what it got —, n times."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Get("q"), Sleep("interval"), Print())),),
                 (("q", "Queue", _("the queue it gets its items from")),)),
        Workload("results", _("Put many results"),
                 _("Puts n results on the queue as fast as it can (\"result {i} of "
                   "{name}\"), then prints its message once. Its work is then done, but "
                   "it ends only when the results are in the queue's pipe: if nobody "
                   "takes them, never."),
                 (_RESULTS,),
                 (Repeat("n", (Put("q", "result {i} of {name}"),)), Print()),
                 (("q", "Queue", _("the queue it puts its results on")),)),
        Workload("collector", _("Take many results"),
                 _("Gets n items from the queue (waiting while it is empty), then prints "
                   "its message once ({item} is the last it got)."),
                 (_RESULTS,),
                 (Repeat("n", (Get("q"),)), Print()),
                 (("q", "Queue", _("the queue it takes the results from")),)),
        Workload("counter", _("Counter"),
                 _("Adds to a shared Value n times with counter.value += by (1 unless you "
                   "change it) — a read, then a write, so another process can write in "
                   "between and an update is lost — then prints its message."),
                 (_INCREMENTS, _BY),
                 (Repeat("n", (Increment("counter", by="by"),)), Print()),
                 (("counter", "Value", _("the shared value it adds to")),)),
        Workload("locked_counter", _("Counter with a lock"),
                 _("Like the counter, but each += is inside with counter.get_lock(): no "
                   "update is lost, and the processes take turns."),
                 (_INCREMENTS, _BY),
                 (Repeat("n", (Increment("counter", locked=True, by="by"),)), Print()),
                 (("counter", "Value", _("the shared value it adds to")),)),
        Workload("reader", _("Read a value"),
                 _("Reads the shared value once and prints its message ({value} is what it "
                   "read): started after the others are joined, it shows their total."),
                 (),
                 (Read("counter"), Print()),
                 (("counter", "Value", _("the shared value it reads")),)),
        Workload("two_locks", _("Take two locks"),
                 _("Takes its first lock, sleeps, then takes its second lock too and prints "
                   "holding both, n times. Two processes that take the same two locks in "
                   "opposite orders each hold one and wait for the other: a deadlock."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Locked("first", (Sleep("interval"),
                                                Locked("second", (Print(),)))),)),),
                 (("first", "Lock", _("the lock it takes first")),
                  ("second", "Lock", _("the lock it takes while it holds the first")))),
        Workload("lock_holder", _("Sleep holding a lock"),
                 _("Takes the lock, sleeps and prints while it holds it, n times: the other "
                   "processes that want the lock wait in acquire()."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Locked("lock", (Sleep("interval"), Print())),)),),
                 (("lock", "Lock", _("the lock it holds while it sleeps and prints")),)),
        Workload("starter", _("Starting gun"),
                 _("Sleeps, then sets the event — every process waiting on it goes on at "
                   "once — and prints its message."),
                 (_INTERVAL,),
                 (Sleep("interval"), SetEvent("event"), Print()),
                 (("event", "Event", _("the event it sets")),)),
        Workload("gatekeeper", _("Open and close a gate"),
                 _("Sets the event (the gate opens: every process waiting on it goes on), "
                   "prints, sleeps, then clears it (the gate closes: wait() blocks again) "
                   "and sleeps, n times."),
                 (_N, _INTERVAL),
                 (Repeat("n", (SetEvent("event"), Print(), Sleep("interval"),
                               ClearEvent("event"), Sleep("interval"))),),
                 (("event", "Event", _("the event it sets and clears")),)),
        Workload("racer", _("Wait, then compute"),
                 _("Waits for the event (blocked until another process sets it), then "
                   "computes and prints, n times."),
                 (_N, _COMPUTE),
                 (WaitEvent("event"), Repeat("n", (Compute("compute"), Print()))),
                 (("event", "Event", _("the event it waits for before it starts")),)),
        Workload("phases", _("Work in phases"),
                 _("Works (sleeps) for its part of a phase, prints, then waits at the "
                   "barrier until every party has arrived, n times: each phase ends for "
                   "all of them when the slowest is done."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Sleep("interval"), Print(), BarrierWait("barrier"))),),
                 (("barrier", "Barrier", _("the barrier it waits at after each phase")),)),
        Workload("dispatcher", _("Put tasks, then join"),
                 _("Puts its message on the queue and prints it, n times, then waits in "
                   "q.join() until every item has been marked done with task_done()."),
                 (_N,),
                 (Repeat("n", (Put("q"), Print())), JoinQueue("q")),
                 (("q", "JoinableQueue", _("the queue it puts its tasks on and joins")),)),
        Workload("task_worker", _("Do tasks, mark them done"),
                 _("Gets a task from the queue (waiting while it is empty), works on it "
                   "(sleeps), prints its message ({item} is the task), then calls "
                   "q.task_done(), n times."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Get("q"), Sleep("interval"), Print(), TaskDone("q"))),),
                 (("q", "JoinableQueue", _("the queue it takes tasks from")),)),
        Workload("pinger", _("Pinger"),
                 _("Sends \"ping {i}\" through the pipe's first end, waits for the answer, "
                   "then prints its message — {item} is the answer —, n times."),
                 (_N,),
                 (Repeat("n", (Send("pipe", 0, "ping {i}"), Recv("pipe", 0), Print())),),
                 (("pipe", "Pipe", _("the pipe it sends on and gets answers from (end 0)")),)),
        Workload("ponger", _("Ponger"),
                 _("Waits for what comes through the pipe's second end, prints its message "
                   "— {item} is what came —, sleeps, then answers \"pong {i}\", n times."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Recv("pipe", 1), Print(), Sleep("interval"),
                               Send("pipe", 1, "pong {i}"))),),
                 (("pipe", "Pipe", _("the pipe it answers on (end 1)")),)),
        Workload("sender", _("Send through a pipe"),
                 _("Sleeps, then sends its message through the pipe's second end and prints "
                   "it, n times (a one-way pipe's sending end)."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Sleep("interval"), Send("pipe", 1), Print())),),
                 (("pipe", "Pipe", _("the pipe it sends on (end 1)")),)),
        Workload("receiver", _("Receive from a pipe"),
                 _("Waits for what comes through the pipe's first end, then prints its "
                   "message — {item} is what came —, n times (a one-way pipe's "
                   "receiving end)."),
                 (_N,),
                 (Repeat("n", (Recv("pipe", 0), Print())),),
                 (("pipe", "Pipe", _("the pipe it receives from (end 0)")),)),
        Workload("store_result", _("Store a result in a dict"),
                 _("Computes, n times, then stores its message in the dict under its name "
                   "(d[name] = message) and prints it."),
                 (_N, _COMPUTE),
                 (Repeat("n", (Compute("compute"),)), StoreItem("d", "{name}"), Print()),
                 (("d", "Manager.dict", _("the dict it stores its result in")),)),
        Workload("append_result", _("Append results to a list"),
                 _("Computes, then appends its message to the list and prints it, n times."),
                 (_N, _COMPUTE),
                 (Repeat("n", (Compute("compute"), Append("l"), Print())),),
                 (("l", "Manager.list", _("the list it appends its results to")),)),
        Workload("show_dict", _("Show a dict"),
                 _("Looks at the dict once and prints its message ({contents} is what the "
                   "dict held, sorted by key): started after the others are joined, it "
                   "shows all they stored."),
                 (),
                 (LookAt("d", "dict"), Print()),
                 (("d", "Manager.dict", _("the dict it shows")),)),
        Workload("show_list", _("Show a list"),
                 _("Looks at the list once and prints its message ({contents} is what the "
                   "list held, sorted)."),
                 (),
                 (LookAt("l", "list"), Print()),
                 (("l", "Manager.list", _("the list it shows")),)),
        Workload("waiter", _("Wait for a notification"),
                 _("Waits on the condition (with cond: cond.wait()) until another process "
                   "calls notify_all(), then prints, n times. A notification that came "
                   "before it began to wait is lost: it waits for the next."),
                 (_N,),
                 (Repeat("n", (WaitCondition("cond"), Print())),),
                 (("cond", "Condition", _("the condition it waits on")),)),
        Workload("notifier", _("Notify the waiters"),
                 _("Sleeps, prints, then wakes every process waiting on the condition "
                   "(with cond: cond.notify_all()), n times."),
                 (_N, _INTERVAL),
                 (Repeat("n", (Sleep("interval"), Print(), Notify("cond"))),),
                 (("cond", "Condition", _("the condition it notifies")),)),
        Workload("fill_cells", _("Fill array cells"),
                 _("Computes, then writes the square of cell `cell` + i's number into it "
                   "and prints, n times: rows that fill different cells share the array "
                   "without a lock."),
                 (_N, _COMPUTE, _CELL),
                 (Repeat("n", (Compute("compute"), WriteCell("a", "cell"), Print())),),
                 (("a", "Array", _("the array whose cells it fills")),)),
        Workload("show_array", _("Show an array"),
                 _("Looks at the array once and prints its message ({contents} is its "
                   "cells, in order)."),
                 (),
                 (LookAt("a", "array"), Print()),
                 (("a", "Array", _("the array it shows")),)),
        Workload("philosopher", _("Philosopher"),
                 _("Thinks (sleeps), then takes its left fork and its right fork (two "
                   "locks, in that order), eats (computes) and prints, n times. Around a "
                   "table where everyone takes the left fork first, they can all hold one "
                   "and wait for ever."),
                 (_N, _INTERVAL, _COMPUTE),
                 (Repeat("n", (Sleep("interval"), Locked("left", (
                     Locked("right", (Compute("compute"), Print())),)))),),
                 (("left", "Lock", _("the fork it takes first")),
                  ("right", "Lock", _("the fork it takes second")))),
        # (Its operations, durations and objects come from the row's own text:
        # `mpgui.model.steps`; a row's `work()` is the workload made of them.)
        Workload(STEPS, _("Your own steps"),
                 _("Does the steps written in the row's Steps column, n times: sleep S, "
                   "compute S, print, put Q, get Q (put Q 0.5, get Q 0.5: give up after "
                   "0.5 s), "
                   "task_done Q, join Q, send P[0], "
                   "recv P[1], acquire L, release L, set E, clear E, wait E, barrier B, "
                   "cond_wait C, notify C, add V, add_locked V (+= 1; add V 5: += 5), read V "
                   "— one per line or "
                   "separated by \";\"."),
                 (_N,), ()),
    )
}

DEFAULT_WORKLOAD = "sleep_loop"


def param_columns() -> list[Param]:
    """Every parameter name once, in registry order: the table's parameter columns.

    A name means the same thing in every workload that has it (``interval`` is always
    the sleep per iteration), so one column can show it for all of them."""
    seen: dict[str, Param] = {}
    for w in WORKLOADS.values():
        for p in w.params:
            seen.setdefault(p.name, p)
    return list(seen.values())


def get_workload(name: str) -> Workload:
    """The workload called `name`; KeyError naming the known ones otherwise."""
    try:
        return WORKLOADS[name]
    except KeyError:
        known = ", ".join(WORKLOADS)
        raise KeyError(_("unknown workload {name}; known: {known}").format(
            name=repr(name), known=known)) from None
