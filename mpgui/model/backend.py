"""What can run the rows of the table — processes, threads, a pool's tasks — each
described once, as data.

Everything that differs between backends is a field of its `Backend` record: what a
row is called, whether it can be terminated, what becomes of daemon rows when the
script ends, the words for how a row ends, the states the chart can show, and the bits
of the generated script that change. The code generator, validation, the prediction,
summaries, exports and the window ask the record; nothing else compares backend names.
The runtime's classes that really run the rows (`mpgui.runtime.parent.backends`) register
against these records, so a new backend is one record here and one class there.

Plain data only: no Qt, no runtime (the model imports neither).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mpgui.i18n import _


class DaemonsAtEnd(Enum):
    """What becomes of a daemon row still running when the script's main program ends."""

    TERMINATED = "terminated"  # multiprocessing terminates it, then joins it
    END_WITH_SCRIPT = "end with the script"  # not joined: it ends with the process
    NONE = "none"  # rows have no daemon flag: every row is waited for


@dataclass(frozen=True)
class CodeTemplates:
    """The bits of the generated script that depend on the backend. Templates are
    ``str.format`` strings; the names they may use are given per field."""

    module: str  # imported for the rows: "multiprocessing", "threading"
    current_name: str  # an expression for the running row's name
    join: str  # the method that waits for a row: "join", "wait" (AsyncResult.wait)
    sets_start_method: bool  # the script calls multiprocessing.set_start_method()
    # One write per printed line: print() writes the text and the newline separately,
    # and another thread of the same process can print in between.
    whole_line_print: bool
    # Rows made as objects before the main program ("A = threading.Thread(...)"); None
    # when they are tasks submitted by start() instead (see `submit`).
    row_class: str | None
    # What start() becomes when rows are submitted: {pool}, {function}, {args}.
    submit: str = ""
    # Lines (indented for the main block) opening the pool: {pool}, {size}.
    open: tuple[str, ...] = ()
    # Lines that always end the main block ({pool}; {rows}: the rows started, a row of
    # copies as *W), and those that end it when a row
    # is a daemon (a comment saying what the script's end does to daemons).
    end: tuple[str, ...] = ()
    daemon_end: tuple[str, ...] = ()
    # The script's own helper (a key of codegen's helpers) that a join() becomes,
    # "HELPER(X)" or "HELPER(X, timeout=…)", when the rows have no join method of their
    # own that waits as join() does (a Dask future's result() would raise the task's
    # exception, or a TimeoutError, in the main program). "" for `join` above.
    join_helper: str = ""
    # What the script calls its pool (or client): the first not taken by a row.
    pool_names: tuple[str, ...] = ("pool", "the_pool")


@dataclass(frozen=True)
class Backend:
    """One backend: what runs the rows, described for every part of mpgui."""

    name: str  # as in files and --backend: "processes"
    help: str  # one sentence for the toolbar's tooltip
    called: str  # in "with …" phrases comparing runs: "processes", "a pool"
    unit: str  # what a row is called: "process", "thread", "task"
    units: str  # more than one: "processes", "threads", "tasks"
    row_hint: str  # above the table: "each row is one multiprocessing.Process"
    own_process: bool  # each row is a process of its own (with a pid and an exit code)
    shares_gil: bool  # the rows are threads of one process, sharing its GIL
    has_workers: bool  # a pool of worker processes runs the rows (its size is set)
    can_terminate: bool  # X.terminate() exists
    daemons_at_end: DaemonsAtEnd
    start_call: str  # what the main program calls to start a row: "start()"
    starting: str  # why a run was late: "starting processes"
    # The states a row (or the main program) can show, in the order it lives them, each
    # with the legend's words: (name of a `mpgui.runtime.protocol.State`, label).
    states: tuple[tuple[str, str], ...]
    end_mark: str  # the legend's words for the mark where a row ends
    # How a row that is not a process of its own ends, in words (a process says its
    # exit code instead): normally, and taken down with its process.
    ended: str
    taken_down: str
    end_sentence: str  # the hover's words when a row has ended: "the thread ended"
    not_started: str  # the hover's words before a row starts: "not started yet"
    # What the script shows when a row raises: {name}, {var}, {trace}, {type}, {message}.
    failure: str
    # Why a row must not call sys.exit() (None: it may), and why its daemon flag is
    # ignored (None: it is not): validation's words.
    exit_problem: str | None
    daemon_problem: str | None
    code: CodeTemplates
    # Why its rows cannot be given shared objects other than a Manager's (None: they
    # can): validation's words, {objects} naming those given.
    objects_problem: str | None = None
    # Whether a Manager's dict or list may be given to its rows (`objects_problem`
    # refuses the other objects only), or nothing at all.
    managed_objects: bool = True
    # The module it needs that is not always installed (None: none), and how to get it:
    # without it the backend is offered disabled, with this hint.
    requires: str | None = None
    install_hint: str | None = None
    # Its rows can run on a cluster elsewhere, given its scheduler's address
    # (--scheduler, the window's scheduler field); the run keeps a cluster warm.
    takes_scheduler: bool = False
    # What Run → Compare Backends runs its scenarios with first, as the baseline.
    baseline: str = "processes"

    @property
    def available(self) -> bool:
        """Whether what it needs is installed (looked for, not imported)."""
        if not self.requires:
            return True
        import importlib.util

        try:
            return importlib.util.find_spec(self.requires) is not None
        except (ImportError, ValueError):
            return False

    def failure_text(self, name: str, var: str, error: tuple[str, str, str]) -> str:
        """`failure` filled in for a row that raised `error` (type, message, traceback)."""
        trace = error[2].rstrip("\n") or f"{error[0]}: {error[1]}"
        return self.failure.format(name=name, var=var, trace=trace, type=error[0],
                                   message=error[1])


_STATES = ("running", _("running on a core")), \
    ("preempted", _("preempted (waiting for a core)")), ("sleeping", _("sleeping"))
_JOIN_WAIT = ("waiting", _("main program waits in join()"))

PROCESSES = Backend(
    name="processes",
    help=_("each row is a multiprocessing.Process: its own interpreter, its own GIL"),
    called=_("processes"), unit="process", units=_("processes"),
    row_hint=_("each row is one multiprocessing.Process"),
    own_process=True, shares_gil=False, has_workers=False, can_terminate=True,
    daemons_at_end=DaemonsAtEnd.TERMINATED,
    start_call="start()", starting=_("starting processes"),
    states=(("starting", _("starting")), *_STATES, _JOIN_WAIT), end_mark=_("exit code"),
    ended=_("ended"), taken_down=_("killed"), end_sentence=_("ended"),
    not_started=_("not started yet"),
    failure="Process {name}:\n{trace}", exit_problem=None, daemon_problem=None,
    code=CodeTemplates(
        module="multiprocessing", current_name="multiprocessing.current_process().name",
        join="join", sets_start_method=True, whole_line_print=False,
        row_class="multiprocessing.Process",
        daemon_end=("    # The script ends here: daemon processes still running are "
                    "terminated, the others joined.",)),
)

THREADS = Backend(
    name="threads",
    help=_("each row is a threading.Thread, all in one process: they share its GIL"),
    called=_("threads"), unit="thread", units=_("threads"),
    row_hint=_("each row is one threading.Thread, all in one process"),
    own_process=False, shares_gil=True, has_workers=False, can_terminate=False,
    daemons_at_end=DaemonsAtEnd.END_WITH_SCRIPT,
    start_call="start()", starting=_("starting the process and its threads"),
    states=(("starting", _("starting")), _STATES[0], ("gil", _("waiting for the GIL")),
            *_STATES[1:], _JOIN_WAIT),
    end_mark=_("thread ended"),
    ended=_("ended"), taken_down=_("ended with its process"),
    end_sentence=_("the thread ended"),
    not_started=_("not started yet"),
    failure="Exception in thread {name}:\n{trace}", exit_problem=None, daemon_problem=None,
    code=CodeTemplates(
        module="threading", current_name="threading.current_thread().name",
        join="join", sets_start_method=False, whole_line_print=True,
        row_class="threading.Thread",
        daemon_end=("    # The script ends here: Python waits for the other threads; daemon "
                    "threads still running end with it.",)),
)

POOL = Backend(
    name="pool",
    help=_("each row is a task of a multiprocessing.Pool: start() submits it "
           "(apply_async), join() waits for its result"),
    called=_("a pool"), unit="task", units=_("tasks"),
    row_hint=_("each row is one task for a multiprocessing.Pool"),
    own_process=False, shares_gil=False, has_workers=True, can_terminate=False,
    daemons_at_end=DaemonsAtEnd.NONE,
    start_call="apply_async()", starting=_("starting the pool's workers"),
    states=(("queued", _("queued (waiting for a worker)")), *_STATES,
            ("waiting", _("main program waits · worker idle"))),
    end_mark=_("task done"),
    ended=_("done"), taken_down=_("stopped with the pool"),
    end_sentence=_("the task was done"),
    not_started=_("not submitted to the pool yet"),
    failure=_("mpgui: task {var} raised {type}: {message} (the pool keeps it in the task's "
              "result; {var}.get() would raise it)"),
    exit_problem=_("sys.exit() in a pool task ends its worker process, and the task's result "
                   "never comes: join() would wait forever (choose the processes backend)"),
    daemon_problem=_("a pool's tasks have no daemon flag: the pool's workers are daemons; "
                     "this is ignored"),
    code=CodeTemplates(
        module="multiprocessing", current_name="multiprocessing.current_process().name",
        join="wait", sets_start_method=True, whole_line_print=False, row_class=None,
        submit="{pool}.apply_async({function}, {args})",
        open=("    {pool} = multiprocessing.Pool({size})",
              "    # apply_async() queues a task until a worker is free; wait() waits "
              "until it has run."),
        end=("    {pool}.close()  # no more tasks",
             "    {pool}.join()  # wait until every task has run and the workers have ended")),
    objects_problem=_("a pool's tasks cannot be given {objects} as an argument "
                      "(multiprocessing refuses to pickle a queue, pipe, lock, value, event "
                      "or barrier for a task): a Manager's dict or list can be given; or "
                      "run the rows as processes or threads"),
)

DASK = Backend(
    name="dask",
    help=_("each row is a task on a Dask cluster: start() submits it (client.submit), "
           "join() waits for it; a cluster of worker processes on this computer, or "
           "the one at the scheduler address"),
    called=_("Dask"), unit="task", units=_("tasks"),
    row_hint=_("each row is one task for a Dask cluster"),
    own_process=False, shares_gil=False, has_workers=True, can_terminate=False,
    daemons_at_end=DaemonsAtEnd.NONE,
    start_call="submit()", starting=_("starting the Dask cluster's workers"),
    states=(("queued", _("queued (waiting for a worker)")), *_STATES,
            ("waiting", _("main program waits · worker idle"))),
    end_mark=_("task done"),
    ended=_("done"), taken_down=_("stopped with its worker"),
    end_sentence=_("the task was done"),
    not_started=_("not submitted to the cluster yet"),
    failure=_("mpgui: task {var} raised {type}: {message} (Dask keeps it in the task's "
              "future; {var}.result() would raise it)"),
    exit_problem=_("sys.exit() in a Dask task ends its worker process; the scheduler runs "
                   "the task again on another worker, which ends too (choose the "
                   "processes backend)"),
    daemon_problem=_("Dask tasks have no daemon flag: this is ignored"),
    code=CodeTemplates(
        module="distributed", current_name='f"dask worker {distributed.get_worker().name}"',
        join="result", sets_start_method=False, whole_line_print=False, row_class=None,
        submit="{pool}.submit({function}, *{args}, pure=False)",
        open=("    # A Dask cluster on this computer: {workers}, one thread each",
              "    # (distributed.Client(\"tcp://host:8786\") connects to one that runs "
              "already).",
              "    {pool} = distributed.Client({n_workers}threads_per_worker=1, "
              "dashboard_address=None)",
              "    # submit() queues a task until a worker is free; join() waits until it "
              "has run."),
        end=("    distributed.wait([{rows}])  # wait for every task, as a pool's join() does",
             "    {pool}.close()"),
        pool_names=("client", "the_client"),
        join_helper="join_task"),
    objects_problem=_("Dask tasks cannot be given {objects} as an argument (they run in "
                      "worker processes, maybe on other computers, that multiprocessing's "
                      "objects cannot reach): run the rows as processes or threads"),
    managed_objects=False,
    requires="distributed",
    install_hint=_("needs Dask: pip install 'mpgui[dask]'"),
    takes_scheduler=True,
    baseline="pool",  # the same tasks, on one computer's pool
)

BACKENDS: dict[str, Backend] = {b.name: b for b in (PROCESSES, THREADS, POOL, DASK)}
"""Every backend by name, in the order the toolbar offers them."""
DEFAULT_BACKEND = PROCESSES.name


class UnknownBackend(ValueError):
    """A name that is not one of `BACKENDS`."""


def get_backend(name: str) -> Backend:
    """The backend called `name`; UnknownBackend, naming the choices, for another."""
    try:
        return BACKENDS[name]
    except (KeyError, TypeError):
        raise UnknownBackend(_("{name} is not a backend; choose {choices}").format(
            name=repr(name), choices=", ".join(BACKENDS))) from None


def failure_text(backend: str, var: str, name: str, error: tuple[str, str, str],
                 kind: str = "process") -> str:
    """What the script shows when a row fails: multiprocessing and threading print the
    traceback under a header; a pool keeps the exception in the task's result; the
    main program's own traceback (a traced script's) has no header."""
    if kind == "main":
        return error[2].rstrip("\n") or f"{error[0]}: {error[1]}"
    # A traced script's thread fails as a thread does, whatever ran the rows.
    what = THREADS if kind == "thread" else get_backend(backend)
    return what.failure_text(name, var, error)
