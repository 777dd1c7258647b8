"""Other programs on the CPU lanes: the arithmetic on synthetic counters, the store, run
files and exports, the words — and real runs beside a real CPU hog."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable

import psutil
import pytest

from mpgui.model.builtins import load_builtin
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.headless import run_headless
from mpgui.runtime.output.export import chrome_trace, csv_text
from mpgui.runtime.output.runfile import NOT_RECORDED, RunFileError, load_run, run_to_dict, save_run
from mpgui.runtime.output.summary import format_summary, run_figures, versus_prediction
from mpgui.runtime.parent import others
from mpgui.runtime.parent.cpu_counters import (
    ProcReader,
    ProcTimes,
    PsutilReader,
    Reading,
    parse_pid_stat,
    parse_proc_stat,
)
from mpgui.runtime.parent.others import OthersSampler, others_fractions, own_ns
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.protocol import Kind, State
from mpgui.runtime.script.runner import ScriptRunner
from mpgui.runtime.store.trace import TraceStore
from tests.scenarios import make, sleeper

MS = 1_000_000
TICK = 10 * MS
LINUX = sys.platform.startswith("linux") and os.path.exists("/proc/stat")


# -- the arithmetic --------------------------------------------------------------------


def test_proc_stat_counts_busy_and_idle_time_per_cpu():
    text = textwrap.dedent("""\
        cpu  300 10 60 2000 20 1 2 3 0 0
        cpu0 100 5 50 1000 10 1 2 3 40 7
        cpu1 200 5 10 1000 10 0 0 0 0 0
        cpu3 1 2 3 4
        intr 12345 0 0 1
        ctxt 455460
        """)
    cpus = parse_proc_stat(text, TICK)
    # busy = user nice system irq softirq steal (guest is already in user), idle = idle iowait
    assert cpus == {0: (161 * TICK, 1171 * TICK), 1: (215 * TICK, 1225 * TICK),
                    3: (6 * TICK, 10 * TICK)}  # an older kernel's four fields; cpu2 offline


def test_pid_stat_is_read_past_a_name_with_spaces_and_parentheses():
    after = ["S", "77", *["0"] * 9, "30", "20", "5", "4", *["0"] * 4, "1234",
             *["0"] * 16, "3", *["0"] * 13]
    p = parse_pid_stat("4242 (a (b) ) c) " + " ".join(after), TICK)
    assert p == ProcTimes(cpu_ns=59 * TICK, ppid=77, core=3, born_ns=1234 * TICK)
    assert parse_pid_stat("4242 (gone", TICK) is None


def reading(cpus: dict[int, tuple[int, int]], procs: dict[int, tuple[int, int, int]] | None = None,
            born: int = 0) -> Reading:
    """cpus: {cpu: (busy ms, total ms)}; procs: {pid: (cpu ms, ppid, core)}."""
    return Reading({c: (b * MS, t * MS) for c, (b, t) in cpus.items()},
                   {pid: ProcTimes(ms * MS, ppid, core, born)
                    for pid, (ms, ppid, core) in (procs or {}).items()})


def fractions(prev: Reading, cur: Reading, carry: int = 0, born_after: int = 0):
    return others_fractions(prev, cur, own_ns(prev, cur, born_after), carry, cap=100 * MS)


def test_a_cpus_busy_time_minus_the_runs_own_is_other_programs():
    prev = reading({0: (0, 0), 1: (0, 0)}, {1: (0, 0, 0)})
    # CPU 0 busy all 100 ms with the run's process; CPU 1 half busy with someone else.
    cur = reading({0: (100, 100), 1: (50, 100)}, {1: (100, 0, 0)})
    got, carry = fractions(prev, cur)
    assert got == [0.0, 0.5] and carry == 0


def test_a_child_that_ended_counts_through_the_parent_that_reaped_it():
    prev = reading({0: (0, 0)}, {1: (1000, 0, 0), 2: (300, 1, 0)})
    # Child 2 ran 20 ms more, ended and was reaped: parent 1's count grew by its 320 ms.
    cur = reading({0: (20, 100)}, {1: (1320, 0, 0)})
    assert own_ns(prev, cur, 0) == {0: 20 * MS}
    assert fractions(prev, cur)[0] == [0.0]
    # A child its parent did not collect (it was not its to reap): no time is taken off
    # the parent, and the child's last moments are lost rather than counted twice.
    cur = reading({0: (20, 100)}, {1: (1005, 0, 0)})
    assert own_ns(prev, cur, 0) == {0: 5 * MS}


def test_a_process_born_during_the_run_counts_in_full_an_older_one_from_first_sight():
    prev = reading({0: (0, 0)}, {1: (0, 0, 0)})
    cur = Reading({0: (100 * MS, 100 * MS)},
                  {1: ProcTimes(0, 0, 0, 0), 5: ProcTimes(60 * MS, 1, 0, born_ns=500),
                   6: ProcTimes(900 * MS, 1, 0, born_ns=10)})  # e.g. a forkserver
    assert own_ns(prev, cur, born_after=100) == {0: 60 * MS}


class SyntheticReader:
    """What every synthetic reader below shares: a clock at 0, nothing to let go."""

    def clock(self) -> int:
        return 0

    def forget(self, pid: int) -> None:
        pass

    def close(self) -> None:
        pass


class TreeReader(SyntheticReader):
    """A process tree that grows: mpgui's own process, a child the runner reports, and
    a grandchild that child starts at the third reading, 40 ms of CPU old when a
    reading first sees it. Says whose children each reading asked for."""

    source, tick_ns = "tree", TICK

    def __init__(self, root: int) -> None:
        self.root, self.readings = root, 0
        self.asked: list[set[int]] = []

    def cpus(self) -> dict[int, tuple[int, int]]:
        self.readings += 1
        self.asked.append(set())
        return {0: (self.readings * 50 * MS, self.readings * 100 * MS)}

    def proc(self, pid: int) -> ProcTimes | None:
        return ProcTimes(40 * MS if pid == 13 else 0, 11 if pid == 13 else self.root, 0,
                         born_ns=5)

    def children(self, pid: int) -> list[int]:
        self.asked[-1].add(pid)
        return [13] if pid == 11 and self.readings >= 3 else []


def test_a_process_started_by_a_child_is_found_within_four_readings_and_counts_in_full():
    """Each reading asks mpgui's own process for its children, and every other process
    in turn, one reading in four (and at its first): three system calls a process, which
    with 256 children took the window's thread its time. A grandchild found late still
    counts from its birth."""
    root = os.getpid()
    reader = TreeReader(root)
    store = TraceStore()
    sampler = OthersSampler(store, lambda: [11], reader=reader, interval_ns=100 * MS)
    sampler.begin(0)  # (reading 1: the child's first, so its children are asked)
    for k in range(1, 10):
        sampler._sample(k * 100 * MS)
    assert all(root in asked for asked in reader.asked)
    child = [n for n, asked in enumerate(reader.asked, 1) if 11 in asked]
    assert child[0] == 1
    assert all(b - a <= others.CHILDREN_EVERY for a, b in itertools.pairwise(child))
    assert len(child) <= 1 + len(reader.asked) // others.CHILDREN_EVERY + 1  # not each time
    found = next(n for n, asked in enumerate(reader.asked, 1) if 13 in asked)  # its first
    assert 3 <= found < 3 + others.CHILDREN_EVERY
    # The interval it was found in holds its 40 ms too: the CPU was busy 50 ms of 100,
    # 40 of them the run's, so other programs had a tenth of it.
    assert [round(f, 3) for f in store.others.fraction[0]][found - 2] == 0.1


def test_time_on_an_unknown_cpu_is_spread_as_the_cpus_were_busy():
    prev = reading({0: (0, 0), 1: (0, 0)}, {1: (0, 0, -1)})
    cur = reading({0: (100, 100), 1: (50, 100)}, {1: (75, 0, -1)})
    got, _ = fractions(prev, cur)
    assert got == pytest.approx([0.5, 0.25])


def test_a_deficit_is_carried_so_that_ticks_lagging_bias_nothing():
    a = reading({0: (0, 0)}, {1: (0, 0, 0)})
    b = reading({0: (90, 100)}, {1: (100, 0, 0)})  # the CPU's counter lags by a tick
    c = reading({0: (200, 200)}, {1: (200, 0, 0)})  # ... and catches up
    got, carry = fractions(a, b)
    assert got == [0.0] and carry == -10 * MS
    assert fractions(b, c, carry) == ([0.0], 0)
    assert fractions(b, c, 0)[0] == [pytest.approx(0.1)]  # rounding up to 0 would show 10 %
    # The carry is bounded: one odd interval cannot hide other programs for long.
    assert others_fractions(a, b, {0: 500 * MS}, 0, cap=20 * MS)[1] == -20 * MS


# -- the store, run files and exports --------------------------------------------------


def synthetic_store(share: float | None = 0.38, preempted_ms: int = 0) -> TraceStore:
    """A 1.1 s run of one process that took 30 ms to start; other programs used
    `share` of the CPUs (None: not measured)."""
    store = TraceStore()
    main = store.add_lane("main", "main program", "main")
    a = store.add_lane("A", "proc A", "process")
    store.begin(0, main)
    store.start_called(0, a)
    store.event(a, Kind.STARTED, 30 * MS, 4321, 0)
    if preempted_ms:
        store.set_state(a, 500 * MS, State.PREEMPTED)
        store.set_state(a, (500 + preempted_ms) * MS, State.RUNNING, 0)
    store.exited(1100 * MS, a, 0)
    store.finish(1100 * MS)
    if share is not None:
        store.others.source = "/proc/stat"
        for k in range(11):
            store.others.add(k * 100 * MS, (k + 1) * 100 * MS, [share * 2, 0.0])
    return store


def test_the_store_gives_each_cpus_fraction_and_the_whole_runs_share():
    store = synthetic_store(0.3)
    t0, t1, f = store.others_fraction(0)
    assert len(t0) == len(t1) == len(f) == 11 and t1[0] == t0[1] == 100 * MS
    assert list(f) == pytest.approx([0.6] * 11)
    assert list(store.others_fraction(1)[2]) == [0.0] * 11
    assert [len(column) for column in store.others_fraction(7)] == [0, 0, 0]
    assert store.others_share() == pytest.approx(0.3)
    assert TraceStore().others_share() is None  # not measured


def test_run_files_keep_it_and_older_files_still_load(tmp_path):
    store = synthetic_store(0.3)
    scenario = make(sleeper("A"))
    path = tmp_path / "r.mpgrun"
    save_run(path, scenario, store, {})
    _s, loaded, _m = load_run(path)
    assert loaded.others.source == "/proc/stat" and loaded.others.t0 == store.others.t0
    assert list(loaded.others_fraction(0)[2]) == pytest.approx(list(store.others_fraction(0)[2]))
    assert loaded.others_share() == pytest.approx(0.3)
    old = run_to_dict(scenario, store, {})
    del old["others"]  # a file from before this was measured
    path.write_bytes(__import__("gzip").compress(json.dumps(old).encode()))
    _s, loaded, _m = load_run(path)
    assert loaded.others_share() is None and loaded.others.note == NOT_RECORDED
    assert "was not measured (this run file does not record it)" in format_summary(loaded, "x")


@pytest.mark.parametrize(("change", "words"), [
    (lambda o: o.update(fraction=[[0.5]]), "equal length"),
    (lambda o: o.update(t0="x"), "t0"),
    (lambda o: o.update(t1=[1.5] * len(o["t1"])), "whole numbers"),
    (lambda o: o["fraction"][0].__setitem__(0, 7), "from 0 to 1"),
    (lambda o: o["fraction"][0].__setitem__(0, True), "from 0 to 1"),
    (lambda o: o.update(source=3), "source"),
])
def test_bad_others_in_a_run_file_say_what_is_wrong(tmp_path, change, words):
    from mpgui.runtime.output.runfile import run_from_dict

    doc = json.loads(json.dumps(run_to_dict(make(sleeper("A")), synthetic_store(), {})))
    change(doc["others"])
    with pytest.raises(RunFileError) as err:
        run_from_dict(doc)
    assert words in str(err.value)


def test_exports_have_a_counter_per_cpu_and_csv_rows():
    store = synthetic_store(0.3)
    events = chrome_trace(store, parent_pid=1)["traceEvents"]
    counters = [e for e in events if e["ph"] == "C"]
    assert {e["name"] for e in counters} == {"CPU 0: other programs", "CPU 1: other programs"}
    assert [e["args"]["%"] for e in counters if e["name"].startswith("CPU 0")] == \
        [60.0] * 11 + [0]  # from each sample's start; back to 0 at the end
    rows = [r for r in csv.DictReader(io.StringIO(csv_text(store))) if r["record"] == "others"]
    assert len(rows) == 22 and rows[0]["core"] == "0" and rows[0]["text"] == "0.600"
    assert (rows[0]["start_s"], rows[0]["end_s"]) == ("0.000000", "0.100000")


# -- words -----------------------------------------------------------------------------


def test_the_summary_says_when_other_programs_used_the_cpus():
    busy = format_summary(synthetic_store(0.38), "mpgui: x finished in 1.100 s")
    assert busy.splitlines()[-1] == ("  other programs used 38 % of the CPUs during this "
                                     "run: its timings may be stretched")
    quiet = format_summary(synthetic_store(0.05), "mpgui: x finished in 1.100 s")
    assert "other programs" not in quiet  # below 10 %: nothing to say
    short = TraceStore()
    short.t0, short.t_end = 0, 300 * MS
    short.others.source = "/proc/stat"
    short.others.add(0, 300 * MS, [1.0, 1.0])
    assert "other programs" not in format_summary(short, "h")  # 0.3 s: a tick is 3 %
    unknown = synthetic_store(None)
    unknown.others.note = "install psutil to measure it"
    assert format_summary(unknown, "h").splitlines()[-1] == (
        "  other programs' use of the CPUs was not measured (install psutil to measure it)")
    assert run_figures(synthetic_store(0.38)).others == pytest.approx(0.38)
    assert run_figures(unknown).others is None


def plan_store(seconds: float, preempted_ms: int = 0) -> TraceStore:
    plan = TraceStore()
    main = plan.add_lane("main", "main program", "main")
    a = plan.add_lane("A", "proc A", "process")
    plan.begin(0, main)
    plan.set_state(a, 0, State.RUNNING)
    if preempted_ms:
        plan.set_state(a, 100 * MS, State.PREEMPTED)
        plan.set_state(a, (100 + preempted_ms) * MS, State.RUNNING)
    plan.exited(int(seconds * 1e9), a, 0)
    plan.finish(int(seconds * 1e9))
    return plan


def test_lateness_names_only_the_causes_that_happened():
    store = synthetic_store(0.0)  # 1.1 s, started in 30 ms, never preempted
    assert versus_prediction(store, plan_store(1.0)) == \
        "predicted 1.000 s; +0.100 s (starting processes)"
    # Preempted longer than the prediction was: sharing cores is a reason ...
    store = synthetic_store(0.0, preempted_ms=60)
    assert versus_prediction(store, plan_store(1.0)) == \
        "predicted 1.000 s; +0.100 s (starting processes, sharing cores)"
    # ... not when the prediction had as much of it (four busy processes on two cores).
    assert versus_prediction(store, plan_store(1.0, preempted_ms=60)) == \
        "predicted 1.000 s; +0.100 s (starting processes)"
    busy = synthetic_store(0.4)
    assert versus_prediction(busy, plan_store(1.0)) == \
        "predicted 1.000 s; +0.100 s (starting processes, other programs using the CPUs)"
    assert versus_prediction(store, plan_store(1.2)).endswith("(ahead of the plan)")
    assert versus_prediction(store, None) == ""


def test_compare_shows_each_runs_share():
    from mpgui.ui.run.compare import figures_text

    assert "<b>other programs used 38 % of the CPUs</b>: timings may be stretched" in \
        figures_text(run_figures(synthetic_store(0.38)))
    assert figures_text(run_figures(synthetic_store(0.02))).endswith(
        "other programs used 2 % of the CPUs")
    assert "not measured" in figures_text(run_figures(synthetic_store(None)))


# -- real runs ---------------------------------------------------------------------------


# A busy loop that ends by itself after two minutes, should the test not end it.
HOG = "import time\nend = time.monotonic() + 120\nwhile time.monotonic() < end:\n    pass"


@pytest.fixture
def hogs():
    """One busy-looping process per CPU, started by the test and killed at its end.
    Orphaned at once: mpgui counts every process under its own as the run, and the test
    process is mpgui's here."""
    # (Its output to /dev/null: else the pipe of the launcher, which reads the pids,
    # would stay open as long as they run.)
    launch = ("import os, sys\nquiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0)"
              " for fd in (1, 2)]\nfor _ in range(int(sys.argv[1])):\n"
              "    print(os.posix_spawn(sys.executable, [sys.executable, '-c', sys.argv[2]], "
              "os.environ, file_actions=quiet))")
    out = subprocess.run([sys.executable, "-c", launch, str(cpu_count()), HOG],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    procs = [psutil.Process(int(pid)) for pid in out.split()]
    try:
        yield procs
    finally:
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        psutil.wait_procs(procs, timeout=10)


def cpu_s(procs: list[psutil.Process]) -> float:
    return sum(p.cpu_times().user + p.cpu_times().system for p in procs)


def busy_s() -> float:
    return sum(t.user + t.nice + t.system + t.irq + t.softirq + t.steal
               for t in psutil.cpu_times(percpu=True))


def others_s(store: TraceStore) -> float:
    o = store.others
    dts = [b - a for a, b in zip(o.t0, o.t1, strict=True)]
    return sum(f * dt for column in o.fraction for f, dt in zip(column, dts, strict=True)) / 1e9


@pytest.mark.skipif(not LINUX, reason="the hog's share is read from /proc/stat")
def test_a_cpu_hog_beside_a_real_run_is_other_programs_and_the_summary_says_so(hogs):
    stores: list[TraceStore] = []
    err = io.StringIO()
    hog0, busy0 = cpu_s(hogs), busy_s()
    status = run_headless(load_builtin("parallel-cpu"), name="parallel-cpu", speed=4,
                          start_method="spawn", out=io.StringIO(), err=err,
                          after=stores.append)
    hog1, busy1 = cpu_s(hogs), busy_s()
    assert status == 0
    (store,) = stores
    share = store.others_share()
    assert share is not None and share > 0.25, share
    assert "other programs used" in err.getvalue(), err.getvalue()
    # The hogs' time is other programs' (the run's processes took some of the CPUs)...
    others = others_s(store)
    assert others >= 0.7 * (hog1 - hog0), (others, hog1 - hog0)
    # ... and the run's own children's is not: what other programs got is at most what
    # the CPUs were busy with, less what the children computed (ticks of slack).
    children = sum(ln.cpu_ns or 0 for ln in store.lanes if ln.kind == "process") / 1e9
    assert children > 0.5
    assert others <= busy1 - busy0 - children + 0.1, (others, busy1 - busy0, children)


def selfs_cpu_s() -> float:
    """This process's CPU time and its reaped children's."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@pytest.mark.skipif(not LINUX, reason="the run's processes found from /proc")
def test_a_pools_workers_are_the_run_from_their_birth_not_their_first_report():
    """Other programs' time agrees with the CPUs' busy time less this process's and its
    children's, measured apart, however busy the machine is: a pool's workers are
    counted while they start, before they report."""
    busy0, own0 = busy_s(), selfs_cpu_s()
    with Runner(load_builtin("pool"), speed=4) as r:
        r.run()
    busy1, own1 = busy_s(), selfs_cpu_s()
    apart = busy1 - busy0 - (own1 - own0)
    assert abs(others_s(r.store) - apart) <= 0.15 + 0.1 * abs(apart), (others_s(r.store),
                                                                       apart)


def test_the_psutil_reader_measures_a_real_run_too():
    """Where there is no /proc, psutil reads the same counters (here, on any system)."""
    store = TraceStore()
    with Runner(make(sleeper("A", 3, 0.1)), speed=1, store=store) as r:
        r.others_sampler = OthersSampler(store, r.pids, reader=PsutilReader(psutil),
                                         interval_ns=50 * MS)
        r.run()
    assert store.others.source == "psutil" and store.others.n_samples >= 3
    assert store.others.n_cpus == len(psutil.cpu_times(percpu=True))
    assert all(0 <= f <= 1 for column in store.others.fraction for f in column)
    assert 0 <= store.others_share() <= 1


class HeldReader(SyntheticReader):
    """Counters that grow by a tick a reading, each reading (after the first) held
    until the test lets it go: a slow /proc of hundreds of processes."""

    source, tick_ns = "held", TICK

    def __init__(self) -> None:
        self.n = 0
        self.go = threading.Event()
        self.reading = threading.Event()  # a held reading has begun
        self.threads: set[str] = set()

    def cpus(self) -> dict[int, tuple[int, int]]:
        self.threads.add(threading.current_thread().name)
        if self.n:
            self.reading.set()
            assert self.go.wait(5), "the test never let the reading go"
        self.n += 1
        return {0: (self.n * TICK, 2 * self.n * TICK)}

    def proc(self, pid: int) -> ProcTimes | None:
        return ProcTimes(0, 0, 0, 0)

    def children(self, pid: int) -> list[int]:
        return []


def test_the_counters_are_read_off_the_polls_thread_and_taken_in_when_done():
    """A reading of 256 processes' counters takes milliseconds: the poll that asks for
    one must not wait for it (a window would drop frames), and the next poll after it
    is done puts it in the store."""
    store = TraceStore()
    reader = HeldReader()
    sampler = OthersSampler(store, lambda: [], reader=reader, interval_ns=100 * MS,
                            clock=lambda: 150 * MS)
    sampler.begin(0)
    sampler.tick(100 * MS)  # due: begun in the background; the tick did not wait
    assert reader.reading.wait(30) and store.others.n_samples == 0
    sampler.tick(105 * MS)  # still going on: nothing yet, no second reading begun
    assert store.others.n_samples == 0
    reader.go.set()
    for _ in range(6000):  # (the reading ends at once now; each tick looks again)
        sampler.tick(110 * MS)
        if store.others.n_samples:
            break
        threading.Event().wait(0.005)
    # The interval up to the reading's own time (the sampler's clock), half busy.
    assert list(store.others.t1) == [150 * MS] and store.others.fraction[0][0] == 0.5
    sampler.finish(160 * MS)  # (too soon after it for one more: the last stretches)
    assert store.others.n_samples == 1 and list(store.others.t1) == [160 * MS]
    here = threading.current_thread().name
    assert {name.split("_")[0] for name in reader.threads} == {here, "mpgui-others"}


def test_a_reading_stuck_in_the_kernel_neither_freezes_the_polls_nor_keeps_the_run_from_ending(
        monkeypatch):
    """A read of /proc/PID/stat blocks while that process is stuck in the kernel (as
    `ps` does): the polls go on, and the run's end waits a bounded time for the
    reading, then says the counters could not be read."""
    monkeypatch.setattr(others, "FINISH_WAIT_S", 0.2)
    store = TraceStore()
    reader = HeldReader()  # (never let go)
    sampler = OthersSampler(store, lambda: [], reader=reader, interval_ns=100 * MS,
                            clock=lambda: 150 * MS)
    sampler.begin(0)
    sampler.tick(100 * MS)
    assert reader.reading.wait(30)
    for t in range(105, 300, 5):  # polls go on, each at once
        sampler.tick(t * MS)
    sampler.finish(300 * MS)
    assert store.others.n_samples == 0 and "no answer in 0.2 s" in store.others.note
    reader.go.set()  # (the test's own thread ends)


class FrameReader(SyntheticReader):
    """Counters of the processes it is asked for, in order; the first process of each
    reading after the first begins a frame of the window (`frame`: the sampler's
    hold), as one may at any moment."""

    source, tick_ns = "frames", TICK

    def __init__(self) -> None:
        self.n = 0
        self.read: list[int] = []
        self.frame: Callable[[], None] = lambda: None
        self.first_read = threading.Event()  # a reading after the first read a process

    def cpus(self) -> dict[int, tuple[int, int]]:
        self.n += 1
        return {0: (self.n * TICK, 2 * self.n * TICK)}

    def proc(self, pid: int) -> ProcTimes | None:
        self.read.append(pid)
        if self.n > 1 and not self.first_read.is_set():
            self.frame()
            self.first_read.set()
        return ProcTimes(0, 0, 0, 0)

    def children(self, pid: int) -> list[int]:
        return []


def _taken_in(sampler: OthersSampler, store: TraceStore) -> float:
    """Tick until the reading going on is in the store; when it was (monotonic s)."""
    for _ in range(6000):
        sampler.tick(110 * MS)
        if store.others.n_samples:
            return time.monotonic()
        threading.Event().wait(0.005)
    raise AssertionError("the reading never ended")


def test_a_reading_waits_while_the_window_draws_a_frame(monkeypatch):
    """A frame of the window and the reading in the background do not share the
    interpreter: once a frame begins, the reading reads no more processes until it
    is drawn (with 256 children on 2 cores the frames' 99th percentile was 12 ms
    against 8.4 with no reading)."""
    monkeypatch.setattr(others, "HOLD_BUDGET_S", 60.0)
    store, reader = TraceStore(), FrameReader()
    sampler = OthersSampler(store, lambda: [21, 22, 23], reader=reader, interval_ns=100 * MS,
                            clock=lambda: 150 * MS)
    reader.frame = lambda: sampler.hold(True)
    sampler.begin(0)
    before = len(reader.read)
    sampler.tick(100 * MS)
    assert reader.first_read.wait(30)
    sampler.tick(105 * MS)  # (a poll during the frame: nothing taken in yet)
    assert store.others.n_samples == 0 and len(reader.read) == before + 1
    sampler.hold(False)  # the frame is drawn: the reading goes on
    _taken_in(sampler, store)
    assert sorted(reader.read[before:]) == sorted([21, 22, 23, os.getpid()])  # (and mpgui's)


def test_a_reading_held_by_frames_waits_a_bounded_time_in_all(monkeypatch):
    """A window that draws all the time (or one that never says its frame is done)
    delays a reading by `HOLD_BUDGET_S` at most: it is measured still."""
    monkeypatch.setattr(others, "HOLD_BUDGET_S", 0.2)
    store = TraceStore()
    sampler = OthersSampler(store, lambda: [21, 22, 23], reader=FrameReader(),
                            interval_ns=100 * MS, clock=lambda: 150 * MS)
    sampler.begin(0)
    sampler.hold(True)  # (never let go)
    began = time.monotonic()
    sampler.tick(100 * MS)
    assert _taken_in(sampler, store) - began >= 0.2
    assert store.others.fraction[0][0] == 0.5


@pytest.mark.skipif(not LINUX, reason="Linux's /proc")
def test_the_proc_reader_reads_this_process_and_lets_go_of_a_reaped_one():
    reader = ProcReader()
    try:
        me = reader.proc(os.getpid())
        assert me is not None and me.ppid == os.getppid() and me.core >= 0
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        p = reader.proc(child.pid)
        assert child.pid in reader.children(os.getpid())
        child.wait()
        assert p is not None and p.ppid == os.getpid()
        assert child.pid not in reader.children(os.getpid())
        assert reader.proc(child.pid) is None  # reaped: gone
        assert reader.proc(os.getpid()).cpu_ns >= me.cpu_ns  # its time now in ours
    finally:
        reader.close()


def test_a_traced_script_is_measured_too(tmp_path):
    script = tmp_path / "busy.py"
    script.write_text(textwrap.dedent("""\
        import time
        from multiprocessing import Process

        def work():
            end = time.process_time() + 0.3
            while time.process_time() < end:
                pass

        if __name__ == "__main__":
            p = Process(target=work)
            p.start()
            p.join()
        """))
    with ScriptRunner(script, cwd=tmp_path, output=subprocess.DEVNULL,
                      errors=subprocess.DEVNULL) as r:
        r.run()
    assert r.exit_code == 0
    assert r.store.others.measured and r.store.others.n_samples >= 2
    assert r.store.others_share() is not None


@pytest.mark.skipif(not LINUX, reason="the hog's share is read from /proc/stat")
def test_the_window_fills_it_live_and_its_end_note_says_so(qtbot, window, hogs):
    window.acts["run"].trigger()
    store = window.controller.runner.store
    # Live: samples come while the run goes (every ~0.1 s), for the chart to draw.
    qtbot.waitUntil(lambda: store.others.n_samples >= 3 or not window.controller.running,
                    timeout=30_000)
    assert store.others.n_samples >= 3 and store.others.n_cpus == cpu_count()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=30_000)
    text = window.console.toPlainText()
    assert "— other programs used " in text and "its timings may be stretched —" in text
    assert window.view.history.latest.figures.others > 0.25
    # Drawn: grey on the CPU lanes, and the legend says what the grey is.
    from mpgui.ui.chart.pixels import OTHERS, pixel_codes, shares

    chart = window.chart
    x0, x1 = chart.vb.viewRange()[0]
    grid = pixel_codes(chart.cache, chart.rows, chart.spans.colors, x0, x1, 400)
    grey = OTHERS * 256 + 255
    drawn = [shares(grid[chart.rows.core_base + c], grey).mean() for c in range(cpu_count())]
    assert sum(drawn) / len(drawn) > 0.1, drawn
    assert "other programs on a CPU" in [label for _k, label in window.legend.entries]
