"""A run's moments in words: what a step-through replay says at each event ("C.join()
returns: C has ended"), in the same words as the chart's hover."""

from __future__ import annotations

from mpgui.model.backend import get_backend
from mpgui.model.escape import shown
from mpgui.runtime.protocol import State
from mpgui.runtime.session.steps import Kind, Moment
from mpgui.runtime.store.trace import TraceStore
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
