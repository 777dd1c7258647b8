"""Help → User Guide: the README, mpgui's manual, shipped with the app and shown offline
in a window of its own with a find box. Pictures are not shipped: each shows as its
description, in italics. Links to the guide's headings scroll to them, web links open
in the browser, links to files of the source tree open the file if it is there."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mpgui.i18n import _
from mpgui.resources import guide_path
from mpgui.ui.accessibility import accessible
from mpgui.ui.actions import make_action

# ![alt](src): the alt text may run over several lines, as the README's do.
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)\)")
_WEB = ("http", "https", "mailto")


def guide_markdown(text: str) -> str:
    """The README as the guide shows it: each picture replaced by its alt text in
    italics (no picture is shipped with the app)."""
    def alt(match: re.Match[str]) -> str:
        words = " ".join(match["alt"].split()).replace("*", r"\*")
        return f"*{words}*" if words else ""

    return _IMAGE.sub(alt, text)


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: "Two commands" → "two-commands"."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def name_headings(doc: QTextDocument) -> list[str]:
    """Give every heading of `doc` its GitHub anchor name (Qt's Markdown reader names
    none), so that links like ``#two-commands`` can scroll to it. Returns the names."""
    names: list[str] = []
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0 and block.text().strip():
            name = base = slug(block.text())
            n = 0
            while name in names:  # GitHub numbers repeated headings: name-1, name-2 ...
                n += 1
                name = f"{base}-{n}"
            names.append(name)
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                                QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setAnchor(True)
            fmt.setAnchorNames([name])
            cursor.mergeCharFormat(fmt)
        block = block.next()
    return names


def tint_links(doc: QTextDocument, palette: QPalette) -> None:
    """Links in the theme's link colour (Qt's Markdown reader paints them plain blue,
    unreadable on a dark theme)."""
    fmt = QTextCharFormat()
    fmt.setForeground(palette.color(QPalette.ColorRole.Link))
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and frag.charFormat().anchorHref():
                cursor = QTextCursor(doc)
                cursor.setPosition(frag.position())
                cursor.setPosition(frag.position() + frag.length(),
                                   QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(fmt)
            it += 1
        block = block.next()


class GuideWindow(QWidget):
    """The user's guide in a window of its own: a find box over the text."""

    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(_("mpgui User Guide"))
        self.path = path or guide_path()
        self.browser = accessible(QTextBrowser(), _("User Guide"),
                                  _("The manual: what each part of the window does, the "
                                    "file format, the command line"))
        self.browser.setOpenLinks(False)  # _follow decides where each link goes
        self.browser.anchorClicked.connect(self._follow)
        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText(_("Find in the guide"))
        self.find_box.setClearButtonEnabled(True)
        accessible(self.find_box, _("Find in the guide"),
                   _("Type a word: the guide shows its next place (Enter: the one after)"))
        self.find_box.textChanged.connect(lambda _t: self.find(again=False))
        self.find_box.returnPressed.connect(self.find)
        self.note = QLabel()  # "not found", or where a link could not go
        self.actions_ = {
            "find": make_action(self, _("Find"), QKeySequence.StandardKey.Find,
                                self.focus_find, _("Find a word in the guide")),
            "next": make_action(self, _("Next"), [QKeySequence.StandardKey.FindNext],
                                self.find, _("The next place the word is found"), short="▼"),
            "previous": make_action(self, _("Previous"),
                                    [QKeySequence.StandardKey.FindPrevious],
                                    lambda: self.find(backward=True),
                                    _("The previous place the word is found"), short="▲"),
        }
        self.addActions(list(self.actions_.values()))
        bar = QHBoxLayout()
        bar.addWidget(self.find_box, 1)
        for key in ("previous", "next"):
            button = QToolButton()
            button.setDefaultAction(self.actions_[key])
            bar.addWidget(button)
        bar.addWidget(self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)
        self.load()

    def load(self) -> None:
        """Read the guide (again) into the browser; if it is missing, say so."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            self.browser.setPlainText(
                _("The user guide is missing from this installation ({path}: {reason}).")
                .format(path=self.path, reason=exc.strerror or exc))
            return
        self.browser.setMarkdown(guide_markdown(text))
        doc = self.browser.document()
        name_headings(doc)
        tint_links(doc, self.palette())

    def show_guide(self) -> None:
        """Show the window (sized for the screen the first time) and bring it to front."""
        if not self.isVisible():
            fm = self.fontMetrics()
            screen = (self.parentWidget() or self).screen().availableGeometry()
            self.resize(min(fm.averageCharWidth() * 100, int(screen.width() * 0.9)),
                        min(fm.lineSpacing() * 48, int(screen.height() * 0.9)))
        self.show()
        self.raise_()
        self.activateWindow()
        self.browser.setFocus()

    def focus_find(self) -> None:
        """Put the cursor in the find box (Ctrl+F)."""
        self.find_box.setFocus()
        self.find_box.selectAll()

    def find(self, *, backward: bool = False, again: bool = True) -> bool:
        """Select the next (or previous) place the find box's text is, wrapping around at
        the end; while typing (`again` False) the current match is kept if it still fits."""
        text = self.find_box.text()
        if not text:
            self.note.clear()
            return False
        if not again:
            cursor = self.browser.textCursor()
            cursor.setPosition(cursor.selectionStart())
            self.browser.setTextCursor(cursor)
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.browser.find(text, flags)
        if not found:  # wrap around
            cursor = self.browser.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End if backward
                                else QTextCursor.MoveOperation.Start)
            self.browser.setTextCursor(cursor)
            found = self.browser.find(text, flags)
        self.note.setText("" if found else _("Not found"))
        return found

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in _WEB:
            QDesktopServices.openUrl(url)
        elif url.isRelative() and not url.path() and url.fragment():
            self.browser.scrollToAnchor(url.fragment())
        elif url.isRelative():
            local = self.path.parent / url.path()
            if local.exists():  # a checkout: the source tree is there
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(local)))
            else:
                self.note.setText(_("{path} is in mpgui's source, not in this "
                                    "installation").format(path=url.path()))
        else:
            self.note.setText(_("Cannot open {url}").format(url=url.toDisplayString()))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        # Esc closes, from the text or the find box (neither uses it).
        if event.key() == Qt.Key.Key_Escape:
            self.close()
        else:
            super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the theme: links in its colour
            tint_links(self.browser.document(), self.palette())
