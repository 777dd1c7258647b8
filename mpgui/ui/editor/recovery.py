"""Unsaved edits survive a crash: while the document has unsaved changes, a recovery
file is written a moment after each edit (atomically, beside the settings); it is
removed when the edits are saved, discarded, or the window closes normally. Edited
built-ins kept for the session (session_edits.py) have one each while they are kept.
A recovery file left by a window that is no longer running is offered at the next start.

A recovery file is JSON holding the scenario as TOML text — data only, read back by
the same checks as any scenario file.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from mpgui.i18n import _
from mpgui.model.builtins import load_builtin
from mpgui.model.fileformat import (
    ScenarioFileError,
    atomic_write,
    dump_scenario,
    load_scenario,
    parse_scenario,
)
from mpgui.model.scenario import Scenario
from mpgui.runtime.cpu import pid_running
from mpgui.ui import dialogs
from mpgui.ui.editor.document import ScenarioDocument
from mpgui.ui.settings import settings

if TYPE_CHECKING:  # a type only: files.py imports session_edits.py, which imports this
    from mpgui.ui.editor.files import FileActions

SAVE_DELAY_MS = 1000  # after the last edit: often enough to lose little, rarely enough
PREFIX, SUFFIX = "recovery-", ".json"
MAX_BYTES = 2_000_000


def recovery_dir() -> Path:
    """Where recovery files go: the settings' folder."""
    return Path(settings().fileName()).parent


def kept_file(builtin: str) -> Path:
    """The recovery file of the built-in `builtin` while its edits are kept aside."""
    return recovery_dir() / f"{PREFIX}{os.getpid()}-kept-{builtin}{SUFFIX}"


def write(file: Path, scenario: Scenario, path: Path | None, builtin: str | None) -> None:
    """Write a recovery file for `scenario` (from `path` or the built-in `builtin`). A
    safety net that cannot be written must not disturb the editing: errors are ignored."""
    data = {"format": 1, "pid": os.getpid(), "saved": time.time(),
            "path": str(path) if path else None, "builtin": builtin,
            "scenario": dump_scenario(scenario)}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(file, json.dumps(data).encode("utf-8"))
    except (OSError, ScenarioFileError):
        pass


@dataclass(frozen=True)
class Recovered:
    """What a recovery file holds."""

    file: Path
    scenario: Scenario
    path: Path | None  # the scenario's file, if it had one
    builtin: str | None
    saved: float  # time.time() of the autosave

    @property
    def name(self) -> str:
        """The scenario's name as the window title showed it."""
        return self.path.name if self.path else self.builtin or _("untitled")


class Autosave(QObject):
    """Keeps the recovery file of one document up to date."""

    def __init__(self, doc: ScenarioDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.file = recovery_dir() / f"{PREFIX}{os.getpid()}-{id(doc):x}{SUFFIX}"
        self._timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)
        doc.changed.connect(self._timer.start)
        doc.file_changed.connect(self._file_changed)

    def save(self) -> None:
        """Write the unsaved edits now (or remove the file when there are none)."""
        if not self.doc.modified:
            self.discard()
            return
        write(self.file, self.doc.scenario, self.doc.path, self.doc.builtin)

    def discard(self) -> None:
        """No unsaved edits any more: no recovery file."""
        self._timer.stop()
        self.file.unlink(missing_ok=True)

    def _file_changed(self) -> None:
        if not self.doc.modified:  # saved, opened, or undone back to the saved state
            self.discard()


def left_behind() -> list[Recovered]:
    """Recovery files of windows that are no longer running, newest first. Files that
    cannot be read are removed."""
    out = []
    for file in recovery_dir().glob(f"{PREFIX}*{SUFFIX}"):
        try:
            pid = int(file.name[len(PREFIX):].split("-")[0])
        except ValueError:
            pid = 0
        if pid == os.getpid() or (pid and pid_running(pid)):
            continue
        try:
            out.append(read(file))
        except (OSError, ValueError, ScenarioFileError):
            file.unlink(missing_ok=True)
    return sorted(out, key=lambda r: r.saved, reverse=True)


def read(file: Path) -> Recovered:
    """Read a recovery file. Raises OSError, ValueError or ScenarioFileError."""
    raw = file.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ValueError("too large")
    d = json.loads(raw)
    if not isinstance(d, dict) or d.get("format") != 1 or not isinstance(d.get("scenario"), str):
        raise ValueError("not a recovery file")
    path, builtin, saved = d.get("path"), d.get("builtin"), d.get("saved")
    return Recovered(file, parse_scenario(d["scenario"], source="recovered scenario"),
                     Path(path) if isinstance(path, str) else None,
                     builtin if isinstance(builtin, str) else None,
                     float(saved) if isinstance(saved, int | float) else 0.0)


def offer(window: QWidget, files: FileActions) -> bool:
    """At start-up: offer the edits a crashed window left, one question each. True if
    any was recovered. A recovered scenario opens unsaved, its edits one undo step away
    from the file or built-in they were made to; built-ins first, so that those the
    window had kept aside are kept aside again (see session_edits.py) and the one it had
    open comes last. Files and untitled scenarios would replace each other: one per
    start, the others are offered at the next."""
    # Stable sort of newest-first: kept built-ins, then open built-ins, then the rest.
    found = sorted(left_behind(), key=lambda r: (r.builtin is None, "-kept-" not in r.file.name))
    recovered = file_recovered = False
    for rec in found:
        if rec.builtin is None and file_recovered:
            continue
        if not dialogs.ask_recover(window, rec.name, time.strftime(
                "%Y-%m-%d %H:%M", time.localtime(rec.saved))):
            rec.file.unlink(missing_ok=True)
            continue
        doc = files.doc
        try:
            original = load_builtin(rec.builtin) if rec.builtin else \
                load_scenario(rec.path) if rec.path else None
        except ScenarioFileError:
            original = None
        if original is None:  # the file is gone: the edits alone, unsaved
            files.open_scenario(rec.scenario, confirmed=True)
            doc.undo_stack.resetClean()
        else:  # the file, or the built-in as this session has it; the edits over it
            if rec.builtin:
                files.open_builtin(rec.builtin)
            else:
                files.open_scenario(original, path=rec.path, confirmed=True)
            doc.edit(rec.scenario, _("Recovered edits"))
        rec.file.unlink(missing_ok=True)
        recovered = True
        file_recovered = file_recovered or rec.builtin is None
    return recovered
