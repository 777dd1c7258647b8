"""How the chart paints the records of each event kind: painters registered by the name
a kind gives (`events.EventKind.painter`; the runtime never imports Qt or the chart).

A painter adds to the marks layout (`labels.layout_marks`) the lines and dots of its
records and the flags to label on the main program's lane; the chart repaints its
marks when a painter's `count` changes. The painters register when their modules are
imported (the package imports the built-in ones: `join_marks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from mpgui.runtime.store import events

if TYPE_CHECKING:
    from mpgui.runtime.store.trace import TraceStore
    from mpgui.ui.chart.geometry import Rows
    from mpgui.ui.chart.labels import Frame, MarksLayout, _Flag


class MarkPainter(Protocol):
    """What the chart asks of an event kind's painter."""

    def count(self, records: list[Any], cut_ns: int) -> int:
        """How many marks its records make up to `cut_ns` (the marks repaint when it
        changes)."""

    def connectors(self, store: TraceStore, records: list[Any], rows: Rows, frame: Frame,
                   cut_ns: int, out: MarksLayout) -> None:
        """Add the lines and dots of its records up to `cut_ns` to `out`."""

    def flags(self, store: TraceStore, records: list[Any], cut_ns: int) -> list[_Flag]:
        """The flags (labels on the main program's lane) of its records up to `cut_ns`."""


PAINTERS: dict[str, MarkPainter] = {}


def register_painter(name: str, painter: MarkPainter) -> MarkPainter:
    """Paint the records of the event kinds whose `painter` is `name` with `painter`."""
    PAINTERS[name] = painter
    return painter


def painted(store: TraceStore) -> list[tuple[MarkPainter, list[Any]]]:
    """Each event kind with a painter, and its records in `store`, in the registry's
    order."""
    return [(PAINTERS[k.painter], store.records(k.name)) for k in events.recorded()
            if k.painter in PAINTERS]
