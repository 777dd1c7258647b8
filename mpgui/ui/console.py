"""The console: what the equivalent script prints, line by line, in each process's
colour, with the time it was printed; a child's traceback in red.

A flooding child can print a million lines a second; a text widget shows a few thousand.
The console shows at most MAX_LINES_PER_FRAME lines per frame and says in plain words
what it skipped. Every line is still in the trace for export.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from mpgui.runtime.trace import TraceStore
from mpgui.ui.chart.geometry import lane_colors
from mpgui.ui.theme import Theme

MAX_LINES_PER_FRAME = 150
MAX_BLOCKS = 5_000


class ConsolePane(QPlainTextEdit):
    """Shows a run's printed lines as they arrive."""

    def __init__(self, theme: Theme, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.theme = theme
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_BLOCKS)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # tracebacks
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self.setPlaceholderText("Press Run (F5): the processes' printed lines appear here, "
                                "as the equivalent Python script prints them.")
        self.store: TraceStore | None = None
        self.shown = 0  # lines shown
        self.skipped = 0  # lines not shown because they came too fast
        self._seen = 0
        self._reported: set[int] = set()
        self._formats: dict[int, QTextCharFormat] = {}
        self._colors: list[int] = []
        self.last_shown_t: list[int] = []  # send times of the lines the last refresh showed

    def start(self, store: TraceStore | None) -> None:
        """A new run: clear, and follow `store` (None: nothing to follow)."""
        self.clear()
        self.store = store
        self.shown = self.skipped = self._seen = 0
        self._reported = set()
        self._formats = {}
        self._colors = []

    def refresh(self) -> None:
        """Append what arrived since the last frame."""
        store = self.store
        if store is None:
            return
        new = store.lines_since(self._seen)
        self._seen = store.n_lines
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        at_end = self.verticalScrollBar().value() >= self.verticalScrollBar().maximum() - 2
        time_fmt = QTextCharFormat()
        time_fmt.setForeground(QColor(self.theme.grid).darker(160))
        shown = new[:MAX_LINES_PER_FRAME]
        self.last_shown_t = [t for t, _lane, _text in shown]
        cursor.beginEditBlock()  # one layout update for the whole frame, not one per line
        for t, lane, text in shown:
            if not self.document().isEmpty():
                cursor.insertBlock()
            cursor.insertText(f"{(t - store.t0) / 1e9:8.3f}  ", time_fmt)
            cursor.insertText(text, self._format(lane))
        if len(new) > len(shown):
            rest = Counter(lane for _t, lane, _text in new[len(shown):])
            self.skipped += len(new) - len(shown)
            who = ", ".join(f"{store.lanes[lane].var} {count:,}" for lane, count in rest.items())
            self._note(cursor, f"… {len(new) - len(shown):,} more lines ({who}): printed "
                       "faster than the window can show them. They are all kept in the "
                       "trace; export it to see every one.")
        self.shown += len(shown)
        self._report_errors(cursor)
        cursor.endEditBlock()
        if at_end:
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def note(self, text: str, error: bool = False) -> None:
        """Append a remark of mpgui's own (in italics; in red if `error`)."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self._note(cursor, text, QColor(self.theme.crash) if error else None)
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def _report_errors(self, cursor: QTextCursor) -> None:
        store = self.store
        assert store is not None
        for ln in store.lanes:
            if ln.error and ln.end_t is not None and ln.index not in self._reported:
                self._reported.add(ln.index)
                etype, message, tb = ln.error
                self._note(cursor, f"Process {ln.name}:\n{(tb or f'{etype}: {message}').rstrip()}",
                           QColor(self.theme.crash))

    def _note(self, cursor: QTextCursor, text: str, color: QColor | None = None) -> None:
        fmt = QTextCharFormat()
        fmt.setForeground(color or QColor(self.theme.foreground))
        fmt.setFontItalic(color is None)
        for i, line in enumerate(text.split("\n")):
            if i or not self.document().isEmpty():
                cursor.insertBlock()
            cursor.insertText(line, fmt)

    def _format(self, lane: int) -> QTextCharFormat:
        fmt = self._formats.get(lane)
        if fmt is None:
            assert self.store is not None
            if lane >= len(self._colors):
                self._colors = lane_colors(self.store).tolist()
            fmt = QTextCharFormat()
            fmt.setForeground(self.theme.text_color(self._colors[lane]))
            self._formats[lane] = fmt
        return fmt
