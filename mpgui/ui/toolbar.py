"""The toolbars: Run, Stop, Replay, Follow and Present; and the run's options — the
speed, the start method, the backend (processes, threads or a pool). On a narrow window
(a school laptop, a large zoom) the buttons lose their text (their tooltips keep it),
the boxes their prefixes, and the options and the backend go on rows of their own:
nothing essential is ever in a toolbar's overflow menu. What keeps Run from working is
said in the status bar (`ProblemLabel`)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSizePolicy,
    QSpinBox,
    QToolBar,
    QWidget,
)

from mpgui.i18n import _
from mpgui.model.backend import BACKENDS, get_backend
from mpgui.model.copies import MAX_COPIES, PER_CORE, Copies
from mpgui.model.scenario import Scenario
from mpgui.model.validation import Problem
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.parent.options import DEFAULT_START_METHOD, MAX_SPEED, MIN_SPEED, start_methods
from mpgui.ui.accessibility import accessible
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.settings import settings
from mpgui.ui.theme import Theme

SHORT_ROLE = Qt.ItemDataRole.UserRole + 1  # an item's text without its prefix
START_METHOD_HELP = {
    "spawn": _("spawn: each child is a fresh Python interpreter that imports your code "
               "again (slowest start; the default on Windows and macOS)."),
    "forkserver": _("forkserver: children are forked from a small server process started "
                    "once (fast and safe; the default on Linux from Python 3.14)."),
    "fork": _("fork: each child is a copy of the parent process (fastest start, but unsafe "
              "when the parent runs threads, as a GUI does)."),
}


class SpeedBox(QDoubleSpinBox):
    """The speed factor, shown as briefly as it reads: 1×, 2.5×, 0.25×."""

    def __init__(self, value: float | None) -> None:
        super().__init__()
        self.setDecimals(2)
        self.setRange(MIN_SPEED, MAX_SPEED)
        self.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.setPrefix(_("Speed "))
        self.setSuffix("×")
        self.setAccelerated(True)
        self.setToolTip(_("How much faster than real time to run: every duration "
                          "(sleeps, compute times, join timeouts) is divided by this."))
        self.setAccessibleName(_("Speed"))
        self.setAccessibleDescription(self.toolTip())
        saved = settings().value("speed", 1.0)
        self.setValue(float(value if value is not None else _as_float(saved, 1.0)))

    def textFromValue(self, value: float) -> str:  # Qt override
        return f"{value:g}"


class ContentsCombo(QComboBox):
    """A combo box as wide as its items' texts, whatever they were before.

    QComboBox keeps its minimum size hint from the first time it is asked until the
    style changes: after the items' texts got shorter (the toolbar's short texts), the
    toolbar still gave the box — and `ToolbarFit` still counted — the longer texts'
    width, so the layout depended on what the window had shown before. Its size hint
    does follow the texts; for a box sized to its contents the two are the same."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return self.sizeHint()


class MethodBox(ContentsCombo):
    """The start method, each explained in its tooltip."""

    def __init__(self, chosen: str | None) -> None:
        super().__init__()
        for m in start_methods():
            self.addItem(_method_text(m), m)
            self.setItemData(self.count() - 1, m, SHORT_ROLE)
            self.setItemData(self.count() - 1, START_METHOD_HELP.get(m, m),
                             Qt.ItemDataRole.ToolTipRole)
        self.setToolTip(_("How child processes are started. {methods}").format(
            methods=" ".join(START_METHOD_HELP.get(m, m) for m in start_methods())))
        self.setAccessibleName(_("Start method"))
        self.setAccessibleDescription(self.toolTip())
        chosen = chosen or str(settings().value("start_method", DEFAULT_START_METHOD))
        self.setCurrentIndex(max(0, self.findData(chosen)))

    @property
    def method(self) -> str:
        """The chosen start method."""
        return str(self.currentData())

    def set_short(self, short: bool) -> None:
        """Say only "spawn" (narrow) or "start method: spawn"."""
        _set_short(self, short, _method_text)


class BackendBox(QWidget):
    """What runs the rows — processes, threads or a pool — and the pool's size. Part of
    the scenario (saved with it, undoable), so it follows the document."""

    def __init__(self, doc: ScenarioDocument) -> None:
        super().__init__()
        self.doc = doc
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = ContentsCombo()
        for name, backend in BACKENDS.items():
            self.combo.addItem(_backend_text(name), name)
            index = self.combo.count() - 1
            self.combo.setItemData(index, name, SHORT_ROLE)
            self.combo.setItemData(index, backend.help if backend.available else
                                   f"{backend.help} ({backend.install_hint})",
                                   Qt.ItemDataRole.ToolTipRole)
            if not backend.available:  # offered disabled, its text saying how to get it
                item = self.combo.model().item(index)  # type: ignore[attr-defined]
                item.setEnabled(False)
        self.combo.setToolTip(_("What runs each row of the table. {backends}").format(
            backends=" ".join(_("{name}: {help}.").format(name=name, help=backend.help)
                              for name, backend in BACKENDS.items())))
        self.workers = QSpinBox()
        self.workers.setRange(0, MAX_COPIES)
        self.workers.setSpecialValueText(_("workers: per core"))  # 0: os.cpu_count()
        self.workers.setPrefix(_("workers: "))
        self.workers.setToolTip(_("How many worker processes the pool has "
                                  "(multiprocessing.Pool(N)), or the Dask cluster on this "
                                  "computer; per core: os.cpu_count(), the pool's default"))
        # A run option, not part of the scenario: where this computer's runs go.
        self.scheduler = QLineEdit(str(settings().value("dask_scheduler", "")))
        self.scheduler.setPlaceholderText(_("scheduler: this computer"))
        self.scheduler.setClearButtonEnabled(True)
        self.scheduler.setToolTip(_("The Dask scheduler to run the tasks on, such as "
                                    "tcp://10.0.0.5:8786; empty: a cluster of worker "
                                    "processes on this computer, started for the first "
                                    "run and kept until mpgui quits"))
        self.scheduler.editingFinished.connect(
            lambda: settings().setValue("dask_scheduler", self.address))
        accessible(self.combo, _("Run as"), self.combo.toolTip())
        accessible(self.workers, _("Pool workers"), self.workers.toolTip())
        accessible(self.scheduler, _("Dask scheduler"), self.scheduler.toolTip())
        layout.addWidget(self.combo)
        layout.addWidget(self.workers)
        layout.addWidget(self.scheduler)
        self.set_short(False)
        self.sync()
        doc.changed.connect(self.sync)
        self.combo.currentIndexChanged.connect(self._chosen)
        self.workers.valueChanged.connect(self._chosen)

    def set_short(self, short: bool) -> None:
        """Say only "threads" (narrow) or "run as: threads"."""
        _set_short(self.combo, short, _backend_text)
        self.workers.setPrefix("" if short else _("workers: "))
        self.workers.setSpecialValueText(_("per core") if short else _("workers: per core"))
        # Room for its placeholder, or (narrow) for a short address: tcp://host:8786.
        self.scheduler.setPlaceholderText(_("Dask scheduler") if short
                                          else _("scheduler: this computer"))
        fm = self.scheduler.fontMetrics()
        width = fm.horizontalAdvance("tcp://host:8786" if short
                                     else self.scheduler.placeholderText()) + 16
        self.scheduler.setMinimumWidth(width)
        # (narrow: no wider either — a line edit asks for 17 characters' room by itself)
        self.scheduler.setMaximumWidth(width if short else 16777215)

    def sync(self) -> None:
        """Show the document's backend (after an edit, undo or open)."""
        scenario = self.doc.scenario
        workers = scenario.workers
        for widget in (self.combo, self.workers):
            widget.blockSignals(True)
        self.combo.setCurrentIndex(max(0, self.combo.findData(scenario.backend)))
        self.workers.setValue(0 if workers.per_core and workers.count == 1
                              else workers.resolve(cpu_count()))
        self._show_fields(scenario.backend)
        for widget in (self.combo, self.workers):
            widget.blockSignals(False)

    @property
    def address(self) -> str:
        """The Dask scheduler's address ("" for a cluster on this computer)."""
        return self.scheduler.text().strip()

    def _show_fields(self, backend: str) -> None:
        """The pool's (or cluster's) size for a backend with workers, the scheduler's
        address for Dask."""
        self.workers.setVisible(get_backend(backend).has_workers)
        self.scheduler.setVisible(get_backend(backend).takes_scheduler)

    def _chosen(self) -> None:
        value = self.workers.value()
        workers = PER_CORE if value == 0 else Copies(value)
        backend = str(self.combo.currentData())
        scenario = self.doc.scenario
        if (backend, workers) != (scenario.backend, scenario.workers):
            what = _("run as {backend}").format(backend=backend) \
                if backend != scenario.backend else _("pool size")
            self.doc.edit(replace(scenario, backend=backend, workers=workers), what,
                          merge_key="workers" if backend == scenario.backend else None)
        self._show_fields(backend)


class ProblemLabel(QLabel):
    """Why Run is disabled (the first error, in red), or the first warning; its link
    selects the cell to fix, its tooltip lists them all. It lives in the status bar,
    shortened to the room there is."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setContentsMargins(6, 0, 6, 0)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.reason = ""  # the first problem, in words ("" if none)
        self._parts: tuple[str, str, str] = ("", "", "")  # before, reason, after (HTML)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return QSize(0, super().minimumSizeHint().height())

    def show_problems(self, scenario: Scenario, problems: list[Problem], theme: Theme) -> str:
        """Show `problems` of `scenario`; returns the Run button's tooltip."""
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity == "warning"]
        shown = errors or warnings
        self.setToolTip("\n".join(p.text(scenario) for p in shown))
        if not shown:
            self.reason = ""
            self._parts = ("", "", "")
            self.setText("")
            return _("Start the processes as the main program says (F5)")
        reason = self.reason = shown[0].text(scenario)
        show = " <a href='show'>" + html.escape(_("Show")) + "</a>"
        if not errors:
            self._parts = ("⚠ ", reason, show)
            self._fit()
            return _("Start the processes as the main program says (F5)")
        more = _(" (and {n} more)").format(n=len(errors) - 1) if len(errors) > 1 else ""
        cannot = _("Cannot run: {reason}")  # the reason is shortened to fit: split there
        before, _mark, after = cannot.partition("{reason}")
        self._parts = (f"<span style='color:{theme.crash}'>✖ {html.escape(before)}",
                       reason + more, f"{html.escape(after)}</span>{show}")
        self._fit()
        return cannot.format(reason=reason + more)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The text, its reason shortened with "…" so that the Show link stays in view."""
        before, reason, after = self._parts
        if not reason:
            return
        fm = self.fontMetrics()
        room = self.contentsRect().width() - fm.horizontalAdvance(
            _plain(before) + _plain(after)) - 8
        shown = fm.elidedText(reason, Qt.TextElideMode.ElideRight, max(room, 30))
        self.setText(before + html.escape(shown) + after)


def run_toolbar(acts: dict[str, QAction]) -> QToolBar:
    """The actions' toolbar: Run, Stop, Replay | Follow | Present."""
    bar = QToolBar(_("Run"))
    bar.setObjectName("run_toolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    bar.addAction(acts["run"])
    bar.addAction(acts["stop"])
    bar.addAction(acts["replay"])
    bar.addSeparator()
    bar.addAction(acts["follow"])
    bar.addAction(acts["present"])
    return bar


def options_toolbar(speed: SpeedBox, method: MethodBox) -> QToolBar:
    """The run options' toolbar: speed and start method."""
    bar = QToolBar(_("Run options"))
    bar.setObjectName("options_toolbar")
    bar.setMovable(False)
    bar.addWidget(speed)
    bar.addWidget(method)
    return bar


def backend_toolbar(backend: BackendBox) -> QToolBar:
    """What runs the rows, and its workers and scheduler: a toolbar of its own, so that
    it can take a row of its own where the options do not fit on one (Dask's three
    fields, a large zoom, a language with long words)."""
    bar = QToolBar(_("Run as"))
    bar.setObjectName("backend_toolbar")
    bar.setMovable(False)
    bar.addWidget(backend)
    return bar


class ToolbarFit:
    """Keeps the toolbars whole on the window's width: text beside icons when there is
    room, icons and short texts when not; each toolbar beside the one before it, or on a
    row of its own. Nothing essential is ever in a toolbar's overflow menu."""

    def __init__(self, window: QMainWindow, bars: list[QToolBar],
                 boxes: list[MethodBox | BackendBox]) -> None:
        self.window, self.bars, self.boxes = window, bars, boxes

    def fit(self, width: int) -> None:
        """Lay the toolbars out for a window `width` pixels wide."""
        self._style(False)
        if self._needed(self.bars) > width:
            self._style(True)
        # A row as long as it fits; the next toolbar starts the next row.
        row: list[QToolBar] = []
        for bar in self.bars:
            two = bool(row) and self._needed([*row, bar]) > width
            if bar is not self.bars[0]:
                self._break_before(bar, two)
            row = [bar] if two or not row else [*row, bar]
        # Each as wide as its buttons need: Qt's own size hint of a toolbar can come out
        # a pixel short (after its buttons changed), and its "»" menu would take one.
        for bar in self.bars:
            bar.setMinimumWidth(min(_hint(bar) + 4, width))

    @staticmethod
    def _needed(bars: list[QToolBar]) -> int:
        # (with room to spare: Qt's own count differs from this estimate by a few pixels)
        return sum(_hint(bar) for bar in bars) + 20 * len(bars)

    def _style(self, compact: bool) -> None:
        style = Qt.ToolButtonStyle.ToolButtonIconOnly if compact else \
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        actions = self.bars[0]
        if actions.toolButtonStyle() != style:
            actions.setToolButtonStyle(style)
        for box in self.boxes:
            box.set_short(compact)

    def _break_before(self, bar: QToolBar, on: bool) -> None:
        if on == self.window.toolBarBreak(bar):
            return
        if on:
            self.window.insertToolBarBreak(bar)
        else:
            self.window.removeToolBarBreak(bar)


def _hint(bar: QToolBar) -> int:
    """The width `bar` needs to show everything (its own size hint is the overflow's)."""
    layout = bar.layout()
    width = sum(layout.itemAt(i).sizeHint().width() + layout.spacing()
                for i in range(layout.count()) if not layout.itemAt(i).isEmpty())
    return width + 2 * bar.contentsMargins().left() + 8


def _method_text(method: str) -> str:
    """A start method's item text: "start method: spawn"."""
    return _("start method: {method}").format(method=method)


def _backend_text(backend: str) -> str:
    """A backend's item text: "run as: threads" (and how to install one that is not)."""
    text = _("run as: {backend}").format(backend=backend)
    record = get_backend(backend)
    if not record.available:
        text = _("{item} — {hint}").format(item=text, hint=record.install_hint)
    return text


def _set_short(combo: ContentsCombo, short: bool, full: Callable[[str], str]) -> None:
    """Item texts short (the name alone) or `full` (the name in its sentence); the combo
    re-measures itself."""
    names = [str(combo.itemData(i, SHORT_ROLE)) for i in range(combo.count())]
    texts = [name if short else full(name) for name in names]
    if [combo.itemText(i) for i in range(combo.count())] == texts:
        return  # as it is already
    for i, text in enumerate(texts):
        combo.setItemText(i, text)


def _plain(rich: str) -> str:
    """The visible characters of a bit of our own rich text."""
    return re.sub(r"<[^>]+>", "", rich)


def _as_float(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
