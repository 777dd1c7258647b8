"""The agent inside a traced script: it tells mpgui what the script's processes do.

``install()`` runs before the script, in every Python process the script makes: the
bootstrap ``trace_boot/sitecustomize.py`` that mpgui puts on PYTHONPATH calls it
(spawned and forkserver children start a new interpreter with the same environment;
forked ones inherit the patched modules). The script itself is never edited. The agent
patches:

- ``BaseProcess.start`` / ``join`` / ``_bootstrap``: a lane per process, the parent's
  start() and join() calls and each process's exit code, for Process, Pool and
  ProcessPoolExecutor alike and with any start method (they all start a BaseProcess);
- ``time.sleep``: sleeping spans;
- ``threading.Thread``: a lane for each thread the script starts (not multiprocessing's
  own helper threads);
- ``sys.stdout``: printed lines — passed on unchanged, so the output is the script's.

Only the script's own process (the root) and processes multiprocessing starts connect
to mpgui; helper interpreters (the forkserver, the resource tracker, subprocesses) keep
the patches but report nothing. Whether a thread runs, waits for a core or is blocked
is not measured here but read from the kernel by mpgui (``sampler``): that costs the
script nothing. A report that cannot be sent turns the agent off, never the script.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
from multiprocessing import process as _mp_process

from mpgui.runtime.child.reporter import Reporter, cut_line
from mpgui.runtime.cpu import load as load_core_reader
from mpgui.runtime.protocol import MAX_LINE_CHARS, Kind, State
from mpgui.runtime.script import shared_patches

# The agent loads into every traced process, which pays for each module it imports:
# `typing` (3 ms) only for the checker, which takes any name TYPE_CHECKING as its own.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess
    from types import FrameType, TracebackType
    from typing import Any, TextIO

ENV_ADDRESS = "MPGUI_TRACE_ADDRESS"  # where mpgui listens ("host:port" for AF_INET)
ENV_FAMILY = "MPGUI_TRACE_FAMILY"  # AF_UNIX or AF_INET
ENV_TOKEN = "MPGUI_TRACE_TOKEN"  # proves to mpgui that a connection is the script's
ENV_ROOT = "MPGUI_TRACE_ROOT"  # set for the script's own process only (removed at once)
HELLO = "mpgui-trace"
REFUSED = b"untraced"  # mpgui's answer to a process over its lane limit (raw bytes)
# Exit code of a traced process whose mpgui vanished (as a child of a scenario).
ORPHANED = 70
# Sleeps shorter than this are not worth a span (and a script calling sleep(0) in a
# loop must not pay two sends per call).
MIN_SLEEP_S = 0.001
# Lines printed while busy wait at most this long before they are sent.
FLUSH_EVERY_S = 0.05
# Modules whose threads and processes are multiprocessing's machinery, not the script's.
_MACHINERY = ("multiprocessing", "concurrent.futures.process", "mpgui")

_now = time.perf_counter_ns
_sleep = time.sleep
# Signals sent to a process as a whole, which the agent's own threads never take.
_OUTSIDE_SIGNALS = {getattr(signal, name) for name in (
    "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM",
    "SIGCHLD", "SIGWINCH") if hasattr(signal, name)}
_wakeup: tuple[int, ...] = ()  # the pipe the SIGTERM of this process is written to
# `_on_term` has begun: a SIGTERM that comes while it sends must not start it again (the
# inner call would find the lock taken and end the process before the lines are sent).
_terminating = False
_term_after_send = False  # a SIGTERM came during a send of the main thread's
# How long a SIGTERM waits for another thread's send to end before the process ends.
TERM_WAIT_S = 1.0
# How often the main thread is reminded of a SIGTERM it has not handled yet.
NUDGE_EVERY_S = 0.05


class _Agent:
    """This process's link to mpgui. Replaced, never shared, after a fork."""

    def __init__(self) -> None:
        self.conn: Connection | None = None
        self.lock = threading.Lock()
        self.sending: int | None = None  # the thread that holds the lock in guarded()
        self.reporters: dict[int, Reporter] = {}  # thread ident -> its reporter
        self.main: Reporter | None = None
        self.subs = 0
        self.partial: dict[int, _Partial] = {}  # thread ident -> the line it is printing
        self.failed: dict[int, bool] = {}  # thread ident -> its run() raised
        self.due = threading.Event()  # lines wait in a buffer: flush soon
        # Whether a flush is asked for, as a plain attribute: a traced put() or get()
        # asks at every record, and Event.is_set() is a call. Set before `due`; cleared
        # after `due` and before the flush, so that a record added too late for that
        # flush finds it False and asks again (cleared before `due`, the request could
        # be cleared with `due` and never asked again).
        self.flush_pending = False

    def reporter(self) -> Reporter | None:
        """The calling thread's reporter, else the process's (for lines and events of
        threads that are not traced)."""
        return self.reporters.get(threading.get_ident(), self.main)

    def guarded(self, fn: Callable[..., object], *args: object) -> None:
        """Call a reporter method under the lock; a send that fails (mpgui is gone or
        refused this process) turns reporting off instead of failing the script."""
        with self.lock:
            self.sending = threading.get_ident()
            try:
                fn(*args)
            except (OSError, ValueError):
                self.conn = None
            finally:
                self.sending = None
        if _term_after_send and threading.current_thread() is threading.main_thread():
            _on_term(signal.SIGTERM, None)  # the send is whole: now end as asked

    def send(self, r: Reporter | None, kind: int, a: object = 0, b: object = 0,
             t: int | None = None, state: int | None = None) -> None:
        """Report one event (`kind` 0: none) and/or a state change, at once."""
        if r is not None:
            self.guarded(_send, r, kind, a, b, t, state)

    def flush_all(self) -> None:
        """Send what every reporter holds (lines printed while busy)."""
        for r in list(self.reporters.values()):
            self.guarded(r.flush)


def _send(r: Reporter, kind: int, a: object, b: object, t: int | None,
          state: int | None) -> None:
    if state is not None:
        r.state(state, t)
    if kind:
        r.event(kind, a, b, t)
    r.flush()


_agent = _Agent()
_installed = False  # install() ran in this interpreter


# How the shared objects' patches report (`shared_patches`): through whichever agent
# this process has now (a forked child gets a new one). `_Agent.reporter`, written out:
# this runs at every put() and get() of a traced queue.
def _reporting(get_ident: Callable[[], int] = threading.get_ident) -> Reporter | None:
    agent = _agent
    return None if agent.conn is None else agent.reporters.get(get_ident(), agent.main)


def _guarded(fn: Callable[..., object], *args: object) -> None:
    _agent.guarded(fn, *args)


def _flush_soon() -> None:
    agent = _agent
    if not agent.flush_pending:
        agent.flush_pending = True
        agent.due.set()


def install() -> None:
    """Patch this interpreter; connect if it is the script's own process. Called once,
    before the script runs."""
    global _installed
    if _installed:
        return
    _installed = True
    # Registered before multiprocessing.util registers its exit function: atexit runs
    # in reverse, so the implicit joins at the end of the script are seen first.
    atexit.register(_at_exit)
    os.register_at_fork(after_in_child=_forget)
    _patch_processes()
    _patch_threads()
    shared_patches.install(_reporting, _guarded, _flush_soon)
    # typeshed lets time.sleep take any SupportsIndex; the script calls it with numbers.
    time.sleep = _traced_sleep  # type: ignore[assignment]
    sys.stdout = _Tap(sys.stdout) if sys.stdout is not None else None
    if os.environ.pop(ENV_ROOT, None):
        # Imported here, once: forked children inherit it; a failing child needs it.
        import traceback  # noqa: F401

        _hook_excepthook()
        _connect("main", "main program")


# -- the connection ---------------------------------------------------------------------

def _connect(kind: str, name: str) -> None:
    """Open this process's lane: say hello, start reporting, watch for mpgui's end."""
    address = os.environ.get(ENV_ADDRESS)
    if not address:
        return
    from multiprocessing.connection import Client

    family = os.environ.get(ENV_FAMILY, "AF_UNIX")
    if family == "AF_INET":
        host, _, port = address.rpartition(":")
        where: str | tuple[str, int] = (host, int(port))
    else:
        where = address
    token = os.environ.get(ENV_TOKEN, "")
    try:
        conn = Client(where, family=family)
        # The token first, as raw bytes: mpgui unpickles nothing from a connection
        # before it has proved to be the script's.
        conn.send_bytes(token.encode("ascii", "replace"))
        conn.send((HELLO, token, os.getpid(), kind, name, threading.get_native_id()))
    except (OSError, ValueError):
        return
    _agent.conn = conn
    _agent.main = Reporter(conn, 0)
    _agent.reporters[threading.get_ident()] = _agent.main
    _agent.guarded(_agent.main.started, os.getpid())
    load_core_reader()  # (ctypes': the script's own start pays for it, as it did)
    _start_own_thread(_watch, (conn,), "mpgui-trace-watch")
    _start_own_thread(_flush_later, (_agent,), "mpgui-trace-flush")


def _start_own_thread(target: Callable[..., object], args: tuple[object, ...],
                      name: str) -> None:
    """Start one of the agent's threads with the signals that come from outside blocked
    in it (it inherits the mask it is created with): the kernel then gives terminate()'s
    SIGTERM or a Ctrl+C to a thread that runs the script, not to one of ours that sits
    in a blocking read, where Python would only note it."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        thread.start()
        return
    old = mask(signal.SIG_BLOCK, _OUTSIDE_SIGNALS)
    try:
        thread.start()
    finally:
        mask(signal.SIG_SETMASK, old)


def token_frame(token: str) -> bytes:
    """The bytes mpgui reads first from a connection: the token as ``send_bytes`` in
    `_connect` frames it (a 4-byte big-endian length, then the token)."""
    raw = token.encode("ascii", "replace")
    return len(raw).to_bytes(4, "big", signed=True) + raw


def _watch(conn: Connection) -> None:
    """End this process if mpgui ends (a SIGKILLed mpgui must leave nothing behind).
    Blocked in recv_bytes() it never needs the GIL: a thread that woke up now and then
    would, and on busy cores each of its turns stalls the script's thread (that cost a
    CPU-bound pool 8 %). mpgui sends nothing, except REFUSED — raw bytes, never a pickle:
    the agent unpickles nothing either."""
    try:
        conn.recv_bytes(64)  # REFUSED: too many processes to show; the script goes on
        _agent.conn = None
    except (EOFError, OSError):
        if _agent.conn is conn:
            os._exit(ORPHANED)


def _flush_later(agent: _Agent) -> None:
    """Send lines printed in a burst soon after it: a line printed right after another
    waits in the buffer (a flood travels in batches). Asleep unless a burst left some."""
    while agent.conn is not None:
        agent.due.wait()
        _sleep(FLUSH_EVERY_S)
        agent.due.clear()
        agent.flush_pending = False  # (after `due`, before the flush: `flush_pending`)
        agent.flush_all()


def _forget() -> None:
    """A forked child: the parent's connection and reporters are not its own."""
    global _agent
    _agent = _Agent()


def _at_exit() -> None:
    if _agent.conn is None:
        return
    for ident, part in list(_agent.partial.items()):  # print(..., end="") last
        r = _agent.reporters.get(ident, _agent.main)
        if part.length and r is not None:
            r.line(part.line())
    _agent.partial.clear()
    _agent.flush_all()


# -- processes ---------------------------------------------------------------------------

def _patch_processes() -> None:
    cls = _mp_process.BaseProcess
    # _bootstrap (what a child process runs) and _popen are multiprocessing's private
    # parts, not in typeshed: the ignores below name them.
    start, join = cls.start, cls.join
    bootstrap: Callable[[BaseProcess, int | None], int] = cls._bootstrap  # type: ignore[attr-defined]

    def traced_start(self: BaseProcess) -> None:
        if _agent.conn is None:
            return start(self)
        # The script's objects it is given are named now, while the script's frames
        # that hold them are on the stack (a forked child inherits them named).
        shared_patches.name_all((*self._args, *self._kwargs.values()))  # type: ignore[attr-defined]
        t = _now()
        start(self)
        _watch_exit(type(self._popen))  # type: ignore[attr-defined]
        caller = sys._getframe(1)
        var = _var_name(self, caller)
        # A Manager's server process acts only when asked: it never wakes anyone itself.
        server = caller.f_globals.get("__name__") == "multiprocessing.managers"
        _agent.send(_agent.reporter(), Kind.SPAWNED, self.pid,
                    (var, self.name, self.daemon, server), t)
        return None

    def traced_join(self: BaseProcess, timeout: float | None = None) -> None:
        if _agent.conn is None or self._popen is None:  # type: ignore[attr-defined]
            return join(self, timeout)
        own = _agent.reporters.get(threading.get_ident())  # None: an untraced thread
        if own is not None:
            exiting = getattr(sys.modules.get("multiprocessing.util"), "_exiting", False)
            _agent.send(own, Kind.JOINING, self.pid, (timeout, bool(exiting)),
                        state=State.WAITING)
        try:
            return join(self, timeout)
        finally:
            _agent.send(own or _agent.main, Kind.JOINED, self.pid, self.exitcode,
                        state=State.RUNNING if own is not None else None)

    def traced_bootstrap(self: BaseProcess, parent_sentinel: int | None = None) -> int:
        _forget()
        _connect("process", self.name)
        if _agent.conn is None:
            return bootstrap(self, parent_sentinel)
        _report_printed_errors()
        _flush_on_terminate()
        code = bootstrap(self, parent_sentinel)
        _agent.send(_agent.main, Kind.FINISHED, code, time.process_time_ns())
        return code

    # Patched on the class: Process, Pool and ProcessPoolExecutor all start a BaseProcess.
    cls.start = traced_start  # type: ignore[method-assign]
    cls.join = traced_join  # type: ignore[method-assign]
    cls._bootstrap = traced_bootstrap  # type: ignore[attr-defined]


def _flush_on_terminate() -> None:
    """On SIGTERM (terminate(), a pool's end), send the lines printed just before, then
    die of SIGTERM as the process would have: its exit code stays -15. Only while the
    process has not chosen its own handler."""
    if os.name != "posix" or signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL,
                                                                       _on_term):
        return  # (a forked process inherits _on_term, but not the thread behind it)
    signal.signal(signal.SIGTERM, _on_term)
    _make_sure_terminate_ends()


def _on_term(signum: int, _frame: object) -> None:
    global _terminating, _term_after_send
    if _terminating:  # a second SIGTERM while sending: let the first call finish
        return
    if _agent.sending == threading.get_ident():
        # The signal interrupted a send of this thread: finish it first (its batch is
        # half written), then end (`guarded`).
        _term_after_send = True
        return
    _terminating = True
    # Another thread's send (the flush thread's lines) is waited for, briefly: ending
    # the process under it would lose what it sends.
    if _agent.lock.acquire(timeout=TERM_WAIT_S):
        try:
            if _agent.main is not None and _agent.conn is not None:
                _agent.main.event(Kind.FINISHED, -signum, time.process_time_ns())
            for r in list(_agent.reporters.values()):
                r.flush()
        except (OSError, ValueError):
            pass
        finally:
            _agent.lock.release()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _make_sure_terminate_ends() -> None:
    """A Python signal handler runs only when the main thread next runs Python code. A
    SIGTERM that lands just before the main thread blocks in C (a Pool worker taking its
    queue's lock: ``sem_trywait``, then ``sem_wait``), or that the kernel hands to
    another thread, leaves the main thread blocked and `_on_term` never run: the
    process would outlive terminate(), and the pool's ``__exit__`` would wait for it
    forever (seen under fork on a busy machine). Python's C handler writes every
    signal's number to the wakeup fd whichever thread takes it; a thread of ours reads
    it and, if the handler has not begun after a moment, sends SIGTERM to the main
    thread itself — a blocked call returns EINTR and Python runs the handler."""
    global _wakeup
    inherited, (read_fd, write_fd) = _wakeup, os.pipe()
    os.set_blocking(write_fd, False)
    try:
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except (ValueError, OSError):  # not the main thread: leave it to the handler
        os.close(read_fd)
        os.close(write_fd)
        return
    _wakeup = (read_fd, write_fd)
    for fd in inherited:  # a forked process's copy of its parent's pipe
        os.close(fd)
    _start_own_thread(_nudge_main_thread, (read_fd,), "mpgui-trace-term")


def _nudge_main_thread(read_fd: int) -> None:
    main = threading.main_thread().ident
    while True:
        try:
            signals = os.read(read_fd, 64)
        except OSError:
            return
        if not signals:
            return
        while signal.SIGTERM in signals and main is not None:
            _sleep(NUDGE_EVERY_S)  # the handler's turn first
            if _terminating or signal.getsignal(signal.SIGTERM) is not _on_term:
                break
            signal.pthread_kill(main, signal.SIGTERM)


def _watch_exit(popen: type) -> None:
    """Report each child's exit code once its parent learns it, however it does (join,
    is_alive, exitcode): a child killed by a signal cannot say it itself."""
    for method in ("poll", "wait"):
        if getattr(popen, f"_mpgui_{method}", False) or not hasattr(popen, method):
            continue
        setattr(popen, method, _telling_exit(getattr(popen, method)))
        setattr(popen, f"_mpgui_{method}", True)


def _telling_exit(method: Callable[..., int | None]) -> Callable[..., int | None]:
    def traced(self: Any, *args: Any, **kwargs: Any) -> int | None:
        code = method(self, *args, **kwargs)
        if code is not None and not self.__dict__.get("_mpgui_told") and _agent.conn:
            self._mpgui_told = True
            _agent.send(_agent.main, Kind.EXITED, self.pid, code)
        return code
    return traced


def _var_name(obj: object, frame: FrameType) -> str | None:
    """The variable of the script's code that holds `obj` (`A` in ``A.start()``), or
    None when multiprocessing itself started it or no name holds it."""
    if frame.f_globals.get("__name__", "").startswith(_MACHINERY):
        return None
    for names in (frame.f_locals, frame.f_globals):
        for name, value in list(names.items()):
            if value is obj and not name.startswith("_"):
                return str(name)
    return None


def _report_printed_errors() -> None:
    """Report the exception multiprocessing prints when a process's run() fails, as it
    prints it (``traceback.print_exc()`` in ``_bootstrap``): wrapping run() instead
    would add a frame of ours to the traceback the script shows."""
    import traceback  # (forked children have it from the root: see install())

    print_exc = getattr(traceback.print_exc, "__wrapped__", traceback.print_exc)

    def reporting_print_exc(*args: Any, **kwargs: Any) -> None:
        if sys._getframe(1).f_globals.get("__name__") == "multiprocessing.process":
            etype, value, tb = sys.exc_info()
            if etype is not None and value is not None:  # (it is called in an except)
                _report_error(etype, value, tb)
        print_exc(*args, **kwargs)

    # What the next process's agent unwraps (a forked child inherits the patched module).
    setattr(reporting_print_exc, "__wrapped__", print_exc)  # noqa: B010 (a function's attribute)
    traceback.print_exc = reporting_print_exc


def _report_error(etype: type[BaseException], value: BaseException | None,
                  tb: TracebackType | None) -> None:
    """Report an exception with its traceback, as Python prints it."""
    import traceback

    text = "".join(traceback.format_exception(etype, value, tb))
    _agent.send(_agent.reporter(), Kind.ERROR, (etype.__name__, str(value)), text)


def _hook_excepthook() -> None:
    """The script's own uncaught exception (a SyntaxError too): report, then print."""
    previous = sys.excepthook

    def hook(etype: type[BaseException], value: BaseException,
             tb: TracebackType | None) -> None:
        _report_error(etype, value, tb)
        previous(etype, value, tb)

    sys.excepthook = hook


# -- threads and sleeps ------------------------------------------------------------------

def _patch_threads() -> None:
    cls = threading.Thread
    start = cls.start
    inner: Callable[[threading.Thread], None] | None = getattr(cls, "_bootstrap_inner", None)
    if inner is None:  # another Python's threading: threads are not traced
        return

    def traced_start(self: threading.Thread) -> None:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        # Our mark on the script's thread (an attribute Thread does not declare).
        self._mpgui_traced = (  # type: ignore[attr-defined]
            _agent.conn is not None and not caller.startswith(_MACHINERY))
        return start(self)

    def traced_inner(self: threading.Thread) -> None:
        if not getattr(self, "_mpgui_traced", False) or _agent.conn is None:
            return inner(self)
        with _agent.lock:
            _agent.subs += 1
            r = Reporter(_agent.conn, _agent.subs)
            r.event(Kind.IDENTITY, self.name, threading.get_native_id())
            _agent.reporters[threading.get_ident()] = r
        _agent.guarded(r.started, os.getpid())
        try:
            inner(self)
        finally:
            failed = _agent.failed.pop(threading.get_ident(), False)
            _agent.send(r, Kind.FINISHED, 1 if failed else 0, time.thread_time_ns())
            with _agent.lock:
                _agent.reporters.pop(threading.get_ident(), None)

    previous_hook = threading.excepthook

    def excepthook(args: threading.ExceptHookArgs) -> None:
        """A traced thread's uncaught exception (called in that thread)."""
        ident = threading.get_ident()
        if ident in _agent.reporters and _agent.reporters[ident] is not _agent.main:
            _agent.failed[ident] = True
            _report_error(args.exc_type, args.exc_value, args.exc_traceback)
        previous_hook(args)

    # Patched on the class, for every thread the script starts; _bootstrap_inner (what a
    # new thread runs) is threading's private part, not in typeshed.
    cls.start = traced_start  # type: ignore[method-assign]
    cls._bootstrap_inner = traced_inner  # type: ignore[attr-defined]
    threading.excepthook = excepthook


def _traced_sleep(seconds: float) -> None:
    """time.sleep, reported as a sleeping span."""
    r = _agent.reporters.get(threading.get_ident()) if _agent.conn is not None else None
    if r is None or not seconds >= MIN_SLEEP_S:  # (NaN and errors: as time.sleep says)
        return _sleep(seconds)
    _agent.send(r, 0, state=State.SLEEPING)
    try:
        _sleep(seconds)
    finally:
        _agent.send(r, 0, state=State.RUNNING)
    return None


def _lines(r: Reporter, lines: list[str]) -> None:
    for line in lines:
        r.line(line)


class _Partial:
    """The line a thread is printing, in pieces. Adding a piece costs its own length, not
    the line's (``print('.', end='')`` in a loop stays linear), and only the first
    MAX_LINE_CHARS characters are kept: an endless line takes bounded memory and is
    reported cut, with the number of characters left out."""

    __slots__ = ("kept", "length", "pieces")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.kept = 0  # characters in pieces
        self.length = 0  # characters printed

    def add(self, text: str) -> None:
        self.length += len(text)
        room = MAX_LINE_CHARS - self.kept
        if room > 0 and text:
            piece = text[:room]
            self.pieces.append(piece)
            self.kept += len(piece)

    def line(self) -> str:
        head = "".join(self.pieces)
        return head if self.length == self.kept else cut_line(head, self.length)


class _Tap:
    """sys.stdout as the script knows it, that also reports each printed line."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        n = self._stream.write(text)
        if _agent.conn is not None and isinstance(text, str):
            ident = threading.get_ident()
            part = _agent.partial.get(ident)
            if "\n" not in text:
                if part is None:
                    part = _agent.partial[ident] = _Partial()
                part.add(text)
            else:
                *lines, rest = text.split("\n")
                if part is not None:  # the line printed so far ends here
                    part.add(lines[0])
                    lines[0] = part.line()
                    del _agent.partial[ident]
                if rest:
                    part = _agent.partial[ident] = _Partial()
                    part.add(rest)
                r = _agent.reporter()
                if r is not None:
                    _agent.guarded(_lines, r, lines)
                    if r.pending:
                        _flush_soon()
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
