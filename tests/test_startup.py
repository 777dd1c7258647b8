"""Start-up: the self-test of an installation, and failures said where a double-click
user sees them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mpgui.ui.failure import check_qt_platform, missing_library_message
from tests.helpers import MPGUI, env_without_display


def test_selftest_runs_the_seed_in_the_window_and_says_ok():
    res = subprocess.run([*MPGUI, "--selftest"], capture_output=True, text=True,
                         timeout=180, env=env_without_display())
    assert res.returncode == 0, res.stdout + res.stderr
    line = res.stdout.strip().splitlines()[-1]
    assert line.startswith("mpgui selftest: ok — the window ran the seed with spawn")
    assert "no child left" in line


def test_a_missing_system_library_is_named_with_its_package():
    text = missing_library_message("libxcb-cursor.so.0: cannot open shared object file: "
                                   "No such file or directory")
    assert "libxcb-cursor.so.0, which is missing" in text
    assert "sudo apt install libxcb-cursor0" in text
    other = missing_library_message("/x/libfoo.so.9: cannot open shared object file")
    assert "libfoo.so.9" in other and "provides it" in other


def test_the_platform_check_passes_here(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")  # the plugin's libraries are installed
    assert check_qt_platform() is None
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert check_qt_platform() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is Linux's")
def test_the_platform_check_loads_the_xcb_plugin_without_importing_pyside6():
    """The check finds Qt's xcb plugin and loads it, without importing PySide6: the
    window's start imports it afterwards, with its support code kept from the last start
    (mpgui.startup.quicken_pyside_imports)."""
    code = ("import os, sys\n"
            "os.environ['QT_QPA_PLATFORM'] = 'xcb'\n"
            "from mpgui.ui.failure import check_qt_platform\n"
            "assert check_qt_platform() is None\n"
            "with open('/proc/self/maps') as maps:\n"
            "    print('libqxcb.so' in maps.read(), 'shiboken6' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.split() == ["True", "False"], out.stderr


# PyInstaller's ctypes hook (PyInstaller/loader/pyimod03_ctypes.py, 6.x) replaces the
# loader's error with its own and keeps the original as the cause; as it does:
class PyInstallerImportError(OSError):
    def __init__(self, name):
        # PyInstaller's code, as it is
        self.msg = "Failed to load dynlib/dll %r. Most likely this dynlib/dll was not found when the application was frozen." % name  # noqa: E501, UP031
        self.args = (self.msg,)


LOADER_ERROR = "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"


def frozen_load_error(plugin: str) -> OSError:
    try:
        try:
            raise OSError(LOADER_ERROR)
        except Exception as base_error:
            raise PyInstallerImportError(plugin) from base_error
    except OSError as exc:
        return exc


def test_in_the_frozen_app_the_real_library_is_named_not_pyinstallers_words():
    error = frozen_load_error("/opt/mpgui/_internal/PySide6/Qt/plugins/platforms/libqxcb.so")
    text = missing_library_message(error)
    assert text.startswith("mpgui's window needs the system library libxcb-cursor.so.0, "
                           "which is missing.\nOn Debian or Ubuntu: sudo apt install "
                           "libxcb-cursor0")
    assert "frozen" not in text and "dll" not in text
    # the same words as the pip install's, where the loader's error comes bare
    assert text == missing_library_message(LOADER_ERROR) == missing_library_message(
        OSError(LOADER_ERROR))


def test_a_library_the_table_does_not_know_is_still_named():
    text = missing_library_message(OSError("libxcb-xinerama.so.0: cannot open shared object "
                                           "file: No such file or directory"))
    assert "system library libxcb-xinerama.so.0, which is missing" in text
    assert "provides it" in text


def test_pyinstallers_own_hook_keeps_the_name_we_report():
    """PyInstaller's real ctypes hook, installed as the frozen app has it, on a library
    that is not there: the message names that library."""
    pytest.importorskip("PyInstaller")
    code = (
        "import sys, tempfile, ctypes\n"
        "sys._MEIPASS = tempfile.mkdtemp()\n"
        "from PyInstaller.loader import pyimod03_ctypes\n"
        "pyimod03_ctypes.install()\n"
        "from mpgui.ui.failure import missing_library_message\n"
        "try:\n"
        "    ctypes.CDLL('libmpgui-absent.so.7')\n"
        "except OSError as exc:\n"
        "    assert 'frozen' in str(exc), exc\n"
        "    print(missing_library_message(exc))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("mpgui's window needs the system library "
                                 "libmpgui-absent.so.7, which is missing.")


def test_the_window_s_arrays_get_no_huge_pages_and_children_are_left_alone():
    """numpy's huge-page request made the first write into each new 2 MB of a growing
    chart column a stall of several ms in one frame: the window's process turns it off
    (`no_huge_page_stalls`), through numpy's own switch, not through the environment
    that children and traced scripts inherit."""
    asks = ("try:\n    from numpy._core import multiarray\n"
            "except ImportError:\n    from numpy.core import multiarray\n"
            "asks = multiarray._get_madvise_hugepage\n")
    code = asks + (
        "import os, subprocess, sys\n"
        "before = asks()\n"
        "from mpgui.ui.app import make_app\n"
        "make_app()\n"
        f"child = subprocess.run([sys.executable, '-c', {asks + 'print(asks())'!r}],\n"
        "                       capture_output=True, text=True)\n"
        "print(before, asks(), 'NUMPY_MADVISE_HUGEPAGE' in os.environ, child.stdout.strip())\n")
    env = env_without_display()
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("NUMPY_MADVISE_HUGEPAGE", None)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 0, res.stderr
    before, after, in_env, child = res.stdout.split()
    assert after == "False" and in_env == "False"
    assert child == before  # a child's numpy decides as it would have


@pytest.mark.skipif("glibc" not in (os.confstr("CS_GNU_LIBC_VERSION") or ""),
                    reason="glibc's allocator only")
def test_the_window_s_big_arrays_get_pages_of_their_own():
    """A run's columns grow by appends; in glibc's heap a block that cannot grow where
    it is gets copied into fresh memory (ticks of up to 170 ms with 256 children). The
    window's process maps big blocks on their own (`big_arrays_grow_in_place`), so
    they grow by remapping: even after a block as big was freed, which by glibc's
    default moves such blocks into the heap."""
    code = (
        "import ctypes\n"
        "class Info(ctypes.Structure):\n"
        "    _fields_ = [(n, ctypes.c_size_t) for n in ('arena', 'ordblks', 'smblks',\n"
        "                'hblks', 'hblkhd', 'usmblks', 'fsmblks', 'uordblks',\n"
        "                'fordblks', 'keepcost')]\n"
        "libc = ctypes.CDLL(None)\n"
        "libc.mallinfo2.restype = Info\n"
        "libc.malloc.restype, libc.free.argtypes = ctypes.c_void_p, (ctypes.c_void_p,)\n"
        "def mapped(size):  # is a fresh block of `size` mapped on its own?\n"
        "    libc.free(libc.malloc(24 << 20))  # (glibc's default: such blocks go to the heap)\n"
        "    before = libc.mallinfo2().hblkhd\n"
        "    block = libc.malloc(size)\n"
        "    grew = libc.mallinfo2().hblkhd - before\n"
        "    libc.free(block)\n"
        "    return grew >= size\n"
        "import sys\n"
        "if sys.argv[1] == 'window':\n"
        "    from mpgui.ui.app import make_app\n"
        "    make_app()\n"
        "print(mapped(8 << 20), mapped(64 << 10))\n")
    # (glibc's default, which a bare interpreter mostly shows as "False False", is not
    # checked: whether its heap can serve the block depends on the process's history.)
    env = env_without_display()
    env["QT_QPA_PLATFORM"] = "offscreen"
    res = subprocess.run([sys.executable, "-c", code, "window"], capture_output=True,
                         text=True, timeout=120, env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "True False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads counted in /proc")
def test_the_window_paints_on_its_own_thread_and_children_inherit_nothing_of_it():
    """Qt's raster engine would cut a tall fill into pieces for a pool of threads and
    wait for them — on cores a run's children keep busy (`paint_on_one_thread`). The
    window's process starts no such thread, and the variable that tells Qt so is not
    left in the environment that children and traced scripts inherit."""
    code = ("import os\n"
            "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from mpgui.ui.app import make_app\n"
            "make_app()\n"
            "from PySide6.QtGui import QColor, QImage, QPainter\n"
            "before = len(os.listdir('/proc/self/task'))\n"
            "image = QImage(1600, 900, QImage.Format.Format_ARGB32_Premultiplied)\n"
            "painter = QPainter(image)\n"
            "painter.fillRect(0, 0, 1600, 900, QColor(1, 2, 3, 100))\n"
            "painter.end()\n"
            "print(len(os.listdir('/proc/self/task')) - before,\n"
            "      'QT_NO_GUI_THREADPOOL' in os.environ)\n")
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env=env)
    assert out.stdout.split() == ["0", "False"], out.stdout + out.stderr
