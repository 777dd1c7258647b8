"""Make the README's screenshots: real runs in a real X window, as a class sees them —
Xvfb with the openbox window manager (full screen and window placement need one),
captured with ImageMagick's `import -window root`.

    .venv/bin/python docs/screenshots.py

Two screens: 1024 x 768 (a school laptop, an older projector) for the window, and
1920 x 1080 in presentation mode. Needs Xvfb, openbox, xprop and ImageMagick
(`apt install xvfb openbox x11-utils imagemagick`). Writes docs/screenshot-*.png; the
settings go to a temporary folder, never the user's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SCREENS = {"desk": (1024, 768), "present": (1920, 1080)}


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--inside":
        return inside(sys.argv[2])
    for shots, (width, height) in SCREENS.items():
        with Desktop(width, height) as display:
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb",
                       XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="mpgui-shots-"))
            subprocess.run([sys.executable, __file__, "--inside", shots], env=env, check=True,
                           timeout=600)
    return 0


class Desktop:
    """An Xvfb screen with openbox managing it; its display name."""

    def __init__(self, width: int, height: int) -> None:
        self.size = f"{width}x{height}x24"

    def __enter__(self) -> str:
        self.server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-noreset", "-screen", "0",
                                        self.size, "-nolisten", "tcp"], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)
        display = f":{self.server.stdout.readline().strip()}"  # type: ignore[union-attr]
        env = dict(os.environ, DISPLAY=display)
        self.wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        end = time.monotonic() + 20
        while "window id" not in subprocess.run(
                ["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env, capture_output=True,
                text=True).stdout:
            if time.monotonic() > end:
                raise SystemExit("openbox did not start")
            time.sleep(0.1)
        return display

    def __exit__(self, *_exc: object) -> None:
        for proc in (self.wm, self.server):
            proc.terminate()
            proc.wait(10)


def inside(shots: str) -> int:
    """Inside the X server: build the window, run, and capture the screen."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="mpgui-shots-"))
    from mpgui.model.scenario import Step
    from mpgui.resources import resource
    from mpgui.ui.app import make_app
    from mpgui.ui.main_window import MainWindow
    from mpgui.ui.run.script_trace import trust

    app = make_app()

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def wait(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.005)

    def shoot(name: str) -> None:
        settle()
        path = DOCS / f"screenshot-{name}.png"
        subprocess.run(["import", "-window", "root", str(path)], check=True, timeout=60)
        print(f"docs/screenshot-{name}.png")

    def run(w: MainWindow) -> None:
        w.run()
        wait(lambda: w.view.current is not None and w.view.live is None)

    def tab(w: MainWindow, text: str) -> None:
        for i in range(w.tabs.count()):
            if w.tabs.tabText(i) == text:
                w.tabs.setCurrentIndex(i)

    w = MainWindow(speed=2, start_method="forkserver")
    w.open_initial("seed")
    w.show()  # a first start: it fills a small screen
    settle(1.5)
    if shots == "present":
        # The classroom: presentation mode, high contrast, on a 1920 x 1080 projector.
        w.appearance.set_theme("high contrast")
        run(w)
        w.presentation.enter()
        wait(lambda: w.isFullScreen() and w.width() == SCREENS["present"][0])
        shoot("presentation")
        w.runs.replay()
        w.view.replay.pause()
        w.view.replay.seek(int(w.view.replay.duration * 0.55))
        shoot("replay")
        w.view.replay.close()
        w.presentation.leave()
        w.close()
        return 0
    shoot("prediction")  # before the run: the prediction alone
    run(w)
    shoot("seed")
    # Compare: four CPU-bound processes all at once, then one after another.
    w.files.open_builtin("uneven")
    run(w)
    parallel = w.view.current
    one_by_one = tuple(Step(action, p.var) for p in w.doc.scenario.processes
                       for action in ("start", "join"))
    w.doc.edit(replace(w.doc.scenario, program=one_by_one), "one after another")
    run(w)
    compare = w.runs.compare()
    compare.choose(parallel, w.view.current)
    shoot("compare")
    compare.close()
    w.gallery_actions.reset()
    # The gallery: a scenario with one worker per core, and its Python code.
    w.files.open_builtin("parallel-cpu")
    run(w)
    tab(w, "Python code")
    shoot("gallery")
    tab(w, "Output")
    # Threads against processes: Run > Compare Backends on CPU-bound work.
    w.files.open_builtin("threads-vs-processes-cpu")
    w.comparison.start(w.doc.scenario)
    wait(lambda: w.runs.compare_window is not None and w.runs.compare_window.isVisible()
         and not w.comparison.active)
    shoot("threads")
    w.runs.compare_window.close()
    # A pool: more tasks than workers.
    w.files.open_builtin("pool")
    run(w)
    shoot("pool")
    # Processes that share: three processes taking turns at a lock, its own lane.
    w.files.open_builtin("lock-convoy")
    run(w)
    shoot("shared")
    # Your own script: the tutorial's, traced (File > Open Python Script...).
    tutorial = resource("scripts", "tutorial.py")
    trust(tutorial)  # the question it asks once per file is a test's business
    w.scripts.open_path(tutorial)
    wait(lambda: w.view.current is not None and w.view.live is None)
    shoot("script")
    w.files.session.discard_all()  # (quitting asks nothing)
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
