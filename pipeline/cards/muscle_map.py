"""The muscle map on a card: the body from the front and from the back, side by side, the
primary muscles in the accent colour and the secondary ones in a lighter tint of it.

Drawn from the same artwork as the page's map (:mod:`pipeline.muscles`), as vector paths:
one path per colour and view, so the map costs the PDF a few hundred bytes, the same ones
every time."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from reportlab.lib.colors import Color

from pipeline.cards.brand import DEFAULT_ACCENT, Accent
from pipeline.cards.flowable import Flowable
from pipeline.cards.palette import BODY
from pipeline.muscles import GAP, MuscleMap, Role, body


class MuscleMapBlock(Flowable):
    """The two figures, from ``min_width`` to ``width`` wide: as large as the height it is
    given allows (the room the header leaves under the QR code), never smaller."""

    def __init__(
        self,
        muscles: MuscleMap,
        *,
        width: float,
        min_width: float,
        space_before: float = 0,
        accent: Accent = DEFAULT_ACCENT,
    ) -> None:
        super().__init__()
        self.muscles = muscles
        self.fills: dict[Role | None, Color] = {
            None: BODY,
            Role.PRIMARY: accent.color,
            Role.SECONDARY: accent.light,
        }
        self.max_width = width
        self.min_width = min(min_width, width)
        self.spaceBefore = space_before
        self.scale = 1.0

    @staticmethod
    def ratio() -> float:
        """The map's width over its height (the two views side by side)."""
        art = body()
        return float(art.width * (2 + GAP) / art.height)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The widest that fits ``availHeight`` within its bounds (and ``availWidth``); as
        tall as the figures are at that width."""
        art = body()
        ratio = self.ratio()
        fitting = max(self.min_width, min(self.max_width, availHeight * ratio))
        self.width = min(availWidth, fitting)
        self.scale = self.width / (art.width * (2 + GAP))
        self.height = art.height * self.scale
        return self.width, self.height

    def draw(self) -> None:
        """Each view's regions, one path per colour: the outline first, then the muscles."""
        art = body()
        canvas = self.canv
        for index, (view, regions) in enumerate(art.views):
            left = index * art.width * (1 + GAP) * self.scale
            for role in (None, Role.SECONDARY, Role.PRIMARY):
                names = tuple(r.name for r in regions if self.muscles.role(view, r.name) is role)
                if names:
                    canvas.saveState()
                    # The artwork's own units, y down: its paths are made once, not per card.
                    canvas.transform(self.scale, 0, 0, -self.scale, left, self.height)
                    canvas.setFillColor(self.fills[role])
                    canvas._code.append(_path_operators(index, names))
                    canvas.restoreState()


@functools.lru_cache(maxsize=256)
def _path_operators(view: int, names: tuple[str, ...]) -> str:
    """The PDF operators that fill the regions ``names`` of the view ``view``, in the
    artwork's units (a tenth of a unit is finer than any print)."""
    _, regions = body().views[view]
    wanted = set(names)
    ops = []
    for region in regions:
        if region.name not in wanted:
            continue
        for polygon in region.polygons:
            (x, y), *rest = polygon
            ops.append(f"{round(x, 1):g} {round(y, 1):g} m")
            ops.extend(f"{round(x, 1):g} {round(y, 1):g} l" for x, y in rest)
            ops.append("h")
    ops.append("f")
    return " ".join(ops)


class Column(Flowable):
    """Blocks stacked top-down, each centred in the column's width (the widest one's): the
    header's right column, the QR code over the muscle map."""

    def __init__(self, blocks: Sequence[Flowable]) -> None:
        super().__init__()
        self.blocks = list(blocks)
        self.sizes: list[tuple[float, float]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The widest block's width, the blocks' heights and the space between them; the
        last block is given the height the others leave of ``availHeight``."""
        self.sizes = []
        used = 0.0
        for index, block in enumerate(self.blocks):
            if index:
                used += block.getSpaceBefore()
            w, h = block.wrap(availWidth, availHeight - used)
            self.sizes.append((w, h))
            used += h
        self.width = max(w for w, _ in self.sizes)
        self.height = used
        return self.width, self.height

    def draw(self) -> None:
        """Each block under the one before, centred."""
        y = self.height
        for index, (block, (w, h)) in enumerate(zip(self.blocks, self.sizes, strict=True)):
            if index:
                y -= block.getSpaceBefore()
            y -= h
            block.drawOn(self.canv, (self.width - w) / 2, y)
