"""Scenario files: TOML with a format version, data only.

Loading parses TOML (nothing is evaluated, imported or unpickled), then checks the
structure — unknown keys and wrong types are rejected naming the field. Whether the
values make a runnable scenario is `validation`'s job: a well-formed file whose
interval is -1 still loads, so the editor can show and fix it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from mpgui.model.copies import PER_CORE, Copies
from mpgui.model.escape import shown
from mpgui.model.registry import WORKLOADS
from mpgui.model.scenario import (
    BACKENDS,
    DEFAULT_BACKEND,
    About,
    ProcessSpec,
    Scenario,
    Step,
    format_number,
)
from mpgui.model.userfile import read_bounded

FORMAT_VERSION = 1
MAX_FILE_BYTES = 1_000_000
SUFFIX = ".toml"
HEADER = "# mpgui scenario — open with: mpgui FILE.toml (or mpgui run FILE.toml)"


class ScenarioFileError(ValueError):
    """A scenario file (or text) that cannot be read; the message names the problem."""


# ---------------------------------------------------------------- loading


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file. Raises ScenarioFileError naming the problem; a folder, a
    FIFO or a device is refused without waiting on it, a file over MAX_FILE_BYTES
    without reading it."""
    p = Path(path)
    data = read_bounded(p, MAX_FILE_BYTES, "a scenario file", ScenarioFileError)
    return parse_scenario(data, source=p.name)


# Byte order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def parse_scenario(data: bytes | str, source: str = "scenario") -> Scenario:
    """Parse scenario text (bytes must be UTF-8). Raises ScenarioFileError, and nothing
    else, whatever `data` holds."""
    source = shown(source)
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioFileError(f"{source} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
        if encoding is not None:
            raise ScenarioFileError(f"{source} is {encoding} text; save it as UTF-8")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioFileError(f"{source} is not UTF-8 text (byte {exc.start} cannot be "
                                    "read); is it a scenario file?") from None
    else:
        text = data
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioFileError(f"{source} is longer than {MAX_FILE_BYTES // 1_000_000} MB")
    if "\x00" in text:
        raise ScenarioFileError(f"{source} contains binary data (NUL characters; UTF-16 or "
                                "UTF-32 text without a byte order mark?); save it as UTF-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(f"{source} is not valid TOML: {shown(exc)}") from None
    except RecursionError:  # tomllib recurses once per level of [[[…]]] or {a={b=…}}
        raise ScenarioFileError(f"{source} nests lists or tables too deeply to be a "
                                "scenario file") from None
    except ValueError as exc:  # int()'s own bound: a whole number of over 4300 digits
        raise ScenarioFileError(_unreadable_number(text, source, exc)) from None
    return scenario_from_dict(doc, source)


def _unreadable_number(text: str, source: str, exc: ValueError) -> str:
    """What to say when tomllib could not turn a number into a value (Python reads
    whole numbers of at most 4300 digits): which line, in the scenario's words."""
    m = _LONG_NUMBER.search(text)
    if m is None:
        return f"{source} holds a value that cannot be read ({shown(exc)})"
    line = text.count("\n", 0, m.start()) + 1
    return (f"{source}, line {line}: a number of {len(m[0]):,} digits; a scenario's numbers "
            "are at most a few digits long")


_LONG_NUMBER = re.compile(r"[0-9][0-9_]{4299,}")


def scenario_from_dict(doc: dict[str, Any], source: str = "scenario") -> Scenario:
    """Build a Scenario from parsed TOML, checking keys and types."""
    _keys(doc, "", required={"format"},
          optional={"about", "main", "process", "backend", "workers"})
    version = doc["format"]
    if not _is_int(version):
        raise ScenarioFileError(f"format: expected a whole number, got {_kind(version)}")
    if version != FORMAT_VERSION:
        newer = "newer than" if version > FORMAT_VERSION else "not one"
        raise ScenarioFileError(f"format: version {_quoted(version)} is {newer} this mpgui reads "
                                f"(version {FORMAT_VERSION}); {source} was written by another "
                                "version of mpgui")
    about_doc = _table(doc.get("about", {}), "about")
    _keys(about_doc, "about", optional={"title", "explanation", "notice", "question"})
    about = About(**{k: _str(v, f"about.{k}") for k, v in about_doc.items()})
    procs_doc = doc.get("process", [])
    if not isinstance(procs_doc, list):
        raise ScenarioFileError(f"process: expected [[process]] tables, got {_kind(procs_doc)}")
    processes = [_process(p, f"process[{i + 1}]") for i, p in enumerate(procs_doc)]
    main_doc = doc.get("main", [])
    if not isinstance(main_doc, list):
        raise ScenarioFileError(f"main: expected a list of steps, got {_kind(main_doc)}")
    program = []
    for i, text in enumerate(main_doc):
        where = f"main[{i + 1}]"
        try:
            program.append(Step.parse(_str(text, where)))
        except ValueError as exc:
            raise ScenarioFileError(f"{where}: {exc}") from None
    backend = _str(doc.get("backend", DEFAULT_BACKEND), "backend")
    if backend not in BACKENDS:
        raise ScenarioFileError(f"backend: unknown backend {_quoted(backend)}; known: "
                                + ", ".join(BACKENDS))
    try:
        workers = Copies.parse(doc.get("workers", str(PER_CORE)))
    except ValueError as exc:
        raise ScenarioFileError(f"workers: {exc}") from None
    return Scenario(tuple(processes), tuple(program), about, backend, workers)


def _process(doc: object, where: str) -> ProcessSpec:
    d = _table(doc, where)
    _keys(d, where, required={"var", "name", "workload"},
          optional={"params", "message", "daemon", "copies"})
    workload = _str(d["workload"], f"{where}.workload")
    if workload not in WORKLOADS:
        raise ScenarioFileError(f"{where}.workload: unknown workload {_quoted(workload)}; "
                                "known: " + ", ".join(WORKLOADS))
    params = _table(d.get("params", {}), f"{where}.params")
    allowed = {p.name: p for p in WORKLOADS[workload].params}
    _keys(params, f"{where}.params", optional=set(allowed))
    for key, value in params.items():
        ok = _is_int(value) if allowed[key].kind is int else _is_number(value)
        if not ok:
            wanted = "a whole number" if allowed[key].kind is int else "a number"
            raise ScenarioFileError(f"{where}.params.{key}: expected {wanted}, got "
                                    f"{_kind(value)}")
    daemon = d.get("daemon", False)
    if not isinstance(daemon, bool):
        raise ScenarioFileError(f"{where}.daemon: expected true or false, got {_kind(daemon)}")
    try:
        copies = Copies.parse(d.get("copies", 1))
    except ValueError as exc:
        raise ScenarioFileError(f"{where}.copies: {exc}") from None
    return ProcessSpec(
        var=_str(d["var"], f"{where}.var"),
        name=_str(d["name"], f"{where}.name"),
        workload=workload,
        params=params,
        message=_str(d.get("message", "Process: {i}"), f"{where}.message"),
        daemon=daemon,
        copies=copies,
    )


def _keys(d: dict[str, Any], where: str, required: set[str] = frozenset(),  # type: ignore[assignment]
          optional: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    prefix = f"{where}." if where else ""
    for key in d:
        if key not in required and key not in optional:
            allowed = ", ".join(sorted(required | optional)) or "none"
            raise ScenarioFileError(f"{prefix}{_quoted_key(key)}: unknown key (allowed here: "
                                    f"{allowed})")
    for key in sorted(required):
        if key not in d:
            raise ScenarioFileError(f"{prefix}{key}: missing")


def _quoted(value: object, limit: int = 60) -> str:
    """A value from the file for a message: as Python writes it (control characters
    escaped), cut in the middle when long, so a message stays one short line."""
    text = repr(value) if isinstance(value, str) else shown(value)
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-limit // 4:]} " \
        f"({len(text):,} characters)"


def _quoted_key(key: str) -> str:
    """A key as the file writes it: bare when it is a plain one, quoted otherwise."""
    plain = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if plain else _quoted(key)


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioFileError(f"{where}: expected a table, got {_kind(value)}")
    return value


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ScenarioFileError(f"{where}: expected text, got {_kind(value)}")
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: object) -> str:
    names: dict[type, str] = {bool: "true/false", int: "a whole number", float: "a number",
                              str: "text", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


# ---------------------------------------------------------------- saving


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as TOML text; parse_scenario(dump_scenario(s)) == s."""
    lines = [HEADER, f"format = {FORMAT_VERSION}", ""]
    if scenario.backend != DEFAULT_BACKEND:
        lines += [f"backend = {_toml_str(scenario.backend)}  # processes, threads or pool"]
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


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically. Raises ScenarioFileError naming the problem."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ScenarioFileError(f"cannot save in {path.parent} ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():  # keep the permissions the user gave the file
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ScenarioFileError(f"cannot save {path} ({exc.strerror or exc})") from None
