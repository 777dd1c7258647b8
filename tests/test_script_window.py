"""File > Open Python Script… in the window: asked once per file, traced live, stopped
cleanly, the scenario being edited left alone."""

from __future__ import annotations

import shutil

from tests.test_script_trace import SCRIPTS, gone


def finish(qtbot, w, timeout_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not w.controller.running, timeout=timeout_ms)


def test_open_script_asks_once_per_file_and_traces_it(qtbot, window, asked, tmp_path):
    _ask, calls = asked
    script = tmp_path / "mine.py"
    shutil.copy(SCRIPTS / "processes.py", script)
    script.write_text(script.read_text().replace("sys.argv[1]", "'spawn'"))
    scenario = window.doc.scenario
    assert window.scripts.open_path(script)
    assert calls == [str(script)]
    finish(qtbot, window)
    store = window.chart.store
    assert {ln.label for ln in store.lanes if ln.kind == "process"} == \
        {"T (talker)", "X (crasher)", "E (leaver)"}
    text = window.console.toPlainText()
    assert "talk 2" in text and "parent saw 1" in text
    assert "Process crasher:" in text and "ValueError: boom" in text
    assert "finished in" in text
    latest = window.view.history.latest
    assert latest.script == "mine.py" and latest.plan() is None
    assert "your script" in latest.title
    assert "waiting” is any block" in window.legend.note
    # The scenario being edited is untouched; the script can run again without asking.
    assert window.doc.scenario is scenario and not window.doc.modified
    assert window.scripts.actions["rerun_script"].isEnabled()
    window.scripts.rerun()
    finish(qtbot, window)
    assert calls == [str(script)]
    assert len(window.view.history.runs) == 2


def test_a_script_the_user_declines_does_not_run(qtbot, window, asked, tmp_path):
    ask, calls = asked
    ask.answer = False
    script = tmp_path / "no.py"
    script.write_text("open('ran', 'w').write('yes')\n")
    assert not window.scripts.open_path(script)
    assert calls == [str(script)] and not window.controller.running
    assert not (tmp_path / "ran").exists()
    ask.answer = True
    assert window.scripts.open_path(script)  # asked again: it was never agreed to
    finish(qtbot, window)
    assert calls == [str(script)] * 2 and (tmp_path / "ran").exists()


def test_a_missing_script_is_a_message(window, asked, said):
    messages, _answers = said
    assert not window.scripts.open_path(SCRIPTS / "missing.py")
    assert messages and "no such file" in messages[0]
    assert asked[1] == []


def test_a_script_that_fails_at_once_shows_its_traceback(qtbot, window, asked, tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("print('before')\nimport multiprocessing\n1 / 0\n")
    assert window.scripts.open_path(script)
    runner = window.controller.runner
    finish(qtbot, window)
    assert runner.exit_code == 1
    text = window.console.toPlainText()
    assert "before" in text and "ZeroDivisionError: division by zero" in text
    assert "Process main" not in text  # the script's own traceback, as python shows it


def test_stop_and_close_leave_nothing_behind(qtbot, window, asked, tmp_path):
    script = tmp_path / "forever.py"
    script.write_text((SCRIPTS / "forever.py").read_text().replace(
        "sys.argv[1]", "'fork'").replace("int(sys.argv[2])", "3"))
    assert window.scripts.open_path(script)
    runner = window.controller.runner
    qtbot.waitUntil(lambda: sum(ln.lines for ln in runner.store.lanes) >= 3, timeout=20_000)
    pids = runner.pids()
    window.stop()
    finish(qtbot, window, 10_000)
    assert runner.status == "stopped" and gone(pids)
    assert "stopped after" in window.console.toPlainText()
    # Again, and this time the window closes mid-run.
    window.scripts.rerun()
    runner = window.controller.runner
    qtbot.waitUntil(lambda: sum(ln.lines for ln in runner.store.lanes) >= 3, timeout=20_000)
    pids = runner.pids()
    window.close()
    assert gone(pids)


def test_a_script_whose_main_program_waits_with_its_process_is_a_deadlock_said(
        qtbot, window, asked, tmp_path):
    """The script's own process and its child both wait to receive on one pipe: the
    window says the deadlock — in the Output, the status bar (the main program named
    as such) and a box that offers Stop — and Stop ends it."""
    script = tmp_path / "both_receive.py"
    shutil.copy(SCRIPTS / "waits_on_each_other.py", script)
    script.write_text(script.read_text().replace("sys.argv[1]", "'pipe'"))
    assert window.scripts.open_path(script)
    lifecycle = window.lifecycle
    qtbot.waitUntil(lambda: lifecycle._deadlock_box is not None, timeout=30_000)
    sentence = ("Deadlock: P waits in recv() on parent_end ↔ child_end, and the main "
                "program in recv() on parent_end ↔ child_end")
    assert f"— {sentence} —" in window.console.toPlainText()
    assert window.statusBar().currentMessage().startswith(
        "Deadlock: P and the main program wait for ever")
    assert sentence in lifecycle._deadlock_box.text()
    window.acts["stop"].trigger()
    finish(qtbot, window)
    assert lifecycle._deadlock_box is None
