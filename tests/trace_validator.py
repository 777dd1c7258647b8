"""A Chrome trace checker with the rules Perfetto's importer applies: on each (pid, tid)
track, complete ('X') slices either nest or are disjoint (Perfetto drops a slice that
crosses another's edge: `slice_drop_overlapping_complete_event`), 'B'/'E' pairs balance
in order, no duration is negative; every event has the fields its phase needs.

Times are compared in whole nanoseconds, as Perfetto stores them (ts and dur are
microseconds with up to three decimals)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

NEEDS = {"X": ("name", "ts", "dur", "pid", "tid"), "B": ("name", "ts", "pid", "tid"),
         "E": ("ts", "pid", "tid"), "i": ("name", "ts", "pid"), "C": ("name", "ts", "pid"),
         "M": ("name", "pid", "args"), "s": ("ts", "id", "pid", "tid"),
         "f": ("ts", "id", "pid", "tid")}


def _ns(us: float) -> int:
    return round(us * 1000)


def trace_problems(doc: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
    """What in the trace `doc` (the JSON object, or its bare event list) a client such as
    Perfetto would drop or misread; [] when nothing."""
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    problems: list[str] = []
    slices: dict[tuple[int, int], list[tuple[int, int, str]]] = defaultdict(list)
    begun: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for n, e in enumerate(events):
        ph = e.get("ph")
        missing = [k for k in NEEDS.get(ph, ()) if k not in e]
        if ph not in NEEDS:
            problems.append(f"event {n}: unknown phase {ph!r}")
            continue
        if missing:
            problems.append(f"event {n} ({ph}): no {', '.join(missing)}")
            continue
        if ph == "X":
            t0, dur = _ns(e["ts"]), _ns(e["dur"])
            if dur < 0:
                problems.append(f"event {n} {e['name']!r}: negative duration")
            slices[(e["pid"], e["tid"])].append((t0, t0 + max(dur, 0), e["name"]))
        elif ph == "B":
            begun[(e["pid"], e["tid"])].append((_ns(e["ts"]), e["name"]))
        elif ph == "E":
            stack = begun[(e["pid"], e["tid"])]
            if not stack:
                problems.append(f"event {n}: 'E' on {e['pid']}/{e['tid']} with no 'B' open")
            elif _ns(e["ts"]) < stack[-1][0]:
                problems.append(f"event {n}: 'E' before its 'B' {stack[-1][1]!r}")
                stack.pop()
            else:
                stack.pop()
    for track, stack in begun.items():
        for _t, name in stack:
            problems.append(f"track {track}: 'B' {name!r} never ended")
    for track, spans in slices.items():
        problems.extend(_crossings(track, spans))
    return problems


def _crossings(track: tuple[int, int], spans: list[tuple[int, int, str]]) -> list[str]:
    """Slices on one track that cross (one starts inside another and ends after it)."""
    out = []
    # Outer first: by start, then the longer first (as Perfetto sorts them).
    open_: list[tuple[int, int, str]] = []
    for t0, t1, name in sorted(spans, key=lambda s: (s[0], -s[1])):
        while open_ and open_[-1][1] <= t0:
            open_.pop()
        if open_ and t1 > open_[-1][1]:
            o0, o1, oname = open_[-1]
            out.append(f"track {track}: {name!r} [{t0}, {t1}] ns crosses {oname!r} "
                       f"[{o0}, {o1}] ns")
            continue
        open_.append((t0, t1, name))
    return out
