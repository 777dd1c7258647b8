"""Edits of a scenario: each takes a Scenario and returns a new one.

The editor's undo stack keeps the scenario before and after each edit, so every edit
here is a plain function without side effects, testable without a window.
"""

from __future__ import annotations

import string
from dataclasses import replace
from typing import Any, Literal, TypeVar, overload

from mpgui.model.copies import Copies
from mpgui.model.registry import DEFAULT_WORKLOAD, STEPS, get_workload
from mpgui.model.scenario import ProcessSpec, Scenario, Step, as_action
from mpgui.model.shared import OBJECT_KINDS, SharedObject, get_kind, plays

_T = TypeVar("_T")

# The steps a row gets when its workload becomes "steps": something to edit.
FIRST_STEPS = "sleep 1; print"


def new_var(scenario: Scenario) -> str:
    """The first free variable name: A, B, ..., Z, then P27, P28, ..."""
    used = set(scenario.vars())
    for c in string.ascii_uppercase:
        if c not in used:
            return c
    k = len(scenario.processes) + 1
    while f"P{k}" in used:
        k += 1
    return f"P{k}"


def new_process(scenario: Scenario) -> ProcessSpec:
    """A fresh process in the tutorial's style: the next letter, the next number."""
    k = len(scenario.processes) + 1
    return ProcessSpec(new_var(scenario), f"process {k}", DEFAULT_WORKLOAD,
                       get_workload(DEFAULT_WORKLOAD).defaults(), f"Process {k}: {{i}}")


def add_process(scenario: Scenario, spec: ProcessSpec | None = None,
                row: int | None = None) -> Scenario:
    """Insert a process at `row` (default: the end) and start it at the end of the main
    program, so that a new process runs when the user presses Run."""
    spec = spec or new_process(scenario)
    procs = list(scenario.processes)
    procs.insert(len(procs) if row is None else row, spec)
    return replace(scenario, processes=tuple(procs),
                   program=(*scenario.program, Step("start", spec.var)))


def duplicate_process(scenario: Scenario, row: int) -> Scenario:
    """A copy of process `row` under a new variable name, right below it."""
    spec = scenario.processes[row]
    copy = replace(spec, var=new_var(scenario))
    return add_process(scenario, copy, row + 1)


def remove_process(scenario: Scenario, row: int) -> Scenario:
    """Remove process `row`. Its steps stay in the main program, where validation flags
    them: deleting a row never silently changes what the program does."""
    return replace(scenario, processes=_without(scenario.processes, row))


def move_process(scenario: Scenario, row: int, to: int) -> Scenario:
    """Move process `row` to position `to`."""
    return replace(scenario, processes=_moved(scenario.processes, row, to))


@overload
def set_process_field(scenario: Scenario, row: int,
                      field: Literal["var", "name", "workload", "message", "steps"],
                      value: str) -> Scenario: ...
@overload
def set_process_field(scenario: Scenario, row: int, field: Literal["daemon"],
                      value: bool) -> Scenario: ...
@overload
def set_process_field(scenario: Scenario, row: int, field: Literal["copies"],
                      value: Copies) -> Scenario: ...
def set_process_field(scenario: Scenario, row: int, field: str,
                      value: str | bool | Copies) -> Scenario:
    """Change one attribute of process `row` (var, name, workload, message, daemon,
    copies, steps).

    Renaming a variable renames it in the main program too; changing the workload keeps
    the parameters the new workload shares with the old one and defaults the rest; new
    steps give the row the objects they name (made if there are none yet).
    """
    spec = scenario.processes[row]
    program = scenario.program
    # The field is named at run time (a table column's key): its value is checked by
    # validation, as a file's would be, not here.
    change: dict[str, Any] = {field: value}
    if field == "var":
        old = spec.var
        program = tuple(replace(s, target=change["var"]) if s.target == old
                        and s.action != "sleep" else s for s in program)
        spec = replace(spec, **change)
    elif field == "workload":
        workload = get_workload(str(value))
        params = {p.name: spec.params.get(p.name, p.default) for p in workload.params}
        spec = replace(spec, workload=workload.name, params=params,
                       steps=(spec.steps or FIRST_STEPS) if workload.name == STEPS else "")
        return _with_roles(scenario, row, spec)
    elif field == "steps":
        return _with_roles(scenario, row, replace(spec, steps=str(value)))
    else:
        spec = replace(spec, **change)
    return _with_process(replace(scenario, program=program), row, spec)


def _with_roles(scenario: Scenario, row: int, spec: ProcessSpec) -> Scenario:
    """Process `row` becomes `spec`, whose workload may need shared objects: each role
    keeps its object if it had one of the right kind, else takes the first such object
    of the scenario, else a new one; objects that only this row used, and no longer
    does, go."""
    roles = spec.work().roles
    old = scenario.processes[row]
    objects = list(scenario.objects)
    uses: dict[str, str] = {}
    for role, kind, _help in roles:
        if spec.workload == STEPS:  # (a step names its object: that one, or a new one)
            if all(o.name != role for o in objects):
                objects.append(SharedObject(role, kind))
            uses[role] = role
            continue
        mine = spec.uses.get(role)
        # Two roles of one kind get two objects (the same Lock twice would block).
        fits = [o.name for o in objects if plays(o.kind, kind) and o.name not in uses.values()]
        if mine in fits:
            uses[role] = mine
        elif fits:
            uses[role] = fits[0]
        else:
            made = SharedObject(new_object_name(replace(scenario, objects=tuple(objects)),
                                                kind), kind)
            objects.append(made)
            uses[role] = made.name
    spec = replace(spec, uses=uses)
    others = {name for i, p in enumerate(scenario.processes) if i != row
              for name in p.uses.values()}
    dropped = set(old.uses.values()) - set(uses.values()) - others
    objects = [o for o in objects if o.name not in dropped]
    return _with_process(replace(scenario, objects=tuple(objects)), row, spec)


def set_uses(scenario: Scenario, row: int, role: str, name: str) -> Scenario:
    """Process `row` uses the shared object `name` as its `role`."""
    spec = scenario.processes[row]
    return _with_process(scenario, row, replace(spec, uses={**spec.uses, role: name}))


# -- shared objects -----------------------------------------------------------------

def new_object_name(scenario: Scenario, kind: str) -> str:
    """A free name for a new object of `kind`: Q, L, V, then Q2, Q3, ..."""
    taken = set(scenario.vars()) | {o.name for o in scenario.objects}
    known = OBJECT_KINDS.get(kind)
    first = known.short if known is not None and known.short else kind[:1].upper() or "X"
    name, k = first, 2
    while name in taken:
        name, k = f"{first}{k}", k + 1
    return name


def add_object(scenario: Scenario, kind: str, index: int | None = None) -> Scenario:
    """A new shared object of `kind` (its parameters at their defaults) at `index`
    (default: the end)."""
    get_kind(kind)  # KeyError naming the known kinds
    objects = list(scenario.objects)
    made = SharedObject(new_object_name(scenario, kind), kind)
    objects.insert(len(objects) if index is None else index, made)
    return replace(scenario, objects=tuple(objects))


def remove_object(scenario: Scenario, index: int) -> Scenario:
    """Remove shared object `index`. Rows that use it keep its name, where validation
    flags it: deleting never silently changes what a process works with."""
    return replace(scenario, objects=_without(scenario.objects, index))


def move_object(scenario: Scenario, index: int, to: int) -> Scenario:
    """Move shared object `index` to position `to`."""
    return replace(scenario, objects=_moved(scenario.objects, index, to))


def set_object_field(scenario: Scenario, index: int, field: str,
                     value: str | int) -> Scenario:
    """Change a shared object's name (the rows that use it follow), its kind (the
    parameters it shares with the new kind stay, and the typecode if it has one), its
    typecode or one of its parameters."""
    obj = scenario.objects[index]
    processes = scenario.processes
    if field == "name":
        new = replace(obj, name=str(value))
        processes = tuple(replace(p, uses={r: (new.name if n == obj.name else n)
                                           for r, n in p.uses.items()})
                          for p in processes)
    elif field == "kind":
        kind = get_kind(str(value))
        new = replace(obj, kind=kind.name,
                      params={p.name: obj.params[p.name] for p in kind.params
                              if p.name in obj.params},
                      typecode=obj.typecode if kind.typed else "")
    elif field == "typecode":
        new = replace(obj, typecode=str(value))
    else:  # a parameter: a whole number (the editor's spin box gives one)
        new = replace(obj, params={**obj.params, field: int(value)})
    objects = list(scenario.objects)
    objects[index] = new
    return replace(scenario, objects=tuple(objects), processes=processes)


def set_param(scenario: Scenario, row: int, name: str, value: int | float) -> Scenario:
    """Change one workload parameter of process `row`."""
    return _with_process(scenario, row, scenario.processes[row].with_param(name, value))


def _with_process(scenario: Scenario, row: int, spec: ProcessSpec) -> Scenario:
    procs = list(scenario.processes)
    procs[row] = spec
    return replace(scenario, processes=tuple(procs))


def suggest_step(scenario: Scenario) -> Step:
    """The step a user most likely wants next: start a process not yet started, else
    join one started but not joined, else a short sleep."""
    started = [s.target for s in scenario.program if s.action == "start"]
    joined = {s.target for s in scenario.program if s.action == "join"}
    for var in scenario.vars():
        if var not in started:
            return Step("start", var)
    for var in started:
        if var not in joined:
            return Step("join", var)
    return Step("sleep", "", 1.0)


def insert_step(scenario: Scenario, step: Step, index: int | None = None) -> Scenario:
    """Insert `step` at `index` (default: the end)."""
    steps = list(scenario.program)
    steps.insert(len(steps) if index is None else index, step)
    return replace(scenario, program=tuple(steps))


def remove_step(scenario: Scenario, index: int) -> Scenario:
    """Remove step `index`."""
    return replace(scenario, program=_without(scenario.program, index))


def move_step(scenario: Scenario, index: int, to: int) -> Scenario:
    """Move step `index` to position `to`."""
    return replace(scenario, program=_moved(scenario.program, index, to))


def _without(items: tuple[_T, ...], i: int) -> tuple[_T, ...]:
    return items[:i] + items[i + 1:]


def _moved(items: tuple[_T, ...], i: int, to: int) -> tuple[_T, ...]:
    rest = list(items)
    rest.insert(to, rest.pop(i))
    return tuple(rest)


def set_step(scenario: Scenario, index: int, step: Step) -> Scenario:
    """Replace step `index`."""
    steps = list(scenario.program)
    steps[index] = step
    return replace(scenario, program=tuple(steps))


def change_step(step: Step, field: str, value: str | float | None) -> Step:
    """`step` with its action, target or seconds changed, keeping it meaningful: a sleep
    has no target and needs seconds; start and terminate take no seconds."""
    if field == "action":
        action = as_action(str(value))
        if action == "sleep":
            return Step("sleep", "", step.seconds if step.seconds is not None else 1.0)
        keep_timeout = action == "join" and step.action == "join"
        return Step(action, step.target, step.seconds if keep_timeout else None)
    if field == "target":
        return replace(step, target=str(value))
    if field == "seconds":
        return replace(step, seconds=None if value is None else float(value))
    raise KeyError(field)
