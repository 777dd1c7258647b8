"""The entry point of every child process.

It imports only what a workload needs — never Qt or pyqtgraph: under spawn and
forkserver each child re-imports its modules, and PySide6 + pyqtgraph would cost about
a second per child (a test checks ``sys.modules`` in a spawned child).
"""

from __future__ import annotations

import _thread
import multiprocessing
import os
import signal
import sys
import time
from multiprocessing.connection import Connection, wait

from mpgui.runtime.child.reporter import Reporter
from mpgui.runtime.child.workloads import SCRIPT_RAISES, Context, run_ops
from mpgui.runtime.cpu import die_with_parent
from mpgui.runtime.cpu import load as load_core_reader
from mpgui.runtime.protocol import Kind

# (not typing's: a child's first event waits for its imports, and typing costs 2 ms)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    # Where a row's function is in the equivalent script: (file name, function name,
    # number of its first line, its lines), as the Runner's task_of sends it.
    ScriptPlace: TypeAlias = tuple[str, str, int, tuple[str, ...]]

# Exit code of a child whose parent vanished (reported to nobody; seen in ps accounting).
ORPHANED = 70
_PARENT_CHECK_S = 0.2
_SETTLE_S = 0.05  # how long a child works before its watch loads ctypes


def child_main(conn: Connection, task: dict[str, Any],
               shared: dict[str, tuple[str, Any]] | None = None) -> None:
    """Run one workload and report it over `conn`.

    `task` holds plain data: workload name, its operations (`Operation.data`), params
    (already scaled by the speed factor), message template and process name. `shared`:
    the shared objects the row uses, by role (their name and the object), as the
    equivalent script passes them as arguments.
    """
    # The child runs Python from here: its start is now, not after the set-up below
    # (under fork, each first touch of the parent's memory is a page copied: the
    # set-up takes a tenth of a millisecond, and it is the child's running time).
    t = time.perf_counter_ns()
    # Ctrl+C in a terminal reaches the whole process group; the parent decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    r = Reporter(conn)
    r.started(os.getpid(), t)
    exit_with_parent()
    _flush_on_terminate(r)
    code = run_workload(r, task, os.getpid(), shared)
    if shared:
        from mpgui.runtime.child.shared_objects import wait_for_puts
        wait_for_puts(r)
    _finish(r, conn, code)
    if code:
        sys.exit(code)  # as the script's process ends, without a second traceback


def run_workload(r: Reporter, task: dict[str, Any], pid: int,
                 shared: dict[str, tuple[str, Any]] | None = None) -> int:
    """Run `task`'s workload, reporting to `r`; returns how it ended: 0, the code of a
    sys.exit(), or 1 for an exception (reported with its traceback)."""
    if shared:  # only a row with shared objects pays for their executors
        import mpgui.runtime.child.shared_objects  # noqa: F401 (they register)
    ctx = Context(r, task["params"], task["message"], task["name"], pid, task.get("k", 0),
                  shared)
    try:
        run_ops(task["ops"], ctx)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # report any failure as the script would show it
        r.event(Kind.ERROR, (type(exc).__name__, str(exc)),
                _script_traceback(exc, task.get("script")))
        return 1
    return 0


def _finish(r: Reporter, conn: Connection, code: int) -> None:
    r.event(Kind.FINISHED, code, time.process_time_ns())
    r.flush()
    conn.close()


def _script_traceback(exc: BaseException,
                      script: ScriptPlace | None) -> str:
    """The traceback as the equivalent script (`mpgui code NAME`) prints it: the frame of
    the row's function in that script, at the line that raised.

    `script` is (file name, function name, number of its first line, its lines). An
    exception the workload raised itself (its innermost frame is an operation's that
    raises as the script does: the crash workload's ``raise``) is the script's ``raise``
    line. Anything else is a failure
    of mpgui's own code, which has no line in the script: its real traceback is shown.
    """
    import traceback  # only a failing child pays for it (it pulls in tokenize)

    tb = exc.__traceback__
    innermost = tb
    while innermost is not None and innermost.tb_next is not None:
        innermost = innermost.tb_next
    if script is not None and innermost is not None \
            and innermost.tb_frame.f_code in SCRIPT_RAISES:
        file, function, first, lines = script
        raises = [i for i, line in enumerate(lines) if line.strip().startswith("raise ")]
        if len(raises) == 1:
            frame = (file, first + raises[0], function, lines[raises[0]].strip())
            return ("Traceback (most recent call last):\n"
                    + "".join(traceback.StackSummary.from_list([frame]).format())
                    + "".join(traceback.format_exception_only(type(exc), exc)))
    # Skip run_workload's own frame: the user's program has no such frame.
    tb = tb.tb_next if tb is not None and tb.tb_next is not None else tb
    return "".join(traceback.format_exception(type(exc), exc, tb))


def exit_with_parent() -> None:
    """End this child as soon as the parent is gone, even after a SIGKILL.

    On Linux the kernel does it (PR_SET_PDEATHSIG). Everywhere, a daemon thread waits on
    ``multiprocessing.parent_process().sentinel``, which becomes ready when the parent
    dies, and on POSIX also notices re-parenting (a changed ``getppid()``).
    """
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    ppid = os.getppid() if os.name == "posix" else None

    def watch() -> None:
        # First the sentinel, a moment: by then the work is under way — asleep or
        # computing — and what follows needs ctypes (~2 ms to import, with the GIL
        # held): the quick core reader, and prctl. Imported at once, it made the
        # child's first step, and every line after it, begin milliseconds late.
        if sentinel is not None and wait([sentinel], timeout=_SETTLE_S):
            os._exit(ORPHANED)
        load_core_reader()
        if die_with_parent() and ppid == 1:  # the parent died before the request was made
            os._exit(ORPHANED)
        while True:
            if sentinel is not None:
                if wait([sentinel], timeout=_PARENT_CHECK_S):
                    os._exit(ORPHANED)
            else:
                time.sleep(_PARENT_CHECK_S)
            if ppid is not None and os.getppid() != ppid:
                os._exit(ORPHANED)

    # (_thread's, not threading's: Thread.start() waits until the new thread runs, and
    # that one holds the GIL while it imports ctypes — the workload's first step, a
    # sleep say, would begin milliseconds late, and every printed line with it.)
    _thread.start_new_thread(watch, ())


def _flush_on_terminate(r: Reporter) -> None:
    """On SIGTERM (Process.terminate()), send what is buffered, then die of SIGTERM as
    usual so the exit code stays -15."""
    if not hasattr(signal, "SIGTERM") or os.name != "posix":
        return

    def on_term(signum: int, _frame: object) -> None:
        if not r.sending:  # never interleave with a send in progress
            r.event(Kind.FINISHED, -signum, time.process_time_ns())
            r.flush()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, on_term)


def probe_modules(conn: Connection) -> None:
    """Send this process's ``sys.modules`` names: lets a test check that a child started
    the way the Runner starts them imports no Qt."""
    conn.send(sorted(sys.modules))
    conn.close()
