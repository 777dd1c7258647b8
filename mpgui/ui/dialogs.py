"""The window's few modal questions and messages, in one module.

Callers use them as ``dialogs.show_error(...)``, through the module, so a test can
replace them with recorders: a modal box would wait forever for a click offscreen.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QMessageBox,
    QWidget,
)

from mpgui.i18n import _


class Unsaved(Enum):
    """The answer to 'save your changes?'."""

    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved(parent: QWidget, name: str) -> Unsaved:
    """Ask whether to save the changes to `name` first."""
    buttons = QMessageBox.StandardButton
    text = _("Save the changes to “{name}” first?\n\n"
             "If you don't, your edits will be lost.").format(name=name)
    answer = QMessageBox.question(
        parent, _("Unsaved changes"), text,
        buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
    return {buttons.Save: Unsaved.SAVE, buttons.Discard: Unsaved.DISCARD}.get(
        answer, Unsaved.CANCEL)


def ask_save_edits(parent: QWidget, names: list[str]) -> list[int] | None:
    """At quit: which of the unsaved scenarios `names` to save. The indices to save
    ([] to discard them all), or None to cancel (the window stays open)."""
    from mpgui.ui.save_edits_dialog import SaveEditsDialog  # (only at quit: start-up time)

    box = SaveEditsDialog(parent, names)
    try:
        box.exec()
        return box.chosen()
    finally:
        box.deleteLater()


def ask_recover(parent: QWidget, name: str, when: str) -> bool:
    """Offer the unsaved edits to `name` that a window which did not close properly
    left at `when`. True to recover them, False to discard them."""
    buttons = QMessageBox.StandardButton
    text = _("mpgui did not close properly, and the edits to “{name}” were not saved. A "
             "copy was kept at {when}.\n\nRecover them? (Discard deletes the copy.)").format(
                 name=name, when=when)
    answer = QMessageBox.question(
        parent, _("Recover unsaved edits?"), text, buttons.Yes | buttons.Discard, buttons.Yes)
    return answer == buttons.Yes


def show_error(parent: QWidget, title: str, text: str) -> None:
    """Say what went wrong; the caller has left everything as it was."""
    QMessageBox.warning(parent, title, text)


def ask_run_script(parent: QWidget, path: str) -> bool:
    """Say plainly that opening the script at `path` runs it. True to run it."""
    buttons = QMessageBox.StandardButton
    text = _("mpgui will run “{path}” as a Python program, exactly as “python script.py” "
             "in its folder would: with your permissions, able to read, change or delete "
             "your files.\n\nRun only a script you wrote or trust. You are asked once for "
             "each file.").format(path=path)
    box = QMessageBox(QMessageBox.Icon.Warning, _("Run this script?"), text, buttons.Cancel,
                      parent)
    run = box.addButton(_("Run It"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(buttons.Cancel)
    box.exec()
    return box.clickedButton() is run


def offer_stop(parent: QWidget, title: str, text: str, stop: Callable[[], None]) -> QMessageBox:
    """Say `text` in a box that does not block the window (the run and the chart go
    on behind it), with Stop (calls `stop`) and Keep Watching. The caller closes it
    when it no longer applies."""
    buttons = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, buttons.NoButton, parent)
    stop_button = box.addButton(_("Stop the Run"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Keep Watching"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(stop_button)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.buttonClicked.connect(lambda b: stop() if b is stop_button else None)
    box.show()
    return box
