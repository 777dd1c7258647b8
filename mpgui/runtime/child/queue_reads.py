"""Reading a multiprocessing queue or connection without waiting, cheaply: what a
reported get() or recv() asks before it reads — will this wait? — costs a system call,
not multiprocessing's selector per call. Used by a scenario's child and by a traced
script's patches alike."""

from __future__ import annotations

import select
from collections.abc import Callable
from multiprocessing.reduction import ForkingPickler

# (not typing's: a child's imports delay its first event, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def ready(conn: Any) -> Callable[[], bool]:
    """Whether something waits to be read from connection `conn`, asked without waiting
    of a poll object made once: multiprocessing's own ``poll()`` makes a new selector
    for each call, which costs a get() or a recv() more than the call itself (~3 µs)."""
    if not hasattr(select, "poll"):  # (Windows)
        return lambda: bool(conn.poll())
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    look = poller.poll
    return lambda: bool(look(0))


def taker(q: Any) -> Callable[[], Any]:
    """What ``q.get(False)`` does — the next item, or queue.Empty at once — for a
    multiprocessing queue without its selector (`ready`): with the queue's read lock
    held, an item in its pipe is this process's to read, nobody else's. The steps are
    multiprocessing's own (Queue.get); a thread's queue just uses get(False)."""
    import queue as queues  # (here: a traced script that makes no queue never needs it)

    reader, rlock, sem = (getattr(q, a, None) for a in ("_reader", "_rlock", "_sem"))
    if reader is None or rlock is None or sem is None:
        return lambda: q.get(False)
    is_ready, recv, loads = ready(reader), reader.recv_bytes, ForkingPickler.loads
    take, give = rlock.acquire, rlock.release

    def take_now() -> Any:
        if not take(False):  # (another process is reading: it is not ours yet)
            raise queues.Empty
        try:
            if not is_ready():
                raise queues.Empty
            res = recv()
            sem.release()
        finally:
            give()
        return loads(res)
    return take_now
