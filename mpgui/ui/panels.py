"""A titled panel: a bold title, a one-line hint, small buttons for its actions, then
the widget. One helper so that the four panes of the window look alike."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QFont, QGuiApplication, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mpgui.i18n import _

TITLE = "panel_title"  # the object name of every panel's title, to restyle them all
HINT = "panel_hint"  # ... and of its hint, which presentation mode hides


class ElidedLabel(QLabel):
    """A one-line label that never makes its window wider: it takes the room there is
    and ends with "…" when that is too little, the full text in its tooltip."""

    def __init__(self, text: str = "", short: str = "") -> None:
        super().__init__(text)
        self.short = short  # said instead when the whole text does not fit
        # As wide as its text if there is room, narrower (to nothing) if not.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setToolTip(text)

    def setText(self, text: str, short: str = "") -> None:  # Qt override
        super().setText(text)
        self.short = short
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return QSize(0, super().minimumSizeHint().height())

    def is_elided(self) -> bool:
        """Whether the text is cut short at the present width."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, _event: QPaintEvent) -> None:  # Qt override
        p = QPainter(self)
        rect = self.contentsRect()
        text = self.text()
        if self.short and self.fontMetrics().horizontalAdvance(text) > rect.width():
            text = self.short
        shown = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        p.setPen(self.palette().color(self.foregroundRole()) if self.isEnabled() else
                 self.palette().color(self.palette().ColorGroup.Disabled,
                                      self.foregroundRole()))
        p.drawText(rect, int(self.alignment()), shown)
        p.end()


class ActionStrip(QWidget):
    """A row of buttons, one per action, that folds the ones that do not fit into a
    "⋯" menu at its end: a panel's header never makes the window wider."""

    SPACING = 4

    def __init__(self, actions: list[QAction]) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.buttons: list[QToolButton] = []
        for act in actions:
            button = QToolButton(self)
            button.setDefaultAction(act)
            button.setAutoRaise(False)
            self.buttons.append(button)
        self.more = QToolButton(self)
        self.more.setText("⋯")
        self.more.setToolTip(_("More actions of this panel"))
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more.setMenu(QMenu(self.more))
        self.more.hide()
        self._place()

    def sizeHint(self) -> QSize:  # Qt override
        hints = [b.sizeHint() for b in self.buttons]
        width = sum(h.width() for h in hints) + self.SPACING * max(0, len(hints) - 1)
        return QSize(width, max((h.height() for h in hints), default=0))

    def minimumSizeHint(self) -> QSize:  # Qt override
        if not self.buttons:
            return QSize(0, 0)
        return QSize(self.more.sizeHint().width(), self.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._place()

    def changeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # Qt override
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:  # the zoom: buttons change size
            for b in self.buttons:
                b.setFont(self.font())
            self.updateGeometry()
            self._place()

    def folded(self) -> list[QAction]:
        """The actions that are in the "⋯" menu now."""
        return [b.defaultAction() for b in self.buttons if b.isHidden()]

    def _place(self) -> None:
        """As many buttons as fit, left to right; the rest in the menu."""
        width, x = self.width(), 0
        hints = [b.sizeHint() for b in self.buttons]
        total = sum(h.width() for h in hints) + self.SPACING * max(0, len(hints) - 1)
        room = width if total <= width else width - self.more.sizeHint().width() - self.SPACING
        menu = self.more.menu()
        menu.clear()
        fits = True
        for button, hint in zip(self.buttons, hints, strict=True):
            fits = fits and x + hint.width() <= room
            button.setVisible(fits)
            if fits:
                button.setGeometry(x, (self.height() - hint.height()) // 2, hint.width(),
                                   hint.height())
                x += hint.width() + self.SPACING
            else:
                menu.addAction(button.defaultAction())
        self.more.setVisible(not fits)
        if not fits:
            hint = self.more.sizeHint()
            self.more.setGeometry(x, (self.height() - hint.height()) // 2, hint.width(),
                                  hint.height())


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
    note = ElidedLabel(hint)
    note.setObjectName(HINT)
    note.setEnabled(False)  # the palette's muted text colour, whatever the theme
    head.addWidget(note, 1)
    if actions:
        head.addWidget(ActionStrip(actions))
    outer.addLayout(head)
    if header_widget is not None:
        outer.addWidget(header_widget)
    outer.addWidget(body, 1)
    return box
