"""The first-run tour: a dimmed overlay over the window with a few callouts, each
pointing at a part of the window (Run, the gallery, the chart), and a welcome card with
"Got it". A click anywhere, Esc or the button dismisses it. The callouts are laid out
again whenever the window or a part they point at moves or resizes, always inside the
window, and their text wraps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from mpgui.i18n import _

ACCENT = QColor("#ffd400")  # the highlight: visible on the dimmed window in every theme
DIM = QColor(0, 0, 0, 150)
_WRAP = Qt.TextFlag.TextWordWrap
_RELAYOUT = (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.Show, QEvent.Type.Hide)


@dataclass(frozen=True)
class Callout:
    """A note pointing at the widget `target()` returns (None, or hidden: no note)."""

    target: Callable[[], QWidget | None]
    title: str
    text: str


def place(size: tuple[int, int], target: QRect, bounds: QRect, taken: list[QRect],
          holes: list[QRect], gap: int = 14) -> QRect:
    """Where a box of `size` goes to point at `target`: beside it (below, right, above,
    left, in that preference) or, for a large target, inside it — always within
    `bounds`, and overlapping as little as it can the boxes already `taken`, then the
    other targets' `holes`, then its own target."""
    w, h = size
    t = target
    # Along each side: from one end to the other in quarters, the middle first.
    xs = [t.left() + (t.width() - w) * f // 4 for f in (2, 0, 4, 1, 3)]
    ys = [t.top() + (t.height() - h) * f // 4 for f in (2, 0, 4, 1, 3)]
    candidates = ([QRect(x, t.bottom() + gap, w, h) for x in xs]
                  + [QRect(t.right() + gap, y, w, h) for y in ys]
                  + [QRect(x, t.top() - gap - h, w, h) for x in xs]
                  + [QRect(t.left() - gap - w, y, w, h) for y in ys])
    inside = t.width() >= 2 * w and t.height() >= 2 * h  # room to spare: may sit inside
    if inside:
        candidates += [QRect(x, t.top() + gap, w, h) for x in xs]
    best, best_score = candidates[0], -1
    for order, rect in enumerate(candidates):
        rect = _clamped(rect, bounds)
        score = (100 * sum(_area(rect, r) for r in taken)
                 + 8 * _area(rect, target) * (1 if inside else 4)
                 + 4 * sum(_area(rect, r) for r in holes if r != target) + order)
        if best_score < 0 or score < best_score:
            best, best_score = rect, score
    return best


def _card_place(size: QSize, bounds: QRect, holes: list[QRect]) -> QRect:
    """The welcome card: in the middle of the window if that hides none of what the
    callouts point at, else where it hides the least (across the middle first)."""
    best, best_score = QRect(), -1
    for order, (fx, fy) in enumerate([(2, 2), (2, 1), (2, 3), (1, 2), (3, 2), (1, 1),
                                      (3, 1), (1, 3), (3, 3)]):
        rect = QRect(0, 0, size.width(), size.height())
        rect.moveCenter(QPoint(bounds.left() + bounds.width() * fx // 4,
                               bounds.top() + bounds.height() * fy // 4))
        rect = _clamped(rect, bounds)
        score = 10 * sum(_area(rect, r) for r in holes) + order
        if best_score < 0 or score < best_score:
            best, best_score = rect, score
    return best


def _clamped(rect: QRect, bounds: QRect) -> QRect:
    x = max(bounds.left(), min(rect.left(), bounds.right() - rect.width()))
    y = max(bounds.top(), min(rect.top(), bounds.bottom() - rect.height()))
    return QRect(x, y, rect.width(), rect.height())


def _area(a: QRect, b: QRect) -> int:
    r = a.intersected(b)
    return max(0, r.width()) * max(0, r.height())


def _nearest(rect: QRect, p: QPointF) -> QPointF:
    return QPointF(min(max(p.x(), rect.left()), rect.right()),
                   min(max(p.y(), rect.top()), rect.bottom()))


class TourOverlay(QWidget):
    """The overlay over `window`; `start()` shows it, `dismiss()` ends it."""

    dismissed = Signal()

    def __init__(self, window: QWidget, callouts: list[Callout], heading: str,
                 note: Callable[[], str]) -> None:
        super().__init__(window)
        self.callouts, self.heading, self.note = callouts, heading, note
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.button = QPushButton(_("Got it"), self)
        self.button.setToolTip(_("Close the tour (Help → Show the Tour Again brings it back)"))
        self.button.clicked.connect(self.dismiss)
        self.card = QRect()
        self.placed: list[tuple[Callout, QRect, QRect]] = []  # callout, its box, its target
        self._watched: list[QWidget] = []
        self._focus_before: QWidget | None = None
        window.installEventFilter(self)
        self.hide()

    @property
    def active(self) -> bool:
        """True while the tour is shown."""
        return self.isVisible()

    def start(self) -> None:
        """Show the tour over the whole window and take the keyboard (for Esc)."""
        self._focus_before = QApplication.focusWidget()
        self._watched = [w for c in self.callouts if (w := c.target()) is not None]
        for w in self._watched:
            w.installEventFilter(self)
        self.setGeometry(self.parentWidget().rect())
        self.relayout()
        self.raise_()
        self.show()
        self.setFocus()

    def dismiss(self) -> None:
        """Hide the tour and give the keyboard back."""
        if not self.isVisible():
            return
        self.hide()
        for w in self._watched:
            w.removeEventFilter(self)
        self._watched = []
        if self._focus_before is not None:
            self._focus_before.setFocus()
        self.dismissed.emit()

    # -- layout ------------------------------------------------------------------------

    def relayout(self) -> None:
        """Place the card and the callouts for the window as it is now."""
        bounds = self.rect().adjusted(8, 8, -8, -8)
        fm = self.fontMetrics()
        pad = fm.averageCharWidth()
        card_w = min(fm.averageCharWidth() * 52, int(bounds.width() * 0.6))
        text_h = self._text_height(card_w - 2 * pad, self.note())
        button = self.button.sizeHint()
        card_h = self._title_metrics(1.3).height() + text_h + button.height() + 4 * pad
        targets = [(c, self._rect_of(c)) for c in self.callouts]
        targets = [(c, r) for c, r in targets if r is not None]
        holes = [r for _c, r in targets]
        self.card = _card_place(QSize(card_w, card_h), bounds, holes)
        self.button.setGeometry(self.card.right() - pad - button.width(),
                                self.card.bottom() - pad - button.height(),
                                button.width(), button.height())
        box_w = min(fm.averageCharWidth() * 34, max(int(bounds.width() * 0.3), 12 * pad))
        taken = [self.card]
        self.placed = []
        for callout, rect in targets:
            box_h = (self._title_metrics(1.0).height() + pad
                     + self._text_height(box_w - 2 * pad, callout.text) + 2 * pad)
            box = place((box_w, box_h), rect, bounds, taken, holes)
            taken.append(box)
            self.placed.append((callout, box, rect))
        self.update()

    def _rect_of(self, callout: Callout) -> QRect | None:
        w = callout.target()
        if w is None or not w.isVisible() or w.width() < 2 or w.height() < 2:
            return None
        top_left = w.mapTo(self.parentWidget(), QPoint(0, 0))
        return QRect(top_left, w.size()).adjusted(-3, -3, 3, 3).intersected(self.rect())

    def _title_metrics(self, scale: float) -> QFontMetrics:
        return QFontMetrics(self._title_font(scale))

    def _title_font(self, scale: float) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * scale)
        return font

    def _text_height(self, width: int, text: str) -> int:
        return self.fontMetrics().boundingRect(QRect(0, 0, width, 100_000), _WRAP, text).height()

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        shade = QPainterPath()
        shade.addRect(self.rect())
        holes = QPainterPath()
        for _c, _box, rect in self.placed:
            holes.addRoundedRect(rect, 6, 6)
        p.fillPath(shade.subtracted(holes), DIM)
        p.setPen(QPen(ACCENT, 3))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for _c, _box, rect in self.placed:
            p.drawRoundedRect(rect, 6, 6)
        for callout, box, rect in self.placed:
            if not box.intersects(rect):
                self._arrow(p, box, rect)
            self._box(p, box, callout.title, callout.text, 1.0)
        self._box(p, self.card, self.heading, self.note(), 1.3)

    def _box(self, p: QPainter, box: QRect, title: str, text: str, scale: float) -> None:
        pal = self.palette()
        pad = self.fontMetrics().averageCharWidth()
        p.setPen(QPen(ACCENT, 2))
        p.setBrush(pal.color(QPalette.ColorRole.Window))
        p.drawRoundedRect(box, 8, 8)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        inner = box.adjusted(pad, pad, -pad, -pad)
        p.setFont(self._title_font(scale))
        title_h = self._title_metrics(scale).height()
        p.drawText(QRect(inner.left(), inner.top(), inner.width(), title_h),
                   Qt.AlignmentFlag.AlignLeft, title)
        p.setFont(self.font())
        p.drawText(inner.adjusted(0, title_h + pad, 0, 0), _WRAP, text)

    def _arrow(self, p: QPainter, box: QRect, target: QRect) -> None:
        end = _nearest(target, QPointF(box.center()))
        start = _nearest(box, end)
        p.setPen(QPen(ACCENT, 3))
        p.drawLine(start, end)
        d = end - start
        length = max((d.x() ** 2 + d.y() ** 2) ** 0.5, 1.0)
        ux, uy = d.x() / length, d.y() / length
        size = self.fontMetrics().height() * 0.6
        p.setBrush(ACCENT)
        p.drawPolygon(QPolygonF([end, end - QPointF(ux * size - uy * size / 2,
                                                    uy * size + ux * size / 2),
                                 end - QPointF(ux * size + uy * size / 2,
                                               uy * size - ux * size / 2)]))

    # -- events ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if self.isVisible():
            if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
                self.setGeometry(self.parentWidget().rect())  # relayout in resizeEvent
            elif watched in self._watched and event.type() in _RELAYOUT:
                self.relayout()
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        if self.isVisible():
            self.relayout()

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if self.isVisible() and event.type() in (QEvent.Type.FontChange,
                                                 QEvent.Type.PaletteChange):
            self.relayout()  # the zoom or the theme

    def event(self, event: QEvent) -> bool:  # Qt override
        # Esc is the window's Stop shortcut; while the tour is up it is the tour's.
        if event.type() == QEvent.Type.ShortcutOverride and \
                isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        self.dismiss()
        event.accept()
