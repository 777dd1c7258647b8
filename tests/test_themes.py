"""The themes, element by element: every text colour reaches WCAG AA (4.5:1) on its
background, every line and check box edge 3:1, measured from the colours the
application really uses (the widget palette it sets, the console's formats, the
pixels of the process table); and the chart's hatching scales with the zoom."""

from __future__ import annotations

from array import array
from collections import Counter

import pytest
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QStyle, QStyleOption

from mpgui.model import edits
from mpgui.model.builtins import load_builtin
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.theme import (
    MARK_CONTRAST,
    STATE_STYLES,
    TEXT_CONTRAST,
    THEMES,
    Theme,
    contrast_ratio,
    state_brush,
)

R, G = QPalette.ColorRole, QPalette.ColorGroup
NAMES = list(THEMES)


@pytest.fixture
def appearance(qapp):
    """The application's Appearance (its style and palette); back to light after."""
    from mpgui.ui.appearance import Appearance

    a = Appearance()
    yield a
    a.set_theme("light")


def failures(pairs: list[tuple[str, QColor | str, QColor | str]], least: float) -> list[str]:
    """The pairs (what, colour, background) below `least`, each with its ratio."""
    return [f"{what}: {QColor(fg).name()} on {QColor(bg).name()} is "
            f"{contrast_ratio(fg, bg):.2f}:1" for what, fg, bg in pairs
            if contrast_ratio(fg, bg) < least]


def test_contrast_ratio_is_wcags() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)  # symmetric
    assert contrast_ratio("#3a7bd5", "#3a7bd5") == pytest.approx(1.0)
    # Known values: #767676 is the lightest grey that passes AA on white, #777777 fails.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") < 4.5
    # Translucent text is measured as painted: black at half opacity on white is grey.
    assert contrast_ratio(QColor(0, 0, 0, 128), "#ffffff") == pytest.approx(
        contrast_ratio("#7f7f7f", "#ffffff"), abs=0.05)


@pytest.mark.parametrize("name", NAMES)
def test_every_text_colour_meets_aa(appearance, name: str) -> None:
    appearance.set_theme(name)
    t: Theme = THEMES[name]
    pal = appearance.app.palette()  # what the widgets use: the light theme's is Fusion's
    pairs: list[tuple[str, QColor | str, QColor | str]] = [
        ("foreground", t.foreground, t.background),
        ("muted (time stamps, hints)", t.muted, t.background),
        ("crash", t.crash, t.background),
        ("crash in the toolbar", t.crash, pal.color(R.Window)),
        *((f"error tint {which}", t.tint_text, tint) for which, tint in
          (("error", t.error_tint), ("warning", t.warning_tint))),
        *((f"process {i} as text", t.text_color(i), t.background) for i in range(8)),
    ]
    for group in (G.Active, G.Inactive):
        pairs += [(f"{group.name} {fg.name} on {bg.name}", pal.color(group, fg),
                   pal.color(group, bg)) for fg, bg in (
            (R.Text, R.Base), (R.WindowText, R.Window), (R.ButtonText, R.Button),
            (R.HighlightedText, R.Highlight), (R.ToolTipText, R.ToolTipBase),
            (R.Link, R.Base), (R.PlaceholderText, R.Base), (R.Text, R.AlternateBase))]
    # A panel's hint is a disabled QLabel: the disabled group's WindowText.
    pairs += [(f"disabled {fg.name} on {bg.name}", pal.color(G.Disabled, fg),
               pal.color(G.Disabled, bg))
              for fg, bg in ((R.WindowText, R.Window), (R.Text, R.Base), (R.ButtonText, R.Button))]
    assert not failures(pairs, TEXT_CONTRAST)


@pytest.mark.parametrize("name", NAMES)
def test_console_colours_meet_aa(appearance, qtbot, name: str) -> None:
    """The output's time stamps and lines, read back from what the console wrote."""
    from mpgui.ui.run.console import ConsolePane

    appearance.set_theme(name)
    t = THEMES[name]
    store = TraceStore()
    main = store.add_lane("main", "main", "main")
    lanes = [store.add_lane(f"P{i}", f"P{i}", "process") for i in range(8)]
    store.begin(0, main)
    for i, lane in enumerate(lanes):
        store.add_lines(lane, array("q", [(i + 1) * 10**8]).tobytes(), f"line {i}".encode())
    console = ConsolePane(t)
    qtbot.addWidget(console)
    console.set_style(t)
    console.start(store)
    console.refresh(cap=None)
    pairs = []
    block = console.document().firstBlock()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            pairs.append((repr(fragment.text()), fragment.charFormat().foreground().color(),
                          t.background))
            it += 1
        block = block.next()
    assert len(pairs) == 16  # a time stamp and a line each
    assert pairs[0][1] == QColor(t.muted)
    assert not failures(pairs, TEXT_CONTRAST)


@pytest.mark.parametrize("name", NAMES)
def test_lines_and_edges_reach_three_to_one(appearance, name: str) -> None:
    from mpgui.ui.themed_style import indicator_edge

    appearance.set_theme(name)
    t = THEMES[name]
    pal = appearance.app.palette()
    option = QStyleOption()
    option.palette = pal
    from mpgui.ui.themed_style import view_style

    grid_hint = view_style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option)
    table_grid = QColor.fromRgba(grid_hint & 0xFFFFFFFF)
    pairs = [("chart grid", t.grid, t.background), ("chart grid on a shaded lane", t.grid,
                                                    t.lane_shade),
             ("table grid", table_grid, pal.color(R.Base)),
             ("table grid on an alternate row", table_grid, pal.color(R.AlternateBase)),
             ("check box edge", indicator_edge(pal), pal.color(R.Base)),
             ("check box edge on an alternate row", indicator_edge(pal),
              pal.color(R.AlternateBase)),
             ("check box edge in a window", indicator_edge(pal), pal.color(R.Window)),
             *((f"{what} line", getattr(t, what), t.background)
               for what in ("main_lane", "join", "now", "crash"))]
    assert not failures(pairs, MARK_CONTRAST)
    # Every other lane is shaded: visible, but no mark.
    assert 1.05 <= contrast_ratio(t.lane_shade, t.background) < 1.5


def _ink(image: QImage, rect, background: QColor) -> int:
    """Pixels in `rect` of `image` at 3:1 or more against `background`."""
    return sum(contrast_ratio(image.pixelColor(x, y), background) >= MARK_CONTRAST
               for y in range(rect.top(), rect.bottom() + 1)
               for x in range(rect.left(), rect.right() + 1))


@pytest.mark.parametrize("name", NAMES)
def test_daemon_boxes_show_and_differ(appearance, qtbot, name: str) -> None:
    """The table as drawn: an unchecked Daemon box is visible on its row (both row
    colours), and a checked one has clearly more ink than an unchecked one."""
    from mpgui.ui.editor.document import ScenarioDocument
    from mpgui.ui.editor.process_table import COLUMN_OF, ProcessTableView

    appearance.set_theme(name)
    scenario = load_builtin("seed")
    assert len(scenario.processes) >= 4
    for row in (0, 1):
        scenario = edits.set_process_field(scenario, row, "daemon", True)
    view = ProcessTableView(ScenarioDocument(scenario), THEMES[name])
    qtbot.addWidget(view)
    view.resize(1000, 300)
    view.show()
    qtbot.waitExposed(view)
    image = view.grab().toImage()
    ink = {}
    for row in range(4):
        cell = view.visualRect(view.model_.index(row, COLUMN_OF["daemon"]))
        cell.translate(view.viewport().pos())
        cell.adjust(1, 1, -1, -1)  # not the grid lines
        colours = Counter(image.pixelColor(x, y).rgb() for y in range(cell.top(), cell.bottom())
                          for x in range(cell.left(), cell.right()))
        background = QColor.fromRgb(colours.most_common(1)[0][0])
        ink[row] = _ink(image, cell, background)
    side = view.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, view)
    for checked, unchecked in ((0, 2), (1, 3)):  # same row colour
        assert ink[unchecked] >= 2 * (side - 2), ink  # at least most of the box's edge
        assert ink[checked] >= ink[unchecked] + side, ink  # and a check mark in it


HATCHED = [s for s, style in STATE_STYLES.items() if style.pattern != Qt.BrushStyle.SolidPattern]


def _coverage(tile: QImage) -> float:
    """Opaque-equivalent pixels of ink in `tile`."""
    return sum(tile.pixelColor(x, y).alphaF() for y in range(tile.height())
               for x in range(tile.width()))


@pytest.mark.parametrize("state", HATCHED)
def test_hatching_grows_with_the_scale(qapp, state: int) -> None:
    color = QColor("#0072B2")
    color.setAlpha(STATE_STYLES[state].alpha)
    one, two = state_brush(state, color, 1.0), state_brush(state, color, 2.0)
    assert one.style() == two.style() == Qt.BrushStyle.TexturePattern
    assert state_brush(state, QColor(color), 1.0) is one  # drawn once, then cached
    t1, t2 = one.textureImage(), two.textureImage()
    assert t2.width() == 2 * t1.width() and t1.width() == t1.height()  # spacing doubles
    # The ink of one tile over its lines' (or dots') length gives the line width.
    pattern = STATE_STYLES[state].pattern
    if pattern == Qt.BrushStyle.BDiagPattern:  # one diagonal per tile
        widths = [_coverage(t) / (t.width() * 2**0.5) for t in (t1, t2)]
    elif pattern == Qt.BrushStyle.DiagCrossPattern:  # two, crossing once
        widths = [_coverage(t) / (2 * t.width() * 2**0.5) for t in (t1, t2)]
    else:  # two dots per tile: the diameter
        widths = [2 * (_coverage(t) / (2 * 3.14159)) ** 0.5 for t in (t1, t2)]
    alpha = color.alphaF()
    widths = [w / alpha for w in widths]
    assert widths[0] >= 1.5, widths
    assert widths[1] == pytest.approx(2 * widths[0], rel=0.15), widths
    # The colour's alpha is the tile's, once (crossings no darker).
    assert max(t1.pixelColor(x, y).alpha() for y in range(t1.height())
               for x in range(t1.width())) <= color.alpha() + 1


def test_solid_states_get_plain_brushes(qapp) -> None:
    color = QColor("#E69F00")
    for state, style in STATE_STYLES.items():
        if style.pattern == Qt.BrushStyle.SolidPattern:
            brush = state_brush(state, color, 1.5)
            assert brush.style() == Qt.BrushStyle.SolidPattern and brush.color() == color


def test_hatching_exports_to_svg(qapp, tmp_path) -> None:
    """QSvgGenerator writes a texture brush as a pattern of an embedded image."""
    path = tmp_path / "hatch.svg"
    svg = QSvgGenerator()
    svg.setFileName(str(path))
    svg.setSize(QSize(200, 100))
    svg.setViewBox(QRectF(0, 0, 200, 100))
    p = QPainter(svg)
    for k, state in enumerate(HATCHED):
        p.fillRect(QRectF(0, 20 * k, 200, 15), state_brush(state, QColor("#D55E00"), 1.6))
    p.end()
    text = path.read_text()
    assert text.count("<pattern") == len(HATCHED) and "data:image/png;base64" in text


def test_the_prediction_pen_is_one_pixel_with_the_dashes_of_its_width_when_thin(qapp):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor

    from mpgui.ui.theme import prediction_pen

    thin = prediction_pen(QColor("red"), 1.4)  # (Qt's fast stroker: 1-px cosmetic pens)
    assert thin.isCosmetic() and thin.widthF() == 1.0
    assert thin.dashPattern() == pytest.approx([5.6, 2.8])
    wide = prediction_pen(QColor("red"), 2.8)  # (presentation mode: as wide as asked)
    assert wide.isCosmetic() and wide.widthF() == 2.8
    assert wide.style() == Qt.PenStyle.DashLine
