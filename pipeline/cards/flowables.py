"""The card's building blocks: reportlab flowables that draw a part of the card and know how
to split across pages, so a card that overflows flows on instead of being clipped."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth

from pipeline.cards.flowable import Flowable
from pipeline.cards.glyphs import printed_upper
from pipeline.cards.palette import INK, MUTED, PAPER
from pipeline.cards.qr import QUIET_ZONE, draw_qr, qr_runs
from pipeline.cards.text import TextBlock, break_lines


class Marker(enum.StrEnum):
    """What stands before an item: a numbered disc, a check, a cross, a bullet, or nothing."""

    NONE = "none"
    NUMBER = "number"
    CHECK = "check"
    CROSS = "cross"
    BULLET = "bullet"


@dataclass(frozen=True)
class Panel:
    """A tinted box behind a run of flowables; each piece draws its own slice of it."""

    fill: Color
    pad: float
    radius: float


class PanelPiece(Flowable):
    """A slice of a :class:`Panel`: top and bottom slices round their outer corners."""

    def __init__(self, panel: Panel | None, *, top: bool, bottom: bool) -> None:
        super().__init__()
        self.panel = panel
        self.top = top
        self.bottom = bottom
        self.closed = False
        """Set when a page break follows: round the bottom corners without adding padding."""

    @property
    def pad_top(self) -> float:
        """Panel padding above this slice's content."""
        return self.panel.pad if self.panel and self.top else 0.0

    @property
    def pad_bottom(self) -> float:
        """Panel padding below this slice's content."""
        return self.panel.pad if self.panel and self.bottom else 0.0

    @property
    def pad_side(self) -> float:
        """Panel padding left and right of the content."""
        return self.panel.pad if self.panel else 0.0

    def draw_panel(self) -> None:
        """Fill this slice of the panel (nothing when there is no panel)."""
        if not self.panel:
            return
        canvas, w, h, r = self.canv, self.width, self.height, self.panel.radius
        bottom = self.bottom or self.closed
        canvas.saveState()
        canvas.setFillColor(self.panel.fill)
        if self.top and bottom:
            canvas.roundRect(0, 0, w, h, r, stroke=0, fill=1)
        elif self.top or bottom:
            canvas.roundRect(0, 0, w, h, r, stroke=0, fill=1)
            square_y = 0 if self.top else h / 2
            canvas.rect(0, square_y, w, h / 2, stroke=0, fill=1)
        else:
            canvas.rect(0, 0, w, h, stroke=0, fill=1)
        canvas.restoreState()


class SectionHeading(PanelPiece):
    """A section's name in tracked capitals with a hairline rule running to the right edge."""

    def __init__(
        self,
        text: str,
        *,
        font: str,
        size: float,
        color: Color,
        rule: Color | None,
        panel: Panel | None = None,
        space_before: float = 0.0,
    ) -> None:
        super().__init__(panel, top=True, bottom=False)
        self.text = printed_upper(text, font)
        self.font = font
        self.size = size
        self.color = color
        self.rule = rule
        self.spaceBefore = space_before
        self.tracking = size * 0.08
        self.lines: list[str] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Measure: long headings wrap, words longer than the line break anywhere."""
        self.width = availWidth
        inner = availWidth - 2 * self.pad_side
        self.lines = break_lines(self.text, self.font, self.size, inner, self.tracking)
        line_height = self.size * 1.25
        self.height = self.pad_top + len(self.lines) * line_height + self.size * 0.3
        return self.width, self.height

    def draw(self) -> None:
        """Draw the panel slice, the heading and its rule."""
        self.draw_panel()
        canvas = self.canv
        x = self.pad_side
        y = self.height - self.pad_top - self.size
        canvas.setFillColor(self.color)
        end = x
        for line in self.lines:
            text = canvas.beginText(x, y)
            text.setFont(self.font, self.size)
            text.setCharSpace(self.tracking)
            text.textOut(line)
            canvas.drawText(text)
            end = x + stringWidth(line, self.font, self.size) + self.tracking * len(line)
            y -= self.size * 1.25
        rule_y = y + self.size * 1.25 + self.size * 0.38
        gap = self.size * 0.6
        if self.rule is not None and end + gap < self.width - self.pad_side:
            canvas.setStrokeColor(self.rule)
            canvas.setLineWidth(max(0.5, self.size * 0.05))
            canvas.line(end + gap, rule_y, self.width - self.pad_side, rule_y)


class MarkedItem(PanelPiece):
    """One item: a marker in the left gutter and its text beside it."""

    def __init__(
        self,
        text: TextBlock,
        *,
        marker: Marker,
        number: int = 0,
        color: Color,
        gutter: float,
        gap: float,
        panel: Panel | None = None,
        last: bool = False,
        marker_font: str = "",
    ) -> None:
        super().__init__(panel, top=False, bottom=last)
        self.text = text
        self.marker = marker
        self.number = number
        self.color = color
        self.gutter = gutter
        self.gap = gap
        self.marker_font = marker_font
        self.text_height = 0.0

    def _text_width(self, avail: float) -> float:
        return avail - 2 * self.pad_side - self.gutter

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Measure the text in the width the gutter leaves."""
        self.width = availWidth
        _, self.text_height = self.text.wrap(self._text_width(availWidth), availHeight)
        self.height = self.pad_top + self.text_height + self.gap + self.pad_bottom
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """Split between lines of the text; the marker stays with the first part."""
        room = availHeight - self.pad_top - self.gap - (self.panel.pad if self.panel else 0.0)
        parts = self.text.parts(self._text_width(availWidth), room)
        if len(parts) < 2:
            return []
        first = MarkedItem(
            parts[0], marker=self.marker, number=self.number, color=self.color,
            gutter=self.gutter, gap=self.gap, panel=self.panel, last=True,
            marker_font=self.marker_font,
        )  # fmt: skip
        first.top = self.top
        rest = MarkedItem(
            parts[1], marker=Marker.NONE, color=self.color, gutter=self.gutter,
            gap=self.gap, panel=self.panel, last=self.bottom, marker_font=self.marker_font,
        )  # fmt: skip
        rest.top = True
        return [first, rest]

    def draw(self) -> None:
        """Draw the panel slice, the marker, and the text."""
        self.draw_panel()
        left = self.pad_side
        size = self.text.size
        baseline = self.height - self.pad_top - self.text.first_baseline
        self._draw_marker(left, baseline + size * 0.36, size)
        text_y = self.height - self.pad_top - self.text_height
        self.text.drawOn(self.canv, left + self.gutter, text_y)

    def _draw_marker(self, x: float, cy: float, size: float) -> None:
        if self.marker == Marker.NONE:
            return
        canvas = self.canv
        radius = size * 0.62
        cx = x + radius
        canvas.saveState()
        canvas.setFillColor(self.color)
        if self.marker == Marker.BULLET:
            canvas.circle(cx, cy, size * 0.18, stroke=0, fill=1)
            canvas.restoreState()
            return
        canvas.circle(cx, cy, radius, stroke=0, fill=1)
        canvas.setFillColor(PAPER)
        canvas.setStrokeColor(PAPER)
        canvas.setLineWidth(size * 0.13)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        if self.marker == Marker.NUMBER:
            label = str(self.number)
            font_size = size * (0.78 if len(label) < 2 else 0.62)
            canvas.setFont(self.marker_font, font_size)
            canvas.drawCentredString(cx, cy - font_size * 0.36, label)
        elif self.marker == Marker.CHECK:
            r = radius * 0.5
            path = canvas.beginPath()
            path.moveTo(cx - r, cy + r * 0.05)
            path.lineTo(cx - r * 0.25, cy - r * 0.7)
            path.lineTo(cx + r, cy + r * 0.7)
            canvas.drawPath(path, stroke=1, fill=0)
        elif self.marker == Marker.CROSS:
            r = radius * 0.42
            canvas.line(cx - r, cy - r, cx + r, cy + r)
            canvas.line(cx - r, cy + r, cx + r, cy - r)
        canvas.restoreState()


@dataclass(frozen=True)
class Badge:
    """A small pill: its text and colours."""

    text: str
    fill: Color
    ink: Color


class Badges(Flowable):
    """Pills laid out in rows, wrapping onto the next row as the width runs out."""

    def __init__(self, badges: Sequence[Badge], *, font: str, size: float) -> None:
        super().__init__()
        self.badges = list(badges)
        self.font = font
        self.size = size
        self.spaceBefore = size * 0.5
        self.spaceAfter = size * 0.3
        self.placed: list[tuple[float, float, float, float, list[str], Badge]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Lay the pills out in rows within the width."""
        size, pad = self.size, self.size * 0.7
        line_height = size * 1.2
        gap = size * 0.45
        self.placed = []
        x, y, row_height = 0.0, 0.0, 0.0
        for badge in self.badges:
            lines = break_lines(badge.text, self.font, size, availWidth - 2 * pad)
            text_w = max(stringWidth(line, self.font, size) for line in lines)
            w = text_w + 2 * pad
            h = size * 0.9 + len(lines) * line_height
            if x and x + w > availWidth:
                x, y, row_height = 0.0, y + row_height + gap, 0.0
            self.placed.append((x, y, w, h, lines, badge))
            x += w + gap
            row_height = max(row_height, h)
        self.width = availWidth
        self.height = y + row_height
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The rows that fit, and the rest on the next page; a pill taller than the room left
        is cut between its lines (its text goes on in a pill of its own)."""
        self.wrap(availWidth, availHeight)
        fitting = [p for p in self.placed if p[1] + p[3] <= availHeight]
        if fitting and len(fitting) < len(self.placed):
            rest = self.badges[len(fitting) :]
            return [self._with(self.badges[: len(fitting)]), self._with(rest, first=False)]
        if not fitting and self.placed:
            return self._cut_first(availHeight)
        return []

    def _with(self, badges: Sequence[Badge], *, first: bool = True) -> Badges:
        """Pills like these ones, with other badges (the part after a split has no space
        before it: it starts a page)."""
        part = Badges(badges, font=self.font, size=self.size)
        if not first:
            part.spaceBefore = 0
        return part

    def _cut_first(self, availHeight: float) -> list[Flowable]:
        """The first pill's lines that fit, then the rest of it and the other pills."""
        _, _, _, _, lines, badge = self.placed[0]
        line_height = self.size * 1.2
        room = int((availHeight - self.size * 0.9) // line_height)
        if room < 1 or room >= len(lines):
            return []
        head = Badge(" ".join(lines[:room]), badge.fill, badge.ink)
        tail = Badge(" ".join(lines[room:]), badge.fill, badge.ink)
        return [self._with([head]), self._with([tail, *self.badges[1:]], first=False)]

    def draw(self) -> None:
        """Draw each pill and its text."""
        canvas, size = self.canv, self.size
        for x, y, w, h, lines, badge in self.placed:
            top = self.height - y
            canvas.setFillColor(badge.fill)
            canvas.roundRect(x, top - h, w, h, min(h / 2, size * 0.95), stroke=0, fill=1)
            canvas.setFillColor(badge.ink)
            canvas.setFont(self.font, size)
            baseline = top - size * 0.45 - size * 0.95
            for line in lines:
                canvas.drawCentredString(x + w / 2, baseline, line)
                baseline -= size * 1.2


class QrBlock(Flowable):
    """The video QR code, a call to scan it, and the short URL under it."""

    def __init__(
        self, data: str, label: str, caption: str, *, size: float, fonts: tuple[str, str],
        font_size: float,
    ) -> None:  # fmt: skip
        super().__init__()
        self.data = data
        self.label = label
        self.caption = caption
        self.size = size
        self.bold, self.regular = fonts
        self.font_size = font_size
        modules, _ = qr_runs(data)
        self.quiet = size / modules * QUIET_ZONE
        self.lines: list[tuple[str, str]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The code, then the caption lines under it; a call to scan much wider than the
        code (a long one in some languages) wraps rather than widen the column."""
        code_width = self.size + 2 * self.quiet
        caption_width = max(
            min(stringWidth(self.label, self.bold, self.font_size), code_width * 1.25),
            stringWidth(self.caption, self.regular, self.font_size),
        )
        self.width = min(availWidth, max(code_width, caption_width))
        self.lines = [
            (self.bold, line)
            for line in _balanced(self.label, self.bold, self.font_size, self.width)
        ] + [
            (self.regular, line)
            for line in break_lines(self.caption, self.regular, self.font_size, self.width)
        ]
        self.height = self.size + self.quiet * 0.6 + len(self.lines) * self.font_size * 1.3
        return self.width, self.height

    def draw(self) -> None:
        """Draw the code (one path) and the caption, centred under it."""
        canvas = self.canv
        x = (self.width - self.size) / 2
        canvas.setFillColor(INK)
        draw_qr(canvas, self.data, x, self.height - self.size, self.size)
        y = self.height - self.size - self.quiet * 0.6 - self.font_size
        for font, line in self.lines:
            canvas.setFillColor(INK if font == self.bold else MUTED)
            canvas.setFont(font, self.font_size)
            canvas.drawCentredString(self.width / 2, y, line)
            y -= self.font_size * 1.3


def _balanced(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into as few lines as at ``width``, each as short as that allows: a
    call to scan in two lines reads as two halves, not a line and a word left under it."""
    lines = break_lines(text, font, size, width)
    if len(lines) < 2:
        return lines
    low, high = width / len(lines), width
    for _ in range(12):
        middle = (low + high) / 2
        if len(break_lines(text, font, size, middle)) == len(lines):
            high = middle
        else:
            low = middle
    return break_lines(text, font, size, high)


class Header(Flowable):
    """Title and badges on the left, the QR block (if any) on the right, and the description
    beside them or, when that is shorter, under both at the full width: a long description
    beside a small QR block would leave the room under the QR empty."""

    def __init__(
        self,
        left: Sequence[Flowable],
        right: Flowable | None,
        gap: float,
        tail: Sequence[Flowable] = (),
    ) -> None:
        super().__init__()
        self.left = list(left)
        self.right = right
        self.gap = gap
        self.tail = list(tail)
        self.placed: list[tuple[Flowable, float]] = []
        self.right_size = (0.0, 0.0)
        self.columns = 0.0  # the height of the columns, the description under them or not

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Measure both ways of placing the tail and keep the shorter one (beside on a tie).
        The right column is measured at its smallest (no height to grow into), then given
        the header's height: a muscle map under the QR code grows into the room there."""
        self._lay_out(availWidth, availHeight)
        if self.right:
            self.right_size = self.right.wrap(availWidth, self.columns)
        return self.width, self.height

    def _lay_out(self, availWidth: float, availHeight: float) -> None:
        right_w, right_h = self.right.wrap(availWidth, 0) if self.right else (0, 0)
        self.right_size = (right_w, right_h)
        left_w = availWidth - (right_w + self.gap if self.right else 0)
        height = max(_stack(self.left + self.tail, left_w, availHeight, 0.0)[1], right_h)
        if self.right and self.tail:
            columns = max(_stack(self.left, left_w, availHeight, 0.0)[1], right_h)
            under = _stack(self.tail, availWidth, availHeight, columns, first_space=True)[1]
            if under < height:
                placed, _ = _stack(self.left, left_w, availHeight, 0.0)
                tail, height = _stack(self.tail, availWidth, availHeight, columns, True)
                self.placed = placed + tail
                self.width, self.height, self.columns = availWidth, height, columns
                return
            self.placed, _ = _stack(self.left + self.tail, left_w, availHeight, 0.0)
        else:
            self.placed, _ = _stack(self.left + self.tail, left_w, availHeight, 0.0)
        self.width, self.height = availWidth, height
        self.columns = height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """Too tall for the page (a very long title): give up the columns and stack."""
        return [*self.left, *self.tail, *([self.right] if self.right else [])]

    def draw(self) -> None:
        """Draw the left column top-down and the right column at the top right."""
        for flowable, y in self.placed:
            flowable.drawOn(self.canv, 0, self.height - y - flowable.height)
        if self.right:
            right_w, right_h = self.right_size
            self.right.drawOn(self.canv, self.width - right_w, self.height - right_h)


def _stack(
    flowables: Sequence[Flowable],
    width: float,
    avail: float,
    top: float,
    first_space: bool = False,
) -> tuple[list[tuple[Flowable, float]], float]:
    """Wrap blocks at ``width`` one under another from ``top``: where each starts, and where
    the last ends (the last one's space after left out)."""
    y = top
    placed = []
    for index, flowable in enumerate(flowables):
        if index or first_space:
            y += flowable.getSpaceBefore()
        _, h = flowable.wrap(width, avail)
        placed.append((flowable, y))
        y += h + (flowable.getSpaceAfter() if index < len(flowables) - 1 else 0)
    return placed, y


class KeepWithNext(Flowable):
    """A heading and the first item under it: never a heading alone at the foot of a page."""

    def __init__(self, heading: Flowable, item: Flowable) -> None:
        super().__init__()
        self.heading = heading
        self.item = item
        self.spaceBefore = heading.getSpaceBefore()
        self.heading_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Both parts, stacked."""
        _, self.heading_height = self.heading.wrap(availWidth, availHeight)
        _, item_height = self.item.wrap(availWidth, availHeight - self.heading_height)
        self.width = availWidth
        self.height = self.heading_height + item_height
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """Keep the heading with at least the first lines of the item, or move both on."""
        _, heading_height = self.heading.wrap(availWidth, availHeight)
        parts = self.item.split(availWidth, availHeight - heading_height)
        if len(parts) < 2:
            return []
        return [KeepWithNext(self.heading, parts[0]), *parts[1:]]

    def draw(self) -> None:
        """Heading on top, item under it."""
        self.heading.drawOn(self.canv, 0, self.height - self.heading_height)
        self.item.drawOn(self.canv, 0, 0)
