"""Baseline child targets: the least a child can do. Kept apart so that a spawned
baseline child imports nothing but this tiny module."""

import time


def first_event(conn) -> None:
    """A bare child: send one timestamp and end."""
    conn.send(time.perf_counter_ns())
    conn.close()


def sleeps(conn, interval: float, n: int) -> None:
    """A bare sleep loop: `n` plain time.sleep(interval) calls, each one's end sent as
    its lateness (ns) against the start plus the sleeps so far — the drift of the OS's
    own sleeps, which no reporting can remove."""
    t0 = time.perf_counter_ns()
    late = []
    for i in range(n):
        time.sleep(interval)
        late.append(time.perf_counter_ns() - t0 - round((i + 1) * interval * 1e9))
    conn.send(late)
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


# The frame-budget load: 16 such children make CHATTER_RATE * 16 = 100,000 events/s.
CHATTER_RATE = 6_250  # state changes per second per child
CHATTER_SECONDS = 6.0
CHATTER_LINE_EVERY = 0.01  # one printed line per child every 10 ms
CHATTER_WAKE = 0.005


def chatter(conn, task) -> None:
    """A child that reports through mpgui's own Reporter: CHATTER_RATE state changes a
    second (running <-> sleeping) and a printed line every CHATTER_LINE_EVERY seconds,
    for CHATTER_SECONDS — or as its row's parameters say: `n` state changes a second, a
    line every `interval` s, for `compute` s. It wakes every CHATTER_WAKE seconds (or
    less often, for a slow rate: about 31 changes a wake) and sends what fell due,
    as a busy mpgui child flushes every 5 ms; waking more often only burns the CPU the
    window needs (16 children waking every 1 ms took 0.8 of this machine's 2 cores)."""
    import os

    from mpgui.runtime.child.reporter import Reporter
    from mpgui.runtime.cpu import load as load_core_reader
    from mpgui.runtime.protocol import Kind, State

    r = Reporter(conn)
    r.started(os.getpid())
    load_core_reader()  # (as a scenario's child does once under way)
    now = time.perf_counter
    params = task.get("params", {})
    rate = params.get("n", CHATTER_RATE)
    line_every = params.get("interval", CHATTER_LINE_EVERY)
    seconds = params.get("compute", CHATTER_SECONDS)
    wake = min(0.08, max(CHATTER_WAKE, 31.25 / max(rate, 1)))
    t0 = next_line = now()
    sent = i = 0
    while (t := now()) < t0 + seconds:
        due = int((t - t0) * rate)
        while sent < due:
            sent += 1
            r.state(State.SLEEPING if sent % 2 else State.RUNNING)
        while t >= next_line:
            r.line(f"{task['name']}: {i}")
            i += 1
            next_line += line_every
        r.flush()
        time.sleep(wake)
    r.event(Kind.FINISHED, 0, time.process_time_ns())
    r.flush()
    conn.close()
