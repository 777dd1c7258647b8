"""Shared objects in the runtime: how the parent makes a scenario's queues, locks and
values (`mpgui.model.shared` describes each kind), and how a child's operations on
them run and report — what they did, with the item's identity or the value read, and
each wait, as a BLOCKED span named after the object — on the shared clock.

The parent makes the objects for processes from the run's multiprocessing context and
passes each child those it uses, as the equivalent script passes them as arguments. A
threads host makes their `threading`/`queue` counterparts itself. Here, as in every
child module, nothing imports the model: kinds are known by name.

A queue carries ``(identity, item)`` pairs: the identity (a number made of the putter's
pid and thread and a count) lets the chart draw an arrow from each put() to the get()
that received that item; the item is what the equivalent script puts.
"""

from __future__ import annotations

import array
import itertools
import multiprocessing
import os
import queue as queues  # (`queue` is the name of an operation's field)
import threading
import time

from mpgui.runtime.child.queue_reads import ready as _ready
from mpgui.runtime.child.queue_reads import taker as _taker
from mpgui.runtime.child.workloads import Context, StepFn, executes, prepare
from mpgui.runtime.protocol import Kind, State, wait_record

# (not typing's: a child's imports delay its first event, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from mpgui.runtime.child.reporter import Reporter
    from mpgui.runtime.child.workloads import OpData

# The verbs of Kind.SHARED events: (object name, verb) and what b says.
PUT = "put"  # b: the item's identity
GET = "get"  # b: the item's identity
WAIT = "wait"  # b: the call that waits ("put", "get", "acquire", "wait")
RW = "rw"  # a read-modify-write of a value: b = (time of the read, value read[, k])
READ = "read"  # b: the value read
ACQUIRE = "acquire"  # b: None
RELEASE = "release"  # b: None
SET = "set"  # an event set: b None
CLEAR = "clear"  # an event cleared: b None
WAITED = "waited"  # a wait on an event ended (it was set): b None
DONE = "done"  # task_done() on a joinable queue: b None
JOINED = "joined"  # a joinable queue's join() returned: b None
ENTER = "enter"  # a place of a semaphore taken (its `with` block entered): b None
LEAVE = "leave"  # ... and given back
ARRIVE = "arrive"  # at a barrier, about to wait: b None
PASSED = "passed"  # out of a barrier's wait (every party arrived): b None
FLUSHED = "flushed"  # all a process put on a queue is in its pipe (it may end): b None
SEND = "send"  # through a pipe: b the message's identity
RECV = "recv"  # from a pipe: b the message's identity
STORE = "store"  # d[key] = ... on a Manager dict: b the key
APPEND = "append"  # to a Manager list: b None
LOOK = "look"  # a copy of a Manager dict or list taken: b its length
ASLEEP = "asleep"  # about to wait on a condition: b None
WOKEN = "woken"  # out of a condition's wait (notified): b None
NOTIFY = "notify"  # notify_all() on a condition: b None
WRITE = "write"  # a cell of an array written: b the cell's index
GAVEUP = "gaveup"  # a wait whose timeout passed, given up: b the call

# An object's spec as the parent sends it: (name, kind name, parameters, typecode — a
# Value's or an Array's C type, "i" where a kind has none).
ObjectSpec = tuple[str, str, dict[str, int], str]


class ThreadValue:
    """What multiprocessing.Value is to processes, for threads: a .value, and a lock
    that makes an update whole (the generated script's SharedValue)."""

    def __init__(self, value: float) -> None:
        self.value = value
        self._lock = threading.RLock()

    def get_lock(self) -> threading.RLock:
        return self._lock


_FOR_PROCESSES: dict[str, Callable[[Any, dict[str, int], str], Any]] = {
    "Queue": lambda ctx, p, t: ctx.Queue(p.get("maxsize", 0)),
    "Lock": lambda ctx, p, t: ctx.Lock(),
    "Value": lambda ctx, p, t: ctx.Value(t, p.get("init", 0)),
    "Event": lambda ctx, p, t: ctx.Event(),
    "Barrier": lambda ctx, p, t: ctx.Barrier(p.get("parties", 2)),
    "JoinableQueue": lambda ctx, p, t: ctx.JoinableQueue(p.get("maxsize", 0)),
    "RLock": lambda ctx, p, t: ctx.RLock(),
    "Semaphore": lambda ctx, p, t: ctx.Semaphore(p.get("value", 2)),
    "Pipe": lambda ctx, p, t: ctx.Pipe(bool(p.get("duplex", 1))),
    "Condition": lambda ctx, p, t: ctx.Condition(),
    "Array": lambda ctx, p, t: ctx.Array(t, p.get("size", 8)),
}
# Those a Manager makes: (the manager, parameters) -> the object's proxy.
_BY_MANAGER: dict[str, Callable[[Any, dict[str, int]], Any]] = {
    "Manager.dict": lambda m, p: m.dict(),
    "Manager.list": lambda m, p: m.list(),
}


def _number(typecode: str, n: int) -> float:
    """`n` as a number of `typecode`'s kind: 0.0 for a floating type, as its Value
    holds it (the threads' counterparts print what the processes' do)."""
    return float(n) if typecode in ("f", "d") else n


_FOR_THREADS: dict[str, Callable[[dict[str, int], str], Any]] = {
    "Queue": lambda p, t: queues.Queue(p.get("maxsize", 0)),
    "Lock": lambda p, t: threading.Lock(),
    "Value": lambda p, t: ThreadValue(_number(t, p.get("init", 0))),
    "Event": lambda p, t: threading.Event(),
    "Barrier": lambda p, t: threading.Barrier(p.get("parties", 2)),
    "JoinableQueue": lambda p, t: queues.Queue(p.get("maxsize", 0)),  # (task_done, join)
    "RLock": lambda p, t: threading.RLock(),
    "Semaphore": lambda p, t: threading.Semaphore(p.get("value", 2)),
    "Pipe": lambda p, t: multiprocessing.Pipe(bool(p.get("duplex", 1))),
    "Condition": lambda p, t: threading.Condition(),
    # (threads share the process's memory: an array of the same C type is theirs)
    "Array": lambda p, t: array.array(t, [0]) * p.get("size", 8),
    "Manager.dict": lambda p, t: {},
    "Manager.list": lambda p, t: [],
}


def make_for_processes(ctx: Any, specs: list[ObjectSpec]) -> tuple[dict[str, Any], Any]:
    """The objects of `specs` made with the multiprocessing context `ctx`, by name, and
    the Manager that keeps those a manager makes (None if there are none): its server
    is a process of the run's, to be shut down with it (`manager.shutdown()`)."""
    manager = None
    if any(kind in _BY_MANAGER for _n, kind, _p, _t in specs):
        from multiprocessing.managers import SyncManager

        from mpgui.runtime.child.entry import exit_with_parent
        manager = SyncManager(ctx=ctx)
        # (its server ends with mpgui, however mpgui ends, as every child of a run does)
        manager.start(initializer=exit_with_parent)
    made = {name: _BY_MANAGER[kind](manager, params) if kind in _BY_MANAGER
            else _FOR_PROCESSES[kind](ctx, params, typecode)
            for name, kind, params, typecode in specs}
    return made, manager


def make_for_threads(specs: list[ObjectSpec]) -> dict[str, Any]:
    """Their counterparts for threads of one process, by name."""
    return {name: _FOR_THREADS[kind](params, typecode)
            for name, kind, params, typecode in specs}


def _waiting(r: Reporter, name: str, call: str, wait: Callable[[], Any],
             timeout: float | None = None) -> Any:
    """Wait in `call` on `name` — `wait()` — and return what it returns. The wait is
    said before it begins (and sent at once), so that the chart, and whoever looks for
    a deadlock, sees it while it lasts; a wait with a `timeout` says so (it ends by
    itself: no deadlock)."""
    r.event(Kind.SHARED, (name, WAIT), wait_record(call, timeout))
    r.state(State.BLOCKED)
    r.flush()
    try:
        return wait()
    finally:
        r.state(State.RUNNING)


def _acquire(ctx: Context, name: str, lock: Any) -> None:
    """Take `lock` (or a semaphore's place), waiting — and saying so — if it is held."""
    if not lock.acquire(False):
        _waiting(ctx.r, name, "acquire", lock.acquire)


def _identities() -> itertools.count[int]:
    """One number per item, unique in the run: the putter's pid and thread in the high
    bits, a count in the low 24 (a loop is at most 10,000 long). (A number, not a
    string: cheaper to make and to send, on every put.)"""
    return itertools.count(((os.getpid() << 16) | threading.get_ident() % 65_536) << 24)


# The multiprocessing queues this process put items on, by name: it ends only once
# they are all in the queue's pipe (`wait_for_puts`).
_PUT_TO: dict[str, Any] = {}


def wait_for_puts(r: Reporter) -> None:
    """Before the process ends, wait — blocked, and saying so — until every item it put
    on a multiprocessing queue has gone into the queue's pipe. Python's own exit waits
    for that too (it joins the queue's feeder thread), and a pipe holds some 64 KiB: a
    process whose many items nobody takes never ends, and a main program that joins it
    before something drains the queue waits for ever."""
    for name, q in _PUT_TO.items():
        q.close()  # (no more puts: the feeder ends once its buffer is in the pipe)
        feeder = getattr(q, "_thread", None)  # (the feeder; None if nothing was put)
        if feeder is not None and feeder.is_alive():
            feeder.join(0.005)  # (as a rule it writes the last few items at once)
            if feeder.is_alive():
                _waiting(r, name, "join_thread", q.join_thread)
                r.event(Kind.SHARED, (name, FLUSHED), None)


@executes("put")
def _put(ctx: Context, queue: str, text: str, timeout: str = "") -> StepFn:
    name, q = ctx.shared[queue]
    if hasattr(q, "join_thread"):  # (a multiprocessing queue; a thread's has no feeder)
        _PUT_TO[name] = q
    say, event, now = ctx.renderer(text or ctx.message), ctx.r.event, time.perf_counter_ns
    ids = _identities()
    what, shared, put_now = (name, PUT), Kind.SHARED, q.put  # (looked up once, not per put)
    within = float(ctx.values[timeout]) if timeout else None

    def put(i: int) -> None:
        pair = (next(ids), say(i))
        # Timed before: once put() has the item, another process may get it before this
        # one runs again (a busy machine, a Manager's round trip), and a get must never
        # be drawn before its put.
        t: int | None = now()
        try:
            put_now(pair, False)
        except queues.Full:
            try:
                _waiting(ctx.r, name, "put", lambda: put_now(pair, True, within), within)
                t = None  # (it went in at the end of the wait: now)
            except queues.Full:  # (no room in time: the item is dropped, said so)
                event(shared, (name, GAVEUP), "put")
                return
        event(shared, what, pair[0], t)
    return put


@executes("get")
def _get(ctx: Context, queue: str, timeout: str = "") -> StepFn:
    name, q = ctx.shared[queue]
    fields, event, now = ctx.fields, ctx.r.event, time.perf_counter_ns
    what, shared, get_now = (name, GET), Kind.SHARED, q.get  # (looked up once)
    take_now = _taker(q)
    if timeout:
        return _get_within(ctx, name, q, float(ctx.values[timeout]))

    def get(_i: int) -> None:
        # An item that was there is taken from the moment get() began: a producer
        # waiting on a full queue is let in before this get() returns, and its put must
        # not be drawn before the place was given up (a bounded queue over its size).
        t: int | None = now()
        try:
            ident, item = take_now()
        except queues.Empty:
            ident, item = _waiting(ctx.r, name, "get", get_now)
            t = None  # (it came at the end of the wait: now)
        fields["item"] = item
        event(shared, what, ident, t)
    return get


def _get_within(ctx: Context, name: str, q: Any, seconds: float) -> StepFn:
    """A get that waits at most `seconds`: an item that does not come in time is None,
    and the process goes on — said "gaveup", so nobody takes it for still waiting."""
    fields, event, now = ctx.fields, ctx.r.event, time.perf_counter_ns
    take_now, get_now = _taker(q), q.get

    def get(_i: int) -> None:
        t: int | None = now()
        try:
            ident, item = take_now()
        except queues.Empty:
            try:
                ident, item = _waiting(ctx.r, name, "get", lambda: get_now(True, seconds),
                                       seconds)
                t = None
            except queues.Empty:
                fields["item"] = None
                event(Kind.SHARED, (name, GAVEUP), "get")
                return
        fields["item"] = item
        event(Kind.SHARED, (name, GET), ident, t)
    return get


@executes("send")
def _send(ctx: Context, pipe: str, end: int, text: str) -> StepFn:
    name, ends = ctx.shared[pipe]
    conn, event, now = ends[end], ctx.r.event, time.perf_counter_ns
    say = ctx.renderer(text or ctx.message)
    ids, what = _identities(), (name, SEND)

    def send(i: int) -> None:
        pair = (next(ids), say(i))
        t = now()  # before: the other end's recv() is never drawn before it
        conn.send(pair)
        event(Kind.SHARED, what, pair[0], t)
    return send


@executes("recv")
def _recv(ctx: Context, pipe: str, end: int) -> StepFn:
    name, ends = ctx.shared[pipe]
    conn, fields, event, now = ends[end], ctx.fields, ctx.r.event, time.perf_counter_ns
    what, ready = (name, RECV), _ready(conn)

    def recv(_i: int) -> None:
        t: int | None = now()
        if ready():
            ident, item = conn.recv()
        else:
            ident, item = _waiting(ctx.r, name, "recv", conn.recv)
            t = None  # (it came at the end of the wait: now)
        fields["item"] = item
        event(Kind.SHARED, what, ident, t)
    return recv


@executes("store_item")
def _store_item(ctx: Context, mapping: str, key: str, text: str) -> StepFn:
    name, d = ctx.shared[mapping]
    key_of, say = ctx.renderer(key), ctx.renderer(text or ctx.message)
    event, now, what = ctx.r.event, time.perf_counter_ns, (name, STORE)

    def store(i: int) -> None:
        k, t = key_of(i), now()  # (from the call's start: a round trip to the manager)
        d[k] = say(i)
        event(Kind.SHARED, what, k, t)
    return store


@executes("append")
def _append(ctx: Context, sequence: str, text: str) -> StepFn:
    name, seq = ctx.shared[sequence]
    say, event, now, what = ctx.renderer(text or ctx.message), ctx.r.event, \
        time.perf_counter_ns, (name, APPEND)

    def append(i: int) -> None:
        t = now()
        seq.append(say(i))
        event(Kind.SHARED, what, None, t)
    return append


@executes("look_at")
def _look_at(ctx: Context, obj: str, of: str) -> StepFn:
    name, held = ctx.shared[obj]
    fields, event, now, what = ctx.fields, ctx.r.event, time.perf_counter_ns, (name, LOOK)

    def look(_i: int) -> None:
        t = now()
        # Sorted: the line does not depend on which process wrote first.
        contents = dict(sorted(held.items())) if of == "dict" else \
            list(held) if of == "array" else sorted(held)
        fields["contents"] = contents  # type: ignore[assignment]
        event(Kind.SHARED, what, len(contents), t)
    return look


@executes("wait_condition")
def _wait_condition(ctx: Context, condition: str) -> StepFn:
    name, cond = ctx.shared[condition]
    report, r = ctx.r.event, ctx.r

    def wait(_i: int) -> None:
        with cond:
            report(Kind.SHARED, (name, ASLEEP), None)
            _waiting(r, name, "wait", cond.wait)
        report(Kind.SHARED, (name, WOKEN), None)
    return wait


@executes("notify")
def _notify(ctx: Context, condition: str) -> StepFn:
    name, cond = ctx.shared[condition]
    report, now = ctx.r.event, time.perf_counter_ns

    def notify(_i: int) -> None:
        with cond:
            t = now()  # before: a waiter it wakes is never drawn going on before it
            cond.notify_all()
        report(Kind.SHARED, (name, NOTIFY), None, t)
    return notify


@executes("write_cell")
def _write_cell(ctx: Context, array: str, cell: str) -> StepFn:
    name, a = ctx.shared[array]
    first, report, what = int(ctx.values[cell]), ctx.r.event, (name, WRITE)

    def write(i: int) -> None:
        a[first + i] = (first + i) ** 2
        report(Kind.SHARED, what, first + i)
    return write


@executes("increment")
def _increment(ctx: Context, value: str, locked: bool, by: str) -> StepFn:
    name, v = ctx.shared[value]
    event, now = ctx.r.event, time.perf_counter_ns
    lock = v.get_lock()
    k = int(ctx.values[by]) if by else 1
    # What the record says: the time of the read, the value read (and k, unless 1).
    said: Callable[[int, int], tuple[int, ...]] = \
        (lambda t, x: (t, x)) if k == 1 else (lambda t, x: (t, x, k))

    def increment(_i: int) -> None:
        t = now()
        x = v.value  # a read, then a write: another process may write in between
        v.value = x + k
        event(Kind.SHARED, (name, RW), said(t, x))

    def increment_locked(_i: int) -> None:
        _acquire(ctx, name, lock)
        try:
            t = now()
            x = v.value
            v.value = x + k
        finally:
            lock.release()
        event(Kind.SHARED, (name, RW), said(t, x))
    return increment_locked if locked else increment


@executes("read")
def _read(ctx: Context, value: str) -> StepFn:
    name, v = ctx.shared[value]
    fields, event = ctx.fields, ctx.r.event

    def read(_i: int) -> None:
        x = fields["value"] = v.value
        event(Kind.SHARED, (name, READ), x)
    return read


@executes("locked")
def _locked(ctx: Context, lock: str, body: tuple[OpData, ...]) -> StepFn:
    name, held = ctx.shared[lock]
    steps = [prepare(op, ctx) for op in body]
    event, now = ctx.r.event, time.perf_counter_ns
    took, gave = _took_and_gave(name, held)

    def locked(i: int) -> None:
        _acquire(ctx, name, held)
        event(Kind.SHARED, took, None)
        try:
            for step in steps:
                step(i)
        finally:  # the release's time is taken while it still holds the lock: the next
            t = now()  # holder's acquire is never drawn before it
            held.release()
            event(Kind.SHARED, gave, None, t)
    return locked


def _took_and_gave(name: str, held: Any) -> tuple[tuple[str, str], tuple[str, str]]:
    """The records of taking and giving back `held`: a semaphore has places, not a
    holder (a lane counts how many hold it; the deadlock watch looks for holders of
    locks only)."""
    if type(held).__name__ in ("Semaphore", "BoundedSemaphore"):
        return (name, ENTER), (name, LEAVE)
    return (name, ACQUIRE), (name, RELEASE)


@executes("acquire")
def _acquire_step(ctx: Context, lock: str) -> StepFn:
    name, held = ctx.shared[lock]
    took, _gave = _took_and_gave(name, held)
    event = ctx.r.event

    def acquire(_i: int) -> None:
        _acquire(ctx, name, held)
        event(Kind.SHARED, took, None)
    return acquire


@executes("release")
def _release_step(ctx: Context, lock: str) -> StepFn:
    name, held = ctx.shared[lock]
    _took, gave = _took_and_gave(name, held)
    event, now = ctx.r.event, time.perf_counter_ns

    def release(_i: int) -> None:
        t = now()  # (while it still holds it: the next holder is never drawn before)
        held.release()
        event(Kind.SHARED, gave, None, t)
    return release


@executes("set")
def _set(ctx: Context, event: str) -> StepFn:
    name, e = ctx.shared[event]
    report, now = ctx.r.event, time.perf_counter_ns

    def set_(_i: int) -> None:
        t = now()  # before the set: a waiter that goes on is never drawn before it
        e.set()
        report(Kind.SHARED, (name, SET), None, t)
    return set_


@executes("clear")
def _clear(ctx: Context, event: str) -> StepFn:
    name, e = ctx.shared[event]
    report, what = ctx.r.event, (name, CLEAR)

    def clear(_i: int) -> None:
        e.clear()
        report(Kind.SHARED, what, None)
    return clear


@executes("wait_event")
def _wait_event(ctx: Context, event: str) -> StepFn:
    name, e = ctx.shared[event]
    report = ctx.r.event

    def wait(_i: int) -> None:
        if not e.is_set():
            _waiting(ctx.r, name, "wait", e.wait)
        report(Kind.SHARED, (name, WAITED), None)
    return wait


@executes("barrier_wait")
def _barrier_wait(ctx: Context, barrier: str) -> StepFn:
    name, b = ctx.shared[barrier]
    report = ctx.r.event

    def wait(_i: int) -> None:
        report(Kind.SHARED, (name, ARRIVE), None)
        _waiting(ctx.r, name, "wait", b.wait)  # (the last to arrive goes on at once)
        report(Kind.SHARED, (name, PASSED), None)
    return wait


@executes("task_done")
def _task_done(ctx: Context, queue: str) -> StepFn:
    name, q = ctx.shared[queue]
    report, now = ctx.r.event, time.perf_counter_ns

    def task_done(_i: int) -> None:
        t = now()  # before: a join() it ends is never drawn ending before it
        q.task_done()
        report(Kind.SHARED, (name, DONE), None, t)
    return task_done


@executes("join_queue")
def _join_queue(ctx: Context, queue: str) -> StepFn:
    name, q = ctx.shared[queue]
    report = ctx.r.event

    def join(_i: int) -> None:
        _waiting(ctx.r, name, "join", q.join)  # (it may return at once: then a blink)
        report(Kind.SHARED, (name, JOINED), None)
    return join
