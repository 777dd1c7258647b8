"""Start-up: the self-test of an installation, and failures said where a double-click
user sees them."""

from __future__ import annotations

import subprocess

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
