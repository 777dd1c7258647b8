"""The classroom features in the window: presentation mode and zoom, the keyboard-only
walk, prediction, record and replay, compare, and exports."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetricsF, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from mpgui.model.builtins import builtin_names, load_builtin
from mpgui.runtime.output.summary import PARTIAL_INFO
from mpgui.runtime.session.record import RunRecord
from mpgui.ui.appearance import PRESENTATION_ZOOM, presentation_zoom
from mpgui.ui.chart.chart import LABEL_POINTS
from mpgui.ui.chart.geometry import lane_colors
from mpgui.ui.chart.pixels import pixel_codes
from mpgui.ui.main_window import MainWindow

SVG = "{http://www.w3.org/2000/svg}svg"


def run_to_end(qtbot, w: MainWindow, timeout_s: float = 30) -> None:
    """Press Run (F5) and wait for the run to end."""
    w.acts["run"].trigger()
    qtbot.waitUntil(lambda: w.view.current is not None and w.view.live is None,
                    timeout=int(timeout_s * 1000))


def settled(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    """Wait until posted layout work is done: `widget` keeps its size across a pass of
    the event loop."""
    sizes: list[tuple[int, int]] = []

    def stable() -> bool:
        QApplication.processEvents()
        sizes.append(widget.size().toTuple())
        return len(sizes) >= 3 and sizes[-1] == sizes[-2] == sizes[-3]

    qtbot.waitUntil(stable)


def key(qtbot, w: MainWindow, k: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Press a key where the keyboard focus is, as a user would."""
    target = QGuiApplication.focusObject() or w
    qtbot.keyClick(target, k, modifier)


def app_points() -> float:
    return QGuiApplication.font().pointSizeF()


def test_presentation_mode_toggles_full_screen_and_back(window, qtbot):
    edit = window.layout_.edit_split
    desk_points, desk_label = app_points(), window.chart.label_font.pointSizeF()
    assert edit.isVisible() and not window.header.isVisible()
    window.presentation.enter((1920, 1080))  # F11 on a projector of this size
    assert window.presentation.active and window.acts["present"].isChecked()
    qtbot.waitUntil(window.isFullScreen)
    assert not edit.isVisible() and not window.layout_.gallery_box.isVisible()
    assert not window.explanation.isVisible() and not window.menuBar().isVisible()
    assert window.header.isVisible()
    assert "The tutorial's four processes" in window.header.label.text()
    assert "Before you press Run" in window.header.label.text()
    assert window.appearance.zoom == PRESENTATION_ZOOM
    assert app_points() > desk_points * 1.9
    # Lane labels legible from the back: at least 24 px high.
    assert window.chart.label_font.pointSizeF() == LABEL_POINTS * PRESENTATION_ZOOM
    assert QFontMetricsF(window.chart.label_font).height() >= 24
    window.acts["present"].trigger()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert edit.isVisible() and window.menuBar().isVisible() and not window.header.isVisible()
    assert app_points() == desk_points and window.chart.label_font.pointSizeF() == desk_label


def test_presentation_zoom_fits_the_screen_it_presents_on():
    assert presentation_zoom(1920, 1080) == presentation_zoom(3840, 2160) == PRESENTATION_ZOOM
    assert presentation_zoom(1366, 768) == 1.3 and presentation_zoom(1280, 720) == 1.3
    assert presentation_zoom(1024, 768) == 1.0 and presentation_zoom(800, 600) == 1.0


def test_zoom_scales_fonts_labels_and_line_widths(window, qtbot):
    chart, legend = window.chart, window.legend
    rows = window.table.verticalHeader()
    before = (app_points(), chart.label_font.pointSizeF(), chart.spans.line, chart.marks.line,
              legend._swatch_w, rows.defaultSectionSize())
    window.view_actions.actions["zoom_in"].trigger()  # Ctrl+=
    window.view_actions.actions["zoom_in"].trigger()
    assert window.appearance.zoom == 1.3
    qtbot.waitUntil(lambda: rows.defaultSectionSize() > before[-1])  # the font change is posted
    after = (app_points(), chart.label_font.pointSizeF(), chart.spans.line, chart.marks.line,
             legend._swatch_w, rows.defaultSectionSize())
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    assert after[1] == LABEL_POINTS * 1.3 and after[2] == 1.3
    window.view_actions.actions["zoom_reset"].trigger()  # Ctrl+0
    assert app_points() == before[0] and chart.spans.line == 1.0
    window.view_actions.actions["zoom_out"].trigger()  # Ctrl+-
    assert app_points() < before[0]
    # High contrast: thicker lines at the same zoom, and it is remembered.
    window.view_actions.actions["zoom_reset"].trigger()
    window.view_actions.actions["theme:high contrast"].trigger()
    assert chart.spans.line > 1.5 and window.console.theme.name == "high contrast"
    again = MainWindow()
    assert again.appearance.theme.name == "high contrast"
    again.deleteLater()


def test_keyboard_only_walk_three_scenarios_runs_and_a_replay(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None)
    names = builtin_names()
    key(qtbot, window, Qt.Key.Key_F11)
    assert window.presentation.active
    for i in range(3):
        assert window.doc.builtin == names[i]
        key(qtbot, window, Qt.Key.Key_Space)  # Run
        assert window.view.live is not None or window.view.current is not None
        qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                        timeout=30_000)
        assert window.view.current.name == names[i]
        if i < 2:
            key(qtbot, window, Qt.Key.Key_PageDown)
    assert [r.name for r in window.view.history.runs] == names[:3]
    key(qtbot, window, Qt.Key.Key_R)  # replay the last run
    replay = window.view.replay
    assert replay.active and replay.playing and replay.record.name == names[2]
    replay.set_speed(4.0)
    qtbot.waitUntil(lambda: not replay.playing, timeout=30_000)
    key(qtbot, window, Qt.Key.Key_Space)  # during a replay, Space plays it again
    assert replay.playing
    key(qtbot, window, Qt.Key.Key_Space)
    assert not replay.playing
    key(qtbot, window, Qt.Key.Key_F11)
    assert not window.presentation.active
    # Outside presentation mode single keys are typing, not commands.
    assert not window.acts["space"].isEnabled() and not window.acts["replay_key"].isEnabled()


def test_replay_draws_exactly_the_spans_of_the_live_run(window, qtbot):
    run_to_end(qtbot, window)
    chart, record = window.chart, window.view.current
    store = record.store
    end = (store.t_end - store.t0) / 1e9
    colors = lane_colors(store)
    width = 900

    def grid() -> np.ndarray:
        return pixel_codes(chart.cache, chart.rows, colors, 0.0, end, width)

    live = grid()
    settled(qtbot, chart)  # the legend's last entries may still be resizing the chart
    live_picture = chart.grab().toImage()
    assert (live >= 0).sum() > 1000
    window.runs.replay()
    replay = window.view.replay
    assert replay.active and chart.cache is not None
    replay.pause()
    replay.seek(replay.duration // 10)
    chart.grab()
    # 3/4 of the run: the time axis steps on (1 s to 1.5 s): drawn at once all the same.
    replay.seek(replay.duration * 3 // 4)
    half = grid()
    cut = width * 3 // 4
    assert np.array_equal(half[:, :cut - 1], live[:, :cut - 1])  # the past: as measured
    assert (half[:, cut + 1:] == -1).all()  # the future: not yet
    assert window.chart.now_line.isVisible()
    chart.grab()  # what is painted is what was measured up to the cut
    x0, x1 = chart.vb.viewRange()[0]
    painted, (top, bottom) = chart.spans._grid, chart.spans._shown_rows
    assert np.array_equal(painted, pixel_codes(chart.cache, chart.rows, colors, x0, x1,
                                               painted.shape[1])[top:bottom])
    assert (painted >= 0).sum() > 500
    shown = window.console.toPlainText()
    assert "Process 1: 0" in shown and "Process 4: 4" not in shown  # lines so far, only
    replay.seek(replay.duration)
    assert np.array_equal(grid(), live)
    replay.close()
    assert not replay.active and not window.replay_bar.isVisible()
    qtbot.waitUntil(lambda: chart.height() == live_picture.height())  # the bar's room back
    assert chart.grab().toImage() == live_picture  # the same picture, pixel for pixel


def test_replay_bar_scrubs_and_changes_speed(window, qtbot):
    run_to_end(qtbot, window)
    window.runs.actions["replay"].trigger()
    bar, replay = window.replay_bar, window.view.replay
    assert bar.isVisible()
    replay.pause()
    bar.slider.setValue(250)
    assert abs(replay.position - replay.duration // 4) <= replay.duration // 1000 + 1
    assert "/" in bar.time_label.text()
    bar.speed_box.setCurrentIndex(0)
    assert replay.speed == 0.25
    replay.close()
    assert not bar.isVisible()


def test_prediction_drawn_before_and_under_the_run(window, qtbot):
    chart = window.chart
    assert chart.store is None and chart.plan is not None and chart.ghost.isVisible()
    assert chart.rows.labels[:5] == ("main program", "A (process1 1)", "B (process1 2)",
                                     "C (process1 3)", "D (process1 4)")
    assert window.legend.show_plan
    d_plan = next(ln for ln in chart.plan.lanes if ln.var == "D")
    assert chart.plan.seconds(d_plan.start_call_t) == 0.8  # 8 s at speed 10
    run_to_end(qtbot, window)
    assert chart.ghost.isVisible()
    d_run = next(ln for ln in chart.store.lanes if ln.var == "D")
    assert chart.ghost.rows.lane_row[d_plan.index] == chart.rows.lane_row[d_run.index]
    assert "predicted 1.250 s" in window.console.toPlainText()
    window.view_actions.actions["prediction"].trigger()  # Ctrl+E: off
    assert not chart.ghost.isVisible() and chart.plan is None and not window.legend.show_plan
    window.view_actions.actions["prediction"].trigger()
    assert chart.ghost.isVisible()
    # Another scenario: its own prediction, alone again.
    window.files.open_builtin("sequential")
    assert chart.store is None and chart.ghost.isVisible()
    assert [ln.var for ln in chart.plan.lanes][1:] == \
        [p.var for p in load_builtin("sequential").processes]


def test_a_prediction_cut_short_says_so_over_the_chart(window):
    from tests.scenarios import too_long_to_predict

    window.doc.load(too_long_to_predict(), path=None, builtin=None)
    window.files.loaded.emit()
    chart = window.chart
    assert PARTIAL_INFO in chart.plan.info and chart.ghost.isVisible()
    assert chart._title is not None and \
        chart._title.startswith("Prediction of the first ")


def test_compare_two_runs_on_one_time_axis(window, qtbot):
    run_to_end(qtbot, window)
    window.speed.setValue(20)
    run_to_end(qtbot, window)
    assert window.runs.actions["compare"].isEnabled()
    compare = window.runs.compare()
    qtbot.addWidget(compare)
    top, bottom = compare.chosen()
    assert (top.number, bottom.number) == (1, 2)
    ranges = [c.vb.viewRange()[0] for c in compare.charts]
    assert ranges[0] == pytest.approx(ranges[1])
    assert ranges[0][1] >= top.figures.wall  # the longer run fits
    qtbot.waitUntil(lambda: len({round(c.vb.mapViewToScene(QPointF(1.0, 0)).x())
                                 for c in compare.charts}) == 1)  # 1 s at the same x on both
    for header in compare.headers:
        assert "wall time" in header.text() and "CPU time" in header.text()
        assert "speed-up" in header.text()
    # The headline names what differs (the speed), not the runs' numbers.
    assert "at speed 10" in compare.verdict.text().lower() and "as fast" in \
        compare.verdict.text() and "Run 2" not in compare.verdict.text()
    compare.charts[1].vb.setXRange(0.2, 0.4, padding=0)  # pan one: the other follows
    assert compare.charts[0].vb.viewRange()[0] == pytest.approx([0.2, 0.4], abs=1e-6)
    compare.close()


def test_exports_are_valid_png_svg_json_csv(window, qtbot, tmp_path):
    assert window.runs.actions["png"].isEnabled()  # the prediction alone, before a run
    assert window.runs.export_to("png", tmp_path / "plan.png")
    assert QImage(str(tmp_path / "plan.png")).size().toTuple() == (1920, 1080)
    run_to_end(qtbot, window)
    paths = {kind: tmp_path / f"seed.{kind}" for kind in ("png", "svg", "json", "csv")}
    for kind, path in paths.items():
        assert window.runs.export_to(kind, path), kind
    image = QImage(str(paths["png"]))
    assert image.size().toTuple() == (1920, 1080) and not image.isNull()
    root = ET.parse(paths["svg"]).getroot()
    assert root.tag == SVG and root.get("viewBox") == "0 0 1920 1080"
    assert root.find(".//{http://www.w3.org/2000/svg}image") is None  # vectors only
    assert "The tutorial's four processes" in paths["svg"].read_text()
    events = json.loads(paths["json"].read_text())["traceEvents"]
    assert sum(1 for e in events if e.get("cat") == "print") == 16
    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text())))
    assert sum(r["record"] == "line" for r in rows) == 16


def test_a_saved_run_opens_with_its_scenario_and_replays(window, qtbot, tmp_path, said):
    run_to_end(qtbot, window)
    path = tmp_path / "demo.mpgrun"
    assert window.runs.save_run_to(window.view.current, path)
    window.files.open_builtin("sequential")
    assert window.view.current is None
    record = window.runs.open_run_path(path)
    assert isinstance(record, RunRecord) and record.source == path
    assert window.doc.builtin == "seed" and window.doc.scenario == load_builtin("seed")
    assert window.view.current is record and record in window.view.history.runs
    assert window.chart.store is record.store
    assert "Process 4: 4" in window.console.toPlainText()
    window.runs.replay()
    assert window.view.replay.record is record
    window.view.replay.close()
    bad = tmp_path / "bad.mpgrun"
    bad.write_text("not a run")
    assert window.runs.open_run_path(bad) is None
    assert said[0] and "Cannot open run" in said[0][-1]
    assert window.view.current is record  # nothing changed


def test_replay_clock_plays_scrubs_and_ends(qtbot):
    """A long recorded run (a prediction is a finished trace too): positions past 2**31
    ns, speeds, pausing at the end, and playing again from the start."""
    from mpgui.runtime.session.plan import predict
    from mpgui.ui.run.replay import ReplayController

    store = predict(load_builtin("seed"), cores=2)  # 12.5 s
    record = RunRecord(load_builtin("seed"), store, name="seed", speed=1.0,
                       start_method="spawn", cores=2)
    replay = ReplayController()
    seen: list[int] = []
    replay.moved.connect(seen.append)
    replay.start(record)
    assert replay.playing and replay.duration == 12_500_000_000 and seen == [0]
    replay.seek(10_000_000_000)
    assert seen[-1] == 10_000_000_000  # past a C int: no overflow
    replay.set_speed(4.0)
    qtbot.waitUntil(lambda: not replay.playing, timeout=5000)  # 2.5 s at 4x
    assert replay.position == replay.duration
    replay.play()  # from the end: starts over
    assert replay.playing and replay.position < 1_000_000_000
    replay.close()
    assert not replay.active and not replay.playing


def test_live_chart_paints_what_the_store_holds_at_every_frame(window, qtbot):
    """Incremental drawing (dirty strips, the next step's grid built ahead) paints the
    same pixels as drawing the whole view from scratch, frame after frame."""
    chart = window.chart
    checked: list[tuple[float, float]] = []
    mismatches: list[str] = []
    ghosts: list[bool] = []

    def check() -> None:
        if chart.rows is None or chart.store is None:
            return
        chart.grab()
        x0, x1 = chart.vb.viewRange()[0]
        painted, (top, bottom) = chart.spans._grid, chart.spans._shown_rows
        fresh = pixel_codes(chart.cache, chart.rows, lane_colors(chart.store), x0, x1,
                            painted.shape[1])[top:bottom]
        if not np.array_equal(painted, fresh):
            mismatches.append(f"view {x0:.3f}..{x1:.3f}: {(painted != fresh).sum()} pixels")
        ghost = chart.ghost  # the prediction's bars: their next view is prepared too
        if ghost.isVisible() and ghost._grid_key is not None and ghost._grid_key[:2] == \
                (round(x0, 9), round(x1, 9)):
            width = ghost._grid.shape[1]
            predicted = pixel_codes(ghost.cache, ghost.rows, ghost.colors, x0, x1, width,
                                    shown=ghost._shown_rows)
            if not np.array_equal(ghost._grid[:, ghost._valid], predicted[:, ghost._valid]):
                mismatches.append(f"prediction, view {x0:.3f}..{x1:.3f}")
            ghosts.append(ghost._valid.all())
        checked.append((round(x0, 3), round(x1, 3)))

    window.controller.frame.connect(check)
    run_to_end(qtbot, window)
    assert len(set(checked)) >= 3  # the time axis stepped on at least twice
    assert mismatches == []
    assert any(ghosts)  # the prediction was drawn, whole


def test_many_lanes_at_a_large_zoom_scroll_instead_of_shrinking(window, qtbot):
    from tests.scenarios import make, sleeper

    many = make(*(sleeper(f"P{i}", n=1, interval=0.01) for i in range(14)))
    window.doc.load(many, path=None, builtin=None)
    window.files.loaded.emit()
    chart = window.chart
    n = chart.rows.n_rows
    assert n == 1 + 14 + chart.n_cores and not chart.scroll.isVisible()  # at 100 %: all fit
    for _ in range(5):
        window.view_actions.actions["zoom_in"].trigger()  # 200 %
    label_px = QFontMetricsF(chart.label_font).height()
    qtbot.waitUntil(chart.scroll.isVisible)
    top, bottom = chart.vb.viewRange()[1]
    shown = bottom - top
    assert shown < n and chart.vb.height() / shown >= label_px  # lanes taller than labels
    chart.scroll.setValue(chart.scroll.maximum())
    assert chart.vb.viewRange()[1][1] == pytest.approx(n)  # the last row (the cores)
    window.view_actions.actions["zoom_reset"].trigger()
    qtbot.waitUntil(lambda: not chart.scroll.isVisible())
    assert chart.vb.viewRange()[1] == pytest.approx([0, n])


@pytest.mark.parametrize("theme", ["light", "high contrast"])
def test_a_live_frame_is_pixel_identical_to_a_full_repaint(window, qtbot, theme):
    """While a run is followed, each frame repaints only the strip that changed; the
    picture must be exactly what drawing everything afresh gives — no seams, no broken
    hatching — with thin and thick lines (oversubscribed: hatched, stacked bars)."""
    window.appearance.set_theme(theme)
    chart = window.chart
    window.files.open_builtin("oversubscribed")
    window.speed.setValue(4)
    compared: list[int] = []
    mismatches: list[str] = []

    def full(item) -> None:  # type: ignore[no-untyped-def]
        item.setCacheMode(item.CacheMode.NoCache)  # drop what was painted before
        item.setCacheMode(item.CacheMode.DeviceCoordinateCache)

    def check() -> None:
        if chart.rows is None or not window.controller.running or len(compared) > 12:
            return
        live = chart.grab().toImage()
        for item in (chart.spans, chart.ghost, chart.marks):
            full(item)
        fresh = chart.grab().toImage()
        compared.append(1)
        if live != fresh:
            a = np.frombuffer(live.constBits(), np.uint8).reshape(live.height(), -1, 4)
            b = np.frombuffer(fresh.constBits(), np.uint8).reshape(fresh.height(), -1, 4)
            ys, xs = np.nonzero((a != b).any(-1))
            mismatches.append(f"frame {len(compared)}: {len(ys)} pixels differ, x "
                              f"{xs.min()}..{xs.max()}")

    window.controller.frame.connect(check)
    run_to_end(qtbot, window)
    window.controller.frame.disconnect(check)
    assert len(compared) >= 4
    assert mismatches == []


def test_a_live_frame_repaints_only_what_is_in_view_and_rows_scrolled_in_are_whole(
        window, qtbot):
    """With more lanes than fit, a frame asks Qt to repaint its strip only within the
    rows and times in view (Qt renders an update of a cached item into a scratch image
    as large as the update: for 256 lanes, a fresh ~30 MB image every frame); rows
    scrolled into view during the run are then painted whole, exactly as a full
    repaint paints them: the measured bars, the prediction's outlines and the marks."""
    chart = window.chart
    window.files.open_builtin("oversubscribed")
    window.speed.setValue(4)
    window.resize(900, 420)
    settled(qtbot, chart)
    outside: list[str] = []
    compared: list[int] = []
    mismatches: list[str] = []
    update = chart.spans.update

    def spy(*args):  # type: ignore[no-untyped-def]
        if args and chart.rows is not None:
            sx, sy = chart.spans.SCALE
            r = args[0]
            view = chart.vb.viewRect()
            my = 0.2 * view.height() + 1.01  # (Qt caches an item that reaches < 20 %
            # past the view whole: that much stays current)
            if r.top() / sy < view.top() - my or r.bottom() / sy > view.bottom() + my \
                    or r.right() / sx > view.right() + view.width() / 2:
                outside.append(f"{r} in view {view}")
        return update(*args)

    chart.spans.update = spy

    def check() -> None:
        if chart.rows is None or not window.controller.running or len(compared) > 6:
            return
        if chart.scroll.isHidden():
            return
        compared.append(1)
        if len(compared) % 2:  # rows come into view, the run goes on
            chart.scroll.setValue((chart.scroll.value() + 2) % (chart.scroll.maximum() + 1))
            return
        live = chart.grab().toImage()
        for item in (chart.spans, chart.ghost, chart.marks):
            item.repaint_all()
        fresh = chart.grab().toImage()
        if live != fresh:
            a = np.frombuffer(live.constBits(), np.uint8).reshape(live.height(), -1, 4)
            b = np.frombuffer(fresh.constBits(), np.uint8).reshape(fresh.height(), -1, 4)
            ys, xs = np.nonzero((a != b).any(-1))
            mismatches.append(f"frame {len(compared)}: {len(ys)} pixels differ, x "
                              f"{xs.min()}..{xs.max()}, y {ys.min()}..{ys.max()}")

    window.controller.frame.connect(check)
    run_to_end(qtbot, window)
    window.controller.frame.disconnect(check)
    del chart.spans.update
    assert len(compared) >= 4, "the rows should not all fit in this window"
    assert mismatches == []
    assert outside == []


def test_a_live_frame_asks_qt_to_repaint_a_strip_not_the_whole_chart(window, qtbot):
    """Between steps of the time axis and new marks (a start, a join, an exit: the marks
    are drawn afresh), what a followed run's frame asks Qt to repaint is the strip of
    new time at the right — never the whole plot, as one item as wide as the view
    asking for a repaint of all of itself at each frame would make it (the shared
    objects' lanes did, with no shared object at all) — and it ends a margin after
    "now", not at the view's right edge: the viewport repaints every item under it,
    and the view runs ahead of "now"."""
    from PySide6.QtCore import QEvent, QObject, QPointF

    chart = window.chart
    viewport = chart.viewport()
    # (width painted, the view's x range and the marks drawn)
    regions: list[tuple[int, tuple]] = []
    past_now: list[float] = []  # how far right of "now" each paint reached, pixels

    class Painted(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.Paint and window.controller.running:
                box = event.region().boundingRect()
                regions.append((box.width(),
                                (*chart.vb.viewRange()[0], chart.marks._marks)))
                now = chart.mapFromScene(chart.vb.mapViewToScene(
                    QPointF(chart.now_line.value(), 0))).x()
                past_now.append(box.right() - now)
            return False

    painted = Painted()
    viewport.installEventFilter(painted)
    window.speed.setValue(2)
    run_to_end(qtbot, window)
    viewport.removeEventFilter(painted)
    # The frames that followed a frame at the same view with the same marks, from the
    # first step of the time axis on (in the first second, all of the view is new).
    first = regions[0][1][:2]
    same_view = [(width, reach) for (width, view), (_w, before), reach
                 in zip(regions[1:], regions, past_now[1:], strict=False)
                 if view == before and view[:2] != first]
    assert len(same_view) >= 20
    plot = chart.vb.width()
    whole = [width for width, _reach in same_view if width >= 0.9 * plot]
    assert len(whole) <= 2, f"{len(whole)} of {len(same_view)} frames repainted it all"
    # (The strips' margin: a marker reaches 7 px out, line ticks merge — ~45 px.)
    far = [round(reach) for width, reach in same_view if width < 0.9 * plot and reach > 60]
    assert len(far) <= 2, f"{len(far)} of {len(same_view)} strips reached past now: {far}"
