"""The ``pdf`` exporter: a printable wall card per exercise, ``cards/<slug>.pdf``, and every
card in one booklet for a print run, ``cards.pdf``."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.cards import render_booklet, render_card
from pipeline.cards.layout import geometry
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.model import Exercise
from pipeline.registry import register


@register
class CardsExporter(Exporter):
    """Writes print-ready PDF wall cards (page size, 2up and bleed from the settings)."""

    name = "pdf"
    help = "cards/<slug>.pdf: a printable wall card per seed; cards.pdf: all of them, by title"
    version = "1"
    settings_used = ("page_size", "layout", "bleed_mm")

    def check_settings(self) -> None:
        """Refuse a page size and layout that cannot be combined, before anything is written."""
        geometry(self.settings)

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> None:
        """Write ``cards/<slug>.pdf`` and report what the seed's author should fix."""
        card = render_card(exercise, context.settings)
        for message in card.warnings:
            context.warn(exercise.source, message)
        context.writer.write_bytes(f"cards/{exercise.slug}.pdf", card.pdf)

    def export_all(self, exercises: Sequence[Exercise], context: ExportContext) -> None:
        """Write ``cards.pdf``: every card, ordered by title. Its warnings are the per-card
        ones, already reported by :meth:`export_exercise`."""
        context.writer.write_bytes("cards.pdf", render_booklet(exercises, context.settings))
