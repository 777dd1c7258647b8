"""``python -m benchmarks [NAME ...]``: run the benchmarks and print the table."""

from __future__ import annotations

import argparse
import compileall
import sys
import time
from pathlib import Path

import mpgui
from benchmarks import core, dask_tasks, peers, shared, trace, window
from benchmarks.report import Row, machine, markdown

BENCHMARKS = {
    "ingest": core.ingest,
    "startup": core.startup,
    "appstart": peers.app_start,
    "overhead": core.overhead,
    "sharedops": shared.op_cost,
    "memory": core.memory,
    "floodmemory": core.flood_memory,
    "floodexports": core.flood_exports,
    "frames": window.frame_budget,
    "manylanes": window.many_lanes,
    "panzoom": window.pan_zoom,
    "queuezoom": window.queue_pan_zoom,
    "viztracer": peers.viztracer,
    "accuracy": peers.accuracy,
    "trace": trace.trace_overhead,
    "tracedqueue": trace.traced_objects,
    "dasktask": dask_tasks.task_overhead,
    "daskseed": dask_tasks.seed_dask_vs_pool,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[[], *BENCHMARKS], metavar="NAME",
                        help="which to run (default all): " + ", ".join(BENCHMARKS))
    names = parser.parse_args().names or list(BENCHMARKS)
    # Measure mpgui as installed: pip byte-compiles a package when it installs it, but an
    # editable install under PYTHONDONTWRITEBYTECODE (set on this machine) never would.
    compileall.compile_dir(Path(mpgui.__file__).parent, quiet=1)
    print(f"mpgui benchmarks on {machine()}", flush=True)
    rows: list[Row] = []
    start = time.monotonic()
    for name in names:
        t = time.monotonic()
        result = BENCHMARKS[name]()
        new = result if isinstance(result, list) else [result]
        rows += new
        for row in new:
            ratio = "" if row.ratio is None else f"ratio {row.ratio:.2f}, "
            print(f"  {row.figure}: {row.measured} ({ratio}target {row.target}) "
                  f"{'pass' if row.ok else 'MISS'}", flush=True)
        print(f"  [{name}: {time.monotonic() - t:.0f} s]", flush=True)
    print()
    print(markdown(rows))
    print(f"\n{len(rows)} figures, {sum(not r.ok for r in rows)} missed, "
          f"{time.monotonic() - start:.0f} s")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
