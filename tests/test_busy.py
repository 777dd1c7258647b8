"""Slow work the window waits for (`mpgui.ui.busy`): the window goes on handling its
events, a dialog says what is happening and can give up, quick work shows nothing, and
an error of the work reaches the window's thread. Opening a large run file uses it."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from benchmarks.window import _queue_store
from mpgui.model.builtins import load_builtin
from mpgui.runtime.output.runfile import save_run
from mpgui.ui import busy

WAIT_S = 60  # the most a test waits for its worker (a busy machine is slow)


def _dialogs(parent: QWidget) -> list[QProgressDialog]:
    return [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]


def _click_cancel(dialog: QProgressDialog) -> None:
    button = dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    button.click()


def _cancel_when_shown(parent: QWidget, texts: list[str]) -> None:
    """Click the busy dialog's Cancel once it is up (noting what it says)."""
    dialogs = _dialogs(parent)
    if not dialogs:
        QTimer.singleShot(10, lambda: _cancel_when_shown(parent, texts))
        return
    texts.append(dialogs[0].labelText())
    _click_cancel(dialogs[0])


def test_the_window_handles_its_events_while_the_work_goes_on(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    release = threading.Event()
    seen: list[int] = []

    def look() -> None:  # runs on the window's thread, while the work waits for it
        seen.append(len(_dialogs(parent)))
        release.set()

    QTimer.singleShot(int(busy.QUIET_S * 1000) + 200, look)
    assert busy.wait_for(parent, "Opening big.mpgrun…",
                         lambda _stop: release.wait(WAIT_S) and 42) == 42
    assert seen == [1]  # the dialog was up, and the timer fired during the work
    assert _dialogs(parent) == []  # and it is gone


def test_cancel_gives_up_waiting(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    release = threading.Event()
    finished = threading.Event()

    def work(_stop: threading.Event) -> int:  # (a read: never looks at stop)
        release.wait(WAIT_S)
        finished.set()
        return 1

    texts: list[str] = []
    QTimer.singleShot(0, lambda: _cancel_when_shown(parent, texts))
    with pytest.raises(busy.Cancelled):
        busy.wait_for(parent, "Opening big.mpgrun…", work)
    assert texts == ["Opening big.mpgrun…"]
    assert not finished.is_set()  # given up before the work ended
    release.set()
    assert finished.wait(WAIT_S)


def test_quick_work_shows_no_dialog_and_errors_reach_the_caller(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[int] = []
    QTimer.singleShot(0, lambda: shown.append(len(_dialogs(parent))))
    assert busy.wait_for(parent, "…", lambda _stop: "quick") == "quick"

    def fails(_stop: threading.Event) -> None:
        raise ValueError("not a run file")

    with pytest.raises(ValueError, match="not a run file"):
        busy.wait_for(parent, "…", fails)
    qtbot.wait(10)
    assert shown in ([], [0])  # (no dialog, whether or not the timer fired yet)
    assert _dialogs(parent) == []


def test_a_write_given_up_stops_at_its_next_piece_and_leaves_the_old_file(qtbot, tmp_path):
    """However long a write would go on, Cancel stops it: `atomic_write` raises at the
    next piece once `stop` is set, removes its temporary file, and the old file stays."""
    from mpgui.model.fileformat import atomic_write

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    path = tmp_path / "trace.json"
    path.write_text("the old file\n")
    pieces: list[int] = []

    def endless():  # type: ignore[no-untyped-def]
        for k in range(1_000_000):  # (~1,000 s: never done before Cancel)
            threading.Event().wait(0.001)
            pieces.append(k)
            yield b"x" * 1000

    texts: list[str] = []
    QTimer.singleShot(0, lambda: _cancel_when_shown(parent, texts))
    with pytest.raises(busy.Cancelled):
        busy.wait_for(parent, "Exporting trace.json…",
                      lambda stop: atomic_write(path, endless(), stop), writes=True)
    assert texts == ["Exporting trace.json…"] and pieces  # it had begun
    assert path.read_text() == "the old file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]


def test_opening_a_large_run_file_can_be_given_up_and_changes_nothing(qtbot, window,
                                                                     tmp_path, monkeypatch):
    path = tmp_path / "big.mpgrun"
    # (300,000 items read for two seconds or more: Cancel comes while they are read)
    save_run(path, load_builtin("producer-consumer"), _queue_store(300_000), {})
    monkeypatch.setattr(busy, "QUIET_S", 0.0)  # the dialog at once
    before = (window.doc.scenario, window.view.current, len(window.view.history.runs))
    texts: list[str] = []
    QTimer.singleShot(0, lambda: _cancel_when_shown(window, texts))
    assert window.runs.open_run_path(path, confirmed=True) is None
    assert texts == ["Opening big.mpgrun…"]
    assert (window.doc.scenario, window.view.current,
            len(window.view.history.runs)) == before
    # Opened again, to the end: the run is shown.
    record = window.runs.open_run_path(path, confirmed=True)
    assert record is not None and window.view.current is record
    assert len(record.store.records("shared")) == 600_000


@pytest.mark.parametrize("what", ["save", "json", "csv"])
def test_a_save_or_export_given_up_leaves_the_old_file(qtbot, window, tmp_path, monkeypatch,
                                                       what):
    """Cancel stops the write at its next piece: the file that was there is unchanged
    and nothing is left beside it. Not given up, the same write completes."""
    from mpgui.runtime.output.runfile import load_run
    from mpgui.runtime.session.record import RunRecord

    # (300,000 items: each write takes a second or more, so Cancel, clicked as soon as
    # the dialog is up, comes while it is going on)
    record = RunRecord(load_builtin("producer-consumer"), _queue_store(300_000),
                       name="producer-consumer", speed=1.0, start_method="spawn", cores=2)
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / {"save": "big.mpgrun", "json": "big.json", "csv": "big.csv"}[what]
    path.write_text("the old file\n")
    monkeypatch.setattr(busy, "QUIET_S", 0.0)

    def write() -> bool:
        if what == "save":
            return window.runs.save_run_to(record, path)
        window.view.show(record)
        return window.runs.export_to(what, path)

    texts: list[str] = []
    QTimer.singleShot(0, lambda: _cancel_when_shown(window, texts))
    assert write() is False
    assert texts == [("Saving {name}…" if what == "save" else "Exporting {name}…").format(
        name=path.name)]
    assert path.read_text() == "the old file\n"
    assert [p.name for p in folder.iterdir()] == [path.name]
    assert write() is True  # (the dialog shows, and goes when done)
    assert _dialogs(window) == []
    if what == "save":
        assert len(load_run(path)[1].records("shared")) == 600_000
    else:
        assert path.stat().st_size > 1_000_000


def test_the_window_shows_an_opened_run_from_what_the_worker_read(qtbot, window, tmp_path):
    """Its objects' tracks and matched items were made on the worker thread and taken
    by the chart, not made again on the window's."""
    from mpgui.runtime.store import item_links, object_tracks

    path = tmp_path / "queue.mpgrun"
    save_run(path, load_builtin("producer-consumer"), _queue_store(2_000), {})
    record = window.runs.open_run_path(path, confirmed=True)
    assert record is not None
    qtbot.waitUntil(lambda: window.chart.object_tracks.store is record.store)
    assert record.store not in object_tracks._prepared
    assert record.store not in item_links._prepared
