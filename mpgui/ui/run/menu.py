"""The Runs menu: replay, show an earlier run, save and open run files, compare two
runs; and the exports of the run shown (chart as PNG/SVG, trace as Chrome JSON/CSV).

The actions that ask for a file name call a method that takes the path, so tests (and
scripts) use the same code without a dialog."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from mpgui.i18n import _
from mpgui.model.builtins import builtin_names, load_builtin
from mpgui.model.escape import shown
from mpgui.model.fileformat import ScenarioFileError, WriteError
from mpgui.runtime.output.export import write_chrome_trace, write_csv
from mpgui.runtime.output.runfile import SUFFIX as RUN_SUFFIX
from mpgui.runtime.output.runfile import RunFileError
from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.store import item_links, object_tracks
from mpgui.ui import busy, dialogs
from mpgui.ui.accessibility import name_parts
from mpgui.ui.actions import make_action
from mpgui.ui.appearance import Appearance
from mpgui.ui.editor.files import FileActions, start_dir
from mpgui.ui.icons import icon
from mpgui.ui.run.view import RunView
from mpgui.ui.screen_fit import fit_to_screen
from mpgui.ui.settings import settings

if TYPE_CHECKING:
    from mpgui.ui.run.compare import CompareWindow
    from mpgui.ui.run.description import RunDescription

RUN_FILTER = _("mpgui runs (*{suffix});;All files (*)").format(suffix=RUN_SUFFIX)
# kind -> (dialog filter, suffix)
EXPORTS = {"png": (_("PNG image (*.png)"), ".png"), "svg": (_("SVG image (*.svg)"), ".svg"),
           "json": (_("Chrome trace (*.json)"), ".json"),
           "csv": (_("CSV table (*.csv)"), ".csv")}


class RunMenu(QObject):
    """The run history's actions for one window."""

    def __init__(self, window: QWidget, view: RunView, files: FileActions,
                 appearance: Appearance) -> None:
        super().__init__(window)
        self.window, self.view, self.files, self.appearance = window, view, files, appearance
        self.compare_window: CompareWindow | None = None
        self.description: RunDescription | None = None
        self.actions: dict[str, QAction] = {
            "replay": make_action(self, _("&Replay Run"), "Ctrl+Alt+R", self.replay,
                                  _("Play the run shown (or the last one) back as it happened; "
                                    "R in presentation mode"), short=_("Replay"),
                                  icon=icon("replay")),
            "step_next": make_action(self, _("Step to &Next Event"), "Alt+Right",
                                     lambda: self.step(True),
                                     _("Pause the replay (or begin one) and move to the next "
                                       "event; the Python code tab marks its line; → in "
                                       "presentation mode")),
            "step_back": make_action(self, _("Step to &Previous Event"), "Alt+Left",
                                     lambda: self.step(False),
                                     _("Pause the replay (or begin one) and move back to the "
                                       "event before; ← in presentation mode")),
            "describe": make_action(self, _("&Describe the Run…"), "Ctrl+Alt+D", self.describe,
                                    _("The chart in sentences — its lanes, the main "
                                      "program's calls, each process's states and end — "
                                      "for a screen reader, to read or to copy")),
            "save_run": make_action(self, _("&Save Run As…"), "Ctrl+Alt+S", self.save_run,
                                    _("Save the run shown, with its scenario, to replay later "
                                      "({suffix})").format(suffix=RUN_SUFFIX)),
            "open_run": make_action(self, _("&Open Run…"), "Ctrl+Alt+O", self.open_run,
                                    _("Open a saved run ({suffix}) and its scenario").format(
                                        suffix=RUN_SUFFIX)),
            "compare": make_action(self, _("&Compare Runs…"), "Ctrl+Alt+C", self.compare,
                                   _("Two runs of this session one above the other, on the "
                                     "same time axis")),
        }
        picture = _("Export the chart at 1920×1080 for slides")
        trace = _("Export every span and printed line of the run shown")
        for kind, text, tip in (("png", _("Chart as &PNG…"), picture),
                                ("svg", _("Chart as &SVG…"), picture),
                                ("json", _("Trace as Chrome &JSON…"), trace),
                                ("csv", _("Trace as &CSV…"), trace)):
            self.actions[kind] = make_action(self, text, None,
                                             lambda k=kind: self.export(k), tip)
        self.history_menu = QMenu(_("S&how Run"), window)
        self.history_menu.aboutToShow.connect(self._fill_history)
        self.export_menu = QMenu(_("&Export"), window)
        self.export_menu.addActions([self.actions[k] for k in EXPORTS])

    def fill(self, menu: QMenu) -> None:
        """Put the actions in the Runs menu."""
        menu.addActions([self.actions["replay"], self.actions["step_next"],
                         self.actions["step_back"]])
        menu.addMenu(self.history_menu)
        menu.addAction(self.actions["compare"])
        menu.addAction(self.actions["describe"])
        menu.addSeparator()
        menu.addActions([self.actions["open_run"], self.actions["save_run"]])

    # -- replay and history ------------------------------------------------------------

    def replay(self) -> None:
        """Replay the run shown, else the last one."""
        record = self.view.current or self.view.history.latest
        if record is not None and self.view.live is None:
            self.view.start_replay(record)

    def describe(self) -> RunDescription:
        """Open (or bring up) the description of what the chart shows."""
        from mpgui.ui.run.description import RunDescription  # (when first used)

        if self.description is None:
            self.description = RunDescription(self.window)
            name_parts(self.description)
        self.description.set_paragraphs(self.view.description() or [
            _("Nothing is drawn yet: press Run (F5).")])
        self.description.show()
        self.description.raise_()
        self.description.activateWindow()
        return self.description

    def step(self, forward: bool) -> None:
        """Step the replay one event (from a paused replay of the run shown, else the
        last one, when none is on)."""
        replay = self.view.replay
        if not replay.active:
            record = self.view.current or self.view.history.latest
            if record is None or self.view.live is not None:
                return
            self.view.start_replay(record, play=False)
        replay.step(forward)

    def _fill_history(self) -> None:
        self.history_menu.clear()
        for record in reversed(self.view.history.runs):
            act = self.history_menu.addAction(record.title)
            act.triggered.connect(lambda _checked=False, r=record: self.view.show(r))
            act.setEnabled(self.view.live is None)
        if not self.view.history.runs:
            self.history_menu.addAction(_("(no runs yet)")).setEnabled(False)

    def compare(self) -> CompareWindow:
        """Open (or bring up) the comparison of the last two runs."""
        if self.compare_window is None:
            from mpgui.ui.run.compare import CompareWindow  # (when first used: start-up time)

            self.compare_window = CompareWindow(self.view.history, self.appearance.theme,
                                                self.appearance.zoom, self.window)
            name_parts(self.compare_window)
        self.compare_window.show()
        fit_to_screen(self.compare_window)  # (with its title bar, now that it has one)
        self.compare_window.raise_()
        return self.compare_window

    # -- run files ---------------------------------------------------------------------

    def save_run(self) -> None:
        """Ask where, then save the run shown."""
        record = self.view.current
        if record is None:
            return
        path = self._ask_save(_("Save run as"), f"{Path(record.name).stem}-run{record.number}",
                              RUN_FILTER, RUN_SUFFIX)
        if path is not None:
            self.save_run_to(record, path)

    def save_run_to(self, record: RunRecord, path: Path) -> bool:
        """Save `record` to `path`; on failure say why. True if saved."""
        try:
            self._write(record, _("Saving {name}…"), path,
                        lambda stop: record.save(path, stop))
        except busy.Cancelled:
            return False
        except ScenarioFileError as exc:
            dialogs.show_error(self.window, _("Cannot save run"), str(exc))
            return False
        return True

    def open_run(self) -> None:
        """Ask for a run file and open it."""
        if not self.files.maybe_save():
            return
        path, _filter = QFileDialog.getOpenFileName(self.window, _("Open run"), start_dir(),
                                                    RUN_FILTER)
        if path:
            self.open_run_path(Path(path), confirmed=True)

    def open_run_path(self, path: Path, *, confirmed: bool = False) -> RunRecord | None:
        """Open a run file: its scenario goes into the editor, the run into the history,
        shown. On failure say why and change nothing."""
        try:  # (a large file takes seconds: the window is not frozen meanwhile)
            record = busy.wait_for(self.window, _("Opening {name}…").format(
                name=shown(path.name)), lambda _stop: _loaded(path))
        except busy.Cancelled:
            return None
        except RunFileError as exc:
            dialogs.show_error(self.window, _("Cannot open run"), str(exc))
            return None
        builtin = record.name if record.name in builtin_names() else None
        if builtin is not None and _builtin_or_none(builtin) != record.scenario:
            builtin = None  # an edited built-in: the editor shows it untitled
        if not self.files.open_scenario(record.scenario, builtin=builtin,
                                        confirmed=confirmed):
            return None
        settings().setValue("last_dir", str(path.resolve().parent))
        self.view.history.add(record)
        self.view.show(record)
        return record

    # -- exports -----------------------------------------------------------------------

    def export(self, kind: str) -> None:
        """Ask where, then export the run shown as `kind` (png, svg, json, csv)."""
        record = self.view.current
        name = Path(record.name).stem if record else "prediction"
        path = self._ask_save(_("Export"), name, EXPORTS[kind][0], EXPORTS[kind][1])
        if path is not None:
            self.export_to(kind, path)

    def export_to(self, kind: str, path: Path) -> bool:
        """Export the run shown (or the prediction, for a picture) to `path`."""
        record, chart = self.view.current, self.view.chart
        try:
            if kind in ("json", "csv"):
                if record is None:
                    return False
                write = write_chrome_trace if kind == "json" else write_csv
                self._write(record, _("Exporting {name}…"), path,
                            lambda stop: write(record.store, path, stop))
            else:
                from mpgui.ui.run.export_image import export_run  # (when first used)

                export_run(record, chart.plan, theme=self.appearance.theme,
                           **{kind: path})
        except busy.Cancelled:
            return False
        except WriteError as exc:  # (it names the file and the reason)
            dialogs.show_error(self.window, _("Cannot export"), _(
                "{error}\n\nA file that was there before is unchanged.").format(error=exc))
            return False
        except OSError as exc:
            dialogs.show_error(self.window, _("Cannot export"),
                               f"{shown(path)}: {exc.strerror or exc}")
            return False
        self.window.statusBar().showMessage(  # type: ignore[attr-defined]
            _("Exported {path}").format(path=shown(path)), 8000)
        return True

    def _write(self, record: RunRecord, text: str, path: Path,
               write: Callable[[threading.Event], None]) -> None:
        """Write a file of `record`: a finished run's on a worker thread, with a dialog
        that can give up after a moment (a run file or trace of millions of records
        takes seconds); a live run's here (its store changes at every tick). Raises
        busy.Cancelled if given up: the old file is unchanged."""
        if record.store.t_end is None:
            write(threading.Event())
            return
        busy.wait_for(self.window, text.format(name=shown(path.name)), write, writes=True)

    def _ask_save(self, title: str, name: str, file_filter: str, suffix: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self.window, title,
                                                    str(Path(start_dir()) / (name + suffix)),
                                                    file_filter)
        if not path:
            return None
        target = Path(path)
        return target if target.suffix else target.with_suffix(suffix)


def _loaded(path: Path) -> RunRecord:
    """A run file read, with what the chart derives from its shared objects' records
    read too (their tracks, items matched): on the worker thread, so that a million
    items do not freeze the window when it first shows them."""
    record = RunRecord.load(path)
    object_tracks.prepare(record.store)
    item_links.prepare(record.store)
    return record


def _builtin_or_none(name: str):  # type: ignore[no-untyped-def]
    try:
        return load_builtin(name)
    except ScenarioFileError:
        return None
