"""A run's life in the window: Run (or a script) starts it — or says why it cannot —,
the chart, the console and the status bar follow it, Stop ends it, and once it is
over the session keeps it and the status bar says how it went.

What differs between a scenario's run and a traced script's (a prediction or none,
what the explanation says, the sentence at the end, the record kept) is asked of the
run itself (`runtime/session/run.py`); nothing here looks at which kind it is.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from mpgui.i18n import _
from mpgui.runtime.output.summary import others_note, versus_prediction, wall_seconds
from mpgui.runtime.parent.options import ScenarioError
from mpgui.runtime.session.run import Run, Status, run_sentence
from mpgui.ui import dialogs

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar, QWidget

    from mpgui.ui.chart.chart import ChartWidget
    from mpgui.ui.classroom.explanation import ExplanationPanel
    from mpgui.ui.classroom.presentation import PresentationHeader
    from mpgui.ui.editor.document import ScenarioDocument
    from mpgui.ui.run.compare_backends import BackendComparison
    from mpgui.ui.run.console import ConsolePane
    from mpgui.ui.run.controller import RunController
    from mpgui.ui.run.view import RunView
    from mpgui.ui.status import RunStatus
    from mpgui.ui.toolbar import SpeedBox
    from mpgui.ui.window_layout import WindowLayout

STATUS_EVERY_NS = 250_000_000  # a live run's status-bar clock: a few times a second
MESSAGE_MS = 10_000  # how long the sentence at a run's end stays in the status bar


class RunWindow(Protocol):
    """What a run's life needs of the window it runs in (the main window is one)."""

    doc: ScenarioDocument
    controller: RunController
    chart: ChartWidget
    console: ConsolePane
    view: RunView
    status: RunStatus
    speed: SpeedBox
    explanation: ExplanationPanel
    header: PresentationHeader
    comparison: BackendComparison
    layout_: WindowLayout

    @property
    def start_method(self) -> str: ...

    def statusBar(self) -> QStatusBar: ...

    def show_first_problem(self) -> None: ...


class RunLifecycle(QObject):
    """Starts, follows, stops and keeps the window's runs (through its RunController)."""

    changed = Signal()  # a run started, is being stopped, or ended: the actions follow

    def __init__(self, window: RunWindow, parent: QWidget) -> None:
        super().__init__(parent)
        self.window = window
        controller = self.controller = window.controller
        controller.started.connect(self._started)
        controller.frame.connect(self._frame)
        controller.text_frame.connect(window.console.show_new_lines)
        controller.polled.connect(self._polled)
        controller.finished.connect(self._finished)
        controller.error.connect(self._error)
        controller.paint_cost = lambda: window.chart.last_paint_ns
        self._parent = parent
        self._deadlock_box: QMessageBox | None = None  # the offer to stop a deadlocked run
        self._deadlock_said: object = None  # the run whose deadlock was said

    # -- what the user asks ------------------------------------------------------------

    def run(self, backend: str | None = None) -> None:
        """Start a run of the document's scenario, with another `backend` if given; if
        it cannot run, say why and show the first problem."""
        w = self.window
        if self.controller.running:
            return
        doc = w.doc
        problems = doc.errors()
        if problems:
            w.statusBar().showMessage(_("Cannot run: {problem}").format(
                problem=problems[0].text(doc.scenario)), 8000)
            w.show_first_problem()
            return
        scenario = doc.scenario if backend is None else replace(doc.scenario, backend=backend)
        try:
            self.controller.start(scenario, speed=w.speed.value(), start_method=w.start_method,
                                  name=doc.display_name, scheduler=w.backend.address)
        except (ScenarioError, OSError) as exc:
            dialogs.show_error(w, _("Cannot run"), str(exc))
        self.changed.emit()

    def run_script(self, path: Path) -> bool:
        """Run the user's script at `path`, traced; the scenario being edited stays as
        it is. True if it started."""
        if self.controller.running:
            return False
        try:
            self.controller.start_script(path)
        except OSError as exc:
            dialogs.show_error(self.window, _("Cannot run the script"), f"{path}: {exc}")
            return False
        finally:
            self.changed.emit()
        return True

    def stop(self) -> None:
        """Stop the run: SIGTERM now, SIGKILL after the grace period."""
        if self.controller.running:
            self.controller.stop()
            self.window.status.run_label.setText(_("Stopping…"))
            self.changed.emit()

    def run_or_stop(self) -> None:
        """Space in presentation mode: pause or play a replay, else run or stop."""
        replay = self.window.view.replay
        if replay.active:
            replay.toggle()
        elif self.controller.running:
            self.stop()
        else:
            self.run()

    # -- following the run -------------------------------------------------------------

    def _run(self) -> Run:
        run = self.controller.runner
        assert run is not None  # (the controller's signals come with a run)
        return run

    def _started(self) -> None:
        w, run = self.window, self._run()
        w.layout_.show_output()  # the lines, as they come
        w.view.live_started(run.store, run.plan())
        about = run.about()
        w.explanation.show_about(about)
        w.header.show_about(about, run.name)

    def _polled(self, frame_next: bool) -> None:
        self.window.chart.ingest(time.perf_counter_ns(), frame_next)

    def _frame(self) -> None:
        run = self.controller.runner
        if run is None:
            return
        w = self.window
        now = time.perf_counter_ns()
        if not w.view.live_frame(now, not run.done):
            self.controller.text_owed()  # (the lines at the very next tick)
        # A label whose text changes relayouts the status bar: a few times a second is
        # enough for a clock that shows tenths.
        if run.done or now - w.status.updated_at >= STATUS_EVERY_NS:
            w.status.show_runner(run)
        if run.deadlock is not None and self._deadlock_said is not run and not run.done:
            self._say_deadlock(run)

    def _say_deadlock(self, run: Run) -> None:
        """Processes of the run wait for each other: say who and what, once, and offer
        Stop (nothing else can end it)."""
        assert run.deadlock is not None
        self._deadlock_said = run
        text = run.deadlock.sentence(run.store)
        w = self.window
        w.console.note(f"— {text} —", error=True)
        names = [run.store.lanes[lane].var for lane in run.deadlock.lanes]
        if run.deadlock.main_waits:  # (its last member)
            names[-1] = _("the main program")
        # (Short: the bar is narrow.)
        if len(names) == 1:
            said = _("Deadlock: {who} waits for ever; Stop (Esc) ends the run")
        elif run.deadlock.joining or run.deadlock.main_waits:
            said = _("Deadlock: {who} wait for ever; Stop (Esc) ends the run")
        else:
            said = _("Deadlock: {who} wait for each other; Stop (Esc) ends the run")
        who = names[0] if len(names) == 1 else _("{these} and {last}").format(
            these=", ".join(names[:-1]), last=names[-1])
        w.statusBar().showMessage(said.format(who=who), MESSAGE_MS)
        self._deadlock_box = dialogs.offer_stop(
            self._parent, _("Deadlock"), _("{text}.\n\nNone of them can go on: "
                                           "{why}. Stop the run?").format(
                text=text, why=run.deadlock.why), self.stop)

    def _finished(self) -> None:
        if self._deadlock_box is not None:  # the run is over: the offer no longer applies
            self._deadlock_box.close()
            self._deadlock_box = None
        w, run = self.window, self._run()
        store = run.store
        stopped, finished = run.status is Status.STOPPED, run.status is Status.FINISHED
        wall = wall_seconds(store)
        versus = versus_prediction(store, w.chart.plan) if finished else ""
        ended = _("stopped after {seconds:.3f} s") if stopped \
            else _("finished in {seconds:.3f} s")
        w.console.note(f"— {ended.format(seconds=wall)}" + (f"; {versus}" if versus else "")
                       + " —")
        busy = others_note(store)  # a busy computer: say why the timings may be off
        if busy:
            w.console.note(f"— {busy} —")
        w.statusBar().showMessage(run_sentence(run.label, stopped, wall, run.details()),
                                  MESSAGE_MS)
        record = run.as_record()
        w.view.live_finished(record)  # (kept in the session's history, numbered)
        w.comparison.finished(record, finished)
        self.changed.emit()

    def _error(self, text: str) -> None:
        self.window.console.note(_("mpgui hit an internal error while polling (the run goes "
                                   "on):\n{error}").format(error=text), error=True)
