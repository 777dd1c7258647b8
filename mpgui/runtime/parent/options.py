"""What a run of a scenario accepts — the start methods, the range of speeds — and the
error a scenario that cannot run raises.

Apart from the Runner so that the window's controls can show them without importing the
run side, which the window needs only at its first run.
"""

from __future__ import annotations

import multiprocessing

DEFAULT_START_METHOD = "spawn"
MIN_SPEED, MAX_SPEED = 0.05, 1000.0


class ScenarioError(ValueError):
    """The scenario cannot run; the message names the first problem."""


def start_methods() -> list[str]:
    """The start methods this platform offers, spawn first."""
    order = ["spawn", "forkserver", "fork"]
    return [m for m in order if m in multiprocessing.get_all_start_methods()]
