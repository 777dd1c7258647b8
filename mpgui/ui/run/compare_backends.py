"""Run → Compare Backends: the scenario run twice — as processes first, then as threads
(a pool's scenario: then as a pool; Dask tasks: as a pool first, then on Dask) — and
the two runs shown one above the other, the baseline on top."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from mpgui.i18n import _
from mpgui.model.backend import DEFAULT_BACKEND, UnknownBackend, get_backend
from mpgui.model.scenario import Scenario
from mpgui.model.validation import errors
from mpgui.runtime.session.record import RunRecord
from mpgui.ui import dialogs


def backends_to_compare(backend: str) -> tuple[str, str]:
    """The two backends to run a scenario whose own backend is `backend` with, in
    order: its record's baseline first (shown on top: processes, or for Dask tasks the
    pool), then threads — or the scenario's own backend, for one written for another."""
    try:
        baseline = get_backend(backend).baseline
    except UnknownBackend:
        baseline = DEFAULT_BACKEND
    return baseline, backend if backend != baseline else "threads"


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
        """Run `scenario` as processes, then with the other backend (the scenario
        itself is left as it is)."""
        first, second = backends_to_compare(scenario.backend)
        for backend in (first, second):
            problems = errors(replace(scenario, backend=backend))
            if problems:
                dialogs.show_error(self.window, _("Cannot compare backends"),
                                   _("This scenario cannot run as {backend}: {problem}").format(
                                       backend=backend, problem=problems[0].text(scenario)))
                return
        self.second, self.first = second, None
        self._run(first)

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
