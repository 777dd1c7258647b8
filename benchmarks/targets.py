"""Baseline child targets: the least a child can do. Kept apart so that a spawned
baseline child imports nothing but this tiny module."""

import time


def first_event(conn) -> None:
    """A bare child: send one timestamp and end."""
    conn.send(time.perf_counter_ns())
    conn.close()


def raw_flood(conn, n: int, batch: int = 256) -> None:
    """The raw baseline of a flood: the same lines, batched as plain 5-tuples."""
    buf = []
    now = time.perf_counter_ns
    for i in range(n):
        buf.append((1, now(), 0, f"line {i}", 0))
        if len(buf) == batch:
            conn.send(buf)
            buf = []
    if buf:
        conn.send(buf)
    conn.close()
