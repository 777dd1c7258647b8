"""The one helper that finds files from the top-level ``resources/`` folder.

A wheel carries them as ``mpgui/_resources`` (hatchling force-include), the frozen
bundle likewise (PyInstaller datas); an editable install or a plain checkout reads the
repository's ``resources/`` directly. The user's guide (the top-level README.md) goes
along the same way: ``guide_path()``.
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


GUIDE = "README.md"


def guide_path() -> Path:
    """The user's guide, README.md: shipped beside the resources in a wheel and the
    frozen app (see pyproject.toml and packaging/mpgui.spec); in a checkout or an
    editable install, at the top of the repository, next to ``resources/``."""
    shipped = resource(GUIDE)
    return shipped if shipped.is_file() else resource_dir().parent / GUIDE
