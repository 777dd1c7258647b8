"""Validation of a scenario: every problem named in plain words.

Each problem says where it is (which process row or main-program step), which field,
and what is allowed, so the table can mark the cell and the CLI can print one line.
"""

from __future__ import annotations

import builtins
import keyword
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mpgui.i18n import N_, _, ngettext
from mpgui.model.backend import UnknownBackend, get_backend
from mpgui.model.copies import Copies
from mpgui.model.escape import is_identifier_safe, one_line, shown
from mpgui.model.exercise import RUN
from mpgui.model.message import check_template, used_placeholders
from mpgui.model.operations import Recv, Send, WriteCell, prints_outside_a_loop, walk
from mpgui.model.registry import MAX_SECONDS, STEPS, WORKLOADS, Param, Workload
from mpgui.model.scenario import (
    ACTIONS,
    ProcessSpec,
    Scenario,
    Step,
    format_number,
)
from mpgui.model.shared import (
    OBJECT_KINDS,
    TYPECODES,
    SharedObject,
    describe_typecode,
    plays,
    typecode_range,
)
from mpgui.model.steps import StepsError
from mpgui.model.steps import parse as parse_steps

MAX_PROCESSES = 256
MAX_STEPS = 1000
MAX_NAME = 60
_VAR_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
# Names the generated script itself uses; a process variable must not shadow them: the
# modules it imports and Python's builtins. (Its own helpers, burn() and pool, take
# another name when a variable has theirs: see model/codegen.py.)
RESERVED = frozenset({"multiprocessing", "os", "queue", "sys", "threading", "time"}) \
    | frozenset(dir(builtins))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    `row` is the process row, the step or the shared object's index (by `section`),
    `field` the column: a process attribute or parameter name ("uses" for its shared
    objects), for steps "action", "target", "seconds", for objects "name", "kind" or a
    parameter.
    """

    section: Literal["scenario", "process", "step", "object"]
    row: int
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __post_init__(self) -> None:
        # Messages quote names and values from the file: whatever they hold (a newline,
        # ESC, 100,000 characters), the message is one clean line — in the CLI's error,
        # a tooltip or the status bar alike.
        object.__setattr__(self, "message", one_line(self.message))

    def where(self, scenario: Scenario) -> str:
        """'process A (row 1)', 'step 4 (C.join())' or 'scenario'."""
        if self.section == "process":
            var = scenario.processes[self.row].var if self.row < len(scenario.processes) else "?"
            return _("process {var} (row {row})").format(
                var=one_line(var, 60) or _("(unnamed)"), row=self.row + 1)
        if self.section == "object":
            obj = scenario.objects[self.row] if self.row < len(scenario.objects) else None
            return _("shared object {name} (object {number})").format(
                name=one_line(obj.name, 60) if obj else "?", number=self.row + 1)
        if self.section == "step":
            step = scenario.program[self.row] if self.row < len(scenario.program) else None
            if step:
                return _("step {number} ({code})").format(number=self.row + 1,
                                                          code=one_line(step.code(), 80))
            return _("step {number}").format(number=self.row + 1)
        return _("scenario")

    def text(self, scenario: Scenario) -> str:
        """The problem as one line: where, which field, what is wrong."""
        if self.field:
            return _("{where}, {field}: {problem}").format(
                where=self.where(scenario), field=shown(self.field), problem=self.message)
        return _("{where}: {problem}").format(where=self.where(scenario), problem=self.message)


def validate(scenario: Scenario, cores: int | None = None) -> list[Problem]:
    """All problems of `scenario` on a machine with `cores` CPUs (default: this one),
    errors and warnings, in table order."""
    cores = cores or os.cpu_count() or 1
    problems: list[Problem] = []
    if not scenario.processes:
        problems.append(Problem("scenario", 0, "",
                                _("there is no process; add one to the table")))
    total = sum(p.copies.resolve(cores) for p in scenario.processes
                if isinstance(p.copies, Copies) and p.copies.problem() is None)
    if total > MAX_PROCESSES:
        problems.append(Problem("scenario", 0, "", _(
            "makes {total} processes on this computer ({cores} CPUs); at most {most} can be "
            "shown").format(total=total, cores=cores, most=MAX_PROCESSES)))
    if len(scenario.program) > MAX_STEPS:
        problems.append(Problem("scenario", 0, "", _(
            "the main program has {n} steps; at most {most} are allowed").format(
                n=len(scenario.program), most=MAX_STEPS)))
    seen: dict[str, int] = {}
    all_vars = {p.var for p in scenario.processes}
    for row, spec in enumerate(scenario.processes):
        problems += _check_process(row, spec, seen, all_vars)
    problems += _check_program(scenario)
    problems += _check_backend(scenario, cores)
    problems += _check_objects(scenario)
    problems += _check_exercise(scenario)
    return problems


def _check_exercise(scenario: Scenario) -> list[Problem]:
    """An exercise's checks that name no process or shared object of the scenario (a
    typo in the file, or a row the student removed): a warning — the run can go on, and
    its verdict says the same."""
    if scenario.exercise is None:
        return []
    known = {p.var for p in scenario.processes} | {o.name for o in scenario.objects} | {RUN}
    out = []
    for check in scenario.exercise.parsed():
        for term in check.terms:
            if term.number is None and term.subject not in known:
                out.append(Problem("scenario", 0, "", _(
                    "the exercise's check {check} names {subject}, which is neither a "
                    "process nor a shared object here").format(
                        check=repr(check.text), subject=term.subject), "warning"))
                break
    return out


def errors(scenario: Scenario, cores: int | None = None) -> list[Problem]:
    """Only the problems that prevent a run."""
    return [p for p in validate(scenario, cores) if p.severity == "error"]


def check_number(param: Param, value: object) -> str | None:
    """What is wrong with `value` for `param`, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _("must be a number, not {value}").format(value=repr(value))
    if param.kind is int and not isinstance(value, int):
        return _("must be a whole number, not {value}").format(value=repr(value))
    if not math.isfinite(value):
        return _("must be a finite number, not {value}").format(value=repr(value))
    if not param.minimum <= value <= param.maximum:
        return _("must be {range}, not {value}").format(range=param.describe_range(),
                                                        value=format_value(value))
    return None


def as_number(value: object) -> int | float | None:
    """A cell's new value as a number: numbers as they are (NaN, infinities and values
    out of range too: validation marks them), text such as "4" or "0.5" read as one,
    anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    text = str(value).strip() if isinstance(value, str) else ""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return None


def format_value(value: int | float) -> str:
    """A value as the user typed it: 4, 0.9, -1."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def check_var(var: object) -> str | None:
    """What is wrong with a process variable name (ignoring duplicates), or None."""
    if not isinstance(var, str) or not var:
        return _("must not be empty; use a Python name such as A or worker1")
    if not _VAR_RE.fullmatch(var):
        return _("{name} is not a Python variable name: use letters, digits and _, "
                 "not starting with a digit, at most 32 characters").format(name=repr(var))
    if keyword.iskeyword(var):
        return _("{name} is a Python keyword; choose another name").format(name=repr(var))
    if var in RESERVED:
        return _("{name} is already a name in Python or in the generated script; choose "
                 "another").format(name=repr(var))
    if var.startswith("__") and var.endswith("__"):
        # __file__, __name__, __builtins__...: Python sets and reads these itself (spawn
        # finds the script by __main__.__file__).
        return _("{name} is one of Python's own names (two underscores on each side); "
                 "choose another").format(name=repr(var))
    if not is_identifier_safe(var):  # the regex above already keeps to ASCII
        return _("{name} cannot be a variable in the generated script; choose "
                 "another").format(name=repr(var))
    return None


def _check_process(row: int, spec: ProcessSpec, seen: dict[str, int],
                   all_vars: set[str]) -> list[Problem]:
    out: list[Problem] = []

    def bad(field: str, message: str, severity: Literal["error", "warning"] = "error") -> None:
        out.append(Problem("process", row, field, message, severity))

    if (msg := check_var(spec.var)) is not None:
        bad("var", msg)
    elif spec.var in seen:
        bad("var", _("{name} is already used by row {row}; names must differ").format(
            name=repr(spec.var), row=seen[spec.var] + 1))
    elif spec.var.startswith("process_") and spec.var[len("process_"):] in all_vars:
        bad("var", _("{name} is the name of the generated function of process {var}; choose "
                     "another").format(name=repr(spec.var), var=spec.var[len("process_"):]))
    if isinstance(spec.var, str):
        seen.setdefault(spec.var, row)
    if not isinstance(spec.name, str) or not spec.name.strip():
        bad("name", _("must not be empty"))
    elif len(spec.name) > MAX_NAME:
        bad("name", _("is {n} characters long; at most {most} are allowed").format(
            n=len(spec.name), most=MAX_NAME))
    elif shown(spec.name) != spec.name:  # C0/C1 controls, line separators, bidi overrides
        bad("name", _("must be one line without control characters"))
    if (msg := check_template(spec.message)) is not None:
        bad("message", msg)
    if not isinstance(spec.daemon, bool):
        bad("daemon", _("must be true or false"))
    if not isinstance(spec.copies, Copies):
        bad("copies", _("must be a number of copies such as 4 or \"per core\""))
    elif (msg := spec.copies.problem()) is not None:
        bad("copies", msg)
    if spec.workload not in WORKLOADS:
        bad("workload", _("{workload} is not a workload; choose one of {known}").format(
            workload=repr(spec.workload), known=", ".join(WORKLOADS)))
        return out
    workload = spec.work()
    if spec.workload == STEPS:
        for msg in _steps_problems(spec, workload):
            bad("steps", msg)
    elif spec.steps:
        bad("steps", _("only a row whose workload is {steps} has steps").format(
            steps=repr(STEPS)))
    names = {p.name for p in workload.params}
    for key in spec.params:
        if key not in names:
            bad(key, _("is not a parameter of {workload}; it takes {known}").format(
                workload=workload.name, known=", ".join(sorted(names))))
    for param in workload.params:
        if (msg := check_number(param, spec.param(param.name))) is not None:
            bad(param.name, msg)
    if "at" in names and _is_count(spec.param("at")) and _is_count(spec.param("n")) \
            and spec.param("at") >= spec.param("n"):
        bad("at", _("is {at} but the loop stops after {n} iterations, so this never "
                    "happens").format(at=spec.param("at"), n=spec.param("n")), "warning")
    return out


def _check_backend(scenario: Scenario, cores: int) -> list[Problem]:
    """What the chosen backend cannot do (threads and pool tasks cannot be terminated;
    sys.exit() in a pool task kills its worker), and the pool's size."""
    try:
        backend = get_backend(scenario.backend)
    except UnknownBackend as exc:  # "'x' is not a backend; choose processes, ..."
        return [Problem("scenario", 0, "backend", str(exc))]
    out = []
    if not backend.available:  # (Dask, not installed)
        out.append(Problem("scenario", 0, "backend", backend.install_hint or backend.name))
    if backend.has_workers:
        workers = scenario.workers
        msg = workers.problem() if isinstance(workers, Copies) else \
            _("must be a number of workers such as 4 or \"per core\"")
        if msg is None and workers.resolve(cores) > MAX_PROCESSES:
            msg = _("makes {n} workers here; at most {most}").format(
                n=workers.resolve(cores), most=MAX_PROCESSES)
        if msg is not None:
            out.append(Problem("scenario", 0, "workers", msg))
    for i, step in enumerate(scenario.program):
        if step.action == "terminate" and not backend.can_terminate:
            out.append(Problem("step", i, "action", _(
                "a {unit} cannot be terminated from outside; only processes can (choose the "
                "processes backend)").format(unit=backend.unit)))
    for row, spec in enumerate(scenario.processes):
        if backend.exit_problem is not None and spec.workload == "exit_code":
            out.append(Problem("process", row, "workload", backend.exit_problem))
        if backend.daemon_problem is not None and spec.daemon is True:
            out.append(Problem("process", row, "daemon", backend.daemon_problem, "warning"))
    return out


def _check_objects(scenario: Scenario) -> list[Problem]:
    """The shared objects: good names, known kinds and values; each row's roles played
    by an object of the right kind; objects nobody uses; what the backend cannot pass."""
    out: list[Problem] = []
    vars_ = set(scenario.vars())
    names: dict[str, int] = {}
    for i, obj in enumerate(scenario.objects):
        def bad(field: str, message: str, severity: Literal["error", "warning"] = "error",
                i: int = i) -> None:
            out.append(Problem("object", i, field, message, severity))

        if (msg := check_var(obj.name)) is not None:
            bad("name", msg)
        elif obj.name in names:
            bad("name", _("{name} is already the name of object {number}").format(
                name=repr(obj.name), number=names[obj.name] + 1))
        elif obj.name in vars_:
            bad("name", _("{name} is already a process's name; names must differ").format(
                name=repr(obj.name)))
        names.setdefault(obj.name, i)
        kind = OBJECT_KINDS.get(obj.kind)
        if kind is None:
            bad("kind", _("{kind} is not a kind of shared object; choose one of {known}")
                .format(kind=repr(obj.kind), known=", ".join(OBJECT_KINDS)))
            continue
        for param in kind.params:
            if (msg := check_number(param, obj.param(param.name))) is not None:
                bad(param.name, msg)
        if obj.typecode and not kind.typed:
            bad("typecode", _("a {kind} has no typecode (a Value and an Array have)").format(
                kind=kind.name))
        elif obj.typecode and obj.typecode not in TYPECODES:
            bad("typecode", _("{typecode} is not a typecode; choose one of {known}").format(
                typecode=repr(obj.typecode),
                known=", ".join(map(describe_typecode, TYPECODES))))
        elif kind.typed and "init" in obj.params and \
                (span := typecode_range(obj.code())) is not None and \
                not span[0] <= obj.param("init") <= span[1]:
            # (Allowed, as multiprocessing allows it: the C type keeps the low bits.)
            bad("init", _("{init} does not fit a {typecode}, which holds {low:,} to {high:,}: "
                          "the value starts as what is left of it (its low bits)").format(
                              init=obj.param("init"), typecode=describe_typecode(obj.code()),
                              low=span[0], high=span[1]), "warning")
    used: set[str] = set()
    for row, spec in enumerate(scenario.processes):
        if spec.workload not in WORKLOADS:
            continue
        workload = spec.work()
        # ("a producer prints once", or for a row's own steps "its steps never set"):
        # each sentence in two versions, a row's own steps' and a workload's
        own = spec.workload == STEPS
        a_row = workload.title.lower()
        roles = {role: (wanted, help_) for role, wanted, help_ in workload.roles}
        for role in spec.uses:
            if role not in roles:
                out.append(Problem("process", row, "uses", (
                    _("its steps name no {role} to give an object to") if own else
                    _("a {workload} has no {role} to give an object to")).format(
                        workload=a_row, role=repr(role))))
        for role, (wanted, help_) in roles.items():
            name = spec.uses.get(role, "")
            given = scenario.shared(name) if name else None
            used.add(name)
            if not name:
                out.append(Problem("process", row, "uses", _(
                    "needs a {kind} as {role} ({help}); add one and choose it").format(
                        kind=wanted, role=role, help=help_)))
            elif given is None:
                out.append(Problem("process", row, "uses", _(
                    "there is no shared object named {name} (for {role})").format(
                        name=repr(name), role=role)))
            elif not plays(given.kind, wanted):
                out.append(Problem("process", row, "uses", _(
                    "{role} must be a {wanted}, but {name} is a {kind}").format(
                        role=role, wanted=wanted, name=name, kind=given.kind)))
        out += [Problem("process", row, "uses", msg)
                for msg in _one_way_misuse(scenario, workload, spec.uses)]
        out += [Problem("process", row, "cell", msg)
                for msg in _cells_outside(scenario, workload, spec)]
        given_names = [spec.uses[role] for role in roles if spec.uses.get(role)]
        twice = {n for n in given_names if given_names.count(n) > 1}
        if any(not (o := scenario.shared(n)) or o.kind != "RLock" for n in twice):
            out.append(Problem("process", row, "uses", _(
                "uses one object for two roles: taking the same Lock twice blocks for ever "
                "(an RLock may be taken again by its holder); choose two")))
        if prints_outside_a_loop(workload.ops) and check_template(spec.message) is None \
                and "i" in used_placeholders(spec.message):
            out.append(Problem("process", row, "message", (
                _("uses {{i}}, but its steps prints once, outside any loop: there is no "
                  "iteration") if own else
                _("uses {{i}}, but a {workload} prints once, outside any loop: there is no "
                  "iteration")).format(workload=a_row)))
        if check_template(spec.message) is None and "n" in used_placeholders(spec.message) \
                and "n" not in {p.name for p in workload.params}:
            out.append(Problem("process", row, "message", (
                _("uses {{n}}, but its steps has no number of iterations") if own else
                _("uses {{n}}, but a {workload} has no number of iterations")).format(
                    workload=a_row)))
        if check_template(spec.message) is None and "by" in used_placeholders(spec.message) \
                and "by" not in {p.name for p in workload.params}:
            out.append(Problem("process", row, "message", (
                _("uses {{by}}, but its steps adds nothing to a value (a counter does)")
                if own else
                _("uses {{by}}, but a {workload} adds nothing to a value (a counter does)"))
                .format(workload=a_row)))
        provided = {p for op in walk(workload.ops) for p in op.provides}
        for placeholder in sorted(used_placeholders(spec.message) - provided
                                  if check_template(spec.message) is None else set()):
            if placeholder in _SET_BY:
                steps_says, workload_says = _SET_BY[placeholder]
                out.append(Problem("process", row, "message", _(
                    steps_says if own else workload_says).format(workload=a_row)))
    for i, obj in enumerate(scenario.objects):
        if obj.name not in used:
            out.append(Problem("object", i, "name", _("no process uses {name}").format(
                name=obj.name), "warning"))
        elif obj.kind == "Barrier" and (short := _barrier_short(scenario, obj)):
            out.append(Problem("object", i, "parties", short, "warning"))
        elif obj.kind == "Pipe" and (crowded := _crowded_pipe_end(scenario, obj)):
            out.append(Problem("object", i, "name", crowded, "warning"))
    try:
        refused = get_backend(scenario.backend).objects_problem
    except UnknownBackend:  # (said by _check_backend)
        refused = None
    try:
        managed_ok = get_backend(scenario.backend).managed_objects
    except UnknownBackend:
        managed_ok = True
    unmanaged = [o.name for o in scenario.objects if o.kind in OBJECT_KINDS
                 and not (managed_ok and OBJECT_KINDS[o.kind].managed)]
    if unmanaged and refused:
        out.append(Problem("scenario", 0, "backend", refused.format(
            objects=_and_list(unmanaged))))
    return out


def _and_list(names: list[str]) -> str:
    """"Q", "Q and L", "Q, L and V"."""
    if len(names) == 1:
        return names[0]
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


# Names a steps row's function has of its own: an object its steps name must be called
# otherwise (the loop's i and n, what a step receives, what a message can show).
_STEPS_LOCALS = {"i", "n", "item", "value", "contents", "name", "pid", "k"}


def _steps_problems(spec: ProcessSpec, workload: Workload) -> list[str]:
    """What is wrong with a steps row's steps: they cannot be read, or name an object
    as one of its function's own names."""
    try:
        parse_steps(spec.steps)
    except StepsError as exc:
        return [str(exc)]
    durations = {p.name for p in workload.params}
    return [_("{role} is a name the row's function has of its own (its loop, what it "
              "receives, its durations): rename the object").format(role=role)
            for role, _kind, _help in workload.roles
            if role in _STEPS_LOCALS or role in durations]


# The placeholders an operation sets, and who sets them, for validation's words: what
# is said of a row's own steps, and of a workload (translated where it is said).
_SET_BY = {
    "item": (N_("uses {{item}}, which its steps never set (a consumer gets items, a get or "
                "recv step)"),
             N_("uses {{item}}, which a {workload} never sets (a consumer gets items, a get "
                "or recv step)")),
    "value": (N_("uses {{value}}, which its steps never set (a reader reads the value, a "
                 "read step)"),
              N_("uses {{value}}, which a {workload} never sets (a reader reads the value, a "
                 "read step)")),
    "contents": (N_("uses {{contents}}, which its steps never set (a show_dict or show_list "
                    "looks at a Manager's dict or list)"),
                 N_("uses {{contents}}, which a {workload} never sets (a show_dict or "
                    "show_list looks at a Manager's dict or list)")),
}


def _cells_outside(scenario: Scenario, workload: Workload, spec: ProcessSpec) -> list[str]:
    """Why the cells the row writes don't all exist in the array it is given."""
    for op in walk(workload.ops):
        if not isinstance(op, WriteCell):
            continue
        obj = scenario.shared(spec.uses.get(op.array, ""))
        if obj is None or obj.kind != "Array":
            continue
        first, n, size = int(spec.param(op.cell)), int(spec.param("n")), obj.param("size")
        if n and first + n > size:
            return [_("writes cells {first} to {last}, but {array} has {size} (0 to {end}): "
                      "make it bigger, or start lower").format(
                          first=first, last=first + n - 1, array=obj.name, size=size,
                          end=size - 1)]
    return []


def _one_way_misuse(scenario: Scenario, workload: Workload,
                    uses: Mapping[str, str]) -> list[str]:
    """Why the row's sends and receives don't fit a one-way pipe it is given: its first
    end only receives, its second only sends (multiprocessing.Pipe(duplex=False))."""
    out = []
    for op in walk(workload.ops):
        if not isinstance(op, Send | Recv):
            continue
        obj = scenario.shared(uses.get(op.pipe, ""))
        if obj is None or obj.kind != "Pipe" or obj.param("duplex"):
            continue
        if (isinstance(op, Send) and op.end == 0) or (isinstance(op, Recv) and op.end == 1):
            said = _("sends on {pipe}[{end}], but {pipe} is one-way (duplex 0): {pipe}[0] "
                     "only receives and {pipe}[1] only sends; set its duplex to 1") \
                if isinstance(op, Send) else \
                _("receives on {pipe}[{end}], but {pipe} is one-way (duplex 0): {pipe}[0] "
                  "only receives and {pipe}[1] only sends; set its duplex to 1")
            out.append(said.format(pipe=obj.name, end=op.end))
            break
    return out


def _barrier_short(scenario: Scenario, barrier: SharedObject) -> str:
    """A Barrier waiting for more parties than the processes that use it ("" if not):
    they would wait there for ever. Rows of one copy per core are not counted (the
    machine decides how many they are)."""
    rows = [p for p in scenario.processes if barrier.name in p.uses.values()]
    if any(p.copies.per_core for p in rows):
        return ""
    waiting = sum(p.copies.resolve(1) for p in rows)
    parties = barrier.param("parties")
    if parties <= waiting:
        return ""
    return ngettext("waits for {parties} parties, but only {waiting} process uses {name}: "
                    "they would wait at it for ever",
                    "waits for {parties} parties, but only {waiting} processes use {name}: "
                    "they would wait at it for ever", waiting).format(
                        parties=parties, waiting=waiting, name=barrier.name)


def _crowded_pipe_end(scenario: Scenario, pipe: SharedObject) -> str:
    """Two processes that receive (or send) at the same end of `pipe` ("" if none do):
    a pipe's end is one connection, and two readers or writers at once can garble its
    messages (the multiprocessing documentation's warning)."""
    users: dict[tuple[int, str], set[str]] = {}
    for p in scenario.processes:
        workload = p.work() if p.workload in WORKLOADS else None
        for op in walk(workload.ops) if workload else ():
            if isinstance(op, Send | Recv) and p.uses.get(op.pipe) == pipe.name:
                who = users.setdefault((op.end, op.kind), set())
                # (a row of several copies is several processes at that end)
                who.update({p.var} if p.copies.resolve(1) == 1 else {p.var, p.var + "'"})
    for (end, kind), who in sorted(users.items()):
        if len(who) > 1:
            said = _("several processes send on {pipe}[{end}]: one end of a pipe is for one "
                     "process at a time — messages may be garbled; give each pair of "
                     "processes a pipe of its own") if kind == "send" else \
                _("several processes receive from {pipe}[{end}]: one end of a pipe is for "
                  "one process at a time — messages may be garbled; give each pair of "
                  "processes a pipe of its own")
            return said.format(pipe=pipe.name, end=end)
    return ""


def _is_count(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_program(scenario: Scenario) -> list[Problem]:
    out: list[Problem] = []
    defined = set(scenario.vars())
    started: dict[str, int] = {}
    for i, step in enumerate(scenario.program):
        out += _check_step(i, step, defined, started)
    for row, spec in enumerate(scenario.processes):
        if spec.var not in started and spec.var:
            out.append(Problem("process", row, "var", _(
                "{var} is never started; add {var}.start() to the main program").format(
                    var=spec.var), "warning"))
    return out


def _check_step(i: int, step: Step, defined: set[str], started: dict[str, int]) -> list[Problem]:
    def bad(field: str, message: str) -> list[Problem]:
        return [Problem("step", i, field, message)]

    if step.action not in ACTIONS:
        return bad("action", _("{action} is not a step; use one of {known}").format(
            action=repr(step.action), known=", ".join(ACTIONS)))
    if step.action == "sleep" or (step.action == "join" and step.seconds is not None):
        value = step.seconds
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
            shown = format_number(value) if isinstance(value, int | float) else repr(value)
            said = _("the sleep must be from 0 to {most:g} s, not {value}") \
                if step.action == "sleep" else \
                _("the timeout must be from 0 to {most:g} s, not {value}")
            return bad("seconds", said.format(most=MAX_SECONDS, value=shown))
    if step.action == "sleep":
        return []
    x = step.target
    if x not in defined:
        return bad("target", _("there is no process named {name}").format(name=repr(x)) if x
                   else _("choose the process this step acts on"))
    if step.action == "start":
        if x in started:
            return bad("target", _("{var} is already started at step {number}; a process can "
                                   "be started only once").format(var=x,
                                                                  number=started[x] + 1))
        started[x] = i
        return []
    if x not in started:
        said = _("{var}.join() comes before {var}.start(): a process can only be joined "
                 "after it is started") if step.action == "join" else \
            _("{var}.terminate() comes before {var}.start(): a process can only be "
              "terminated after it is started")
        return bad("target", said.format(var=x))
    return []
