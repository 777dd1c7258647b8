"""What differs between two runs, in words: "with processes" against "with threads",
"with fork" against "with spawn", "at speed 2", "with 4 processes", "on 2 cores", the
scenario's name or its main program. The comparison's headline is built from these
(`mpgui.ui.run.compare.verdict`), so that it names what was changed, not run numbers."""

from __future__ import annotations

from mpgui.i18n import _, ngettext
from mpgui.model.backend import Backend, get_backend
from mpgui.model.instances import flat_program
from mpgui.model.scenario import Scenario, Step
from mpgui.runtime.session.record import RunRecord


def differences(a: RunRecord, b: RunRecord) -> tuple[str, str]:
    """How `a` and `b` differ, as two phrases of the same shape — ("with processes",
    "with threads"), ("seed", "sequential"), ("with fork at speed 2", "with spawn at
    speed 1") — or ("", "") when they ran the same scenario the same way."""
    if (a.script, a.name) != (b.script, b.name):  # other programs: their names say it
        return _name(a), _name(b)
    if a.script is not None:  # the same script twice: how it ran is its own affair
        return "", ""
    withs: list[tuple[str, str]] = []  # "with ..." phrases, merged into one below
    others: list[tuple[str, str]] = []  # "at speed 2", "on 4 cores"
    shapes = _shape(a), _shape(b)
    if _edited(a.scenario, b.scenario):
        if shapes[0] != shapes[1] and "" not in shapes:
            withs.append(shapes)
        else:  # the later run has the edit
            after, before = _("after the edit"), _("before the edit")
            others.append((after, before) if a.number > b.number else (before, after))
    backends = get_backend(a.store.backend), get_backend(b.store.backend)
    counts = _count(a), _count(b)
    if counts[0] != counts[1]:  # "4 processes", "4 tasks": what a row is called
        withs.append(tuple(_rows(n, k)  # type: ignore[arg-type]
                           for n, k in zip(counts, backends, strict=True)))
    elif backends[0] != backends[1]:  # "with processes", "with a pool"
        withs.append(tuple(k.called for k in backends))  # type: ignore[arg-type]
    if backends[0] == backends[1] and backends[0].has_workers and _workers(a) != _workers(b):
        withs.append((_worker_count(_workers(a)), _worker_count(_workers(b))))
    if a.start_method != b.start_method:
        withs.append((a.start_method, b.start_method))
    if a.speed != b.speed:
        others.append((_("at speed {speed:g}").format(speed=a.speed),
                       _("at speed {speed:g}").format(speed=b.speed)))
    if a.cores != b.cores:
        others.append((_on_cores(a.cores), _on_cores(b.cores)))
    return _phrase(0, withs, others), _phrase(1, withs, others)


def _name(r: RunRecord) -> str:
    if r.script is not None:
        return _("your script {script}").format(script=r.script)
    return _("“{name}”").format(name=r.name)


def _rows(n: int, backend: Backend) -> str:
    """'4 processes', '1 thread', '3 tasks': `n` rows, called what `backend` calls one."""
    if backend.unit == "process":
        return ngettext("{n} process", "{n} processes", n).format(n=n)
    if backend.unit == "thread":
        return ngettext("{n} thread", "{n} threads", n).format(n=n)
    if backend.unit == "task":
        return ngettext("{n} task", "{n} tasks", n).format(n=n)
    return f"{n} {backend.unit if n == 1 else backend.units}"


def _worker_count(n: int) -> str:
    return ngettext("{n} worker", "{n} workers", n).format(n=n)


def _on_cores(n: int) -> str:
    return ngettext("on {n} core", "on {n} cores", n).format(n=n)


def _phrase(side: int, withs: list[tuple[str, str]], others: list[tuple[str, str]]) -> str:
    """'with processes and fork at speed 2' for one side."""
    parts = [w[side] for w in withs]
    head = ""
    if parts:
        # TRANSLATORS: {things} is what a run was made with: "processes and fork".
        head = _("with {things}").format(things=parts[0] if len(parts) == 1 else _(
            "{these} and {last}").format(these=", ".join(parts[:-1]), last=parts[-1]))
    return " ".join([head] * bool(head) + [o[side] for o in others])


def _edited(a: Scenario, b: Scenario) -> bool:
    """The table or the main program differs (the backend is told apart by itself)."""
    return (a.processes, a.program) != (b.processes, b.program)


def _shape(r: RunRecord) -> str:
    """How the main program runs its processes, when it is one of the two classic
    shapes: "one after another" (each start followed by its join) or "all at once"
    (every start before the first join); "" for anything else."""
    steps = [s for s in flat_program(r.scenario, r.cores) if s.action in ("start", "join")]
    starts = [s for s in steps if s.action == "start"]
    if len(starts) < 2:
        return ""
    if all(_is(steps, i + 1, "join", s.target) for i, s in enumerate(steps)
           if s.action == "start"):
        return _("the processes one after another")
    first_join = next((i for i, s in enumerate(steps) if s.action == "join"), len(steps))
    if all(i < first_join for i, s in enumerate(steps) if s.action == "start"):
        return _("the processes all at once")
    return ""


def _is(steps: list[Step], i: int, action: str, target: str) -> bool:
    return i < len(steps) and steps[i].action == action and steps[i].target == target


def _count(r: RunRecord) -> int:
    """How many rows ran (copies counted)."""
    return sum(1 for ln in r.store.lanes if ln.kind == "process")


def _workers(r: RunRecord) -> int:
    return sum(1 for ln in r.store.lanes if ln.kind == "worker")
