"""The Dask backend on real clusters: a LocalCluster of two worker processes started for
the run, and a scheduler with workers started apart (as a cluster elsewhere would be),
with the faults a cluster has — a worker killed mid-task, a scheduler that is not
there or that dies, a Stop, a SIGKILL of mpgui."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from mpgui.model.backend import DASK
from mpgui.model.builtins import load_builtin
from mpgui.model.codegen import generate_code
from mpgui.model.copies import Copies
from mpgui.model.validation import errors
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.protocol import State
from mpgui.runtime.session.run import Status
from tests.helpers import MPGUI, PYTHON, alive, script_env, wait_until, worker_pids
from tests.scenarios import make, sleeper, spec

pytest.importorskip("distributed", reason="the Dask backend needs pip install 'mpgui[dask]'")

TWO = Copies(2)
SEED_LINES = sorted([f"Process 1: {i}" for i in range(4)] + [f"Process 2: {i}" for i in range(3)]
                    + [f"Process 3: {i}" for i in range(4)]
                    + [f"Process 4: {i}" for i in range(5)])


@pytest.fixture(autouse=True)
def cold_clusters():
    """A window's Dask run keeps its cluster warm for the next one, a setting of the
    whole process: after each test here it is back to the command line's (a cluster
    closed with its run), whatever order the tests run in."""
    yield
    from mpgui.runtime.parent import dask_backend

    dask_backend.keep_warm(False)
    dask_backend.close_clusters()


def dask(scenario):
    return replace(scenario, backend="dask", workers=TWO)


def assert_d_after_c(lines: list[str]) -> None:
    last_c = max(i for i, line in enumerate(lines) if line.startswith("Process 3"))
    first_d = min(i for i, line in enumerate(lines) if line.startswith("Process 4"))
    assert first_d > last_c, lines


def test_the_seed_runs_as_dask_tasks_from_the_command_line(tmp_path):
    table = tmp_path / "seed.csv"
    # Beside another Dask (a notebook's cluster has Dask's usual port 8787): no "port
    # already in use" warning, no conflict. (If something else has the port, the same.)
    with contextlib.ExitStack() as other:
        with contextlib.suppress(OSError):
            other.enter_context(socket.create_server(("127.0.0.1", 8787)))
        out = subprocess.run([*MPGUI, "run", "seed", "--backend", "dask", "--workers", "2",
                              "--speed", "5", "--csv", str(table)],
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "already in use" not in out.stderr
    lines = out.stdout.splitlines()
    assert sorted(lines) == SEED_LINES
    assert_d_after_c(lines)
    assert "dask" in out.stderr.splitlines()[0]
    # The workers are lanes of their own, the tasks ran in them, and every process the
    # run started is gone with it.
    with table.open(newline="") as f:
        records = list(csv.DictReader(f))
    workers = {r["pid"] for r in records if r["process"].startswith("worker ")}
    tasks = {r["pid"] for r in records if r["process"] in "ABCD" and r["pid"]}
    assert len(workers) == 2 and tasks == workers
    assert alive([int(pid) for pid in workers]) == []


def test_a_scenario_runs_in_process_with_workers_tasks_and_joins():
    scenario = dask(make(sleeper("A", 3, 0.05), sleeper("B", 3, 0.05), sleeper("C", 2, 0.05),
                         program="A.start();B.start();C.start();A.join();B.join()"))
    with Runner(scenario) as r:
        r.run()
    store = r.store
    assert r.status is Status.FINISHED
    rows = [ln for ln in store.lanes if ln.kind == "process"]
    workers = [ln for ln in store.lanes if ln.kind == "worker"]
    assert all(ln.exit_code == 0 and ln.host in {w.index for w in workers} for ln in rows)
    # Three tasks, two workers: one waited in the queue for a worker.
    queued = [sum(t1 - t0 for _l, st, _c, t0, t1 in store.spans(ln.index)
                  if st == State.QUEUED) for ln in rows]
    assert max(queued) > 0.04e9
    assert sorted(text for _t, _l, text in store.lines_since(0)) == sorted(
        f"{v}: {i}" for v, n in (("A", 3), ("B", 3), ("C", 2)) for i in range(n))
    assert [j.lane for j in store.joins[:2]] == [rows[0].index, rows[1].index]
    assert store.info["clock error ms"] == 0  # workers on this computer share our clock
    assert alive(r.pids()) == []


def test_a_tasks_exception_is_on_its_lane():
    scenario = dask(make(spec("A", "crash", "A: {i}", n=2, interval=0.05, at=1)))
    with Runner(scenario) as r:
        r.run()
    lane = r.store.lanes[r.lane_of("A")]
    assert lane.error is not None and lane.error[0] and lane.exit_code == 1
    assert "Traceback" in lane.error[2]


def test_a_worker_killed_mid_task_is_drawn_as_a_retry():
    scenario = dask(make(sleeper("A", 6, 0.25), program="A.start();A.join()"))
    with Runner(scenario) as r:
        r.start()
        lane = r.store.lanes[r.lane_of("A")]
        wait_until(lambda: (r.poll(), lane.host is not None and
                            r.store.lanes[lane.host].pid is not None)[1], 60,
                   "the task running on a worker")
        first = lane.host
        victim = r.store.lanes[first].pid
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: (r.wait(0.05), r.poll(), r.done)[2], 90, "the run's end")
    retries = r.store.records("retry")
    assert [(x.lane, x.worker) for x in retries] == [(lane.index, first)]
    assert lane.exit_code == 0 and lane.error is None  # run again, to its end
    spans = [st for _l, st, _c, _t0, _t1 in r.store.spans(lane.index)]
    assert State.QUEUED in spans[spans.index(State.RUNNING):]  # back in the queue
    assert alive([victim]) == []


def test_a_stop_leaves_no_worker_behind():
    scenario = dask(make(sleeper("A", 100, 0.1), sleeper("B", 100, 0.1)))
    with Runner(scenario) as r:
        r.start()
        wait_until(lambda: (r.poll(), len(r.pids()) == 2 and all(
            r.store.lanes[r.lane_of(v)].started_t for v in "AB"))[1], 60, "tasks running")
        pids = r.pids()
        r.stop()
    assert r.status is Status.STOPPED
    wait_until(lambda: alive(pids) == [], 15, "the workers gone")
    assert all(r.store.lanes[r.lane_of(v)].end_t is not None for v in "AB")


def test_a_sigkill_of_mpgui_leaves_no_worker_behind():
    proc = subprocess.Popen([*MPGUI, "run", "seed", "--backend", "dask", "--workers", "2",
                             "--speed", "0.2"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # a task has printed: the workers run
        family = worker_pids(proc.pid)
        assert len(family) >= 2
    finally:
        proc.kill()
        proc.wait(10)
        proc.stdout.close()
    wait_until(lambda: alive(family) == [], 15, "the workers gone with mpgui")


def test_an_unreachable_scheduler_fails_after_mpguis_connect_timeout():
    from mpgui.runtime.parent.dask_backend import CONNECT_TIMEOUT_S

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.monotonic()
    out = subprocess.run([*MPGUI, "run", "seed", "--backend", "dask", "--scheduler",
                          f"tcp://127.0.0.1:{port}"], capture_output=True, text=True,
                         timeout=60)
    # mpgui's timeout (6 s), not distributed's (30 s), plus mpgui's and distributed's
    # start, which a busy machine makes several seconds slower.
    assert time.monotonic() - t0 < CONNECT_TIMEOUT_S + 10 < 30
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("mpgui: error: cannot reach the Dask scheduler at "
                                 f"tcp://127.0.0.1:{port}")
    assert len(out.stderr.splitlines()) == 1


def test_scheduler_needs_the_dask_backend():
    out = subprocess.run([*MPGUI, "run", "seed", "--scheduler", "tcp://127.0.0.1:1"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "--backend dask" in out.stderr


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two workers started apart from mpgui, as on other computers."""
    procs = []
    file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs.append(subprocess.Popen(
        [PYTHON, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(file)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_until(lambda: file.exists() and file.stat().st_size > 0, 60, "the scheduler")
    address = json.loads(file.read_text())["address"]
    for _k in range(2):
        procs.append(subprocess.Popen(
            [PYTHON, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
             "--no-dashboard", "--nworkers", "1"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(2, timeout=60)
    try:
        yield address, procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait(10)


def test_a_run_on_a_running_cluster_and_the_cluster_dying_mid_run(cluster):
    address, procs = cluster
    out = subprocess.run([*MPGUI, "run", "seed", "--backend", "dask", "--speed", "5",
                          "--scheduler", address], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert sorted(out.stdout.splitlines()) == SEED_LINES
    assert_d_after_c(out.stdout.splitlines())
    # Its workers outlive the run: they are not ours to end.
    assert all(p.poll() is None for p in procs)
    # The cluster dies mid-run: the run ends, saying so, and nothing of ours is left.
    scenario = replace(make(sleeper("A", 100, 0.1)), backend="dask")
    with Runner(scenario, scheduler=address) as r:
        r.start()
        lane = r.store.lanes[r.lane_of("A")]
        wait_until(lambda: (r.poll(), lane.started_t is not None)[1], 60, "the task running")
        for p in procs:
            p.kill()
        t0 = time.monotonic()
        wait_until(lambda: (r.wait(0.05), r.poll(), r.done)[2], 60, "the run's end")
    assert time.monotonic() - t0 < 30
    assert r.status is Status.STOPPED
    main = r.store.lanes[r.main_lane]
    assert main.error is not None and "Dask" in main.error[1]
    assert lane.end_t is not None


def test_the_equivalent_script_prints_the_same_lines(tmp_path):
    scenario = dask(load_builtin("seed"))
    code = generate_code(scenario, speed=5)
    assert "distributed.Client(n_workers=2, threads_per_worker=1" in code
    assert "join(C)" in code and ".submit(process_A" in code
    file = tmp_path / "seed_dask.py"
    file.write_text(code)
    out = subprocess.run([PYTHON, str(file)], capture_output=True, text=True, timeout=120,
                         env=script_env(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert sorted(lines) == SEED_LINES
    assert_d_after_c(lines)


def test_a_timed_join_in_the_script_waits_as_join_does(tmp_path):
    scenario = dask(make(sleeper("A", 3, 0.2), program="A.start();A.join(0.1);A.join()"))
    code = generate_code(scenario)
    assert "join(A, timeout=0.1)" in code
    file = tmp_path / "timed.py"
    file.write_text(code)
    out = subprocess.run([PYTHON, str(file)], capture_output=True, text=True, timeout=120,
                         env=script_env(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["A: 0", "A: 1", "A: 2"]


def test_validation_refuses_what_dask_tasks_cannot_have():
    scenario = dask(load_builtin("manager-dict"))
    problems = [p.text(scenario) for p in errors(scenario)]
    assert any("Dask tasks cannot be given" in p for p in problems)
    terminate = dask(load_builtin("terminate"))
    assert any("cannot be terminated" in p.text(terminate) for p in errors(terminate))


def test_without_dask_the_backend_is_offered_disabled_with_the_hint():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    code = ("import sys; sys.modules['distributed'] = None\n"
            "from mpgui.model.backend import DASK\n"
            "print(DASK.available, DASK.install_hint)\n")
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.stdout.split(" ", 1) == ["False", "needs Dask: pip install 'mpgui[dask]'\n"]
    assert DASK.available
    assert re.search(r"mpgui\[dask\]", DASK.install_hint)


# -- in the window ------------------------------------------------------------------------


def test_the_gallery_s_dask_scenario_runs_in_the_window_twice_on_a_warm_cluster(window, qtbot):
    window.files.open_builtin("beyond-one-machine")
    box = window.backend
    assert box.combo.currentData() == "dask" and box.scheduler.isVisibleTo(window)
    assert box.workers.isVisibleTo(window)
    window.speed.setValue(4.0)
    qtbot.waitUntil(lambda: "distributed.Client(n_workers=2" in window.code.toPlainText())
    starts = []
    for _run in range(2):
        window.run()
        qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                        timeout=90_000)
        store = window.view.current.store
        assert store.backend == "dask"
        rows = [ln for ln in store.lanes if ln.kind == "process"]
        assert all(ln.exit_code == 0 for ln in rows)
        starts.append(min(ln.started_t for ln in rows) - store.t0)
        labels = [label for _key, label in window.legend.entries]
        assert any("on this computer" in label and "exact" in label for label in labels)
    # The second run found the cluster warm: its first task began sooner.
    assert starts[1] < starts[0]
    workers = window.controller.runner.pids()
    window.close()
    wait_until(lambda: alive(workers) == [], 15, "the warm cluster closed with the window")


def test_the_scheduler_field_is_kept_and_used(window, qtbot, tmp_path):
    window.files.open_builtin("beyond-one-machine")
    box = window.backend
    box.scheduler.setText("tcp://127.0.0.1:1")
    box.scheduler.editingFinished.emit()
    window.run()
    qtbot.waitUntil(lambda: window.view.current is not None and window.view.live is None,
                    timeout=30_000)
    main = window.view.current.store.lanes[0]
    assert main.error is not None and "cannot reach the Dask scheduler" in main.error[1]
    box.scheduler.clear()
    box.scheduler.editingFinished.emit()
    box.combo.setCurrentIndex(box.combo.findData("processes"))
    assert not box.scheduler.isVisibleTo(window)


def test_compare_backends_runs_a_dask_scenario_on_a_pool_first(window, qtbot):
    window.files.open_builtin("beyond-one-machine")
    window.speed.setValue(4.0)
    window.acts["compare_backends"].trigger()
    qtbot.waitUntil(lambda: window.runs.compare_window is not None
                    and window.runs.compare_window.isVisible(), timeout=120_000)
    first, second = window.view.history.runs[-2:]
    assert (first.store.backend, second.store.backend) == ("pool", "dask")
    assert window.doc.scenario.backend == "dask"


def test_a_retry_is_marked_on_the_chart(window, qtbot):
    window.files.open_builtin("beyond-one-machine")
    window.speed.setValue(0.25)  # each task computes for 2 s: time to kill its worker
    window.run()
    store = window.controller.runner.store

    def a_task_on_a_worker():
        return next((ln for ln in store.lanes if ln.kind == "process" and ln.host is not None
                     and store.lanes[ln.host].pid and ln.finish_t is None), None)

    qtbot.waitUntil(lambda: a_task_on_a_worker() is not None, timeout=60_000)
    task = a_task_on_a_worker()
    worker = store.lanes[task.host]
    os.kill(worker.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: bool(store.records("retry")), timeout=30_000)
    window.stop()
    qtbot.waitUntil(lambda: window.view.live is None, timeout=30_000)
    labels = [lb.text for lb in window.chart.marks.layout.labels]
    assert f"{worker.var} died: run again" in labels


@pytest.mark.parametrize("address", ["ucx://host:1", "\x1b[31mred", "tcp://[::1",
                                     "tcp://localhost:99999", "inproc://x", "a" * 5000])
def test_an_address_that_is_no_address_is_refused_at_once(address):
    t0 = time.monotonic()
    out = subprocess.run([*MPGUI, "run", "seed", "--backend", "dask", "--scheduler", address],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and len(out.stderr.splitlines()) == 1
    assert "is not a scheduler's address: give tcp://HOST:PORT" in out.stderr
    assert "\x1b" not in out.stderr  # (shown escaped)
    assert time.monotonic() - t0 < 5


def test_a_worker_clock_on_another_computer_is_estimated_within_its_error(monkeypatch):
    # Workers elsewhere have clocks of their own: the offset is estimated from round trips.
    # Told that these workers booted elsewhere, the estimate of their (in truth shared)
    # clock must come out as no offset, within the error it states.
    from mpgui.runtime.parent import dask_backend

    cluster = dask_backend.Cluster("", 2)
    try:
        monkeypatch.setattr(dask_backend, "boot_id", lambda: "another computer's boot")
        offsets, error = cluster.clock_offsets()
    finally:
        cluster.close()
    assert list(offsets) == ["127.0.0.1"] and error > 0
    assert abs(offsets["127.0.0.1"]) <= error + 1_000_000  # (ns; 1 ms for the scheduling)


def test_a_task_whose_end_never_arrives_ends_with_its_future(monkeypatch):
    # A task's FINISHED event comes with its last batch. If that batch is lost (here:
    # never delivered), the run must not wait for it until Stop.
    from mpgui.runtime.parent import dask_backend
    from mpgui.runtime.protocol import Kind

    store_message = dask_backend.DaskBackend._store_message

    def losing_the_end(self, msg):  # (the whole message: the task's and its worker's batch)
        _address, batches = msg
        if any(batch[0] == lost[0] and any(int(e[0]) == Kind.FINISHED for e in batch[1])
               for batch in batches):
            return
        store_message(self, msg)

    monkeypatch.setattr(dask_backend.DaskBackend, "_store_message", losing_the_end)
    scenario = dask(make(sleeper("A", 2, 0.05), sleeper("B", 2, 0.05)))
    t0 = time.monotonic()
    with Runner(scenario) as r:
        lost = [r.lane_of("A")]

        def give_up():
            if time.monotonic() - t0 > 60:
                r.request_stop()  # (a run that waits for ever: the test fails below)

        r.run(on_poll=give_up)
    assert r.status is Status.FINISHED
    a, b = (r.store.lanes[r.lane_of(v)] for v in "AB")
    assert a.exit_code == 0 and b.exit_code == 0  # A's from its future's result
    assert a.finish_t is None and a.end_t is not None and b.finish_t is not None
    assert r.backend.lost_ends == 1
    assert alive(r.pids()) == []
    # A's worker's "waiting" went with the lost batch too: it waits from A's end on.
    assert a.host is not None
    last = [st for _l, st, _c, _t0, _t1 in r.store.spans(a.host)][-1]
    assert last == State.WAITING
    assert sorted(text for _t, _l, text in r.store.lines_since(0) if text.startswith("B")) \
        == ["B: 0", "B: 1"]
