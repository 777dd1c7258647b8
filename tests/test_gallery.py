"""The built-in gallery: every scenario is complete, valid, runs, and its generated
script prints the same lines with plain Python."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter

import pytest

from mpgui.model.builtins import builtin_names, load_builtin
from mpgui.model.validation import validate
from tests.helpers import MPGUI, env_without_display, script_env

REQUIRED = ("seed", "sequential", "parallel-cpu", "oversubscribed", "uneven", "sleep-vs-cpu",
            "start-methods", "daemon", "join-timeout", "terminate", "crash", "cpu-count",
            "threads-vs-processes-cpu", "threads-vs-processes-io", "pool")


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text.strip()))


def test_the_gallery_has_the_required_scenarios_first_seed():
    names = builtin_names()
    assert names[0] == "seed"
    assert set(REQUIRED) <= set(names) and len(names) >= 12


@pytest.mark.parametrize("name", builtin_names())
def test_each_builtin_is_complete_and_valid(name):
    scenario = load_builtin(name)
    about = scenario.about
    assert about.title and about.notice and about.question.endswith("?")
    assert 2 <= sentences(about.explanation) <= 4, about.explanation
    assert validate(scenario, cores=2) == [] and validate(scenario, cores=16) == []


def printed(stdout: str, racy: bool = False) -> Counter:
    # Process ids differ from run to run; everything else must match — but for a race
    # the lesson is about (lost updates), the same kind of line, not the same number.
    lines = (re.sub(r"pid \d+", "pid N", line) for line in stdout.splitlines())
    return Counter(re.sub(r"\d+", "N", line) if racy else line for line in lines)


# Scenarios whose printed numbers are a race's outcome: how many updates were lost,
# which worker took which task.
RACY_NUMBERS = {"lost-updates", "joinable-queue", "no-lost-updates"}
# Scenarios that deadlock: mpgui names the deadlock and stops (exit code 3); the plain
# script hangs for ever (it is killed, with its children, after a while).
DEADLOCKS = {
    "deadlock": (1, "Deadlock: A holds L1 and waits for L2; B holds L2 and waits for L1"),
    # (speed 1: the third philosopher starts last, and must reach for F3 before P2 eats)
    "dining-philosophers": (1, "Deadlock: P1 holds F1 and waits for F2; P2 holds F2 and "
                               "waits for F3; P3 holds F3 and waits for F1"),
    "drain-before-join": (4, "Deadlock: P waits in join_thread() on Q, and the main "
                             "program in P.join()"),
    # The exercises as they start (speed 1: each holds its first lock for 1 s).
    "no-deadlock": (1, "Deadlock: A holds L1 and waits for L2; B holds L2 and waits for L1"),
    "drain-the-queue": (4, "Deadlock: P waits in join_thread() on Q, and the main "
                           "program in P.join()"),
}


# Scenarios whose printed lines depend on a race the lesson is about (a daemon ended, or
# a process terminated, while it sleeps between lines): at speed 20 the two sides of the
# race are 0.1 s apart, less than the start delays of spawned processes on a busy
# machine, so the run and the plain script could each print one line more or less. At
# speed 4 they are 0.5 s apart.
RACE_SPEEDS = {"daemon": 4, "terminate": 4, "exit-codes": 4,
               # (a waiter that starts waiting after two of the notifications would
               # wait for ever: at speed 1 they are 0.5 s apart)
               "condition-wakeup": 1,
               # (the exercise's daemon prints at 1 s and 2 s, and is ended at 1.5 s)
               "let-the-daemon-finish": 1}


@pytest.mark.slow
@pytest.mark.parametrize("name", builtin_names())
def test_each_builtin_runs_and_its_code_prints_the_same_lines(name, tmp_path):
    if name in DEADLOCKS:
        speed, sentence = DEADLOCKS[name]
        return check_the_deadlock(name, str(speed), sentence, tmp_path)
    speed = str(RACE_SPEEDS.get(name, 20))
    run = subprocess.run([*MPGUI, "run", name, "--speed", speed, "--quiet"],
                         capture_output=True, text=True, timeout=120, env=env_without_display())
    assert run.returncode == 0, run.stderr
    code = subprocess.run([*MPGUI, "code", name, "--speed", speed], capture_output=True,
                          text=True, timeout=60, check=True).stdout
    script = tmp_path / f"{name.replace('-', '_')}.py"
    script.write_text(code, encoding="utf-8")
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=120, env=script_env(), cwd=tmp_path)
    racy = name in RACY_NUMBERS
    assert printed(run.stdout, racy) == printed(plain.stdout, racy), (run.stdout, plain.stdout)
    assert run.stdout.strip(), "every scenario prints something"
    failed = "Traceback" in plain.stderr
    assert failed == ("Traceback" in run.stderr)  # a crash shows in both, or in neither


def check_the_deadlock(name: str, speed: str, sentence: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = subprocess.run([*MPGUI, "run", name, "--speed", speed, "--quiet"],
                         capture_output=True, text=True, timeout=120, env=env_without_display())
    assert run.returncode == 3, run.stderr
    assert sentence in run.stderr
    code = subprocess.run([*MPGUI, "code", name, "--speed", speed], capture_output=True,
                          text=True, timeout=60, check=True).stdout
    script = tmp_path / f"{name}.py"
    script.write_text(code, encoding="utf-8")
    plain = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=script_env(), cwd=tmp_path,
                             start_new_session=True)  # its children too, when killed
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            plain.wait(timeout=3)  # it deadlocks as mpgui said: it never ends
    finally:
        os.killpg(plain.pid, signal.SIGKILL)
        plain.communicate()


def test_a_built_ins_about_read_alone_is_the_one_its_file_loads():
    # The gallery and the menu read only the [about] table, to open the window sooner.
    from mpgui.model.builtins import builtin_about
    for name in builtin_names():
        assert builtin_about(name) == load_builtin(name).about, name
