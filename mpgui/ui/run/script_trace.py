"""File > Open Python Script…: run the user's own script in the window, traced.

Opening a script does not touch the scenario being edited: the script's run appears in
the chart, the console and the run history like any other run, and Run Script Again
repeats it. A script is code, so before a file runs for the first time the window says
so plainly; the answer is remembered for that file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from mpgui.i18n import _
from mpgui.model.escape import shown
from mpgui.model.userfile import check_regular
from mpgui.ui import dialogs
from mpgui.ui.actions import make_action
from mpgui.ui.editor.files import start_dir
from mpgui.ui.settings import settings

TRUSTED_KEY = "trusted_scripts"
MAX_TRUSTED = 500  # remembered answers; the oldest are forgotten


def trusted_scripts() -> list[str]:
    """The scripts the user agreed to run, most recent last."""
    value = settings().value(TRUSTED_KEY, [])
    if isinstance(value, str):  # QSettings returns a lone value as itself
        value = [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def trust(path: Path) -> None:
    """Remember that the user agreed to run `path`."""
    key = str(path.resolve())
    kept = [p for p in trusted_scripts() if p != key] + [key]
    settings().setValue(TRUSTED_KEY, kept[-MAX_TRUSTED:])


class ScriptActions(QObject):
    """The actions that open and re-run a script; `start(path)` runs one."""

    def __init__(self, window: QWidget, start: Callable[[Path], bool]) -> None:
        super().__init__(window)
        self.window = window
        self._start = start
        self.path: Path | None = None  # the script opened last
        self.actions = {
            "open_script": make_action(
                window, _("Open &Python Script…"), "Ctrl+Shift+O", self.open,
                _("Run your own Python script, unmodified, and watch every process it "
                  "makes on the chart (asks first: a script is code)")),
            "rerun_script": make_action(
                window, _("Run Script &Again"), "Ctrl+Shift+F5", self.rerun,
                _("Run the Python script you opened last once more")),
        }

    def open(self) -> None:
        """Ask for a script, then run it."""
        name, _filter = QFileDialog.getOpenFileName(
            self.window, _("Open Python Script"), start_dir(),
            _("Python scripts (*.py *.pyw);;All files (*)"))
        if name:
            self.open_path(Path(name))

    def open_path(self, path: Path) -> bool:
        """Run the script at `path` — once the user agreed, the first time. True if it
        started."""
        try:
            if not path.exists():
                raise ValueError(_("{path}: no such file").format(path=shown(path)))
            check_regular(path, _("a Python script"))  # a FIFO would hang the script's Python
        except ValueError as exc:
            dialogs.show_error(self.window, _("Cannot open script"), f"{exc}.")
            return False
        if str(path.resolve()) not in trusted_scripts():
            if not dialogs.ask_run_script(self.window, str(path)):
                return False
            trust(path)
        self.path = path
        return self._start(path)

    def rerun(self) -> None:
        """Run the last script again (it was agreed to already)."""
        if self.path is not None:
            self.open_path(self.path)
