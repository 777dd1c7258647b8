"""One way to make a QAction: text, shortcuts, the tooltip that names the shortcut, a
status tip, and a short label for a small button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence

from mpgui.i18n import _

Shortcut = str | QKeySequence.StandardKey


def make_action(parent: QObject, text: str, shortcuts: Shortcut | list[Shortcut] | None,
                slot: Callable[[], object], tip: str, *, short: str | None = None,
                icon: QIcon | None = None, local: bool = False) -> QAction:
    """A QAction calling `slot`. `short` is its label on a small button; `local` limits
    the shortcut to the widget it is added to and its children (Delete in a table)."""
    act = QAction(text, parent)
    if shortcuts is not None:
        keys = shortcuts if isinstance(shortcuts, list) else [shortcuts]
        act.setShortcuts([QKeySequence(k) for k in keys])
    key = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    act.setToolTip(_("{tip} ({key})").format(tip=tip, key=key) if key else tip)
    act.setStatusTip(tip)
    if short is not None:
        act.setIconText(short)
    if icon is not None:
        act.setIcon(icon)
    if local:
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    act.triggered.connect(lambda _checked=False: slot())
    return act
