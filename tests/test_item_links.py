"""Items followed from the put() that handed each over to the get() that received it,
however the children's batches of records arrive (`runtime.store.item_links`)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mpgui.runtime.store.item_links import ItemLinks
from mpgui.runtime.store.shared_events import SharedOp
from tests.helpers import in_batches


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 400),
                          st.integers(1, 400)), max_size=40),
       st.randoms(use_true_random=False))
def test_every_item_is_matched_once_whatever_order_the_batches_come_in(items, rng):
    # Item k: put by lane a at t, got by lane b `wait` later (a pipe's send/recv for
    # odd k); each lane's records in its own time order, the lanes' batches interleaved
    # at random, an update after each.
    per_lane: dict[int, list[SharedOp]] = {}
    for k, (a, b, t, wait) in enumerate(items):
        give, take = ("send", "recv") if k % 2 else ("put", "get")
        per_lane.setdefault(a, []).append(SharedOp(a, t * 1000 + k, "Q", give, str(k)))
        per_lane.setdefault(b, []).append(
            SharedOp(b, (t + wait) * 1000 + k, "Q", take, str(k)))
    for ops in per_lane.values():
        ops.sort(key=lambda op: op.t)
    records: list[SharedOp] = []
    links = ItemLinks(records)
    for batch in in_batches(per_lane, rng, 3):
        records.extend(batch)
        links.update()
    want = sorted((a, t * 1000 + k, b, (t + wait) * 1000 + k)
                  for k, (a, b, t, wait) in enumerate(items))
    assert sorted(links.items()) == want
    assert not links.puts and not links.gets
    for link in links.links.values():
        assert list(link.times) == sorted(link.times)
    cut = 200_000
    assert links.got_by(cut) == sum(t_get <= cut for *_x, t_get in want)


def test_a_run_read_ahead_is_taken_once_by_the_first_reader():
    """A run file's worker thread matches its items and reads its objects' tracks
    (`prepare`); the window's first reader takes that work instead of doing it again,
    and only the first: another reader starts afresh, with the same result."""
    from benchmarks.window import _queue_store
    from mpgui.runtime.store import item_links, object_tracks
    from mpgui.runtime.store.object_tracks import ObjectTracks

    store = _queue_store(1_000)
    records = store.records("shared")
    item_links.prepare(store)
    object_tracks.prepare(store)
    ahead = item_links.links_for(records)
    assert ahead.done == len(records) and ahead.got_by(2**62) == 1_000
    again = item_links.links_for(records)
    assert again is not ahead and again.done == 0
    assert again.update().got_by(2**62) == 1_000
    reader = ObjectTracks()
    tracks = reader.sync(store)
    assert reader.done == len(records) and [t.name for t in tracks] == ["Q"]
    other = ObjectTracks()
    assert other.done == 0 and [(t.name, t.level, t.t) for t in other.sync(store)] == \
        [(t.name, t.level, t.t) for t in tracks]
    assert store not in item_links._prepared and store not in object_tracks._prepared


def test_a_put_stamped_after_its_get_is_drawn_from_the_get():
    # A put that waited for room is stamped when its item went in; the getter can take
    # the item before the putter, descheduled, stamps it. Either batch first.
    for order in ((0, 1), (1, 0)):
        ops = [SharedOp(0, 5_000, "Q", "put", "7"), SharedOp(1, 4_000, "Q", "get", "7")]
        records: list[SharedOp] = []
        links = ItemLinks(records)
        for k in order:
            records.append(ops[k])
            links.update()
        assert list(links.items()) == [(0, 4_000, 1, 4_000)]
