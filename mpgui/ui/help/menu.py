"""The Help menu: the User Guide (the README, F1), the Keyboard Shortcuts (read from the
window's actions), the tour shown at the very first start and on request, About mpgui
and About Qt."""

from __future__ import annotations

import html
import platform
from typing import TYPE_CHECKING, Protocol

import pyqtgraph
import PySide6
from PySide6.QtCore import QObject, Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QMessageBox, QToolBar, QWidget

from mpgui import __version__
from mpgui.i18n import _
from mpgui.ui.accessibility import name_parts
from mpgui.ui.actions import make_action
from mpgui.ui.classroom.tour import Callout, TourOverlay
from mpgui.ui.help.shortcuts import keys_text, native_keys
from mpgui.ui.settings import settings

if TYPE_CHECKING:  # the window imports this module; the dialogs come when first used
    from mpgui.ui.classroom.gallery import GalleryActions
    from mpgui.ui.classroom.presentation import Presentation
    from mpgui.ui.help.guide import GuideWindow
    from mpgui.ui.help.shortcuts import ShortcutsDialog
    from mpgui.ui.window_layout import WindowLayout

FIRST_RUN_KEY = "first_run_done"  # in settings: the tour was shown once


# Where the licences and the libraries live (About mpgui links to them).
LINKS = {
    "MIT licence": "https://opensource.org/license/mit",
    "LGPL v3": "https://www.gnu.org/licenses/lgpl-3.0.html",
    "Qt": "https://www.qt.io/",
    "Qt for Python (PySide6)": "https://doc.qt.io/qtforpython-6/",
    "its licences": "https://doc.qt.io/qtforpython-6/licenses.html",
    "Qt's source code": "https://download.qt.io/official_releases/qt/",
    "pyqtgraph": "https://www.pyqtgraph.org/",
    "Python": "https://www.python.org/",
    "PSF licence": "https://docs.python.org/3/license.html",
}


QT_SOURCE = "Qt's source code"


def _link(name: str, text: str | None = None) -> str:
    """A link to LINKS[name], saying `text` (else the name itself)."""
    return f'<a href="{html.escape(LINKS[name])}">{html.escape(text or name)}</a>'


def about_text() -> str:
    """What About mpgui says: the version, what it is, the licences with links, the
    credits, what it runs on."""
    what = _("See Python multiprocessing: real processes, CPU cores, <code>start()</code> "
             "and <code>join()</code> on a live chart.")
    licence = _("Free software under the {mit_licence}: use, copy, change and share it, "
                "keeping its copyright notice.").format(
                    mit_licence=_link("MIT licence", _("MIT licence")))
    built_with = _("Built with {qt} and {pyside}, used under the GNU Lesser General Public "
                "License, {lgpl} (see {its_licences}; {qt_source}): the desktop app "
                "carries them as unmodified shared libraries, which you may replace. "
                "Charts by {pyqtgraph} (MIT). The desktop app includes {python} "
                "({psf_licence}) and numpy (BSD); on Linux the details are in "
                "/usr/share/doc/mpgui/copyright.").format(
                    qt=_link("Qt"), pyside=_link("Qt for Python (PySide6)"),
                    lgpl=_link("LGPL v3"), its_licences=_link("its licences", _("its licences")),
                    qt_source=_link(QT_SOURCE, _("Qt's source code")),
                    pyqtgraph=_link("pyqtgraph"), python=_link("Python"),
                    psf_licence=_link("PSF licence", _("PSF licence")))
    running = _("Running on Python {python}, Qt {qt} (PySide6 {pyside}), pyqtgraph "
                "{pyqtgraph}, {system}.").format(
                    python=platform.python_version(), qt=qVersion(),
                    pyside=PySide6.__version__, pyqtgraph=pyqtgraph.__version__,
                    system=html.escape(platform.system() or _("an unknown system")))
    return (f"<h3>mpgui {html.escape(__version__)}</h3>"
            f"<p>{what}</p><p>{licence}</p><p>{built_with}</p><p>{running}</p>")


class HelpWindow(Protocol):
    """What the Help menu needs of its window (the main window is one): a QMainWindow
    to parent its dialogs and lay the tour over, and the parts the tour points at."""

    presentation: Presentation
    acts: dict[str, QAction]
    gallery_actions: GalleryActions
    chart: QWidget
    layout_: WindowLayout

    def findChildren(self, kind: type[QToolBar]) -> list[QToolBar]: ...


class HelpActions(QObject):
    """The Help menu's actions and the windows they open, for one main window."""

    def __init__(self, window: HelpWindow) -> None:
        super().__init__(window)
        self.window = window
        self.guide: GuideWindow | None = None  # made when first asked for (start-up time)
        self.shortcuts: ShortcutsDialog | None = None
        self.about_box: QMessageBox | None = None
        self.actions: dict[str, QAction] = {
            "guide": make_action(self, _("&User Guide"),
                                 QKeySequence.StandardKey.HelpContents, self.show_guide,
                                 _("mpgui's manual, with a find box (no internet needed)")),
            "shortcuts": make_action(self, _("&Keyboard Shortcuts…"), "Ctrl+/",
                                     self.show_shortcuts,
                                     _("Every key of the window, searchable")),
            "tour": make_action(self, _("Show the &Tour Again"), None, self.show_tour,
                                _("The notes shown at the first start: where to run, "
                                  "choose a scenario and watch")),
            "about": make_action(self, _("&About mpgui"), None, self.show_about,
                                 _("Version, licence, and what mpgui runs on")),
            "about_qt": make_action(self, _("About &Qt"), None, QApplication.aboutQt,
                                    _("The Qt toolkit mpgui is built with, and its licence")),
        }
        self._tour: TourOverlay | None = None  # made when first shown (start-up time)
        self._watching_presentation = False

    def fill(self, menu: QMenu) -> None:
        """Put the actions in the Help menu."""
        a = self.actions
        menu.addActions([a["guide"], a["shortcuts"], a["tour"]])
        menu.addSeparator()
        menu.addActions([a["about"], a["about_qt"]])

    def show_guide(self) -> GuideWindow:
        """Open the user's guide (F1)."""
        if self.guide is None:
            from mpgui.ui.help.guide import GuideWindow

            self.guide = GuideWindow(self.window)
            name_parts(self.guide)
        self.guide.show_guide()
        return self.guide

    def show_shortcuts(self) -> ShortcutsDialog:
        """Open the list of shortcuts, read afresh from the window's actions."""
        if self.shortcuts is None:
            from mpgui.ui.help.shortcuts import ShortcutsDialog

            self.shortcuts = ShortcutsDialog(self.window)
            name_parts(self.shortcuts)
        self.shortcuts.open_fresh()
        return self.shortcuts

    def show_about(self) -> QMessageBox:
        """About mpgui (not blocking: a window-modal box)."""
        box = self.about_box = QMessageBox(self.window)
        box.setWindowTitle(_("About mpgui"))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(about_text())
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label = box.findChild(QLabel, "qt_msgbox_label")
        if label is not None:  # the links open in the browser
            label.setOpenExternalLinks(True)
        box.setIconPixmap(QApplication.windowIcon().pixmap(64, 64))
        box.open()
        return box

    # -- the tour ----------------------------------------------------------------------

    @property
    def tour(self) -> TourOverlay:
        """The overlay (made the first time it is asked for)."""
        if self._tour is None:
            self._tour = TourOverlay(self.window, self._callouts(), _("Welcome to mpgui"),
                                     self._tour_note)
        return self._tour

    def first_run(self) -> bool:
        """Show the tour if it was never shown (the app calls this once the window is up;
        tests and the selftest, which make windows directly, do not). True if shown."""
        if settings().value(FIRST_RUN_KEY, False, type=bool):
            return False
        return self.show_tour()

    def show_tour(self) -> bool:
        """Show the tour, unless presenting (no overlay on a projector). True if shown."""
        presentation = self.window.presentation
        if presentation.active:
            return False
        if not self._watching_presentation:  # entering presentation mode ends the tour
            presentation.toggled.connect(lambda on: on and self.tour.dismiss())
            self._watching_presentation = True
        settings().setValue(FIRST_RUN_KEY, True)  # seen once: never shown by itself again
        self.tour.start()
        return True

    def _callouts(self) -> list[Callout]:
        acts = self.window.acts
        g = self.window.gallery_actions.actions
        run = ""
        for key in native_keys(acts["run"].shortcuts()):  # "F5 or Ctrl+R"
            run = _("{first} or {second}").format(first=run, second=key) if run else key
        return [
            Callout(self._run_button, _("Run"),
                    _("Starts the scenario's processes for real ({run}); Stop ({stop}) ends "
                      "them. Next to it: the speed, the start method, and processes, threads "
                      "or a pool.").format(run=run, stop=keys_text(acts["stop"]))),
            Callout(self._gallery, _("Scenarios"),
                    _("Ready-made lessons, each ready to run. Click one, or go through them "
                      "with {next} and {previous}.").format(next=keys_text(g["next"]),
                                                           previous=keys_text(g["previous"]))),
            Callout(lambda: self.window.chart, _("Timeline"),
                    _("Each process, live: running on a core (solid), waiting for one "
                      "(hatched), sleeping (thin), printing (▼). Dashed outlines are the "
                      "prediction; hover for details, the wheel zooms.")),
        ]

    def _tour_note(self) -> str:
        a = self.actions
        return _("Help → User Guide ({guide}) is the whole manual; Help → Keyboard Shortcuts "
                 "({shortcuts}) lists every key. Help → Show the Tour Again brings these notes "
                 "back.").format(guide=keys_text(a["guide"]), shortcuts=keys_text(a["shortcuts"]))

    def _gallery(self) -> QWidget:
        """The gallery: its list, or on a narrow window its drop-down row."""
        layout = self.window.layout_
        return layout.gallery_picker if layout.compact else layout.gallery_box

    def _run_button(self) -> QWidget | None:
        for bar in self.window.findChildren(QToolBar):
            button = bar.widgetForAction(self.window.acts["run"])
            if button is not None:
                return button
        return None
