"""The View menu: theme, zoom, presentation mode and the prediction's ghost bars."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from mpgui.i18n import _
from mpgui.ui.actions import make_action
from mpgui.ui.appearance import Appearance
from mpgui.ui.icons import icon
from mpgui.ui.language import LanguageMenu
from mpgui.ui.settings import settings
from mpgui.ui.theme import THEMES

# A theme's name as the menu says it (the names themselves are settings' values).
THEME_TEXT = {"light": _("Light Theme"), "dark": _("Dark Theme"),
              "high contrast": _("High Contrast Theme")}
THEME_HELP = {"light": _("Dark text on white: for a bright room or print"),
              "dark": _("Light text on dark grey: easy on the eyes"),
              "high contrast": _("White and strong colours on black, thicker lines: for "
                                 "projectors and low vision")}


class ViewActions(QObject):
    """Theme, zoom, presentation and prediction actions for one window."""

    def __init__(self, window: QWidget, appearance: Appearance,
                 toggle_presentation: Callable[[], None],
                 show_prediction: Callable[[bool], None]) -> None:
        super().__init__(window)
        self.appearance = appearance
        self.actions: dict[str, QAction] = {
            "zoom_in": make_action(self, _("Zoom &In"), ["Ctrl+=", "Ctrl++"],
                                   appearance.zoom_in,
                                   _("Make everything larger: text, chart labels, lines")),
            "zoom_out": make_action(self, _("Zoom &Out"), "Ctrl+-", appearance.zoom_out,
                                    _("Make everything smaller")),
            "zoom_reset": make_action(self, _("&Actual Size"), "Ctrl+0",
                                      appearance.reset_zoom, _("Back to 100 %")),
            "present": make_action(self, _("&Presentation Mode"), "F11", toggle_presentation,
                                   _("Full screen for a projector: editing hidden, the story "
                                     "and the chart large; Space runs, PageDown goes on, F11 "
                                     "leaves"), short=_("Present"), icon=icon("present")),
            "prediction": make_action(self, _("Show &Prediction"), "Ctrl+E",
                                      lambda: show_prediction(
                                          self.actions["prediction"].isChecked()),
                                      _("Draw the planned schedule as dashed ghost bars: "
                                        "before a run on its own, after it under what was "
                                        "measured")),
        }
        self.actions["present"].setCheckable(True)
        self.actions["prediction"].setCheckable(True)
        self.actions["prediction"].setChecked(
            str(settings().value("show_prediction", "true")).lower() == "true")
        group = QActionGroup(self)
        for name in THEMES:
            act = make_action(self, THEME_TEXT[name], None,
                              lambda n=name: appearance.set_theme(n), THEME_HELP[name])
            act.setCheckable(True)
            act.setChecked(name == appearance.theme.name)
            group.addAction(act)
            self.actions[f"theme:{name}"] = act
        self.language = LanguageMenu(window)  # (applies at the next start)
        appearance.changed.connect(self._sync)

    def fill(self, menu: QMenu) -> None:
        """Put the actions in the View menu."""
        menu.addActions([self.actions[f"theme:{name}"] for name in THEMES])
        menu.addSeparator()
        menu.addActions([self.actions["zoom_in"], self.actions["zoom_out"],
                         self.actions["zoom_reset"]])
        menu.addSeparator()
        menu.addActions([self.actions["present"], self.actions["prediction"]])
        menu.addSeparator()
        menu.addMenu(self.language.menu)

    def _sync(self) -> None:
        a = self.appearance
        self.actions[f"theme:{a.theme.name}"].setChecked(True)
        self.actions["zoom_reset"].setText(_("&Actual Size (now {zoom:.0%})").format(
            zoom=a.zoom))
