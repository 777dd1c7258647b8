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
    PIPE,
    QUEUE,
    SEMAPHORE,
    ObjectTrack,
)
from mpgui.runtime.store.trace import Lane, TraceStore, state_label
from mpgui.ui.chart.geometry import Rows, SpanCache, Track
from mpgui.ui.chart.labels import lane_exit_text
from mpgui.ui.theme import STATE_HELP

# Sentences for states whose general help would be wrong or clumsy on a kind of lane:
# (lane kind, what a backend's row is called (its `unit`), or "script" for a traced
# script's lanes, state) -> the sentence.
_THREAD_SENTENCES = {
    State.STARTING: "starting: start() was called; the thread has not run yet",
    State.PREEMPTED: "preempted: ready to run, but no core was free (time-slicing)",
}
_SENTENCES: dict[tuple[str, int], str] = {
    **{("thread", state): text for state, text in _THREAD_SENTENCES.items()},
    ("worker", State.WAITING): "idle: waiting for a task from the pool's queue",
    ("script", State.WAITING): "waiting: blocked — in join(), a lock, a queue, I/O or the "
                               "GIL (the kernel does not say which)",
    ("any", State.GIL): "waiting for the GIL: ready to run, but another thread of the "
                        "process held it",
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
            return f"{_head(ln)} ran this task:\n" + \
                _describe_lane(store, cache, task, t, tolerance, with_pid=False)
    text = _describe_lane(store, cache, lane, t, tolerance)
    blocked = cache.tracks[lane].span_at(t) if lane < len(cache.tracks) else None
    if blocked is not None and cache.tracks[lane].span(blocked)[0] == State.BLOCKED:
        text += _blocked_on(store, lane, t, objects)
    return text


# Why a queue's call waits, by call.
_QUEUE_WAITS = {
    "get": ": it is empty", "put": ": it is full",
    "join": ": until every item put on it is marked task_done()",
    # (the process's work is done, but it ends only once what it put is in the pipe)
    "join_thread": ": its work is done, but a process ends only once the items it put "
                   "are in the queue's pipe, and the pipe is full — nobody takes them "
                   "(drain the queue before join())",
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
    text = f"\nwaiting in {wait.item}({within}) on {wait.obj} for {(at - wait.t) / 1e9:.3f} s"
    track = next((o for o in objects if o.name == wait.obj), None)
    if track is not None and track.kind == LOCK:
        holder = track.at(at)
        if holder != FREE and 0 <= holder < len(store.lanes):
            text += f": {store.lanes[holder].var} holds it"
        elif holder == FREE:  # released, but the waiter has not yet run to take it
            since = track.since(at)
            ago = "" if since is None else f", released {(at - since) / 1e9:.3f} s ago"
            text += f": nobody holds it{ago} — this process has yet to run and take it"
    elif track is not None and track.kind == QUEUE:
        text += _QUEUE_WAITS.get(wait.item or "", _QUEUE_WAITS["join"])
    elif track is not None and track.kind == CONDITION:
        text += ": until another process calls notify_all()"
    elif track is not None and track.kind == PIPE:
        text += ": nothing has come to this end yet"
    elif track is not None and track.kind == EVENT:
        text += ": nobody has set it yet"
    elif track is not None and track.kind == SEMAPHORE:
        text += f": all its places are taken ({track.at(at)})"
    elif track is not None and track.kind == BARRIER:
        text += f": {track.at(at)} waiting there, for the others to arrive"
    if wait.value is not None:
        text += f" — it gives up after {wait.value / 1000:g} s"
    return text


def _describe_lane(store: TraceStore, cache: SpanCache, lane: int, t: float,
                   tolerance: float, with_pid: bool = True) -> str:
    assert store.t0 is not None
    ln = store.lanes[lane]
    parts = [_head(ln, with_pid), f"at {t:.3f} s"]
    track = cache.tracks[lane] if lane < len(cache.tracks) else None
    i = track.span_at(t) if track is not None else None
    end = (ln.end_t - store.t0) / 1e9 if ln.end_t is not None else None
    near_end = end is not None and abs(end - t) <= tolerance * 3
    if i is not None:
        state, core = track.span(i)  # type: ignore[union-attr]
        parts.append(state_text(store, ln, state, core, t))
    elif _before_start(track, t):
        parts.append(get_backend(store.backend).not_started if ln.kind == "process"
                     else "not started yet")
    elif end is not None and t > end and not near_end:
        code = _end_code(store, ln)
        parts.append(f"ended at {end:.3f} s" + (f": {code}" if code else ""))
    line = track.line_near(t, tolerance) if track is not None else None
    if line is not None:
        parts.append(f"printed at {line[0]:.3f} s: {store.line_text(line[1])}")
    if near_end:
        parts.append(_end_code(store, ln) or _end_sentence(store, ln))
        if ln.error and ln.error[2]:
            parts.append(_traceback_frames(ln.error))
    return "\n".join(p for p in parts if p)


def _head(ln: Lane, with_pid: bool = True) -> str:
    """'A (process1 1) · pid 4289', 'main program (the parent)'."""
    head = ln.label if ln.kind != "main" else "main program (the parent)"
    return head + (f" · pid {ln.pid}" if with_pid and ln.pid else "")


def state_text(store: TraceStore, ln: Lane, state: int, core: int, t: float) -> str:
    """One sentence for lane `ln` being in `state` (on `core`) at `t`, that names the
    state once: 'running on CPU 1', 'waiting in C.join() until C ends', 'sleeping
    (time.sleep): needs no core'."""
    if state == State.RUNNING:
        return f"running on CPU {core}" if core >= 0 else "running"
    if state == State.WAITING:
        join = _join_at(store, ln.index, t)
        if join:
            return join
    script = "script" if "script" in store.info else ""
    unit = get_backend(store.backend).unit if ln.kind == "process" else ""  # "thread"
    for key in (ln.kind, unit, script, "any"):
        if (key, state) in _SENTENCES:
            return _SENTENCES[key, state]
    label = state_label(state)
    help_text = STATE_HELP.get(state)
    if not help_text:
        return label
    # The help may begin with the state's name ("starting: the new Python process is
    # booting") or not ("ready to run, but ..."): name it once either way.
    return help_text if help_text.startswith(label) else f"{label}: {help_text}"


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
    return "" if text in ("ended", get_backend(backend).ended) else text


def _end_sentence(store: TraceStore, ln: Lane) -> str:
    """That the lane ended, when nothing more is known: 'the thread ended'."""
    if ln.kind == "main":
        return "the main program ended"
    if ln.kind == "process":  # a row of the table: "ended", "the thread ended", ...
        return get_backend(store.backend).end_sentence
    return "the thread ended" if ln.kind == "thread" else "ended"


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
    head = f"{track.name} ({track.kind}) at {t:.3f} s"
    since = track.since(at)
    began = f" since {(since - store.t0) / 1e9:.3f} s" if since is not None else ""
    if track.kind == QUEUE:
        items = "empty" if level == 0 else f"{level} item{'s' if level != 1 else ''} in it"
        return f"{head}: {items}{began}\n(the most at any time: {track.peak})"
    if track.kind == CONDITION:
        return f"{head}: " + (f"{level} waiting on it{began}" if level else "nobody waiting")
    if track.kind == ARRAY:
        return f"{head}: {level} cell{'s' if level != 1 else ''} written{began}"
    if track.kind in (DICT, LIST):
        what = "key" if track.kind == DICT else "item"
        return f"{head}: {level} {what}{'s' if level != 1 else ''} in it{began}"
    if track.kind == PIPE:
        sent = "nothing on its way" if level == 0 else \
            f"{level} message{'s' if level != 1 else ''} sent, not yet received"
        return f"{head}: {sent}{began}"
    if track.kind == EVENT:
        return f"{head}: set{began}" if level else f"{head}: not set yet — wait() blocks"
    if track.kind == BARRIER:
        return f"{head}: " + (f"{level} waiting at it{began}" if level else "nobody waiting")
    if track.kind == SEMAPHORE:
        return f"{head}: {level} place{'s' if level != 1 else ''} taken{began}"
    if track.kind == LOCK:
        if level == FREE or not 0 <= level < len(store.lanes):
            return f"{head}: free{began}"
        return f"{head}: held by {store.lanes[int(level)].var}{began}"
    done = bisect.bisect_right(track.t, at)  # updates made by then
    should = track.expected_at(at)
    lost = f"; {_amount(should - level)} lost" if should > level else ""
    return (f"{head}: {_amount(level)} after {done:,} update{'s' if done != 1 else ''} "
            f"(without lost updates it would be {_amount(should)}{lost})")


def _amount(x: float) -> str:
    """A value as a person reads it: 99,753 and 0.3 (a double's 0.1 + 0.2 too)."""
    return f"{x:,}" if isinstance(x, int) else f"{x:,.15g}"


def _describe_core(store: TraceStore, cache: SpanCache, rows: Rows, t: float, row: int) -> str:
    core = row - rows.core_base
    known = core < rows.n_cores
    name = f"CPU {core}" if known else "an unknown core"
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
            return f"{name} at {t:.3f} s: running {_head(ln)}"
        if on < 0:
            unplaced.append(ln)
    if unplaced and known:
        names = ", ".join(ln.label for ln in unplaced)
        # Only a prediction has processes without a pid; it shares cores, not picks them.
        why = "the prediction does not choose cores" if all(ln.pid is None for ln in unplaced) \
            else "their cores were not recorded"
        return f"{name} at {t:.3f} s: not known — {names} running then ({why})"
    return f"{name} at {t:.3f} s: idle (no process of this run on it)"


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
                return f"waiting in {call}, until Stop interrupted it"
            if j.implicit:
                return (f"waiting in {call} at the end, as multiprocessing does when "
                        "the script ends")
            if j.timed_out:
                return f"waiting in {call}, which gave up: {var} had not ended"
            return f"waiting in {call} until {var} " + ("has run" if method == "wait" else "ends")
    return ""
