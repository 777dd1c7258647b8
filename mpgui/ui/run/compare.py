"""Compare two runs: one chart above the other on the same time axis (pan or zoom one,
the other follows), each with its wall time, CPU time and speed-up, and a line that names
what differs and which was faster, by how much — "With processes: 1.94× as fast as with
threads", all at once against one after another, 2 against 4 processes, fork and spawn."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from mpgui.i18n import _
from mpgui.runtime.output.summary import RunFigures, notable_others, percent
from mpgui.runtime.session.record import RunRecord
from mpgui.ui.chart.chart import LEFT_SLIVER, ChartWidget
from mpgui.ui.run.difference import differences
from mpgui.ui.run.history import RunHistory
from mpgui.ui.screen_fit import fit_to_screen
from mpgui.ui.theme import Theme


def figures_text(figures: RunFigures) -> str:
    """Wall time, CPU time, speed-up and other programs' use of the CPUs in one line."""
    if figures.others is None:
        others = _("other programs' use of the CPUs not measured")
    elif notable_others(figures.others, figures.wall):
        others = _("<b>other programs used {share} of the CPUs</b>: "
                   "timings may be stretched").format(share=percent(figures.others))
    else:
        others = _("other programs used {share} of the CPUs").format(
            share=percent(figures.others))
    return _("wall time <b>{wall:.2f} s</b> · CPU time {cpu:.2f} s · "
             "speed-up <b>{speedup:.2f}×</b> (the work done running or sleeping, "
             "{serial:.2f} s, over the wall time) · {others}").format(
        wall=figures.wall, cpu=figures.cpu, speedup=figures.speedup, serial=figures.serial,
        others=others)


def verdict(a: RunRecord, b: RunRecord) -> str:
    """The headline: what differs between the runs, which took less wall time and how
    many times less — "With processes: 1.94× as fast as with threads (1.68 s against
    3.27 s)." (Rich text.)"""
    wa, wb = a.figures.wall, b.figures.wall
    if wa <= 0 or wb <= 0:
        return ""
    how = tuple(html.escape(h) for h in differences(a, b))
    stopped = " " + _("(One of them was stopped before its end.)") \
        if a.stopped or b.stopped else ""
    ratio = max(wa, wb) / min(wa, wb)
    if not how[0]:
        return _("The same scenario twice: {a:.2f} s and {b:.2f} s (the difference is "
                 "noise).").format(a=wa, b=wb) + stopped
    if ratio < 1.02:
        return _("{first} and {second} took <b>the same time</b> "
                 "({a:.2f} s and {b:.2f} s).").format(
            first=how[0][0].upper() + how[0][1:], second=how[1], a=wa, b=wb) + stopped
    (fast, w_fast), (slow, w_slow) = sorted(zip(how, (wa, wb), strict=True),
                                            key=lambda hw: hw[1])
    return _("{faster}: <b>{ratio:.2f}× as fast</b> as {slower} "
             "({fast:.2f} s against {slow:.2f} s).").format(
        faster=fast[0].upper() + fast[1:], ratio=ratio, slower=slow, fast=w_fast,
        slow=w_slow) + stopped


class CompareWindow(QWidget):
    """Two runs of the session's history, one above the other."""

    def __init__(self, history: RunHistory, theme: Theme, zoom: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(_("Compare runs — mpgui"))
        self.history = history
        self.resize(1300, 850)
        fit_to_screen(self)  # a school laptop's screen is smaller than that
        grid = QGridLayout()
        self.pickers: list[QComboBox] = []
        self.headers: list[QLabel] = []
        self.charts: list[ChartWidget] = []
        for side in range(2):
            picker = QComboBox()
            picker.setToolTip(_("Which run of this session to show here"))
            picker.currentIndexChanged.connect(lambda _i: self._show())
            header = QLabel()
            header.setTextFormat(Qt.TextFormat.RichText)
            header.setWordWrap(True)
            chart = ChartWidget(theme)
            chart.set_style(theme, zoom)
            grid.addWidget(picker, 3 * side, 0)
            grid.addWidget(header, 3 * side + 1, 0)
            grid.addWidget(chart, 3 * side + 2, 0)
            grid.setRowStretch(3 * side + 2, 1)
            self.pickers.append(picker)
            self.headers.append(header)
            self.charts.append(chart)
        self.charts[1].setXLink(self.charts[0])  # one time axis: pan or zoom both
        self.verdict = QLabel()
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addLayout(grid, 1)
        QShortcut(QKeySequence("Esc"), self, self.close)
        history.changed.connect(self._fill)
        self._fill()

    def choose(self, top: RunRecord, bottom: RunRecord) -> None:
        """Show `top` above `bottom`."""
        for picker, record in zip(self.pickers, (top, bottom), strict=True):
            picker.setCurrentIndex(max(0, picker.findData(record.number)))
        self._show()

    def _fill(self) -> None:
        """The pickers list the history; by default the last two runs."""
        runs = self.history.runs
        for side, picker in enumerate(self.pickers):
            chosen = picker.currentData()
            picker.blockSignals(True)
            picker.clear()
            for record in runs:
                picker.addItem(record.title, record.number)
            default = runs[max(0, len(runs) - 2 + side)].number if runs else None
            picker.setCurrentIndex(max(0, picker.findData(chosen if chosen is not None
                                                          else default)))
            picker.blockSignals(False)
        self._show()

    def chosen(self) -> list[RunRecord]:
        """The runs shown, top first."""
        by_number = {r.number: r for r in self.history.runs}
        return [by_number[p.currentData()] for p in self.pickers
                if p.currentData() in by_number]

    def _show(self) -> None:
        records = self.chosen()
        if len(records) < 2:
            self.verdict.setText(_("Run a scenario twice (or open run files) to compare."))
            return
        for header, chart, record in zip(self.headers, self.charts, records, strict=True):
            # TRANSLATORS: a run's name above its figures (rich text: keep the tags).
            header.setText(_("<b>{run}</b><br>{figures}").format(
                run=html.escape(record.title), figures=figures_text(record.figures)))
            store = record.store
            chart.set_plan(None)
            chart.set_store(store)
            chart.refresh(store.t_end if store.t_end is not None else store.t0 or 0, False)
            chart.following = False
        # Lane labels as wide on both, and the same range (they are linked): a time is
        # at the same x on both, and lengths compare.
        axes = [c.plot.getAxis("left") for c in self.charts]
        width = max(a.maximumWidth() for a in axes)  # as set for the labels (laid out later)
        for axis in axes:
            axis.setWidth(width)
        # Room for the labels of both, measured as each chart would lay them out.
        end = max(r.figures.wall for r in records)
        right = max(chart.fit_right(end) for chart in self.charts)
        self.charts[0].vb.setXRange(-LEFT_SLIVER * right, right, padding=0)
        self.verdict.setText(verdict(*records))
