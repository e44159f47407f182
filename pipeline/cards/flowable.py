"""The base of every block a card is laid out from: the part of reportlab's ``Flowable`` the
cards use, which is its size, ``wrap``, ``split``, the space before and after it, and
``drawOn``.

Spelt out here because ``reportlab.platypus``, where ``Flowable`` lives, loads the whole
document framework with it, whose markup parser compiles its patterns on load: a fifth of
a second of every run that renders a card, for a class of a few lines. The cards never use
that framework (:mod:`pipeline.cards.render` places the blocks itself), and ``drawOn`` makes
the same canvas calls, in the same order, as reportlab's, so the cards are the same bytes.
"""

from __future__ import annotations

from typing import Any


class Flowable:
    """A block of a card: it is asked its size for a width (``wrap``), may be cut to fit a
    height (``split``), and draws itself at the origin of its own coordinates (``draw``)."""

    width: float = 0
    height: float = 0
    spaceBefore: float = 0
    spaceAfter: float = 0
    canv: Any
    """The canvas, while the block draws itself."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The size the block takes in that room."""
        return (self.width, self.height)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The block cut in parts, the first fitting that room; none when it cannot be."""
        return []

    def getSpaceBefore(self) -> float:
        """The space above the block when another precedes it."""
        return self.spaceBefore

    def getSpaceAfter(self) -> float:
        """The space below the block when another follows it."""
        return self.spaceAfter

    def draw(self) -> None:
        """Draw the block on ``self.canv``, its lower left corner at the origin."""

    def drawOn(self, canvas: Any, x: float, y: float) -> None:
        """Draw the block with its lower left corner at ``(x, y)`` of ``canvas``."""
        canvas.saveState()
        canvas.translate(x, y)
        self.canv = canvas
        self.draw()
        del self.canv
        canvas.restoreState()
