"""Blank cells at the foot of a card for members to log their sessions: a row a session, a
date cell and one cell a set, big enough to write a weight and a count in by hand."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from pipeline.cards.flowable import Flowable
from pipeline.cards.palette import MUTED, RULE
from pipeline.cards.text import break_lines

DEFAULT_LOG_SETS = 3
"""Set cells a row when the seed gives no ``sets``."""
MAX_LOG_SETS = 6
"""Set cells a row at most: more would be too narrow to write in."""
SMALLEST_CELL = 7 * mm
"""The least height a cell has, whatever the body size: what a pen needs."""
LARGEST_CELL = 11 * mm
"""The most: twice a large body size would give cells taller than any handwriting."""


class LogGrid(Flowable):
    """The grid: a hint, a header row (date, set 1, set 2, ...), then ``rows`` blank rows.
    Split between rows, the header repeated on the next page."""

    def __init__(
        self,
        rows: int,
        headers: Sequence[str],
        hint: str,
        *,
        fonts: tuple[str, str],
        body: float,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.headers = list(headers)
        self.hint = hint
        self.bold, self.regular = fonts
        self.body = body
        self.size = body * 0.72
        self.row_height = min(max(body * 2.0, SMALLEST_CELL), LARGEST_CELL)
        self.header_height = self.size * 1.9
        self.hint_lines: list[str] = []

    def _hint_height(self) -> float:
        return len(self.hint_lines) * self.size * 1.3 + (self.size * 0.4 if self.hint_lines else 0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The hint's lines, the header row and every blank row."""
        self.width = availWidth
        self.hint_lines = (
            break_lines(self.hint, self.regular, self.size, availWidth) if self.hint else []
        )
        self.height = self._hint_height() + self.header_height + self.rows * self.row_height
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """As many rows as fit here (at least one), the rest under a repeated header."""
        self.wrap(availWidth, availHeight)
        fixed = self._hint_height() + self.header_height
        fitting = int((availHeight - fixed) // self.row_height)
        if fitting < 1 or fitting >= self.rows:
            return []
        fonts = (self.bold, self.regular)
        first = LogGrid(fitting, self.headers, self.hint, fonts=fonts, body=self.body)
        rest = LogGrid(self.rows - fitting, self.headers, "", fonts=fonts, body=self.body)
        return [first, rest]

    def columns(self) -> list[float]:
        """The x of each column's left edge, and the right edge last: the date column takes
        what a date written by hand needs, the sets share the rest."""
        date = max(self.width * 0.2, stringWidth(self.headers[0], self.bold, self.size) * 1.4)
        sets = len(self.headers) - 1
        step = (self.width - date) / sets
        return [0.0, *(date + step * n for n in range(sets)), self.width]

    def draw(self) -> None:
        """The hint, the header labels, and the grid's rules."""
        canvas = self.canv
        y = self.height
        canvas.setFillColor(MUTED)
        canvas.setFont(self.regular, self.size)
        for line in self.hint_lines:
            y -= self.size * 1.3
            canvas.drawString(0, y + self.size * 0.25, line)
        if self.hint_lines:
            y -= self.size * 0.4
        top = y
        xs = self.columns()
        canvas.setFont(self.bold, self.size)
        baseline = top - self.header_height + self.size * 0.6
        for left, right, text in zip(xs, xs[1:], self.headers, strict=False):
            shown = break_lines(text, self.bold, self.size, right - left - self.size)[0]
            canvas.drawString(left + self.size * 0.5, baseline, shown)
        bottom = top - self.header_height - self.rows * self.row_height
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.75)
        for row in range(self.rows + 1):
            line_y = top - self.header_height - row * self.row_height
            canvas.line(0, line_y, self.width, line_y)
        for x in xs[1:-1]:
            canvas.line(x, top - self.header_height, x, bottom)
        canvas.line(0, top - self.header_height, 0, bottom)
        canvas.line(self.width, top - self.header_height, self.width, bottom)
