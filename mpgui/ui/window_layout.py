"""The window's panes and the splitters between them, how they fold on a narrow window,
and how their sizes are kept between sessions.

Wide (a desk monitor):

    Scenarios │ Processes │ Main program
              │ Timeline  │ About this scenario / [Output | Python code]

Narrow (1024 or 1366 px wide, a projector, a large zoom): the gallery becomes one row
with a drop-down above the rest, and the explanation a tab beside the output and the
code, so the chart keeps its width and nothing is pushed off screen.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from mpgui.i18n import _
from mpgui.model.backend import DEFAULT_BACKEND, get_backend
from mpgui.ui.accessibility import accessible
from mpgui.ui.panels import HINT, panel

# First start: room for six processes above, the chart and a wide console below.
FIRST_SIZES = {"outer_split": [230, 1270], "main_split": [270, 630],
               "edit_split": [780, 490], "run_split": [880, 390], "side_split": [300, 330]}
# Below this width (at 100 %; it scales with the zoom) the window folds its side panes.
COMPACT_BELOW_PX = 1220
ABOUT_TAB = _("About")


def row_hint(backend: str) -> str:
    """What a row of the table is under `backend`, and how to edit it."""
    return _("{row_hint}; double-click a cell to edit").format(
        row_hint=get_backend(backend).row_hint)


class WindowLayout:
    """Gallery | (processes, main program) over (header, chart | explanation, tabs)."""

    def __init__(self, *, gallery_box: QWidget, gallery_picker: QWidget, table: QWidget,
                 table_actions: list[QAction], program: QWidget,
                 program_actions: list[QAction], chart: QWidget, above_chart: list[QWidget],
                 explanation: QWidget, console: QWidget, code: QWidget,
                 code_actions: list[QAction], header: QWidget) -> None:
        processes = panel(_("Processes"), row_hint(DEFAULT_BACKEND), table, table_actions)
        self.processes_hint = processes.findChild(QLabel, HINT)
        program_box = panel(_("Main program"), _("what the parent does, in order"), program,
                            program_actions)
        timeline = panel(_("Timeline"), _("processes, CPU cores and joins; dashed: the "
                                          "prediction; wheel zooms, drag pans, hover for "
                                          "details"), chart, [],
                         header_widget=_column(above_chart))
        self.explanation = explanation
        self.tabs = QTabWidget()
        accessible(self.tabs.tabBar(), _("Panes"), _("About this scenario, the Output the "
                   "processes printed, and the Python code; Ctrl+Tab goes to the next"))
        self.output_box = panel(_("Output"), _("what the script prints"), console, [])
        self.tabs.addTab(self.output_box, _("Output"))
        self.tabs.addTab(panel(_("Python"), _("this scenario as a script for plain Python"),
                               code, code_actions), _("Python code"))
        self.tabs.setTabToolTip(0, _("The lines the processes printed, with their times"))
        self.tabs.setTabToolTip(1, _("This scenario as a script for plain Python"))
        self.side_split = _splitter(Qt.Orientation.Vertical, "side_split", explanation,
                                    self.tabs, (1, 1))
        self.edit_split = _splitter(Qt.Orientation.Horizontal, "edit_split", processes,
                                    program_box, (3, 2))
        self.run_split = _splitter(Qt.Orientation.Horizontal, "run_split", timeline,
                                   self.side_split, (3, 1))
        # The presentation header sits over the chart and the console.
        self.main_split = _splitter(Qt.Orientation.Vertical, "main_split", self.edit_split,
                                    _column([header, self.run_split]), (1, 2))
        self.gallery_box = gallery_box
        self.gallery_picker = gallery_picker
        self.outer_split = _splitter(Qt.Orientation.Horizontal, "outer_split", gallery_box,
                                     self.main_split, (0, 1))
        self.central = _column([gallery_picker, self.outer_split])
        self.compact = False  # folded for a narrow window
        self.presenting = False  # presentation mode: no editing panes at all
        self._show_parts()

    @property
    def splits(self) -> tuple[QSplitter, ...]:
        """Every splitter, each with its object name as its settings key."""
        return (self.outer_split, self.main_split, self.edit_split, self.run_split,
                self.side_split)

    def adapt(self, width: int, zoom: float) -> None:
        """Fold or unfold for a window `width` pixels wide at `zoom`."""
        compact = width < COMPACT_BELOW_PX * zoom
        if compact != self.compact:
            self.compact = compact
            self._show_parts()

    def set_presenting(self, on: bool) -> None:
        """Hide the editing panes (the gallery, the table and program, the explanation,
        which the presentation header shows instead), or bring them back."""
        if on != self.presenting:
            self.presenting = on
            self._show_parts()

    def _show_parts(self) -> None:
        editing = not self.presenting
        self.gallery_box.setVisible(editing and not self.compact)
        self.gallery_picker.setVisible(editing and self.compact)
        self.edit_split.setVisible(editing)
        about = self.tabs.indexOf(self.explanation)
        as_tab = editing and self.compact
        if as_tab and about < 0:
            self.tabs.insertTab(0, self.explanation, ABOUT_TAB)
            self.tabs.setTabToolTip(0, _("What this scenario shows, and what to notice"))
            self.tabs.setCurrentIndex(0)
        elif not as_tab:
            if about >= 0:
                self.tabs.removeTab(about)
            if self.side_split.indexOf(self.explanation) < 0:
                self.side_split.insertWidget(0, self.explanation)
                self.side_split.setSizes(FIRST_SIZES["side_split"])
            self.explanation.setVisible(editing)

    def show_output(self) -> None:
        """Bring the Output tab to the front (a run began)."""
        index = self.tabs.indexOf(self.output_box)
        if index >= 0:
            self.tabs.setCurrentIndex(index)

    def show_backend(self, backend: str) -> None:
        """Say above the table what a row is (a process, a thread, a pool task)."""
        if self.processes_hint is not None:
            self.processes_hint.setText(row_hint(backend))

    def restore(self, s: QSettings) -> None:
        """The sizes saved last time, else the first-start sizes."""
        for split in self.splits:
            split.setSizes(FIRST_SIZES[split.objectName()])
            state = s.value(split.objectName())
            if isinstance(state, QByteArray) and not state.isEmpty():
                split.restoreState(state)

    def save(self, s: QSettings) -> None:
        """Keep the sizes for the next start."""
        for split in self.splits:
            s.setValue(split.objectName(), split.saveState())


def _column(widgets: list[QWidget]) -> QWidget:
    """`widgets` one above the other, the last one stretching."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    for i, w in enumerate(widgets):
        column.addWidget(w, 1 if i == len(widgets) - 1 else 0)
    return box


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
