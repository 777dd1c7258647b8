"""The trace store and its event kinds: events in; spans, lines, joins out;
what the kinds are, how files keep their records, and memory kept bounded."""
