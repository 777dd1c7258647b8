"""The predicted schedule: start/join order, sleeps, fair sharing of the cores."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from mpgui.model.builtins import builtin_names, load_builtin
from mpgui.model.validation import validate
from mpgui.runtime.output.summary import PARTIAL_INFO, versus_prediction
from mpgui.runtime.protocol import State
from mpgui.runtime.session.plan import predict
from tests.scenarios import too_long_to_predict


def ends(store) -> dict[str, tuple[float, float, int]]:
    return {ln.var: (round(store.seconds(ln.start_call_t), 6), round(store.seconds(ln.end_t), 6),
                     ln.exit_code) for ln in store.lanes if ln.kind == "process"}


def test_the_seed_is_predicted_as_the_tutorial_describes():
    assert ends(predict(load_builtin("seed"), cores=2)) == {
        "A": (0.0, 4.0, 0), "B": (0.0, 3.0, 0), "C": (0.0, 8.0, 0), "D": (8.0, 12.5, 0)}


def test_cpu_bound_processes_share_the_cores_fairly():
    # 1, 2, 3, 4 rounds of 0.4 s on 2 cores: shares 1/2, then 2/3, then 1, then 1.
    assert {k: v[1] for k, v in ends(predict(load_builtin("uneven"), cores=2)).items()} == \
        {"A": 0.8, "B": 1.4, "C": 1.8, "D": 2.2}
    wide = ends(predict(load_builtin("uneven"), cores=4))
    assert [v[1] for v in wide.values()] == [0.4, 0.8, 1.2, 1.6]  # a core each
    shared = predict(load_builtin("oversubscribed"), cores=2)
    assert {st for _l, st, *_ in shared.spans() if _l > 0} == {State.PREEMPTED}


def test_daemons_terminated_and_exit_codes_predicted():
    assert ends(predict(load_builtin("daemon"), cores=2))["D"][2] == -15
    codes = {k: v[2] for k, v in ends(predict(load_builtin("exit-codes"), cores=2)).items()}
    assert codes == {"OK": 0, "Exit": 3, "Crash": 1, "Stop": -15}


def test_join_timeouts_and_speed():
    s = predict(load_builtin("join-timeout"), cores=2, speed=10)
    (b_join, a_timeout, a_join) = s.joins
    assert not b_join.timed_out and round(s.seconds(b_join.t_return), 6) == 0.05
    assert a_timeout.timed_out and round(s.seconds(a_timeout.t_return), 6) == 0.15
    assert round(s.seconds(a_join.t_return), 6) == 0.3


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_can_be_predicted(name):
    store = predict(load_builtin(name), cores=8)
    # (every lane started ends, but one predicted blocked for ever; one a deadlocked main
    # program never starts does not)
    assert store.t_end is not None and all(
        ln.end_t is not None for ln in store.lanes if ln.kind == "main" or (
            ln.start_call_t is not None and ln.state != State.BLOCKED))


def test_a_prediction_too_long_to_compute_stops_early_and_says_so():
    scenario = too_long_to_predict()
    assert [p for p in validate(scenario) if p.severity == "error"] == []
    cpu = time.thread_time()
    store = predict(scenario, cores=2)
    assert time.thread_time() - cpu < 1.5  # (CPU time: a busy machine does not count)
    until = store.info[PARTIAL_INFO]
    assert 0 < until < 10 * 1e9 and store.t_end == store.t0 + until
    processes = [ln for ln in store.lanes if ln.kind == "process"]
    assert len(processes) == 256 and all(ln.end_t is None for ln in processes)  # no exit
    assert versus_prediction(store, store).startswith("predicted only its first")


@pytest.mark.parametrize("cores", [1, 2, 8])
def test_no_builtin_is_too_long_to_predict(cores):
    assert [name for name in builtin_names()
            if PARTIAL_INFO in predict(load_builtin(name), cores=cores).info] == []


# -- shared objects: the waits they impose ----------------------------------------------


def blocked(store, var: str) -> list[tuple[float, float]]:
    """The lane's predicted BLOCKED spans, in seconds."""
    lane = next(ln.index for ln in store.lanes if ln.var == var)
    return [(round(t0 / 1e9, 3), round(t1 / 1e9, 3)) for _l, state, _c, t0, t1
            in store.spans(lane) if state == State.BLOCKED]


def test_a_lock_makes_its_holders_take_turns():
    store = predict(load_builtin("lock-convoy"), cores=2)
    assert blocked(store, "A") == []
    assert blocked(store, "B") == [(0.0, 1.0)]  # until A releases L
    assert blocked(store, "C") == [(0.0, 2.0)]  # until B does
    assert round(store.t_end / 1e9, 3) == 3.0


def test_a_consumer_waits_for_each_item_of_its_producer():
    store = predict(load_builtin("producer-consumer"), cores=2)
    producer = load_builtin("producer-consumer").processes[0]
    n, interval = producer.params["n"], producer.params["interval"]
    assert blocked(store, "P") == []
    # (blocked for each item in turn: one span, since each item is got the moment it
    # is put, and the next wait begins at once)
    assert blocked(store, "C") == [(0.0, round(n * interval, 3))]


@pytest.mark.parametrize("name", ["deadlock", "dining-philosophers"])
def test_a_deadlock_is_predicted_as_processes_blocked_to_the_end(name):
    store = predict(load_builtin(name), cores=2)
    rows = [p.var for p in load_builtin(name).processes]
    for var in rows:
        spans = blocked(store, var)
        assert spans and spans[-1][1] == round(store.t_end / 1e9, 3)  # to the end
        assert spans[-1][1] > spans[-1][0]  # and drawn long enough to be seen
        lane = next(ln for ln in store.lanes if ln.var == var)
        assert lane.end_t is None  # never ended: no end drawn


def test_a_process_whose_items_nobody_takes_waits_at_its_end():
    scenario = load_builtin("drain-before-join")
    store = predict(scenario, cores=2)
    assert blocked(store, "P") and blocked(store, "P")[-1][1] == round(store.t_end / 1e9, 3)
    collector = next(ln for ln in store.lanes if ln.var == "C")
    assert collector.start_call_t is None  # never started: the main program waits for P
    # With threads, there is no pipe to fill: P ends, and C takes the results.
    threads = predict(replace(scenario, backend="threads"), cores=2)
    assert blocked(threads, "P") == []
    assert all(ln.end_t is not None for ln in threads.lanes)


def test_a_barrier_phase_lasts_as_long_as_its_slowest_party():
    scenario = load_builtin("barrier-phases")
    store = predict(scenario, cores=2)
    slowest = max(p.params["interval"] for p in scenario.processes)
    n = scenario.processes[0].params["n"]
    assert round(store.t_end / 1e9, 3) == round(n * slowest, 3)
    assert blocked(store, next(p.var for p in scenario.processes
                               if p.params["interval"] == slowest)) == []


def test_a_prediction_that_leaves_work_out_says_so_instead_of_blaming_the_start():
    # A counter's 50,000 updates take no time in the prediction (theirs depends on the
    # computer): the run's comparison says what the prediction left out, not that the
    # difference was spent starting processes.
    from mpgui.runtime.output.summary import versus_prediction
    from mpgui.runtime.parent.runner import Runner

    scenario = load_builtin("lost-updates")
    small = replace(scenario, processes=tuple(
        replace(p, params={"n": 2000}) if p.workload != "reader" else p
        for p in scenario.processes))
    plan = predict(small, cores=2)
    with Runner(small, speed=10.0, start_method="forkserver") as r:
        r.run()
    said = versus_prediction(r.store, plan)
    # (all its work is the updates: no predicted number, which would read 0.000 s)
    assert said == "not predicted: the time of its updates of a shared value depends on " \
        "the computer"
    assert "starting" not in said
    # Some timed work besides (the reader sleeps first): a number, and what it leaves out.
    slow = replace(small, processes=tuple(
        replace(p, workload="sleep_loop", params={"n": 1, "interval": 0.2},
                message="R: {i}", uses={}) if p.workload == "reader" else p
        for p in small.processes))
    said = versus_prediction(r.store, predict(slow, cores=2))
    assert said.startswith("predicted 0.2") and \
        "leaving out its updates of a shared value" in said
    assert "untimed" not in predict(load_builtin("seed"), cores=2).info
