"""Every kind of run answers the same protocol (runtime/session/run.py): a scenario's Runner, a
traced script's ScriptRunner and a Replay; the sentence that says how a run went is
written once; the replay's clock runs without Qt."""

from __future__ import annotations

from dataclasses import replace

from mpgui.model.builtins import load_builtin
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.script.runner import ScriptRunner
from mpgui.runtime.session.plan import predict
from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.session.replay import Replay
from mpgui.runtime.session.run import LiveRun, Run, Status, how_it_ran, run_sentence

SEED = load_builtin("seed")


def test_the_status_is_the_plain_word_it_always_was():
    assert Status.STOPPED == "stopped" and f"{Status.FINISHED}" == "finished"
    assert [s for s in Status if s.ended] == [Status.FINISHED, Status.STOPPED]


def test_the_run_sentence_is_the_one_of_the_status_bar_and_the_terminal():
    assert run_sentence("Run", False, 1.23456, how_it_ran(1.0, "spawn", "processes")) == \
        "Run finished in 1.235 s (speed 1, spawn)"
    assert run_sentence("Run", True, 0.5, how_it_ran(2.5, "fork", "threads")) == \
        "Run stopped after 0.500 s (speed 2.5, fork, threads)"
    assert run_sentence("mine.py", False, 2, ["exit code 1"], "; this computer has 4 CPUs") \
        == "mine.py finished in 2.000 s (exit code 1; this computer has 4 CPUs)"


def test_a_scenarios_run_answers_the_protocol_without_starting():
    scenario = replace(SEED, backend="threads")
    with Runner(scenario, speed=4, start_method="spawn", name="seed") as r:
        assert isinstance(r, LiveRun) and r.status is Status.READY
        assert (r.label, r.name, r.details()) == ("Run", "seed", ["speed 4", "spawn",
                                                                  "threads"])
        assert r.about() == scenario.about and r.plan() is not None
        record = r.as_record()
    assert (record.name, record.speed, record.start_method, record.stopped) == \
        ("seed", 4, "spawn", False)
    assert r.status is Status.STOPPED and r.as_record().stopped


def test_a_traced_script_answers_the_protocol_without_imitating_a_runner(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text("print('hi')\n")
    with ScriptRunner(script, cwd=tmp_path) as r:
        assert isinstance(r, LiveRun) and (r.label, r.name) == ("mine.py", "mine.py")
        assert r.plan() is None and r.about().title == "Your script: mine.py"
        assert not hasattr(r, "scenario") and not hasattr(r, "speed")
        r.run()
    assert r.status is Status.FINISHED and r.details() == ["exit code 0"]
    record = r.as_record()
    assert record.script == "mine.py" and not record.stopped and record.plan() is None


def test_a_replay_is_a_run_whose_clock_is_polled():
    store = predict(SEED, cores=2)  # a finished trace of 12.5 s
    record = RunRecord(SEED, store, name="seed", speed=1.0, start_method="spawn", cores=2)
    record.number = 3
    now = [0]
    replay = Replay(record, speed=2.0, clock=lambda: now[0])
    assert isinstance(replay, Run) and not isinstance(replay, LiveRun)
    assert (replay.label, replay.name, replay.details()) == ("Replaying run 3", "seed",
                                                             ["speed 1", "spawn"])
    assert replay.as_record() is record and replay.about() == SEED.about
    replay.start()
    assert replay.status is Status.RUNNING and replay.playing and replay.position == 0
    now[0] = 1_000_000_000
    replay.poll()
    assert replay.position == 2_000_000_000  # 1 s at 2x
    replay.pause()
    now[0] = 5_000_000_000
    replay.poll()
    assert replay.position == 2_000_000_000  # paused: the clock holds
    replay.play()
    now[0] = 20_000_000_000
    replay.poll()
    assert replay.position == replay.duration == 12_500_000_000 and not replay.playing
    assert not replay.done  # at its end it waits, paused, to be played again or closed
    replay.play()
    assert replay.position == 0 and replay.playing
    replay.stop()
    assert replay.done and replay.status is Status.STOPPED
    assert replay.position == replay.duration and not replay.playing
