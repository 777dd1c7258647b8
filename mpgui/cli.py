"""The command line: the window by default, headless subcommands otherwise.

    mpgui [FILE] [--run]         the window, with a built-in name, a .toml scenario,
                                 a .mpgrun run file or a .py script
    mpgui --selftest             check the installation end to end
    mpgui run SCENARIO           run without a window, print what the script prints
                                 (--trace/--csv: the trace, --png/--svg: the chart)
    mpgui trace SCRIPT [ARGS]    run your own Python script unmodified, trace every
                                 process it makes (same outputs as mpgui run)
    mpgui code SCENARIO          the equivalent standalone Python script
    mpgui list                   the built-in scenarios

Bad input of any kind ends with exit status 2 and one line ``mpgui: error: ...``.
This module imports no Qt: spawned children re-import the main script, which imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

from mpgui import __version__
from mpgui.i18n import _, ngettext
from mpgui.model.escape import one_line
from mpgui.runtime.output.stdout import OutputFailed, flush_out, write_out

COMMANDS = ("run", "trace", "code", "list")
EXIT_FAILURE = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class _Formatter(argparse.HelpFormatter):
    """argparse's help, with its own words (usage:) in mpgui's language."""

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup],
                  prefix: str | None = None) -> None:
        # TRANSLATORS: the start of the first line of `mpgui --help` (keep the space).
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs: Any) -> None:
        # argparse's own headings and -h, in mpgui's language (the same in English).
        super().__init__(add_help=False, formatter_class=_Formatter, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=_("show this help message and exit"))

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def _print_message(self, message: str, file: IO[str] | None = None) -> None:
        # argparse ignores a failed write: --help on a full disk would say nothing.
        if message and (file is None or file is sys.stdout):
            write_out(message)
        else:
            super()._print_message(message, file)


def _speed(text: str) -> float:
    from mpgui.runtime.parent.options import MAX_SPEED, MIN_SPEED

    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            _("speed must be a number from {low:g} to {high:g}, not {text}").format(
                low=MIN_SPEED, high=MAX_SPEED, text=repr(text)))
    return value


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        w = h = 0
    if not (320 <= w <= 10_000 and 240 <= h <= 10_000):
        raise argparse.ArgumentTypeError(
            _("size must be WIDTHxHEIGHT in pixels, from 320x240 to 10000x10000, not "
              "{text}").format(text=repr(text)))
    return w, h


def _common(p: argparse.ArgumentParser) -> None:
    from mpgui.runtime.parent.options import DEFAULT_START_METHOD, start_methods

    p.add_argument("--speed", type=_speed, default=1.0, metavar="F",
                   help=_("run F times faster: every duration is divided by F (default 1)"))
    p.add_argument("--start-method", choices=start_methods(), default=DEFAULT_START_METHOD,
                   help=_("how child processes are started (default {method})").format(
                       method=DEFAULT_START_METHOD))


def _backend_options(p: argparse.ArgumentParser) -> None:
    from mpgui.model.backend import BACKENDS

    p.add_argument("--backend", choices=tuple(BACKENDS), default=None,
                   help=_("what runs each row: a Process, a Thread (all in one process, "
                          "sharing its GIL) or a task of a process Pool (default: the "
                          "scenario's, else processes)"))
    p.add_argument("--workers", type=_workers, default=None, metavar="N",
                   help=_("the pool's size, or the Dask cluster's: a number, or \"per "
                          "core\" (default: the scenario's, else per core)"))
    p.add_argument("--scheduler", default="", metavar="ADDRESS",
                   help=_("with --backend dask: the scheduler of a running Dask cluster, "
                          "such as tcp://10.0.0.5:8786 (default: a cluster of worker "
                          "processes on this computer, for the run)"))


def _memory_mb(text: str) -> int:
    from mpgui.runtime.store.spill import parse_mb

    try:
        return parse_mb(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _memory_option(p: argparse.ArgumentParser) -> None:
    from mpgui.runtime.store.spill import DEFAULT_MB, ENV_MEMORY

    p.add_argument("--memory-mb", type=_memory_mb, default=None, metavar="MB",
                   help=_("memory the recorded runs may use before older printed text "
                          "moves to a temporary file (default {mb}, or ${variable})").format(
                              mb=DEFAULT_MB, variable=ENV_MEMORY))


def _apply_memory(opts: argparse.Namespace) -> None:
    """The memory budget: --memory-mb, else $MPGUI_MEMORY_MB (checked here, so a bad
    value is one error line), else the default."""
    from mpgui.runtime.store.spill import ENV_MEMORY, parse_mb, set_memory_mb

    if not hasattr(opts, "memory_mb"):  # code, list: they record nothing
        return
    mb = opts.memory_mb
    if mb is None and os.environ.get(ENV_MEMORY):
        try:
            mb = parse_mb(os.environ[ENV_MEMORY])
        except ValueError as exc:
            raise UsageError(f"{ENV_MEMORY}: {exc}") from None
    if mb is not None:
        set_memory_mb(mb)


def _outputs(p: argparse.ArgumentParser) -> None:
    """What a headless run can write besides its printed lines."""
    p.add_argument("--trace", metavar="FILE.json", type=Path,
                   help=_("also write a Chrome trace (opens in ui.perfetto.dev)"))
    p.add_argument("--csv", metavar="FILE", type=Path, help=_("also write the trace as CSV"))
    p.add_argument("--png", metavar="FILE.png", type=Path,
                   help=_("also draw the chart as a PNG (a scenario's with its prediction "
                          "dashed)"))
    p.add_argument("--svg", metavar="FILE.svg", type=Path,
                   help=_("also draw the chart as an SVG (vector, for slides)"))
    p.add_argument("--size", metavar="WxH", type=_size, default=(1920, 1080),
                   help=_("size of the PNG/SVG in pixels (default 1920x1080)"))
    # (the themes' names are what --theme takes: not translated)
    p.add_argument("--theme", choices=("light", "dark", "high contrast"), default="light",
                   help=_("colours of the PNG/SVG (default light)"))
    p.add_argument("--quiet", action="store_true", help=_("no summary on stderr"))
    _memory_option(p)


def _workers(text: str):  # type: ignore[no-untyped-def]
    from mpgui.model.copies import Copies

    try:
        workers = Copies.parse(text)
    except ValueError:
        workers = None
    if workers is None or workers.problem() is not None:
        raise argparse.ArgumentTypeError(
            _("workers must be a number from 1 to 64 or \"per core\", not {text}").format(
                text=repr(text)))
    return workers


def _parsers() -> dict[str, argparse.ArgumentParser]:
    gui = _Parser(prog="mpgui", description=_("See Python multiprocessing: real processes, "
                                              "cores, start() and join() on a live chart."),
                  epilog=_("Headless: mpgui run SCENARIO | mpgui code SCENARIO | mpgui "
                           "list. See mpgui run --help."))
    gui.add_argument("scenario", nargs="?", default=None, metavar="FILE",
                     help=_("a built-in scenario name (mpgui list), a scenario (.toml), a "
                            "run file (.mpgrun) or a Python script (.py, run traced once "
                            "you agree); default: where you left off"))
    gui.add_argument("--run", action="store_true", help=_("start the run at once"))
    gui.add_argument("--selftest", action="store_true",
                     help=_("check this installation: run the seed in the window with "
                            "every start method, print one line, exit 0 if all is well"))
    gui.add_argument("--version", action="version", version=f"mpgui {__version__}",
                     help=_("show program's version number and exit"))
    _common(gui)
    _memory_option(gui)
    gui.set_defaults(speed=None, start_method=None)  # unset: the window's saved choice
    run = _Parser(prog="mpgui run", description=_(
        "Run a scenario without a window: print the children's lines as the equivalent "
        "script would, and a summary on stderr."))
    run.add_argument("scenario", help=_("a built-in scenario name or a .toml file"))
    _common(run)
    _backend_options(run)
    _outputs(run)
    trace = _Parser(prog="mpgui trace", description=_(
        "Run your own Python script as `python SCRIPT ARGS` would (unmodified, in this "
        "folder, stdin closed) and trace every process it makes: Process, Pool and "
        "ProcessPoolExecutor workers, with any start method. Its output and exit code "
        "are its own; the summary goes to stderr."), epilog=_(
        "Options go before SCRIPT; everything after it is the script's own arguments."))
    _outputs(trace)
    trace.add_argument("script", type=Path, help=_("the Python script to run"))
    trace.add_argument("args", nargs=argparse.REMAINDER, help=_("the script's arguments"))
    code = _Parser(prog="mpgui code", description=_(
        "Print the scenario as a standalone Python script that prints the same lines."))
    code.add_argument("scenario", help=_("a built-in scenario name or a .toml file"))
    _common(code)
    _backend_options(code)
    lst = _Parser(prog="mpgui list", description=_("List the built-in scenarios."))
    return {"gui": gui, "run": run, "trace": trace, "code": code, "list": lst}


def main(argv: list[str] | None = None) -> int:
    """The ``mpgui`` command."""
    # First of all: in a frozen app every child process starts by running this main();
    # freeze_support() turns it into the child and never returns there.
    multiprocessing.freeze_support()
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--python-script"] and len(args) > 1:  # a frozen app runs a script
        return _python_script(args[1], args[2:])
    if args[:1] == ["--supervise"]:  # a frozen app supervises a traced script's run
        from mpgui.runtime.script.supervisor import main as supervise

        return supervise(args[1:])
    command = args[0] if args and args[0] in COMMANDS else "gui"
    try:
        try:
            opts = _parsers()[command].parse_args(args[1:] if command != "gui" else args)
            _apply_memory(opts)
            status = {"gui": _gui, "run": _run, "trace": _trace, "code": _code,
                      "list": _list}[command](opts)
        except SystemExit:  # --help, --version: printed, but perhaps not yet written
            flush_out()
            raise
        flush_out()
        return status
    except OutputFailed as exc:
        return _output_failed(exc.error)
    except UsageError as exc:
        if command == "gui":  # perhaps double-clicked: say it where it can be seen
            from mpgui.ui.failure import report_failure

            report_failure(one_line(str(exc)))
        else:
            print(error_line(str(exc)), file=sys.stderr)
        return EXIT_USAGE


def error_line(message: str) -> str:
    """The one line a usage error prints: ``mpgui: error: …``. Names and values from
    files and the command line are in it, so control characters (a newline in a
    variable, ESC sequences in a file name) are shown escaped and a huge value is cut:
    it stays one clean line whatever the input."""
    return _("mpgui: error: {message}").format(message=one_line(message))


def _output_failed(error: OSError) -> int:
    """Standard output could not be written: say so in one line (exit 2), or, when the
    reader has left (`mpgui code | head`), end quietly as any command in a pipe does."""
    try:  # what is still buffered goes nowhere: Python's flush at exit cannot fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        sys.stdout = None  # type: ignore[assignment]
    if isinstance(error, BrokenPipeError):
        return 0
    with contextlib.suppress(OSError):  # (standard error may be on the full disk too)
        print(_("mpgui: error: cannot write the output ({reason})").format(
            reason=error.strerror or error), file=sys.stderr, flush=True)
    return EXIT_USAGE


def _load(name: str, opts: argparse.Namespace | None = None):  # type: ignore[no-untyped-def]
    """The scenario `name` (built-in or file) with the backend options of `opts`,
    validated; UsageError otherwise."""
    from dataclasses import replace

    from mpgui.model.builtins import resolve_scenario
    from mpgui.model.fileformat import ScenarioFileError
    from mpgui.model.validation import errors

    try:
        scenario, _path = resolve_scenario(name)
    except ScenarioFileError as exc:
        raise UsageError(str(exc)) from None
    if getattr(opts, "backend", None):
        scenario = replace(scenario, backend=opts.backend)
    if getattr(opts, "workers", None):
        scenario = replace(scenario, workers=opts.workers)
    problems = errors(scenario)
    if len(problems) > 1:
        raise UsageError(ngettext("{name}: {problem} (and {n} more)",
                                  "{name}: {problem} (and {n} more)", len(problems) - 1)
                         .format(name=name, problem=problems[0].text(scenario),
                                 n=len(problems) - 1))
    if problems:
        raise UsageError(f"{name}: {problems[0].text(scenario)}")
    return scenario


def _list(_opts: argparse.Namespace) -> int:
    from mpgui.model.builtins import builtin_names, load_builtin

    write_out("".join(f"{name:<24} {load_builtin(name).about.title}\n"
                      for name in builtin_names()))
    return 0


def _code(opts: argparse.Namespace) -> int:
    from mpgui.model.codegen import generate_code

    scenario = _load(opts.scenario, opts)
    source = opts.scenario + (f" --speed {opts.speed:g}" if opts.speed != 1 else "") + \
        (f" --backend {opts.backend}" if opts.backend else "")
    write_out(generate_code(scenario, speed=opts.speed, start_method=opts.start_method,
                            source=source))
    return 0


def _run(opts: argparse.Namespace) -> int:
    from mpgui.runtime.headless import run_headless

    scenario = _load(opts.scenario, opts)
    _check_targets(opts)
    scheduler = _scheduler(opts, scenario)
    # SIGTERM ends the run like Ctrl+C: children stopped, files written.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    pictures = functools.partial(_draw, opts, scenario) if opts.png or opts.svg else None
    with _outputs_reported():
        return run_headless(scenario, name=opts.scenario, speed=opts.speed,
                            start_method=opts.start_method, trace=opts.trace, csv=opts.csv,
                            quiet=opts.quiet, after=pictures, scheduler=scheduler)


def _scheduler(opts: argparse.Namespace, scenario: Any) -> str:
    """The --scheduler address, once a scheduler has answered there (UsageError if none
    does in time: an address is input like any other)."""
    address = str(getattr(opts, "scheduler", "") or "").strip()
    if not address:
        return ""
    from mpgui.model.backend import get_backend

    if not get_backend(scenario.backend).takes_scheduler:
        raise UsageError(_("--scheduler is for the Dask backend: add --backend dask"))
    from mpgui.runtime.parent.dask_backend import ClusterUnreachable, check_scheduler

    try:
        check_scheduler(address)
    except ClusterUnreachable as exc:
        raise UsageError(str(exc)) from None
    return address


def _check_targets(opts: argparse.Namespace) -> None:
    from mpgui.model.escape import shown

    for target in (opts.trace, opts.csv, opts.png, opts.svg):
        if target is not None and not target.parent.resolve().is_dir():
            raise UsageError(_("cannot write {file}: folder {folder} does not exist").format(
                file=shown(target), folder=shown(target.parent)))


def _trace(opts: argparse.Namespace) -> int:
    from mpgui.model.userfile import check_regular
    from mpgui.runtime.headless import trace_headless

    script = opts.script
    if not os.path.lexists(script):
        raise UsageError(_("{script}: no such file").format(script=script))
    check_regular(script, _("a Python script"), UsageError)  # a FIFO would hang Python
    _check_targets(opts)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    pictures = functools.partial(_draw, opts, None) if opts.png or opts.svg else None
    with _outputs_reported():
        return trace_headless(script, opts.args, trace=opts.trace, csv=opts.csv,
                              quiet=opts.quiet, after=pictures)


@contextlib.contextmanager
def _outputs_reported() -> Iterator[None]:
    """A --trace/--csv/--png/--svg file that could not be written (atomically: the old
    file is intact) ends the command as bad input does: one line, exit status 2."""
    from mpgui.model.fileformat import WriteError

    try:
        yield
    except WriteError as exc:
        raise UsageError(str(exc)) from None


def _python_script(script: str, args: list[str]) -> int:
    """Run `script` as ``python SCRIPT ARGS`` would: the frozen app's stand-in for a
    Python interpreter, for tracing. An exception the script does not catch is shown as
    Python shows it — the script's frames only, not this runner's (cli, runpy) — and
    ends it with status 1, so that PyInstaller adds no "Failed to execute script" line."""
    import runpy

    sys.argv = [script, *args]
    here = os.path.dirname(os.path.abspath(script))
    if getattr(sys, "frozen", False):
        # sys.path[0] is PyInstaller's base_library.zip (re, encodings, sre_parse, ...):
        # replaced, the modules in it that were not imported yet could not be.
        sys.path.insert(0, here)
    else:
        sys.path[0] = here
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    except BaseException as exc:  # whatever python itself would report
        exc.__traceback__ = _script_frames(exc.__traceback__)
        sys.excepthook(type(exc), exc, exc.__traceback__)  # the script's own hook, if any
        # Python ends on an unhandled Ctrl+C by SIGINT; as a shell shows that: 128 + 2
        return 128 + signal.SIGINT if isinstance(exc, KeyboardInterrupt) else 1
    return 0


_RUNNER_MODULES = (__name__, "runpy")


def _script_frames(tb):  # type: ignore[no-untyped-def]
    """The traceback from the script's first frame on: the runner's frames (this
    module's, runpy's) that lead into it are left out. None if the error was raised
    before the script ran (a SyntaxError: Python shows no frames for it either)."""
    while tb is not None and tb.tb_frame.f_globals.get("__name__") in _RUNNER_MODULES:
        tb = tb.tb_next
    return tb


def _draw(opts: argparse.Namespace, scenario, store) -> None:  # type: ignore[no-untyped-def]
    """The chart of the finished run as PNG and/or SVG (Qt only now, children gone)."""
    from mpgui.runtime.cpu import cpu_count
    from mpgui.runtime.session.record import RunRecord
    from mpgui.ui.run.export_image import ensure_app, export_run
    from mpgui.ui.theme import THEMES

    ensure_app()
    if scenario is None:  # mpgui trace
        record = RunRecord.of_script(store, opts.script)
    else:
        record = RunRecord(scenario, store, name=Path(opts.scenario).stem, speed=opts.speed,
                           start_method=opts.start_method, cores=cpu_count())
    export_run(record, record.plan(), png=opts.png, svg=opts.svg, theme=THEMES[opts.theme],
               size=opts.size)


def _raise_interrupt(_signum: int, _frame: object) -> NoReturn:
    raise KeyboardInterrupt


def _quicken_gui_imports() -> None:
    from mpgui.startup import quicken_pyqtgraph_import, quicken_pyside_imports

    quicken_pyside_imports()
    quicken_pyqtgraph_import()


def _gui(opts: argparse.Namespace) -> int:
    from mpgui.startup import pause_collector, quicken_dataclasses

    pause_collector()  # until the window is up (mpgui.ui.app.open_window resumes it)
    quicken_dataclasses()  # (before the first import that makes a dataclass)
    from mpgui.model.builtins import resolve_scenario
    from mpgui.model.fileformat import ScenarioFileError
    from mpgui.model.filekind import PACK, RUN, SCENARIO, file_kind
    from mpgui.ui.display import NO_DISPLAY, display_available
    from mpgui.ui.failure import check_qt_platform, report_failure

    # Both before Qt, which would abort the process (SIGABRT) instead.
    if not display_available():
        if not opts.selftest:
            print(error_line(NO_DISPLAY), file=sys.stderr)
            return EXIT_USAGE
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a verdict needs no one looking
    missing = check_qt_platform()
    if missing is not None:
        # The self-test may run unattended: its verdict is printed, never a dialog.
        report_failure(missing, qt_usable=False, dialog=not opts.selftest)
        return EXIT_FAILURE
    if opts.selftest:
        _quicken_gui_imports()  # (the self-test opens the window as a start does)
        from mpgui.ui.selftest import run_selftest

        return run_selftest()

    scenario, other = opts.scenario, None
    kind = file_kind(scenario) if scenario is not None else SCENARIO
    if kind != SCENARIO:
        # A run file, a Python script or a lesson pack (double-clicked, "Open With"): the
        # window opens it as File → Open Run / Open Python Script / Import Lesson Pack
        # would, trust question included.
        from mpgui.model.userfile import check_regular

        check_regular(scenario, {RUN: _("a run file"), PACK: _("a lesson pack")}.get(
            kind, _("a Python script")), UsageError)
        scenario, other = None, Path(scenario)
    elif scenario is not None:
        # A file that cannot be read fails here, before any window. One that reads but
        # does not validate opens: the window marks what to fix.
        try:
            resolve_scenario(scenario)
        except ScenarioFileError as exc:
            raise UsageError(str(exc)) from None
    try:
        _quicken_gui_imports()  # (past the checks above: it imports PySide6)
        from mpgui.ui.app import run_app

        return run_app(scenario, run=opts.run and other is None, speed=opts.speed,
                       start_method=opts.start_method, open_file=other)
    except Exception as exc:  # the window could not start: say so, even double-clicked
        import traceback

        report_failure(f"{type(exc).__name__}: {exc}", traceback.format_exc())
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
