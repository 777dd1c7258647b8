"""Deadlocks, found as they form: from the shared-object records (`shared_events`), who
holds which lock and who waits for which; a cycle in that wait-for graph — A waits for
a lock B holds while B waits for one A holds — is a deadlock that no process can leave.

The other kind needs no cycle: every live process waits on a shared object (a get() on
a queue nobody will put to, a barrier short of parties, an event nobody will set) while
the main program waits in a join() — or, in a traced script, on a shared object itself
(a recv() from a pipe whose other end waits too; a queue's join() when no process is
left to call task_done()). Only processes and their threads act on the objects, so
nothing is left to wake any of them (`LockWatch.stuck`).

`LockWatch` reads the records incrementally (a counter adds thousands per second), in
the order they arrived: one lane's records come in its own order, so a lock taken by B
before A's release arrived still ends up with B.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mpgui.i18n import _

# The store's info key of the run's deadlock (`Deadlock.to_info`), once one was found.
DEADLOCK_INFO = "deadlock"
# How long the same deadlock must last before it is said: the records of a lock taken
# may still be on their way.
DEADLOCK_CONFIRM_NS = 300_000_000

if TYPE_CHECKING:
    from mpgui.runtime.store.shared_events import SharedOp
    from mpgui.runtime.store.trace import TraceStore


@dataclass(frozen=True)
class Deadlock:
    """A cycle of waits: each member lane holds one lock and waits for the next one's."""

    members: tuple[tuple[int, str, str], ...]  # (lane, the lock it holds, the one it wants)
    t: int  # when the last of its waits began (store time, ns)
    # The other kind (no cycle): what each member waits in, and the row the main program
    # joins ("" when it waits on an object instead: then it is the last member); members
    # hold nothing ("").
    calls: tuple[str, ...] = ()
    joining: str = ""
    # The other kind: per member, the lane that holds the lock it waits for (-1: none,
    # or not a lock) — "p waits in acquire() on L, which the main program holds".
    holders: tuple[int, ...] = ()

    def sentence(self, store: TraceStore) -> str:
        """'Deadlock: A holds L1 and waits for L2; B holds L2 and waits for L1', or
        'Deadlock: A waits in wait() on phase, and the main program in A.join()' (or
        '... in recv() on a ↔ b' when it waits on an object itself)."""
        if self.calls:
            holders = self.holders or (-1,) * len(self.members)
            waits = [(lane, wanted, call, holder) for (lane, _held, wanted), call, holder
                     in zip(self.members, self.calls, holders, strict=True)]
            main = waits.pop() if not self.joining and waits else None
            said = "; ".join(
                _("{var} waits in {call}() on {wanted}").format(
                    var=store.lanes[lane].var, call=call,
                    wanted=self._held_by(store, wanted, holder, lane))
                for lane, wanted, call, holder in waits)
            if main is None:
                return _("Deadlock: {waits}, and the main program in {joining}.join()"
                         ).format(waits=said, joining=self.joining)
            wanted = self._held_by(store, main[1], main[3], main[0])
            if not waits:
                return _("Deadlock: the main program waits in {call}() on {wanted}, and "
                         "nothing is left to wake it").format(call=main[2], wanted=wanted)
            return _("Deadlock: {waits}, and the main program in {call}() on {wanted}"
                     ).format(waits=said, call=main[2], wanted=wanted)
        if len(self.members) == 1:  # (a Lock acquired again by its own holder)
            lane, _held, wanted = self.members[0]
            return _("Deadlock: {var} waits for {lock}, which it holds itself").format(
                var=store.lanes[lane].var, lock=wanted)
        return _("Deadlock: {cycle}").format(cycle="; ".join(
            _("{var} holds {held} and waits for {wanted}").format(
                var=store.lanes[lane].var, held=held, wanted=wanted)
            for lane, held, wanted in self.members))

    @staticmethod
    def _held_by(store: TraceStore, wanted: str, holder: int, lane: int) -> str:
        """`wanted`, and who holds it if anyone does: "L, which A holds"."""
        if not 0 <= holder < len(store.lanes):
            return wanted
        if holder == lane:
            return _("{lock}, which it holds itself").format(lock=wanted)
        who = _("the main program") if store.lanes[holder].kind == "main" \
            else store.lanes[holder].var
        return _("{lock}, which {holder} holds").format(lock=wanted, holder=who)

    def to_info(self) -> str:
        """The deadlock as one line for the store's info (`DEADLOCK_INFO`), which run
        files keep: "t|joining|lane,held,wanted,call,holder;..." (files before the
        holder have four fields a member)."""
        calls = self.calls or ("",) * len(self.members)
        holders = self.holders or (-1,) * len(self.members)
        return f"{self.t}|{self.joining}|" + ";".join(
            f"{lane},{held},{wanted},{call},{holder}" for (lane, held, wanted), call, holder
            in zip(self.members, calls, holders, strict=True))

    @classmethod
    def from_info(cls, text: object) -> Deadlock | None:
        """`to_info`'s line read back; None for anything else (a run file may say
        anything)."""
        try:
            t, joining, members = str(text).split("|")
            parts = [m.split(",") for m in members.split(";")]
            if not parts or any(len(p) not in (4, 5) for p in parts):
                return None
            calls = tuple(p[3] for p in parts)
            holders = tuple(int(p[4]) if len(p) == 5 else -1 for p in parts)
            return cls(tuple((int(p[0]), p[1], p[2]) for p in parts), int(t),
                       calls if any(calls) else (), joining,
                       holders if any(h >= 0 for h in holders) else ())
        except ValueError:
            return None

    @property
    def why(self) -> str:
        """Why none of them can go on, in a sentence."""
        if self.joining:
            return _("every process waits on a shared object, and the main program waits "
                     "for one of them: no one is left to wake any")
        if self.calls and len(self.members) == 1:
            return _("no process or thread is left that could wake the main program")
        if self.calls:
            return _("every process waits on a shared object, and the main program too: "
                     "no one is left to wake any")
        if len(self.members) == 1:
            return _("a Lock is not taken again by the process that holds it (an RLock "
                     "would be): it waits for itself")
        return _("each waits for a lock another holds")

    @property
    def lanes(self) -> tuple[int, ...]:
        """The lanes caught in it (the main program's last, when it waits on an object
        itself)."""
        return tuple(lane for lane, _held, _wanted in self.members)

    @property
    def main_waits(self) -> bool:
        """Whether the main program waits on a shared object (its last member), not in
        a join()."""
        return bool(self.calls) and not self.joining


# Verbs that say only that their lane goes on (a wait of it, if any, is over).
_PASSING = frozenset(("put", "get", "send", "recv"))


class LockWatch:
    """Who holds and who waits for each lock, kept up to date from the records."""

    def __init__(self) -> None:
        self.done = 0  # records read
        self.holder: dict[str, int] = {}  # lock -> lane holding it
        self.holds: dict[int, list[str]] = {}  # lane -> the locks it holds, in order
        self.waiting: dict[int, tuple[str, int]] = {}  # lane -> (lock, since when)
        # lane -> (object, call, since when): any wait begun and not yet over (the
        # lane's next record, of the call that returned, ends it)
        self.blocked: dict[int, tuple[str, str, int]] = {}

    def read(self, records: list[SharedOp]) -> None:
        """Take in the records that arrived since the last call."""
        blocked = self.blocked
        for op in records[self.done:]:
            verb, lane = op.verb, op.lane
            if verb in _PASSING:  # (most records of a busy queue: they end a wait only)
                blocked.pop(lane, None)
                continue
            # (A wait with a timeout ends by itself: it is no part of a deadlock.)
            timed = verb == "wait" and op.value is not None
            if verb == "wait" and not timed:
                self.blocked[lane] = (op.obj, op.item or "", op.t)
            elif verb != "arrive":  # (a barrier's arrival comes before its wait)
                self.blocked.pop(lane, None)
            if verb == "wait" and op.item == "acquire" and not timed:
                self.waiting[lane] = (op.obj, op.t)
            elif verb == "gaveup":  # (a wait whose timeout passed: over, lock not taken)
                self.waiting.pop(lane, None)
            elif verb in ("acquire", "rw", "enter"):  # (a locked update holds its lock
                # briefly; a semaphore's place has no holder to wait for)
                if self.waiting.get(lane, ("", 0))[0] == op.obj:
                    del self.waiting[lane]
                if verb == "acquire":
                    self.holder[op.obj] = lane
                    self.holds.setdefault(lane, []).append(op.obj)
            elif verb == "release":
                held = self.holds.get(lane, [])
                if op.obj in held:
                    held.remove(op.obj)
                # (An RLock taken twice is still held after its first release.)
                if self.holder.get(op.obj) == lane and op.obj not in held:
                    del self.holder[op.obj]
        self.done = len(records)

    def cycle(self, store: TraceStore) -> Deadlock | None:
        """A cycle of waits in `store`, if there is one now, said from its member the
        main program started first (`_started`)."""
        for start in self.waiting:
            path: list[int] = []
            lane: int | None = start
            while lane is not None and lane in self.waiting and lane not in path:
                path.append(lane)
                lane = self.holder.get(self.waiting[lane][0])
            if lane is not None and lane in path:
                loop = path[path.index(lane):]
                at = loop.index(min(loop, key=lambda m: _started(store, m)))
                loop = loop[at:] + loop[:at]
                members = tuple((m, self._held(m, loop), self.waiting[m][0]) for m in loop)
                return Deadlock(members, max(self.waiting[m][1] for m in loop))
        return None

    def stuck(self, live: list[int], joining: str, main: int | None = None
              ) -> Deadlock | None:
        """The deadlock without a cycle: each of the `live` lanes waits on an object,
        and the main program waits in `joining`.join() (no timeout) — or, on lane
        `main`, on an object itself (then no lane need be live)."""
        main_waits = not joining and main is not None and main in self.blocked
        if not (joining and live) and not main_waits:
            return None
        if not all(lane in self.blocked for lane in live):
            return None
        lanes = [*live, main] if main is not None and main_waits else live
        waits = [self.blocked[lane] for lane in lanes]
        holders = tuple(self.holder.get(obj, -1) if call == "acquire" else -1
                        for obj, call, _t in waits)
        return Deadlock(tuple((lane, "", obj) for lane, (obj, _c, _t) in zip(
            lanes, waits, strict=True)), max(t for _o, _c, t in waits),
            tuple(call for _o, call, _t in waits), joining,
            holders if any(h >= 0 for h in holders) else ())

    def _held(self, lane: int, loop: list[int]) -> str:
        """The lock `lane` holds that the lane before it in the cycle waits for."""
        before = loop[loop.index(lane) - 1]
        wanted_by_before = self.waiting[before][0]
        if self.holder.get(wanted_by_before) == lane:
            return wanted_by_before
        held = self.holds.get(lane, [])
        return held[-1] if held else "?"


class DeadlockWatch:
    """Looks for a deadlock in a run's records, poll after poll, and says one only once
    it has lasted DEADLOCK_CONFIRM_NS; then it is kept with the run (the store's info),
    so that its file, its replay and its chart show it too."""

    def __init__(self) -> None:
        self.locks = LockWatch()
        self.found: Deadlock | None = None  # once found: it never goes away
        self._since: tuple[tuple[tuple[int, str, str], ...], int] | None = None

    def check(self, store: TraceStore, live: list[int], joining: str,
              now: int, main: int | None = None) -> Deadlock | None:
        """The deadlock of `store` confirmed by `now` (ns), if any: a cycle of locks, or
        every `live` lane waiting while the main program waits in `joining`.join() —
        or, on lane `main` (a traced script's), on a shared object."""
        if self.found is not None:
            return self.found
        self.locks.read(store.records("shared"))
        found = self.locks.cycle(store) or \
            self.locks.stuck(live, joining, main)
        if found is None:
            self._since = None
        elif self._since is None or self._since[0] != found.members:
            self._since = (found.members, now)
        elif now - self._since[1] >= DEADLOCK_CONFIRM_NS:
            self.found = found
            store.info[DEADLOCK_INFO] = found.to_info()
        return self.found


def find_deadlock(store: TraceStore, watch: LockWatch | None = None) -> Deadlock | None:
    """The deadlock in `store` now, if any (`watch`: kept between calls, to read only
    the new records)."""
    watch = watch or LockWatch()
    watch.read(store.records("shared"))
    return watch.cycle(store)


def _started(store: TraceStore, lane: int) -> tuple[bool, int, int]:
    """A lane's place in the order the main program called start(), lanes never
    started last: the order a deadlock is told in. (A traced script's lanes are made
    in the order its children report in, which a busy machine shuffles: "B holds L2
    ..." one run, "A holds L1 ..." the next.)"""
    t = store.lanes[lane].start_call_t
    return (t is None, t or 0, lane)
