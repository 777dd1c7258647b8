"""The run toolbar: Run, Stop and Replay, the speed, the start method, the backend
(processes, threads or a pool), Follow, Present, and a label that says what keeps Run
from working."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolBar,
    QWidget,
)

from mpgui.model.copies import MAX_COPIES, PER_CORE, Copies
from mpgui.model.scenario import BACKEND_HELP, BACKENDS, Scenario
from mpgui.model.validation import Problem
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.runner import DEFAULT_START_METHOD, MAX_SPEED, MIN_SPEED, start_methods
from mpgui.ui.document import ScenarioDocument
from mpgui.ui.settings import settings
from mpgui.ui.theme import Theme

START_METHOD_HELP = {
    "spawn": "spawn: each child is a fresh Python interpreter that imports your code "
             "again (slowest start; the default on Windows and macOS).",
    "forkserver": "forkserver: children are forked from a small server process started "
                  "once (fast and safe; the default on Linux from Python 3.14).",
    "fork": "fork: each child is a copy of the parent process (fastest start, but unsafe "
            "when the parent runs threads, as a GUI does).",
}


class SpeedBox(QDoubleSpinBox):
    """The speed factor, shown as briefly as it reads: 1×, 2.5×, 0.25×."""

    def __init__(self, value: float | None) -> None:
        super().__init__()
        self.setDecimals(2)
        self.setRange(MIN_SPEED, MAX_SPEED)
        self.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.setPrefix("Speed ")
        self.setSuffix("×")
        self.setAccelerated(True)
        self.setToolTip("How much faster than real time to run: every duration "
                        "(sleeps, compute times, join timeouts) is divided by this.")
        saved = settings().value("speed", 1.0)
        self.setValue(float(value if value is not None else _as_float(saved, 1.0)))

    def textFromValue(self, value: float) -> str:  # Qt override
        return f"{value:g}"


class MethodBox(QComboBox):
    """The start method, each explained in its tooltip."""

    def __init__(self, chosen: str | None) -> None:
        super().__init__()
        for m in start_methods():
            self.addItem(f"start method: {m}", m)
            self.setItemData(self.count() - 1, START_METHOD_HELP.get(m, m),
                             Qt.ItemDataRole.ToolTipRole)
        self.setToolTip("How child processes are started. " + " ".join(
            START_METHOD_HELP.get(m, m) for m in start_methods()))
        chosen = chosen or str(settings().value("start_method", DEFAULT_START_METHOD))
        self.setCurrentIndex(max(0, self.findData(chosen)))

    @property
    def method(self) -> str:
        """The chosen start method."""
        return str(self.currentData())


class BackendBox(QWidget):
    """What runs the rows — processes, threads or a pool — and the pool's size. Part of
    the scenario (saved with it, undoable), so it follows the document."""

    def __init__(self, doc: ScenarioDocument) -> None:
        super().__init__()
        self.doc = doc
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        for name in BACKENDS:
            self.combo.addItem(f"run as: {name}", name)
            self.combo.setItemData(self.combo.count() - 1, BACKEND_HELP[name],
                                   Qt.ItemDataRole.ToolTipRole)
        self.combo.setToolTip("What runs each row of the table. " + " ".join(
            f"{name}: {text}." for name, text in BACKEND_HELP.items()))
        self.workers = QSpinBox()
        self.workers.setRange(0, MAX_COPIES)
        self.workers.setSpecialValueText("workers: per core")  # 0: os.cpu_count()
        self.workers.setPrefix("workers: ")
        self.workers.setToolTip("How many worker processes the pool has "
                                "(multiprocessing.Pool(N)); per core: os.cpu_count(), "
                                "the pool's default")
        layout.addWidget(self.combo)
        layout.addWidget(self.workers)
        self.sync()
        doc.changed.connect(self.sync)
        self.combo.currentIndexChanged.connect(self._chosen)
        self.workers.valueChanged.connect(self._chosen)

    def sync(self) -> None:
        """Show the document's backend (after an edit, undo or open)."""
        scenario = self.doc.scenario
        workers = scenario.workers
        for widget in (self.combo, self.workers):
            widget.blockSignals(True)
        self.combo.setCurrentIndex(max(0, self.combo.findData(scenario.backend)))
        self.workers.setValue(0 if workers.per_core and workers.count == 1
                              else workers.resolve(cpu_count()))
        self.workers.setVisible(scenario.backend == "pool")
        for widget in (self.combo, self.workers):
            widget.blockSignals(False)

    def _chosen(self) -> None:
        value = self.workers.value()
        workers = PER_CORE if value == 0 else Copies(value)
        backend = str(self.combo.currentData())
        scenario = self.doc.scenario
        if (backend, workers) != (scenario.backend, scenario.workers):
            what = f"run as {backend}" if backend != scenario.backend else "pool size"
            self.doc.edit(replace(scenario, backend=backend, workers=workers), what,
                          merge_key="workers" if backend == scenario.backend else None)
        self.workers.setVisible(backend == "pool")


class ProblemLabel(QLabel):
    """Why Run is disabled (the first error, in red), or the first warning; its link
    selects the cell to fix, its tooltip lists them all."""

    def show_problems(self, scenario: Scenario, problems: list[Problem], theme: Theme) -> str:
        """Show `problems` of `scenario`; returns the Run button's tooltip."""
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity == "warning"]
        shown = errors or warnings
        self.setToolTip("\n".join(p.text(scenario) for p in shown))
        if not shown:
            self.setText("")
            return "Start the processes as the main program says (F5)"
        reason = shown[0].text(scenario)
        if not errors:
            self.setText(f"⚠ {html.escape(reason)} <a href='show'>Show</a>")
            return "Start the processes as the main program says (F5)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        self.setText(f"<span style='color:{theme.crash}'>✖ Cannot run: "
                     f"{html.escape(reason)}{more}</span> <a href='show'>Show</a>")
        return f"Cannot run: {reason}{more}"


def run_toolbar(acts: dict[str, QAction], speed: SpeedBox, method: MethodBox,
                backend: BackendBox, problem: ProblemLabel) -> QToolBar:
    """The toolbar: Run, Stop, Replay | speed, start method, backend | Follow | Present |
    problems."""
    bar = QToolBar("Run")
    bar.setObjectName("run_toolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    bar.addAction(acts["run"])
    bar.addAction(acts["stop"])
    bar.addAction(acts["replay"])
    bar.addSeparator()
    bar.addWidget(speed)
    bar.addWidget(method)
    bar.addWidget(backend)
    bar.addSeparator()
    bar.addAction(acts["follow"])
    bar.addAction(acts["present"])
    bar.addSeparator()
    problem.setTextFormat(Qt.TextFormat.RichText)
    problem.setContentsMargins(8, 0, 8, 0)
    bar.addWidget(problem)
    return bar


def _as_float(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
