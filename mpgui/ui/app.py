"""Start the window: the QApplication, its identity and icon, Ctrl+C in a terminal."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from mpgui import __version__
from mpgui.resources import resource
from mpgui.startup import (
    big_arrays_grow_in_place,
    no_huge_page_stalls,
    paint_on_one_thread,
    resume_collector,
)
from mpgui.ui.language import install_qt_translations
from mpgui.ui.main_window import MainWindow
from mpgui.ui.settings import APPLICATION, ORGANIZATION


def make_app() -> QApplication:
    """The application object (the existing one if there is one), named and with an
    icon, so the desktop and QSettings know it. (And this process's memory set up for
    even frames, and its painting on one thread: `no_huge_page_stalls`,
    `big_arrays_grow_in_place`, `paint_on_one_thread`.)"""
    no_huge_page_stalls()
    big_arrays_grow_in_place()
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        paint_on_one_thread()
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("mpgui")
    app.setWindowIcon(QIcon(str(resource("icons", "mpgui.svg"))))
    if not app.property("mpgui_translated"):  # (once: make_app may be called again)
        install_qt_translations(app)  # type: ignore[arg-type]
        app.setProperty("mpgui_translated", True)
    return app  # type: ignore[return-value]


def run_app(scenario: str | None, *, run: bool = False, speed: float | None = None,
            start_method: str | None = None, open_file: Path | None = None) -> int:
    """Open the window on `scenario` (a built-in name or a file; None: where the user
    left off, else the tutorial's example), then `open_file` (a run file or a script),
    and run the event loop."""
    app = make_app()
    window = open_window(scenario, run=run, speed=speed, start_method=start_method,
                         open_file=open_file)
    _close_on_signals(window)
    return app.exec()


def open_window(scenario: str | None, *, run: bool = False, speed: float | None = None,
                start_method: str | None = None, open_file: Path | None = None
                ) -> MainWindow:
    """Show the window on `scenario`; once it is up, offer the edits a crash left, then
    (at the very first start, unless told to run at once) the tour, then open
    `open_file` by its kind: a run file as File → Open Run does, a Python script as
    File → Open Python Script does (asking first), a lesson pack as File → Import
    Lesson Pack does."""
    make_app()
    window = MainWindow(speed=speed, start_method=start_method)
    window.open_initial(scenario)
    window.show()

    def when_up() -> None:
        window.offer_recovery()
        if open_file is not None:  # (a large run file reads for seconds: seen, not black)
            _OnceOnScreen(window, lambda: window.open_file(open_file))
        elif not run:
            window.help_actions.first_run()

    QTimer.singleShot(0, resume_collector)  # paused by the GUI's start (mpgui.startup)
    QTimer.singleShot(0, when_up)
    if run:
        QTimer.singleShot(0, window.run)
    return window


class _OnceOnScreen(QObject):
    """Calls `then` once, after the window is first shown on the screen (its expose
    event paints it), or after EXPOSE_WAIT_MS if that never comes."""

    EXPOSE_WAIT_MS = 1000

    def __init__(self, window: MainWindow, then: Callable[[], object]) -> None:
        super().__init__(window)
        self._then: Callable[[], object] | None = then
        self._handle = window.windowHandle()
        if self._handle is None or self._handle.isExposed():
            QTimer.singleShot(0, self._call)
            return
        self._handle.installEventFilter(self)
        QTimer.singleShot(self.EXPOSE_WAIT_MS, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Expose and self._handle is not None and \
                self._handle.isExposed():
            QTimer.singleShot(0, self._call)  # (after Qt has painted it for this expose)
        return False

    def _call(self) -> None:
        then, self._then = self._then, None
        if then is None:
            return
        if self._handle is not None:
            self._handle.removeEventFilter(self)
        then()


def _close_on_signals(window: MainWindow) -> QTimer:
    """Ctrl+C or SIGTERM closes the window the normal way (children stopped). Python
    runs signal handlers only between bytecodes, so a timer wakes it now and then."""
    def close(_signum: int, _frame: object) -> None:
        window.close()

    signal.signal(signal.SIGINT, close)
    signal.signal(signal.SIGTERM, close)
    wake = QTimer(window)
    wake.timeout.connect(lambda: None)
    wake.start(200)
    return wake
