"""What the chart and the console show: the prediction alone before a run, the live run
over its prediction, a finished run from the session's history, or a replay of one.
One place decides, so the chart and the console never disagree about it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from mpgui.i18n import _
from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.session.steps import Steps
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.chart.chart import NO_RUN_DESCRIPTION, ChartWidget
from mpgui.ui.run.console import MAX_BLOCKS, ConsolePane
from mpgui.ui.run.history import RunHistory
from mpgui.ui.run.narration import describe_run, run_summary
from mpgui.ui.run.replay import ReplayController


class RunView(QObject):
    """Drives the chart and the console for the window."""

    shown_changed = Signal()  # another run (or none) is shown

    def __init__(self, chart: ChartWidget, console: ConsolePane,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chart, self.console = chart, console
        self.history = RunHistory(self)
        self.replay = ReplayController(self)
        self.replay.moved.connect(self._replay_moved)
        self.current: RunRecord | None = None  # the finished run shown, if any
        self.live: TraceStore | None = None  # the run in progress, if any
        self.show_prediction = True
        self._plan: TraceStore | None = None  # the prediction shown with no run
        self.shown_changed.connect(self._describe_chart)

    # -- before a run ------------------------------------------------------------------

    def clear(self, plan: TraceStore | None) -> None:
        """No run shown: the prediction `plan` (if shown at all), an empty console."""
        self.replay.close()
        self.current = self.live = None
        self._plan = plan
        self.chart.set_store(None)
        self.chart.set_plan(plan if self.show_prediction else None)
        self.console.start(None)
        self.shown_changed.emit()

    def set_plan(self, plan: TraceStore | None) -> None:
        """A new prediction for the scenario being edited: shown while no run is."""
        self._plan = plan
        if self.current is None and self.live is None:
            self.chart.set_plan(plan if self.show_prediction else None)

    def set_show_prediction(self, on: bool) -> None:
        """Show the ghost bars of the prediction, or not."""
        self.show_prediction = on
        if self.current is not None:
            self.chart.set_plan(self.current.plan() if on else None)
        elif self.live is None:
            self.chart.set_plan(self._plan if on else None)
        elif not on:
            self.chart.set_plan(None)

    # -- a live run --------------------------------------------------------------------

    def live_started(self, store: TraceStore, plan: TraceStore | None) -> None:
        """A run began: follow `store`, with `plan` under it."""
        self.replay.close()
        self.current, self.live = None, store
        self.chart.set_store(store)
        self.chart.set_plan(plan if self.show_prediction else None)
        self.console.start(store)
        self.shown_changed.emit()

    def live_frame(self, now_ns: int, running: bool) -> bool:
        """Redraw the live run once. False if the printed lines were left for the next
        tick: a step of the time axis repaints the whole chart, the longest frame of a
        run (those set the frames' 99th percentile), so it does nothing else."""
        if self.chart.refresh(now_ns, running):
            return False
        self.console.refresh()
        return True

    def live_finished(self, record: RunRecord) -> None:
        """The run ended: keep it in the history; it stays shown."""
        self.history.add(record)
        self.current, self.live = record, None
        self.shown_changed.emit()

    # -- recorded runs -----------------------------------------------------------------

    def show(self, record: RunRecord) -> None:
        """Show a finished run, all of it."""
        self.replay.close()
        self._load(record)
        store = record.store
        end = store.t_end if store.t_end is not None else store.t0
        self.chart.refresh(end, False)
        self.console.refresh(until=end, cap=MAX_BLOCKS)
        self.shown_changed.emit()

    def start_replay(self, record: RunRecord, play: bool = True) -> None:
        """Play `record` back from its beginning (or hold it there, unless `play`)."""
        self.replay.close()
        self._load(record)
        self.shown_changed.emit()
        self.replay.start(record, play)

    def _load(self, record: RunRecord) -> None:
        self.current, self.live = record, None
        self.chart.set_store(record.store)
        self.chart.set_plan(record.plan() if self.show_prediction else None)
        self.console.start(record.store)

    # -- in words --------------------------------------------------------------------------

    def description(self) -> list[str]:
        """The chart in sentences (`narration.describe_run`): the run shown (a replay's
        whole run), the one going on, or the prediction; [] with nothing drawn."""
        if self.current is not None:
            record = self.current
            steps = self.replay.steps() if self.replay.record is record else None
            return describe_run(record.store, _("{run} — {title}").format(
                                    run=record.title, title=record.scenario.about.title)
                                if record.scenario.about.title else record.title,
                                self.chart.n_cores, steps or Steps(record.store, None))
        if self.live is not None:
            return describe_run(self.live, _("The run going on (so far)"), self.chart.n_cores)
        if self._plan is not None and self.show_prediction:
            return describe_run(self._plan, _("No run yet: the chart shows the prediction "
                                              "(dashed outlines)"), self.chart.n_cores)
        return []

    def _describe_chart(self) -> None:
        """The chart's accessible description: what it shows, in one sentence."""
        record = self.current
        if record is None:
            self.chart.setAccessibleDescription(
                _("A run is going on: the chart draws it live. Enter, or Run → Describe "
                  "the Run (Ctrl+Alt+D), says what it has drawn so far.")
                if self.live is not None
                else NO_RUN_DESCRIPTION)
            return
        store = record.store
        t0 = store.t0 or 0
        end = store.t_end if store.t_end is not None else t0
        self.chart.setAccessibleDescription(
            run_summary(store, _("Run {number}").format(number=record.number),
                        (end - t0) / 1e9)
            + " " + _("Enter, or Run → Describe the Run (Ctrl+Alt+D), says it all in "
                      "sentences."))

    def _replay_moved(self, position: int) -> None:
        record = self.replay.record
        if record is None or record is not self.current:
            return
        t0 = record.store.t0 or 0
        self.chart.refresh(t0 + position, position < self.replay.duration, replay=True)
        self.console.refresh(until=t0 + position)
