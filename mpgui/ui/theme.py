"""Colours and state styles: the one place the table, the chart and the console take
them from, so a process has the same colour everywhere.

Process colours follow the Okabe–Ito palette, which stays distinguishable with the
common forms of colour blindness; states are told apart by shape (bar height and
pattern) as well as by shade, never by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPixmap

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
}

GHOST_ALPHA = 45  # a predicted span's fill: what was measured shows through

STATE_HELP = {
    State.RUNNING: "running on a CPU core",
    State.PREEMPTED: "ready to run, but another process had the core (time-slicing)",
    State.SLEEPING: "sleeping (time.sleep): needs no core",
    State.WAITING: "waiting in join() for another process",
    State.STARTING: "starting: the new Python process is booting",
    State.GIL: "ready to run, but another thread of the process held the GIL",
    State.QUEUED: "queued: submitted to the pool, waiting for a free worker",
}


@dataclass(frozen=True)
class Theme:
    """All the colours of the window."""

    name: str
    background: str
    foreground: str
    grid: str
    lane_shade: str  # every other lane's background
    main_lane: str  # the main program's colour
    crash: str
    join: str
    now: str
    palette: tuple[str, ...] = OKABE_ITO
    dark: bool = False  # widgets get a dark palette
    line: float = 1.0  # line widths multiplied (high contrast: thicker)
    error_tint: str = "#f8c9c4"  # a cell with an error (its text stays dark)
    warning_tint: str = "#fbefc0"

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
        """The process colour, darkened where it would be hard to read as text."""
        c = self.process_color(index)
        luminance = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()
        bright_background = QColor(self.background).lightnessF() > 0.5
        if bright_background and luminance > 0.45:
            return c.darker(170)
        if not bright_background and luminance < 0.2:
            return c.lighter(250) if c.lightness() > 0 else QColor(self.foreground)
        return c


LIGHT = Theme("light", background="#ffffff", foreground="#1a1a1a", grid="#d0d0d0",
              lane_shade="#f4f6f8", main_lane="#555555", crash="#c00000", join="#222222",
              now="#c00000")
DARK = Theme("dark", background="#1d1f23", foreground="#e8e8e8", grid="#4a4e55",
             lane_shade="#25282d", main_lane="#a9adb3", crash="#ff6b6b", join="#f2f2f2",
             now="#ff5c5c", palette=OKABE_ITO_ON_DARK, dark=True)
# For projectors and low vision: black and white, the strongest colours, thicker lines.
HIGH_CONTRAST = Theme("high contrast", background="#000000", foreground="#ffffff",
                      grid="#a0a0a0", lane_shade="#161616", main_lane="#e0e0e0",
                      crash="#ff4040", join="#ffffff", now="#ffff00",
                      palette=OKABE_ITO_ON_DARK, dark=True, line=1.6,
                      error_tint="#ff9e9e", warning_tint="#ffe680")

THEMES = {t.name: t for t in (LIGHT, DARK, HIGH_CONTRAST)}


def mono_font(bold: bool = False) -> QFont:
    """The application's font (whatever size the zoom gave it) in a monospace family."""
    font = QFont(QGuiApplication.font())
    font.setFamily("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setBold(bold)
    return font
