"""The look of the whole application: a theme (light, dark, high contrast) and one zoom
that scales every font, the chart's labels, markers and line widths — for a projector
read from the back of a classroom. Presentation mode has a zoom of its own, so that
leaving it brings the desk-sized window back. All three are remembered."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from mpgui.ui.settings import settings
from mpgui.ui.theme import LIGHT, THEMES, Theme

ZOOMS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0)
PRESENTATION_ZOOM = 2.0  # lane labels 32 px high: legible from the back of a classroom
_ZOOM_KEYS = {False: "zoom", True: "presentation_zoom"}
_base_points: list[float] = []  # the application font's size before any zoom


def base_points() -> float:
    """The font size the zoom multiplies: the application's, as it was before the first
    zoom of this process (so that zooms never compound across windows)."""
    if not _base_points:
        _base_points.append(QGuiApplication.font().pointSizeF())
    return _base_points[0]


def _palette(theme: Theme) -> QPalette:
    """A widget palette for a dark theme (light themes keep the style's own)."""
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    fg, bg = QColor(theme.foreground), QColor(theme.background)
    window = bg.lighter(130) if bg.lightness() > 0 else QColor("#0c0c0c")
    p = QPalette()
    for r, color in ((role.Window, window), (role.WindowText, fg), (role.Base, bg),
                     (role.AlternateBase, QColor(theme.lane_shade)), (role.Text, fg),
                     (role.Button, window.lighter(120)), (role.ButtonText, fg),
                     (role.ToolTipBase, window), (role.ToolTipText, fg),
                     (role.BrightText, QColor(theme.crash)),
                     (role.Highlight, QColor("#ffd400") if theme.line > 1 else
                      QColor("#3d7bd9")),
                     (role.HighlightedText, QColor("#000000") if theme.line > 1 else
                      QColor("#ffffff")),
                     (role.Link, QColor(theme.palette[0])),
                     (role.PlaceholderText, QColor(theme.grid)),
                     (role.Mid, QColor(theme.grid)), (role.Dark, QColor(theme.grid).darker())):
        p.setColor(r, color)
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor(theme.grid))
    return p


class Appearance(QObject):
    """Theme and zoom; `changed` when either changes (and once applied)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.app = app
        app.setStyle("Fusion")  # the same look on every platform, and themable
        self._light = app.style().standardPalette()
        base_points()
        self.theme = THEMES.get(str(settings().value("theme", LIGHT.name)), LIGHT)
        self.presenting = False
        self._zooms = {on: _saved_zoom(key, PRESENTATION_ZOOM if on else 1.0)
                       for on, key in _ZOOM_KEYS.items()}

    @property
    def zoom(self) -> float:
        """The zoom in effect (presentation mode's while presenting)."""
        return self._zooms[self.presenting]

    def apply(self) -> None:
        """Put the current theme and zoom on the application, then tell the window."""
        self.app.setPalette(_palette(self.theme) if self.theme.dark else self._light)
        font = QGuiApplication.font()
        font.setPointSizeF(base_points() * self.zoom)
        self.app.setFont(font)
        settings().setValue("theme", self.theme.name)
        settings().setValue(_ZOOM_KEYS[self.presenting], self.zoom)
        self.changed.emit()

    def set_presenting(self, on: bool) -> None:
        """Switch to presentation mode's zoom, or back to the desk's."""
        if on != self.presenting:
            self.presenting = on
            self.apply()

    def set_theme(self, name: str) -> None:
        """Switch to the theme called `name`."""
        self.theme = THEMES[name]
        self.apply()

    def zoom_in(self) -> None:
        """One step larger (Ctrl+=)."""
        self._zoom_to(min((z for z in ZOOMS if z > self.zoom), default=self.zoom))

    def zoom_out(self) -> None:
        """One step smaller (Ctrl+-)."""
        self._zoom_to(max((z for z in ZOOMS if z < self.zoom), default=self.zoom))

    def reset_zoom(self) -> None:
        """Back to 100 % (Ctrl+0)."""
        self._zoom_to(1.0)

    def _zoom_to(self, zoom: float) -> None:
        if zoom != self.zoom:
            self._zooms[self.presenting] = zoom
            self.apply()


def _saved_zoom(key: str, default: float) -> float:
    """The remembered zoom, as the nearest of ZOOMS."""
    try:
        wanted = float(settings().value(key, default))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        wanted = default
    return min(ZOOMS, key=lambda z: abs(z - wanted))
