"""The scenario's explanation beside the chart: what it shows, what to notice, and the
question to ask the class before pressing Run — and below, for an exercise, its task
(`classroom/exercise.py` writes that part)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser

from mpgui.model.scenario import About
from mpgui.ui.theme import Theme


def about_html(about: About, theme: Theme) -> str:
    """The texts as HTML: the question first in the reading order a class needs it."""
    if not (about.title or about.explanation):
        return (f"<p style='color:{theme.grid}'><i>Your own scenario.</i> A scenario file "
                "can carry its story: an <code>[about]</code> table with <code>title</code>, "
                "<code>explanation</code>, <code>notice</code> and <code>question</code>."
                "</p>")
    out = [f"<h2 style='margin:0 0 6px 0'>{html.escape(about.title)}</h2>"]
    if about.explanation:
        out.append(f"<p>{html.escape(about.explanation)}</p>")
    if about.question:
        out.append(f"<p><b>Before you press Run:</b> {html.escape(about.question)}</p>")
    if about.notice:
        out.append(f"<p><b>What to notice:</b> {html.escape(about.notice)}</p>")
    return "".join(out)


class ExplanationPanel(QTextBrowser):
    """Shows the open scenario's About texts."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)  # (its links are mpgui's own: anchorClicked says which)
        self._about: About | None = None
        self._extra, self._extra_for = "", About()

    def set_theme(self, theme: Theme) -> None:
        """Other colours: the texts are written again."""
        self.theme = theme
        self._render()

    def show_about(self, about: About) -> None:
        """Show `about` (only re-renders when it changed)."""
        if about != self._about:
            self._about = about
            self._render(keep_place=False)

    def set_extra(self, text: str, about: About | None = None) -> None:
        """HTML shown below the texts of `about` (and only below them: not under a
        traced script's, shown while it runs); "" for none."""
        if (text, about or About()) != (self._extra, self._extra_for):
            self._extra, self._extra_for = text, about or About()
            self._render()

    def _render(self, keep_place: bool = True) -> None:
        if self._about is None:
            return
        extra = self._extra if self._about == self._extra_for else ""
        scroll = self.verticalScrollBar().value()  # (a hint shown: stay where one reads)
        self.setHtml(about_html(self._about, self.theme) + extra)
        if keep_place:
            self.verticalScrollBar().setValue(scroll)
