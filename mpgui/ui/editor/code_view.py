"""The code view: the standalone Python script for the current table and main program,
highlighted, kept up to date as the scenario changes, with Copy and Save as .py."""

from __future__ import annotations

import keyword
from pathlib import Path

from PySide6.QtCore import QRegularExpression, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QFileDialog, QPlainTextEdit, QTextEdit, QWidget

from mpgui.i18n import _
from mpgui.model.codegen import generate_code, script_file_name
from mpgui.model.escape import shown
from mpgui.model.fileformat import ScenarioFileError, atomic_write
from mpgui.ui import dialogs
from mpgui.ui.accessibility import accessible
from mpgui.ui.actions import make_action
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.settings import settings
from mpgui.ui.theme import mono_font

CURRENT_LINE = {False: "#fff0a0", True: "#5c4d00"}  # the stepped-to line: light, dark
UPDATE_MS = 150  # typing in a cell redraws the code once it pauses
# keyword, builtin, number, defined name, string, comment: on light, on dark
CODE_COLORS = {False: ("#7a3e9d", "#1f5fa8", "#a15c00", "#005f5f", "#2e7d32", "#808080"),
               True: ("#d7a6ff", "#8ec5ff", "#ffb86c", "#7fe0e0", "#a6e39a", "#a8a8a8")}


def _fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    f.setFontItalic(italic)
    return f


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, builtins, numbers, strings (triple-quoted ones across lines), comments
    and the names of defined functions: enough for the scripts mpgui writes."""

    _IN_DOCSTRING = 1

    def __init__(self, document, dark: bool = False) -> None:  # type: ignore[no-untyped-def]
        super().__init__(document)
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        """Colours for a dark background, or a light one."""
        kw, builtin, number, name, string, comment = CODE_COLORS[dark]
        words = "|".join(keyword.kwlist)
        self.rules = [
            (QRegularExpression(rf"\b(?:{words})\b"), _fmt(kw, bold=True)),
            (QRegularExpression(r"\b(?:print|range|int|float|len|sys|os|time|multiprocessing)"
                                r"\b"), _fmt(builtin)),
            (QRegularExpression(r"\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b"), _fmt(number)),
            (QRegularExpression(r"(?<=\bdef )\w+"), _fmt(name, bold=True)),
            (QRegularExpression(r"\b[fF]?(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"),
             _fmt(string)),
            (QRegularExpression(r"#[^\n]*"), _fmt(comment, italic=True)),
        ]
        self.docstring = _fmt(string, italic=True)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # Qt override
        for pattern, fmt in self.rules:
            it = pattern.globalMatch(text)
            while it.hasNext():
                m = it.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), fmt)
        # Triple-quoted strings may span lines: the block state says we are inside one.
        start = 0 if self.previousBlockState() == self._IN_DOCSTRING else text.find('"""')
        self.setCurrentBlockState(0)
        while start >= 0:
            opened = self.previousBlockState() == self._IN_DOCSTRING and start == 0
            end = text.find('"""', start + (0 if opened else 3))
            if end < 0:
                self.setCurrentBlockState(self._IN_DOCSTRING)
                self.setFormat(start, len(text) - start, self.docstring)
                return
            self.setFormat(start, end + 3 - start, self.docstring)
            start = text.find('"""', end + 3)


class CodeView(QPlainTextEdit):
    """The generated script of the document, at the toolbar's speed and start method."""

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.speed, self.start_method = 1.0, "spawn"
        self.setReadOnly(True)
        accessible(self, _("Python code"), _("This scenario as a standalone script for "
                                              "plain Python, which prints the same lines; "
                                              "during a step-through replay the line of the "
                                              "event stepped to is marked"))
        self.marked: int | None = None  # the line marked (a step-through replay's)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(mono_font())
        self.highlighter = PythonHighlighter(self.document())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UPDATE_MS)
        self._timer.timeout.connect(self.update_code)
        doc.changed.connect(self._timer.start)  # edits: once typing pauses
        doc.file_changed.connect(self.update_code)  # opened or saved: at once
        self.actions_ = {
            "copy": make_action(self, _("&Copy Python Code"), "Ctrl+Shift+C", self.copy_code,
                                _("Copy the script to the clipboard"), short=_("Copy")),
            "save": make_action(self, _("Save Python Code &As…"), "Ctrl+Shift+P",
                                self.save_code,
                                _("Save the script as a .py file to run with plain Python"),
                                short=_("Save as .py")),
        }
        self.update_code()

    def set_run_options(self, speed: float, start_method: str) -> None:
        """Write the script for this speed and start method."""
        if (speed, start_method) != (self.speed, self.start_method):
            self.speed, self.start_method = speed, start_method
            self._timer.start()

    def code(self) -> str:
        """The script, or comments saying what keeps it from being written."""
        problems = self.doc.errors()
        if problems:
            # One comment line each, whatever a cell holds (a newline, a NUL).
            lines = [f"# - {shown(p.text(self.doc.scenario))}" for p in problems]
            head = "# " + _("This scenario cannot run yet; fix these first:")
            return "\n".join([head, *lines, ""])
        source = self.doc.builtin or (self.doc.path.name if self.doc.path else "")
        return generate_code(self.doc.scenario, speed=self.speed,
                             start_method=self.start_method, source=source)

    def update_code(self) -> None:
        """Regenerate, keeping the scroll position (a marked line stays marked only
        while the script is the same)."""
        text = self.code()
        if text != self.toPlainText():
            bar = self.verticalScrollBar()
            at = bar.value()
            self.setPlainText(text)
            bar.setValue(at)
            self.mark_line(None)

    def mark_line(self, line: int | None) -> None:
        """Mark line `line` (from 1) of the script, in view — the line of the event a
        step-through replay is at — or none."""
        self.marked = line
        if line is None or not 1 <= line <= self.blockCount():
            self.marked = None
            self.setExtraSelections([])
            return
        mark = QTextEdit.ExtraSelection()
        # A debugger's current-line yellow: not the blue of a selection to copy.
        dark = self.palette().base().color().lightness() < 128
        mark.format.setBackground(QColor(CURRENT_LINE[dark]))
        mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        cursor = QTextCursor(self.document().findBlockByNumber(line - 1))
        mark.cursor = cursor
        self.setExtraSelections([mark])
        self.setTextCursor(cursor)
        self.centerCursor()

    def copy_code(self) -> None:
        """Put the script on the clipboard."""
        QGuiApplication.clipboard().setText(self.code())

    def save_code(self) -> None:
        """Ask where, then write the script there."""
        start = Path(str(settings().value("last_dir", "") or Path.home())) / \
            script_file_name(self.doc.display_name)
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save Python code as"), str(start),
            _("Python scripts (*.py);;All files (*)"))
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Write the script to `path` (atomically); say why if that fails."""
        try:
            atomic_write(path, self.code().encode("utf-8"))
        except ScenarioFileError as exc:
            dialogs.show_error(self, _("Cannot save the Python code"), str(exc))
            return False
        return True

