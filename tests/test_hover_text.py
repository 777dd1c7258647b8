"""The chart's tooltips say each thing once ("starting: the new Python process is
booting", never "starting: starting: ..."), in words that fit the lane: real runs as
processes, threads and a pool, every point of every row asked."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from mpgui.model.builtins import load_builtin
from mpgui.model.codegen import generate_code
from mpgui.model.scenario import Copies
from mpgui.runtime.parent.runner import Runner
from mpgui.ui.chart.chart import ChartWidget
from mpgui.ui.theme import LIGHT


def tooltips(qtbot, store) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Every tooltip of the finished run's chart, by row label."""
    chart = ChartWidget(LIGHT)
    qtbot.addWidget(chart)
    chart.resize(1200, 600)
    chart.set_store(store)
    end = store.seconds(store.t_end)
    chart.refresh(store.t_end, False)
    chart.vb.setXRange(0, end, padding=0)
    # A grid of times, and the middle of every span (however short): every state is asked.
    times = [*np.linspace(0, end, 300), *((store.seconds(t0) + store.seconds(t1)) / 2
                                           for _l, _s, _c, t0, t1 in store.spans() if t1 >= 0)]
    out: dict[str, set[str]] = {}
    for row, label in enumerate(chart.rows.labels):
        out[label] = {chart.describe_at(t, row + 0.5) for t in times}
    return out


def run(scenario, name: str = ""):  # type: ignore[no-untyped-def]
    with Runner(scenario, speed=10, start_method="fork", name=name) as r:
        r.run()
    return r.store


def says_each_thing_once(text: str) -> None:
    for line in text.split("\n"):
        parts = line.split(": ")
        firsts = [p.split()[0] for p in parts if p.split()]
        assert all(a != b for a, b in pairwise(firsts)), f"repeats itself: {line!r}"


@pytest.fixture(scope="module")
def crash_store():
    return run(load_builtin("crash"), "crash")


def test_process_tooltips_name_each_state_once(qtbot, crash_store):
    texts = tooltips(qtbot, crash_store)
    every = set().union(*texts.values())
    for text in every:
        says_each_thing_once(text)
    a = texts["A (fragile)"]
    assert any("starting: the new Python process is booting" in t for t in a)
    assert any("\nsleeping (time.sleep): needs no core" in t for t in a)
    assert any("\nrunning on CPU " in t for t in a)
    assert any("\nnot started yet" in t for t in a)
    main = texts["main program"]
    assert any("waiting in A.join() until A ends" in t for t in main)
    # The crash: its exception once, then the script's frame (mpgui code crash's line).
    crashed = [t for t in a if "✖ exit 1 — RuntimeError: crashed at iteration 2" in t]
    assert crashed
    raise_line = 1 + generate_code(load_builtin("crash")).split("\n").index(
        '            raise RuntimeError(f"crashed at iteration {i}")')
    for text in crashed:
        assert text.count("RuntimeError: crashed at iteration 2") == 1
    with_frames = [t for t in crashed if "Traceback" in t]
    assert with_frames
    for text in with_frames:
        assert f'File "crash.py", line {raise_line}, in process_A\n    raise RuntimeError' in text
    # After its end (A ends before B): when, and how.
    assert any("\nended at " in t and "s: ✖ exit 1 — RuntimeError" in t for t in a)


def test_thread_and_pool_tooltips_fit_their_lanes(qtbot):
    threads = tooltips(qtbot, run(replace(load_builtin("threads-vs-processes-cpu"),
                                          backend="threads")))
    pool = tooltips(qtbot, run(replace(load_builtin("pool"), workers=Copies(2))))
    for texts in (threads, pool):
        for text in set().union(*texts.values()):
            says_each_thing_once(text)
    thread_rows = [texts for label, texts in threads.items() if label.startswith("W[")]
    thread_texts = set().union(*thread_rows)
    assert not any("Python process is booting" in t for t in thread_texts)
    assert any("waiting for the GIL: ready to run, but another thread" in t
               for t in thread_texts)
    assert any("the thread ended" in t for t in thread_texts)
    workers = set().union(*(texts for label, texts in pool.items()
                            if label.startswith("worker")))
    assert any("idle: waiting for a task from the pool's queue" in t for t in workers)
    assert not any("join()" in t for t in workers)
    assert any(" ran this task:\nT[" in t for t in workers)
    tasks = set().union(*(texts for label, texts in pool.items() if label.startswith("T[")))
    assert any("queued: submitted to the pool, waiting for a free worker" in t for t in tasks)
    assert any("the task was done" in t for t in tasks)
    assert any(".wait() until T[" in t for t in pool["main program"])
