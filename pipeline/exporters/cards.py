"""The ``pdf`` exporter: a printable wall card per exercise, ``cards/<slug>.pdf``, and every
card in one booklet for a print run, ``cards.pdf``."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.exporters.base import ExportContext, Exporter
from pipeline.model import Exercise
from pipeline.registry import register

# The card modules are imported where they are used: reportlab takes a tenth of a second to
# load, and a run with nothing to rebuild never needs it.


@register
class CardsExporter(Exporter):
    """Writes print-ready PDF wall cards (page size, 2up and bleed from the settings)."""

    name = "pdf"
    help = "cards/<slug>.pdf: a printable wall card per seed; cards.pdf: all of them, by title"
    version = "1"
    settings_used = ("page_size", "layout", "bleed_mm")

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> None:
        """Write ``cards/<slug>.pdf`` and report what the seed's author should fix."""
        from pipeline.cards import render_card

        card = render_card(exercise, context.settings)
        for message in card.warnings:
            context.warn(exercise.source, message)
        context.writer.write_bytes(f"cards/{exercise.slug}.pdf", card.pdf)

    def export_all(self, exercises: Sequence[Exercise], context: ExportContext) -> None:
        """Write ``cards.pdf``: every card, ordered by title. Its warnings are the per-card
        ones, already reported by :meth:`export_exercise`."""
        from pipeline.cards import render_booklet

        context.writer.write_bytes("cards.pdf", render_booklet(exercises, context.settings))
