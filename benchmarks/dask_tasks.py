"""Benchmarks of the Dask backend, on a LocalCluster of two worker processes kept warm:
what reporting costs a task against a bare ``client.submit`` of the same work, and the
tutorial's seed as Dask tasks against the same tasks on a multiprocessing pool."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from benchmarks.report import Row
from mpgui.model.builtins import load_builtin
from mpgui.model.copies import Copies
from mpgui.model.scenario import ProcessSpec
from mpgui.runtime.child.dask_task import run_task
from mpgui.runtime.parent import dask_backend
from mpgui.runtime.parent.runner import Runner

_now = time.perf_counter_ns


def _bare(compute: float, n: int) -> int:
    """What the equivalent script's cpu_loop row does, with no reporting: n rounds of
    `compute` seconds of CPU time."""
    x = 1
    for _ in range(n):
        end = time.thread_time() + compute
        while time.thread_time() < end:
            for _ in range(500):
                x = (x * 48271) % 2147483647
    return x


def _batch(client: object, submit: object, tasks: int) -> float:
    """Seconds for `tasks` tasks submitted at once, until every result is back."""
    t0 = _now()
    futures = [submit(k) for k in range(tasks)]  # type: ignore[operator]
    client.gather(futures)  # type: ignore[attr-defined]
    return (_now() - t0) / 1e9


def task_overhead(tasks: int = 40, compute: float = 0.02, repeats: int = 9) -> Row:
    """Per-task time of a cpu_loop row as mpgui's reported task (events logged under a
    topic the client subscribes to) against a bare client.submit of the same work, in
    alternating batches on one warm cluster; the median of the pair ratios."""
    cluster = dask_backend.Cluster("", 2)
    try:
        client = cluster.client
        got: list[object] = []
        client.subscribe_topic("mpgui-bench", got.append)
        spec = ProcessSpec("T", "task", "cpu_loop", {"n": 2, "compute": compute / 2}, "T {i}")
        task = {"workload": spec.workload, "ops": [op.data() for op in spec.work().ops],
                "params": {"n": 2, "compute": compute / 2}, "message": spec.message,
                "name": "task", "k": 0, "uses": {}, "script": None}

        def ours(k: int) -> object:
            return client.submit(run_task, 1, task, "mpgui-bench", {}, pure=False)

        def bare(k: int) -> object:
            return client.submit(_bare, compute / 2, 2, pure=False)

        _batch(client, ours, tasks)  # warm-up: imports on the workers, caches
        _batch(client, bare, tasks)
        pairs = [(_batch(client, ours, tasks), _batch(client, bare, tasks))
                 for _ in range(repeats)]
        client.unsubscribe_topic("mpgui-bench")
    finally:
        cluster.close()
    ratio = statistics.median(o / b for o, b in pairs)
    ours_ms = statistics.median(o for o, _b in pairs) / tasks * 1e3
    bare_ms = statistics.median(b for _o, b in pairs) / tasks * 1e3
    return Row(f"dask: per-task time, reported task vs bare client.submit ({tasks} tasks of "
               f"{compute * 1e3:.0f} ms CPU on 2 workers)", f"{ours_ms:.2f} ms/task",
               f"{bare_ms:.2f} ms/task bare submit", ratio, "<= 1.10", ratio <= 1.10)


def _wall(backend: str, speed: float) -> tuple[float, float]:
    """The seed's wall time on `backend` (2 workers), and the median time from submit
    to a task's first event."""
    scenario = replace(load_builtin("seed"), backend=backend, workers=Copies(2))
    with Runner(scenario, speed=speed) as r:
        r.run()
    store = r.store
    assert store.t0 is not None and store.t_end is not None
    rows = [ln for ln in store.lanes if ln.kind == "process"]
    waits = [ln.started_t - ln.start_call_t for ln in rows
             if ln.started_t is not None and ln.start_call_t is not None]
    return (store.t_end - store.t0) / 1e9, statistics.median(waits) / 1e9


def seed_dask_vs_pool(speed: float = 4.0, repeats: int = 5) -> Row:
    """The seed as Dask tasks (a warm cluster) against the seed as pool tasks, at
    `speed`: the wall-time ratio (median of pairs), and where the difference goes — a
    cold cluster's start-up, and the time from submit to a task's first event."""
    dask_backend.keep_warm(True)
    try:
        cold, _ = _wall("dask", speed)  # starts the cluster: kept for the pairs
        pairs = [(_wall("dask", speed), _wall("pool", speed)) for _ in range(repeats)]
    finally:
        dask_backend.keep_warm(False)
        dask_backend.close_clusters()
    ratio = statistics.median(d[0] / p[0] for d, p in pairs)
    dask_s = statistics.median(d[0] for d, _p in pairs)
    pool_s = statistics.median(p[0] for _d, p in pairs)
    dask_wait = statistics.median(d[1] for d, _p in pairs) * 1e3
    pool_wait = statistics.median(p[1] for _d, p in pairs) * 1e3
    return Row(f"dask: the seed as Dask tasks vs as pool tasks (2 workers, speed {speed:g}, "
               "warm cluster)",
               f"{dask_s:.3f} s; submit to first event {dask_wait:.1f} ms; a cold cluster "
               f"first took {cold:.2f} s",
               f"{pool_s:.3f} s; apply_async to first event {pool_wait:.1f} ms",
               ratio, "<= 1.10", ratio <= 1.10)
