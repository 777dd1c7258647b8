"""What the legend says beside its entries about the run drawn: whether its Python has
a GIL, what a traced script's chart can and cannot tell, and which optional entries
(terminate, other programs) the chart needs."""

from __future__ import annotations

import platform

from mpgui.i18n import _, ngettext
from mpgui.runtime.interpreter import gil_enabled
from mpgui.runtime.parent.children import TAKEN_DOWN
from mpgui.runtime.store.object_tracks import (
    LOCK,
    VALUE,
    kinds_used,
)
from mpgui.runtime.store.shared_events import items_got, waits_on
from mpgui.runtime.store.trace import CLOCK_ERROR, UNOBSERVED, TraceStore
from mpgui.ui.chart.labels import is_pool_worker

OTHERS_SHOWN = 0.002  # other programs' share of the CPUs from which the legend explains
# it (a grey mark appears from about a thirtieth of a pixel's time)


def clock_note(store: TraceStore | None) -> str:
    """How well the times of a cluster's workers are known ("" for a run without
    workers on other clocks): their clocks' offsets are estimated when the run
    connects, each within half a round trip."""
    error = store.info.get(CLOCK_ERROR) if store is not None else None
    if not isinstance(error, int | float):
        return ""
    if error == 0:
        return _("the workers are on this computer: their times are on its clock, exact")
    return _("workers' clocks set to this computer's within ±{ms:.1f} ms (estimated at "
             "connection)").format(ms=error)


def gil_note(store: TraceStore | None) -> str:
    """Whether the Python that ran (or will run) the threads has a GIL, in words: as the
    threads host reported it, else as this interpreter (the same one) says."""
    info = store.info if store is not None and "gil" in store.info else \
        {"gil": gil_enabled(), "python": platform.python_version()}
    who = f"Python {info['python']}" if info.get("python") else _("this Python")
    if info["gil"] is True:
        return _("{who} has a GIL: one thread at a time runs Python code").format(who=who)
    if info["gil"] is False:
        return _("{who} runs without a GIL (free-threaded): threads can compute at "
                 "once").format(who=who)
    return _("whether {who} has a GIL is not known").format(who=who)


def script_note(store: TraceStore) -> str:
    """What the chart of a traced script can and cannot tell, in words."""
    parts = [_("your script, traced: “waiting” is any block (join, a lock, a queue, I/O, "
               "the GIL)")]
    if store.info.get(UNOBSERVED):
        parts.append(_("{what} (not shown)").format(what=store.info[UNOBSERVED]))
    if store.info.get("untraced"):
        n = store.info["untraced"]  # (a count; from a run file, any simple value)
        parts.append(ngettext("{n} more process ran but is not shown",
                              "{n} more processes ran but are not shown",
                              n if isinstance(n, int) else 2).format(n=n))
    if any(is_pool_worker(ln.name) and ln.exit_code == TAKEN_DOWN for ln in store.lanes):
        parts.append(_("a pool's workers end by terminate() when its with-block ends: that "
                       "is normal"))
    return "; ".join(parts)


def chart_extras(store: TraceStore | None) -> frozenset[str]:
    """Which of the legend's optional entries the chart of `store` needs: "terminate"
    (a terminate() was called), "others" (other programs used the CPUs), "blocked" (a
    process waited on a shared object), "item" (an item went through a queue), and for
    the shared objects' lanes "level" (a queue's or a value's), "holder" (a lock's) and
    "lost" (a value's updates)."""
    if store is None:
        return frozenset()
    extras = set()
    if any(ln.terminate_t is not None for ln in store.lanes):
        extras.add("terminate")
    if store.others.n_samples and (store.others_share() or 0.0) >= OTHERS_SHOWN:
        extras.add("others")
    if waits_on(store):
        extras.add("blocked")
    if items_got(store):
        extras.add("item")
    kinds = kinds_used(store)
    if kinds - {LOCK}:  # (every other kind's lane is filled to a level)
        extras.add("level")
    if LOCK in kinds:
        extras.add("holder")
    if VALUE in kinds:
        extras.add("lost")
    return frozenset(extras)
