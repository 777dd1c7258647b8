"""The question at quit when several scenarios have unsaved edits (see
`dialogs.ask_save_edits`): its own module, imported only then."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mpgui.i18n import _
from mpgui.ui.accessibility import accessible


class SaveEditsDialog(QDialog):
    """The question at quit: the unsaved scenarios, each with a check box (all checked),
    and Save Selected… / Discard / Cancel. `chosen()` is the answer once closed."""

    def __init__(self, parent: QWidget | None, names: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Unsaved changes"))
        layout = QVBoxLayout(self)
        head = QLabel("<b>" + _("Save copies of your edited scenarios?") + "</b>")
        text = QLabel(_("These scenarios have edits that are not saved. Built-in scenarios "
                        "are never overwritten: for each one you save, you choose where its "
                        "copy goes. What you do not save is lost when mpgui closes."))
        text.setWordWrap(True)
        self.list = accessible(QListWidget(), _("Edited scenarios"),
                               _("The scenarios with unsaved edits; the checked ones are "
                                 "saved (Space checks or unchecks)"))
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        buttons = QDialogButtonBox()
        self.save = QPushButton(_("Save Selected…"))
        self.save.setToolTip(_("Save the checked scenarios, then quit"))
        buttons.addButton(self.save, QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard = buttons.addButton(QDialogButtonBox.StandardButton.Discard)
        self.discard.setToolTip(_("Quit without saving any of them"))
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            _("Keep mpgui open"))
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
