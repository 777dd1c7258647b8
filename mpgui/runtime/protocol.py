"""The event protocol between a child and the parent.

It speaks of processes, threads, states, cores, lines and joins — not of how the work
was defined — so threads of a host process, pool workers or an instrumented user script
can report through it as well as the built-in workloads.

A child sends *batches* over a ``multiprocessing`` Pipe. A batch is the tuple

    (sub, events, line_times, line_text)

``sub`` is the reporting thread's index inside its process (0 for the main thread); on
a pipe shared by many reporters (the threads of a threads host, the workers of a pool)
it is the lane itself, which the parent assigned.
``events`` is a list of ``(kind, t_ns, a, b)`` tuples. Printed lines travel apart, packed
because a flooding child sends millions: ``line_times`` is the bytes of an
``array('q')`` of timestamps and ``line_text`` the UTF-8 text of those lines joined by
newlines (a line never contains one). Packing costs the child one join and one encode
per batch instead of work per line, and the parent stores a batch's lines without a
Python loop over them.

Timestamps are ``time.perf_counter_ns()``: system-wide on Linux, Windows and macOS, so
times from all processes are on one clock and the poll interval never distorts them.
"""

from __future__ import annotations

# (not typing's: a child's first event waits for its imports, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:  # every child imports this module: the aliases cost it nothing at run time
    from typing import Any, TypeAlias

    # (kind, t_ns, a, b): what a and b are depends on the kind (see Kind), so the type
    # checker learns it where a kind is handled, not here.
    Event: TypeAlias = tuple[int, int, Any, Any]
    # (sub, events, line_times, line_text), as the module's docstring describes.
    Batch: TypeAlias = tuple[int, list[Event], bytes, bytes]


class Kind:
    """Event kinds. The meaning of ``a`` and ``b`` is given per kind.

    Plain ints, not an IntEnum: every spawned child imports this module, and the
    parent compares kinds for every event it stores.
    """

    STARTED = 1  # a child is running Python: a=pid, b=core
    STATE = 2  # a=State, b=core (-1 when unknown or not on a core)
    MIGRATED = 3  # still running, on another core: a=old core, b=new core
    FINISHED = 4  # the child's code returned or called sys.exit: a=exit code, b=CPU ns
    ERROR = 5  # an exception: a=(type name, message), b=traceback text
    HOST = 6  # a pool task runs in the worker on lane a (b unused)
    INFO = 7  # a fact about the interpreter: a=key, b=value (e.g. "gil", True)
    # Sent only by a traced script's processes (see `agent`):
    IDENTITY = 8  # a traced thread begins: a=its name, b=its native thread id
    SPAWNED = 9  # this process called start() at t: a=the child's pid, b=(var, name, daemon)
    JOINING = 10  # it begins waiting in join(): a=the child's pid, b=(timeout s|None, implicit)
    JOINED = 11  # that join() returned: a=the child's pid, b=its exit code|None
    EXITED = 12  # this process learnt a child's exit code: a=the child's pid, b=the code
    # An operation on a shared object (a queue, a lock, a value): a=(object name, verb),
    # b=what the verb says (see `mpgui.runtime.store.shared_events`).
    SHARED = 13


class State:
    """What a process (or thread) is doing during a span of time (plain ints)."""

    RUNNING = 0  # executing on a core
    PREEMPTED = 1  # runnable but not running: another process had the core
    SLEEPING = 2  # blocked in time.sleep: needs no core
    WAITING = 3  # blocked on another process (join); a pool's worker waiting for a task
    STARTING = 4  # between start() in the parent and the child's first event
    GIL = 5  # a thread that could run, while another thread of its process held the GIL
    QUEUED = 6  # a pool task submitted, waiting in the pool's queue for a free worker
    BLOCKED = 7  # waiting on a shared object: a lock, a queue that is empty or full


STATE_LABELS = {
    State.RUNNING: "running",
    State.PREEMPTED: "preempted",
    State.SLEEPING: "sleeping",
    State.WAITING: "waiting",
    State.STARTING: "starting",
    State.GIL: "waiting for the GIL",
    State.QUEUED: "queued",
    State.BLOCKED: "blocked",
}

UNKNOWN_CORE = -1
# A child flushes its batch at least this often while it is busy (the 10 ms).
FLUSH_NS = 5_000_000
BATCH_EVENTS = 256
# A preemption shorter than this is noise (interrupts, page faults), not time-slicing.
PREEMPT_MIN_NS = 500_000
# Preemption is sampled about this often while computing.
SAMPLE_NS = 1_000_000
MAX_LINE_CHARS = 10_000


def wait_record(call: str, timeout: float | None) -> str | tuple[str, int]:
    """What a SHARED "wait" record says (its b): the call that waits ("get"), and for
    a wait with a timeout, that timeout in ms — such a wait ends by itself, so it is
    never part of a deadlock."""
    return call if timeout is None else (call, max(0, round(timeout * 1000)))
