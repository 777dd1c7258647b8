"""View → Language: the language mpgui speaks (the system's by default), chosen from the
languages it has catalogues for, applied when mpgui starts again — and Qt's own words
(the buttons of its dialogs) in the same language, from the translations Qt ships."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QProcess, QTranslator
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from mpgui.i18n import (
    CHOICE_FILE,
    ENGLISH,
    LANGUAGES,
    _,
    chosen_language,
    config_dir,
    language,
    system_language,
)
from mpgui.model.fileformat import ScenarioFileError, atomic_write
from mpgui.ui import dialogs

SYSTEM = ""  # the menu's choice "as the system": no file


def install_qt_translations(app: QApplication) -> None:
    """Qt's own words (Cancel, Close, the file dialog) in mpgui's language."""
    code = language()
    if code == ENGLISH or code not in LANGUAGES:
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase", "qt"):
        translator = QTranslator(app)
        if translator.load(QLocale(code), name, "_", folder):
            app.installTranslator(translator)
            return


def save_choice(code: str) -> None:
    """Remember `code` (SYSTEM: none) as the language of the next start."""
    path = config_dir() / CHOICE_FILE
    if code == SYSTEM:
        path.unlink(missing_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, (code + "\n").encode("utf-8"))


class LanguageMenu(QObject):
    """The View → Language submenu: the system's language, then each one mpgui speaks,
    by its own name."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.menu = QMenu(_("&Language"), window)
        self.menu.setToolTipsVisible(True)
        group = QActionGroup(self)
        chosen = chosen_language() or SYSTEM
        system = LANGUAGES.get(system_language(), "English")
        self.actions: dict[str, QAction] = {}
        for code, name in [(SYSTEM, _("As the System ({language})").format(language=system)),
                           *LANGUAGES.items()]:
            act = QAction(name, self, checkable=True)
            act.setChecked(code == chosen)
            act.setStatusTip(_("Speak {language} from the next start").format(language=name))
            act.setActionGroup(group)
            act.triggered.connect(lambda _checked=False, c=code: self.choose(c))
            self.menu.addAction(act)
            self.actions[code] = act

    def choose(self, code: str) -> bool:
        """Use `code` from the next start on (and offer to restart now); False if the
        choice could not be saved (said why)."""
        try:
            save_choice(code)
        except (OSError, ScenarioFileError) as exc:
            dialogs.show_error(self.window, _("Cannot save the language"), str(exc))
            return False
        name = LANGUAGES.get(code or system_language(), "English")
        if (code or system_language()) == language():
            return True
        box = QMessageBox(QMessageBox.Icon.Information, _("Language"),
                          _("mpgui will speak {language} when it starts again.").format(
                              language=name), parent=self.window)
        restart = box.addButton(_("Restart Now"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("Later"), QMessageBox.ButtonRole.RejectRole)
        box.setWindowModality(self.window.windowModality())
        box.finished.connect(lambda _r: self._restart() if box.clickedButton() is restart
                             else None)
        box.open()
        return True

    def _restart(self) -> None:
        """Close the window (asking about unsaved edits), then start mpgui again."""
        if self.window.close():
            args = sys.argv[1:] if getattr(sys, "frozen", False) else sys.argv
            QProcess.startDetached(sys.executable, args)
