"""The screen the window's benchmarks draw on: Qt's offscreen platform with one
1920 x 1080 monitor.

Qt's offscreen screen is 800 x 800 unless told otherwise. On it mpgui does what it does
on a small monitor: its window is kept inside the screen (maximized, 868 x 796, the
panes folded), so a benchmark that asked for a 1600 x 900 window measured a smaller one
— and a bare window, which keeps the size it is given, was a different window from
mpgui's. Every window benchmark uses this screen and a 1600 x 900 window."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

WINDOW = (1600, 900)
# Qt's defaults (qoffscreenintegration.cpp), but for the monitor's size.
_CONFIG = {"synchronousWindowSystemEvents": False, "windowFrameMargins": True,
           "screens": [{"name": "monitor", "x": 0, "y": 0, "width": 1920, "height": 1080,
                        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
_platform: str | None = None


def offscreen_monitor() -> str:
    """The QT_QPA_PLATFORM value for that screen (its configuration written once, in a
    temporary folder of this process)."""
    global _platform
    if _platform is None:
        folder = tempfile.mkdtemp(prefix="mpgui-bench-screen-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        config = Path(folder) / "screen.json"
        config.write_text(json.dumps(_CONFIG))
        _platform = f"offscreen:configfile={config}"
    return _platform
