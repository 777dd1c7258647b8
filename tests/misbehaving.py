"""Children that misbehave on purpose, each speaking mpgui's protocol as far as it does:
the Runner starts them in place of a workload (``Runner.child_target``)."""

from __future__ import annotations

import os
import signal
import time
from array import array

from mpgui.runtime.child.reporter import Reporter
from mpgui.runtime.protocol import Kind, State


def hard_exit(conn, task) -> None:
    """Says it started, prints one line, then os._exit(3): no goodbye, no flush."""
    r = Reporter(conn)
    r.started(os.getpid())
    r.line("about to exit hard")
    r.flush()
    os._exit(3)


def deaf_to_sigterm(conn, task) -> None:
    """Ignores SIGTERM and sleeps forever: only SIGKILL ends it."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    r = Reporter(conn)
    r.started(os.getpid())
    r.state(State.SLEEPING)
    r.flush()
    while True:
        time.sleep(0.05)


def garbled(conn, task) -> None:
    """A 2 MB line, a line of bytes that are no UTF-8, and one with an embedded NUL."""
    r = Reporter(conn)
    r.started(os.getpid())
    r.line("x" * 2_000_000)
    r.flush()
    now = time.perf_counter_ns()
    conn.send((0, [], array("q", [now, now]).tobytes(), b"bad \xff\xfe\xc3 bytes\nnul \x00 here"))
    r.event(Kind.FINISHED, 0, time.process_time_ns())
    r.flush()


def silent_sleeper(conn, task) -> None:
    """Started, then sleeps a long time (for a kill from outside)."""
    r = Reporter(conn)
    r.started(os.getpid())
    r.state(State.SLEEPING)
    r.flush()
    time.sleep(60)


def leaves_a_grandchild(conn, task) -> None:
    """Forks a grandchild that holds the child's pipe and sentinel for a minute (it
    prints its pid first, so that a test can end it), then returns: the child has
    ended, but neither its pipe nor its sentinel says so."""
    r = Reporter(conn)
    r.started(os.getpid())
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.write(write_end, b"x")
        time.sleep(60)
        os._exit(0)
    os.close(write_end)
    os.read(read_end, 1)  # the grandchild runs, holding everything the child holds
    r.line(f"grandchild {pid}")
    r.flush()


def state_flood(conn, task) -> None:
    """Sends 400,000 state changes as fast as it can (in the Reporter's batches): more
    than a poll of a few milliseconds can take in, so its pipe stays full a while."""
    r = Reporter(conn)
    r.started(os.getpid())
    for i in range(400_000):
        r.state(State.SLEEPING if i % 2 else State.RUNNING)
    r.event(Kind.FINISHED, 0, time.process_time_ns())
    r.flush()
