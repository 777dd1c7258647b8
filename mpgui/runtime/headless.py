"""``mpgui run``: a scenario without a window, printing as the equivalent script."""

from __future__ import annotations

import functools
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from mpgui.i18n import _, ngettext
from mpgui.model.backend import failure_text
from mpgui.model.escape import shown
from mpgui.model.fileformat import WriteError
from mpgui.model.scenario import Scenario
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.output.export import write_chrome_trace, write_csv
from mpgui.runtime.output.stdout import OutputFailed, write_out
from mpgui.runtime.output.summary import format_summary, wall_seconds
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.script.runner import ScriptRunner
from mpgui.runtime.session.run import Status, run_sentence
from mpgui.runtime.session.verdict import judge
from mpgui.runtime.store.trace import TraceStore

EXIT_INTERRUPTED = 130
EXIT_DEADLOCK = 3  # the run was stopped: its processes were waiting for each other


class ConsolePrinter:
    """Writes a run's printed lines to `out` as they arrive, and each child's traceback
    to `err` when it fails, the way multiprocessing prints it."""

    def __init__(self, runner: Runner, out: TextIO, err: TextIO) -> None:
        self.runner, self.out, self.err = runner, out, err
        self._seen = 0
        self._reported: set[int] = set()

    def __call__(self) -> None:
        store = self.runner.store
        lines = store.lines_since(self._seen)
        self._seen = store.n_lines
        if lines:
            # A full disk, a closed pipe: OutputFailed, and the run cannot go on.
            write_out("".join(text + "\n" for _t, _lane, text in lines), self.out)
        for ln in store.lanes:
            if ln.error and ln.end_t is not None and ln.index not in self._reported:
                self._reported.add(ln.index)
                self.err.write(failure_text(store.backend, ln.var, ln.name, ln.error,
                                        ln.kind) + "\n")
                self.err.flush()


class Interrupts:
    """Ctrl+C (SIGINT) and SIGTERM during a run, noted by a handler and acted on
    between polls (``check()`` raises KeyboardInterrupt there). Python's own handler
    raises KeyboardInterrupt wherever the main thread is: inside a finalizer Python
    only prints it and goes on, and the run ended as if nothing was asked (exit 0 for
    Ctrl+C, seen on a busy machine). In the main thread only (where signals go)."""

    SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None),
                                getattr(signal, "SIGTERM", None)) if s is not None)

    def __init__(self) -> None:
        self.signum = 0
        # What signal.signal returned: a handler, SIG_DFL/SIG_IGN, or None (not set
        # from Python).
        self._old: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self._old[sig] = signal.signal(sig, self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        self._old.clear()

    def _note(self, signum: int, _frame: object) -> None:
        self.signum = signum

    def check(self) -> None:
        """Raise KeyboardInterrupt if a signal came."""
        if self.signum:
            raise KeyboardInterrupt


def run_headless(scenario: Scenario, *, name: str, speed: float, start_method: str,
                 trace: Path | None = None, csv: Path | None = None, quiet: bool = False,
                 out: TextIO | None = None, err: TextIO | None = None,
                 after: Callable[[TraceStore], None] | None = None,
                 scheduler: str = "") -> int:
    """Run `scenario` to its end; returns the exit status for the command. `after`
    gets the finished trace (to draw pictures of it) once the children are gone; the
    store is closed after it (its printed text let go, its spill file removed)."""
    out = out or sys.stdout
    err = err or sys.stderr
    status = 0
    with Runner(scenario, speed=speed, start_method=start_method, name=name,
                scheduler=scheduler) as runner:
        printer = ConsolePrinter(runner, out, err)

        def on_poll() -> None:
            nonlocal status
            interrupts.check()
            printer()
            if status != EXIT_DEADLOCK and _stopped_a_deadlock(runner, err):
                status = EXIT_DEADLOCK

        with Interrupts() as interrupts:  # (a second Ctrl+C while stopping: noted only)
            try:
                runner.run(on_poll)
            except KeyboardInterrupt:
                runner.stop()
                status = EXIT_INTERRUPTED
            except OutputFailed:  # `mpgui run seed | head -3`, or `> file` on a full disk
                runner.stop()
                raise
        printer()
    store = runner.store
    header = "mpgui: " + run_sentence(shown(name), bool(status), wall_seconds(store),
                                      runner.details(), _computer())
    verdict = None
    if scenario.exercise is not None:  # (judged before the store lets its lines go)
        verdict = judge(scenario.exercise, store, speed=speed,
                        stopped=status == EXIT_INTERRUPTED)
    _outputs(store, header, trace=trace, csv=csv, quiet=quiet, err=err, after=after)
    if verdict is not None and not quiet:
        err.write(_("mpgui: exercise: {verdict}").format(verdict=verdict.sentence()) + "\n")
    return status


def _stopped_a_deadlock(runner: Runner | ScriptRunner, err: TextIO) -> bool:
    """If the run is deadlocked — nothing can end it — say what waits for what, begin
    stopping it, and return True."""
    if runner.deadlock is None or runner.done:
        return False
    # (The names in it are what the run's processes reported: the escaper's business.)
    err.write(_("mpgui: {deadlock}; stopping the run").format(
        deadlock=shown(runner.deadlock.sentence(runner.store))) + "\n")
    err.flush()
    runner.request_stop()
    return True


def trace_headless(script: Path, args: list[str], *, trace: Path | None = None,
                   csv: Path | None = None, quiet: bool = False, err: TextIO | None = None,
                   after: Callable[[TraceStore], None] | None = None) -> int:
    """Run `script` with `args` as ``python SCRIPT ARGS`` would, tracing it; its output
    goes where this program's goes, unchanged. Returns the script's exit status."""
    err = err or sys.stderr
    interrupted = deadlocked = False
    with ScriptRunner(script, args) as runner, Interrupts() as interrupts:
        def on_poll() -> None:
            nonlocal deadlocked
            interrupts.check()
            deadlocked = deadlocked or _stopped_a_deadlock(runner, err)

        try:
            runner.run(on_poll)
        except KeyboardInterrupt:
            interrupted = True
            runner.stop()
    store = runner.store
    header = "mpgui: " + run_sentence(shown(script.name), runner.status is Status.STOPPED,
                                      wall_seconds(store), runner.details(), _computer())
    _outputs(store, header, trace=trace, csv=csv, quiet=quiet, err=err, after=after)
    code = runner.exit_code
    if deadlocked:
        return EXIT_DEADLOCK
    if interrupted or code is None:
        return EXIT_INTERRUPTED
    # As a shell reports a process killed by a signal: 128 + the signal.
    return 128 - code if code < 0 else code


def _computer() -> str:
    """What the summary's first line adds about this computer."""
    n = cpu_count()
    # TRANSLATORS: added to the run's sentence, inside its brackets: "(speed 1, spawn; …)".
    return ngettext("; this computer has {n} CPUs", "; this computer has {n} CPUs", n).format(
        n=n)


def _outputs(store: TraceStore, header: str, *, trace: Path | None, csv: Path | None,
             quiet: bool, err: TextIO, after: Callable[[TraceStore], None] | None) -> None:
    """What every headless run writes at its end: files, pictures, the summary. Each
    file is written atomically; if one cannot be, the others are still tried, the
    summary is still shown, and then WriteError names the (first) failure."""
    writes = [functools.partial(write, store, target) for write, target in
              ((write_chrome_trace, trace), (write_csv, csv)) if target is not None]
    if after is not None:
        writes.append(functools.partial(after, store))
    failed: list[WriteError] = []
    for write in writes:
        try:
            write()
        except WriteError as exc:
            failed.append(exc)
    if not quiet:
        err.write(format_summary(store, header) + "\n")
    store.close()  # the run is over: its spill file goes now, not at exit
    if failed:
        raise WriteError.combined(failed)
