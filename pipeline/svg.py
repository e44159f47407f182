"""SVG files read as reportlab drawings (with svglib), so a logo or a picture prints as
vectors, sharp at any size.

svglib recovers what it can of broken markup, and would print half a logo without a word;
the file is parsed strictly first (no entities, no network), so a broken SVG is a clean
error naming its line. References to files outside the SVG's own folder are refused.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}svg"


class SvgError(ValueError):
    """An SVG that cannot be drawn: not well-formed, not an SVG, or empty."""


@functools.lru_cache(maxsize=16)
def _drawing(path: str, mtime_ns: int) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(path, parser=parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = f" at line {exc.lineno}" if exc.lineno else ""
        raise SvgError(f"not well-formed SVG{line}: {exc.msg}") from None
    except OSError as exc:
        raise SvgError(f"cannot be read ({exc})") from None
    if root.tag != SVG_NAMESPACE:
        raise SvgError(f"not an SVG: its root element is <{etree.QName(root).localname}>")
    from svglib.svglib import svg2rlg

    # svglib logs what it skips (an unsupported filter) as errors; the drawing is what counts.
    logging.getLogger("svglib").setLevel(logging.CRITICAL)
    drawing = svg2rlg(path, external_reference_root=str(Path(path).parent))
    if drawing is None or not drawing.width or not drawing.height:
        raise SvgError("an SVG with no size: give its root a width and height or a viewBox")
    if _has_text(drawing):
        # Its text would be set in a font the card does not embed, and lost in the booklet.
        raise SvgError(
            "an SVG with text in it: convert the text to paths (in Inkscape, Path > Object to "
            "Path), so it prints the same everywhere"
        )
    return drawing


def _has_text(node: Any) -> bool:
    from reportlab.graphics.shapes import Group, String

    if isinstance(node, String):
        return True
    contents = node.contents if isinstance(node, Group) else getattr(node, "contents", [])
    return any(_has_text(child) for child in contents)


def read_svg(path: Path) -> Any:
    """The reportlab ``Drawing`` of the SVG at ``path`` (read once while the file is
    unchanged); :class:`SvgError` when it cannot be drawn."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise SvgError(f"cannot be read ({exc.strerror})") from None
    return _drawing(str(path), mtime)
