"""The process table: one row per ``multiprocessing.Process``.

The columns and the editors come from the workload registry: a combo box for the
workload, spin boxes with the parameter's unit and limits, text for names and the
message. A parameter column shows only while some row's workload uses it. A cell with a
validation problem is tinted and says what is wrong in its tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QSpinBox,
    QStyledItemDelegate,
    QWidget,
)

from mpgui.i18n import _, ngettext
from mpgui.model import edits
from mpgui.model.copies import Copies
from mpgui.model.message import placeholder_help
from mpgui.model.registry import STEPS, WORKLOADS, Param, param_columns
from mpgui.model.shared import plays
from mpgui.model.validation import Problem, as_number, format_value
from mpgui.ui.accessibility import accessible
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.editor.list_view import Index, ListTableModel, ListTableView
from mpgui.ui.theme import Theme, mono_font


@dataclass(frozen=True)
class Column:
    """A column of the process table."""

    key: str  # a ProcessSpec attribute, or a parameter name
    header: str
    tip: str
    param: Param | None = None


COLUMNS: tuple[Column, ...] = (
    Column("var", _("Variable"), _("The Python variable of this process (A = Process(...)).")),
    Column("name", _("Name"), _("The process name: Process(name=...).")),
    # (not formatted: "{k}" is shown as it is)
    # TRANSLATORS: keep {k} and "per core" as they are: what one writes in the cells
    Column("copies", _("Copies"), _("How many processes this row stands for: 1, a number, "
           "or \"per core\" (one per logical CPU, os.cpu_count()) or \"2 per core\". Copies "
           "are a list in the script (W = [Process(...) for k in range(...)]), their names "
           "end in the copy number and {k} in the printed line is that number.")),
    Column("workload", _("Workload"), _("What the process does. {workloads}").format(
        workloads=" ".join(f"{w.title}: {w.help}" for w in WORKLOADS.values()))),
    Column("uses", _("Uses"), _("The shared object it works with (a queue, a lock, a "
           "value), passed to its function as an argument; the objects are listed above "
           "the main program.")),
    # TRANSLATORS: keep the steps' words (sleep S, put Q, acquire L …): what one types
    Column("steps", _("Steps"), _("What a row whose workload is \"Your own steps\" does, n "
           "times, separated by \";\": sleep S, compute S, print, put Q, get Q (put Q "
           "0.5, get Q 0.5: give up after 0.5 s), "
           "task_done Q, join Q, send P[0], recv P[1], acquire L, release L, set E, "
           "clear E, wait E, barrier B, cond_wait C, notify C, add V, add_locked V "
           "(+= 1; add V 5 adds 5), read V. An object a step names is given to the row "
           "(and made if there is none).")),
    *(Column(p.name, p.label, p.help, p) for p in param_columns()),  # cells show units
    Column("message", _("Prints"), _("The line printed in each iteration. Placeholders: "
                                     "{placeholders}.").format(
                                         placeholders=placeholder_help())),
    Column("daemon", _("Daemon"), _("A daemon process is terminated when the main program "
           "ends; the others are waited for.")),
)
COLUMN_OF = {c.key: i for i, c in enumerate(COLUMNS)}


class ProcessTableModel(ListTableModel):
    """The document's processes as a table."""

    section = "process"
    n_columns = len(COLUMNS)

    def items(self) -> tuple:
        return self.doc.scenario.processes

    def applicable(self, row: int, col: int) -> bool:
        """Whether column `col` means something for the workload of row `row`."""
        column = COLUMNS[col]
        if column.param is None and column.key not in ("uses", "steps"):
            return True
        spec = self.doc.scenario.processes[row]
        if column.key == "steps":
            return spec.workload == STEPS
        workload = spec.work() if spec.workload in WORKLOADS else None
        if column.key == "uses":
            return workload is not None and bool(workload.roles)
        return workload is not None and column.key in {p.name for p in workload.params}

    def used_columns(self) -> set[int]:
        """Parameter columns (and Uses) some row needs (the others are hidden)."""
        return {c for c, col in enumerate(COLUMNS) if (col.param is not None
                                                       or col.key in ("uses", "steps"))
                and any(self.applicable(r, c) for r in range(self.rowCount()))}

    def cell(self, row: int, col: int, role: int):  # type: ignore[no-untyped-def]
        spec = self.doc.scenario.processes[row]
        column = COLUMNS[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, spec, column, self.applicable(row, col))
        if role == Qt.ItemDataRole.EditRole:
            if column.param is not None:
                return spec.param(column.key) if self.applicable(row, col) else None
            if column.key == "uses":
                return _uses_text(spec)
            if column.key == "copies":
                return str(spec.copies)
            return getattr(spec, column.key)
        if role == Qt.ItemDataRole.CheckStateRole and column.key == "daemon":
            return Qt.CheckState.Checked if spec.daemon else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and column.key == "var":
            return self.swatch(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(spec, column, self.applicable(row, col),
                                 self.problems(row, column.key))
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            problems = self.problems(row, column.key)
            if not problems:
                return None
            if role == Qt.ItemDataRole.BackgroundRole:
                return self.tint(problems)
            return QColor(self.theme.tint_text)  # readable on the tint in any theme
        if role == Qt.ItemDataRole.TextAlignmentRole and column.param is not None:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column.key in ("var", "message", "steps"):
            return mono_font(bold=column.key == "var")
        return None

    def _display(self, row: int, spec, column: Column, applicable: bool) -> str:  # type: ignore[no-untyped-def]
        if column.key == "daemon":
            return ""
        if column.key == "workload":
            w = WORKLOADS.get(spec.workload)
            return w.title if w else f"{spec.workload}?"
        if column.key == "copies":
            n = len(self.row_colors[row])  # per core: how many on this computer
            return f"{spec.copies} = {n}" if spec.copies.per_core else str(spec.copies)
        if column.key == "uses":
            return _uses_text(spec) if applicable else ""
        if column.key == "steps":
            return spec.steps if applicable else ""
        if column.param is None:
            return str(getattr(spec, column.key))
        if not applicable:
            return ""
        value = spec.param(column.key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            unit = f" {column.param.unit}" if column.param.unit else ""
            return f"{format_value(value)}{unit}"
        return repr(value)

    def _tooltip(self, spec, column: Column, applicable: bool,  # type: ignore[no-untyped-def]
                 problems: list[Problem]) -> str:
        if problems:
            return "\n".join(("⚠ " if p.severity == "warning" else "✖ ") + p.message
                             for p in problems)
        if column.key == "steps" and not applicable:
            return _("Only a row whose workload is \"Your own steps\" has steps.")
        if column.key == "uses" and applicable:
            roles = spec.work().roles
            return "; ".join(_("{role}: {help} (a {kind})").format(role=role, help=help_,
                                                                   kind=kind)
                             for role, kind, help_ in roles) + ". " + column.tip
        if column.key == "uses":
            return _("{workload} uses no shared object.").format(
                workload=WORKLOADS[spec.workload].title)
        if column.param is not None:
            if not applicable:
                return _("{workload} takes no {parameter}.").format(
                    workload=WORKLOADS[spec.workload].title, parameter=column.header.lower())
            param = WORKLOADS[spec.workload].param(column.key)
            return _("{help} Allowed: {range}.").format(help=param.help,
                                                        range=param.describe_range())
        return column.tip

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid() or not self.applicable(index.row(), index.column()):
            return base
        if COLUMNS[index.column()].key == "daemon":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def column_header(self, section: int) -> tuple[str, str]:
        return COLUMNS[section].header, COLUMNS[section].tip

    # -- writing -----------------------------------------------------------------------

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # type: ignore[no-untyped-def]
        if not index.isValid():
            return False
        row, column = index.row(), COLUMNS[index.column()]
        s = self.doc.scenario
        var = s.processes[row].var
        if column.key == "daemon":
            if role != Qt.ItemDataRole.CheckStateRole:
                return False
            on = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) \
                else value
            new = edits.set_process_field(s, row, "daemon", on)
            text = (_("Make {var} a daemon") if on else _("Make {var} not a daemon")).format(
                var=var)
        elif role != Qt.ItemDataRole.EditRole:
            return False
        elif column.param is not None:
            number = as_number(value)
            if number is None:  # typed or pasted text that is no number: say so, keep all
                self.rejected.emit(_("{parameter} of {var}: {value} is not a number").format(
                    parameter=column.param.label, var=var, value=repr(str(value)[:40])))
                return False
            new = edits.set_param(s, row, column.key, number)
            text = _("Set {var} {parameter} to {value}").format(
                var=var, parameter=column.param.label.lower(), value=format_value(number))
        elif column.key == "copies":
            try:
                copies = Copies.parse(value)
            except ValueError as exc:
                self.rejected.emit(_("Copies of {var}: {problem}").format(var=var, problem=exc))
                return False
            new = edits.set_process_field(s, row, "copies", copies)
            text = _("Make {copies} of {var}").format(copies=copies, var=var)
        elif column.key == "uses":
            roles = s.processes[row].work().roles
            names = [n.strip() for n in str(value).split(",")]
            unknown = [n for n in names if s.shared(n) is None]
            if not roles or len(names) != len(roles) or unknown:
                wanted = ", ".join(role for role, _kind, _help in roles)
                self.rejected.emit(ngettext(
                    "Uses of {var}: {value} — give {n} shared object ({wanted}), listed "
                    "above the main program",
                    "Uses of {var}: {value} — give {n} shared objects ({wanted}), listed "
                    "above the main program", len(roles)).format(
                        var=var, value=repr(str(value)[:40]), n=len(roles), wanted=wanted))
                return False
            new = s
            for (role, _kind, _help), name in zip(roles, names, strict=True):
                new = edits.set_uses(new, row, role, name)
            text = _("Give {var} {objects}").format(var=var, objects=", ".join(names))
        elif column.key == "workload" and value not in WORKLOADS:
            self.rejected.emit(_("Workload of {var}: {value} is not a workload; choose one "
                                 "of {workloads}").format(var=var, value=repr(str(value)[:40]),
                                                          workloads=", ".join(WORKLOADS)))
            return False
        else:
            if column.key == "var":
                value = str(value).strip()
            new = edits.set_process_field(s, row, column.key, value)
            text = _("Change {var} {column}").format(var=var, column=column.header.lower())
        self.doc.edit(new, text, merge_key=f"process:{row}:{column.key}")
        return True


def _uses_text(spec) -> str:  # type: ignore[no-untyped-def]
    """The objects a row uses, in its workload's order of roles: "L1, L2"."""
    workload = spec.work() if spec.workload in WORKLOADS else None
    roles = [role for role, _kind, _help in workload.roles] if workload else []
    return ", ".join(spec.uses.get(role, "?") for role in roles)


class ProcessDelegate(QStyledItemDelegate):
    """Editors from the registry: combo box, spin boxes with units and limits."""

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:  # type: ignore[no-untyped-def]
        column = COLUMNS[index.column()]
        if column.key == "workload":
            combo = QComboBox(parent)
            for w in WORKLOADS.values():
                combo.addItem(w.title, w.name)
                combo.setItemData(combo.count() - 1, w.help, Qt.ItemDataRole.ToolTipRole)
            return combo
        if column.key == "uses":
            model = index.model()
            s = model.doc.scenario  # type: ignore[attr-defined]
            roles = s.processes[index.row()].work().roles
            if len(roles) != 1:  # several roles: their objects' names, in role order
                editor = super().createEditor(parent, option, index)
                editor.setToolTip(_("The objects' names, in this order: {roles}").format(
                    roles=", ".join(role for role, _kind, _help in roles)))
                return editor
            combo = QComboBox(parent)
            for obj in s.objects:
                if roles and plays(obj.kind, roles[0][1]):
                    combo.addItem(obj.name, obj.name)
            combo.setToolTip(_("Which {kind} it uses").format(kind=roles[0][1]) if roles
                             else "")
            return combo
        if column.key == "copies":
            combo = QComboBox(parent)
            combo.setEditable(True)  # any number, or "3 per core"
            combo.addItems(["1", "2", "4", "8", "per core", "2 per core"])
            combo.setToolTip(column.tip)
            return combo
        if column.param is not None:
            model = index.model()
            spec = model.doc.scenario.processes[index.row()]  # type: ignore[attr-defined]
            param = WORKLOADS[spec.workload].param(column.key)
            return param_spin_box(param, parent)
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox) and editor.isEditable():
            editor.setCurrentText(str(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QSpinBox | QDoubleSpinBox):
            try:
                editor.setValue(value)
            except (TypeError, OverflowError):  # a bad value from a file: start from min
                editor.setValue(editor.minimum())
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model, index: Index) -> None:  # type: ignore[no-untyped-def]
        if isinstance(editor, QComboBox) and editor.isEditable():
            model.setData(index, editor.currentText())
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        elif isinstance(editor, QSpinBox | QDoubleSpinBox):
            editor.interpretText()
            model.setData(index, editor.value())
        else:
            super().setModelData(editor, model, index)


def param_spin_box(param: Param, parent: QWidget | None = None) -> QSpinBox | QDoubleSpinBox:
    """A spin box with `param`'s type, limits and unit."""
    if param.kind is int:
        spin: QSpinBox | QDoubleSpinBox = QSpinBox(parent)
        spin.setRange(int(param.minimum), int(param.maximum))
    else:
        spin = QDoubleSpinBox(parent)
        spin.setDecimals(3)
        spin.setSingleStep(0.1)
        spin.setRange(float(param.minimum), float(param.maximum))
    if param.unit:
        spin.setSuffix(f" {param.unit}")
    spin.setToolTip(_("{help} Allowed: {range}.").format(help=param.help,
                                                         range=param.describe_range()))
    spin.setAccelerated(True)
    return spin


class ProcessTableView(ListTableView):
    """The table, its editors, and its row actions (add, duplicate, remove, move)."""

    part = "processes"

    def __init__(self, doc: ScenarioDocument, theme: Theme) -> None:
        triggers = (QAbstractItemView.EditTrigger.DoubleClicked
                    | QAbstractItemView.EditTrigger.EditKeyPressed
                    | QAbstractItemView.EditTrigger.AnyKeyPressed)
        model = ProcessTableModel(doc, theme)
        super().__init__(doc, model, ProcessDelegate(), COLUMN_OF["message"], triggers)
        accessible(self, _("Processes"),
                   _("One row per process: its variable, name, copies, workload and what "
                     "it prints; Ctrl+Shift+A adds one"))
        self.setAlternatingRowColors(True)
        self.add_row_actions([
            ("add", _("&Add Process"), "Ctrl+Shift+A", self.add_process,
             _("Add a process (and start it at the end of the main program)"), _("Add")),
            ("duplicate", _("&Duplicate Process"), "Ctrl+D", self.duplicate_process,
             _("Copy the selected process under a new variable name"), _("Duplicate")),
            ("remove", _("&Remove Process"), QKeySequence.StandardKey.Delete,
             self.remove_process,
             _("Remove the selected process; its steps stay, marked, in the main program"),
             _("Remove")),
            ("up", _("Move Process &Up"), "Alt+Up", lambda: self.move_process(-1),
             _("Move the selected process up"), "▲"),
            ("down", _("Move Process Dow&n"), "Alt+Down", lambda: self.move_process(1),
             _("Move the selected process down"), "▼"),
        ])
        doc.changed.connect(self._refresh_columns)
        self._refresh_columns()

    def _refresh_columns(self) -> None:
        used = self.model_.used_columns()
        for c, column in enumerate(COLUMNS):
            if column.param is not None or column.key in ("uses", "steps"):
                self.setColumnHidden(c, c not in used)

    def focus_cell(self, row: int, key: str) -> None:
        """Select and show the cell of process `row` in column `key` (a field name)."""
        index = self.model_.index(row, COLUMN_OF.get(key, 0))
        self.setCurrentIndex(index)
        self.scrollTo(index)
        self.setFocus()

    def add_process(self) -> None:
        """Add a new process below the selection (or at the end)."""
        s = self.doc.scenario
        at = self.insert_at()
        spec = edits.new_process(s)
        if not self.doc.edit(edits.add_process(s, spec, at),
                             _("Add process {var}").format(var=spec.var)):
            return  # (refused: the window says why)
        self.select_row(at)
        self.message.emit(_("Added {var} and {var}.start() at the end of the main "
                            "program").format(var=spec.var))

    def duplicate_process(self) -> None:
        """Duplicate the selected process."""
        row = self.current_row()
        if row is None:
            return
        s = self.doc.scenario
        self.doc.edit(edits.duplicate_process(s, row),
                      _("Duplicate {var}").format(var=s.processes[row].var))
        self.select_row(row + 1)

    def remove_process(self) -> None:
        """Remove the selected process."""
        row = self.current_row()
        if row is None:
            return
        s = self.doc.scenario
        var = s.processes[row].var
        if not self.doc.edit(edits.remove_process(s, row),
                             _("Remove process {var}").format(var=var)):
            return  # (refused: the window says why)
        self.select_row(row)
        if any(st.target == var for st in s.program):
            self.message.emit(_("Removed {var}; its steps in the main program are marked — "
                                "remove or retarget them").format(var=var))

    def move_process(self, delta: int) -> None:
        """Move the selected process up (-1) or down (+1)."""
        move = self.moved_row(delta)
        if move is None:
            return
        s = self.doc.scenario
        text = _("Move {var} up") if delta < 0 else _("Move {var} down")
        self.doc.edit(edits.move_process(s, *move),
                      text.format(var=s.processes[move[0]].var))
        self.select_row(move[1])
