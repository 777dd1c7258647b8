"""Lesson packs in the window: File › Import Lesson Pack… (or a pack dropped on the
window, or ``mpgui PACK.mpgpack``), Export Lesson Pack… (a folder of one's own
scenarios made into one file to hand out) and Remove Lesson Pack…. An imported pack is
checked whole (`model.lesson_pack`) before anything is installed, and shows as its own
section of the gallery."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox

from mpgui.model.builtins import PACK_SEPARATOR, broken_packs, packs_dir, refresh_builtins
from mpgui.model.fileformat import WriteError
from mpgui.model.filekind import PACK_SUFFIX
from mpgui.model.lesson_pack import (
    Pack,
    PackError,
    export_pack,
    install_pack,
    installed_packs,
    read_pack,
    remove_pack,
)
from mpgui.ui import dialogs
from mpgui.ui.actions import make_action
from mpgui.ui.editor.files import start_dir

PACK_FILTER = f"Lesson packs (*{PACK_SUFFIX});;All files (*)"
MESSAGE_MS = 10_000


class LessonPacks(QObject):
    """Imports, exports and removes lesson packs; `changed` is called once the installed
    packs are different (the gallery lists them again)."""

    def __init__(self, window: QMainWindow, changed: Callable[[], None],
                 open_builtin: Callable[[str], object]) -> None:
        super().__init__(window)
        self.window, self.changed, self.open_builtin = window, changed, open_builtin
        self.actions = {
            "import": make_action(self, "&Import Lesson Pack…", "Ctrl+Alt+I",
                                  self.choose_import,
                                  "Add a lesson pack (.mpgpack) to the gallery: its "
                                  "scenarios and exercises, under its own title"),
            "export": make_action(self, "&Export Lesson Pack…", None, self.choose_export,
                                  "Make a folder of your scenarios (with Markdown "
                                  "explanations and images) into one .mpgpack file to "
                                  "hand out"),
            "remove": make_action(self, "Re&move Lesson Pack…", None, self.choose_remove,
                                  "Take an imported lesson pack out of the gallery"),
        }

    # -- import ------------------------------------------------------------------------

    def choose_import(self) -> None:
        """Ask for a pack file, and import it."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Import lesson pack", start_dir(),
                                              PACK_FILTER)
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> bool:
        """Import the pack at `path` (a file or a folder): checked whole, then installed —
        replacing an installed pack of the same name once the user agrees — and its
        first scenario opened. True if it was installed."""
        try:
            pack = read_pack(path)
        except PackError as exc:
            dialogs.show_error(self.window, "Cannot import the lesson pack",
                               f"{path.name}: {exc}")
            return False
        if (packs_dir() / pack.slug).exists() and QMessageBox.question(
                self.window, "Replace the lesson pack?",
                f"A lesson pack called “{pack.slug}” is already in the gallery. Replace it "
                f"with the one in {path.name}?") != QMessageBox.StandardButton.Yes:
            return False
        try:
            install_pack(pack)
        except WriteError as exc:
            dialogs.show_error(self.window, "Cannot import the lesson pack", str(exc))
            return False
        self._changed()
        self.open_builtin(f"{pack.slug}{PACK_SEPARATOR}{pack.scenarios[0][0]}")
        self.window.statusBar().showMessage(
            f"Imported “{pack.title}”: {_count(pack)} — in the gallery under its title",
            MESSAGE_MS)
        return True

    # -- export ------------------------------------------------------------------------

    def choose_export(self) -> None:
        """Ask for a folder of scenarios and a file name, and write the pack."""
        folder = QFileDialog.getExistingDirectory(
            self.window, "Export lesson pack: the folder of its scenarios", start_dir())
        if not folder:
            return
        suggested = Path(start_dir()) / f"{Path(folder).name}{PACK_SUFFIX}"
        target, _ = QFileDialog.getSaveFileName(self.window, "Export lesson pack as",
                                                str(suggested), PACK_FILTER)
        if target:
            self.export(Path(folder), Path(target))

    def export(self, folder: Path, target: Path) -> bool:
        """Check the pack in `folder` and write it to `target`. True if written."""
        if target.suffix != PACK_SUFFIX:
            target = target.with_name(target.name + PACK_SUFFIX)
        try:
            pack = export_pack(folder, target)
        except PackError as exc:
            dialogs.show_error(self.window, "Cannot export the lesson pack",
                               f"{folder.name}: {exc}")
            return False
        except WriteError as exc:
            dialogs.show_error(self.window, "Cannot export the lesson pack", str(exc))
            return False
        self.window.statusBar().showMessage(
            f"Exported “{pack.title}” ({_count(pack)}) to {target}", MESSAGE_MS)
        return True

    # -- remove ------------------------------------------------------------------------

    def choose_remove(self) -> None:
        """Ask which installed pack to remove, and remove it."""
        found = [(folder.name, p.title if isinstance(p, Pack) else f"{folder.name} "
                  f"(cannot be read: {p})") for folder, p in installed_packs()]
        if not found:
            self.window.statusBar().showMessage("No lesson pack is imported.", MESSAGE_MS)
            return
        titles = [title for _slug, title in found]
        title, ok = QInputDialog.getItem(self.window, "Remove lesson pack",
                                         "Take this lesson pack out of the gallery:",
                                         titles, 0, False)
        if ok:
            self.remove(found[titles.index(title)][0])

    def remove(self, slug: str) -> bool:
        """Remove the installed pack `slug`. True if removed."""
        try:
            remove_pack(slug)
        except WriteError as exc:
            dialogs.show_error(self.window, "Cannot remove the lesson pack", str(exc))
            return False
        self._changed()
        self.window.statusBar().showMessage(f"Removed the lesson pack “{slug}”.", MESSAGE_MS)
        return True

    def _changed(self) -> None:
        refresh_builtins()
        self.changed()

    def say_broken(self) -> None:
        """Say, in the status bar, which installed packs cannot be read (changed by
        hand since they were imported): they are left out of the gallery."""
        broken = broken_packs()
        if broken:
            folder, why = broken[0]
            self.window.statusBar().showMessage(
                f"The lesson pack in {folder} is left out of the gallery: {why}", MESSAGE_MS)


def _count(pack: Pack) -> str:
    n = len(pack.scenarios)
    return f"{n} scenario{'s' if n != 1 else ''}"
