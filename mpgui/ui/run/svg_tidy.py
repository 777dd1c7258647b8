"""What Qt's QSvgGenerator writes, made for the programs that read SVG: a size in
pixels (not millimetres), a font stack every browser knows, each group's rectangles as
one path (rectangles that touch on a row made one), and patterns without masks.

Every viewer draws the same picture, faster: rsvg, for one, fills a pattern once per
element and draws a masked pattern tile by tile, which made a dense run's chart (8,500
rectangles) take over 30 s of CPU; as paths with plain patterns it takes well under 2.

Only text that matches exactly what QSvgGenerator writes is changed; anything else is
left as it is (a newer Qt writing something else still gives a valid, if slower, SVG).
"""

from __future__ import annotations

import html
import re

# Fonts every browser and renderer knows, in that order: Chromium does not know Qt's
# "Sans Serif" and falls back to a serif font, which shifts every label.
FONT_STACK = "DejaVu Sans, Arial, Helvetica, sans-serif"
_GENERIC_SANS = {"sans serif", "sans-serif", "sans", "dejavu sans", "helvetica", "arial"}

_NUM = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RECT = re.compile(rf'<rect x="({_NUM})" y="({_NUM})" width="({_NUM})" height="({_NUM})"\s*/>')
# A group's start tag and the rectangles that open it.
_GROUP_RECTS = re.compile(rf'(<g\s[^>]*>\s*)((?:{_RECT.pattern}\s*)+)')
_SIZE = re.compile(rf'<svg width="{_NUM}(?:mm|cm|in|pt|px)?" height="{_NUM}(?:mm|cm|in|pt|px)?"'
                   rf'(\s+)viewBox="({_NUM}) ({_NUM}) ({_NUM}) ({_NUM})"')
_FONT = re.compile(r'(?<=\s)font-family="([^"]*)"')
# A start tag (XML keeps "<" out of text and attribute values): fonts are renamed only
# in tags, never in a label that happens to read font-family="…".
_TAG = re.compile(r'<[A-Za-z][\w:-]*(?:\s+[\w:-]+="[^"]*")*\s*/?>')
# Qt's pattern brush: a mask of the pattern's dots, and a pattern that fills its tile
# through the mask.
_MASK = re.compile(r'<mask id="([\w-]+)"[^>]*>((?:\s*<rect [^>]*/>)*)\s*</mask>\s*')
_MASKED = re.compile(r'<rect x="0" y="0" width="(\d+)" height="(\d+)" stroke="none" '
                     r'fill="(#[0-9a-fA-F]{6})" mask="url\(#([\w-]+)\)"\s*/>')


def tidy_svg(svg: str) -> str:
    """`svg` (as QSvgGenerator wrote it) with pixel sizes, the font stack, rectangles
    merged into paths and patterns without masks."""
    svg = _SIZE.sub(_pixel_size, svg, count=1)
    svg = _TAG.sub(lambda tag: _FONT.sub(_font_stack, tag.group(0)), svg)
    svg = _unmask_patterns(svg)
    return _GROUP_RECTS.sub(_as_path, svg)


def _pixel_size(m: re.Match[str]) -> str:
    """The SVG's size: the view box's, in pixels (a physical size in mm made the
    picture depend on the dpi Qt guessed)."""
    _x, _y, w, h = (m.group(k) for k in (2, 3, 4, 5))
    return f'<svg width="{w}" height="{h}"{m.group(1)}viewBox="{" ".join(m.group(2, 3, 4, 5))}"'


def _font_stack(m: re.Match[str]) -> str:
    family = html.unescape(m.group(1)).strip()
    if len(family) >= 2 and family[0] == family[-1] and family[0] in "'\"":
        family = family[1:-1]  # a name Qt quoted
    if not family or family.lower() in _GENERIC_SANS:
        return f'font-family="{FONT_STACK}"'
    # Another font (a theme's choice): first, then the stack; quoted, as CSS wants a
    # name that is not plain words.
    quoted = "'" + family.replace("\\", "\\\\").replace("'", "\\'") + "'"
    attr = html.escape(quoted, quote=False).replace('"', "&quot;")
    return f'font-family="{attr}, {FONT_STACK}"'


def _unmask_patterns(svg: str) -> str:
    """Each pattern Qt fills through a mask of dots made the dots themselves, in the
    pattern's colour: the same picture, with no mask to draw for every tile."""
    masks = {m.group(1): m.group(2) for m in _MASK.finditer(svg)}
    if not masks:
        return svg

    def unmasked(m: re.Match[str]) -> str:
        dots = masks.get(m.group(4))
        if dots is None:
            return m.group(0)
        return f'<g stroke="none" fill="{m.group(3)}">{dots.strip()}</g>'

    out = _MASKED.sub(unmasked, svg)
    if "mask=" not in out:  # every mask was used only by patterns, now drawn without
        out = _MASK.sub("", out)
    return out


def _as_path(m: re.Match[str]) -> str:
    """A group's rectangles as one path, those that touch end to start on the same row
    as one rectangle — when that draws the same: an opaque fill and no outline (an
    outline of each rectangle, or a see-through fill, shows where they meet)."""
    start, run = m.group(1), m.group(2)
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', start))
    if (attrs.get("stroke") != "none" or attrs.get("fill-opacity", "1") != "1"
            or attrs.get("opacity", "1") != "1" or attrs.get("fill", "none") == "none"):
        return m.group(0)
    rects = []
    for r in _RECT.finditer(run):
        x, y, w, h = (float(v) for v in r.groups())
        if w < 0:
            x, w = x + w, -w
        if h < 0:
            y, h = y + h, -h
        rects.append((y, h, x, x + w))
    rects.sort()
    merged: list[list[float]] = []
    for y, h, x0, x1 in rects:
        last = merged[-1] if merged else None
        if last and last[0] == y and last[1] == h and abs(last[3] - x0) < 1e-6:
            last[3] = max(last[3], x1)
        else:
            merged.append([y, h, x0, x1])
    d = "".join(f"M{_n(x0)} {_n(y)}h{_n(x1 - x0)}v{_n(h)}h{_n(x0 - x1)}z"
                for y, h, x0, x1 in merged)
    tail = run[len(run.rstrip()):]
    # Non-zero: where rectangles overlap the path is filled once, as each was (Qt's
    # outer group says even-odd, which would leave the overlaps empty).
    return f'{start}<path fill-rule="nonzero" d="{d}"/>{tail}'


def _n(v: float) -> str:
    """A coordinate, short: at most 4 decimals (a ten-thousandth of a pixel)."""
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
