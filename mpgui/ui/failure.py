"""Saying why the window could not start, where a double-clicking user will see it.

Started from a desktop icon there is no terminal: an error printed on stderr vanishes
with the app. So, when no terminal is attached but a display is, the error also goes to
a dialog — Qt's if Qt works, else a desktop tool (zenity, kdialog, xmessage).

Qt's own most common failure on Linux, a system library missing for its X11 plugin,
aborts the process from C++ where Python cannot catch it. `check_qt_platform` loads that
plugin first with ctypes, so the missing library can be named — with the package to
install — before Qt tries.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from mpgui.i18n import _

# The libraries Qt's xcb plugin needs from the system (the bundle does not carry them),
# and the Debian/Ubuntu package of each.
XCB_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    # and what those need in turn (found with ldd and dpkg -S on Debian 12)
    "libxcb.so.1": "libxcb1",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libpng16.so.16": "libpng16-16",
}


# The dynamic loader's own words for a library it cannot find (glibc, musl).
_NOT_FOUND = re.compile(r"([^\s:'\"/]+): (?:cannot open shared object file|"
                        r"Error loading shared library)")


def loader_error(error: BaseException) -> str:
    """The dynamic loader's message behind `error`. In a frozen app PyInstaller's ctypes
    replaces it ("Failed to load dynlib/dll '…libqxcb.so'. Most likely this dynlib/dll
    was not found when the application was frozen.") and keeps it as the cause."""
    seen: set[int] = set()
    link: BaseException | None = error
    innermost = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if _NOT_FOUND.search(str(link)):
            return str(link)
        innermost = link
        link = link.__cause__ or link.__context__
    return str(innermost)


def missing_library_message(error: str | BaseException) -> str:
    """From a dynamic loader error ("libxcb-cursor.so.0: cannot open shared object
    file..."), or the exception that carries one, what to tell the user."""
    text = loader_error(error) if isinstance(error, BaseException) else error
    found = _NOT_FOUND.search(text)
    soname = found.group(1) if found else text.split(":", 1)[0].strip().rsplit("/", 1)[-1]
    package = XCB_PACKAGES.get(soname)
    how = (_("On Debian or Ubuntu: sudo apt install {package}").format(package=package)
           if package else _("Install the package of your system that provides it."))
    return _("mpgui's window needs the system library {library}, which is missing.\n"
             "{how}\n\n({error})").format(library=soname, how=how, error=text)


def check_qt_platform() -> str | None:
    """On Linux, when Qt will use X11: load its xcb plugin to see that the system
    libraries it needs are there. What to tell the user if not, else None."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    uses_xcb = platform.startswith("xcb") or (
        not platform and os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))
    if not uses_xcb:
        return None
    import importlib.util

    # Found, not imported: the window's start imports PySide6 itself, with its support
    # code kept from the last start (mpgui.startup.quicken_pyside_imports).
    spec = importlib.util.find_spec("PySide6")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        return None  # not there: the window's own import says so
    plugin = Path(folders[0]) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None  # an unusual layout: let Qt say what it finds
    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as exc:
        return missing_library_message(exc)
    return None


def without_terminal() -> bool:
    """Started without a terminal to show stderr (a double-click on an icon)."""
    return not any(s is not None and s.isatty() for s in (sys.stdin, sys.stderr))


def can_show_windows() -> bool:
    """A display is there and answers, and Qt has not been told to draw nowhere: only
    then may a dialog open (a dialog on no display would abort, or wait for no one)."""
    from mpgui.ui.display import display_available, requested_platforms

    if requested_platforms()[:1] in (["offscreen"], ["minimal"]):
        return False
    return display_available()


def report_failure(text: str, details: str = "", *, qt_usable: bool = True,
                   dialog: bool = True) -> None:
    """Print the error; and when there is no terminal but a display that answers, show
    it in a dialog (titled "mpgui could not start") unless `dialog` is False."""
    from mpgui.model.escape import one_line

    print(_("mpgui: error: {message}").format(message=one_line(text)), file=sys.stderr)
    if details:
        print(details, file=sys.stderr)
    if not (dialog and without_terminal() and can_show_windows()):
        return
    if qt_usable and _qt_dialog(text, details):
        return
    _desktop_tool_dialog(text)


TITLE = _("mpgui could not start")


def _qt_dialog(text: str, details: str) -> bool:
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(sys.argv[:1])
        box = QMessageBox(QMessageBox.Icon.Critical, TITLE, text)
        if details:
            box.setDetailedText(details)
        box.exec()
        del app
        return True
    except Exception:  # Qt itself is the problem: use a desktop tool
        return False


def _desktop_tool_dialog(text: str) -> None:
    for tool, args in (("zenity", ["--error", f"--title={TITLE}", f"--text={text}"]),
                       ("kdialog", ["--title", TITLE, "--error", text]),
                       ("xmessage", ["-center", f"{TITLE}\n\n{text}"])):
        path = shutil.which(tool)
        if path:
            subprocess.run([path, *args], check=False)
            return
