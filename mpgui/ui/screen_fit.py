"""Keeping a window inside its screen: a size remembered on a larger monitor, or a
window's own default size, must never put part of it off a small one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def fit_to_screen(window: QWidget) -> None:
    """Keep `window` (not full screen or maximized) inside the available area of its
    screen: smaller if it is larger, moved if it hangs over an edge."""
    if window.windowState() & (Qt.WindowState.WindowFullScreen | Qt.WindowState.WindowMaximized):
        return
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    extra_w = frame.width() - window.width()
    extra_h = frame.height() - window.height()
    if not window.isVisible() and extra_h == 0:  # not shown yet: room for a title bar
        extra_w, extra_h = 8, 40
    width = min(window.width(), screen.width() - extra_w)
    height = min(window.height(), screen.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), screen.left()), screen.right() + 1 - frame.width())
    y = min(max(frame.y(), screen.top()), screen.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)
