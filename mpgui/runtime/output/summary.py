"""A run in numbers: per process pid, start, end, exit code, cores and CPU time; how
much of the CPUs other programs used; how far the run was from its prediction, and why."""

from __future__ import annotations

from dataclasses import dataclass

from mpgui.i18n import _
from mpgui.model.backend import get_backend
from mpgui.model.escape import one_line, shown
from mpgui.runtime.protocol import State
from mpgui.runtime.store.trace import OPEN, TraceStore

# Other programs' share of the CPUs from which a run's words mention them: below it, a
# run's timings are about what they would be on an idle computer. Not for runs shorter
# than MIN_OTHERS_S: there a tick of the counters (10 ms) is too large a part of it.
NOTABLE_OTHERS = 0.10
MIN_OTHERS_S = 0.5
# The table's first heading: what a row is (`Backend.unit`), in the language chosen (a
# unit not listed is shown as the backend says it).
_UNIT_HEADINGS = {"process": _("process"), "thread": _("thread"), "task": _("task")}
# Measured time in a state beyond what the prediction had, from which it is named as a
# reason for being late (shorter is the noise of waking up and reporting).
NOTABLE_NS = 10_000_000


@dataclass(frozen=True)
class ProcessSummary:
    """What one process did, in seconds since the run began."""

    var: str
    name: str
    pid: int | None
    start: float | None  # X.start() was called
    ready: float | None  # its first event: Python was running in it
    end: float | None
    exit_code: int | None
    cores: tuple[int, ...]
    cpu: float
    lines: int
    error: str | None


def summarize(store: TraceStore) -> list[ProcessSummary]:
    """One summary per process lane, in table order."""
    out = []
    for ln in store.lanes:
        if ln.kind != "process":
            continue
        out.append(ProcessSummary(
            ln.var, ln.name, ln.pid, store.seconds(ln.start_call_t), store.seconds(ln.started_t),
            store.seconds(ln.end_t), ln.exit_code, tuple(sorted(c for c in ln.cores if c >= 0)),
            store.cpu_seconds(ln.index), ln.lines,
            f"{ln.error[0]}: {ln.error[1]}" if ln.error else None))
    return out


def wall_seconds(store: TraceStore) -> float:
    """The run's wall time so far."""
    if store.t0 is None:
        return 0.0
    ends = [ln.end_t for ln in store.lanes if ln.end_t is not None]
    end = store.t_end if store.t_end is not None else max(ends, default=store.t0)
    return (end - store.t0) / 1e9


def end_word(code: int | None, failed: bool, backend: str) -> str:
    """How a row ended, shortly: a process's exit code; for a thread or a pool task,
    which have none, 'ok', 'exception', 'sys.exit(N)' or 'stopped'."""
    if code is None:
        return "-"
    if get_backend(backend).own_process:
        return str(code)
    if failed:
        return _("exception")
    # TRANSLATORS: how a thread or a pool task ended, in the summary's table: all went well.
    return _("ok") if code == 0 else _("stopped") if code < 0 else f"sys.exit({code})"


def format_summary(store: TraceStore, header: str) -> str:
    """A small table for the terminal."""
    def s(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"

    backend = get_backend(store.backend)
    # TRANSLATORS: the headings of the summary's table (start s: when it started, in
    # seconds; exit: its exit code; end: how a thread or task ended; CPU s: CPU time).
    rows = [(_UNIT_HEADINGS.get(backend.unit, backend.unit), _("name"), _("pid"),
             _("start s"), _("end s"), _("exit") if backend.own_process else _("end"),
             _("cores"), _("CPU s"))]
    for p in summarize(store):
        # Names may come from a traced script: shown escaped, so the table is its rows.
        rows.append((shown(p.var), shown(p.name), str(p.pid or "-"), s(p.start), s(p.end),
                     end_word(p.exit_code, p.error is not None, store.backend),
                     ",".join(map(str, p.cores)) or "-", f"{p.cpu:.3f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [header] + ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))
                        .rstrip() for r in rows]
    for p in summarize(store):
        if p.error:
            lines.append(f"  {shown(p.var)}: {one_line(p.error, 300)}")
    others = others_note(store)
    if others:
        lines.append(f"  {others}")
    elif not store.others.measured:
        lines.append(f"  {not_measured(store)}")
    return "\n".join(lines)


def percent(share: float) -> str:
    """0.383 -> '38 %'."""
    return _("{percent} %").format(percent=round(share * 100))


def not_measured(store: TraceStore) -> str:
    """'other programs' use of the CPUs was not measured (why)'."""
    why = store.others.note
    if why:
        return _("other programs' use of the CPUs was not measured ({why})").format(why=why)
    return _("other programs' use of the CPUs was not measured")


def notable_others(share: float | None, wall: float) -> bool:
    """Whether other programs' `share` of the CPUs during a run of `wall` s is worth a
    word (see NOTABLE_OTHERS)."""
    return share is not None and share >= NOTABLE_OTHERS and wall >= MIN_OTHERS_S


def others_note(store: TraceStore) -> str:
    """'other programs used 38 % of the CPUs during this run: its timings may be
    stretched', when they used at least NOTABLE_OTHERS of them; else ''."""
    share = store.others_share()
    if share is None or not notable_others(share, wall_seconds(store)):
        return ""
    return _("other programs used {share} of the CPUs during this run: its timings may be "
             "stretched").format(share=percent(share))


@dataclass(frozen=True)
class RunFigures:
    """A run in a few numbers, to compare runs with."""

    wall: float  # seconds from Run to the end
    cpu: float  # CPU seconds of all the rows together
    serial: float  # the rows' work (running or sleeping) added up: one after another
    others: float | None = None  # part (0..1) of the CPUs other programs used; None: unknown

    @property
    def speedup(self) -> float:
        """How many times faster than the same work done one row after another."""
        return self.serial / self.wall if self.wall > 0 else 0.0


def run_figures(store: TraceStore) -> RunFigures:
    """Wall time, CPU time and the serial time of a finished run.

    The serial time counts what each row spent running or sleeping, not the time it
    waited to start, for a core, for the GIL or in a pool's queue: it is how long the
    same work takes one row after another, so two threads taking turns under the GIL
    show no speed-up, nor do four processes sharing two cores show four."""
    rows = {ln.index for ln in store.lanes if ln.kind == "process"}
    working = (State.RUNNING, State.SLEEPING)
    end = store.t_end if store.t_end is not None else 0
    serial_ns = sum((t1 if t1 != OPEN else end) - t0 for lane, state, t0, t1 in zip(
        store.span_lane, store.span_state, store.span_t0, store.span_t1, strict=True)
        if state in working and lane in rows and (t1 != OPEN or store.t_end is not None))
    return RunFigures(wall_seconds(store), sum(p.cpu for p in summarize(store)),
                      max(0, serial_ns) / 1e9, store.others_share())


def state_ns(store: TraceStore, state: int) -> int:
    """Time every lane spent in `state`, added up (spans still open not counted)."""
    return sum(t1 - t0 for st, t0, t1 in zip(store.span_state, store.span_t0, store.span_t1,
                                              strict=True) if st == state and t1 != OPEN)


def late_reasons(store: TraceStore, plan: TraceStore) -> list[str]:
    """Why a run took longer than predicted: only what happened, in plain words —
    starting (the prediction's start() costs nothing), waiting for a core or for the
    GIL longer than predicted, other programs on the CPUs."""
    reasons = []
    if state_ns(store, State.STARTING) >= 1_000_000:
        # What starting means for the backend (the prediction takes it to cost nothing).
        reasons.append(get_backend(store.backend).starting)
    if state_ns(store, State.PREEMPTED) - state_ns(plan, State.PREEMPTED) >= NOTABLE_NS:
        reasons.append(_("sharing cores"))
    if state_ns(store, State.GIL) - state_ns(plan, State.GIL) >= NOTABLE_NS:
        reasons.append(_("waiting for the GIL"))
    if notable_others(store.others_share(), wall_seconds(store)):
        reasons.append(_("other programs using the CPUs"))
    return reasons


# A prediction's info key: what its times leave out, in words ("updates of a shared
# value"; missing: nothing) — set by the prediction, said by `versus_prediction`.
UNTIMED_INFO = "untimed"
# The store's info key of a prediction cut short (too much to compute): where it stops
# (ns since its start) — set by the prediction, said by `versus_prediction` and the chart.
PARTIAL_INFO = "predicted_until"


def versus_prediction(store: TraceStore, plan: TraceStore | None) -> str:
    """How the run's wall time compares with the predicted one, in words, with the
    reasons for being late that were measured ("" without a prediction). A prediction
    that leaves some work's time out says so, and blames nothing else; one that leaves
    out all of it gives no number ("predicted 0.000 s" beside a run of a second would
    contradict the chart)."""
    if plan is None or plan.t0 is None or plan.t_end is None:
        return ""
    predicted, measured = wall_seconds(plan), wall_seconds(store)
    if plan.info.get(PARTIAL_INFO) is not None:  # (its end is not the scenario's)
        return _("predicted only its first {predicted:.3f} s (the whole would take too "
                 "long to compute)").format(predicted=predicted)
    untimed = plan.info.get(UNTIMED_INFO)
    if untimed and round(predicted, 3) == 0:  # (its work is all untimed: no number)
        return _("not predicted: the time of its {untimed} depends on the "
                 "computer").format(untimed=untimed)
    if untimed:
        return _("predicted {predicted:.3f} s, leaving out its {untimed} (their time "
                 "depends on the computer)").format(predicted=predicted, untimed=untimed)
    late = measured - predicted
    reasons = late_reasons(store, plan) if late > 0 else [_("ahead of the plan")]
    if reasons:
        return _("predicted {predicted:.3f} s; {late:+.3f} s ({reasons})").format(
            predicted=predicted, late=late, reasons=", ".join(reasons))
    return _("predicted {predicted:.3f} s; {late:+.3f} s").format(predicted=predicted,
                                                                  late=late)
