"""The chart as a picture for slides: title, legend and chart rendered offscreen at
projector resolution (1920x1080 unless asked otherwise), as PNG or SVG. The same code
serves the window's File > Export and the headless ``mpgui run --png/--svg``."""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QPoint,
    QRect,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from mpgui.i18n import _
from mpgui.model.escape import shown
from mpgui.model.fileformat import WriteError, atomic_write
from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.store.trace import TraceStore
from mpgui.ui.appearance import base_points
from mpgui.ui.chart.chart import ChartWidget
from mpgui.ui.chart.legend import ChartLegend
from mpgui.ui.run.svg_tidy import tidy_svg
from mpgui.ui.theme import LIGHT, Theme

SIZE = (1920, 1080)
ZOOM = 1.75  # fonts and lines at this size read on a projected slide


class ChartPicture(QWidget):
    """A title, the legend and a chart, never shown on screen: only rendered."""

    def __init__(self, theme: Theme, zoom: float, size: tuple[int, int]) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self.setAutoFillBackground(True)
        palette = self.palette()
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            palette.setColor(role, QColor(theme.background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.foreground))
        self.setPalette(palette)
        font = QFont(self.font())
        font.setPointSizeF(base_points() * zoom)
        self.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        self.title = QLabel()
        self.plain_title = ""
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.legend = ChartLegend(theme)
        self.chart = ChartWidget(theme)
        # No pixmap caches: an SVG gets vectors, not pictures of the items.
        self.chart.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        for item in (self.chart.spans, self.chart.ghost, self.chart.marks):
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        layout.addWidget(self.title)
        layout.addWidget(self.legend)
        layout.addWidget(self.chart, 1)
        self.chart.plan_shown.connect(self.legend.set_show_plan)
        self.chart.backend_shown.connect(self.legend.set_backend)
        self.chart.extras_shown.connect(self.legend.set_extras)
        self.chart.set_style(theme, zoom)
        self.legend.set_style(theme, zoom)
        self.resize(*size)

    def show_run(self, store: TraceStore | None, plan: TraceStore | None, title: str,
                 subtitle: str = "") -> None:
        """Draw `store` (all of it) over `plan`, or `plan` alone."""
        self.plain_title = f"{title} — {subtitle}" if subtitle else title
        self.title.setText(f"<span style='font-size:x-large; font-weight:bold'>"
                           f"{html.escape(title)}</span>"
                           + (f"<br>{html.escape(subtitle)}" if subtitle else ""))
        self.show()  # offscreen (WA_DontShowOnScreen): lays out, paints nothing anywhere
        self.chart.set_plan(plan)
        self.chart.set_store(store)
        if store is not None and store.t0 is not None:
            self.chart.refresh(store.t_end if store.t_end is not None else store.t0, False)
        self.legend.fit_height()
        QApplication.processEvents()

    def image(self) -> QImage:
        """The picture, exactly the widget's size in pixels."""
        image = QImage(self.size(), QImage.Format.Format_ARGB32)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        self.render(painter, QPoint(0, 0))
        painter.end()
        return image

    def png_bytes(self) -> bytes:
        """The picture as PNG data. Raises WriteError if it cannot be encoded."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        ok = self.image().save(buffer, "PNG")
        buffer.close()
        if not ok or data.isEmpty():
            raise WriteError(_("the chart could not be encoded as a PNG"))
        return data.data()

    def svg_bytes(self, tidy: bool = True) -> bytes:
        """The picture as SVG data (vector: scales to any slide), sized in pixels, with
        a font stack browsers know, rectangles merged and plain patterns (`svg_tidy`;
        `tidy=False`: as Qt wrote it). Raises WriteError."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(self.size())
        generator.setResolution(self.logicalDpiX())  # fonts as large as in the PNG
        generator.setViewBox(QRect(0, 0, self.width(), self.height()))
        generator.setTitle(self.plain_title)
        generator.setDescription(_("An mpgui chart"))
        painter = QPainter()
        if not painter.begin(generator):
            raise WriteError(_("the chart could not be drawn as an SVG"))
        self.render(painter, QPoint(0, 0))
        ended = painter.end()  # writes the SVG's closing tags
        buffer.close()
        if not ended or not data.data().rstrip().endswith(b"</svg>"):
            raise WriteError(_("the chart could not be drawn as an SVG"))
        if not tidy:
            return data.data()
        return tidy_svg(data.data().decode("utf-8")).encode("utf-8")

    # Rendered in memory, then written by the one atomic writer: a full disk can never
    # leave a truncated picture, or one reported as written when it was not.

    def save_png(self, path: Path) -> None:
        """Write a PNG (atomically). Raises WriteError if it cannot be written."""
        atomic_write(path, _encoded(self.png_bytes, path))

    def save_svg(self, path: Path) -> None:
        """Write an SVG (atomically). Raises WriteError if it cannot be written."""
        atomic_write(path, _encoded(self.svg_bytes, path))


def _encoded(encode: Callable[[], bytes], path: Path) -> bytes:
    try:
        return encode()
    except WriteError as exc:
        raise WriteError(_("cannot save {path} ({error})").format(path=shown(path), error=exc)) \
            from None


def export_pictures(store: TraceStore | None, plan: TraceStore | None, title: str, *,
                    png: Path | None = None, svg: Path | None = None, subtitle: str = "",
                    theme: Theme = LIGHT, zoom: float = ZOOM,
                    size: tuple[int, int] = SIZE) -> None:
    """Render the chart of `store` (over `plan`) and write the files asked for, each
    atomically. Raises WriteError naming the first that could not be written (the
    other is still tried)."""
    picture = ChartPicture(theme, zoom, size)
    try:
        picture.show_run(store, plan, title, subtitle)
        failed: list[WriteError] = []
        for save, path in ((picture.save_png, png), (picture.save_svg, svg)):
            if path is not None:
                try:
                    save(path)
                except WriteError as exc:
                    failed.append(exc)
        if failed:
            raise WriteError.combined(failed)
    finally:
        picture.close()
        picture.deleteLater()


def export_run(record: RunRecord | None, plan: TraceStore | None, *, png: Path | None = None,
               svg: Path | None = None, theme: Theme = LIGHT,
               size: tuple[int, int] = SIZE) -> None:
    """The chart of a run (over `plan`), or of `plan` alone, titled with the scenario
    and the run's figures, to `png` and/or `svg`. Raises WriteError."""
    if record is None:
        title = _("Predicted schedule")
        subtitle = _("before the run: what the scenario asks for")
    else:
        f = record.figures
        title = record.scenario.about.title or record.name
        subtitle = _("{run} · wall {wall:.2f} s · CPU {cpu:.2f} s · "
                     "speed-up {speedup:.2f}×").format(run=record.title, wall=f.wall,
                                                       cpu=f.cpu, speedup=f.speedup) \
            + ((" · " + _("dashed: predicted")) if plan else "")
    export_pictures(record.store if record else None, plan, title, subtitle=subtitle,
                    theme=theme, png=png, svg=svg, size=size)


def ensure_app() -> QApplication:
    """A QApplication for rendering without a window (headless: offscreen platform)."""
    app = QApplication.instance()
    if app is None:
        # Offscreen even on a desktop: nothing flickers, no display is needed.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        qInstallMessageHandler(_quiet_offscreen)
        app = QApplication(["mpgui"])
    return app  # type: ignore[return-value]


def _quiet_offscreen(kind: QtMsgType, _context: object, message: str) -> None:
    """Qt's messages on stderr, less the offscreen platform's notes on what it cannot
    do (it need not: nothing is shown)."""
    if "does not support" not in message and kind != QtMsgType.QtDebugMsg:
        sys.stderr.write(f"Qt: {message}\n")
