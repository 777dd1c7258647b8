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
from mpgui.ui.themed_style import ThemedStyle

ZOOMS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0)
PRESENTATION_ZOOM = 2.0  # lane labels 32 px high: legible from the back of a classroom
PRESENTATION_SCREEN = (1920, 1080)  # ... on a screen this size; smaller screens, less
_ZOOM_KEYS = {False: "zoom", True: "presentation_zoom"}


def presentation_zoom(width: int, height: int) -> float:
    """Presentation mode's first zoom on a `width` x `height` screen: 200 % at 1920 x
    1080, as much less on a smaller screen as its pixels are fewer (the whole picture
    must fit it: 130 % at 1366 x 768, 100 % at 1024 x 768), never under 100 %."""
    scale = min(width / PRESENTATION_SCREEN[0], height / PRESENTATION_SCREEN[1])
    wanted = PRESENTATION_ZOOM * min(1.0, scale)
    return max((z for z in ZOOMS if z <= wanted + 1e-9), default=1.0) if wanted >= 1 else 1.0
_base_points: list[float] = []  # the application font's size before any zoom


def base_points() -> float:
    """The font size the zoom multiplies: the application's, as it was before the first
    zoom of this process (so that zooms never compound across windows)."""
    if not _base_points:
        _base_points.append(QGuiApplication.font().pointSizeF())
    return _base_points[0]


def _palette(theme: Theme, standard: QPalette) -> QPalette:
    """The widget palette for `theme`. A light theme keeps the style's `standard` one but
    for the colours that fell short of WCAG AA there (selection, placeholder and disabled
    text: 1.6 to 4:1) and the lines; a dark theme gets its own throughout (every role
    set, so that nothing is left over from the theme before)."""
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    fg, bg = QColor(theme.foreground), QColor(theme.background)
    colors = [(role.Highlight, QColor(theme.highlight)), (role.Accent, QColor(theme.highlight)),
              (role.HighlightedText, QColor(theme.highlighted_text)),
              (role.PlaceholderText, QColor(theme.muted)), (role.Mid, QColor(theme.grid))]
    if theme.dark:
        window = bg.lighter(130) if bg.lightness() > 0 else QColor("#0c0c0c")
        colors += [(role.Window, window), (role.WindowText, fg), (role.Base, bg),
                   (role.AlternateBase, QColor(theme.lane_shade)), (role.Text, fg),
                   (role.Button, window.lighter(120)), (role.ButtonText, fg),
                   (role.ToolTipBase, window), (role.ToolTipText, fg),
                   (role.BrightText, QColor(theme.crash)),
                   (role.Link, QColor(theme.palette[0])),
                   (role.LinkVisited, QColor(theme.palette[4])),
                   (role.Light, window.lighter(160)), (role.Midlight, window.lighter(130)),
                   (role.Dark, QColor(theme.grid).darker()), (role.Shadow, QColor("#000000"))]
    p = QPalette(standard)
    for r, color in colors:
        p.setColor(r, color)
    for r in (role.WindowText, role.Text, role.ButtonText):  # a panel's hint is disabled
        p.setColor(group.Disabled, r, QColor(theme.muted))
    return p


class Appearance(QObject):
    """Theme and zoom; `changed` when either changes (and once applied)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.app = app
        if not isinstance(app.style(), ThemedStyle):  # one for the app, kept across windows
            app.setStyle(ThemedStyle())  # Fusion: the same look everywhere, and themable
        self._standard = app.style().standardPalette()
        base_points()
        self.theme = THEMES.get(str(settings().value("theme", LIGHT.name)), LIGHT)
        self.presenting = False
        self._keys = dict(_ZOOM_KEYS)  # presentation's is per screen size (set_presenting)
        self._zooms = {on: _saved_zoom(key, PRESENTATION_ZOOM if on else 1.0)
                       for on, key in _ZOOM_KEYS.items()}

    @property
    def zoom(self) -> float:
        """The zoom in effect (presentation mode's while presenting)."""
        return self._zooms[self.presenting]

    def apply(self) -> None:
        """Put the current theme and zoom on the application, then tell the window."""
        self.app.setPalette(_palette(self.theme, self._standard))
        font = QGuiApplication.font()
        font.setPointSizeF(base_points() * self.zoom)
        self.app.setFont(font)
        settings().setValue("theme", self.theme.name)
        settings().setValue(self._keys[self.presenting], self.zoom)
        self.changed.emit()

    def set_presenting(self, on: bool, screen: tuple[int, int] | None = None) -> None:
        """Switch to presentation mode's zoom — the one chosen before on a screen this
        size (`screen`: width, height), else one that fits it — or back to the desk's."""
        if on != self.presenting:
            if on and screen is not None:
                key = f"{_ZOOM_KEYS[True]}/{screen[0]}x{screen[1]}"
                self._keys[True] = key
                self._zooms[True] = _saved_zoom(key, presentation_zoom(*screen))
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

    def set_zoom(self, zoom: float) -> None:
        """The zoom in effect (the nearest of ZOOMS to `zoom`)."""
        self._zoom_to(min(ZOOMS, key=lambda z: abs(z - zoom)))

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
