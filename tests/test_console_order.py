"""The Output shows lines in the order they were printed, even when a child's batch
arrives after a later line of another child was already shown."""

from __future__ import annotations

import re
from array import array

from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.run.console import MAX_BLOCKS, ConsolePane
from mpgui.ui.theme import LIGHT

MS = 1_000_000
T0 = 10_000 * MS


def store_with_two_children() -> TraceStore:
    store = TraceStore()
    main = store.add_lane("main", "main program", "main")
    store.add_lane("A", "proc A", "process")
    store.add_lane("B", "proc B", "process")
    store.begin(T0, main)
    return store


def send(store: TraceStore, lane: int, *lines: tuple[int, str]) -> None:
    """One batch from the child on `lane`: (ms after the start, text) per line."""
    times = array("q", [T0 + ms * MS for ms, _text in lines])
    store.add_lines(lane, times.tobytes(), "\n".join(t for _ms, t in lines).encode())


def shown(console: ConsolePane) -> list[str]:
    """The console's blocks, time stamps removed."""
    return [re.sub(r"^\s*\d+\.\d{3}  ", "", b) for b in console.toPlainText().split("\n")]


def test_a_late_batch_is_put_in_its_place_by_time(qtbot):
    console = ConsolePane(LIGHT)
    qtbot.addWidget(console)
    store = store_with_two_children()
    console.start(store)
    send(store, 1, (3327, "A at 3.327"), (3340, "A at 3.340"))
    console.refresh()
    # B printed before A's lines, but its batch comes in the next frame.
    send(store, 2, (3300, "B at 3.300"), (3337, "B at 3.337"), (3400, "B at 3.400"))
    console.refresh()
    assert shown(console) == ["B at 3.300", "A at 3.327", "B at 3.337", "A at 3.340",
                              "B at 3.400"]
    stamps = [float(b.split()[0]) for b in console.toPlainText().split("\n")]
    assert stamps == sorted(stamps)
    # A note (the run's end) goes last; a child's traceback at the time it failed.
    store.lanes[1].error = ("RuntimeError", "boom", "Traceback (most recent call last):\n"
                            "RuntimeError: boom")
    store.lanes[1].finish_t = T0 + 3345 * MS
    store.lanes[1].end_t = T0 + 3350 * MS
    console.refresh()
    console.note("— finished —")
    assert shown(console)[3:] == ["A at 3.340", "Process proc A:",
                                  "Traceback (most recent call last):", "RuntimeError: boom",
                                  "B at 3.400", "— finished —"]


def test_late_lines_stay_in_order_when_old_blocks_are_trimmed(qtbot):
    console = ConsolePane(LIGHT)
    qtbot.addWidget(console)
    store = store_with_two_children()
    console.start(store)
    for start in range(0, MAX_BLOCKS + 300, 100):  # more than the console keeps
        send(store, 1, *[(2 * i, f"A {2 * i}") for i in range(start, start + 100)])
        console.refresh(cap=None)
    assert console.document().blockCount() == MAX_BLOCKS
    last = 2 * (MAX_BLOCKS + 299)
    send(store, 2, (last - 3, "B late"), (last + 1, "B after"))
    console.refresh()
    assert console.document().blockCount() == MAX_BLOCKS
    assert shown(console)[-5:] == [f"A {last - 4}", "B late", f"A {last - 2}", f"A {last}",
                                   "B after"]
    # A line older than everything still shown goes first (and may be trimmed at once).
    send(store, 2, (1, "B ancient"))
    console.refresh()
    assert shown(console)[-1] == "B after" and console.document().blockCount() == MAX_BLOCKS
