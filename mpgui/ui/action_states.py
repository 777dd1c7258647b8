"""When the window's actions (and the run options) are enabled: one table, from a small
state of the window to each action's condition, applied in one place.

Adding an action that depends on the run means one row here; the window computes the
state (`WindowState`) and calls `apply`, whatever changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WindowState:
    """What the actions' enabled states depend on."""

    runnable: bool = True  # the scenario being edited has no error
    running: bool = False  # a run is on (also while it is being stopped)
    stopping: bool = False  # the run on is being stopped
    live: bool = False  # a live run is shown (from its start until it is kept)
    shown: bool = False  # a finished run is shown (or replayed)
    runs: int = 0  # runs in the session's history
    plan: bool = False  # the chart shows a prediction
    script: bool = False  # a Python script was opened (there is one to run again)


Rule = Callable[[WindowState], bool]


def _pictures(s: WindowState) -> bool:
    """A chart to export: the run shown, or the prediction, but not a run going on."""
    return not s.live and (s.shown or s.plan)


# Action (or option box) name -> when it is enabled.
ENABLED: dict[str, Rule] = {
    "run": lambda s: s.runnable and not s.running,
    "compare_backends": lambda s: s.runnable and not s.running,
    "stop": lambda s: s.running and not s.stopping,
    "speed": lambda s: not s.running,
    "method": lambda s: not s.running,
    "open_script": lambda s: not s.running,
    "rerun_script": lambda s: s.script and not s.running,
    "replay": lambda s: s.runs >= 1 and not s.live,
    "step_next": lambda s: s.runs >= 1 and not s.live,
    "step_back": lambda s: s.runs >= 1 and not s.live,
    "compare": lambda s: s.runs >= 2,
    "describe": lambda s: s.shown or s.plan or s.live,
    "save_run": lambda s: s.shown,
    "json": lambda s: s.shown,
    "csv": lambda s: s.shown,
    "png": _pictures,
    "svg": _pictures,
}


class Enablable(Protocol):
    """A QAction or a widget."""

    def setEnabled(self, enabled: bool, /) -> None:  # (Qt's name)
        """Enable or disable it."""


def enabled_names(state: WindowState) -> set[str]:
    """The names of what is enabled in `state`."""
    return {name for name, rule in ENABLED.items() if rule(state)}


def apply(state: WindowState, targets: Mapping[str, Enablable]) -> None:
    """Enable or disable every target of the table as `state` says."""
    for name, rule in ENABLED.items():
        targets[name].setEnabled(rule(state))
