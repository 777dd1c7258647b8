"""What each workload does inside its child. Parameters are defined in
`mpgui.model.registry`; `mpgui.model.codegen` writes the same loops as plain Python,
and a test checks that both print the same lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from mpgui.runtime.reporter import Reporter

Say = Callable[[int], str]  # iteration -> the printed line


def sleep_loop(r: Reporter, say: Say, *, n: int, interval: float) -> None:
    """The tutorial's loop: sleep, then print."""
    for i in range(n):
        r.sleep(interval)
        r.line(say(i))


def cpu_loop(r: Reporter, say: Say, *, n: int, compute: float) -> None:
    """Busy-compute for `compute` CPU seconds, then print."""
    for i in range(n):
        r.burn(compute)
        r.line(say(i))


def mixed(r: Reporter, say: Say, *, n: int, compute: float, interval: float) -> None:
    """Compute, then sleep, then print."""
    for i in range(n):
        r.burn(compute)
        r.sleep(interval)
        r.line(say(i))


def crash(r: Reporter, say: Say, *, n: int, interval: float, at: int) -> None:
    """The sleep loop, raising RuntimeError at iteration `at` (after its sleep)."""
    for i in range(n):
        r.sleep(interval)
        if i == at:
            raise RuntimeError(f"crashed at iteration {i}")
        r.line(say(i))


def exit_code(r: Reporter, say: Say, *, n: int, interval: float, at: int, code: int) -> None:
    """The sleep loop, calling sys.exit(code) at iteration `at` (after its sleep)."""
    for i in range(n):
        r.sleep(interval)
        if i == at:
            sys.exit(code)
        r.line(say(i))


def flood(r: Reporter, say: Say, *, n: int) -> None:
    """Print n lines as fast as possible."""
    line = r.line
    for i in range(n):
        line(say(i))


RUNNERS: dict[str, Callable[..., None]] = {
    f.__name__: f for f in (sleep_loop, cpu_loop, mixed, crash, exit_code, flood)
}
