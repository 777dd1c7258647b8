"""The window's actions are enabled from one table (ui/action_states.py): each state of
the window gives the expected set of enabled actions, on the real window's QActions and
option boxes, and the window's own state follows a real run from start to stop."""

from __future__ import annotations

import pytest

from mpgui.ui.action_states import ENABLED, WindowState, apply, enabled_names

ALWAYS_IDLE = {"speed", "method", "open_script"}  # whenever no run is on
RUN = {"run", "compare_backends"}
SHOWN = {"save_run", "json", "csv", "png", "svg"}
REPLAY = {"replay", "step_next", "step_back"}  # a finished run to replay or step through
DRAWN = {"describe"}  # anything on the chart (a run, live or not, or the prediction)

CASES = [
    ("a scenario that can run, no run yet", WindowState(plan=True),
     RUN | ALWAYS_IDLE | DRAWN | {"png", "svg"}),
    ("a red cell, no run yet", WindowState(runnable=False), ALWAYS_IDLE),
    ("a run going on", WindowState(running=True, live=True, plan=True), {"stop"} | DRAWN),
    ("a run being stopped", WindowState(running=True, stopping=True, live=True, runs=1),
     DRAWN),
    ("a run has ended but is not kept yet", WindowState(live=True, runs=1),
     RUN | ALWAYS_IDLE | DRAWN),
    ("one run, shown", WindowState(shown=True, runs=1, plan=True),
     RUN | ALWAYS_IDLE | SHOWN | REPLAY | DRAWN),
    ("two runs, none shown, a script opened, a red cell",
     WindowState(runnable=False, runs=2, script=True),
     ALWAYS_IDLE | REPLAY | {"rerun_script", "compare"}),
    ("a script running after two runs", WindowState(running=True, live=True, runs=2,
                                                    script=True), {"stop", "compare"} | DRAWN),
]


def enabled(window) -> set[str]:  # type: ignore[no-untyped-def]
    """The names of the table's targets that are enabled in the window now."""
    return {name for name, target in window.enablables().items()
            if name in ENABLED and target.isEnabled()}


@pytest.mark.parametrize(("state", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_state_enables_exactly_its_actions_in_the_window(window, state, expected):
    apply(state, window.enablables())
    assert enabled(window) == expected == enabled_names(state)


def test_every_row_of_the_table_is_something_of_the_window(window):
    targets = window.enablables()
    assert set(ENABLED) <= set(targets)
    # The ones the user sees: the same QActions as in the menus and toolbars.
    assert targets["run"] is window.acts["run"] and targets["replay"] is window.acts["replay"]
    assert targets["rerun_script"] is window.scripts.actions["rerun_script"]
    assert targets["speed"] is window.speed and targets["method"] is window.method


def test_the_windows_state_follows_a_run_to_its_stop(window, qtbot):
    assert window.window_state() == WindowState(plan=True)
    assert enabled(window) == RUN | ALWAYS_IDLE | DRAWN | {"png", "svg"}
    window.run()
    state = window.window_state()
    assert state.running and state.live and not state.stopping
    assert enabled(window) == {"stop"} | DRAWN
    window.stop()
    assert window.window_state().stopping and enabled(window) == DRAWN
    qtbot.waitUntil(lambda: not window.controller.running and window.view.current
                    is not None, timeout=30_000)
    assert window.window_state() == WindowState(shown=True, runs=1, plan=True)
    assert enabled(window) == RUN | ALWAYS_IDLE | SHOWN | REPLAY | DRAWN
    assert window.status.run_label.text().startswith("Run 1 · Stopped")
    window.runs.replay()  # a replay is asked what the status bar calls it
    assert window.status.run_label.text() == "Replaying run 1"
    assert enabled(window) == RUN | ALWAYS_IDLE | SHOWN | REPLAY | DRAWN
    window.view.replay.close()
    assert window.status.run_label.text().startswith("Run 1 · Stopped")
