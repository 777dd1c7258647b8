"""Make the tarball and the .deb from the PyInstaller bundle in dist/mpgui.

    python packaging/artifacts.py VERSION

dist/mpgui-VERSION-linux-x86_64.tar.gz: the bundle, a per-user installer (install.sh),
the desktop entry and the icons. dist/mpgui_VERSION_amd64.deb: the bundle under
/opt/mpgui, /usr/bin/mpgui, the desktop entry and the hicolor icons, with Depends
computed from what the bundle's ELF files link against outside the bundle (the
libraries Qt's xcb plugin needs among them) and the glibc version their symbols require.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

from desktop_files import install_deb_files, install_tarball_files, write_md5sums

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
BUNDLE = DIST / "mpgui"
ICONS = ROOT / "build" / "icons"
# What Qt's xcb platform plugin needs from the system: always declared, whatever the
# build machine's ldd says.
REQUIRED = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0",
            "libegl1")
MAINTAINER = "The mpgui team <mpgui@users.noreply.example>"
DESCRIPTION = """See Python multiprocessing: processes, cores, start() and join()
 mpgui runs real Python child processes and draws, live, which process ran on which
 CPU core and when, when the parent waited in join(), and what each one printed.
 For teaching and learning multiprocessing; built-in scenarios explain one idea each."""


def elf_files(folder: Path) -> list[Path]:
    """Every ELF executable or shared library under `folder`."""
    out = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def system_libraries(files: list[Path], bundle: Path) -> set[str]:
    """The libraries outside `bundle` that `files` load (as ldd resolves them)."""
    found: set[str] = set()
    for path in files:
        res = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
        for line in res.stdout.splitlines():
            m = re.match(r"\s*\S+ => (/\S+) \(0x", line)
            if m and not Path(m[1]).resolve().is_relative_to(bundle.resolve()):
                found.add(m[1])
    return found


def packages_of(libraries: set[str]) -> set[str]:
    """The Debian packages that ship `libraries`."""
    packages = set()
    for lib in sorted(libraries):
        for candidate in (lib, str(Path(lib).resolve())):
            res = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True,
                                 check=False)
            if res.returncode == 0:
                packages.add(res.stdout.split(":", 1)[0].strip())
                break
        else:
            print(f"  note: no package found for {lib}", file=sys.stderr)
    return packages


def glibc_needed(files: list[Path]) -> str:
    """The newest GLIBC_x.y symbol version any of `files` requires."""
    versions = set()
    for path in files:
        res = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True,
                             check=False)
        versions |= set(re.findall(r"GLIBC_(\d+\.\d+(?:\.\d+)?)", res.stdout))
    return max(versions, key=lambda v: tuple(map(int, v.split("."))))


# Qt plugins the app needs; the others (a GTK theme, Wayland, ...) are optional: Qt
# skips them where their system libraries are missing, so they must not add Depends.
NEEDED_PLUGINS = ("platforms/libqxcb.so", "platforms/libqoffscreen.so",
                  "xcbglintegrations/", "imageformats/")


def loaded_roots(files: list[Path], bundle: Path) -> list[Path]:
    """What the app loads by itself: the executable, the Python extension modules and
    the needed Qt plugins. (ldd follows each one's libraries from there.)"""
    plugins = bundle / "_internal" / "PySide6" / "Qt" / "plugins"
    roots = []
    for path in files:
        if path.is_relative_to(plugins):
            name = path.relative_to(plugins).as_posix()
            if name.startswith(NEEDED_PLUGINS):
                roots.append(path)
        elif (path == bundle / "mpgui" or "lib-dynload" in path.parts
              or re.search(r"\.(cpython-\d+[^/]*|abi3)\.so$", path.name)):
            roots.append(path)
    return roots


def depends(bundle: Path) -> str:
    """The Depends field for the bundle."""
    files = elf_files(bundle)
    roots = loaded_roots(files, bundle)
    packages = packages_of(system_libraries(roots, bundle)) | set(REQUIRED)
    packages.discard("libc6")  # declared with its version below
    # glibc over every file: the bundled libraries the roots load need it too.
    return ", ".join([f"libc6 (>= {glibc_needed(files)})", *sorted(packages)])


def install_icons(share: Path) -> None:
    """The hicolor icons (rendered at build time, and the SVG) under `share`."""
    shutil.copytree(ICONS / "hicolor", share / "icons" / "hicolor", dirs_exist_ok=True)
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "resources" / "icons" / "mpgui.svg", scalable / "mpgui.svg")


def installed_size_kib(stage: Path) -> int:
    """The Installed-Size of a package staged in `stage`, as dpkg-gencontrol counts it:
    each regular file its size in KiB rounded up, each symlink, folder or other entry 1,
    a symlink never followed (the bundle links 22 libraries to their real files;
    following them counted those twice). DEBIAN/ is not installed and not counted."""
    total = 0
    for path in stage.rglob("*"):
        if path.relative_to(stage).parts[0] == "DEBIAN":
            continue
        info = path.lstat()
        total += -(-info.st_size // 1024) if stat.S_ISREG(info.st_mode) else 1
    return total


def make_deb(version: str) -> Path:
    """Build dist/mpgui_VERSION_amd64.deb with dpkg-deb."""
    stage = ROOT / "build" / "deb" / f"mpgui_{version}_amd64"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(BUNDLE, stage / "opt" / "mpgui", symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "mpgui").symlink_to("/opt/mpgui/mpgui")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "mpgui.desktop", apps / "mpgui.desktop")
    install_icons(stage / "usr" / "share")
    # MIME types, metainfo, man page, changelog, copyright (packaging/desktop_files.py)
    install_deb_files(stage, version, MAINTAINER)
    size_kb = installed_size_kib(stage)
    control = stage / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text(
        f"Package: mpgui\nVersion: {version}\nArchitecture: amd64\n"
        f"Maintainer: {MAINTAINER}\nInstalled-Size: {size_kb}\n"
        f"Depends: {depends(BUNDLE)}\nSection: education\nPriority: optional\n"
        "Homepage: https://example.invalid/mpgui\n"
        f"Description: {DESCRIPTION}\n", encoding="utf-8")
    write_md5sums(stage)
    out = DIST / f"mpgui_{version}_amd64.deb"
    # zstd: a few seconds where xz took 80 s, for a .deb ~15 % larger (dpkg reads it
    # since 1.21.18, Debian 12; Ubuntu's since 18.04).
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zzstd", "-z9",
                    "--build", str(stage), str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def make_tarball(version: str) -> Path:
    """Build dist/mpgui-VERSION-linux-x86_64.tar.gz."""
    top = f"mpgui-{version}"
    stage = ROOT / "build" / "tarball" / top
    shutil.rmtree(stage.parent, ignore_errors=True)
    shutil.copytree(BUNDLE, stage / "mpgui", symlinks=True)
    shutil.copy(ROOT / "packaging" / "install-user.sh", stage / "install.sh")
    (stage / "install.sh").chmod(0o755)
    (stage / "share" / "applications").mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "mpgui.desktop",
                stage / "share" / "applications" / "mpgui.desktop")
    install_icons(stage / "share")
    install_tarball_files(stage / "share", version)
    (stage / "README.txt").write_text(
        f"mpgui {version} for Linux x86_64 (glibc {glibc_needed(elf_files(BUNDLE))} or "
        "newer).\n\nRun it in place:   ./mpgui/mpgui\nInstall it for you (menu entry, "
        "~/.local/bin/mpgui):   ./install.sh\nRemove that again:   ./install.sh "
        "--uninstall\nCheck it works:   ./mpgui/mpgui --selftest\n", encoding="utf-8")
    out = DIST / f"mpgui-{version}-linux-x86_64.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(stage, arcname=top)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for made in (make_tarball(sys.argv[1]), make_deb(sys.argv[1])):
        print(f"  {made.relative_to(ROOT)}  ({made.stat().st_size / 1e6:.0f} MB)")
