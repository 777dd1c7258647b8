"""The status bar: why Run is disabled (if it is), passing messages, and permanent
labels for what the run is doing, the start method, and how many CPUs this computer
has — each shortened with "…" (its tooltip in full) when the window is narrow."""

from __future__ import annotations

import time

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QStyle, QStyleOption, QWidget

from mpgui.i18n import _
from mpgui.runtime.cpu import cores_known, cpu_count
from mpgui.runtime.output.summary import wall_seconds
from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.session.run import Run, Status
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.panels import ElidedLabel
from mpgui.ui.toolbar import START_METHOD_HELP

STATES = {Status.RUNNING: _("Running"), Status.STOPPING: _("Stopping…"),
          Status.STOPPED: _("Stopped"), Status.FINISHED: _("Finished")}


class MessageBar(QStatusBar):
    """A status bar whose passing message ends in "…" where the permanent labels on its
    right begin (QStatusBar cuts it off mid-word there: a long sentence in a large font,
    in presentation mode, lost its end), the whole message in the bar's tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []
        self.messageChanged.connect(self.setToolTip)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # Qt override
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch)

    def message_rect(self) -> QRect:
        """Where the passing message is drawn: as QStatusBar places it, from the left
        to the first permanent label shown (mirrored right to left)."""
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        left, right = 6, self.width() - 12
        shown = [w for w in self._permanent if w.isVisible()]
        if shown:
            if rtl:
                left = max(left, max(w.geometry().right() for w in shown) + 3)
            else:
                right = min(right, min(w.x() for w in shown) - 2)
        return QRect(left, 0, max(0, right - left), self.height())

    def shown_message(self) -> str:
        """The passing message as drawn: elided to its room."""
        return self.fontMetrics().elidedText(self.currentMessage(), Qt.TextElideMode.ElideRight,
                                             self.message_rect().width())

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        if not self.currentMessage():
            super().paintEvent(event)
            return
        # As QStatusBar paints with a message up (its panel, the permanent labels'
        # frames, the text), the text elided.
        p = QPainter(self)
        opt = QStyleOption()
        opt.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, opt, p, self)
        for w in self._permanent:
            if w.isVisible():
                frame = QStyleOption()
                frame.rect = w.geometry().adjusted(-2, -1, 2, 1)
                frame.palette = self.palette()
                self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem,
                                           frame, p, w)
        p.setPen(self.palette().windowText().color())
        p.drawText(self.message_rect(), int(Qt.AlignmentFlag.AlignLeading
                                            | Qt.AlignmentFlag.AlignVCenter
                                            | Qt.TextFlag.TextSingleLine),
                   self.shown_message())
        p.end()


class RunStatus:
    """The labels, and how they read for a live run, a recorded one, or none."""

    def __init__(self, bar: QStatusBar, problems: QLabel) -> None:
        full = _("This computer has {n} CPUs") if cores_known() else \
            _("This computer has {n} CPUs (this system does not say which core runs what)")
        self.cpu_label = ElidedLabel(full.format(n=cpu_count()),
                                     _("{n} CPUs").format(n=cpu_count()))
        self.cpu_label.setToolTip(_("os.cpu_count(): the logical CPUs the OS can run "
                                    "processes on at the same time."))
        self.run_label = ElidedLabel(_("Ready"))
        self.method_label = ElidedLabel()
        bar.addWidget(problems, 1)  # beside passing messages; they hide it a moment
        for w in (self.run_label, self.method_label, self.cpu_label):
            w.setContentsMargins(6, 0, 6, 0)
            w.setMinimumWidth(40)  # narrower than its text: the short form, then "…"
            bar.addPermanentWidget(w)
        self.fit_widths()
        self.updated_at = 0  # perf_counter_ns of the last update of a live run

    def fit_widths(self) -> None:
        """No label wider than its whole text (after a zoom: the font changed)."""
        widest = _progress_text(STATES[Status.RUNNING], 64, 64, 999.9)
        for w in (self.run_label, self.method_label, self.cpu_label):
            texts = [w.text()] + ([widest] if w is self.run_label else [])
            w.setMaximumWidth(max(w.fontMetrics().horizontalAdvance(t) for t in texts) + 14)

    def show_method(self, method: str) -> None:
        """The start method the next run uses."""
        self.method_label.setText(_("start method: {method}").format(method=method), method)
        self.method_label.setToolTip(START_METHOD_HELP.get(method, method))

    def show_runner(self, runner: Run) -> None:
        """A live (or just ended) run: state, processes running and finished, time."""
        self.updated_at = time.perf_counter_ns()
        store = runner.store
        elapsed = wall_seconds(store) if runner.done or store.t0 is None else \
            (self.updated_at - store.t0) / 1e9
        self.run_label.setText(*_progress(STATES.get(runner.status, runner.status), store,
                                          elapsed))

    def show_record(self, record: RunRecord | None, replay: Run | None = None,
                    blocked: bool = False) -> None:
        """A recorded run shown (or `replay`ed), or none: Ready (or, when the scenario
        has an error, that it cannot run)."""
        if record is None:
            self.run_label.setText(_("Cannot run: fix the red cell") if blocked else _("Ready"))
        elif replay is not None:
            self.run_label.setText(replay.label)
        else:
            state = STATES[Status.STOPPED] if record.stopped else STATES[Status.FINISHED]
            full, short = _progress(state, record.store, wall_seconds(record.store))
            said = _("Run {number} · {progress}")
            self.run_label.setText(said.format(number=record.number, progress=full),
                                   said.format(number=record.number, progress=short))


def _progress(state: str, store: TraceStore, elapsed: float) -> tuple[str, str]:
    """"Running · 2 running, 1 finished · 3.4 s", and for a narrow window "Running ·
    3.4 s"."""
    lanes = [ln for ln in store.lanes if ln.kind == "process"]
    finished = sum(ln.end_t is not None for ln in lanes)
    started = sum(ln.start_call_t is not None for ln in lanes)
    return (_progress_text(state, started - finished, finished, elapsed),
            _("{state} · {elapsed:.1f} s").format(state=state, elapsed=elapsed))


def _progress_text(state: str, running: int, finished: int, elapsed: float) -> str:
    """"Running · 2 running, 1 finished · 3.4 s"."""
    return _("{state} · {running} running, {finished} finished · {elapsed:.1f} s").format(
        state=state, running=running, finished=finished, elapsed=elapsed)
