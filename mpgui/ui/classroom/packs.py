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

from mpgui.i18n import _, ngettext
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

PACK_FILTER = _("Lesson packs (*{suffix});;All files (*)").format(suffix=PACK_SUFFIX)
MESSAGE_MS = 10_000


class LessonPacks(QObject):
    """Imports, exports and removes lesson packs; `changed` is called once the installed
    packs are different (the gallery lists them again)."""

    def __init__(self, window: QMainWindow, changed: Callable[[], None],
                 open_builtin: Callable[[str], object]) -> None:
        super().__init__(window)
        self.window, self.changed, self.open_builtin = window, changed, open_builtin
        self.actions = {
            "import": make_action(self, _("&Import Lesson Pack…"), "Ctrl+Alt+I",
                                  self.choose_import,
                                  _("Add a lesson pack (.mpgpack) to the gallery: its "
                                    "scenarios and exercises, under its own title")),
            "export": make_action(self, _("&Export Lesson Pack…"), None, self.choose_export,
                                  _("Make a folder of your scenarios (with Markdown "
                                    "explanations and images) into one .mpgpack file to "
                                    "hand out")),
            "remove": make_action(self, _("Re&move Lesson Pack…"), None, self.choose_remove,
                                  _("Take an imported lesson pack out of the gallery")),
        }

    # -- import ------------------------------------------------------------------------

    def choose_import(self) -> None:
        """Ask for a pack file, and import it."""
        path, _filter = QFileDialog.getOpenFileName(self.window, _("Import lesson pack"),
                                                    start_dir(), PACK_FILTER)
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> bool:
        """Import the pack at `path` (a file or a folder): checked whole, then installed —
        replacing an installed pack of the same name once the user agrees — and its
        first scenario opened. True if it was installed."""
        try:
            pack = read_pack(path)
        except PackError as exc:
            dialogs.show_error(self.window, _("Cannot import the lesson pack"),
                               f"{path.name}: {exc}")
            return False
        if (packs_dir() / pack.slug).exists() and QMessageBox.question(
                self.window, _("Replace the lesson pack?"),
                _("A lesson pack called “{slug}” is already in the gallery. Replace it with "
                  "the one in {file}?").format(slug=pack.slug, file=path.name)
        ) != QMessageBox.StandardButton.Yes:
            return False
        try:
            install_pack(pack)
        except WriteError as exc:
            dialogs.show_error(self.window, _("Cannot import the lesson pack"), str(exc))
            return False
        self._changed()
        self.open_builtin(f"{pack.slug}{PACK_SEPARATOR}{pack.scenarios[0][0]}")
        n = len(pack.scenarios)
        self.window.statusBar().showMessage(
            ngettext("Imported “{title}”: {n} scenario — in the gallery under its title",
                     "Imported “{title}”: {n} scenarios — in the gallery under its title",
                     n).format(title=pack.title, n=n), MESSAGE_MS)
        return True

    # -- export ------------------------------------------------------------------------

    def choose_export(self) -> None:
        """Ask for a folder of scenarios and a file name, and write the pack."""
        folder = QFileDialog.getExistingDirectory(
            self.window, _("Export lesson pack: the folder of its scenarios"), start_dir())
        if not folder:
            return
        suggested = Path(start_dir()) / f"{Path(folder).name}{PACK_SUFFIX}"
        target, _filter = QFileDialog.getSaveFileName(self.window, _("Export lesson pack as"),
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
            dialogs.show_error(self.window, _("Cannot export the lesson pack"),
                               f"{folder.name}: {exc}")
            return False
        except WriteError as exc:
            dialogs.show_error(self.window, _("Cannot export the lesson pack"), str(exc))
            return False
        n = len(pack.scenarios)
        self.window.statusBar().showMessage(
            ngettext("Exported “{title}” ({n} scenario) to {target}",
                     "Exported “{title}” ({n} scenarios) to {target}", n).format(
                         title=pack.title, n=n, target=target), MESSAGE_MS)
        return True

    # -- remove ------------------------------------------------------------------------

    def choose_remove(self) -> None:
        """Ask which installed pack to remove, and remove it."""
        found = [(folder.name, p.title if isinstance(p, Pack) else
                  _("{folder} (cannot be read: {problem})").format(folder=folder.name,
                                                                   problem=p))
                 for folder, p in installed_packs()]
        if not found:
            self.window.statusBar().showMessage(_("No lesson pack is imported."), MESSAGE_MS)
            return
        titles = [title for _slug, title in found]
        title, ok = QInputDialog.getItem(self.window, _("Remove lesson pack"),
                                         _("Take this lesson pack out of the gallery:"),
                                         titles, 0, False)
        if ok:
            self.remove(found[titles.index(title)][0])

    def remove(self, slug: str) -> bool:
        """Remove the installed pack `slug`. True if removed."""
        try:
            remove_pack(slug)
        except WriteError as exc:
            dialogs.show_error(self.window, _("Cannot remove the lesson pack"), str(exc))
            return False
        self._changed()
        self.window.statusBar().showMessage(
            _("Removed the lesson pack “{slug}”.").format(slug=slug), MESSAGE_MS)
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
                _("The lesson pack in {folder} is left out of the gallery: {why}").format(
                    folder=folder, why=why), MESSAGE_MS)
