"""Slow work the window waits for — reading a large run file, saving one, exporting a
trace — done on a worker thread while a small dialog says what is happening: the window
keeps painting (a run that is going on stays live) and the user can give up, instead of
a window that looks hung.

The work must not touch Qt: it is the runtime's (reading, checking, writing a file), and
its result is handed back to the window's thread when it is done. It is given a `stop`
event: a write checks it between pieces (`atomic_write`), so that a write given up
leaves the old file as it was; a read ignores it, and is simply dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from mpgui.i18n import _
from mpgui.model.fileformat import WriteCancelled

T = TypeVar("T")

# Work done within this long shows no dialog (one that flashed up and vanished would
# only distract): a run file of a classroom run opens in a few milliseconds.
QUIET_S = 0.4
POLL_MS = 25  # how often the window's thread looks whether the work is done
STOP_S = 10.0  # the most a write given up is waited for (it stops at its next piece)


class Cancelled(Exception):
    """The user gave up waiting (the work finishes on its own; its result is dropped)."""


def wait_for(parent: QWidget, text: str, work: Callable[[threading.Event], T], *,
             writes: bool = False) -> T:
    """`work(stop)`'s result (or what it raised), computed on a worker thread. After
    QUIET_S a window-modal dialog shows `text` with a Cancel button, while the window
    goes on handling its events. Cancel sets `stop` and raises `Cancelled`: at once for
    a read; for work that `writes`, once it has stopped (WriteCancelled) and removed
    what it wrote — and if it finished first, its result stands."""
    outcome: dict[str, object] = {}
    done, stop = threading.Event(), threading.Event()

    def run() -> None:
        try:
            outcome["value"] = work(stop)
        except BaseException as exc:  # handed to the window's thread, raised there
            outcome["error"] = exc
        finally:
            done.set()

    # A daemon: a read given up on is never waited for, not even at exit.
    threading.Thread(target=run, name="mpgui-busy", daemon=True).start()
    if not done.wait(QUIET_S):
        _wait_in_dialog(parent, text, done)
    if not done.is_set():
        stop.set()
        if not writes or not done.wait(STOP_S):  # (a read goes on, to be dropped)
            raise Cancelled
    error = outcome.get("error")
    if isinstance(error, WriteCancelled):
        raise Cancelled
    if error is not None:
        raise error  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def _wait_in_dialog(parent: QWidget, text: str, done: threading.Event) -> None:
    """Show the busy dialog and handle the window's events until `done` or Cancel."""
    dialog = QProgressDialog(text, _("Cancel"), 0, 0, parent)  # 0, 0: no known end
    dialog.setWindowTitle(_("Please wait"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    loop = QEventLoop()
    poll = QTimer(dialog)
    poll.setInterval(POLL_MS)

    def look() -> None:
        # (Cancel, Escape or closing the dialog emit canceled; cancel() only sets a flag)
        if done.is_set() or dialog.wasCanceled():
            loop.quit()

    poll.timeout.connect(look)
    dialog.canceled.connect(loop.quit)
    poll.start()
    dialog.show()
    if not done.is_set():
        loop.exec()
    poll.stop()
    dialog.hide()
    dialog.deleteLater()
