"""The files that make mpgui a desktop citizen: MIME types, AppStream metainfo, the man
page generated from the argument parsers, the changelog, the DEP-5 copyright file and
the .deb's md5sums — each checked as its consumer reads it."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mpgui import __version__
from mpgui.cli import _parsers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import desktop_files  # noqa: E402
from manpage import manpage, roff  # noqa: E402

needs = {tool: pytest.mark.skipif(not shutil.which(tool), reason=f"needs {tool}")
         for tool in ("appstreamcli", "man", "update-mime-database", "gio",
                      "dpkg-parsechangelog", "desktop-file-validate")}


@needs["appstreamcli"]
def test_the_metainfo_validates():
    subprocess.run(["appstreamcli", "validate", "--no-net", str(desktop_files.METAINFO)],
                   check=True, capture_output=True)


def test_the_newest_release_is_this_version_everywhere():
    releases = ET.parse(desktop_files.METAINFO).getroot().find("releases")
    assert releases[0].get("version") == __version__
    heading = re.search(r"^## (\S+) — ", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert heading and heading[1] == __version__


def test_the_metainfo_names_the_desktop_entry_and_its_types():
    root = ET.parse(desktop_files.METAINFO).getroot()
    assert root.find("launchable").text == "mpgui.desktop"
    entry = (ROOT / "resources" / "mpgui.desktop").read_text()
    types = re.search(r"^MimeType=(.*)$", entry, re.M)[1].split(";")
    mime = ET.parse(desktop_files.MIME_XML).getroot()
    declared = [t.get("type") for t in mime]
    assert set(declared) <= set(types) and "text/x-python" in types
    assert sorted(m.text for m in root.iter("mediatype")) == sorted(declared)


def test_the_man_page_has_every_option_of_every_command():
    parsers = _parsers()
    page = manpage(__version__, parsers)
    for parser in parsers.values():
        for action in parser._actions:
            for option in action.option_strings:
                assert roff(option) in page, option
    assert roff("-x\n.y") == "\\-x\n\\&.y"  # no line of help text read as a request


@needs["man"]
def test_man_renders_the_page_without_warnings(tmp_path):
    page = tmp_path / "mpgui.1"
    page.write_text(manpage(__version__, _parsers()))
    res = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True,
                         text=True, env=dict(os.environ, MANWIDTH="80"), check=True)
    assert "mpgui trace" in res.stdout and "--start-method" in res.stdout.replace("‐", "-")
    assert not res.stderr.strip()


@needs["dpkg-parsechangelog"]
def test_the_debian_changelog_parses(tmp_path):
    log = tmp_path / "changelog"
    log.write_text(desktop_files.debian_changelog("The mpgui team <m@example.org>"))
    res = subprocess.run(["dpkg-parsechangelog", "-l", str(log), "-S", "Version"],
                         capture_output=True, text=True, check=True)
    assert res.stdout.strip() == __version__


def test_the_copyright_file_is_dep5_with_each_licence():
    text = desktop_files.copyright_file()
    assert text.startswith("Format: https://www.debian.org/doc/packaging-manuals/"
                           "copyright-format/1.0/\n")
    licences = re.findall(r"^License: (\S+)", text, re.M)
    assert {"MIT", "LGPL-3", "PSF-2.0", "BSD-3-Clause"} <= set(licences)
    assert all(line.startswith((" ", "\t")) or not line or ":" in line
               for line in text.splitlines())


def test_md5sums_list_the_files_not_the_symlinks(tmp_path):
    (tmp_path / "DEBIAN").mkdir()
    (tmp_path / "opt/mpgui").mkdir(parents=True)
    (tmp_path / "opt/mpgui/mpgui").write_bytes(b"app")
    (tmp_path / "usr/bin").mkdir(parents=True)
    (tmp_path / "usr/bin/mpgui").symlink_to("/opt/mpgui/mpgui")
    desktop_files.write_md5sums(tmp_path)
    assert (tmp_path / "DEBIAN/md5sums").read_text() == \
        f"{hashlib.md5(b'app').hexdigest()}  opt/mpgui/mpgui\n"


def test_gzip_is_reproducible(tmp_path):
    desktop_files.gzip_to("page", tmp_path / "a.gz")
    desktop_files.gzip_to("page", tmp_path / "b.gz")
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.gz").read_bytes()) == b"page"


@needs["update-mime-database"]
@needs["gio"]
def test_the_desktop_knows_scenarios_and_run_files(tmp_path):
    mime = tmp_path / "share" / "mime"
    (mime / "packages").mkdir(parents=True)
    shutil.copy(desktop_files.MIME_XML, mime / "packages" / "mpgui.xml")
    subprocess.run(["update-mime-database", str(mime)], check=True, capture_output=True)
    from mpgui.model.builtins import load_builtin
    from mpgui.model.fileformat import dump_scenario

    files = {"lesson.mpg.toml": (dump_scenario(load_builtin("seed")).encode(),
                                 "application/x-mpgui-scenario"),
             "demo.mpgrun": (gzip.compress(b"{}"), "application/x-mpgui-run"),
             "course.mpgpack": (b"PK\x05\x06" + bytes(18), "application/x-mpgui-pack"),
             "pyproject.toml": (b"[project]\n", "application/toml")}  # other TOML: as was
    env = dict(os.environ, XDG_DATA_DIRS=f"{tmp_path / 'share'}:/usr/share",
               XDG_DATA_HOME=str(tmp_path / "home"))
    for name, (data, wanted) in files.items():
        (tmp_path / name).write_bytes(data)
        res = subprocess.run(["gio", "info", "-a", "standard::content-type",
                              str(tmp_path / name)], capture_output=True, text=True,
                             env=env, check=True)
        assert f"standard::content-type: {wanted}" in res.stdout, name


@needs["desktop-file-validate"]
def test_the_desktop_entry_validates():
    subprocess.run(["desktop-file-validate", str(ROOT / "resources" / "mpgui.desktop")],
                   check=True)
