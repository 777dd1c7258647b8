"""Run → Compare Backends: the scenario run twice — as processes and as threads (a pool's
scenario: as a pool and as processes) — and the two runs shown one above the other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from mpgui.model.scenario import Scenario
from mpgui.model.validation import errors
from mpgui.ui import dialogs
from mpgui.ui.runs import RunRecord


def partner(backend: str) -> str:
    """The backend to compare `backend` with."""
    return "threads" if backend == "processes" else "processes"


class BackendComparison(QObject):
    """Two runs in a row, then Compare. `run(backend)` starts a run of the document with
    that backend; `compare(a, b)` shows two records."""

    def __init__(self, window: QWidget, run: Callable[[str | None], None],
                 compare: Callable[[RunRecord, RunRecord], None]) -> None:
        super().__init__(window)
        self.window, self._run, self._compare = window, run, compare
        self.second: str | None = None  # the backend of the run still to come
        self.first: RunRecord | None = None

    @property
    def active(self) -> bool:
        """A comparison is under way."""
        return self.second is not None

    def start(self, scenario: Scenario) -> None:
        """Run `scenario` as it is, then with its partner backend."""
        other = partner(scenario.backend)
        problems = errors(replace(scenario, backend=other))
        if problems:
            dialogs.show_error(self.window, "Cannot compare backends",
                               f"This scenario cannot run as {other}: "
                               f"{problems[0].text(scenario)}")
            return
        self.second, self.first = other, None
        self._run(None)

    def finished(self, record: RunRecord, completed: bool) -> None:
        """A run ended: start the second one, or compare the two. A run that was
        stopped ends the comparison."""
        if self.second is None:
            return
        if not completed:
            self.second = self.first = None
        elif self.first is None:
            self.first = record
            QTimer.singleShot(0, lambda: self._run(self.second))
        else:
            first, self.second, self.first = self.first, None, None
            self._compare(first, record)
