"""Benchmarks of the core: ingest, start-up latency, reporting overhead, memory."""

from __future__ import annotations

import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from array import array
from multiprocessing.connection import wait

from benchmarks.report import Row
from benchmarks.targets import first_event, raw_flood
from mpgui.model.scenario import ProcessSpec, Scenario, Step
from mpgui.runtime.child.reporter import Reporter, spin_chunk
from mpgui.runtime.cpu import load as load_core_reader
from mpgui.runtime.parent.options import start_methods
from mpgui.runtime.parent.runner import Runner
from mpgui.runtime.protocol import Kind, State
from mpgui.runtime.store.trace import TraceStore

_now = time.perf_counter_ns
_cpu = time.thread_time_ns


def _scenario(*procs: ProcessSpec) -> Scenario:
    return Scenario(procs, tuple(Step("start", p.var) for p in procs))


# -- ingest ------------------------------------------------------------------------------

def _raw_rate(children: int, n: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    conns, procs = [], []
    for _ in range(children):
        r, w = ctx.Pipe(duplex=False)
        p = ctx.Process(target=raw_flood, args=(w, n))
        p.start()
        w.close()
        conns.append(r)
        procs.append(p)
    got, first, open_conns = 0, None, list(conns)
    while open_conns:
        for c in wait(open_conns):
            try:
                batch = c.recv()
            except EOFError:
                open_conns.remove(c)
                continue
            if first is None:
                first = _now()
                got_at_first = len(batch)
            got += len(batch)
    end = _now()
    for p in procs:
        p.join()
    for c in conns:
        c.close()
    assert got == children * n
    return (got - got_at_first) / ((end - first) / 1e9)


def _mpgui_rate(children: int, n: int) -> float:
    procs = [ProcessSpec(f"F{i}", f"flood {i}", "flood", {"n": n}, "line {i}")
             for i in range(children)]
    total = children * n
    marks: list[tuple[int, int]] = []
    with Runner(_scenario(*procs)) as r:
        store = r.store

        def seen() -> None:
            if store.n_lines and (not marks or marks[-1][1] < total):
                marks.append((_now(), store.n_lines))

        r.run(seen)
    assert store.n_lines == total
    (t0, n0), (t1, n1) = marks[0], marks[-1]
    return (n1 - n0) / ((t1 - t0) / 1e9)


def ingest(children: int = 8, n: int = 250_000) -> Row:
    """Events/s from `children` flooding children into the trace store, vs a raw Pipe."""
    ours = statistics.median(_mpgui_rate(children, n) for _ in range(3))
    raw = statistics.median(_raw_rate(children, n) for _ in range(3))
    ratio = ours / raw
    return Row(f"ingest: lines/s from {children} flooding children into the trace store",
               f"{ours / 1e3:,.0f} k/s", f"{raw / 1e3:,.0f} k/s raw batched Pipe (recv only)",
               ratio, ">= 0.5", ratio >= 0.5)


# -- start-up latency ----------------------------------------------------------------------

def _bare_latency(method: str) -> float:
    ctx = multiprocessing.get_context(method)
    r, w = ctx.Pipe(duplex=False)
    p = ctx.Process(target=first_event, args=(w,))
    t0 = _now()
    p.start()
    w.close()
    t1 = r.recv()
    p.join()
    r.close()
    return (t1 - t0) / 1e6


def _mpgui_latency(method: str) -> float:
    with Runner(_scenario(ProcessSpec("A", "a", "sleep_loop", {"n": 0})),
                start_method=method) as r:
        r.run()
    lane = r.store.lanes[r.lane_of("A")]
    return (lane.started_t - lane.start_call_t) / 1e6


# A spawned child imports what it runs: what mpgui adds (no typing, ctypes only once the
# first event is sent) must stay within 10 % of a bare Process's start. Under fork and
# forkserver the start is a few ms, where a tenth of a millisecond is 5 %.
SPAWN_LIMIT = 1.1
OTHER_LIMIT = 1.2


def startup(repeats: int = 25) -> list[Row]:
    """First-event latency per start method, vs a bare Process with the same method."""
    rows = []
    for method in start_methods():
        ours, bare = [], []
        for _ in range(repeats):  # interleaved, so drift hits both alike
            ours.append(_mpgui_latency(method))
            bare.append(_bare_latency(method))
        o, b = statistics.median(ours), statistics.median(bare)
        limit = SPAWN_LIMIT if method == "spawn" else OTHER_LIMIT
        rows.append(Row(f"start-up: first event, {method} (median of {repeats})",
                        f"{o:.1f} ms", f"{b:.1f} ms bare Process", o / b, f"<= {limit:g}",
                        o / b <= limit))
    return rows


# -- reporting overhead ------------------------------------------------------------------

def _reported_ns_per_chunk(seconds: float) -> tuple[float, int]:
    ctx = multiprocessing.get_context("spawn")
    r_end, w_end = ctx.Pipe(duplex=False)
    load_core_reader()  # (as a scenario's child has once under way)
    rep = Reporter(w_end)
    t0 = _cpu()
    rep.burn(seconds)
    t1 = _cpu()
    w_end.close()
    r_end.close()
    return (t1 - t0) / rep.chunks, rep.chunks


def _bare_ns_per_chunk(chunks: int) -> float:
    acc, t0 = 1, _cpu()
    for _ in range(chunks):
        acc = spin_chunk(acc)
    return (_cpu() - t0) / chunks


def overhead(seconds: float = 0.1, repeats: int = 41) -> Row:
    """cpu_loop's busy work with reporting (preemption sampling, core reading, events)
    vs the same chunks of work with no reporting, for equal work. Pairs run back to
    back after a warm-up round; the figure is the median of the pair ratios.

    Timed in CPU time (thread_time): on an idle core that equals wall time, and unlike
    wall time it does not count the moments another process on this shared machine
    took the core, which made wall-time pairs differ by several percent either way."""
    _reported_ns_per_chunk(seconds)  # warm-up: caches, clocks, frequency
    pairs = []
    for _ in range(repeats):
        ours, chunks = _reported_ns_per_chunk(seconds)
        pairs.append((ours, _bare_ns_per_chunk(chunks)))
    ratio = statistics.median(o / b for o, b in pairs)
    ours = statistics.median(o for o, _b in pairs)
    base = statistics.median(b for _o, b in pairs)
    return Row("overhead: cpu_loop time with reporting vs without (equal work, CPU time)",
               f"{ours / 1e3:.2f} µs/chunk", f"{base / 1e3:.2f} µs/chunk bare loop",
               ratio, "<= 1.01", ratio <= 1.01)


# -- memory --------------------------------------------------------------------------------

def memory(events: int = 1_000_000) -> Row:
    """Bytes held by the trace store for a million events (half lines, half states)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    store = TraceStore()
    lanes = [store.add_lane(f"P{i}", f"p{i}", "process") for i in range(16)]
    t, per = 0, 250
    for k in range(events // (2 * per)):
        evs = []
        for j in range(per):
            t += 1000
            evs.append((Kind.STATE, t, State.RUNNING if j % 2 else State.PREEMPTED, j % 2))
        line_t = array("q", range(t, t + per))
        text = "\n".join(f"Process {k}: {j}" for j in range(per)).encode()
        store.ingest(lanes[k % 16], (0, evs, line_t.tobytes(), text))
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    mb = used / 1e6
    return Row(f"memory: {store.events:,} events in the trace store", f"{mb:.1f} MB "
               f"({used / store.events:.0f} B/event)", "", None, "< 100 MB", mb < 100)


# -- memory of a flood run -----------------------------------------------------------------

_FLOOD_MESSAGE = "flood line {i}: the quick brown fox jumps over the lazy dog"
# Runs `mpgui run` in this fresh interpreter and prints its peak RSS: the kernel's
# high-water mark of this process (VmHWM). Not ru_maxrss, which for a child started
# by (v)fork and exec begins at the parent's peak.
_PEAK_RUN = """
import sys
from mpgui.cli import main
code = main(sys.argv[1:])
peak = 0
try:
    with open("/proc/self/status") as f:
        peak = next(int(x.split()[1]) * 1024 for x in f if x.startswith("VmHWM:"))
except (OSError, StopIteration):
    import resource
    scale = 1 if sys.platform == "darwin" else 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
print(code, peak, file=sys.stderr)
"""


def flood_memory(events: int = 10_000_000, children: int = 4, exports: bool = False) -> Row:
    """Peak RSS of the process doing a headless `mpgui run` of a flood of `events` lines
    (`children` children, ~60 characters a line), with the default memory budget; with
    `exports`, writing its CSV and Chrome trace too (``--csv``, ``--trace``)."""
    per = events // children
    starts = ", ".join(f'"F{k}.start()"' for k in range(children))
    joins = ", ".join(f'"F{k}.join()"' for k in range(children))
    toml = [f"format = 1\nmain = [{starts}, {joins}]"]
    toml += [f'[[process]]\nvar = "F{k}"\nname = "flood {k}"\nworkload = "flood"\n'
             f'params = {{ n = {per} }}\nmessage = "{_FLOOD_MESSAGE}"' for k in range(children)]
    with tempfile.TemporaryDirectory() as folder:
        scenario = f"{folder}/flood.toml"
        with open(scenario, "w", encoding="utf-8") as f:
            f.write("\n".join(toml) + "\n")
        outputs = ["--csv", f"{folder}/flood.csv", "--trace", f"{folder}/flood.json"]
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, "-c", _PEAK_RUN, "run", "--quiet", scenario,
                               *(outputs if exports else [])],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              check=False)
        seconds = time.monotonic() - t0
        written = sum(os.path.getsize(p) for p in outputs[1::2] if os.path.exists(p))
    code, peak = (int(x) for x in done.stderr.split()[-2:])
    assert code == 0, done.stderr
    text_mb = sum(len(_FLOOD_MESSAGE.format(i=i)) + 1 for i in range(per)) * children / 1e6
    mb = peak / 1e6
    also = f", writing {written / 1e6:,.0f} MB of CSV and Chrome trace" if exports else ""
    return Row(f"memory: peak RSS of `mpgui run` on a flood of {per * children:,} lines"
               f"{also} ({seconds:.0f} s)", f"{mb:.0f} MB", f"{text_mb:,.0f} MB of text printed",
               None, "<= 400 MB", mb <= 400)


def flood_exports(events: int = 10_000_000, children: int = 4) -> Row:
    """flood_memory with ``--csv`` and ``--trace``: the exports are written a piece at a
    time, so they fit in the same bound."""
    return flood_memory(events, children, exports=True)
