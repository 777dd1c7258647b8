"""Small scenarios for tests, built in code."""

from __future__ import annotations

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
