"""The gallery: the built-in scenarios by title, one click (or PageDown) from the next;
below them, under a heading of their own, the exercises — each solved one marked "✓".

The list only shows and chooses; loading goes through the window's FileActions, which
keeps an edited built-in for the session rather than asking (session_edits.py): going
through the gallery never stops on a question. The list marks the built-ins edited this
session ("•", in italics).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QToolButton,
    QWidget,
)

from mpgui.i18n import _
from mpgui.model.builtins import (
    EXERCISES,
    builtin_about,
    builtin_names,
    builtin_section,
    load_builtin,
    pack_of,
)
from mpgui.model.fileformat import ScenarioFileError
from mpgui.ui import dialogs
from mpgui.ui.accessibility import accessible
from mpgui.ui.actions import make_action
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.editor.files import FileActions
from mpgui.ui.panels import panel

NAME_ROLE = Qt.ItemDataRole.UserRole
EDITED_ROLE = Qt.ItemDataRole.UserRole + 1  # True: edited this session
EDITED_MARK = "\u00a0•"  # after the title, never wrapped onto a line of its own
EDITED_TIP = "\n\n" + _("Edited in this session: it opens as you left it. Reset "
                        "(Ctrl+Shift+R) puts it back; at quit you can save a copy.")
# By section (the key: `builtin_section`'s, untranslated).
SECTION_TIPS = {EXERCISES: _("Scenarios with a goal: edit one until its run meets the "
                             "goal. Each one you solve is marked ✓.")}
SOLVED_MARK = "✓\u00a0"  # before a solved exercise's title
SOLVED_TIP = "\n\n" + _("Solved: you met its goal in an earlier run.")


class _Roomy(QStyledItemDelegate):
    """A little air between titles. Added to the height only: padding (a style sheet,
    setSpacing) narrows the painted text without telling the size hint, and Qt then
    cuts the last wrapped line. Edited built-ins in italics: in the view's own font, so
    the zoom still scales them."""

    def initStyleOption(self, option, index):  # type: ignore[no-untyped-def]  # Qt override
        super().initStyleOption(option, index)
        if index.data(EDITED_ROLE):
            option.font.setItalic(True)

    def sizeHint(self, option, index):  # type: ignore[no-untyped-def]  # Qt override
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + 6)


class GalleryList(QListWidget):
    """The built-in scenarios, by title; `chosen(name)` when the user picks one."""

    chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        accessible(self, _("Gallery"), _("The prepared scenarios and exercises, by title; "
                                         "Enter opens the one selected (PageDown / PageUp: "
                                         "the next, the one before)"))
        self.fill()
        self.setWordWrap(True)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)  # re-wrap titles on resize
        # Wrap, never cut: at some widths Qt sizes an item for two lines but paints one.
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setItemDelegate(_Roomy(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # titles wrap
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)

    def show_current(self, name: str | None) -> None:
        """Mark `name` as the open scenario (None: a file, nothing marked)."""
        self.blockSignals(True)
        self.clearSelection()
        row = next((r for r in range(self.count()) if self.item(r).data(NAME_ROLE) == name
                    and name is not None), -1)
        # (-1 for a file: the scenario box above the table shows no built-in's title)
        self.setCurrentRow(row)
        if row >= 0:
            self.scrollToItem(self.item(row))
        self.blockSignals(False)

    def mark_edited(self, names: set[str]) -> None:
        """Mark the built-ins `names` as edited this session (and only those)."""
        for row in range(self.count()):
            item = self.item(row)
            edited = item.data(NAME_ROLE) in names
            if bool(item.data(EDITED_ROLE)) == edited:
                continue
            text, tip = item.text(), item.toolTip()
            item.setText(text + EDITED_MARK if edited else text.removesuffix(EDITED_MARK))
            item.setToolTip(tip + EDITED_TIP if edited else tip.removesuffix(EDITED_TIP))
            item.setData(EDITED_ROLE, edited)

    def fill(self) -> None:
        """List the built-ins again (a lesson pack came or went): the scenarios, then a
        section for the exercises and one for each pack, each numbered from 1."""
        self.clear()
        self.names = builtin_names()
        number, section = 0, ""
        for name in self.names:
            try:
                about = builtin_about(name)
            except ScenarioFileError:  # a broken resource must not break the window
                continue
            if builtin_section(name) != section:  # a new section: its heading
                section = builtin_section(name)
                pack = pack_of(name)
                # (the exercises' heading translated; a pack's title is the teacher's)
                shown = _(section) if section == EXERCISES else section
                self.addItem(_heading(shown, SECTION_TIPS.get(section) or (
                    _("A lesson pack: {about}").format(
                        about=pack[0].description or pack[0].title) if pack else "")))
                number = 0
            number += 1
            # (its section says so; a built-in's title comes translated, a pack's as written)
            # TRANSLATORS: how every built-in exercise's title begins, as translated there
            # ("Exercise: no lost updates"), trailing space included
            title = about.title.removeprefix("Exercise: ").removeprefix(_("Exercise: ")) \
                or name
            title = title[:1].upper() + title[1:]
            item = QListWidgetItem(f"{number}. {title}")
            item.setData(NAME_ROLE, name)
            item.setToolTip(f"{name}: {about.explanation}")
            self.addItem(item)

    def mark_solved(self, names: set[str]) -> None:
        """Mark the exercises `names` as solved (and only those)."""
        for row in range(self.count()):
            item = self.item(row)
            solved = item.data(NAME_ROLE) in names
            text, tip = item.text(), item.toolTip()
            if text.startswith(SOLVED_MARK) == solved:
                continue
            item.setText(SOLVED_MARK + text if solved else text.removeprefix(SOLVED_MARK))
            item.setToolTip(tip + SOLVED_TIP if solved else tip.removesuffix(SOLVED_TIP))

    def neighbour(self, name: str | None, step: int) -> str:
        """The scenario `step` places after `name` (wrapping around); from a file, the
        first (step > 0) or the last."""
        if name not in self.names:
            return self.names[0 if step > 0 else -1]
        return self.names[(self.names.index(name) + step) % len(self.names)]

    def _activated(self, item: QListWidgetItem) -> None:
        if item.data(NAME_ROLE):  # (not a heading)
            self.chosen.emit(item.data(NAME_ROLE))


def _heading(text: str, tip: str) -> QListWidgetItem:
    """A section's heading in the list: bold, neither selectable nor a scenario."""
    item = QListWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # (drawn as text, never chosen)
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    item.setToolTip(tip)
    return item


def gallery_panel(gallery: GalleryList, actions: list[QAction]) -> QWidget:
    """The list under a title, with Previous / Next / Reset buttons below it."""
    buttons = QWidget()
    row = QHBoxLayout(buttons)
    row.setContentsMargins(0, 0, 0, 0)
    for act in actions:
        button = QToolButton()
        button.setDefaultAction(act)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        row.addWidget(button, 1)
    box = panel(_("Scenarios"), "", gallery, [])
    box.layout().addWidget(buttons)
    return box


class GalleryActions(QObject):
    """Previous / Next (PageUp / PageDown) through the gallery, and Reset to the
    built-in, for the window's document; keeps the list showing the open scenario and
    the edited ones."""

    def __init__(self, window: QWidget, doc: ScenarioDocument, files: FileActions,
                 gallery: GalleryList) -> None:
        super().__init__(window)
        self.window, self.doc, self.files, self.gallery = window, doc, files, gallery
        self.presenting = False  # set by the window: presentation mode never asks
        self.actions = {
            "previous": make_action(self, _("&Previous Scenario"), "PgUp",
                                    lambda: self.step(-1),
                                    _("Open the previous scenario of the gallery"),
                                    short=_("◀ Previous")),
            "next": make_action(self, _("&Next Scenario"), "PgDown", lambda: self.step(1),
                                _("Open the next scenario of the gallery"),
                                short=_("Next ▶")),
            "reset": make_action(self, _("&Reset to Built-in"), "Ctrl+Shift+R", self.reset,
                                 _("Undo all your edits of this built-in scenario (Ctrl+Z "
                                   "brings them back)"), short=_("Reset")),
        }
        gallery.chosen.connect(files.open_builtin)
        doc.file_changed.connect(self.sync)
        files.session.changed.connect(self.sync)
        self.sync()

    def set_presenting(self, on: bool) -> None:
        """Presentation mode on or off: while on, stepping never asks a question."""
        self.presenting = on

    def step(self, by: int) -> bool:
        """Open the scenario `by` places along the gallery. An edited built-in is kept
        for the session; a file's unsaved changes are asked about — except in
        presentation mode, which says why it stays instead of asking."""
        if self.presenting and self.files.would_ask():
            self.window.statusBar().showMessage(  # type: ignore[attr-defined]
                _("“{name}” has unsaved changes: save them (Ctrl+S), or leave presentation "
                  "mode (F11) to go on.").format(name=self.doc.display_name), 10_000)
            return False
        return self.files.open_builtin(self.gallery.neighbour(self.doc.builtin, by))

    def reset(self) -> None:
        """Put the built-in back as it was, as one undoable edit."""
        name = self.doc.builtin
        if name is None:
            return
        try:
            original = load_builtin(name)
        except ScenarioFileError as exc:
            dialogs.show_error(self.gallery, _("Cannot reset"), str(exc))
            return
        self.doc.edit(original, _("Reset {name}").format(name=name))
        self.doc.undo_stack.setClean()  # as opened; undoing the reset makes it edited again

    def sync(self) -> None:
        """Mark the open scenario and the edited ones in the list; Reset follows."""
        self.gallery.show_current(self.doc.builtin)
        edited = {s.builtin for s in self.files.session.edited() if s.builtin}
        if self.doc.builtin is not None and self.doc.modified:
            edited.add(self.doc.builtin)
        self.gallery.mark_edited(edited)
        self.actions["reset"].setEnabled(self.doc.builtin is not None and self.doc.modified)
