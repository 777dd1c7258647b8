"""The benchmark rows still run: a change to what they measure (an operation's fields,
an executor's signature) must not leave `python -m benchmarks` broken until someone
runs it. Tiny sizes: this checks that the code runs, not the figures."""

from benchmarks import shared


def test_the_shared_operations_row_runs_and_names_its_figures():
    rows = shared.op_cost(n=50, repeats=1, queue_rounds=1)
    assert [r.figure.split(",")[0] for r in rows] == [
        "overhead: a Lock acquired and released (with lock:)",
        "overhead: a Queue put()",
        "overhead: a Queue get() of an item waiting",
    ]
    assert all(r.ratio is not None and r.ratio > 0 for r in rows)
