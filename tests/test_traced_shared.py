"""The shared objects of a traced script: each kind's operations recorded under the
script's own variable names, in every process, with any start method; each item
followed from its put() to its get(); waits drawn blocked; multiprocessing's own
objects (a pool's queues) never shown; and a deadlock in a traced script named."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

from mpgui.runtime.output.runfile import load_run, save_run
from mpgui.runtime.protocol import State
from mpgui.runtime.script.runner import ScriptRunner
from mpgui.runtime.store.deadlock import Deadlock
from mpgui.runtime.store.object_tracks import ObjectTracks
from tests.helpers import MPGUI, env_without_display
from tests.test_script_trace import SCRIPTS, trace


@pytest.mark.parametrize("method", ["spawn", "fork", "forkserver"])
def test_every_kind_of_object_is_recorded_under_the_scripts_name(method):
    r = trace("shared_objects.py", method)
    assert r.status.value == "finished"
    store = r.store
    ops = store.records("shared")
    by = Counter((op.obj, op.verb) for op in ops)
    # The names are the script's variables, in the processes that got them as
    # arguments (whose parameters are called otherwise: q, lock...) too.
    assert by[("Q", "put")] == 4 and by[("Q", "get")] == 4
    assert by[("L", "acquire")] == 4 and by[("L", "release")] == 4
    assert by[("go", "set")] == 1
    assert by[("sem", "enter")] == 2 and by[("sem", "leave")] == 2
    assert by[("done", "put")] == 2 and by[("done", "get")] == 2
    assert by[("tasks", "put")] == 1 and by[("tasks", "done")] == 1
    assert by[("tasks", "joined")] == 1
    assert by[("barrier", "arrive")] == 2 and by[("barrier", "passed")] == 2
    assert by[("cond", "notify")] == 1
    assert by[("nested", "acquire")] == 2 and by[("nested", "release")] == 2
    assert by[("places", "enter")] == 1 and by[("places", "leave")] == 1
    # Every item is followed from its put() to its get(), whoever got it.
    puts = sorted(op.item for op in ops if op.obj == "Q" and op.verb == "put")
    gets = sorted(op.item for op in ops if op.obj == "Q" and op.verb == "get")
    assert puts == gets and len(set(puts)) == 4
    # The consumer got the items themselves, not mpgui's wrapping.
    consumer = next(ln.index for ln in store.lanes if ln.var == "C")
    assert [t for _t, ln, t in store.lines_since(0) if ln == consumer] == \
        [f"got item {i}" for i in range(4)]
    # Nothing of multiprocessing's own: a queue's inner lock, an event's condition.
    tracks = {t.name: t.kind for t in ObjectTracks().sync(store)}
    assert tracks == {"Q": "queue", "L": "lock", "go": "event", "sem": "semaphore",
                      "done": "queue", "tasks": "queue", "barrier": "barrier",
                      "cond": "condition", "nested": "lock", "places": "semaphore"}


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_managers_objects_are_traced_as_multiprocessings_own(method):
    """A Manager's queue, lock, semaphore, event, condition, barrier and joinable queue
    are recorded under the script's names as multiprocessing's own objects are: each
    item followed from its put() to its get(), the lock's holders, the semaphore's
    places — in processes that got them as arguments too."""
    r = trace("managed_sync.py", method)
    assert r.status.value == "finished" and r.exit_code == 0 and r.deadlock is None
    store = r.store
    ops = store.records("shared")
    by = Counter((op.obj, op.verb) for op in ops)
    assert by[("Q", "put")] == by[("Q", "get")] == 3
    assert by[("L", "acquire")] == by[("L", "release")] == 3
    assert by[("sem", "enter")] == by[("sem", "leave")] == 2
    assert by[("go", "set")] == 1 and by[("cond", "notify")] == 1
    assert by[("barrier", "arrive")] == by[("barrier", "passed")] == 2
    assert by[("tasks", "put")] == by[("tasks", "get")] == by[("tasks", "done")] == 1
    assert by[("tasks", "joined")] == 1
    puts = sorted(op.item for op in ops if op.obj == "Q" and op.verb == "put")
    gets = sorted(op.item for op in ops if op.obj == "Q" and op.verb == "get")
    assert puts == gets and len(set(puts)) == 3
    # The consumer got the items themselves, not mpgui's wrapping.
    assert list(store.line_texts()) == [f"got item {i}" for i in range(3)]
    tracks = {t.name: t.kind for t in ObjectTracks().sync(store)}
    assert tracks == {"Q": "queue", "L": "lock", "sem": "semaphore", "go": "event",
                      "cond": "condition", "barrier": "barrier", "tasks": "queue"}


@pytest.mark.parametrize(("method", "locked"), [("spawn", False), ("fork", True)])
def test_a_managers_value_counts_its_lost_updates(method, locked):
    # `counter.value += 1` on a Manager's Value is a read and a write, two requests:
    # recorded as a read-modify-write, so the lane counts what was lost — nothing with
    # the Manager's lock around each update.
    r = trace("managed_counter.py", method, "locked" if locked else "unlocked")
    assert r.status.value == "finished" and r.exit_code == 0 and r.deadlock is None
    by = Counter((op.obj, op.verb) for op in r.store.records("shared"))
    assert by[("counter", "rw")] == 300
    [line] = r.store.line_texts()
    total = int(line.split()[1])
    tracks = {t.name: t for t in ObjectTracks().sync(r.store)}
    assert tracks["counter"].kind == "value"
    assert tracks["counter"].lost == 300 - total
    if locked:
        assert total == 300 and by[("lock", "acquire")] == by[("lock", "release")] == 300


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_sync_manager_made_directly_is_traced(method):
    # `SyncManager()` itself, not `multiprocessing.Manager()`: its module is patched as
    # the script imports it (at the agent's start it would cost every process ~29 ms).
    r = trace("sync_manager_direct.py", method)
    assert r.status.value == "finished" and r.exit_code == 0 and r.deadlock is None
    ops = r.store.records("shared")
    by = Counter((op.obj, op.verb) for op in ops)
    assert by[("results", "put")] == by[("results", "get")] == 3
    assert by[("seen", "store")] == 3
    puts = sorted(op.item for op in ops if op.obj == "results" and op.verb == "put")
    gets = sorted(op.item for op in ops if op.obj == "results" and op.verb == "get")
    assert puts == gets and len(set(puts)) == 3
    assert list(r.store.line_texts()) == ["[0, 1, 4] [0, 1, 2]"]
    tracks = {t.name: t.kind for t in ObjectTracks().sync(r.store)}
    assert tracks == {"results": "queue", "seen": "dict"}


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_managers_objects_in_a_pools_tasks_are_named_after_the_scripts_variables(method):
    """A pool pickles its tasks' arguments in a thread of its own, where no frame of the
    script's holds them: the names are found in the script's main thread ("turns", not
    "Lock 1")."""
    r = trace("pool_managed.py", method)
    assert r.status.value == "finished" and r.exit_code == 0
    ops = r.store.records("shared")
    by = Counter((op.obj, op.verb) for op in ops)
    assert by[("turns", "acquire")] == by[("turns", "release")] == 4
    assert by[("squares", "put")] == by[("squares", "get")] == 4
    assert list(r.store.line_texts()) == ["[0, 1, 4, 9]"]


def test_a_traced_wait_is_drawn_blocked_and_named():
    r = trace("shared_objects.py", "spawn")
    store = r.store
    ops = store.records("shared")
    waits = {(op.obj, op.item) for op in ops if op.verb == "wait"}
    assert ("barrier", "wait") in waits  # (each party waits there, if only briefly)
    worker = next(ln.index for ln in store.lanes if ln.var == "W")
    assert any(state == State.BLOCKED for _l, state, _c, _t0, _t1 in store.spans(worker))


def test_a_pools_own_queues_are_not_the_scripts():
    r = trace("pool_map.py")
    assert r.status.value == "finished"
    assert r.store.records("shared") == []


def traced_until_a_deadlock(script: str, *args: str) -> ScriptRunner:
    r = ScriptRunner(SCRIPTS / script, list(args), output=subprocess.DEVNULL,
                     errors=subprocess.DEVNULL)
    with r:
        r.start()
        deadline = time.monotonic() + 30
        while r.deadlock is None:
            assert time.monotonic() < deadline, "no deadlock was found"
            r.wait(0.05)
            r.poll()
        found_at = time.perf_counter_ns()
        assert (found_at - r.deadlock.t) / 1e9 < 1.0  # named within a second
        r.stop()
    return r


@pytest.mark.parametrize(("script", "args", "sentence"), [
    ("deadlock.py", (), "Deadlock: A holds L1 and waits for L2; B holds L2 and waits for L1"),
    ("waits_for_ever.py", (), "Deadlock: C waits in get() on Q, and the main program in "
                              "C.join()"),
    # The classic: joined before its queue is drained, a process cannot end.
    *((("joins_before_draining.py", (method,), "Deadlock: P waits in join_thread() on Q, "
        "and the main program in P.join()")) for method in ("spawn", "fork")),
    # The main program waits on an object itself: with a process, or with none left.
    ("waits_on_each_other.py", ("pipe",), "Deadlock: P waits in recv() on parent_end ↔ "
     "child_end, and the main program in recv() on parent_end ↔ child_end"),
    ("waits_on_each_other.py", ("tasks",), "Deadlock: the main program waits in join() on "
     "tasks, and nothing is left to wake it"),
    ("exits_with_items_unread.py", (), "Deadlock: the main program waits in join_thread() "
     "on Q, and nothing is left to wake it"),
    # Who holds the lock a member waits for is said.
    ("holds_the_lock.py", ("main",), "Deadlock: P waits in acquire() on lock, which the main "
     "program holds, and the main program in get() on q"),
    ("holds_the_lock.py", ("again",), "Deadlock: P waits for lock, which it holds itself"),
    # A Manager's objects: its server process answers requests, it wakes no one.
    ("managed_waits_for_ever.py", (), "Deadlock: C waits in get() on Q, and the main "
                                      "program in C.join()"),
])
def test_a_traced_scripts_deadlock_is_named(script, args, sentence):
    r = traced_until_a_deadlock(script, *args)
    assert r.deadlock is not None and r.deadlock.sentence(r.store) == sentence
    assert r.status.value == "stopped"
    assert Deadlock.from_info(r.deadlock.to_info()) == r.deadlock  # (as a run file keeps it)


def test_a_wait_a_thread_of_the_script_will_end_is_no_deadlock():
    """The script joins a process that waits for an event; a thread of the script sets
    it 1.5 s later. Every process waits, and the main thread too — but the thread does
    not: it was taken for a deadlock, and the script stopped."""
    r = trace("woken_by_a_thread.py")
    assert r.deadlock is None
    assert r.status.value == "finished" and r.exit_code == 0
    assert list(r.store.line_texts()) == ["released"]


def test_a_deadlocks_sentence_reaches_the_terminal_escaped():
    """The names in a deadlock's sentence are what the script's processes made them: a
    queue named after a class the script renamed to control codes is said escaped."""
    run = subprocess.run([*MPGUI, "trace", str(SCRIPTS / "hostile_queue_name.py"),
                          "--quiet"], capture_output=True, text=True, timeout=60,
                         env=env_without_display())
    assert run.returncode == 3
    said = next(line for line in run.stderr.splitlines() if "Deadlock" in line)
    assert "\x1b" not in said and "\x07" not in said
    assert "C waits in get() on \\x1b[2J\\x1b]0;pwned\\x07Q 1" in said


def test_a_process_whose_items_wait_for_a_reader_is_drawn_waiting_at_its_end():
    """Drained in time, the same script ends: its producer's end waited, blocked on Q,
    until the main program read the item — drawn, and no deadlock."""
    r = trace("joins_before_draining.py", "fork", "drain")
    assert r.status.value == "finished" and r.exit_code == 0 and r.deadlock is None
    store = r.store
    producer = next(ln.index for ln in store.lanes if ln.var == "P")
    waits = [op for op in store.records("shared")
             if op.lane == producer and op.verb == "wait"]
    assert [(op.obj, op.item) for op in waits] == [("Q", "join_thread")]
    assert any(state == State.BLOCKED for _l, state, _c, _t0, _t1 in store.spans(producer))


def test_mpgui_trace_stops_a_deadlock_with_its_own_exit_code():
    run = subprocess.run([*MPGUI, "trace", str(SCRIPTS / "deadlock.py"), "--quiet"],
                         capture_output=True, text=True, timeout=60,
                         env=env_without_display())
    assert run.returncode == 3
    assert "mpgui: Deadlock: A holds L1 and waits for L2; B holds L2 and waits for L1; " \
        "stopping the run" in run.stderr


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_traced_values_lost_updates_are_counted(method):
    r = trace("counters.py", method)
    store = r.store
    racy_printed, safe_printed = map(int, next(iter(store.line_texts())).split())
    tracks = {t.name: t for t in ObjectTracks().sync(store)}
    racy, safe = tracks["racy"], tracks["safe"]
    assert racy.kind == safe.kind == "value"
    assert racy.updates == safe.updates == 40_000
    assert racy.final == racy_printed and racy.lost == 40_000 - racy_printed
    assert safe.final == safe_printed == 40_000 and safe.lost == 0
    # The lock the script takes, named after its value; the lock .value takes for each
    # read and write is multiprocessing's own, and not shown.
    assert tracks["safe.get_lock()"].kind == "lock"
    assert "racy.get_lock()" not in tracks


def _counters(k: str, typecode: str, each: float):
    """counters.py traced: its two Values' tracks, checked against what it printed —
    40,000 updates of `k` each, the locked one whole, the racy one's losses counted."""
    r = trace("counters.py", "fork", k, typecode)
    racy_printed, safe_printed = map(float, next(iter(r.store.line_texts())).split())
    tracks = {t.name: t for t in ObjectTracks().sync(r.store)}
    racy, safe = tracks["racy"], tracks["safe"]
    assert racy.updates == safe.updates == 40_000
    assert racy.expected == safe.expected == each
    assert safe.final == safe_printed == each and safe.lost == 0
    assert racy.final == racy_printed and racy.lost == each - racy_printed
    return r, racy, safe


def test_a_scripts_value_plus_k_is_an_update_that_means_to_add_k():
    _counters("3", "i", 120_000)


def test_a_double_values_fractions_are_drawn_and_its_lost_updates_counted():
    r, racy, safe = _counters("0.5", "d", 20_000.0)
    assert 0.5 in safe.level and 1.5 in safe.level  # (the halves themselves, not 0 and 1)
    from mpgui.ui.chart.hover import describe_object  # (the hover says it as people do)

    assert "safe (value) at 1000.000 s: 20,000 after 40,000 updates" in \
        describe_object(r.store, safe, 1000.0)
    # A run file keeps the fractions.
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "doubles.mpgrun"
        save_run(saved, r.as_record().scenario, r.store, {})
        again = {t.name: t for t in ObjectTracks().sync(load_run(saved)[1])}
    assert again["safe"].level == safe.level and again["racy"].lost == racy.lost


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_traced_pipe_carries_each_message_to_the_other_end(method):
    r = trace("pipe_ping_pong.py", method)
    store = r.store
    assert list(store.line_texts()) == [f"('pong', {i})" for i in range(3)]
    ops = [op for op in store.records("shared") if op.verb in ("send", "recv")]
    # One pipe, named after its two ends' variables.
    assert {op.obj for op in ops} == {"parent_conn ↔ child_conn"}
    sends = sorted(op.item for op in ops if op.verb == "send")
    assert len(sends) == 6 and sends == sorted(op.item for op in ops if op.verb == "recv")
    pipe = {t.name: t for t in ObjectTracks().sync(store)}["parent_conn ↔ child_conn"]
    assert pipe.kind == "pipe" and pipe.final == 0


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_traced_managers_dict_and_list_and_an_array_are_recorded(method):
    r = trace("managed.py", method)
    assert r.status.value == "finished" and r.exit_code == 0
    assert next(iter(r.store.line_texts())) == \
        "[('worker 0', 0), ('worker 1', 10), ('worker 2', 20)] [0, 1, 2] [0, 1, 4]"
    tracks = {t.name: (t.kind, t.final) for t in ObjectTracks().sync(r.store)}
    assert tracks == {"results": ("dict", 3), "log": ("list", 3), "squares": ("array", 3)}
    keys = sorted(op.item for op in r.store.records("shared") if op.verb == "store")
    assert keys == ["worker 0", "worker 1", "worker 2"]


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_managers_array_is_recorded(method):
    r = trace("managed_array.py", method)
    assert r.status.value == "finished" and r.exit_code == 0
    assert list(r.store.line_texts()) == ["[0, 1, 4]"]
    tracks = {t.name: (t.kind, t.final) for t in ObjectTracks().sync(r.store)}
    assert tracks == {"squares": ("array", 3)}
    cells = sorted(op.item for op in r.store.records("shared") if op.verb == "write")
    assert cells == ["0", "1", "2"]


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_managers_namespace_is_recorded(method):
    """`ns.key = value` on a Manager's Namespace is recorded with the attribute's name:
    its lane counts the attributes set (one set again adds none); the proxy's own
    attributes, which stay in the proxy, are not recorded."""
    r = trace("managed_namespace.py", method)
    assert r.status.value == "finished" and r.exit_code == 0
    assert list(r.store.line_texts()) == [
        "[('worker0', 'done again'), ('worker1', 'done'), ('worker2', 'done')]"]
    tracks = {t.name: (t.kind, t.final) for t in ObjectTracks().sync(r.store)}
    assert tracks == {"status": ("namespace", 3)}
    keys = sorted(op.item for op in r.store.records("shared") if op.verb == "setattr")
    assert keys == ["worker0", "worker0", "worker1", "worker2"]


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_what_leaves_a_managers_dict_namespace_or_list_is_recorded(method):
    """Deletions are recorded as stores are — `del d[k]`, pop(), popitem(), clear(),
    `del ns.key`, a list's pop(), remove() and `del l[i]` — and so are update(),
    setdefault(), insert() and extend(), and what a dict or a list was made with: each
    lane counts what is in its object at the end, and its peak what was there at the
    most."""
    r = trace("managed_deletes.py", method)
    assert r.status.value == "finished" and r.exit_code == 0
    assert list(r.store.line_texts()) == [
        "[('task0', 0), ('task1', 1), ('task2', 2)] 6 0 0 ['started'] 2 3"]
    tracks = {t.name: (t.kind, t.final, t.peak) for t in ObjectTracks().sync(r.store)}
    log_peak = tracks["log"][2]  # (each worker's five items in, then three out: 5 to 15)
    assert 5 <= log_peak <= 15
    assert tracks == {"tasks": ("dict", 0, 4), "done": ("dict", 3, 4),
                      "scratch": ("dict", 0, 2), "log": ("list", 6, log_peak),
                      "status": ("namespace", 1, 2), "seeded": ("dict", 2, 3),
                      "primed": ("list", 3, 3)}
    deleted = Counter((op.obj, op.item) for op in r.store.records("shared")
                      if op.verb in ("delete", "delattr"))
    assert deleted == Counter({("tasks", "task0"): 1, ("tasks", "task1"): 1,
                               ("tasks", "task2"): 1, ("tasks", "spare"): 1,
                               ("done", "tmp"): 1, ("scratch", None): 1,
                               ("status", "busy"): 1, ("seeded", "x"): 1})
    made_with = [(op.verb, op.item) for op in sorted(
        r.store.records("shared"), key=lambda op: op.t) if op.obj in ("seeded", "primed")][:4]
    assert sorted(made_with) == [("extend", "2"), ("store", "x"), ("store", "y"), ("store", "z")]


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_managers_own_registered_types_are_recorded(method):
    """A BaseManager of the script's own: its registered queue (queue.Queue) is traced
    as a Manager's is — every put matched to its get — and its dict (DictProxy) too; a
    manager connect()ed to the same server is left alone."""
    r = trace("custom_manager.py", method)
    assert r.status.value == "finished" and r.exit_code == 0
    assert list(r.store.line_texts()) == [
        "[('task 0', 0), ('task 1', 1), ('task 2', 4)] as put"]
    tracks = {t.name: (t.kind, t.final) for t in ObjectTracks().sync(r.store)}
    assert tracks == {"tasks": ("queue", 0), "results": ("dict", 3)}
    ops = r.store.records("shared")
    puts = {op.item for op in ops if op.verb == "put"}
    gets = {op.item for op in ops if op.verb == "get"}
    assert len(puts) == 3 and gets == puts
    assert {op.obj for op in ops} == {"tasks", "results"}  # (not the connected "inbox")


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_shareable_lists_cells_written_are_recorded(method):
    """multiprocessing.shared_memory.ShareableList — made directly or by a
    SharedMemoryManager — is traced as an Array is: each cell written, by whom."""
    r = trace("shareable_list.py", method)
    assert r.status.value == "finished" and r.exit_code == 0
    assert list(r.store.line_texts()) == ["[0, 1, 4] [0, -1, -2]"]
    tracks = {t.name: (t.kind, t.final) for t in ObjectTracks().sync(r.store)}
    assert tracks == {"cells": ("array", 3), "more": ("array", 3)}
    writers = {(op.obj, op.item): r.store.lanes[op.lane].var
               for op in r.store.records("shared")}
    assert len(set(writers.values())) == 3 and len(writers) == 6


def test_a_traced_wait_stays_blocked_whatever_the_kernel_says():
    # The kernel sees a process waiting for a lock as asleep; the agent knows better,
    # and its state is kept for as long as the wait lasts.
    r = traced_until_a_deadlock("deadlock.py")
    store = r.store
    for var in ("A", "B"):
        lane = next(ln.index for ln in store.lanes if ln.var == var)
        last = store.spans(lane)[-1]
        assert last[1] == State.BLOCKED, store.spans(lane)


def test_a_wait_that_gives_up_is_no_deadlock():
    # The worker's waits time out (each after longer than it takes to call a deadlock),
    # then it computes while the script joins it: nothing is called a deadlock.
    r = trace("gives_up.py")
    assert r.status.value == "finished" and r.deadlock is None
    gave_up = [(op.obj, op.item) for op in r.store.records("shared") if op.verb == "gaveup"]
    assert sorted(gave_up) == [("L", "acquire"), ("Q", "get"), ("go", "wait")]
    # Each wait said its timeout: it ends by itself, so however long every process
    # waits, it is no deadlock (it was: a script's get(timeout=1.5) was stopped).
    waits = {op.obj: op.value for op in r.store.records("shared") if op.verb == "wait"}
    assert waits == {"L": 600, "Q": 600, "go": 600}


def test_a_deadlock_is_told_in_the_order_start_was_called():
    """A traced script's lanes are made as its children report in, which a busy machine
    shuffles; the deadlock is told from the process started first, so the sentence is
    the same every run."""
    from mpgui.runtime.store.deadlock import find_deadlock
    from mpgui.runtime.store.shared_events import SharedOp
    from mpgui.runtime.store.trace import TraceStore

    store = TraceStore()
    store.add_lane("main", "main program", "main")
    b = store.add_lane("B", "B", "process")  # (B reported in first)
    a = store.add_lane("A", "A", "process")
    store.lanes[a].start_call_t, store.lanes[b].start_call_t = 10, 20
    store.records("shared").extend([
        SharedOp(a, 100, "L1", "acquire"), SharedOp(b, 110, "L2", "acquire"),
        SharedOp(b, 300, "L1", "wait", "acquire"), SharedOp(a, 310, "L2", "wait", "acquire")])
    found = find_deadlock(store)
    assert found is not None and found.sentence(store) == \
        "Deadlock: A holds L1 and waits for L2; B holds L2 and waits for L1"


BURSTS = """
import multiprocessing, select

if __name__ == "__main__":
    Q = multiprocessing.Queue()
    for burst in range(2):
        for i in range(5):
            Q.put(i)
        # A wait mpgui does not report (a sleep() would send the records with it). The
        # second is ended by the test.
        select.select([], [], [], 1.0 if burst == 0 else 600)
"""


def test_a_burst_of_records_is_sent_soon_though_the_script_then_waits(tmp_path):
    # A record waits in its process's buffer until a batch is full, something sent at
    # once takes it along, or the flush that the first record of a burst asked for
    # comes (FLUSH_EVERY_S later). After one such flush the next burst must ask again:
    # both bursts reach mpgui while the script waits, long before any batch is full or
    # the script ends. (It failed, after its minute, with the flag that says a flush is
    # asked for never cleared.)
    script = tmp_path / "bursts.py"
    script.write_text(BURSTS)
    with ScriptRunner(script, output=subprocess.DEVNULL, errors=subprocess.DEVNULL) as r:
        r.start()
        deadline = time.monotonic() + 60
        while True:
            puts = [op for op in r.store.records("shared") if op.verb == "put"]
            if len(puts) == 10:
                break
            assert time.monotonic() < deadline, len(puts)
            assert not r.done
            r.wait(0.05)
            r.poll()
        assert {op.obj for op in puts} == {"Q"}
        r.stop(grace_s=0.5)
