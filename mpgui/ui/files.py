"""New, Open, Save, Save As, built-in scenarios and recent files for the window.

Every failure (a malformed file, a folder, no permission, a full disk) is a message box
naming the problem; the scenario being edited is left exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from mpgui.model import edits
from mpgui.model.builtins import builtin_names, load_builtin
from mpgui.model.fileformat import SUFFIX, ScenarioFileError, load_scenario
from mpgui.model.scenario import Scenario
from mpgui.ui import dialogs
from mpgui.ui.actions import make_action
from mpgui.ui.document import ScenarioDocument
from mpgui.ui.settings import add_recent_file, clear_recent_files, recent_files, settings

FILE_FILTER = f"mpgui scenarios (*{SUFFIX});;All files (*)"


class FileActions(QObject):
    """The File menu's actions for one document."""

    loaded = Signal()  # another scenario was opened (or New)

    def __init__(self, window: QWidget, doc: ScenarioDocument) -> None:
        super().__init__(window)
        self.window, self.doc = window, doc
        standard = QKeySequence.StandardKey
        self.actions: dict[str, QAction] = {
            "new": make_action(self, "&New", standard.New, self.new,
                               "Start a new scenario with one process"),
            "open": make_action(self, "&Open…", standard.Open, self.open,
                                "Open a scenario file (.toml)"),
            "save": make_action(self, "&Save", standard.Save, self.save, "Save the scenario"),
            "save_as": make_action(self, "Save &As…", standard.SaveAs, self.save_as,
                                   "Save the scenario under a new name"),
        }
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.builtin_menu = QMenu("Open &Built-in Scenario", window)
        for name in builtin_names():
            title = _builtin_title(name)
            act = self.builtin_menu.addAction(f"{name} — {title}" if title else name)
            act.triggered.connect(lambda _=False, n=name: self.open_builtin(n))

    # -- opening -----------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """Before the document is replaced or closed: True to go on, False to cancel."""
        if not self.doc.modified:
            return True
        answer = dialogs.ask_unsaved(self.window, self.doc.display_name)
        if answer is dialogs.Unsaved.SAVE:
            return self.save()
        return answer is dialogs.Unsaved.DISCARD

    def new(self) -> None:
        """A new scenario with one process, started by the main program."""
        if self.maybe_save():
            self.doc.load(edits.add_process(Scenario()), path=None, builtin=None)
            self.loaded.emit()

    def open(self) -> None:
        """Ask for a file and open it."""
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open scenario", start_dir(),
                                              FILE_FILTER)
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
        """Open the built-in scenario `name`."""
        return self._load(lambda: load_builtin(name), path=None, builtin=name)

    def open_scenario(self, scenario: Scenario, *, builtin: str | None = None,
                      confirmed: bool = False) -> bool:
        """Open `scenario` (from a run file) as a new, unsaved document."""
        return self._load(lambda: scenario, path=None, builtin=builtin, confirmed=confirmed)

    def _load(self, read: Callable[[], Scenario], *, path: Path | None, builtin: str | None,
              confirmed: bool = False) -> bool:
        """Replace the document with what `read` returns (after asking about unsaved
        changes, unless `confirmed`); on a ScenarioFileError say why, change nothing."""
        if not confirmed and not self.maybe_save():
            return False
        try:
            scenario = read()
        except ScenarioFileError as exc:
            dialogs.show_error(self.window, "Cannot open scenario", str(exc))
            return False
        self.doc.load(scenario, path=path, builtin=builtin)
        self.loaded.emit()
        return True

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = recent_files()
        for i, path in enumerate(files, 1):
            act = self.recent_menu.addAction(f"&{i}  {path.name}")
            act.setStatusTip(str(path))
            act.setToolTip(str(path))
            act.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not files:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("Clear list", clear_recent_files).setEnabled(bool(files))

    # -- saving ------------------------------------------------------------------------

    def save(self) -> bool:
        """Save to the document's file; a built-in or new scenario asks where."""
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        """Ask where, then save there."""
        suggested = Path(start_dir()) / (Path(self.doc.display_name).stem + SUFFIX)
        path, _ = QFileDialog.getSaveFileName(self.window, "Save scenario as", str(suggested),
                                              FILE_FILTER)
        if not path:
            return False
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(SUFFIX)
        return self.save_to(target)

    def save_to(self, path: Path) -> bool:
        """Save to `path` (atomically); on failure say why. True if saved."""
        try:
            self.doc.save(path)
        except ScenarioFileError as exc:
            dialogs.show_error(self.window, "Cannot save scenario", f"{exc}\n\nYour scenario is "
                       "still open and unchanged; try another place.")
            return False
        add_recent_file(path)
        settings().setValue("last_dir", str(path.resolve().parent))
        return True


def start_dir() -> str:
    """Where file dialogs open: the last folder used, else the home folder."""
    last = settings().value("last_dir", "")
    return str(last) if last and Path(str(last)).is_dir() else str(Path.home())


def _builtin_title(name: str) -> str:
    try:
        return load_builtin(name).about.title
    except ScenarioFileError:
        return ""
