"""What tracing costs a user's script (`mpgui trace`, File > Open Python Script...):
its wall time traced against the same script run by plain python, from the process's
start to its exit, in the same run. The issue's limit: 5 % longer."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Row
from mpgui.resources import resource
from mpgui.runtime.script.runner import ScriptRunner

CPU_POOL = Path(__file__).with_name("scripts") / "cpu_pool.py"
PRODUCER_CONSUMER = Path(__file__).with_name("scripts") / "producer_consumer.py"
LIMIT = 1.05


def _plain(script: Path, args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(script), *args], check=True,
                   stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _traced(script: Path, args: list[str]) -> float:
    t0 = time.perf_counter()
    with ScriptRunner(script, args, output=subprocess.DEVNULL) as runner:
        runner.run()
    assert runner.exit_code == 0, f"{script.name} failed under mpgui"
    return time.perf_counter() - t0


def _row(what: str, script: Path, args: list[str], repeats: int) -> Row:
    _plain(script, args)  # warm-up: the page cache, byte code
    plain, traced = [], []
    for _ in range(repeats):  # interleaved: the machine's drift hits both alike
        plain.append(_plain(script, args))
        traced.append(_traced(script, args))
    p, t = statistics.median(plain), statistics.median(traced)
    # The median of each pair's ratio: a pair ran back to back, on the same machine state.
    ratio = statistics.median(b / a for a, b in zip(plain, traced, strict=True))
    return Row(f"overhead: {what} traced, wall time vs plain python (median of {repeats})",
               f"{t:.3f} s", f"{p:.3f} s", ratio, f"<= {LIMIT:.2f}", ratio <= LIMIT)


def trace_overhead(repeats: int = 7) -> list[Row]:
    """A CPU-bound pool (fork and spawn: 2 workers, 8 tasks) and the tutorial's own
    four-process script (sleeps: 12.5 s, once)."""
    return [
        _row("CPU-bound Pool.map (fork)", CPU_POOL, ["fork", "8", "3000000"], repeats),
        _row("CPU-bound Pool.map (spawn)", CPU_POOL, ["spawn", "8", "3000000"], repeats),
        _row("the tutorial's script", resource("scripts", "tutorial.py"), [], 1),
    ]


def traced_objects(repeats: int = 7) -> list[Row]:
    """A producer and a consumer passing 100,000 items through a Queue: every put()
    and get() is recorded (its item followed from one to the other)."""
    return [_row("a Queue's 100,000 items, producer to consumer (fork)",
                 PRODUCER_CONSUMER, ["fork", "100000"], repeats)]
