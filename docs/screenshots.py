"""Make the README's screenshots: real runs in a real window on a 1920x1080 screen.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python docs/screenshots.py

Writes docs/screenshot-*.png. Settings go to a temporary folder, never the user's.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def main() -> int:
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="mpgui-shots-"))
    from mpgui.model.scenario import Step
    from mpgui.resources import resource
    from mpgui.ui.app import make_app
    from mpgui.ui.main_window import MainWindow
    from mpgui.ui.script_trace import trust

    app = make_app()

    def settle(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()

    def wait(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.005)

    def save(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        settle()
        widget.grab().save(str(DOCS / f"screenshot-{name}.png"))
        print(f"docs/screenshot-{name}.png", widget.width(), "x", widget.height())

    def run(w: MainWindow) -> None:
        w.run()
        wait(lambda: w.view.current is not None and w.view.live is None)

    w = MainWindow(speed=2, start_method="forkserver")
    w.open_initial("seed")
    w.show()
    w.resize(1920, 1040)
    settle(0.5)
    save(w, "prediction")  # before the run: the prediction alone
    run(w)
    save(w, "seed")
    # The classroom: presentation mode, high contrast, at the projector's resolution.
    w.appearance.set_theme("high contrast")
    w.presentation.enter()
    w.setGeometry(w.screen().geometry())  # full screen even with no window manager (Xvfb)
    settle(0.5)
    save(w, "presentation")
    w.runs.replay()
    w.view.replay.pause()
    w.view.replay.seek(int(w.view.replay.duration * 0.55))
    save(w, "replay")
    w.view.replay.close()
    w.presentation.leave()
    w.appearance.set_theme("light")
    # Compare: four CPU-bound processes all at once, then one after another.
    w.files.open_builtin("uneven")
    run(w)
    parallel = w.view.current
    one_by_one = tuple(Step(action, p.var) for p in w.doc.scenario.processes
                       for action in ("start", "join"))
    w.doc.edit(replace(w.doc.scenario, program=one_by_one), "one after another")
    run(w)
    compare = w.runs.compare()
    compare.resize(1600, 1000)
    compare.choose(parallel, w.view.current)
    save(compare, "compare")
    compare.close()
    w.doc.undo_stack.undo()  # back to the built-in, so opening the next asks nothing
    # The gallery: a scenario with one worker per core, and its Python code.
    w.files.open_builtin("parallel-cpu")
    run(w)
    w.tabs.setCurrentIndex(1)
    save(w, "gallery")
    w.tabs.setCurrentIndex(0)
    # Threads against processes: Run > Compare Backends on CPU-bound work.
    w.files.open_builtin("threads-vs-processes-cpu")
    w.comparison.start(w.doc.scenario)
    wait(lambda: w.runs.compare_window is not None and w.runs.compare_window.isVisible())
    compare = w.runs.compare_window
    compare.resize(1600, 1000)
    save(compare, "threads")
    compare.close()
    # A pool: more tasks than workers.
    w.files.open_builtin("pool")
    run(w)
    save(w, "pool")
    # Your own script: the tutorial's, traced (File > Open Python Script...).
    tutorial = resource("scripts", "tutorial.py")
    trust(tutorial)  # the question it asks once per file is a test's business
    w.scripts.open_path(tutorial)
    wait(lambda: w.view.current is not None and w.view.live is None)
    save(w, "script")
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
