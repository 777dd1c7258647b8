"""Scenario files: TOML with a format version, data only.

Loading parses TOML (nothing is evaluated, imported or unpickled), then checks the
structure — unknown keys and wrong types are rejected naming the field. Whether the
values make a runnable scenario is `validation`'s job: a well-formed file whose
interval is -1 still loads, so the editor can show and fix it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import threading
import tomllib
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from mpgui.i18n import _, ngettext
from mpgui.model.backend import BACKENDS, DEFAULT_BACKEND
from mpgui.model.copies import PER_CORE, Copies
from mpgui.model.escape import shown
from mpgui.model.exercise import exercise_from_dict, exercise_to_toml
from mpgui.model.registry import STEPS, WORKLOADS
from mpgui.model.scenario import (
    About,
    ProcessSpec,
    Scenario,
    Step,
    format_number,
)
from mpgui.model.shared import OBJECT_KINDS, TYPECODES, SharedObject, describe_typecode
from mpgui.model.steps import steps_workload
from mpgui.model.userfile import read_bounded

# 2: shared objects ([[object]]) and what each row uses of them. A version-1 file is
# read as it always was (it has neither).
# 3: a Value's or an Array's typecode (``typecode = "d"``); a version-2 file has none
# (its values are "i").
# 4: an exercise's goal, checks and hints (``[exercise]``). Every file is written as
# version 4.
FORMAT_VERSION = 4
READS = (1, 2, 3, 4)
MAX_FILE_BYTES = 1_000_000
SUFFIX = ".toml"
# What Save suggests: the desktop knows a *.mpg.toml as an mpgui scenario
# (resources/mime/mpgui.xml) and opens it with mpgui; any .toml still reads.
SAVE_SUFFIX = ".mpg.toml"
HEADER = "# mpgui scenario — open with: mpgui FILE.toml (or mpgui run FILE.toml)"


class ScenarioFileError(ValueError):
    """A scenario file (or text) that cannot be read; the message names the problem."""


# ---------------------------------------------------------------- loading
# A row's steps are a few dozen short lines at most.
MAX_STEPS_TEXT = 4_000


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file. Raises ScenarioFileError naming the problem; a folder, a
    FIFO or a device is refused without waiting on it, a file over MAX_FILE_BYTES
    without reading it."""
    p = Path(path)
    data = read_bounded(p, MAX_FILE_BYTES, _("a scenario file"), ScenarioFileError)
    return parse_scenario(data, source=p.name)


# Byte order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def parse_scenario(data: bytes | str, source: str | None = None) -> Scenario:
    """Parse scenario text (bytes must be UTF-8), from `source` (a file's name, by
    default "scenario"). Raises ScenarioFileError, and nothing else, whatever `data`
    holds."""
    source = shown(_("scenario") if source is None else source)
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioFileError(_("{source} is larger than {mb} MB").format(
                source=source, mb=MAX_FILE_BYTES // 1_000_000))
        encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
        if encoding is not None:
            raise ScenarioFileError(_("{source} is {encoding} text; save it as UTF-8").format(
                source=source, encoding=encoding))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioFileError(_("{source} is not UTF-8 text (byte {byte} cannot be "
                                      "read); is it a scenario file?").format(
                                          source=source, byte=exc.start)) from None
    else:
        text = data
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioFileError(_("{source} is longer than {mb} MB").format(
            source=source, mb=MAX_FILE_BYTES // 1_000_000))
    if "\x00" in text:
        raise ScenarioFileError(_("{source} contains binary data (NUL characters; UTF-16 or "
                                  "UTF-32 text without a byte order mark?); save it as "
                                  "UTF-8").format(source=source))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(_("{source} is not valid TOML: {problem}").format(
            source=source, problem=shown(exc))) from None
    except RecursionError:  # tomllib recurses once per level of [[[…]]] or {a={b=…}}
        raise ScenarioFileError(_("{source} nests lists or tables too deeply to be a "
                                  "scenario file").format(source=source)) from None
    except ValueError as exc:  # int()'s own bound: a whole number of over 4300 digits
        raise ScenarioFileError(_unreadable_number(text, source, exc)) from None
    return scenario_from_dict(doc, source)


def _unreadable_number(text: str, source: str, exc: ValueError) -> str:
    """What to say when tomllib could not turn a number into a value (Python reads
    whole numbers of at most 4300 digits): which line, in the scenario's words."""
    m = _LONG_NUMBER.search(text)
    if m is None:
        return _("{source} holds a value that cannot be read ({problem})").format(
            source=source, problem=shown(exc))
    line = text.count("\n", 0, m.start()) + 1
    return _("{source}, line {line}: a number of {digits:,} digits; a scenario's numbers "
             "are at most a few digits long").format(source=source, line=line,
                                                     digits=len(m[0]))


_LONG_NUMBER = re.compile(r"[0-9][0-9_]{4299,}")


def scenario_from_dict(doc: dict[str, Any], source: str | None = None) -> Scenario:
    """Build a Scenario from parsed TOML, checking keys and types."""
    source = _("scenario") if source is None else source
    version = doc.get("format")
    if not _is_int(version) and "format" in doc:
        raise ScenarioFileError(_("{where}: expected a whole number, got {kind}").format(
            where="format", kind=_kind(version)))
    _keys(doc, "", required={"format"},
          optional={"about", "main", "process", "backend", "workers"}
          | ({"object"} if version != 1 else set())
          | ({"exercise"} if isinstance(version, int) and version >= 4 else set()))
    assert isinstance(version, int)
    if version not in READS:
        if version > FORMAT_VERSION:
            message = _("format: version {version} is newer than this mpgui reads (version "
                        "{current}); {source} was written by another version of mpgui")
        else:
            message = _("format: version {version} is not one this mpgui reads (version "
                        "{current}); {source} was written by another version of mpgui")
        raise ScenarioFileError(message.format(version=_quoted(version),
                                               current=FORMAT_VERSION, source=source))
    about = about_from_dict(doc.get("about", {}))
    procs_doc = doc.get("process", [])
    if not isinstance(procs_doc, list):
        raise ScenarioFileError(_("process: expected [[process]] tables, got {kind}").format(
            kind=_kind(procs_doc)))
    processes = [_process(p, f"process[{i + 1}]", version) for i, p in enumerate(procs_doc)]
    objects_doc = doc.get("object", [])
    if not isinstance(objects_doc, list):
        raise ScenarioFileError(_("object: expected [[object]] tables, got {kind}").format(
            kind=_kind(objects_doc)))
    objects = [_object(o, f"object[{i + 1}]") for i, o in enumerate(objects_doc)]
    main_doc = doc.get("main", [])
    if not isinstance(main_doc, list):
        raise ScenarioFileError(_("main: expected a list of steps, got {kind}").format(
            kind=_kind(main_doc)))
    program = []
    for i, text in enumerate(main_doc):
        where = f"main[{i + 1}]"
        try:
            program.append(Step.parse(_str(text, where)))
        except ValueError as exc:
            raise ScenarioFileError(_in(where, exc)) from None
    backend = _str(doc.get("backend", DEFAULT_BACKEND), "backend")
    if backend not in BACKENDS:
        raise ScenarioFileError(_("backend: unknown backend {backend}; known: {known}").format(
            backend=_quoted(backend), known=", ".join(BACKENDS)))
    try:
        workers = Copies.parse(doc.get("workers", str(PER_CORE)))
    except ValueError as exc:
        raise ScenarioFileError(_in("workers", exc)) from None
    exercise = None
    if "exercise" in doc:
        try:
            exercise = exercise_from_dict(_table(doc["exercise"], "exercise"))
        except ValueError as exc:
            raise ScenarioFileError(str(exc)) from None
    return Scenario(tuple(processes), tuple(program), about, backend, workers, tuple(objects),
                    exercise)


def about_from_dict(doc: object) -> About:
    """The scenario's ``[about]`` table as an About, checking keys and types."""
    about_doc = _table(doc, "about")
    _keys(about_doc, "about", optional={"title", "explanation", "notice", "question"})
    return About(**{k: _str(v, f"about.{k}") for k, v in about_doc.items()})


def _object(doc: object, where: str) -> SharedObject:
    d = _table(doc, where)
    _keys(d, where, required={"name", "kind"}, optional={"params", "typecode"})
    kind = _str(d["kind"], f"{where}.kind")
    if kind not in OBJECT_KINDS:
        raise ScenarioFileError(_("{where}.kind: unknown kind {kind}; known: {known}").format(
            where=where, kind=_quoted(kind), known=", ".join(OBJECT_KINDS)))
    typecode = _str(d.get("typecode", ""), f"{where}.typecode")
    if typecode and not OBJECT_KINDS[kind].typed:
        raise ScenarioFileError(_("{where}.typecode: a {kind} has no typecode (a Value "
                                  "and an Array have)").format(where=where, kind=kind))
    if typecode and typecode not in TYPECODES:
        raise ScenarioFileError(_("{where}.typecode: unknown typecode {typecode}; known: "
                                  "{known}").format(
                                      where=where, typecode=_quoted(typecode),
                                      known=", ".join(map(describe_typecode, TYPECODES))))
    params = _table(d.get("params", {}), f"{where}.params")
    _keys(params, f"{where}.params", optional={p.name for p in OBJECT_KINDS[kind].params})
    for key, value in params.items():
        if not _is_int(value):
            raise ScenarioFileError(_("{where}: expected a whole number, got {kind}").format(
                where=f"{where}.params.{key}", kind=_kind(value)))
    return SharedObject(_str(d["name"], f"{where}.name"), kind, params, typecode)


def _process(doc: object, where: str, version: int = FORMAT_VERSION) -> ProcessSpec:
    d = _table(doc, where)
    _keys(d, where, required={"var", "name", "workload"},
          optional={"params", "message", "daemon", "copies"}
          | ({"uses", "steps"} if version != 1 else set()))
    workload = _str(d["workload"], f"{where}.workload")
    if workload not in WORKLOADS:
        raise ScenarioFileError(_("{where}.workload: unknown workload {workload}; known: "
                                  "{known}").format(where=where, workload=_quoted(workload),
                                                    known=", ".join(WORKLOADS)))
    steps = _str(d.get("steps", ""), f"{where}.steps")
    if steps and workload != STEPS:
        raise ScenarioFileError(_("{where}.steps: only a row whose workload is {steps} has "
                                  "steps").format(where=where, steps=repr(STEPS)))
    if len(steps) > MAX_STEPS_TEXT:
        raise ScenarioFileError(_("{where}.steps: {n:,} characters; at most {most:,}").format(
            where=where, n=len(steps), most=MAX_STEPS_TEXT))
    params = _table(d.get("params", {}), f"{where}.params")
    allowed = {p.name: p for p in WORKLOADS[workload].params}
    _keys(params, f"{where}.params", optional=set(allowed))
    for key, value in params.items():
        ok = _is_int(value) if allowed[key].kind is int else _is_number(value)
        if not ok:
            wanted = _("{where}: expected a whole number, got {kind}") \
                if allowed[key].kind is int else _("{where}: expected a number, got {kind}")
            raise ScenarioFileError(wanted.format(where=f"{where}.params.{key}",
                                                  kind=_kind(value)))
    daemon = d.get("daemon", False)
    if not isinstance(daemon, bool):
        raise ScenarioFileError(_("{where}: expected true or false, got {kind}").format(
            where=f"{where}.daemon", kind=_kind(daemon)))
    try:
        copies = Copies.parse(d.get("copies", 1))
    except ValueError as exc:
        raise ScenarioFileError(_in(f"{where}.copies", exc)) from None
    uses = _table(d.get("uses", {}), f"{where}.uses")
    # (a steps row's roles are the objects its steps name; unset, each is its own)
    roles = {role for role, _kind_name, _help in (
        steps_workload(steps) if workload == STEPS else WORKLOADS[workload]).roles}
    _keys(uses, f"{where}.uses", optional=roles)
    for role, name in uses.items():
        _str(name, f"{where}.uses.{role}")
    if workload == STEPS and not uses:
        uses = {role: role for role in sorted(roles)}
    return ProcessSpec(
        var=_str(d["var"], f"{where}.var"),
        name=_str(d["name"], f"{where}.name"),
        workload=workload,
        params=params,
        message=_str(d.get("message", "Process: {i}"), f"{where}.message"),
        daemon=daemon,
        copies=copies,
        uses=uses,
        steps=steps,
    )


def _keys(d: dict[str, Any], where: str, required: AbstractSet[str] = frozenset(),
          optional: AbstractSet[str] = frozenset()) -> None:
    prefix = f"{where}." if where else ""
    for key in d:
        if key not in required and key not in optional:
            allowed = ", ".join(sorted(required | optional)) or _("none")
            raise ScenarioFileError(_("{where}: unknown key (allowed here: {allowed})").format(
                where=f"{prefix}{_quoted_key(key)}", allowed=allowed))
    for key in sorted(required):
        if key not in d:
            raise ScenarioFileError(_("{where}: missing").format(where=f"{prefix}{key}"))


def _in(where: str, exc: Exception) -> str:
    """A problem found at `where` in the file ("main[2]: ...")."""
    return _("{where}: {problem}").format(where=where, problem=exc)


def _quoted(value: object, limit: int = 60) -> str:
    """A value from the file for a message: as Python writes it (control characters
    escaped), cut in the middle when long, so a message stays one short line."""
    text = repr(value) if isinstance(value, str) else shown(value)
    if len(text) <= limit:
        return text
    return _("{start}…{end} ({n:,} characters)").format(
        start=text[:limit // 2], end=text[-limit // 4:], n=len(text))


def _quoted_key(key: str) -> str:
    """A key as the file writes it: bare when it is a plain one, quoted otherwise."""
    plain = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if plain else _quoted(key)


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioFileError(_("{where}: expected a table, got {kind}").format(
            where=where, kind=_kind(value)))
    return value


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ScenarioFileError(_("{where}: expected text, got {kind}").format(
            where=where, kind=_kind(value)))
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: object) -> str:
    names: dict[type, str] = {bool: _("true/false"), int: _("a whole number"),
                              float: _("a number"), str: _("text"), list: _("a list"),
                              dict: _("a table")}
    return names.get(type(value), type(value).__name__)


# ---------------------------------------------------------------- saving


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as TOML text; parse_scenario(dump_scenario(s)) == s."""
    lines = [HEADER, f"format = {FORMAT_VERSION}", ""]
    if scenario.backend != DEFAULT_BACKEND:
        *others, last = BACKENDS
        lines += [f"backend = {_toml_str(scenario.backend)}  # {', '.join(others)} or {last}"]
    if scenario.workers != PER_CORE:
        lines += [f"workers = {_copies_value(scenario.workers)}  # the pool's size"]
    if lines[-1]:
        lines.append("")
    lines.append("# The parent's main program, in order.")
    lines.append("main = [" + "".join(f"\n    {_toml_str(s.code())}," for s in scenario.program)
                 + ("\n]" if scenario.program else "]"))
    about = {k: v for k, v in vars(scenario.about).items() if v}
    if about:
        lines += ["", "[about]"] + [f"{k} = {_toml_str(v)}" for k, v in about.items()]
    if scenario.exercise is not None:
        lines += exercise_to_toml(scenario.exercise, _toml_str)
    for spec in scenario.processes:
        lines += ["", "[[process]]",
                  f"var = {_toml_str(spec.var)}",
                  f"name = {_toml_str(spec.name)}",
                  f"workload = {_toml_str(spec.workload)}",
                  "params = { " + ", ".join(f"{k} = {_toml_value(v)}"
                                             for k, v in spec.params.items()) + " }",
                  f"message = {_toml_str(spec.message)}"]
        if spec.daemon:
            lines.append("daemon = true")
        if not spec.copies.single:
            lines.append(f"copies = {_copies_value(spec.copies)}")
        if spec.uses:
            lines.append("uses = { " + ", ".join(f"{k} = {_toml_str(v)}"
                                                for k, v in spec.uses.items()) + " }")
        if spec.steps:
            lines.append(f"steps = {_toml_str(spec.steps)}")
    for obj in scenario.objects:
        lines += ["", "[[object]]", f"name = {_toml_str(obj.name)}",
                  f"kind = {_toml_str(obj.kind)}"]
        if obj.typecode:
            lines.append(f"typecode = {_toml_str(obj.typecode)}")
        if obj.params:
            lines.append("params = { " + ", ".join(f"{k} = {v}" for k, v in obj.params.items())
                         + " }")
    return "\n".join(lines) + "\n"


def _copies_value(copies: Copies) -> str:
    return _toml_str(str(copies)) if copies.per_core else str(copies.count)


def _toml_str(s: str) -> str:
    # A JSON string is a TOML basic string, except that TOML also forbids a raw DEL.
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(v: int | float) -> str:
    return str(v) if isinstance(v, int) else format_number(v)


def save_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> None:
    """Write the scenario atomically: a temporary file beside `path`, then a rename, so
    a failed save never truncates the user's file. Raises ScenarioFileError."""
    atomic_write(Path(path), dump_scenario(scenario).encode("utf-8"))


class WriteError(ScenarioFileError):
    """A file could not be written (a full disk, no permission, no such folder); the
    message names it and the reason. The old file, if there was one, is unchanged.
    `more` counts further files of the same command that could not be written."""

    def __init__(self, message: str, more: int = 0) -> None:
        self.first, self.more = message, more
        super().__init__(ngettext("{message} (and {more} more file not saved)",
                                  "{message} (and {more} more files not saved)", more).format(
                                      message=message, more=more) if more else message)

    @classmethod
    def combined(cls, errors: Sequence[WriteError]) -> WriteError:
        """One error for several: the first's message, and how many more failed."""
        if len(errors) == 1:
            return errors[0]
        return cls(errors[0].first, more=sum(1 + e.more for e in errors) - 1)


class WriteCancelled(Exception):
    """Writing was given up (`atomic_write`'s `stop` was set): the old file, if any, is
    unchanged and nothing was left behind."""


def atomic_write(path: str | os.PathLike[str], data: bytes | Iterable[bytes],
                 stop: threading.Event | None = None) -> None:
    """Replace the file `path` with `data` (bytes, or an iterable of byte chunks), all or
    nothing — the one way mpgui writes a file. Raises WriteError naming the problem.

    The data goes to a temporary file in the same folder (same file system: the rename
    is atomic), is flushed and fsync'd, and only then renamed over `path`: a full disk,
    a crash or a power cut leaves either the old file or the new one, never a truncated
    one, and no temporary behind. The new file keeps the old one's permissions (and its
    owner and group where allowed); a new file gets the usual 0666 less the umask. A
    symbolic link is followed: its target is replaced, the link stays. A target that is
    not a regular file (``/dev/null``, ``/dev/stdout``, a pipe) cannot be replaced by a
    rename: it is written in place, as a shell redirection would.

    Once `stop` is set (by another thread), the next chunk raises WriteCancelled.
    """
    shown_path = shown(path)
    target = Path(path)
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise WriteError(_("cannot save {path} ({reason})").format(
            path=shown_path, reason=_reason(exc))) from None
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise WriteError(_("cannot save {path} (it is a folder)").format(path=shown_path))
    if old is not None and not stat.S_ISREG(old.st_mode):
        _write_in_place(target, data, shown_path)  # (/dev/fd/63, a link to a pipe: as is)
        return
    if target.is_symlink():  # its target is replaced; the link stays
        target = Path(os.path.realpath(target))
    try:
        fd, tmp = _temporary(target, 0o666 if old is None else old.st_mode & 0o777)
    except OSError as exc:
        raise WriteError(_("cannot save in {folder} ({reason})").format(
            folder=shown(target.parent), reason=_reason(exc))) from None
    try:
        try:
            if old is not None:
                _keep_owner_and_mode(fd, old)
            with os.fdopen(fd, "wb") as f:
                fd = -1  # the file object closes it now
                for chunk in ([data] if isinstance(data, bytes | bytearray | memoryview)
                              else data):
                    if stop is not None and stop.is_set():
                        raise WriteCancelled
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:  # a full disk, but also Ctrl+C: never leave the temporary
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise WriteError(_("cannot save {path} ({reason})").format(
            path=shown_path, reason=_reason(exc))) from None
    _sync_folder(target.parent)


def _temporary(target: Path, mode: int) -> tuple[int, str]:
    """A new, empty file beside `target`, created with `mode` (less the umask): never
    more open than the file it replaces, even while it is written."""
    # Short enough for any file system's name limit (255 bytes), whatever the target's.
    stem = target.name.encode("utf-8", "surrogateescape")[:80].decode("utf-8", "ignore")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | \
        getattr(os, "O_BINARY", 0)
    while True:
        # os.urandom, not `secrets`: importing that (hashlib) costs the app's start 3 ms
        tmp = str(target.parent / f".{stem}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    if hasattr(os, "fchown") and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        try:  # root may give the file back to its owner; others, at most its group
            os.fchown(fd, old.st_uid, old.st_gid)
        except OSError:
            with contextlib.suppress(OSError):  # else the new file is ours, as an editor's
                os.fchown(fd, -1, old.st_gid)
    if hasattr(os, "fchmod"):  # after chown, which clears the set-id bits
        os.fchmod(fd, old.st_mode & 0o7777)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can fsync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_in_place(target: Path, data: bytes | Iterable[bytes], shown_path: str) -> None:
    try:
        # Non-blocking only to open: a named pipe nobody reads fails (ENXIO) at once
        # instead of waiting for a reader for ever.
        nonblocking = getattr(os, "O_NONBLOCK", 0)
        fd = os.open(target, os.O_WRONLY | nonblocking | getattr(os, "O_CLOEXEC", 0) |
                     getattr(os, "O_BINARY", 0))
        if nonblocking:
            os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as f:
            for chunk in [data] if isinstance(data, bytes | bytearray | memoryview) else data:
                f.write(chunk)
            f.flush()
    except OSError as exc:
        reason = _("nothing reads that pipe") if exc.errno == errno.ENXIO else _reason(exc)
        raise WriteError(_("cannot write {path} ({reason})").format(
            path=shown_path, reason=reason)) from None


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
