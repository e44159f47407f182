"""The ``json`` exporter: the normalised model of each exercise, ``json/<slug>.json``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.exporters.base import ExportContext, Exporter
from pipeline.registry import register

if TYPE_CHECKING:
    from pipeline.model import Exercise


@register
class ModelJsonExporter(Exporter):
    """Writes each exercise's parsed model as indented JSON, for scripts and debugging."""

    name = "json"
    help = "json/<slug>.json: the parsed model of each seed"
    outputs = ("json/{slug}.json",)

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> None:
        """Write ``json/<slug>.json``."""
        context.writer.write_text(
            f"json/{exercise.slug}.json", exercise.model_dump_json(indent=2) + "\n"
        )
