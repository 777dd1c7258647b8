"""The shared objects' lanes, under the processes: a queue's depth as a filled step line,
a lock's holder as a bar in the holder's colour, a value as a step line beside the
dashed line of what it would be if no update had been lost. And a deadlock's cycle: from
each process caught in it, a red arrow to the lock it waits for — whose lane is in the
colour of the process holding it, which waits in turn.

Drawn per pixel column from the tracks (`runtime.store.object_tracks`), so a frame
costs the columns on screen, not the hundred thousand updates of a counter: a queue
or a value shows the highest level the column's time reached (a brief peak is never
lost between two columns), a lock the lane that held it at the column's middle.
Its own item, uncached and as wide as the view (`view_item.py`), like the lanes'
background.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from mpgui.i18n import _
from mpgui.runtime.store.deadlock import Deadlock
from mpgui.runtime.store.object_tracks import (
    ARRAY,
    BARRIER,
    CONDITION,
    DICT,
    EVENT,
    FREE,
    LIST,
    LOCK,
    NAMESPACE,
    PIPE,
    QUEUE,
    SEMAPHORE,
    VALUE,
    ObjectTrack,
)
from mpgui.ui.chart.geometry import MAIN_COLOR, Rows
from mpgui.ui.chart.primitives import RowGeometry
from mpgui.ui.chart.view_item import ViewItem
from mpgui.ui.guarded import guarded
from mpgui.ui.theme import Theme

BAND = 0.7  # of a row's height: the part a level or a holder fills
# A shared object's kind (an identifier of the tracks) as the chart names it.
KIND_NAMES = {QUEUE: _("queue"), LOCK: _("lock"), VALUE: _("value"), EVENT: _("event"),
              BARRIER: _("barrier"), SEMAPHORE: _("semaphore"), PIPE: _("pipe"),
              DICT: _("dict"), LIST: _("list"), CONDITION: _("condition"),
              ARRAY: _("array"), NAMESPACE: _("namespace")}


def level_color(theme: Theme) -> QColor:
    """The fill of a queue's, a value's, an event's or a barrier's level: the foreground,
    see-through — more of it on a dark background, where a faint grey reads as black
    from the back of the room."""
    color = QColor(theme.foreground)
    color.setAlphaF(0.45 if theme.dark else 0.28)
    return color


def kind_name(kind: str) -> str:
    """A shared object's kind in words: 'queue'."""
    return KIND_NAMES.get(kind, kind)


def object_label(track: ObjectTrack) -> str:
    """The lane's name: 'Q (queue)'."""
    return f"{track.name} ({kind_name(track.kind)})"


class ObjectsItem(ViewItem):
    """Paints the object rows of `rows` from their tracks."""

    def __init__(self, theme: Theme) -> None:
        super().__init__(theme)
        self.tracks: list[ObjectTrack] = []
        self.rows: Rows | None = None
        self.colors = np.zeros(0, np.int32)  # lane -> colour index
        self.t0 = 0
        self.x_end = 0.0
        self.deadlock: Deadlock | None = None
        self._lane_keys: list[tuple[float, float, bool]] = []  # each track's, as drawn
        # track name -> (key, seconds, levels, gains): see `_arrays_of`
        self._arrays: dict[str, tuple[tuple[int, int], np.ndarray, np.ndarray,
                                      np.ndarray]] = {}

    def set_data(self, tracks: list[ObjectTrack], rows: Rows, colors: np.ndarray, t0: int,
                 x_end: float) -> None:
        """Draw `tracks` in the object rows of `rows`, up to `x_end` seconds.

        Qt is asked to repaint only what changed since the last call: a live frame's
        new time at the right and wherever late changes landed, in the lanes they
        changed (a whole lane when its scale changed, say). The item is as wide as the
        view: a repaint of all of it would repaint the whole chart under it at every
        frame, shared objects or none."""
        whole = self.rows is None or rows.labels != self.rows.labels or t0 != self.t0 \
            or not np.array_equal(colors, self.colors) \
            or [t.name for t in tracks] != [t.name for t in self.tracks]
        deadlock = self.deadlock
        # A deadlock's cycle comes into the time drawn (in a replay, goes): its arrows
        # cross the process lanes.
        whole = whole or (deadlock is not None and
                          min(self.x_end, x_end) < (deadlock.t - t0) / 1e9
                          <= max(self.x_end, x_end))
        dirty = [] if whole else self._dirty_lanes(tracks, x_end)
        # Nothing is drawn after the run's end (old or new: a replay's goes back).
        right = max(self.x_end, x_end)
        self.tracks, self.rows, self.colors, self.t0, self.x_end = \
            tracks, rows, colors, t0, x_end
        self._lane_keys = [_lane_key(track) for track in tracks]
        if whole:
            self.update()
            return
        vb = self.getViewBox()
        if vb is None:
            return
        view = vb.viewRect()
        # A changed column's level, and the dashed line's segment into it, reach a few
        # pixels to its left (and a thick line's end beyond).
        pad = 4 * self.line * (self.pixelWidth() or 0.0)
        # (Not to the view's right edge: the viewport repaints every item under the
        # region asked for, and the view runs ahead of "now".)
        right = min(view.right(), right + pad)
        for k, since in dirty:
            row = rows.object_base + k
            if row >= rows.core_base:
                break
            left = max(view.left(), since - pad)
            if left < right:
                self.update(QRectF(left, row, right - left, 1))

    def _dirty_lanes(self, tracks: list[ObjectTrack], x_end: float) -> list[tuple[int, float]]:
        """The lanes (index, from which time in seconds) whose picture changes from the
        last `set_data` to this one, for the same tracks: from the earliest change
        taken in since (a late record lands before the newest ones), or from the old
        end of the run (its last column is half drawn); a lane whose `_lane_key` changed,
        whole."""
        dirty = []
        for k, track in enumerate(tracks):
            since = min(self.x_end, x_end)
            if track.changed_from < len(track.t):
                since = min(since, (track.t[track.changed_from] - self.t0) / 1e9)
            if k >= len(self._lane_keys) or _lane_key(track) != self._lane_keys[k]:
                since = -float("inf")
            if since < x_end or since < self.x_end:
                dirty.append((k, since))
        return dirty

    def set_deadlock(self, deadlock: Deadlock | None) -> None:
        """Draw this deadlock's cycle (None: none)."""
        self.deadlock = deadlock
        self.update()

    def _arrays_of(self, track: ObjectTrack) -> tuple[np.ndarray, np.ndarray]:
        """(seconds of each change, the level before the first and after each change),
        converted from where the track last changed on (a live counter's hundred
        thousand updates are not converted again at every frame)."""
        key = (id(track), self.t0)
        kept = self._arrays.get(track.name)
        if kept is not None and kept[0] == key and len(kept[1]) == len(track.t) and \
                track.changed_from >= len(track.t):
            return kept[1], kept[2]
        start = min(track.changed_from, len(kept[1])) if kept is not None and \
            kept[0] == key else 0
        tail_t = (np.asarray(track.t[start:], np.int64) - self.t0) / 1e9
        # (A value's levels may be a double's fractions; the others are counts, lanes.)
        kind = np.float64 if track.kind == VALUE else np.int64
        tail_levels = np.asarray(track.level[start:], kind)
        tail_gains = np.asarray(track.gained[start:], kind)
        if start:
            assert kept is not None
            t = np.concatenate((kept[1][:start], tail_t))
            levels = np.concatenate((kept[2][:start + 1], tail_levels))
            levels[0] = track.first_level
            gains = np.concatenate((kept[3][:start], tail_gains))
        else:
            t = tail_t
            levels = np.concatenate(([track.first_level], tail_levels)).astype(kind)
            gains = tail_gains
        track.changed_from = len(track.t)
        self._arrays[track.name] = (key, t, levels, gains)
        return t, levels

    def _gains_of(self, track: ObjectTrack) -> np.ndarray:
        """A value's `gained`, as converted with its times by `_arrays_of`."""
        return self._arrays[track.name][3]

    @guarded
    def paint(self, p: QPainter, option: object, *_args: object) -> None:
        rows, vb = self.rows, self.getViewBox()
        if rows is None or vb is None or not self.tracks:
            return
        view = vb.viewRect()
        tr = p.transform()
        full = tr.mapRect(view)
        strip = tr.mapRect(option.exposedRect).intersected(full)  # type: ignore[attr-defined]
        if strip.width() <= 0 or full.width() <= 0:
            return
        geo = RowGeometry(tr, rows.n_rows)
        # Pixel columns of the strip, up to the run's end; each column's time span. From
        # a few columns before it: a line's segment into the strip starts left of it
        # (Qt clips the paint to the strip), as in a paint of the whole view.
        # (And from a dash's first column: see `_dashed_polyline`.)
        x0 = max(int(np.floor(full.left())),
                 int(np.floor(strip.left())) - 3 - dash_reach(self.line))
        end_px = full.left() + (self.x_end - view.left()) / view.width() * full.width()
        # (To a few columns beyond the strip: a line's last point there is joined to
        # the next, as in a paint of the whole view, not ended.)
        x1 = int(np.ceil(min(strip.right() + 3, end_px)))
        if x1 <= x0:
            return
        edges = view.left() + (np.arange(x0, x1 + 1) - full.left()) / full.width() * view.width()
        p.save()
        p.resetTransform()
        for k, track in enumerate(self.tracks):
            row = rows.object_base + k
            if row >= rows.core_base:
                break
            top, height = geo.row_top(row), geo.height
            t, levels = self._arrays_of(track)
            if track.kind == LOCK:
                self._paint_holders(p, t, levels, edges, x0, top, height)
            else:
                self._paint_levels(p, track, t, levels, edges, x0, top, height)
        if self.deadlock is not None and (self.deadlock.t - self.t0) / 1e9 <= self.x_end:
            self._paint_cycle(p, self.deadlock, rows, geo, full.left() + (
                (self.deadlock.t - self.t0) / 1e9 - view.left()) / view.width() * full.width())
        p.restore()

    def _paint_cycle(self, p: QPainter, deadlock: Deadlock, rows: Rows, geo: RowGeometry,
                     x: float) -> None:
        """Red arrows from each lane of the cycle to the lock it waits for, at the time
        the cycle closed (a few pixels apart, so that none hides another)."""
        row_of = {track.name: rows.object_base + k for k, track in enumerate(self.tracks)}
        red = QColor(self.theme.crash)
        width = 3 * self.line  # (seen from the back of the room)
        head = 7 * self.line
        for k, (lane, _held, wanted) in enumerate(deadlock.members):
            if not 0 <= lane < len(rows.lane_row) or wanted not in row_of:
                continue
            xa = x + 4 + k * 3 * width
            y0 = geo.row_top(int(rows.lane_row[lane])) + geo.height / 2
            target = row_of[wanted]
            band = BAND * geo.height
            down = target > rows.lane_row[lane]
            y1 = geo.row_top(target) + (geo.height - band) / 2 + (0 if down else band)
            p.setPen(QPen(red, width))
            p.drawLine(QPointF(xa, y0), QPointF(xa, y1 - (head if down else -head)))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(red)
            tip = -head if down else head
            p.drawPolygon(QPolygonF([QPointF(xa - head * 0.7, y1 + tip), QPointF(
                xa + head * 0.7, y1 + tip), QPointF(xa, y1)]))

    def _paint_levels(self, p: QPainter, track: ObjectTrack, t: np.ndarray,
                      levels: np.ndarray, edges: np.ndarray, x0: int, top: float,
                      height: float) -> None:
        """A queue's depth or a value: the highest level of each column, filled."""
        a = np.searchsorted(t, edges[:-1], "right")  # changes before each column
        b = np.searchsorted(t, edges[1:], "right")  # ... and up to its end
        high = levels[a]
        inside = np.nonzero(b > a)[0]
        if len(inside):
            bounds = np.empty(2 * len(inside), np.int64)
            bounds[0::2], bounds[1::2] = a[inside] + 1, b[inside] + 1
            # reduceat's indices must lie inside the array: a last bound at its end
            # is left off (the last stretch then runs to the end, as it would).
            if bounds[-1] >= len(levels):
                bounds = bounds[:-1]
            high[inside] = np.maximum(high[inside],
                                      np.maximum.reduceat(levels, bounds)[0::2])
        scale = _scale(track)
        band = BAND * height
        bottom = top + (height + band) / 2
        ys = bottom - np.clip(high, 0, None) / scale * band
        _fill_runs(p, ys, x0, bottom, level_color(self.theme))
        if track.kind == VALUE and track.collisions:
            self._paint_collisions(p, track, edges, x0, top + (height - band) / 2)
        if track.kind == VALUE and track.updates:
            # What the value would be had no update been lost: k more per update.
            got = np.searchsorted(t, edges[1:], "right")
            gained = self._gains_of(track)
            want = bottom - (track.first_level + np.where(got > 0, gained[got - 1], 0)) \
                / scale * band
            p.setPen(QPen(QColor(self.theme.foreground), self.line))
            _dashed_polyline(p, x0, want, self.line)

    def _paint_collisions(self, p: QPainter, track: ObjectTrack, edges: np.ndarray,
                          x0: int, y: float) -> None:
        """A red tick over each column in which an update was lost (two processes read
        the same value and both wrote it plus one)."""
        t = (np.sort(np.asarray(track.collisions, np.int64)) - self.t0) / 1e9
        counts = np.diff(np.searchsorted(t, edges))
        red = QColor(self.theme.crash)
        h = 3 * self.line
        for s, e in _stretches(counts > 0):
            if counts[s] > 0:
                p.fillRect(QRectF(x0 + s, y - h, e - s, h), red)

    def _paint_holders(self, p: QPainter, t: np.ndarray, levels: np.ndarray,
                       edges: np.ndarray, x0: int, top: float, height: float) -> None:
        """A lock: each column in the colour of the lane holding it at its middle."""
        mids = (edges[:-1] + edges[1:]) / 2
        holder = levels[np.searchsorted(t, mids, "right")]
        band = BAND * height
        y = top + (height - band) / 2
        for s, e in _stretches(holder):
            lane = int(holder[s])
            if lane == FREE or not 0 <= lane < len(self.colors):
                continue
            index = int(self.colors[lane])
            color = QColor(self.theme.main_lane) if index == MAIN_COLOR \
                else self.theme.process_color(index)
            p.fillRect(QRectF(x0 + s, y, e - s, band), color)


def _scale(track: ObjectTrack) -> float:
    """The level that fills a lane's band: its peak (a value's: what it would be, had no
    update been lost, if that is higher)."""
    expected = track.expected if track.kind == VALUE else 0
    return max(track.peak, expected, 1)


def _lane_key(track: ObjectTrack) -> tuple[float, float, bool]:
    """What every column of a lane depends on: its scale, the level before the first
    change (a late first record lowers it), and whether it shows a value's dashed line."""
    return _scale(track), track.first_level, track.kind == VALUE and track.updates > 0


def _dashed_polyline(p: QPainter, x0: int, ys: np.ndarray, line: float) -> None:
    """A line through (x0 + 1 + i, ys[i]), dashed as Qt's DashLine (4 on, 2 off, in
    units of the pen's width) — but along whole pixel columns counted from the
    viewport's left, not along the line from wherever it begins. Qt starts a dashed
    line's pattern at its first point: a live frame's strip, drawn from a few columns
    before it, put the dashes elsewhere than a paint of the whole view did. Each dash
    is a polyline of its own, begun at its own column, so any paint that reaches back
    to a dash's first column (see `dash_reach`) draws it the same."""
    on, period = _dash_columns(line)
    # Segment i joins point i to point i + 1: it is drawn if its column is "on".
    drawn = (np.arange(x0, x0 + len(ys) - 1) % period) < on
    xs = (np.arange(x0, x0 + len(ys)) + 1.0).tolist()
    values = ys.tolist()
    for s, e in _stretches(drawn):
        if drawn[s]:
            p.drawPolyline([QPointF(xs[i], values[i]) for i in range(s, e + 1)])


def _dash_columns(line: float) -> tuple[int, int]:
    """(columns on, columns in a period) of a dash `line` pixels wide."""
    on = max(1, round(4 * line))
    return on, on + max(1, round(2 * line))


def dash_reach(line: float) -> int:
    """How many columns before a strip a paint must begin for the dash that crosses
    into it to be drawn from its first column."""
    return _dash_columns(line)[1]


def _fill_runs(p: QPainter, ys: np.ndarray, x0: int, bottom: float, color: QColor) -> None:
    """Columns from `bottom` up to `ys`, equal neighbours as one rectangle."""
    for s, e in _stretches(ys):
        y = float(ys[s])
        if y < bottom:
            p.fillRect(QRectF(x0 + s, y, e - s, bottom - y), color)


def _stretches(values: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each stretch of equal neighbours in `values`, in order (none for
    no values): the columns one rectangle or one line covers."""
    if not len(values):
        return []
    change = (np.nonzero(np.diff(values))[0] + 1).tolist()
    return list(zip([0, *change], [*change, len(values)], strict=True))
