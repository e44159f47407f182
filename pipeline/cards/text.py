"""Text blocks: styled runs set into lines of a given width.

Seed text reaches the page through here as plain runs, never through a markup parser, so
nothing in it (``<``, ``&``, ``</para>``) can change how it is printed. Lines fill greedily;
a word longer than a line is broken between characters rather than left sticking out."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth

from pipeline.cards.flowable import Flowable
from pipeline.cards.glyphs import printed

_SPACES = re.compile(r"[ \t\n\r\f\v]+")
"""Break opportunities: ordinary white space (a no-break space is not one)."""


@dataclass(frozen=True)
class Run:
    """A stretch of text in one font."""

    text: str
    font: str


Piece = tuple[str, str]
"""Text and font of part of a word."""
Line = list[Piece]


@functools.lru_cache(maxsize=4096)
def _words(runs: tuple[Run, ...]) -> list[tuple[list[Piece], float, int]]:
    """Runs cut into words, each with its width at 1 pt and its length; a word may change
    font midway (``**bold**ly``), and each as the card prints it in its font (an emoji the
    font lacks left out: :func:`~pipeline.cards.glyphs.printed`). Kept per text while one
    card is laid out: the fit search sets it at many sizes (:func:`forget_texts` lets it go)."""
    words: list[list[Piece]] = [[]]
    for run in runs:
        parts = _SPACES.split(printed(run.text, run.font))
        for index, part in enumerate(parts):
            if index and words[-1]:
                words.append([])
            if part:
                words[-1].append((part, run.font))
    return [(w, _unit_width(w), sum(len(t) for t, _ in w)) for w in words if w]


@functools.lru_cache(maxsize=65536)
def _piece_width(text: str, font: str) -> float:
    return float(stringWidth(text, font, 1.0))


def forget_texts() -> None:
    """Let go of the words of the card laid out last. A worker lays out thousands of cards,
    and keeping every card's words cost about 9 KB a card, for nothing: a text recurs
    within one card's fit search, rarely across cards."""
    _words.cache_clear()


def _unit_width(pieces: Sequence[Piece]) -> float:
    """Width at 1 pt: a string's width grows in proportion to its size."""
    return sum(_piece_width(t, font) for t, font in pieces)


def _width(pieces: Sequence[Piece], size: float, tracking: float = 0.0) -> float:
    return _unit_width(pieces) * size + tracking * sum(len(t) for t, _ in pieces)


def _break_word(word: list[Piece], size: float, width: float, tracking: float) -> list[list[Piece]]:
    """A word too long for a line, cut into line-long chunks between characters."""
    chunks: list[list[Piece]] = [[]]
    used = 0.0
    for text, font in word:
        start = 0
        for end, char in enumerate(text):
            advance = stringWidth(char, font, size) + tracking
            if used + advance > width and (used or end > start):
                if end > start:
                    chunks[-1].append((text[start:end], font))
                chunks.append([])
                start, used = end, 0.0
            used += advance
        if start < len(text):
            chunks[-1].append((text[start:], font))
    return [c for c in chunks if c]


def set_lines(runs: Sequence[Run], size: float, width: float, tracking: float = 0.0) -> list[Line]:
    """Fill the runs' words into lines of at most ``width`` points, greedily; ``tracking``
    is extra space after every character (letter-spaced headings)."""
    lines: list[Line] = []
    line: Line = []
    used = 0.0
    for word, unit, length in _words(tuple(runs)):
        word_width = unit * size + tracking * length
        if line:
            space = _piece_width(" ", line[-1][1]) * size + tracking
            if used + space + word_width <= width:
                line.append((" ", line[-1][1]))
                line.extend(word)
                used += space + word_width
                continue
            lines.append(line)
        if word_width <= width:
            line, used = list(word), word_width
            continue
        *full, last = _break_word(word, size, width, tracking)
        lines.extend(full)
        line, used = last, _width(last, size, tracking)
    if line:
        lines.append(line)
    return lines


def break_lines(
    text: str, font: str, size: float, width: float, tracking: float = 0.0
) -> list[str]:
    """Plain text in one font filled into lines (badges, captions, headings)."""
    lines = set_lines([Run(text, font)], size, width, tracking)
    return ["".join(t for t, _ in line) for line in lines] or [""]


def _merge(line: Line) -> Line:
    """Adjacent pieces in one font joined, so a line switches font only where it must."""
    merged: Line = []
    for text, font in line:
        if merged and merged[-1][1] == font:
            merged[-1] = (merged[-1][0] + text, font)
        else:
            merged.append((text, font))
    return merged


class TextBlock(Flowable):
    """A block of runs in one size, colour and leading; splits between lines."""

    def __init__(
        self,
        runs: Sequence[Run],
        *,
        size: float,
        leading: float,
        color: Color,
        space_before: float = 0.0,
        lines: list[Line] | None = None,
        set_width: float = -1.0,
    ) -> None:
        super().__init__()
        self.runs = list(runs)
        self.size = size
        self.leading = leading
        self.color = color
        self.spaceBefore = space_before
        self.lines = lines or []
        self.set_width = set_width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Set the lines for this width (once per width) and report their height."""
        if availWidth != self.set_width:
            self.lines = [_merge(line) for line in set_lines(self.runs, self.size, availWidth)]
            self.set_width = availWidth
        self.width = availWidth
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The lines that fit, then the rest; nothing when not even one line fits."""
        return list(self.parts(availWidth, availHeight))

    def parts(self, availWidth: float, availHeight: float) -> list[TextBlock]:
        """:meth:`split`, as text blocks."""
        self.wrap(availWidth, availHeight)
        fits = int(availHeight // self.leading)
        if fits < 1 or fits >= len(self.lines):
            return []
        return [self._with(self.lines[:fits], self.spaceBefore), self._with(self.lines[fits:], 0)]

    def _with(self, lines: list[Line], space_before: float) -> TextBlock:
        return TextBlock(
            self.runs,
            size=self.size,
            leading=self.leading,
            color=self.color,
            space_before=space_before,
            lines=lines,
            set_width=self.set_width,
        )

    @property
    def first_baseline(self) -> float:
        """Distance from the block's top to its first baseline."""
        return self.size + (self.leading - self.size) * 0.35

    def draw(self) -> None:
        """One text object for the whole block, switching font only between runs."""
        text = self.canv.beginText()
        text.setFillColor(self.color)
        y = self.height - self.first_baseline
        current = ""
        for line in self.lines:
            text.setTextOrigin(0, y)
            for chunk, font in line:
                if font != current:
                    text.setFont(font, self.size, self.leading)
                    current = font
                text.textOut(chunk)
            y -= self.leading
        self.canv.drawText(text)
