"""Colours and state styles: the one place the table, the chart and the console take
them from, so a process has the same colour everywhere.

Process colours follow the Okabe–Ito palette, which stays distinguishable with the
common forms of colour blindness; states are told apart by shape (bar height and
pattern) as well as by shade, never by colour alone.

Every text colour meets WCAG 2.x AA (a contrast ratio of at least 4.5:1 against its
background) and every non-text mark (grid lines, check box edges) 3:1; tests/test_themes.py
measures them with `contrast_ratio`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QImage, QPainter, QPen, QPixmap

from mpgui.i18n import _
from mpgui.runtime.protocol import State

# Okabe & Ito (2008), in an order that keeps neighbouring rows far apart.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")
# The same colours for a dark background: the lighter ones first, white for black.
OKABE_ITO_ON_DARK = ("#56B4E9", "#E69F00", "#009E73", "#F0E442", "#CC79A7", "#D55E00",
                     "#0072B2", "#FFFFFF")


@dataclass(frozen=True)
class StateStyle:
    """How a span in one state is drawn: the fraction of the lane's height it fills,
    centred, its brush pattern and how strongly the process colour shows."""

    height: float
    pattern: Qt.BrushStyle
    alpha: int  # 0..255: opacity of the process colour
    outline: bool = False


STATE_STYLES: dict[int, StateStyle] = {
    State.RUNNING: StateStyle(0.80, Qt.BrushStyle.SolidPattern, 255),
    State.PREEMPTED: StateStyle(0.80, Qt.BrushStyle.BDiagPattern, 255, outline=True),
    State.SLEEPING: StateStyle(0.22, Qt.BrushStyle.SolidPattern, 110),
    State.WAITING: StateStyle(0.45, Qt.BrushStyle.SolidPattern, 60, outline=True),
    State.STARTING: StateStyle(0.22, Qt.BrushStyle.Dense6Pattern, 255),
    # Threads taking turns: tall like running, cross-hatched (preempted is one-way).
    State.GIL: StateStyle(0.80, Qt.BrushStyle.DiagCrossPattern, 255, outline=True),
    # Waiting in a pool's queue: a thin outlined bar of dots.
    State.QUEUED: StateStyle(0.35, Qt.BrushStyle.Dense5Pattern, 200, outline=True),
    # Waiting on a shared object (a lock, an empty or full queue): like a join's wait,
    # hatched the other way than preempted, so the two never look alike.
    State.BLOCKED: StateStyle(0.45, Qt.BrushStyle.FDiagPattern, 200, outline=True),
}

GHOST_ALPHA = 45  # a predicted span's fill: what was measured shows through

STATE_HELP = {
    State.RUNNING: _("running on a CPU core"),
    State.PREEMPTED: _("ready to run, but another process had the core (time-slicing)"),
    State.SLEEPING: _("sleeping (time.sleep): needs no core"),
    State.WAITING: _("waiting in join() for another process"),
    State.STARTING: _("starting: the new Python process is booting"),
    State.GIL: _("ready to run, but another thread of the process held the GIL"),
    State.QUEUED: _("queued: submitted to the pool, waiting for a free worker"),
    State.BLOCKED: _("blocked: waiting on a shared object (a lock, an empty or full queue)"),
}

# Hatching that scales. Qt's pattern brushes (BDiagPattern, Dense6Pattern, ...) are 1-px
# lines and dots on an 8-px grid at every zoom and on every screen: fine on a desk,
# a grey blur from the back of a classroom. `state_brush` draws the same hatch as a
# small tile whose line width and spacing grow with the chart's line factor (zoom x
# theme.line), then lets Qt repeat it as a texture. A tile is drawn once per state,
# colour and scale: a frame only looks brushes up.
HATCH_WIDTH = 2.0  # px of a hatch line (and a dot's diameter) at scale 1
HATCH_PERIOD = 10.0  # px between hatch lines along a row at scale 1 (Qt's pattern: 8)
DOT_PERIOD = {Qt.BrushStyle.Dense6Pattern: 6.0,  # sparse dots (starting), ~15 % ink
              Qt.BrushStyle.Dense5Pattern: 5.0}  # dense dots (queued), ~35 % ink
_brushes: dict[tuple[int, int, float], QBrush] = {}


def state_brush(state: int, color: QColor, scale: float, vector: bool = False) -> QBrush:
    """The brush for a span in `state` (a `State`) of `color` (its alpha is kept), at
    line factor `scale` (1: hatch lines 2 px wide, 10 px apart; 2: twice both). Hatched
    and dotted states get a texture brush, solid ones a plain brush, and any other
    pattern Qt's own."""
    pattern = STATE_STYLES[state].pattern
    if pattern == Qt.BrushStyle.SolidPattern:
        return QBrush(color)
    if vector:  # an SVG: Qt's own pattern, which stays a vector (a texture would not)
        return QBrush(color, pattern)
    if pattern not in DOT_PERIOD and pattern not in (Qt.BrushStyle.BDiagPattern,
                                                     Qt.BrushStyle.FDiagPattern,
                                                     Qt.BrushStyle.DiagCrossPattern):
        return QBrush(color, pattern)
    scale = round(max(scale, 0.25), 2)
    key = (state, color.rgba(), scale)
    brush = _brushes.get(key)
    if brush is None:
        if len(_brushes) > 1024:  # colours x states x zooms: never near this in use
            _brushes.clear()
        brush = _brushes[key] = QBrush(_hatch_tile(pattern, color, scale))
    return brush


def prediction_pen(color: QColor, width: float) -> QPen:
    """The dashed outline of a predicted bar (on the chart and in its legend), `width`
    px wide. Under 2 px it is a 1-px line with the dashes of `width`: Qt draws a thin
    line without antialiasing 1 px wide anyway, and strokes a 1-px cosmetic pen by its
    fast path — ~120 outlines of a live run's prediction in 0.4 ms instead of 2.1 ms,
    at each step of the time axis."""
    if width < 2:
        pen = QPen(color, 1.0)
        pen.setDashPattern([4 * width, 2 * width])  # Qt's DashLine, in units of `width`
    else:
        pen = QPen(color, width, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    return pen


def _hatch_tile(pattern: Qt.BrushStyle, color: QColor, scale: float) -> QImage:
    """One seamless tile of `pattern`'s hatch at `scale`: a whole number of pixels
    square (so that repeats line up), drawn opaque, then given `color`'s alpha once
    (so that where two lines cross is no darker than a line)."""
    width = HATCH_WIDTH * scale
    period = max(4, round((DOT_PERIOD.get(pattern) or HATCH_PERIOD) * scale))
    tile = QImage(period, period, QImage.Format.Format_ARGB32_Premultiplied)
    tile.fill(Qt.GlobalColor.transparent)
    p = QPainter(tile)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    opaque = QColor(color)
    opaque.setAlpha(255)
    n = period
    if pattern in DOT_PERIOD:  # staggered dots: every corner (wrapping) and the centre
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(opaque)
        r = width * (0.6 if pattern == Qt.BrushStyle.Dense5Pattern else 0.5)
        for x, y in ((0, 0), (n, 0), (0, n), (n, n), (n / 2, n / 2)):
            p.drawEllipse(QPointF(x, y), r, r)
    else:
        pen = QPen(opaque, width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        p.setPen(pen)
        forward = pattern != Qt.BrushStyle.FDiagPattern  # "/" (FDiag: "\" only)
        backward = pattern != Qt.BrushStyle.BDiagPattern
        for c in (0, n, 2 * n):  # "/" lines x + y = c reach every part of the tile
            if forward:
                p.drawLine(QPointF(c + n, -n), QPointF(c - 2 * n, 2 * n))
            if backward:  # and "\" lines x - y = c - n
                p.drawLine(QPointF(c - 2 * n, -n), QPointF(c + n, 2 * n))
    if color.alpha() < 255:
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        p.fillRect(tile.rect(), QColor(0, 0, 0, color.alpha()))
    p.end()
    return tile


TEXT_CONTRAST = 4.5  # WCAG 2.x AA (1.4.3): text of normal size against its background
MARK_CONTRAST = 3.0  # WCAG 2.1 (1.4.11): lines and controls against what is next to them


def relative_luminance(color: QColor | str) -> float:
    """WCAG's relative luminance of an opaque colour: 0 for black, 1 for white."""
    c = QColor(color)

    def linear(v: float) -> float:  # sRGB's transfer curve undone
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.redF()) + 0.7152 * linear(c.greenF()) + 0.0722 * linear(c.blueF())


def contrast_ratio(a: QColor | str, b: QColor | str) -> float:
    """WCAG 2.x contrast ratio of colour `a` on background `b`, from 1 (equal) to 21
    (black on white); symmetric. A translucent `a` is measured as painted over `b`
    (Qt's placeholder text, for instance, is the text colour at half opacity)."""
    fg, bg = QColor(a), QColor(b)
    if fg.alpha() < 255:
        k = fg.alphaF()
        fg = QColor.fromRgbF(*(k * x + (1 - k) * y for x, y in
                               zip(fg.getRgbF()[:3], bg.getRgbF()[:3], strict=True)))
    high, low = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(color: QColor, background: QColor | str, ratio: float = TEXT_CONTRAST) -> QColor:
    """`color`, darkened (on a light background) or lightened (on a dark one) in small
    steps just until it reaches `ratio` against `background`: the hue stays, so a process
    keeps its colour in the output. Black on dark becomes grey, then white."""
    c = QColor(color)
    light_background = relative_luminance(background) > 0.18  # brighter than mid-grey
    for _step in range(60):
        if contrast_ratio(c, background) >= ratio:
            return c
        if light_background:
            c = c.darker(108)
        elif c.value() == 0:  # lighter() multiplies: black would stay black
            c = QColor(64, 64, 64)
        else:
            c = c.lighter(108)
    return QColor("#000000" if light_background else "#ffffff")


@dataclass(frozen=True)
class Theme:
    """All the colours of the window. Text colours (foreground, muted, crash, the
    process colours through `text_color`, tint_text on the tints, highlighted_text)
    reach TEXT_CONTRAST against their background, grid lines MARK_CONTRAST."""

    name: str
    background: str
    foreground: str
    grid: str  # the chart's rules and time grid, the table's cell lines
    lane_shade: str  # every other lane's background: subtly different, not a mark
    main_lane: str  # the main program's colour
    crash: str
    join: str
    now: str
    palette: tuple[str, ...] = OKABE_ITO
    dark: bool = False  # widgets get a dark palette
    line: float = 1.0  # line widths multiplied (high contrast: thicker)
    error_tint: str = "#f8c9c4"  # a cell with an error (its text stays dark)
    warning_tint: str = "#fbefc0"
    muted: str = "#666666"
    """Secondary text: panel hints (disabled labels), the output's time stamps,
    placeholders and disabled widgets. Readable, but quieter than the foreground."""
    tint_text: str = "#1a1a1a"
    """Text on the error and warning tints, whatever the theme."""
    highlight: str = "#2a6db0"
    """The background of selected rows and items."""
    highlighted_text: str = "#ffffff"
    # Other programs' time on a CPU lane: a neutral grey no process colour is near.
    others: str = "#8a8a8a"
    """Text on `highlight`."""

    def process_color(self, index: int) -> QColor:
        """The colour of the process in table row `index`."""
        return QColor(self.palette[index % len(self.palette)])

    def swatch(self, indices: list[int]) -> QColor | QPixmap:
        """The colour mark of a table row: its process's colour, or for a row of
        copies one stripe per copy (at most 8)."""
        if len(indices) == 1:
            return self.process_color(indices[0])
        shown = indices[:8]
        pix = QPixmap(16, 16)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        for j, index in enumerate(shown):
            x0, x1 = round(16 * j / len(shown)), round(16 * (j + 1) / len(shown))
            p.fillRect(x0, 0, x1 - x0, 16, self.process_color(index))
        p.end()
        return pix

    def text_color(self, index: int) -> QColor:
        """The process colour as text: darkened or lightened just enough to be read on
        the background (TEXT_CONTRAST), so that it still looks like the process."""
        return readable(self.process_color(index), self.background)


LIGHT = Theme("light", background="#ffffff", foreground="#1a1a1a", grid="#8c8c8c",
              lane_shade="#f4f6f8", main_lane="#555555", crash="#c00000", join="#222222",
              now="#c00000")
DARK = Theme("dark", background="#1d1f23", foreground="#e8e8e8", grid="#767b84",
             lane_shade="#25282d", main_lane="#a9adb3", crash="#ff6b6b", join="#f2f2f2",
             now="#ff5c5c", palette=OKABE_ITO_ON_DARK, dark=True, muted="#a3a7ae",
             highlight="#2f66c0", others="#7d828b")
# For projectors and low vision: black and white, the strongest colours, thicker lines,
# a bright grid, a yellow selection.
HIGH_CONTRAST = Theme("high contrast", background="#000000", foreground="#ffffff",
                      grid="#c0c0c0", lane_shade="#161616", main_lane="#e0e0e0",
                      crash="#ff4040", join="#ffffff", now="#ffff00",
                      palette=OKABE_ITO_ON_DARK, dark=True, line=1.6,
                      error_tint="#ff9e9e", warning_tint="#ffe680", muted="#cccccc",
                      highlight="#ffd400", highlighted_text="#000000", others="#8c8c8c")

THEMES = {t.name: t for t in (LIGHT, DARK, HIGH_CONTRAST)}


def mono_font(bold: bool = False) -> QFont:
    """The application's font (whatever size the zoom gave it) in a monospace family."""
    font = QFont(QGuiApplication.font())
    font.setFamily("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setBold(bold)
    return font
