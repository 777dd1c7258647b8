"""New, Open, Save, Save As, built-in scenarios and recent files for the window.

Every failure (a malformed file, a folder, no permission, a full disk) is a message box
naming the problem; the scenario being edited is left exactly as it was.

Whatever opens next, a built-in left with edits is kept for the session, with its undo
history, and comes back as it was left (session_edits.py): only a file's or an untitled
scenario's changes are asked about before another scenario replaces them. At quit, every
unsaved scenario is offered for saving in one question (`may_quit`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from mpgui.i18n import _
from mpgui.model import edits
from mpgui.model.builtins import builtin_about, builtin_names, load_builtin
from mpgui.model.fileformat import (
    SAVE_SUFFIX,
    SUFFIX,
    ScenarioFileError,
    load_scenario,
    save_scenario,
)
from mpgui.model.scenario import Scenario
from mpgui.ui import dialogs
from mpgui.ui.actions import make_action
from mpgui.ui.editor.document import DocState, ScenarioDocument
from mpgui.ui.editor.session_edits import SessionEdits, unsaved_at_quit
from mpgui.ui.settings import add_recent_file, clear_recent_files, recent_files, settings

FILE_FILTER = _("mpgui scenarios (*{suffix});;All files (*)").format(suffix=SUFFIX)


class FileActions(QObject):
    """The File menu's actions for one document; `session` keeps the built-ins left
    with edits."""

    loaded = Signal()  # another scenario was opened (or New)

    def __init__(self, window: QWidget, doc: ScenarioDocument) -> None:
        super().__init__(window)
        self.window, self.doc = window, doc
        self.session = SessionEdits(self)
        standard = QKeySequence.StandardKey
        self.actions: dict[str, QAction] = {
            "new": make_action(self, _("&New"), standard.New, self.new,
                               _("Start a new scenario with one process")),
            "open": make_action(self, _("&Open…"), standard.Open, self.open,
                                _("Open a scenario file (.toml)")),
            "save": make_action(self, _("&Save"), standard.Save, self.save,
                                _("Save the scenario")),
            "save_as": make_action(self, _("Save &As…"), standard.SaveAs, self.save_as,
                                   _("Save the scenario under a new name")),
        }
        self.recent_menu = QMenu(_("Open &Recent"), window)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.builtin_menu = QMenu(_("Open &Built-in Scenario"), window)
        # Filled when first shown: reading every built-in for its title would cost the
        # app's start-up a good part of what the first window takes to build.
        self.builtin_menu.aboutToShow.connect(self._fill_builtins)

    def _fill_builtins(self) -> None:
        if self.builtin_menu.actions():
            return
        for name in builtin_names():
            title = _builtin_title(name)
            act = self.builtin_menu.addAction(f"{name} — {title}" if title else name)
            act.triggered.connect(lambda _checked=False, n=name: self.open_builtin(n))

    # -- opening -----------------------------------------------------------------------

    def would_ask(self) -> bool:
        """Whether replacing the document asks first: a file or an untitled scenario
        with unsaved changes (an edited built-in is kept for the session instead)."""
        return self.doc.modified and self.doc.builtin is None

    def maybe_save(self) -> bool:
        """Before the document is replaced: True to go on, False to cancel."""
        return not self.would_ask() or self._ask_save()

    def may_quit(self) -> bool:
        """Before the window closes: offer every unsaved scenario — the open document and
        the edited built-ins kept this session — for saving, in one question. True to
        close; False (Cancel, or a save that did not happen) keeps the window open."""
        unsaved = unsaved_at_quit(self.doc, self.session)
        if not unsaved:
            return True
        if len(unsaved) == 1 and unsaved[0].state is None:
            return self._ask_save()  # the open document alone: the usual question
        chosen = dialogs.ask_save_edits(self.window, [u.label for u in unsaved])
        if chosen is None:
            return False
        targets = []
        for u in (unsaved[k] for k in chosen):  # every place first: a Cancel saves nothing
            path = u.path or self._ask_path(u.name, _("Save “{name}” as").format(name=u.name))
            if path is None:
                return False
            targets.append((u.state, path))
        return all(self.save_to(path) if state is None else self._save_copy(state, path)
                   for state, path in targets)

    def _ask_save(self) -> bool:
        """Ask whether to save the open document's changes: True to go on."""
        if not self.doc.modified:
            return True
        answer = dialogs.ask_unsaved(self.window, self.doc.display_name)
        if answer is dialogs.Unsaved.SAVE:
            return self.save()
        return answer is dialogs.Unsaved.DISCARD

    def new(self) -> None:
        """A new scenario with one process, started by the main program."""
        self._load(lambda: edits.add_process(Scenario()), path=None, builtin=None)

    def open(self) -> None:
        """Ask for a file and open it."""
        if not self.maybe_save():
            return
        path, _filter = QFileDialog.getOpenFileName(self.window, _("Open scenario"),
                                                    start_dir(), FILE_FILTER)
        if path:
            self.open_path(Path(path), confirmed=True)

    def open_path(self, path: Path, *, confirmed: bool = False) -> bool:
        """Open `path`; on failure say why and keep the current scenario."""
        if not self._load(lambda: load_scenario(path), path=path, builtin=None,
                          confirmed=confirmed):
            return False
        add_recent_file(path)
        settings().setValue("last_dir", str(path.resolve().parent))
        return True

    def open_builtin(self, name: str) -> bool:
        """Open the built-in scenario `name`: as it was left, if edited this session."""
        return self._load(lambda: load_builtin(name), path=None, builtin=name, as_left=True)

    def open_scenario(self, scenario: Scenario, *, path: Path | None = None,
                      builtin: str | None = None, confirmed: bool = False) -> bool:
        """Open `scenario` (from a run file, or recovered) as the document; `path` or
        `builtin` says where it came from. A built-in edited this session gets
        `scenario` over its edits, one Ctrl+Z away."""
        return self._load(lambda: scenario, path=path, builtin=builtin, confirmed=confirmed)

    def _load(self, read: Callable[[], Scenario], *, path: Path | None, builtin: str | None,
              confirmed: bool = False, as_left: bool = False) -> bool:
        """Replace the document with what `read` returns (after asking about a file's
        unsaved changes, unless `confirmed`); on a ScenarioFileError say why, change
        nothing. The document left is kept for the session if it is an edited built-in;
        a built-in kept (or open) already comes back with its edits, under `read`'s
        scenario as an undoable edit unless `as_left`."""
        if not confirmed and not self.maybe_save():
            return False
        try:
            scenario = read()
        except ScenarioFileError as exc:
            dialogs.show_error(self.window, _("Cannot open scenario"), str(exc))
            return False
        kept = builtin is not None and (builtin == self.doc.builtin or builtin in self.session)
        if builtin is None or builtin != self.doc.builtin:  # the same built-in stays as it is
            state = self.session.take(builtin) if builtin else None
            self.session.keep(self.doc.switch(
                state or self.doc.fresh(scenario, path=path, builtin=builtin)))
        if kept and not as_left:
            self.doc.edit(scenario, _("Open the scenario of the run"))
        self.loaded.emit()
        return True

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = recent_files()
        for i, path in enumerate(files, 1):
            act = self.recent_menu.addAction(f"&{i}  {path.name}")
            act.setStatusTip(str(path))
            act.setToolTip(str(path))
            act.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if not files:
            self.recent_menu.addAction(_("(no recent files)")).setEnabled(False)
        self.recent_menu.addSeparator()
        self.recent_menu.addAction(_("Clear list"), clear_recent_files).setEnabled(bool(files))

    # -- saving ------------------------------------------------------------------------

    def save(self) -> bool:
        """Save to the document's file; a built-in or new scenario asks where."""
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        """Ask where, then save there."""
        path = self._ask_path(Path(self.doc.display_name).stem, _("Save scenario as"))
        return path is not None and self.save_to(path)

    def save_to(self, path: Path) -> bool:
        """Save to `path` (atomically); on failure say why. True if saved."""
        return self._write(path, lambda: self.doc.save(path))

    def _save_copy(self, state: DocState, path: Path) -> bool:
        """Save a kept built-in's edits to `path`; they live there now, not in the
        session."""
        if not self._write(path, lambda: save_scenario(state.scenario, path)):
            return False
        if state.builtin is not None:
            self.session.forget(state.builtin)
        return True

    def _write(self, path: Path, write: Callable[[], None]) -> bool:
        try:
            write()
        except ScenarioFileError as exc:
            dialogs.show_error(self.window, _("Cannot save scenario"),
                               _("{error}\n\nYour scenario is still open and unchanged; try "
                                 "another place.").format(error=exc))
            return False
        add_recent_file(path)
        settings().setValue("last_dir", str(path.resolve().parent))
        return True

    def _ask_path(self, name: str, title: str) -> Path | None:
        """Ask where to save the scenario `name` (suggesting name.mpg.toml, the name the
        desktop opens with mpgui); None if not."""
        suggested = Path(start_dir()) / (name + SAVE_SUFFIX)
        path, _filter = QFileDialog.getSaveFileName(self.window, title, str(suggested),
                                                    FILE_FILTER)
        if not path:
            return None
        target = Path(path)
        return target if target.suffix else target.with_name(target.name + SAVE_SUFFIX)


def start_dir() -> str:
    """Where file dialogs open: the last folder used, else the home folder."""
    last = settings().value("last_dir", "")
    return str(last) if last and Path(str(last)).is_dir() else str(Path.home())


def _builtin_title(name: str) -> str:
    try:
        return builtin_about(name).title
    except ScenarioFileError:
        return ""
