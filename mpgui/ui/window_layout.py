"""The window's panes and the splitters between them, and how their sizes are kept
between sessions."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from mpgui.ui.panels import HINT, panel

# First start: room for six processes above, the chart and a wide console below.
FIRST_SIZES = {"outer_split": [230, 1270], "main_split": [270, 630],
               "edit_split": [780, 490], "run_split": [880, 390], "side_split": [230, 400]}


# What a row of the table is, under each backend.
ROW_HINTS = {
    "processes": "each row is one multiprocessing.Process; double-click a cell to edit",
    "threads": "each row is one threading.Thread, all in one process; double-click a cell "
               "to edit",
    "pool": "each row is one task for a multiprocessing.Pool; double-click a cell to edit",
}


class WindowLayout:
    """Gallery | (processes, main program) over (header, chart | explanation, tabs)."""

    def __init__(self, *, gallery_box: QWidget, table: QWidget, table_actions: list[QAction],
                 program: QWidget, program_actions: list[QAction], chart: QWidget,
                 above_chart: list[QWidget], explanation: QWidget, console: QWidget,
                 code: QWidget, code_actions: list[QAction], header: QWidget) -> None:
        processes = panel("Processes", ROW_HINTS["processes"], table, table_actions)
        self.processes_hint = processes.findChild(QLabel, HINT)
        program_box = panel("Main program", "what the parent does, in order", program,
                            program_actions)
        timeline = panel("Timeline", "processes, CPU cores and joins; dashed: the "
                         "prediction; wheel zooms, drag pans, hover for details", chart, [],
                         header_widget=_column(above_chart))
        self.tabs = QTabWidget()
        self.tabs.addTab(panel("Output", "what the script prints", console, []), "Output")
        self.tabs.addTab(panel("Python", "this scenario as a script for plain Python", code,
                               code_actions), "Python code")
        self.side_split = _splitter(Qt.Orientation.Vertical, "side_split", explanation,
                                    self.tabs, (1, 2))
        self.edit_split = _splitter(Qt.Orientation.Horizontal, "edit_split", processes,
                                    program_box, (3, 2))
        self.run_split = _splitter(Qt.Orientation.Horizontal, "run_split", timeline,
                                   self.side_split, (3, 1))
        # The presentation header sits over the chart and the console.
        self.main_split = _splitter(Qt.Orientation.Vertical, "main_split", self.edit_split,
                                    _column([header, self.run_split]), (1, 2))
        self.gallery_box = gallery_box
        self.outer_split = _splitter(Qt.Orientation.Horizontal, "outer_split", gallery_box,
                                     self.main_split, (0, 1))

    @property
    def splits(self) -> tuple[QSplitter, ...]:
        """Every splitter, each with its object name as its settings key."""
        return (self.outer_split, self.main_split, self.edit_split, self.run_split,
                self.side_split)

    def show_backend(self, backend: str) -> None:
        """Say above the table what a row is (a process, a thread, a pool task)."""
        if self.processes_hint is not None:
            self.processes_hint.setText(ROW_HINTS.get(backend, ROW_HINTS["processes"]))

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
