"""The gallery folded into one row for a narrow window: a drop-down of the scenarios
(the very items of the gallery's list, so both always say the same) with Previous, Next
and Reset beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from mpgui.i18n import _
from mpgui.ui.classroom.gallery import GalleryList
from mpgui.ui.editor.document import ScenarioDocument


class GalleryPicker(QWidget):
    """"Scenario: [1. The tutorial's four processes ▾] ◀ ▶ Reset"."""

    def __init__(self, gallery: GalleryList, actions: list[QAction],
                 doc: ScenarioDocument) -> None:
        super().__init__()
        self.gallery = gallery
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(QLabel(_("Scenario:")))
        self.combo = QComboBox()
        self.combo.setModel(gallery.model())  # the list's own items
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(12)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.setToolTip(_("The built-in scenarios (PageUp / PageDown go through them)"))
        # Shown while a file of one's own is open (no built-in is). Short: Qt widens
        # the box to its placeholder, and the box must fit 1024 px at 200 % zoom.
        self.combo.setPlaceholderText(_("(your file)"))
        row.addWidget(self.combo, 1)
        for act in actions:
            button = QToolButton()
            button.setDefaultAction(act)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            row.addWidget(button)
        self.combo.activated.connect(self._chosen)
        # The list is told what is open when the document changes (with its signals
        # blocked): follow it then.
        doc.file_changed.connect(lambda: self._follow(gallery.currentRow()))
        self._follow(gallery.currentRow())

    def _follow(self, row: int) -> None:
        """Show what the list marks as open (nothing for a file)."""
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(row)
        self.combo.blockSignals(False)

    def _chosen(self, row: int) -> None:
        item = self.gallery.item(row)
        if item is not None and item.data(Qt.ItemDataRole.UserRole):  # (not a heading)
            self.gallery.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
            self._follow(self.gallery.currentRow())  # stays put if the open was cancelled
