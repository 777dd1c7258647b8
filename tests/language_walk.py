"""Run in a process of its own with MPGUI_LANGUAGE=xx (the pseudo-language: every
translated message comes back marked ⟦…⟧): opens the window, runs a scenario, steps a
replay, opens every other window, and prints (as JSON) each text a person would read
that is not wholly marked — a message that bypassed translation.

Data is not a message: the scenario's own names and lines, numbers, file names, key
names and the product's name may stand outside the marks (`allowed`)."""

from __future__ import annotations

import json
import re
import sys
import time

from mpgui.i18n import PSEUDO_CLOSE, PSEUDO_OPEN

# Words that are data, not messages, wherever they appear.
KEYS = {"ctrl", "shift", "alt", "esc", "space", "del", "delete", "pgup", "pgdown", "return",
        "enter", "left", "right", "up", "down", "tab", "backspace", "home", "end", "meta",
        "ins", "pgdn"} | {f"f{n}" for n in range(1, 13)}
DATA = {"mpgui", "fork", "spawn", "forkserver", "processes", "threads", "pool", "dask", "py",
        "toml", "mpgrun", "mpgpack", "png", "svg", "csv", "json",
        # (each language by its own name, in every language)
        "english", "español", "deutsch"}
_MARKED = re.compile(re.escape(PSEUDO_OPEN) + "[^" + re.escape(PSEUDO_OPEN + PSEUDO_CLOSE)
                     + "]*" + re.escape(PSEUDO_CLOSE))
_WORD = re.compile(r"[^\W\d_]{2,}")
_TAGS = re.compile(r"<[^<>]*>|&\w+;")


def unmarked_words(text: str, allowed: set[str]) -> list[str]:
    """The words of `text` outside every ⟦…⟧ (marks may nest) that are not data (nor
    HTML's tags and entities: nobody reads those)."""
    text = _TAGS.sub(" ", text)
    while True:
        shorter = _MARKED.sub(" ", text)
        if shorter == text:
            break
        text = shorter
    return [w for w in _WORD.findall(text) if w.lower() not in allowed]


def _qts_own(w) -> bool:  # type: ignore[no-untyped-def]
    """A part Qt made and names itself: a tab bar's scroll arrows, a dialog's standard
    buttons (Close, Cancel, ...)."""
    from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox

    if w.objectName() in ("ScrollLeftButton", "ScrollRightButton"):
        return True
    box = w.parentWidget()
    return isinstance(w, QAbstractButton) and isinstance(box, QDialogButtonBox) and \
        box.standardButton(w) != QDialogButtonBox.StandardButton.NoButton


def texts_of(root):  # type: ignore[no-untyped-def]
    """(where, text) for every text a person reads in `root` and its children."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QListWidget,
        QMenu,
        QPlainTextEdit,
        QTabBar,
        QTextBrowser,
        QWidget,
    )

    for w in [root, *root.findChildren(QWidget)]:
        kind = type(w).__name__
        if _qts_own(w):
            continue  # (Qt's own words: Qt's translations have them)
        if isinstance(w, QTextBrowser) and type(w.window()).__name__ == "GuideWindow":
            continue  # (the User Guide is a document, in English)
        if w.isWindow():
            yield f"{kind} title", w.windowTitle()
        for what in ("toolTip", "statusTip", "whatsThis", "accessibleName",
                     "accessibleDescription"):
            yield f"{kind}.{what}", getattr(w, what)()
        if isinstance(w, QLabel | QAbstractButton):
            yield f"{kind} text", w.text()
        elif isinstance(w, QLineEdit | QPlainTextEdit):
            yield f"{kind} placeholder", w.placeholderText()
        elif isinstance(w, QGroupBox):
            yield f"{kind} title", w.title()
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                yield f"{kind} item", w.itemText(i)
                yield f"{kind} item tip", str(w.itemData(i, Qt.ItemDataRole.ToolTipRole) or "")
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                yield f"{kind} tab", w.tabText(i)
                yield f"{kind} tab tip", w.tabToolTip(i)
        elif isinstance(w, QTextBrowser):
            yield f"{kind} text", w.toPlainText()
        elif isinstance(w, QMenu):
            yield f"{kind} title", w.title()
            for act in w.actions():
                for what in ("text", "toolTip", "statusTip"):
                    yield f"menu item.{what}", getattr(act, what)()
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                yield f"{kind} item", w.item(i).text()
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # (a list model: one column, no header)
                columns = 0
            for c in range(columns):
                yield f"{kind} header", str(model.headerData(
                    c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
                yield f"{kind} header tip", str(model.headerData(
                    c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) or "")


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from mpgui.model.builtins import builtin_names, load_builtin
    from mpgui.ui.app import make_app
    from mpgui.ui.main_window import MainWindow

    app = make_app()

    def wait(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.005)

    name = sys.argv[1] if len(sys.argv) > 1 else "seed"
    scenario = load_builtin(name)
    allowed = KEYS | DATA | {w.lower() for n in builtin_names() for w in _WORD.findall(n)}
    for p in scenario.processes:
        allowed |= {w.lower() for w in _WORD.findall(f"{p.var} {p.name} {p.message}")}
    allowed |= {w.lower() for o in scenario.objects for w in _WORD.findall(o.name)}
    w = MainWindow(speed=10)
    w.open_initial(name)
    w.resize(1400, 900)
    w.show()
    found: dict[str, str] = {}

    def walk(root, label: str) -> None:  # type: ignore[no-untyped-def]
        QApplication.processEvents()
        for where, text in texts_of(root):
            if text and unmarked_words(text, allowed):
                found.setdefault(text, f"{label}: {where}")

    walk(w, "window")
    w.run()
    wait(lambda: w.view.current is not None and w.view.live is None)
    walk(w, "after a run")
    w.runs.step(True)
    walk(w, "stepping")
    w.run()
    wait(lambda: w.view.current is not None and w.view.live is None
         and len(w.view.history.runs) == 2)
    for window in (w.runs.compare(), w.runs.describe(), w.help_actions.show_guide(),
                   w.help_actions.show_shortcuts()):
        walk(window, type(window).__name__)
    w.resize(1000, 700)
    wait(lambda: w.layout_.compact)
    walk(w, "narrow")
    w.presentation.enter()
    walk(w, "presentation")
    w.presentation.leave()
    w.controller.shutdown()
    print(json.dumps(found, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
