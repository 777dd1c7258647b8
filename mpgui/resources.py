"""The one helper that finds files from the top-level ``resources/`` folder.

A wheel carries them as ``mpgui/_resources`` (hatchling force-include), the frozen
bundle likewise (PyInstaller datas); an editable install or a plain checkout reads the
repository's ``resources/`` directly.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path


@cache
def resource_dir() -> Path:
    """The folder holding mpgui's resources (scenarios, icons, desktop entry)."""
    packaged = Path(str(importlib.resources.files("mpgui"))) / "_resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """A path inside the resources folder, e.g. ``resource("scenarios", "seed.toml")``."""
    return resource_dir().joinpath(*parts)
