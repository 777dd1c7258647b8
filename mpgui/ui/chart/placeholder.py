"""What the chart shows instead of a picture when the scenario cannot run: the cell and
the problem in plain words, and a button that takes you there. An empty chart would
leave a student guessing why Run does nothing."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from mpgui.i18n import _, ngettext
from mpgui.ui.theme import Theme


class ProblemPlaceholder(QFrame):
    """A framed note in the middle of its parent; `show_cell` when its button is
    pressed."""

    show_cell = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("chart_placeholder")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.button = QPushButton(_("Show the Cell"))
        self.button.setToolTip(_("Select the cell with the problem (its tooltip says what is "
                                 "allowed)"))
        self.button.clicked.connect(self.show_cell)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.hide()

    def show_problem(self, problem: str, more: int, theme: Theme) -> None:
        """Say that the scenario cannot run because of `problem` (and `more` others)."""
        said = html.escape(_("Nothing to draw: the scenario cannot run yet"))
        self.title.setText(f"<b style='color:{theme.crash}'>✖ {said}</b>")
        rest = "\n" + ngettext("(and {n} more problem: the red cells)",
                               "(and {n} more problems: the red cells)", more).format(n=more) \
            if more else ""
        self.text.setText(problem + rest)
        self.setToolTip(html.escape(problem))
        self.show()
        self.raise_()
        self.place()

    def place(self) -> None:
        """Centred in the parent, at most 80 % of its width."""
        parent = self.parentWidget()
        if parent is None or self.isHidden():
            return
        width = min(max(200, int(parent.width() * 0.8)), max(200, self.sizeHint().width()),
                    parent.width())
        self.setFixedWidth(width)
        height = min(self.heightForWidth(width) if self.hasHeightForWidth() else
                     self.sizeHint().height(), parent.height())
        self.resize(width, max(height, self.minimumSizeHint().height()))
        self.move((parent.width() - self.width()) // 2, (parent.height() - self.height()) // 2)
