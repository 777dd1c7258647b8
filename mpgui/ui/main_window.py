"""The main window: edit the scenario, run it, watch the chart and the console.

    ┌ toolbars: Run · Stop · Follow · Present │ speed · start method │ run as · scheduler ┐
    │ Scenarios │ Processes (table)                   │ Main program (steps)         │
    │ (gallery) ├─────────────────────────────────────┼──────────────────────────────┤
    │ ◀  ▶ Reset│ [replay bar] legend + swim-lane     │ About this scenario          │
    │           │ chart (prediction as ghost bars)    │ [Output | Python]            │
    └ status: running / finished · start method · CPUs ───────────────────────────────┘

The window owns no data: the ScenarioDocument holds the scenario, the RunController the
live run, the RunView what the chart and console show (and the session's runs). The
RunLifecycle starts, follows, stops and keeps runs; action_states says when each
action is enabled. This class builds the widgets, wires them, and applies that table.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from mpgui.i18n import _
from mpgui.model.builtins import DEFAULT_SCENARIO, pack_of, resolve_scenario
from mpgui.model.fileformat import SUFFIX, ScenarioFileError
from mpgui.model.filekind import PACK, PACK_SUFFIX, RUN, SCRIPT, SCRIPT_SUFFIXES, file_kind
from mpgui.model.scenario import Scenario
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.output.runfile import SUFFIX as RUN_SUFFIX
from mpgui.runtime.session.record import prediction
from mpgui.runtime.session.steps import Moment
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui import dialogs
from mpgui.ui.accessibility import name_parts
from mpgui.ui.action_states import Enablable, WindowState, apply
from mpgui.ui.actions import make_action
from mpgui.ui.appearance import Appearance
from mpgui.ui.chart.chart import ChartWidget
from mpgui.ui.chart.legend import ChartLegend
from mpgui.ui.classroom.exercise import ExerciseCoach, solved_exercises
from mpgui.ui.classroom.explanation import ExplanationPanel
from mpgui.ui.classroom.gallery import GalleryActions, GalleryList, gallery_panel
from mpgui.ui.classroom.gallery_picker import GalleryPicker
from mpgui.ui.classroom.packs import LessonPacks
from mpgui.ui.classroom.presentation import Presentation, PresentationHeader
from mpgui.ui.editor import recovery
from mpgui.ui.editor.code_view import CodeView
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.editor.files import FileActions
from mpgui.ui.editor.objects_table import ObjectsView
from mpgui.ui.editor.process_table import ProcessTableView
from mpgui.ui.editor.program_editor import ProgramView
from mpgui.ui.editor.recovery import Autosave
from mpgui.ui.help.menu import HelpActions
from mpgui.ui.icons import icon
from mpgui.ui.panels import restyle_titles
from mpgui.ui.run.compare_backends import BackendComparison
from mpgui.ui.run.console import ConsolePane
from mpgui.ui.run.controller import RunController
from mpgui.ui.run.lifecycle import RunLifecycle
from mpgui.ui.run.menu import RunMenu
from mpgui.ui.run.replay import ReplayBar
from mpgui.ui.run.script_trace import ScriptActions
from mpgui.ui.run.view import RunView
from mpgui.ui.screen_fit import fit_to_screen
from mpgui.ui.settings import settings
from mpgui.ui.status import MessageBar, RunStatus
from mpgui.ui.theme import mono_font
from mpgui.ui.toolbar import (
    BackendBox,
    MethodBox,
    ProblemLabel,
    SpeedBox,
    ToolbarFit,
    backend_toolbar,
    options_toolbar,
    run_toolbar,
)
from mpgui.ui.view_menu import ViewActions
from mpgui.ui.window_layout import WindowLayout

PLAN_DELAY_MS = 150  # the prediction follows edits once typing pauses
FIRST_SIZE = (1500, 900)  # the window's first size where the screen has room for it
# The most width the window ever insists on: what a 1024 x 768 screen holds, a window
# manager's borders aside. Folded (narrow toolbars, the side panes as tabs) the window
# fits in that at every zoom (the layout tests check it). Unfolded it can need more
# (~1,175 px at 100 %), but it is unfolded only when wider than it needs
# (window_layout.COMPACT_BELOW_PX), so the cap never squeezes the panes it shows.
MOST_MINIMUM_WIDTH = 1000


class MainWindow(QMainWindow):
    """mpgui's window."""

    def __init__(self, *, speed: float | None = None, start_method: str | None = None) -> None:
        super().__init__()
        self._clamp_on_show = False  # a remembered geometry: bring it inside the screen
        self.appearance = Appearance(self)
        theme = self.theme = self.appearance.theme
        self.setWindowTitle("mpgui")
        self.setAcceptDrops(True)
        self.doc = ScenarioDocument(Scenario(), parent=self)
        self.controller = RunController(self)
        self.files = FileActions(self, self.doc)
        self.scripts = ScriptActions(self, self.run_script)
        self.autosave = Autosave(self.doc, self)  # unsaved edits survive a crash
        self.table = ProcessTableView(self.doc, theme)
        self.program = ProgramView(self.doc, theme)
        self.objects = ObjectsView(self.doc, theme)
        self.chart = ChartWidget(theme)
        self.legend = ChartLegend(theme)
        self.console = ConsolePane(theme)
        self.explanation = ExplanationPanel(theme)
        self.code = CodeView(self.doc)
        self.gallery = GalleryList()
        self.gallery_actions = GalleryActions(self, self.doc, self.files, self.gallery)
        self.packs = LessonPacks(self, self.reload_gallery, self.files.open_builtin)
        self.view = RunView(self.chart, self.console, self)
        self.runs = RunMenu(self, self.view, self.files, self.appearance)
        self.comparison = BackendComparison(self, self.run,
                                            lambda a, b: self.runs.compare().choose(a, b))
        self.view_actions = ViewActions(self, self.appearance, self.toggle_presentation,
                                        self._show_prediction)
        self.view.show_prediction = self.view_actions.actions["prediction"].isChecked()
        self.replay_bar = ReplayBar(self.view.replay)
        self.header = PresentationHeader()
        self.exercises = ExerciseCoach(self, self.doc, self.controller, self.explanation,
                                       self.header, self.gallery, self.console)
        self.speed = SpeedBox(speed)
        self.method = MethodBox(start_method)
        self.backend = BackendBox(self.doc)
        self.problem_label = ProblemLabel()
        self.setStatusBar(MessageBar(self))
        self.status = RunStatus(self.statusBar(), self.problem_label)
        self._plan_timer = QTimer(self, singleShot=True, interval=PLAN_DELAY_MS,
                                  timeout=lambda: self.view.set_plan(self.prediction()))
        self._build_actions()
        self.run_bar = run_toolbar(self.acts)
        self.options_bar = options_toolbar(self.speed, self.method)
        self.backend_bar = backend_toolbar(self.backend)
        bars = [self.run_bar, self.options_bar, self.backend_bar]
        for bar in bars:
            self.addToolBar(bar)
        self.toolbar_fit = ToolbarFit(self, bars, [self.method, self.backend])
        self._build_layout()
        self._build_menus()
        self.presentation = Presentation(
            self, self.appearance, self.header,
            lambda on: self.layout_.set_presenting(not on),
            self.chart,
            [self.acts["space"], self.acts["replay_key"], self.acts["step_key"],
             self.acts["step_back_key"]])
        self.lifecycle = RunLifecycle(self, parent=self)
        self._connect()
        self._method_changed()
        self._restore_state()
        self.appearance.apply()
        self._update_actions()
        self._update_title()
        # Folded or not before the first show, for the width it will have: laying the
        # panes out twice would cost the start-up ~50 ms.
        maximized = self.windowState() & Qt.WindowState.WindowMaximized
        width = self.screen().availableGeometry().width() if maximized else self.width()
        self.layout_.adapt(width, self.appearance.zoom)
        self.toolbar_fit.fit(width)

    # -- building ----------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.acts: dict[str, QAction] = {
            "run": make_action(self, _("&Run"), ["F5", "Ctrl+R"], self.run,
                               _("Start the processes as the main program says"),
                               icon=icon("run")),
            "stop": make_action(self, _("S&top"), ["Esc"], self.stop, _("Stop the run: terminate "
                                "every child (kill it if it does not stop)"),
                                icon=icon("stop")),
            "follow": make_action(self, _("&Follow the Run"), ["Ctrl+L"], self.chart.follow,
                                  _("Show the whole run up to now again after you panned or "
                                    "zoomed the chart"), short=_("Follow"),
                                  icon=icon("follow")),
            "quit": make_action(self, _("&Quit"), "Ctrl+Q",
                                self.close, _("Quit mpgui (a run in progress is stopped)")),
            # Single keys for presentation mode only (elsewhere they are typing).
            "space": make_action(self, _("Run or Stop"), "Space", self.run_or_stop,
                                 _("Run, or stop the run (or pause the replay)")),
            "replay_key": make_action(self, _("Replay"), "R", self.runs.replay,
                                      _("Replay the last run")),
            "step_key": make_action(self, _("Next Event"), "Right",
                                    lambda: self.runs.step(True),
                                    _("Step the replay to the next event")),
            "step_back_key": make_action(self, _("Previous Event"), "Left",
                                         lambda: self.runs.step(False),
                                         _("Step the replay back to the event before")),
            "compare_backends": make_action(
                self, _("Compare &Backends"), "Ctrl+Alt+B",
                lambda: self.comparison.start(self.doc.scenario),
                _("Run this scenario twice — as processes, then as threads (a pool's: then as "
                  "a pool; Dask tasks: as a pool, then on Dask) — and show the two runs one "
                  "above the other, the first on top")),
            "present": self.view_actions.actions["present"],
            "replay": self.runs.actions["replay"],
        }
        self.acts["follow"].setCheckable(True)
        self.acts["follow"].setChecked(True)
        stack = self.doc.undo_group  # follows the open scenario's own history
        self.acts["undo"] = stack.createUndoAction(self, _("&Undo"))
        self.acts["undo"].setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.acts["redo"] = stack.createRedoAction(self, _("&Redo"))
        self.acts["redo"].setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.acts["undo"].setStatusTip(_("Undo the last edit of this scenario"))
        self.acts["redo"].setStatusTip(_("Do again the edit just undone"))
        # Shortcuts work whichever pane has the focus, and with the menu bar hidden.
        for group in (self.acts, self.files.actions, self.scripts.actions,
                      self.gallery_actions.actions, self.exercises.actions,
                      self.packs.actions,
                      self.view_actions.actions,
                      self.runs.actions, self.code.actions_,
                      {"add_object": self.objects.actions_["add"]}):
            self.addActions(list(group.values()))

    def _build_layout(self) -> None:
        t, p, c = self.table.actions_, self.program.actions_, self.code.actions_
        g = self.gallery_actions.actions
        self.layout_ = WindowLayout(
            gallery_box=gallery_panel(self.gallery, [g["previous"], g["next"], g["reset"]]),
            gallery_picker=GalleryPicker(self.gallery, [g["previous"], g["next"], g["reset"]],
                                         self.doc),
            table=self.table, table_actions=[t[k] for k in ("add", "duplicate", "remove",
                                                             "up", "down")],
            program=_stacked(self.objects, self.program),
            program_actions=[*(p[k] for k in ("add", "remove", "up", "down")),
                             self.objects.actions_["add"]],
            chart=self.chart, above_chart=[self.replay_bar, self.legend],
            explanation=self.explanation, console=self.console, code=self.code,
            code_actions=[c["copy"], c["save"]], header=self.header)
        self.tabs = self.layout_.tabs
        self.setCentralWidget(self.layout_.central)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu(_("&File"))
        fa = self.files.actions
        f.addActions([fa["new"], fa["open"]])
        f.addMenu(self.files.recent_menu)
        f.addSeparator()
        f.addActions(list(self.scripts.actions.values()))
        f.addSeparator()
        f.addActions(list(self.packs.actions.values()))
        f.addSeparator()
        f.addActions([fa["save"], fa["save_as"], self.code.actions_["save"]])
        f.addSeparator()
        f.addMenu(self.runs.export_menu)
        f.addSeparator()
        f.addAction(self.acts["quit"])
        e = bar.addMenu(_("&Edit"))
        e.addActions([self.acts["undo"], self.acts["redo"]])
        e.addSeparator()
        e.addAction(self.code.actions_["copy"])
        e.addSeparator()
        e.addActions(list(self.table.actions_.values()))
        e.addSeparator()
        e.addActions(list(self.program.actions_.values()))
        e.addSeparator()
        e.addActions(self.objects.actions_for_menu())
        self.view_actions.fill(bar.addMenu(_("&View")))
        g = bar.addMenu(_("&Scenarios"))
        g.addActions(list(self.gallery_actions.actions.values()))
        g.addSeparator()
        g.addActions(list(self.exercises.actions.values()))
        g.addSeparator()
        g.addMenu(self.files.builtin_menu)
        r = bar.addMenu(_("&Run"))
        r.addActions([self.acts["run"], self.acts["stop"], self.acts["compare_backends"]])
        r.addSeparator()
        r.addAction(self.acts["follow"])
        r.addSeparator()
        self.runs.fill(r)
        self.help_actions = HelpActions(self)
        self.help_actions.fill(bar.addMenu(_("&Help")))
        self.addActions(list(self.help_actions.actions.values()))  # F1 without the menu bar

    def _connect(self) -> None:
        doc = self.doc
        doc.changed.connect(self._update_actions)
        doc.changed.connect(self._show_about)
        doc.changed.connect(self._plan_timer.start)
        doc.changed.connect(self._show_backend)
        doc.file_changed.connect(self._update_title)
        self.files.loaded.connect(self._on_loaded)
        self.lifecycle.changed.connect(self._update_actions)
        self.table.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.program.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        doc.refused.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.chart.follow_changed.connect(self.acts["follow"].setChecked)
        self.chart.plan_shown.connect(self.legend.set_show_plan)
        self.chart.backend_shown.connect(self.legend.set_backend)
        self.chart.extras_shown.connect(self.legend.set_extras)
        self.speed.valueChanged.connect(self._speed_changed)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.problem_label.linkActivated.connect(lambda _link: self.show_first_problem())
        self.chart.placeholder.show_cell.connect(self.show_first_problem)
        self.view.shown_changed.connect(self._update_actions)
        self.view.history.changed.connect(self._update_actions)
        self.view.replay.state_changed.connect(self._update_actions)
        self.view.replay.stepped.connect(self._mark_code_line)
        self.chart.describe_requested.connect(self.runs.describe)
        self.presentation.toggled.connect(self.acts["present"].setChecked)
        self.presentation.toggled.connect(self.gallery_actions.set_presenting)
        self.appearance.changed.connect(self._restyle)

    def _mark_code_line(self, moment: Moment | None) -> None:
        """The Python code tab marks the line of the event stepped to — when it shows
        the script of the run replayed (not one edited since)."""
        replay = self.view.replay
        record = replay.record
        self.code.update_code()  # (an edit's regeneration may still be waiting)
        line = replay.code_line(moment) if moment is not None else None
        same = record is not None and record.scenario == self.doc.scenario
        self.code.mark_line(line if same else None)

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
                    dialogs.show_error(self, _("Cannot open scenario"), str(exc))
                continue
            self.doc.load(scenario, path=path.resolve() if path else None,
                          builtin=None if path else candidate)
            self._on_loaded()
            return

    def offer_recovery(self) -> bool:
        """Offer the unsaved edits a crashed window left (at start-up)."""
        return recovery.offer(self, self.files)

    def _on_loaded(self) -> None:
        if self.controller.running:  # the run shows the old scenario: end it
            self.controller.shutdown()
        self._plan_timer.stop()
        self.view.clear(self.prediction())
        self.table.select_row(0)
        where = str(self.doc.path) if self.doc.path else (self.doc.builtin or "")
        if where:
            settings().setValue("last_scenario", where)
        self._update_actions()

    def _show_about(self) -> None:
        about = self.doc.scenario.about
        pack = pack_of(self.doc.builtin) if self.doc.builtin else None
        self.explanation.set_images(pack[1] if pack else None)  # (a pack's own images)
        self.header.set_images(pack[1] if pack else None)
        self.explanation.show_about(about)
        self.header.show_about(about, self.doc.display_name)

    def reload_gallery(self) -> None:
        """List the built-ins again (a lesson pack was imported or removed), marks and
        all."""
        self.gallery.fill()
        self.gallery_actions.sync()
        self.gallery.mark_solved(solved_exercises())

    def prediction(self) -> TraceStore | None:
        """The predicted schedule of the document's scenario at the toolbar's speed, or
        None if it cannot run."""
        if self.doc.errors():
            return None
        return prediction(self.doc.scenario, cpu_count(), self.speed.value())

    def _show_backend(self) -> None:
        self.layout_.show_backend(self.doc.scenario.backend)
        # A pool shows its workers box: the toolbars may need another row, once it is in.
        QTimer.singleShot(0, lambda: self.toolbar_fit.fit(self.width()))

    def show_first_problem(self) -> None:
        """Select the cell of the first error, so its tooltip and tint are in view (out
        of presentation mode, where the editors are hidden)."""
        problems = self.doc.errors() or self.doc.problems
        if not problems:
            return
        if self.presentation.active:
            self.presentation.leave()
        first = problems[0]
        if first.section == "process":
            self.table.focus_cell(first.row, first.field)
        elif first.section == "step":
            self.program.select_row(first.row)
            self.program.setFocus()
        elif first.section == "object":
            self.objects.select_row(first.row)
            self.objects.setFocus()

    # -- running -----------------------------------------------------------------------

    @property
    def start_method(self) -> str:
        """The chosen start method."""
        return self.method.method

    def run(self, backend: str | None = None) -> None:
        """Start a run of the current scenario (F5), with another `backend` if given."""
        self.lifecycle.run(backend)

    def run_script(self, path: Path) -> bool:
        """Run the user's script at `path`, traced (File > Open Python Script…); the
        scenario being edited stays as it is. True if it started."""
        return self.lifecycle.run_script(path)

    def stop(self) -> None:
        """Stop the run (Esc): SIGTERM now, SIGKILL after the grace period."""
        self.lifecycle.stop()

    def run_or_stop(self) -> None:
        """Space in presentation mode: pause or play a replay, else run or stop."""
        self.lifecycle.run_or_stop()

    # -- presentation and appearance -----------------------------------------------------

    def toggle_presentation(self) -> None:
        """Enter or leave presentation mode (F11)."""
        self.presentation.toggle()

    def _show_prediction(self, on: bool) -> None:
        settings().setValue("show_prediction", on)
        self.view.set_show_prediction(on)

    def _restyle(self) -> None:
        """The theme or the zoom changed: everything that draws itself follows."""
        a = self.appearance
        QTimer.singleShot(0, self._adapt)  # once the new fonts have resized the widgets
        QTimer.singleShot(0, self.status.fit_widths)
        self.theme = theme = a.theme
        self.chart.set_style(theme, a.zoom)
        self.legend.set_style(theme, a.zoom)
        self.console.setFont(mono_font())
        self.console.set_style(theme)
        self.code.setFont(mono_font())
        self.code.highlighter.set_dark(theme.dark)
        self.explanation.set_theme(theme)
        self.exercises.set_theme(theme)
        for model in (self.table.model_, self.program.model_, self.objects.model_):
            model.set_theme(theme)
        restyle_titles(self)

    # -- keeping the window true -------------------------------------------------------

    def window_state(self) -> WindowState:
        """What the actions' enabled states depend on, now (see action_states)."""
        view = self.view
        return WindowState(
            runnable=not self.doc.errors(), running=self.controller.running,
            stopping=self.controller.stopping, live=view.live is not None,
            shown=view.current is not None, runs=len(view.history.runs),
            plan=self.chart.plan is not None, script=self.scripts.path is not None)

    def enablables(self) -> dict[str, Enablable]:
        """Everything the actions' table enables, by its name there."""
        targets: dict[str, Enablable] = {**self.runs.actions, **self.scripts.actions,
                                         "speed": self.speed, "method": self.method}
        targets.update({k: self.acts[k] for k in ("run", "compare_backends", "stop")})
        return targets

    def _update_actions(self) -> None:
        running = self.controller.running
        apply(self.window_state(), self.enablables())
        run_tip = self.problem_label.show_problems(self.doc.scenario, self.doc.problems,
                                                   self.theme)
        self.acts["run"].setToolTip(run_tip)
        self.acts["run"].setStatusTip(run_tip)
        errors = self.doc.errors()
        if errors and not running and self.view.current is None and self.view.live is None:
            self.chart.placeholder.show_problem(errors[0].text(self.doc.scenario),
                                                len(errors) - 1, self.theme)
        else:
            self.chart.placeholder.hide()
        if not running:
            if self.view.current is None and self.controller.runner is not None \
                    and self.view.live is not None:
                self.status.show_runner(self.controller.runner)
            else:
                self.status.show_record(self.view.current, self.view.replay.run,
                                        blocked=bool(errors))

    def _update_title(self) -> None:
        self.setWindowTitle(_("{name}[*] — mpgui").format(name=self.doc.display_name))
        self.setWindowModified(self.doc.modified)
        self._show_about()

    def _method_changed(self) -> None:
        m = self.start_method
        self.code.set_run_options(self.speed.value(), m)
        self.status.show_method(m)
        settings().setValue("start_method", m)

    def _speed_changed(self, value: float) -> None:
        settings().setValue("speed", value)
        self.code.set_run_options(value, self.start_method)
        self._plan_timer.start()

    # -- state and closing -------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = settings().value("geometry")
        if not (isinstance(geometry, QByteArray) and not geometry.isEmpty()
                and self.restoreGeometry(geometry)):
            self._fit_first_start()
        else:  # remembered on another (larger) screen: brought inside this one
            fit_to_screen(self)
            self._clamp_on_show = True
        self.layout_.restore(settings())

    def _fit_first_start(self) -> None:
        """The first start: a comfortable size on a large screen, the whole screen on a
        school laptop or a projector."""
        screen = self.screen().availableGeometry()
        if screen.width() < FIRST_SIZE[0] + 80 or screen.height() < FIRST_SIZE[1] + 60:
            self.setGeometry(screen)
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        else:
            self.resize(*FIRST_SIZE)
            self.move(screen.center() - self.rect().center())

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        QTimer.singleShot(0, lambda: name_parts(self))  # (Qt's own parts exist by then)
        if self._clamp_on_show:  # now the window manager's frame is known: inside it
            self._clamp_on_show = False
            QTimer.singleShot(0, lambda: fit_to_screen(self))

    def event(self, event: QEvent) -> bool:  # Qt override
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # the layout has just been laid out
            self._cap_minimum_width()
        return handled

    def _cap_minimum_width(self) -> None:
        """The window's minimum width is its layout's, but never more than
        MOST_MINIMUM_WIDTH. Qt would hold the window to the minimum of the layout it
        has now: unfolded on a desk monitor (~1,175 px with a Dask scenario's toolbars,
        more at a large zoom), a window then put on a 1024 x 768 projector, or whose
        screen's resolution was lowered, stayed too wide for it, because it folds only
        once it has been made narrower. (Set explicitly, so the layout leaves it.)"""
        width = min(self.layout().totalMinimumSize().width(), MOST_MINIMUM_WIDTH)
        if width != self.minimumWidth():
            self.setMinimumWidth(width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._adapt()

    def _adapt(self) -> None:
        """Fold or unfold the panes and the toolbars for the window's width."""
        self.layout_.adapt(self.width(), self.appearance.zoom)
        self.toolbar_fit.fit(self.width())
        if self.header.isVisible():
            self.header.fit()

    def save_state(self) -> None:
        """Keep the geometry and splitter sizes for the next start."""
        if self.presentation.active:
            self.presentation.leave()  # keep the desk layout, not the projector's
        settings().setValue("geometry", self.saveGeometry())
        self.layout_.save(settings())

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.may_quit():  # the open scenario and the kept built-ins, at once
            event.ignore()
            return
        self.controller.shutdown()  # no child outlives the window
        self.view.replay.close()
        self.save_state()
        self.autosave.discard()  # a normal close: nothing to recover
        self.files.session.discard_all()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(_droppable(u.toLocalFile()) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if _droppable(u.toLocalFile())]
        if not files:
            return
        path = Path(files[0])
        # After the drop returns: a modal question inside a drop confuses some desktops.
        QTimer.singleShot(0, lambda: self.open_file(path))

    def open_file(self, path: Path) -> bool:
        """Open `path` by what it is (filekind: its suffix, else its first bytes): a run
        file, a Python script (traced, after the trust question), a lesson pack (or a
        folder of one: imported) or a scenario."""
        kind = file_kind(path)
        if kind == PACK or path.is_dir():
            return self.packs.import_path(path)

        if kind == RUN:
            return self.runs.open_run_path(path) is not None
        if kind == SCRIPT:
            return self.scripts.open_path(path)
        return self.files.open_path(path)


def _stacked(above: QWidget, below: QWidget) -> QWidget:
    """`above` (sized to its content) over `below` (taking the rest)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(4)
    column.addWidget(above)
    column.addWidget(below, 1)
    return box


def _droppable(name: str) -> bool:
    # (a folder: a lesson pack's, to import)
    return name.endswith((SUFFIX, RUN_SUFFIX, PACK_SUFFIX, *SCRIPT_SUFFIXES)) \
        or (bool(name) and Path(name).is_dir())
