"""A gym's own brand on its cards and pages: its name, logo, accent colour and footer line,
from the ``[tool.pipeline.brand]`` table.

The accent colour is checked where it is read: the cards print white numbers on it and text
in it on white and on its own light tint, so a colour below WCAG AA's 4.5:1 for text against
any of those is refused, with the ratio it has. The logo is checked before anything is
written (:func:`check_logo`): a logo that cannot be read is an error then, never a card
without it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.diagnostics import PipelineError

WHITE = (1.0, 1.0, 1.0)
TINT_SHARE = 0.12
"""How much of the accent its tint holds (the rest is white): the muscle badges' and the
prescription box's background."""
AA_TEXT = 4.5
"""WCAG 2's AA contrast for text."""
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg")
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

Rgb = tuple[float, float, float]


class BrandError(PipelineError):
    """A brand setting that cannot be used (a logo that cannot be read)."""


def parse_colour(text: str) -> Rgb:
    """A colour written ``#1d5fa6``, ``1d5fa6`` or ``#15a``, as red, green, blue from 0 to 1."""
    match = _HEX.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a colour: write it as #rrggbb, e.g. #1d5fa6")
    digits = match[1]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def hex_colour(rgb: Rgb) -> str:
    """``#rrggbb`` of a colour."""
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def tint(rgb: Rgb, share: float = TINT_SHARE) -> Rgb:
    """The colour mixed with white, ``share`` of it kept."""
    red, green, blue = (c * share + 1.0 * (1 - share) for c in rgb)
    return red, green, blue


def _luminance(rgb: Rgb) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: Rgb, second: Rgb) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_accent(text: str) -> str:
    """``text`` as ``#rrggbb`` when it reads on white and on its own tint at 4.5:1 or more;
    else a ValueError naming the ratio and what it is against."""
    rgb = parse_colour(text)
    on_white = contrast(rgb, WHITE)
    on_tint = contrast(rgb, tint(rgb))
    if on_white < AA_TEXT:
        raise ValueError(
            f"'{text}' has a contrast of {on_white:.2f}:1 with the cards' white, below the "
            f"{AA_TEXT}:1 text needs (WCAG AA): choose a darker colour"
        )
    if on_tint < AA_TEXT:
        raise ValueError(
            f"'{text}' has a contrast of {on_tint:.2f}:1 with its own tint (the muscle "
            f"badges' background), below the {AA_TEXT}:1 text needs (WCAG AA): choose a "
            "darker colour"
        )
    return hex_colour(rgb)


class BrandSettings(BaseModel):
    """The ``[tool.pipeline.brand]`` table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="The gym's name, printed on every card and above every page's title.",
    )
    logo: str | None = Field(
        default=None,
        description="Its logo, an SVG (drawn as vectors), PNG or JPEG file, relative to the "
        "settings file; printed at the top of every card.",
    )
    accent: str | None = Field(
        default=None,
        description="The accent colour of cards and pages, #rrggbb; it must reach 4.5:1 "
        "against white (WCAG AA for text).",
    )
    footer: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="A line at the foot of every card (an address, opening hours).",
    )

    @field_validator("accent", mode="after")
    @classmethod
    def _accent(cls, value: str | None) -> str | None:
        return None if value is None else check_accent(value)

    @field_validator("name", "footer", mode="after")
    @classmethod
    def _stripped(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("is empty")
        return None if value is None else " ".join(value.split())


@dataclass(frozen=True, slots=True)
class Logo:
    """A logo read and checked: its file, kind (``svg`` or ``raster``), bytes' hash, and its
    size in points at 72 per inch (its aspect is what the cards keep)."""

    path: str
    kind: str
    sha256: str
    width: float
    height: float


def check_logo(path: Path) -> Logo:
    """Read the logo at ``path`` and check it can be drawn; a :class:`BrandError` naming the
    file and what is wrong otherwise."""
    shown = path.as_posix()
    suffix = path.suffix.lower()
    if suffix not in LOGO_TYPES:
        raise BrandError(f"{shown}: brand.logo: not an SVG, PNG or JPEG file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BrandError(f"{shown}: brand.logo: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_LOGO_BYTES:
        raise BrandError(f"{shown}: brand.logo: over {MAX_LOGO_BYTES // 1024 // 1024} MB")
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".svg":
        width, height = _svg_size(path, shown)
        return Logo(str(path), "svg", digest, width, height)
    width, height = _raster_size(path, shown)
    return Logo(str(path), "raster", digest, width, height)


def _svg_size(path: Path, shown: str) -> tuple[float, float]:
    from pipeline.svg import SvgError, read_svg

    try:
        drawing = read_svg(path)
    except SvgError as exc:
        raise BrandError(f"{shown}: brand.logo: {exc}") from None
    return float(drawing.width), float(drawing.height)


def _raster_size(path: Path, shown: str) -> tuple[float, float]:
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.verify()
            with Image.open(path) as image:
                image.load()
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BrandError(f"{shown}: brand.logo: too many pixels to be an image") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise BrandError(f"{shown}: brand.logo: not a readable image ({exc})") from None
    if not width or not height:
        raise BrandError(f"{shown}: brand.logo: an image with no pixels")
    return float(width), float(height)
