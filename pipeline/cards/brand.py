"""The gym's brand on a card: its accent colours, and a bar across the top with its logo
and name and, large in the corner, the seed's station."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from pipeline.brand import BrandSettings, parse_colour, tint
from pipeline.cards.flowable import Flowable
from pipeline.cards.palette import ACCENT, ACCENT_LIGHT, ACCENT_TINT, PAPER
from pipeline.cards.text import break_lines

LOGO_PIXELS = 1200
"""A raster logo is drawn from at most this many pixels across: over 600 dpi at the width a
card prints it, and each card carries its own copy."""


@dataclass(frozen=True)
class Accent:
    """The accent and the two lighter colours made from it: the tint behind the
    prescription box and the muscle badges, and the map's secondary muscles."""

    color: Color
    tint: Color
    light: Color


DEFAULT_ACCENT = Accent(ACCENT, ACCENT_TINT, ACCENT_LIGHT)


@dataclass(frozen=True)
class CardBrand:
    """What a card shows of the brand: none of it when the settings give none."""

    accent: Accent = DEFAULT_ACCENT
    name: str | None = None
    logo: str | None = None
    footer: str | None = None

    @property
    def has_bar(self) -> bool:
        """Whether the card has a brand bar (a name or a logo to show)."""
        return bool(self.name or self.logo)


def _color(rgb: tuple[float, float, float]) -> Color:
    return Color(*rgb)


def card_brand(settings: BrandSettings) -> CardBrand:
    """The card's brand from the settings' (checked) brand table."""
    accent = DEFAULT_ACCENT
    if settings.accent is not None:
        rgb = parse_colour(settings.accent)
        accent = Accent(HexColor(settings.accent), _color(tint(rgb)), _color(tint(rgb, 0.5)))
    return CardBrand(accent, settings.name, settings.logo, settings.footer)


def _raster(path: str) -> Any:
    """The logo as RGB on white, at most :data:`LOGO_PIXELS` across (cards are white behind
    it; an inline image has no transparency), read again when the file changes."""
    return _flattened(path, Path(path).stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _flattened(path: str, mtime_ns: int) -> Any:
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        rgba = image.convert("RGBA")
    if rgba.width > LOGO_PIXELS:
        height = max(1, round(rgba.height * LOGO_PIXELS / rgba.width))
        rgba = rgba.resize((LOGO_PIXELS, height), Image.Resampling.LANCZOS)
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _logo_size(path: str) -> tuple[float, float]:
    if path.lower().endswith(".svg"):
        from pipeline.svg import read_svg

        drawing = read_svg(Path(path))
        return float(drawing.width), float(drawing.height)
    image = _raster(path)
    return float(image.width), float(image.height)


def draw_logo(canvas: Any, path: str, x: float, y: float, width: float, height: float) -> None:
    """The logo in the box at ``(x, y)``, its aspect kept, at the box's left: an SVG as
    vectors, a PNG or JPEG as an image in the page's own content (so a booklet assembled from
    the cards' content carries it)."""
    if path.lower().endswith(".svg"):
        from reportlab.graphics import renderPDF

        from pipeline.svg import read_svg

        drawing = read_svg(Path(path))
        scale = min(width / drawing.width, height / drawing.height)
        canvas.saveState()
        canvas.translate(x, y + (height - drawing.height * scale) / 2)
        canvas.scale(scale, scale)
        renderPDF.draw(drawing, canvas, 0, 0)
        canvas.restoreState()
        return
    image = _raster(path)
    scale = min(width / image.width, height / image.height)
    w, h = image.width * scale, image.height * scale
    canvas.drawInlineImage(image, x, y + (height - h) / 2, w, h)


class BrandBar(Flowable):
    """Across the top of the card: the logo, the gym's name after it, and the station
    large in the right-hand corner on the accent."""

    def __init__(
        self,
        brand: CardBrand,
        station: str | None,
        *,
        font: str,
        size: float,
        space_after: float,
    ) -> None:
        super().__init__()
        self.brand = brand
        self.station = station
        self.font = font
        self.size = size
        self.spaceAfter = space_after
        self.logo_box = (0.0, 0.0)
        self.name_lines: list[str] = []

    def _station_width(self) -> float:
        if not self.station:
            return 0.0
        text = float(stringWidth(self.station, self.font, self.size * 1.6))
        return max(text + self.size * 1.2, self.height)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """As tall as the logo is drawn, or as the name and the station need."""
        self.width = availWidth
        self.height = self.size * 2.6
        room = availWidth - self._station_width() - (self.size if self.station else 0)
        if self.brand.logo:
            w, h = _logo_size(self.brand.logo)
            logo_w = min(self.height * w / h, room * 0.5)
            self.logo_box = (logo_w, self.height)
            room -= logo_w + (self.size * 0.8 if self.brand.name else 0)
        if self.brand.name:
            self.name_lines = break_lines(self.brand.name, self.font, self.size, max(room, 1))[:2]
        return self.width, self.height

    def draw(self) -> None:
        """The logo, the name beside it, and the station's tab."""
        canvas = self.canv
        x = 0.0
        if self.brand.logo:
            logo_w, logo_h = self.logo_box
            draw_logo(canvas, self.brand.logo, 0, 0, logo_w, logo_h)
            x = logo_w + self.size * 0.8
        if self.name_lines:
            canvas.setFillColor(self.brand.accent.color)
            canvas.setFont(self.font, self.size)
            lead = self.size * 1.15
            y = self.height / 2 + (len(self.name_lines) * lead) / 2 - self.size * 0.85
            for line in self.name_lines:
                canvas.drawString(x, y, line)
                y -= lead
        if self.station:
            width = self._station_width()
            canvas.setFillColor(self.brand.accent.color)
            canvas.roundRect(self.width - width, 0, width, self.height, self.size * 0.35, 0, 1)
            canvas.setFillColor(PAPER)
            canvas.setFont(self.font, self.size * 1.6)
            baseline = (self.height - self.size * 1.6 * 0.72) / 2
            canvas.drawCentredString(self.width - width / 2, baseline, self.station)
