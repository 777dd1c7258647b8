"""Render the app icon from its SVG source into what each platform wants.

    python packaging/make_icons.py OUT_DIR

writes OUT_DIR/hicolor/SIZExSIZE/apps/mpgui.png (Linux desktops), OUT_DIR/mpgui.ico
(Windows) and OUT_DIR/mpgui.icns (macOS), using Qt's own SVG renderer and image
writers: no other tool is needed, and the raster images are never committed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "mpgui.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The icon as a size x size image with transparency."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(p)
    p.end()
    return image


def main(out: Path) -> None:
    """Write every raster form of the icon under `out`."""
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        sys.exit(f"cannot read {SVG}")
    for size in SIZES:
        target = out / "hicolor" / f"{size}x{size}" / "apps" / "mpgui.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(target)):
            sys.exit(f"cannot write {target}")
    if not render(renderer, 256).save(str(out / "mpgui.ico")):
        sys.exit("cannot write mpgui.ico (Qt's ico image plugin is missing)")
    if not render(renderer, 512).save(str(out / "mpgui.icns")):
        sys.exit("cannot write mpgui.icns (Qt's icns image plugin is missing)")
    print(f"icons written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons")
