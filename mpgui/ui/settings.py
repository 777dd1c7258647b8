"""QSettings for UI state only (geometry, splitters, last scenario, recent files, run
options). Scenarios themselves live in files, never in settings.

Everything goes through `settings()`, an INI file in the user's config folder, so tests
can redirect it with ``QSettings.setPath`` and never touch a real user's state.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = APPLICATION = "mpgui"
MAX_RECENT = 8


def settings() -> QSettings:
    """mpgui's settings store."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION,
                     APPLICATION)


def read_list(key: str) -> list[str]:
    """A list of strings (QSettings returns one item as a plain string)."""
    value = settings().value(key, [])
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value or []]


def recent_files() -> list[Path]:
    """Recently opened or saved scenario files that still exist, newest first."""
    return [Path(p) for p in read_list("recent") if Path(p).is_file()]


def add_recent_file(path: Path) -> None:
    """Put `path` first in the recent files."""
    path = path.resolve()
    kept = [p for p in read_list("recent") if Path(p) != path]
    settings().setValue("recent", [str(path), *kept][:MAX_RECENT])


def clear_recent_files() -> None:
    """Forget the recent files."""
    settings().setValue("recent", [])
