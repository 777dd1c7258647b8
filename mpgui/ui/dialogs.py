"""The window's few modal questions and messages, in one module.

Callers use them as ``dialogs.show_error(...)``, through the module, so a test can
replace them with recorders: a modal box would wait forever for a click offscreen.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class Unsaved(Enum):
    """The answer to 'save your changes?'."""

    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved(parent: QWidget, name: str) -> Unsaved:
    """Ask whether to save the changes to `name` first."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent, "Unsaved changes", f"Save the changes to “{name}” first?\n\n"
        "If you don't, your edits will be lost.",
        buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
    return {buttons.Save: Unsaved.SAVE, buttons.Discard: Unsaved.DISCARD}.get(
        answer, Unsaved.CANCEL)


class SaveEditsDialog(QDialog):
    """The question at quit: the unsaved scenarios, each with a check box (all checked),
    and Save Selected… / Discard / Cancel. `chosen()` is the answer once closed."""

    def __init__(self, parent: QWidget | None, names: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unsaved changes")
        layout = QVBoxLayout(self)
        head = QLabel("<b>Save copies of your edited scenarios?</b>")
        text = QLabel("These scenarios have edits that are not saved. Built-in scenarios "
                      "are never overwritten: for each one you save, you choose where its "
                      "copy goes. What you do not save is lost when mpgui closes.")
        text.setWordWrap(True)
        self.list = QListWidget()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        buttons = QDialogButtonBox()
        self.save = QPushButton("Save Selected…")
        self.save.setToolTip("Save the checked scenarios, then quit")
        buttons.addButton(self.save, QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard = buttons.addButton(QDialogButtonBox.StandardButton.Discard)
        self.discard.setToolTip("Quit without saving any of them")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Keep mpgui open")
        self.save.setDefault(True)
        self.save.clicked.connect(self.accept)
        self.discard.clicked.connect(lambda: self.done(_DISCARD))
        buttons.rejected.connect(self.reject)
        self.list.itemChanged.connect(self._checked)
        for widget in (head, text, self.list, buttons):
            layout.addWidget(widget)

    def checked(self) -> list[int]:
        """The rows checked now."""
        return [k for k in range(self.list.count())
                if self.list.item(k).checkState() == Qt.CheckState.Checked]

    def chosen(self) -> list[int] | None:
        """After closing: the rows to save ([] for Discard), None for Cancel."""
        if self.result() == _DISCARD:
            return []
        return self.checked() if self.result() == QDialog.DialogCode.Accepted else None

    def _checked(self) -> None:
        self.save.setEnabled(bool(self.checked()))  # nothing checked: Discard says it


_DISCARD = 2  # SaveEditsDialog's result for Discard (Accepted is 1, Rejected 0)


def ask_save_edits(parent: QWidget, names: list[str]) -> list[int] | None:
    """At quit: which of the unsaved scenarios `names` to save. The indices to save
    ([] to discard them all), or None to cancel (the window stays open)."""
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
    answer = QMessageBox.question(
        parent, "Recover unsaved edits?", f"mpgui did not close properly, and the edits to "
        f"“{name}” were not saved. A copy was kept at {when}.\n\nRecover them? (Discard "
        "deletes the copy.)", buttons.Yes | buttons.Discard, buttons.Yes)
    return answer == buttons.Yes


def show_error(parent: QWidget, title: str, text: str) -> None:
    """Say what went wrong; the caller has left everything as it was."""
    QMessageBox.warning(parent, title, text)


def ask_run_script(parent: QWidget, path: str) -> bool:
    """Say plainly that opening the script at `path` runs it. True to run it."""
    buttons = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Warning, "Run this script?",
                      f"mpgui will run “{path}” as a Python program, exactly as "
                      "“python script.py” in its folder would: with your permissions, "
                      "able to read, change or delete your files.\n\nRun only a script "
                      "you wrote or trust. You are asked once for each file.",
                      buttons.Cancel, parent)
    run = box.addButton("Run It", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(buttons.Cancel)
    box.exec()
    return box.clickedButton() is run
