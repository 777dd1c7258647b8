"""A run in words, in the same words as the chart's hover: what a step-through replay
says at each event ("C.join() returns: C has finished") and the chart's text
alternative for screen readers (`describe_run`: the lanes, their states, joins and
exits in sentences)."""

from __future__ import annotations

from mpgui.i18n import _, ngettext
from mpgui.model.backend import get_backend
from mpgui.model.escape import shown
from mpgui.runtime.protocol import State
from mpgui.runtime.session.steps import Kind, Moment, Steps
from mpgui.runtime.store.trace import Lane, TraceStore
from mpgui.ui.chart.hover import state_text
from mpgui.ui.chart.labels import lane_exit_text

MAIN = _("The main program")
_LINE_CHARS = 80  # a printed line quoted longer than this is cut


def sentence(store: TraceStore, moment: Moment) -> str:
    """One sentence for `moment` of the run in `store`."""
    lanes = store.lanes
    ln = lanes[moment.lane]
    who = ln.label if ln.kind != "main" else MAIN
    var = ln.var
    backend = get_backend(store.backend)
    code = backend.code
    kind = moment.kind
    if kind == Kind.START:
        if code.row_class is None:  # (a pool's apply_async(), Dask's submit())
            return _("The main program calls {call} for {var}.").format(
                call=backend.start_call, var=var)
        return _("The main program calls {call}.").format(call=f"{var}.start()")
    if kind == Kind.STARTED:
        if ln.pid:
            return _("{who} (pid {pid}) runs its first instruction.").format(who=who,
                                                                             pid=ln.pid)
        return _("{who} runs its first instruction.").format(who=who)
    if kind == Kind.STATE:
        state, core = store.span_state[moment.ref], store.span_core[moment.ref]
        t = (store.span_t0[moment.ref] - (store.t0 or 0)) / 1e9
        text = state_text(store, ln, state, core, t)
        if state == State.BLOCKED:
            on = _waiting_on(store, moment)
            text += f" {on}" if on else ""
        return _("{who} is {state}.").format(who=who, state=text)
    if kind == Kind.SLEEP:
        return _("The main program sleeps (time.sleep): it needs no core meanwhile.")
    if kind == Kind.SHARED:
        return _shared(store, moment, who)
    if kind == Kind.PRINT:
        text = shown(store.line_text(moment.ref))
        if len(text) > _LINE_CHARS:
            text = text[:_LINE_CHARS - 1] + "…"
        return _("{who} prints “{text}”.").format(who=who, text=text)
    if kind in (Kind.JOIN, Kind.JOINED):
        return _join(store, moment, code.join)
    if kind == Kind.TERMINATE:
        if ln.terminated_at_end:
            return _("The script ends: Python terminates the daemon {var}.").format(var=var)
        return _("The main program calls {call}.").format(call=f"{var}.terminate()")
    if kind == Kind.EXIT:
        return _("{who} ends: {how}.").format(who=who, how=lane_exit_text(ln, store.backend))
    return _("The main program ends: the run is over.")


def _join(store: TraceStore, moment: Moment, method: str) -> str:
    join = store.joins[moment.ref]
    var = store.lanes[join.lane].var
    waiter = store.lanes[join.waiter]
    who = MAIN if waiter.kind == "main" else waiter.label
    timeout = "" if join.timeout_ns is None else f"timeout={join.timeout_ns / 1e9:g}"
    call = f"{var}.{method}({timeout})"
    if moment.kind == Kind.JOIN:
        if join.implicit:
            return _("{who} is at its end: Python waits there for {var} to finish.").format(
                who=who, var=var)
        return _("{who} waits in {call} until {var} finishes.").format(who=who, call=call,
                                                                       var=var)
    if join.interrupted:
        return _("{call} was cut short: the run was stopped.").format(call=call)
    if join.timed_out:
        return _("{call} returns after its timeout: {var} is still running.").format(
            call=call, var=var)
    return _("{call} returns: {var} has finished.").format(call=call, var=var)


def _waiting_on(store: TraceStore, moment: Moment) -> str:
    """"in get() on Q" for a BLOCKED span, from the wait the lane began ("" if none)."""
    t = store.span_t0[moment.ref]
    for op in reversed(store.records("shared")):
        if op.lane == moment.lane and op.verb == "wait" and op.t <= t:
            return _("in {call}() on {obj}").format(call=op.item, obj=op.obj)
    return ""


# An operation on a shared object: verb -> how it reads ({who}, {obj}, {item}, {value},
# {read}).
_SHARED = {
    "put": _("{who} puts {item} on {obj}."), "get": _("{who} gets {item} from {obj}."),
    "acquire": _("{who} takes {obj}."), "release": _("{who} releases {obj}."),
    "wait": _("{who} begins to wait in {item}() on {obj}."),
    "read": _("{who} reads {obj}: {value}."), "setv": _("{who} sets {obj} to {value}."),
    "rw": _("{who} updates {obj}: read {read}, wrote {value}."),
    "store": _("{who} stores the key {key} in {obj}."),
    "delete": _("{who} deletes the key {key} from {obj}."),
    "setattr": _("{who} sets the attribute {key} of {obj}."),
    "delattr": _("{who} deletes the attribute {key} of {obj}."),
    "write": _("{who} writes cell {key} of {obj}."),
    "append": _("{who} appends an item to {obj}."),
    "insert": _("{who} inserts an item into {obj}."),
    "remove": _("{who} takes an item out of {obj}."),
}
# (a dict's clear(): a deletion of no one key)
_CLEARED = _("{who} empties {obj}.")


def _shared(store: TraceStore, moment: Moment, who: str) -> str:
    op = store.records("shared")[moment.ref]
    item = _("item {item}").format(item=shown(op.item)) if op.item else _("an item")
    value = "?" if op.value is None else f"{op.value:g}"
    read = "?" if op.value is None else f"{op.value:g}"
    if op.verb == "rw" and op.value is not None:
        value = f"{op.value + op.gain:g}"
    if op.verb == "extend" and op.item and op.item.isdigit():
        n = int(op.item)
        return ngettext("{who} extends {obj} by {n} item.", "{who} extends {obj} by {n} items.",
                        n).format(who=who, obj=shown(op.obj), n=n)
    said = _CLEARED if op.verb == "delete" and op.item is None else \
        _SHARED.get(op.verb) or _("{who} calls {obj}.{verb}().")
    return said.format(
        who=who, obj=shown(op.obj), item=item if op.verb != "wait" else shown(op.item or "wait"),
        value=value, read=read, verb=op.verb, key=shown(op.item or ""))


# -- the whole run: the chart's text alternative ----------------------------------------

MAX_MAIN_SENTENCES = 40  # the main program's calls said one by one, then counted
MAX_LANES = 64  # processes described one by one, then counted
# What each state's time is called in a lane's sentence.
_TIME_IN = {State.RUNNING: _("running"), State.PREEMPTED: _("preempted (waiting for a core)"),
            State.SLEEPING: _("sleeping"), State.WAITING: _("waiting"),
            State.STARTING: _("starting"), State.GIL: _("waiting for the GIL"),
            State.QUEUED: _("queued"), State.BLOCKED: _("blocked on a shared object")}
_MAIN_KINDS = frozenset({Kind.START, Kind.SLEEP, Kind.JOIN, Kind.JOINED, Kind.TERMINATE,
                         Kind.END})


def describe_run(store: TraceStore, head: str, cpus: int, steps: Steps | None = None
                 ) -> list[str]:
    """The chart of the run in `store` in sentences, paragraph by paragraph — what a
    screen reader reads instead of the picture: `head` (which run, how it ran), the
    lanes from top to bottom, the main program's calls in order, each process's start,
    time in each state, lines and end, the shared objects and the `cpus` CPUs."""
    if steps is None:
        steps = Steps(store)
    t0 = store.t0 or 0
    end = store.t_end if store.t_end is not None else max(
        [t0, *store.span_t0, *store.span_t1, *store.line_t])
    wall = (end - t0) / 1e9
    lanes = store.lanes
    rows = [ln for ln in lanes if ln.kind != "main"]
    cores = range(cpus)  # the chart's CPU lanes: every CPU, used or not
    objects = sorted({op.obj for op in store.records("shared")})
    out = [run_summary(store, head, wall)]
    names = [ln.label if ln.kind != "main" else _("the main program") for ln in lanes]
    names += [_("the shared object {name}").format(name=shown(o)) for o in objects]
    names += [_("CPU {cpu}").format(cpu=c) for c in cores]
    out.append(_("The lanes from top to bottom: {lanes}.").format(lanes="; ".join(names)))
    said = [_("At {t:.3f} s: {sentence}").format(t=steps.t[i] / 1e9,
                                                  sentence=sentence(store, steps.moment(i)))
            for i in range(len(steps)) if steps.kind[i] in _MAIN_KINDS]
    if len(said) > MAX_MAIN_SENTENCES:
        more = len(said) - MAX_MAIN_SENTENCES
        said = [*said[:MAX_MAIN_SENTENCES], ngettext(
            "… and {n} more (step through a replay to hear them all).",
            "… and {n} more (step through a replay to hear them all).", more).format(n=more)]
    if said:
        out.append(_("The main program: {calls}").format(calls=" ".join(said)))
    out += [_lane_paragraph(store, ln, end) for ln in rows[:MAX_LANES]]
    if len(rows) > MAX_LANES:
        more = len(rows) - MAX_LANES
        out.append(ngettext("… and {n} more lanes.", "… and {n} more lanes.", more).format(
            n=more))
    out += [_object_paragraph(store, o) for o in objects]
    out += [_cpu_paragraph(store, c, end, wall) for c in cores]
    share = store.others.share()
    if share is not None:
        out.append(_("Other programs on this computer used {share:.0%} of all the CPUs "
                     "during the run (the grey bars of the CPU lanes).").format(share=share))
    return out


def run_summary(store: TraceStore, head: str, wall: float) -> str:
    """The description's first sentence: `head`, how long, how many lanes and lines."""
    rows = sum(1 for ln in store.lanes if ln.kind != "main")
    lanes = ngettext("{n} lane besides the main program", "{n} lanes besides the main program",
                     rows).format(n=rows)
    lines = ngettext("{n} printed line", "{n} printed lines", store.n_lines).format(
        n=store.n_lines)
    return _("{head}: {wall:.3f} s from Run to the end, {lanes}, {lines}.").format(
        head=head, wall=wall, lanes=lanes, lines=lines)


def _lane_paragraph(store: TraceStore, ln: Lane, end: int) -> str:
    t0 = store.t0 or 0
    parts = []
    if ln.start_call_t is not None:
        parts.append(_("start() called at {t:.3f} s").format(t=(ln.start_call_t - t0) / 1e9))
    if ln.started_t is not None:
        parts.append(_("first instant at {t:.3f} s").format(t=(ln.started_t - t0) / 1e9))
    if not parts:
        parts.append(_("never started"))
    spent: dict[int, int] = {}
    for lane, state, a, b in zip(store.span_lane, store.span_state, store.span_t0,
                                 store.span_t1, strict=True):
        if lane == ln.index:
            spent[state] = spent.get(state, 0) + ((end if b < 0 else b) - a)
    times = [_("{state} {t:.3f} s").format(state=_TIME_IN.get(s, str(s)), t=ns / 1e9)
             for s, ns in sorted(spent.items(), key=lambda kv: -kv[1]) if ns > 0]
    if times:
        parts.append(", ".join(times))
    if ln.cores:
        cores = sorted(ln.cores)
        if len(cores) == 1:
            parts.append(_("on CPU {cpu}").format(cpu=cores[0]))
        elif len(cores) == 2:
            parts.append(_("on CPU {first} and {second}").format(first=cores[0],
                                                                 second=cores[1]))
        else:
            parts.append(_("on CPUs {cpus}").format(cpus=", ".join(map(str, cores))))
    if ln.lines:
        parts.append(ngettext("printed {n} line", "printed {n} lines", ln.lines).format(
            n=ln.lines))
    if ln.end_t is not None:
        parts.append(_("ended at {t:.3f} s: {how}").format(
            t=(ln.end_t - t0) / 1e9, how=lane_exit_text(ln, store.backend)))
    else:
        parts.append(_("still going at the end"))
    return _("{lane}: {facts}.").format(lane=ln.label, facts="; ".join(parts))


def _object_paragraph(store: TraceStore, name: str) -> str:
    counts: dict[str, int] = {}
    for op in store.records("shared"):
        if op.obj == name:
            counts[op.verb] = counts.get(op.verb, 0) + 1
    said = ", ".join(_VERB_COUNTS[verb](n) if verb in _VERB_COUNTS else f"{n} {verb}"
                     for verb, n in counts.items())
    return _("The shared object {name}: {counts}.").format(name=shown(name), counts=said)


# How many times each operation was done on a shared object: verb -> "{n} puts".
_VERB_COUNTS = {
    "put": lambda n: ngettext("{n} puts", "{n} puts", n).format(n=n),
    "get": lambda n: ngettext("{n} gets", "{n} gets", n).format(n=n),
    "acquire": lambda n: ngettext("{n} times taken", "{n} times taken", n).format(n=n),
    "release": lambda n: ngettext("{n} releases", "{n} releases", n).format(n=n),
    "wait": lambda n: ngettext("{n} waits", "{n} waits", n).format(n=n),
    "rw": lambda n: ngettext("{n} updates", "{n} updates", n).format(n=n),
    "read": lambda n: ngettext("{n} reads", "{n} reads", n).format(n=n),
    "setv": lambda n: ngettext("{n} writes", "{n} writes", n).format(n=n),
    "store": lambda n: ngettext("{n} key stored", "{n} keys stored", n).format(n=n),
    "delete": lambda n: ngettext("{n} deletion", "{n} deletions", n).format(n=n),
    "setattr": lambda n: ngettext("{n} attribute set", "{n} attributes set", n).format(n=n),
    "delattr": lambda n: ngettext("{n} attribute deleted", "{n} attributes deleted",
                                  n).format(n=n),
    "write": lambda n: ngettext("{n} cell written", "{n} cells written", n).format(n=n),
    "append": lambda n: ngettext("{n} append", "{n} appends", n).format(n=n),
    "insert": lambda n: ngettext("{n} insert", "{n} inserts", n).format(n=n),
    "extend": lambda n: ngettext("{n} extend", "{n} extends", n).format(n=n),
    "remove": lambda n: ngettext("{n} item taken out", "{n} items taken out", n).format(n=n),
}


def _cpu_paragraph(store: TraceStore, cpu: int, end: int, wall: float) -> str:
    busy = sum((end if b < 0 else b) - a for state, core, a, b in zip(
        store.span_state, store.span_core, store.span_t0, store.span_t1, strict=True)
        if core == cpu and state == State.RUNNING) / 1e9
    if wall > 0:
        return _("CPU {cpu}: the run's processes ran on it {busy:.3f} s "
                 "({share:.0%} of the run).").format(cpu=cpu, busy=busy, share=busy / wall)
    return _("CPU {cpu}: the run's processes ran on it {busy:.3f} s.").format(cpu=cpu,
                                                                              busy=busy)
