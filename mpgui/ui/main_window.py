"""The main window: edit the scenario, run it, watch the chart and the console.

    ┌ toolbar: Run · Stop · speed · start method · Follow · what blocks Run ──────────┐
    │ Scenarios │ Processes (table)                   │ Main program (steps)         │
    │ (gallery) ├─────────────────────────────────────┼──────────────────────────────┤
    │ ◀  ▶ Reset│ legend + swim-lane chart            │ About this scenario          │
    │           │                                     │ [Output | Python]            │
    └ status: CPUs · start method · running / finished · elapsed ───────────────────┘

The window owns no scenario data: the ScenarioDocument holds it, the RunController the
run; this class wires them to the widgets and keeps the actions' enabled states true.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStyle,
    QTabWidget,
    QWidget,
)

from mpgui import __version__
from mpgui.model.builtins import DEFAULT_SCENARIO, resolve_scenario
from mpgui.model.fileformat import SUFFIX, ScenarioFileError
from mpgui.model.scenario import Scenario
from mpgui.runtime.cpu import cores_known, cpu_count
from mpgui.runtime.runner import (
    DEFAULT_START_METHOD,
    MAX_SPEED,
    MIN_SPEED,
    ScenarioError,
    start_methods,
)
from mpgui.runtime.summary import wall_seconds
from mpgui.ui import dialogs
from mpgui.ui.actions import make_action
from mpgui.ui.chart.chart import ChartWidget
from mpgui.ui.chart.legend import ChartLegend
from mpgui.ui.code_view import CodeView
from mpgui.ui.console import ConsolePane
from mpgui.ui.document import ScenarioDocument
from mpgui.ui.explanation import ExplanationPanel
from mpgui.ui.files import FileActions
from mpgui.ui.gallery import GalleryActions, GalleryList, gallery_panel
from mpgui.ui.panels import panel
from mpgui.ui.process_table import ProcessTableView
from mpgui.ui.program_editor import ProgramView
from mpgui.ui.run_controller import RunController
from mpgui.ui.settings import settings
from mpgui.ui.theme import LIGHT, Theme

START_METHOD_HELP = {
    "spawn": "spawn: each child is a fresh Python interpreter that imports your code "
             "again (slowest start; the default on Windows and macOS).",
    "forkserver": "forkserver: children are forked from a small server process started "
                  "once (fast and safe; the default on Linux from Python 3.14).",
    "fork": "fork: each child is a copy of the parent process (fastest start, but unsafe "
            "when the parent runs threads, as a GUI does).",
}


class MainWindow(QMainWindow):
    """mpgui's window."""

    def __init__(self, *, speed: float | None = None, start_method: str | None = None,
                 theme: Theme = LIGHT) -> None:
        super().__init__()
        self.theme = theme
        self.setWindowTitle("mpgui")
        self.setAcceptDrops(True)
        self.doc = ScenarioDocument(Scenario(), parent=self)
        self.controller = RunController(self)
        self.files = FileActions(self, self.doc)
        self.table = ProcessTableView(self.doc, theme)
        self.program = ProgramView(self.doc, theme)
        self.chart = ChartWidget(theme)
        self.legend = ChartLegend(theme)
        self.console = ConsolePane(theme)
        self.explanation = ExplanationPanel(theme)
        self.code = CodeView(self.doc)
        self.gallery = GalleryList()
        self.gallery_actions = GalleryActions(self, self.doc, self.files, self.gallery)
        self._build_actions()
        self._build_toolbar(speed, start_method)
        self._build_layout()
        self._build_menus()
        self._build_status()
        self.doc.changed.connect(self._update_actions)
        self.doc.changed.connect(lambda: self.explanation.show_about(self.doc.scenario.about))
        self.doc.file_changed.connect(self._update_title)
        self.files.loaded.connect(self._on_loaded)
        self.controller.started.connect(self._on_started)
        self.controller.frame.connect(self._on_frame)
        self.controller.text_frame.connect(self.console.refresh)
        self.controller.finished.connect(self._on_finished)
        self.controller.error.connect(self._on_error)
        self.controller.paint_cost = lambda: self.chart.last_paint_ns
        self.table.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.program.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.chart.follow_changed.connect(self.acts["follow"].setChecked)
        self._label_at = 0  # when the run label was last updated
        self._restore_state()
        self._update_actions()
        self._update_title()

    # -- building ----------------------------------------------------------------------

    def _build_actions(self) -> None:
        icon = self.style().standardIcon
        pix = QStyle.StandardPixmap
        self.acts: dict[str, QAction] = {
            "run": make_action(self, "&Run", ["F5", "Ctrl+R"], self.run,
                               "Start the processes as the main program says",
                               icon=icon(pix.SP_MediaPlay)),
            "stop": make_action(self, "S&top", ["Esc"], self.stop, "Stop the run: terminate "
                                "every child (kill it if it does not stop)",
                                icon=icon(pix.SP_MediaStop)),
            "follow": make_action(self, "&Follow the Run", ["Ctrl+L"], self.chart.follow,
                                  "Show the whole run up to now again after you panned or "
                                  "zoomed the chart", short="Follow",
                                  icon=icon(pix.SP_MediaSeekForward)),
            "quit": make_action(self, "&Quit", "Ctrl+Q",
                                self.close, "Quit mpgui (a run in progress is stopped)"),
        }
        for act in self.acts.values():
            self.addAction(act)  # shortcuts work whichever pane has the focus
        self.acts["follow"].setCheckable(True)
        self.acts["follow"].setChecked(True)
        stack = self.doc.undo_stack
        self.acts["undo"] = stack.createUndoAction(self, "&Undo")
        self.acts["undo"].setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.acts["redo"] = stack.createRedoAction(self, "&Redo")
        self.acts["redo"].setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])

    def _build_toolbar(self, speed: float | None, start_method: str | None) -> None:
        bar = self.addToolBar("Run")
        bar.setObjectName("run_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.acts["run"])
        bar.addAction(self.acts["stop"])
        bar.addSeparator()
        self.speed = SpeedBox()
        self.speed.setRange(MIN_SPEED, MAX_SPEED)
        self.speed.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.speed.setPrefix("Speed ")
        self.speed.setSuffix("×")
        self.speed.setAccelerated(True)
        self.speed.setToolTip("How much faster than real time to run: every duration "
                              "(sleeps, compute times, join timeouts) is divided by this.")
        saved = settings().value("speed", 1.0)
        self.speed.setValue(float(speed if speed is not None else _as_float(saved, 1.0)))
        self.speed.valueChanged.connect(self._speed_changed)
        bar.addWidget(self.speed)
        self.method = QComboBox()
        for m in start_methods():
            self.method.addItem(f"start method: {m}", m)
            self.method.setItemData(self.method.count() - 1, START_METHOD_HELP.get(m, m),
                                    Qt.ItemDataRole.ToolTipRole)
        self.method.setToolTip("How child processes are started. " + " ".join(
            START_METHOD_HELP.get(m, m) for m in start_methods()))
        chosen = start_method or str(settings().value("start_method", DEFAULT_START_METHOD))
        self.method.setCurrentIndex(max(0, self.method.findData(chosen)))
        self.method.currentIndexChanged.connect(self._method_changed)
        bar.addWidget(self.method)
        bar.addSeparator()
        bar.addAction(self.acts["follow"])
        bar.addSeparator()
        self.problem_label = QLabel()
        self.problem_label.setTextFormat(Qt.TextFormat.RichText)
        self.problem_label.setContentsMargins(8, 0, 8, 0)
        self.problem_label.linkActivated.connect(lambda _link: self.show_first_problem())
        bar.addWidget(self.problem_label)

    def _build_layout(self) -> None:
        t, p = self.table.actions_, self.program.actions_
        processes = panel("Processes", "each row is one multiprocessing.Process; double-click "
                          "a cell to edit", self.table,
                          [t["add"], t["duplicate"], t["remove"], t["up"], t["down"]])
        program = panel("Main program", "what the parent does, in order", self.program,
                        [p["add"], p["remove"], p["up"], p["down"]])
        chart = panel("Timeline", "processes, CPU cores and joins; wheel zooms, drag pans, "
                      "hover for details", self.chart, [], header_widget=self.legend)
        c = self.code.actions_
        self.tabs = QTabWidget()
        self.tabs.addTab(panel("Output", "what the script prints", self.console, []), "Output")
        self.tabs.addTab(panel("Python", "this scenario as a script for plain Python",
                               self.code, [c["copy"], c["save"]]), "Python code")
        self.side_split = _splitter(Qt.Orientation.Vertical, "side_split", self.explanation,
                                    self.tabs, (1, 2))
        self.edit_split = _splitter(Qt.Orientation.Horizontal, "edit_split", processes,
                                    program, (3, 2))
        self.run_split = _splitter(Qt.Orientation.Horizontal, "run_split", chart,
                                   self.side_split, (3, 1))
        self.main_split = _splitter(Qt.Orientation.Vertical, "main_split", self.edit_split,
                                    self.run_split, (1, 2))
        g = self.gallery_actions.actions
        self.outer_split = _splitter(Qt.Orientation.Horizontal, "outer_split", gallery_panel(
            self.gallery, [g["previous"], g["next"], g["reset"]]), self.main_split, (0, 1))
        self.setCentralWidget(self.outer_split)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu("&File")
        fa = self.files.actions
        f.addActions([fa["new"], fa["open"]])
        f.addMenu(self.files.recent_menu)
        f.addSeparator()
        f.addActions([fa["save"], fa["save_as"], self.code.actions_["save"]])
        f.addSeparator()
        f.addAction(self.acts["quit"])
        e = bar.addMenu("&Edit")
        e.addActions([self.acts["undo"], self.acts["redo"]])
        e.addSeparator()
        e.addAction(self.code.actions_["copy"])
        e.addSeparator()
        e.addActions(list(self.table.actions_.values()))
        e.addSeparator()
        e.addActions(list(self.program.actions_.values()))
        g = bar.addMenu("&Scenarios")
        g.addActions(list(self.gallery_actions.actions.values()))
        g.addSeparator()
        g.addMenu(self.files.builtin_menu)
        r = bar.addMenu("&Run")
        r.addActions([self.acts["run"], self.acts["stop"]])
        r.addSeparator()
        r.addAction(self.acts["follow"])
        h = bar.addMenu("&Help")
        h.addAction("&About mpgui", self._about)

    def _build_status(self) -> None:
        sb = self.statusBar()
        where = "" if cores_known() else " (this system does not say which core runs what)"
        self.cpu_label = QLabel(f"This computer has {cpu_count()} CPUs{where}")
        self.cpu_label.setToolTip("os.cpu_count(): the logical CPUs the OS can run "
                                  "processes on at the same time.")
        self.run_label = QLabel("Ready")
        self.method_label = QLabel()
        for w in (self.run_label, self.method_label, self.cpu_label):
            w.setContentsMargins(6, 0, 6, 0)
            sb.addPermanentWidget(w)
        self._method_changed()

    # -- scenario ----------------------------------------------------------------------

    def open_initial(self, name_or_path: str | None) -> None:
        """Open a built-in name or a file; with None, the last scenario, else `seed`."""
        candidates = [name_or_path] if name_or_path else [
            str(settings().value("last_scenario", "")), DEFAULT_SCENARIO]
        for candidate in filter(None, candidates):
            try:
                scenario, path = resolve_scenario(candidate)
            except ScenarioFileError as exc:
                if name_or_path:
                    dialogs.show_error(self, "Cannot open scenario", str(exc))
                continue
            self.doc.load(scenario, path=path.resolve() if path else None,
                          builtin=None if path else candidate)
            self._on_loaded()
            return

    def _on_loaded(self) -> None:
        if self.controller.running:  # the run shows the old scenario: end it
            self.controller.shutdown()
        self.chart.set_store(None)
        self.console.start(None)
        self.table.select_row(0)
        where = str(self.doc.path) if self.doc.path else (self.doc.builtin or "")
        if where:
            settings().setValue("last_scenario", where)
        self._update_actions()

    def show_first_problem(self) -> None:
        """Select the cell of the first error, so its tooltip and tint are in view."""
        problems = self.doc.errors() or self.doc.problems
        if not problems:
            return
        first = problems[0]
        if first.section == "process":
            self.table.focus_cell(first.row, first.field)
        elif first.section == "step":
            self.program.select_row(first.row)
            self.program.setFocus()

    # -- running -----------------------------------------------------------------------

    @property
    def start_method(self) -> str:
        """The chosen start method."""
        return str(self.method.currentData())

    def run(self) -> None:
        """Start a run of the current scenario (F5)."""
        if self.controller.running:
            return
        problems = self.doc.errors()
        if problems:
            self.statusBar().showMessage("Cannot run: " + problems[0].text(self.doc.scenario),
                                         8000)
            self.show_first_problem()
            return
        try:
            self.controller.start(self.doc.scenario, speed=self.speed.value(),
                                  start_method=self.start_method)
        except (ScenarioError, OSError) as exc:
            dialogs.show_error(self, "Cannot run", str(exc))
        self._update_actions()

    def stop(self) -> None:
        """Stop the run (Esc): SIGTERM now, SIGKILL after the grace period."""
        if self.controller.running:
            self.controller.stop()
            self.run_label.setText("Stopping…")
            self._update_actions()

    def _on_started(self) -> None:
        self.tabs.setCurrentIndex(0)  # the output, as the lines come
        store = self.controller.runner.store  # type: ignore[union-attr]
        self.chart.set_store(store)
        self.console.start(store)

    def _on_frame(self) -> None:
        runner = self.controller.runner
        if runner is None:
            return
        now = time.perf_counter_ns()
        self.chart.refresh(now, not runner.done)
        self.console.refresh()
        # A label whose text changes relayouts the status bar: a few times a second is
        # enough for a clock that shows tenths.
        if runner.done or now - self._label_at >= 250_000_000:
            self._label_at = now
            self._update_run_label()

    def _on_finished(self) -> None:
        runner = self.controller.runner
        assert runner is not None
        store = runner.store
        how = "stopped after" if runner.status == "stopped" else "finished in"
        self.console.note(f"— {how} {wall_seconds(store):.3f} s —")
        self.statusBar().showMessage(f"Run {how} {wall_seconds(store):.3f} s (speed "
                                     f"{runner.speed:g}, {runner.start_method})", 10_000)
        self._update_actions()

    def _on_error(self, text: str) -> None:
        self.console.note("mpgui hit an internal error while polling (the run goes on):\n"
                          + text, error=True)

    def _update_run_label(self) -> None:
        runner = self.controller.runner
        if runner is None:
            self.run_label.setText("Ready")
            return
        lanes = [ln for ln in runner.store.lanes if ln.kind == "process"]
        finished = sum(ln.end_t is not None for ln in lanes)
        started = sum(ln.start_call_t is not None for ln in lanes)
        state = {"running": "Running", "stopping": "Stopping…", "stopped": "Stopped",
                 "finished": "Finished"}.get(runner.status, runner.status)
        store = runner.store
        elapsed = wall_seconds(store) if runner.done or store.t0 is None else \
            (time.perf_counter_ns() - store.t0) / 1e9
        self.run_label.setText(f"{state} · {started - finished} running, {finished} "
                               f"finished · {elapsed:.1f} s")

    # -- keeping the window true -------------------------------------------------------

    def _update_actions(self) -> None:
        running = self.controller.running
        stopping = running and self.controller.runner.status == "stopping"  # type: ignore[union-attr]
        errors = self.doc.errors()
        self.acts["run"].setEnabled(not running and not errors)
        self.acts["stop"].setEnabled(running and not stopping)
        self.speed.setEnabled(not running)
        self.method.setEnabled(not running)
        run_tip = "Start the processes as the main program says (F5)"
        if errors:
            reason = errors[0].text(self.doc.scenario)
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            self.problem_label.setText(
                f"<span style='color:{self.theme.crash}'>✖ Cannot run: "
                f"{_html(reason)}{more}</span> <a href='show'>Show</a>")
            self.problem_label.setToolTip("\n".join(p.text(self.doc.scenario) for p in errors))
            run_tip = f"Cannot run: {reason}{more}"
        else:
            warnings = [p for p in self.doc.problems if p.severity == "warning"]
            self.problem_label.setText(
                f"⚠ {_html(warnings[0].text(self.doc.scenario))} <a href='show'>Show</a>"
                if warnings else "")
            self.problem_label.setToolTip("\n".join(p.text(self.doc.scenario)
                                                    for p in warnings))
        self.acts["run"].setToolTip(run_tip)
        self.acts["run"].setStatusTip(run_tip)
        if not running:
            self._update_run_label()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.doc.display_name}[*] — mpgui")
        self.setWindowModified(self.doc.modified)

    def _method_changed(self) -> None:
        m = self.start_method
        self.code.set_run_options(self.speed.value(), m)
        self.method_label.setText(f"start method: {m}")
        self.method_label.setToolTip(START_METHOD_HELP.get(m, m))
        settings().setValue("start_method", m)

    def _speed_changed(self, value: float) -> None:
        settings().setValue("speed", value)
        self.code.set_run_options(value, self.start_method)

    def _about(self) -> None:
        QMessageBox.about(self, "About mpgui", f"<h3>mpgui {__version__}</h3>"
                          "<p>See Python multiprocessing: real processes, CPU cores, "
                          "<code>start()</code> and <code>join()</code> on a live chart.</p>")

    # -- state and closing -------------------------------------------------------------

    def _restore_state(self) -> None:
        s = settings()
        geometry = s.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1500, 900)
        # First start: room for six processes above, the chart and a wide console below.
        self.outer_split.setSizes([230, 1270])
        self.main_split.setSizes([270, 630])
        self.edit_split.setSizes([780, 490])
        self.run_split.setSizes([880, 390])
        self.side_split.setSizes([230, 400])
        for split in self._splits():
            state = s.value(split.objectName())
            if isinstance(state, QByteArray) and not state.isEmpty():
                split.restoreState(state)

    def save_state(self) -> None:
        """Keep the geometry and splitter sizes for the next start."""
        s = settings()
        s.setValue("geometry", self.saveGeometry())
        for split in self._splits():
            s.setValue(split.objectName(), split.saveState())

    def _splits(self) -> tuple[QSplitter, ...]:
        return (self.outer_split, self.main_split, self.edit_split, self.run_split,
                self.side_split)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.controller.shutdown()  # no child outlives the window
        self.save_state()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(u.toLocalFile().endswith(SUFFIX) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls()
                 if u.toLocalFile().endswith(SUFFIX)]
        if files:
            # After the drop returns: a modal question inside a drop confuses some desktops.
            QTimer.singleShot(0, lambda: self.files.open_path(Path(files[0])))


class SpeedBox(QDoubleSpinBox):
    """The speed factor, shown as briefly as it reads: 1×, 2.5×, 0.25×."""

    def __init__(self) -> None:
        super().__init__()
        self.setDecimals(2)

    def textFromValue(self, value: float) -> str:  # Qt override
        return f"{value:g}"


def _splitter(orientation: Qt.Orientation, name: str, first: QWidget, second: QWidget,
              stretch: tuple[int, int]) -> QSplitter:
    split = QSplitter(orientation)
    split.setObjectName(name)
    split.addWidget(first)
    split.addWidget(second)
    split.setChildrenCollapsible(False)
    split.setStretchFactor(0, stretch[0])
    split.setStretchFactor(1, stretch[1])
    return split


def _as_float(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
