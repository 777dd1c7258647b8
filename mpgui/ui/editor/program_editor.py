"""The main-program editor: the parent's ordered start / join / sleep / terminate steps.

Each row shows the statement as Python (``C.join()``) beside the parts that make it up.
A step whose process was deleted stays, marked, until the user removes or retargets it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QStyledItemDelegate,
    QWidget,
)

from mpgui.i18n import _
from mpgui.model import edits
from mpgui.model.registry import MAX_SECONDS
from mpgui.model.scenario import ACTIONS, Step
from mpgui.model.validation import as_number, format_value
from mpgui.ui.accessibility import accessible
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.editor.list_view import Index, ListTableModel, ListTableView
from mpgui.ui.theme import Theme, mono_font

COLUMNS = ("action", "target", "seconds", "code")
HEADERS = {"action": _("Step"), "target": _("Process"), "seconds": _("Seconds"),
           "code": _("Python")}
TIPS = {
    "action": _("start() runs the process; join() waits until it ends (or until the "
                "timeout); terminate() stops it; time.sleep() pauses the main program."),
    "target": _("The process this step acts on."),
    "seconds": _("For join: the timeout (empty = wait as long as it takes). "
                 "For sleep: how long the main program sleeps."),
    "code": _("The statement as it appears in the generated script."),
}
ACTION_LABELS = {"start": "start()", "join": "join()", "sleep": "time.sleep()",
                 "terminate": "terminate()"}
NO_TIMEOUT = -1.0  # the spin box's special value: join() without a timeout


class ProgramModel(ListTableModel):
    """The document's main program as a table."""

    section = "step"
    n_columns = len(COLUMNS)

    def items(self) -> tuple:
        return self.doc.scenario.program

    def step(self, row: int) -> Step:
        """The step in `row`."""
        return self.doc.scenario.program[row]

    def applicable(self, row: int, key: str) -> bool:
        """Whether column `key` means something for the step in `row`."""
        action = self.step(row).action
        return not ((key == "target" and action == "sleep")
                    or (key == "seconds" and action in ("start", "terminate")))

    def cell(self, row: int, col: int, role: int):  # type: ignore[no-untyped-def]
        key = COLUMNS[col]
        step = self.step(row)
        problems = [p for p in self.problems(row) if p.field == key
                    or (key == "code" and p.field not in COLUMNS)]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(step, key, row)
        if role == Qt.ItemDataRole.EditRole:
            if key == "seconds":
                return NO_TIMEOUT if step.seconds is None else step.seconds
            return getattr(step, key) if key != "code" else step.code()
        if role == Qt.ItemDataRole.ToolTipRole:
            mine = self.problems(row)
            if mine:
                return "\n".join("✖ " + p.message for p in mine)
            return TIPS[key]
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return self.tint(problems)
        if role == Qt.ItemDataRole.BackgroundRole and key == "code" and self.problems(row):
            return self.tint(self.problems(row))
        if role == Qt.ItemDataRole.ForegroundRole and (problems or (
                key == "code" and self.problems(row))):
            return QColor("#1a1a1a")
        if role == Qt.ItemDataRole.DecorationRole and key == "target" and step.action != "sleep":
            vars_ = self.doc.scenario.vars()
            if step.target in vars_:
                return self.swatch(vars_.index(step.target))
        if role == Qt.ItemDataRole.FontRole and key == "code":
            return mono_font(bold=True)
        return None

    def _display(self, step: Step, key: str, row: int) -> str:
        if key == "action":
            return ACTION_LABELS.get(step.action, step.action)
        if key == "target":
            if step.action == "sleep":
                return ""
            if step.target and step.target not in self.doc.scenario.vars():
                return _("{process} (deleted)").format(process=step.target)
            return step.target or _("(choose)")
        if key == "seconds":
            if step.action in ("start", "terminate"):
                return ""
            if step.seconds is None:
                return _("no timeout") if step.action == "join" else ""
            return _("{seconds} s").format(seconds=format_value(step.seconds))
        return step.code()

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        key = COLUMNS[index.column()] if index.isValid() else "code"
        if key == "code" or not self.applicable(index.row(), key):
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def column_header(self, section: int) -> tuple[str, str]:
        return HEADERS[COLUMNS[section]], TIPS[COLUMNS[section]]

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # type: ignore[no-untyped-def]
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row, key = index.row(), COLUMNS[index.column()]
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        if (key == "action" and value not in ACTIONS) or (
                key == "target" and value not in self.doc.scenario.vars()):
            message = _("Step {n}: {value} is not a step") if key == "action" else \
                _("Step {n}: {value} is not a process of the table")
            self.rejected.emit(message.format(n=row + 1, value=repr(str(value)[:40])))
            return False
        if key == "seconds" and value is not None and value != "":
            number = as_number(value)
            if number is None:  # typed or pasted text that is no number: say so, keep all
                self.rejected.emit(_("Step {n}: {value} is not a number of seconds").format(
                    n=row + 1, value=repr(str(value)[:40])))
                return False
            value = None if number == NO_TIMEOUT else number
        elif key == "seconds":
            value = None
        step = edits.change_step(self.step(row), key, value)
        if step.action != "sleep" and not step.target and self.doc.scenario.processes:
            step = edits.change_step(step, "target", self.doc.scenario.vars()[0])
        self.doc.edit(edits.set_step(self.doc.scenario, row, step),
                      _("Change step {n} to {code}").format(n=row + 1, code=step.code()),
                      merge_key=f"step:{row}:{key}")
        return True


class ProgramDelegate(QStyledItemDelegate):
    """Combo boxes for the step and the process, a spin box for seconds."""

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:  # type: ignore[no-untyped-def]
        key = COLUMNS[index.column()]
        model = index.model()
        if key == "action":
            combo = QComboBox(parent)
            for action in ACTIONS:
                combo.addItem(ACTION_LABELS[action], action)
            return combo
        if key == "target":
            combo = QComboBox(parent)
            for var in model.doc.scenario.vars():  # type: ignore[attr-defined]
                combo.addItem(var, var)
            return combo
        spin = QDoubleSpinBox(parent)
        spin.setDecimals(3)
        spin.setSingleStep(0.1)
        spin.setSuffix(" s")
        step = model.step(index.row())  # type: ignore[attr-defined]
        if step.action == "join":
            spin.setRange(NO_TIMEOUT, MAX_SECONDS)
            spin.setSpecialValueText(_("no timeout"))
        else:
            spin.setRange(0.0, MAX_SECONDS)
        return spin

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))

    def setModelData(self, editor: QWidget, model, index: Index) -> None:  # type: ignore[no-untyped-def]
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        elif isinstance(editor, QDoubleSpinBox):
            editor.interpretText()
            model.setData(index, editor.value())


class ProgramView(ListTableView):
    """The main program, and its step actions (add, remove, move)."""

    part = "main"

    def __init__(self, doc: ScenarioDocument, theme: Theme) -> None:
        triggers = (QAbstractItemView.EditTrigger.DoubleClicked
                    | QAbstractItemView.EditTrigger.EditKeyPressed
                    | QAbstractItemView.EditTrigger.SelectedClicked)
        model = ProgramModel(doc, theme)
        super().__init__(doc, model, ProgramDelegate(), COLUMNS.index("code"), triggers)
        accessible(self, _("Main program"),
                   _("The parent's calls in order: start(), join() with or without a "
                     "timeout, time.sleep(), terminate(); Ctrl+Shift+M adds one"))
        self.add_row_actions([
            ("add", _("Add &Step"), "Ctrl+Shift+M", self.add_step,
             _("Add a step to the main program (the likely next one: a start, then joins)"),
             _("Add")),
            ("remove", _("Remove Step"), QKeySequence.StandardKey.Delete, self.remove_step,
             _("Remove the selected step"), _("Remove")),
            ("up", _("Move Step Up"), "Alt+Up", lambda: self.move_step(-1),
             _("Move the selected step earlier"), "▲"),
            ("down", _("Move Step Down"), "Alt+Down", lambda: self.move_step(1),
             _("Move the selected step later"), "▼"),
        ])

    def add_step(self) -> None:
        """Insert the most likely next step after the selection (or at the end)."""
        s = self.doc.scenario
        at = self.insert_at()
        step = edits.suggest_step(s)
        self.doc.edit(edits.insert_step(s, step, at),
                      _("Add step {code}").format(code=step.code()))
        self.select_row(at)

    def remove_step(self) -> None:
        """Remove the selected step."""
        row = self.current_row()
        if row is None:
            return
        s = self.doc.scenario
        self.doc.edit(edits.remove_step(s, row),
                      _("Remove step {code}").format(code=s.program[row].code()))
        self.select_row(row)

    def move_step(self, delta: int) -> None:
        """Move the selected step earlier (-1) or later (+1)."""
        move = self.moved_row(delta)
        if move is None:
            return
        s = self.doc.scenario
        text = _("Move {step} up") if delta < 0 else _("Move {step} down")
        self.doc.edit(edits.move_step(s, *move), text.format(step=s.program[move[0]].code()))
        self.select_row(move[1])
