"""Built-in scenarios edited this session, kept the way a browser keeps its tabs.

Built-ins are never overwritten, so leaving an edited one has nothing to save to and
nothing to ask: its whole state — the scenario, the modified mark, the undo history —
is set aside here (by FileActions, whatever opens next: the gallery, PageDown / PageUp,
a file, a run, New) and comes back as it was left when the built-in is opened again.
Only built-ins are kept; a file's edits are asked about as in any editor.

At quit, what is still unsaved — the open document and the edited built-ins kept here —
is listed for one question (`unsaved_at_quit`). While kept, an edited built-in has a
recovery file of its own, so its edits survive a crash like the open document's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from mpgui.i18n import _
from mpgui.model.builtins import builtin_names
from mpgui.model.scenario import Scenario
from mpgui.ui.editor import recovery
from mpgui.ui.editor.document import DocState, ScenarioDocument


class SessionEdits(QObject):
    """The built-ins set aside this session, by name."""

    changed = Signal()  # a built-in was kept, taken back or forgotten

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kept: dict[str, DocState] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._kept

    def keep(self, state: DocState) -> None:
        """Keep `state` if it is a built-in with a history — edited, or reset with the
        edits one Ctrl+Z away; drop anything else."""
        name = state.builtin
        if name is None or not state.stack.count():
            state.drop()
            return
        old = self._kept.pop(name, None)
        if old is not None:  # cannot happen through FileActions (it takes before it keeps)
            old.drop()
        self._kept[name] = state
        if state.modified:  # written once: a kept state does not change
            recovery.write(recovery.kept_file(name), state.scenario, None, name)
        self.changed.emit()

    def take(self, name: str) -> DocState | None:
        """Hand back the kept state of `name` (None if it has none); it is no longer kept."""
        state = self._kept.pop(name, None)
        if state is not None:
            recovery.kept_file(name).unlink(missing_ok=True)
            self.changed.emit()
        return state

    def forget(self, name: str) -> None:
        """Drop the kept edits of `name` (they were saved elsewhere, or discarded)."""
        state = self.take(name)
        if state is not None:
            state.drop()

    def edited(self) -> list[DocState]:
        """The kept built-ins that are modified, in gallery order."""
        order = {name: k for k, name in enumerate(builtin_names())}
        return sorted((s for s in self._kept.values() if s.modified),
                      key=lambda s: order.get(s.builtin or "", len(order)))

    def discard_all(self) -> None:
        """Forget everything kept (the window closes normally: nothing to recover)."""
        for name in list(self._kept):
            self.forget(name)


@dataclass(frozen=True)
class UnsavedEdit:
    """A scenario with unsaved edits, as the quit question lists it."""

    label: str  # the line in the list
    name: str  # the file name to suggest, without suffix
    state: DocState | None  # a kept built-in; None for the open document
    path: Path | None  # the open document's own file: saved there without asking


def unsaved_at_quit(doc: ScenarioDocument, session: SessionEdits) -> list[UnsavedEdit]:
    """What would be lost by quitting now: the open document if modified, then the
    edited built-ins kept this session, in gallery order."""
    out = []
    if doc.modified:
        out.append(UnsavedEdit(_label(doc.display_name, doc.builtin, doc.scenario),
                           Path(doc.display_name).stem, None, doc.path))
    for state in session.edited():
        name = state.builtin or _("untitled")
        out.append(UnsavedEdit(_label(name, name, state.scenario), name, state, None))
    return out


def _label(name: str, builtin: str | None, scenario: Scenario) -> str:
    if builtin is None:
        return name
    title = scenario.about.title
    if title:
        return _("{name} — {title} (built-in)").format(name=name, title=title)
    return _("{name} (built-in)").format(name=name)
