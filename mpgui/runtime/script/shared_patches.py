"""The shared objects of a traced script — its queues, locks, semaphores, events,
conditions and barriers — reported as a scenario's are (`shared_objects`' records), so
that they get lanes of their own, waits are named, items are followed from put() to
get(), and deadlocks are found.

Only the objects the script itself makes are traced: the context's factories
(``multiprocessing.Queue()``, ``ctx.Lock()``...) mark an object made from the script's
code, not one multiprocessing makes for its own machinery (a pool's queues, a
condition's inner lock). An object is known by the name of the script's variable that
holds it (``Q``), found when it is first used or handed to a process, and that name
travels with it when it is pickled for a child. The script's items travel as they are,
wrapped with an identity that get() takes off again, so each item is followed from its
put() to its get().

Every patch calls multiprocessing's own method: an object the script did not make, or a
process that reports nothing, pays one dictionary look-up.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from multiprocessing import context as _context

from mpgui.finders import spec_elsewhere
from mpgui.runtime.child.queue_reads import taker
from mpgui.runtime.protocol import BATCH_EVENTS, Kind, State, wait_record

TYPE_CHECKING = False  # (not typing's: see agent.py)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import FrameType
    from typing import Any

    from mpgui.runtime.child.reporter import Reporter

# What marks an item this module wrapped: (MARK, identity, item).
MARK = "\x00mpgui"
NAME = "_mpgui_name"  # an instance attribute: the object's name ("" until found)
# The factories that make objects the script may share, by the kind they make.
FACTORIES = ("Queue", "JoinableQueue", "SimpleQueue", "Lock", "RLock", "Semaphore",
             "BoundedSemaphore", "Condition", "Event", "Barrier", "Value", "Array", "Pipe",
             "Manager")
# Modules whose code is multiprocessing's machinery, not the script's.
_MACHINERY = ("multiprocessing", "concurrent.futures", "mpgui")

_now = time.perf_counter_ns
_taken: dict[str, int] = {}  # names given in this process -> id of the object
_counts: dict[str, int] = {}  # kind -> objects of that kind without a variable
_ids = itertools.count(1)
_patched = False
_Full: type[Exception] = Exception  # queue.Full, once patched
_Empty: type[Exception] = Exception  # queue.Empty, once patched
_UNBOUNDED = 1 << 31  # a Queue's maxsize without a limit (SEM_VALUE_MAX), once patched

# How the agent reports, set by `install`: the calling thread's reporter (None: not
# reporting), and a call of a reporter method that never fails the script.
_reporter: Callable[[], Reporter | None] = lambda: None  # noqa: E731
_guarded: Callable[..., None] = lambda fn, *args: None  # noqa: E731
_flush_soon: Callable[[], None] = lambda: None  # noqa: E731


def install(reporter: Callable[[], Reporter | None], guarded: Callable[..., None],
            flush_soon: Callable[[], None]) -> None:
    """Wrap the context's factories (the classes are patched when first made)."""
    global _reporter, _guarded, _flush_soon
    _reporter, _guarded, _flush_soon = reporter, guarded, flush_soon
    base = _context.BaseContext
    for kind in FACTORIES:
        setattr(base, kind, _marking(getattr(base, kind), kind))
    # multiprocessing's own module-level functions are the default context's methods,
    # bound when it was imported: bind them again.
    mp = sys.modules.get("multiprocessing")
    if mp is not None:
        for kind in FACTORIES:
            if hasattr(mp, kind):
                setattr(mp, kind, getattr(_context._default_context, kind))
    # A Manager made as multiprocessing.managers.SyncManager() — not through Manager() —
    # is the script's too, and so is a ShareableList: their modules patched as soon as
    # the script imports them.
    for module, patch in _PATCHED_ON_IMPORT.items():
        if module in sys.modules:
            patch()
    if not any(isinstance(f, _AfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport())


class _AfterImport:
    """An import hook that patches multiprocessing.managers and shared_memory once the
    script imports them: importing them with the agent would cost every traced process
    ~29 ms (the managers)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        patch = _PATCHED_ON_IMPORT.get(name)
        if patch is None:
            return None
        spec = spec_elsewhere(self, name, path, target)
        loader: Any = spec.loader if spec is not None else None
        if hasattr(loader, "exec_module"):
            loader.exec_module = _then_patched(loader.exec_module, patch)
        return spec


def _then_patched(exec_module: Callable[[Any], None],
                  patch: Callable[[], None]) -> Callable[[Any], None]:
    def exec_then_patch(module: Any) -> None:
        exec_module(module)
        _guarded(patch)
    return exec_then_patch


def _marking(factory: Callable[..., Any], kind: str) -> Callable[..., Any]:
    def make(self: Any, *args: Any, **kwargs: Any) -> Any:
        obj = factory(self, *args, **kwargs)
        if not sys._getframe(1).f_globals.get("__name__", "").startswith(_MACHINERY):
            _patch_classes()
            if kind == "Manager":  # (its dicts and lists are the script's, not it)
                _patch_managers()
                return obj
            if kind == "Pipe":  # two connections: one object, one name
                for end, conn in enumerate(obj):
                    conn.__dict__.update({NAME: "", "_mpgui_end": end,
                                          "_mpgui_other": obj[1 - end]})
                return obj
            obj.__dict__[NAME] = ""
            if "_token" in obj.__dict__:  # a Manager's proxy
                _patch_queue_proxy(obj)
                if args or kwargs:
                    _note_contents(obj, kind, args, kwargs)
            if hasattr(obj, "_semlock"):
                _trace_semlock(obj)
            lock = obj.__dict__.get("_lock") if kind == "Value" else None
            if lock is not None and hasattr(lock, "_semlock"):  # its get_lock()
                lock.__dict__[NAME] = ""
                lock.__dict__["_mpgui_owner"] = obj
                _trace_semlock(lock)
        return obj
    make.__name__ = make.__qualname__ = kind
    make.__doc__ = factory.__doc__
    return make


BORN = "_mpgui_born"  # a Manager dict's or list's contents when made: see _note_contents


def _note_contents(obj: Any, kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """A Manager dict or list made with contents (`manager.dict({"a": 1})`,
    `manager.list([1, 2])`): what it held, noted with the time — reported once the
    object has its name (`_born`), as if stored then, so that its lane starts there."""
    if kind == "dict":
        said: list[Any] = [k for k in _dict_keys(args, kwargs) if isinstance(k, int | str)]
        verb = "store"
    elif kind == "list" and args and hasattr(args[0], "__len__") and len(args[0]):
        said, verb = [len(args[0])], "extend"
    else:
        return
    if said:
        obj.__dict__[BORN] = (os.getpid(), _now(), verb, said)


def _dict_keys(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """The keys `dict(*args, **kwargs)` has — of a mapping or a list of pairs, as a
    Manager takes them (pickled: never an iterator, which reading again would spend)."""
    given = args[0] if args else ()
    keys = list(given.keys()) if hasattr(given, "keys") else \
        [pair[0] for pair in given if isinstance(pair, tuple | list) and len(pair) == 2] \
        if isinstance(given, tuple | list) else []
    return [*keys, *kwargs]


def _born(obj: Any, name: str) -> None:
    """Report what `obj` was made with (`_note_contents`), in the process that made it
    (a forked child inherits the note: not its to report)."""
    pid, t, verb, said = obj.__dict__.pop(BORN)
    r = _reporter()
    if r is not None and pid == os.getpid():
        for key in said:
            _report(r, name, verb, key, t)


def name_of(obj: Any) -> str:
    """The name `obj` is known by: the script's variable that holds it, found in the
    calling frames (the script's, not multiprocessing's), made unique in this process;
    "Queue 2" if none holds it."""
    name = obj.__dict__.get(NAME)
    if name:
        return str(name)
    owner = obj.__dict__.get("_mpgui_owner")
    if owner is not None:  # a Value's lock: named after it
        obj.__dict__[NAME] = f"{name_of(owner)}.get_lock()"
        return str(obj.__dict__[NAME])
    other = obj.__dict__.get("_mpgui_other")
    if other is not None:  # a pipe's end: the pipe is named after its two ends' names
        ends = sorted(((obj.__dict__["_mpgui_end"], _variable(obj) or "?"),
                       (other.__dict__["_mpgui_end"], _variable(other) or "?")))
        pipe = " ↔ ".join(n for _e, n in ends) if "?" not in dict(ends).values() else ""
        if not pipe:
            _counts["Pipe"] = _counts.get("Pipe", 0) + 1
            pipe = f"Pipe {_counts['Pipe']}"
        obj.__dict__[NAME] = other.__dict__[NAME] = pipe
        return pipe
    found = _variable(obj)
    if found is None:  # ("Queue 2": a Manager's proxy too, by what it stands for)
        kind = _typeid(obj) or type(obj).__name__
        _counts[kind] = _counts.get(kind, 0) + 1
        found = f"{kind} {_counts[kind]}"
    base, n = found, 1
    while _taken.setdefault(found, id(obj)) != id(obj):  # another object has that name
        n += 1
        found = f"{base}#{n}"
    obj.__dict__[NAME] = found
    if BORN in obj.__dict__:
        _born(obj, found)
    lock = obj.__dict__.get("_lock")
    if lock is not None and lock.__dict__.get(NAME) == "":  # a Value's: name it too
        lock.__dict__[NAME] = f"{found}.get_lock()"
    return found


def _variable(obj: Any) -> str | None:
    """The script's variable that holds `obj`, in the calling frames (the script's,
    not multiprocessing's nor mpgui's), if any — or in the main thread's, when this is
    another: a pool pickles its tasks' arguments in a thread of its own, while the
    script's code that holds them waits in the main thread."""
    found = _variable_in(sys._getframe(1), obj)
    if found is None and threading.current_thread() is not threading.main_thread():
        main = sys._current_frames().get(threading.main_thread().ident or 0)
        found = _variable_in(main, obj)
    return found


def _variable_in(frame: FrameType | None, obj: Any) -> str | None:
    """The script's variable that holds `obj` in `frame` or the frames that called it."""
    while frame is not None:
        if not frame.f_globals.get("__name__", "").startswith(_MACHINERY):
            for names in (frame.f_locals, frame.f_globals):
                found = next((k for k, v in list(names.items())
                              if v is obj and not k.startswith("_")), None)
                if found:
                    return found
        frame = frame.f_back
    return None


def name_all(values: Any) -> None:
    """Name the traced objects among `values` (a process's arguments) now, while the
    frames that hold their variables are on the stack: a forked child inherits them
    named as its parent knows them."""
    for value in values:
        if isinstance(value, object) and getattr(value, "__dict__", {}).get(NAME) == "":
            name_of(value)


def _rebuild_named(make: Callable[..., Any], args: tuple[Any, ...], name: str) -> Any:
    """Unpickling, in a child: the object as pickle makes it, with its name (set before
    its state, so that a lock's methods are traced when its state makes them)."""
    _patch_classes()  # (a spawned child makes none of the script's objects itself)
    obj = make(*args)
    if not hasattr(obj, "__dict__"):  # (a Manager's own referent, in its own process)
        return obj
    if "_token" in obj.__dict__:  # a Manager's proxy (its class made in this process)
        _patch_managers()
        _patch_queue_proxy(obj)
    obj.__dict__[NAME] = name
    semlock = getattr(obj.__dict__.get("_lock"), "_semlock", None)
    if semlock is not None and "acquire" in obj.__dict__:
        # A Value's .value takes its lock for each read and write: multiprocessing's
        # doing, not the script's — as in the parent, those are not reported.
        obj.acquire, obj.release = semlock.acquire, semlock.release
    return obj


def _reduce_ex(self: Any, protocol: int) -> Any:
    """Pickling for a child: as multiprocessing does, and the name with it."""
    rv = object.__reduce_ex__(self, protocol)
    if NAME not in self.__dict__ or not isinstance(rv, tuple):
        return rv
    return (_rebuild_named, (rv[0], rv[1], name_of(self)), *rv[2:])


# -- the patches --------------------------------------------------------------------------

def _patch_classes() -> None:
    """Patch the classes of the objects (once, when the script makes its first)."""
    global _patched
    if _patched:
        return
    _patched = True
    global _Full, _Empty, _UNBOUNDED
    import queue
    from multiprocessing import queues as mpq
    from multiprocessing import synchronize as mps

    _Full, _Empty, _UNBOUNDED = queue.Full, queue.Empty, mps.SEM_VALUE_MAX  # type: ignore[attr-defined]

    from multiprocessing import sharedctypes as mpc

    for cls in (mpq.Queue, mpq.SimpleQueue, mps.SemLock, mps.Condition, mps.Event,
                mps.Barrier, mpc.SynchronizedBase):
        cls.__reduce_ex__ = _reduce_ex  # type: ignore[method-assign,assignment]
    mpc.Synchronized.value = _traced_value(mpc.Synchronized.value)  # type: ignore[misc]
    mpc.SynchronizedArray.__setitem__ = _reported_item(  # type: ignore[method-assign]
        mpc.SynchronizedArray.__setitem__, "write")
    from multiprocessing import connection as mpn
    from multiprocessing.reduction import ForkingPickler

    mpn._ConnectionBase.send = _traced_send(mpn._ConnectionBase.send)  # type: ignore[method-assign]
    mpn._ConnectionBase.recv = _traced_recv(mpn._ConnectionBase.recv)  # type: ignore[method-assign]
    reduce = ForkingPickler._extra_reducers.get(mpn.Connection)  # type: ignore[attr-defined]
    if reduce is not None:  # (a connection's name travels with it to a child)
        ForkingPickler.register(mpn.Connection, _naming_reducer(reduce))
    for cls in (mpq.Queue, mpq.JoinableQueue):
        cls.put = _traced_put(cls.put)  # type: ignore[method-assign]
    mpq.Queue.get = _traced_get(mpq.Queue.get)  # type: ignore[method-assign]
    mpq.SimpleQueue.put = _traced_simple_put(mpq.SimpleQueue.put)  # type: ignore[method-assign]
    mpq.SimpleQueue.get = _traced_simple_get(mpq.SimpleQueue.get)  # type: ignore[method-assign]
    mpq.JoinableQueue.task_done = _reported(  # type: ignore[method-assign]
        mpq.JoinableQueue.task_done, "done")
    mpq.JoinableQueue.join = _traced_join_queue(mpq.JoinableQueue.join)  # type: ignore[method-assign]
    _patch_feeders(mpq.Queue)
    make_methods = mps.SemLock._make_methods  # type: ignore[attr-defined]

    def traced_make_methods(self: Any) -> None:
        make_methods(self)
        if NAME in self.__dict__:
            _trace_semlock(self)
    mps.SemLock._make_methods = traced_make_methods  # type: ignore[attr-defined]
    # `with lock:` calls the C lock directly: through acquire() and release() instead.
    mps.SemLock.__enter__ = lambda self: self.acquire()  # type: ignore[method-assign]
    mps.SemLock.__exit__ = lambda self, *_exc: self.release()  # type: ignore[method-assign]
    mps.Event.set = _reported(mps.Event.set, "set")  # type: ignore[method-assign]
    mps.Event.clear = _reported(mps.Event.clear, "clear")  # type: ignore[method-assign]
    mps.Event.wait = _traced_event_wait(mps.Event.wait)  # type: ignore[method-assign]
    mps.Condition.wait = _traced_wait_between(  # type: ignore[method-assign]
        mps.Condition.wait, "asleep", "woken")
    # (notify_all() calls notify(): one record each)
    mps.Condition.notify = _reported(mps.Condition.notify, "notify")  # type: ignore[method-assign]
    mps.Barrier.wait = _traced_wait_between(  # type: ignore[method-assign]
        mps.Barrier.wait, "arrive", "passed")


def _report(r: Reporter, name: str, verb: str, b: object = None, t: int | None = None) -> None:
    _emit(r, _record_of(name, verb), b, t)


def _emit(r: Reporter, what: tuple[str, str], b: object = None, t: int | None = None) -> None:
    """Record `what` (name, verb) with `b`, at `t` or now."""
    # Appended without the agent's lock — a put() or get() of a busy queue is the hot
    # path of a traced script, and the lock would double its cost: `Reporter.events`
    # says why no record is lost. Sending takes the lock.
    events = r.events
    events.append((_SHARED, _now() if t is None else t, what, b))
    if len(events) >= BATCH_EVENTS:
        _guarded(r.flush)
    else:
        _flush_soon()


_SHARED = int(Kind.SHARED)


_whats: dict[tuple[str, str], tuple[str, str]] = {}


def _record_of(name: str, verb: str) -> tuple[str, str]:
    """(name, verb): one tuple per object and verb, so that a batch pickles it once."""
    what = _whats.get((name, verb))
    if what is None:
        what = _whats[name, verb] = (name, verb)
    return what


def _what(obj: Any, verb: str) -> tuple[str, str]:
    """`obj`'s (name, verb), kept on it once its name is found: what a busy queue's
    put() and get() record, found in one look-up (`_WHAT_KEY`)."""
    what = obj.__dict__[_WHAT_KEY[verb]] = _record_of(name_of(obj), verb)
    return what


# Where an object keeps its (name, verb) for the verbs of the hot path.
_WHAT_KEY = {verb: f"_mpgui_{verb}" for verb in ("put", "get", "send", "recv")}
_PUT, _GET, _SEND, _RECV = (_WHAT_KEY[v] for v in ("put", "get", "send", "recv"))


def _waiting(r: Reporter, name: str, call: str, wait: Callable[[], Any],
             since: int | None = None, timeout: float | None = None) -> Any:
    """`wait()`, said before it begins (or drawn from `since`, when a first, short try
    began) and drawn blocked while it lasts. A wait with a `timeout` says so: it ends
    by itself, so it is no deadlock however long every process waits. A wait that gives
    up — its timeout passed: an exception (Empty, Full) or False — is said to be over
    ("gaveup"), so that nobody takes the process for still waiting."""
    _guarded(_say_wait, r, name, call, since, timeout)
    result: Any = False
    try:
        result = wait()
        return result
    finally:
        _guarded(r.state, State.RUNNING)
        if result is False:
            _report(r, name, "gaveup", call)


def _say_wait(r: Reporter, name: str, call: str, since: int | None,
              timeout: float | None) -> None:
    r.event(Kind.SHARED, (name, "wait"), wait_record(call, timeout), since)
    r.state(State.BLOCKED, since)
    r.flush()


# A call that may wait first waits this long unsaid: most waits on a busy queue or lock
# end sooner, and saying one costs a send. Longer, it is said from its beginning — so
# the chart shows it whole — and a deadlock is found as soon as ever.
QUIET_WAIT_S = 0.01


def _remaining(timeout: float | None, since: int) -> float | None:
    return None if timeout is None else max(0.0, timeout - (_now() - since) / 1e9)


def _says_wait(block: bool, timeout: float | None) -> bool:
    """Whether a call that gave up after its quiet try still waits (and says so)."""
    return block and (timeout is None or timeout > QUIET_WAIT_S)


def _quiet(block: bool, timeout: float | None) -> float | None:
    """The timeout of a call's quiet try (None when it does not block)."""
    return None if not block else QUIET_WAIT_S if timeout is None else min(timeout,
                                                                            QUIET_WAIT_S)


def _acquired(r: Reporter, name: str, acquire: Callable[[bool, float | None], Any],
              block: bool, timeout: float | None) -> bool:
    """`acquire(block, timeout)` of a lock or semaphore (multiprocessing's, or a
    Manager's through its proxy): tried quietly first (`QUIET_WAIT_S`), then waited for
    with the wait said from its beginning."""
    since = _now()
    got = acquire(block, _quiet(block, timeout))
    if not got and _says_wait(block, timeout):
        got = _waiting(r, name, "acquire", lambda: acquire(True, _remaining(timeout, since)),
                       since, timeout)
    return bool(got)


def _put_wrapped(r: Reporter, name: str, put: Callable[[Any, bool, float | None], Any],
                 wrapped: Any, block: bool, timeout: float | None) -> int | None:
    """`put(wrapped, block, timeout)` on a bounded queue (multiprocessing's, or a
    Manager's): tried quietly first, then the wait for room said from its beginning.
    The put's time: its beginning if it went in at once, else None (now, at the wait's
    end)."""
    since = _now()
    try:
        put(wrapped, block, _quiet(block, timeout))
        return since
    except _Full:
        if not _says_wait(block, timeout):
            raise
        _waiting(r, name, "put", lambda: put(wrapped, True, _remaining(timeout, since)),
                 since, timeout)
        return None


def _traced(self: Any) -> tuple[Reporter, str] | None:
    """(reporter, name) when `self` is the script's and this thread reports."""
    if NAME not in self.__dict__:
        return None
    r = _reporter()
    return None if r is None else (r, name_of(self))


def _new_pid() -> None:
    global _pid_bits
    _pid_bits = os.getpid() << 24


# An item's identity: this process's pid in the high bits, a count in the low 24
# (``_pid_bits | next(_ids) % (1 << 24)``, written out where an item is put or sent).
_pid_bits = os.getpid() << 24  # (os.getpid() is a system call: once per process)
os.register_at_fork(after_in_child=_new_pid)


def _traced_put(put: Callable[..., Any]) -> Callable[..., Any]:
    def traced_put(self: Any, obj: Any, block: bool = True,
                   timeout: float | None = None) -> None:
        # (`_traced` written out, here and in get(): the hot path of a traced script)
        d = self.__dict__
        r = _reporter() if NAME in d else None
        if r is None:
            return put(self, obj, block, timeout)  # type: ignore[no-any-return]
        ident = _pid_bits | next(_ids) % (1 << 24)  # (its identity)
        wrapped = (MARK, ident, obj)
        if self._maxsize >= _UNBOUNDED:  # (a queue without a limit: put() never waits)
            # Timed before: once put() has the item, another process may get it before
            # this thread runs again, and a get must never be drawn before its put.
            t = _now()
            put(self, wrapped, block, timeout)
            _emit(r, d.get(_PUT) or _what(self, "put"), ident, t)
            return None
        t_in = _put_wrapped(r, name_of(self), lambda *a: put(self, *a), wrapped, block,
                            timeout)
        _emit(r, d.get(_PUT) or _what(self, "put"), ident, t_in)
        return None
    return traced_put


def _traced_simple_put(put: Callable[..., Any]) -> Callable[..., Any]:
    def traced_put(self: Any, obj: Any) -> None:  # (it never waits for room)
        d = self.__dict__
        r = _reporter() if NAME in d else None
        if r is None:
            return put(self, obj)  # type: ignore[no-any-return]
        ident = _pid_bits | next(_ids) % (1 << 24)  # (its identity)
        t = _now()  # (before: see traced_put)
        put(self, (MARK, ident, obj))
        _emit(r, d.get(_PUT) or _what(self, "put"), ident, t)
        return None
    return traced_put


def _unwrap(r: Reporter, obj: Any, got: Any, t: int | None) -> Any:
    """The item `got` by a get() of `obj`, recorded (with its identity, if its put
    gave it one) and taken out of its wrapping."""
    what = obj.__dict__.get(_GET) or _what(obj, "get")
    if type(got) is tuple and len(got) == 3 and got[0] == MARK:
        _emit(r, what, got[1], t)
        return got[2]
    _emit(r, what, None, t)
    return got


def _traced_get(get: Callable[..., Any]) -> Callable[..., Any]:
    def traced_get(self: Any, block: bool = True, timeout: float | None = None) -> Any:
        d = self.__dict__
        r = _reporter() if NAME in d else None
        if r is None:
            got = get(self, block, timeout)
            # (an item the script's put wrapped, got by a thread that reports nothing)
            return got[2] if type(got) is tuple and len(got) == 3 and got[0] == MARK else got
        t: int | None = _now()
        take = d.get("_mpgui_take")
        if take is None:
            take = d["_mpgui_take"] = taker(self)
        try:  # (an item there: read without waiting, and nobody else's to take)
            return _unwrap(r, self, take(), t)
        except _Empty:
            if not block:
                raise
        if _readable(self, QUIET_WAIT_S if timeout is None else min(timeout, QUIET_WAIT_S)):
            got = get(self, block, timeout)
        else:  # (nothing came for a while: a wait, drawn from the get's beginning)
            since = int(t or 0)
            got = _waiting(r, name_of(self), "get", lambda: get(
                self, True, _remaining(timeout, since)), since, timeout)
            t = None
        return _unwrap(r, self, got, t)
    return traced_get


def _readable(q: Any, within: float) -> bool:
    """Whether something is in queue `q`'s pipe, or comes within `within` seconds —
    asked of a poll object kept per queue (multiprocessing's own poll() makes a new
    selector each time, which would cost a get() more than its item)."""
    poller = q.__dict__.get("_mpgui_poll")
    if poller is None:
        import select

        poller = q.__dict__["_mpgui_poll"] = select.poll()
        reader = getattr(q, "_reader", q)  # (a queue's pipe, or a connection itself)
        poller.register(reader.fileno(), select.POLLIN)
    return bool(poller.poll(0) or poller.poll(int(within * 1000)))


def _traced_simple_get(get: Callable[..., Any]) -> Callable[..., Any]:
    def traced_get(self: Any) -> Any:
        on = _traced(self)
        if on is None:
            got = get(self)
            return got[2] if type(got) is tuple and len(got) == 3 and got[0] == MARK else got
        r, name = on
        if self.empty():
            return _unwrap(r, self, _waiting(r, name, "get", lambda: get(self)), None)
        return _unwrap(r, self, get(self), _now())
    return traced_get


def _patch_feeders(cls: Any) -> None:
    """A process that put items on a queue ends only once its feeder thread has written
    them all into the queue's pipe (multiprocessing's exit joins that thread), and a
    pipe holds some 64 KiB: when nobody reads — the classic, a main program that joins
    the process before it gets the items — the process waits for ever in its exit. That
    wait is said, as a scenario's child says it (`wait_for_puts`): blocked in
    join_thread() on the queue, so the chart draws it and the deadlock is found."""
    start_thread, finalize_join = cls._start_thread, cls._finalize_join

    def traced_start_thread(self: Any) -> None:
        start_thread(self)
        thread = getattr(self, "_thread", None)
        if NAME in self.__dict__ and thread is not None:  # (the script's queue)
            import weakref

            thread._mpgui_queue = weakref.ref(self)

    def traced_finalize_join(twr: Callable[[], Any]) -> None:
        # (Called by the exit of the process that put the items, on its main thread,
        # before the process reports its end.)
        thread = twr()
        ref = getattr(thread, "_mpgui_queue", None)
        q = ref() if ref is not None else None
        r = _reporter() if q is not None else None
        if r is None or thread is None:
            finalize_join(twr)
            return
        thread.join(QUIET_WAIT_S)  # (as a rule it writes the last few items at once)
        if thread.is_alive():
            name = name_of(q)
            _waiting(r, name, "join_thread", thread.join)
            _report(r, name, "flushed")

    cls._start_thread = traced_start_thread
    cls._finalize_join = staticmethod(traced_finalize_join)


def _traced_join_queue(join: Callable[..., Any]) -> Callable[..., Any]:
    def traced(self: Any) -> None:
        on = _traced(self)
        if on is None:
            join(self)
            return
        _waiting(on[0], on[1], "join", lambda: join(self))
        _report(on[0], on[1], "joined")
    return traced


def _trace_semlock(lock: Any) -> None:
    """Give one of the script's locks (or semaphores) traced acquire() and release()."""
    c_acquire, c_release = lock._semlock.acquire, lock._semlock.release
    places = type(lock).__name__ in ("Semaphore", "BoundedSemaphore")
    took, gave = ("enter", "leave") if places else ("acquire", "release")

    def acquire(block: bool = True, timeout: float | None = None) -> bool:
        r = _reporter()
        if r is None:
            return bool(c_acquire(block, timeout))
        name = name_of(lock)
        got = _acquired(r, name, c_acquire, block, timeout)
        if got:
            _report(r, name, took)
        return got

    def release() -> None:
        r = _reporter()
        t = _now()  # (taken while it still holds it: the next holder comes after)
        c_release()
        if r is not None:
            _report(r, name_of(lock), gave, None, t)

    lock.acquire, lock.release = acquire, release


def _reported(call: Callable[..., Any], verb: str) -> Callable[..., Any]:
    """A call that never waits — an event's set() or clear(), a notify(), a
    task_done() — reported as `verb` at its start (what it lets go on is never drawn
    going on before it)."""
    def traced(self: Any, *args: Any, **kwargs: Any) -> None:
        on = _traced(self)
        t = _now()
        call(self, *args, **kwargs)
        if on is not None:
            _report(on[0], on[1], verb, None, t)
    return traced


def _traced_event_wait(wait: Callable[..., Any]) -> Callable[..., Any]:
    def traced(self: Any, timeout: float | None = None) -> bool:
        on = _traced(self)
        if on is None or self.is_set():
            return bool(wait(self, timeout))
        flag = bool(_waiting(on[0], on[1], "wait", lambda: wait(self, timeout),
                             timeout=timeout))
        if flag:
            _report(on[0], on[1], "waited")
        return flag
    return traced


def _reported_item(setitem: Callable[..., Any], verb: str) -> Callable[..., Any]:
    """``obj[key] = value`` reported as `verb` with the key: an Array's cell (by its
    index), a Manager dict's key."""
    def traced(self: Any, key: Any, value: Any) -> None:
        on = _traced(self)
        t = _now()
        setitem(self, key, value)
        if on is not None and isinstance(key, int | str):
            _report(on[0], on[1], verb, key, t)
    return traced


_managers_patched = False


# A Manager's objects whose proxies are traced, as the objects themselves are (a lock
# made by the Manager waits and is held as multiprocessing.Lock() does).
MANAGED = ("dict", "list", "Queue", "JoinableQueue", "Lock", "RLock", "Semaphore",
           "BoundedSemaphore", "Condition", "Event", "Barrier", "Value", "Array", "Namespace")


def _patch_managers() -> None:
    """A Manager's objects, made from the script's code, are the script's: their
    proxies are marked, and what they do reported as the objects' own — a dict's
    stores, a Namespace's attributes set, a list's appends, a queue's puts and gets
    (each item followed), a lock's holders and waits, an event's, a condition's and a
    barrier's."""
    global _managers_patched
    if _managers_patched:
        return
    _managers_patched = True
    # (from the import hook too, as the module's code ends: it is in sys.modules then)
    from multiprocessing import managers as mpm

    for kind in MANAGED:
        if hasattr(mpm.SyncManager, kind):
            setattr(mpm.SyncManager, kind, _marking(getattr(mpm.SyncManager, kind), kind))
    smm = getattr(mpm, "SharedMemoryManager", None)
    if smm is not None:  # (its ShareableList is made by multiprocessing's code: marked here)
        smm.ShareableList = _marking(smm.ShareableList, "ShareableList")
    mpm.BaseManager.register = _registering(mpm.BaseManager.register.__func__)  # type: ignore[method-assign,attr-defined]
    mpm.BaseProxy.__reduce_ex__ = _reduce_ex  # type: ignore[method-assign,assignment]
    proxies: Any = mpm  # (typeshed knows few of its proxy classes)
    _patch_collections(proxies)
    acquirer = proxies.AcquirerProxy
    acquirer.acquire = _traced_proxy_acquire(acquirer.acquire)
    acquirer.release = _traced_proxy_release(acquirer.release)
    # (`with lock:` calls the manager directly: through acquire() and release() instead)
    acquirer.__enter__ = lambda self: self.acquire()
    acquirer.__exit__ = lambda self, *_exc: self.release()
    proxies.EventProxy.set = _reported(proxies.EventProxy.set, "set")
    proxies.EventProxy.clear = _reported(proxies.EventProxy.clear, "clear")
    proxies.EventProxy.wait = _traced_event_wait(proxies.EventProxy.wait)
    cond = proxies.ConditionProxy
    cond.wait = _traced_wait_between(cond.wait, "asleep", "woken")
    cond.notify = _reported(cond.notify, "notify")
    cond.notify_all = _reported(cond.notify_all, "notify")
    proxies.BarrierProxy.wait = _traced_wait_between(
        proxies.BarrierProxy.wait, "arrive", "passed")
    # (`manager.Value(...).value += 1`: a read and a write, two requests — the race a
    # shared counter is taught with, as multiprocessing.Value's is)
    proxies.ValueProxy.value = _traced_value(proxies.ValueProxy.value)
    proxies.ArrayProxy.__setitem__ = _reported_item(proxies.ArrayProxy.__setitem__, "write")


def _patch_collections(mpm: Any) -> None:
    """A Manager dict's keys, a Namespace's attributes and a list's items, as they come
    and go: each call that stores or takes away reported with the keys it touched (the
    lanes count what is in the object, so a deletion must be seen as a store is)."""
    def first(args: tuple[Any, ...], _kw: dict[str, Any], _got: Any) -> Iterable[Any]:
        return args[:1]

    def every(_args: tuple[Any, ...], _kw: dict[str, Any], _got: Any) -> Iterable[Any]:
        return (_WHOLE,)  # (a dict's clear(): every key; a list's pop(): its one item)

    def update_keys(args: tuple[Any, ...], kw: dict[str, Any], _got: Any) -> Iterable[Any]:
        return _dict_keys(args, kw)  # (once update() has taken them)

    def one_index(args: tuple[Any, ...], _kw: dict[str, Any], _got: Any) -> Iterable[Any]:
        return (_WHOLE,) if args and isinstance(args[0], int) else ()  # (a slice: not counted)

    def count(args: tuple[Any, ...], _kw: dict[str, Any], _got: Any) -> Iterable[Any]:
        n = len(args[0]) if args and hasattr(args[0], "__len__") else 0
        return (n,) if n else ()

    d = mpm.DictProxy
    d.__setitem__ = _reported_item(d.__setitem__, "store")
    d.setdefault = _reported_keys(d.setdefault, "store", first)
    d.update = _reported_keys(d.update, "store", update_keys)
    d.__delitem__ = _reported_keys(d.__delitem__, "delete", first)
    d.pop = _reported_keys(d.pop, "delete", first)
    d.popitem = _reported_keys(d.popitem, "delete",
                               lambda _a, _kw, got: got[:1])
    d.clear = _reported_keys(d.clear, "delete", every)
    ns = mpm.NamespaceProxy
    ns.__setattr__ = _script_attribute(ns.__setattr__, _reported_item(ns.__setattr__, "setattr"))
    ns.__delattr__ = _script_attribute(ns.__delattr__, _reported_keys(ns.__delattr__, "delattr",
                                                                      first))
    lst = mpm.ListProxy
    lst.append = _reported(lst.append, "append")
    lst.insert = _reported(lst.insert, "insert")
    lst.extend = _reported_keys(lst.extend, "extend", count)
    lst.__iadd__ = _reported_keys(lst.__iadd__, "extend", count)
    lst.pop = _reported_keys(lst.pop, "remove", every)
    lst.remove = _reported_keys(lst.remove, "remove", every)
    lst.__delitem__ = _reported_keys(lst.__delitem__, "remove", one_index)


def _reported_keys(call: Callable[..., Any], verb: str,
                   keys: Callable[[tuple[Any, ...], dict[str, Any], Any], Iterable[Any]]
                   ) -> Callable[..., Any]:
    """A Manager collection's call reported as `verb` at its start, once for each key
    `keys(args, kwargs, result)` names once it has returned (a str or an int; _WHOLE,
    reported as no key, where the call takes no key: a dict's clear(), a list's pop()).
    A call that raised changed nothing and is not reported."""
    def traced(self: Any, *args: Any, **kwargs: Any) -> Any:
        on = _traced(self)
        t = _now()
        got = call(self, *args, **kwargs)
        if on is not None:
            for key in keys(args, kwargs, got):
                if key is _WHOLE:
                    _report(on[0], on[1], verb, None, t)
                elif isinstance(key, int | str):
                    _report(on[0], on[1], verb, key, t)
        return got
    return traced


_WHOLE = object()  # what `_reported_keys`'s keys name for a call that takes no key


def _script_attribute(plain: Callable[..., Any], traced: Callable[..., Any]
                      ) -> Callable[..., Any]:
    """A Namespace proxy's attribute call traced for the script's attributes — not the
    proxy's own (their names begin with "_"), which stay in the proxy and are none of
    the script's."""
    def call(self: Any, key: str, *value: Any) -> Any:
        return (plain if key[:1] == "_" else traced)(self, key, *value)
    return call


def _registering(register: Callable[..., Any]) -> Any:
    """BaseManager.register for the script's own managers (``class Lab(BaseManager)``,
    ``Lab.register("Tasks", queue.Queue)``): the method it makes marks what it makes as
    the script's (`_custom_made`)."""
    def traced(cls: Any, typeid: str, *args: Any, **kwargs: Any) -> None:
        before = cls.__dict__.get(typeid)
        register(cls, typeid, *args, **kwargs)
        made = cls.__dict__.get(typeid)
        if made is not before and callable(made):  # (not with create_method=False)
            setattr(cls, typeid, _custom_made(made))
    return classmethod(traced)


# The proxy classes a registered type can be given, whose calls are traced (the
# Manager's own types use them), by name in multiprocessing.managers.
_TRACED_PROXIES = ("DictProxy", "ListProxy", "AcquirerProxy", "EventProxy", "ConditionProxy",
                   "BarrierProxy", "ValueProxy", "ArrayProxy", "NamespaceProxy")


def _custom_made(factory: Callable[..., Any]) -> Callable[..., Any]:
    """A registered type's making method: what it makes is the script's when its proxy is
    one whose calls are traced (a dict, a list, a lock... given as `proxytype`), or a
    queue's (`_queue_kind`: each item followed) — on a manager this script started. A
    manager it connect()ed to serves other programs too, which must get their items as
    they were put: none of its objects is traced."""
    def make(self: Any, *args: Any, **kwargs: Any) -> Any:
        obj = factory(self, *args, **kwargs)
        if self.__dict__.get("_process") is None or "_token" not in obj.__dict__ or \
                sys._getframe(1).f_globals.get("__name__", "").startswith(_MACHINERY):
            return obj
        from multiprocessing import managers as mpm

        traced = tuple(getattr(mpm, name) for name in _TRACED_PROXIES)
        if isinstance(obj, traced) or _queue_kind(obj):
            obj.__dict__[NAME] = ""
            _patch_queue_proxy(obj)
        return obj
    make.__name__ = make.__qualname__ = factory.__name__
    make.__doc__ = factory.__doc__
    return make


def _queue_kind(proxy: Any) -> str | None:
    """"Queue" or "JoinableQueue" when `proxy` stands for one: a Manager's, or a
    registered type's whose proxy has a queue's calls — put(), get() and their _nowait
    twins (a store of the script's own with put(key, value) is no queue: its arguments
    are never touched) — and task_done() and join() for a joinable one."""
    typeid = _typeid(proxy)
    if typeid in ("Queue", "JoinableQueue"):
        return typeid
    exposed = set(getattr(type(proxy), "_exposed_", None) or ())
    if not {"put", "get", "put_nowait", "get_nowait"} <= exposed:
        return None
    return "JoinableQueue" if {"task_done", "join"} <= exposed else "Queue"


_shared_memory_patched = False


def _patch_shared_memory() -> None:
    """A ShareableList the script makes (or attaches to by its name) is the script's:
    each cell written reported as an Array's is ("write" with its index), and its name
    goes with it to a child (pickled, it is attached to again there)."""
    global _shared_memory_patched
    if _shared_memory_patched:
        return
    _shared_memory_patched = True
    from multiprocessing import shared_memory as shm

    cls: Any = shm.ShareableList
    init = cls.__init__

    def traced_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        if not sys._getframe(1).f_globals.get("__name__", "").startswith(_MACHINERY):
            self.__dict__[NAME] = ""

    cls.__init__ = traced_init
    cls.__setitem__ = _reported_item(cls.__setitem__, "write")
    cls.__reduce_ex__ = _reduce_ex


def _typeid(proxy: Any) -> str:
    """What a Manager made behind `proxy` ("Lock", "Queue"...)."""
    token = proxy.__dict__.get("_token")
    return str(getattr(token, "typeid", ""))


def _patch_queue_proxy(proxy: Any) -> None:
    """A Manager's queue proxy's class (made by multiprocessing on first use, in each
    process) with put() and get() traced as a multiprocessing queue's: each item
    wrapped with its identity, waits said after a quiet try."""
    kind = _queue_kind(proxy)
    if kind is None:
        return
    cls = type(proxy)
    if cls.__dict__.get("_mpgui_traced"):
        return
    cls._mpgui_traced = True
    put, get = cls.put, cls.get

    def traced_put(self: Any, obj: Any, block: bool = True,
                   timeout: float | None = None) -> None:
        on = _traced(self)
        if on is None:
            put(self, obj, block, timeout)
            return
        r, name = on
        ident = _pid_bits | next(_ids) % (1 << 24)
        t = _put_wrapped(r, name, lambda *a: put(self, *a), (MARK, ident, obj), block,
                         timeout)  # (its beginning, or the end of its wait: see there)
        _report(r, name, "put", ident, t)

    def traced_get(self: Any, block: bool = True, timeout: float | None = None) -> Any:
        on = _traced(self)
        if on is None or not block:
            got = get(self, block, timeout)
            if on is not None:
                return _unwrap(on[0], self, got, _now())
            return got[2] if type(got) is tuple and len(got) == 3 and got[0] == MARK else got
        r, name = on
        since = _now()
        try:
            got = get(self, True, _quiet(True, timeout))
        except _Empty:
            if not _says_wait(True, timeout):
                raise
            got = _waiting(r, name, "get", lambda: get(
                self, True, _remaining(timeout, since)), since, timeout)
            return _unwrap(r, self, got, None)
        return _unwrap(r, self, got, since)

    cls.put, cls.get = traced_put, traced_get
    if kind == "JoinableQueue":
        cls.task_done = _reported(cls.task_done, "done")
        cls.join = _traced_join_queue(cls.join)


def _proxy_verbs(proxy: Any) -> tuple[str, str] | None:
    """What taking and giving back a Manager's lock or semaphore is recorded as (None:
    a condition's lock, which is not shown — as multiprocessing.Condition()'s is not)."""
    typeid = _typeid(proxy)
    if typeid in ("Semaphore", "BoundedSemaphore"):
        return "enter", "leave"
    return None if typeid == "Condition" else ("acquire", "release")


def _traced_proxy_acquire(acquire: Callable[..., Any]) -> Callable[..., Any]:
    def traced(self: Any, blocking: bool = True, timeout: float | None = None) -> bool:
        on = _traced(self)
        verbs = _proxy_verbs(self)
        if on is None or verbs is None:
            return bool(acquire(self, blocking, timeout))
        r, name = on
        got = _acquired(r, name, lambda *a: acquire(self, *a), blocking, timeout)
        if got:
            _report(r, name, verbs[0])
        return got
    return traced


def _traced_proxy_release(release: Callable[..., Any]) -> Callable[..., Any]:
    def traced(self: Any) -> None:
        on = _traced(self)
        verbs = _proxy_verbs(self)
        t = _now()  # (taken while it still holds it: the next holder comes after)
        release(self)
        if on is not None and verbs is not None:
            _report(on[0], on[1], verbs[1], None, t)
    return traced


def _naming_reducer(reduce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def reduced(conn: Any) -> Any:
        rv = reduce(conn)
        if NAME not in conn.__dict__:
            return rv
        name = name_of(conn)
        return (_rebuild_end, (rv[0], rv[1], name, conn.__dict__["_mpgui_end"]))
    return reduced


def _rebuild_end(make: Callable[..., Any], args: tuple[Any, ...], name: str,
                 end: int) -> Any:
    _patch_classes()  # (a spawned child makes none of the script's objects itself)
    conn = make(*args)
    conn.__dict__.update({NAME: name, "_mpgui_end": end})
    return conn


def _traced_send(send: Callable[..., Any]) -> Callable[..., Any]:
    def traced(self: Any, obj: Any) -> None:
        d = self.__dict__
        r = _reporter() if NAME in d else None
        if r is None:
            send(self, obj)
            return
        ident = _pid_bits | next(_ids) % (1 << 24)  # (its identity)
        t = _now()  # (before: the other end's recv() is never drawn before it)
        send(self, (MARK, ident, obj))
        _emit(r, d.get(_SEND) or _what(self, "send"), ident, t)
    return traced


def _traced_recv(recv: Callable[..., Any]) -> Callable[..., Any]:
    def traced(self: Any) -> Any:
        on = _traced(self)
        if on is None:
            got = recv(self)
            return got[2] if type(got) is tuple and len(got) == 3 and got[0] == MARK else got
        r, name = on
        t: int | None = _now()
        if _readable(self, QUIET_WAIT_S):
            got = recv(self)
        else:
            got = _waiting(r, name, "recv", lambda: recv(self), int(t or 0))
            t = None
        what = self.__dict__.get(_RECV) or _what(self, "recv")
        if type(got) is tuple and len(got) == 3 and got[0] == MARK:
            _emit(r, what, got[1], t)
            return got[2]
        _emit(r, what, None, t)
        return got
    return traced


# The value each thread last read from each traced Value: (object id, thread) -> (time,
# value). An update is a read, then a write: the write says what was read, and when.
_reads: dict[tuple[int, int], tuple[int, int]] = {}


_NUMBERS = (int, float)  # what a Value holds: a whole number, or a double's fraction


def _traced_value(prop: property) -> property:
    """Synchronized.value, reading and writing as before; a write of the script's
    Value is reported — as a read-modify-write (what was read, and when) if this thread
    read it last and writes it plus a number (``counter.value += 1``, ``+= k``), else
    as a write."""
    get, put = prop.fget, prop.fset
    assert get is not None and put is not None

    def read(self: Any) -> Any:
        x = get(self)
        if NAME in self.__dict__ and type(x) in _NUMBERS:
            _reads[id(self), threading.get_ident()] = (_now(), x)
        return x

    def write(self: Any, x: Any) -> None:
        put(self, x)
        on = _traced(self) if type(x) in _NUMBERS else None
        if on is not None:
            last = _reads.pop((id(self), threading.get_ident()), None)
            if last is not None and x == last[1] + 1:
                _report(on[0], on[1], "rw", last)
            elif last is not None and x > last[1]:  # (value += k)
                _report(on[0], on[1], "rw", (*last, x - last[1]))
            else:
                _report(on[0], on[1], "setv", x)

    return property(read, write, prop.fdel, prop.__doc__)


def _traced_wait_between(wait: Callable[..., Any], before: str,
                         after: str) -> Callable[..., Any]:
    """A wait said between two records: a condition's (asleep, woken) or a barrier's
    (arrive, passed) — which count who waits there."""
    def traced(self: Any, timeout: float | None = None) -> Any:
        on = _traced(self)
        if on is None:
            return wait(self, timeout)
        _report(on[0], on[1], before)
        try:
            return _waiting(on[0], on[1], "wait", lambda: wait(self, timeout),
                            timeout=timeout)
        finally:
            _report(on[0], on[1], after)
    return traced


# The modules patched when the script imports them (see `_AfterImport`).
_PATCHED_ON_IMPORT: dict[str, Callable[[], None]] = {
    "multiprocessing.managers": _patch_managers,
    "multiprocessing.shared_memory": _patch_shared_memory,
}
