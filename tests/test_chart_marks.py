"""The chart's marks after real runs: terminate() as a first-class mark, the daemon's
implicit terminate at the end, every label present and placed, and the placeholder that
names a bad cell when there is nothing to draw."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from mpgui.ui.chart.labels import Box
from tests.helpers import open_editor
from tests.layout_checks import chart_problems, coverage_problems, problems
from tests.test_layout_matrix import settle
from tests.test_window import COLUMN_OF


def run_builtin(qtbot, window, name: str) -> None:
    window.files.open_builtin(name)
    window.acts["run"].trigger()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=60_000)


def layout_of(window):  # type: ignore[no-untyped-def]
    chart = window.chart
    layout = chart._layout()
    assert layout is not None
    plot = Box(0, 0, chart.vb.width(), chart.vb.height())
    assert chart_problems(layout, plot) == []
    assert coverage_problems(chart, layout) == []
    return layout


def test_terminate_is_drawn_on_the_main_program_and_on_the_process(qtbot, window):
    run_builtin(qtbot, window, "terminate")
    store = window.view.current.store
    a = next(ln for ln in store.lanes if ln.var == "A")
    assert a.terminate_t is not None and a.exit_code == -15 and not a.terminated_at_end
    layout = layout_of(window)
    texts = {lb.shown: lb for lb in layout.labels}
    assert texts["A.terminate()"].role == "terminate"
    assert ("terminate", a.index) in texts["A.terminate()"].covers
    assert "terminated (exit -15)" in texts  # not "killed by signal": the program did it
    # A red arrow from the main program down to A, at the moment terminate() was called.
    assert any(s.kind == "terminate" and s.crash for s in layout.segments)
    assert sum(red for _x, _y, red in layout.arrows) >= 1
    assert "terminate(): SIGTERM" in [label for _k, label in window.legend.entries]


def test_a_daemon_is_terminated_at_the_end_and_says_so(qtbot, window):
    run_builtin(qtbot, window, "daemon")
    store = window.view.current.store
    d = next(ln for ln in store.lanes if ln.var == "D")
    assert d.terminated_at_end and d.exit_code == -15
    labels = [lb.shown for lb in layout_of(window).labels]
    assert "D.terminate() at the end" in labels
    assert "N.join()" in labels


def test_every_mark_of_exit_codes_has_its_label(qtbot, window):
    run_builtin(qtbot, window, "exit-codes")
    labels = [lb.shown for lb in layout_of(window).labels]
    assert "Stop.terminate()" in labels and "exit 3" in labels
    assert any(text.startswith("✖ exit 1") for text in labels)
    # A label shortened to fit still says everything on hover.
    chart = window.chart
    for label in chart._layout().labels:
        hovered = chart.label_at(label.box.x + 2, label.box.y + label.box.h / 2)
        assert hovered is not None and hovered.text == label.text


def test_a_bad_cell_shows_a_placeholder_that_names_it(qtbot, window):
    placeholder = window.chart.placeholder
    assert not placeholder.isVisible()
    _index, editor = open_editor(window.table, 1, COLUMN_OF["var"])
    assert isinstance(editor, QLineEdit)
    editor.setText("2B")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(placeholder.isVisible)
    assert "row 2" in placeholder.text.text() and "not a Python variable" in \
        placeholder.text.text()
    assert "Cannot run" in window.status.run_label.text()
    assert "Cannot run" in window.problem_label.text()
    # Inside the chart, whole.
    assert window.chart.rect().contains(placeholder.geometry())
    window.table.clearSelection()
    qtbot.mouseClick(placeholder.button, Qt.MouseButton.LeftButton)
    assert window.table.currentIndex().row() == 1  # the cell, selected
    window.acts["undo"].trigger()
    qtbot.waitUntil(lambda: not placeholder.isVisible())
    assert window.status.run_label.text() == "Ready"


def test_no_start_arrow_crosses_a_label_of_the_main_program(qtbot, window):
    # On a busy machine the parent may start C some milliseconds after B.join()
    # returned: the start arrow then falls inside B.join()'s label; at zoom 200 on a
    # small screen that label fills the main program's lane (found by CI under load).
    run_builtin(qtbot, window, "sequential")
    store = window.view.current.store
    b_join = next(j for j in store.joins if store.lanes[j.lane].var == "B")
    record = window.view.current
    window.appearance.set_zoom(2.0)
    settle()
    for late_ms in (0, 5, 10, 20, 40):
        for k, var in enumerate("CD"):
            lane = next(ln for ln in store.lanes if ln.var == var)
            lane.start_call_t = b_join.t_return + late_ms * 1_000_000 + k * 300_000
        for screen in ((1024, 768), (1280, 720), (1366, 768)):
            window.view.show(record)
            window.setGeometry(0, 0, *screen)
            settle()
            assert problems(window, screen) == [], (late_ms, screen)


def _drawn(item, layout, plot: Box, whole: bool):  # type: ignore[no-untyped-def]
    """`layout`'s lines, dots and arrow heads painted into an image clipped to `plot`,
    as the view box clips them: by the item, or (`whole`) every line whole, as Qt was
    left to clip them before."""
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from mpgui.ui.chart import marks_item

    image = QImage(420, 320, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setClipRect(QRectF(plot.x, plot.y, plot.w, plot.h))
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if whole:
        for s in layout.segments:
            p.setPen(item._pen(s.kind, s.crash))
            p.drawLine(QPointF(s.x0, s.y0), QPointF(s.x1, s.y1))
        layout = marks_item.MarksLayout(dots=layout.dots, arrows=layout.arrows)
        plot = Box(-1e6, -1e6, 2e6, 2e6)
    item._paint_lines(p, layout, plot)
    p.end()
    return image


def test_lines_far_outside_the_view_are_cut_without_changing_a_pixel(qapp):
    """A run of hundreds of processes has start() arrows, exits and joins far below
    the view: the painter draws only their part in view (dashed ones cut by whole dash
    periods), which looks the same as the whole lines clipped (at most an edge pixel's
    shade differs by rounding)."""
    import random

    from mpgui.ui.chart.labels import MarksLayout, Segment
    from mpgui.ui.chart.marks_item import MarksItem
    from mpgui.ui.theme import LIGHT

    rnd = random.Random(7)
    kinds = ["start", "exit", "join", "join_implicit", "pole_implicit", "terminate",
             "leader", "item"]
    item = MarksItem(LIGHT)
    plot = Box(37.3, 21.6, 351.2, 260.5)
    for line in (1.0, 1.5, 2.3):
        item.line = line
        layout = MarksLayout()
        for k in range(240):
            x0, y0 = rnd.uniform(-3000, 3000), rnd.uniform(-3000, 3000)
            x1 = x0 if k % 3 == 0 else rnd.uniform(-3000, 3000)  # (start arrows: vertical)
            layout.segments.append(Segment(x0, y0, x1, rnd.uniform(-3000, 3000),
                                           kinds[k // 10 % len(kinds)], crash=k % 7 == 0))
            layout.arrows.append((rnd.uniform(-20, 420), rnd.uniform(-20, 320), k % 2 == 0))
            layout.dots.append((rnd.uniform(-20, 420), rnd.uniform(-20, 320)))
        cut, whole = _drawn(item, layout, plot, False), _drawn(item, layout, plot, True)
        worst = max((abs(((cut.pixel(x, y) >> shift) & 255)
                         - ((whole.pixel(x, y) >> shift) & 255))
                     for y in range(cut.height()) for x in range(cut.width())
                     if cut.pixel(x, y) != whole.pixel(x, y) for shift in (0, 8, 16)),
                    default=0)
        assert worst <= 8, f"line width x{line}: a pixel differs by {worst} of 255"


def test_a_line_is_cut_to_the_box_by_whole_dash_periods():
    from mpgui.ui.chart.labels import Segment

    box = Box(0, 100, 50, 100)
    s = Segment(10, 0, 10, 1000, "start")
    assert s.part_in(box) == (10, 100, 10, 200)  # solid: exactly the box
    x0, y0, x1, y1 = s.part_in(box, 7.2)  # dashed: from the last period start before it
    assert (x0, x1, y1) == (10, 10, 200) and 100 - 7.2 < y0 <= 100
    assert abs(y0 / 7.2 - round(y0 / 7.2)) < 1e-9
    assert s.part_in(box, None) == (10, 0, 10, 1000)  # (a thin pen's: whole)
    assert Segment(60, 0, 60, 1000, "start").part_in(box) is None  # wholly outside
    assert s.crosses(box) and not Segment(0, 0, 50, 0, "exit").crosses(box)


def test_start_arrows_to_lanes_below_the_view_are_drawn_one_every_few_pixels():
    """256 processes started in a few seconds are as many dashed lines down through the
    whole plot when their lanes are below the view: one every START_GAP_PX draws the
    same picture at a fraction of the strokes. Arrows whose tips are in view are all
    drawn, however close."""
    from itertools import pairwise

    from mpgui.ui.chart.labels import BELOW_PX, START_GAP_PX, _thinned_below

    bottom = 500.0
    in_view = [(x / 4, 120.0 + x) for x in range(40)]  # four to a pixel, tips in view
    below = [(10 + x / 2, bottom + BELOW_PX + 1 + x) for x in range(200)]
    kept = _thinned_below(in_view + below, bottom)
    assert all(start in kept for start in in_view)
    drawn = sorted(x for x, tip in kept if tip > bottom + BELOW_PX)
    assert all(b - a >= START_GAP_PX for a, b in pairwise(drawn))
    # Every line left out has a drawn one within the gap.
    assert all(min(abs(x - d) for d in drawn) < START_GAP_PX for x, _tip in below)
    assert len(drawn) < len(below) / 5
    assert _thinned_below(in_view, bottom) == in_view
