"""Objects the processes share — a queue, a pipe, a lock, a value, an event, a barrier —
each kind described once.

A scenario may list named objects (``[[object]]`` in its file): the main program makes
them before anything starts, and each row that uses one gets it as an argument of its
function, as the equivalent script does (``Q = multiprocessing.Queue()``, then
``Process(target=producer, args=(Q, ...))``). A workload says which objects it needs
by role (`Workload.roles`: the producer needs a queue, ``q``); a row says which object plays each
role (``uses = { q = "Q" }``).

Everything that differs between kinds of object is a field of its `ObjectKind` record:
its parameters, how the script makes it with processes and with threads, and its
words. The code generator, validation and the runtime ask the record.

Plain data only: no Qt, no runtime (the model imports neither).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mpgui.i18n import _
from mpgui.model.registry import Param

# The C types a Value or an Array may hold, by typecode (the `array` module's and
# ctypes' letters, which multiprocessing takes): what each is, in words.
TYPECODES: dict[str, str] = {
    "i": "int", "b": "signed char", "h": "short", "l": "long", "q": "long long",
    "B": "unsigned char", "H": "unsigned short", "I": "unsigned int",
    "L": "unsigned long", "Q": "unsigned long long", "f": "float", "d": "double",
}
DEFAULT_TYPECODE = "i"  # multiprocessing.Value("i"): a C int, as the tutorials write


def is_floating(typecode: str) -> bool:
    """Whether `typecode` holds floating-point numbers ("f", "d")."""
    return typecode in ("f", "d")


def typecode_range(typecode: str) -> tuple[int, int] | None:
    """The whole numbers a `typecode` holds, from its size on this machine (a "l" is
    8 bytes on Linux, 4 on Windows); None for a floating type."""
    if is_floating(typecode):
        return None
    bits = 8 * array(typecode).itemsize
    if typecode.isupper():
        return 0, 2 ** bits - 1
    return -2 ** (bits - 1), 2 ** (bits - 1) - 1


def describe_typecode(typecode: str) -> str:
    """``"d" (double)``: a typecode and its C type, in words."""
    if typecode not in TYPECODES:
        return _('"{typecode}" (unknown)').format(typecode=typecode)
    return f'"{typecode}" ({TYPECODES[typecode]})'


@dataclass(frozen=True)
class ObjectKind:
    """One kind of shared object, described for every part of mpgui."""

    name: str  # as in files and code: "Queue"
    help: str  # one sentence for a tooltip
    params: tuple[Param, ...]
    # The expression that makes it, a ``str.format`` template of its parameters and
    # {mp}, the multiprocessing module (or context) the script uses.
    make: str
    # The same for the threads backend (rows are threads of one process), the module
    # it needs, and the script's own helper it uses ({helper} in `make_threads`), if any.
    make_threads: str
    threads_module: str
    threads_helper: str = ""
    zero: str = ""  # what its setting at 0 means, in words ("no limit"), if not zero
    extends: str = ""  # a kind it can stand in for (a JoinableQueue is a Queue)
    short: str = ""  # the name a new one gets (then with 2, 3, ...): "Q"
    # How a parameter's value is written in the make expression when not as a plain
    # number: Queue() rather than Queue(0), Pipe(duplex=False) rather than Pipe(0).
    spell: tuple[tuple[str, Callable[[int], str]], ...] = ()
    # Made by the script's Manager() ({manager} in `make`): the proxy of an object that
    # lives in the manager's own process, reached by a round trip on each use.
    managed: bool = False
    # How the table shows its setting, if not as "maxsize 2" (and `zero` for 0).
    shows: Callable[[int], str] | None = None
    # Whether it holds numbers of a C type chosen by a typecode (`TYPECODES`), as
    # multiprocessing.Value and Array do: {typecode} in `make`, and {zero}, a cell's
    # first value ("0", or "0.0" for a floating type), in `make_threads`.
    typed: bool = False

    def expression(self, values: Mapping[str, int], threads: bool = False,
                   helper: str = "", manager: str = "manager",
                   typecode: str = DEFAULT_TYPECODE) -> str:
        """The expression that makes one with `values` — ``multiprocessing.Queue(2)`` —
        or its threads' counterpart, using the script's helper called `helper` (and its
        Manager called `manager`); a typed kind's numbers are of `typecode`'s type."""
        args = {k: str(v) for k, v in values.items()}
        for name, spelled in self.spell:
            if name in values:
                args[name] = spelled(values[name])
        if self.typed:
            floating = is_floating(typecode)
            if floating and "init" in values:  # Value("d", 0.0), as one writes it
                args["init"] = repr(float(values["init"]))
            args["typecode"] = f'"{typecode}"'
            args["zero"] = "0.0" if floating else "0"
        template = self.make_threads if threads else self.make
        return template.format(mp="multiprocessing", helper=helper, manager=manager, **args)

    def param(self, name: str) -> Param:
        """The parameter called `name` (KeyError if there is none)."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


QUEUE = ObjectKind(
    "Queue", _("A first-in, first-out queue between processes: put() adds an item, get() "
               "waits for one. With a maxsize, put() waits while it is full."),
    (Param("maxsize", _("Max size"), int, 0, 0, 10_000, "",
           _("How many items it holds before put() waits (0: no limit).")),),
    "{mp}.Queue({maxsize})", "queue.Queue({maxsize})", "queue", zero=_("no limit"), short="Q",
    spell=(("maxsize", lambda v: str(v) if v else ""),))  # Queue(): no limit, as one writes it
LOCK = ObjectKind(
    "Lock", _("A lock: one process at a time holds it; acquire() waits while another "
              "does."),
    (), "{mp}.Lock()", "threading.Lock()", "threading", short="L")
VALUE = ObjectKind(
    "Value", _("A number in shared memory (multiprocessing.Value(\"i\", 0): its typecode "
               "says its C type, \"i\" an int, \"d\" a double) that every process reads "
               "and writes; its get_lock() makes an update whole."),
    (Param("init", _("Initial value"), int, 0, -1_000_000_000, 1_000_000_000, "",
           _("The value it starts with.")),),
    # The threads' counterpart: an object with the same .value and .get_lock() (see
    # codegen's SharedValue helper), since threads share plain variables.
    "{mp}.Value({typecode}, {init})", "{helper}({init})", "threading", "shared_value",
    short="V", typed=True)

EVENT = ObjectKind(
    "Event", _("An event: a flag every process can see. wait() blocks until a process "
               "calls set(); then all the waiting processes go on at once."),
    (), "{mp}.Event()", "threading.Event()", "threading", short="E")

BARRIER = ObjectKind(
    "Barrier", _("A barrier for a number of parties: each process that calls wait() waits "
                 "there until that many have arrived; then all of them go on together."),
    (Param("parties", _("Parties"), int, 2, 1, 64, "",
           _("How many processes must call wait() before they all go on.")),),
    "{mp}.Barrier({parties})", "threading.Barrier({parties})", "threading",
    short="BR")

JOINABLE_QUEUE = ObjectKind(
    "JoinableQueue", _("A queue that also counts unfinished tasks: each get() should be "
                       "followed by task_done(), and join() waits until every item put "
                       "has been marked done."),
    QUEUE.params, "{mp}.JoinableQueue({maxsize})", "queue.Queue({maxsize})", "queue",
    zero=_("no limit"), extends="Queue", short="JQ", spell=QUEUE.spell)

PIPE = ObjectKind(
    "Pipe", _("A pipe: two connected ends, P[0] and P[1]. What one end send()s, the other "
              "recv()s, in order; recv() waits until something comes. One-way (duplex off), "
              "P[0] only receives and P[1] only sends."),
    (Param("duplex", _("Duplex"), int, 1, 0, 1, "",
           _("1: both ends send and receive; 0: one-way, P[1] sends to P[0].")),),
    # (Threads share one process: a multiprocessing pipe serves them as well.)
    "{mp}.Pipe({duplex})", "multiprocessing.Pipe({duplex})", "multiprocessing",
    zero=_("one-way"), short="P", spell=(("duplex", lambda v: "" if v else "duplex=False"),),
    shows=lambda v: _("duplex") if v else _("one-way"))

RLOCK = ObjectKind(
    "RLock", _("A re-entrant lock: like a Lock, but the process that holds it may take it "
               "again (each acquire() needs its release()); the others wait."),
    (), "{mp}.RLock()", "threading.RLock()", "threading", extends="Lock", short="R")

SEMAPHORE = ObjectKind(
    "Semaphore", _("A semaphore: a lock with a number of places — that many processes may "
                   "hold it at once (with sem:); one more waits in acquire() for a place."),
    (Param("value", _("Places"), int, 2, 1, 64, "",
           _("How many processes may hold it at once.")),),
    "{mp}.Semaphore({value})", "threading.Semaphore({value})", "threading",
    extends="Lock", short="S")

CONDITION = ObjectKind(
    "Condition", _("A condition: processes wait() on it (holding its lock, which wait() "
                   "gives up while it waits) until another calls notify_all(). A "
                   "notification that comes before anyone waits is lost."),
    (), "{mp}.Condition()", "threading.Condition()", "threading", short="CV")

ARRAY = ObjectKind(
    "Array", _("An array of numbers in shared memory (multiprocessing.Array(\"i\", size): "
               "its typecode says the cells' C type): every process reads and writes its "
               "cells; processes that write different cells need no lock."),
    (Param("size", _("Size"), int, 8, 1, 10_000, "",
           _("How many cells it has (each starts at 0).")),),
    # (Threads share one process's memory: an array of the same C type does — a cell
    # written holds what the shared one would, 4.0 for a 4 in a "d" array.)
    "{mp}.Array({typecode}, {size})", "array.array({typecode}, [{zero}]) * {size}", "array",
    short="A", typed=True)

MANAGER_DICT = ObjectKind(
    "Manager.dict", _("A dict kept by a Manager: a server process holds it, and every "
                      "process that uses it reads and writes it there (d[key] = value) — "
                      "each use is a round trip to the manager."),
    # (Threads share one process's memory: a plain dict is what they use.)
    (), "{manager}.dict()", "{{}}", "", short="D", managed=True)

MANAGER_LIST = ObjectKind(
    "Manager.list", _("A list kept by a Manager: a server process holds it, and every "
                      "process that uses it appends to it and reads it there — each use is "
                      "a round trip to the manager."),
    (), "{manager}.list()", "[]", "", short="LS", managed=True)

OBJECT_KINDS: dict[str, ObjectKind] = {k.name: k for k in (QUEUE, LOCK, VALUE, EVENT,
                                                           BARRIER, JOINABLE_QUEUE, RLOCK,
                                                           SEMAPHORE, PIPE, CONDITION,
                                                           ARRAY, MANAGER_DICT,
                                                           MANAGER_LIST)}


def plays(kind: str, wanted: str) -> bool:
    """Whether an object of `kind` can play a role that wants a `wanted`: its own kind,
    or one it stands in for (a JoinableQueue feeds a consumer as a Queue does)."""
    return kind == wanted or (kind in OBJECT_KINDS and OBJECT_KINDS[kind].extends == wanted)


def get_kind(name: str) -> ObjectKind:
    """The kind called `name`; KeyError naming the known ones otherwise."""
    try:
        return OBJECT_KINDS[name]
    except KeyError:
        raise KeyError(_("unknown kind of shared object {name}; known: {known}").format(
            name=repr(name), known=", ".join(OBJECT_KINDS))) from None


@dataclass(frozen=True)
class SharedObject:
    """One named object the processes share: ``Q = multiprocessing.Queue(2)``."""

    name: str  # its variable in the script
    kind: str  # an `OBJECT_KINDS` name
    params: Mapping[str, int] = field(default_factory=dict)
    # A Value's or an Array's typecode ("d"); "" for the default, "i" (and for the
    # kinds that have none). Kept as given: validation names one it does not know.
    typecode: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        if self.typecode == DEFAULT_TYPECODE:  # (one spelling of the default: "")
            object.__setattr__(self, "typecode", "")

    def code(self) -> str:
        """Its typecode, the default's if none is set."""
        return self.typecode or DEFAULT_TYPECODE

    def param(self, name: str) -> int:
        """The parameter's value, or the kind's default when it is not set."""
        if name in self.params:
            return self.params[name]
        return int(get_kind(self.kind).param(name).default)

    def values(self) -> dict[str, int]:
        """Every parameter of its kind, set or default."""
        return {p.name: self.param(p.name) for p in get_kind(self.kind).params}
