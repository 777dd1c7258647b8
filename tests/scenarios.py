"""Small scenarios for tests, built in code."""

from __future__ import annotations

from mpgui.model.copies import Copies
from mpgui.model.scenario import ProcessSpec, Scenario, Step


def make(*procs: ProcessSpec, program: str = "") -> Scenario:
    """A scenario; `program` is steps separated by ';' (default: start all, in order)."""
    steps = program.split(";") if program else [f"{p.var}.start()" for p in procs]
    return Scenario(procs, tuple(Step.parse(s) for s in steps))


def sleeper(var: str, n: int = 3, interval: float = 0.1, **kw) -> ProcessSpec:
    """A sleep_loop process printing '<var>: {i}'."""
    return ProcessSpec(var, f"proc {var}", "sleep_loop", {"n": n, "interval": interval},
                       f"{var}: {{i}}", **kw)


def spec(var: str, workload: str, message: str | None = None, **params) -> ProcessSpec:
    """Any workload with the given parameters."""
    return ProcessSpec(var, f"proc {var}", workload, params, message or f"{var}: {{i}}")


def too_long_to_predict() -> Scenario:
    """A valid scenario whose whole prediction took 0.9–3.3 s (`plan.WORK_BUDGET`): 256
    processes (4 rows of 64 copies) of 10,000 iterations of 1 ms."""
    return make(*(sleeper(v, n=10_000, interval=0.001, copies=Copies(64, False))
                  for v in "ABCD"))
