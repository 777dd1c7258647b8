"""The tarball's per-user installer (packaging/install-user.sh): its menu entry starts
the installed app from any home folder — one with a space, quotes, $, a backslash or a
% in its name — as GLib's own desktop-entry launcher (gio launch) reads it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not shutil.which("gio") or not shutil.which("sh"),
                                reason="needs gio (libglib2.0-bin) and a POSIX sh")


def unpacked_tarball(where: Path) -> Path:
    """The tarball's layout, with a stand-in app that records how it was started."""
    top = where / "mpgui-0"
    app = top / "mpgui" / "mpgui"
    app.parent.mkdir(parents=True)
    app.write_text('#!/bin/sh\nprintf "%s\\n" "$0" "$@" > "$MPGUI_STARTED.tmp"\n'
                   'mv "$MPGUI_STARTED.tmp" "$MPGUI_STARTED"\n')
    app.chmod(0o755)
    shutil.copy(ROOT / "packaging" / "install-user.sh", top / "install.sh")
    (top / "share" / "applications").mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "mpgui.desktop", top / "share/applications/mpgui.desktop")
    (top / "share/icons/hicolor/48x48/apps").mkdir(parents=True)
    (top / "share/mime/packages").mkdir(parents=True)
    shutil.copy(ROOT / "resources/mime/mpgui.xml", top / "share/mime/packages/mpgui.xml")
    (top / "share/man/man1").mkdir(parents=True)
    (top / "share/man/man1/mpgui.1.gz").write_bytes(b"")
    return top


@pytest.mark.parametrize("home_name", ["my home", 'odd "q" `b` $HOME \\x', "plain"])
def test_the_menu_entry_starts_the_app_from_a_home_with_odd_characters(tmp_path, home_name):
    top = unpacked_tarball(tmp_path)
    home = tmp_path / home_name
    home.mkdir()
    started = tmp_path / "started"
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"),
               MPGUI_STARTED=str(started))
    subprocess.run(["sh", str(top / "install.sh")], env=env, check=True,
                   capture_output=True, timeout=60)
    entry = home / ".local/share/applications/mpgui.desktop"
    exec_line = next(x for x in entry.read_text().splitlines() if x.startswith("Exec="))
    assert exec_line.endswith(" %f") and exec_line.startswith('Exec="')
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(entry)], check=True)
    scenario = tmp_path / "a lesson.mpg.toml"
    scenario.write_text("")
    subprocess.run(["gio", "launch", str(entry), str(scenario)], env=env, check=True,
                   capture_output=True, timeout=30)
    deadline = time.monotonic() + 20
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # gio launch returns before the app has run
    assert started.read_text().splitlines() == [str(home / ".local/opt/mpgui/mpgui"),
                                                str(scenario)]
    assert (home / ".local/share/mime/packages/mpgui.xml").is_file()
    subprocess.run(["sh", str(top / "install.sh"), "--uninstall"], env=env, check=True,
                   capture_output=True, timeout=60)
    assert not entry.exists() and not (home / ".local/opt/mpgui").exists()
    assert not (home / ".local/share/mime/packages/mpgui.xml").exists()


def test_a_home_with_a_line_break_is_refused_with_one_line(tmp_path):
    top = unpacked_tarball(tmp_path)
    home = tmp_path / "two\nlines"
    home.mkdir()
    res = subprocess.run(["sh", str(top / "install.sh")], capture_output=True, text=True,
                         env=dict(os.environ, HOME=str(home),
                                  XDG_DATA_HOME=str(home / ".local/share")), timeout=60)
    assert res.returncode == 2 and "line break" in res.stderr
    assert not (home / ".local/opt/mpgui").exists()


def test_a_percent_sign_is_written_as_the_standard_says_and_noted(tmp_path):
    """GLib (gio launch) does not undo the spec's %% before it looks for the program, so
    such an entry cannot start there: written correctly anyway, and the user told."""
    top = unpacked_tarball(tmp_path)
    home = tmp_path / "100% me"
    home.mkdir()
    res = subprocess.run(["sh", str(top / "install.sh")], capture_output=True, text=True,
                         env=dict(os.environ, HOME=str(home),
                                  XDG_DATA_HOME=str(home / ".local/share")), timeout=60)
    assert res.returncode == 0 and "has a % in it" in res.stdout
    entry = (home / ".local/share/applications/mpgui.desktop").read_text()
    assert f'Exec="{tmp_path}/100%% me/.local/opt/mpgui/mpgui" %f' in entry.splitlines()
