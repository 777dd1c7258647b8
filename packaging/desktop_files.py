"""The files that make mpgui a Linux desktop citizen, for the .deb and the tarball:
MIME types, AppStream metainfo, the man page, the changelog, the machine-readable
copyright file and the .deb's md5sums. Called by artifacts.py.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import sys
import textwrap
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
from manpage import manpage  # noqa: E402  (beside this file)

MIME_XML = ROOT / "resources" / "mime" / "mpgui.xml"
APP_ID = "io.github.mpgui.mpgui"
METAINFO = ROOT / "resources" / f"{APP_ID}.metainfo.xml"
CHANGELOG = ROOT / "CHANGELOG.md"


def gzip_to(text: str, target: Path) -> None:
    """`text` gzipped into `target`, reproducibly (no name, no time in the header)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                 compresslevel=9, mtime=0) as out:
        out.write(text.encode("utf-8"))


def man_page(version: str) -> str:
    """mpgui(1), from the command line's parsers (packaging/manpage.py)."""
    sys.path.insert(0, str(ROOT))
    from mpgui.cli import _parsers

    return manpage(version, _parsers())


def debian_changelog(maintainer: str) -> str:
    """CHANGELOG.md's releases in the Debian changelog format (newest first)."""
    text = CHANGELOG.read_text(encoding="utf-8")
    out = []
    for m in re.finditer(r"^## (\S+) — (\d{4}-\d{2}-\d{2})\n(.*?)(?=^## |\Z)", text,
                         re.S | re.M):
        version, date, body = m.groups()
        items = [" ".join(item.split())
                 for item in re.findall(r"^- (.*?)(?=^- |^\s*$|\Z)", body, re.S | re.M)]
        when = format_datetime(datetime.fromisoformat(date).replace(tzinfo=UTC))
        out.append(f"mpgui ({version}) unstable; urgency=medium\n\n"
                   + "".join(textwrap.fill(item, 78, initial_indent="  * ",
                                           subsequent_indent="    ") + "\n"
                             for item in items)
                   + f"\n -- {maintainer}  {when}\n")
    return "\n".join(out)


def copyright_file() -> str:
    """/usr/share/doc/mpgui/copyright, machine-readable (DEP-5)."""
    return """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: mpgui
Upstream-Contact: The mpgui team <mpgui@users.noreply.example>
Comment: mpgui is a PyInstaller bundle under /opt/mpgui: it carries Python, Qt (through
 PySide6), pyqtgraph and numpy. Their own licence files are in /opt/mpgui/_internal.

Files: *
Copyright: The mpgui team
License: MIT

Files: opt/mpgui/_internal/PySide6/* opt/mpgui/_internal/shiboken6/*
Copyright: The Qt Company Ltd. and other contributors
License: LGPL-3
 Qt and PySide6 are used under the GNU Lesser General Public License version 3. They
 are bundled as the unmodified shared libraries from the PySide6 wheels, so they can be
 replaced. On Debian systems, the full text is in /usr/share/common-licenses/LGPL-3.

Files: opt/mpgui/_internal/pyqtgraph/*
Copyright: Luke Campagnola and the pyqtgraph contributors
License: MIT

Files: opt/mpgui/_internal/numpy/* opt/mpgui/_internal/numpy.libs/*
Copyright: NumPy Developers
License: BSD-3-Clause
 See /opt/mpgui/_internal/numpy-*.dist-info/LICENSE.txt for the full text, with the
 licences of the libraries numpy bundles (OpenBLAS, LAPACK, gfortran runtime).

Files: opt/mpgui/_internal/libpython* opt/mpgui/_internal/base_library.zip
 opt/mpgui/_internal/lib-dynload/*
Copyright: Python Software Foundation
License: PSF-2.0
 The Python Software Foundation License Version 2, as at
 https://docs.python.org/3/license.html

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this
 software and associated documentation files (the "Software"), to deal in the Software
 without restriction, including without limitation the rights to use, copy, modify,
 merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
 permit persons to whom the Software is furnished to do so, subject to the following
 conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies
 or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
 INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
 PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
 HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
 CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
 THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def install_deb_files(stage: Path, version: str, maintainer: str) -> None:
    """Put the desktop files into the .deb's tree `stage` (usr/share/...)."""
    share = stage / "usr" / "share"
    for source, target in ((MIME_XML, share / "mime" / "packages" / "mpgui.xml"),
                           (METAINFO, share / "metainfo" / METAINFO.name)):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    gzip_to(man_page(version), share / "man" / "man1" / "mpgui.1.gz")
    doc = share / "doc" / "mpgui"
    gzip_to(debian_changelog(maintainer), doc / "changelog.gz")
    doc.mkdir(parents=True, exist_ok=True)
    (doc / "copyright").write_text(copyright_file(), encoding="utf-8")


def install_tarball_files(share: Path, version: str) -> None:
    """The MIME types and the man page for the tarball's share/ (install.sh places
    them under ~/.local/share)."""
    target = share / "mime" / "packages" / "mpgui.xml"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(MIME_XML, target)
    gzip_to(man_page(version), share / "man" / "man1" / "mpgui.1.gz")


def write_md5sums(stage: Path) -> None:
    """DEBIAN/md5sums: every regular file of the package (symlinks are not listed), as
    dpkg --verify and debsums check them."""
    lines = []
    for path in sorted(stage.rglob("*")):
        rel = path.relative_to(stage)
        if rel.parts[0] == "DEBIAN" or path.is_symlink() or not path.is_file():
            continue
        digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
        lines.append(f"{digest}  {rel.as_posix()}\n")
    (stage / "DEBIAN" / "md5sums").write_text("".join(lines), encoding="utf-8")
