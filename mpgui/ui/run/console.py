"""The console: what the equivalent script prints, line by line, in each process's
colour, with the time it was printed; a child's traceback in red.

Lines are shown in the order they were printed. Each child sends its lines in its own
batches, so a line can arrive after a later one of another child is already shown; it
is then put in its place by time (no waiting for stragglers: a line shows as soon as it
arrives). The console keeps the time of every block it shows for that.

A flooding child can print a million lines a second; a text widget shows a few thousand.
The console shows at most MAX_LINES_PER_FRAME lines per frame and says in plain words
what it skipped. Every line is still in the trace for export.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

import numpy as np
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from mpgui.i18n import _, ngettext
from mpgui.model.backend import failure_text
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.accessibility import accessible
from mpgui.ui.chart.geometry import lane_colors
from mpgui.ui.theme import Theme, mono_font

MAX_LINES_PER_FRAME = 150
MAX_BLOCKS = 5_000
_time_of = itemgetter(0)  # of a printed line (t, lane, text)


class ConsolePane(QPlainTextEdit):
    """Shows a run's printed lines as they arrive."""

    def __init__(self, theme: Theme, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.theme = theme
        accessible(self, _("Output"), _("The lines the processes printed, each with the time "
                                        "it was printed, as the equivalent Python script "
                                        "prints them"))
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_BLOCKS)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # tracebacks
        self.setFont(mono_font())
        self.setPlaceholderText(_("Press Run (F5): the processes' printed lines appear here, "
                                  "as the equivalent Python script prints them."))
        self.store: TraceStore | None = None
        self.shown = 0  # lines shown
        self.skipped = 0  # lines not shown because they came too fast
        self.blocks_written = 0  # lines and notes, ever (whether a refresh wrote any)
        self._seen = 0
        self._reported: set[int] = set()
        self._formats: dict[int, QTextCharFormat] = {}
        self._colors: list[int] = []
        self.last_shown_t: list[int] = []  # send times of the lines the last refresh showed
        self._notes: list[tuple[str, bool]] = []  # mpgui's own remarks, to show again
        # The time (store clock, ns) of each block of the document, in order: where a
        # late line goes. Notes take the time of what they are about.
        self._times: list[int] = []
        self._order: np.ndarray | None = None  # a replay: the lines' indices in time order
        self._until: int | None = None  # a replay: shown up to this time

    def start(self, store: TraceStore | None) -> None:
        """A new run: clear, and follow `store` (None: nothing to follow)."""
        self.clear()
        self.store = store
        self.shown = self.skipped = self._seen = 0
        self._reported = set()
        self._formats = {}
        self._colors = []
        self._notes = []
        self._times = []
        self._order = self._until = None

    def set_style(self, theme: Theme) -> None:
        """Other colours: the lines shown are written again in them."""
        self.theme = theme
        self.setStyleSheet(f"QPlainTextEdit {{ background: {theme.background}; "
                           f"color: {theme.foreground}; }}")
        store, notes, until = self.store, self._notes, self._until
        if store is None:
            return
        self.start(store)
        if until is None:
            self._seen = max(0, store.n_lines - MAX_BLOCKS)
        self.refresh(until, cap=None)
        for text, error in notes:
            self.note(text, error)

    def refresh(self, until: int | None = None, cap: int | None = MAX_LINES_PER_FRAME) -> None:
        """Append what arrived since the last frame; for a replay, what was printed up
        to time `until` (the store's clock, ns). At most `cap` lines at once."""
        store = self.store
        if store is None:
            return
        if until is None:
            new = store.lines_since(self._seen)
            self._seen = store.n_lines
        else:
            new = self._replayed(store, until)
        cap = len(new) if cap is None else cap
        time_fmt = QTextCharFormat()
        time_fmt.setForeground(QColor(self.theme.muted))
        # In time order: the children's batches interleave, and a line put before an
        # earlier one of the same frame would go in as a late one (inserted, not appended).
        shown = sorted(new[:cap], key=_time_of)
        self.last_shown_t = [t for t, _lane, _text in shown]
        with self._editing() as cursor:
            for t, lane, text in shown:
                self._put(cursor, t, [(f"{(t - store.t0) / 1e9:8.3f}  ", time_fmt),
                                      (text, self._format(lane))])
            if len(new) > len(shown):
                rest = Counter(lane for _t, lane, _text in new[len(shown):])
                self.skipped += len(new) - len(shown)
                who = ", ".join(f"{store.lanes[lane].var} {count:,}"
                                for lane, count in rest.items())
                more = len(new) - len(shown)
                said = ngettext(
                    "… {n:,} more lines ({who}): printed faster than the window can show "
                    "them. They are all kept in the trace; export it to see every one.",
                    "… {n:,} more lines ({who}): printed faster than the window can show "
                    "them. They are all kept in the trace; export it to see every one.",
                    more).format(n=more, who=who)
                self._note(cursor, said, t=max(self.last_shown_t, default=self._last_time()))
            self.shown += len(shown)
            self._report_errors(cursor)

    def show_new_lines(self) -> None:
        """Append what arrived since the last frame and paint it at once: the poll that
        asks for this has more to do after it, which would keep the lines waiting."""
        written = self.blocks_written
        self.refresh()
        if self.blocks_written != written and self.isVisible():
            self.viewport().repaint()

    def _replayed(self, store: TraceStore, until: int) -> list[tuple[int, int, str]]:
        """The lines of a finished run printed after the last call and up to `until`;
        going back in time starts the output over."""
        if self._order is None:
            self._order = np.argsort(np.frombuffer(store.line_t, np.int64), kind="stable")
        if self._until is not None and until < self._until:
            self.start(store)
            self._order = np.argsort(np.frombuffer(store.line_t, np.int64), kind="stable")
        self._until = until
        times = np.frombuffer(store.line_t, np.int64)[self._order]
        end = int(np.searchsorted(times, until, side="right"))
        picked = self._order[self._seen:end]
        self._seen = max(self._seen, end)
        return [(int(store.line_t[i]), int(store.line_lane[i]), store.line_text(int(i)))
                for i in picked]

    def note(self, text: str, error: bool = False) -> None:
        """Append a remark of mpgui's own (in italics; in red if `error`)."""
        self._notes.append((text, error))
        with self._editing(follow=False) as cursor:
            self._note(cursor, text, QColor(self.theme.crash) if error else None)
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    @contextmanager
    def _editing(self, follow: bool = True) -> Iterator[QTextCursor]:
        """One edit of the document (one layout update, however many blocks); after it,
        the blocks Qt trimmed from the top (MAX_BLOCKS) are forgotten, and the view
        follows the end if it was there (`follow`)."""
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        try:
            yield cursor
        finally:
            cursor.endEditBlock()  # Qt trims to the maximum block count here
            excess = len(self._times) - self.document().blockCount()
            if excess > 0:
                del self._times[:excess]
        if follow and at_end:
            bar.setValue(bar.maximum())

    def _put(self, cursor: QTextCursor, t: int, pieces: list[tuple[str, QTextCharFormat]]
             ) -> None:
        """Show one block of `pieces` (text, format) in its place by time `t`: at the
        end, or — for a line that arrived late — before the first block that is later."""
        self.blocks_written += 1
        times = self._times
        if not times or t >= times[-1]:
            # (Only if not there already, as after the last append: moving lays out the
            # block the cursor leaves, each line once more — ~1 ms of a flood's frame.)
            if not cursor.atEnd():
                cursor.movePosition(QTextCursor.MoveOperation.End)
            if times:
                cursor.insertBlock()
            for text, fmt in pieces:
                cursor.insertText(text, fmt)
            times.append(t)
            return
        k = bisect_right(times, t)
        cursor.setPosition(self.document().findBlockByNumber(k).position())
        for text, fmt in pieces:
            cursor.insertText(text, fmt)
        cursor.insertBlock()  # what was block k moves down, after the late line
        times.insert(k, t)

    def _last_time(self) -> int:
        """The time of the last block shown (0 before any)."""
        return self._times[-1] if self._times else 0

    def _report_errors(self, cursor: QTextCursor) -> None:
        store = self.store
        assert store is not None
        shown_until = self._until if self._until is not None else float("inf")
        for ln in store.lanes:
            if ln.error and ln.end_t is not None and ln.end_t <= shown_until \
                    and ln.index not in self._reported:
                self._reported.add(ln.index)
                # In its place by time: when the child failed (its own last timestamp).
                failed = ln.finish_t if ln.finish_t is not None else ln.end_t
                self._note(cursor, failure_text(store.backend, ln.var, ln.name, ln.error,
                                                    ln.kind),
                           QColor(self.theme.crash), t=failed)

    def _note(self, cursor: QTextCursor, text: str, color: QColor | None = None,
              t: int | None = None) -> None:
        """Show `text` (one block per line) at time `t`; by default at the end."""
        fmt = QTextCharFormat()
        fmt.setForeground(color or QColor(self.theme.foreground))
        fmt.setFontItalic(color is None)
        at = self._last_time() if t is None else t
        for line in text.split("\n"):
            self._put(cursor, at, [(line, fmt)])

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
