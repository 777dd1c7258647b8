"""Shared objects — a Queue, a Lock, a Value — in the scenario file, in validation, and in
real runs: every item put is got once, in order; lost updates are counted and the
locked counter loses none; a lock is held by one process at a time; waits are BLOCKED
spans; the records survive a run file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from itertools import pairwise

import psutil
import pytest

from mpgui.model import edits
from mpgui.model.builtins import load_builtin
from mpgui.model.codegen import generate_code
from mpgui.model.fileformat import FORMAT_VERSION, ScenarioFileError, dump_scenario, parse_scenario
from mpgui.model.scenario import ProcessSpec, Scenario, Step
from mpgui.model.shared import SharedObject
from mpgui.model.validation import validate
from mpgui.runtime.output.runfile import load_run, save_run
from mpgui.runtime.output.summary import wall_seconds
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.protocol import State
from mpgui.runtime.session.plan import predict
from mpgui.runtime.store.deadlock import Deadlock
from mpgui.runtime.store.object_tracks import ObjectTracks
from mpgui.runtime.store.shared_events import waits_on
from mpgui.runtime.store.trace import TraceStore
from tests.helpers import (
    MPGUI,
    alive,
    env_without_display,
    helper_processes,
    script_env,
    until_a_deadlock,
    wait_until,
    worker_pids,
)
from tests.scenarios import make, spec

V1 = """format = 1
main = ["A.start()", "A.join()"]
[[process]]
var = "A"
name = "a"
workload = "sleep_loop"
params = { n = 1, interval = 0.0 }
"""


def run(scenario: Scenario, speed: float = 10.0, method: str = "forkserver") -> TraceStore:
    with Runner(scenario, speed=speed, start_method=method) as runner:
        runner.run()
    return runner.store


def lines_of(store: TraceStore) -> list[str]:
    return list(store.line_texts())


# -- the file ------------------------------------------------------------------------


def test_a_version_1_file_still_reads_and_is_written_as_the_current_version():
    scenario = parse_scenario(V1)
    assert scenario.objects == () and scenario.processes[0].uses == {}
    text = dump_scenario(scenario)
    assert f"format = {FORMAT_VERSION}" in text and parse_scenario(text) == scenario


def test_objects_and_uses_round_trip():
    scenario = load_builtin("producer-consumer")
    assert scenario.objects == (SharedObject("Q", "Queue"),)
    assert dict(scenario.processes[0].uses) == {"q": "Q"}
    bounded = replace(scenario, objects=(SharedObject("Q", "Queue", {"maxsize": 2}),))
    assert parse_scenario(dump_scenario(bounded)) == bounded


@pytest.mark.parametrize(("text", "says"), [
    ('[[object]]\nname = "Q"\nkind = "Tube"\n', "object[1].kind: unknown kind 'Tube'"),
    ('[[object]]\nname = "Q"\nkind = "Queue"\nparams = { size = 2 }\n',
     "object[1].params.size: unknown key"),
    ('[[object]]\nname = "Q"\nkind = "Queue"\nparams = { maxsize = 2.5 }\n',
     "expected a whole number"),
])
def test_a_bad_object_is_named(text, says):
    with pytest.raises(ScenarioFileError, match=r".*") as info:
        parse_scenario(V1.replace("format = 1", "format = 2") + text)
    assert says in str(info.value)


def test_version_1_has_no_objects():
    with pytest.raises(ScenarioFileError, match="object: unknown key"):
        parse_scenario(V1 + '[[object]]\nname = "Q"\nkind = "Queue"\n')


# -- validation ----------------------------------------------------------------------


def _pc(**changes) -> Scenario:
    return replace(load_builtin("producer-consumer"), **changes)


def _messages(scenario: Scenario) -> list[str]:
    return [p.text(scenario) for p in validate(scenario, cores=2)]


def test_validation_names_what_a_row_needs_and_what_is_wrong():
    scenario = _pc()
    assert validate(scenario, cores=2) == []
    no_uses = replace(scenario, processes=(replace(scenario.processes[0], uses={}),
                                           scenario.processes[1]))
    assert any("needs a Queue as q" in m for m in _messages(no_uses))
    missing = replace(scenario, objects=(SharedObject("R", "Queue"),))
    said = _messages(missing)
    assert any("no shared object named 'Q'" in m for m in said)
    assert any("no process uses R" in m for m in said)  # (a warning)
    wrong = replace(scenario, objects=(SharedObject("Q", "Lock"),))
    assert any("q must be a Queue, but Q is a Lock" in m for m in _messages(wrong))
    clash = replace(scenario, objects=(SharedObject("P", "Queue"), *scenario.objects))
    assert any("already a process's name" in m for m in _messages(clash))
    pool = replace(scenario, backend="pool")
    assert any("cannot be given Q as an argument" in m for m in _messages(pool))


def test_item_and_value_only_where_an_operation_sets_them():
    scenario = _pc()
    producer = replace(scenario.processes[0], message="P put {item}")
    said = _messages(replace(scenario, processes=(producer, scenario.processes[1])))
    assert any("uses {item}, which a producer never sets" in m for m in said)


# -- real runs -----------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_every_item_put_is_got_once_in_order(backend):
    scenario = replace(load_builtin("producer-consumer"), backend=backend)
    # (speed 4: the consumer waits unless it starts 0.5 s after the producer's last put
    # — more than a busy machine's start delays; at speed 20 it was 0.1 s)
    store = run(scenario, speed=4.0)
    ops = store.records("shared")
    puts = [op.item for op in ops if op.verb == "put"]
    gets = [op.item for op in ops if op.verb == "get"]
    assert len(puts) == 4 and len(set(puts)) == 4
    assert gets == puts  # one queue, one producer: first in, first out
    lines = lines_of(store)
    assert [line for line in lines if line.startswith("C got: ")] == \
        [f"C got: P put item {i}" for i in range(4)]
    # The consumer waited for the producer: a wait record, and BLOCKED time on its lane.
    consumer = next(ln.index for ln in store.lanes if ln.var == "C")
    assert waits_on(store)
    assert any(op.verb == "wait" and op.lane == consumer and op.item == "get" for op in ops)
    assert any(state == State.BLOCKED for _l, state, _c, _t0, _t1 in store.spans(consumer))


def test_a_full_queue_blocks_the_producer():
    scenario = load_builtin("producer-consumer")
    fast = replace(scenario.processes[0], params={"n": 6, "interval": 0.0})
    slow = ProcessSpec("C", "consumer", "consumer", {"n": 6}, "C got: {item}",
                       uses={"q": "Q"})
    bounded = replace(scenario, processes=(fast, slow),
                      objects=(SharedObject("Q", "Queue", {"maxsize": 1}),),
                      program=(Step("start", "P"), Step("sleep", seconds=2.0),
                               Step("start", "C"), Step("join", "P"), Step("join", "C")))
    store = run(bounded, speed=4.0)
    producer = next(ln.index for ln in store.lanes if ln.var == "P")
    waits = [op for op in store.records("shared") if op.verb == "wait" and op.lane == producer]
    assert waits and all(op.item == "put" for op in waits)


def test_lost_updates_are_counted_and_the_lock_loses_none():
    for name, locked in (("lost-updates", False), ("lock-fixes-it", True)):
        scenario = load_builtin(name)
        small = replace(scenario, processes=tuple(
            replace(p, params={"n": 5000}) if p.workload != "reader" else p
            for p in scenario.processes))
        store = run(small)
        total = {t.name: t for t in ObjectTracks().sync(store)}["total"]
        made, final = total.updates, total.final
        assert made == 10_000 and total.lost == made - final
        assert f"R: the total is {final}" in lines_of(store)
        if locked:
            assert final == 10_000
        else:
            assert final <= 10_000  # (how many are lost depends on the machine)


def test_a_counter_adds_by_k_and_its_lane_expects_k_per_update():
    # value += 3 with the lock (exact) and += 5 without: the lane's "without lost
    # updates" counts what each update meant to add, not one per update.
    for name, by in (("lock-fixes-it", 3), ("lost-updates", 5)):
        scenario = load_builtin(name)
        small = replace(scenario, processes=tuple(
            replace(p, params={"n": 2000, "by": by}) if p.workload != "reader" else p
            for p in scenario.processes))
        store = run(small)
        total = {t.name: t for t in ObjectTracks().sync(store)}["total"]
        assert total.updates == 4000 and total.expected == 4000 * by
        assert total.lost == total.expected - total.final and total.lost % by == 0
        assert f"R: the total is {total.final}" in lines_of(store)
        assert f"A added {by}, 2000 times" in lines_of(store)  # (the message's {by})
        assert all(op.by == by for op in store.records("shared") if op.verb == "rw")
        if name == "lock-fixes-it":
            assert total.final == 4000 * by and not total.collisions


def test_by_is_a_counter_s_placeholder_only():
    scenario = load_builtin("lost-updates")
    reader = next(i for i, p in enumerate(scenario.processes) if p.workload == "reader")
    wrong = edits.set_process_field(scenario, reader, "message", "R adds {by}")
    assert [p.message for p in validate(wrong)] == [
        "uses {by}, but a read a value adds nothing to a value (a counter does)"]
    code = generate_code(scenario)
    assert 'print(f"A added {by}, {n} times", flush=True)' in code


def test_a_consumer_that_gives_up_goes_on_without_the_item_and_is_no_deadlock(tmp_path):
    # Nobody puts: each get(timeout=0.4) gives up — a wait longer than it takes to name
    # a deadlock, while the main program joins: it ends by itself, so it is none. The
    # script prints the same, the prediction waits as long.
    alone = Scenario(
        processes=(ProcessSpec("C", "consumer", "impatient_consumer",
                               {"n": 3, "timeout": 0.4}, "C got: {item}", uses={"q": "Q"}),),
        program=(Step("start", "C"), Step("join", "C")),
        objects=(SharedObject("Q", "Queue"),))
    assert validate(alone) == []
    with Runner(alone, speed=1.0, start_method="forkserver") as runner:
        until_a_deadlock(runner)
        while not runner.done:
            runner.wait(0.05)
            runner.poll()
    assert runner.deadlock is None
    store = runner.store
    assert lines_of(store) == ["C got: None"] * 3
    ops = [(op.verb, op.item, op.value) for op in store.records("shared")]
    assert ops == [("wait", "get", 400), ("gaveup", "get", None)] * 3
    lane = next(ln.index for ln in store.lanes if ln.var == "C")
    blocked = [(t1 - t0) / 1e9 for _l, st, _c, t0, t1 in store.spans(lane)
               if st == State.BLOCKED]
    assert len(blocked) == 3 and all(b >= 0.39 for b in blocked)
    script = tmp_path / "alone.py"
    script.write_text(generate_code(alone))
    assert "except queue.Empty:" in script.read_text()
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=60, cwd=tmp_path, env=script_env())
    assert plain.stdout.splitlines() == ["C got: None"] * 3
    assert 1.15 < wall_seconds(predict(alone, cores=2)) < 1.25


def test_a_consumer_that_gives_up_takes_what_comes_in_time():
    scenario = load_builtin("producer-consumer")
    producer = replace(scenario.processes[0], params={"n": 3, "interval": 0.0})
    consumer = ProcessSpec("C", "consumer", "impatient_consumer", {"n": 3, "timeout": 5.0},
                           "C got: {item}", uses={"q": "Q"})
    store = run(replace(scenario, processes=(producer, consumer)), speed=1.0)
    got = [line for line in lines_of(store) if line.startswith("C got")]
    assert len(got) == 3 and "C got: None" not in got
    assert not [op for op in store.records("shared") if op.verb == "gaveup"]


def test_a_lock_is_held_by_one_process_at_a_time():
    store = run(load_builtin("lock-convoy"), speed=20.0)
    held: list[tuple[int, int, int]] = []
    taken: dict[int, int] = {}
    for op in store.records("shared"):
        if op.verb == "acquire":
            taken[op.lane] = op.t
        elif op.verb == "release":
            held.append((taken.pop(op.lane), op.t, op.lane))
    assert len(held) == 6
    held.sort()
    assert all(a_end <= b_start for (_s, a_end, _l), (b_start, _e, _m) in pairwise(held))
    assert Counter(lane for _s, _e, lane in held) == Counter({1: 2, 2: 2, 3: 2})


def test_the_records_survive_a_run_file(tmp_path):
    scenario = load_builtin("producer-consumer")
    store = run(scenario, speed=20.0)
    path = tmp_path / "run.mpgrun"
    save_run(path, scenario, store, {})
    loaded_scenario, loaded, _meta = load_run(path)
    assert loaded_scenario == scenario
    assert loaded.records("shared") == store.records("shared")


# -- edits ---------------------------------------------------------------------------


def test_choosing_a_workload_that_needs_an_object_gives_it_one():
    from mpgui.model import edits

    scenario = load_builtin("seed")
    made = edits.set_process_field(scenario, 0, "workload", "producer")
    assert [(o.name, o.kind) for o in made.objects] == [("Q", "Queue")]
    assert dict(made.processes[0].uses) == {"q": "Q"}
    # A second row takes the same queue; a lock holder gets a new Lock.
    both = edits.set_process_field(made, 1, "workload", "consumer")
    assert len(both.objects) == 1 and dict(both.processes[1].uses) == {"q": "Q"}
    holder = edits.set_process_field(both, 2, "workload", "lock_holder")
    assert [o.name for o in holder.objects] == ["Q", "L"]
    # Back to a sleep loop: an object only that row used goes; a shared one stays.
    back = edits.set_process_field(holder, 2, "workload", "sleep_loop")
    assert [o.name for o in back.objects] == ["Q"] and back.processes[2].uses == {}
    assert [o.name for o in edits.set_process_field(back, 0, "workload", "sleep_loop")
            .objects] == ["Q"]  # (the consumer still uses it)


def test_renaming_an_object_renames_it_where_it_is_used():
    from mpgui.model import edits

    scenario = load_builtin("producer-consumer")
    renamed = edits.set_object_field(scenario, 0, "name", "jobs")
    assert renamed.objects[0].name == "jobs"
    assert all(dict(p.uses) == {"q": "jobs"} for p in renamed.processes)
    assert validate(renamed, cores=2) == []
    bounded = edits.set_object_field(renamed, 0, "maxsize", 3)
    assert bounded.objects[0].param("maxsize") == 3
    as_lock = edits.set_object_field(bounded, 0, "kind", "Lock")
    assert as_lock.objects[0].params == {}  # a Lock has no maxsize
    added = edits.add_object(scenario, "Queue")
    assert [o.name for o in added.objects] == ["Q", "Q2"]
    assert edits.remove_object(added, 0).objects == (SharedObject("Q2", "Queue"),)


# -- deadlocks -----------------------------------------------------------------------


def test_a_deadlock_is_named_within_a_second_of_forming():
    scenario = load_builtin("deadlock")
    with Runner(scenario, speed=1.0, start_method="forkserver") as runner:
        until_a_deadlock(runner)
        found_at = time.perf_counter_ns()
        deadlock = runner.deadlock
        assert deadlock is not None
        assert deadlock.sentence(runner.store) == \
            "Deadlock: A holds L1 and waits for L2; B holds L2 and waits for L1"
        assert (found_at - deadlock.t) / 1e9 < 1.0  # (t: when the cycle closed)
        runner.stop()
    assert runner.status.value == "stopped"


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_processes_that_all_wait_while_the_main_program_joins_are_a_deadlock(backend):
    # No cycle: a barrier of 3 parties that only 2 processes use. Both wait there, the
    # main program waits in A.join(): nothing is left to wake anyone.
    scenario = load_builtin("barrier-phases")
    short = replace(scenario, backend=backend, processes=scenario.processes[:2],
                    program=(Step("start", "A"), Step("start", "B"), Step("join", "A"),
                             Step("join", "B")))
    with Runner(short, speed=4.0, start_method="forkserver") as runner:
        until_a_deadlock(runner)
        found_at = time.perf_counter_ns()
        deadlock = runner.deadlock
        assert deadlock is not None
        assert deadlock.sentence(runner.store) == "Deadlock: A waits in wait() on phase; " \
            "B waits in wait() on phase, and the main program in A.join()"
        assert "no one is left to wake any" in deadlock.why
        assert (found_at - deadlock.t) / 1e9 < 1.0  # (t: when the last wait began)
        runner.stop()
    assert runner.status.value == "stopped"


@pytest.mark.parametrize("name", ["lock-order", "lock-convoy", "lock-fixes-it",
                                  "producer-consumer", "starting-gun", "barrier-phases"])
def test_long_waits_that_end_are_no_deadlock(name):
    with Runner(load_builtin(name), speed=4.0, start_method="forkserver") as runner:
        runner.run()
    assert runner.deadlock is None and runner.status.value == "finished"


def test_the_command_line_stops_a_deadlock_with_its_own_exit_code():
    run = subprocess.run([*MPGUI, "run", "deadlock", "--speed", "1", "--quiet"],
                         capture_output=True, text=True, timeout=60, env=env_without_display())
    assert run.returncode == 3
    assert "mpgui: Deadlock: A holds L1 and waits for L2; B holds L2 and waits for L1; " \
        "stopping the run" in run.stderr


def test_a_line_printed_outside_a_loop_has_no_iteration():
    scenario = load_builtin("lost-updates")
    reader = replace(scenario.processes[2], message="R {i}: {n} {value}")
    said = _messages(replace(scenario, processes=(*scenario.processes[:2], reader)))
    assert any("uses {i}, but a read a value prints once" in m for m in said)
    assert any("uses {n}, but a read a value has no number of iterations" in m for m in said)


def test_the_script_joins_its_processes_while_the_objects_exist():
    from mpgui.model.codegen import generate_code

    scenario = load_builtin("lost-updates")
    unjoined = replace(scenario, program=tuple(s for s in scenario.program
                                               if s.action == "start"))
    code = generate_code(unjoined)
    tail = code.split("Python removes the objects before it joins the processes.\n")[1]
    assert tail.split() == ["A.join()", "B.join()", "R.join()"]
    assert "Python removes the objects" not in generate_code(scenario)  # all joined


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_an_event_holds_every_waiter_until_it_is_set(backend):
    scenario = replace(load_builtin("starting-gun"), backend=backend)
    # (speed 2: the starter sleeps 0.5 s before it sets go, so the runners, started
    # before it, are waiting by then even on a busy machine)
    store = run(scenario, speed=2.0)
    ops = store.records("shared")
    set_at = next(op.t for op in ops if op.verb == "set")
    for var in ("A", "B"):
        lane = next(ln.index for ln in store.lanes if ln.var == var)
        # It waited (a wait record, a BLOCKED span), and went on only once go was set.
        assert any(op.verb == "wait" and op.lane == lane and op.item == "wait" for op in ops)
        waited = next(op.t for op in ops if op.verb == "waited" and op.lane == lane)
        assert waited >= set_at
        spans = list(store.spans(lane))
        assert any(state == State.BLOCKED for _l, state, _c, _t0, _t1 in spans)
        # Blocked until the set, not before, and woken soon after (a busy machine, or
        # the GIL for threads, can take some ms to run it again).
        ends = [t1 for _l, state, _c, _t0, t1 in spans if state == State.BLOCKED]
        assert all(set_at <= t1 <= set_at + 200_000_000 for t1 in ends)
    lines = lines_of(store)
    assert lines.index("S: go!") < lines.index("A: lap 0")


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_a_barrier_lets_no_one_on_until_every_party_arrived(backend):
    store = run(replace(load_builtin("barrier-phases"), backend=backend), speed=10.0)
    ops = store.records("shared")
    arrivals = sorted(op.t for op in ops if op.verb == "arrive")
    passes = sorted(op.t for op in ops if op.verb == "passed")
    assert len(arrivals) == len(passes) == 9  # three processes, three phases
    for phase in range(3):  # each phase's passes come after its last arrival
        last = arrivals[3 * phase + 2]
        assert all(t >= last for t in passes[3 * phase:3 * phase + 3])
    # The quick ones waited (BLOCKED) for the slow one.
    quick = next(ln.index for ln in store.lanes if ln.var == "A")
    assert any(state == State.BLOCKED for _l, state, _c, _t0, _t1 in store.spans(quick))


def test_a_barrier_for_more_parties_than_its_processes_is_a_warning():
    scenario = load_builtin("barrier-phases")
    assert not [p for p in validate(scenario) if p.section == "object"]
    four = replace(scenario, objects=(SharedObject("phase", "Barrier", {"parties": 4}),))
    problems = [p for p in validate(four) if p.section == "object"]
    assert [(p.severity, p.field) for p in problems] == [("warning", "parties")]
    assert "waits for 4 parties, but only 3 processes use phase" in problems[0].message


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_a_joinable_queues_join_waits_for_the_last_task_done(backend):
    store = run(replace(load_builtin("joinable-queue"), backend=backend), speed=10.0)
    ops = store.records("shared")
    dones = [op.t for op in ops if op.verb == "done"]
    assert len(dones) == 4 and sum(op.verb == "get" for op in ops) == 4
    joined = next(op.t for op in ops if op.verb == "joined")
    assert joined >= max(dones)  # not before the last task_done()
    dispatcher = next(ln.index for ln in store.lanes if ln.var == "D")
    assert any(op.verb == "wait" and op.item == "join" and op.lane == dispatcher for op in ops)
    blocked = [t1 - t0 for _l, state, _c, t0, t1 in store.spans(dispatcher)
               if state == State.BLOCKED]
    assert blocked and max(blocked) > 50_000_000  # (0.1 s of work at speed 10, waited for)


def test_a_joinable_queue_can_feed_a_plain_consumer():
    # A JoinableQueue is a Queue too: a consumer's role takes it, the table offers it.
    scenario = load_builtin("producer-consumer")
    joinable = replace(scenario, objects=(SharedObject("Q", "JoinableQueue"),))
    assert not [p for p in validate(joinable) if p.severity == "error"]
    again = edits.set_process_field(joinable, 1, "workload", "consumer")
    assert again.objects == joinable.objects and again.processes[1].uses == {"q": "Q"}
    # A task worker needs the JoinableQueue itself: a plain Queue does not do.
    plain = edits.set_process_field(scenario, 1, "workload", "task_worker")
    assert [o.kind for o in plain.objects] == ["Queue", "JoinableQueue"]


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_an_rlock_may_be_taken_again_by_its_holder(backend):
    # two_locks with one RLock in both roles: the holder takes it again, and goes on.
    scenario = load_builtin("lock-order")
    one = replace(scenario, backend=backend,
                  objects=(SharedObject("R", "RLock"),),
                  processes=tuple(replace(p, uses={"first": "R", "second": "R"})
                                  for p in scenario.processes))
    assert not [p for p in validate(one) if p.severity == "error"]
    store = run(one, speed=10.0)
    assert len([op for op in store.records("shared") if op.verb == "acquire"]) == 4
    lane = ObjectTracks().sync(store)[0]  # held from the first acquire to the last release
    assert lane.kind == "lock" and len([x for x in lane.level if x != -1]) == 2
    # The same Lock twice is refused: its second acquire() would wait for itself.
    locks = replace(one, objects=(SharedObject("R", "Lock"),))
    assert any("taking the same Lock twice" in p.message for p in validate(locks))


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_a_semaphore_lets_in_as_many_as_it_has_places(backend):
    # (speed 4: each keeps its place 0.125 s, so four started at once find the two places
    # taken even when a busy machine starts them some tens of ms apart)
    store = run(replace(load_builtin("semaphore-places"), backend=backend), speed=4.0)
    ops = store.records("shared")
    changes = sorted((op.t, 1 if op.verb == "enter" else -1) for op in ops
                     if op.verb in ("enter", "leave"))
    assert len(changes) == 16  # four processes, in and out twice each
    inside = [sum(d for _t, d in changes[:k + 1]) for k in range(len(changes))]
    assert max(inside) == 2 and inside[-1] == 0  # never more than its 2 places
    places = {t.name: t for t in ObjectTracks().sync(store)}["places"]
    assert places.kind == "semaphore" and places.peak == 2
    assert any(op.verb == "wait" and op.item == "acquire" for op in ops)  # some waited


def test_a_deadlock_is_kept_with_its_run(tmp_path):
    scenario = load_builtin("deadlock")
    with Runner(scenario, speed=1.0, start_method="forkserver") as runner:
        until_a_deadlock(runner)
        runner.stop()
    path = tmp_path / "deadlock.mpgrun"
    save_run(path, scenario, runner.store, {})
    _scenario, loaded, _meta = load_run(path)
    assert Deadlock.from_info(loaded.info["deadlock"]) == runner.deadlock
    # What a run file says is read with care: anything else is no deadlock.
    for bad in ("", "x", "1|2|3", "1||a,b", "1||-1,L,L2,acquire;", "1||1,,L,acquire,x",
                None, 5):
        assert Deadlock.from_info(bad) is None, bad
    # A file from before the holders were kept: four fields a member, read the same.
    assert Deadlock.from_info("7|A|1,,Q,get") == Deadlock(((1, "", "Q"),), 7, ("get",), "A")
    held = Deadlock(((1, "", "L"), (2, "", "Q")), 7, ("acquire", "get"), "", (2, -1))
    assert Deadlock.from_info(held.to_info()) == held


# -- pipes -----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_a_pipe_carries_each_message_to_the_other_end_in_turn(backend):
    with Runner(replace(load_builtin("pipe-ping-pong"), backend=backend), speed=10.0,
                start_method="forkserver") as runner:
        runner.run()
    assert runner.deadlock is None and runner.status.value == "finished"
    store = runner.store
    ops = store.records("shared")
    sends = [op.item for op in ops if op.verb == "send"]
    recvs = [op.item for op in ops if op.verb == "recv"]
    assert len(sends) == 8 and sorted(sends) == sorted(recvs)  # every message got once
    # In the order they were printed (two children's batches arrive in any order).
    assert [text for _t, _lane, text in store.lines_since(0)] == \
        [line for i in range(4) for line in (f"B got: ping {i}", f"A got back: pong {i}")]
    # One message on its way at a time: the pipe's lane never goes over 1.
    pipe = {t.name: t for t in ObjectTracks().sync(store)}["P"]
    assert pipe.kind == "pipe" and pipe.peak == 1 and pipe.final == 0
    # A waited for each answer in recv() while B thought.
    pinger = next(ln.index for ln in store.lanes if ln.var == "A")
    assert any(op.verb == "wait" and op.lane == pinger and op.item == "recv" for op in ops)


def test_a_one_way_pipe_sends_one_way_only():
    scenario = load_builtin("pipe-ping-pong")
    one_way = replace(scenario, objects=(SharedObject("P", "Pipe", {"duplex": 0}),))
    said = _messages(one_way)
    assert any("sends on P[0], but P is one-way (duplex 0): P[0] only receives and P[1] "
               "only sends; set its duplex to 1" in m for m in said)
    # A sender at P[1] and a receiver at P[0] are what a one-way pipe is for.
    rows = (ProcessSpec("S", "s", "sender", {"n": 3, "interval": 0.0}, "S sent {i}",
                        uses={"pipe": "P"}),
            ProcessSpec("R", "r", "receiver", {"n": 3}, "R got: {item}", uses={"pipe": "P"}))
    fitting = replace(one_way, processes=rows,
                      program=(Step("start", "S"), Step("start", "R"), Step("join", "S"),
                               Step("join", "R")))
    assert not [p for p in validate(fitting) if p.severity == "error"]
    assert "P = multiprocessing.Pipe(duplex=False)" in generate_code(fitting)
    got = [line for line in lines_of(run(fitting)) if line.startswith("R got: ")]
    assert got == [f"R got: S sent {i}" for i in range(3)]


def test_two_readers_at_one_end_of_a_pipe_are_warned_of():
    scenario = load_builtin("pipe-ping-pong")
    a, b = scenario.processes
    second = replace(a, var="A2", name="another pinger")
    crowded = replace(scenario, processes=(a, b, second),
                      program=(*scenario.program, Step("start", "A2"), Step("join", "A2")))
    problems = [p for p in validate(crowded) if p.section == "object"]
    assert [(p.severity, p.text(crowded)) for p in problems] == [(
        "warning", "shared object P (object 1), name: several processes receive from "
        "P[0]: one end of a pipe is for "
        "one process at a time — messages may be garbled; give each pair of processes a "
        "pipe of its own")]
    assert not [p for p in validate(scenario) if p.section == "object"]


# -- a queue's items keep their process alive ------------------------------------------


def test_joining_a_process_whose_items_nobody_took_is_a_deadlock():
    # P's 3000 results fill the queue's pipe: it cannot end until they are taken, and
    # the main program joins it before starting C, which would take them.
    with Runner(load_builtin("drain-before-join"), speed=4.0,
                start_method="forkserver") as runner:
        until_a_deadlock(runner)
        deadlock = runner.deadlock
        assert deadlock is not None
        assert deadlock.sentence(runner.store) == \
            "Deadlock: P waits in join_thread() on Q, and the main program in P.join()"
        runner.stop()
    assert lines_of(runner.store) == ["P has put all its 3000 results"]


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_draining_the_queue_before_join_ends_every_process(backend):
    scenario = load_builtin("drain-before-join")
    drained = replace(scenario, backend=backend, program=(
        Step("start", "P"), Step("start", "C"), Step("join", "P"), Step("join", "C")))
    with Runner(drained, speed=4.0, start_method="forkserver") as runner:
        runner.run()
    assert runner.deadlock is None and runner.status.value == "finished"
    assert sorted(lines_of(runner.store)) == [
        "C took 3000 results; the last: result 2999 of producer",
        "P has put all its 3000 results"]
    # Threads have no pipe to fill: joining first is no deadlock there.
    if backend == "threads":
        with Runner(replace(scenario, backend=backend), speed=4.0) as runner:
            runner.run()
        assert runner.deadlock is None and runner.status.value == "finished"


# -- Manager dicts and lists -------------------------------------------------------------


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_workers_fill_a_manager_dict_that_a_later_process_sees(backend):
    before = set(psutil.Process().children(recursive=True))
    scenario = replace(load_builtin("manager-dict"), backend=backend)
    with Runner(scenario, speed=4.0, start_method="forkserver") as runner:
        runner.run()
    store = runner.store
    assert runner.status.value == "finished"
    assert lines_of(store)[-1] == "R sees {'A': 'A is done', 'B': 'B is done', " \
        "'C': 'C is done'}"
    results = {t.name: t for t in ObjectTracks().sync(store)}["results"]
    assert results.kind == "dict" and results.level == [1, 2, 3]
    assert sorted(op.item for op in store.records("shared") if op.verb == "store") == \
        ["A", "B", "C"]
    # The manager's server process ended with the run.
    wait_until(lambda: not alive([p.pid for p in set(psutil.Process().children(
        recursive=True)) - before if p.pid not in helper_processes()]), 10, "the manager ends")


def test_a_manager_list_collects_what_every_process_appends():
    rows = (ProcessSpec("A", "a", "append_result", {"n": 3, "compute": 0.0}, "A{i}",
                        uses={"l": "LS"}),
            ProcessSpec("B", "b", "append_result", {"n": 2, "compute": 0.0}, "B{i}",
                        uses={"l": "LS"}),
            ProcessSpec("R", "r", "show_list", {}, "R sees {contents}", uses={"l": "LS"}))
    scenario = Scenario(processes=rows, objects=(SharedObject("LS", "Manager.list"),),
                        program=(Step("start", "A"), Step("start", "B"), Step("join", "A"),
                                 Step("join", "B"), Step("start", "R"), Step("join", "R")))
    assert not [p for p in validate(scenario) if p.severity == "error"]
    assert "    LS = manager.list()" in generate_code(scenario)
    store = run(scenario)
    assert lines_of(store)[-1] == "R sees ['A0', 'A1', 'A2', 'B0', 'B1']"
    assert {t.name: t for t in ObjectTracks().sync(store)}["LS"].final == 5


def test_a_killed_mpgui_leaves_no_manager_behind():
    proc = subprocess.Popen([*MPGUI, "run", "manager-dict", "--speed", "0.25", "--quiet"],
                            stdout=subprocess.PIPE, text=True, env=env_without_display())
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "C is done\n"  # the run is under way
        family = worker_pids(proc.pid)
        assert len(family) >= 3  # the manager's server and the two workers still at work
        proc.kill()
        proc.wait(10)
        wait_until(lambda: not alive(family), 10, "every process of the run ends")
    finally:
        proc.kill()
        proc.communicate()


def test_a_pools_tasks_can_share_a_managers_dict_and_nothing_else():
    scenario = replace(load_builtin("manager-dict"), backend="pool")
    assert not [p for p in validate(scenario) if p.severity == "error"]
    with Runner(scenario, speed=4.0, start_method="forkserver") as runner:
        runner.run()
    assert runner.status.value == "finished"
    # {name} is the pool worker's name: the tasks a worker ran share one key.
    seen = lines_of(runner.store)[-1]
    assert seen.startswith("R sees {'ForkServerPoolWorker-") and "is done'}" in seen
    assert runner.backend.manager is None  # shut down with the run
    queue = replace(load_builtin("producer-consumer"), backend="pool")
    assert [p.text(queue) for p in validate(queue) if p.severity == "error"] == [
        "scenario, backend: a pool's tasks cannot be given Q as an argument (multiprocessing "
        "refuses to pickle a queue, pipe, lock, value, event or barrier for a task): a "
        "Manager's dict or list can be given; or run the rows as processes or threads"]


# -- conditions and arrays -------------------------------------------------------------


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_a_condition_wakes_those_waiting_when_it_is_notified(backend):
    store = run(replace(load_builtin("condition-wakeup"), backend=backend), speed=1.0)
    lines = lines_of(store)
    assert sorted(lines) == sorted([f"N: wake up, everyone ({i})" for i in range(4)]
                                   + [f"W{w} woke up ({i})" for w in (1, 2) for i in range(2)])
    cond = {t.name: t for t in ObjectTracks().sync(store)}["cond"]
    assert cond.kind == "condition" and cond.final == 0 and 1 <= cond.peak <= 2
    ops = store.records("shared")
    assert sum(op.verb == "notify" for op in ops) == 4
    assert sum(op.verb == "woken" for op in ops) == 4  # each waiter, twice
    # Nobody is woken before a notify_all() (a wait ends at a notification).
    first_notify = min(op.t for op in ops if op.verb == "notify")
    assert all(op.t >= first_notify for op in ops if op.verb == "woken")


def test_a_waiter_that_nobody_notifies_is_a_deadlock_named():
    scenario = load_builtin("condition-wakeup")
    alone = replace(scenario, processes=scenario.processes[1:2],
                    program=(Step("start", "W1"), Step("join", "W1")))
    with Runner(alone, speed=4.0, start_method="forkserver") as runner:
        until_a_deadlock(runner)
        assert runner.deadlock is not None
        assert runner.deadlock.sentence(runner.store) == \
            "Deadlock: W1 waits in wait() on cond, and the main program in W1.join()"
        runner.stop()


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_processes_fill_their_own_cells_of_one_array(backend):
    store = run(replace(load_builtin("array-cells"), backend=backend), speed=4.0)
    assert lines_of(store)[-1] == "R sees [0, 1, 4, 9, 16, 25, 36, 49, 64]"
    squares = {t.name: t for t in ObjectTracks().sync(store)}["squares"]
    assert squares.kind == "array" and squares.final == 9


def test_cells_beyond_the_array_are_refused():
    scenario = load_builtin("array-cells")
    small = replace(scenario, objects=(SharedObject("squares", "Array", {"size": 8}),))
    assert "writes cells 6 to 8, but squares has 8 (0 to 7): make it bigger, or start " \
        "lower" in " ".join(_messages(small))
    assert not [p for p in validate(scenario) if p.severity == "error"]


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_an_event_cleared_holds_the_next_waiters_again(backend):
    gun = load_builtin("starting-gun")
    starter = next(p for p in gun.processes if p.workload == "starter")
    gate = replace(starter, workload="gatekeeper", params={"n": 2, "interval": 0.2},
                   message="gate open ({i})")
    scenario = replace(gun, backend=backend, processes=tuple(
        gate if p is starter else p for p in gun.processes))
    store = run(scenario, speed=2.0)
    event = {t.name: t for t in ObjectTracks().sync(store)}[starter.uses["event"]]
    assert event.kind == "event" and event.level == [1, 0, 1, 0]  # set, cleared, twice
    assert "        event.clear()" in generate_code(scenario)  # (the role's parameter)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two CPUs it may move a process between")
@pytest.mark.parametrize("loop", ["counter", "flood", "putter"])
def test_a_tight_loop_moved_to_another_core_is_drawn_there(loop):
    # A loop of quick calls (a counter's updates; a producer putting results as fast as it
    # can) never sleeps or computes, where cores are otherwise looked at: moved to another
    # core (here by the parent, with its affinity), its lane must say so — not show it on
    # its first core to the end, beside whatever really runs there.
    if loop == "counter":
        scenario = load_builtin("lost-updates")
        one = replace(scenario, processes=tuple(
            replace(p, params={"n": 100_000}) for p in scenario.processes[:1]),
            program=(Step("start", scenario.processes[0].var),
                     Step("join", scenario.processes[0].var)))
        var = "A"
    elif loop == "flood":  # 2,000,000 lines printed as fast as it can
        one = make(spec("P", "flood", n=2_000_000), program="P.start();P.join()")
        var = "P"
    else:  # P puts 200,000 items on an unbounded queue (put() never waits); C takes them
        scenario = load_builtin("drain-the-queue")
        one = replace(scenario, processes=(
            replace(scenario.processes[0], workload="steps", params={"n": 10_000},
                    steps="; ".join(["put Q"] * 20), uses={"Q": "Q"}),
            replace(scenario.processes[1], workload="steps", params={"n": 10_000},
                    steps="; ".join(["get Q"] * 20), uses={"Q": "Q"})),
            program=tuple(Step.parse(s) for s in
                          ("P.start()", "C.start()", "C.join()", "P.join()")))
        var = "P"
    moved: list[int] = []
    began = time.monotonic()
    with Runner(one, start_method="forkserver") as r:
        lane = r.store.lanes[r.lane_of(var)]

        def move() -> None:
            if moved or lane.pid is None or lane.core < 0:
                return
            moved.append(next(c for c in sorted(os.sched_getaffinity(0)) if c != lane.core))
            os.sched_setaffinity(lane.pid, {moved[0]})

        def stop_if_long() -> None:
            move()
            if time.monotonic() - began > 60:
                r.request_stop()

        r.run(stop_if_long)
    assert moved and lane.exit_code == 0
    assert moved[0] in lane.cores and lane.migrations >= 1
    assert lane.core == moved[0]  # (where it ended)
