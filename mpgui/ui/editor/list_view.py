"""The base of the process table and the main-program editor: a table whose rows are
an ordered list the user edits, one row selected at a time, with row actions whose
Delete and Alt+arrow keys belong to whichever of the two lists has the focus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyledItemDelegate, QTableView

from mpgui.model.instances import color_indices
from mpgui.model.validation import Problem
from mpgui.runtime.cpu import cpu_count
from mpgui.ui.actions import Shortcut, make_action
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.theme import Theme
from mpgui.ui.themed_style import view_style

Index = QModelIndex | QPersistentModelIndex

# key, menu text, shortcut, slot, tip, button label
ActionSpec = tuple[str, str, Shortcut, Callable[[], object], str, str]
_LOCAL = ("remove", "up", "down")


_R = Qt.ItemDataRole
#: The roles the editors' models answer (`ListTableModel.data` returns None for the
#: others before looking at the scenario).
ANSWERED_ROLES = frozenset(int(r) for r in (
    _R.DisplayRole, _R.EditRole, _R.CheckStateRole, _R.DecorationRole, _R.ToolTipRole,
    _R.BackgroundRole, _R.ForegroundRole, _R.TextAlignmentRole, _R.FontRole))


class ListTableModel(QAbstractTableModel):
    """A table model over one list of the document's scenario (its processes or its
    main program): the rows follow the list, and each row's validation problems are at
    hand. Subclasses say which list (`items`), which problems (`section`) and how many
    columns."""

    rejected = Signal(str)  # an edit that could not be taken, and why
    section = ""  # the Problem.section of this list's problems
    n_columns = 0

    def __init__(self, doc: ScenarioDocument, theme: Theme) -> None:
        super().__init__()
        self.doc, self.theme = doc, theme
        self._rows = len(self.items())
        self._problems: dict[int, list[Problem]] = {}
        self._index_problems()
        doc.changed.connect(self._on_changed)

    def items(self) -> tuple:
        """The list this table shows."""
        raise NotImplementedError

    def problems(self, row: int, field: str | None = None) -> list[Problem]:
        """The problems of `row` (only those of `field`, if given)."""
        mine = self._problems.get(row, [])
        return mine if field is None else [p for p in mine if p.field == field]

    def _index_problems(self) -> None:
        self._problems = {}
        for p in self.doc.problems:
            if p.section == self.section:
                self._problems.setdefault(p.row, []).append(p)
        # Colour indices of each process row's processes (copies have several).
        self.row_colors = color_indices(self.doc.scenario, cpu_count())

    def swatch(self, process_row: int):  # type: ignore[no-untyped-def]
        """The colour mark of process row `process_row` (see Theme.swatch)."""
        return self.theme.swatch(self.row_colors[process_row] or [process_row])

    def tint(self, problems: list[Problem]) -> QColor:
        """The background of a cell with `problems`: the theme's error or warning tint."""
        error = any(p.severity == "error" for p in problems)
        return QColor(self.theme.error_tint if error else self.theme.warning_tint)

    def set_theme(self, theme: Theme) -> None:
        """Other colours (swatches, tints): every cell is drawn again."""
        self.theme = theme
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, self.n_columns - 1))

    def _on_changed(self) -> None:
        self._index_problems()
        n = len(self.items())
        if n != self._rows:  # rows added or removed: the views must start over
            self.beginResetModel()
            self._rows = n
            self.endResetModel()
        elif n:
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, self.n_columns - 1))

    def column_header(self, section: int) -> tuple[str, str]:
        """Column `section`'s header and its tooltip."""
        raise NotImplementedError

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if not index.isValid() or role not in ANSWERED_ROLES:
            return None  # Qt asks each cell for a dozen roles on every paint
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, col: int, role: int):  # type: ignore[no-untyped-def]
        """What cell (`row`, `col`) shows for `role` (one of ANSWERED_ROLES)."""
        raise NotImplementedError

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if orientation == Qt.Orientation.Horizontal:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                text, tip = self.column_header(section)
                return text if role == Qt.ItemDataRole.DisplayRole else tip
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)  # the row's number
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.n_columns


class ListTableView(QTableView):
    """A table of list rows: selection, row actions, a stretching column."""

    message = Signal(str)  # a short status message for the window
    part = ""  # the part of the scenario it edits (`model.exercise.PARTS`)

    def __init__(self, doc: ScenarioDocument, model: QAbstractTableModel,
                 delegate: QStyledItemDelegate, stretch_column: int,
                 edit_triggers: QAbstractItemView.EditTrigger) -> None:
        super().__init__()
        self.doc = doc
        self.model_ = model
        model.rejected.connect(self.message)  # type: ignore[attr-defined]
        model.setParent(self)  # the view owns its model and delegate
        delegate.setParent(self)
        self.setModel(model)
        self.setItemDelegate(delegate)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._triggers = edit_triggers
        self.setEditTriggers(edit_triggers)
        doc.changed.connect(self._follow_exercise)
        self.setWordWrap(False)
        self.setStyle(view_style())  # check boxes sized with the text, themed cell lines
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        self._fit_rows()
        self.actions_: dict[str, QAction] = {}

    def _follow_exercise(self) -> None:
        """An exercise that fixes this part: no cell opens for editing (the document
        refuses the rest — a check box, a row action — saying why)."""
        exercise = self.doc.scenario.exercise
        fixed = exercise is not None and not exercise.may_edit(self.part)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if fixed
                             else self._triggers)

    def _fit_rows(self) -> None:
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the zoom: rows as tall as the text
            self._fit_rows()

    def add_row_actions(self, specs: list[ActionSpec]) -> None:
        """Make the row actions; remove and move act on this list only."""
        for key, text, shortcut, slot, tip, short in specs:
            act = make_action(self, text, shortcut, slot, tip, short=short,
                              local=key in _LOCAL)
            if key in _LOCAL:
                self.addAction(act)
            self.actions_[key] = act

    def current_row(self) -> int | None:
        """The selected row, if any."""
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select_row(self, row: int) -> None:
        """Select `row` (clamped to the list)."""
        n = self.model_.rowCount()
        if n:
            self.selectRow(max(0, min(row, n - 1)))

    def insert_at(self) -> int:
        """Where a new row goes: below the selection, else at the end."""
        row = self.current_row()
        return self.model_.rowCount() if row is None else row + 1

    def moved_row(self, delta: int) -> tuple[int, int] | None:
        """(row, new row) for moving the selection by `delta`, if it can move."""
        row = self.current_row()
        if row is None or not 0 <= row + delta < self.model_.rowCount():
            return None
        return row, row + delta
