"""What goes on a card, in reading order, at a given body size: the card's content and its
type hierarchy, independent of where the page breaks fall."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.lib.units import mm

from pipeline.cards.brand import DEFAULT_ACCENT, Accent, BrandBar, CardBrand
from pipeline.cards.flowable import Flowable
from pipeline.cards.flowables import (
    Badge,
    Badges,
    Header,
    KeepWithNext,
    MarkedItem,
    Marker,
    Panel,
    QrBlock,
    SectionHeading,
)
from pipeline.cards.fonts import FontFamily
from pipeline.cards.glyphs import printed_upper
from pipeline.cards.loggrid import DEFAULT_LOG_SETS, MAX_LOG_SETS, LogGrid
from pipeline.cards.muscle_map import Column, MuscleMapBlock
from pipeline.cards.palette import (
    INK,
    LEVEL_COLORS,
    MISTAKE,
    MISTAKE_TINT,
    MUTED,
    NEUTRAL_TINT,
    PAPER,
    RULE,
    TIP,
    TIP_TINT,
)
from pipeline.cards.pictures import PictureRow, card_pictures
from pipeline.cards.text import Run, TextBlock
from pipeline.i18n.labels import Labels
from pipeline.model import Exercise, Item, Picture, Prescription, Section, SectionKind, Span
from pipeline.muscles import muscle_map

HEADING_RATIO = 1.2
"""Section headings are a step (a minor third) above the body, so they always lead it."""
PICTURE_HEIGHT = (6.0, 9.0)
"""The pictures' height, in body sizes: the least they are measured at while the body size
is chosen (so they cost the text as little as they can), and the most they grow to in the
room the text leaves on the page."""
SMALLER_PICTURES = 4.0
"""The least height the pictures are tried at, in body sizes, before a card leaves them off."""


@dataclass(frozen=True)
class Styles:
    """Sizes and faces derived from one body size."""

    body: float
    family: FontFamily
    scale: float
    accent: Accent = DEFAULT_ACCENT

    def block(
        self,
        runs: Sequence[Run],
        size: float,
        *,
        color: Color = INK,
        leading: float = 1.2,
        space_before: float = 0.0,
    ) -> TextBlock:
        """A left-aligned text block in the card family."""
        return TextBlock(
            runs, size=size, leading=size * leading, color=color, space_before=space_before
        )

    def font(self, *, bold: bool = False, italic: bool = False) -> str:
        """The face for a combination of bold and italic."""
        return self.family.face(bold=bold, italic=italic)


def span_runs(spans: Sequence[Span], styles: Styles, *, italic: bool = False) -> list[Run]:
    """Runs for the seed's styled spans: strong is bold, emphasis is italic."""
    return [
        Run(span.text, styles.font(bold=span.strong, italic=span.emphasis or italic))
        for span in spans
    ]


def item_runs(item: Item, styles: Styles) -> list[Run]:
    """An item as runs: the bold label (if any), then its styled text."""
    body = span_runs(item.spans, styles) if item.spans else [Run(item.text, styles.font())]
    if not item.label:
        return body
    if not item.text:
        return [Run(item.label, styles.font(bold=True))]
    return [Run(f"{item.label}:", styles.font(bold=True)), Run(" ", styles.font()), *body]


def card_texts(
    exercise: Exercise, labels: Labels, heading_font: str, log_rows: int = 0
) -> Iterator[str]:
    """Every string a card prints (its section headings in ``heading_font``'s capitals), for
    the font subsets."""
    yield exercise.title
    yield exercise.description
    if exercise.level:
        yield labels[f"level_{exercise.level.value}"]
    yield from exercise.muscles
    yield from exercise.equipment
    if exercise.video_short_url:
        yield exercise.video_short_url
        yield labels["scan_for_video"]
    yield exercise.slug
    for section in exercise.sections:
        yield heading_text(section, labels, heading_font)
        for item in section.items:
            yield item.label or ""
            yield item.text
    yield exercise.outro_text
    for picture in card_pictures(exercise.images):
        yield (picture.caption or "") + "\u2026"
    yield from _additions_texts(exercise, labels, heading_font, log_rows)
    yield labels["continued"]
    yield labels["continues"]


def _additions_texts(
    exercise: Exercise, labels: Labels, heading_font: str, log_rows: int
) -> Iterator[str]:
    """What the prescription box, the credit and the log print, when the card has them."""
    if exercise.prescription:
        from pipeline.prescription import facts, setting_names

        yield from facts(exercise.prescription, labels)
        for name, value in setting_names(exercise.prescription):
            yield f"{name}: {value} \u00b7"
    credits = [p.credit for p in card_pictures(exercise.images) if p.credit is not None]
    if exercise.credit or credits:
        from pipeline.credit import credit_parts, pictures_credit

        for short in (False, True):
            if exercise.credit:
                yield " \u00b7 ".join(credit_parts(exercise.credit, labels, short_source=short))
            yield pictures_credit(credits, labels, short_source=short) + " \u00b7"
        yield "\u2026"
    if log_rows:
        yield printed_upper(labels["log"], heading_font)
        yield labels["log_hint"]
        yield from log_headers(exercise, labels)


def heading_text(section: Section, labels: Labels, font: str) -> str:
    """A section's heading in the card's capitals, as far as ``font`` has them (see
    :func:`~pipeline.cards.glyphs.printed_upper`): a known section's is its label in the
    card's language, any other's is the heading as the seed writes it."""
    text = labels.heading(section.kind, section.heading)
    if labels.lang.split("-")[0] in ("tr", "az"):
        # Their dotted i has a dotted capital; str.upper() would drop the dot.
        text = text.replace("i", "\u0130")
    return printed_upper(text, font)


_MARKERS = {
    SectionKind.SETUP: (Marker.NUMBER, None, None),
    SectionKind.EXECUTION: (Marker.NUMBER, None, None),
    SectionKind.TIPS: (Marker.CHECK, TIP, TIP_TINT),
    SectionKind.MISTAKES: (Marker.CROSS, MISTAKE, MISTAKE_TINT),
    SectionKind.OTHER: (Marker.BULLET, MUTED, None),
}


def build_story(
    exercise: Exercise,
    styles: Styles,
    labels: Labels,
    *,
    log_rows: int = 0,
    muscle_map: bool = True,
    pictures: bool = True,
    picture_height: float | None = None,
    brand: CardBrand | None = None,
) -> list[Flowable]:
    """The card's flowables, top to bottom, at ``styles.body`` points of body text, its fixed
    words from ``labels``; the muscle map under the QR code unless ``muscle_map`` is false;
    the seed's pictures under the header unless ``pictures`` is false, ``picture_height``
    points high at most (the least of :data:`PICTURE_HEIGHT` by default); ``log_rows``
    blank rows to log sessions in at the foot; the ``brand``'s bar on top."""
    story = _brand_bar(exercise, styles, brand)
    shown = card_pictures(exercise.images) if pictures else []
    # With pictures, the map and the QR code go beside them, and the title has the width.
    story.append(
        _header(exercise, styles, labels, with_map=muscle_map and not shown, with_qr=not shown)
    )
    if exercise.prescription:
        story.extend(_prescription(exercise.prescription, styles, labels))
    if shown:
        height = picture_height or styles.body * PICTURE_HEIGHT[0]
        story.append(_pictures(exercise, shown, styles, labels, height, with_map=muscle_map))
    for section in exercise.sections:
        if section.items:
            story.extend(_section(section, styles, labels))
    story.extend(_outro(exercise, styles))
    if log_rows:
        story.append(log_block(exercise, styles, labels, log_rows))
    return story


def _brand_bar(exercise: Exercise, styles: Styles, brand: CardBrand | None) -> list[Flowable]:
    """The brand's bar across the top, when the gym gives a logo or a name, or the seed a
    station."""
    if brand is None or not (brand.has_bar or exercise.station):
        return []
    return [
        BrandBar(
            brand,
            exercise.station,
            font=styles.family.bold,
            size=styles.body * 1.05,
            space_after=styles.body * 0.9,
        )
    ]


def _outro(exercise: Exercise, styles: Styles) -> list[Flowable]:
    """The closing note, in italics, smaller and muted: it is not an instruction."""
    body = styles.body
    return [
        styles.block(
            span_runs(paragraph.spans, styles, italic=True),
            body * 0.86,
            color=MUTED,
            space_before=body * (0.6 if index == 0 else 0.3),
        )
        for index, paragraph in enumerate(exercise.outro)
    ]


def log_headers(exercise: Exercise, labels: Labels) -> list[str]:
    """The log's column headings: the date, then a set a column, as many as the seed's
    ``sets`` (three when it gives none, six at most)."""
    plan = exercise.prescription
    sets = plan.sets if plan and plan.sets else DEFAULT_LOG_SETS
    count = min(sets, MAX_LOG_SETS)
    return [labels["log_date"], *(labels.text("log_set", n=str(n)) for n in range(1, count + 1))]


def log_block(exercise: Exercise, styles: Styles, labels: Labels, rows: int) -> Flowable:
    """The log under its heading: ``rows`` blank rows of a date and a cell a set."""
    body, family = styles.body, styles.family
    heading = SectionHeading(
        labels["log"],
        font=family.bold,
        size=body * HEADING_RATIO,
        color=styles.accent.color,
        rule=RULE,
        space_before=body * 0.6,
    )
    grid = LogGrid(
        rows,
        log_headers(exercise, labels),
        labels["log_hint"],
        fonts=(family.bold, family.regular),
        body=body,
    )
    return KeepWithNext(heading, grid)


def _section(section: Section, styles: Styles, labels: Labels) -> list[Flowable]:
    """A section's heading, kept with its first item, then the rest of its items."""
    body, family = styles.body, styles.family
    marker, fixed, tint = _MARKERS[section.kind]
    color = fixed or styles.accent.color  # the steps are in the brand's accent
    panel = Panel(tint, body * 0.42, body * 0.5) if tint else None
    heading = SectionHeading(
        heading_text(section, labels, family.bold),
        font=family.bold,
        size=body * HEADING_RATIO,
        color=color if tint else styles.accent.color,
        rule=None if tint else RULE,
        panel=panel,
        space_before=body * (0.65 if panel else 0.6),
    )
    items: list[Flowable] = [
        MarkedItem(
            styles.block(item_runs(item, styles), body),
            marker=marker,
            number=number,
            color=color,
            gutter=body * 1.85,
            gap=body * 0.25,
            panel=panel,
            last=number == len(section.items),
            marker_font=family.bold,
        )
        for number, item in enumerate(section.items, start=1)
    ]
    return [KeepWithNext(heading, items[0]), *items[1:]]


def _prescription(prescription: Prescription, styles: Styles, labels: Labels) -> list[Flowable]:
    """What to do, in a box under the header: the numbers in bold, then the machine's
    settings. No heading, and one block: the words say what they are, and a card's every
    line is worth its room (the box costs the shipped card a line or two of its text)."""
    from pipeline.prescription import facts, setting_names

    body, family = styles.body, styles.family
    panel = Panel(styles.accent.tint, body * 0.42, body * 0.5)
    runs: list[Run] = []
    shown = facts(prescription, labels)
    if shown:
        # Broken between the facts only, never inside one (3 | sets), the dot kept at the end.
        kept = (fact.replace(" ", "\u00a0") for fact in shown)
        runs.append(Run("\u00a0\u00b7 ".join(kept), family.bold))
    for name, value in setting_names(prescription):
        if runs:
            runs.append(Run("\u00a0\u00b7 ", family.regular))
        runs += [Run(f"{name}:", family.regular), Run(f" {value}", family.regular)]
    box = MarkedItem(
        styles.block(runs, body),
        marker=Marker.NONE,
        color=styles.accent.color,
        gutter=0,
        gap=body * 0.25,
        panel=panel,
        last=True,
    )
    box.top = True
    box.spaceBefore = body * 0.65
    return [box]


def _pictures(
    exercise: Exercise,
    shown: list[Picture],
    styles: Styles,
    labels: Labels,
    height: float,
    *,
    with_map: bool,
) -> Flowable:
    """The pictures in a row under the header, the muscle map and the QR code after them."""
    muscles = muscle_map(exercise.muscles, exercise.secondary_muscles) if with_map else None
    extras: list[tuple[Flowable, float | None]] = []
    if muscles:
        block = MuscleMapBlock(muscles, width=10_000, min_width=0, accent=styles.accent)
        extras.append((block, MuscleMapBlock.ratio()))
    # Beside the pictures the code is as tall as they are, down to 18 mm (modules of 0.7 mm,
    # which a phone reads from half a metre); a card that needs the room gets no larger.
    qr = _qr(exercise, styles, labels, min(max(height * 0.8, 18 * mm), _qr_size(styles)))
    if qr is not None:
        extras.append((qr, None))
    return PictureRow(
        shown,
        max_height=height,
        gap=styles.body * 0.8,
        font=styles.family.regular,
        size=max(styles.body * 0.7, 6.0),
        space_before=styles.body * 0.7,
        extras=extras,
    )


def _qr_size(styles: Styles) -> float:
    """The QR code's side: 32 mm on A4, never below 25 mm, which a phone reads at arm's
    length."""
    return float(max(32 * mm * styles.scale, 25 * mm))


def _qr(exercise: Exercise, styles: Styles, labels: Labels, size: float) -> Flowable | None:
    """The video's QR code with its call to scan and its short address; None without a video."""
    if not exercise.video_short_url:
        return None
    family = styles.family
    return QrBlock(
        exercise.video_short_url,
        labels["scan_for_video"],
        exercise.video_short_url.removeprefix("https://"),
        size=size,
        fonts=(family.bold, family.regular),
        font_size=max(styles.body * 0.6, 6.0),
    )


def _header(
    exercise: Exercise, styles: Styles, labels: Labels, *, with_map: bool, with_qr: bool = True
) -> Flowable:
    body, family = styles.body, styles.family
    title = Run(exercise.title, family.bold)
    left: list[Flowable] = [styles.block([title], body * 1.9, leading=1.08)]
    badges = _badges(exercise, labels, styles.accent)
    if badges:
        left.append(Badges(badges, font=family.bold, size=max(body * 0.62, 6.0)))
    description = Run(exercise.description, family.regular)
    tail = [styles.block([description], body * 0.9, color=MUTED, space_before=body * 0.55)]
    size = _qr_size(styles)
    qr = _qr(exercise, styles, labels, size) if with_qr else None
    right: list[Flowable] = [qr] if qr is not None else []
    muscles = muscle_map(exercise.muscles, exercise.secondary_muscles) if with_map else None
    if muscles:
        # Under the QR code it takes the room the header leaves there, at least a map that
        # reads; alone it takes the column the QR code would have.
        smallest = size * (0.5 if right else 1.0)
        right.append(
            MuscleMapBlock(
                muscles,
                width=size,
                min_width=smallest,
                space_before=body * 0.5,
                accent=styles.accent,
            )
        )
    column = right[0] if len(right) == 1 else Column(right) if right else None
    return Header(left, column, gap=body, tail=tail)


def _badges(exercise: Exercise, labels: Labels, accent: Accent) -> list[Badge]:
    badges = []
    if exercise.level:
        level = labels[f"level_{exercise.level.value}"]
        badges.append(Badge(level, LEVEL_COLORS[exercise.level], PAPER))
    badges += [Badge(e, NEUTRAL_TINT, INK) for e in exercise.equipment]
    badges += [Badge(m, accent.tint, accent.color) for m in exercise.muscles]
    return badges
