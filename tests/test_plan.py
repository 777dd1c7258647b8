"""The predicted schedule: start/join order, sleeps, fair sharing of the cores."""

from __future__ import annotations

import pytest

from mpgui.model.builtins import builtin_names, load_builtin
from mpgui.runtime.protocol import State
from mpgui.runtime.session.plan import predict


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
    assert store.t_end is not None and all(ln.end_t is not None for ln in store.lanes)
