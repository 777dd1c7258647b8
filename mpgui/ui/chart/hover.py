"""What the chart says about the point under the mouse, in plain words.

Each line of a tooltip says one thing once: "sleeping (time.sleep): needs no core",
not "sleeping: sleeping ...". The legend's help (`theme.STATE_HELP`) is reused where it
fits the lane; where a lane's kind makes it wrong (a thread does not boot a process, a
pool's idle worker is not in join(), a traced script's block may be anything), the
sentence is this module's own.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from mpgui.i18n import N_, _, ngettext
from mpgui.model.backend import PROCESSES, get_backend
from mpgui.runtime.parent.children import TAKEN_DOWN
from mpgui.runtime.protocol import State
from mpgui.runtime.store.object_tracks import (
    ARRAY,
    BARRIER,
    CONDITION,
    DICT,
    EVENT,
    FREE,
    LIST,
    LOCK,
    NAMESPACE,
    PIPE,
    QUEUE,
    SEMAPHORE,
    ObjectTrack,
)
from mpgui.runtime.store.trace import Lane, TraceStore, state_label
from mpgui.ui.chart.geometry import Rows, SpanCache, Track
from mpgui.ui.chart.labels import lane_exit_text
from mpgui.ui.chart.objects_item import kind_name
from mpgui.ui.theme import STATE_HELP

# Sentences for states whose general help would be wrong or clumsy on a kind of lane:
# (lane kind, what a backend's row is called (its `unit`), or "script" for a traced
# script's lanes, state) -> the sentence.
_THREAD_SENTENCES = {
    State.STARTING: _("starting: start() was called; the thread has not run yet"),
    State.PREEMPTED: _("preempted: ready to run, but no core was free (time-slicing)"),
}
_SENTENCES: dict[tuple[str, int], str] = {
    **{("thread", state): text for state, text in _THREAD_SENTENCES.items()},
    ("worker", State.WAITING): _("idle: waiting for a task from the pool's queue"),
    ("script", State.WAITING): _("waiting: blocked — in join(), a lock, a queue, I/O or the "
                                 "GIL (the kernel does not say which)"),
    ("any", State.GIL): _("waiting for the GIL: ready to run, but another thread of the "
                          "process held it"),
}


def describe(store: TraceStore, cache: SpanCache, rows: Rows, t: float, row: int,
             tolerance: float, objects: Sequence[ObjectTrack] = ()) -> str:
    """A tooltip for time `t` (seconds since Run) on chart row `row`; "" for nothing.

    `tolerance` is how far (seconds) a printed line may be from `t` and still count;
    `objects` are the tracks of the shared objects' rows.
    """
    if not 0 <= row < rows.n_rows or store.t0 is None:
        return ""
    if rows.object_base <= row < rows.core_base:
        k = row - rows.object_base
        return describe_object(store, objects[k], t) if k < len(objects) else ""
    lane = rows.lane_of_row[row]
    if lane < 0:
        return _describe_core(store, cache, rows, t, row)
    ln = store.lanes[lane]
    if ln.kind == "worker":
        task = _task_at(store, cache, lane, t)
        if task is not None:  # the worker's row shows the task it ran: describe that
            return _("{worker} ran this task:\n{task}").format(
                worker=_head(ln),
                task=_describe_lane(store, cache, task, t, tolerance, with_pid=False))
    text = _describe_lane(store, cache, lane, t, tolerance)
    blocked = cache.tracks[lane].span_at(t) if lane < len(cache.tracks) else None
    if blocked is not None and cache.tracks[lane].span(blocked)[0] == State.BLOCKED:
        text += _blocked_on(store, lane, t, objects)
    return text


# Why a queue's call waits, by call.
_QUEUE_WAITS = {
    "get": _(": it is empty"), "put": _(": it is full"),
    "join": _(": until every item put on it is marked task_done()"),
    # (the process's work is done, but it ends only once what it put is in the pipe)
    "join_thread": _(": its work is done, but a process ends only once the items it put "
                     "are in the queue's pipe, and the pipe is full — nobody takes them "
                     "(drain the queue before join())"),
}


def _blocked_on(store: TraceStore, lane: int, t: float,
                objects: Sequence[ObjectTrack]) -> str:
    """What lane `lane`, blocked at `t`, waits on: the object, the call, since when, and
    for a lock who holds it — "\nwaiting in acquire() on L for 0.500 s: B holds it"."""
    assert store.t0 is not None
    at = store.t0 + round(t * 1e9)
    records = store.records("shared")
    # The lane's last wait begun by then (a lane's records are in its own order).
    wait = next((op for op in reversed(records)
                 if op.lane == lane and op.verb == "wait" and op.t <= at), None)
    if wait is None:
        return ""
    within = "" if wait.value is None else f"timeout={wait.value / 1000:g}"
    text = "\n" + _("waiting in {call} on {obj} for {seconds:.3f} s").format(
        call=f"{wait.item}({within})", obj=wait.obj, seconds=(at - wait.t) / 1e9)
    track = next((o for o in objects if o.name == wait.obj), None)
    if track is not None and track.kind == LOCK:
        holder = track.at(at)
        if holder != FREE and 0 <= holder < len(store.lanes):
            text += _(": {var} holds it").format(var=store.lanes[holder].var)
        elif holder == FREE:  # released, but the waiter has not yet run to take it
            since = track.since(at)
            text += _(": nobody holds it — this process has yet to run and take it") \
                if since is None else \
                _(": nobody holds it, released {seconds:.3f} s ago — this process has yet "
                  "to run and take it").format(seconds=(at - since) / 1e9)
    elif track is not None and track.kind == QUEUE:
        text += _QUEUE_WAITS.get(wait.item or "", _QUEUE_WAITS["join"])
    elif track is not None and track.kind == CONDITION:
        text += _(": until another process calls notify_all()")
    elif track is not None and track.kind == PIPE:
        text += _(": nothing has come to this end yet")
    elif track is not None and track.kind == EVENT:
        text += _(": nobody has set it yet")
    elif track is not None and track.kind == SEMAPHORE:
        text += _(": all its places are taken ({n})").format(n=track.at(at))
    elif track is not None and track.kind == BARRIER:
        text += _(": {n} waiting there, for the others to arrive").format(n=track.at(at))
    if wait.value is not None:
        text += _(" — it gives up after {seconds:g} s").format(seconds=wait.value / 1000)
    return text


def _describe_lane(store: TraceStore, cache: SpanCache, lane: int, t: float,
                   tolerance: float, with_pid: bool = True) -> str:
    assert store.t0 is not None
    ln = store.lanes[lane]
    parts = [_head(ln, with_pid), _("at {t:.3f} s").format(t=t)]
    track = cache.tracks[lane] if lane < len(cache.tracks) else None
    i = track.span_at(t) if track is not None else None
    end = (ln.end_t - store.t0) / 1e9 if ln.end_t is not None else None
    near_end = end is not None and abs(end - t) <= tolerance * 3
    if i is not None:
        state, core = track.span(i)  # type: ignore[union-attr]
        parts.append(state_text(store, ln, state, core, t))
    elif _before_start(track, t):
        parts.append(get_backend(store.backend).not_started if ln.kind == "process"
                     else _("not started yet"))
    elif end is not None and t > end and not near_end:
        code = _end_code(store, ln)
        parts.append(_("ended at {t:.3f} s: {how}").format(t=end, how=code) if code else
                     _("ended at {t:.3f} s").format(t=end))
    line = track.line_near(t, tolerance) if track is not None else None
    if line is not None:
        parts.append(_("printed at {t:.3f} s: {text}").format(
            t=line[0], text=store.line_text(line[1])))
    if near_end:
        parts.append(_end_code(store, ln) or _end_sentence(store, ln))
        if ln.error and ln.error[2]:
            parts.append(_traceback_frames(ln.error))
    return "\n".join(p for p in parts if p)


def _head(ln: Lane, with_pid: bool = True) -> str:
    """'A (process1 1) · pid 4289', 'main program (the parent)'."""
    head = ln.label if ln.kind != "main" else _("main program (the parent)")
    return _("{name} · pid {pid}").format(name=head, pid=ln.pid) if with_pid and ln.pid \
        else head


# The states' names as a person reads them (the store's labels are identifiers, written
# to files as they are).
STATE_NAMES = {State.RUNNING: N_("running"), State.PREEMPTED: N_("preempted"),
               State.SLEEPING: N_("sleeping"), State.WAITING: N_("waiting"),
               State.STARTING: N_("starting"), State.GIL: N_("waiting for the GIL"),
               State.QUEUED: N_("queued"), State.BLOCKED: N_("blocked")}


def state_text(store: TraceStore, ln: Lane, state: int, core: int, t: float) -> str:
    """One sentence for lane `ln` being in `state` (on `core`) at `t`, that names the
    state once: 'running on CPU 1', 'waiting in C.join() until C ends', 'sleeping
    (time.sleep): needs no core'."""
    if state == State.RUNNING:
        return _("running on CPU {cpu}").format(cpu=core) if core >= 0 else _("running")
    if state == State.WAITING:
        join = _join_at(store, ln.index, t)
        if join:
            return join
    script = "script" if "script" in store.info else ""
    unit = get_backend(store.backend).unit if ln.kind == "process" else ""  # "thread"
    for key in (ln.kind, unit, script, "any"):
        if (key, state) in _SENTENCES:
            return _SENTENCES[key, state]
    label = _(STATE_NAMES[state]) if state in STATE_NAMES else state_label(state)
    help_text = STATE_HELP.get(state)
    if not help_text:
        return label
    # The help may begin with the state's name ("starting: the new Python process is
    # booting") or not ("ready to run, but ..."): name it once either way.
    return help_text if help_text.startswith(label) else \
        _("{state}: {explanation}").format(state=label, explanation=help_text)


def _end_code(store: TraceStore, ln: Lane) -> str:
    """How the lane ended, when there is more to say than that it did: 'exit 0',
    '✖ exit 1 — RuntimeError: ...', 'ended by sys.exit(3)', 'stopped with the pool'."""
    if ln.kind == "main" and ln.exit_code is None:  # a scenario's main program
        return ""
    if ln.kind == "worker" and ln.exit_code == TAKEN_DOWN:  # a pool's, at its end
        return get_backend(store.backend).taken_down
    # A pool's worker and a traced script (main included) are processes, whatever
    # ran the scenario's rows.
    backend = PROCESSES.name if ln.kind in ("worker", "main") else store.backend
    text = lane_exit_text(ln, backend)
    return "" if text in (_("ended"), get_backend(backend).ended) else text


def _end_sentence(store: TraceStore, ln: Lane) -> str:
    """That the lane ended, when nothing more is known: 'the thread ended'."""
    if ln.kind == "main":
        return _("the main program ended")
    if ln.kind == "process":  # a row of the table: "ended", "the thread ended", ...
        return get_backend(store.backend).end_sentence
    return _("the thread ended") if ln.kind == "thread" else _("ended")


def _traceback_frames(error: tuple[str, str, str]) -> str:
    """The traceback without its last line when that only repeats the exception
    already named above it ('RuntimeError: crashed at iteration 2')."""
    lines = error[2].rstrip().split("\n")
    if lines and lines[-1] == f"{error[0]}: {error[1]}":
        lines.pop()
    return "\n".join(lines) if len(lines) > 1 else ""


def _before_start(track: Track | None, t: float) -> bool:
    return track is not None and track.n > 0 and t < float(track.t0.view[0])


def _task_at(store: TraceStore, cache: SpanCache, worker: int, t: float) -> int | None:
    """The pool task that the worker on lane `worker` ran at `t`, if any."""
    for task in store.lanes:
        if task.host == worker and task.index < len(cache.tracks):
            i = cache.tracks[task.index].span_at(t)
            if i is not None and cache.tracks[task.index].span(i)[0] != State.QUEUED:
                return task.index
    return None


def describe_object(store: TraceStore, track: ObjectTrack, t: float) -> str:
    """What the shared object of `track` held at `t` (seconds since Run)."""
    assert store.t0 is not None
    at = store.t0 + round(t * 1e9)
    level = track.at(at)
    head = _("{name} ({kind}) at {t:.3f} s").format(name=track.name,
                                                   kind=kind_name(track.kind), t=t)
    since = track.since(at)
    began = _(" since {t:.3f} s").format(t=(since - store.t0) / 1e9) if since is not None \
        else ""
    if track.kind == QUEUE:
        text = _("{head}: empty{since}\n(the most at any time: {peak})") if level == 0 else \
            ngettext("{head}: {n} item in it{since}\n(the most at any time: {peak})",
                     "{head}: {n} items in it{since}\n(the most at any time: {peak})",
                     int(level))
        return text.format(head=head, n=level, since=began, peak=track.peak)
    if track.kind == CONDITION:
        if not level:
            return _("{head}: nobody waiting").format(head=head)
        return _("{head}: {n} waiting on it{since}").format(head=head, n=level, since=began)
    if track.kind == ARRAY:
        return ngettext("{head}: {n} cell written{since}", "{head}: {n} cells written{since}",
                        int(level)).format(head=head, n=level, since=began)
    if track.kind == DICT:
        return ngettext("{head}: {n} key in it{since}", "{head}: {n} keys in it{since}",
                        int(level)).format(head=head, n=level, since=began)
    if track.kind == NAMESPACE:
        return ngettext("{head}: {n} attribute set{since}", "{head}: {n} attributes set{since}",
                        int(level)).format(head=head, n=level, since=began)
    if track.kind == LIST:
        return ngettext("{head}: {n} item in it{since}", "{head}: {n} items in it{since}",
                        int(level)).format(head=head, n=level, since=began)
    if track.kind == PIPE:
        if level == 0:
            return _("{head}: nothing on its way{since}").format(head=head, since=began)
        return ngettext("{head}: {n} message sent, not yet received{since}",
                        "{head}: {n} messages sent, not yet received{since}",
                        int(level)).format(head=head, n=level, since=began)
    if track.kind == EVENT:
        if level:
            return _("{head}: set{since}").format(head=head, since=began)
        return _("{head}: not set yet — wait() blocks").format(head=head)
    if track.kind == BARRIER:
        if not level:
            return _("{head}: nobody waiting").format(head=head)
        return _("{head}: {n} waiting at it{since}").format(head=head, n=level, since=began)
    if track.kind == SEMAPHORE:
        return ngettext("{head}: {n} place taken{since}", "{head}: {n} places taken{since}",
                        int(level)).format(head=head, n=level, since=began)
    if track.kind == LOCK:
        if level == FREE or not 0 <= level < len(store.lanes):
            return _("{head}: free{since}").format(head=head, since=began)
        return _("{head}: held by {var}{since}").format(
            head=head, var=store.lanes[int(level)].var, since=began)
    done = bisect.bisect_right(track.t, at)  # updates made by then
    should = track.expected_at(at)
    lost = _("; {amount} lost").format(amount=_amount(should - level)) if should > level \
        else ""
    return ngettext("{head}: {value} after {n:,} update (without lost updates it would be "
                    "{expected}{lost})",
                    "{head}: {value} after {n:,} updates (without lost updates it would be "
                    "{expected}{lost})", done).format(
        head=head, value=_amount(level), n=done, expected=_amount(should), lost=lost)


def _amount(x: float) -> str:
    """A value as a person reads it: 99,753 and 0.3 (a double's 0.1 + 0.2 too)."""
    return f"{x:,}" if isinstance(x, int) else f"{x:,.15g}"


def _describe_core(store: TraceStore, cache: SpanCache, rows: Rows, t: float, row: int) -> str:
    core = row - rows.core_base
    known = core < rows.n_cores
    name = _("CPU {cpu}").format(cpu=core) if known else _("an unknown core")
    unplaced: list[Lane] = []  # running, on a core not recorded (a prediction, no /proc)
    for lane, track in enumerate(cache.tracks):
        if store.lanes[lane].kind == "main":
            continue
        i = track.span_at(t)
        if i is None or track.span(i)[0] != State.RUNNING:
            continue
        on = track.span(i)[1]
        ln = store.lanes[lane]
        if (on == core) if known else (on < 0 or on >= rows.n_cores):
            return _("{core} at {t:.3f} s: running {lane}").format(core=name, t=t,
                                                                   lane=_head(ln))
        if on < 0:
            unplaced.append(ln)
    if unplaced and known:
        names = ", ".join(ln.label for ln in unplaced)
        # Only a prediction has processes without a pid; it shares cores, not picks them.
        if all(ln.pid is None for ln in unplaced):
            text = _("{core} at {t:.3f} s: not known — {names} running then (the prediction "
                     "does not choose cores)")
        else:
            text = _("{core} at {t:.3f} s: not known — {names} running then (their cores "
                     "were not recorded)")
        return text.format(core=name, t=t, names=names)
    return _("{core} at {t:.3f} s: idle (no process of this run on it)").format(core=name, t=t)


def _join_at(store: TraceStore, waiter: int, t: float) -> str:
    """What the lane `waiter` (the main program, or a traced script's process) waits
    for at `t`: 'waiting in C.join() until C ends'; "" if not in a join."""
    assert store.t0 is not None
    # A pool's join() is the task's AsyncResult.wait(), as the generated script says.
    method = get_backend(store.backend).code.join
    for j in store.joins:
        if j.waiter != waiter:
            continue
        start = (j.t_wait - store.t0) / 1e9
        end = (j.t_return - store.t0) / 1e9 if j.t_return is not None else float("inf")
        if start <= t <= end:
            var = store.lanes[j.lane].var
            call = f"{var}.{method}(timeout)" if j.timeout_ns is not None or j.timed_out else \
                f"{var}.{method}()"
            if j.interrupted:
                return _("waiting in {call}, until Stop interrupted it").format(call=call)
            if j.implicit:
                return _("waiting in {call} at the end, as multiprocessing does when "
                         "the script ends").format(call=call)
            if j.timed_out:
                return _("waiting in {call}, which gave up: {var} had not ended").format(
                    call=call, var=var)
            if method == "wait":
                return _("waiting in {call} until {var} has run").format(call=call, var=var)
            return _("waiting in {call} until {var} ends").format(call=call, var=var)
    return ""
