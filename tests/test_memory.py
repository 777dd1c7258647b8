"""Memory stays bounded: a store past its budget spills older printed text to a
temporary SQLite file and every reader gets the same answers; the file is gone once the
store is closed or the program ends; a traced script's line printed in pieces costs
linear time and bounded memory, however long it gets."""

from __future__ import annotations

import gc
import os
import stat
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

import pytest

from mpgui.model.builtins import load_builtin
from mpgui.runtime.output.export import chrome_trace, csv_text
from mpgui.runtime.output.runfile import load_run, run_to_dict, save_run
from mpgui.runtime.protocol import MAX_LINE_CHARS, Kind, State
from mpgui.runtime.script.runner import ScriptRunner
from mpgui.runtime.store import spill
from mpgui.runtime.store.trace import TraceStore
from tests.helpers import MPGUI

MS = 1_000_000
T0 = 5_000 * MS
TIMEOUT_S = 60
NO_LIMIT = 10**15
TINY = 4096  # bytes: every few batches spill


def _texts(lane: int, batch: int, n: int) -> list[str]:
    odd = ["", "é ü 字 🙂", "tab\there", "x" * 300]
    return [f"P{lane} batch {batch} line {j} {odd[j % 4]}" for j in range(n)]


def recorded(budget: spill.MemoryBudget) -> TraceStore:
    """The same run every time: three children printing in interleaved batches while
    they change state (a state change at each batch), then all end."""
    store = TraceStore(budget=budget)
    main = store.add_lane("main", "main program", "main")
    kids = [store.add_lane(v, f"proc {v}", "process") for v in "ABC"]
    store.begin(T0, main)
    t = T0
    for k in kids:
        t += MS
        store.start_called(t, k)
        store.event(k, Kind.STARTED, t + MS // 2, 1000 + k, k % 2)
    for batch in range(60):
        lane = kids[batch % 3]
        t += 3 * MS
        texts = _texts(lane, batch, 40)
        # Arrives late by up to 2 ms against the other children's lines: replay orders.
        times = array("q", [t - (batch % 3) * MS + j * 10_000 for j in range(len(texts))])
        state = State.PREEMPTED if batch % 2 else State.RUNNING
        store.ingest(lane, (0, [(Kind.STATE, t, state, batch % 2)], times.tobytes(),
                            "\n".join(texts).encode()))
    for k in kids:
        t += MS
        store.exited(t, k, 0)
    store.finish(t + MS)
    return store


@pytest.fixture
def pair():
    """(unspilled, spilled): the same events, one store with room, one spilled."""
    whole, spilled = recorded(spill.MemoryBudget(NO_LIMIT)), recorded(spill.MemoryBudget(TINY))
    yield whole, spilled
    whole.close()
    spilled.close()


def test_a_store_past_its_budget_spills_and_keeps_little_text_in_memory(pair):
    whole, spilled = pair
    assert not whole.spilled and spilled.spilled
    held = spilled.memory_bytes() - spilled.column_bytes()
    assert held < 4 * TINY < whole.memory_bytes() - whole.column_bytes()
    assert spilled.n_lines == whole.n_lines == 60 * 40


def test_the_stores_of_a_process_share_one_budget():
    """Four recorded runs (the window keeps several): together they hold at most the
    text budget in memory; the oldest run's text went to disk first, the newest
    keeps its latest text."""
    budget = spill.MemoryBudget(400_000)
    runs = [recorded(budget) for _ in range(4)]
    text = sum(r.memory_bytes() - r.column_bytes() for r in runs)
    assert text == budget.held <= 400_000 // 4
    assert runs[0].spilled and runs[0].memory_bytes() == runs[0].column_bytes()
    assert runs[-1].memory_bytes() > runs[-1].column_bytes()
    for r in runs:
        r.close()
    assert budget.held == 0


def test_lines_read_the_same_spilled_or_not(pair):
    whole, spilled = pair
    assert [spilled.line_text(i) for i in range(spilled.n_lines)] == \
        [whole.line_text(i) for i in range(whole.n_lines)]
    assert spilled.lines_since(0) == whole.lines_since(0)
    assert spilled.lines_since(2000) == whole.lines_since(2000)
    # Back and forth between chunks on disk (what a replay in time order does).
    order = [7, 2399, 45, 1203, 0, 2398, 46, 8]
    assert [spilled.line_text(i) for i in order] == [whole.line_text(i) for i in order]


def test_exports_and_run_files_are_the_same_spilled_or_not(pair, tmp_path):
    whole, spilled = pair
    assert chrome_trace(spilled) == chrome_trace(whole)
    assert csv_text(spilled) == csv_text(whole)
    scenario = load_builtin("seed")
    assert run_to_dict(scenario, spilled, {}) == run_to_dict(scenario, whole, {})
    save_run(tmp_path / "spilled.mpgrun", scenario, spilled, {})
    _s, reloaded, _m = load_run(tmp_path / "spilled.mpgrun")
    assert [reloaded.line_text(i) for i in range(reloaded.n_lines)] == \
        [whole.line_text(i) for i in range(whole.n_lines)]
    reloaded.close()


def test_a_run_too_large_for_a_run_file_is_refused_before_its_text_is_gathered(
        pair, tmp_path, monkeypatch):
    """A run file is read back only up to runfile.MAX_BYTES: a run whose text alone,
    on disk or not, is larger is refused at once with a message, nothing written."""
    from mpgui.model.fileformat import ScenarioFileError
    from mpgui.runtime.output import runfile

    _whole, spilled = pair
    monkeypatch.setattr(runfile, "MAX_BYTES", spilled.text_bytes)
    with pytest.raises(ScenarioFileError, match="more than a run file holds"):
        save_run(tmp_path / "big.mpgrun", load_builtin("seed"), spilled, {})
    assert list(tmp_path.iterdir()) == []


def test_a_run_file_loads_into_a_spilling_store(pair, tmp_path):
    whole, _spilled = pair
    scenario = load_builtin("seed")
    save_run(tmp_path / "run.mpgrun", scenario, whole, {})
    saved = spill.BUDGET.limit
    spill.BUDGET.set_limit(TINY)  # the process's budget, as --memory-mb sets it
    try:
        _s, loaded, _m = load_run(tmp_path / "run.mpgrun")
        assert loaded.spilled
        assert csv_text(loaded) == csv_text(whole)
        loaded.close()
    finally:
        spill.BUDGET.set_limit(saved)


def test_the_chart_and_console_show_the_same_spilled_or_not(pair, qtbot):
    from mpgui.ui.chart.geometry import SpanCache, layout_rows
    from mpgui.ui.chart.hover import describe
    from mpgui.ui.run.console import ConsolePane
    from mpgui.ui.theme import LIGHT

    whole, spilled = pair
    seen = []
    for store in (whole, spilled):
        cache = SpanCache()
        cache.sync(store, store.t_end)
        rows = layout_rows(store, 2, False)
        # A tooltip at every printed line of every row (it quotes the line's text).
        tips = [describe(store, cache, rows, (t - store.t0) / 1e9, row, 1e-6)
                for t, lane, _text in store.lines_since(0)
                for row in range(rows.n_rows) if rows.lane_of_row[row] == lane]
        console = ConsolePane(LIGHT)
        qtbot.addWidget(console)
        console.start(store)
        console.refresh(until=store.t_end, cap=None)  # a replay to the end
        seen.append((tips, console.toPlainText()))
    assert seen[0] == seen[1]
    assert "P1 batch 0 line 1 é ü 字 🙂" in seen[1][1]
    assert any("printed at" in tip for tip in seen[1][0])


def test_the_spill_file_is_private_and_gone_once_the_store_is_closed():
    store = recorded(spill.MemoryBudget(TINY))
    folder = store._spill.folder  # type: ignore[union-attr]
    assert [p.name for p in folder.iterdir()] == ["text.sqlite3"]
    if os.name == "posix":
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    store.close()
    assert not folder.exists()
    with pytest.raises(IndexError):
        store.line_text(0)


def test_the_spill_file_is_gone_once_the_store_is_collected():
    store = recorded(spill.MemoryBudget(TINY))
    folder = store._spill.folder  # type: ignore[union-attr]
    del store
    gc.collect()
    assert not folder.exists()


def test_a_killed_mpgui_s_spill_folder_is_removed_by_the_next(tmp_path, monkeypatch):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f"mpgui-spill-{dead.pid}-abc"
    left.mkdir()
    (left / "text.sqlite3").write_bytes(b"x")
    ours = tmp_path / f"mpgui-spill-{os.getpid()}-def"  # alive: kept
    ours.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = recorded(spill.MemoryBudget(TINY))
    assert not left.exists() and ours.exists()
    assert store._spill.folder.parent == tmp_path  # type: ignore[union-attr]
    store.close()


def test_a_spill_that_cannot_be_written_keeps_the_text_in_memory(tmp_path, monkeypatch):
    """No temporary folder to be had (a full or missing disk): the run goes on, its
    text stays in memory and reads the same, and the store says why."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    store = recorded(spill.MemoryBudget(TINY))
    whole = recorded(spill.MemoryBudget(NO_LIMIT))
    assert not store.spilled and "FileNotFoundError" in store.spill_error
    assert store.lines_since(0) == whole.lines_since(0)
    store.close()
    whole.close()


def _flood_toml(path: Path, lines: int) -> Path:
    path.write_text(
        'format = 1\nmain = ["A.start()", "A.join()"]\n[[process]]\nvar = "A"\n'
        f'name = "flood"\nworkload = "flood"\nparams = {{ n = {lines} }}\n'
        'message = "line {i}: the quick brown fox jumps over the lazy dog"\n')
    return path


def test_a_headless_flood_spills_and_leaves_no_file(tmp_path):
    """`mpgui run --memory-mb 16` on a flood of 24 MB of text: the spill folder appears
    while it runs, the CSV has every line, and nothing is left in the temp folder."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    scenario = _flood_toml(tmp_path / "flood.toml", 400_000)
    out = tmp_path / "out.csv"
    env = dict(os.environ, TMPDIR=str(tmp))
    proc = subprocess.Popen([*MPGUI, "run", "--quiet", "--memory-mb", "16", "--csv", str(out),
                             str(scenario)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    spilled, deadline = False, time.monotonic() + TIMEOUT_S
    while proc.poll() is None and time.monotonic() < deadline:
        spilled = spilled or any(tmp.glob("mpgui-spill-*"))
        time.sleep(0.01)  # polling the folder: no event to wait for from outside
    _out, err = proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == 0, err
    assert spilled
    assert list(tmp.iterdir()) == []
    rows = [r for r in out.read_text(encoding="utf-8").splitlines() if r.startswith("line,")]
    assert len(rows) == 400_000
    assert rows[0].endswith(",line 0: the quick brown fox jumps over the lazy dog")
    assert rows[-1].endswith(",line 399999: the quick brown fox jumps over the lazy dog")


def test_a_bad_memory_budget_is_one_error_line():
    bad = subprocess.run([*MPGUI, "run", "--memory-mb", "3", "seed"], capture_output=True,
                         text=True, timeout=TIMEOUT_S)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "from 16 to" in bad.stderr
    env = dict(os.environ, **{spill.ENV_MEMORY: "lots"})
    bad = subprocess.run([*MPGUI, "run", "seed"], capture_output=True, text=True, env=env,
                         timeout=TIMEOUT_S)
    assert bad.returncode == 2 and bad.stderr.startswith(f"mpgui: error: {spill.ENV_MEMORY}")
    assert bad.stderr.count("\n") == 1


# -- a traced script's partial lines ---------------------------------------------------

PIECES = """\
import sys, time, tracemalloc
n, size, report, memory = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
piece = "." * size
if memory == "yes":  # (it slows every allocation: not while timing)
    tracemalloc.start()
t = time.thread_time()
for _ in range(n):
    print(piece, end="")
cpu = time.thread_time() - t
print()
with open(report, "w") as f:
    f.write(f"{cpu} {tracemalloc.get_traced_memory()[1]}")
"""


def _traced_pieces(tmp_path: Path, n: int, size: int,
                   memory: bool = False) -> tuple[float, int, TraceStore]:
    """Trace a script that prints `n` pieces of `size` characters on one line: (CPU
    seconds of its loop, the most memory Python allocated during it if `memory`, the
    store).
    (Not ru_maxrss: a child started by vfork/exec inherits its parent's peak there.)"""
    script = tmp_path / "pieces.py"
    script.write_text(PIECES)
    report = tmp_path / f"report-{n}-{size}"
    args = [str(n), str(size), str(report), "yes" if memory else "no"]
    r = ScriptRunner(script, args, output=subprocess.DEVNULL, errors=subprocess.DEVNULL)
    deadline = time.monotonic() + TIMEOUT_S
    with r:
        r.start()
        while not r.done:
            assert time.monotonic() < deadline, "the script did not end"
            r.wait(0.05)
            r.poll()
    assert r.exit_code == 0
    cpu, peak = report.read_text().split()
    return float(cpu), int(peak), r.store


def test_a_line_printed_a_character_at_a_time_costs_linear_time(tmp_path):
    """print('.', end='') 50k and 200k times: 4 times the work must take about 4 times
    as long (3.9 measured; the quadratic assembly took 8 to 16 times, more the longer
    the line). The script's CPU time of its loop, the least of three tries: what other
    programs do to the cores counts less (on a virtual machine, time its neighbours take
    still shows as CPU time: 6.1 was once measured in CI)."""
    small = min(_traced_pieces(tmp_path, 50_000, 1)[0] for _ in range(3))
    big, _peak, store = _traced_pieces(tmp_path, 200_000, 1)
    big = min(big, *(_traced_pieces(tmp_path, 200_000, 1)[0] for _ in range(2)))
    assert big / small < 7, f"50k: {small:.3f} s, 200k: {big:.3f} s"
    (line,) = [text for _t, _l, text in store.lines_since(0)]
    assert line == "." * MAX_LINE_CHARS + f"… ({200_000 - MAX_LINE_CHARS} more characters)"


def test_an_endless_line_keeps_the_script_s_memory_bounded(tmp_path):
    """300 MB printed as one line: the script's peak memory stays far below it, and
    mpgui records the line cut, with the count of what was left out."""
    _cpu, peak, store = _traced_pieces(tmp_path, 300, 1_000_000, memory=True)
    assert peak < 20_000_000, f"the traced script's line took {peak / 1e6:.0f} MB"
    (line,) = [text for _t, _l, text in store.lines_since(0)]
    assert line == "." * MAX_LINE_CHARS + f"… ({300_000_000 - MAX_LINE_CHARS} more characters)"
