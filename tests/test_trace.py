"""The trace store: spans from events, lines, joins, memory for a million events."""

from __future__ import annotations

import tracemalloc
from array import array

import pytest

from mpgui.runtime.protocol import Kind, State
from mpgui.runtime.store.trace import OPEN, TraceStore


def batch(events=(), lines=(), sub=0):
    t = array("q", [ts for ts, _ in lines])
    return (sub, list(events), t.tobytes(), "\n".join(text for _ts, text in lines).encode())


def test_state_events_become_spans_and_core_occupancy():
    s = TraceStore()
    main = s.add_lane("main", "main program", "main")
    a = s.add_lane("A", "proc a", "process")
    s.begin(0, main)
    s.start_called(10, a)
    s.ingest(a, batch([(Kind.STARTED, 100, 4242, 1), (Kind.STATE, 100, State.RUNNING, 1),
                       (Kind.STATE, 200, State.SLEEPING, -1), (Kind.STATE, 300, State.RUNNING, 0),
                       (Kind.STATE, 350, State.PREEMPTED, -1), (Kind.STATE, 360, State.RUNNING, 1),
                       (Kind.MIGRATED, 380, 1, 0), (Kind.FINISHED, 400, 0, 5000)],
                      [(250, "hello"), (390, "bye")]))
    s.exited(450, a, 0)
    spans = s.spans(a)
    assert [(st, core, t0, t1) for _l, st, core, t0, t1 in spans] == [
        (State.STARTING, -1, 10, 100), (State.RUNNING, 1, 100, 200),
        (State.SLEEPING, -1, 200, 300), (State.RUNNING, 0, 300, 350),
        (State.PREEMPTED, -1, 350, 360), (State.RUNNING, 1, 360, 380),
        (State.RUNNING, 0, 380, 400)]
    ln = s.lanes[a]
    assert (ln.pid, ln.cores, ln.preemptions, ln.migrations, ln.lines) == (4242, {0, 1}, 1, 1, 2)
    assert (ln.end_t, ln.exit_code, ln.cpu_ns) == (400, 0, 5000)  # the child's own end time
    assert [s.line_text(i) for i in range(2)] == ["hello", "bye"]
    assert s.lines_since(1) == [(390, a, "bye")]


def test_a_batch_stores_what_its_events_one_by_one_would():
    """`ingest` inlines the path of state changes (gathered, the columns extended once
    per run of them): it stores exactly what `set_state` and `event`, event by event,
    store — with repeats, late timestamps, preemptions, migrations and an end in the
    middle of a batch, and states after it."""
    import random

    rnd = random.Random(7)
    stores = []
    for one_by_one in (False, True):
        s = TraceStore()
        main = s.add_lane("main", "main program", "main")
        lanes = [s.add_lane(f"P{i}", f"p{i}", "process") for i in range(3)]
        s.begin(0, main)
        rnd.seed(7)
        t = 10
        for k in range(300):
            events = []
            for _ in range(rnd.randint(0, 40)):
                t += rnd.choice([0, 1, 500])
                r = rnd.random()
                if r < 0.05:
                    events.append((Kind.MIGRATED, t, 0, 1))
                elif r < 0.07:
                    events.append((Kind.FINISHED, t, 0, 123))
                else:  # (a quarter of them said late: before the span they end began)
                    events.append((Kind.STATE, t - rnd.choice([0, 0, 0, 2000]),
                                   rnd.choice([State.RUNNING, State.PREEMPTED,
                                               State.SLEEPING, State.BLOCKED]),
                                   rnd.choice([0, 1, -1])))
            lane = lanes[k % 3]
            if one_by_one:
                for kind, et, a, b in events:
                    if kind == Kind.STATE:
                        s.set_state(lane, et, a, b)
                    else:
                        s.event(lane, kind, et, a, b)
            else:
                s.ingest(lane, batch(events))
        stores.append(s)
    got, want = stores
    assert len(want.span_t0) > 1000
    for column in ("span_lane", "span_state", "span_core", "span_t0", "span_t1"):
        assert getattr(got, column) == getattr(want, column), column
    assert [(ln.state, ln.core, ln.open_span, ln.preemptions, ln.cores, ln.migrations,
             ln.end_t) for ln in got.lanes] == \
        [(ln.state, ln.core, ln.open_span, ln.preemptions, ln.cores, ln.migrations,
          ln.end_t) for ln in want.lanes]


def test_a_state_no_column_can_hold_stores_none_of_its_batch():
    """A child gone wrong sends a state past what the columns hold: the batch raises
    (the poll reports it and the run goes on) and the columns keep one length."""
    s = TraceStore()
    main = s.add_lane("main", "main program", "main")
    a = s.add_lane("A", "proc a", "process")
    s.begin(0, main)
    s.ingest(a, batch([(Kind.STATE, 100, State.RUNNING, 0)]))
    with pytest.raises(OverflowError):
        s.ingest(a, batch([(Kind.STATE, 200, State.SLEEPING, -1), (Kind.STATE, 300, 300, 0)]))
    lengths = {len(getattr(s, c)) for c in ("span_lane", "span_state", "span_core",
                                            "span_t0", "span_t1")}
    assert len(lengths) == 1, lengths


def test_join_marks_and_main_lane_states():
    s = TraceStore()
    main = s.add_lane("main", "main program", "main")
    c = s.add_lane("C", "c", "process")
    s.begin(0, main)
    j = s.join_wait(50, main, c, None)
    s.join_return(90, main, j, timed_out=False)
    s.finish(100)
    assert [(st, t0, t1) for _l, st, _c, t0, t1 in s.spans(main)] == [
        (State.RUNNING, 0, 50), (State.WAITING, 50, 90), (State.RUNNING, 90, 100)]
    assert (j.t_wait, j.t_return, j.timed_out) == (50, 90, False)
    assert all(t1 != OPEN for *_x, t1 in s.spans())


def test_thread_batches_get_their_own_lane():
    s = TraceStore()
    p = s.add_lane("P", "host", "process")
    s.ingest(p, batch([(Kind.STATE, 5, State.RUNNING, 0)], sub=2))
    (thread,) = [ln for ln in s.lanes if ln.kind == "thread"]
    assert thread.var == "P.t2" and s.owner_of(thread.index) == p


def test_a_million_events_fit_well_under_100_mb():
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    s = TraceStore()
    lanes = [s.add_lane(f"P{i}", f"p{i}", "process") for i in range(16)]
    t = 0
    for k in range(2000):  # 2000 batches x (250 lines + 250 state changes) = 1,000,000 events
        lane = lanes[k % 16]
        events = []
        for j in range(250):
            t += 1
            events.append((Kind.STATE, t, State.RUNNING if j % 2 else State.PREEMPTED, j % 2))
        s.ingest(lane, batch(events, [(t + j, f"Process {k}: {j}") for j in range(250)]))
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert s.events == 1_000_000
    assert used < 100e6 / 2, f"{used / 1e6:.1f} MB for a million events"
    assert s.memory_bytes() <= used


class _Sink:
    """A connection that keeps what is sent."""

    def __init__(self):
        self.sent = []

    def send(self, obj):
        self.sent.append(obj)


def test_reporter_packs_lines_cuts_long_ones_and_escapes_newlines():
    from mpgui.runtime.child.reporter import Reporter
    from mpgui.runtime.protocol import MAX_LINE_CHARS

    sink = _Sink()
    r = Reporter(sink)
    long = "x" * (MAX_LINE_CHARS + 5)
    for text in ("short", long, "two\nlines", "bad \udcff byte", ""):
        r._lines.append(text)
        r._line_t.append(1)
    r.flush()
    s = TraceStore()
    lane = s.add_lane("A", "a", "process")
    s.ingest(lane, sink.sent[-1])
    got = [s.line_text(i) for i in range(s.n_lines)]
    assert got[0] == "short"
    assert got[1] == "x" * MAX_LINE_CHARS + "… (5 more characters)"
    assert got[2:] == ["two\\nlines", "bad \\udcff byte", ""]


def test_reporter_flushes_a_lone_line_at_once_and_a_flood_in_batches():
    from mpgui.runtime.child.reporter import Reporter
    from mpgui.runtime.protocol import BATCH_EVENTS

    sink = _Sink()
    r = Reporter(sink)
    r.line("first")  # the pipe was quiet: sent at once
    assert len(sink.sent) == 1
    for i in range(10 * BATCH_EVENTS):
        r.line(f"line {i}")
    assert 10 <= len(sink.sent) <= 12


def test_other_threads_still_run_while_a_reporter_burns_cpu():
    """Reading the core must not release the GIL (ctypes.CDLL does): a busy loop that
    releases and re-takes it every millisecond starves every other thread, such as the
    child's parent-watch thread."""
    import threading
    from multiprocessing.connection import wait

    from mpgui.runtime.child.reporter import Reporter

    r_end, w_end = _pipe()
    beats, stop = [], threading.Event()

    def heartbeat():
        while not stop.is_set():
            wait([r_end], timeout=0.01)
            beats.append(1)

    t = threading.Thread(target=heartbeat)
    t.start()
    Reporter(_Sink()).burn(0.4)
    stop.set()
    t.join()
    r_end.close()
    w_end.close()
    assert len(beats) >= 10, f"the waiting thread ran only {len(beats)} times in 0.4 s"


def _pipe():
    import multiprocessing

    return multiprocessing.Pipe(duplex=False)
