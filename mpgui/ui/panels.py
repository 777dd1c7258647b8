"""A titled panel: a bold title, a one-line hint, small buttons for its actions, then
the widget. One helper so that the four panes of the window look alike."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget


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
    font = name.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    name.setFont(font)
    head.addWidget(name)
    note = QLabel(hint)
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
