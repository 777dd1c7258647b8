"""What reporting a shared-object operation costs the child: mpgui's executor of an
operation (the call itself, its record, a flush when one is due) against the bare call on
the same object, in the same process, uncontended — the price paid on every put, get,
acquire and release of a run.

A queue's rows count the process's CPU time, its feeder thread's included, until the
feeder has written every item put: a put() only hands its item to that thread, which
pickles and writes it when it gets the GIL. Timing the put loop's wall time instead
charged that work to whichever loop let the feeder in — a reported put's batch, sent
every 256 records, releases the GIL; a bare loop never does, so its feeder ran after
the clock stopped. (A bare loop that wrote 6 KB to /dev/null every 256 puts measured
2.9–4.1 µs a put against 1.0–1.3 µs without: as much as a reported put's.)"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections.abc import Callable

from benchmarks.report import Row
from mpgui.runtime.child import shared_objects  # noqa: F401  (registers the executors)
from mpgui.runtime.child.reporter import Reporter
from mpgui.runtime.child.workloads import Context, prepare

_now = time.perf_counter_ns
_cpu = time.process_time_ns  # (every thread of this process)
LIMIT_US = 2.0  # the most a reported operation may cost over the bare one
BATCH = 500  # queue items per round: their bytes fit the pipe's buffer


def _drain(conn: object) -> None:
    """Read batches until the writer closes (in a process of its own, as the parent
    is: a thread here would take the GIL from what is measured)."""
    try:
        while True:
            conn.recv_bytes()  # type: ignore[attr-defined]
    except (EOFError, OSError):
        pass


def _drained() -> tuple[Reporter, Callable[[], None]]:
    """A reporter whose batches another process reads, and its closer."""
    ctx = multiprocessing.get_context("spawn")
    r, w = ctx.Pipe(duplex=False)
    reader = ctx.Process(target=_drain, args=(r,), daemon=True)
    reader.start()
    r.close()

    def close() -> None:
        w.close()
        reader.join(10)
        if reader.is_alive():
            reader.kill()
    return Reporter(w), close


def _per_op(step: Callable[[int], None], n: int) -> float:
    """ns per call of `step`, over `n` calls."""
    t = _now()
    for i in range(n):
        step(i)
    return (_now() - t) / n


def _pairs(ours: Callable[[int], None], bare: Callable[[int], None], n: int,
           repeats: int) -> tuple[float, float, float]:
    """Medians (ns per operation) of `repeats` back-to-back rounds of each, and of each
    round's difference."""
    _per_op(ours, n), _per_op(bare, n)  # warm-up
    rounds = [(_per_op(ours, n), _per_op(bare, n)) for _ in range(repeats)]
    return (statistics.median(o for o, _b in rounds), statistics.median(b for _o, b in rounds),
            statistics.median(o - b for o, b in rounds))


def op_cost(n: int = 20_000, repeats: int = 15, queue_rounds: int = 41) -> list[Row]:
    """A lock taken and released (``with lock:``, `repeats` rounds of `n`), an item put
    on a queue, an item got from it (`queue_rounds` rounds of BATCH, ~60 ms each), each
    reported by mpgui's executors vs done bare on the same object."""
    mp = multiprocessing.get_context("spawn")
    rows = []
    reporter, close = _drained()
    try:
        lock = mp.Lock()
        ctx = Context(reporter, {}, "x", "bench", 0, shared={"lock": ("L", lock)})
        locked = prepare(("locked", {"lock": "lock", "body": ()}), ctx)

        def bare_lock(_i: int) -> None:
            with lock:
                pass
        ours, bare, more = _pairs(locked, bare_lock, n, repeats)
        rows.append(_row("a Lock acquired and released (with lock:)", ours, bare, more))

        # A queue: puts, until the queue's feeder thread has written them all to its
        # pipe; then gets of items already there (a get that must wait measures the
        # wait, not the call). CPU time of the whole process (see above). Batches small
        # enough for the pipe's buffer.
        q = mp.Queue()
        ctx = Context(reporter, {}, "item {i}", "bench", 0, shared={"q": ("Q", q)})
        put = prepare(("put", {"queue": "q", "text": ""}), ctx)
        get = prepare(("get", {"queue": "q"}), ctx)

        def bare_put(i: int) -> None:
            q.put((f"0.0.{i}", f"item {i}"))

        times: dict[str, list[float]] = {"put": [], "bare put": [], "get": [], "bare get": []}
        for k in range(queue_rounds + 1):
            for name, putter, getter in (("", put, get), ("bare ", bare_put, _bare_get(q))):
                t_put = _cpu_per_op(putter, BATCH, until=lambda: _written(q))
                t_get = _cpu_per_op(getter, BATCH)
                if k:  # (the first round warms up)
                    times[name + "put"].append(t_put)
                    times[name + "get"].append(t_get)
        for op, what in (("put", "a Queue put()"), ("get", "a Queue get() of an item waiting")):
            ours, bare = times[op], times["bare " + op]
            # What reporting adds: the median of each round's difference from the bare
            # round just after it (the machine's drift from minute to minute cancels), as
            # for the lock.
            more = statistics.median(o - b for o, b in zip(ours, bare, strict=True))
            rows.append(_row(what, statistics.median(ours), statistics.median(bare), more,
                             cpu=True))
        q.close()
    finally:
        reporter.flush()
        close()
    return rows


def _cpu_per_op(step: Callable[[int], None], n: int,
                until: Callable[[], None] | None = None) -> float:
    """CPU ns of this process per call of `step`, over `n` calls and, if given, until
    `until()` returns (what the calls left to another thread, done)."""
    c = _cpu()
    for i in range(n):
        step(i)
    if until is not None:
        until()
    return (_cpu() - c) / n


def _written(q: object) -> None:
    """Return once queue `q`'s feeder thread has written every item put to its pipe.
    One sleep long enough for a batch (its CPU is the feeder's, counted; a wake-up every
    millisecond to look would add this thread's own)."""
    time.sleep(0.025)
    while q._buffer:  # type: ignore[attr-defined]  # (only on a very busy machine)
        time.sleep(0.005)
    time.sleep(0.002)  # (the last item taken off the buffer: pickled and written)


def _bare_get(q: object) -> Callable[[int], None]:
    get = q.get  # type: ignore[attr-defined]

    def bare_get(_i: int) -> None:
        get()
    return bare_get


def _row(what: str, ours_ns: float, bare_ns: float, more_ns: float, cpu: bool = False) -> Row:
    """A row: the medians of both sides, and what reporting adds (`more_ns`: the median
    of the rounds' differences, not the difference of the medians)."""
    more_us = more_ns / 1e3
    per = "CPU time per operation, the feeder's included" if cpu else "per operation"
    return Row(f"overhead: {what}, reported vs bare, {per} (median of rounds)",
               f"{ours_ns / 1e3:.2f} µs (+{more_us:.2f} µs)", f"{bare_ns / 1e3:.2f} µs bare",
               ours_ns / bare_ns, f"<= +{LIMIT_US:g} µs", more_us <= LIMIT_US)
