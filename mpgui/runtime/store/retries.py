"""The retry kind: a task that its worker took down with it, and that the scheduler
ran again on another worker (a Dask cluster whose worker died mid-task).

The backend that sees it (`dask_backend`) records one `Retry` per task taken back; run
files keep the records (``retries`` in the file), the CSV export writes a row each, and
the chart marks each on the task's lane, from the lane of the worker that died
(painter "retry", in ``mpgui.ui.chart.retry_marks``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mpgui.runtime.store.events import EventKind, register
from mpgui.runtime.store.schema import NONE, Field

if TYPE_CHECKING:
    from mpgui.runtime.store.trace import TraceStore


@dataclass
class Retry:
    """The task on `lane` lost its worker (on lane `worker`, if it has one) at `t`: the
    scheduler will run it again."""

    lane: int
    t: int
    worker: int | None = None


FIELDS = (Field("lane", (int,), lane=True), Field("t", (int,)),
          Field("worker", (int, NONE), default=None, lane=True))


def _csv(store: TraceStore, records: list[Retry],
         row: Callable[..., tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    for r in records:
        worker = store.lanes[r.worker].var if r.worker is not None else ""
        yield row("retry", r.lane, t0=r.t, t1=r.t, text=f"worker lost: {worker}".strip())


def record_retry(store: TraceStore, lane: int, t: int, worker: int | None) -> Retry:
    """Keep one retry of the task on `lane`."""
    retry = Retry(lane, t, worker)
    store.records(RETRY.name).append(retry)
    return retry


RETRY = register(EventKind("retry", record=Retry, fields=FIELDS, file_key="retries",
                            csv=_csv, painter="retry"))
