"""``mpgui --selftest``: does this installation work, end to end?

It opens the main window, runs the tutorial's example fast with every start method a
frozen app must support (spawn, and forkserver where the platform has it), then as
threads, as a process pool and (where Dask is installed) on a Dask cluster, and checks
that every process, thread or task started, reported its lines, ended well, and that
no process is left.
One result line, exit status 0 or 1. The user's settings are neither read nor written
(a scratch folder stands in, removed at the end). Nothing of the self-test outlives it:
the forkserver and resource tracker that multiprocessing started for it are stopped
before the result line.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time

from mpgui.i18n import _
from mpgui.model.backend import BACKENDS, DASK, DEFAULT_BACKEND
from mpgui.runtime.cpu import pid_running
from mpgui.runtime.output.stdout import write_out
from mpgui.runtime.parent.mp_helpers import stop_helpers
from mpgui.runtime.parent.options import start_methods

SPEED = 20
TIMEOUT_S = 90
EXPECTED_LINES = {"A": 4, "B": 3, "C": 4, "D": 5}  # the seed's processes


def run_selftest() -> int:
    """Run the self-test; print one line; 0 if it passed, else 1."""
    t0 = time.monotonic()
    methods = [m for m in ("spawn", "forkserver") if m in start_methods()]
    scratch = tempfile.mkdtemp(prefix="mpgui-selftest-")
    try:
        problems = _check(methods, scratch)
    except Exception as exc:  # report, never a traceback: this is a verdict
        problems = [f"{type(exc).__name__}: {exc}"]
    finally:
        stop_helpers()
        shutil.rmtree(scratch, ignore_errors=True)
    took = time.monotonic() - t0
    if problems:
        write_out(_("mpgui selftest: FAILED ({took:.1f} s): {problems}").format(
            took=took, problems="; ".join(problems)) + "\n")
        return 1
    said = methods[0] if methods else ""
    for method in methods[1:]:
        said = _("{first} and {second}").format(first=said, second=method)
    # (write_out: on a full disk, one error line instead of a traceback)
    if DASK.available:
        write_out(_("mpgui selftest: ok — the window ran the seed with {methods}, then as "
                    "threads, as a pool and on a Dask cluster: 4 rows each, 16 lines, all "
                    "ended well, no child left ({took:.1f} s)").format(methods=said,
                                                                       took=took) + "\n")
        return 0
    write_out(_("mpgui selftest: ok — the window ran the seed with {methods}, then as "
                "threads and as a pool: 4 rows each, 16 lines, all ended well, no child "
                "left ({took:.1f} s)").format(methods=said, took=took) + "\n")
    return 0


def _check(methods: list[str], scratch: str) -> list[str]:
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, scratch)
    from mpgui.startup import resume_collector
    from mpgui.ui.app import make_app
    from mpgui.ui.main_window import MainWindow

    app = make_app()
    window = MainWindow(speed=SPEED)
    window.open_initial("seed")
    window.show()
    resume_collector()  # paused by the GUI's start, as the window's own start resumes it
    problems: list[str] = []
    runs = [(m, None) for m in methods] + [(methods[0], b) for b, record in BACKENDS.items()
                                           if b != DEFAULT_BACKEND and record.available]
    for method, backend in runs:
        what = backend or method
        window.method.setCurrentIndex(window.method.findData(method))
        loop = QEventLoop()
        window.controller.finished.connect(loop.quit)
        QTimer.singleShot(TIMEOUT_S * 1000, loop.quit)
        before = window.controller.runner
        window.run(backend)
        if window.controller.runner is None or window.controller.runner is before:
            problems.append(_("{what}: the run did not start").format(what=what))
            continue
        if window.controller.running:
            loop.exec()
        window.controller.finished.disconnect(loop.quit)
        problems += [_("{what}: {problem}").format(what=what, problem=p)
                     for p in _verdict(window)]
    window.close()  # stops whatever still runs
    app.processEvents()
    return problems


def _verdict(window) -> list[str]:  # type: ignore[no-untyped-def]
    runner = window.controller.runner
    if window.controller.running:
        window.controller.shutdown()
        return [_("the run did not finish within {seconds} s").format(seconds=TIMEOUT_S)]
    out = []
    for ln in runner.store.lanes:
        if ln.kind != "process":
            continue
        if ln.pid is None:
            out.append(_("{var} never reported (its process did not start)").format(
                var=ln.var))
        elif ln.exit_code != 0:
            out.append(_("{var} ended with exit code {code} ({error}: {message})").format(
                var=ln.var, code=ln.exit_code, error=ln.error[0], message=ln.error[1])
                if ln.error else
                _("{var} ended with exit code {code}").format(var=ln.var, code=ln.exit_code))
        elif ln.lines != EXPECTED_LINES.get(ln.var):
            out.append(_("{var} printed {lines} lines, not {expected}").format(
                var=ln.var, lines=ln.lines, expected=EXPECTED_LINES.get(ln.var)))
    shown = sum(1 for line in window.console.toPlainText().splitlines()
                if line.strip().split("  ", 1)[-1].startswith("Process "))
    if shown != sum(EXPECTED_LINES.values()):
        out.append(_("the output pane shows {shown} lines, not 16").format(shown=shown))
    pids = runner.pids()
    dask = sys.modules.get("mpgui.runtime.parent.dask_backend")
    if dask is not None:  # the window keeps its cluster warm: closing, it ends it
        dask.close_clusters()
    left = [pid for pid in pids if pid_running(pid)]
    if left:
        out.append(_("processes still running: {pids}").format(pids=left))
    return out
