"""Helpers for tests that run real processes."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MPGUI = [PYTHON, "-m", "mpgui"]

# The tutorial's output, grouped by the instant each line is due (seconds after start).
# Lines due at the same instant may come in either order.
SEED_GROUPS: list[tuple[float, set[str]]] = [
    (1.0, {"Process 1: 0", "Process 2: 0"}),
    (2.0, {"Process 1: 1", "Process 2: 1", "Process 3: 0"}),
    (3.0, {"Process 1: 2", "Process 2: 2"}),
    (4.0, {"Process 1: 3", "Process 3: 1"}),
    (6.0, {"Process 3: 2"}),
    (8.0, {"Process 3: 3"}),
    (8.9, {"Process 4: 0"}),
    (9.8, {"Process 4: 1"}),
    (10.7, {"Process 4: 2"}),
    (11.6, {"Process 4: 3"}),
    (12.5, {"Process 4: 4"}),
]
SEED_INTERVALS = {"1": 1.0, "2": 1.0, "3": 2.0, "4": 0.9}


HEAVY = ("PySide6", "shiboken6", "pyqtgraph", "numpy")


def spawned_modules(target) -> list[str]:  # type: ignore[no-untyped-def]
    """What a process started with spawn has imported once `target(conn)` sends its
    ``sys.modules`` names (targets: mpgui.runtime.child.entry.probe_modules and the like)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    r, w = ctx.Pipe(duplex=False)
    p = ctx.Process(target=target, args=(w,))
    p.start()
    w.close()
    modules = r.recv()
    p.join()
    r.close()
    return modules


def heavy(modules: list[str]) -> list[str]:
    """The GUI's modules among `modules`: a child must import none of them."""
    return [m for m in modules if m.split(".")[0] in HEAVY]


def wait_until(condition: Callable[[], bool], timeout: float, what: str = "condition") -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds. For non-Qt tests
    (Qt tests use qtbot.waitUntil)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def assert_seed_order(lines: list[str]) -> None:
    """`lines` are the tutorial's 16 lines, in due order (any order within a tie)."""
    expected = sum(len(g) for _t, g in SEED_GROUPS)
    assert len(lines) == expected, f"expected {expected} lines, got {len(lines)}: {lines}"
    i = 0
    for due, group in SEED_GROUPS:
        got = set(lines[i:i + len(group)])
        assert got == group, f"lines due at {due} s: expected {group}, got {got} ({lines})"
        i += len(group)


def assert_seed_order_as_scheduled(timed: list[tuple[float, str]], speed: float,
                                   margin: float = 0.03) -> None:
    """`timed` are the tutorial's 16 lines in the order printed, each with the time it
    was recorded (the run's own line times, or when it arrived), at `speed`.

    Each process's lines come in their own order, and Process 4's after Process 3's last
    (the join): that holds however busy the machine. The tutorial's order across
    processes (assert_seed_order) is what the schedule gives when the machine kept it:
    every line of Processes 1-3 was as late as the others, within `margin` s (their
    start-ups took about as long). On a busy machine a start-up or a sleep can run late by
    more than the 0.1 s between lines due apart at speed 10: then the order checked is
    the one recorded — lines recorded more than `margin` apart were printed in that
    order."""
    lines = [text for _t, text in timed]
    assert sorted(lines) == sorted(t for _d, g in SEED_GROUPS for t in g), lines
    due = {text: d / speed for d, group in SEED_GROUPS for text in group}
    by_proc: dict[str, list[str]] = {}
    for text in lines:
        by_proc.setdefault(text.split(":")[0], []).append(text)
    for proc, mine in by_proc.items():
        assert mine == sorted(mine, key=due.__getitem__), f"{proc}: {mine}"
    assert lines.index("Process 4: 0") > lines.index("Process 3: 3"), lines
    late = [t - due[text] for t, text in timed if not text.startswith("Process 4")]
    if max(late) - min(late) <= margin:  # the schedule was kept
        assert_seed_order(lines)
        return
    for (t1, a), (t2, b) in itertools.combinations(timed, 2):
        assert t2 > t1 - margin, f"{b!r} recorded {t1 - t2:.3f} s before {a!r}: {timed}"


def others_took_the_cpus(*stores, share: float = 0.2) -> bool:
    """Whether, by the runs' own measurement, programs outside them used more than
    `share` of the CPUs (CI's second pass runs beside four CPU burners). Timing to the
    millisecond is a promise for a free machine; on a busy one a test checks what holds
    there — orders from the recorded schedule — and that the run says the CPUs were
    taken (the window shows that share)."""
    return any((st.others_share() or 0.0) > share for st in stores)


def assert_seed_timing(timed: list[tuple[float, str]], tolerance: float = 0.05) -> None:
    """Per process, consecutive lines are one interval apart (within `tolerance`), and
    Process 4 starts printing at least 0.9 s after Process 3's last line (the join)."""
    by_proc: dict[str, list[float]] = {}
    for t, text in timed:
        by_proc.setdefault(text.split(":")[0].split()[-1], []).append(t)
    for proc, times in by_proc.items():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        interval = SEED_INTERVALS[proc]
        bad = [g for g in gaps if abs(g - interval) > tolerance]
        assert not bad, f"Process {proc}: gaps {gaps}, expected {interval} ± {tolerance}"
    assert by_proc["4"][0] - by_proc["3"][-1] >= 0.9 - 0.005


def timed_lines(cmd: list[str], **kw) -> tuple[list[tuple[float, str]], int, str]:
    """Run `cmd`: each stdout line with the time it arrived, the exit code, stderr."""
    start = time.monotonic()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          bufsize=1, **kw) as proc:
        out = [(time.monotonic() - start, line.rstrip("\n")) for line in proc.stdout]
        err = proc.stderr.read()
        code = proc.wait(timeout=60)
    return out, code, err


def helper_processes() -> set[int]:
    """Pids of multiprocessing's own long-lived helpers in this process (forkserver,
    resource tracker): they live as long as the test session, by design."""
    pids = set()
    from multiprocessing import forkserver, resource_tracker

    for helper in (forkserver._forkserver, resource_tracker._resource_tracker):
        pid = getattr(helper, "_forkserver_pid", None) or getattr(helper, "_pid", None)
        if pid:
            pids.add(pid)
    return pids


def alive(pids: list[int]) -> list[int]:
    """The pids among `pids` that still run (zombies count as gone)."""
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out


def worker_pids(pid: int) -> list[int]:
    """Pids of the processes under `pid` that run a scenario's work: every descendant
    except multiprocessing's resource tracker. Processes that end while being looked at
    are left out."""
    try:
        family = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for p in family:
        try:
            if "resource_tracker" not in " ".join(p.cmdline()):
                out.append(p.pid)
        except psutil.Error:
            pass
    return out


def script_env() -> dict[str, str]:
    """The environment a generated script runs in, as from a user's shell.

    Without PYTHONUNBUFFERED: unbuffered, print() writes a line's text and its newline
    in two system calls, so two processes printing at the same instant can interleave
    (real Python behaviour, set in this machine's environment, not in a user's).
    """
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    return env


def env_without_display() -> dict[str, str]:
    """The environment for a headless subprocess."""
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def open_editor(view, row: int, column: int):
    """Start editing a cell through the view's delegate; the editor widget."""
    index = view.model_.index(row, column)
    view.setCurrentIndex(index)
    view.edit(index)
    return index, view.focusWidget()


def until_a_deadlock(runner) -> None:  # type: ignore[no-untyped-def]
    """Start `runner` (a Runner) and poll it until it finds a deadlock (or ends)."""
    runner.start()
    while runner.deadlock is None and not runner.done:
        runner.wait(0.05)
        runner.poll()


def in_batches(per_lane: dict[int, list], rng, most: int) -> Iterator[list]:  # type: ignore[type-arg, no-untyped-def]
    """Each lane's records (`per_lane`, in its own order) a batch of 1 to `most` at a
    time, the lanes in random order — as the children's batches reach the window."""
    pending = {lane: list(ops) for lane, ops in per_lane.items()}
    while any(pending.values()):
        lane = rng.choice([k for k, v in pending.items() if v])
        take = rng.randint(1, most)
        yield pending[lane][:take]
        del pending[lane][:take]


def pixels(image):  # type: ignore[no-untyped-def]
    """The pixels of QImage `image` as an ARGB numpy array of its own (height x width x
    4): a converted image's buffer lives only as long as the image does — an array over
    a temporary's compares freed memory."""
    import numpy as np  # (not at the top: processes the tests spawn import this module,
    # and a test checks what those import)

    image = image.convertToFormat(image.Format.Format_ARGB32)
    return np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), -1, 4)[:, :image.width()].copy()
