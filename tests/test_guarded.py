"""An exception in a Qt override is reported and the window goes on (`mpgui.ui.guarded`):
PySide 6.11 crashes when one reaches Qt — found when a chart paint raised."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mpgui.ui import guarded


class Broken(QWidget):
    painted = 0

    @guarded.guarded
    def paintEvent(self, _event: object) -> None:  # Qt override
        Broken.painted += 1
        raise ValueError("could not broadcast input array from shape (9,) into (7,) "
                         "for 'evil\x1b]0;pwned\x07'")


def test_a_paint_that_raises_is_reported_once_and_the_window_goes_on(qtbot, capsys):
    before = len(guarded.FAILURES)
    w = Broken()
    qtbot.addWidget(w)
    w.resize(200, 100)
    w.grab()
    w.grab()  # the same error again: reported once
    assert Broken.painted == 2
    new = guarded.FAILURES[before:]
    del guarded.FAILURES[before:]  # (expected here: not a failure of this test)
    assert len(new) == 1 and "ValueError: could not broadcast" in new[0]
    err = capsys.readouterr().err
    assert err.count("mpgui: an error while drawing, skipped:") == 1
    assert "\x1b" not in err and "\x07" not in err  # the message's escape, escaped
    assert "evil\\x1b]0;pwned\\x07" in err


def test_the_charts_drawing_overrides_are_guarded():
    from mpgui.ui.chart.lanes_item import LanesItem
    from mpgui.ui.chart.legend import ChartLegend
    from mpgui.ui.chart.marks_item import MarksItem
    from mpgui.ui.chart.objects_item import ObjectsItem
    from mpgui.ui.chart.spans_item import SpansItem

    for method in (SpansItem.paint, MarksItem.paint, LanesItem.paint, ObjectsItem.paint,
                   ChartLegend.paintEvent):
        assert method.__code__ is guarded.guarded(lambda: None).__code__, method
