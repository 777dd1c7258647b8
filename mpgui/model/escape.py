"""The one escaper: every string that enters generated code or reaches a terminal.

Scenario files, file names and traced scripts are hostile input. A string from them may
hold quotes, backslashes, NUL, newlines, terminal escape sequences (``\\x1b[2J``, the bell)
or bidirectional-override characters that make code read differently from how it runs
("Trojan Source"). Two questions, one module:

- `py_literal` — the string as a Python string literal that compiles and evaluates back
  to exactly the string (for generated scripts: docstrings, names, messages);
- `shown` — the string for a terminal or a one-line message: printable characters as they
  are, everything else as a visible escape, so an error stays one clean line.
"""

from __future__ import annotations

import unicodedata

from mpgui.i18n import _

# Bidirectional controls: printable by str.isprintable() in places, but they reorder
# what a reader sees. Always escaped.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069")


def _needs_escape(c: str) -> bool:
    return c in _BIDI or (not c.isprintable() and c != " ")


def _escape_char(c: str) -> str:
    o = ord(c)
    if c == "\n":
        return "\\n"
    if c == "\t":
        return "\\t"
    if c == "\r":
        return "\\r"
    if o < 0x100:
        return f"\\x{o:02x}"
    if o < 0x10000:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def shown(text: object) -> str:
    """`text` for a terminal or a one-line message: control, format, separator and
    bidirectional characters escaped (``\\x1b``, ``\\n``, ``\\u202e``), the rest as is.

    >>> shown("a\\nb\\x1b[31m")
    'a\\\\nb\\\\x1b[31m'
    """
    s = str(text)
    if all(not _needs_escape(c) for c in s):
        return s
    return "".join(_escape_char(c) if _needs_escape(c) else c for c in s)


def py_literal(text: str) -> str:
    """`text` as a Python string literal: compiles anywhere an expression may stand and
    evaluates to `text` exactly. Quotes, backslashes, NUL, newlines and every
    non-printable or bidirectional character are escaped, so nothing in `text` can end
    the literal, and what a reader sees is what runs.

    >>> print(py_literal("it's"))
    "it's"
    """
    return '"' + py_string_body(text) + '"'


def py_comment(text: str) -> str:
    """`text` safe inside a ``#`` comment or a docstring line: one line, printable, no
    quote or backslash that could end a string (they are shown escaped)."""
    s = shown(text)
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'")


def py_string_body(text: str) -> str:
    r"""`text` as the inside of a double-quoted string literal, one line, also a line
    of a triple-quoted docstring: evaluates back to `text` exactly. Newlines, control
    and bidirectional characters become escapes (``\n``, ``\x00``, ``\u202e``),
    backslashes are doubled and every double quote is escaped, so nothing in `text`
    can end the string; ``'`` stays as it is, for readers.

    >>> print(py_string_body('it\'s "a"\n'))
    it's \"a\"\n
    """
    return "".join(_escape_char(c) if _needs_escape(c) else
                   "\\\\" if c == "\\" else '\\"' if c == '"' else c for c in str(text))


def is_identifier_safe(name: str) -> bool:
    """Whether `name` is a plain ASCII identifier that is not a keyword (NFKC-normalising
    identifiers make 'ﬁle' and 'file' the same name in Python: refuse non-ASCII)."""
    import keyword

    return (name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
            and unicodedata.normalize("NFKC", name) == name)


def one_line(text: object, limit: int = 1000) -> str:
    """`text` as one short terminal line: `shown`, and when longer than `limit`
    characters cut in the middle (a 200,000-character value from a file must not fill
    the screen; the start says where, the end what to do)."""
    s = shown(text)
    if len(s) <= limit:
        return s
    head, tail = s[: limit * 2 // 3], s[-(limit // 3):]
    return _("{head} …[{n:,} characters]… {tail}").format(
        head=head, n=len(s) - len(head) - len(tail), tail=tail)
