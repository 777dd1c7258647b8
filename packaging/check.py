"""Check what packaging/build.sh made, as a user would meet it (run by .ci/run).

    python packaging/check.py [--skip-deb]

1. dist/mpgui/mpgui --selftest offscreen, and once in a real X window (Xvfb);
2. the tarball's per-user install into a scratch home: selftest, then uninstall;
3. the .deb: installed with apt (its dependencies too), /usr/bin/mpgui --selftest, the
   desktop entry launched as a desktop launches it (gio launch, under Xvfb) opens the
   window, then dpkg -r removes it all (needs root: skipped with --skip-deb);
   with it installed: a scenario and a run file open with mpgui (xdg-mime), the AppStream
   metainfo validates, `man -w mpgui` finds the page, dpkg --verify (md5sums) is clean;
4. the desktop entry passes desktop-file-validate;
5. with no display the bundle says so (exit 2, under a second), and a failing traced
   script's traceback shows the script's frames only;
6. inside the bundle (through the frozen ``mpgui trace``): every standard-library
   module that imports in a plain python imports too (packaging/stdlib_modules.py), and
   a Pool, a Queue with a Manager and a ProcessPoolExecutor script run traced.
After each run: no process of the bundle is left (psutil); a --selftest leaves, the
moment it has exited, no process of its own (forkserver and resource tracker included)
and no folder in its TMPDIR. Exit 0 if all passed.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
from stdlib_modules import stdlib_modules  # noqa: E402

SCRIPTS = ROOT / "packaging" / "check_scripts"
DIST = ROOT / "dist"
RESULT = "mpgui selftest: ok"


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def fail(text: str) -> None:
    print(f"FAILED: {text}", flush=True)
    sys.exit(1)


def leftovers(folder: Path) -> list[str]:
    """Processes whose executable lives under `folder`."""
    out = []
    for p in psutil.process_iter(["pid", "exe", "cmdline"]):
        exe = p.info["exe"] or ""
        if exe.startswith(str(folder)):
            out.append(f"{p.info['pid']} {' '.join(p.info['cmdline'] or [])}")
    return out


def no_leftovers(folder: Path) -> None:
    deadline = time.monotonic() + 3
    while (left := leftovers(folder)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        fail(f"processes of {folder} still running: {left}")
    print(f"   no process of {folder} left")


def marked(mark: str) -> list[str]:
    """Processes whose environment carries MPGUI_CHECK_MARK=`mark` (children inherit
    it, wherever they were reparented)."""
    out = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if p.environ().get("MPGUI_CHECK_MARK") == mark:
                out.append(f"{p.info['pid']} {' '.join(p.info['cmdline'] or [])}")
    return out


def selftest(command: list[str], env: dict[str, str], folder: Path) -> None:
    """Run a selftest command; it must exit 0 with the result line, and leave, the
    moment it has exited, no process of its own and nothing in its TMPDIR."""
    mark = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="mpgui-check-tmp-") as tmp:
        res = subprocess.run(command, env=dict(env, TMPDIR=tmp, MPGUI_CHECK_MARK=mark),
                             capture_output=True, text=True, timeout=240)
        left_procs, left_files = marked(mark), sorted(os.listdir(tmp))
    lines = res.stdout.strip().splitlines()
    print(f"   {' '.join(command[-2:])}: exit {res.returncode}: {lines[-1] if lines else ''}")
    if res.returncode != 0 or not lines or not lines[-1].startswith(RESULT):
        fail(f"{command}: exit {res.returncode}\n{res.stdout}\n{res.stderr[-3000:]}")
    if left_procs or left_files:
        fail(f"{command} left, once exited: processes {left_procs}, files {left_files}")
    no_leftovers(folder)


def offscreen() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    return env


@contextlib.contextmanager
def xserver() -> Iterator[dict[str, str]]:
    """A fresh Xvfb; the environment to use it."""
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-noreset", "-screen", "0",
                               "1600x1000x24", "-nolisten", "tcp"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    number = server.stdout.readline().strip()  # type: ignore[union-attr]
    env = dict(os.environ, DISPLAY=f":{number}")
    env.pop("QT_QPA_PLATFORM", None)
    try:
        yield env
    finally:
        server.terminate()
        server.wait(10)


def check_bundle() -> None:
    step("the bundle: dist/mpgui/mpgui --selftest")
    exe = DIST / "mpgui" / "mpgui"
    if not exe.is_file():
        fail(f"{exe} missing: run packaging/build.sh first")
    selftest([str(exe), "--selftest"], offscreen(), exe.parent)
    with xserver() as env:
        selftest([str(exe), "--selftest"], env, exe.parent)
    for method in ("fork", "spawn"):
        trace([str(exe)], method, exe.parent)
    no_display([str(exe)])
    failing_script([str(exe)], exe.parent)
    stdlib_sweep(exe)
    for method in ("spawn", "forkserver"):
        for script, wanted in POOL_SCRIPTS.items():
            trace_script(exe, script, method, wanted)
    dask_run(exe)


def dask_run(exe: Path) -> None:
    """The seed as tasks on a Dask cluster of two worker processes that the app starts
    (they are the app too): its 16 lines, D's after C's, and no process left."""
    step("the bundle runs the seed on a Dask cluster")
    out = subprocess.run([str(exe), "run", "seed", "--backend", "dask", "--workers", "2",
                          "--speed", "10"], capture_output=True, text=True, timeout=180)
    lines = out.stdout.splitlines()
    if out.returncode != 0 or len(lines) != 16:
        fail(f"exit {out.returncode}, {len(lines)} lines:\n{out.stdout}{out.stderr}")
    last_c = max(i for i, line in enumerate(lines) if line.startswith("Process 3"))
    if min(i for i, line in enumerate(lines) if line.startswith("Process 4")) < last_c:
        fail("D printed before C had ended:\n" + out.stdout)
    print("   16 lines, D after C")
    no_leftovers(exe.parent)


def stdlib_sweep(exe: Path) -> None:
    """Every standard-library module that imports in a plain python imports in the
    frozen app too (a traced script imports them all)."""
    names = stdlib_modules()["imports"]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(names))
    try:
        res = subprocess.run([str(exe), "trace", str(SCRIPTS / "stdlib_sweep.py"), f.name],
                             env=offscreen(), capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(f.name)
    first = res.stdout.splitlines()[0] if res.stdout else ""
    print(f"   standard library in the app: {first} (exit {res.returncode})")
    if res.returncode != 0 or first != f"imported {len(names)} of {len(names)}":
        fail(f"the standard library in the app:\n{res.stdout}\n{res.stderr[-3000:]}")
    no_leftovers(exe.parent)


# Scripts traced in the app with each start method, and the lines each must print.
POOL_SCRIPTS = {
    ROOT / "tests" / "scripts" / "pool_map.py": ["sum 55"],
    ROOT / "tests" / "scripts" / "executor.py": ["total 36"],
    SCRIPTS / "queue_manager.py": ["queue got [0, 1, 2, 3, 4]",
                                   "manager got {0: 0, 1: 10, 2: 20}"],
}


def trace_script(exe: Path, script: Path, method: str, wanted: list[str]) -> None:
    """`mpgui trace` a multiprocessing script in the app: exit 0, its result lines."""
    res = subprocess.run([str(exe), "trace", str(script), method], env=offscreen(),
                         capture_output=True, text=True, timeout=120)
    lines = res.stdout.splitlines()
    print(f"   trace {script.name} {method}: exit {res.returncode}")
    if res.returncode != 0 or any(line not in lines for line in wanted):
        fail(f"mpgui trace {script.name} {method} in the app: exit {res.returncode}\n"
             f"{res.stdout}\n{res.stderr[-3000:]}")
    no_leftovers(exe.parent)


def trace(command: list[str], method: str, folder: Path) -> None:
    """`mpgui trace` a test script: the app runs it with itself (no python of its own);
    its lines, exit code and traced lanes must be the script's."""
    script = ROOT / "tests" / "scripts" / "processes.py"
    res = subprocess.run([*command, "trace", str(script), method], env=offscreen(),
                         capture_output=True, text=True, timeout=120)
    print(f"   trace processes.py {method}: exit {res.returncode}")
    wanted = ["talk 0", "talk 1", "talk 2", "parent saw 1"]
    summary = ("finished in", "talker", "crasher", "leaver", "ValueError: boom")
    if res.returncode != 0 or sorted(res.stdout.split("\n")[:-1]) != sorted(wanted) \
            or not all(part in res.stderr for part in summary):
        fail(f"mpgui trace in the app: exit {res.returncode}\n{res.stdout}\n{res.stderr}")
    no_leftovers(folder)


NO_DISPLAY = "mpgui: error: no display found; from a terminal use `mpgui run` or `mpgui trace`"


def no_display(command: list[str]) -> None:
    """No DISPLAY, or one nobody answers: one line, exit 2, at once — not Qt's abort
    (exit 134), nor a wait for a display. Started as a launcher would: stdin not a
    terminal. "At once" is measured against the bundle's own `--version` in the same
    run: under a second, or twice that on a busy machine (a bundle's start took 0.6 s
    on a quiet one and 1.1 s beside CI's tests; a display that does not answer would
    make it wait many seconds)."""
    free = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    base = {k: v for k, v in os.environ.items()
            if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    starts = []
    for _ in range(3):
        t0 = time.monotonic()
        subprocess.run([*command, "--version"], env=base, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=30, check=True)
        starts.append(time.monotonic() - t0)
    limit = max(1.0, 2 * min(starts))
    print(f"   the bundle's own start (--version, fastest of 3): {min(starts):.2f} s; "
          f"limit {limit:.2f} s")
    for what, env in (("no DISPLAY", base), (f"DISPLAY=:{free}", dict(base, DISPLAY=f":{free}"))):
        t0 = time.monotonic()
        res = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, timeout=30)
        took = time.monotonic() - t0
        print(f"   {what}: exit {res.returncode} in {took:.2f} s: {res.stderr.strip()}")
        if res.returncode != 2 or res.stderr.strip() != NO_DISPLAY or took >= limit:
            fail(f"{what}: wanted exit 2 with {NO_DISPLAY!r} in under {limit:.2f} s\n"
                 f"{res.stderr}")


def failing_script(command: list[str], folder: Path) -> None:
    """A traced script that fails shows its own traceback as python does: its frames
    only (none of the app's mpgui_app.py, cli.py, runpy), no PyInstaller error line."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "failing_script.py"
        script.write_text("def inner():\n    raise ValueError('the script failed')\n\n"
                          "inner()\n")
        res = subprocess.run([*command, "trace", str(script)], env=offscreen(),
                             capture_output=True, text=True, timeout=120)
    frames = [line.split('"')[1] for line in res.stderr.splitlines()
              if line.startswith('  File "')]
    print(f"   trace failing_script.py: exit {res.returncode}, frames {frames}")
    if res.returncode != 1 or [Path(f).name for f in frames] != [script.name] * 2 \
            or "ValueError: the script failed" not in res.stderr \
            or any(w in res.stderr for w in ("mpgui_app", "runpy", "PYI-", "Failed to execute")):
        fail(f"a failing traced script's traceback in the app:\n{res.stderr}")
    no_leftovers(folder)


def check_tarball(version: str) -> None:
    step("the tarball: per-user install, selftest, uninstall")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "my home"  # a space: the entry's Exec= must be quoted
        home.mkdir()
        with tarfile.open(DIST / f"mpgui-{version}-linux-x86_64.tar.gz") as tar:
            tar.extractall(tmp, filter="tar")
        env = dict(offscreen(), HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"))
        installer = Path(tmp) / f"mpgui-{version}" / "install.sh"
        subprocess.run([str(installer)], env=env, check=True)
        placed = [home / ".local/opt/mpgui/mpgui", home / ".local/bin/mpgui",
                  home / ".local/share/applications/mpgui.desktop",
                  home / ".local/share/icons/hicolor/48x48/apps/mpgui.png"]
        if missing := [str(p) for p in placed if not p.exists()]:
            fail(f"not installed: {missing}")
        entry = (home / ".local/share/applications/mpgui.desktop").read_text()
        if f'Exec="{home}/.local/opt/mpgui/mpgui" %f' not in entry.splitlines():
            fail(f"the desktop entry does not start the installed app:\n{entry}")
        selftest([str(home / ".local/bin/mpgui"), "--selftest"], env, home / ".local/opt")
        subprocess.run([str(installer), "--uninstall"], env=env, check=True)
        if left := [str(p) for p in placed if p.exists() or p.is_symlink()]:
            fail(f"left after uninstall: {left}")
        print("   installed, ran, removed")


def check_deb(version: str) -> None:
    step("the .deb: apt install, /usr/bin/mpgui --selftest, gio launch, dpkg -r")
    deb = DIST / f"mpgui_{version}_amd64.deb"
    subprocess.run(["apt-get", "install", "-y", "-q", str(deb)], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ,
                                                       DEBIAN_FRONTEND="noninteractive"))
    opt = Path("/opt/mpgui")
    try:
        desktop_citizen()
        selftest(["/usr/bin/mpgui", "--selftest"], offscreen(), opt)
        with xserver() as env:
            launch_desktop_entry(env, opt)
    finally:
        subprocess.run(["dpkg", "-r", "mpgui"], check=True, stdout=subprocess.DEVNULL)
    gone = [p for p in (opt, Path("/usr/bin/mpgui"), *DESKTOP_FILES,
                        Path("/usr/share/applications/mpgui.desktop"),
                        Path("/usr/share/icons/hicolor/48x48/apps/mpgui.png"))
            if p.exists() or p.is_symlink()]
    if gone:
        fail(f"left after dpkg -r: {gone}")
    print("   removed cleanly")


DESKTOP_FILES = (Path("/usr/share/mime/packages/mpgui.xml"),
                 Path("/usr/share/metainfo/io.github.mpgui.mpgui.metainfo.xml"),
                 Path("/usr/share/man/man1/mpgui.1.gz"),
                 Path("/usr/share/doc/mpgui/changelog.gz"))


def desktop_citizen() -> None:
    """The installed .deb as the desktop sees it: a scenario and a run file open with
    mpgui by default, the metainfo validates, `man -w mpgui` finds the page, the files
    match DEBIAN/md5sums, the copyright file is machine-readable."""
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "lesson.mpg.toml"
        scenario.write_text("# mpgui scenario\nformat = 1\n", encoding="utf-8")
        run = Path(tmp) / "demo.mpgrun"
        run.write_bytes(gzip.compress(b"{}"))
        for path, wanted in ((scenario, "application/x-mpgui-scenario"),
                             (run, "application/x-mpgui-run")):
            kind = output(["xdg-mime", "query", "filetype", str(path)])
            default = output(["xdg-mime", "query", "default", kind])
            print(f"   xdg-mime: {path.name}: {kind}, opened by {default}")
            if kind != wanted or default != "mpgui.desktop":
                fail(f"{path.name}: type {kind!r} (wanted {wanted}), default {default!r}")
    output(["appstreamcli", "validate", "--no-net", str(DESKTOP_FILES[1])])
    print("   appstreamcli validate: ok")
    page = output(["man", "-w", "mpgui"])
    if page != str(DESKTOP_FILES[2]):
        fail(f"man -w mpgui: {page!r}")
    print(f"   man -w mpgui: {page}")
    output(["dpkg", "--verify", "mpgui"])  # prints (and we fail on) any file that differs
    print("   dpkg --verify (DEBIAN/md5sums): ok")
    copyright_text = Path("/usr/share/doc/mpgui/copyright").read_text(encoding="utf-8")
    if not copyright_text.startswith("Format: https://www.debian.org/doc/packaging-manuals/"
                                     "copyright-format/1.0/"):
        fail("/usr/share/doc/mpgui/copyright is not machine-readable (DEP-5)")


def output(command: list[str]) -> str:
    """`command`'s standard output, stripped; it must exit 0 and print no complaint."""
    res = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if res.returncode != 0 or (command[:2] == ["dpkg", "--verify"] and res.stdout):
        fail(f"{' '.join(command)}: exit {res.returncode}\n{res.stdout}\n{res.stderr}")
    return res.stdout.strip()


def launch_desktop_entry(env: dict[str, str], opt: Path) -> None:
    """gio launch the installed entry; the window must appear; Ctrl+Q closes it."""
    config = tempfile.mkdtemp(prefix="mpgui-cfg-")
    env = dict(env, XDG_CONFIG_HOME=config)
    subprocess.run(["gio", "launch", "/usr/share/applications/mpgui.desktop"], env=env,
                   check=True, timeout=30)
    deadline, window = time.monotonic() + 60, ""
    while not window and time.monotonic() < deadline:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "mpgui"],
                               env=env, capture_output=True, text=True, check=False)
        window = found.stdout.split()[0] if found.stdout.split() else ""
        time.sleep(0.2)
    if not window:
        fail("gio launch: no mpgui window appeared within 60 s")
    title = subprocess.run(["xdotool", "getwindowname", window], env=env,
                           capture_output=True, text=True, check=False).stdout.strip()
    print(f"   gio launch opened the window: {title!r}")
    subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", "ctrl+q"], env=env,
                   check=False)
    no_leftovers(opt)
    shutil.rmtree(config, ignore_errors=True)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import mpgui

    version = mpgui.__version__
    step("the desktop entry: desktop-file-validate")
    subprocess.run(["desktop-file-validate", str(ROOT / "resources" / "mpgui.desktop")],
                   check=True)
    print("   valid")
    check_bundle()
    check_tarball(version)
    if "--skip-deb" in sys.argv:
        print("\n(.deb not checked: --skip-deb)")
    elif os.geteuid() != 0:
        fail("installing the .deb needs root (or pass --skip-deb)")
    else:
        check_deb(version)
    print("\nAll packaging checks passed.")


if __name__ == "__main__":
    main()
