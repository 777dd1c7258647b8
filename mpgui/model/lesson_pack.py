"""Lesson packs: a teacher's own scenarios (and exercises), with Markdown explanations
and images, as one ``.mpgpack`` file (a zip) or a folder.

A pack is data only. Reading one runs no code and trusts nothing in it: every member's
name is checked (no absolute path, no ``..``, no link, a known kind of file), sizes and
counts are limited before anything is read (a zip bomb is refused from its directory),
each scenario is loaded as any scenario file is, each image must be the image its name
says. A pack that breaks a rule is refused whole, with one message naming the member
and the rule. Installed packs live in the user's data folder, each in a folder of its
own, written through the one atomic writer into a temporary folder first and renamed
into place, so an import never leaves half a pack.

The layout::

    pack.toml            optional: title = "...", description = "..." (Markdown)
    01-first.toml        a scenario (gallery order from the names, as the built-ins)
    01-first.md          optional: its explanation, in Markdown (replaces [about]'s)
    images/loop.png      images the Markdown shows (png, jpeg or gif)
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from mpgui.i18n import _
from mpgui.model.builtins import packs_dir
from mpgui.model.escape import shown
from mpgui.model.fileformat import (
    MAX_FILE_BYTES,
    SUFFIX,
    ScenarioFileError,
    WriteError,
    atomic_write,
    parse_scenario,
)
from mpgui.model.scenario import Scenario
from mpgui.model.userfile import check_regular, read_bounded

MANIFEST = "pack.toml"
MAX_PACK_BYTES = 20_000_000  # an .mpgpack file
MAX_TOTAL_BYTES = 50_000_000  # everything in it, unpacked
MAX_MEMBERS = 200
MAX_SCENARIOS = 100
MAX_IMAGE_BYTES = 5_000_000
MAX_TEXT_BYTES = 200_000  # a Markdown file
MAX_NAME = 120  # characters of a member's path
MAX_DEPTH = 2  # "images/loop.png": one folder deep
IMAGES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
          ".jpeg": (b"\xff\xd8\xff",), ".gif": (b"GIF87a", b"GIF89a")}
TEXTS = (SUFFIX, ".md")
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._+-]*")


class PackError(ValueError):
    """A lesson pack that cannot be read, written or installed; the message says why."""


@dataclass(frozen=True)
class Pack:
    """A lesson pack, read and checked: its title, its Markdown description, its
    scenarios by name (in gallery order) and every member's bytes."""

    slug: str  # its folder's name once installed
    title: str
    description: str
    scenarios: tuple[tuple[str, Scenario], ...]
    members: tuple[tuple[str, bytes], ...]


def read_pack(source: str | os.PathLike[str]) -> Pack:
    """The pack in `source`, an ``.mpgpack`` file or a folder. Raises PackError."""
    path = Path(source)
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        is_dir = False
    members = _folder_members(path) if is_dir else _zip_members(path)
    return pack_from_members(members, _slug(path.stem if not is_dir else path.name))


def pack_from_members(members: dict[str, bytes], slug: str) -> Pack:
    """A pack from its members' names and bytes, each checked. Raises PackError."""
    scenarios: list[tuple[str, Scenario]] = []
    for name in sorted(members):
        _check_member(name, members[name])
    manifest: dict[str, object] = {}
    if MANIFEST in members:
        try:
            manifest = tomllib.loads(members[MANIFEST].decode("utf-8"))
        except (UnicodeError, tomllib.TOMLDecodeError) as exc:
            raise PackError(_("{manifest}: not valid TOML ({error})").format(
                manifest=MANIFEST, error=exc)) from None
        unknown = sorted(set(manifest) - {"title", "description"})
        if unknown:
            raise PackError(_("{manifest}: only title and description, as text, are read "
                              "(not {key})").format(manifest=MANIFEST, key=repr(unknown[0])))
        if not all(isinstance(v, str) for v in manifest.values()):
            raise PackError(_("{manifest}: only title and description, as text, are "
                              "read").format(manifest=MANIFEST))
    for name in sorted(members):
        if not name.endswith(SUFFIX) or name == MANIFEST:
            continue
        try:
            scenario = parse_scenario(members[name], source=name)
        except ScenarioFileError as exc:
            raise PackError(f"{name}: {exc}") from None
        text = members.get(name.removesuffix(SUFFIX) + ".md")
        if text is not None:  # its explanation, in Markdown
            scenario = replace(scenario, about=replace(
                scenario.about, explanation=text.decode("utf-8").strip()))
        scenarios.append((scenario_name(name), scenario))
    if not scenarios:
        raise PackError(_("it holds no scenario (.toml file)"))
    if len(scenarios) > MAX_SCENARIOS:
        raise PackError(_("it holds {n} scenarios; a pack holds at most {most}").format(
            n=len(scenarios), most=MAX_SCENARIOS))
    title = str(manifest.get("title", "")).strip() or slug.replace("-", " ").capitalize()
    return Pack(slug, title[:80], str(manifest.get("description", "")),
                tuple(scenarios), tuple(sorted(members.items())))


def scenario_name(member: str) -> str:
    """A pack scenario's name from its file's: ``01-first.toml`` -> ``first`` (as the
    built-ins are named)."""
    stem = Path(member).stem
    head, sep, tail = stem.partition("-")
    return tail if sep and head.isdigit() else stem


def _check_member(name: str, data: bytes) -> None:
    parts = name.split("/")
    if len(name) > MAX_NAME or len(parts) > MAX_DEPTH or not all(
            _SAFE_PART.fullmatch(p) for p in parts):
        raise PackError(_("{name}: not a name a pack may hold (letters, digits, . _ + - "
                          "and spaces; at most one folder deep)").format(
                              name=shown(name[:MAX_NAME])))
    suffix = Path(name).suffix.lower()
    if suffix in TEXTS:
        limit = MAX_FILE_BYTES if suffix == SUFFIX else MAX_TEXT_BYTES
        if len(data) > limit:
            raise PackError(_("{name}: {size:,} bytes; at most {limit:,}").format(
                name=name, size=len(data), limit=limit))
        try:
            data.decode("utf-8")
        except UnicodeError:
            raise PackError(_("{name}: not UTF-8 text").format(name=name)) from None
        return
    if suffix in IMAGES:
        if len(data) > MAX_IMAGE_BYTES:
            raise PackError(_("{name}: {size:,} bytes; an image is at most {limit:,}").format(
                name=name, size=len(data), limit=MAX_IMAGE_BYTES))
        if not data.startswith(IMAGES[suffix]):
            raise PackError(_("{name}: not a {kind} image").format(
                name=name, kind=suffix[1:].upper()))
        return
    raise PackError(_("{name}: a pack holds only scenarios (.toml), Markdown (.md) "
                      "and images (.png, .jpg, .gif)").format(name=shown(name)))


def _zip_members(path: Path) -> dict[str, bytes]:
    try:
        data = read_bounded(path, MAX_PACK_BYTES, _("a lesson pack"), PackError)
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackError(_("{name} is not a lesson pack (not a zip file)").format(
            name=shown(path.name))) from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        _check_counts(len(infos), sum(i.file_size for i in infos))
        members: dict[str, bytes] = {}
        for info in infos:
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise PackError(_("{name}: a link; a pack holds files only").format(
                    name=shown(info.filename)))
            if info.filename in members:
                raise PackError(_("{name}: in the pack twice").format(
                    name=shown(info.filename)))
            try:
                # (at most its declared size: a member that says less and holds more —
                # a zip bomb — fails its CRC or size check here)
                members[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError,
                    EOFError) as exc:
                raise PackError(_("{name}: cannot be read ({error})").format(
                    name=shown(info.filename), error=exc)) from None
    return members


def _folder_members(path: Path) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    total = 0
    for entry in sorted(_walk(path, path, 1)):
        rel = entry.relative_to(path).as_posix()
        _check_counts(len(members) + 1, total)
        suffix = entry.suffix.lower()
        limit = MAX_IMAGE_BYTES if suffix in IMAGES else MAX_FILE_BYTES
        check_regular(entry, _("a file of a lesson pack"), PackError)
        members[rel] = read_bounded(entry, limit, _("a file of a lesson pack"), PackError)
        total += len(members[rel])
    _check_counts(len(members), total)
    return members


def _walk(root: Path, folder: Path, depth: int) -> list[Path]:
    out = []
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        raise PackError(_("cannot read {folder} ({reason})").format(
            folder=shown(folder), reason=exc.strerror)) from None
    for entry in entries:
        if entry.name.startswith("."):
            continue  # (.DS_Store, .git: not the teacher's material)
        if entry.is_symlink():
            raise PackError(_("{name}: a link; a pack holds files only").format(
                name=shown(entry.name)))
        if entry.is_dir():
            if depth >= MAX_DEPTH:
                raise PackError(_("{name}: a pack's folders are one level deep").format(
                    name=shown(Path(entry.path).relative_to(root))))
            out += _walk(root, Path(entry.path), depth + 1)
        else:
            out.append(Path(entry.path))
        if len(out) > MAX_MEMBERS:
            _check_counts(len(out), 0)
    return out


def _check_counts(n: int, total: int) -> None:
    if n > MAX_MEMBERS:
        raise PackError(_("it holds more than {most} files").format(most=MAX_MEMBERS))
    if total > MAX_TOTAL_BYTES:
        raise PackError(_("it unpacks to {size:.1f} MB; a pack is at most {most} MB").format(
            size=total / 1e6, most=MAX_TOTAL_BYTES // 1_000_000))


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return slug or "pack"


# -- writing ----------------------------------------------------------------------------

def pack_bytes(pack: Pack) -> bytes:
    """The pack as an ``.mpgpack`` file's bytes (a zip, members in order)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in pack.members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def export_pack(folder: str | os.PathLike[str], target: str | os.PathLike[str]) -> Pack:
    """Check the pack in `folder` and write it to `target` as an ``.mpgpack`` file
    (atomically). Raises PackError, or WriteError if it cannot be written."""
    pack = read_pack(folder)
    atomic_write(target, pack_bytes(pack))
    return pack


def install_pack(pack: Pack, into: Path | None = None) -> Path:
    """Install `pack` in `into` (`packs_dir()`), replacing an installed pack of the same
    slug; returns its folder. All or nothing: the files go to a temporary folder
    beside it, each through the atomic writer, and the folder is renamed into place.
    Raises WriteError."""
    into = into or packs_dir()
    try:
        into.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{pack.slug}-", dir=into))
    except OSError as exc:
        raise WriteError(_("cannot install the pack in {folder} ({reason})").format(
            folder=shown(into), reason=exc.strerror)) from None
    target = into / pack.slug
    old = into / f".{pack.slug}.old"
    try:
        for name, data in pack.members:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            atomic_write(staging / name, data)
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        staging.rename(target)
    except (OSError, WriteError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not target.exists():
            old.rename(target)  # (the pack it was to replace comes back)
        if isinstance(exc, WriteError):
            raise
        raise WriteError(_("cannot install the pack in {folder} ({reason})").format(
            folder=shown(into), reason=exc.strerror)) from None
    shutil.rmtree(old, ignore_errors=True)
    return target


def remove_pack(slug: str, into: Path | None = None) -> None:
    """Remove the installed pack `slug` (its folder). Raises WriteError."""
    folder = (into or packs_dir()) / _slug(slug)
    try:
        shutil.rmtree(folder)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise WriteError(_("cannot remove {folder} ({reason})").format(
            folder=shown(folder), reason=exc.strerror)) from None


def installed_packs(into: Path | None = None) -> list[tuple[Path, Pack | PackError]]:
    """The installed packs, by folder name: each read and checked again (a folder may
    have been changed by hand) — a pack, or why it cannot be used."""
    into = into or packs_dir()
    try:
        folders = sorted(p for p in into.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []
    out: list[tuple[Path, Pack | PackError]] = []
    for folder in folders:
        try:
            out.append((folder, read_pack(folder)))
        except PackError as exc:
            out.append((folder, exc))
    return out
