"""The open scenario: its current value, where it came from, and its undo history.

A scenario is immutable, so every edit is a snapshot: the command keeps the scenario
before and after, and undo simply puts the old one back. The table models and the
window listen to `changed` and read `scenario`; nothing else holds a copy.

Each document state has an undo stack of its own, in one QUndoGroup (the window's
Undo / Redo follow the group): `switch` hands the whole state over — scenario, origin,
history — so an edited built-in can be set aside for the session and come back as it
was left (see session_edits.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from mpgui.i18n import _
from mpgui.model.exercise import refusal
from mpgui.model.fileformat import save_scenario
from mpgui.model.scenario import Scenario
from mpgui.model.validation import Problem, validate


class _Edit(QUndoCommand):
    def __init__(self, doc: ScenarioDocument, before: Scenario, after: Scenario, text: str,
                 merge_id: int) -> None:
        super().__init__(text)
        self.doc, self.before, self.after, self.merge_id = doc, before, after, merge_id

    def redo(self) -> None:
        self.doc._set(self.after)

    def undo(self) -> None:
        self.doc._set(self.before)

    def id(self) -> int:
        return self.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        # Consecutive edits of the same cell (spin box arrows) undo as one.
        if not isinstance(other, _Edit) or other.merge_id != self.merge_id:
            return False
        self.after = other.after
        self.setText(other.text())
        return True


@dataclass(frozen=True)
class DocState:
    """A document's whole state: the scenario, where it came from, its undo history.
    Modified when the history is not at its clean (opened or saved) point."""

    scenario: Scenario
    path: Path | None
    builtin: str | None
    stack: QUndoStack

    @property
    def modified(self) -> bool:
        """Edited since it was opened or saved."""
        return not self.stack.isClean()

    def drop(self) -> None:
        """Forget this state and its history (the stack leaves the group as it dies)."""
        self.stack.deleteLater()


class ScenarioDocument(QObject):
    """The scenario being edited."""

    changed = Signal()  # the scenario changed: an edit, undo, redo or load
    file_changed = Signal()  # name, path or modified state changed (window title)
    refused = Signal(str)  # an edit an exercise does not allow, and why

    def __init__(self, scenario: Scenario, *, path: Path | None = None,
                 builtin: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_group = QUndoGroup(self)  # Undo / Redo act on the active stack
        # A bound method, not a lambda: Qt drops the connection when the document dies.
        self.undo_group.cleanChanged.connect(self._clean_changed)
        self._scenario = scenario
        self._problems: list[Problem] | None = None
        self.path = path
        self.builtin = builtin
        self.undo_group.setActiveStack(self._new_stack())

    @property
    def undo_stack(self) -> QUndoStack:
        """The history of the current scenario."""
        stack = self.undo_group.activeStack()
        assert stack is not None  # there is always one, from __init__ on
        return stack

    @property
    def scenario(self) -> Scenario:
        """The current scenario."""
        return self._scenario

    @property
    def problems(self) -> list[Problem]:
        """Validation problems of the current scenario (computed once per change)."""
        if self._problems is None:
            self._problems = validate(self._scenario)
        return self._problems

    def errors(self) -> list[Problem]:
        """The problems that prevent a run."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def modified(self) -> bool:
        """Edited since it was opened or saved."""
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file name, the built-in's name, or 'untitled'."""
        if self.path is not None:
            return self.path.name
        return self.builtin or _("untitled")

    def edit(self, after: Scenario, text: str, merge_key: str | None = None) -> bool:
        """Make `after` the scenario, undoably. `merge_key` merges consecutive edits of
        the same thing (e.g. one cell) into one undo step. False if the edit was refused
        (an exercise fixes that part; `refused` says why)."""
        if after == self._scenario:
            return True
        why = refusal(self._scenario, after)
        if why is not None:  # (the one gate: every editor's edits come through here)
            self.refused.emit(why)
            self.changed.emit()  # every editor shows the scenario as it still is
            return False
        merge_id = (hash(merge_key) & 0x3FFFFFFF) if merge_key else -1
        self.undo_stack.push(_Edit(self, self._scenario, after, text, merge_id))
        return True

    def load(self, scenario: Scenario, *, path: Path | None, builtin: str | None) -> None:
        """Replace the document (open, new): history cleared, nothing modified."""
        self.switch(self.fresh(scenario, path=path, builtin=builtin)).drop()

    def fresh(self, scenario: Scenario, *, path: Path | None,
              builtin: str | None) -> DocState:
        """A state for `switch`: `scenario` as just opened, with no history."""
        return DocState(scenario, path, builtin, self._new_stack())

    def switch(self, to: DocState) -> DocState:
        """Make `to` the document — scenario, origin and history — and return the state
        it replaces, history and all, to keep or drop."""
        before = DocState(self._scenario, self.path, self.builtin, self.undo_stack)
        self.path, self.builtin = to.path, to.builtin
        self._scenario, self._problems = to.scenario, None
        self.undo_group.setActiveStack(to.stack)
        self.changed.emit()
        self.file_changed.emit()
        return before

    def save(self, path: Path) -> None:
        """Save to `path` (atomically). Raises ScenarioFileError."""
        save_scenario(self._scenario, path)
        self.path, self.builtin = path, None
        self.undo_stack.setClean()
        self.file_changed.emit()

    def _new_stack(self) -> QUndoStack:
        stack = QUndoStack(self)
        self.undo_group.addStack(stack)
        return stack

    def _clean_changed(self, _clean: bool) -> None:
        self.file_changed.emit()

    def _set(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._problems = None
        self.changed.emit()
