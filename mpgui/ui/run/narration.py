"""A run in words, in the same words as the chart's hover: what a step-through replay
says at each event ("C.join() returns: C has finished") and the chart's text
alternative for screen readers (`describe_run`: the lanes, their states, joins and
exits in sentences)."""

from __future__ import annotations

from mpgui.model.backend import get_backend
from mpgui.model.escape import shown
from mpgui.runtime.protocol import State
from mpgui.runtime.session.steps import Kind, Moment, Steps
from mpgui.runtime.store.trace import Lane, TraceStore
from mpgui.ui.chart.hover import state_text
from mpgui.ui.chart.labels import lane_exit_text

MAIN = "The main program"
_LINE_CHARS = 80  # a printed line quoted longer than this is cut


def sentence(store: TraceStore, moment: Moment) -> str:
    """One sentence for `moment` of the run in `store`."""
    lanes = store.lanes
    ln = lanes[moment.lane]
    who = ln.label if ln.kind != "main" else MAIN
    var = ln.var
    code = get_backend(store.backend).code
    kind = moment.kind
    if kind == Kind.START:
        call = f"{var}.start()" if code.row_class is not None else f"apply_async() for {var}"
        return f"{MAIN} calls {call}."
    if kind == Kind.STARTED:
        pid = f" (pid {ln.pid})" if ln.pid else ""
        return f"{who}{pid} runs its first instruction."
    if kind == Kind.STATE:
        state, core = store.span_state[moment.ref], store.span_core[moment.ref]
        t = (store.span_t0[moment.ref] - (store.t0 or 0)) / 1e9
        text = state_text(store, ln, state, core, t)
        if state == State.BLOCKED:
            text += _waiting_on(store, moment)
        return f"{who} is {text}."
    if kind == Kind.SLEEP:
        return f"{MAIN} sleeps (time.sleep): it needs no core meanwhile."
    if kind == Kind.SHARED:
        return _shared(store, moment, who)
    if kind == Kind.PRINT:
        text = shown(store.line_text(moment.ref))
        if len(text) > _LINE_CHARS:
            text = text[:_LINE_CHARS - 1] + "…"
        return f"{who} prints “{text}”."
    if kind in (Kind.JOIN, Kind.JOINED):
        return _join(store, moment, code.join)
    if kind == Kind.TERMINATE:
        if ln.terminated_at_end:
            return f"The script ends: Python terminates the daemon {var}."
        return f"{MAIN} calls {var}.terminate()."
    if kind == Kind.EXIT:
        return f"{who} ends: {lane_exit_text(ln, store.backend)}."
    return f"{MAIN} ends: the run is over."


def _join(store: TraceStore, moment: Moment, method: str) -> str:
    join = store.joins[moment.ref]
    var = store.lanes[join.lane].var
    waiter = store.lanes[join.waiter]
    who = MAIN if waiter.kind == "main" else waiter.label
    timeout = "" if join.timeout_ns is None else f"timeout={join.timeout_ns / 1e9:g}"
    call = f"{var}.{method}({timeout})"
    if moment.kind == Kind.JOIN:
        if join.implicit:
            return f"{who} is at its end: Python waits there for {var} to finish."
        return f"{who} waits in {call} until {var} finishes."
    if join.interrupted:
        return f"{call} was cut short: the run was stopped."
    if join.timed_out:
        return f"{call} returns after its timeout: {var} is still running."
    return f"{call} returns: {var} has finished."


def _waiting_on(store: TraceStore, moment: Moment) -> str:
    """" in get() on Q" for a BLOCKED span, from the wait the lane began."""
    t = store.span_t0[moment.ref]
    for op in reversed(store.records("shared")):
        if op.lane == moment.lane and op.verb == "wait" and op.t <= t:
            return f" in {op.item}() on {op.obj}"
    return ""


# An operation on a shared object: verb -> how it reads ({obj}, {item}, {value}).
_SHARED = {
    "put": "puts {item} on {obj}", "get": "gets {item} from {obj}",
    "acquire": "takes {obj}", "release": "releases {obj}",
    "wait": "begins to wait in {item}() on {obj}",
    "read": "reads {obj}: {value}", "setv": "sets {obj} to {value}",
    "rw": "updates {obj}: read {read}, wrote {value}",
}


def _shared(store: TraceStore, moment: Moment, who: str) -> str:
    op = store.records("shared")[moment.ref]
    item = f"item {shown(op.item)}" if op.item else "an item"
    value = "?" if op.value is None else f"{op.value:g}"
    read = "?" if op.value is None else f"{op.value:g}"
    if op.verb == "rw" and op.value is not None:
        value = f"{op.value + op.gain:g}"
    text = _SHARED.get(op.verb, f"calls {{obj}}.{op.verb}()").format(
        obj=shown(op.obj), item=item if op.verb != "wait" else shown(op.item or "wait"),
        value=value, read=read)
    return f"{who} {text}."


# -- the whole run: the chart's text alternative ----------------------------------------

MAX_MAIN_SENTENCES = 40  # the main program's calls said one by one, then counted
MAX_LANES = 64  # processes described one by one, then counted
# What each state's time is called in a lane's sentence.
_TIME_IN = {State.RUNNING: "running", State.PREEMPTED: "preempted (waiting for a core)",
            State.SLEEPING: "sleeping", State.WAITING: "waiting", State.STARTING: "starting",
            State.GIL: "waiting for the GIL", State.QUEUED: "queued",
            State.BLOCKED: "blocked on a shared object"}
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
    names = [ln.label if ln.kind != "main" else "the main program" for ln in lanes]
    names += [f"the shared object {shown(o)}" for o in objects]
    names += [f"CPU {c}" for c in cores]
    out.append("The lanes from top to bottom: " + "; ".join(names) + ".")
    said = [f"At {steps.t[i] / 1e9:.3f} s: {sentence(store, steps.moment(i))}"
            for i in range(len(steps)) if steps.kind[i] in _MAIN_KINDS]
    if len(said) > MAX_MAIN_SENTENCES:
        more = len(said) - MAX_MAIN_SENTENCES
        said = [*said[:MAX_MAIN_SENTENCES],
                f"… and {more} more (step through a replay to hear them all)."]
    if said:
        out.append("The main program: " + " ".join(said))
    out += [_lane_paragraph(store, ln, end) for ln in rows[:MAX_LANES]]
    if len(rows) > MAX_LANES:
        out.append(f"… and {len(rows) - MAX_LANES} more lanes.")
    out += [_object_paragraph(store, o) for o in objects]
    out += [_cpu_paragraph(store, c, end, wall) for c in cores]
    share = store.others.share()
    if share is not None:
        out.append(f"Other programs on this computer used {share:.0%} of all the CPUs "
                   "during the run (the grey bars of the CPU lanes).")
    return out


def run_summary(store: TraceStore, head: str, wall: float) -> str:
    """The description's first sentence: `head`, how long, how many lanes and lines."""
    rows = sum(1 for ln in store.lanes if ln.kind != "main")
    return (f"{head}: {wall:.3f} s from Run to the end, {rows} "
            f"{'lane' if rows == 1 else 'lanes'} besides the main program, "
            f"{store.n_lines} printed {'line' if store.n_lines == 1 else 'lines'}.")


def _lane_paragraph(store: TraceStore, ln: Lane, end: int) -> str:
    t0 = store.t0 or 0
    parts = []
    if ln.start_call_t is not None:
        parts.append(f"start() called at {(ln.start_call_t - t0) / 1e9:.3f} s")
    if ln.started_t is not None:
        parts.append(f"first instant at {(ln.started_t - t0) / 1e9:.3f} s")
    if not parts:
        parts.append("never started")
    spent: dict[int, int] = {}
    for lane, state, a, b in zip(store.span_lane, store.span_state, store.span_t0,
                                 store.span_t1, strict=True):
        if lane == ln.index:
            spent[state] = spent.get(state, 0) + ((end if b < 0 else b) - a)
    times = [f"{_TIME_IN.get(s, str(s))} {ns / 1e9:.3f} s" for s, ns in
             sorted(spent.items(), key=lambda kv: -kv[1]) if ns > 0]
    if times:
        parts.append(", ".join(times))
    if ln.cores:
        cores = sorted(ln.cores)
        parts.append(f"on CPU {' and '.join(map(str, cores))}" if len(cores) <= 2 else
                     f"on CPUs {', '.join(map(str, cores))}")
    if ln.lines:
        parts.append(f"printed {ln.lines} {'line' if ln.lines == 1 else 'lines'}")
    if ln.end_t is not None:
        parts.append(f"ended at {(ln.end_t - t0) / 1e9:.3f} s: "
                     f"{lane_exit_text(ln, store.backend)}")
    else:
        parts.append("still going at the end")
    return f"{ln.label}: " + "; ".join(parts) + "."


def _object_paragraph(store: TraceStore, name: str) -> str:
    counts: dict[str, int] = {}
    for op in store.records("shared"):
        if op.obj == name:
            counts[op.verb] = counts.get(op.verb, 0) + 1
    said = ", ".join(f"{n} {_VERB_COUNTS.get(verb, verb)}" for verb, n in counts.items())
    return f"The shared object {shown(name)}: {said}."


_VERB_COUNTS = {"put": "puts", "get": "gets", "acquire": "times taken",
                "release": "releases", "wait": "waits", "rw": "updates", "read": "reads",
                "setv": "writes"}


def _cpu_paragraph(store: TraceStore, cpu: int, end: int, wall: float) -> str:
    busy = sum((end if b < 0 else b) - a for state, core, a, b in zip(
        store.span_state, store.span_core, store.span_t0, store.span_t1, strict=True)
        if core == cpu and state == State.RUNNING) / 1e9
    part = f" ({busy / wall:.0%} of the run)" if wall > 0 else ""
    return f"CPU {cpu}: the run's processes ran on it {busy:.3f} s{part}."
