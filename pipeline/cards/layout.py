"""Page geometry: where each card sits on a sheet, the print boxes, crop marks and cut guides.

Units are PostScript points throughout. A *card* is the trimmed size the reader holds; a
*sheet* is the PDF page, which is larger than what it holds only when there is bleed (the
bleed itself, and a slug area outside it for the crop marks)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, A5, landscape, letter
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from pipeline.cards.fonts import reserve_common_characters
from pipeline.config import Settings
from pipeline.diagnostics import PipelineError

PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": letter, "a5": A5}
PAGE_NAMES = {"a4": "A4", "letter": "Letter", "a5": "A5"}
HALF_NAMES = {"a4": "A5 (half of A4, 2up)", "letter": "half-Letter (2up)"}
FULL_PAGE_BODY = (12.0, 20.0)
"""Body text range on an A4 or Letter card. 12 pt reads from two metres; 20 pt still sets
about 45 characters a line in the text column, the short end of a comfortable measure."""
HALF_PAGE_BODY = (10.0, 14.0)
"""Body text range on an A5 card or a 2up half: the smallest that reads from two metres on a
card that size, and the size that sets about 45 characters a line in its narrower column."""
CREATOR = "exercise-pipeline"
"""Author and creator in every card's metadata."""
MARK_LENGTH = 5 * mm
MARK_GAP = 1 * mm
"""Crop marks start this far outside the bleed, so a slightly off cut never shows them."""


class CardLayoutError(PipelineError):
    """The card settings ask for a layout that cannot be printed."""


@dataclass(frozen=True)
class Geometry:
    """Sizes derived from the settings: the card, the sheet, and how cards sit on it."""

    card_width: float
    card_height: float
    trim_width: float
    trim_height: float
    bleed: float
    slug: float
    per_sheet: int
    name: str = "A4"
    """The card's size as a reader knows it, for messages."""
    body_floor: float = FULL_PAGE_BODY[0]
    """Body text is never set below this on the card's first page: past it the card flows on."""
    body_ceiling: float = FULL_PAGE_BODY[1]
    """A short card grows its body text up to this."""
    log_rows: int = 0
    """Blank rows at the card's foot for logging sessions (the ``log_cells`` setting)."""

    @property
    def sheet_width(self) -> float:
        """Width of the PDF page (the MediaBox)."""
        return self.trim_width + 2 * self.slug

    @property
    def sheet_height(self) -> float:
        """Height of the PDF page (the MediaBox)."""
        return self.trim_height + 2 * self.slug

    @property
    def trim_box(self) -> tuple[float, float, float, float]:
        """The finished sheet, for the PDF TrimBox."""
        s = self.slug
        return (s, s, s + self.trim_width, s + self.trim_height)

    @property
    def bleed_box(self) -> tuple[float, float, float, float]:
        """The trim box grown by the bleed, for the PDF BleedBox."""
        x0, y0, x1, y1 = self.trim_box
        b = self.bleed
        return (x0 - b, y0 - b, x1 + b, y1 + b)

    @property
    def scale(self) -> float:
        """Type scale against an A4 card: A5 is the A4 design shrunk by the A-series ratio."""
        return 1.0 if self.card_width >= A4[0] - 1 else A5[0] / A4[0]

    def card_origin(self, slot: int) -> tuple[float, float]:
        """Lower-left corner of the card in ``slot`` (0 or 1 on a 2up sheet)."""
        return (self.slug + slot * self.card_width, self.slug)


def geometry(settings: Settings) -> Geometry:
    """The page geometry the settings ask for, with the card's body text range: 12 to 20 pt
    on A4 and Letter, 10 to 14 pt on A5 and on the half-size cards of 2up.

    ``2up`` puts two half-size cards side by side on a landscape sheet of ``page_size``
    (two A5 cards on A4); A5 has no half size a wall card can be read from, so it is refused.
    """
    width, height = PAGE_SIZES[settings.page_size]
    bleed = settings.bleed_mm * mm
    slug = bleed + MARK_GAP + MARK_LENGTH if bleed else 0.0
    if settings.layout == "2up":
        if settings.page_size == "a5":
            raise CardLayoutError(
                "layout 2up needs page size a4 or letter (two half-size cards on one sheet)"
            )
        sheet_w, sheet_h = landscape((width, height))
        floor, ceiling = HALF_PAGE_BODY
        name = HALF_NAMES[settings.page_size]
        return Geometry(
            sheet_w / 2, sheet_h, sheet_w, sheet_h, bleed, slug, 2, name, floor, ceiling,
            settings.log_cells,
        )  # fmt: skip
    floor, ceiling = HALF_PAGE_BODY if settings.page_size == "a5" else FULL_PAGE_BODY
    name = PAGE_NAMES[settings.page_size]
    return Geometry(
        width, height, width, height, bleed, slug, 1, name, floor, ceiling, settings.log_cells
    )


def new_canvas(target: object, geo: Geometry, font: str, lang: str) -> Canvas:
    """A deterministic canvas sized for ``geo``, with print boxes set when there is bleed and
    the card font as its initial font, so reportlab never reaches for Helvetica."""
    canvas = Canvas(
        target,
        pagesize=(geo.sheet_width, geo.sheet_height),
        invariant=1,
        pageCompression=1,
        initialFontName=font,
        initialFontSize=10,
        lang=lang,
    )
    reserve_common_characters(canvas._doc)
    if geo.bleed:
        canvas.setTrimBox(geo.trim_box)
        canvas.setBleedBox(geo.bleed_box)
    return canvas


def draw_sheet_marks(canvas: Canvas, geo: Geometry) -> None:
    """Crop marks outside the bleed (with bleed) and a cut guide between 2up cards."""
    x0, y0, x1, y1 = geo.trim_box
    canvas.saveState()
    if geo.per_sheet == 2:
        middle = x0 + geo.card_width
        canvas.setStrokeColorRGB(0.72, 0.72, 0.72)
        canvas.setLineWidth(0.5)
        canvas.setDash(4, 3)
        canvas.line(middle, y0, middle, y1)
        canvas.setDash()
    if geo.bleed:
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.3)
        start = geo.bleed + MARK_GAP
        end = start + MARK_LENGTH
        xs = [x0, x1] + ([x0 + geo.card_width] if geo.per_sheet == 2 else [])
        for x in xs:
            canvas.line(x, y0 - start, x, y0 - end)
            canvas.line(x, y1 + start, x, y1 + end)
        for y in (y0, y1):
            canvas.line(x0 - start, y, x0 - end, y)
            canvas.line(x1 + start, y, x1 + end, y)
    canvas.restoreState()
