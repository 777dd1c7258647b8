"""Lesson packs: made from a folder, exported, imported and run; shown as a section of
the gallery with Markdown and images; and refused whole — naming the member and the
rule — when a pack is malformed or hostile."""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument

from mpgui.model.builtins import (
    builtin_names,
    builtin_section,
    load_builtin,
    pack_of,
    resolve_scenario,
)
from mpgui.model.fileformat import dump_scenario
from mpgui.model.lesson_pack import (
    MAX_MEMBERS,
    PackError,
    export_pack,
    install_pack,
    installed_packs,
    read_pack,
    remove_pack,
)
from mpgui.model.scenario import About, ProcessSpec, Scenario, Step
from mpgui.ui.classroom.gallery import NAME_ROLE
from tests.helpers import MPGUI, env_without_display


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG image (grey), made by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def scenario(title: str, message: str = "hello {i}") -> str:
    return dump_scenario(Scenario(
        (ProcessSpec("A", "worker", "sleep_loop", {"n": 2, "interval": 0.05}, message),),
        (Step("start", "A"), Step("join", "A")), About(title, "Plain words.", "n", "q?")))


def make_folder(root: Path) -> Path:
    folder = root / "Intro Course"
    (folder / "images").mkdir(parents=True)
    (folder / "pack.toml").write_text('title = "Intro to processes"\n'
                                      'description = "Two first steps."\n', encoding="utf-8")
    (folder / "01-first.toml").write_text(scenario("First steps"), encoding="utf-8")
    (folder / "01-first.md").write_text(
        "## A loop\n\nIt *sleeps*, then prints: `print(i)`.\n\n- one\n- two\n\n"
        "![the loop](images/loop.png)\n\n<b>raw</b>\n", encoding="utf-8")
    (folder / "02-second.toml").write_text(scenario("Second steps", "bye {i}"),
                                           encoding="utf-8")
    (folder / "images" / "loop.png").write_bytes(png(400, 50))
    return folder


def zipped(members: dict[str, bytes], **info: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            zi = zipfile.ZipInfo(name)
            for k, v in info.items():
                setattr(zi, k, v)
            z.writestr(zi, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_folder_exported_is_the_pack_imported(tmp_path, packs):
    folder = make_folder(tmp_path)
    target = tmp_path / "intro.mpgpack"
    pack = export_pack(folder, target)
    assert zipfile.is_zipfile(target)
    again = read_pack(target)
    assert again.members == pack.members and again.title == "Intro to processes"
    assert [name for name, _s in again.scenarios] == ["first", "second"]
    # The .md beside a scenario is its explanation.
    first = dict(again.scenarios)["first"]
    assert first.about.explanation.startswith("## A loop") and first.about.title == "First steps"
    installed = install_pack(again)
    assert installed == packs / "intro" and (installed / "images" / "loop.png").is_file()
    from mpgui.model.builtins import refresh_builtins
    refresh_builtins()
    assert builtin_names()[-2:] == ["intro:first", "intro:second"]
    assert builtin_section("intro:first") == "Intro to processes"
    assert load_builtin("intro:second").about.title == "Second steps"
    assert resolve_scenario("intro:first") == (first, None)
    assert pack_of("intro:first")[1] == installed
    # mpgui run PACK:NAME runs it.
    run = subprocess.run([*MPGUI, "run", "intro:second", "--quiet"], capture_output=True,
                         text=True, timeout=120,
                         env=dict(env_without_display(), XDG_DATA_HOME=str(packs.parent.parent)))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["bye 0", "bye 1"]
    remove_pack("intro")
    assert installed_packs() == []


def test_importing_again_replaces_the_installed_pack(tmp_path, packs):
    folder = make_folder(tmp_path)
    install_pack(read_pack(folder))
    (folder / "02-second.toml").unlink()
    install_pack(read_pack(folder))
    [(where, pack)] = installed_packs()
    assert where.name == "intro-course" and [n for n, _s in pack.scenarios] == ["first"]
    assert sorted(p.name for p in packs.iterdir()) == ["intro-course"]  # nothing left over


BAD_MEMBERS = [
    ({"../evil.toml": scenario("x").encode()}, "not a name a pack may hold"),
    ({"/etc/evil.toml": scenario("x").encode()}, "not a name a pack may hold"),
    ({"a/b/c.toml": scenario("x").encode()}, "not a name a pack may hold"),
    ({"ok.toml": scenario("x").encode(), "run.py": b"import os"}, "only scenarios"),
    ({"ok.toml": scenario("x").encode(), "x.png": b"<svg onload=alert(1)>"}, "not a PNG"),
    ({"ok.toml": b"format = 99\n"}, "ok.toml: format: version 99"),
    ({"ok.toml": scenario("x").encode(), "ok.md": b"\xff\xfe"}, "not UTF-8"),
    ({"notes.md": b"# only notes"}, "no scenario"),
    ({"ok.toml": scenario("x").encode(), "pack.toml": b"script = 'x'"}, "only title and"),
    ({f"s{i}.toml": b"format = 4\n" for i in range(MAX_MEMBERS + 1)}, "more than 200 files"),
]


@pytest.mark.parametrize("members, says", BAD_MEMBERS)
def test_a_bad_pack_is_refused_whole_naming_the_problem(tmp_path, packs, members, says):
    path = tmp_path / "bad.mpgpack"
    path.write_bytes(zipped(members))
    with pytest.raises(PackError) as info:
        read_pack(path)
    assert says in str(info.value)
    assert installed_packs() == []


def test_a_zip_bomb_a_link_and_not_a_zip_are_refused(tmp_path, packs):
    bomb = tmp_path / "bomb.mpgpack"
    bomb.write_bytes(zipped({"ok.toml": scenario("x").encode(),
                             "big.md": b" " * 60_000_000}))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(PackError, match=re.escape("unpacks to 60.0 MB; a pack is at most 50 MB")):
        read_pack(bomb)
    link = tmp_path / "link.mpgpack"
    link.write_bytes(zipped({"ok.toml": scenario("x").encode(), "l.toml": b"/etc/passwd"},
                            external_attr=0o120777 << 16))
    with pytest.raises(PackError, match="a link"):
        read_pack(link)
    text = tmp_path / "text.mpgpack"
    text.write_text("hello")
    with pytest.raises(PackError, match="not a zip file"):
        read_pack(text)
    folder = make_folder(tmp_path)
    os.symlink("/etc/passwd", folder / "passwd.toml")
    with pytest.raises(PackError, match=re.escape("passwd.toml: a link")):
        read_pack(folder)
    os.unlink(folder / "passwd.toml")
    os.mkfifo(folder / "fifo.toml")  # refused unopened: nothing waits on it
    with pytest.raises(PackError, match="FIFO"):
        read_pack(folder)


# -- in the window -----------------------------------------------------------------------

def test_an_imported_pack_is_a_gallery_section_with_markdown_and_images(qtbot, window,
                                                                         tmp_path, packs):
    target = tmp_path / "intro.mpgpack"
    export_pack(make_folder(tmp_path), target)
    assert window.open_file(target)  # as a drop or a double-click does
    g = window.gallery
    texts = [g.item(r).text() for r in range(g.count())]
    heading = texts.index("Intro to processes")
    assert texts[heading + 1:] == ["1. First steps", "2. Second steps"]
    assert window.doc.builtin == "intro:first"  # its first scenario, opened
    assert "Imported “Intro to processes”: 2 scenarios" in window.statusBar().currentMessage()
    shown = window.explanation.toHtml()
    assert "A loop" in window.explanation.toPlainText() and "<li" in shown
    assert "&lt;b&gt;raw&lt;/b&gt;" in shown  # raw HTML is text, not markup
    image = window.explanation.loadResource(
        int(QTextDocument.ResourceType.ImageResource.value), QUrl("images/loop.png"))
    assert isinstance(image, QImage) and 0 < image.width() <= window.explanation.width()
    # Nothing outside the pack's folder is shown.
    assert window.explanation.loadResource(
        int(QTextDocument.ResourceType.ImageResource.value), QUrl("../../x.png")) is None
    # Presentation mode shows the picture too: the pack's file, no wider than the header
    # and at most a fifth of the window's height (400 x 50 here: as wide as fits).
    window.presentation.enter()
    qtbot.waitUntil(lambda: window.presentation.active)
    header = window.header
    found = re.search(r'<img src="([^"]+)" width="(\d+)" height="(\d+)"', header.label.text())
    assert found is not None, header.label.text()
    assert QUrl(found[1]).toLocalFile().endswith("/images/loop.png")
    assert 0 < int(found[2]) <= header.width() and int(found[3]) <= window.height() * 0.2
    window.presentation.leave()
    # The pack's scenario runs like a built-in.
    window.acts["run"].trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=30_000)
    assert "hello 1" in window.console.toPlainText()
    # Removed: its section goes.
    assert window.packs.remove("intro")
    assert "Intro to processes" not in [g.item(r).text() for r in range(g.count())]
    assert not any((g.item(r).data(NAME_ROLE) or "").startswith("intro:")
                   for r in range(g.count()))


def test_a_bad_pack_dropped_says_why_and_installs_nothing(window, said, tmp_path, packs):
    bad = tmp_path / "bad.mpgpack"
    bad.write_bytes(zipped({"run.py": b"print(1)"}))
    assert not window.open_file(bad)
    messages, _answers = said
    assert any("bad.mpgpack" in m and "only scenarios" in m for m in messages)
    assert installed_packs() == []


def test_export_from_the_window_writes_one_file(window, tmp_path, packs):
    assert window.packs.export(make_folder(tmp_path), tmp_path / "out")
    assert read_pack(tmp_path / "out.mpgpack").title == "Intro to processes"
