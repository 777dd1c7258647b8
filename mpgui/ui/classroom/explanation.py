"""The scenario's explanation beside the chart: what it shows, what to notice, and the
question to ask the class before pressing Run — and below, for an exercise, its task
(`classroom/exercise.py` writes that part). The texts may be Markdown (`markdown.py`);
a lesson pack's images are shown from its own folder, and from nowhere else."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser

from mpgui.i18n import _
from mpgui.model.scenario import About
from mpgui.ui.accessibility import accessible
from mpgui.ui.classroom.markdown import block, inline
from mpgui.ui.theme import Theme

WEB_SCHEMES = ("http", "https")  # links a text may open (in the browser)


def image_in(folder: Path | None, name: str) -> Path | None:
    """The image file `name` of a text, if it is inside `folder` (a pack's): nothing
    outside it, nothing from the network (None then)."""
    if folder is None:
        return None
    root = folder.resolve()
    try:
        path = (root / name).resolve()
    except (OSError, ValueError):
        return None
    return path if root in path.parents and path.is_file() else None


def about_html(about: About, theme: Theme) -> str:
    """The texts as HTML: the question first in the reading order a class needs it."""
    if not (about.title or about.explanation):
        return (f"<p style='color:{theme.grid}'>"
                + _("<i>Your own scenario.</i> A scenario file can carry its story: an "
                    "<code>[about]</code> table with <code>title</code>, "
                    "<code>explanation</code>, <code>notice</code> and <code>question</code>.")
                + "</p>")
    out = [f"<h2 style='margin:0 0 6px 0'>{html.escape(about.title)}</h2>"]
    if about.explanation:
        out.append(block(about.explanation))
    if about.question:
        before = _("Before you press Run:")  # (not inside the f-string: the extractor
        # reads no call there, and the phrase was left out of the catalogues)
        out.append(f"<p><b>{html.escape(before)}</b> "
                   f"{inline(about.question)}</p>")
    if about.notice:
        notice = _("What to notice:")
        out.append(f"<p><b>{html.escape(notice)}</b> {inline(about.notice)}</p>")
    return "".join(out)


class ExplanationPanel(QTextBrowser):
    """Shows the open scenario's About texts."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        accessible(self, _("About this scenario"),
                   _("What the scenario shows, what to predict before Run and what to "
                     "notice; an exercise's task, hints and verdict"))
        self.theme = theme
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)  # (its links are mpgui's own: anchorClicked says which)
        self._about: About | None = None
        self._extra, self._extra_for = "", About()
        self.images: Path | None = None  # the folder images may come from (a pack's)
        self.anchorClicked.connect(self._open_web_link)

    def set_images(self, folder: Path | None) -> None:
        """Let the texts show images from `folder` (None: none)."""
        if folder != self.images:
            self.images = folder
            self._render(keep_place=False)

    def loadResource(self, kind: int, url: QUrl | str) -> object:  # Qt override
        """An image of the texts: a file inside the pack's folder (nothing outside it,
        nothing from the network), scaled down to the pane's width."""
        if kind != int(QTextDocument.ResourceType.ImageResource.value) or self.images is None:
            return None
        name = url.toString() if isinstance(url, QUrl) else str(url)
        path = image_in(self.images, name)
        if path is None:
            return None
        image = QImage(str(path))
        width = max(50, self.viewport().width() - 24)
        if image.width() > width:
            image = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        return image

    def _open_web_link(self, url: QUrl) -> None:
        if url.scheme() in WEB_SCHEMES:
            QDesktopServices.openUrl(url)

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
