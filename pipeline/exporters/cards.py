"""The ``pdf`` exporter: a printable wall card per exercise, ``cards/<slug>.pdf``, and every
card in one booklet for a print run, ``cards.pdf``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.config import Settings
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.model import Exercise
from pipeline.registry import register

if TYPE_CHECKING:
    from pipeline.cards import CardResult, PlainArtefact

# The card modules are imported where they are used: reportlab takes a tenth of a second to
# load, and a run with nothing to rebuild never needs it.


@register
class CardsExporter(Exporter):
    """Writes print-ready PDF wall cards (page size, 2up and bleed from the settings).

    A card is rendered once per seed: the booklet is assembled from each card's
    :class:`~pipeline.cards.CardArtefact` (its digest, as plain tuples), not drawn again."""

    name = "pdf"
    help = "cards/<slug>.pdf: a printable wall card per seed; cards.pdf: all of them, by title"
    version = "4"
    settings_used = ("page_size", "layout", "bleed_mm")
    outputs = ("cards/{slug}.pdf", "cards.pdf")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # The engine asks for the card's file and then its digest, one after the other, for
        # the same exercise: the last rendering is kept so the card is drawn only once.
        self._last: tuple[tuple[object, ...], CardResult] | None = None

    def prepare(self) -> None:
        """Import reportlab and load the card faces (a fifth of a second) before the workers
        start: they share them, and the booklet at the end does not load them again."""
        from pipeline.cards import prepare_fonts

        prepare_fonts()

    def _render(self, exercise: Exercise) -> CardResult:
        from pipeline.cards import render_card

        settings = self.settings
        key = (
            exercise.slug,
            exercise.source_sha256,
            settings.page_size,
            settings.layout,
            settings.bleed_mm,
        )
        if self._last is None or self._last[0] != key:
            self._last = (key, render_card(exercise, settings))
        return self._last[1]

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> None:
        """Write ``cards/<slug>.pdf`` and report what the seed's author should fix."""
        card = self._render(exercise)
        for message in card.warnings:
            context.warn(exercise.source, message)
        context.writer.write_bytes(f"cards/{exercise.slug}.pdf", card.pdf)

    def digest(self, exercise: Exercise) -> PlainArtefact:
        """The rendered card as the booklet needs it, as plain tuples: each page's compressed
        drawing, the font subsets it names, its title (a few kilobytes)."""
        return self._render(exercise).artefact.plain()

    def export_all(self, digests: Sequence[PlainArtefact], context: ExportContext) -> None:
        """Write ``cards.pdf``: every card, ordered by title, assembled from the digests.
        Its warnings are the per-card ones, already reported by :meth:`export_exercise`."""
        from pipeline.cards import assemble_booklet

        context.writer.write_bytes("cards.pdf", assemble_booklet(digests, context.settings))
