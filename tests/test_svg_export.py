"""The SVG export as real clients read it: sized in pixels, a font stack browsers know,
each group's rectangles one path (touching ones merged), patterns without masks — drawn
pixel for pixel as Qt's own SVG by a real renderer (rsvg), and a dense run's chart in
well under 2 s of its CPU time (Qt's took over 30 s)."""

from __future__ import annotations

import resource
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from mpgui.model.builtins import load_builtin
from mpgui.runtime.parent.runner import Runner
from mpgui.ui.run.export_image import ChartPicture
from mpgui.ui.run.svg_tidy import FONT_STACK, tidy_svg
from mpgui.ui.theme import LIGHT

RSVG = shutil.which("rsvg-convert")
needs_rsvg = pytest.mark.skipif(
    RSVG is None, reason="rsvg-convert is not installed (apt-get install librsvg2-bin; "
                         ".ci/run installs it, so CI always runs this test)")

QT_LIKE = '''<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg width="508mm" height="285.75mm"
 viewBox="0 0 1920 1080"
 xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny">
<defs>
<mask id="patternmask7" x="0" y="0" width="8" height="8" stroke="none" fill="#ffffff" \
patternUnits="userSpaceOnUse" >
<rect x="3" y="0" width="1" height="1" />
<rect x="7" y="4" width="1" height="1" />
</mask>

<pattern id="fillpattern7_0072b2" x="0" y="0" width="8" height="8" patternUnits="userSpaceOnUse" >
<rect x="0" y="0" width="8" height="8" stroke="none" fill="#0072b2" mask="url(#patternmask7)" />
</pattern>
</defs>
<g fill="none" stroke="black" fill-rule="evenodd" >
<g fill="url(#fillpattern7_0072b2)" fill-opacity="1" stroke="none" transform="matrix(1,0,0,1,24,85)"
font-family="Sans Serif" font-size="21" font-weight="400" font-style="normal" >
<rect x="10" y="5" width="5" height="4"/>
<rect x="15" y="5" width="5" height="4"/>
<rect x="12" y="20" width="-2" height="4"/>
</g>
<g fill="#0072b2" fill-opacity="1" stroke="#1a1a1a" stroke-width="1" font-family="Noto Sans" >
<rect x="1" y="2" width="3" height="4"/>
<rect x="4" y="2" width="3" height="4"/>
</g>
<text font-family="Bob&apos;s &quot;Font&quot;">x</text>
<text x="1"> font-family="Sans Serif" &lt;rect x="1" y="2" width="3" height="4"/></text>
</g>
</svg>
'''


def test_tidy_svg_sizes_fonts_paths_and_patterns():
    out = tidy_svg(QT_LIKE)
    root = ET.fromstring(out.encode())  # still well-formed XML
    assert (root.get("width"), root.get("height")) == ("1920", "1080")
    assert root.get("viewBox") == "0 0 1920 1080"
    assert out.count("Sans Serif") == 1 and f'font-family="{FONT_STACK}"' in out
    assert f"font-family=\"'Noto Sans', {FONT_STACK}\"" in out  # a chosen font first
    assert "<mask" not in out and "mask=" not in out
    # the pattern's dots, in its colour
    assert '<g stroke="none" fill="#0072b2"><path fill-rule="nonzero" ' \
           'd="M3 0h1v1h-1zM7 4h1v1h-1z"/></g>' in out
    # touching rectangles on a row merged; a negative width made positive
    assert '<path fill-rule="nonzero" d="M10 5h10v4h-10zM10 20h2v4h-2z"/>' in out
    # an outlined group keeps its rectangles (each outline shows where they meet)
    assert '<rect x="1" y="2" width="3" height="4"/>\n<rect x="4" y="2"' in out
    # a label that reads like markup is left as it is
    assert '<text x="1"> font-family="Sans Serif" &lt;rect x="1" y="2"' in out
    hostile = next(e.get("font-family") for e in root.iter() if e.tag.endswith("text"))
    assert hostile == f"'Bob\\'s \"Font\"', {FONT_STACK}"


def test_tidy_svg_leaves_what_it_does_not_know():
    other = '<svg width="10" height="10" viewBox="0 0 10 10"><circle r="3"/></svg>'
    assert tidy_svg(other) == other


def render(svg: bytes, tmp_path, name: str) -> tuple[np.ndarray, float]:
    """`svg` drawn by rsvg-convert: its pixels, and the CPU time it took (s)."""
    src, png = tmp_path / f"{name}.svg", tmp_path / f"{name}.png"
    src.write_bytes(svg)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([RSVG, "-o", str(png), str(src)], check=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    image = QImage(str(png)).convertToFormat(QImage.Format.Format_ARGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(),
                                                                 image.width(), 4).copy()
    return pixels, cpu


def picture_of(name: str, speed: float) -> ChartPicture:
    scenario = load_builtin(name)
    with Runner(scenario, speed=speed, start_method="fork") as runner:
        runner.run()
    picture = ChartPicture(LIGHT, 1.75, (1920, 1080))
    picture.show_run(runner.store, None, name)
    return picture


@needs_rsvg
def test_a_tidied_svg_draws_the_same_pixels_as_qts(qtbot, tmp_path):
    picture = picture_of("seed", 20)
    try:
        raw, tidy = picture.svg_bytes(tidy=False), picture.svg_bytes()
    finally:
        picture.close()
    assert b'width="1920" height="1080"' in tidy and b"mm" not in tidy.split(b"viewBox")[0]
    assert b"Sans Serif" not in tidy and b"<mask" not in tidy
    a, _ = render(raw, tmp_path, "raw")
    b, _ = render(tidy, tmp_path, "tidy")
    assert a.shape == b.shape == (1080, 1920, 4)
    assert np.array_equal(a, b)


@pytest.mark.slow
@needs_rsvg
def test_a_dense_runs_svg_renders_in_under_2_s(qtbot, tmp_path):
    """oversubscribed at full length: thousands of rectangles, most of them patterned.
    The time measured is rsvg's CPU time, which a busy machine does not inflate."""
    picture = picture_of("oversubscribed", 1)
    try:
        raw, tidy = picture.svg_bytes(tidy=False), picture.svg_bytes()
    finally:
        picture.close()
    assert raw.count(b"<rect") > 2000  # dense, as Qt wrote it
    assert tidy.count(b"<rect") + tidy.count(b"<path") < raw.count(b"<rect") / 10
    _pixels, cpu = render(tidy, tmp_path, "dense")
    print(f"rsvg: {cpu:.2f} s of CPU for {raw.count(b'<rect')} rectangles as Qt wrote them, "
          f"{len(raw)} -> {len(tidy)} bytes")
    assert cpu < 2.0, f"rsvg took {cpu:.2f} s of CPU"
