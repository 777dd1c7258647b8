"""Replay a recorded run: its clock played back at 0.25x to 4x, paused, or scrubbed to
any moment, while the chart and the console show exactly what had been measured by
then. A demo prepared before class plays the same every time."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.session.replay import Replay
from mpgui.ui.icons import icon

TICK_MS = 16  # one frame of playback
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
SLIDER_STEPS = 1000


class ReplayController(QObject):
    """Drives a Replay (runtime/session/replay.py) from a timer; `moved` on every change of
    position."""

    moved = Signal(object)  # ns since the run began (an int: past 2**31, not a C int)
    state_changed = Signal()  # playing, paused, speed, or the replay ended

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run: Replay | None = None  # the replay on, if any
        self.speed = 1.0  # the next replay's too (the bar keeps the choice)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

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

    def start(self, record: RunRecord) -> None:
        """Replay `record` from its beginning."""
        self._timer.stop()
        self.run = Replay(record, self.speed)
        self.moved.emit(0)
        self.run.start()
        self._timer.start()
        self.state_changed.emit()

    def play(self) -> None:
        """Play on (from the start again if it was at the end)."""
        if self.run is None:
            return
        before = self.run.position
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
    """Play/pause, a scrub slider, the time, the speed and Close, for a replay."""

    def __init__(self, replay: ReplayController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.replay = replay
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel()
        self.play_button = QToolButton()
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.play_button.setToolTip("Play or pause the replay (Space in presentation mode)")
        self.play_button.clicked.connect(replay.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setToolTip("Drag to any moment of the run")
        self.slider.valueChanged.connect(self._scrubbed)
        self.time_label = QLabel()
        self.speed_box = QComboBox()
        for s in SPEEDS:
            self.speed_box.addItem(f"{s:g}×", s)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setToolTip("Replay speed: how much faster than the run happened")
        self.speed_box.currentIndexChanged.connect(
            lambda _i: replay.set_speed(float(self.speed_box.currentData())))
        close = QToolButton()
        close.setText("Close replay")
        close.setToolTip("Stop replaying; the whole run stays on the chart")
        close.clicked.connect(replay.close)
        row.addWidget(self.title)
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.time_label)
        row.addWidget(self.speed_box)
        row.addWidget(close)
        replay.moved.connect(self._moved)
        replay.state_changed.connect(self._state)
        self._state()

    def _scrubbed(self, value: int) -> None:
        self.replay.seek(round(self.replay.duration * value / SLIDER_STEPS))

    def _moved(self, position: int) -> None:
        duration = max(1, self.replay.duration)
        self.slider.blockSignals(True)
        self.slider.setValue(round(SLIDER_STEPS * position / duration))
        self.slider.blockSignals(False)
        self.time_label.setText(f"{position / 1e9:6.2f} / {self.replay.duration / 1e9:.2f} s")

    def _state(self) -> None:
        replay = self.replay
        self.setVisible(replay.active)
        self.play_button.setText("Pause" if replay.playing else "Play")
        self.play_button.setIcon(icon("pause" if replay.playing else "replay"))
        if replay.record is not None:
            self.title.setText(f"Replay of run {replay.record.number}:")
            self.title.setToolTip(replay.record.title)
