"""The session's runs: every finished run is kept, to look at again, replay, compare
or save; run files (.mpgrun) come back in as runs too (see runtime/session/record.py)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from mpgui.runtime.session.record import RunRecord

MAX_RUNS = 50  # the oldest are dropped beyond this: a session should not grow forever


class RunHistory(QObject):
    """The runs of this session, oldest first."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunRecord] = []
        self._count = 0

    def add(self, record: RunRecord) -> RunRecord:
        """Keep `record` (numbered) and return it."""
        self._count += 1
        record.number = self._count
        self.runs.append(record)
        del self.runs[:-MAX_RUNS]
        self.changed.emit()
        return record

    @property
    def latest(self) -> RunRecord | None:
        """The last run kept, if any."""
        return self.runs[-1] if self.runs else None

