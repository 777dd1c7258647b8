"""Run → Describe the Run: the chart in sentences (`narration.describe_run`), for a
screen reader or anyone who cannot see the picture — in a window of its own that the
keyboard reaches (Ctrl+Alt+D), to read, search and copy."""

from __future__ import annotations

import html

from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from mpgui.i18n import _
from mpgui.ui.accessibility import accessible


class RunDescription(QDialog):
    """The description of the run shown (or of the prediction), paragraph by paragraph."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Describe the Run — mpgui"))
        self.resize(760, 560)
        self.paragraphs: list[str] = []
        self.text = accessible(QTextBrowser(), _("Description of the run"),
                               _("The chart in sentences: the lanes, the main program's "
                                 "calls, each process's states and end, the CPUs"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(_("Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        accessible(copy, _("Copy"), _("Copy the description to the clipboard"))
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.clicked.connect(self.copy)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))  # (in mpgui's language, as the Copy beside it)
        accessible(close, _("Close"), _("Close the description"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)

    def set_paragraphs(self, paragraphs: list[str]) -> None:
        """Show `paragraphs` (plain text) and put the reader at the top."""
        self.paragraphs = paragraphs
        self.text.setHtml("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs))
        self.text.setFocus()

    def plain_text(self) -> str:
        """The description as plain text, a blank line between paragraphs."""
        return "\n\n".join(self.paragraphs)

    def copy(self) -> None:
        """Put the description on the clipboard."""
        QGuiApplication.clipboard().setText(self.plain_text())
