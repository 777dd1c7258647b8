"""What each shared object held over time — a queue's depth, a lock's holder, a value, an
event's flag, a barrier's arrivals — for the chart's object lanes and its hover, read
from the shared-object records (`shared_events`).

Each object's track is a step function: the times it changed, in time order, and its
level after each change (a queue: items in it; a lock: the lane holding it, -1 when
free; a value: the value written; an event: 1 once set; a barrier: the processes waiting
at it; a semaphore: the places taken; a pipe: what was sent and not yet received, both
ways; a Manager dict: its keys; a Manager Namespace: its attributes set; a Manager list:
its items; a condition: the processes waiting on it; an array: the cells written).
Records arrive a child's batch at a time, so one child's may come after later ones of
another: a sync sorts only the tail the new records reach into, and recomputes the
levels from there. A counter's hundred thousand updates thus cost each frame only what
arrived since the last.

An object's kind comes from what was done with it (put and get: a queue; acquire and
release: a lock; read-modify-writes and reads: a value; set and wait: an event; arrive
and pass: a barrier — whose arrival is recorded before its wait; send and recv: a pipe;
store: a Manager dict; setattr: a Manager Namespace; append: a Manager list; asleep,
woken and notify: a condition; write: an array; enter and leave: a semaphore, though a
wait in acquire() may come first and look like a lock's), so the lanes appear for a
traced script's objects and a run file's the same way.
"""

from __future__ import annotations

import bisect
import weakref
from array import array
from dataclasses import dataclass, field
from itertools import accumulate, chain
from operator import itemgetter
from typing import TYPE_CHECKING

from mpgui.runtime.store.shared_events import verbs_used

if TYPE_CHECKING:
    from mpgui.runtime.store.shared_events import SharedOp
    from mpgui.runtime.store.trace import TraceStore

QUEUE, LOCK, VALUE, EVENT, BARRIER = "queue", "lock", "value", "event", "barrier"
SEMAPHORE, PIPE, DICT, LIST = "semaphore", "pipe", "dict", "list"
CONDITION, ARRAY, NAMESPACE = "condition", "array", "namespace"
# The store's info key naming a scenario's objects in its table's order (the Runner
# sets it), so that their lanes come in that order whoever used one first.
OBJECTS_INFO = "objects"
FREE = -1  # a lock's level when no lane holds it
_BLOCK = 4096  # changes per block of a track's peak

# What a verb (or a wait's call) says of its object's kind.
_KIND = {"put": QUEUE, "get": QUEUE, "acquire": LOCK, "release": LOCK, "rw": VALUE,
         "read": VALUE, "set": EVENT, "clear": EVENT, "wait": EVENT, "waited": EVENT,
         "arrive": BARRIER,
         "passed": BARRIER, "done": QUEUE, "join": QUEUE, "joined": QUEUE,
         "join_thread": QUEUE,
         "enter": SEMAPHORE, "leave": SEMAPHORE, "send": PIPE, "recv": PIPE,
         "store": DICT, "append": LIST, "setv": VALUE, "asleep": CONDITION, "woken": CONDITION,
         "notify": CONDITION, "write": ARRAY, "setattr": NAMESPACE, "delete": DICT,
         "delattr": NAMESPACE, "insert": LIST, "extend": LIST, "remove": LIST}
# The objects whose level counts the keys in them — a dict's, a Namespace's attributes,
# an array's cells written — and the verbs that put a key in (True) or take it out.
_KEYED = {DICT: {"store": True, "delete": False}, NAMESPACE: {"setattr": True, "delattr": False},
          ARRAY: {"write": True}}
# What a Manager list's verbs do to its length ("extend": the count it added).
_LIST_STEP = {"append": 1, "insert": 1, "remove": -1}


def kinds_used(store: TraceStore) -> set[str]:
    """The kinds of shared object (QUEUE, LOCK, VALUE...) `store`'s processes used."""
    # (not from a wait: its kind is that of the call that waits, which the lane's
    # other records say anyway)
    return {_KIND[v] for v in verbs_used(store) if v in _KIND and v != "wait"}


@dataclass
class ObjectTrack:
    """One shared object's levels over time (see the module's docstring)."""

    name: str
    kind: str  # QUEUE, LOCK or VALUE
    t: list[int] = field(default_factory=list)  # ns, store clock, ascending
    # The level from t[i] on: a count, a lane (a lock's holder), or a value — a float
    # for a Value("d").
    level: list[float] = field(default_factory=list)
    # A value's: what its updates added by t[i], had none been lost (value += k adds k);
    # empty for other kinds (a queue of a million items keeps no list of zeros).
    gained: list[float] = field(default_factory=list)
    # The changes themselves, index for index (kept to merge with changes that arrive
    # late): what a change adds (+1/-1 for a queue) when that is all it does, else
    # (add, set, gain) — the level set, and what a value's update meant to add. (A
    # queue's million items keep two million small ints, not as many tuples: 16 MB,
    # not 160.)
    _steps: list[int | tuple[int, float, float]] = field(default_factory=list)
    updates: int = 0  # a value's read-modify-writes
    # The highest level (a queue's fullest, a value's largest; 0 if none is higher).
    peak: float = 0
    # The highest level of each block of _BLOCK changes: a late record that lowers the
    # levels from some point on lowers the peak too (a consumer's batch come after the
    # producer's), and only the blocks from there are looked at again.
    _block_peaks: list[float] = field(default_factory=list)
    _counts_only: bool = True  # every change so far only added to the level (_add_counts)
    first_level: float = 0  # the level before the first change
    depth: dict[int, int] = field(default_factory=dict)  # a lock's: lane -> times taken
    # The first change that differs from what a reader took last (it resets this to
    # len(t) when it has caught up): a drawing converts only the tail.
    changed_from: int = 0
    # Where a value lost updates: an update that read a value another update had read
    # too (their read-modify-write windows overlapped: one of the two is lost), at its
    # write's time, in the order found. Never more than `lost`, and fewer when a process
    # held a stale read for long: its one write then undid every update made meanwhile.
    collisions: list[int] = field(default_factory=list)
    _read: set[float] = field(default_factory=set)  # the values updates read
    # A value's lowest read, while every change is an update that adds (None: not so).
    _lowest_read: float | None = None
    _only_adding: bool = True
    # A keyed object's (_KEYED): each key's records so far in time order, so that a late
    # record of another process can be placed among them — each 2 t + 1 if the key is
    # in the object after it, else 2 t (8 bytes a record: an array written a million
    # times keeps 8 MB, not the 80 of as many tuples).
    _key_records: dict[str, array[int]] = field(default_factory=dict)
    _clears: list[int] = field(default_factory=list)  # a dict's clear()s: every key out

    def _lowest(self, changes: list[tuple[int, int, float, float]]) -> None:
        """A value's level before its first change, when every change is an update that
        adds: the lowest value any update read. (A write is stamped once it has landed,
        so the earliest stamped update may have read another's write — its read would
        put the start too high.)"""
        self._only_adding = self._only_adding and all(gain > 0 for *_x, gain in changes)
        if not self._only_adding:
            self._lowest_read = None
            return
        lowest = min(put - gain for _t, _add, put, gain in changes)
        if self._lowest_read is None or lowest < self._lowest_read:
            self._lowest_read = lowest
        self.first_level = min(self.first_level, self._lowest_read)

    @property
    def final(self) -> float:
        """The level after the last change."""
        return self.level[-1] if self.level else self.first_level

    @property
    def expected(self) -> float:
        """What a value would be now had no update been lost."""
        return self.first_level + (self.gained[-1] if self.gained else 0)

    @property
    def lost(self) -> float:
        """What a value lost to lost updates: how much less than its updates added it
        went up by (with += 1, the number of updates lost)."""
        return max(0, self.expected - self.final) if self.kind == VALUE else 0

    def expected_at(self, t: int) -> float:
        """What a value would have been at `t` had no update been lost."""
        i = bisect.bisect_right(self.t, t)
        return self.first_level + (self.gained[i - 1] if i else 0)

    def at(self, t: int) -> float:
        """The level at time `t`."""
        i = bisect.bisect_right(self.t, t)
        return self.level[i - 1] if i else self.first_level

    def since(self, t: int) -> int | None:
        """When the level in force at `t` began (None: before the first change)."""
        i = bisect.bisect_right(self.t, t)
        if not i:
            return None
        level = self.level[i - 1]
        while i > 1 and self.level[i - 2] == level:
            i -= 1
        return self.t[i - 1]

    def _add(self, changes: list[tuple[int, int, float, float]]) -> None:
        """Take in (t, add, set, gain) changes; set is used when add is 0."""
        changes.sort()
        if self._counts_only and self.kind != VALUE:
            adds = list(map(_ADD, changes))
            if 0 not in adds:
                self._add_counts(changes, adds)
                return
        self._counts_only = False
        fresh = changes
        start = bisect.bisect_right(self.t, changes[0][0]) if self.t else 0
        if start < len(self.t):  # among the changes taken before: merge from there
            changes = sorted([*((t, *step) if isinstance(step, tuple) else (t, step, 0, 0)
                                for t, step in zip(self.t[start:], self._steps[start:],
                                                   strict=True)), *changes])
        del self.t[start:], self.level[start:], self._steps[start:], self.gained[start:]
        self.changed_from = min(self.changed_from, start)
        value = self.kind == VALUE
        if start == 0 and value:  # the value before the earliest update
            _t, _add, put, gain = changes[0]
            self.first_level = put - gain
        if value:
            self._lowest(fresh)
        level = self.level[-1] if self.level else self.first_level
        gained = self.gained[-1] if self.gained else 0
        t_append, level_append, step_append = \
            self.t.append, self.level.append, self._steps.append
        for t, add, put, gain in changes:
            level = level + add if add else put
            t_append(t)
            level_append(level)
            step_append(add if add and not put and not gain else (add, put, gain))
            if value:  # (only a value's updates mean to add something)
                gained += gain
                self.gained.append(gained)
        self._peak_from(start)

    def _add_counts(self, changes: list[tuple[int, int, float, float]],
                    adds: list[int]) -> None:
        """_add for a count that only goes up and down (a queue's depth, a barrier's
        arrivals...), every change so far an add: merged as (t, add) pairs and summed
        in C — a finished queue of a million items brings two million changes at once,
        and a traced queue's consumer lags its producer by many items, so that its gets
        land among puts taken frames before and each frame sums that whole tail again."""
        start = bisect.bisect_right(self.t, changes[0][0]) if self.t else 0
        times: list[int] = list(map(_T, changes))
        if start < len(self.t):  # among the changes taken before: merge from there
            merged = sorted(chain(zip(self.t[start:], self._steps[start:], strict=True),
                                  zip(times, adds, strict=True)))
            times, adds = list(map(_T, merged)), list(map(_ADD, merged))
        del self.t[start:], self.level[start:], self._steps[start:]
        self.changed_from = min(self.changed_from, start)
        levels = accumulate(adds, initial=self.level[-1] if self.level else self.first_level)
        next(levels)  # (the level before them)
        self.t.extend(times)
        self.level.extend(levels)
        self._steps.extend(adds)
        self._peak_from(start)

    def _peak_from(self, start: int) -> None:
        """The peak again, the levels from `start` on having changed."""
        blocks, level = self._block_peaks, self.level
        del blocks[start // _BLOCK:]
        for b in range(len(blocks) * _BLOCK, len(level), _BLOCK):
            blocks.append(max(level[b:b + _BLOCK]))
        self.peak = max(0, *blocks) if blocks else 0


# Tracks read ahead of time, by the store, while it lives (`prepare`).
_prepared: weakref.WeakKeyDictionary[TraceStore, tuple[int, dict[str, ObjectTrack]]] = \
    weakref.WeakKeyDictionary()


def prepare(store: TraceStore) -> None:
    """Read `store`'s shared-object records now — on the thread that read a run file,
    so that the window that shows it does not (a million items take ~0.5 s): the first
    `ObjectTracks.sync` of that store takes what was read."""
    tracks = ObjectTracks()
    tracks.sync(store)
    _prepared[store] = (tracks.done, tracks.tracks)


class ObjectTracks:
    """The tracks of one store's shared objects, kept up to date by `sync`."""

    def __init__(self) -> None:
        self.store: TraceStore | None = None
        self.done = 0  # records read
        self.tracks: dict[str, ObjectTrack] = {}  # in the order first used
        # What was read of the other stores shown before, while they live: switching
        # back to a run (replay, compare, the gallery's runs) does not read all its
        # records again — a counter's 40,000 updates took 30 ms at each switch.
        self._kept: weakref.WeakKeyDictionary[TraceStore, tuple[int, dict[str, ObjectTrack]]] \
            = weakref.WeakKeyDictionary()

    def sync(self, store: TraceStore) -> list[ObjectTrack]:
        """The tracks of `store`, after reading the records that arrived since the
        last call (all of them for another store)."""
        records: list[SharedOp] = store.records("shared")
        if store is not self.store:
            if self.store is not None:
                self._kept[self.store] = (self.done, self.tracks)
            self.store = store
            # What this reader kept of it, else what was read ahead (`prepare`).
            ahead = self._kept if store in self._kept else _prepared
            self.done, self.tracks = ahead.pop(store) if store in ahead else (0, {})
        if len(records) < self.done:  # (the store was cleared: read it afresh)
            self.done, self.tracks = 0, {}
        new: dict[str, list[tuple[int, int, float, float]]] = {}
        tracks = self.tracks
        for op in records[self.done:]:
            # A queue's put or get, once its track is known, first and in few steps:
            # most records of a busy run are these (two million for a million items).
            step = _QUEUE_STEP.get(op.verb)
            if step is not None:
                track = tracks.get(op.obj)
                if track is not None and track.kind == QUEUE:
                    changes = new.get(op.obj)
                    if changes is None:
                        changes = new[op.obj] = []
                    changes.append((op.t, step, 0, 0))
                    continue
            kind = _KIND.get(op.item or "" if op.verb == "wait" else op.verb)
            if kind is None:
                continue
            track = self.tracks.get(op.obj)
            if track is None:
                track = self.tracks[op.obj] = ObjectTrack(
                    op.obj, kind, first_level=FREE if kind == LOCK else 0)
            elif kind != track.kind and op.verb != "wait" and not track.t \
                    and op.obj not in new:
                # Its first records were waits, whose call can mislead — acquire() is a
                # lock's, a semaphore's or a locked value update's: the first thing
                # done with it says what it is.
                track.kind, track.first_level = kind, FREE if kind == LOCK else 0
            keyed = _KEYED.get(track.kind)
            if keyed is not None:
                if op.verb in keyed:
                    changes = _key_changes(track, op.item, keyed[op.verb], op.t)
                    if changes:
                        new.setdefault(op.obj, []).extend(changes)
                continue
            change = _change(track, op)
            if change is not None:
                new.setdefault(op.obj, []).append(change)
        self.done = len(records)
        for name, changes in new.items():
            self.tracks[name]._add(changes)
        declared = str(store.info.get(OBJECTS_INFO, "")).split()
        rank = {name: k for k, name in enumerate(declared)}
        # (sorted is stable: the others keep the order they were first used in)
        return sorted(self.tracks.values(), key=lambda t: rank.get(t.name, len(rank)))


_QUEUE_STEP = {"put": 1, "get": -1}  # what a queue's put and get do to its depth
# The parts of a change (t, add, set, gain): its time and what it adds.
_T, _ADD = itemgetter(0), itemgetter(1)


def _key_changes(track: ObjectTrack, key: str | None, present: bool,
                 t: int) -> list[tuple[int, int, float, float]]:
    """What a key put in (`present`) or taken out of a keyed object at `t` does to the
    count of its keys: +1 or -1 where the key was out or in before, else nothing (a
    key stored again, a deletion of one not there). A late record, placed among the
    key's own by its time, also corrects the one after it, whose change was counted
    from the state before it: the changes are adds, merged by time whatever order the
    processes' batches came in. No key taken out: a dict's clear(), every key out."""
    records = track._key_records
    if key is None and not present:
        track._clears.append(t)
        return [change for known in list(records) for change in
                _key_changes(track, known, False, t)]
    key = key or ""  # (a key put in unnamed: one key, as it always was)
    mine = records.get(key)
    if mine is None:  # (a clear() recorded before, but later than this, empties it too)
        mine = records[key] = array("q", sorted(2 * c for c in track._clears))
    record = 2 * t + present
    j = bisect.bisect_right(mine, record)
    before = bool(mine[j - 1] & 1) if j else False
    mine.insert(j, record)
    if present == before:
        return []
    changes = [(t, 1 if present else -1, 0.0, 0.0)]
    if j + 1 < len(mine):  # (the next one had counted from `before`)
        changes.append((mine[j + 1] >> 1, 1 if before else -1, 0.0, 0.0))
    return changes


def _change(track: ObjectTrack, op: SharedOp) -> tuple[int, int, float, float] | None:
    """What `op` does to its object's level: (t, add, set, gain), or None — `gain`
    what a value's update meant to add (0 for every other change)."""
    if track.kind == QUEUE and op.verb in _QUEUE_STEP:
        return (op.t, _QUEUE_STEP[op.verb], 0, 0)
    if track.kind == PIPE and op.verb in ("send", "recv"):
        return (op.t, 1 if op.verb == "send" else -1, 0, 0)
    if track.kind == LIST and op.verb in _LIST_STEP:
        return (op.t, _LIST_STEP[op.verb], 0, 0)
    if track.kind == LIST and op.verb == "extend" and op.item and op.item.isdigit():
        return (op.t, int(op.item), 0, 0)
    if track.kind == CONDITION and op.verb in ("asleep", "woken"):
        return (op.t, 1 if op.verb == "asleep" else -1, 0, 0)
    if track.kind == LOCK and op.verb in ("acquire", "release"):
        # An RLock taken again by its holder is held until the last release: count
        # per lane (a lane's records arrive in its own order).
        depth = track.depth.get(op.lane, 0) + (1 if op.verb == "acquire" else -1)
        track.depth[op.lane] = max(depth, 0)
        if op.verb == "acquire" and depth == 1:
            return (op.t, 0, op.lane, 0)
        if op.verb == "release" and depth <= 0:
            return (op.t, 0, FREE, 0)
        return None
    if track.kind == BARRIER and op.verb in ("arrive", "passed"):
        return (op.t, 1 if op.verb == "arrive" else -1, 0, 0)
    if track.kind == SEMAPHORE and op.verb in ("enter", "leave"):
        return (op.t, 1 if op.verb == "enter" else -1, 0, 0)
    if track.kind == EVENT and op.verb in ("set", "clear"):
        return (op.t, 0, 1 if op.verb == "set" else 0, 0)
    if track.kind == VALUE and op.verb == "rw" and op.value is not None:
        track.updates += 1
        if op.value in track._read:
            track.collisions.append(op.t)
        else:
            track._read.add(op.value)
        return (op.t, 0, op.value + op.gain, op.gain)  # (`value += k`)
    if track.kind == VALUE and op.verb == "setv" and op.value is not None:
        return (op.t, 0, op.value, 0)
    return None
