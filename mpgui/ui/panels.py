"""A titled panel: a bold title, a one-line hint, small buttons for its actions, then
the widget. One helper so that the four panes of the window look alike."""

from __future__ import annotations

from PySide6.QtGui import QAction, QFont, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

TITLE = "panel_title"  # the object name of every panel's title, to restyle them all
HINT = "panel_hint"  # ... and of its hint, which presentation mode hides


def title_font() -> QFont:
    """A panel title's font: the application's (whatever the zoom), larger and bold."""
    font = QFont(QGuiApplication.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    return font


def restyle_titles(root: QWidget) -> None:
    """Give the panel titles under `root` the current application font (after a zoom:
    a font set on a widget does not follow the application's)."""
    for label in root.findChildren(QLabel, TITLE):
        label.setFont(title_font())


def panel(title: str, hint: str, body: QWidget, actions: list[QAction],
          header_widget: QWidget | None = None) -> QWidget:
    """`body` under a header with `title`, `hint` and a button per action (its
    ``iconText`` is the button's short label, its tooltip the full story)."""
    box = QWidget()
    outer = QVBoxLayout(box)
    outer.setContentsMargins(4, 4, 4, 4)
    outer.setSpacing(3)
    head = QHBoxLayout()
    head.setSpacing(6)
    name = QLabel(title)
    name.setObjectName(TITLE)
    name.setFont(title_font())
    head.addWidget(name)
    note = QLabel(hint)
    note.setObjectName(HINT)
    note.setEnabled(False)  # the palette's muted text colour, whatever the theme
    head.addWidget(note, 1)
    for act in actions:
        button = QToolButton()
        button.setDefaultAction(act)
        button.setAutoRaise(False)
        head.addWidget(button)
    outer.addLayout(head)
    if header_widget is not None:
        outer.addWidget(header_widget)
    outer.addWidget(body, 1)
    return box
