"""The backend in the window: chosen on the toolbar (an undoable edit of the scenario),
shown in the code, the chart and the legend; Compare Backends runs both."""

from __future__ import annotations

from mpgui.runtime.output.summary import notable_others
from mpgui.runtime.protocol import State
from mpgui.ui.chart.geometry import CODE_SHIFT
from mpgui.ui.chart.pixels import dominant, pixel_codes


def wait_for_run(qtbot, w, timeout_ms: int = 30_000) -> None:
    qtbot.waitUntil(lambda: w.view.current is not None and w.view.live is None,
                    timeout=timeout_ms)


def test_the_backend_box_edits_the_scenario_and_undo_brings_it_back(window, qtbot):
    box = window.backend
    assert box.combo.currentData() == "processes" and not box.workers.isVisibleTo(window)
    box.combo.setCurrentIndex(box.combo.findData("threads"))
    assert window.doc.scenario.backend == "threads" and window.doc.modified
    qtbot.waitUntil(lambda: "threading.Thread(" in window.code.toPlainText())
    assert "threading.Thread" in window.layout_.processes_hint.text()
    box.combo.setCurrentIndex(box.combo.findData("pool"))
    assert box.workers.isVisibleTo(window)
    box.workers.setValue(3)
    assert window.doc.scenario.workers.count == 3
    qtbot.waitUntil(lambda: "multiprocessing.Pool(3)" in window.code.toPlainText())
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert window.doc.scenario.backend == "processes"
    assert box.combo.currentData() == "processes"


def test_a_threads_run_draws_gil_waits_and_says_whether_python_has_a_gil(window, qtbot):
    window.files.open_builtin("threads-vs-processes-cpu")
    window.backend.combo.setCurrentIndex(window.backend.combo.findData("threads"))
    window.run()
    wait_for_run(qtbot, window)
    store = window.view.current.store
    assert store.backend == "threads"
    labels = [label for _key, label in window.legend.entries]
    assert "waiting for the GIL" in labels
    assert any("GIL" in label and "Python" in label for label in labels)
    chart = window.chart
    grid = pixel_codes(chart.cache, chart.rows, chart.spans.colors, 0, store.seconds(
        store.t_end), 400)
    thread_rows = [chart.rows.lane_row[ln.index] for ln in store.lanes if ln.kind == "process"]
    assert (dominant(grid[thread_rows]) // CODE_SHIFT == State.GIL).any()


def test_a_pool_run_shows_each_task_on_its_worker_s_row(window, qtbot):
    window.files.open_builtin("pool")
    window.run()
    wait_for_run(qtbot, window)
    store, chart = window.view.current.store, window.chart
    assert next(label for _k, label in window.legend.entries).startswith("queued")
    grid = pixel_codes(chart.cache, chart.rows, chart.spans.colors, 0,
                       store.seconds(store.t_end), 400)
    colors = chart.spans.colors
    for worker in (ln for ln in store.lanes if ln.kind == "worker"):
        shown = set(dominant(grid[chart.rows.lane_row[worker.index]]) % CODE_SHIFT)
        ran = {int(colors[t.index]) for t in store.lanes if t.host == worker.index}
        assert ran and ran <= shown


def test_compare_backends_runs_both_and_compares_them(window, qtbot):
    window.files.open_builtin("threads-vs-processes-cpu")
    window.speed.setValue(2)  # 0.5 s of work per worker: start-up is not the story
    window.acts["compare_backends"].trigger()
    qtbot.waitUntil(lambda: window.runs.compare_window is not None
                    and window.runs.compare_window.isVisible(), timeout=60_000)
    first, second = window.view.history.runs[-2:]
    assert (first.store.backend, second.store.backend) == ("processes", "threads")
    busy = [r for r in (first, second) if notable_others(r.figures.others, r.figures.wall)]
    if busy:  # other programs took the cores the processes needed: the lesson can turn
        # round, and then the window must say why, beside the run it stretched
        headers = [h.text() for h in window.runs.compare_window.headers]
        assert all("timings may be stretched" in h for h, r in zip(
            headers, (first, second), strict=True) if r in busy), headers
    else:  # each worker's own time, first event to end: a process's start-up (spawn
        # on a slow machine takes a good part of the 0.5 s) is not the story
        def lifetime(run):
            rows = [ln for ln in run.store.lanes if ln.kind == "process"]
            assert rows and all(ln.started_t and ln.end_t for ln in rows)
            return sum(ln.end_t - ln.started_t for ln in rows) / len(rows)
        assert lifetime(second) > 1.4 * lifetime(first)
    assert "threads" in second.title
    assert window.doc.scenario.backend == "processes"  # the scenario is left as it was
