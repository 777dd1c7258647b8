"""Replay a recorded run: its clock played back at 0.25x to 4x, paused, scrubbed to any
moment, or stepped one event at a time (back and forth), while the chart and the console
show exactly what had been measured by then and the bar says what happened at the event
stepped to. A demo prepared before class plays the same every time."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mpgui.i18n import _
from mpgui.model.codegen import CodeMap, code_map
from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.session.replay import Replay
from mpgui.runtime.session.steps import FILTERS, Kind, Moment, Steps
from mpgui.ui.icons import icon
from mpgui.ui.run.narration import sentence

TICK_MS = 16  # one frame of playback
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
SLIDER_STEPS = 1000
# What the bar's "step:" box shows for each of `FILTERS` (its keys are identifiers).
FILTER_NAMES = {"every event": _("step: every event"), "start()": _("step: start()"),
                "join()": _("step: join()"), "print": _("step: print"),
                "state change": _("step: state change"),
                "shared objects": _("step: shared objects"), "exit": _("step: exit")}


class ReplayController(QObject):
    """Drives a Replay (runtime/session/replay.py) from a timer; `moved` on every change of
    position."""

    moved = Signal(object)  # ns since the run began (an int: past 2**31, not a C int)
    state_changed = Signal()  # playing, paused, speed, or the replay ended
    stepped = Signal(object)  # the Moment stepped to; None once the clock moves otherwise

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run: Replay | None = None  # the replay on, if any
        self.speed = 1.0  # the next replay's too (the bar keeps the choice)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.only: frozenset[Kind] | None = None  # what a step stops at (None: any event)
        self.moment: Moment | None = None  # the moment stepped to, while the clock is there
        self._steps: tuple[RunRecord, Steps] | None = None  # the last run's, built once
        self._code: tuple[RunRecord, CodeMap] | None = None  # ... and its script's lines

    @property
    def active(self) -> bool:
        """A run is loaded for replay (playing or paused)."""
        return self.run is not None

    @property
    def record(self) -> RunRecord | None:
        """The run replayed, if any."""
        return self.run.record if self.run is not None else None

    @property
    def position(self) -> int:
        """ns since the run began (0 with no replay)."""
        return self.run.position if self.run is not None else 0

    @property
    def duration(self) -> int:
        """The replayed run's length in ns (0 with no replay)."""
        return self.run.duration if self.run is not None else 0

    @property
    def playing(self) -> bool:
        """The clock moves."""
        return self.run is not None and self.run.playing

    def start(self, record: RunRecord, play: bool = True) -> None:
        """Replay `record` from its beginning (paused there unless `play`)."""
        self._timer.stop()
        self._left_moment()
        self.run = Replay(record, self.speed)
        self.moved.emit(0)
        self.run.start()
        if play:
            self._timer.start()
        else:
            self.run.pause()
        self.state_changed.emit()

    # -- stepping ----------------------------------------------------------------------

    def steps(self) -> Steps | None:
        """The moments of the run replayed (built when first asked for)."""
        record = self.record
        if record is None:
            return None
        if self._steps is None or self._steps[0] is not record:
            self._steps = (record, Steps(record.store, None if record.script
                                         else record.scenario))
        return self._steps[1]

    def code_line(self, moment: Moment) -> int | None:
        """The line of the run's script (as the Python code tab shows it) that `moment`
        belongs to; None for a traced script's run or an event of no line."""
        record = self.record
        if record is None or record.script:
            return None
        if self._code is None or self._code[0] is not record:
            self._code = (record, code_map(record.scenario, speed=record.speed,
                                           start_method=record.start_method))
        return self._code[1].line(moment.step, moment.row, moment.what)

    def set_filter(self, name: str) -> None:
        """Step to the events `FILTERS[name]` names only ("print", ...)."""
        self.only = FILTERS[name]

    def step(self, forward: bool = True) -> Moment | None:
        """Pause and move the clock to the next event (or the one before) of the kinds
        `only`; returns that moment (None if there is none that way: nothing moves)."""
        steps = self.steps()
        run = self.run
        if steps is None or run is None:
            return None
        if self.playing:
            self.pause()
        at = self.moment.index if self.moment is not None else None
        if forward:
            j = steps.next(at, run.position, self.only)
        else:
            j = steps.previous(at, run.position, self.only)
        if j is None:
            return None
        moment = steps.moment(j)
        run.seek(moment.t)
        self.moment = moment
        self.moved.emit(run.position)
        self.stepped.emit(moment)
        return moment

    def _left_moment(self) -> None:
        """The clock moved other than by a step: no event is the current one."""
        if self.moment is not None:
            self.moment = None
            self.stepped.emit(None)

    def play(self) -> None:
        """Play on (from the start again if it was at the end)."""
        if self.run is None:
            return
        before = self.run.position
        self._left_moment()
        self.run.play()
        if self.run.position != before:
            self.moved.emit(self.run.position)
        self._timer.start()
        self.state_changed.emit()

    def pause(self) -> None:
        """Hold the picture where it is."""
        if self.run is not None:
            self.run.pause()
        self._timer.stop()
        self.state_changed.emit()

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def seek(self, position: int) -> None:
        """Jump to `position` ns since the run began."""
        if self.run is not None:
            self._left_moment()
            self.run.seek(position)
            self.moved.emit(self.run.position)

    def set_speed(self, speed: float) -> None:
        """Play `speed` times as fast as the run happened."""
        self.speed = speed
        if self.run is not None:
            self.run.speed = speed
        self.state_changed.emit()

    def close(self) -> None:
        """End the replay (the run stays shown as it ended)."""
        if self.run is None:
            return
        self._timer.stop()
        self._left_moment()
        self.run.stop()
        self.moved.emit(self.run.position)
        self.run = None
        self.state_changed.emit()

    def _tick(self) -> None:
        run = self.run
        if run is None:
            self._timer.stop()
            return
        run.poll()
        self.moved.emit(run.position)
        if not run.playing:
            self.pause()


class ReplayBar(QWidget):
    """Play/pause, a scrub slider, the time, the speed and Close, for a replay; under
    them, stepping event by event: back, next, what to stop at, and what happened."""

    def __init__(self, replay: ReplayController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.replay = replay
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        row = QHBoxLayout()
        self.title = QLabel()
        self.play_button = QToolButton()
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.play_button.setToolTip(_("Play or pause the replay (Space in presentation mode)"))
        self.play_button.clicked.connect(replay.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setToolTip(_("Drag to any moment of the run"))
        self.slider.valueChanged.connect(self._scrubbed)
        self.time_label = QLabel()
        self.speed_box = QComboBox()
        for s in SPEEDS:
            self.speed_box.addItem(_("{speed:g}×").format(speed=s), s)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setToolTip(_("Replay speed: how much faster than the run happened"))
        self.speed_box.currentIndexChanged.connect(
            lambda _i: replay.set_speed(float(self.speed_box.currentData())))
        close = QToolButton()
        close.setText(_("Close replay"))
        close.setToolTip(_("Stop replaying; the whole run stays on the chart"))
        close.clicked.connect(replay.close)
        row.addWidget(self.title)
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.time_label)
        row.addWidget(self.speed_box)
        row.addWidget(close)
        rows.addLayout(row)
        steps = QHBoxLayout()
        self.back_button = QToolButton()
        self.back_button.setText(_("◀ Back"))
        self.back_button.setToolTip(_("Step back to the event before (Alt+Left)"))
        self.back_button.clicked.connect(lambda: replay.step(forward=False))
        self.next_button = QToolButton()
        self.next_button.setText(_("Next ▶"))
        self.next_button.setToolTip(_("Step to the next event (Alt+Right); the Python code "
                                      "tab marks its line"))
        self.next_button.clicked.connect(lambda: replay.step(forward=True))
        self.filter_box = QComboBox()
        for name in FILTERS:
            self.filter_box.addItem(FILTER_NAMES[name], name)
        self.filter_box.setToolTip(_("Which events a step stops at: every event, or only "
                                     "start() calls, joins, printed lines, changes of "
                                     "state, shared objects or ends"))
        self.filter_box.currentIndexChanged.connect(
            lambda _i: replay.set_filter(str(self.filter_box.currentData())))
        self.moment_label = QLabel()
        self.moment_label.setWordWrap(True)
        self.moment_label.setTextFormat(Qt.TextFormat.PlainText)
        self.moment_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        steps.addWidget(self.back_button)
        steps.addWidget(self.next_button)
        steps.addWidget(self.filter_box)
        steps.addWidget(self.moment_label, 1)
        rows.addLayout(steps)
        for widget, name in ((self.play_button, _("Play or pause")),
                             (self.slider, _("Replay position")),
                             (self.speed_box, _("Replay speed")), (close, _("Close replay")),
                             (self.back_button, _("Step back")),
                             (self.next_button, _("Step forward")),
                             (self.filter_box, _("Step to")),
                             (self.moment_label, _("Event stepped to"))):
            widget.setAccessibleName(name)
            widget.setAccessibleDescription(widget.toolTip())
        replay.moved.connect(self._moved)
        replay.state_changed.connect(self._state)
        replay.stepped.connect(self._stepped)
        self._state()
        self._stepped(None)

    def _scrubbed(self, value: int) -> None:
        self.replay.seek(round(self.replay.duration * value / SLIDER_STEPS))

    def _moved(self, position: int) -> None:
        duration = max(1, self.replay.duration)
        self.slider.blockSignals(True)
        self.slider.setValue(round(SLIDER_STEPS * position / duration))
        self.slider.blockSignals(False)
        self.time_label.setText(_("{position:6.2f} / {duration:.2f} s").format(
            position=position / 1e9, duration=self.replay.duration / 1e9))

    def _stepped(self, moment: Moment | None) -> None:
        record = self.replay.record
        if moment is None or record is None:
            self.moment_label.setText(_("Step through the run one event at a time: "
                                        "Next ▶ (Alt+Right), ◀ Back (Alt+Left)."))
            return
        steps = self.replay.steps()
        total = len(steps) if steps is not None else 0
        where = self.replay.code_line(moment)
        said = sentence(record.store, moment)
        if where is None:
            text = _("Event {n} of {total} · {t:.3f} s — {sentence}").format(
                n=moment.index + 1, total=total, t=moment.t / 1e9, sentence=said)
        else:
            text = _("Event {n} of {total} · {t:.3f} s · line {line} — {sentence}").format(
                n=moment.index + 1, total=total, t=moment.t / 1e9, line=where, sentence=said)
        self.moment_label.setText(text)

    def _state(self) -> None:
        replay = self.replay
        self.setVisible(replay.active)
        self.play_button.setText(_("Pause") if replay.playing else _("Play"))
        self.play_button.setIcon(icon("pause" if replay.playing else "replay"))
        if replay.record is not None:
            self.title.setText(_("Replay of run {number}:").format(number=replay.record.number))
            self.title.setToolTip(replay.record.title)
