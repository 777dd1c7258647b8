"""The shared objects of a scenario — queues, locks, values — as a small table above the
main program, which makes them before it starts anything (`mpgui.model.shared`).

Each row: the object's name, its kind, its type (a Value's or an Array's typecode: the
C type of its numbers), its setting (a queue's maxsize, a value's initial value) and the
line that makes it in the equivalent script. The table shows
only while the scenario has objects; Add Shared Object (in the Main program panel and
the Edit menu) adds one, and choosing a workload that needs one adds it too.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QColor, QCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QMenu,
    QStyledItemDelegate,
    QWidget,
)

from mpgui.i18n import _
from mpgui.model import edits
from mpgui.model.shared import (
    OBJECT_KINDS,
    TYPECODES,
    SharedObject,
    describe_typecode,
    get_kind,
    typecode_range,
)
from mpgui.model.validation import as_number, check_var
from mpgui.ui.accessibility import accessible
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.editor.list_view import Index, ListTableModel, ListTableView
from mpgui.ui.editor.process_table import param_spin_box
from mpgui.ui.theme import Theme, mono_font

HEADERS = (_("Object"), _("Kind"), _("Type"), _("Setting"), _("In the script"))
TIPS = (
    _("The object's variable in the script; each process that uses it gets it as an "
      "argument."),
    _("What kind of object: {kinds}").format(
        kinds=" ".join(f"{k.name}: {k.help}" for k in OBJECT_KINDS.values())),
    _("A Value's or an Array's typecode, the C type of its numbers: \"i\" an int (the "
      "usual), \"d\" a double (a floating-point number), \"b\" a signed char (-128 to 127: "
      "a number past it wraps round)… Other kinds have none."),
    _("Its one setting, if its kind has one: a queue's maxsize (0: no limit), a value's "
      "initial value."),
    _("The line of the script's main block that makes it (before any process starts)."),
)
NAME, KIND, TYPE, SETTING, CODE = range(5)


def made_as(obj: SharedObject) -> str:
    """``Q = multiprocessing.Queue(2)``: the line that makes `obj` with processes."""
    try:
        kind = get_kind(obj.kind)
    except KeyError:
        return ""
    return f"{obj.name} = " + kind.expression(obj.values(), typecode=obj.code())


def typed(obj: SharedObject) -> bool:
    """Whether `obj`'s kind has a typecode (a Value, an Array)."""
    kind = OBJECT_KINDS.get(obj.kind)
    return kind is not None and kind.typed


class ObjectsModel(ListTableModel):
    """The document's shared objects as a table."""

    section = "object"
    n_columns = len(HEADERS)

    def items(self) -> tuple:
        return self.doc.scenario.objects

    def setting(self, obj: SharedObject) -> str | None:
        """The name of the one parameter of `obj`'s kind, if it has one."""
        kind = OBJECT_KINDS.get(obj.kind)
        return kind.params[0].name if kind is not None and kind.params else None

    def cell(self, row: int, col: int, role: int):  # type: ignore[no-untyped-def]
        obj = self.doc.scenario.objects[row]
        setting = self.setting(obj)
        field = ("name", "kind", "typecode", setting or "", "")[col]
        problems = self.problems(row, field) if field else []
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == NAME:
                return obj.name
            if col == KIND:
                return obj.kind
            if col == TYPE:
                if not typed(obj):
                    return "" if role == Qt.ItemDataRole.DisplayRole else None
                return obj.code() if role == Qt.ItemDataRole.EditRole else \
                    describe_typecode(obj.code())
            if col == SETTING:
                if setting is None:
                    return "" if role == Qt.ItemDataRole.DisplayRole else None
                value = obj.param(setting)
                if role == Qt.ItemDataRole.EditRole:
                    return value
                kind = get_kind(obj.kind)
                if kind.shows is not None:
                    return kind.shows(value)
                if value == 0 and kind.zero:
                    return kind.zero
                return f"{kind.param(setting).label.lower()} {value}"
            return made_as(obj)
        if role == Qt.ItemDataRole.ToolTipRole:
            if problems:
                return "\n".join(("⚠ " if p.severity == "warning" else "✖ ") + p.message
                                 for p in problems)
            if col == SETTING and setting is not None:
                param = get_kind(obj.kind).param(setting)
                return _("{help} Allowed: {range}.").format(help=param.help,
                                                            range=param.describe_range())
            if col == TYPE and typed(obj) and obj.code() in TYPECODES:
                span = typecode_range(obj.code())
                typecode, ctype = describe_typecode(obj.code()), TYPECODES[obj.code()]
                if span is None:
                    return _("{typecode}: its numbers are C {ctype}s, floating-point "
                             "numbers. Double-click to choose another typecode.").format(
                                 typecode=typecode, ctype=ctype)
                return _("{typecode}: its numbers are C {ctype}s, whole numbers from "
                         "{low:,} to {high:,}. Double-click to choose another "
                         "typecode.").format(typecode=typecode, ctype=ctype, low=span[0],
                                             high=span[1])
            return TIPS[col]
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return self.tint(problems)
        if role == Qt.ItemDataRole.ForegroundRole and problems:
            return QColor(self.theme.tint_text)
        if role == Qt.ItemDataRole.FontRole and col in (NAME, CODE):
            return mono_font(bold=col == NAME)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid() or index.column() == CODE:
            return base
        obj = self.doc.scenario.objects[index.row()]
        if (index.column() == SETTING and self.setting(obj) is None) or \
                (index.column() == TYPE and not typed(obj)):
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def column_header(self, section: int) -> tuple[str, str]:
        return HEADERS[section], TIPS[section]

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # type: ignore[no-untyped-def]
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        s = self.doc.scenario
        row, col = index.row(), index.column()
        obj = s.objects[row]
        if col == NAME:
            name = str(value).strip()
            if name == obj.name:
                return False
            if (msg := check_var(name)) is not None:  # refused at once: uses follow names
                self.rejected.emit(_("Object {name}: {problem}").format(name=obj.name,
                                                                         problem=msg))
                return False
            new = edits.set_object_field(s, row, "name", name)
            text = _("Rename {name}").format(name=obj.name)
        elif col == KIND:
            if value not in OBJECT_KINDS or value == obj.kind:
                return False
            new = edits.set_object_field(s, row, "kind", str(value))
            text = _("Make {name} a {kind}").format(name=obj.name, kind=value)
        elif col == TYPE:
            if not typed(obj) or value not in TYPECODES or value == obj.code():
                return False
            new = edits.set_object_field(s, row, "typecode", str(value))
            text = _("Make {name} hold {ctype}s").format(name=obj.name,
                                                         ctype=TYPECODES[str(value)])
        else:
            setting = self.setting(obj)
            number = as_number(value)
            if setting is None or not isinstance(number, int):
                self.rejected.emit(_("{name}: {value} is not a whole number").format(
                    name=obj.name, value=repr(str(value)[:40])))
                return False
            new = edits.set_object_field(s, row, setting, number)
            text = _("Set {name} {setting} to {number}").format(name=obj.name,
                                                                setting=setting, number=number)
        self.doc.edit(new, text, merge_key=f"object:{row}:{col}")
        return True


class ObjectsDelegate(QStyledItemDelegate):
    """A combo box for the kind and the type, a spin box with the setting's limits."""

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:  # type: ignore[no-untyped-def]
        model = index.model()
        if index.column() == KIND:
            combo = QComboBox(parent)
            for kind in OBJECT_KINDS.values():
                combo.addItem(kind.name, kind.name)
                combo.setItemData(combo.count() - 1, kind.help, Qt.ItemDataRole.ToolTipRole)
            return combo
        if index.column() == TYPE:
            combo = QComboBox(parent)
            for code in TYPECODES:
                combo.addItem(describe_typecode(code), code)
            return combo
        if index.column() == SETTING:
            obj = model.doc.scenario.objects[index.row()]  # type: ignore[attr-defined]
            kind = get_kind(obj.kind)
            return param_spin_box(kind.params[0], parent)
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model, index: Index) -> None:  # type: ignore[no-untyped-def]
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        else:
            super().setModelData(editor, model, index)


class ObjectsView(ListTableView):
    """The objects table and its actions: add (of a kind), remove, move."""

    part = "objects"

    def __init__(self, doc: ScenarioDocument, theme: Theme) -> None:
        triggers = (QAbstractItemView.EditTrigger.DoubleClicked
                    | QAbstractItemView.EditTrigger.EditKeyPressed
                    | QAbstractItemView.EditTrigger.AnyKeyPressed)
        super().__init__(doc, ObjectsModel(doc, theme), ObjectsDelegate(), CODE, triggers)
        accessible(self, _("Shared objects"),
                   _("The queues, locks, events and values the main program makes and "
                     "passes to the processes"))
        self.verticalHeader().hide()
        self.kinds_menu = QMenu(_("Add &Shared Object"))
        for kind in OBJECT_KINDS.values():
            act = self.kinds_menu.addAction(f"{kind.name}", lambda k=kind.name: self.add(k))
            act.setToolTip(kind.help)
            act.setStatusTip(kind.help)
        self.kinds_menu.setToolTipsVisible(True)
        self.add_row_actions([
            ("add", _("Add Shared &Object…"), "Ctrl+Shift+H", self.choose_kind,
             _("Add a shared object — a Queue, a Lock or a Value — that the main program "
               "makes and passes to the processes that use it"), _("Object")),
            ("remove", _("Remove Shared Object"), "Delete", self.remove,
             _("Remove the selected shared object; the processes that use it are marked"),
             _("Remove")),
        ])
        doc.changed.connect(self._follow)
        self._follow()

    def _follow(self) -> None:
        """Shown only while the scenario has objects; no taller than its rows."""
        n = len(self.doc.scenario.objects)
        self.setVisible(n > 0)
        rows = self.verticalHeader().defaultSectionSize() * n
        self.setFixedHeight(rows + self.horizontalHeader().sizeHint().height() + 4
                            if n else 0)

    def choose_kind(self) -> None:
        """Ask which kind to add: the kinds' menu, where the mouse is (a button or a
        menu was clicked), else at the top of the window's focus widget (a shortcut)."""
        window = self.window()
        focus = window.focusWidget() if window is not None else None
        clicked = QApplication.mouseButtons() != Qt.MouseButton.NoButton or \
            QApplication.activePopupWidget() is not None
        at = QCursor.pos() if clicked or focus is None else \
            focus.mapToGlobal(QPoint(0, 0))
        self.kinds_menu.popup(at)

    def add(self, kind: str) -> None:
        """Add a shared object of `kind`."""
        s = self.doc.scenario
        new = edits.add_object(s, kind)
        name = new.objects[-1].name
        if not self.doc.edit(new, _("Add {kind} {name}").format(kind=kind, name=name)):
            return  # (refused: the window says why)
        self.select_row(len(new.objects) - 1)
        self.message.emit(_("Added {name} = {kind}(); choose it in a process's Uses column "
                            "(a producer, consumer, counter or lock holder)").format(
                                name=name, kind=kind))

    def remove(self) -> None:
        """Remove the selected object."""
        row = self.current_row()
        if row is None:
            return
        s = self.doc.scenario
        name = s.objects[row].name
        if not self.doc.edit(edits.remove_object(s, row),
                             _("Remove {name}").format(name=name)):
            return  # (refused: the window says why)
        self.select_row(row)
        if any(name in p.uses.values() for p in s.processes):
            self.message.emit(_("Removed {name}; the processes that used it are marked — "
                                "choose another object for them").format(name=name))

    def actions_for_menu(self) -> list[QAction]:
        """What the Edit menu shows of this table."""
        return [self.actions_["add"], self.actions_["remove"]]
