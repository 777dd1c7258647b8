"""Large files written in pieces of bounded size, for `atomic_write`.

An export of a flood holds millions of records: built whole in memory, its text alone is
larger than the run's memory budget. These helpers write it a piece at a time, byte for
byte what the whole would have been: a JSON array is ``json.dumps`` of batches of its
items (each batch's brackets dropped: json.dumps joins a list's items with the same
separator as it joins the batches), text is encoded to UTF-8 a piece at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

# About this many characters a piece: large enough that writing costs few calls, small
# against the memory budget (a piece's batch of records is held once as objects too).
PIECE_CHARS = 1 << 20


def json_array(items: Iterable[Any], weight: Callable[[Any], int] = lambda _item: 16,
               separators: tuple[str, str] = (", ", ": ")) -> Iterator[str]:
    """``json.dumps(list(items), separators=separators)`` in pieces: "[", then batches
    of items whose `weight` (about their length in JSON) adds up to ~PIECE_CHARS, "]"."""
    comma = separators[0]
    yield "["
    batch: list[Any] = []
    size, first = 0, True
    for item in items:
        batch.append(item)
        size += weight(item)
        if size >= PIECE_CHARS:
            yield ("" if first else comma) + json.dumps(batch, separators=separators)[1:-1]
            batch, size, first = [], 0, False
    if batch:
        yield ("" if first else comma) + json.dumps(batch, separators=separators)[1:-1]
    yield "]"


def utf8_pieces(texts: Iterable[str]) -> Iterator[bytes]:
    """The UTF-8 bytes of the concatenated `texts`, in pieces of about PIECE_CHARS
    characters (small texts gathered, a large one given whole)."""
    gathered: list[str] = []
    n = 0
    for text in texts:
        gathered.append(text)
        n += len(text)
        if n >= PIECE_CHARS:
            yield "".join(gathered).encode("utf-8")
            gathered, n = [], 0
    if gathered:
        yield "".join(gathered).encode("utf-8")
