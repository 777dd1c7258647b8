"""A full disk for tests, made as really as this machine allows.

In order of preference (the first that works here is used; MPGUI_TEST_FULL_DISK=tmpfs,
userns or rlimit forces one):

- ``tmpfs``: a real small tmpfs mounted on a folder (needs root or CAP_SYS_ADMIN),
  filled to the last byte before the write: writes fail with ENOSPC.
- ``userns``: the same tmpfs, mounted inside a user and mount namespace made with
  ``unshare --user --map-root-user --mount`` (an unprivileged user may, where the
  kernel allows it): for commands only, which run inside the namespace.
- ``rlimit``: a faithful simulation where no file system can be mounted: the writer
  runs under ``RLIMIT_FSIZE`` with SIGXFSZ ignored, so any write past a few hundred
  bytes fails with EFBIG — what the kernel does on a disk that is full (or over
  quota) as far as the writing program can tell. In the test process (the window's
  writes) the limit is set and restored around the write itself.

A command runs through this module's ``__main__`` (the "runner"): it mounts (userns),
puts the old files in place, fills the disk, starts the command — stdout to a new
file on the full disk if asked — and reports the folder's files afterwards, so the
test sees them whatever namespace they lived in.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODES = ("tmpfs", "userns", "rlimit")
SIZE = "512k"  # of the tmpfs: small, so filling it is quick
LIMIT = 256  # bytes, the file size limit in rlimit mode: every output mpgui writes is larger
FILLER = ".filler"  # the file that fills the disk (not one of the test's files)
RUNNER = [sys.executable, "-m", "tests.full_disk"]
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Outcome:
    """What a command did on the full disk."""

    returncode: int
    stdout: str
    stderr: str
    files: dict[str, bytes]  # the folder's files afterwards, the filler left out


@cache
def chosen_mode() -> str:
    """The most real full disk this machine allows."""
    forced = os.environ.get("MPGUI_TEST_FULL_DISK")
    if forced:
        assert forced in MODES, f"MPGUI_TEST_FULL_DISK must be one of {MODES}"
        return forced
    probe = Path(f"/tmp/mpgui-full-disk-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        if _mount(probe):
            _umount(probe)
            return "tmpfs"
        ok = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "mount",
                             "-t", "tmpfs", "-o", f"size={SIZE}", "none", str(probe)],
                            capture_output=True, timeout=30)
        if ok.returncode == 0:
            return "userns"
    except (OSError, subprocess.SubprocessError):
        pass
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()
    return "rlimit"


class FullDisk:
    """A folder on a disk that is full when the test writes to it."""

    def __init__(self, folder: Path, mode: str) -> None:
        self.folder, self.mode = folder, mode
        self.mounted = False

    # -- commands ------------------------------------------------------------------

    def run(self, cmd: list[str], old: dict[str, bytes], *, stdout_file: str | None = None,
            timeout: float = 120, env: dict[str, str] | None = None,
            limit: int = LIMIT) -> Outcome:
        """Run `cmd` (in `self.folder`) with the files `old` already there and the disk
        full; its standard output goes to the new file `stdout_file` there if given.
        (`limit`: the file size limit in rlimit mode, for a command that writes little.)"""
        spec = {"mode": self.mode, "folder": str(self.folder), "cmd": cmd,
                "old": {k: base64.b64encode(v).decode() for k, v in old.items()},
                "stdout_file": stdout_file, "timeout": timeout, "limit": limit,
                "report": str(self.folder.parent / f"{self.folder.name}-report.json")}
        spec_file = self.folder.parent / f"{self.folder.name}-spec.json"
        spec_file.write_text(json.dumps(spec))
        runner = [*RUNNER, str(spec_file)]
        if self.mode == "userns":
            runner = ["unshare", "--user", "--map-root-user", "--mount", *runner]
        res = subprocess.run(runner, cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=timeout + 30)
        assert res.returncode == 0, f"the full-disk runner failed: {res.stderr}"
        report = json.loads(Path(spec["report"]).read_text())
        return Outcome(report["returncode"], report["stdout"], report["stderr"],
                       {k: base64.b64decode(v) for k, v in report["files"].items()})

    # -- the test process's own writes ---------------------------------------------

    @property
    def in_process_mode(self) -> str:
        """How the test process itself meets the full disk: a mount made in another
        namespace is not visible here, so userns falls back to the rlimit."""
        return "tmpfs" if self.mode == "tmpfs" else "rlimit"

    def prepare(self, old: dict[str, bytes]) -> Path:
        """Put the files `old` in the folder (before the disk is made full)."""
        for name, data in old.items():
            (self.folder / name).write_bytes(data)
        return self.folder

    @contextlib.contextmanager
    def full(self) -> Iterator[None]:
        """The disk is full inside this block, for this process's writes."""
        if self.in_process_mode == "tmpfs":
            fill(self.folder)
            try:
                yield
            finally:
                (self.folder / FILLER).unlink()
        else:
            with file_size_limit():
                yield

    def files(self) -> dict[str, bytes]:
        """The folder's files, the filler left out."""
        return _files(self.folder)


@contextlib.contextmanager
def file_size_limit(limit: int = LIMIT) -> Iterator[None]:
    """Writes past `limit` bytes fail with EFBIG inside this block (SIGXFSZ, which
    would kill the process, ignored), as they do on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def fill(folder: Path) -> None:
    """Fill the file system of `folder` to its last byte."""
    fd = os.open(folder / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for chunk in (b"\0" * 65536, b"\0" * 4096, b"\0"):
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    probe = os.open(folder / ".probe", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.write(probe, b"x")
    except OSError:
        pass  # full
    else:
        raise AssertionError(f"{folder} is not full")
    finally:
        os.close(probe)
        os.unlink(folder / ".probe")


def mount_tmpfs(folder: Path) -> bool:
    """Mount a small tmpfs on `folder` (True if it could be done)."""
    return _mount(folder)


def umount(folder: Path) -> None:
    """Unmount what mount_tmpfs mounted."""
    _umount(folder)


def _mount(folder: Path) -> bool:
    try:
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0777",
                              "mpgui-test", str(folder)], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return res.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, timeout=30, check=True)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.name != FILLER and p.is_file()}


def _runner(spec_file: str) -> None:
    """Inside the namespace (userns) or not: set up, fill, run, report."""
    spec = json.loads(Path(spec_file).read_text())
    folder, mode = Path(spec["folder"]), spec["mode"]
    if mode == "userns" and not _mount(folder):
        raise SystemExit("cannot mount a tmpfs in the user namespace")
    for name, data in spec["old"].items():
        (folder / name).write_bytes(base64.b64decode(data))
    if mode in ("tmpfs", "userns"):
        fill(folder)
    stdout = subprocess.PIPE
    if spec["stdout_file"]:  # as the shell's `> file` would: a new empty file
        stdout = open(folder / spec["stdout_file"], "wb")  # noqa: SIM115

    def limited() -> None:  # in the command's process only: the runner reports freely
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE,
                           (spec["limit"], resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    res = subprocess.run(spec["cmd"], cwd=folder, stdout=stdout, stderr=subprocess.PIPE,
                         timeout=spec["timeout"],
                         preexec_fn=limited if mode == "rlimit" else None)
    if stdout is not subprocess.PIPE:
        stdout.close()
    report = {"returncode": res.returncode,
              "stdout": (res.stdout or b"").decode("utf-8", "replace"),
              "stderr": res.stderr.decode("utf-8", "replace"),
              "files": {k: base64.b64encode(v).decode() for k, v in _files(folder).items()}}
    Path(spec["report"]).write_text(json.dumps(report))


if __name__ == "__main__":
    _runner(sys.argv[1])
