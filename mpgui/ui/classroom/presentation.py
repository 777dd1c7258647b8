"""Presentation mode (F11): the window full screen for a projector. The editing panels
make way for the scenario's title, explanation and question in large type; a zoom of
its own scales everything; single keys drive it, with no mouse: Space runs or stops,
PageUp/PageDown change the scenario, R replays the last run, F11 leaves."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QImageReader, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QScrollArea, QVBoxLayout, QWidget

from mpgui.i18n import _
from mpgui.model.scenario import About
from mpgui.ui.accessibility import accessible
from mpgui.ui.appearance import Appearance
from mpgui.ui.classroom.explanation import image_in
from mpgui.ui.classroom.markdown import block, inline, with_images
from mpgui.ui.panels import HINT

_LINE = "<p style='margin:0'>"  # a paragraph of the header: no space between them


class PresentationHeader(QWidget):
    """The scenario's title, explanation and question, large (rich text sizes are
    relative to the font, so the zoom scales them). A long story on a small screen
    scrolls within a third of the window, so the chart keeps the rest."""

    MAX_SHARE = 0.34  # of the window's height
    IMAGE_SHARE = 0.2  # the most of the window's height an image of the text takes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.scroll = accessible(QScrollArea(), _("Scenario"),
                                 _("The scenario's title, explanation and question, large "
                                   "for the back of the room"))
        self.scroll.setWidget(self.label)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.scroll)
        self._about: tuple[About, str] | None = None
        self._task = ""
        self.images: Path | None = None  # the folder the explanation's images come from
        self.hide()

    def fit(self) -> None:
        """As tall as the text at this width, at most MAX_SHARE of the window's height."""
        width = max(1, self.scroll.viewport().width())
        wanted = self.label.heightForWidth(width) + 4
        limit = int(self.window().height() * self.MAX_SHARE)
        self.scroll.setFixedHeight(max(1, min(wanted, limit)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        if self.images is not None and self._about is not None:
            self.show_about(*self._about)  # (its images sized for the new window)
        else:
            self.fit()

    def set_images(self, folder: Path | None) -> None:
        """Let the explanation show images from `folder` (a pack's; None: none)."""
        if folder != self.images:
            self.images = folder
            if self._about is not None:
                self.show_about(*self._about)

    def _image(self, name: str) -> str | None:
        """An image's attributes for the label: its file (inside the pack's folder), at
        most IMAGE_SHARE of the window's height and the header's width."""
        path = image_in(self.images, name)
        if path is None:
            return None
        size = QImageReader(str(path)).size()
        if not size.isValid() or size.isEmpty():
            return None
        scale = min(1.0, self.window().height() * self.IMAGE_SHARE / size.height(),
                    max(50, self.scroll.viewport().width() - 24) / size.width())
        url = html.escape(QUrl.fromLocalFile(str(path)).toString(), quote=True)
        return (f"src=\"{url}\" width=\"{max(1, round(size.width() * scale))}\" "
                f"height=\"{max(1, round(size.height() * scale))}\"")

    def set_task(self, task: str) -> None:
        """An exercise's task and how the last run did, as rich text under the question
        ("" for none)."""
        if task != self._task:
            self._task = task
            if self._about is not None:
                self.show_about(*self._about)

    def show_about(self, about: About, fallback_title: str) -> None:
        """Show `about` (its title, else `fallback_title`)."""
        def text(s: str) -> str:
            return html.escape(s, quote=False)

        self._about = (about, fallback_title)
        parts = [f"<span style='font-size:xx-large; font-weight:bold'>"
                 f"{text(about.title or fallback_title)}</span>"]
        if about.explanation:  # (Markdown; a pack's images from its folder only)
            parts.append(with_images(block(about.explanation), self._image).replace(
                "<p>", _LINE))
        if about.question:
            before = _("Before you press Run:")
            parts.append(f"{_LINE}<b>{text(before)}</b> "
                         f"{inline(about.question)}</p>")
        if self._task:
            parts.append(f"<br>{self._task}")
        self.label.setText("".join(parts))
        self.fit()


class Presentation(QObject):
    """Enters and leaves presentation mode for `window`."""

    toggled = Signal(bool)

    def __init__(self, window: QMainWindow, appearance: Appearance, header: PresentationHeader,
                 set_editing: Callable[[bool], None], focus: QWidget,
                 keys: list[QAction]) -> None:
        super().__init__(window)
        self.window, self.appearance, self.header = window, appearance, header
        self.set_editing = set_editing  # shows or hides the editing panes
        self.focus = focus  # takes the keyboard, so that no editor eats Space
        self.keys = keys  # single-key actions that work only while presenting
        self.active = False
        self._state = window.windowState()
        self._geometry = window.saveGeometry()
        self._shown_hints: list[QLabel] = []
        for key in keys:
            key.setEnabled(False)

    def toggle(self) -> None:
        """Enter or leave (F11)."""
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self, screen: tuple[int, int] | None = None) -> None:
        """Full screen, editing panels hidden, the story large (at a zoom for the size
        of the window's screen, or of `screen`)."""
        if self.active:
            return
        self.active = True
        self._state = self.window.windowState()
        self._geometry = self.window.saveGeometry()
        self._shown_hints = [h for h in self.window.findChildren(QLabel, HINT) if not h.isHidden()]
        self.set_editing(False)
        for w in self._shown_hints:  # editing help, too: room for the chart
            w.hide()
        self.window.menuBar().hide()
        self.header.show()
        if screen is None:  # the projector it goes full screen on
            size = self.window.screen().geometry().size()
            screen = (size.width(), size.height())
        self.appearance.set_presenting(True, screen)
        self.window.showFullScreen()
        for key in self.keys:
            key.setEnabled(True)
        self.focus.setFocus()
        self.toggled.emit(True)

    def leave(self) -> None:
        """Back to the window as it was."""
        if not self.active:
            return
        self.active = False
        for key in self.keys:
            key.setEnabled(False)
        # The desk's zoom first: the panels come back at their own size, not the
        # projector's, and the window does not grow to fit them.
        self.appearance.set_presenting(False)
        self.header.hide()
        self.set_editing(True)
        for hint in self._shown_hints:
            hint.show()
        self.window.menuBar().show()
        self.window.setWindowState(self._state)
        if not self._state & Qt.WindowState.WindowFullScreen:
            self.window.restoreGeometry(self._geometry)
        self.window.show()
        self.toggled.emit(False)
