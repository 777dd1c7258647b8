"""The application's widget style: Fusion (the same look on every platform), with check
boxes, radio buttons and table lines that show on every theme's palette.

Fusion draws an indicator's edge, and a table's cell lines, in the window colour made
darker: on the dark and high-contrast palettes that is black on black, so an unchecked
box in the process table's Daemon column could not be seen at all. Here an indicator's
edge is the text colour mixed into its base (at least 3:1 against it, WCAG 1.4.11), a
check mark or dot is the text colour itself, and both grow with the font (the zoom);
table lines are the palette's Mid, which `appearance` sets to the theme's grid colour.

The sizes and the table lines are `ViewStyle`'s, on the tables only: a Python override
of a style query is asked by every widget, thousands of times as the window is built
(about 10 ms of start-up for the whole application).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget

EDGE_MIX = 0.55  # how much of the text colour an indicator's edge has (the rest: base)
_CHECKS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
           QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)
_SIZES = (QStyle.PixelMetric.PM_IndicatorWidth, QStyle.PixelMetric.PM_IndicatorHeight,
          QStyle.PixelMetric.PM_ExclusiveIndicatorWidth,
          QStyle.PixelMetric.PM_ExclusiveIndicatorHeight)


def mix(a: QColor, b: QColor, share: float) -> QColor:
    """`share` of colour `a` and the rest of `b` (opaque)."""
    return QColor.fromRgbF(*(share * x + (1 - share) * y for x, y in
                             zip(a.getRgbF()[:3], b.getRgbF()[:3], strict=True)))


def indicator_edge(palette: QPalette) -> QColor:
    """The edge colour of a check box or radio button drawn with `palette`."""
    return mix(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base),
               EDGE_MIX)


class ThemedStyle(QProxyStyle):
    """Fusion, with indicators and table lines drawn from the palette's text, base and
    mid colours (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,  # Qt override
                      painter: QPainter, widget: QWidget | None = None) -> None:
        if element in _CHECKS:
            self._indicator(option, painter, round_=False)
        elif element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            self._indicator(option, painter, round_=True)
        else:
            super().drawPrimitive(element, option, painter, widget)

    @staticmethod
    def _indicator(option: QStyleOption, p: QPainter, round_: bool) -> None:
        """A check box (or, `round_`, a radio button): base-filled, an edge of
        `indicator_edge`, and in the text colour a check mark, a dot or, half checked,
        a bar."""
        pal, state = option.palette, option.state
        text = pal.color(QPalette.ColorRole.Text)
        base = pal.color(QPalette.ColorRole.Base)
        r = option.rect
        side = min(r.width(), r.height())
        edge = max(1, round(side / 10))
        # On whole pixels, the edge's centre line half its width inside: crisp, not blurred.
        box = QRectF(r.x() + (r.width() - side) // 2 + edge / 2,
                     r.y() + (r.height() - side) // 2 + edge / 2, side - edge, side - edge)
        S = QStyle.StateFlag
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        focus = state & S.State_HasFocus and state & S.State_KeyboardFocusChange
        p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight) if focus else indicator_edge(pal),
                      edge))
        p.setBrush(mix(text, base, 0.2) if state & S.State_Sunken else base)
        if round_:
            p.drawEllipse(box)
        else:
            p.drawRect(box)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(text)
        inner = box.adjusted(side * 0.25, side * 0.25, -side * 0.25, -side * 0.25)
        if round_ and state & S.State_On:
            p.drawEllipse(inner)
        elif state & S.State_NoChange:
            p.drawRect(QRectF(inner.left(), box.center().y() - edge, inner.width(), 2 * edge))
        elif state & S.State_On:
            mark = QPen(text, max(1.5, side * 0.14))
            mark.setCapStyle(Qt.PenCapStyle.RoundCap)
            mark.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(mark)
            p.setBrush(Qt.BrushStyle.NoBrush)
            x, y, w, h = box.left(), box.top(), box.width(), box.height()
            p.drawPolyline(QPolygonF([QPointF(x + 0.22 * w, y + 0.52 * h),
                                      QPointF(x + 0.42 * w, y + 0.72 * h),
                                      QPointF(x + 0.78 * w, y + 0.28 * h)]))
        p.restore()


class ViewStyle(ThemedStyle):
    """For the tables with check boxes in their cells: indicators as large as the text
    beside them (the zoom), and cell lines in the palette's Mid. Set on those views only
    (`view_style`)."""

    def pixelMetric(self, metric: QStyle.PixelMetric,  # Qt override
                    option: QStyleOption | None = None, widget: QWidget | None = None) -> int:
        size = super().pixelMetric(metric, option, widget)
        if metric in _SIZES and widget is not None:  # as large as the text beside it
            size = max(size, round(QFontMetrics(widget.font()).height() * 0.75))
        return size

    def styleHint(self, hint: QStyle.StyleHint, option: QStyleOption | None = None,  # Qt override
                  widget: QWidget | None = None, returnData: object = None) -> int:
        if hint == QStyle.StyleHint.SH_Table_GridLineColor and option is not None:
            rgba = option.palette.color(QPalette.ColorRole.Mid).rgba()
            return rgba - (1 << 32) if rgba >= 1 << 31 else rgba  # a C int, as Qt wants
        return super().styleHint(hint, option, widget, returnData)


_view_style: list[ViewStyle] = []  # one, kept alive as long as the views that use it


def view_style() -> ViewStyle:
    """The style of the tables (see ViewStyle)."""
    if not _view_style:
        _view_style.append(ViewStyle())
    return _view_style[0]
