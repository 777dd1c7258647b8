"""What a screen reader says about the window's controls: each has an accessible name
(what it is) and description (what it does). The product's own widgets say theirs where
they are made (`accessible`); the parts Qt makes by itself — a toolbar's or menu bar's
» button, a table's corner button and headers, a tab bar's scroll arrows, a combo box's
list — are named here (`name_parts`), and `unnamed` lists whatever still lacks either
(a test checks it is nothing, over every window).

Qt reads a button's text as its name and a tooltip as the description when nothing else
is set; both are checked through QAccessible, as a screen reader gets them.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QScrollBar,
    QTabBar,
    QWidget,
)

from mpgui.i18n import _

W = TypeVar("W", bound=QWidget)

# The kinds of widget a user acts on or reads from (a scroll bar belongs to its view).
CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QAbstractSlider,
            QAbstractScrollArea, QTabBar)

# Qt's own parts, by their object names: (name, description).
_PARTS = {
    "qt_toolbar_ext_button": (_("More toolbar buttons"),
                              _("The toolbar buttons that do not fit the window")),
    "qt_menubar_ext_button": (_("More menus"), _("The menus that do not fit the window")),
    "qt_tableview_cornerbutton": (_("Select all"), _("Select every cell of the table")),
    "ScrollLeftButton": (_("Scroll left"), _("Show the tabs to the left")),
    "ScrollRightButton": (_("Scroll right"), _("Show the tabs to the right")),
}


def accessible(widget: W, name: str, description: str) -> W:
    """`widget` with its accessible `name` and `description` set; returns it."""
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)
    return widget


def _name_of(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    return face.text(QAccessible.Text.Name) if face is not None else ""


def name_parts(root: QWidget) -> None:
    """Name the parts Qt made inside `root` that have no name of their own."""
    for w in root.findChildren(QWidget):
        if w.accessibleName() and w.accessibleDescription():
            continue
        part = _PARTS.get(w.objectName())
        if part is None and isinstance(w, QAbstractButton) and isinstance(w.parentWidget(),
                                                                           QLineEdit):
            part = (_("Clear"), _("Clear the text typed"))  # (a line edit's clear button)
        if part is not None:
            accessible(w, w.accessibleName() or part[0], w.accessibleDescription() or part[1])
        elif isinstance(w, QHeaderView) and isinstance(w.parent(), QAbstractItemView):
            owner = _name_of(w.parent()) or _("the table")  # type: ignore[arg-type]
            if w.orientation().name == "Horizontal":
                accessible(w, _("{owner}: column headers").format(owner=owner),
                           _("Click one to select the whole column"))
            else:
                accessible(w, _("{owner}: row headers").format(owner=owner),
                           _("Click one to select the whole row"))
        elif isinstance(w, QAbstractItemView) and (combo := _combo_of(w)) is not None \
                and combo.view() is w:
            accessible(w, _("{box}: choices").format(box=_name_of(combo) or _("Choices")),
                       _("The choices of the box; Enter takes the one selected"))


def _combo_of(view: QWidget) -> QComboBox | None:
    """The combo box whose drop-down list `view` is, if it is one."""
    w = view.parentWidget()
    while w is not None:
        if isinstance(w, QComboBox):
            return w
        w = w.parentWidget()
    return None


def unnamed(root: QWidget) -> list[str]:
    """The controls in `root` (itself included) that lack an accessible name or
    description, as "Class 'its text': no name"."""
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not isinstance(w, CONTROLS) or isinstance(w, QScrollBar):
            continue
        if isinstance(w, QLineEdit) and isinstance(w.parentWidget(),
                                                   (QComboBox, QAbstractSpinBox)):
            continue  # (the box's own editor: the box speaks for it)
        face = QAccessible.queryAccessibleInterface(w)
        # A tab bar says nothing of itself but the current tab: its tabs speak.
        faces = [face.child(i) for i in range(face.childCount())] \
            if isinstance(w, QTabBar) and face is not None else [face]
        for f in faces:
            if f is not None and not f.isValid():
                continue  # (a tab removed: Qt keeps its dead interface a while)
            name = f.text(QAccessible.Text.Name) if f is not None else ""
            about = f.text(QAccessible.Text.Description) if f is not None else ""
            lacks = [what for what, text in (("name", name), ("description", about))
                     if not text.strip()]
            if lacks:
                label = w.text() if isinstance(w, QAbstractButton) else name
                out.append(f"{type(w).__name__} {label!r} in "
                           f"{type(w.parentWidget()).__name__}: no {' or '.join(lacks)}")
    return out
