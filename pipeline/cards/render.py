"""Render cards: find the largest body size at which a card fits one page, lay it out, and
draw it onto sheets (one card or a whole booklet in one document)."""

from __future__ import annotations

import copy
import io
import itertools
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from pipeline.cards.booklet import CardArtefact, SubsetRef, assemble_booklet
from pipeline.cards.brand import DEFAULT_ACCENT, CardBrand, card_brand
from pipeline.cards.flowable import Flowable
from pipeline.cards.flowables import PanelPiece
from pipeline.cards.fonts import (
    FontFamily,
    card_fonts,
    reserve_card_characters,
)
from pipeline.cards.layout import (
    CREATOR,
    Geometry,
    draw_sheet_marks,
    geometry,
    new_canvas,
)
from pipeline.cards.palette import MUTED, RULE
from pipeline.cards.pictures import CardImage, PictureRow
from pipeline.cards.story import (
    PICTURE_HEIGHT,
    SMALLER_PICTURES,
    Styles,
    build_story,
    card_texts,
    log_block,
)
from pipeline.cards.text import break_lines, forget_texts
from pipeline.config import Settings
from pipeline.credit import credit_parts
from pipeline.i18n.labels import Labels, labels_for
from pipeline.model import Exercise

STEP = 0.25
"""Body sizes are tried in quarter points."""
SMALLEST_BODY = 4.0
"""Where the search for the size an overflowing card would need gives up."""
SECTION_GAP_GROWTH = 1.5
"""At most this many body sizes of extra space between sections of a short card."""
ITEM_GAP_GROWTH = 0.4
"""At most this many body sizes of extra space between items outside a tinted panel."""
OPTICAL_CENTRE = 0.4
"""Share of the room a short card leaves over (once its gaps have grown) that goes above it."""


@dataclass
class CardResult:
    """One rendered card: the PDF, the artefact the booklet is assembled from, and what its
    seed's author should hear about."""

    pdf: bytes
    pages: int
    body_size: float
    artefact: CardArtefact
    warnings: list[str] = field(default_factory=list)
    images: tuple[CardImage, ...] = ()
    """The pictures it draws, prepared, in the order the artefact names them."""


@dataclass
class _Laid:
    """A card laid out at one body size: its flowables, grouped by page."""

    body: float
    pages: list[list[tuple[Flowable, float]]]
    warnings: list[str]


class _CardBox:
    """The content area of a card, in card coordinates."""

    def __init__(self, geo: Geometry) -> None:
        margin = max(10 * mm, 12 * mm * geo.scale)
        self.footer = 7 * mm * geo.scale
        self.x = margin
        self.width = geo.card_width - 2 * margin
        self.top = geo.card_height - margin
        self.bottom = margin + self.footer
        self.height = self.top - self.bottom


def _measure(story: Sequence[Flowable], width: float) -> list[float]:
    """Each flowable's height plus the space above it (none above the first)."""
    heights = []
    for index, flowable in enumerate(story):
        _, h = flowable.wrap(width, 1e6)
        heights.append(h + (flowable.getSpaceBefore() if index else 0))
    return heights


def _paginate(
    story: list[Flowable], box: _CardBox, continued_top: float
) -> list[list[tuple[Flowable, float]]]:
    """Place flowables on pages as ``(flowable, y of its lower edge)``; split what straddles."""
    pages: list[list[tuple[Flowable, float]]] = []
    pending = list(story)
    while pending:
        _open_panel_at_page_top(pending[0])
        placed = _fill_page(pending, box, box.top if not pages else continued_top)
        _close_panel_at_page_foot(placed, pending)
        pages.append(placed)
    return pages


def _fill_page(pending: list[Flowable], box: _CardBox, top: float) -> list[tuple[Flowable, float]]:
    """Move flowables from the front of ``pending`` onto a page whose content starts at
    ``top``, until the next neither fits nor splits to fit, and return them placed."""
    placed: list[tuple[Flowable, float]] = []
    y = top
    while pending:
        flowable = pending[0]
        space = flowable.getSpaceBefore() if placed else 0.0
        room = y - space - box.bottom
        _, h = flowable.wrap(box.width, room)
        if h <= room + 0.01:
            y -= space + h
            placed.append((pending.pop(0), y))
        elif not _split_first(pending, box.width, room):
            if not placed:
                # Taller than an empty page and unsplittable: place it anyway so nothing is
                # lost; the fit search makes this unreachable for text of a sane size.
                y -= h
                placed.append((pending.pop(0), y))
            break
    return placed


def _split_first(pending: list[Flowable], width: float, room: float) -> bool:
    """Replace the first pending flowable by the parts it splits into to fit ``room``;
    False, leaving it whole, when it cannot be split there."""
    parts = pending[0].split(width, room) if room > 0 else []
    if not parts:
        return False
    # Each part is smaller than what it came from; the page looks at the first again.
    pending[0:1] = parts
    return True


def _open_panel_at_page_top(first: Flowable) -> None:
    """A slice of a tinted panel that starts a page rounds its top corners."""
    if isinstance(first, PanelPiece):
        first.top = True


def _close_panel_at_page_foot(
    placed: list[tuple[Flowable, float]], pending: list[Flowable]
) -> None:
    """A slice of a tinted panel that ends a page the card continues after rounds its
    bottom corners."""
    if pending and placed and isinstance(placed[-1][0], PanelPiece):
        placed[-1][0].closed = True


class _Fitter:
    """Builds and measures the story at a body size, remembering what it measured."""

    def __init__(
        self,
        exercise: Exercise,
        geo: Geometry,
        family: FontFamily,
        box: _CardBox,
        labels: Labels,
        log_rows: int | None = None,
        *,
        keep: tuple[float, bool] = (PICTURE_HEIGHT[0], True),
        brand: CardBrand | None = None,
        picture_height: float | None = None,
    ) -> None:
        self.exercise = exercise
        self.picture_factor, self.muscle_map = keep
        self.picture_height = picture_height
        self.geo = geo
        self.family = family
        self.box = box
        self.labels = labels
        self.log_rows = geo.log_rows if log_rows is None else log_rows
        self.brand = brand
        self.measured: dict[float, tuple[list[Flowable], list[float]]] = {}

    def story(self, body: float) -> list[Flowable]:
        """The card's flowables at ``body`` points."""
        accent = self.brand.accent if self.brand else DEFAULT_ACCENT
        styles = Styles(body, self.family, self.geo.scale, accent)
        return build_story(
            self.exercise,
            styles,
            self.labels,
            log_rows=self.log_rows,
            muscle_map=self.muscle_map,
            pictures=self.picture_factor > 0,
            picture_height=self.picture_height or body * self.picture_factor,
            brand=self.brand,
        )

    def measure(self, body: float) -> tuple[list[Flowable], list[float]]:
        """The story at ``body`` points and the height of each of its flowables."""
        if body not in self.measured:
            story = self.story(body)
            self.measured[body] = (story, _measure(story, self.box.width))
        return self.measured[body]

    def total(self, body: float) -> float:
        """The card's height at ``body`` points, on one page of unlimited height."""
        return float(sum(self.measure(body)[1]))

    def largest_fitting(self, low: float, high: float) -> float | None:
        """The largest size in quarter points from ``low`` to ``high`` at which the card fits
        one page, or None when not even ``low`` fits.

        Each try aims at the size where the page would just fill, reckoning that height
        grows with a power of the size (taller lines, and fewer words a line): first the
        1.75th, the typical card's, then the power the two sizes that bracket the answer
        show. A try that
        fits raises the bracket's bottom and one that does not lowers its top, so the
        bracket shrinks with every try and a few settle it."""
        lowest, highest = round(low / STEP), round(high / STEP)
        fitting: int | None = None
        failing: int | None = None
        trial = highest
        while True:
            if self.total(trial * STEP) <= self.box.height:
                fitting = trial
            else:
                failing = trial
            top = highest if failing is None else failing - 1
            bottom = lowest if fitting is None else fitting + 1
            if bottom > top:
                return None if fitting is None else fitting * STEP
            trial = min(top, max(bottom, self._aim(trial, fitting, failing)))

    def _aim(self, last: int, fitting: int | None, failing: int | None) -> int:
        """The quarter-point size at which the card is predicted to just fill the page."""
        power = 1.75
        if fitting is not None and failing is not None:
            small, large = fitting * STEP, failing * STEP
            grown = math.log(self.total(large) / self.total(small)) / math.log(large / small)
            power = min(3.0, max(0.75, grown))
        body = last * STEP
        aim = body * math.pow(self.box.height / self.total(body), 1 / power) / STEP
        # Round towards the side not yet tried: up from a size that fits, down from one that
        # does not, so each try can move the bracket's far end, not just creep.
        return math.ceil(aim) if last == fitting else math.floor(aim)

    def pages(self, body: float, continued_top: float) -> list[list[tuple[Flowable, float]]]:
        """The card at ``body`` points (a size it does not fit one page at), placed on as
        many pages as it takes."""
        return _paginate(self.story(body), self.box, continued_top)


def _log_apart(text: _Fitter, continued_top: float) -> _Laid | None:
    """The card whose log would take its text below the floor, with the log on pages of its
    own after it (the text set as without the log); None when the text alone does not fit
    one page either."""
    geo, box = text.geo, text.box
    body = text.largest_fitting(geo.body_floor, geo.body_ceiling)
    if body is None:
        return None
    story, heights = text.measure(body)
    pages = [_spread(story, heights, box, body)]
    styles = Styles(
        body, text.family, geo.scale, text.brand.accent if text.brand else DEFAULT_ACCENT
    )
    pending = [log_block(text.exercise, styles, text.labels, geo.log_rows)]
    while pending:
        pages.append(_fill_page(pending, box, continued_top))
    return _Laid(body, pages, [])


def _spread(
    story: Sequence[Flowable], heights: Sequence[float], box: _CardBox, body: float
) -> list[tuple[Flowable, float]]:
    """Place a story that fits one page, sharing the room left at the foot of the page out
    between sections (and between items not inside a tinted panel), each gap growing by a
    bounded amount; past those bounds the content moves down towards the optical centre."""
    room = box.height - sum(heights)
    growth = []
    for index, flowable in enumerate(story):
        if index == 0:
            growth.append(0.0)
        elif isinstance(flowable, PanelPiece):
            growth.append(0.0 if flowable.panel else ITEM_GAP_GROWTH * body)
        else:
            growth.append(SECTION_GAP_GROWTH * body)
    share = min(1.0, room / sum(growth)) if sum(growth) else 0.0
    placed = []
    # What the gaps cannot take sits a little above the middle, as on a poster: the card
    # ends neither in a blank half page nor with its title low on the page.
    top = box.top - (room - sum(growth) * share) * OPTICAL_CENTRE
    for flowable, height, grow in zip(story, heights, growth, strict=True):
        top -= height + grow * share
        placed.append((flowable, top))
    return placed


def lay_out(
    exercise: Exercise,
    geo: Geometry,
    family: FontFamily,
    labels: Labels,
    brand: CardBrand | None = None,
) -> _Laid:
    """Lay the card out at the largest body size that fits one page, between the page's
    floor and ceiling; or, when even the floor does not fit, over more pages (with a
    warning naming the size one page would have needed).

    The text comes first: pictures that would push the card onto a second page are made
    smaller and then left off it, and so is the muscle map (the page still has them), and a
    log that would is set on a page of its own; the map and the pictures are kept over
    keeping the log on the first page. A card that takes several pages anyway keeps them
    all."""
    forget_texts()
    box = _CardBox(geo)
    continued_top = box.top - _running_head_height(geo)
    for keep in _variants(exercise):
        whole = _Fitter(exercise, geo, family, box, labels, keep=keep, brand=brand)
        body = whole.largest_fitting(geo.body_floor, geo.body_ceiling)
        if body is not None:
            story, heights = _grown(whole, body)
            return _Laid(body, [_spread(story, heights, box, body)], [])
        if geo.log_rows:
            text = _Fitter(exercise, geo, family, box, labels, 0, keep=keep, brand=brand)
            apart = _log_apart(text, continued_top)
            if apart is not None:
                return apart
    return _overflow(_Fitter(exercise, geo, family, box, labels, brand=brand), continued_top)


def _grown(fitter: _Fitter, body: float) -> tuple[list[Flowable], list[float]]:
    """The story at ``body`` points, its pictures grown into the room the text leaves on
    the page (up to the most of :data:`~pipeline.cards.story.PICTURE_HEIGHT`)."""
    story, heights = fitter.measure(body)
    room = fitter.box.height - sum(heights)
    if not any(isinstance(f, PictureRow) for f in story) or room <= 0:
        return story, heights
    grown = copy.copy(fitter)
    grown.measured = {}
    grown.picture_height = min(body * PICTURE_HEIGHT[1], body * fitter.picture_factor + room)
    story_grown, heights_grown = grown.measure(body)
    if sum(heights_grown) <= fitter.box.height:
        return story_grown, heights_grown
    return story, heights


def _variants(exercise: Exercise) -> list[tuple[float, bool]]:
    """What the card tries to keep, in turn, as ``(pictures' least height in body sizes, 0
    for none; muscle map)``: the pictures (with the map beside them, where it costs no
    height), then smaller pictures, then the map alone under the QR code, then neither."""
    has_map = bool(exercise.muscles or exercise.secondary_muscles)
    variants: list[tuple[float, bool]] = []
    if any(picture.local for picture in exercise.images):
        variants += [(PICTURE_HEIGHT[0], True), (SMALLER_PICTURES, True)]
    variants.append((0.0, True))
    if has_map:
        variants.append((0.0, False))
    return variants


def _overflow(fitter: _Fitter, continued_top: float) -> _Laid:
    """The card over as many pages as it takes at the floor, at the largest size that needs
    no more of them, with the warning that says so."""
    geo, floor = fitter.geo, fitter.geo.body_floor
    needed = fitter.largest_fitting(SMALLEST_BODY, floor - STEP)
    body = floor
    pages = fitter.pages(body, continued_top)
    # It takes several pages anyway: use the largest size that needs no more of them than
    # the floor does, so the extra paper buys legibility.
    low, high = floor + STEP, geo.body_ceiling
    while low <= high:
        middle = math.floor((low + high) / 2 / STEP) * STEP
        trial = fitter.pages(middle, continued_top)
        if len(trial) <= len(pages):
            body, pages, low = middle, trial, middle + STEP
        else:
            high = middle - STEP
    more = len(pages) - 1
    need = f"{needed:g} pt" if needed is not None else f"less than {SMALLEST_BODY:g} pt"
    warning = (
        f"card for '{fitter.exercise.slug}' would need {need} body text to fit one {geo.name} "
        f"page, below the {floor:g} pt that reads from two metres; it continues on {more} "
        f"more page{'s' if more > 1 else ''} at {body:g} pt"
    )
    return _Laid(body, pages, [warning])


def _running_head(title: str, continued: str, family: FontFamily, size: float, width: float) -> str:
    """ "<title> (continued)" on one line; a title too long for it is shortened with an
    ellipsis here (page one carries it in full)."""
    suffix = f" ({continued})"
    lines = break_lines(
        title, family.bold, size, width - stringWidth(suffix + "…", family.bold, size)
    )
    return f"{lines[0]}{'…' if len(lines) > 1 else ''}{suffix}"


def _running_head_height(geo: Geometry) -> float:
    return float(11 * mm * geo.scale)


def _draw_card_page(
    canvas: Canvas,
    card: _Card,
    placed: list[tuple[Flowable, float]],
    page: int,
    pages: int,
) -> None:
    exercise, geo, family, labels = card.exercise, card.geo, card.family, card.labels
    box = _CardBox(geo)
    small = max(7.5 * geo.scale, 6.0)
    if page:
        canvas.setFillColor(MUTED)
        canvas.setFont(family.bold, small * 1.3)
        canvas.drawString(
            box.x,
            box.top - small * 1.3,
            _running_head(exercise.title, labels["continued"], family, small * 1.3, box.width),
        )
    for flowable, y in placed:
        flowable.drawOn(canvas, box.x, y)
    canvas.saveState()
    rule_y = box.bottom - box.footer * 0.45
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(box.x, rule_y, box.x + box.width, rule_y)
    canvas.setFillColor(MUTED)
    canvas.setFont(family.regular, small)
    text_y = rule_y - small * 1.5
    note = (card.brand.footer or "") if card.brand else ""
    if pages > 1:
        count = f"{page + 1} / {pages}"
        if page + 1 < pages:
            count += f"  · {labels['continues']}"
        note = f"{note}  · {count}" if note else count
    if note:
        canvas.drawRightString(box.x + box.width, text_y, note)
    room = box.width - (stringWidth(note, family.regular, small) + small * 2 if note else 0)
    canvas.drawString(box.x, text_y, footer_text(exercise, labels, family.regular, small, room))
    canvas.restoreState()


def footer_text(exercise: Exercise, labels: Labels, font: str, size: float, width: float) -> str:
    """The slug, then the credit of the text and of the pictures (small, but on every page
    of the card: they are reused on these terms); a credit too long for the line shows its
    sources' hosts only, and past that is cut with an ellipsis (the page and the JSON-LD
    carry it whole)."""
    from pipeline.cards.pictures import card_pictures
    from pipeline.credit import pictures_credit

    credits = [p.credit for p in card_pictures(exercise.images) if p.credit is not None]
    if exercise.credit is None and not credits:
        return exercise.slug
    for short in (False, True):
        parts = [exercise.slug]
        if exercise.credit is not None:
            parts += credit_parts(exercise.credit, labels, short_source=short)
        if credits:
            parts.append(pictures_credit(credits, labels, short_source=short))
        text = " · ".join(parts)
        if stringWidth(text, font, size) <= width:
            return text
    lines = break_lines(text, font, size, width - stringWidth("…", font, size))
    return lines[0] + "…"


@dataclass(frozen=True)
class _Card:
    """One card being drawn: its exercise, page geometry, faces and words."""

    exercise: Exercise
    geo: Geometry
    family: FontFamily
    labels: Labels
    brand: CardBrand | None = None


class _Sheets:
    """Hands out card slots on sheets, starting a new sheet when one is full, and keeps the
    drawing operators of each card page (in card coordinates) for the booklet."""

    def __init__(self, canvas: Canvas, geo: Geometry) -> None:
        self.canvas = canvas
        self.geo = geo
        self.slot = -1
        self.card_pages: list[str] = []

    def next_slot(self) -> tuple[float, float]:
        if self.slot + 1 >= self.geo.per_sheet:
            self.finish_sheet()
            self.canvas.showPage()
            self.slot = -1
        self.slot += 1
        return self.geo.card_origin(self.slot)

    def finish_sheet(self) -> None:
        if self.slot >= 0:
            draw_sheet_marks(self.canvas, self.geo)


def _draw_card(sheets: _Sheets, card: _Card, laid: _Laid) -> None:
    for page, placed in enumerate(laid.pages):
        x, y = sheets.next_slot()
        canvas = sheets.canvas
        canvas.saveState()
        canvas.translate(x, y)
        # A second save keeps the card's first transform from being merged into the slot's
        # (reportlab joins consecutive ``cm`` operators), so the operators drawn from here on
        # are the card alone, in card coordinates.
        canvas.saveState()
        code: list[str] = canvas._code
        start = len(code)
        _draw_card_page(canvas, card, placed, page, len(laid.pages))
        sheets.card_pages.append("\n".join(code[start:]))
        canvas.restoreState()
        canvas.restoreState()


def _set_metadata(canvas: Canvas, title: str, subject: str, keywords: str) -> None:
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setAuthor(CREATOR)
    canvas.setCreator(CREATOR)
    canvas.setKeywords(keywords)


def _subsets(doc: Any, family: FontFamily) -> tuple[SubsetRef, ...]:
    """The font subsets the card's PDF embeds (those of every face it drew with), each with
    its resource name and the characters it holds by code."""
    refs = []
    for name in (family.regular, family.bold, family.italic, family.bold_italic):
        internal = doc.fontMapping.get(name)
        if internal is None:
            continue
        for number, subset in enumerate(pdfmetrics.getFont(name).state[doc].subsets):
            refs.append(SubsetRef(f"{internal[1:]}+{number}", name, "".join(map(chr, subset))))
    return tuple(refs)


def _encode(content: str) -> bytes:
    """Drawing operators as bytes, as reportlab encodes them. Its PDFDocEncoding codec is
    slow and leaves ASCII as it is, and reportlab escapes everything else in strings, so
    the codec is only needed when something slipped through."""
    if content.isascii():
        return content.encode("ascii")
    encoded: bytes = pdfdoc.pdfdocEnc(content)
    return encoded


def render_card(exercise: Exercise, settings: Settings) -> CardResult:
    """The wall card of one exercise as a PDF, and the artefact the booklet is made from."""
    geo = geometry(settings)
    family = card_fonts()
    labels = labels_for(exercise.lang, settings.labels)
    brand = card_brand(settings.brand)
    laid = lay_out(exercise, geo, family, labels, brand)
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, geo, family.regular, exercise.lang)
    texts = card_texts(exercise, labels, family.bold, geo.log_rows)
    brand_texts = (brand.name or "", brand.footer or "", exercise.station or "")
    reserve_card_characters(canvas._doc, itertools.chain(texts, brand_texts))
    _set_metadata(canvas, exercise.title, exercise.description, labels["card_keywords"])
    sheets = _Sheets(canvas, geo)
    _draw_card(sheets, _Card(exercise, geo, family, labels, brand), laid)
    # Read before ``save``: embedding the fonts forgets which characters each subset holds.
    fonts = _subsets(canvas._doc, family)
    sheets.finish_sheet()
    canvas.showPage()
    canvas.save()
    drawn: dict[str, CardImage] = getattr(canvas, "card_images", {})
    names = sorted(drawn)
    images = tuple(drawn[name] for name in names)
    artefact = CardArtefact(
        slug=exercise.slug,
        title=exercise.title,
        lang=exercise.lang,
        pages=tuple(zlib.compress(_encode(page)) for page in sheets.card_pages),
        fonts=fonts,
        images=tuple(drawn[name].ref(name) for name in names),
    )
    pdf = buffer.getvalue()
    return CardResult(pdf, len(laid.pages), laid.body, artefact, laid.warnings, images)


def booklet_order(exercises: Sequence[Exercise]) -> list[Exercise]:
    """Cards in the order a reader looks them up: by title, then slug for equal titles."""
    return sorted(exercises, key=lambda e: (e.title.casefold(), e.title, e.slug))


def render_booklet(exercises: Sequence[Exercise], settings: Settings) -> bytes:
    """Every card in one PDF, ordered by title, the fonts embedded once for all: each card is
    rendered, then the booklet is assembled from the cards' artefacts (as the exporter does
    with the artefacts its workers made)."""
    return assemble_booklet([render_card(e, settings).artefact for e in exercises], settings)
