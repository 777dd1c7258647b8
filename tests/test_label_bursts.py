"""The main program's flags in bursts (`labels._place_flags`): whatever the times of the
joins, no two labels overlap and no pole crosses a label — also when joins of copies
merge into a wider label ("T[0..1].join()"), as they do when a busy machine spreads
them out (found by the layout matrix under a CPU hog)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mpgui.ui.chart.labels import Box, Frame, MarksLayout, _Flag, _place_flags

CHAR_W = 7.0


def frame() -> Frame:
    return Frame(x_of=lambda t: t / 1e6, row_top=lambda r: 100.0 + 30 * r, row_h=30.0,
                 plot=Box(0, 0, 1900, 1000), width_of=lambda s: CHAR_W * len(s),
                 line_h=16.0)


def join(var: str, t_ms: float) -> _Flag:
    base = var.split("[")[0] if var.endswith("]") else None
    return _Flag(int(t_ms * 1e6), f"{var}.join()", "join", [("join", 0)],
                 (base, "join", False) if base else None, [var])


def problems(out: MarksLayout) -> list[str]:
    found = []
    labels = out.labels
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if a.box.overlaps(b.box):
                found.append(f"{a.shown!r} and {b.shown!r} overlap")
    for seg in out.segments:
        for k, lb in enumerate(labels):
            if k != seg.label and seg.crosses(lb.box):
                found.append(f"a pole crosses {lb.shown!r}")
    return found


def test_merged_copies_are_as_wide_as_drawn():
    # T[0] and T[1] close: one label "T[0..1].join()" at T[0]; T[2] lands just past
    # where "T[1].join()" would end but before the merged label does.
    w1 = CHAR_W * len("T[1].join()")
    flags = [join("T[0]", 100), join("T[1]", 110), join("T[2]", 110 + w1 + 8),
             join("T[3]", 110 + w1 + 12)]
    out = MarksLayout()
    _place_flags(out, flags, frame(), 100.0, 130.0)
    # (T[2] lands under the merged label: it joins the burst, one label for all)
    assert [lb.shown for lb in out.labels] == ["T[0..3].join()"]
    assert problems(out) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["T", "W", "A", "B"]), st.integers(0, 7),
                          st.floats(0, 1500)), min_size=1, max_size=24))
def test_no_two_labels_overlap_and_no_pole_crosses_one(joins):
    flags = sorted((join(f"{base}[{k}]" if base in "TW" else base, t)
                    for base, k, t in joins), key=lambda f: f.t)
    out = MarksLayout()
    _place_flags(out, flags, frame(), 100.0, 130.0)
    assert problems(out) == []


def _crosses(seg: tuple[float, float, float, float], box: Box) -> bool:
    """One segment against one box, clipped step by step (the reference)."""
    x0, y0, x1, y1 = seg
    t0, t1 = 0.0, 1.0
    for p, q in ((x0 - x1, x0 - box.x), (x1 - x0, box.right - x0),
                 (y0 - y1, y0 - box.y), (y1 - y0, box.bottom - y0)):
        if p == 0:
            if q <= 0:
                return False
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
    return t0 < t1


coord = st.integers(0, 40).map(float)  # a small grid: lines on a box's edge, often


@given(st.lists(st.tuples(coord, coord, coord, coord), max_size=12),
       st.tuples(coord, coord, st.integers(1, 20).map(float), st.integers(1, 20).map(float)))
@settings(max_examples=300, deadline=None)
def test_which_lines_cross_a_box_is_what_clipping_each_one_says(segments, box):
    from mpgui.ui.chart.labels import Lines, Segment

    lines = Lines([Segment(*s, "leader") for s in segments])
    b = Box(*box)
    assert lines.crossing(b).tolist() == [_crosses(s, b) for s in segments]
