"""Explanations in Markdown: headings, emphasis, lists, inline code, links and images
(CommonMark, by markdown-it-py) — the built-ins' plain sentences and a lesson pack's
richer texts alike. Raw HTML in a text is shown as text, never interpreted: a pack is
data, not a web page.

markdown-it-py is imported the first time a text has something Markdown would change:
plain text — every built-in's explanation but a few — is escaped directly, so the window
opens without the library's import.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable

# What makes a text more than plain sentences (markup, entities, list items, paragraphs).
_MARKUP = re.compile(r"[*_`#\[\]!<>&\\|~]|^\s*(?:[-+]|\d+[.)])\s|\n\s*\n", re.M)
_IMAGE = re.compile(r"<img [^>]*?alt=\"([^\"]*)\"[^>]*>")
_SOURCE = re.compile(r"src=\"([^\"]*)\"")


@functools.cache
def _renderer():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    # "commonmark" with html off: raw HTML is escaped; markdown-it's own check refuses
    # javascript:, vbscript:, file: and data: links (but data: images).
    return MarkdownIt("commonmark", {"html": False})


def block(text: str) -> str:
    """`text` as HTML paragraphs (and headings, lists, images …)."""
    if not _MARKUP.search(text):
        return f"<p>{html.escape(text)}</p>"
    return str(_renderer().render(text))


def inline(text: str) -> str:
    """`text` as HTML inside a paragraph: emphasis, code and links, no blocks."""
    if not _MARKUP.search(text):
        return html.escape(text)
    return str(_renderer().renderInline(text))


def with_images(markup: str, source: Callable[[str], str | None]) -> str:
    """`markup` with each image's source replaced by `source(src)` — an ``<img>`` tag's
    new attributes, or None: the image's alternative text instead."""
    def one(m: re.Match[str]) -> str:
        found = _SOURCE.search(m.group(0))
        new = source(html.unescape(found.group(1))) if found else None
        return m.group(1) if new is None else f"<img {new} alt=\"{m.group(1)}\" />"

    return _IMAGE.sub(one, markup)
