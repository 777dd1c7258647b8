"""The picture, whole, on every classroom screen: every gallery scenario, after a real
run at high speed, on screens from 1024 x 768 to 3840 x 2160, in the light and the
high-contrast theme (the dark one lays out as the light one: a test checks), at zoom 80,
100 and 200 %, in the normal window and in presentation mode; in the window, both as
opened at a size and as resized to it. Geometry, not pixels (offscreen): see
`layout_checks.problems` for what is checked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from mpgui.model.builtins import builtin_names, load_builtin
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.session.record import RunRecord
from mpgui.ui.main_window import MainWindow
from tests.layout_checks import problems, toolbar_problems

SCREENS = [(1024, 768), (1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]
# The dark theme changes colours only: test_the_dark_theme_lays_out_as_the_light_one
# checks that, so the matrix need not lay every scenario out in it too.
THEMES = ["light", "high contrast"]
ZOOMS = [0.8, 1.0, 2.0]
SPEED = 25.0


@pytest.fixture(scope="module")
def records() -> dict[str, RunRecord]:
    """One real run of every gallery scenario, at high speed."""
    out = {}
    for name in builtin_names():
        scenario = load_builtin(name)
        with Runner(scenario, speed=SPEED, start_method="forkserver", name=name) as runner:
            # (the deadlock scenario never ends by itself: stopped once it is found)
            runner.run(lambda r=runner: r.deadlock is not None and r.request_stop())
        out[name] = RunRecord(scenario, runner.store, name=name, speed=SPEED,
                              start_method="forkserver", cores=cpu_count())
    return out


def settle() -> None:
    """Let Qt lay the window out (posted layout requests, deferred adapts)."""
    for _ in range(3):
        QApplication.processEvents()


@pytest.mark.slow
@pytest.mark.parametrize("presenting", [False, True], ids=["window", "presenting"])
@pytest.mark.parametrize("zoom", ZOOMS, ids=[f"zoom{round(z * 100)}" for z in ZOOMS])
@pytest.mark.parametrize("theme", THEMES)
def test_the_picture_is_whole(records, qtbot, said, theme, zoom, presenting):
    w = MainWindow(speed=SPEED)
    qtbot.addWidget(w)
    w.open_initial("seed")
    w.show()
    w.appearance.set_theme(theme)
    failures: list[str] = []

    def look(what: str, screen: tuple[int, int]) -> None:
        failures.extend(f"{what} at {screen[0]}x{screen[1]}: {p}" for p in problems(w, screen))

    if presenting:
        for screen in SCREENS:
            w.presentation.enter(screen)
            w.appearance.set_zoom(zoom)
            settle()
            for name, record in records.items():
                w.files.open_builtin(name)
                w.view.show(record)
                w.setGeometry(0, 0, *screen)  # full screen
                settle()
                look(name, screen)
            # and back at the desk: whole again, at the desk's zoom
            w.presentation.leave()
            w.setWindowState(Qt.WindowState.WindowNoState)  # (the offscreen screen is
            w.setGeometry(0, 0, *screen)  # 800 x 800: as maximized on this one)
            settle()
            look("after presenting", screen)
    else:
        w.appearance.set_zoom(zoom)
        settle()
        for i, (name, record) in enumerate(records.items()):
            # Each scenario is opened on one screen (the next one for the next scenario,
            # so each size sees ~a fifth of the openings) and the window is then resized
            # to every other: both a scenario opened at a size and one resized to it are
            # checked, and a scenario is opened once, not five times.
            k = i % len(SCREENS)
            screens = SCREENS[k:] + SCREENS[:k]
            w.setGeometry(0, 0, *screens[0])  # maximized on the first...
            w.files.open_builtin(name)
            w.view.show(record)
            for screen in screens:  # ... then on each of the others
                w.setGeometry(0, 0, *screen)
                settle()
                look(name, screen)
    w.controller.shutdown()
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:30])


def _geometries(w: MainWindow) -> list[tuple[str, str, tuple[int, int, int, int]]]:
    """Where each visible widget of the window is, in window coordinates."""
    out = []
    for child in w.findChildren(QWidget):
        if child.isVisibleTo(w):
            top_left = child.mapTo(w, QPoint(0, 0))
            out.append((type(child).__name__, child.objectName(),
                        (top_left.x(), top_left.y(), child.width(), child.height())))
    return sorted(out)


@pytest.mark.parametrize("presenting", [False, True], ids=["window", "presenting"])
def test_the_dark_theme_lays_out_as_the_light_one(records, qtbot, said, presenting):
    """Every widget where it is in the light theme, on the smallest screen at the
    largest zoom (where a difference would first cut something off)."""
    w = MainWindow(speed=SPEED)
    qtbot.addWidget(w)
    w.open_initial("seed")
    w.show()
    screen = SCREENS[0]
    if presenting:
        w.presentation.enter(screen)
    w.appearance.set_zoom(ZOOMS[-1])
    w.view.show(records["seed"])
    seen = {}
    for theme in ("light", "dark", "light"):  # (the first: once the run is laid out)
        w.appearance.set_theme(theme)
        w.setGeometry(0, 0, *screen)
        settle()
        seen[theme] = _geometries(w)
        assert len(seen[theme]) > 20
    w.controller.shutdown()
    assert seen["dark"] == seen["light"]


def test_a_size_remembered_from_a_larger_screen_is_brought_inside_this_one(qtbot, said):
    from PySide6.QtCore import QRect

    from mpgui.ui.settings import settings

    big = MainWindow()
    big.setGeometry(QRect(2000, 1500, 3000, 2000))  # on a 4K monitor, say
    big.save_state()
    big.close()
    assert settings().contains("geometry")
    w = MainWindow()  # this screen (offscreen) is 800 x 800
    qtbot.addWidget(w)
    w.show()
    screen = w.screen().availableGeometry()
    qtbot.waitUntil(lambda: screen.contains(w.frameGeometry()))


@pytest.mark.parametrize("zoom", [1.0, 2.0])
def test_a_window_put_on_a_smaller_screen_takes_its_size(qtbot, said, zoom):
    """Maximized on a desk monitor, then on a 1024 x 768 projector (or the screen's
    resolution lowered): the window becomes 1024 x 768 at once. The toolbars' widths,
    measured for the wide window, once held it ~1,175 px wide (the widest toolbars:
    a Dask scenario's three fields)."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.open_initial("beyond-one-machine")
    w.show()
    w.appearance.set_zoom(zoom)
    settle()
    for big, small in [((1920, 1080), (1024, 768)), ((3840, 2160), (1366, 768))]:
        w.setGeometry(0, 0, *big)
        settle()
        assert w.size().toTuple() == big
        w.setGeometry(0, 0, *small)
        settle()
        assert w.size().toTuple() == small, f"{big} -> {small}"
        assert w.minimumSizeHint().width() <= small[0]
        assert not toolbar_problems(w)  # each whole, no "»" menu
    w.controller.shutdown()
