"""What "the picture is whole" means, as checks on a shown window: it fits its screen,
every text of the chart lies inside the plot, no two texts overlap, no drawn line
crosses a label, and every join, exit and terminate has its label."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QToolBar, QToolButton

from mpgui.ui.chart.labels import Box, MarksLayout


def problems(w, screen: tuple[int, int]) -> list[str]:  # type: ignore[no-untyped-def]
    """Everything wrong with the picture of window `w` on a screen of `screen` pixels
    (an empty list when the picture is whole)."""
    out: list[str] = []
    width, height = screen
    hint = w.minimumSizeHint()
    if hint.width() > width or hint.height() > height:
        out.append(f"the window needs at least {hint.width()}x{hint.height()}")
    if w.width() > width or w.height() > height:
        out.append(f"the window is {w.width()}x{w.height()}")
    out += toolbar_problems(w)
    chart = w.chart
    layout = chart._layout()
    if layout is None:
        return [*out, "the chart has nothing laid out"]
    vb = chart.vb
    out += chart_problems(layout, Box(0, 0, vb.width(), vb.height()))
    out += coverage_problems(chart, layout)
    out += lane_label_problems(chart)
    out += legend_problems(w.legend)
    return out


def toolbar_problems(w) -> list[str]:  # type: ignore[no-untyped-def]
    """Each shown toolbar of window `w` that hides buttons behind its "»" menu."""
    out = []
    for bar in w.findChildren(QToolBar):
        more = bar.findChild(QToolButton, "qt_toolbar_ext_button")
        if bar.isVisible() and more is not None and more.isVisible():
            out.append(f"the {bar.windowTitle()} toolbar hides some of its buttons")
    return out


def chart_problems(layout: MarksLayout, plot: Box) -> list[str]:
    """Labels outside the plot, overlapping each other, or crossed by a line."""
    out = []
    labels = layout.labels
    for i, lb in enumerate(labels):
        if not lb.box.inside(plot):
            out.append(f"label {lb.shown!r} at {_fmt(lb.box)} is outside the plot {_fmt(plot)}")
        for other in labels[i + 1:]:
            if lb.box.overlaps(other.box):
                out.append(f"labels {lb.shown!r} and {other.shown!r} overlap")
        for s in layout.segments:
            if s.label != i and s.crosses(_shrunk(lb.box)):
                out.append(f"a {s.kind} line crosses label {lb.shown!r}")
    return out


def coverage_problems(chart, layout: MarksLayout) -> list[str]:  # type: ignore[no-untyped-def]
    """Exits, joins and terminates in view without a label."""
    store, rows = chart.store, chart.rows
    covered = {c for lb in layout.labels for c in lb.covers}
    first = chart.scroll.value()  # the rows in view (more than fit: the scroll bar's)
    end = first + chart.scroll.pageStep()
    out = []
    for ln in store.lanes:
        row = rows.lane_row[ln.index]
        shown = first <= row < end
        if ln.kind == "process" and ln.end_t is not None and shown \
                and ("exit", ln.index) not in covered:
            out.append(f"the exit of {ln.label} has no label")
        if ln.terminate_t is not None and first == 0 and ("terminate", ln.index) not in covered:
            out.append(f"{ln.var}.terminate() has no label")
    for i, join in enumerate(store.joins):
        if join.t_return is not None and first == 0 and ("join", i) not in covered:
            out.append(f"join {i} ({store.lanes[join.lane].var}) has no label")
    return out


def lane_label_problems(chart) -> list[str]:  # type: ignore[no-untyped-def]
    """Lane names wider than the room beside the lanes."""
    axis = chart.plot.getAxis("left")
    fm = QFontMetricsF(chart.label_font)
    ticks = axis._tickLevels[0] if axis._tickLevels else []  # what the axis draws
    return [f"lane name {text!r} is wider than its room" for _pos, text in ticks
            if fm.horizontalAdvance(text) > axis.width() - 4]


def legend_problems(legend) -> list[str]:  # type: ignore[no-untyped-def]
    """Legend entries past its right edge."""
    fm = QFontMetricsF(legend.font())
    out = []
    for (_key, label), place in zip(legend.entries, legend._places(legend.width()),
                                    strict=True):
        if place is not None and place[0] + legend._swatch_w + 6 + \
                fm.horizontalAdvance(label) > legend.width() + 1:
            out.append(f"legend entry {label!r} is cut off")
    return out


def _shrunk(box: Box) -> Box:
    """A label's box less a hair: a line that only touches its edge does not cross it."""
    return Box(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1)


def _fmt(b: Box) -> str:
    return f"({b.x:.0f},{b.y:.0f} {b.w:.0f}x{b.h:.0f})"
