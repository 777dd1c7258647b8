"""The Help menu: the keyboard shortcuts (read from the window's actions), the user's
guide (the README, offline), the first-run tour, About. Real windows, offscreen."""

from __future__ import annotations

import platform
from collections import Counter

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot, qVersion
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from mpgui import __version__
from mpgui.resources import guide_path, resource_dir
from mpgui.ui.classroom.tour import place
from mpgui.ui.help.guide import GuideWindow, guide_markdown, slug
from mpgui.ui.help.menu import FIRST_RUN_KEY
from mpgui.ui.help.shortcuts import PRESENTATION, plain_text
from mpgui.ui.settings import settings


def window_actions_with_keys(window) -> set[QAction]:
    """Every QAction under the main window with a shortcut, found independently of the
    dialog: all its QObject children, minus those of other windows (the guide's)."""
    out = set()
    for act in window.findChildren(QAction):
        parent = act.parent()
        if isinstance(parent, QWidget) and parent.window() is not window:
            continue
        if not act.shortcut().isEmpty():
            out.add(act)
    return out


# -- keyboard shortcuts -------------------------------------------------------------------


def test_the_shortcuts_list_every_action_with_a_shortcut_by_menu(window, qtbot):
    window.help_actions.actions["shortcuts"].trigger()
    dialog = window.help_actions.shortcuts
    qtbot.waitUntil(dialog.isVisible)
    listed = {row.action for row in dialog.rows}
    assert listed == window_actions_with_keys(window)
    assert len(dialog.visible_rows()) == len(dialog.rows)
    groups = list(dict.fromkeys(row.group for row in dialog.rows))
    assert groups == ["File", "Edit", "View", "Scenarios", "Run", "Help", PRESENTATION]
    by_text = {(r.group, r.text): r for r in dialog.rows}
    run = by_text["Run", "Run"]
    assert run.keys == ("F5", "Ctrl+R") and run.tip  # native text, and what it does
    assert by_text["Help", "Keyboard Shortcuts…"].keys == ("Ctrl+/",)
    assert by_text["Help", "User Guide"].keys == ("F1",)
    assert all("&" not in r.text for r in dialog.rows)  # no mnemonics
    # The single keys that drive presentation mode, each only as a single key.
    single = {k for r in dialog.rows if r.group == PRESENTATION for k in r.keys}
    assert {"Space", "R", "PgUp", "PgDown", "F11", "F5", "Esc"} <= single
    assert all("Ctrl" not in k for k in single)


def test_no_two_window_wide_actions_share_a_key(window, qtbot):
    """F1 and Ctrl+/ clash with nothing: only actions limited to their own widget (Delete
    in the table, Delete in the main program) may share a key."""
    dialog = window.help_actions.show_shortcuts()
    keys = Counter((k, row.action.shortcutContext() == Qt.ShortcutContext.WindowShortcut)
                   for row in dialog.rows if row.group != PRESENTATION for k in row.keys)
    assert [k for (k, wide), n in keys.items() if wide and n > 1] == []


def test_the_filter_keeps_what_matches_and_esc_closes(window, qtbot):
    dialog = window.help_actions.show_shortcuts()
    qtbot.keyClicks(dialog.search, "replay")
    shown = dialog.visible_rows()
    assert shown and all(r.matches("replay") for r in shown)
    assert {(r.group, r.keys) for r in shown} >= {("Run", ("Ctrl+Alt+R",)),
                                                  (PRESENTATION, ("R",))}
    assert dialog.count.text() == f"{len(shown)} of {len(dialog.rows)} shortcuts"
    dialog.search.setText("ctrl+q")
    assert [r.text for r in dialog.visible_rows()] == ["Quit"]
    dialog.search.setText("zoom larger")  # every word, anywhere in the row
    assert [r.text for r in dialog.visible_rows()] == ["Zoom In"]
    dialog.search.setText("no such thing")
    assert dialog.visible_rows() == [] and "No shortcut matches" in dialog.count.text()
    dialog.search.clear()
    assert len(dialog.visible_rows()) == len(dialog.rows)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_the_list_is_read_from_the_window_each_time_it_opens(window, qtbot):
    dialog = window.help_actions.show_shortcuts()
    dialog.close()
    help_menu = window.menuBar().actions()[-1].menu()
    extra = QAction("&Brand New Thing", window)
    extra.setShortcut("Ctrl+Alt+N")
    extra.setStatusTip("Does something new")
    help_menu.addAction(extra)
    dialog = window.help_actions.show_shortcuts()
    assert ("Help", "Brand New Thing", ("Ctrl+Alt+N",), "Does something new") in [
        (r.group, r.text, r.keys, r.tip) for r in dialog.rows]


def test_the_shortcuts_dialog_fits_the_screen_at_any_zoom(window, qtbot):
    normal = window.font().pointSizeF()
    for _ in range(12):  # to the largest zoom
        window.appearance.zoom_in()
    dialog = window.help_actions.show_shortcuts()
    assert dialog.tree.font().pointSizeF() > 2 * normal  # the zoomed application font
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    # Names and keys leave the description room to read.
    assert dialog.tree.columnWidth(2) >= dialog.tree.viewport().width() * 2 // 5
    window.appearance.reset_zoom()


def test_plain_text_drops_mnemonics_only():
    assert plain_text("Save &As…") == "Save As…"
    assert plain_text("Salt && &Pepper") == "Salt & Pepper"


# -- the user's guide ------------------------------------------------------------------------


def test_the_guide_is_the_readme_and_is_found_in_a_checkout():
    path = guide_path()
    assert path.is_file() and path == resource_dir().parent / "README.md"
    assert "## Two commands" in path.read_text(encoding="utf-8")


def test_f1_opens_the_guide_with_the_readme_offline_pictures_as_text(window, qtbot):
    window.help_actions.actions["guide"].trigger()
    guide = window.help_actions.guide
    qtbot.waitUntil(guide.isVisible)
    text = guide.browser.toPlainText()
    assert "Two commands" in text and "The desktop app (no Python needed)" in text
    assert "mpgui after running the tutorial's example" in text  # a picture's alt text
    assert "\ufffc" not in text  # no image placeholder left
    screen = guide.screen().availableGeometry()
    assert guide.width() <= screen.width() and guide.height() <= screen.height()
    qtbot.keyClick(guide.browser, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not guide.isVisible())


def test_pictures_become_their_alt_text_in_italics():
    md = "Before\n\n![A chart:\nfour *lanes*](docs/x.png)\n\n![](docs/y.png) after"
    assert guide_markdown(md) == "Before\n\n*A chart: four \\*lanes\\**\n\n after"
    assert slug("Threads, pools and processes") == "threads-pools-and-processes"
    assert slug("The desktop app (no Python needed)") == "the-desktop-app-no-python-needed"


def test_the_guide_follows_links(window, qtbot, tmp_path):
    guide = window.help_actions.show_guide()
    bar = guide.browser.verticalScrollBar()
    assert bar.value() == 0
    guide.browser.anchorClicked.emit(QUrl("#architecture"))  # a heading of the README
    qtbot.waitUntil(lambda: bar.value() > 0)

    class Browser(QObject):  # stands in for the desktop's browser
        def __init__(self) -> None:
            super().__init__()
            self.opened: list[str] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.opened.append(url.toString())

    browser = Browser()
    QDesktopServices.setUrlHandler("https", browser, "open")
    try:
        guide.browser.anchorClicked.emit(QUrl("https://ui.perfetto.dev"))
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert browser.opened == ["https://ui.perfetto.dev"]
    # Installed, the source tree is not there: a link into it says so, nothing breaks.
    shipped = tmp_path / "README.md"
    shipped.write_text(guide_path().read_text(encoding="utf-8"), encoding="utf-8")
    alone = GuideWindow(path=shipped)
    qtbot.addWidget(alone)
    alone.browser.anchorClicked.emit(QUrl("packaging/README.md"))
    assert "not in this installation" in alone.note.text()


def test_the_guide_finds_words_and_says_when_it_cannot(window, qtbot):
    guide = window.help_actions.show_guide()
    guide.actions_["find"].trigger()  # Ctrl+F
    qtbot.keyClicks(guide.find_box, "forkserver")
    first = guide.browser.textCursor()
    assert first.selectedText() == "forkserver" and guide.note.text() == ""
    qtbot.keyClick(guide.find_box, Qt.Key.Key_Return)  # the next one
    second = guide.browser.textCursor()
    assert second.selectedText() == "forkserver"
    assert second.selectionStart() > first.selectionStart()
    guide.actions_["previous"].trigger()  # Shift+F3
    assert guide.browser.textCursor().selectionStart() == first.selectionStart()
    guide.actions_["previous"].trigger()  # before the first: around to the last one
    assert guide.browser.textCursor().selectionStart() > second.selectionStart()
    guide.find_box.setText("xyzzy plugh")
    assert guide.note.text() == "Not found"


def test_the_guide_scales_with_the_zoom_and_says_when_it_is_missing(window, qtbot, tmp_path):
    guide = window.help_actions.show_guide()
    before = guide.browser.document().defaultFont().pointSizeF()
    window.appearance.zoom_in()
    # What Qt does to every window when the application font changes (in a running app;
    # a test runs no QApplication.exec(), so it is done here by hand).
    guide.setFont(QApplication.font())
    assert guide.browser.document().defaultFont().pointSizeF() > before
    window.appearance.reset_zoom()
    missing = GuideWindow(path=tmp_path / "README.md")
    qtbot.addWidget(missing)
    assert "The user guide is missing" in missing.browser.toPlainText()


# -- the tour ---------------------------------------------------------------------------------


def after_pending_timers(qtbot) -> None:
    """Let the timers queued so far (the window's start-up ones) fire."""
    fired: list[bool] = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired))


def open_app_window(qtbot, **kwargs):
    from mpgui.ui.app import open_window

    w = open_window("seed", **kwargs)
    qtbot.addWidget(w)
    return w


def test_windows_made_directly_show_no_tour(window, qtbot):
    after_pending_timers(qtbot)
    assert not window.help_actions.tour.isVisible()
    assert not settings().contains(FIRST_RUN_KEY)


def test_the_first_start_shows_the_tour_once(qtbot, said):
    w = open_app_window(qtbot)
    tour = w.help_actions.tour
    qtbot.waitUntil(tour.isVisible)
    assert [c.title for c, _box, _target in tour.placed] == ["Run", "Scenarios", "Timeline"]
    assert tour.geometry() == w.rect()
    # Each callout points at its part of the window: the Run button, the gallery, the chart.
    run_button = w.help_actions._run_button()
    targets = [run_button, w.help_actions._gallery(), w.chart]  # (the list, or its row)
    for (_c, _box, target), widget in zip(tour.placed, targets, strict=True):
        assert target.contains(widget.mapTo(w, widget.rect().center()))
    assert settings().value(FIRST_RUN_KEY, False, type=bool)
    qtbot.keyClick(tour, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not tour.isVisible())
    w.close()
    again = open_app_window(qtbot)
    after_pending_timers(qtbot)
    assert not again.help_actions.tour.isVisible()
    assert not again.help_actions.first_run()


def test_starting_with_run_shows_no_tour_yet(qtbot, said):
    w = open_app_window(qtbot, run=True, speed=20)
    qtbot.waitUntil(lambda: w.controller.runner is not None)
    assert not w.help_actions.tour.isVisible()
    assert not settings().contains(FIRST_RUN_KEY)  # the next start shows it
    qtbot.waitUntil(lambda: not w.controller.running, timeout=30_000)


def test_esc_closes_the_tour_and_then_stops_the_run_as_always(window, qtbot):
    window.speed.setValue(1)  # the seed takes ~5 s: still running when Esc comes
    window.activateWindow()
    window.run()
    qtbot.waitUntil(lambda: window.controller.running)
    tour = window.help_actions.tour
    window.help_actions.show_tour()
    qtbot.keyClick(tour, Qt.Key.Key_Escape)
    assert not tour.isVisible() and window.controller.runner.status == "running"
    qtbot.keyClick(window.table, Qt.Key.Key_Escape)  # the tour gone, Esc is Stop again
    qtbot.waitUntil(lambda: not window.controller.running, timeout=30_000)
    assert window.controller.runner.status == "stopped"


@pytest.mark.parametrize("size", [(1024, 768), (1500, 900)])
def test_the_callouts_stay_inside_the_window_and_follow_resizes(window, qtbot, size):
    window.resize(*size)
    window.help_actions.actions["tour"].trigger()  # Help → Show the Tour Again
    tour = window.help_actions.tour
    qtbot.waitUntil(tour.isVisible)

    def laid_out_inside() -> bool:
        boxes = [box for _c, box, _t in tour.placed] + [tour.card]
        inside = all(window.rect().contains(b) for b in boxes)
        apart = all(not a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
        return tour.geometry() == window.rect() and inside and apart and len(boxes) == 4

    qtbot.waitUntil(laid_out_inside)
    window.resize(window.width() + 300, window.height() + 100)
    qtbot.waitUntil(laid_out_inside)
    qtbot.mouseClick(tour, Qt.MouseButton.LeftButton)  # a click anywhere dismisses it
    qtbot.waitUntil(lambda: not tour.isVisible())


def test_got_it_dismisses_and_presentation_mode_has_no_tour(window, qtbot):
    tour = window.help_actions.tour
    assert window.help_actions.show_tour()
    qtbot.waitUntil(tour.isVisible)
    qtbot.mouseClick(tour.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tour.isVisible())
    window.help_actions.show_tour()
    qtbot.waitUntil(tour.isVisible)
    window.toggle_presentation()  # entering presentation mode ends the tour ...
    qtbot.waitUntil(lambda: not tour.isVisible())
    assert not window.help_actions.show_tour()  # ... and none is shown while presenting
    assert not tour.isVisible()
    window.toggle_presentation()


def test_a_callout_goes_beside_its_target_clear_of_the_others():
    from PySide6.QtCore import QRect

    bounds = QRect(0, 0, 1024, 768)
    gallery = QRect(0, 60, 200, 700)
    card = QRect(300, 300, 400, 150)
    box = place((200, 90), gallery, bounds, [card], [gallery])
    assert bounds.contains(box) and not box.intersects(card) and not box.intersects(gallery)
    corner = QRect(990, 740, 30, 25)  # at the edge: the box still fits in the window
    assert bounds.contains(place((300, 120), corner, bounds, [], [corner]))


# -- about -------------------------------------------------------------------------------------


def test_about_says_version_licences_and_what_it_runs_on(window, qtbot):
    window.help_actions.actions["about"].trigger()
    box = window.help_actions.about_box
    qtbot.waitUntil(box.isVisible)
    text = box.text()
    for needle in (f"mpgui {__version__}", "MIT licence", "PySide6", "LGPL", "pyqtgraph",
                   f"Python {platform.python_version()}", f"Qt {qVersion()}",
                   "https://www.gnu.org/licenses/lgpl-3.0.html",
                   "https://doc.qt.io/qtforpython-6/", "/usr/share/doc/mpgui/copyright"):
        assert needle in text
    label = box.findChild(QLabel, "qt_msgbox_label")
    assert label.openExternalLinks() and "href=" in label.text()  # the links can be followed
    box.close()


def test_the_collector_paused_for_the_start_is_back_on_once_the_window_is_up(qtbot, said):
    import gc

    from mpgui.startup import pause_collector

    pause_collector()  # as the `mpgui` command does before its imports
    try:
        w = open_app_window(qtbot)
        assert not gc.isenabled()  # still building and painting
        qtbot.waitUntil(gc.isenabled)
        assert gc.get_freeze_count() > 0  # what start-up made: out of later collections
        assert w.isVisible()
    finally:
        gc.unfreeze()
        gc.enable()


def test_which_files_name_pyside6_is_kept_between_starts(tmp_path):
    """PySide6's check of each imported module (does its file name PySide6?) is answered
    from the last start's answers while the file's time and size are the same; a file
    that changed is read again, and a kept file that is not what it should be is
    ignored."""
    import marshal
    import os

    from mpgui.startup import _PysideMentions

    uses, plain = tmp_path / "uses.py", tmp_path / "plain.py"
    uses.write_text("from PySide6.QtCore import Qt\n")
    plain.write_text("x = 1\n")
    kept = tmp_path / "cache" / "mentions.marshal"
    first = _PysideMentions(kept)
    assert first.mentions(str(uses)) and not first.mentions(str(plain)) and first.read == 2
    first.save()
    again = _PysideMentions(kept)
    assert again.mentions(str(uses)) and not again.mentions(str(plain))
    assert again.read == 0  # both answered from what the first start kept
    stamp = plain.stat().st_mtime_ns
    plain.write_text("PySide6\n")  # the same size, another time
    os.utime(plain, ns=(stamp + 10**9, stamp + 10**9))
    assert again.mentions(str(plain)) and again.read == 1
    uses.write_text("y = 2\n")  # another size
    assert not again.mentions(str(uses)) and again.read == 2
    for bad in (b"not marshal", marshal.dumps({str(uses): (1, 2, "yes")}), marshal.dumps([1])):
        kept.write_bytes(bad)
        ignored = _PysideMentions(kept)
        assert ignored.known == {} and not ignored.mentions(str(uses)) and ignored.read == 1


@pytest.mark.skipif(platform.system() == "Windows", reason="named pipes of the POSIX kind")
def test_a_kept_file_that_is_not_a_regular_file_is_ignored_at_once(tmp_path):
    """A FIFO (or a folder) where a kept file should be: ignored without waiting for a
    writer, so the window's start cannot hang on it."""
    import os
    import subprocess
    import sys

    fifo, folder = tmp_path / "fifo.marshal", tmp_path / "folder.marshal"
    os.mkfifo(fifo)
    folder.mkdir()
    code = ("import sys\nfrom mpgui.startup import _DataclassCode, _PysideMentions\n"
            "for path in sys.argv[1:]:\n"
            "    for kind in (_DataclassCode, _PysideMentions):\n"
            "        assert kind(__import__('pathlib').Path(path)).known == {}\n"
            "print('ignored')\n")
    out = subprocess.run([sys.executable, "-c", code, str(fifo), str(folder)],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ignored", out.stderr


_PYSIDE_KEPT = """
import builtins, json
from mpgui import startup
real = builtins.compile
startup.quicken_pyside_imports()  # PySide6's first import, as the `mpgui` command's
from PySide6.QtCore import QObject
kept = startup._pyside_code
assert builtins.compile is real  # (only for the length of the import)
for (filename, mode, flags, optimize, source), code in kept.used.items():
    assert code == real(source, filename, mode, flags, True), filename
compiled = kept.worked_out
startup.resume_collector()
try:
    QObject().setObjectName(1)  # the message is PySide's support code's work
except TypeError as exc:
    said = str(exc)
print(json.dumps([compiled, len(kept.used), said]))
"""


def test_pysides_support_code_is_compiled_once_and_kept(tmp_path):
    """PySide6 compiles its support modules from source at every import; the `mpgui`
    command's start keeps the code for the next (mpgui.startup._kept_pyside_code): the
    same code as compiling afresh, nothing compiled the second time, a bad file
    ignored — and what PySide6 does with that code (here: say which signatures a call
    could have had) the same."""
    import json
    import os
    import subprocess
    import sys

    def start() -> list:
        out = subprocess.run([sys.executable, "-c", _PYSIDE_KEPT], capture_output=True,
                             text=True, timeout=60,
                             env=dict(os.environ, XDG_CACHE_HOME=str(tmp_path)))
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    compiled, kept, said = start()
    if not kept:
        pytest.skip("this PySide6 compiles no support code from source as it is imported")
    assert compiled == kept > 5 and "setObjectName(name: str, /)" in said
    assert start() == [0, kept, said]  # all from the kept code
    (code_file,) = (tmp_path / "mpgui").glob("pyside-code-*")
    code_file.write_bytes(b"not marshal")
    assert start() == [kept, kept, said]  # ignored: compiled as usual, kept again


_MIRRORS_SEEN = """
import enum, gc, json, os, sys
if sys.argv[1] == "quick":  # as the `mpgui` command imports it
    from mpgui.startup import quicken_pyqtgraph_import, quicken_pyside_imports
    quicken_pyside_imports()
    quicken_pyqtgraph_import()
import pyqtgraph as pg
import pyqtgraph.Qt as mirrors
from PySide6 import QtCore, QtGui, QtWidgets
enums = sum(isinstance(o, enum.EnumType) for o in gc.get_objects())
listed = {m.__name__: len(dir(m)) for m in (QtCore, QtGui, QtWidgets)}
def describe(value):
    name = getattr(value, "__qualname__", type(value).__name__)
    return f"{getattr(value, '__module__', '')}.{name}"
seen = {}
for mirror, source in ((mirrors.QtCore, QtCore), (mirrors.QtGui, QtGui),
                       (mirrors.QtWidgets, QtWidgets)):
    names = {n for n in set(dir(mirror)) | set(dir(source)) if not n.startswith("__")}
    seen[mirror.__name__] = {n: describe(getattr(mirror, n, None)) for n in sorted(names)}
app = QtWidgets.QApplication([])
plot = pg.PlotWidget()
plot.plot([1, 2, 3], [3, 1, 2])
plot.resize(300, 200)
plot.grab()  # it draws
print(json.dumps({"enums": enums, "listed": listed, "seen": seen,
                  "copies": hasattr(mirrors, "_copy_attrs")}))
"""


def test_pyqtgraph_imported_quickly_sees_qt_as_its_own_import_does():
    """The `mpgui` command imports pyqtgraph with its copies of Qt's modules filled on
    use (mpgui.startup.quicken_pyqtgraph_import): every name pyqtgraph finds there is
    what its own import would have copied, PySide6's modules list their names again
    afterwards, pyqtgraph draws — and fewer of Qt's enums were made on the way."""
    import json
    import os
    import subprocess
    import sys

    def seen(how: str) -> dict:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        out = subprocess.run([sys.executable, "-c", _MIRRORS_SEEN, how], env=env, check=True,
                             capture_output=True, text=True, timeout=120).stdout
        return json.loads(out.splitlines()[-1])

    quick, plain = seen("quick"), seen("plain")
    assert quick["seen"] == plain["seen"]
    assert all(len(quick["seen"][m]) > 100 for m in quick["seen"])
    assert quick["listed"] == plain["listed"] and min(quick["listed"].values()) > 100
    if plain["copies"]:  # (a pyqtgraph that copies Qt's names as it is imported)
        assert quick["enums"] < plain["enums"]


def test_while_pyqtgraph_is_imported_only_its_copying_sees_no_names():
    """For the length of pyqtgraph's import, PySide6's modules list no names to
    pyqtgraph's `_copy_attrs` alone: any other caller of dir() gets their names."""
    import types

    from mpgui.startup import _names_but_to_the_copy

    module = types.ModuleType("qt_like")
    module.QThing = object()
    module.__dir__ = _names_but_to_the_copy(module, None)
    copier: dict = {"__name__": "pyqtgraph.Qt"}
    exec("def _copy_attrs(src):\n    return dir(src)", copier)
    elsewhere: dict = {"__name__": "someone.else"}
    exec("def _copy_attrs(src):\n    return dir(src)", elsewhere)
    assert copier["_copy_attrs"](module) == []
    assert "QThing" in elsewhere["_copy_attrs"](module) and "QThing" in dir(module)
    module.__dir__ = _names_but_to_the_copy(module, lambda: ["Listed"])
    assert dir(module) == ["Listed"] and copier["_copy_attrs"](module) == []


def test_the_quick_pyside_module_check_answers_as_pysides_own():
    import sys

    from mpgui.startup import quicken_pyside_imports

    feature = sys.modules.get("shibokensupport.feature")
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if upstream is None:
        pytest.skip("this PySide6 has no source check of imported modules")
    quicken_pyside_imports()
    quick = feature._mod_uses_pyside
    try:
        assert getattr(quick, "quick", False)  # installed, once
        quicken_pyside_imports()
        assert feature._mod_uses_pyside is quick
        if getattr(upstream, "quick", False):  # installed by an earlier test: its own
            upstream = quick.__closure__[0].cell_contents
        modules = [m for m in list(sys.modules.values()) if m is not None]
        assert len(modules) > 100
        answers = [(m.__name__, quick(m), bool(upstream(m))) for m in modules]
        assert [a for a in answers if a[1] != a[2]] == []
        assert any(a[1] for a in answers)  # mpgui's own modules use PySide6
    finally:
        feature._mod_uses_pyside = upstream
