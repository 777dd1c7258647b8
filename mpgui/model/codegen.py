"""Code generation: the scenario as a standalone script in the tutorial's style.

Run with plain ``python``, the script prints the same lines, in the same order and with
the same spacing, as ``mpgui run`` shows. Each workload is one list of operations
(`mpgui.model.operations`); each operation writes its own lines here, and the runtime's
`mpgui.runtime.child.workloads` executes the same list — a test runs both.

Lines are printed with ``print(..., flush=True)`` as in the tutorial. With a terminal or
a pipe that is one write per line; only with PYTHONUNBUFFERED (or ``python -u``) does
print write the text and the newline separately, so that two processes printing at the
same instant can interleave — real Python behaviour, worth knowing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from mpgui.model.backend import Backend, get_backend
from mpgui.model.escape import py_literal, py_string_body
from mpgui.model.message import used_placeholders
from mpgui.model.operations import CodeContext, Operation, walk
from mpgui.model.scenario import ProcessSpec, Scenario, Step, format_number
from mpgui.model.shared import SharedObject, get_kind

# The script's own helpers, by the name operations ask for (`Operation.helpers`): the
# names it may take (the first one no row's variable shadows) and its source, where
# HELPER stands for the name taken.
_HELPERS: dict[str, tuple[tuple[str, ...], str]] = {"burn": (("burn", "burn_cpu"), '''

def HELPER(seconds: float) -> None:
    """Keep a core busy until this process has used `seconds` of CPU time."""
    end = time.thread_time() + seconds
    x = 1
    while time.thread_time() < end:
        for _ in range(500):
            x = (x * 48271) % 2147483647
'''), "shared_value": (("SharedValue", "Shared_value"), '''

class HELPER:
    """What multiprocessing.Value is to processes, for threads: a .value, and a lock
    that makes an update whole."""

    def __init__(self, value: int) -> None:
        self.value = value
        self._lock = threading.RLock()

    def get_lock(self) -> threading.RLock:
        return self._lock
'''), "join_task": (("join", "join_task"), '''

def HELPER(task: distributed.Future, timeout: float | None = None) -> None:
    """What Process.join(timeout) is to a process, for a Dask task: wait until it has
    run, or until `timeout` seconds have passed. (task.result() would raise the task's
    exception here, or a TimeoutError.)"""
    try:
        distributed.wait(task, timeout=timeout)
    except TimeoutError:
        pass
''')}


def function_name(var: str) -> str:
    """The generated target function of process `var`."""
    return f"process_{var}"


def script_file_name(name: str) -> str:
    """The file name for the script of the scenario called `name` (a built-in's name or
    a file name): 'crash.py', 'threads_vs_processes_cpu.py' ('scenario.py' for none)."""
    # Letters, digits and "_" only: the name reaches tracebacks on a terminal, and a
    # file name may hold quotes or control characters.
    stem = "".join(c if c.isalnum() or c == "_" else "_"
                   for c in PurePath(name).stem) if name else ""
    return f"{stem or 'scenario'}.py"


def function_lines(code: str, var: str) -> tuple[int, tuple[str, ...]]:
    """Where the generated `code` defines the target of process `var`: the number of its
    ``def`` line (from 1) and its lines, up to the blank line that ends it."""
    lines = code.split("\n")
    head = f"def {function_name(var)}("
    first = next(i for i, line in enumerate(lines) if line.startswith(head))
    last = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))
    return first + 1, tuple(lines[first:last])


def scaled(seconds: float, speed: float) -> str:
    """A duration at `speed`, spelled shortly (0.9 / 10 -> 0.09, not 0.09000000000000001)."""
    return format_number(round(seconds / speed, 9))


def generate_code(scenario: Scenario, *, speed: float = 1.0, start_method: str = "spawn",
                  source: str = "") -> str:
    """Python source equivalent to `scenario` (which should be valid), for its backend:
    ``multiprocessing.Process``, ``threading.Thread`` or a ``multiprocessing.Pool``."""
    return code_map(scenario, speed=speed, start_method=start_method, source=source).code


@dataclass(frozen=True)
class CodeMap:
    """A generated script and where its parts are: the line (from 1) of each step of the
    main program (its call: in a loop, the loop's body) and of the script's last line —
    what a step-through replay highlights."""

    code: str
    step_lines: tuple[int, ...]  # per step of scenario.program
    end_line: int  # the main program's last line: what Python does at its end

    def function(self, var: str) -> tuple[int, tuple[str, ...]]:
        """The ``def`` line of process `var`'s target and its lines (`function_lines`)."""
        return function_lines(self.code, var)

    def line(self, step: int | None, row: str | None, what: str) -> int | None:
        """The line an event belongs to: the main program's `step` (an index into the
        program), else `what` in the function of `row` ("def", "return", "print",
        "sleep", "run", or an operation's verb such as "put" or "acquire"), else the
        script's end for what "end"; None when none is known."""
        if step is not None:
            return self.step_lines[step] if step < len(self.step_lines) else None
        if row is None:
            return self.end_line if what == "end" else None
        try:
            first, lines = self.function(row)
        except StopIteration:  # (not a row of this script)
            return None
        if what == "return":
            return first + len(lines) - 1
        for needle in _NEEDLES.get(what, (f".{what}(",) if what.isidentifier() else ()):
            found = next((n for n, text in enumerate(lines) if needle in text), None)
            if found is not None:
                return first + found
        return first


# What to look for in a function's lines, per event: the first line holding one of
# these is the line of the event (in a loop, the same line each time round).
_NEEDLES: dict[str, tuple[str, ...]] = {
    "def": (), "print": ("print(",), "sleep": ("sleep(",),
    # Running: the work it does, else what runs between its sleeps (its print).
    "run": ("burn(", "burn_cpu(", "sum(", "print(", "while ", "for "),
    "acquire": (".acquire(", "with "), "release": (".release(", "with "),
    "rw": ("+=",), "read": (".value", "["), "setv": (".value =", "] ="),
}


def code_map(scenario: Scenario, *, speed: float = 1.0, start_method: str = "spawn",
             source: str = "") -> CodeMap:
    """`generate_code`'s script with the lines of its main program's steps."""
    backend = get_backend(scenario.backend)
    code = backend.code
    ops = [op for p in scenario.processes for op in walk(p.work().ops)]
    modules = {code.module}
    modules.update(m for op in ops for m in op.imports())
    if any(_placeholders(p) & {"pid"} or p.copies.per_core
           for p in scenario.processes) or (backend.has_workers and scenario.workers.per_core):
        modules.add("os")
    if any(s.action == "sleep" for s in scenario.program):
        modules.add("time")
    threads = code.row_class is not None and not backend.own_process
    kinds = [get_kind(o.kind) for o in scenario.objects]
    if threads:
        modules.update(k.threads_module for k in kinds if k.threads_module)
    used_helpers = {h for op in ops for h in op.helpers} | \
        ({k.threads_helper for k in kinds if k.threads_helper} if threads else set())
    if code.join_helper and any(s.action == "join" for s in scenario.program):
        used_helpers.add(code.join_helper)
    # Every name the script defines at module level besides the rows' variables is
    # chosen free of them (validation keeps the imported modules and Python's own
    # dunder names away from the variables).
    taken = set(scenario.vars()) | {function_name(v) for v in scenario.vars()} \
        | {o.name for o in scenario.objects}
    names = {helper: _free(candidates, taken) for helper, (candidates, _) in _HELPERS.items()}
    names["pool"] = _free(code.pool_names, taken)
    names["manager"] = _free(("manager", "the_manager"), taken)
    loop = _free(("p", "proc", "process", "each"), taken)
    # Strings from the scenario (its title, the file name) only ever enter the script
    # through the one escaper: nothing in them can end the docstring.
    title = py_string_body(scenario.about.title or "An mpgui scenario")
    made = f"`mpgui code {py_string_body(source)}`" if source else "mpgui"
    speed_note = f" at speed {speed:g} (every duration divided by {speed:g})" if speed != 1 else ""
    out = [f'"""{title}', "",
           f"Written by {made}{speed_note}. Run it with plain Python: python this_file.py",
           '"""', "", *(f"import {m}" for m in sorted(modules))]
    for helper in sorted(used_helpers):
        out.append(_HELPERS[helper][1].rstrip("\n").replace("HELPER", names[helper]))
    for spec in scenario.processes:
        out += ["", "", *_function(spec, backend, names)]
    out += ["", ""]
    # Shared objects are made after set_start_method() (a lock belongs to the start
    # method it was made for), so the rows that get them are made there too.
    rows_in_main = bool(scenario.objects)
    if code.row_class is not None and not rows_in_main:
        for spec in scenario.processes:
            out.append(_object_line(spec, speed, code.row_class))
        out.append("")
    out.append('if __name__ == "__main__":')
    if code.sets_start_method:
        out += ["    # How mpgui starts processes; also try \"fork\" or \"forkserver\" on Linux.",
                f"    multiprocessing.set_start_method({py_literal(start_method)})"]
    if scenario.objects:
        out.append("    # What the processes share, passed to each as an argument.")
        if not threads and any(get_kind(o.kind).managed for o in scenario.objects):
            # (a server process that keeps the Manager's objects; each use is a call)
            out.append(f"    {names['manager']} = multiprocessing.Manager()")
        out += ["    " + _shared_line(o, threads, names) for o in scenario.objects]
    if code.row_class is not None and rows_in_main:
        for spec in scenario.processes:
            out += ["    " + line for line in _object_line(spec, speed,
                                                           code.row_class).split("\n")]
    pool = names["pool"]
    size = _pool_size(scenario)
    workers = f"{size} worker processes" if size else "a worker process per core"
    out += [line.format(pool=pool, size=size, workers=workers,
                        n_workers=f"n_workers={size}, " if size else "") for line in code.open]
    join = names[code.join_helper] + "(" if code.join_helper else code.join
    lists = {p.var for p in scenario.processes if not p.copies.single}
    step_at: list[int] = []  # per step: the index in `out` of its call
    for step in scenario.program:
        target = scenario.process(step.target)
        if code.row_class is None and step.action == "start" and target is not None:
            out.append("    " + _submit_line(target, speed, code.submit, pool))
        elif step.target in lists:  # a row of copies is a list: the step is a loop
            one = _step_line(Step(step.action, loop, step.seconds), speed, join)
            out += [f"    for {loop} in {step.target}:", f"        {one.split('  #')[0]}"]
        else:
            out.append("    " + _step_line(step, speed, join))
        step_at.append(len(out) - 1)
    started = dict.fromkeys(s.target for s in scenario.program if s.action == "start")
    rows = ", ".join(var if var not in lists else f"*{var}" for var in started)
    out += [line.format(pool=pool, rows=rows) for line in code.end]
    if scenario.objects and backend.own_process and code.row_class is not None:
        out += _joins_while_shared(scenario, loop)
    if any(p.daemon for p in scenario.processes):
        out += code.daemon_end  # what the script's end does to them, in a comment
    # An entry of `out` may hold several lines (a helper, a list of processes).
    first_line, n = [], 1
    for entry in out:
        first_line.append(n)
        n += entry.count("\n") + 1
    return CodeMap("\n".join(out) + "\n", tuple(first_line[i] for i in step_at), n - 1)


def _joins_while_shared(scenario: Scenario, loop: str) -> list[str]:
    """The joins multiprocessing does at the end of the script, written out: at its
    exit Python removes the shared objects' semaphores *before* it joins the processes,
    and a process still starting (spawn, forkserver) would fail to find them. Joining
    a process that has ended returns at once, so this changes nothing else."""
    started = [s.target for s in scenario.program if s.action == "start"]
    waited = {s.target for s in scenario.program if s.action == "join" and s.seconds is None}
    rows = [p for var in started if (p := scenario.process(var)) is not None
            and not p.daemon and var not in waited]
    if not rows:
        return []
    out = ["    # Wait for the processes while the objects they share exist: at its end",
           "    # Python removes the objects before it joins the processes."]
    for spec in rows:
        if spec.copies.single:
            out.append(f"    {spec.var}.join()")
        else:
            out += [f"    for {loop} in {spec.var}:", f"        {loop}.join()"]
    return out


def _shared_line(obj: SharedObject, threads: bool, helpers: dict[str, str]) -> str:
    """``Q = multiprocessing.Queue()``, or its threads' counterpart."""
    kind = get_kind(obj.kind)
    made = kind.expression(obj.values(), threads, helpers.get(kind.threads_helper, ""),
                           helpers["manager"], obj.code())
    return f"{obj.name} = {made}"


def _pool_size(scenario: Scenario) -> str:
    """Pool()'s argument: nothing for one worker per core (its default), else the size."""
    workers = scenario.workers
    return "" if workers.per_core and workers.count == 1 else workers.code()


def _free(candidates: tuple[str, ...], taken: set[str]) -> str:
    """The first of `candidates` not in `taken` (else the first with a number), now
    taken: a name for the script's own helper that no row's variable shadows."""
    name = next((c for c in candidates if c not in taken), None)
    n = 2
    while name is None or name in taken:
        name, n = f"{candidates[0]}{n}", n + 1
    taken.add(name)
    return name


def _function(spec: ProcessSpec, backend: Backend, helpers: dict[str, str]) -> list[str]:
    """The row's target function: its parameters, the placeholders its lines use, and
    the workload's operations, each writing its own lines."""
    workload = spec.work()
    ops: tuple[Operation, ...] = workload.ops
    used = _placeholders(spec)
    args = ", ".join([role for role, _kind, _help in workload.roles]
                     + (["k: int"] if "k" in used else [])
                     + [f"{p.name}: {p.kind.__name__}" for p in workload.params])
    lines = [f"def {function_name(spec.var)}({args}) -> None:"]
    if "name" in used:
        lines.append(f"    name = {backend.code.current_name}")
    if "pid" in used:
        lines.append("    pid = os.getpid()")
    ctx = CodeContext(spec.message, one_write=backend.code.whole_line_print, helpers=helpers)
    lines += ["    " + line for op in ops for line in op.code(ctx)]
    return lines


def _placeholders(spec: ProcessSpec) -> set[str]:
    """The placeholders the row's lines use: its message's and its operations' own."""
    return used_placeholders(spec.message).union(
        *(used_placeholders(t) for op in walk(spec.work().ops)
          for t in op.templates()))


def _call_args(spec: ProcessSpec, speed: float) -> str:
    """The target's arguments as a tuple: "(4, 1.0)"."""
    values = [spec.uses.get(role, "None") for role, _kind, _help in
              spec.work().roles]
    if "k" in _placeholders(spec):  # the copy number (0 for a single one)
        values.append("0" if spec.copies.single else "k")
    for p in spec.work().params:
        v = spec.param(p.name)
        values.append(scaled(v, speed) if p.is_duration else str(v))
    return "(" + ", ".join(values) + ("," if len(values) == 1 else "") + ")"


def _object_line(spec: ProcessSpec, speed: float, cls: str) -> str:
    """``A = multiprocessing.Process(...)`` or ``A = threading.Thread(...)`` (`cls`); a
    list of them for a row of copies."""
    daemon = ", daemon=True" if spec.daemon else ""
    target = f"target={function_name(spec.var)}, args={_call_args(spec, speed)}"
    if spec.copies.single:
        return f"{spec.var} = {cls}({target}, name={py_literal(spec.name)}{daemon})"
    # A row of copies: a list, as one writes "one process per core" in Python.
    braced = spec.name.replace("{", "{{").replace("}", "}}")
    name = 'f"' + py_string_body(braced) + ' {k}"'
    return (f"{spec.var} = [{cls}({target}, name={name}{daemon})\n"
            f"{' ' * (len(spec.var) + 4)}for k in range({spec.copies.code()})]")


def _submit_line(spec: ProcessSpec, speed: float, submit: str, pool: str = "pool") -> str:
    """A pool's start(): the task submitted (the `submit` template), its AsyncResult
    kept under the row's name."""
    call = submit.format(pool=pool, function=function_name(spec.var),
                         args=_call_args(spec, speed))
    if spec.copies.single:
        return f"{spec.var} = {call}"
    return f"{spec.var} = [{call} for k in range({spec.copies.code()})]"


def _step_line(step: Step, speed: float, join: str = "join") -> str:
    # `join` is the backend's word: a pool's join() waits for the task's result,
    # AsyncResult.wait(timeout).
    if step.action == "sleep":
        return f"time.sleep({scaled(step.seconds or 0.0, speed)})"  # as Step.code()
    # A `join` ending in "(" is a helper of the script's that the row is given to.
    call = f"{join}{step.target}" if join.endswith("(") else f"{step.target}.{join}("
    if step.action == "join" and step.seconds is not None:
        sep = ", " if join.endswith("(") else ""
        return f"{call}{sep}timeout={scaled(step.seconds, speed)})"
    if step.action == "join":
        return f"{call})  # wait until {step.target} finishes"
    return f"{step.target}.{step.action}()"

